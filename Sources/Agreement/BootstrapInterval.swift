import Seeding

/// A percentile bootstrap confidence interval for Fleiss' kappa, resampling items with their ratings.
///
/// SE0 only serves the test of κ = 0; an interval needs the sampling distribution of κ itself, which the
/// bootstrap gives without assuming equal rater counts. Seeded (SplitMix64), so a report is reproducible.
/// Each replicate draws as many items as were rated and recomputes κ in the same (generalized) form the
/// estimate used; replicates whose κ is undefined (every rating in one category) are dropped and counted.
public struct BootstrapInterval: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var confidence: Double
    public var replicates: Int
    /// Replicates whose kappa was undefined and so left out of the percentiles.
    public var undefinedReplicates: Int
    public var seed: UInt64

    /// Fails when there are no rated items or the replicate count is not positive.
    public init(fleissKappaOf table: CountTable, replicates: Int, seed: UInt64, confidence: Double = 0.95) throws {
        guard replicates > 0 else {
            throw AgreementError(code: .insufficientData, message: "the bootstrap needs at least one replicate")
        }
        let k = table.categories
        // Per rated item: its agreement P_i (0 when rated once), whether it counts for P̄, and its shares.
        var agreement: [Double] = [], paired: [Bool] = [], shares: [Double] = []
        table.counts.withUnsafeBufferPointer { c in
            for i in 0..<table.items {
                var n = 0, squares = 0
                for j in 0..<k { let v = Int(c[i * k + j]); n += v; squares += v * v }
                guard n > 0 else { continue }
                agreement.append(n >= 2 ? Double(squares - n) / Double(n * (n - 1)) : 0)
                paired.append(n >= 2)
                for j in 0..<k { shares.append(Double(c[i * k + j]) / Double(n)) }
            }
        }
        let items = agreement.count
        guard items > 0 else {
            throw AgreementError(code: .insufficientData, message: "no rated items to resample")
        }
        var rng = SplitMix64(seed: seed)
        var estimates: [Double] = []
        estimates.reserveCapacity(replicates)
        var prevalence = [Double](repeating: 0, count: k)
        var undefined = 0
        for _ in 0..<replicates {
            for j in 0..<k { prevalence[j] = 0 }
            var pa = 0.0, pairedCount = 0
            shares.withUnsafeBufferPointer { sh in
                for _ in 0..<items {
                    let i = rng.below(items)
                    if paired[i] { pa += agreement[i]; pairedCount += 1 }
                    let row = i * k
                    for j in 0..<k { prevalence[j] += sh[row + j] }
                }
            }
            var pe = 0.0
            for j in 0..<k { let p = prevalence[j] / Double(items); pe += p * p }
            let kappa = (pa / Double(pairedCount) - pe) / (1 - pe)
            if kappa.isFinite { estimates.append(kappa) } else { undefined += 1 }
        }
        estimates.sort()
        let alpha = (1 - confidence) / 2
        lower = Quantile.linear(sorted: estimates, alpha)
        upper = Quantile.linear(sorted: estimates, 1 - alpha)
        self.confidence = confidence
        self.replicates = replicates
        undefinedReplicates = undefined
        self.seed = seed
    }
}

/// Sample quantiles.
public enum Quantile {
    /// The linearly interpolated quantile of sorted data (Hyndman & Fan type 7, numpy's default); NaN when empty.
    public static func linear(sorted x: [Double], _ q: Double) -> Double {
        guard !x.isEmpty else { return .nan }
        let h = Double(x.count - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, x.count - 1)
        return x[lo] + (h - Double(lo)) * (x[hi] - x[lo])
    }
}
