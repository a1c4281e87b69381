import Foundation
@testable import Reports
import Testing

/// A reduction that failed (the representative no longer shows the defect) is said in the reports, as
/// `defects list` says it, not shown as "—" (not tried yet).
@Suite struct FailedReductionReportTests {
    @Test func aFailedReductionIsSaid() throws {
        let json = """
            {"id": 3, "signature": "s", "subtype": "E1", "subtype_name": "Slowdown", "symptom": "slowdown", "frameworks": ["mindspore"],
             "op": "Split", "key_attributes": "", "error": "", "title": "t", "finding_count": 1, "campaign_findings": 1,
             "first_seen": "a", "last_seen": "b", "sample_detail": "", "reduction_failure": "the representative mutant no longer shows it"}
            """
        let entry = try JSONDecoder().decode(DefectEntry.self, from: Data(json.utf8))
        #expect(HTMLReportRenderer.reduced(entry) == "failed: the representative mutant no longer shows it")
        let encoded = String(decoding: try JSONEncoder().encode(entry), as: UTF8.self)
        #expect(encoded.contains("\"reduction_failure\""))
        // Not reduced yet: the reduction's keys are there, null (they were left out, other defects had them).
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(encoded.utf8)) as? [String: Any])
        for key in ["kind", "reduced_nodes", "reduced_graph_bytes", "reproducer", "stage", "representative_step"] {
            #expect(keys[key] is NSNull, "\(key): \(encoded)")
        }
    }
}

/// The over-round charts' x labels never overlap: the last regular label and the end's ran into one number.
@Suite struct LineChartLabelTests {
    @Test func theEndLabelDoesNotRunIntoTheOneBefore() {
        let labels = (0..<20).map { String(9000 + $0 * 31) }
        func x(_ i: Int) -> Double { 62 + 482 * Double(i) / 19 }
        let shown = SVGLineChart.labelled(labels, x: x)
        #expect(shown.first == 0 && shown.last == 19, "\(shown)")
        for (a, b) in zip(shown, shown.dropFirst()) { #expect(x(b) - x(a) >= 4 * 6.2 + 6, "\(shown)") }
        // Short labels far apart are all drawn.
        #expect(SVGLineChart.labelled(["1", "2", "3"], x: { 62 + 241 * Double($0) }) == [0, 1, 2])
    }
}
