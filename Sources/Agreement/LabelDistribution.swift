/// How often each category was chosen, and its share of all labels.
public struct LabelDistribution: Sendable, Equatable {
    /// Counts per category index.
    public var counts: [Int]
    public var total: Int

    /// Counts the category codes given (negative codes are missing labels and are skipped).
    public init(codes: [Int32], categories: Int) {
        var counts = [Int](repeating: 0, count: categories)
        var total = 0
        for c in codes where c >= 0 && Int(c) < categories {
            counts[Int(c)] += 1
            total += 1
        }
        self.counts = counts
        self.total = total
    }

    /// Each category's share of all labels, in [0, 1]; zeros when there are no labels.
    public var shares: [Double] {
        counts.map { total == 0 ? 0 : Double($0) / Double(total) }
    }
}
