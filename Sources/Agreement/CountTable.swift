/// Items × categories counts: `n_ij` = how many raters put item `i` in category `j`.
///
/// The input of the Fleiss family, Randolph, Krippendorff (nominal) and Gwet statistics. Stored flat and
/// row-major as `Int32`, so a million items with 21 categories is 84 MB and one pass is a tight loop.
public struct CountTable: Sendable, Equatable {
    public let items: Int
    public let categories: Int
    /// `items × categories` counts, row-major.
    public let counts: [Int32]

    /// Builds a table from flat counts; fails on a shape mismatch or a negative count.
    public init(items: Int, categories: Int, counts: [Int32]) throws {
        guard categories >= 1, items >= 0, counts.count == items * categories else {
            throw AgreementError(code: .invalidShape,
                                 message: "expected \(items) × \(categories) counts, got \(counts.count)")
        }
        guard counts.allSatisfy({ $0 >= 0 }) else {
            throw AgreementError(code: .invalidCategory, message: "counts must not be negative")
        }
        self.init(uncheckedItems: items, categories: categories, counts: counts)
    }

    /// Builds a table from rows of counts (the layout of the published tables).
    public init(rows: [[Int]]) throws {
        let k = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == k }) else {
            throw AgreementError(code: .invalidShape, message: "every row needs the same number of categories")
        }
        try self.init(items: rows.count, categories: k, counts: rows.flatMap { $0.map { Int32($0) } })
    }

    init(uncheckedItems items: Int, categories: Int, counts: [Int32]) {
        self.items = items
        self.categories = categories
        self.counts = counts
    }

    /// `n_i`, the number of ratings of each item.
    public func ratingsPerItem() -> [Int] {
        var out = [Int](repeating: 0, count: items)
        counts.withUnsafeBufferPointer { c in
            for i in 0..<items {
                var s = 0
                for j in 0..<categories { s += Int(c[i * categories + j]) }
                out[i] = s
            }
        }
        return out
    }

    /// Column totals: how often each category was used.
    public func categoryTotals() -> [Int] {
        var out = [Int](repeating: 0, count: categories)
        counts.withUnsafeBufferPointer { c in
            for i in 0..<items { for j in 0..<categories { out[j] += Int(c[i * categories + j]) } }
        }
        return out
    }

    /// The table restricted to the given rows (bootstrap resamples, groups).
    public func selecting(items selected: [Int]) -> CountTable {
        var out = [Int32]()
        out.reserveCapacity(selected.count * categories)
        for i in selected { out.append(contentsOf: counts[(i * categories)..<((i + 1) * categories)]) }
        return CountTable(uncheckedItems: selected.count, categories: categories, counts: out)
    }
}
