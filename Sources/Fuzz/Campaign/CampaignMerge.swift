import Foundation
import GRDB
import Store

/// `defectlab merge`: folds shard databases' campaigns, mutants and findings into one store. A campaign is
/// identified by its key (configuration and shard), so merging the same shard twice adds nothing.
public enum CampaignMerge {
    public struct Result: Sendable {
        public var campaigns = 0
        public var mutants = 0
        public var findings = 0
        public var skipped = 0
    }

    static let mutantColumns = "step, seed_model, parent_step, mutation_order, operator, position, record_json, lineage_json, hash, status, reason, frameworks_json, verdicts_json, new_coverage, mutation_seconds, reference_seconds, worker_seconds, oracle_seconds, memory_bytes, created_at"
    static let findingColumns = "step, framework, symptom, stage, scope, op, subtype, signature, first_seen, detail"
    static let campaignColumns = "key, kind, config_json, seed, shard_index, shard_count, started_at, finished_at, status"

    public static func merge(sources: [String], into destination: DefectLabStore) throws -> Result {
        var result = Result()
        for path in sources {
            // Opening migrates an older shard file to this build's schema first.
            _ = try DefectLabStore.open(path: path, mode: .mustExist)
            try destination.pool.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [path])
                defer { try? db.execute(sql: "DETACH DATABASE src") }
                try db.inTransaction {
                    for row in try Row.fetchAll(db, sql: "SELECT id, key FROM src.campaign ORDER BY id") {
                        let sourceID: Int64 = row["id"], key: String = row["key"]
                        if try Int64.fetchOne(db, sql: "SELECT id FROM main.campaign WHERE key = ?", arguments: [key]) != nil {
                            result.skipped += 1
                            continue
                        }
                        try db.execute(sql: "INSERT INTO main.campaign (\(campaignColumns)) SELECT \(campaignColumns) FROM src.campaign WHERE id = ?", arguments: [sourceID])
                        let newID = db.lastInsertedRowID
                        try db.execute(sql: "INSERT INTO main.mutant (campaign_id, \(mutantColumns)) SELECT ?, \(mutantColumns) FROM src.mutant WHERE campaign_id = ?",
                                       arguments: [newID, sourceID])
                        result.mutants += db.changesCount
                        try db.execute(sql: "INSERT INTO main.campaign_finding (campaign_id, \(findingColumns)) SELECT ?, \(findingColumns) FROM src.campaign_finding WHERE campaign_id = ?",
                                       arguments: [newID, sourceID])
                        result.findings += db.changesCount
                        result.campaigns += 1
                    }
                    return .commit
                }
            }
        }
        return result
    }
}
