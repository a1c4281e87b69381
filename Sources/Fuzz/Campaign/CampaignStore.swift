import Foundation
import GRDB
import Store
import Taxonomy

/// One recorded step, as a resumed campaign replays it.
public struct RecordedStep: Sendable {
    public var step: Int
    public var hash: String?
    public var status: MutantStatus
    public var findings: [MutantFinding]
    /// The edit the step made (its operator, targets, parameters and seed), nil when no operator applied.
    public var recordJSON: String? = nil
}

/// What became of a mutant.
public enum MutantStatus: String, Sendable, Codable, CaseIterable {
    /// Executed and judged.
    case legal
    /// Executed, but every framework failed alike or the reference cannot run it.
    case illegal
    /// Rejected by the numeric guard before any framework saw it.
    case guarded
    /// Broke a validity rule: never executed.
    case invalid
    /// Same content hash as an earlier model: skipped.
    case duplicate
    /// No operator had a legal edit of the chosen parent.
    case inapplicable

    /// Statuses the illegal rate counts (the mutant was made and was worthless).
    public var isIllegal: Bool { self == .illegal || self == .guarded }
    public var executed: Bool { self == .legal || self == .illegal }
}

/// A fully described step, for the store.
public struct StepRow: Sendable {
    public var step: Int
    public var seedModel: String
    public var parentStep: Int?
    public var order: Int
    public var op: String?
    public var position: String?
    public var recordJSON: String?
    public var lineageJSON: String
    public var hash: String?
    public var status: MutantStatus
    public var reason: String?
    public var frameworksJSON: String
    public var verdictsJSON: String
    public var newCoverage: Int
    public var mutationSeconds: Double
    public var referenceSeconds: Double
    public var workerSeconds: Double
    public var oracleSeconds: Double
    public var memoryBytes: Int
    public var findings: [(MutantFinding, Bool)]
}

/// The campaign tables (`v3-fuzz-campaigns`): find-or-create a campaign by key, replay its history, append
/// one step per transaction (a SIGKILL loses at most the step in flight).
public struct CampaignStore: Sendable {
    public let store: DefectLabStore

    public init(store: DefectLabStore) { self.store = store }

