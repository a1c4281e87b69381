/// The sums every chance-corrected coefficient of the Fleiss family needs, gathered in one pass over a
/// count table so that Fleiss, Randolph and Gwet's AC1 share the work (and a million items stay cheap).
///
/// Items with no rating are ignored altogether. Observed agreement uses the items with at least two
/// ratings; category prevalences π_j use every rated item (Gwet's generalization, as irrCAC computes it).
struct AgreementSums: Sendable {
    let categories: Int
    /// Items with at least one rating.
    var ratedItems = 0
    /// Items with at least two ratings (those that carry agreement information).
    var pairedItems = 0
    var minRaters = Int.max
    var maxRaters = 0
    /// Σ_i n_ij over rated items.
    var categoryCounts: [Int]
    /// Σ_i n_ij² over rated items.
    var categorySquares: [Int]
    /// Σ_i n_ij / n_i over rated items (π_j · ratedItems).
    var prevalenceSums: [Double]
    /// Σ_i n_ij / n_i over paired items: the prevalences per-category κ_j compares its disagreement with.
    var pairedPrevalenceSums: [Double]
    /// Σ_i P_i over paired items, P_i = Σ_j n_ij(n_ij − 1) / (n_i(n_i − 1)).
    var agreementSum = 0.0
    /// Σ_i n_ij(n_i − n_ij) / (n_i(n_i − 1)) over paired items (per-category disagreement).
    var disagreementSums: [Double]

    init(_ table: CountTable) {
        let k = table.categories
        categories = k
        categoryCounts = [Int](repeating: 0, count: k)
        categorySquares = [Int](repeating: 0, count: k)
        prevalenceSums = [Double](repeating: 0, count: k)
        pairedPrevalenceSums = [Double](repeating: 0, count: k)
        disagreementSums = [Double](repeating: 0, count: k)
        var rated = 0, paired = 0, lo = Int.max, hi = 0
        var agreement = 0.0
        table.counts.withUnsafeBufferPointer { c in
            categoryCounts.withUnsafeMutableBufferPointer { cc in
            categorySquares.withUnsafeMutableBufferPointer { cs in
            prevalenceSums.withUnsafeMutableBufferPointer { ps in
            pairedPrevalenceSums.withUnsafeMutableBufferPointer { pps in
            disagreementSums.withUnsafeMutableBufferPointer { ds in
                for i in 0..<table.items {
                    let row = i * k
                    var n = 0, squares = 0
                    for j in 0..<k {
                        let v = Int(c[row + j])
                        n += v
                        squares += v * v
                    }
                    if n == 0 { continue }
                    rated += 1
                    if n < lo { lo = n }
                    if n > hi { hi = n }
                    let inverse = 1.0 / Double(n)
                    let pairs = n * (n - 1)
                    let inversePairs = pairs > 0 ? 1.0 / Double(pairs) : 0
                    for j in 0..<k {
                        let v = Int(c[row + j])
                        if v == 0 { continue }
                        cc[j] += v
                        cs[j] += v * v
                        ps[j] += Double(v) * inverse
                        if pairs > 0 {
                            ds[j] += Double(v * (n - v)) * inversePairs
                            pps[j] += Double(v) * inverse
                        }
                    }
                    if pairs > 0 {
                        paired += 1
                        agreement += Double(squares - n) * inversePairs
                    }
                }
            }}}}}
        }
        ratedItems = rated
        pairedItems = paired
        minRaters = rated == 0 ? 0 : lo
        maxRaters = hi
        agreementSum = agreement
    }

    /// The same sums straight from raw ratings, without materializing the items × categories table: a
    /// per-item scratch row of k counts is filled from the item's codes and reset after use, so a million
    /// items cost a few passes over the codes instead of a 21-million-cell table.
    init(_ ratings: RatingMatrix) {
        let k = ratings.categories, raters = ratings.raters
        categories = k
        categoryCounts = [Int](repeating: 0, count: k)
        categorySquares = [Int](repeating: 0, count: k)
        prevalenceSums = [Double](repeating: 0, count: k)
        pairedPrevalenceSums = [Double](repeating: 0, count: k)
        disagreementSums = [Double](repeating: 0, count: k)
        var rated = 0, paired = 0, lo = Int.max, hi = 0
        var agreement = 0.0
        var scratch = [Int](repeating: 0, count: k)
        var touched = [Int](repeating: 0, count: max(raters, 1))
        ratings.codes.withUnsafeBufferPointer { codes in
            scratch.withUnsafeMutableBufferPointer { row in
            touched.withUnsafeMutableBufferPointer { used in
            categoryCounts.withUnsafeMutableBufferPointer { cc in
            categorySquares.withUnsafeMutableBufferPointer { cs in
            prevalenceSums.withUnsafeMutableBufferPointer { ps in
            pairedPrevalenceSums.withUnsafeMutableBufferPointer { pps in
            disagreementSums.withUnsafeMutableBufferPointer { ds in
                for i in 0..<ratings.items {
                    var n = 0, distinct = 0
                    let base = i * raters
                    for r in 0..<raters {
                        let c = Int(codes[base + r])
                        if c < 0 { continue }
                        if row[c] == 0 { used[distinct] = c; distinct += 1 }
                        row[c] += 1
                        n += 1
                    }
                    if n == 0 { continue }
                    rated += 1
                    if n < lo { lo = n }
                    if n > hi { hi = n }
                    let inverse = 1.0 / Double(n)
                    let pairs = n * (n - 1)
                    let inversePairs = pairs > 0 ? 1.0 / Double(pairs) : 0
                    var squares = 0
                    for u in 0..<distinct {
                        let j = used[u]
                        let v = row[j]
                        row[j] = 0
                        squares += v * v
                        cc[j] += v
                        cs[j] += v * v
                        ps[j] += Double(v) * inverse
                        if pairs > 0 {
                            ds[j] += Double(v * (n - v)) * inversePairs
                            pps[j] += Double(v) * inverse
                        }
                    }
                    if pairs > 0 {
                        paired += 1
                        agreement += Double(squares - n) * inversePairs
                    }
                }
            }}}}}}}
        }
        ratedItems = rated
        pairedItems = paired
        minRaters = rated == 0 ? 0 : lo
        maxRaters = hi
        agreementSum = agreement
    }

    /// True when every rated item has the same number of ratings, at least two: Fleiss' original setting.
    var equalRaters: Bool { ratedItems > 0 && minRaters == maxRaters && minRaters >= 2 }

    /// Observed agreement: P̄ (mean over items with two or more ratings).
    var observedAgreement: Double {
        pairedItems == 0 ? .nan : agreementSum / Double(pairedItems)
    }

    /// π_j: mean share of item i's ratings in category j, over rated items.
    var prevalences: [Double] {
        let n = Double(ratedItems)
        return prevalenceSums.map { ratedItems == 0 ? .nan : $0 / n }
    }
}
