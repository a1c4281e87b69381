import Foundation

/// The distances the campaign oracles, the operator study and the reducers compare outputs with. One copy,
/// so a finding, a study's output change and a reproducer's check all mean the same number.
public enum Distance {
    /// mean |a − r| / (mean |r| + 1e-7) over positions finite in both: the campaign's inconsistency measure.
    /// Relative, so a large-magnitude output is not judged more harshly than a small one; non-finite positions
    /// are left to the NaN/Inf oracle rather than counted twice. 0 when nothing is comparable.
    public static func relative(_ a: [Double], _ r: [Double]) -> Double {
        var diff = 0.0, mag = 0.0, n = 0
        for (x, y) in zip(a, r) where x.isFinite && y.isFinite {
            diff += Swift.abs(x - y); mag += Swift.abs(y); n += 1
        }
        guard n > 0 else { return 0 }
        return (diff / Double(n)) / (mag / Double(n) + 1e-7)
    }

    /// mean |a − b| over positions finite in both: the study's Table 4 distance between two frameworks.
    public static func meanAbsolute(_ a: [Double], _ b: [Double]) -> Double {
        var diff = 0.0, n = 0
        for (x, y) in zip(a, b) where x.isFinite && y.isFinite { diff += Swift.abs(x - y); n += 1 }
        return n > 0 ? diff / Double(n) : 0
    }
}
