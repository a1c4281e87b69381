import ArgumentParser
import Doctor
import Foundation
import JSONText
import Synchronization
import Fuzz
import ModelIR
import Oracles
import Taxonomy
import Workers

/// The worker pools a command started (one per interpreter), shut down when it ends.
final class WorkerPools: @unchecked Sendable {
    private var pools: [String: WorkerPool] = [:]
    private let lock = NSLock()

    func pool(_ interpreter: String) -> WorkerPool {
        lock.lock(); defer { lock.unlock() }
        if let p = pools[interpreter] { return p }
        let p = WorkerPool(interpreter: interpreter)
        pools[interpreter] = p
        return p
    }

    func shutdown() {
        lock.lock(); defer { lock.unlock() }
        for p in pools.values { p.shutdown() }
        pools = [:]
    }
}

/// Options shared by `fuzz` and `study`: which seeds, operators and frameworks, planted defects, oracles.
struct FuzzTargetOptions: ParsableArguments {
    @Option(help: "Frameworks: all, or a comma list (reference; pytorch, onnxruntime, tensorflow, jax, mindspore and variants when the venv is set up; faulty with --plant). Default: all for fuzz, reference for study.")
    var frameworks: String?
    @Option(name: .customLong("framework"), help: "NAME=PYTHON: run framework NAME from another interpreter (repeatable). To compare two releases, name the second FRAMEWORK@TAG: --frameworks pytorch,pytorch@old --framework pytorch@old=/opt/old/bin/python.")
    var interpreters: [String] = []
    @Option(help: "Operators: names (LA,GF,...) or groups study, peers, developer, all.")
    var ops = "all"
    @Option(name: .customLong("plant"), help: "OP=KIND: plant a defect in the 'faulty' test framework (crash, error, load, nan, wrong, slow, memory); repeatable.")
    var plants: [String] = []
    @OptionGroup var oracles: OracleOptions
    @Option(help: "Seconds a framework worker may take on one mutant before it is killed and the step is filed as a hang (B3).")
    var timeout: Double = WorkerExecutor.defaultTimeout
    @Option(help: "Random seed: seed-model weights, inputs and every mutation choice derive from it.")
    var seed: UInt64 = 1
    @OptionGroup var taxonomy: TaxonomyOptions

    /// The plants, each once: the same plant named twice is one (it started a second campaign), and two kinds
    /// on one op are refused (only one of them could ever act, and both were reported as planted).
    func planted() throws -> [PlantedDefect] {
        var out: [PlantedDefect] = []
        for text in plants {
            let plant = try PlantedDefect(parsing: text)
            if out.contains(plant) { continue }
            if let other = out.first(where: { $0.op == plant.op }) {
                throw ValidationError("--plant \(other.description) and --plant \(plant.description) plant two defects in one op; plant one kind per op")
            }
            out.append(plant)
        }
        return out
    }

