import Foundation
import Fuzz
import GRDB
import ModelIR
import Store
import Taxonomy

/// Folds raw campaign findings into unique defects (`defect`, `defect_finding`, migration v4-defects).
///
/// Global across campaigns, so after `defectlab merge` of shard databases one bug seen in two shards is one
/// defect. Idempotent: only findings no defect holds yet are read, and everything is written in one
/// transaction, so a second fold (or a fold racing another) never counts a finding twice.
public struct DefectFolder: Sendable {
    public struct Result: Sendable, Codable, Equatable {
        /// Findings folded by this call.
        public var folded = 0
        /// Defects this call created.
        public var created = 0
        /// Existing defects that gained findings.
        public var updated = 0
        /// Findings whose mutant could not be replayed (folded without key attributes).
        public var unreplayable = 0
    }

    public let replayer: MutantReplayer

    public init(replayer: MutantReplayer = MutantReplayer()) {
        self.replayer = replayer
    }

    /// One unfolded finding with what its signature needs.
    struct Pending {
        var id: Int64
        var campaignID: Int64
        var campaignKey: String
        var step: Int
        var finding: StoredFinding
        var seenAt: String
    }

    /// A `campaign_finding` row's signature columns.
    struct StoredFinding {
        var framework: String
        var symptom: FindingSymptom
        var stage: FindingStage?
        var op: String
        var subtype: String
        var detail: String
    }

    /// Folds every finding not yet assigned to a defect.
    @discardableResult
    public static func fold(store: DefectLabStore) throws -> Result {
        try DefectFolder().fold(store: store)
    }

