import Foundation
import ModelIR
import Taxonomy
import Workers

/// A framework worker (issue 7's pool) as a fuzzing executor: one request per mutant with the final outputs
/// only (layer values on demand, for localization), one timed run (the campaign wants throughput; `diff` does
/// the careful timing), and for a training-mode mutant a second request that trains it.
public struct WorkerExecutor: MutantExecutor {
    /// The name results carry: a framework, a variant, or `framework@tag` for one from another interpreter.
    public let name: String
    /// The framework or variant the worker runs.
    public let framework: String
    let pool: WorkerPool
    public static let defaultTimeout: Double = 60
    public var timeout: Double = WorkerExecutor.defaultTimeout

    public init(name: String, framework: String? = nil, pool: WorkerPool) {
        self.name = name
        self.framework = framework ?? name
        self.pool = pool
    }

    public func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
        run(model, inputs: inputs, layers: false)
    }

    /// Starts the worker (a failure shows again, as an outcome, at the first request).
    public func prepare() {
        _ = try? pool.worker(framework).capabilities()
    }

    public func executeWithLayers(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome? {
        run(model, inputs: inputs, layers: true)
    }

    /// One more run of the mutant with each node timed (the worker's eager walk, or ONNX Runtime's profiler).
    public func profile(_ model: FuzzModel, inputs: [String: Tensor]) -> [String: Double]? {
        guard let worker = try? pool.worker(framework) else { return nil }
        var request = ExecutionRequest(graph: model.graph, weights: model.weights, inputs: inputs)
        request.warmup = 0
        request.repeats = 1
        request.profileNodes = true
        request.timeout = timeout
        if FrameworkKind.variants[framework] != nil { request.variant = framework }
        guard let result = try? worker.execute(request), result.status == .ok, !result.nodeMs.isEmpty else { return nil }
        return result.nodeMs
    }

    func run(_ model: FuzzModel, inputs: [String: Tensor], layers wantLayers: Bool) -> ExecutionOutcome {
        let start = Date()
        let worker: Worker
        do { worker = try pool.worker(framework) } catch {
            return ExecutionOutcome(framework: name, status: .unavailable, stage: .load, message: "worker does not start: \(error)")
        }
        var request = ExecutionRequest(graph: model.graph, weights: model.weights, inputs: inputs)
        request.perNode = wantLayers
        request.warmup = 0
        request.repeats = 1
        request.timeout = timeout
        if FrameworkKind.variants[framework] != nil { request.variant = framework }
        let result: ExecutionResult
        // `execute` throws only when the worker cannot be (re)started: the framework's set-up, not the mutant.
        do { result = try worker.execute(request) } catch {
            return ExecutionOutcome(framework: name, status: .unavailable, stage: .load, message: "worker does not start: \(error)", seconds: Date().timeIntervalSince(start))
        }
        var outputs: [[Double]] = []
        for i in model.graph.outputs.indices {
            if let t = result.outputs["output:\(i)"] { outputs.append(t.doubles) }
        }
        var layers: [String: [Double]] = [:]
        if wantLayers {
            for node in model.graph.nodes { if let t = result.outputs[node.name] { layers[node.name] = t.doubles } }
        }
        let mb = result.steadyPeakMB ?? result.peakMB ?? 0
        var message = [result.errorType, result.message].compactMap { $0 }.joined(separator: ": ")
        var failingOp: String?
        if result.status == .crash, let tail = result.stderrTail {
            // The dying worker's Python stack: which op's builder was running (every SIGSEGV of a framework
            // would otherwise be one defect, "killed by signal 11" in "model").
            failingOp = FaultTrace.failingOp(tail)
            if let frames = FaultTrace.summary(tail) { message += " in " + frames }
        }
        var outcome = ExecutionOutcome(framework: name, status: Self.status(result.status),
                                       stage: result.stage.flatMap(FindingStage.init(rawValue:)) ?? (result.status == .ok ? nil : .execute),
                                       message: message,
                                       failingOp: failingOp, outputs: outputs, layers: layers,
                                       seconds: (result.medianMs ?? result.wallMs) / 1000, memoryBytes: Int(mb * 1_048_576))
        if model.trainingSteps > 0, result.status == .ok, !wantLayers {
            // Training mode: K SGD steps on the MSE to a seeded target; the weights are already in the worker.
            var t = request
            t.training = .init(steps: model.trainingSteps, learningRate: model.learningRate, target: model.trainingTarget())
            do {
                let trained = try worker.execute(t)
                outcome.trainingStatus = Self.status(trained.status)
                outcome.losses = trained.losses
                outcome.trainingMessage = [trained.errorType, trained.message].compactMap { $0 }.joined(separator: ": ")
            } catch {
                outcome.status = .unavailable
                outcome.message = "worker does not start: \(error)"
            }
        }
        return outcome
    }

    static func status(_ s: ExecutionResult.Status) -> ExecutionOutcome.Status {
        switch s {
        case .ok: .ok
        case .error: .error
        case .unsupported: .unsupported
        case .crash: .crash
        case .timeout: .timeout
        case .memory: .memory
        }
    }
}
