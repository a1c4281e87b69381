import Foundation
import Workers

/// One framework's line in a diff: status, deviation from the reference, worst node, time, memory.
public struct FrameworkOutcome: Codable, Sendable {
    public var name: String
    public var version: String?
    /// ok | crash | nan | timeout | unsupported
    public var status: String
    public var stage: String?
    public var maxAbsDev: Double?
    public var meanAbsDev: Double?
    /// mean |Δ| / max(1, mean |reference|) of the final outputs: the agreement measure the 1e-4 check uses.
    public var relMeanDev: Double?
    public var worstNode: String?
    /// The worst node's relative mean deviation (as `relMeanDev`).
    public var worstNodeDev: Double?
    public var timeMs: Double?
    public var peakMB: Double?
    public var wallMs: Double?
    public var workerMs: Double?
    public var message: String?
    public var signal: Int32?
    /// A crash's, hang's or error's stderr tail (the framework's own words, a fault handler's stack).
    public var stderrTail: String?
    public var losses: [Double]?
    /// Median time on the seed given as `--baseline` (what the slowdown oracle compares with).
    public var seedTimeMs: Double?
    /// Each node's time in ms, when the run was profiled (`--baseline` with `--per-node`).
    public var nodeMs: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case name, version, status, stage, message, signal, losses
        case maxAbsDev = "max_abs_dev", meanAbsDev = "mean_abs_dev", relMeanDev = "rel_mean_dev", worstNode = "worst_node", worstNodeDev = "worst_node_dev"
        case timeMs = "time_ms", peakMB = "peak_mb", wallMs = "wall_ms", workerMs = "worker_ms"
        case seedTimeMs = "seed_time_ms", nodeMs = "node_ms", stderrTail = "stderr_tail"
    }

    /// The fields issue 7's JSON names (and the table's columns) are always there, null where nothing was
    /// measured (a timeout, a crash): a reader finds the same keys in every state. The rest appear when present.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try c.encode(stage, forKey: .stage)
        try c.encode(maxAbsDev, forKey: .maxAbsDev)
        try c.encode(meanAbsDev, forKey: .meanAbsDev)
        try c.encode(worstNode, forKey: .worstNode)
        try c.encode(timeMs, forKey: .timeMs)
        try c.encode(peakMB, forKey: .peakMB)
        try c.encodeIfPresent(relMeanDev, forKey: .relMeanDev)
        try c.encodeIfPresent(worstNodeDev, forKey: .worstNodeDev)
        try c.encodeIfPresent(wallMs, forKey: .wallMs)
        try c.encodeIfPresent(workerMs, forKey: .workerMs)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(signal, forKey: .signal)
        try c.encodeIfPresent(stderrTail, forKey: .stderrTail)
        try c.encodeIfPresent(losses, forKey: .losses)
        try c.encodeIfPresent(seedTimeMs, forKey: .seedTimeMs)
        try c.encodeIfPresent(nodeMs, forKey: .nodeMs)
    }
}
