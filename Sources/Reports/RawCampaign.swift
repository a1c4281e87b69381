import Foundation
import GRDB
import Store

/// The rows of one campaign as stored, read in one transaction so a fuzzer writing meanwhile cannot make the
/// report disagree with itself.
struct RawCampaign {
    struct Mutant {
        var step: Int
        var status: String
        var seconds: Double
        var meanPairDistance: Double?
        /// Each framework's status on this mutant (`frameworks_json`): ok, unsupported, crash, error, ...
        var frameworkStatuses: [String: String] = [:]
    }

    struct Finding {
        var id: Int64
        var step: Int
        var framework: String
        var symptom: String
        var stage: String?
        var op: String
        var subtype: String
        var signature: String
        var detail: String
        var mutationOperator: String?
        var defectID: Int64?
    }

    /// A stored defect, with the mutation operator of its representative mutant (when that is in the store).
    struct Defect {
        var row: DefectRow
        var representativeOperator: String?
    }

    var info: CampaignInfo
    var mutants: [Mutant]
    var findings: [Finding]
    var defects: [Defect]

    /// One campaign, or several read as one (the shards of a merged run): the first one's row describes them.
    static func fetch(_ db: Database, ids: [Int64]) throws -> RawCampaign {
        guard let id = ids.first, let row = try Row.fetchOne(db, sql: "SELECT * FROM campaign WHERE id = ?", arguments: [id]) else {
            throw ReportError(.unknownCampaign, "no campaign \(ids.first.map(String.init) ?? "")")
        }
        let list = ids.map { _ in "?" }.joined(separator: ", ")
        let inIDs = StatementArguments(ids)
        // Several campaigns: they ran from the first start to the last finish, run while any of them does, and
        // are paused while any of them is (finished only when all are).
        var (startedAt, finishedAt, status): (String, String?, String) = (row["started_at"] ?? "", row["finished_at"], row["status"] ?? "")
        if ids.count > 1, let span = try Row.fetchOne(db, sql: """
            SELECT MIN(started_at) AS s, MAX(finished_at) AS f, SUM(finished_at IS NULL) AS open, SUM(status = 'running') AS running,
                   SUM(status = 'paused') AS paused
            FROM campaign WHERE id IN (\(list))
            """, arguments: inIDs) {
            startedAt = span["s"] ?? startedAt
            finishedAt = (span["open"] as Int? ?? 0) > 0 ? nil : span["f"]
            status = (span["running"] as Int? ?? 0) > 0 ? "running" : (span["paused"] as Int? ?? 0) > 0 ? "paused" : status
        }
        // A resumed campaign runs again: the finish time of its earlier run is not its finish.
        if status == "running" { finishedAt = nil }
        let configJSON: String = row["config_json"] ?? "{}"
        let config = CampaignInfo.parseConfig(configJSON)
        let seed: Int64 = row["seed"] ?? 0
        var info = CampaignInfo(id: id, kind: row["kind"] ?? "", status: status, seed: UInt64(bitPattern: seed),
                                shardIndex: row["shard_index"] ?? 0, shardCount: row["shard_count"] ?? 1,
                                startedAt: startedAt, finishedAt: finishedAt, seeds: config.seeds,
                                frameworks: config.frameworks, guidance: config.guidance, operators: config.operators,
                                planted: config.planted, configJSON: configJSON)
        if ids.count > 1 {
            // Campaigns that are not shards of one run differ in their set-up: the report shows all of it (the
            // first one's alone listed its plants while showing another's defects).
            let others = try Row.fetchAll(db, sql: "SELECT id, seed, shard_index, shard_count, config_json FROM campaign WHERE id IN (\(list)) ORDER BY id", arguments: inIDs)
            info.members = others.map {
                CampaignInfo.Member(id: $0["id"], seed: UInt64(bitPattern: $0["seed"] as Int64? ?? 0), shardIndex: $0["shard_index"] ?? 0,
                                    shardCount: $0["shard_count"] ?? 1, configJSON: $0["config_json"] ?? "{}")
            }
            func union(_ lists: [[String]]) -> [String] { var seen = Set<String>(); return lists.flatMap { $0 }.filter { seen.insert($0).inserted } }
            let configs = others.map { CampaignInfo.parseConfig($0["config_json"] ?? "{}") }
            info.seeds = union(configs.map(\.seeds))
            info.frameworks = union(configs.map(\.frameworks))
            info.operators = union(configs.map(\.operators))
            info.planted = union(configs.map(\.planted))
            let guidances = union(configs.map { $0.guidance.map { [$0] } ?? [] })
            info.guidance = guidances.isEmpty ? nil : guidances.joined(separator: ", ")
            let seeds = others.map { UInt64(bitPattern: $0["seed"] as Int64? ?? 0) }
            if Set(seeds).count > 1 { info.campaignSeeds = seeds }
        }
        let mutants = try Row.fetchAll(db, sql: """
            SELECT step, status, verdicts_json, frameworks_json, mutation_seconds + reference_seconds + worker_seconds + oracle_seconds AS seconds
            FROM mutant WHERE campaign_id IN (\(list)) ORDER BY step, campaign_id
            """, arguments: inIDs).map { r in
            Mutant(step: r["step"], status: r["status"], seconds: r["seconds"] ?? 0, meanPairDistance: meanPairDistance(r["verdicts_json"]),
                   frameworkStatuses: frameworkStatuses(r["frameworks_json"]))
        }
        let findings = try Row.fetchAll(db, sql: """
            SELECT cf.id, cf.step, cf.framework, cf.symptom, cf.stage, cf.op, cf.subtype, cf.signature, cf.detail,
                   m.operator AS mutation_operator, df.defect_id
            FROM campaign_finding cf
            JOIN campaign c ON c.id = cf.campaign_id
            LEFT JOIN mutant m ON m.campaign_id = cf.campaign_id AND m.step = cf.step
            LEFT JOIN defect_finding df ON df.finding_id = cf.id
            WHERE cf.campaign_id IN (\(list)) ORDER BY m.created_at, c.key, cf.step, cf.id
            """, arguments: inIDs).map { r in
            Finding(id: r["id"], step: r["step"], framework: r["framework"], symptom: r["symptom"], stage: r["stage"], op: r["op"],
                    subtype: r["subtype"], signature: r["signature"], detail: r["detail"] ?? "", mutationOperator: r["mutation_operator"],
                    defectID: r["defect_id"])
        }
        let defects = try Row.fetchAll(db, sql: """
            SELECT d.*,
                   (SELECT m.operator FROM mutant m WHERE m.campaign_id = d.representative_campaign_id AND m.step = d.representative_step) AS rep_operator
            FROM defect d
            WHERE d.id IN (SELECT df.defect_id FROM defect_finding df JOIN campaign_finding cf ON cf.id = df.finding_id WHERE cf.campaign_id IN (\(list)))
            ORDER BY d.id
            """, arguments: inIDs).map { r in
            Defect(row: try DefectRow(row: r), representativeOperator: r["rep_operator"])
        }
        return RawCampaign(info: info, mutants: mutants, findings: findings, defects: defects)
    }

    /// Each framework's status in a mutant's `frameworks_json` (`{"pytorch": {"status": "ok", ...}}`).
    static func frameworkStatuses(_ json: String?) -> [String: String] {
        guard let json, json != "{}", let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        var out: [String: String] = [:]
        for (framework, value) in object { if let status = (value as? [String: Any])?["status"] as? String { out[framework] = status } }
        return out
    }

    /// The mean of a mutant's finite pair distances (`verdicts_json.pairs`; the fuzzer stores -1 for a
    /// non-finite distance), or nil when it has none.
    static func meanPairDistance(_ json: String?) -> Double? {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let pairs = object["pairs"] as? [String: Any] else { return nil }
        // Summed in key order: a dictionary's order changes from run to run, and with it a sum's last bits.
        let values = pairs.keys.sorted().compactMap { (pairs[$0] as? NSNumber)?.doubleValue }.filter { $0.isFinite && $0 >= 0 }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
