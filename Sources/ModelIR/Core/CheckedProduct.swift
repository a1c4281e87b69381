extension Array where Element == Int {
    /// The elements multiplied, or nil where the product overflows or passes `limit` in magnitude: sizes read from
    /// a corrupt or hand-edited model (`[2^62]`) must be an error, not an overflow trap.
    public func checkedProduct(limit: Int = .max) -> Int? {
        var result = 1
        for v in self {
            let (next, overflow) = result.multipliedReportingOverflow(by: v)
            guard !overflow, next.magnitude <= limit.magnitude else { return nil }
            result = next
        }
        return result
    }
}
