/// Which pairs of categories raters confuse most: for categories c ≠ d, the number of rater pairs that
/// put the same item in c and in d (Σ_i n_ic · n_id). Tells annotators where the guidelines need examples.
public struct ConfusedPair: Sendable, Equatable {
    /// Category indices, `a < b`.
    public var a: Int
    public var b: Int
    /// Disagreeing rater pairs over all items.
    public var count: Int
    /// Items on which at least one rater chose a and another b.
    public var items: Int

    /// The `limit` most-confused pairs, most first (ties by category order); pairs never confused are left out.
    public static func mostConfused(_ table: CountTable, limit: Int) -> [ConfusedPair] {
        let k = table.categories
        var counts = [Int](repeating: 0, count: k * k)
        var items = [Int](repeating: 0, count: k * k)
        var used = [Int]()
        used.reserveCapacity(k)
        table.counts.withUnsafeBufferPointer { c in
            for i in 0..<table.items {
                used.removeAll(keepingCapacity: true)
                for j in 0..<k where c[i * k + j] > 0 { used.append(j) }
                guard used.count >= 2 else { continue }
                for x in 0..<(used.count - 1) {
                    for y in (x + 1)..<used.count {
                        let a = used[x], b = used[y]
                        counts[a * k + b] += Int(c[i * k + a]) * Int(c[i * k + b])
                        items[a * k + b] += 1
                    }
                }
            }
        }
        var pairs: [ConfusedPair] = []
        for a in 0..<k {
            for b in (a + 1)..<max(a + 1, k) where counts[a * k + b] > 0 {
                pairs.append(ConfusedPair(a: a, b: b, count: counts[a * k + b], items: items[a * k + b]))
            }
        }
        pairs.sort { ($0.count, $1.a, $1.b) > ($1.count, $0.a, $0.b) }
        return Array(pairs.prefix(limit))
    }
}
