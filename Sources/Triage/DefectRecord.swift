import Foundation
import GRDB
import Store

/// A stored defect (`Store.DefectRow`, whose fields it forwards) with the campaigns whose findings it folds.
/// Encoded flat: the row's columns and `campaigns` side by side, as `defects list --format json` prints them.
@dynamicMemberLookup
public struct DefectRecord: Sendable, Codable, Equatable {
    public var row: DefectRow
    /// Campaigns whose findings this defect folds.
    public var campaigns: [Int64]

    public subscript<T>(dynamicMember path: WritableKeyPath<DefectRow, T>) -> T {
        get { row[keyPath: path] }
        set { row[keyPath: path] = newValue }
    }

    public subscript<T>(dynamicMember path: KeyPath<DefectRow, T>) -> T { row[keyPath: path] }

    init(row: Row, campaigns: [Int64]) throws {
        self.row = try DefectRow(row: row)
        self.campaigns = campaigns
    }

    private enum CodingKeys: String, CodingKey { case campaigns }

    public init(from decoder: any Decoder) throws {
        row = try DefectRow(from: decoder)
        campaigns = try decoder.container(keyedBy: CodingKeys.self).decode([Int64].self, forKey: .campaigns)
    }

    public func encode(to encoder: any Encoder) throws {
        try row.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(campaigns, forKey: .campaigns)
    }
}

/// Reads and updates defects.
public struct DefectQueries: Sendable {
    public let store: DefectLabStore

    public init(store: DefectLabStore) { self.store = store }

    /// Every defect (of one campaign when given), most findings first.
    public func list(campaign: Int64? = nil) throws -> [DefectRecord] {
        try store.read { db in
            let rows: [Row]
            if let campaign {
                rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM defect WHERE id IN (SELECT df.defect_id FROM defect_finding df JOIN campaign_finding f ON f.id = df.finding_id
                        WHERE f.campaign_id = ?) ORDER BY finding_count DESC, id
                    """, arguments: [campaign])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM defect ORDER BY finding_count DESC, id")
            }
            return try rows.map { try DefectRecord(row: $0, campaigns: try Self.campaigns(db, $0["id"])) }
        }
    }

    public func defect(_ id: Int64) throws -> DefectRecord {
        let found = try store.read { db -> DefectRecord? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM defect WHERE id = ?", arguments: [id]) else { return nil }
            return try DefectRecord(row: row, campaigns: try Self.campaigns(db, id))
        }
        guard let found else {
            throw TriageError(.unknownDefect, "no defect \(id) in \(store.path); list the defects with `defectlab defects list --db \(store.path)`")
        }
        return found
    }

    /// `latest` or a number: the campaign id, checked.
    public func campaignID(_ text: String) throws -> Int64 {
        let id: Int64? = try store.read { db in
            if text == "latest" { return try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM campaign") }
            guard let n = Int64(text) else { return nil }
            return try Int64.fetchOne(db, sql: "SELECT id FROM campaign WHERE id = ?", arguments: [n])
        }
        guard let id else {
            throw TriageError(.unknownCampaign, "no campaign '\(text)' in \(store.path); `defectlab db info --db \(store.path)` shows the row counts, `latest` names the newest")
        }
        return id
    }

    /// Mutant rebuild inputs for the representative: seed model, campaign seed, lineage, planted defects.
    public struct Representative: Sendable {
        public var seedModel: String
        public var campaignSeed: UInt64
        public var lineageJSON: String
        public var configJSON: String
        /// Defects planted in the campaign's `faulty` framework (`OP=KIND`).
        public var planted: [String]
        /// The node the mutant's finding of this defect was localized to, when recorded.
        public var node: String? = nil
        /// What the campaign observed on the mutant, per implicated framework (`framework: detail`): the
        /// distance reached, the times measured. The bug report quotes it.
        public var observed: [String] = []
    }

    public func representative(of defect: DefectRecord) throws -> Representative {
        guard let campaign = defect.representativeCampaignID, let step = defect.representativeStep else {
            throw TriageError(.replayFailed, "defect \(defect.id) has no replayable representative mutant")
        }
        let found = try store.read { db -> (String, Int64, String, String)? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT m.seed_model, m.lineage_json, c.seed, c.config_json FROM mutant m JOIN campaign c ON c.id = m.campaign_id
                WHERE m.campaign_id = ? AND m.step = ?
                """, arguments: [campaign, step]) else { return nil }
            return (row["seed_model"], row["seed"], row["lineage_json"], row["config_json"])
        }
        guard let (seedModel, seed, lineage, config) = found else {
            throw TriageError(.replayFailed, "defect \(defect.id): mutant \(campaign)/\(step) is not in the store")
        }
        struct Planted: Decodable { var planted: [String]? }
        let planted = (try? JSONDecoder().decode(Planted.self, from: Data(config.utf8)))?.planted ?? []
        let node = try store.read { db in
            try String.fetchOne(db, sql: """
                SELECT node FROM campaign_finding WHERE campaign_id = ? AND step = ? AND op = ? AND symptom = ? AND node IS NOT NULL
                ORDER BY rowid LIMIT 1
                """, arguments: [campaign, step, defect.op, defect.symptom])
        }
        let observed = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT framework, detail FROM campaign_finding WHERE campaign_id = ? AND step = ? AND symptom = ? AND op = ? AND detail <> ''
                ORDER BY rowid
                """, arguments: [campaign, step, defect.symptom, defect.op])
                .filter { defect.frameworkList.contains($0["framework"] as String) }
                .map { "\($0["framework"] as String): \($0["detail"] as String)" }
        }
        return Representative(seedModel: seedModel, campaignSeed: UInt64(bitPattern: seed), lineageJSON: lineage,
                              configJSON: config, planted: planted, node: node, observed: observed)
    }

    /// The defect no longer reduces (it did not show again): an earlier reduction no longer describes its folder.
    public func clearReduction(_ id: Int64) throws {
        try store.write { db in
            try db.execute(sql: "UPDATE defect SET reduced_graph_json = NULL, reduced_nodes = NULL, kind = NULL, updated_at = ? WHERE id = ?",
                           arguments: [DefectFolder.now(), id])
        }
    }

    public func recordReduction(_ id: Int64, graphJSON: String, nodes: Int, kind: String) throws {
        try store.write { db in
            try db.execute(sql: "UPDATE defect SET reduced_graph_json = ?, reduced_nodes = ?, kind = ?, reduction_failure = NULL, updated_at = ? WHERE id = ?",
                           arguments: [graphJSON, nodes, kind, DefectFolder.now(), id])
        }
    }

    /// A reduction that could not start (the representative no longer shows the defect): said by `defects show`.
    public func recordReductionFailure(_ id: Int64, reason: String) throws {
        try store.write { db in
            try db.execute(sql: "UPDATE defect SET reduction_failure = ?, updated_at = ? WHERE id = ?", arguments: [reason, DefectFolder.now(), id])
        }
    }

    public func recordRepro(_ id: Int64, path: String) throws {
        try store.write { db in
            try db.execute(sql: "UPDATE defect SET repro_path = ?, updated_at = ? WHERE id = ?", arguments: [path, DefectFolder.now(), id])
        }
    }

    static func campaigns(_ db: Database, _ id: Int64) throws -> [Int64] {
        try Int64.fetchAll(db, sql: """
            SELECT DISTINCT f.campaign_id FROM defect_finding df JOIN campaign_finding f ON f.id = df.finding_id
            WHERE df.defect_id = ? ORDER BY f.campaign_id
            """, arguments: [id])
    }
}