    /// Usage errors (exit 64, as ArgumentParser's own) before anything runs: an unknown operator, seed model
    /// or planted defect (an unknown --ops or --seeds exited 1, as if a run had failed).
    func validateNames(seeds: String) throws {
        do {
            _ = try planted()
            _ = try operators()
        } catch let error as MutationError {
            throw ValidationError(error.detail)
        } catch let error as CampaignError {
            throw ValidationError(error.detail)
        }
        // A timeout of 0 or NaN filed a hang on every framework (as `diff --timeout` refuses it).
        guard timeout.isFinite, timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
        let seedNames = seeds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if seedNames.isEmpty { throw ValidationError("no seed models: --seeds names none (see `defectlab models list`)") }
        // An empty --frameworks ran every framework, as `all` does: a typo'd variable in a script, not a choice.
        if let frameworks, frameworks.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--frameworks names no framework (a comma list, or all)")
        }
        if plants.isEmpty, let frameworks, frameworks.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == "faulty" }) {
            throw ValidationError("framework 'faulty' needs defects: --plant OP=KIND (e.g. Pad=crash)")
        }
        if !plants.isEmpty, let frameworks, frameworks.lowercased() != "all",
           !frameworks.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == "faulty" }) {
            throw ValidationError("--plant needs the 'faulty' framework: add it to --frameworks (or use all)")
        }
        for name in seedNames where ModelZoo.entry(named: name) == nil && ModelZoo.family(name).isEmpty {
            throw ValidationError("unknown seed model '\(name)'; see `defectlab models list`")
        }
    }

    /// `--seeds` as zoo names: a family name is its shortest member, as in `diff --model` (a note names the
    /// others), so the campaign's identity holds the model it ran.
    func seedModels(_ seeds: String) throws -> [String] {
        // Each seed once, in the order first named: `lenet5,lenet5` started a second campaign of the same mutants.
        var names: [String] = []
        for spec in seeds.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ !$0.isEmpty }) {
            let name = try DiffCommand.resolve(spec).name
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// `defaultFrameworks` when --frameworks is not given. Worker frameworks need the venv (`make setup`, or
    /// $DEFECTLAB_PYTHON); without it `all` is the reference alone.
    /// `--framework NAME=PYTHON`, by lower-case name.
    func interpreterMap() throws -> [String: String] {
        var map: [String: String] = [:]
        for item in interpreters {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--framework must be NAME=PYTHON, got '\(item)'") }
            map[parts[0].lowercased()] = parts[1]
        }
        return map
    }

    /// What of the set-up besides seeds, operators and frameworks is part of a campaign's identity.
    func identity(_ config: inout CampaignConfig) throws {
        let thresholds = try oracles.thresholds()
        config.oracles = thresholds == OracleThresholds() ? nil : thresholds
        let map = try interpreterMap()
        config.interpreters = map.isEmpty ? nil : map
        config.workerTimeout = timeout == WorkerExecutor.defaultTimeout ? nil : timeout
    }

    func executors(pools: WorkerPools, defaultFrameworks: String) throws -> [any MutantExecutor] {
        let interpreterMap = try interpreterMap()
        let located = Result { try PythonEnvironment.locate().interpreter }
        let python = try? located.get()
        let known = Set(FrameworkKind.all + FrameworkKind.variants.keys)
        // Without the framework venv, `all` (or a worker framework) cannot mean what it says: said, as `diff`
        // says it, rather than a campaign on the reference alone that finds nothing and looks like a result.
        if python == nil, interpreterMap.isEmpty, case .failure(let error) = located {
            let asked = (frameworks ?? defaultFrameworks).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            let workers = asked.filter { known.contains(String($0.split(separator: "@").first ?? "")) }
            if asked.isEmpty || asked == ["all"] || !workers.isEmpty {
                throw ValidationError("\(error); \(workers.isEmpty ? "--frameworks all" : workers.joined(separator: ", ")) needs the framework workers"
                                      + " (to fuzz on the float64 reference alone: --frameworks reference\(try planted().isEmpty ? "" : ",faulty"))")
            }
        }
        let workers: (names: [String], make: (String, String?) throws -> (any MutantExecutor)?)? = python == nil && interpreterMap.isEmpty ? nil : (
            python == nil ? [] : FrameworkKind.all,
            { name, interpreter in
                // `pytorch@2.1` with --framework pytorch@2.1=/opt/torch21/bin/python: the pytorch worker under that interpreter.
                let base = String(name.split(separator: "@").first ?? "")
                guard known.contains(base), let exe = interpreter ?? python else { return nil }
                var executor = WorkerExecutor(name: name, framework: base, pool: pools.pool(exe))
                executor.timeout = timeout
                return executor
            })
        return try FrameworkRegistry.resolve(frameworks ?? defaultFrameworks, planted: try planted(), interpreters: interpreterMap, workers: workers)
    }

    func operators() throws -> [any MutationOperator] { try OperatorCatalog.parse(ops) }

    func oracleSuite() throws -> MutantOracles {
        MutantOracles(mapping: try taxonomy.catalog().loadMapping(), thresholds: try oracles.thresholds())
    }
}

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Run (or resume) a model-mutation fuzzing campaign.",
        discussion: "Every mutant is recorded in the store with its lineage, hash, validity, per-framework status and verdicts; "
            + "every finding is filed under its taxonomy subtype. The same command resumes a killed campaign; the same seed gives "
            + "the same mutants. --shard i/N (0-based) runs one deterministic shard of N; `defectlab merge` folds shard databases.")

    @Option(help: "Seed models (comma list; see `models list`).")
    var seeds = "lenet5"
    @Option(help: "Mutant count (2000) or wall time (90s, 30m, 2h).")
    var budget = "200"
    @Option(help: "random, mcmc, coverage or bandit.")
    var guidance = "mcmc"
    @Option(help: "Highest mutation order a parent may reach.")
    var maxOrder = 3
    @Option(help: "backbone, head or any.")
    var position = "any"
    @Option(help: "i/N: run shard i (0-based) of N.")
    var shard = "0/1"
    @Option(help: "table or json.")
    var format: OutputFormat = .table
    @OptionGroup var target: FuzzTargetOptions
    @OptionGroup var database: DatabaseOptions

    /// Usage errors exit 64 like every other one (a bad --budget, --shard or --plant exited 1, as if the run failed).
    func validate() throws {
        do {
            _ = try ShardSpec(parsing: shard)
            _ = try Budget(parsing: budget)
        } catch {
            throw ValidationError(error.detail)
        }
        try target.validateNames(seeds: seeds)
    }

    func run() throws {
        guard let guidanceKind = GuidanceKind(rawValue: guidance) else { throw ValidationError("--guidance must be random, mcmc, coverage or bandit") }
        guard let positionValue = Position(rawValue: position) else { throw ValidationError("--position must be backbone, head or any") }
        guard maxOrder >= 1 else { throw ValidationError("--max-order must be ≥ 1") }
        let operators = try target.operators()
        let pools = WorkerPools()
        defer { pools.shutdown() }
        let executors = try target.executors(pools: pools, defaultFrameworks: "all")
        var config = CampaignConfig(seeds: try target.seedModels(seeds), frameworks: executors.map(\.name), guidance: guidanceKind,
                                    operators: operators.map(\.name), maxOrder: maxOrder, position: positionValue, seed: target.seed,
                                    shard: try ShardSpec(parsing: shard), planted: try target.planted().map(\.description),
                                    budget: try Budget(parsing: budget))
        try target.identity(&config)
        let store = CampaignStore(store: try database.open())
        let engine = CampaignEngine(config: config, operators: operators, executors: executors, oracles: try target.oracleSuite(), store: store)
        // Ctrl-C (or a SIGTERM from a scheduler) finishes the step under way, stores it and marks the campaign
        // paused, instead of leaving it "running" with its workers killed mid-request; a second one exits at once.
        let interrupted = InterruptFlag.install()
        engine.shouldStop = { interrupted.isSet }
        let tty = isatty(2) == 1
        var lastPrint = Date.distantPast
        var latest: CampaignProgress?, printedStep = -1
        engine.onProgress = { p in
            latest = p
            let now = Date()
            guard now.timeIntervalSince(lastPrint) > (tty ? 0.2 : 5) else { return }
            lastPrint = now
            printedStep = p.step
            let text = (tty ? "\r\u{1B}[K" : "") + p.line + (tty ? "" : "\n")
            FileHandle.standardError.write(Data(text.utf8))
        }
        let summary = try engine.run()
        if summary.storedSteps > summary.steps, summary.status == "finished" {
            // A stop while a finished campaign was being replayed changes nothing: it is no pause, and the budget
            // was not smaller (the note said "more than this budget" of a budget that equalled what it held).
            let note = interrupted.isSet
                ? "note: stopped while replaying: the campaign is finished and unchanged (\(summary.storedSteps) mutants stored); this summary covers the first \(summary.steps) replayed (reports cover all of them)"
                : "note: the campaign already holds \(summary.storedSteps) mutants, more than this budget; this summary covers the first \(summary.steps) (reports cover all of them)"
            FileHandle.standardError.write(Data((note + "\n").utf8))
        }
        // The final state, always: a time budget has no last step to recognise.
        if let latest, tty || latest.step != printedStep { FileHandle.standardError.write(Data(((tty ? "\r\u{1B}[K" : "") + latest.line + "\n").utf8)) }
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            // snake_case like every other JSON the tool writes (`diff`, `report`, `study`); map keys (operator
            // names, subtype IDs) are left as they are.
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            print(InertText.json(String(decoding: try encoder.encode(summary), as: UTF8.self)))
        } else {
            // A finding's detail quotes the framework's error text: drawn inert, never as terminal controls.
            print(InertText.neutralize(CampaignReport.text(summary, config: config, database: database.resolvedPath)))
        }
        // A campaign stopped before its budget is not done: a scheduler (a Job's restartPolicy: OnFailure, Slurm's
        // afterok) must see that and run the same command again, which resumes it. Exit 3, as a crawl stopped by
        // --max-requests.
        if summary.status == "paused" {
            FileHandle.standardError.write(Data("defectlab: the campaign is paused before its budget; run the same command to resume it (exit status 3)\n".utf8))
            throw ExitCode(3)
        }
    }
}

