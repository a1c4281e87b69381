import ArgumentParser
import Doctor
import Foundation
import JSONText
import ModelIR
import Oracles
import Reference
import Store
import TerminalUI
import Workers

/// `defectlab diff`: one model on the float64 reference and on every chosen framework, compared node by
/// node; prints each framework's line and the oracles' findings, and stores the run and its findings.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Differential run of one model across frameworks against the float64 reference.",
        discussion: """
            Frameworks: pytorch, onnxruntime, tensorflow, jax, mindspore (`all`), and the compiled variants
            pytorch-compile, onnxruntime-noopt, tensorflow-xla, mindspore-graph, and jax-eager (op-by-op JAX; only when named).
            Oracle thresholds: --oracles FILE (JSON, e.g. {"changeRate": 1000}; the same file format as `fuzz --oracles`).
            """)

    @Option(help: "Seed model name (see `models list`; a family name such as `lstm` or `gru` means its shortest member, and a note names the others).")
    var model: String?
    @Option(help: "A saved model folder (graph.json + weights.safetensors).")
    var load: String?
    @Flag(help: "Every seed of the zoo at default size, one after another on the same workers (`make run`).")
    var allSeeds = false
    @Option(help: "Also write a Markdown summary to this file.")
    var report: String?
    @Option(help: "Comma-separated frameworks or variants, or `all`.")
    var frameworks = "all"
    @Option(help: "Number of seeded input draws to compare on.")
    var inputs = 1
    @Option(help: "Seed for weights and inputs.")
    var seed: UInt64 = 0
    @Option(help: "SGD steps of training mode (MSE on a seeded target); 0 = inference only.")
    var trainSteps = 0
    @Option(help: "Learning rate of training mode.")
    var learningRate = 0.01
    @Option(help: "Timed repeats per framework (after one warm-up): at least this many.")
    var repeats = 5
    @Option(help: ArgumentHelp("Keep timing each framework past --repeats until its timed repeats add up to this many ms (at most 1000 repeats); 0 times exactly --repeats.",
                               discussion: "A small model's five runs last a millisecond or two, where one scheduler tick decides the median; large models run --repeats times."))
    var minTimedMs: Double = DiffOptions.defaultMinTimedMs
    @Option(help: "Seconds a request may take before its worker counts as hung (a worker's start-up, which imports its framework, has 180 s).")
    var timeout: Double = 120
    @OptionGroup var oracles: OracleOptions
    @Option(help: ArgumentHelp("The seed this model was derived from (a zoo name or a saved model folder), for the slowdown oracle.",
                               discussion: "It runs on the same frameworks before and after the model (the slower run per framework counts); a framework whose time grew on this model ≥ 1.5× (slowdownRatio) more than the others' did is a slowdown (E1). With --per-node every node is timed on both, and the finding names the node whose time grew most over the seed's."))
    var baseline: String?
    @Flag(help: "Print every node's deviation per framework (and, with --baseline, time every node to localize a slowdown).")
    var perNode = false
    @Option(help: "table or json.")
    var format: OutputFormat = .table
    @OptionGroup var db: DatabaseOptions
    @OptionGroup var taxonomy: TaxonomyOptions

    func validate() throws {
        guard [model != nil, load != nil, allSeeds].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --model NAME, --load DIR or --all-seeds")
        }
        if baseline != nil, allSeeds { throw ValidationError("--baseline goes with --model or --load (the seed of that one model), not --all-seeds") }
        guard inputs >= 1, repeats >= 1, trainSteps >= 0 else { throw ValidationError("--inputs and --repeats must be ≥ 1, --train-steps ≥ 0") }
        // Each input draw is a whole differential run; beyond these, a typo (an extra zero or six) only runs out of
        // memory or time.
        guard inputs <= 1000, repeats <= 10_000, trainSteps <= 100_000 else {
            throw ValidationError("--inputs at most 1000, --repeats at most 10000, --train-steps at most 100000")
        }
        guard minTimedMs.isFinite, minTimedMs >= 0, minTimedMs <= 60_000 else { throw ValidationError("--min-timed-ms must be a number of milliseconds from 0 to 60000") }
        // A timeout of 0 or NaN filed a hang on every framework; a NaN learning rate, NaN losses everywhere.
        guard timeout.isFinite, timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
        guard learningRate.isFinite, learningRate > 0 else { throw ValidationError("--learning-rate must be a positive number") }
        if let report { try OutputFile.validate(report, readsFolders: [load, baseline].compactMap { $0 }, store: db.resolvedPath) }
    }

    static func resolve(_ name: String) throws -> ZooEntry {
        if let e = ModelZoo.entry(named: name) { return e }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("give a model name (see `defectlab models list`)") }
        // A family name stands for its shortest member (`lstm` is lstm-regressor, as issue 7's checks spell it);
        // the others it could mean are said, so the choice is never silent.
        let matches = ModelZoo.family(name)
        guard let first = matches.first else {
            throw ValidationError("unknown model '\(name)'; known: \(ModelZoo.entries.map(\.name).joined(separator: ", "))")
        }
        if matches.count > 1 {
            FileHandle.standardError.write(Data("note: '\(name)' is taken as \(first.name) (also: \(matches.dropFirst().map(\.name).joined(separator: ", ")); give the whole name for another)\n".utf8))
        }
        return first
    }

    /// `--baseline`: a zoo name, or a folder when one exists at that path.
    func baselineSubject(_ spec: String) throws -> DiffSubject {
        var isFolder: ObjCBool = false
        // A path (it names a folder, or looks like one) is loaded, so a missing folder says so rather than
        // "unknown model".
        let folder = FileManager.default.fileExists(atPath: spec, isDirectory: &isFolder) && isFolder.boolValue
            || spec.contains("/") || spec.hasPrefix(".") || spec.hasPrefix("~")
        guard let subject = try (folder ? subjects(nil, load: spec) : subjects(spec)).first else {
            throw ValidationError("--baseline \(spec) gives no model")
        }
        return subject
    }

    func subjects(_ model: String?, load: String? = nil) throws -> [DiffSubject] {
        if let model {
            let entry = try Self.resolve(model)
            let prepared = try PreparedModel.prepare(entry, entry.defaults, seed: seed)
            return (0..<inputs).map { i in
                DiffSubject(name: entry.name, graph: prepared.graph, weights: prepared.weights,
                            inputs: i == 0 ? prepared.inputs : entry.inputs(for: prepared.graph, seed: seed &+ 1000 &+ UInt64(i)), seed: seed)
            }
        }
        let bundle = try ModelBundle.load(from: URL(fileURLWithPath: load ?? self.load!))
        var vocab = 1000
        if let e = bundle.graph.nodes.first(where: { $0.op == .embedding }), case .int(let v)? = e.attributes["vocab"] { vocab = v }
        return (0..<inputs).map { i in
            // Each input by its own type (token ids for an integer input beside float features, as in a model
            // with a text and a numeric branch), in the streams `InputGenerator.generate` draws from.
            var values: [String: Tensor] = [:]
            for node in bundle.graph.inputNodes {
                values[node.name] = InputGenerator.tensor(node.output, kind: Self.inputKind(node.output), seed: seed &+ UInt64(i),
                                                          stream: "input." + node.name, vocab: vocab)
            }
            return DiffSubject(name: bundle.graph.name, graph: bundle.graph, weights: bundle.weights, inputs: values, seed: seed)
        }
    }

    static func inputKind(_ type: TensorType) -> InputKind {
        if type.dtype.isInteger { return .tokens }
        return type.rank == 3 ? .sequence : .image
    }

    func run() throws {
        var seen = Set<String>()
        // Each framework once: a repeated name ran twice and counted twice in the oracles' "some"/"all".
        let given = (frameworks == "all" ? FrameworkKind.all : frameworks.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
            .filter { !$0.isEmpty && seen.insert($0).inserted }
        // The float64 reference is the arbiter of every diff, not one of its frameworks: named (as `fuzz` takes
        // it), it is run anyway (it was an unknown framework).
        let names = given.filter { $0.lowercased() != "reference" }
        guard !names.isEmpty else {
            throw ValidationError(given.isEmpty ? "--frameworks names no framework (a comma list, or all)"
                                  : "--frameworks names only the reference, which every diff runs as the arbiter; name a framework to compare with it (or run `defectlab models run NAME` for the reference alone)")
        }
        for n in names where FrameworkKind.base(of: n) == nil {
            throw ValidationError("unknown framework '\(n)'; known: \((FrameworkKind.all + FrameworkKind.variants.keys.sorted()).joined(separator: ", "))")
        }
        var options = DiffOptions(frameworks: names)
        options.repeats = repeats
        options.minTimedMs = minTimedMs
        options.perNode = perNode
        options.trainSteps = trainSteps
        options.learningRate = learningRate
        options.timeout = timeout
        options.thresholds = try oracles.thresholds()
        let mapping = try taxonomy.catalog().loadMapping()
        let pool = WorkerPool(interpreter: try PythonEnvironment.locate().interpreter)
        defer { pool.shutdown() }
        let runner = DiffRunner(pool: pool, mapping: mapping)
        var reports: [DiffReport] = []
        var nodeOrders: [String: [String]] = [:]
        let models = allSeeds ? ModelZoo.entries.map(\.name) : [self.model]
        // The model is read before the baseline runs: a typo must not wait for a whole seed's run to be said.
        let single = allSeeds ? nil : try subjects(self.model)
        // `--baseline`: the seed the model was derived from (see `DiffRunner.run(_:against:)`).
        let seedSubject = try baseline.map(baselineSubject)
        // Opened once the models are read: an unknown model or folder left a new, empty store behind.
        let store = try db.open()
        if let seedSubject, let baseline, let model = single?.first, !DiffRunner.couldBeSeed(seedSubject.graph, of: model.graph) {
            FileHandle.standardError.write(Data("defectlab: warning: --baseline \(InertText.line(baseline)) has other inputs than the model, or no node in common; is it the seed the model was derived from? (a slowdown is judged against its times, and localized against its nodes)\n".utf8))
        }
        for (k, model) in models.enumerated() {
            var graphOrder: [String] = []
            var draws: [(subject: DiffSubject, options: DiffOptions)] = []
            for (i, subject) in try (single ?? subjects(model)).enumerated() {
                if i == 0 { graphOrder = subject.graph.nodes.map(\.name) }
                var o = options
                if i > 0 { o.trainSteps = 0 }
                draws.append((subject, o))
            }
            let judged = try seedSubject.map { try runner.run(draws, against: $0) } ?? draws.map { try runner.run($0.subject, $0.options).report }
            let merged = judged.dropFirst().reduce(judged.first) { merged, report in merged.map { DiffReport.merge($0, report) } }
            guard let report = merged else { continue }
            nodeOrders[report.model] = graphOrder
            try FindingRecorder.record(report, in: store)
            reports.append(report)
            // Progress on stderr (stdout holds the table or the JSON).
            if allSeeds { FileHandle.standardError.write(Data("[\(k + 1)/\(models.count)] diff \(report.model): \(report.findings.count) findings\n".utf8)) }
        }
        if format == .json {
            print(InertText.json(reports.count == 1 ? reports[0].json() : "[" + reports.map { $0.json() }.joined(separator: ",\n") + "]"))
        } else {
            // Framework error text and a loaded model's names are anyone's: drawn inert, never as terminal controls.
            for r in reports { print(InertText.neutralize(r.table() + (perNode ? "\n" + r.perNodeTable(order: names, graphOrder: nodeOrders[r.model] ?? []) : ""))) }
        }
        // The summary file after the tables are printed: a path that cannot be written loses nothing shown.
        if let path = report { try OutputFile.write(DiffSummary.markdown(reports), to: path) }
        // A framework asked for that could not run is a broken set-up, not a result: said, and the exit status
        // fails (the other frameworks' results and findings are printed and stored).
        let notStarted = reports.flatMap(\.notStarted)
        if let first = notStarted.first {
            let names = Set(notStarted.map(\.name)).sorted().joined(separator: ", ")
            throw OracleError(.notStarted, "\(names) did not start: \(first.message?.split(separator: "\n").first.map(String.init) ?? "")")
        }
    }
}