    /// The campaign's id, created when new.
    /// `legacyKey`: the key an earlier build gave the same configuration, looked up when `key` is not there.
    /// `takesConfig`: given the steps a found campaign holds, whether `config` replaces its stored one (a resume
    /// with a larger budget: reports showed the first run's budget beside the mutants of every run since).
    public func campaign(key: String, legacyKey: String? = nil, kind: String, config: String, seed: UInt64, shard: ShardSpec,
                         takesConfig: @Sendable (_ storedSteps: Int) -> Bool = { _ in false }) throws -> Int64 {
        try store.write { db in
            var found = try Int64.fetchOne(db, sql: "SELECT id FROM campaign WHERE key = ?", arguments: [key])
            if found == nil, let legacyKey, legacyKey != key,
               let old = try Int64.fetchOne(db, sql: "SELECT id FROM campaign WHERE key = ?", arguments: [legacyKey]) {
                // Stored by an earlier build: it takes the key this build gives, so any order finds it from now on.
                try db.execute(sql: "UPDATE campaign SET key = ? WHERE id = ?", arguments: [key, old])
                found = old
            }
            // A campaign found keeps its status until a new step is stored (`append`): a replay of a finished
            // campaign killed part-way left it "running", with its finished time, in every report.
            if let id = found {
                let steps = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mutant WHERE campaign_id = ?", arguments: [id]) ?? 0
                if takesConfig(steps) { try db.execute(sql: "UPDATE campaign SET config_json = ? WHERE id = ?", arguments: [config, id]) }
                return id
            }
            try db.execute(sql: """
                INSERT INTO campaign (key, kind, config_json, seed, shard_index, shard_count, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [key, kind, config, Int64(bitPattern: seed), shard.index, shard.count, Self.now()])
            return db.lastInsertedRowID
        }
    }

    public func history(campaign: Int64) throws -> [RecordedStep] {
        try store.read { db in
            var findings: [Int: [MutantFinding]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM campaign_finding WHERE campaign_id = ? ORDER BY id", arguments: [campaign]) {
                let f = MutantFinding(framework: row["framework"], symptom: FindingSymptom(rawValue: row["symptom"]) ?? .error,
                                stage: (row["stage"] as String?).flatMap(FindingStage.init(rawValue:)),
                                scope: FindingScope(rawValue: row["scope"]) ?? .some, op: row["op"], subtype: row["subtype"], detail: row["detail"],
                                node: row["node"])
                findings[row["step"], default: []].append(f)
            }
            return try Row.fetchAll(db, sql: "SELECT step, hash, status, record_json FROM mutant WHERE campaign_id = ? ORDER BY step", arguments: [campaign]).map { row in
                let step: Int = row["step"]
                return RecordedStep(step: step, hash: row["hash"], status: MutantStatus(rawValue: row["status"]) ?? .invalid,
                                    findings: findings[step] ?? [], recordJSON: row["record_json"])
            }
        }
    }

    /// Stores a step with its findings, and adds `seconds` (the step's wall time) to the campaign's spent time,
    /// in one transaction. A step the campaign already holds is another process's work and an error, unless
    /// `ifAbsent`: then it is left as it is (a study run again after an interruption recomputes every step and
    /// stores only the missing ones).
    public func append(campaign: Int64, _ r: StepRow, seconds: Double = 0, ifAbsent: Bool = false) throws {
        let findings = r.findings.map { ($0.0, $0.1) }
        try store.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM mutant WHERE campaign_id = ? AND step = ?", arguments: [campaign, r.step]) == true {
                if ifAbsent { return }
                // Another process runs this campaign (the same command started twice, or a scheduler relaunching
                // a shard that still runs): said as such, not as an SQL constraint. One process per campaign.
                throw CampaignError(.store, "campaign \(campaign) is being run by another process: its step \(r.step) is stored already; "
                                    + "run one process per campaign (this one stops; the other goes on)")
            }
            try db.execute(sql: "UPDATE campaign SET spent_seconds = spent_seconds + ?, status = 'running' WHERE id = ?", arguments: [seconds, campaign])
            try db.execute(sql: """
                INSERT INTO mutant (campaign_id, step, seed_model, parent_step, mutation_order, operator, position, record_json, lineage_json,
                    hash, status, reason, frameworks_json, verdicts_json, new_coverage, mutation_seconds, reference_seconds, worker_seconds,
                    oracle_seconds, memory_bytes, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [campaign, r.step, r.seedModel, r.parentStep, r.order, r.op, r.position, r.recordJSON, r.lineageJSON, r.hash,
                                 r.status.rawValue, r.reason, r.frameworksJSON, r.verdictsJSON, r.newCoverage, r.mutationSeconds,
                                 r.referenceSeconds, r.workerSeconds, r.oracleSeconds, r.memoryBytes, Self.now()])
            for (f, first) in findings {
                try db.execute(sql: """
                    INSERT INTO campaign_finding (campaign_id, step, framework, symptom, stage, scope, op, subtype, signature, first_seen, detail, node)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [campaign, r.step, f.framework, f.symptom.rawValue, f.stage?.rawValue, f.scope.rawValue, f.op, f.subtype,
                                     f.signature, first, f.detail, f.node])
            }
        }
    }

    /// The wall time the campaign's stored steps took, over all its runs.
    public func spentSeconds(campaign: Int64) throws -> Double {
        try store.read { db in try Double.fetchOne(db, sql: "SELECT spent_seconds FROM campaign WHERE id = ?", arguments: [campaign]) ?? 0 }
    }

    /// `spentAtLeast`: a time budget found spent is all spent, though the steps' times add up to a hair less
    /// (the moments between steps), so a later run does not take one more step for that hair.
    ///
    /// `finished_at` is the moment the budget was used up: a paused campaign has none, and a run that only replayed
    /// a finished campaign (`newSteps` false) keeps the time it finished.
    public func finish(campaign: Int64, status: String, spentAtLeast: Double? = nil, newSteps: Bool = true) throws {
        try store.write { db in
            try db.execute(sql: """
                UPDATE campaign SET status = ?, finished_at = CASE WHEN ? <> 'finished' THEN NULL WHEN ? THEN ? ELSE COALESCE(finished_at, ?) END
                WHERE id = ?
                """, arguments: [status, status, newSteps, Self.now(), Self.now(), campaign])
            if let spentAtLeast {
                try db.execute(sql: "UPDATE campaign SET spent_seconds = MAX(spent_seconds, ?) WHERE id = ?", arguments: [spentAtLeast, campaign])
            }
        }
    }

    /// Mutant hashes of a campaign in step order (what determinism and resume tests compare).
    public func hashes(campaign: Int64) throws -> [String] {
        try store.read { db in try String?.fetchAll(db, sql: "SELECT hash FROM mutant WHERE campaign_id = ? ORDER BY step", arguments: [campaign]).map { $0 ?? "-" } }
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
