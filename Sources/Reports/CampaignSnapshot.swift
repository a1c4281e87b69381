/// Everything a campaign report shows, read from the store once; the renderers only format it.
public struct CampaignSnapshot: Sendable, Codable, Equatable {
    /// The first (or only) campaign reported; with several, the others are shards or repeats of it.
    public var campaign: CampaignInfo
    /// Every campaign the report covers, sorted.
    public var campaignIDs: [Int64]
    /// Mutants made, by status (legal, illegal, guarded, invalid, duplicate, inapplicable).
    public var statusCounts: [String: Int]
    /// Per framework, how its runs of the judged mutants ended (ok, unsupported, crash, ...): "0 findings" means
    /// little when a third of the mutants never ran on a framework (a capability gap).
    public var frameworkRuns: [String: [String: Int]]
    public var mutants: Int
    public var rawFindings: Int
    public var uniqueDefects: Int
    /// Raw findings no defect folds yet.
    public var unfoldedFindings: Int
    public var roundSize: Int
    public var rounds: [RoundPoint]
    public var bySubtype: [CountRow]
    public var byFramework: [CountRow]
    public var byOperator: [CountRow]
    public var defects: [DefectEntry]
    public var unfolded: [UnfoldedGroup]

    enum CodingKeys: String, CodingKey {
        case campaign, mutants, campaignIDs = "campaign_ids", rounds, defects, unfolded
        case statusCounts = "status_counts", rawFindings = "raw_findings", uniqueDefects = "unique_defects"
        case unfoldedFindings = "unfolded_findings", roundSize = "round_size", bySubtype = "by_subtype"
        case byFramework = "by_framework", byOperator = "by_operator", frameworkRuns = "framework_runs"
    }

    /// "pytorch 1360 ok; onnxruntime 903 ok, 457 unsupported": frameworks in the campaign's order, ok first.
    public var frameworkRunsText: String {
        let order = campaign.frameworks + frameworkRuns.keys.filter { !campaign.frameworks.contains($0) }.sorted()
        return order.compactMap { fw -> String? in
            guard let counts = frameworkRuns[fw], !counts.isEmpty else { return nil }
            let statuses = counts.keys.sorted { ($0 == "ok" ? 0 : 1, $0) < ($1 == "ok" ? 0 : 1, $1) }
            return "\(fw) " + statuses.map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
        }.joined(separator: "; ")
    }

    /// `campaign-3`; `campaigns-1-to-8` for a run of consecutive ids; `campaigns-1_3_5` for a few others, and
    /// `campaigns-1-to-40-` plus a hash of the list for many: the report files' names and the JUnit class
    /// prefix, one per set of campaigns (1,5 and 1,3,5 and 1–5 must not overwrite each other's report).
    public var stem: String { Self.stem(campaignIDs) }

    public static func stem(_ ids: [Int64]) -> String {
        guard ids.count > 1 else { return "campaign-\(ids.first ?? 0)" }
        let sorted = ids.sorted()
        if zip(sorted, sorted.dropFirst()).allSatisfy({ $1 == $0 + 1 }) { return "campaigns-\(sorted.first!)-to-\(sorted.last!)" }
        if sorted.count <= 6 { return "campaigns-" + sorted.map(String.init).joined(separator: "_") }
        // FNV-1a over the list: stable across runs and machines (Swift's Hasher is seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sorted.map(String.init).joined(separator: ",").utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "campaigns-\(sorted.first!)-to-\(sorted.last!)-" + String(hash >> 32, radix: 16)
    }

    /// "campaign 3" or "campaigns 1, 2, 3".
    public var title: String {
        campaignIDs.count <= 1 ? "campaign \(campaign.id)" : "campaigns \(campaignIDs.map(String.init).joined(separator: ", "))"
    }

    /// Recorded step time over the whole campaign.
    public var stepSeconds: Double { rounds.reduce(0) { $0 + $1.seconds } }

    /// Legal among the judged mutants, over the whole campaign (`RoundPoint.legalRate(_:)`); nil when none was judged.
    public var legalRate: Double? {
        statusCounts.contains { RoundPoint.judgedStatuses.contains($0.key) && $0.value > 0 } ? RoundPoint.legalRate(statusCounts) : nil
    }

    /// Statuses in the fuzzer's order, then any others the store holds.
    public var orderedStatuses: [(String, Int)] {
        let known = ["legal", "illegal", "guarded", "invalid", "duplicate", "inapplicable"]
        let extra = statusCounts.keys.filter { !known.contains($0) }.sorted()
        return (known + extra).compactMap { s in statusCounts[s].map { (s, $0) } }
    }
}
