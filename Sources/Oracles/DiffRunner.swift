import Seeding
import Foundation
import ModelIR
import Reference
import Taxonomy
import Workers

/// What to run a model on and how.
public struct DiffOptions: Sendable {
    public var frameworks: [String]
    public var warmup = 1
    public var repeats = 5
    /// Each framework's timed repeats go on until they fill this many milliseconds (`ExecutionRequest.minTimedMs`),
    /// so a small model's time is a median over enough runs; a model slower than this per run gets `repeats`.
    public var minTimedMs = DiffOptions.defaultMinTimedMs
    public static let defaultMinTimedMs: Double = 20
    /// Report every node's deviation (localization always uses per-node outputs).
    public var perNode = false
    /// Each node's time too (`ExecutionRequest.profileNodes`); a run with a baseline and `perNode` always profiles,
    /// and a baseline run asks for it so a slowdown is localized against the seed's own node times.
    public var profileNodes = false
    /// K SGD steps on an MSE loss against a seeded target; 0 = inference only.
    public var trainSteps = 0
    public var learningRate = 0.01
    public var timeout: Double = 120
    public var memoryLimitMB: Double? = 8192
    public var thresholds = OracleThresholds()

    public init(frameworks: [String]) { self.frameworks = frameworks }
}

/// A model to test: graph, weights, inputs and the seed they came from.
public struct DiffSubject: Sendable {
    public var name: String
    public var graph: Graph
    public var weights: WeightStore
    public var inputs: [String: Tensor]
    public var seed: UInt64

    public init(name: String, graph: Graph, weights: WeightStore, inputs: [String: Tensor], seed: UInt64) {
        self.name = name
        self.graph = graph
        self.weights = weights
        self.inputs = inputs
        self.seed = seed
    }
}

/// Runs one model on the float64 reference and on each framework's worker, then applies every oracle.
public struct DiffRunner: Sendable {
    public let pool: WorkerPool
    public let mapping: FuzzMapping

    public init(pool: WorkerPool, mapping: FuzzMapping) {
        self.pool = pool
        self.mapping = mapping
    }

    public struct Run: Sendable {
        public var report: DiffReport
        public var results: [String: ExecutionResult]
        public var training: [String: ExecutionResult]
        /// What the report was judged with, so it can be judged again against another baseline (`judge`).
        var reference: ReferenceRun
        var versions: [String: String]
    }

    /// One model, over its input draws (`subjects`, each with its options), against the seed it was derived from,
    /// for the slowdown oracle. The seed runs on the same frameworks before the model and again after it, and the
    /// slower of its two runs per framework is its time: a framework whose runs drift slower in a long-lived worker
    /// (MindSpore: 8 → 65 ms for the same model) or whose first run pays one-off costs shows no slowdown that is
    /// only the order of the runs. The model's first draw is timed a second time after that, and the faster timing
    /// counts (a load burst during one run of a shared machine is no slowdown; a real one shows in both); its values
    /// stay those of its first run. Each node is timed too where the options ask for per-node results.
    public func run(_ subjects: [(subject: DiffSubject, options: DiffOptions)], against seed: DiffSubject) throws -> [DiffReport] {
        guard let first = subjects.first else { return [] }
        // The seed's final outputs only: its values are not under test.
        var seedOptions = first.options
        seedOptions.perNode = false
        seedOptions.trainSteps = 0
        seedOptions.profileNodes = first.options.perNode
        let before = try run(seed, seedOptions).results
        var runs = try subjects.map { try run($0.subject, $0.options, baseline: before) }
        let after = try run(seed, seedOptions).results
        let seedResults = before.merging(after) { a, b in (b.medianMs ?? -1) > (a.medianMs ?? -1) ? b : a }
        let again = try run(first.subject, first.options, baseline: seedResults).results
        for (name, r) in again where r.status == .ok && (r.medianMs ?? .infinity) < (runs[0].results[name]?.medianMs ?? .infinity) {
            runs[0].results[name]?.timesMs = r.timesMs
            if !r.nodeMs.isEmpty { runs[0].results[name]?.nodeMs = r.nodeMs }
        }
        return zip(subjects, runs).map { judge($0.subject, $0.options, $1, baseline: seedResults) }
    }

