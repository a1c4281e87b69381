/// Chance-corrected coefficients that share Fleiss' observed agreement but model chance differently.
///
/// All take a count table and cope with unequal rater counts the way Gwet (2014) does: observed agreement
/// over items with two or more ratings, prevalences over all rated items. Each returns NaN when its
/// denominator vanishes (for example, every rating in one category).
public enum ChanceCorrectedAgreement {
    /// Randolph's free-marginal kappa: (P̄ − 1/k) / (1 − 1/k), where k is the size of the scheme (7 major
    /// types or 21 subtypes), not the number of categories that happened to be used.
    public static func randolph(_ table: CountTable, schemeSize k: Int) -> Double {
        let pa = AgreementSums(table).observedAgreement
        let chance = 1 / Double(k)
        return (pa - chance) / (1 - chance)
    }

    /// Gwet's AC1: chance agreement Σ π_j(1 − π_j)/(k − 1), with k the table's categories (pass every
    /// category of the scheme, used or not, as irrCAC's `categories=` does).
    public static func gwetAC1(_ table: CountTable) -> Double {
        let sums = AgreementSums(table)
        let k = table.categories
        guard k >= 2 else { return .nan }
        let pe = sums.prevalences.reduce(0) { $0 + $1 * (1 - $1) } / Double(k - 1)
        return (sums.observedAgreement - pe) / (1 - pe)
    }

    /// Krippendorff's alpha for nominal data, allowing missing ratings: only units with two or more
    /// values count; α = 1 − (n − 1) Σ_u (m_u² − Σ_c n_uc²)/(m_u − 1) / (n² − Σ_c n_c²).
    public static func krippendorffAlphaNominal(_ table: CountTable) -> Double {
        let k = table.categories
        var totals = [Double](repeating: 0, count: k)
        var observed = 0.0
        table.counts.withUnsafeBufferPointer { c in
            for i in 0..<table.items {
                let row = i * k
                var m = 0, squares = 0
                for j in 0..<k {
                    let v = Int(c[row + j])
                    m += v
                    squares += v * v
                }
                guard m >= 2 else { continue }
                observed += Double(m * m - squares) / Double(m - 1)
                for j in 0..<k { totals[j] += Double(c[row + j]) }
            }
        }
        let n = totals.reduce(0, +)
        let expected = n * n - totals.reduce(0) { $0 + $1 * $1 }
        return 1 - (n - 1) * observed / expected
    }
}
