import Foundation

/// Every oracle threshold, with the documented defaults; `--oracles FILE` (JSON, any subset of the keys)
/// overrides them.
public struct OracleThresholds: Codable, Sendable, Hashable {
    /// The study's change-rate threshold t: R_i = |D_i − D_pre| / (D_pre + 1e-7) > t localizes a deviation.
    public var changeRate: Double = 1e3
    /// LEMON's D_MAD threshold on final outputs: |δ_j − δ_k| / (δ_j + δ_k) with δ = mean |output − reference|.
    public var dMAD: Double = 0.4
    /// allclose on final outputs against the reference (NNSmith's tolerances).
    public var rtol: Double = 1e-2
    public var atol: Double = 1e-3
    /// Mean absolute deviation from the reference that a framework must exceed before it counts as deviating
    /// (the study's seeds agreed within 1e-4).
    public var meanDeviation: Double = 1e-4
    /// A node must deviate by at least this much (mean absolute) to be the localized culprit.
    public var nodeDeviationFloor: Double = 1e-5
    /// Slowdown: a framework's time ratio (model / seed) over the others' median ratio.
    public var slowdownRatio: Double = 1.5
    /// Slowdowns below this many milliseconds of absolute increase are noise.
    public var slowdownMinMs: Double = 1.0
    /// Memory growth across repeated runs (MB per run) that counts as a leak, and the total that must be seen.
    public var memoryGrowthPerRunMB: Double = 16
    public var memoryGrowthTotalMB: Double = 48
    /// Peak memory out of line: this many times the others' median request peak, and at least `memoryPeakMinMB`.
    public var memoryPeakRatio: Double = 4
    public var memoryPeakMinMB: Double = 256
    /// Training: relative loss disagreement with the frameworks' median per step, and divergence factor.
    public var lossRelativeTolerance: Double = 1e-3
    public var lossDivergence: Double = 10

    public init() {}

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read(_ key: CodingKeys, _ into: inout Double) throws {
            if let v = try c.decodeIfPresent(Double.self, forKey: key) { into = v }
        }
        try read(.changeRate, &changeRate); try read(.dMAD, &dMAD); try read(.rtol, &rtol); try read(.atol, &atol)
        try read(.meanDeviation, &meanDeviation); try read(.nodeDeviationFloor, &nodeDeviationFloor)
        try read(.slowdownRatio, &slowdownRatio); try read(.slowdownMinMs, &slowdownMinMs)
        try read(.memoryGrowthPerRunMB, &memoryGrowthPerRunMB); try read(.memoryGrowthTotalMB, &memoryGrowthTotalMB)
        try read(.memoryPeakRatio, &memoryPeakRatio); try read(.memoryPeakMinMB, &memoryPeakMinMB)
        try read(.lossRelativeTolerance, &lossRelativeTolerance); try read(.lossDivergence, &lossDivergence)
    }

    public static func load(path: String) throws -> OracleThresholds {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OracleError(.badThresholds, "cannot read \(path)")
        }
        do { return try JSONDecoder().decode(OracleThresholds.self, from: data) } catch {
            throw OracleError(.badThresholds, "\(path): \(error)")
        }
    }
}

public struct OracleError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case badThresholds, reference, noFrameworks, mapping }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public var description: String { "\(code.rawValue): \(message)" }
}
