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
    /// Why the last reduction failed (the representative no longer shows the defect), until one succeeds.
    public var reductionFailure: String?

    public var frameworkList: [String] {
        frameworks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, signature, subtype, symptom, stage, frameworks, op, error, title, kind
        case keyAttributes = "key_attributes", findingCount = "finding_count", firstSeen = "first_seen", lastSeen = "last_seen"
        case representativeCampaignID = "representative_campaign_id", representativeStep = "representative_step"
        case representativeNodes = "representative_nodes", reducedGraphJSON = "reduced_graph_json", reducedNodes = "reduced_nodes"
        case reproPath = "repro_path", reductionFailure = "reduction_failure"
    }

    /// JSON gives `frameworks` as a list, as every other JSON the tool writes lists frameworks; the database
    /// column (and an older listing) holds them comma-separated, and both decode.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        signature = try c.decode(String.self, forKey: .signature)
        subtype = try c.decode(String.self, forKey: .subtype)
        symptom = try c.decode(String.self, forKey: .symptom)
        stage = try c.decodeIfPresent(String.self, forKey: .stage)
        if let list = try? c.decode([String].self, forKey: .frameworks) {
            frameworks = list.joined(separator: ",")
        } else {
            frameworks = try c.decode(String.self, forKey: .frameworks)
        }
        op = try c.decode(String.self, forKey: .op)
        keyAttributes = try c.decode(String.self, forKey: .keyAttributes)
        error = try c.decode(String.self, forKey: .error)
        title = try c.decode(String.self, forKey: .title)
        findingCount = try c.decode(Int.self, forKey: .findingCount)
        firstSeen = try c.decode(String.self, forKey: .firstSeen)
        lastSeen = try c.decode(String.self, forKey: .lastSeen)
        representativeCampaignID = try c.decodeIfPresent(Int64.self, forKey: .representativeCampaignID)
        representativeStep = try c.decodeIfPresent(Int.self, forKey: .representativeStep)
        representativeNodes = try c.decodeIfPresent(Int.self, forKey: .representativeNodes)
        reducedGraphJSON = try c.decodeIfPresent(String.self, forKey: .reducedGraphJSON)
        reducedNodes = try c.decodeIfPresent(Int.self, forKey: .reducedNodes)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        reproPath = try c.decodeIfPresent(String.self, forKey: .reproPath)
        reductionFailure = try c.decodeIfPresent(String.self, forKey: .reductionFailure)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(signature, forKey: .signature)
        try c.encode(subtype, forKey: .subtype)
        try c.encode(symptom, forKey: .symptom)
        try c.encodeIfPresent(stage, forKey: .stage)
        try c.encode(frameworkList, forKey: .frameworks)
        try c.encode(op, forKey: .op)
        try c.encode(keyAttributes, forKey: .keyAttributes)
        try c.encode(error, forKey: .error)
        try c.encode(title, forKey: .title)
        try c.encode(findingCount, forKey: .findingCount)
        try c.encode(firstSeen, forKey: .firstSeen)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encodeIfPresent(representativeCampaignID, forKey: .representativeCampaignID)
        try c.encodeIfPresent(representativeStep, forKey: .representativeStep)
        try c.encodeIfPresent(representativeNodes, forKey: .representativeNodes)
        try c.encodeIfPresent(reducedGraphJSON, forKey: .reducedGraphJSON)
        try c.encodeIfPresent(reducedNodes, forKey: .reducedNodes)
        try c.encodeIfPresent(kind, forKey: .kind)
        try c.encodeIfPresent(reproPath, forKey: .reproPath)
        try c.encodeIfPresent(reductionFailure, forKey: .reductionFailure)
    }
}
