/// The training-loss checks (E2) both the diff and the campaign oracles apply: no float64 autograd exists to
/// arbitrate, so the frameworks' loss curves judge each other.
public enum LossCurve {
    /// A step at which one curve stands apart from the frameworks' median.
    public struct Disagreement: Sendable, Hashable {
        public var step: Int
        public var loss: Double
        public var median: Double
        /// |loss − median| / max(|median|, 1e-8)
        public var relative: Double
    }

    /// The last loss exceeds `factor` × the first (the first floored at 1e-12, so a curve starting at zero
    /// still diverges only by growing).
    public static func diverges(_ losses: [Double], factor: Double) -> Bool {
        guard let first = losses.first, let last = losses.last else { return false }
        return last > factor * Swift.max(first, 1e-12)
    }

    /// The first step at which `curve` is further than `tolerance` (relative) from the median of `peers`'
    /// losses at that step (the upper median; `peers` includes `curve` itself, and only the peers that reached
    /// the step count). Meaningful with three or more curves: with two, neither is the odd one out.
    public static func firstDisagreement(_ curve: [Double], peers: [[Double]], tolerance: Double) -> Disagreement? {
        for k in curve.indices {
            let column = peers.compactMap { k < $0.count ? $0[k] : nil }.sorted()
            guard !column.isEmpty else { break }
            let median = column[column.count / 2]
            let relative = Swift.abs(curve[k] - median) / Swift.max(Swift.abs(median), 1e-8)
            if relative > tolerance { return Disagreement(step: k, loss: curve[k], median: median, relative: relative) }
        }
        return nil
    }
}
