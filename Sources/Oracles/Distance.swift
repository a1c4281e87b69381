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

    /// How far a mutant's output moved from its seed's (the study's "output change"): `relative` over the
    /// positions finite in both, with every position that turned NaN/Inf (or finite again) counted as a change
    /// of 1, weighted by how many positions each kind is. An output of another size has no positions to pair:
    /// the relative change of its mean magnitude, with its NaN/Inf share counted as above.
    public static func outputChange(_ out: [Double], seed: [Double]) -> Double {
        if out.count == seed.count {
            var finite = 0, flipped = 0
            for (x, y) in zip(out, seed) {
                if x.isFinite && y.isFinite { finite += 1 } else if x.isFinite != y.isFinite || !(x == y || (x.isNaN && y.isNaN)) { flipped += 1 }
            }
            guard finite + flipped > 0 else { return 0 }
            return (Double(finite) * relative(out, seed) + Double(flipped)) / Double(finite + flipped)
        }
        func meanMagnitude(_ v: [Double]) -> (mean: Double, nonFinite: Double) {
            let f = v.filter(\.isFinite)
            return (f.isEmpty ? 0 : f.reduce(0) { $0 + Swift.abs($1) } / Double(f.count), v.isEmpty ? 0 : Double(v.count - f.count) / Double(v.count))
        }
        let o = meanMagnitude(out), s = meanMagnitude(seed)
        let change = Swift.abs(o.mean - s.mean) / (s.mean + 1e-7)
        return (1 - o.nonFinite) * change + o.nonFinite
    }

    /// mean |a − b| over positions finite in both: the study's Table 4 distance between two frameworks.
    public static func meanAbsolute(_ a: [Double], _ b: [Double]) -> Double {
        var diff = 0.0, n = 0
        for (x, y) in zip(a, b) where x.isFinite && y.isFinite { diff += Swift.abs(x - y); n += 1 }
        return n > 0 ? diff / Double(n) : 0
    }
}
