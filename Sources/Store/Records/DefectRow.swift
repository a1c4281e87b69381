import Foundation
import GRDB

/// One row of `defect` as stored: a unique bug that triage folded raw findings into, with its counts,
/// representative mutant, reduction and reproducer folder.
///
/// Triage reads and updates it (`Triage.DefectRecord` adds the campaigns it folds); campaign reports read it
/// (`Reports.DefectEntry` is the report's view of it). `updated_at` is bookkeeping and left out; the coding
/// keys are the column names, which are also the JSON names of `defects list --format json`.
public struct DefectRow: Sendable, Codable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "defect"

    public var id: Int64
    /// symptom|stage|subtype|frameworks|op|key attributes|normalized error: what makes two findings one bug.
    public var signature: String
    public var subtype: String
    public var symptom: String
    public var stage: String?
    /// The deviating frameworks, sorted, comma-separated (`frameworkList` splits them).
    public var frameworks: String
    public var op: String
    public var keyAttributes: String
    public var error: String
    public var title: String
    /// Raw findings folded into it, over every campaign in the store.
    public var findingCount: Int
    public var firstSeen: String
    public var lastSeen: String
    public var representativeCampaignID: Int64?
    public var representativeStep: Int?
    public var representativeNodes: Int?
    /// The minimal model after delta debugging (graph JSON).
    public var reducedGraphJSON: String?
    public var reducedNodes: Int?
    /// `interface` or `composition` once reduction has told them apart.
    public var kind: String?
    /// The reproducer folder, as triage wrote it (relative to the store's folder or absolute).
    public var reproPath: String?

    public var frameworkList: [String] {
        frameworks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, signature, subtype, symptom, stage, frameworks, op, error, title, kind
        case keyAttributes = "key_attributes", findingCount = "finding_count", firstSeen = "first_seen", lastSeen = "last_seen"
        case representativeCampaignID = "representative_campaign_id", representativeStep = "representative_step"
        case representativeNodes = "representative_nodes", reducedGraphJSON = "reduced_graph_json", reducedNodes = "reduced_nodes"
        case reproPath = "repro_path"
    }

}
