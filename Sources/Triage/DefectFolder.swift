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

    /// One unfolded finding, classified.
    struct Classified: Sendable {
        var id: Int64
        var campaignID: Int64
        var campaignKey: String
        var step: Int
        var seenAt: String
        var signature: DefectSignature
        /// Nodes of its mutant (nil when it cannot be replayed).
        var nodes: Int?
    }

    /// Folds every finding not yet assigned to a defect.
    @discardableResult
    public static func fold(store: DefectLabStore) throws -> Result {
        try DefectFolder().fold(store: store)
    }

    /// Reads and replays outside the write lock (a fuzzer writing to the same store must not wait on
    /// replays), then writes in one transaction, skipping findings another fold took in between.
    @discardableResult
    public func fold(store: DefectLabStore) throws -> Result {
        struct Raw: Sendable {
            var id: Int64, campaignID: Int64, campaignKey: String, campaignSeed: UInt64, step: Int, seenAt: String
            var seedModel: String?, lineage: String?
            var framework: String, symptom: String, stage: String?, op: String, subtype: String, detail: String, node: String?
        }
        struct MutantKey: Hashable, Sendable { var campaign: Int64; var step: Int }
        let (raws, deviating) = try store.read { db -> ([Raw], [MutantKey: [String: Set<String>]]) in
            let rows = try Row.fetchAll(db, sql: """
                SELECT f.id, f.campaign_id, f.step, f.framework, f.symptom, f.stage, f.op, f.subtype, f.detail, f.node,
                       c.key AS campaign_key, c.seed AS campaign_seed, m.seed_model, m.lineage_json, m.created_at
                FROM campaign_finding f
                JOIN campaign c ON c.id = f.campaign_id
                LEFT JOIN mutant m ON m.campaign_id = f.campaign_id AND m.step = f.step
                LEFT JOIN defect_finding d ON d.finding_id = f.id
                WHERE d.finding_id IS NULL
                ORDER BY m.created_at, c.key, f.step, f.id
                """)
            var raws: [Raw] = []
            // Per mutant and symptom, every framework that deviates (all of the step's findings, folded or not),
            // read in one pass over the campaigns concerned: a query per step found its rows through the
            // (campaign_id, signature) index, a scan of the whole campaign each time (quadratic: 89 s to fold a
            // 17k-finding campaign).
            let unfolded = Set(rows.map { MutantKey(campaign: $0["campaign_id"], step: $0["step"]) })
            var deviating: [MutantKey: [String: Set<String>]] = [:]
            for campaign in Set(unfolded.map(\.campaign)).sorted() {
                for r in try Row.fetchAll(db, sql: "SELECT step, framework, symptom FROM campaign_finding WHERE campaign_id = ?",
                                          arguments: [campaign]) {
                    let key = MutantKey(campaign: campaign, step: r["step"])
                    guard unfolded.contains(key) else { continue }
                    deviating[key, default: [:]][r["symptom"], default: []].insert(r["framework"])
                }
            }
            for row in rows {
                let key = MutantKey(campaign: row["campaign_id"], step: row["step"])
                raws.append(Raw(id: row["id"], campaignID: key.campaign, campaignKey: row["campaign_key"],
                                campaignSeed: UInt64(bitPattern: (row["campaign_seed"] as Int64?) ?? 0), step: key.step,
                                seenAt: (row["created_at"] as String?) ?? Self.now(), seedModel: row["seed_model"], lineage: row["lineage_json"],
                                framework: row["framework"], symptom: row["symptom"], stage: row["stage"], op: row["op"], subtype: row["subtype"],
                                detail: row["detail"], node: row["node"]))
            }
            return (raws, deviating)
        }
        guard !raws.isEmpty else { return Result() }
        // Per mutant: the graph, for the localized node's attributes and the node count.
        var graphs: [MutantKey: Graph?] = [:]
        var classified: [Classified] = []
        var unreplayable = 0
        for r in raws {
            let key = MutantKey(campaign: r.campaignID, step: r.step)
            if graphs[key] == nil {
                if let seedModel = r.seedModel, let lineage = r.lineage,
                   let model = try? replayer.replay(seedModel: seedModel, campaignSeed: r.campaignSeed, lineageJSON: lineage) {
                    graphs[key] = .some(model.graph)
                } else {
                    graphs[key] = .some(nil)
                }
            }
            let graph = graphs[key] ?? nil
            if graph == nil { unreplayable += 1 }
            let frameworks = Array(deviating[key]?[r.symptom] ?? [r.framework])
            let signature = DefectSignature(symptom: FindingSymptom(rawValue: r.symptom) ?? .error, stage: r.stage.flatMap(FindingStage.init(rawValue:)),
                                            subtype: r.subtype, op: r.op, node: r.node, detail: r.detail, deviating: frameworks, graph: graph)
            classified.append(Classified(id: r.id, campaignID: r.campaignID, campaignKey: r.campaignKey, step: r.step, seenAt: r.seenAt,
                                         signature: signature, nodes: graph?.nodes.count))
        }
        let pendingAll = classified, unreplayableCount = unreplayable
        return try store.write { db in
            var result = Result()
            result.unreplayable = unreplayableCount
            var pending: [Classified] = []
            for p in pendingAll where try Int.fetchOne(db, sql: "SELECT 1 FROM defect_finding WHERE finding_id = ?", arguments: [p.id]) == nil {
                pending.append(p)
            }
            // Group by signature, in first-seen order so new defect ids are deterministic.
            var order: [String] = []
            var groups: [String: (signature: DefectSignature, members: [Classified], best: (nodes: Int, key: String, campaign: Int64, step: Int)?)] = [:]
            for p in pending {
                let text = p.signature.text
                if groups[text] == nil { order.append(text); groups[text] = (p.signature, [], nil) }
                groups[text]!.members.append(p)
                if let nodes = p.nodes {
                    let candidate = (nodes: nodes, key: p.campaignKey, campaign: p.campaignID, step: p.step)
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
