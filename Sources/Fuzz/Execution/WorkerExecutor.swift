import Foundation
import ModelIR
import Taxonomy
import Workers

/// A framework worker (issue 7's pool) as a fuzzing executor: one request per mutant, every node's output
/// back for localization, one timed run (the campaign wants throughput; `diff` does the careful timing).
public struct WorkerExecutor: MutantExecutor {
    /// The name results carry: a framework, a variant, or `framework@tag` for one from another interpreter.
    public let name: String
    /// The framework or variant the worker runs.
    public let framework: String
    let pool: WorkerPool
    public var timeout: Double = 60

    public init(name: String, framework: String? = nil, pool: WorkerPool) {
        self.name = name
        self.framework = framework ?? name
        self.pool = pool
    }

    public func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
        let start = Date()
        let worker: Worker
        do { worker = try pool.worker(framework) } catch {
            return ExecutionOutcome(framework: name, status: .error, stage: .load, message: "worker does not start: \(error)")
        }
        var request = ExecutionRequest(graph: model.graph, weights: model.weights, inputs: inputs)
        request.perNode = true
        request.warmup = 0
        request.repeats = 1
        request.timeout = timeout
        if FrameworkKind.variants[framework] != nil { request.variant = framework }
        let result: ExecutionResult
        do { result = try worker.execute(request) } catch {
            return ExecutionOutcome(framework: name, status: .error, stage: .load, message: "\(error)", seconds: Date().timeIntervalSince(start))
        }
        let status: ExecutionOutcome.Status = switch result.status {
        case .ok: .ok
        case .error: .error
        case .unsupported: .unsupported
        case .crash: .crash
        case .timeout: .timeout
        case .memory: .memory
        }
        var outputs: [[Double]] = []
        for i in model.graph.outputs.indices {
            if let t = result.outputs["output:\(i)"] { outputs.append(t.doubles) }
        }
        var layers: [String: [Double]] = [:]
        for node in model.graph.nodes { if let t = result.outputs[node.name] { layers[node.name] = t.doubles } }
        let mb = result.steadyPeakMB ?? result.peakMB ?? 0
        return ExecutionOutcome(framework: name, status: status, stage: result.stage.flatMap(FindingStage.init(rawValue:)) ?? (status == .ok ? nil : .execute),
                                message: [result.errorType, result.message].compactMap { $0 }.joined(separator: ": "),
                                failingOp: nil, outputs: outputs, layers: layers,
                                seconds: (result.medianMs ?? result.wallMs) / 1000, memoryBytes: Int(mb * 1_048_576))
    }
}