    /// Whether `seed` can be the seed `model` was derived from: the same inputs (by name, element type and shape,
    /// except the sizes a mutation changes: the batch, and an image's height and width; by rank alone, AlexNet's
    /// 3-channel images passed as LeNet-5's 1-channel ones), and nodes in common by name and op: at least half
    /// the seed's (a mutant keeps most of its seed) and a fifth of the model's (rounds of mutation add nodes).
    /// Some node in common was no test: every zoo model has `conv2d_0` and `dense_0`.
    public static func couldBeSeed(_ seed: Graph, of model: Graph) -> Bool {
        func inputs(_ g: Graph) -> Set<String> {
            Set(g.inputNodes.map { node in
                let shape = node.output.shape
                let kept = shape.count == 4 ? [shape[1]] : Array(shape.dropFirst())
                return "\(node.name) \(node.output.dtype.rawValue) rank \(shape.count) \(kept)"
            })
        }
        let seedNodes = Set(seed.nodes.map { "\($0.name) \($0.op.rawValue)" }), modelNodes = Set(model.nodes.map { "\($0.name) \($0.op.rawValue)" })
        let shared = seedNodes.intersection(modelNodes).count
        return inputs(seed) == inputs(model) && shared > 0 && 2 * shared >= seedNodes.count && 5 * shared >= modelNodes.count
    }

    /// The oracles over a run's results again, against `baseline` (the seed's results): `diff --baseline` runs
    /// the seed before and after the model and judges with both, without running the model again.
    public func judge(_ subject: DiffSubject, _ options: DiffOptions, _ run: Run, baseline: [String: ExecutionResult]?) -> DiffReport {
        var suite = OracleSuite(graph: subject.graph, reference: run.reference, thresholds: options.thresholds, mapping: mapping)
        return suite.evaluate(model: subject.name, hash: ModelBundle(graph: subject.graph, weights: subject.weights).contentHash,
                              seed: subject.seed, order: options.frameworks, results: run.results, versions: run.versions,
                              training: run.training, baseline: baseline, perNode: options.perNode)
    }

    /// The stage of a framework whose worker did not start: nothing ran there, so it is neither a finding nor a
    /// declared capability gap, and `diff` fails (the set-up needs mending, `defectlab doctor` says how).
    public static let notStarted = "start"