/// The end-of-campaign text: what was made, what was found, where the time went, where the report is.
enum CampaignReport {
    static func text(_ s: CampaignSummary, config: CampaignConfig, database: String) -> String {
        var lines = ["campaign \(s.campaignID.map(String.init) ?? "-") (shard \(config.shard), seed \(config.seed), \(config.guidance.rawValue), frameworks \(config.frameworks.joined(separator: ","))): \(s.steps) mutants\(s.replayed > 0 ? ", \(s.replayed) replayed from the store" : "")"]
        lines.append("status: " + s.statusCounts.keys.sorted().map { "\($0) \(s.statusCounts[$0]!)" }.joined(separator: ", "))
        lines.append("coverage: \(s.coverage) IR items")
        let total = max(s.wallSeconds, 1e-9)
        lines.append(String(format: "wall %.2f s: ", s.wallSeconds) + ["mutation", "reference", "workers", "oracles", "store"].map {
            String(format: "%@ %.1f%%", $0, 100 * (s.split[$0] ?? 0) / total)
        }.joined(separator: ", "))
        if s.uniqueFindings.isEmpty {
            lines.append("unique findings: none")
        } else {
            lines.append("unique findings: \(s.uniqueFindings.count)")
            for f in s.uniqueFindings {
                lines.append("  \(f.subtype)  \(f.framework)  \(f.symptom.rawValue) at \(f.stage?.rawValue ?? "?") in \(f.op) (\(f.scope.rawValue)): \(f.detail)")
            }
        }
        lines.append("report: \(database) (tables campaign, mutant, campaign_finding; campaign id \(s.campaignID.map(String.init) ?? "-"))")
        return lines.joined(separator: "\n")
    }
}

