import Foundation
import GRDB
import Store
import Taxonomy

/// Reads one campaign's snapshot from the store: the campaign row, its mutants (grouped into rounds), its raw
/// findings, and the unique defects (`defect`, `defect_finding`, filled by triage) that fold them.
public struct CampaignSnapshotLoader: Sendable {
    public let store: DefectLabStore
    public let taxonomy: HPTaxonomy

    public init(store: DefectLabStore, taxonomy: HPTaxonomy) {
        self.store = store
        self.taxonomy = taxonomy
    }

    /// The campaign ids `selector` names (sorted), or a one-line error that lists what the store has.
    public func resolve(_ selector: CampaignSelector) throws -> [Int64] {
        let known = try store.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM campaign ORDER BY id") }
        switch selector {
        case .latest:
            let latest = try store.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM campaign ORDER BY started_at DESC, id DESC LIMIT 1")
            }
            guard let latest else {
                throw ReportError(.unknownCampaign, "no campaigns in \(store.path); run `defectlab fuzz --db \(store.path)` first")
            }
            return [latest]
        case .all:
            guard !known.isEmpty else {
                throw ReportError(.unknownCampaign, "no campaigns in \(store.path); run `defectlab fuzz --db \(store.path)` first")
            }
            return known
        case .ids(let ids):
            if let id = ids.first(where: { !known.contains($0) }) {
                let list = known.count <= 12 ? known.map(String.init).joined(separator: ", ")
                    : known.prefix(12).map(String.init).joined(separator: ", ") + ", …"
                throw ReportError(.unknownCampaign, "no campaign \(id) in \(store.path)"
                                  + (known.isEmpty ? " (it holds no campaigns)" : " (campaigns: \(list))"))
            }
            return ids
        }
    }

    /// Rounds of `roundSize` steps; by default 10, grown so a long campaign has at most 60 points per chart.
    public static func defaultRoundSize(steps: Int) -> Int { max(10, (steps + 59) / 60) }

    public func load(_ selector: CampaignSelector, reportFolder: URL, roundSize: Int? = nil) throws -> CampaignSnapshot {
        let ids = try resolve(selector)
        let raw = try store.read { db in try RawCampaign.fetch(db, ids: ids) }
        let info = raw.info
        let size = max(1, roundSize ?? Self.defaultRoundSize(steps: raw.mutants.count))
        let storeFolder = URL(fileURLWithPath: store.path).deletingLastPathComponent()

        // Defects, with this campaign's findings and first exposing operator.
        var findingsByDefect: [Int64: [RawCampaign.Finding]] = [:]
        for f in raw.findings { if let d = f.defectID { findingsByDefect[d, default: []].append(f) } }
        let defects = raw.defects.map { stored -> DefectEntry in
            let row = stored.row
            let mine = findingsByDefect[row.id] ?? []
            return DefectEntry(
                id: row.id, signature: row.signature, subtype: row.subtype, subtypeName: subtypeName(row.subtype),
                symptom: row.symptom, stage: row.stage, frameworks: row.frameworkList, op: row.op,
                keyAttributes: row.keyAttributes, error: row.error, title: row.title, findingCount: row.findingCount,
                campaignFindings: mine.count, firstSeen: row.firstSeen, lastSeen: row.lastSeen,
                representativeCampaign: row.representativeCampaignID, representativeStep: row.representativeStep,
                representativeNodes: row.representativeNodes, representativeOperator: stored.representativeOperator,
                firstOperator: mine.first?.mutationOperator, reducedNodes: row.reducedNodes, reducedGraphBytes: row.reducedGraphJSON.map { $0.utf8.count },
                kind: row.kind, reductionFailure: row.reductionFailure, sampleDetail: mine.first?.detail ?? "",
                reproducer: row.reproPath.flatMap { $0.isEmpty ? nil : ReproducerListing.read(storedPath: $0, storeFolder: storeFolder, reportFolder: reportFolder) })
        }.sorted { (subtypeOrder($0.subtype), $0.id) < (subtypeOrder($1.subtype), $1.id) }

        // Raw findings no defect folds, grouped by the campaign's signature.
        var unfolded: [String: UnfoldedGroup] = [:]
        var unfoldedOrder: [String] = []
        for f in raw.findings where f.defectID == nil {
            if unfolded[f.signature] == nil {
                unfoldedOrder.append(f.signature)
                unfolded[f.signature] = UnfoldedGroup(signature: f.signature, subtype: f.subtype, framework: f.framework, symptom: f.symptom,
                                                      stage: f.stage, op: f.op, count: 0, firstStep: f.step, detail: f.detail)
            }
            unfolded[f.signature]!.count += 1
        }

        var statusCounts: [String: Int] = [:]
        var frameworkRuns: [String: [String: Int]] = [:]
        for m in raw.mutants {
            statusCounts[m.status, default: 0] += 1
            for (framework, status) in m.frameworkStatuses { frameworkRuns[framework, default: [:]][status, default: 0] += 1 }
        }

        return CampaignSnapshot(
            campaign: info, campaignIDs: ids, statusCounts: statusCounts, frameworkRuns: frameworkRuns, mutants: raw.mutants.count, rawFindings: raw.findings.count,
            uniqueDefects: defects.count, unfoldedFindings: raw.findings.filter { $0.defectID == nil }.count, roundSize: size,
            rounds: Self.rounds(raw.mutants, size: size),
            bySubtype: breakdownBySubtype(defects: defects, findings: raw.findings),
            byFramework: Self.breakdown(defectKeys: defects.map(\.frameworks), findingKeys: raw.findings.map(\.framework)),
            byOperator: Self.breakdown(defectKeys: defects.map { [$0.firstOperator ?? "(none)"] },
                                       findingKeys: raw.findings.map { $0.mutationOperator ?? "(none)" }),
            defects: defects, unfolded: unfoldedOrder.compactMap { unfolded[$0] })
    }

    func subtypeName(_ id: String) -> String { taxonomy.subtype(id)?.name ?? "(not in the taxonomy)" }

    func subtypeOrder(_ id: String) -> Int { taxonomy.subtypeIDs.firstIndex(of: id) ?? Int.max }

    /// Subtypes that have a defect or a finding, in taxonomy order (unknown IDs last).
    func breakdownBySubtype(defects: [DefectEntry], findings: [RawCampaign.Finding]) -> [CountRow] {
        var rows = Self.breakdown(defectKeys: defects.map { [$0.subtype] }, findingKeys: findings.map(\.subtype))
        rows.sort { (subtypeOrder($0.key), $0.key) < (subtypeOrder($1.key), $1.key) }
        return rows.map { var r = $0; r.name = subtypeName(r.key); return r }
    }

    /// Counts per key; a defect counts once under each of its keys. Sorted by findings, then defects, then key.
    static func breakdown(defectKeys: [[String]], findingKeys: [String]) -> [CountRow] {
        var defects: [String: Int] = [:], findings: [String: Int] = [:]
        for keys in defectKeys { for k in Set(keys) { defects[k, default: 0] += 1 } }
        for k in findingKeys { findings[k, default: 0] += 1 }
        return Set(defects.keys).union(findings.keys)
            .map { CountRow(key: $0, name: $0, defects: defects[$0] ?? 0, findings: findings[$0] ?? 0) }
            .sorted { ($1.findings, $1.defects, $0.key) < ($0.findings, $0.defects, $1.key) }
    }

    static func rounds(_ mutants: [RawCampaign.Mutant], size: Int) -> [RoundPoint] {
        guard let first = mutants.first?.step else { return [] }
        var groups: [Int: [RawCampaign.Mutant]] = [:]
        for m in mutants { groups[(m.step - first) / size, default: []].append(m) }
        return groups.keys.sorted().map { index in
            let ms = groups[index]!
            let legal = ms.filter { $0.status == "legal" }.count
            let statusCounts = Dictionary(ms.map { ($0.status, 1) }, uniquingKeysWith: +)
            let made = ms.filter { RoundPoint.judgedStatuses.contains($0.status) }.count
            let seconds = ms.reduce(0) { $0 + $1.seconds }
            let distances = ms.compactMap(\.meanPairDistance)
            return RoundPoint(index: index, firstStep: ms.map(\.step).min()!, lastStep: ms.map(\.step).max()!, mutants: made, legal: legal, seconds: seconds,
                              legalRate: made > 0 ? RoundPoint.legalRate(statusCounts) : nil,
                              throughput: seconds > 0 && made > 0 ? Double(made) / seconds : nil,
                              inconsistency: distances.isEmpty ? nil : distances.reduce(0, +) / Double(distances.count))
        }
    }
}