    /// `baseline`: the same frameworks' results on the seed this model was derived from, for the slowdown
    /// oracle (a model is slow relative to its own seed, against the other frameworks).
    public func run(_ subject: DiffSubject, _ options: DiffOptions, baseline: [String: ExecutionResult]? = nil) throws -> Run {
        guard !options.frameworks.isEmpty else { throw OracleError(.noFrameworks, "no frameworks to compare") }
        let reference: ReferenceRun
        do {
            reference = try ReferenceInterpreter(graph: subject.graph, weights: subject.weights).run(inputs: subject.inputs)
        } catch {
            throw OracleError(.reference, "the float64 reference cannot run \(subject.name): \(error)")
        }
        let bases = options.frameworks.map { pool.custom($0) != nil ? $0 : (FrameworkKind.base(of: $0) ?? $0) }
        let started = pool.start(Array(Set(bases)).sorted())
        var results: [String: ExecutionResult] = [:], versions: [String: String] = [:], training: [String: ExecutionResult] = [:]
        for (name, base) in zip(options.frameworks, bases) {
            guard case .success(let caps)? = started[base], let worker = pool.custom(base) ?? (try? pool.worker(base)) else {
                // A worker that does not start is this machine's set-up, not a defect of the framework: the model is
                // not run there (no finding), and the message says what to check.
                var r = ExecutionResult(framework: name, status: .unsupported, stage: Self.notStarted)
                let reason = if case .failure(let e)? = started[base] { e.message } else { "no worker" }
                // The cause on the first line (tables show that), the worker's output after it.
                let lines = reason.split(separator: "\n", maxSplits: 1).map(String.init)
                r.message = "the worker does not start here (\(lines.first ?? reason)); `defectlab doctor` checks the framework venv"
                    + (lines.count > 1 ? "\n" + lines[1] : "")
                results[name] = r
                continue
            }
            versions[name] = caps.version
            var request = ExecutionRequest(graph: subject.graph, weights: subject.weights, inputs: subject.inputs)
            // Every node's output only when asked: returning them all costs more than running the model.
            request.perNode = options.perNode
            // Each node's time too where a slowdown can be judged (against a baseline) and localization is asked for.
            request.profileNodes = options.profileNodes || (options.perNode && baseline != nil)
            request.warmup = options.warmup
            request.repeats = options.repeats
            request.minTimedMs = options.minTimedMs
            request.variant = name == base ? nil : name
            request.timeout = options.timeout
            request.memoryLimitMB = options.memoryLimitMB
            do { results[name] = try worker.execute(request) } catch {
                results[name] = ExecutionResult(framework: name, status: .crash, stage: "load", message: error.message)
            }
            if !request.perNode, let r = results[name], Self.needsLocalization(r, reference: reference, referenceNaN: ReferenceNaN(subject.graph, run: reference), thresholds: options.thresholds) {
                // The final outputs deviate or hold NaN/Inf: ask again for every node's value to localize it.
                var again = request
                again.perNode = true
                again.profileNodes = false
                again.warmup = 0
                again.repeats = 1
                if let full = try? worker.execute(again), full.status == .ok {
                    results[name]?.outputs.merge(full.outputs) { old, _ in old }
                }
            }
            if options.trainSteps > 0 {
                var t = request
                t.perNode = false
                t.profileNodes = false
                t.training = .init(steps: options.trainSteps, learningRate: options.learningRate, target: Self.target(subject))
                do { training[name] = try worker.execute(t) } catch {
                    training[name] = ExecutionResult(framework: name, status: .crash, stage: "train", message: error.message)
                }
            }
        }
        var suite = OracleSuite(graph: subject.graph, reference: reference, thresholds: options.thresholds, mapping: mapping)
        let report = suite.evaluate(model: subject.name, hash: ModelBundle(graph: subject.graph, weights: subject.weights).contentHash,
                                    seed: subject.seed, order: options.frameworks, results: results, versions: versions,
                                    training: training, baseline: baseline, perNode: options.perNode)
        return Run(report: report, results: results, training: training, reference: reference, versions: versions)
    }

    /// Whether a run's final outputs fail the allclose check against the reference or hold NaN/Inf: only then
    /// are per-node values worth fetching.
    static func needsLocalization(_ r: ExecutionResult, reference: ReferenceRun, referenceNaN: ReferenceNaN, thresholds: OracleThresholds) -> Bool {
        guard r.status == .ok else { return false }
        for (i, ref) in reference.outputs.enumerated() {
            // A missing or misshapen output needs localizing most of all, and so does a NaN lost on the way.
            guard let t = r.outputs["output:\(i)"],
                  let d = Deviation.between(t, ref, rtol: thresholds.rtol, atol: thresholds.atol, referenceNaN: referenceNaN) else { return true }
            if !d.allclose || d.nonFiniteDisagrees || Deviation.hasNonFinite(t) { return true }
        }
        return false
    }

    /// The MSE target of training mode: uniform(−1, 1) in the first output's shape, from the seed.
    public static func target(_ subject: DiffSubject) -> Tensor {
        let shape = subject.graph.type(of: subject.graph.outputs[0])?.shape ?? [1]
        var rng = SplitMix64(seed: subject.seed, stream: "train.target")
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform(-1, 1)) })
    }
}
