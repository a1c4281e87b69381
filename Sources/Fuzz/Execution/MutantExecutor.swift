import Foundation
import ModelIR
import Reference
import Taxonomy

extension Array where Element == ExecutionOutcome {
    /// Why a run cannot be judged: the first framework whose worker did not start, with what to check (the
    /// campaign, the study and the reducer each stop on it rather than judging without that framework).
    public var unavailableReason: String? {
        first { $0.status == .unavailable }.map { outcome in
            // `frameworks` checks the venv's Python; a framework run from another one (`NAME@TAG`) is checked there.
            let check = outcome.framework.contains("@") ? "check the interpreter given with --framework \(outcome.framework)=PYTHON"
                : "check it with `defectlab frameworks --refresh`"
            return "\(outcome.framework): \(outcome.message.prefix(500)) (\(check))"
        }
    }
}

/// What one framework did with one mutant.
public struct ExecutionOutcome: Sendable {
    public enum Status: String, Sendable, Codable {
        case ok, error, crash, timeout
        /// The process ran out of memory or was killed for outgrowing its limit.
        case memory
        /// The framework lacks an op or dtype the mutant uses: not a defect, and not a verdict either.
        case unsupported
        /// The executor could not run anything (a worker that does not start): says nothing about the mutant,
        /// so the oracles leave the framework out and a campaign stops, paused, until the set-up is mended.
        case unavailable
    }

    public var framework: String
    public var status: Status
    /// Where a failure happened (load, execute, train...).
    public var stage: FindingStage?
    public var message: String
    /// The op type the framework blamed for a failure, when it says.
    public var failingOp: String?
    /// The graph outputs, flattened, as float64.
    public var outputs: [[Double]]
    /// Each node's first output, by node name, when the executor reports layer values (for localization).
    public var layers: [String: [Double]]
    public var seconds: Double
    public var memoryBytes: Int
    /// From an executor that profiles its run per node (as a framework's profiler reports it): the node that
    /// took the most time and the one that allocated the most. A slowdown or memory finding is localized to
    /// it; without a profile (the workers report whole-model time and peak memory only) the oracle guesses
    /// from the mutant's last edit.
    public var slowestNode: String?
    public var largestAllocationNode: String?
    /// Set by the campaign from the executor (see `MutantExecutor.inProcess`).
    public var inProcess = false
    /// Training mode (a mutant with `trainingSteps` > 0): the loss after each optimizer step, and how the
    /// training request ended (nil when the executor did not train: inference only, or no training support).
    public var losses: [Double] = []
    public var trainingStatus: Status?
    public var trainingMessage = ""

    public init(framework: String, status: Status, stage: FindingStage? = nil, message: String = "", failingOp: String? = nil,
                outputs: [[Double]] = [], layers: [String: [Double]] = [:], seconds: Double = 0, memoryBytes: Int = 0) {
        self.framework = framework
        self.status = status
        self.stage = stage
        self.message = message
        self.failingOp = failingOp
        self.outputs = outputs
        self.layers = layers
        self.seconds = seconds
        self.memoryBytes = memoryBytes
    }
}

/// The float64 reference run of a mutant, made once per mutant: the numeric guard reads it, the oracles compare
/// against it, and the reference executor answers from it instead of running the model twice.
public struct ArbiterRun: Sendable {
    public var run: ReferenceRun?
    public var error: String?
    public var seconds: Double

    public static func run(_ model: FuzzModel, inputs: [String: Tensor]) -> ArbiterRun {
        let start = Date()
        do {
            let interpreter = try ReferenceInterpreter(graph: model.graph, weights: model.weights)
            let run = try interpreter.run(inputs: inputs)
            return ArbiterRun(run: run, error: nil, seconds: Date().timeIntervalSince(start))
        } catch {
            return ArbiterRun(run: nil, error: "\(error)", seconds: Date().timeIntervalSince(start))
        }
    }
}

/// One framework the fuzzer can run mutants on. The framework workers implement it, as do the reference
/// (for campaigns without workers) and the fault-injection executor (planted defects, to test the pipeline).
public protocol MutantExecutor: Sendable {
    var name: String { get }
    /// Runs inside this process (the reference, the fault injector): its time and memory say nothing about a
    /// framework's, so performance oracles compare it only when no worker framework ran.
    var inProcess: Bool { get }
    func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome
    /// The same run with every layer's value, for localizing a finding. Executors that always report layers
    /// (or cannot) return nil; the workers return final outputs first, because shipping every layer's value
    /// costs more than running the model and is needed only for the rare mutant that deviates.
    func executeWithLayers(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome?
    /// Each node's time in ms on one more run, for localizing a slowdown; nil where the executor cannot time
    /// nodes (or already names the slowest one in its outcomes).
    func profile(_ model: FuzzModel, inputs: [String: Tensor]) -> [String: Double]?
    /// Gets ready to execute (a worker executor starts its framework's process), so that what is timed
    /// afterwards is the work, not a framework's start-up.
    func prepare()
}

extension MutantExecutor {
    public var inProcess: Bool { false }
    public func executeWithLayers(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome? { nil }
    public func profile(_ model: FuzzModel, inputs: [String: Tensor]) -> [String: Double]? { nil }
    public func prepare() {}
}

public enum ExecutorPreparation {
    /// Prepares every executor at once (worker start-ups overlap).
    public static func prepare(_ executors: [any MutantExecutor]) {
        DispatchQueue.concurrentPerform(iterations: executors.count) { executors[$0].prepare() }
    }
}

/// The float64 interpreter as a framework: it answers from the arbiter run.
public struct ReferenceExecutor: MutantExecutor {
    public static let frameworkName = "reference"
    public let name = Self.frameworkName
    public var inProcess: Bool { true }
    public init() {}

    public func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
        guard let run = arbiter.run else {
            return ExecutionOutcome(framework: name, status: .error, stage: .execute, message: arbiter.error ?? "reference failed", seconds: arbiter.seconds)
        }
        var layers: [String: [Double]] = [:]
        for (k, v) in run.values { layers[k] = v.first?.values }
        return ExecutionOutcome(framework: name, status: .ok, outputs: run.outputs.map(\.values), layers: layers, seconds: arbiter.seconds,
                                memoryBytes: ResidentMemory.current())
    }
}

/// The process's resident set size (Linux /proc/self/statm; 0 where unavailable).
enum ResidentMemory {
    static func current() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let parts = text.split(separator: " ")
        guard parts.count > 1, let pages = Int(parts[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
