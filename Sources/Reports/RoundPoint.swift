/// One round of a campaign: `size` consecutive steps, the unit the over-time charts plot.
public struct RoundPoint: Sendable, Codable, Equatable {
    public var index: Int
    public var firstStep: Int
    public var lastStep: Int
    /// Mutants made and judged in the round's steps (`judgedStatuses`): steps with no applicable edit,
    /// duplicates and edits a validity rule stopped made none.
    public var mutants: Int
    public var legal: Int
    /// Recorded step time of the round's mutants (mutation + reference + workers + oracles), in seconds.
    public var seconds: Double
    /// Legal among the round's judged mutants (`RoundPoint.legalRate(_:)`); nil when the round judged none.
    public var legalRate: Double?
    /// Mutants per second of recorded step time (mutation + reference + workers + oracles). Step times are
    /// measured per mutant, so this is exact even where `created_at` has one-second resolution; nil when no
    /// time was recorded or no mutant was made.
    public var throughput: Double?
    /// Mean over the round's judged mutants of their mean finite pair distance between frameworks (the
    /// study's inconsistency measure); nil when no mutant in the round was compared.
    public var inconsistency: Double?

    /// The statuses of mutants that were made and judged: run (legal or illegal) or stopped by the numeric
    /// guard. Duplicates (skipped), steps where no edit applied and mutants that broke a validity rule are none
    /// of these: counting them made a campaign without one illegal mutant show a legal rate of 52%.
    public static let judgedStatuses: Set<String> = ["legal", "illegal", "guarded"]

    /// legal / judged, from counts per status (the campaign's live progress line counts the same way); 0 when
    /// nothing was judged.
    public static func legalRate(_ statusCounts: [String: Int]) -> Double {
        let judged = statusCounts.filter { judgedStatuses.contains($0.key) }.values.reduce(0, +)
        return judged == 0 ? 0 : Double(statusCounts["legal"] ?? 0) / Double(judged)
    }

    enum CodingKeys: String, CodingKey {
        case index, mutants, legal, seconds, throughput, inconsistency
        case firstStep = "first_step", lastStep = "last_step", legalRate = "legal_rate"
    }
}
