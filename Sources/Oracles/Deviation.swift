import Foundation
import Reference
import Workers

/// Distances between one framework's tensors and the float64 reference. Elements where the reference is NaN
/// (undefined behaviour, e.g. a NaN cast to an integer) are skipped.
public struct Deviation: Sendable, Hashable {
    public var mean: Double
    public var max: Double
    public var allclose: Bool
    public var nonFinite: Int
    public var compared: Int
    /// mean |reference|: float32 rounding grows with magnitude, so agreement is judged on mean / max(1, scale).
    public var scale: Double = 0

    /// Mean deviation relative to the values' magnitude (absolute below magnitude 1).
    public var relative: Double { mean / Swift.max(1, scale) }

    public static func between(_ t: WireTensor, _ ref: Float64Tensor, rtol: Double, atol: Double) -> Deviation? {
        let values = t.doubles
        guard values.count == ref.values.count else { return nil }
        var sum = 0.0, worst = 0.0, close = true, nonFinite = 0, n = 0, magnitude = 0.0
        for (v, r) in zip(values, ref.values) {
            if r.isNaN { continue }
            if !v.isFinite { nonFinite += 1 }
            if !v.isFinite || !r.isFinite {
                if v != r { close = false; worst = .infinity; sum = .infinity }
                n += 1
                continue
            }
            let d = Swift.abs(v - r)
            magnitude += Swift.abs(r)
            sum += d
            worst = Swift.max(worst, d)
            if d > atol + rtol * Swift.abs(r) { close = false }
            n += 1
        }
        return Deviation(mean: n == 0 ? 0 : sum / Double(n), max: worst, allclose: close, nonFinite: nonFinite, compared: n,
                         scale: n == 0 ? 0 : magnitude / Double(n))
    }

    public static func hasNonFinite(_ t: WireTensor) -> Bool { t.doubles.contains { !$0.isFinite } }
}
