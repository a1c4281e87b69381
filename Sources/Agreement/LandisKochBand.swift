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

    /// The band of a coefficient; nil when it is NaN.
    public init?(_ kappa: Double) {
        guard !kappa.isNaN else { return nil }
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
