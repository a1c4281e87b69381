/// Cohen's kappa for two raters, from their k × k contingency table (rows: rater A, columns: rater B).
///
/// Standard errors follow Fleiss, Cohen & Everitt (1969): `se` is the large-sample error of the estimate
/// (for intervals), `se0` the error under κ = 0 (for the test); `z = κ / se0`.
public struct CohenKappa: Sendable, Equatable {
    public var kappa: Double
    /// Observed agreement Σ p_aa.
    public var po: Double
    /// Chance agreement Σ p_a· p_·a.
    public var pe: Double
    public var se: Double
    public var se0: Double
    public var z: Double
    public var p: Double
    /// Items both raters rated.
    public var items: Int

    /// Computes kappa from a square table of counts; fails when it is not square.
    public init(table: [[Int]]) throws {
        let k = table.count
        guard table.allSatisfy({ $0.count == k }) else {
            throw AgreementError(code: .invalidShape, message: "Cohen's kappa needs a square k × k table")
        }
        let total = table.reduce(0) { $0 + $1.reduce(0, +) }
        items = total
        let n = Double(total)
        let prop = table.map { $0.map { Double($0) / n } }
        let rows = prop.map { $0.reduce(0, +) }
        let cols = (0..<k).map { j in prop.reduce(0) { $0 + $1[j] } }
        po = (0..<k).reduce(0) { $0 + prop[$1][$1] }
        pe = (0..<k).reduce(0) { $0 + rows[$1] * cols[$1] }
        let kappa = (po - pe) / (1 - pe)
        self.kappa = kappa
        var diagonal = 0.0, offDiagonal = 0.0, nullTerm = 0.0
        for a in 0..<k {
            let t = 1 - (rows[a] + cols[a]) * (1 - kappa)
            diagonal += prop[a][a] * t * t
            nullTerm += rows[a] * cols[a] * (rows[a] + cols[a])
            for b in 0..<k where b != a {
                let s = cols[a] + rows[b]
                offDiagonal += prop[a][b] * s * s
            }
        }
        let c = kappa - pe * (1 - kappa)
        let scale = n * (1 - pe) * (1 - pe)
        se = ((diagonal + (1 - kappa) * (1 - kappa) * offDiagonal - c * c) / scale).squareRoot()
        se0 = ((pe + pe * pe - nullTerm) / scale).squareRoot()
        z = kappa / se0
        p = NormalDistribution.twoSidedP(z)
    }

    /// Kappa between raters `a` and `b` of a rating matrix, over the items both rated.
    public init(_ ratings: RatingMatrix, raterA a: Int, raterB b: Int) {
        let k = ratings.categories
        var table = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for i in 0..<ratings.items {
            let x = ratings[item: i, rater: a], y = ratings[item: i, rater: b]
            if x >= 0 && y >= 0 { table[Int(x)][Int(y)] += 1 }
        }
        // The table is square by construction.
        self = try! CohenKappa(table: table)
    }

    /// Kappa for every pair of raters (a < b), in the order of the matrix's columns.
    public static func pairs(_ ratings: RatingMatrix) -> [RaterPairKappa] {
        var out: [RaterPairKappa] = []
        for a in 0..<ratings.raters {
            for b in (a + 1)..<max(a + 1, ratings.raters) {
                out.append(RaterPairKappa(raterA: a, raterB: b, kappa: CohenKappa(ratings, raterA: a, raterB: b)))
            }
        }
        return out
    }
}

/// Cohen's kappa of one pair of raters (column indices of a `RatingMatrix`).
public struct RaterPairKappa: Sendable, Equatable {
    public var raterA: Int
    public var raterB: Int
    public var kappa: CohenKappa
}
