import Foundation
import Store
import Taxonomy

/// `defectlab report --campaign ...`: loads the snapshot once and writes each requested format into the
/// report folder. Returns the files written, in format order.
public struct CampaignReportWriter: Sendable {
    public let store: DefectLabStore
    public let taxonomy: HPTaxonomy

    public init(store: DefectLabStore, taxonomy: HPTaxonomy) {
        self.store = store
        self.taxonomy = taxonomy
    }

    /// The default folder, `Reports/campaign-<id>` (`Reports/campaigns-<first>-to-<last>` for several).
    public static func defaultFolder(campaigns ids: [Int64]) -> String { "Reports/" + CampaignSnapshot.stem(ids) }

    /// The report folder (made when missing) with every file the formats will write checked, before any work:
    /// a folder in the way of the third file must not leave the first two (or a reduction's hour) behind a
    /// failed command.
    @discardableResult
    public func checkOutput(campaign selector: CampaignSelector, out: String?, formats: [ReportFormat]) throws -> (ids: [Int64], folder: ReportFolder) {
        let ids = try CampaignSnapshotLoader(store: store, taxonomy: taxonomy).resolve(selector)
        let folder = try ReportFolder(path: out ?? Self.defaultFolder(campaigns: ids))
        try folder.checkTargets(formats.map { $0.fileName(stem: CampaignSnapshot.stem(ids)) })
        return (ids, folder)
    }

    public func write(campaign selector: CampaignSelector, out: String?, formats: [ReportFormat], roundSize: Int? = nil) throws -> (snapshot: CampaignSnapshot, files: [URL]) {
        let loader = CampaignSnapshotLoader(store: store, taxonomy: taxonomy)
        let (ids, folder) = try checkOutput(campaign: selector, out: out, formats: formats)
        let snapshot = try loader.load(.ids(ids), reportFolder: folder.url, roundSize: roundSize)
        var files: [URL] = []
        for format in formats {
            let text: String = switch format {
            case .html: HTMLReportRenderer.render(snapshot)
            case .md: MarkdownReportRenderer.render(snapshot)
            case .json: try JSONReportRenderer.render(snapshot)
            case .junit: JUnitReportRenderer.render(snapshot)
            }
            files.append(try folder.write(text, name: format.fileName(stem: snapshot.stem)))
        }
        return (snapshot, files)
    }
}
