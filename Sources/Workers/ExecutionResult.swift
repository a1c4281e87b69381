import Foundation

/// What happened when a framework ran a request. Crashes, hangs and memory blow-ups are results too.
public struct ExecutionResult: Sendable {
    public enum Status: String, Sendable, Codable {
        case ok, error, unsupported, crash, timeout, memory
    }

    public var framework: String
    public var status: Status
    /// build, compile, load, export, execute or train.
    public var stage: String?
    public var message: String?
    public var errorType: String?
    public var signal: Int32?
    public var exitCode: Int32?
    public var stderrTail: String?
    /// Node outputs keyed `node` / `node:k`, plus `output:i` for the graph outputs.
    public var outputs: [String: WireTensor] = [:]
    public var timesMs: [Double] = []
    public var firstMs: Double?
    public var buildMs: Double?
    public var peakMB: Double?
    public var rssBeforeMB: Double?
    /// Resident size after the first and after the last timed repeat (growth between them is a leak).
    public var rssSeriesMB: [Double] = []
    /// Resident size before the timed repeats and their peak (one-off first-run costs excluded).
    public var steadyBaseMB: Double?
    public var steadyPeakMB: Double?
    /// Each node's time in ms, when the request asked for a profile (`ExecutionRequest.profileNodes`); nodes
    /// a framework fused into another's kernel are missing.
    public var nodeMs: [String: Double] = [:]
    public var losses: [Double] = []
    public var gradients: [String: WireTensor] = [:]
    /// Wall time of the whole request as the Swift side saw it (protocol overhead included).
    public var wallMs: Double = 0
    /// Time the worker spent on the request between reading it and writing the reply (protocol excluded).
    public var workerMs: Double?

    public init(framework: String, status: Status, stage: String? = nil, message: String? = nil) {
        self.framework = framework
        self.status = status
        self.stage = stage
        self.message = message
    }

    public var medianMs: Double? {
        guard !timesMs.isEmpty else { return nil }
        let s = timesMs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
