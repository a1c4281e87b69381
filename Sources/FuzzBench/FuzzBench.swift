import Foundation
import Fuzz
import ModelIR
import Store
import Taxonomy

/// `make bench` for the fuzzer: the orchestration share of a short campaign on real framework workers (with
/// `--python` or $DEFECTLAB_PYTHON; see `OrchestrationBench`), valid mutants per hour per seed with the
/// wall-time split, as a ratio against a baseline measured in the same run (plain executions of the seed on the
/// same executors), and each guidance against `random` over a fixed budget (unique findings and coverage
/// reached). `fuzz-bench workers ...` is the workers' protocol-overhead driver (`WorkerOverheadBench`).
@main
enum FuzzBench {
    static func main() throws {
        var args = CommandLine.arguments.dropFirst()
        if args.first == "workers" { return try WorkerOverheadBench.run(Array(args.dropFirst())) }
        var budget = 60, guidanceBudget = 150, workerBudget = 60
        var seeds = ["lenet5", "alexnet", "vgg16", "resnet50", "mobilenetv2"]
        var workerSeeds = ["lenet5", "mobilenetv2", "lstm-regressor"], workerFrameworks = ["pytorch", "onnxruntime"]
        var python = ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"]
        var only: String?
        while let a = args.popFirst() {
            switch a {
            case "--budget": budget = Int(args.popFirst() ?? "") ?? budget
            case "--guidance-budget": guidanceBudget = Int(args.popFirst() ?? "") ?? guidanceBudget
            case "--seeds": seeds = (args.popFirst() ?? "").split(separator: ",").map(String.init)
            case "--python": python = args.popFirst()
            case "--worker-seeds": workerSeeds = (args.popFirst() ?? "").split(separator: ",").map(String.init)
            case "--worker-frameworks": workerFrameworks = (args.popFirst() ?? "").split(separator: ",").map(String.init)
            case "--worker-budget": workerBudget = Int(args.popFirst() ?? "") ?? workerBudget
            case "--only": only = args.popFirst()
            default: FileHandle.standardError.write(Data("fuzz-bench: unknown argument \(a)\n".utf8)); exit(64)
            }
        }
        let mapping = try TaxonomyCatalog.locate().loadMapping()
        if let python, only == nil || only == "orchestration" {
            try OrchestrationBench.run(python: python, seeds: workerSeeds, frameworks: workerFrameworks, budget: workerBudget, mapping: mapping)
        } else if only == "orchestration" {
            print("== fuzz on workers: skipped (set DEFECTLAB_PYTHON or --python to the framework venv)")
        }
        if only == "orchestration" { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = CampaignStore(store: try DefectLabStore.open(path: dir.appendingPathComponent("bench.sqlite").path))
        let executors = try FrameworkRegistry.resolve("all")
        print("== fuzz: valid mutants per hour per seed (frameworks: \(executors.map(\.name).joined(separator: ", ")); the campaign on worker frameworks is the section above)")
        print("   baseline: the same executors running the unmutated seed back to back, measured now")
        print("seed          valid/h     baseline/h  ratio   orchestration  split (mutation+validity [hash] / reference / workers / oracles / store)")
        for seed in seeds {
            let model = try FuzzModel.seed(named: seed, seed: 1)
            let inputs = model.inputs()
            let reps = 20
            let t0 = Date()
            for _ in 0..<reps {
                let arbiter = ArbiterRun.run(model, inputs: inputs)
                _ = executors.map { $0.execute(model, inputs: inputs, arbiter: arbiter) }
            }
            let baselinePerHour = Double(reps) / Date().timeIntervalSince(t0) * 3600
            let config = CampaignConfig(seeds: [seed], frameworks: executors.map(\.name), guidance: .random, operators: OperatorCatalog.all.map(\.name),
                                        seed: 1, budget: .mutants(budget))
            let s = try CampaignEngine(config: config, operators: OperatorCatalog.all, executors: executors, oracles: MutantOracles(mapping: mapping),
                                       store: store).run()
            let valid = s.statusCounts["legal", default: 0]
            let perHour = Double(valid) / s.wallSeconds * 3600
            let share = { (k: String) in 100 * (s.split[k] ?? 0) / s.wallSeconds }
            // Everything but running the model on the frameworks (the reference is the only framework here).
            let orchestration = 100 - share("workers") - share("reference")
            print(String(format: "%@ %10.0f %12.0f %6.2fx %9.1f%%      %.1f%% [%.1f%%] / %.1f%% / %.1f%% / %.1f%% / %.1f%%", seed.padding(toLength: 12, withPad: " ", startingAt: 0),
                         perHour, baselinePerHour, perHour / baselinePerHour, orchestration, share("mutation"), share("hash"), share("reference"), share("workers"),
                         share("oracles"), share("store")))
        }

        print("== fuzz: guidance against random, \(guidanceBudget) mutants on lenet5,alexnet, reference + fault-injection framework (7 planted defects)")
        let planted = ["Pad=crash", "BatchNorm=wrong", "GELU=nan", "Dropout=load", "GroupNorm=error", "HardSwish=wrong", "Split=nan"].map { try! PlantedDefect(parsing: $0) }
        let faulty = executors + [FaultInjectionExecutor(defects: planted)]
        var baseline: (Int, Int)?
        print("guidance   unique findings  coverage   vs random (findings, coverage)")
        for kind in [GuidanceKind.random, .mcmc, .coverage, .bandit] {
            let config = CampaignConfig(seeds: ["lenet5", "alexnet"], frameworks: faulty.map(\.name), guidance: kind, operators: OperatorCatalog.all.map(\.name),
                                        seed: 1, planted: planted.map(\.description), budget: .mutants(guidanceBudget))
            let s = try CampaignEngine(config: config, operators: OperatorCatalog.all, executors: faulty, oracles: MutantOracles(mapping: mapping), store: nil).run()
            let deterministic = s.uniqueFindings.filter { !$0.isPerformance }.count
            if baseline == nil { baseline = (deterministic, s.coverage) }
            print(String(format: "%@ %15d %9d   %.2fx, %.2fx", kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0), deterministic, s.coverage,
                         Double(deterministic) / Double(max(baseline!.0, 1)), Double(s.coverage) / Double(max(baseline!.1, 1))))
        }
    }
}
