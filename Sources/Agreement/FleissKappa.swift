#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fleiss' kappa for many raters, with the statistics the literature reports beside it.
///
/// When every rated item has the same number of ratings `n ≥ 2` this is Fleiss (1971) exactly, with the
/// standard error under κ = 0 of Fleiss, Nee & Landis (1979). Otherwise (unequal rater counts, missing
/// cells, items rated once) it is Gwet's generalization, which equals Fleiss when the counts are equal:
/// agreement over items with two or more ratings, prevalences over all rated items (for κ; per-category κ_j
/// takes its shares over the items with two or more ratings, as its disagreement does). The null standard
/// error has no accepted closed form there, so `se0`, `z` and `p` are NaN and `method` says why.
public struct FleissKappa: Sendable, Equatable {
    /// Which form was computed.
    public enum Method: String, Sendable, Codable {
        /// Every rated item has the same number of ratings (Fleiss 1971).
        case fleiss
        /// Unequal rater counts or missing cells (Gwet's generalization).
        case generalized
    }

    public var kappa: Double
    /// P̄, the mean observed agreement.
    public var pBar: Double
    /// P̄e, the agreement expected by chance (Σ p_j²).
    public var peBar: Double
    /// Standard error under κ = 0 (equal rater counts only; NaN otherwise).
    public var se0: Double
    /// κ / SE0.
    public var z: Double
    /// Two-sided p-value of z under the normal distribution.
    public var p: Double
    /// κ_j for each category: agreement on "j versus not j" within items with two or more ratings, against
    /// the category's share among those items (NaN for a category none of them used).
    public var perCategory: [Double]
    /// p_j (or π_j), the share of ratings in each category.
    public var categoryShares: [Double]
    public var method: Method
    /// Items with at least one rating (those counted in p_j).
    public var ratedItems: Int
    /// Items with at least two ratings (those counted in P̄).
    public var pairedItems: Int
    /// Fewest and most ratings an item received.
    public var minRaters: Int
    public var maxRaters: Int

    public init(_ table: CountTable) {
        self.init(sums: AgreementSums(table))
    }

    /// Fleiss' kappa straight from raw ratings (the fast path: no items × categories table is built).
    public init(_ ratings: RatingMatrix) {
        self.init(sums: AgreementSums(ratings))
    }

    init(sums s: AgreementSums) {
        let k = s.categories
        ratedItems = s.ratedItems
        pairedItems = s.pairedItems
        minRaters = s.minRaters
        maxRaters = s.maxRaters
        if s.equalRaters {
            method = .fleiss
            let n = Double(s.minRaters), items = Double(s.ratedItems)
            let total = items * n
            let shares = s.categoryCounts.map { Double($0) / total }
            let squares = s.categorySquares.reduce(0, +)
            pBar = (Double(squares) - total) / (total * (n - 1))
            peBar = shares.reduce(0) { $0 + $1 * $1 }
            kappa = (pBar - peBar) / (1 - peBar)
            var sumPQ = 0.0, skew = 0.0
            for p in shares {
                let q = 1 - p
                sumPQ += p * q
                skew += p * q * (q - p)
            }
            se0 = (2 / (items * n * (n - 1))).squareRoot() * (sumPQ * sumPQ - skew).squareRoot() / sumPQ
            perCategory = (0..<k).map { j in
                let p = shares[j]
                let disagreement = n * Double(s.categoryCounts[j]) - Double(s.categorySquares[j])
                return 1 - disagreement / (total * (n - 1) * p * (1 - p))
            }
            categoryShares = shares
        } else {
            method = .generalized
            let shares = s.prevalences
            pBar = s.observedAgreement
            peBar = shares.reduce(0) { $0 + $1 * $1 }
            kappa = (pBar - peBar) / (1 - peBar)
            se0 = .nan
            // κ_j compares the disagreement on "j versus not j" within items with the share of j among those
            // same items: shares over every rated item made a category seen only in single-label items
            // "perfect" (κ_j = 1) and let one unrelated single label move every other category's κ_j. A
            // category no item with two or more ratings used has no κ_j (NaN).
            let paired = Double(s.pairedItems)
            perCategory = (0..<k).map { j in
                let p = s.pairedPrevalenceSums[j] / paired
                return 1 - (s.disagreementSums[j] / paired) / (p * (1 - p))
            }
            categoryShares = shares
        }
        z = kappa / se0
        p = NormalDistribution.twoSidedP(z)
    }

    /// The Landis & Koch (1977) reading of κ.
    public var band: LandisKochBand? { LandisKochBand(kappa) }
}

/// The standard normal distribution, as far as the tests of agreement need it.
public enum NormalDistribution {
    /// P(|Z| ≥ |z|) for a standard normal Z; NaN for NaN.
    public static func twoSidedP(_ z: Double) -> Double {
        z.isNaN ? .nan : erfc(Swift.abs(z) / 2.0.squareRoot())
    }
}
