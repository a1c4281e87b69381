import Foundation
import JSONText

/// Every oracle threshold of every command, with the documented defaults: `defectlab diff --oracles FILE` and
/// `defectlab fuzz|study --oracles FILE` read the same JSON object (any subset of the keys; an unknown key is an
/// error, so a typo never silently leaves a default in force). Some thresholds serve one command only, because
/// the two judge different evidence: `diff` times a model over repeated runs and has every node's deviation,
/// a campaign times each mutant once and must stay fast.
public struct OracleThresholds: Codable, Sendable, Hashable {
    // MARK: diff (one model, repeated runs)

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

    // MARK: campaigns (fuzz, study, defects reduce/repro): one timed run per mutant

    /// Mean relative distance to the float64 reference (`Distance.relative`) above which a mutant's outputs
    /// are inconsistent, for f32 models; `DtypeTolerance` widens it 50× (f16, integer layers) or 100× (bf16).
    public var relativeDistance: Double = 1e-3
    /// Slowdown: a framework's time growth from the mutant's seed over `slowdownFactor` × the other frameworks'
    /// median growth (or, without seed timings, its time over that many times the fastest other framework's).
    /// 10×, not the diff's 1.5×: a single timing on a busy machine is noisy.
    public var slowdownFactor: Double = 10
    /// ...and by at least this many milliseconds over what the others' growth predicts.
    public var slowdownFloorMs: Double = 20
    /// Memory: a framework's memory growth from the seed over this many times the others' median growth.
    public var memoryFactor: Double = 10

    // MARK: both (training mode)

    /// Relative loss disagreement with the frameworks' median at a step (campaigns widen it like
    /// `relativeDistance` for half-precision models).
    public var lossRelativeTolerance: Double = 1e-3
    /// A loss curve whose last loss exceeds this many times its first diverges.
    public var lossDivergence: Double = 10

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case changeRate, dMAD, rtol, atol, meanDeviation, nodeDeviationFloor, slowdownRatio, slowdownMinMs
        case memoryGrowthPerRunMB, memoryGrowthTotalMB, memoryPeakRatio, memoryPeakMinMB
        case relativeDistance, slowdownFactor, slowdownFloorMs, memoryFactor
        case lossRelativeTolerance, lossDivergence
    }

    /// `defectlab fuzz --oracles`' keys before the formats were unified, still read so existing files keep
    /// working: the campaign thresholds under their old names (`slowdown_floor` in seconds).
    static let legacyKeys: [String: (CodingKeys, scale: Double)] = [
        "tolerance": (.relativeDistance, 1), "slowdown_factor": (.slowdownFactor, 1),
        "slowdown_floor": (.slowdownFloorMs, 1000), "memory_factor": (.memoryFactor, 1),
    ]

    /// The keys a file may hold, in the order the error message and the README list them.
    public static var validKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: AnyKey.self)
        var seen: [CodingKeys: String] = [:]
        for key in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            guard let (field, scale) = CodingKeys(rawValue: key.stringValue).map({ ($0, 1.0) }) ?? Self.legacyKeys[key.stringValue] else {
                throw OracleError(.badThresholds, "unknown key '\(key.stringValue)'; valid keys: \(Self.validKeys.joined(separator: ", ")). "
                                  + "Remove it or correct its name (README, \"Oracle thresholds\").")
            }
            guard let value = try? c.decode(Double.self, forKey: key), value.isFinite, value >= 0 else {
                // A value beyond a double's range (1e-400) reads as no number at all: the message covers it.
                throw OracleError(.badThresholds, "'\(key.stringValue)' must be a non-negative number within a double's range")
            }
            // A legacy key in seconds is scaled to milliseconds: 1e306 would become infinite.
            guard (value * scale).isFinite else {
                throw OracleError(.badThresholds, "'\(key.stringValue)' is too large (\(value))")
            }
            if let other = seen.updateValue(key.stringValue, forKey: field) {
                throw OracleError(.badThresholds, "'\(other)' and '\(key.stringValue)' set the same threshold; keep '\(field.rawValue)'")
            }
            self[field] = value * scale
        }
    }

    /// One threshold by its key (what the decoder and the legacy keys write through).
    subscript(key: CodingKeys) -> Double {
        get { self[keyPath: Self.path(key)] }
        set { self[keyPath: Self.path(key)] = newValue }
    }

    private static func path(_ key: CodingKeys) -> WritableKeyPath<OracleThresholds, Double> {
        switch key {
        case .changeRate: \.changeRate
        case .dMAD: \.dMAD
        case .rtol: \.rtol
        case .atol: \.atol
        case .meanDeviation: \.meanDeviation
        case .nodeDeviationFloor: \.nodeDeviationFloor
        case .slowdownRatio: \.slowdownRatio
        case .slowdownMinMs: \.slowdownMinMs
        case .memoryGrowthPerRunMB: \.memoryGrowthPerRunMB
        case .memoryGrowthTotalMB: \.memoryGrowthTotalMB
        case .memoryPeakRatio: \.memoryPeakRatio
        case .memoryPeakMinMB: \.memoryPeakMinMB
        case .relativeDistance: \.relativeDistance
        case .slowdownFactor: \.slowdownFactor
        case .slowdownFloorMs: \.slowdownFloorMs
        case .memoryFactor: \.memoryFactor
        case .lossRelativeTolerance: \.lossRelativeTolerance
        case .lossDivergence: \.lossDivergence
        }
    }

    /// Reads a `--oracles` file. Every problem (unreadable file, not a JSON object, unknown key, non-number)
    /// is an `OracleError` naming the file, so `diff` and `fuzz` report it the same way.
    public static func load(path: String) throws -> OracleThresholds {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OracleError(.badThresholds, "cannot read \(path)")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            // Foundation's own text ("The data couldn't be read ...") says nothing; its debug description
            // has the place.
            let place = JSONObjectCheck.reason(error).map { " (\($0))" } ?? ""
            throw OracleError(.badThresholds, "\(path): not valid JSON\(place); thresholds are plain numbers (NaN and Infinity are not "
                              + "JSON), e.g. {\"relativeDistance\": 1e-4}")
        }
        guard object is [String: Any] else {
            throw OracleError(.badThresholds, "\(path): not a JSON object (expected e.g. {\"relativeDistance\": 1e-4})")
        }
        if let repeated = JSONObjectCheck.repeatedKey(in: data) {
            throw OracleError(.badThresholds, "\(path): '\(repeated)' is set twice; keep one")
        }
        do { return try JSONDecoder().decode(OracleThresholds.self, from: data) } catch let error as OracleError {
            throw OracleError(error.code, "\(path): \(error.message)")
        } catch {
            throw OracleError(.badThresholds, "\(path): \(error)")
        }
    }
}

public struct OracleError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case badThresholds, reference, noFrameworks, mapping, notStarted }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public var description: String { "\(code.rawValue): \(message)" }
}
