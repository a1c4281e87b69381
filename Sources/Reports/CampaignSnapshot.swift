/// Everything a campaign report shows, read from the store once; the renderers only format it.
public struct CampaignSnapshot: Sendable, Codable, Equatable {
    public var campaign: CampaignInfo
    /// Mutants made, by status (legal, illegal, guarded, invalid, duplicate, inapplicable).
    public var statusCounts: [String: Int]
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
        case campaign, mutants, rounds, defects, unfolded
        case statusCounts = "status_counts", rawFindings = "raw_findings", uniqueDefects = "unique_defects"
        case unfoldedFindings = "unfolded_findings", roundSize = "round_size", bySubtype = "by_subtype"
        case byFramework = "by_framework", byOperator = "by_operator"
    }

    /// Recorded step time over the whole campaign.
    public var stepSeconds: Double { rounds.reduce(0) { $0 + $1.seconds } }

    /// legal / all mutants, over the whole campaign.
    public var legalRate: Double { mutants == 0 ? 0 : Double(statusCounts["legal"] ?? 0) / Double(mutants) }

    /// Statuses in the fuzzer's order, then any others the store holds.
    public var orderedStatuses: [(String, Int)] {
        let known = ["legal", "illegal", "guarded", "invalid", "duplicate", "inapplicable"]
        let extra = statusCounts.keys.filter { !known.contains($0) }.sorted()
        return (known + extra).compactMap { s in statusCounts[s].map { (s, $0) } }
    }
}
