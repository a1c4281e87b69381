/// One round of a campaign: `size` consecutive steps, the unit the over-time charts plot.
public struct RoundPoint: Sendable, Codable, Equatable {
    public var index: Int
    public var firstStep: Int
    public var lastStep: Int
    public var mutants: Int
    public var legal: Int
    /// Recorded step time of the round's mutants (mutation + reference + workers + oracles), in seconds.
    public var seconds: Double
    /// legal / mutants in the round.
    public var legalRate: Double
    /// Mutants per second of recorded step time (mutation + reference + workers + oracles). Step times are
    /// measured per mutant, so this is exact even where `created_at` has one-second resolution; nil when no
    /// time was recorded.
    public var throughput: Double?
    /// Mean over the round's judged mutants of their mean finite pair distance between frameworks (the
    /// study's inconsistency measure); nil when no mutant in the round was compared.
    public var inconsistency: Double?

    enum CodingKeys: String, CodingKey {
        case index, mutants, legal, seconds, throughput, inconsistency
        case firstStep = "first_step", lastStep = "last_step", legalRate = "legal_rate"
    }
}
