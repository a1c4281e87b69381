/// The verbal bands of Landis & Koch (1977) for a kappa-like coefficient.
///
/// Boundaries are inclusive at the top (0.20 is "slight", 0.21 "fair"), as the paper's table reads.
public enum LandisKochBand: String, Sendable, Codable, CaseIterable {
    case poor
    case slight
    case fair
    case moderate
    case substantial
    case almostPerfect = "almost perfect"

    /// The band of a coefficient; nil when it is NaN. Judged on the value rounded to 9 decimals: a kappa that
    /// is 0.6 exactly in its fractions (Po 0.8, Pe 0.5) comes out of floating point as 0.6000000000000001,
    /// which must still read "moderate".
    public init?(_ kappa: Double) {
        guard !kappa.isNaN else { return nil }
        let kappa = kappa.isFinite ? (kappa * 1e9).rounded() / 1e9 : kappa
        switch kappa {
        case ..<0: self = .poor
        case ...0.20: self = .slight
        case ...0.40: self = .fair
        case ...0.60: self = .moderate
        case ...0.80: self = .substantial
        default: self = .almostPerfect
        }
    }
}