/// Set by the first SIGINT, SIGTERM or SIGHUP (a closed terminal or a dropped ssh session: it killed a study
/// with nothing stored); the second ends the process as the default action would.
final class InterruptFlag: @unchecked Sendable {  // the sources are only kept alive
    private let flag = Atomic<Bool>(false)
    private let sources: [any DispatchSourceSignal]

    private init(sources: [any DispatchSourceSignal]) { self.sources = sources }

    var isSet: Bool { flag.load(ordering: .relaxed) }

    static func install(what: String = "the campaign") -> InterruptFlag {
        let queue = DispatchQueue(label: "defectlab.interrupt")
        let made = [SIGINT, SIGTERM, SIGHUP].map { number -> (Int32, any DispatchSourceSignal) in
            signal(number, SIG_IGN)
            return (number, DispatchSource.makeSignalSource(signal: number, queue: queue))
        }
        let interrupt = InterruptFlag(sources: made.map(\.1))
        for (number, source) in made {
            source.setEventHandler {
                // The second one ends the process now. Not by raising the signal again: libdispatch keeps it
                // blocked in every thread and would only deliver it to this handler once more.
                // Raw writes, errors ignored: after a hang-up the terminal answers EIO, on which FileHandle traps.
                func say(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) } }
                if interrupt.flag.exchange(true, ordering: .relaxed) {
                    say("\nquitting now: \(what) stays marked running until the same command resumes it\n")
                    _exit(128 + number)
                }
                say("\nstopping after this step (\(what) is kept: run the same command to go on; again to quit now)\n")
            }
            source.resume()
        }
        return interrupt
    }
}
