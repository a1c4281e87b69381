/// Raw ratings: one row per item, one column per rater, each cell a category index or `missing`.
///
/// Stored flat (row-major `Int32`) so that building count tables over a million items stays a tight loop
/// without dictionaries or per-item allocations. Category indices run `0..<categories`.
public struct RatingMatrix: Sendable, Equatable {
    /// The cell value of a rating that was not given.
    public static let missing: Int32 = -1

    public let items: Int
    public let raters: Int
    public let categories: Int
    /// `items × raters` codes, row-major; `missing` where a rater did not rate an item.
    public let codes: [Int32]

    /// Builds a matrix; fails when a code is out of range or the shape does not match.
    public init(items: Int, raters: Int, categories: Int, codes: [Int32]) throws {
        guard items >= 0, raters >= 0, categories >= 1 else {
            throw AgreementError(code: .invalidShape, message: "a rating matrix needs at least one category")
        }
        guard codes.count == items * raters else {
            throw AgreementError(code: .invalidShape,
                                 message: "expected \(items) × \(raters) = \(items * raters) cells, got \(codes.count)")
        }
        if let bad = codes.first(where: { $0 != Self.missing && ($0 < 0 || Int($0) >= categories) }) {
            throw AgreementError(code: .invalidCategory, message: "category code \(bad) is outside 0..<\(categories)")
        }
        self.items = items
        self.raters = raters
        self.categories = categories
        self.codes = codes
    }

    /// Builds a matrix from rows of optional category indices (nil = missing), the convenient form for tests.
    public init(rows: [[Int?]], categories: Int) throws {
        let raters = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == raters }) else {
            throw AgreementError(code: .invalidShape, message: "every row needs the same number of raters")
        }
        try self.init(items: rows.count, raters: raters, categories: categories,
                      codes: rows.flatMap { $0.map { $0.map(Int32.init) ?? Self.missing } })
    }

    /// The code rater `r` gave item `i` (or `missing`).
    @inlinable public subscript(item i: Int, rater r: Int) -> Int32 { codes[i * raters + r] }

    /// Items × categories counts (how many raters put each item in each category).
    public func countTable() -> CountTable {
        let k = categories
        var counts = [Int32](repeating: 0, count: items * k)
        let raters = self.raters
        codes.withUnsafeBufferPointer { src in
            counts.withUnsafeMutableBufferPointer { dst in
                for i in 0..<items {
                    let row = i * raters
                    let out = i * k
                    for r in 0..<raters {
                        let c = src[row + r]
                        if c >= 0 { dst[out + Int(c)] &+= 1 }
                    }
                }
            }
        }
        // Codes were validated at init, so the table is valid by construction.
        return CountTable(uncheckedItems: items, categories: k, counts: counts)
    }

    /// A matrix with only the given rater columns, in that order.
    public func selecting(raters selected: [Int]) -> RatingMatrix {
        var out = [Int32]()
        out.reserveCapacity(items * selected.count)
        for i in 0..<items { for r in selected { out.append(codes[i * raters + r]) } }
        return RatingMatrix(unchecked: items, raters: selected.count, categories: categories, codes: out)
    }

    /// A matrix with only the given item rows, in that order.
    public func selecting(items selected: [Int]) -> RatingMatrix {
        var out = [Int32]()
        out.reserveCapacity(selected.count * raters)
        for i in selected { out.append(contentsOf: codes[(i * raters)..<((i + 1) * raters)]) }
        return RatingMatrix(unchecked: selected.count, raters: raters, categories: categories, codes: out)
    }

    init(unchecked items: Int, raters: Int, categories: Int, codes: [Int32]) {
        self.items = items
        self.raters = raters
        self.categories = categories
        self.codes = codes
    }
}
