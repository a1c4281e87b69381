import Foundation
import ModelIR
import Reference
import Workers

/// Distances between one framework's tensors and the float64 reference.
///
/// Where the reference is not finite, the values are not distances but agreement: a framework must give the
/// same NaN or infinity (NaN propagated through ReLU6 is a NaN, and a framework answering 0 there mishandles
/// NaN), and one giving NaN/Inf where the reference is finite has produced one a finite answer exists for.
/// Both are counted apart (`unexpectedNonFinite`, `missedNonFinite`) for the NaN/Inf oracle; the mean and the
/// allclose check cover the positions finite in both. A reference NaN that only says "undefined" (a NaN or
/// out-of-range value cast to an integer, see `ReferenceNaN`) is skipped.
public struct Deviation: Sendable, Hashable {
    public var mean: Double
    public var max: Double
    public var allclose: Bool
    /// Positions where the framework's value is NaN or infinite.
    public var nonFinite: Int
    public var compared: Int
    /// mean |reference|: float32 rounding grows with magnitude, so agreement is judged on mean / max(1, scale).
    public var scale: Double = 0
    /// NaN/Inf where the reference is finite.
    public var unexpectedNonFinite: Int = 0
    /// Something else where the reference is NaN or an infinity: a finite value, or the other infinity.
    public var missedNonFinite: Int = 0

    /// Mean deviation relative to the values' magnitude (absolute below magnitude 1).
    public var relative: Double { mean / Swift.max(1, scale) }

    /// Whether the framework disagrees with the reference about where NaN/Inf belong.
    public var nonFiniteDisagrees: Bool { unexpectedNonFinite > 0 || missedNonFinite > 0 }

    /// What stands for a tensor that is missing, or whose shape is not the reference's: deviating everywhere.
    public static let incomparable = Deviation(mean: .infinity, max: .infinity, allclose: false, nonFinite: 0, compared: 0)

    /// nil when the shapes differ (element counts alone would take a [N·C, H·W] flatten for [N, C·H·W]).
    public static func between(_ t: WireTensor, _ ref: Float64Tensor, rtol: Double, atol: Double, referenceNaN: ReferenceNaN = .undefined) -> Deviation? {
        let values = t.doubles
        guard values.count == ref.values.count, t.shape == ref.shape else { return nil }
        var sum = 0.0, worst = 0.0, close = true, nonFinite = 0, n = 0, magnitude = 0.0, unexpected = 0, missed = 0
        for (v, r) in zip(values, ref.values) {
            if !v.isFinite { nonFinite += 1 }
            switch referenceNaN.standing(v, r) {
            case .agrees: continue
            case .missed: missed += 1; close = false; continue
            case .unexpected: unexpected += 1; close = false; continue
            case .comparable: break
            }
            let d = Swift.abs(v - r)
            magnitude += Swift.abs(r)
            sum += d
            worst = Swift.max(worst, d)
            if d > atol + rtol * Swift.abs(r) { close = false }
            n += 1
        }
        return Deviation(mean: n == 0 ? 0 : sum / Double(n), max: worst, allclose: close, nonFinite: nonFinite, compared: n,
                         scale: n == 0 ? 0 : magnitude / Double(n), unexpectedNonFinite: unexpected, missedNonFinite: missed)
    }

    public static func hasNonFinite(_ t: WireTensor) -> Bool { t.doubles.contains { !$0.isFinite } }
}

/// What a NaN in the float64 reference means for a model. The reference yields NaN for arithmetic that has
/// none (0/0, log of a negative, NaN flowing through an op) — a value the frameworks must reproduce — and also
/// for a NaN, infinity or out-of-range value cast to an integer, which the frameworks leave undefined.
public enum ReferenceNaN: Sendable, Hashable {
    /// Every reference NaN is arithmetic: frameworks must give NaN there too.
    case defined
    /// The graph casts to an integer type, so a reference NaN may only mean "undefined": such positions are skipped.
    case undefined

    public init(_ graph: Graph) {
        let castsToInteger = graph.nodes.contains { node in
            node.op == .cast && node.outputs.contains { $0.dtype == .i32 || $0.dtype == .i64 }
        }
        self = castsToInteger ? .undefined : .defined
    }

    /// As `init(graph)`, but an integer cast makes reference NaNs "undefined" only when, in this run, it was
    /// given a value no integer holds (NaN, an infinity, or out of range): a cast of finite values (a QDQ block)
    /// must not switch the NaN check off for the whole model, where a NaN made by arithmetic elsewhere still
    /// has to come out as NaN.
    public init(_ graph: Graph, run: ReferenceRun) {
        var undefined = false
        for node in graph.nodes where node.op == .cast {
            guard let dtype = node.outputs.first?.dtype, dtype == .i32 || dtype == .i64, let source = node.inputs.first,
                  let values = run.values[source.node], source.output < values.count else { continue }
            let limit = dtype == .i32 ? 2_147_483_647.0 : 9.2e18
            if values[source.output].values.contains(where: { !$0.isFinite || Swift.abs($0) > limit }) { undefined = true; break }
        }
        self = undefined ? .undefined : .defined
    }

    /// How one framework value stands against the reference's, the one rule `Deviation` and the campaign
    /// oracles both count by.
    public enum Standing: Sendable {
        /// Both finite: a distance.
        case comparable
        /// The same NaN or infinity, or a reference NaN that only means "undefined".
        case agrees
        /// NaN/Inf where the reference is finite.
        case unexpected
        /// Something else where the reference is NaN/Inf (a finite value, the other infinity).
        case missed
    }

    public func standing(_ v: Double, _ r: Double) -> Standing {
        if r.isFinite { return v.isFinite ? .comparable : .unexpected }
        if r.isNaN && self == .undefined { return .agrees }
        return v == r || v.isNaN && r.isNaN ? .agrees : .missed
    }

    /// Element by element, as `Deviation` counts them: (NaN/Inf where the reference is finite, something else
    /// where the reference is NaN/Inf).
    public func disagreement(_ a: [Double], _ r: [Double]) -> (unexpected: Int, missed: Int) {
        var unexpected = 0, missed = 0
        for (v, x) in zip(a, r) {
            switch standing(v, x) {
            case .unexpected: unexpected += 1
            case .missed: missed += 1
            case .comparable, .agrees: break
            }
        }
        return (unexpected, missed)
    }
}