    @discardableResult
    public func fold(store: DefectLabStore) throws -> Result {
        let replayer = self.replayer
        return try store.write { db in
            var result = Result()
            let rows = try Row.fetchAll(db, sql: """
                SELECT f.id, f.campaign_id, f.step, f.framework, f.symptom, f.stage, f.scope, f.op, f.subtype, f.detail,
                       c.key AS campaign_key, c.seed AS campaign_seed, m.seed_model, m.lineage_json, m.created_at
                FROM campaign_finding f
                JOIN campaign c ON c.id = f.campaign_id
                LEFT JOIN mutant m ON m.campaign_id = f.campaign_id AND m.step = f.step
                LEFT JOIN defect_finding d ON d.finding_id = f.id
                WHERE d.finding_id IS NULL
                ORDER BY f.campaign_id, f.step, f.id
                """)
            guard !rows.isEmpty else { return result }
            // Per mutant: the graph (for the localized node's attributes and the node count) and, per symptom,
            // every framework that deviates (all of the step's findings, folded or not).
            struct MutantKey: Hashable { var campaign: Int64; var step: Int }
            var graphs: [MutantKey: Graph?] = [:]
            var deviating: [MutantKey: [String: Set<String>]] = [:]
            var pending: [Pending] = []
            for row in rows {
                let key = MutantKey(campaign: row["campaign_id"], step: row["step"])
                let finding = StoredFinding(framework: row["framework"], symptom: FindingSymptom(rawValue: row["symptom"]) ?? .error,
                                            stage: (row["stage"] as String?).flatMap(FindingStage.init(rawValue:)),
                                            op: row["op"], subtype: row["subtype"], detail: row["detail"])
                if graphs[key] == nil {
                    let seedModel: String? = row["seed_model"], lineage: String? = row["lineage_json"]
                    let seed = UInt64(bitPattern: (row["campaign_seed"] as Int64?) ?? 0)
                    if let seedModel, let lineage, let model = try? replayer.replay(seedModel: seedModel, campaignSeed: seed, lineageJSON: lineage) {
                        graphs[key] = .some(model.graph)
                    } else {
                        graphs[key] = .some(nil)
                    }
                    var bySymptom: [String: Set<String>] = [:]
                    for r in try Row.fetchAll(db, sql: "SELECT framework, symptom FROM campaign_finding WHERE campaign_id = ? AND step = ?",
                                              arguments: [key.campaign, key.step]) {
                        bySymptom[r["symptom"], default: []].insert(r["framework"])
                    }
                    deviating[key] = bySymptom
                }
                pending.append(Pending(id: row["id"], campaignID: key.campaign, campaignKey: row["campaign_key"], step: key.step,
                                       finding: finding, seenAt: (row["created_at"] as String?) ?? Self.now()))
            }
            // Group by signature, in first-seen order so new defect ids are deterministic.
            var order: [String] = []
            var groups: [String: (signature: DefectSignature, members: [Pending], best: (nodes: Int, key: String, campaign: Int64, step: Int)?)] = [:]
            for p in pending {
                let key = MutantKey(campaign: p.campaignID, step: p.step)
                let graph = graphs[key] ?? nil
                if graph == nil { result.unreplayable += 1 }
                let frameworks = Array(deviating[key]?[p.finding.symptom.rawValue] ?? [p.finding.framework])
                let f = p.finding
                let signature = DefectSignature(symptom: f.symptom, stage: f.stage, subtype: f.subtype, op: f.op, detail: f.detail,
                                                deviating: frameworks, graph: graph)
                let text = signature.text
                if groups[text] == nil { order.append(text); groups[text] = (signature, [], nil) }
                groups[text]!.members.append(p)
                if let graph {
                    let candidate = (nodes: graph.nodes.count, key: p.campaignKey, campaign: p.campaignID, step: p.step)
                    if let best = groups[text]!.best {
                        if Self.better(candidate, than: best) { groups[text]!.best = candidate }
                    } else {
                        groups[text]!.best = candidate
                    }
                }
            }
            let now = Self.now()
            for text in order {
                let group = groups[text]!
                let first = group.members.map(\.seenAt).min()!, last = group.members.map(\.seenAt).max()!
                let defectID: Int64
                if let existing = try Row.fetchOne(db, sql: """
                    SELECT d.id, d.representative_nodes, d.representative_step, d.representative_campaign_id, c.key AS campaign_key
                    FROM defect d LEFT JOIN campaign c ON c.id = d.representative_campaign_id WHERE d.signature = ?
                    """, arguments: [text]) {
                    defectID = existing["id"]
                    try db.execute(sql: """
                        UPDATE defect SET finding_count = finding_count + ?, first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?),
                            updated_at = ? WHERE id = ?
                        """, arguments: [group.members.count, first, last, now, defectID])
                    if let best = group.best {
                        let current: (nodes: Int, key: String, campaign: Int64, step: Int)? = (existing["representative_nodes"] as Int?).map { n in
                            (nodes: n, key: (existing["campaign_key"] as String?) ?? "", campaign: (existing["representative_campaign_id"] as Int64?) ?? 0,
                             step: (existing["representative_step"] as Int?) ?? 0)
                        }
                        if current == nil || existing["campaign_key"] as String? == nil || Self.better(best, than: current!) {
                            // A smaller representative: the old reduction and reproducer describe another model.
                            try db.execute(sql: """
                                UPDATE defect SET representative_campaign_id = ?, representative_step = ?, representative_nodes = ?,
                                    reduced_graph_json = NULL, reduced_nodes = NULL, kind = NULL, repro_path = NULL WHERE id = ?
                                """, arguments: [best.campaign, best.step, best.nodes, defectID])
                        }
                    }
                    result.updated += 1
                } else {
                    let s = group.signature
                    try db.execute(sql: """
                        INSERT INTO defect (signature, subtype, symptom, stage, frameworks, op, key_attributes, error, title, finding_count,
                            first_seen, last_seen, representative_campaign_id, representative_step, representative_nodes, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [text, s.subtype, s.symptom, s.stage.isEmpty ? nil : s.stage, s.frameworks.joined(separator: ","), s.op,
                                         s.keyAttributes, s.error, s.title, group.members.count, first, last, group.best?.campaign,
                                         group.best?.step, group.best?.nodes, now])
                    defectID = db.lastInsertedRowID
                    result.created += 1
                }
                for p in group.members {
                    try db.execute(sql: "INSERT INTO defect_finding (finding_id, defect_id) VALUES (?, ?)", arguments: [p.id, defectID])
                }
                result.folded += group.members.count
            }
            return result
        }
    }

    /// Fewer nodes wins; ties go to the earlier step of the campaign whose key sorts first, so merged shard
    /// databases pick the representative an unsharded store would (ids differ after a merge, keys do not).
    static func better(_ a: (nodes: Int, key: String, campaign: Int64, step: Int), than b: (nodes: Int, key: String, campaign: Int64, step: Int)) -> Bool {
        if a.nodes != b.nodes { return a.nodes < b.nodes }
        if a.key != b.key { return a.key < b.key }
        return a.step < b.step
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
