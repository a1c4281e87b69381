import Foundation
import GRDB
import Store

/// `defectlab merge`: folds shard databases' campaigns, mutants and findings into one store. A campaign is
/// identified by its key (configuration and shard), so merging the same shard twice adds nothing; merging it
/// again after it went on (resumed, or run with a larger budget) adds the steps it has gained.
public enum CampaignMerge {
    public struct Result: Sendable {
        public var campaigns = 0
        public var mutants = 0
        public var findings = 0
        /// Campaigns already in the store that gained steps.
        public var extended = 0
        /// Campaigns already in the store that gained no step but stopped running since (finished or paused).
        public var settled = 0
        /// Campaigns already in the store with nothing new.
        public var skipped = 0
        /// The runs the merged campaigns belong to (kind, seed and shard count): more than one means the files
        /// were not the shards of one run, which `report --campaign all` would report as one.
        public var runs: [String: String] = [:]
    }

    static let mutantColumns = "step, seed_model, parent_step, mutation_order, operator, position, record_json, lineage_json, hash, status, reason, frameworks_json, verdicts_json, new_coverage, mutation_seconds, reference_seconds, worker_seconds, oracle_seconds, memory_bytes, created_at"
    static let findingColumns = "step, framework, symptom, stage, scope, op, subtype, signature, first_seen, detail, node"
    static let campaignColumns = "key, kind, config_json, seed, shard_index, shard_count, started_at, finished_at, status, spent_seconds"

    /// Every shard read at this build's schema (an older one migrated in a copy, the shard untouched), all of
    /// them before anything is merged: a missing or foreign file in the list is said before the store changes.
    public struct Sources: ~Copyable {
        let opened: [(path: String, cleanUp: @Sendable () -> Void)]

        public init(_ paths: [String]) throws {
            var opened: [(path: String, cleanUp: @Sendable () -> Void)] = []
            do {
                for path in paths { opened.append(try DefectLabStore.currentSchemaSource(path: path)) }
            } catch {
                for o in opened { o.cleanUp() }
                throw error
            }
            self.opened = opened
        }

        deinit { for o in opened { o.cleanUp() } }
    }

    public static func merge(sources paths: [String], into destination: DefectLabStore) throws -> Result {
        try merge(Sources(paths), into: destination)
    }

    public static func merge(_ sources: borrowing Sources, into destination: DefectLabStore) throws -> Result {
        var result = Result()
        for source in sources.opened {
            try destination.pool.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [source.path])
                defer { try? db.execute(sql: "DETACH DATABASE src") }
                try db.inTransaction {
                    for row in try Row.fetchAll(db, sql: "SELECT id, key, kind, seed, shard_count FROM src.campaign ORDER BY id") {
                        let sourceID: Int64 = row["id"], key: String = row["key"]
                        if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM main.campaign WHERE key = ?", arguments: [key]) {
                            // The same campaign, merged before: only the steps the store does not have yet (a
                            // shard merged while it ran, then resumed or given a larger budget). Findings first:
                            // they are picked by the steps missing before the mutants go in.
                            let missing = "step NOT IN (SELECT step FROM main.mutant WHERE campaign_id = ?)"
                            try db.execute(sql: "INSERT INTO main.campaign_finding (campaign_id, \(findingColumns)) SELECT ?, \(findingColumns) FROM src.campaign_finding WHERE campaign_id = ? AND \(missing)",
                                           arguments: [existing, sourceID, existing])
                            let findings = db.changesCount
                            try db.execute(sql: "INSERT INTO main.mutant (campaign_id, \(mutantColumns)) SELECT ?, \(mutantColumns) FROM src.mutant WHERE campaign_id = ? AND \(missing)",
                                           arguments: [existing, sourceID, existing])
                            let mutants = db.changesCount
                            // The source's status, finish and spent time are the campaign's now when it went further:
                            // it brought steps, or stopped running since (a shard merged while it ran, then finished
                            // without a step). Never backwards: a store resumed further itself keeps its own, and a
                            // copy with the same steps (one interrupted and resumed) changes nothing.
                            try db.execute(sql: """
                                UPDATE main.campaign SET (finished_at, status, spent_seconds) =
                                    (SELECT finished_at, status, MAX(spent_seconds, main.campaign.spent_seconds) FROM src.campaign WHERE id = ?)
                                WHERE id = ? AND (? > 0
                                    OR (status = 'running' AND (SELECT status FROM src.campaign WHERE id = ?) <> 'running'
                                        AND (SELECT spent_seconds FROM src.campaign WHERE id = ?) >= spent_seconds))
                                """, arguments: [sourceID, existing, mutants + findings, sourceID, sourceID])
                            let updated = db.changesCount
                            guard mutants > 0 || findings > 0 || updated > 0 else { result.skipped += 1; continue }
                            result.mutants += mutants
                            result.findings += findings
                            if mutants > 0 || findings > 0 { result.extended += 1 } else { result.settled += 1 }
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
        // The runs the store holds now (those already there count: two runs merged in two steps are two runs).
        result.runs = try destination.pool.read { db in
            var runs: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, key, config_json, seed, shard_count FROM campaign") {
                let run = Self.run(kind: row["kind"] ?? "fuzz", key: row["key"] ?? "", config: row["config_json"] ?? "{}",
                                   seed: UInt64(bitPattern: row["seed"] as Int64? ?? 0), shards: row["shard_count"] ?? 1)
                runs[run.identity] = run.description
            }
            return runs
        }
        return result
    }

    /// What makes campaigns shards of one run: a fuzz campaign's configuration without its shard index (seed,
    /// shard count, seeds, operators, guidance, frameworks...), said briefly; another kind's key.
    static func run(kind: String, key: String, config: String, seed: UInt64, shards: Int) -> (identity: String, description: String) {
        guard kind == "fuzz", var c = try? JSONDecoder().decode(CampaignConfig.self, from: Data(config.utf8)) else {
            return (kind + key, "\(kind) seed \(seed)")
        }
        c.shard.index = 0
        return (c.key, "fuzz seed \(seed) over \(shards) shard(s) of \(c.seeds.joined(separator: ",")), \(c.guidance.rawValue), \(c.operators.count) operator(s)")
    }
}
