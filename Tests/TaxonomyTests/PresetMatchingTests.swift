import Foundation
import Taxonomy
import Testing

struct PresetMatchingTests {
    static let taxonomyDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Taxonomy")

    @Test func mindsporePresetSelectsMainOrSeriousDefects() throws {
        let preset = try TaxonomyCatalog(directory: Self.taxonomyDir).loadPreset(named: "mindspore")
        #expect(preset.firstMatch(FilterSubject(labels: [], priority: 4, issueType: "缺陷")) != nil)
        #expect(preset.firstMatch(FilterSubject(labels: ["kind/bug"], priority: 3)) != nil)
        #expect(preset.firstMatch(FilterSubject(labels: ["kind/bug"], priority: 1, issueType: "任务")) == nil)
    }
}
