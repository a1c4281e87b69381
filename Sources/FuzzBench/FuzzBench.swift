import Foundation
import Fuzz
import ModelIR
import Store
import Taxonomy

/// `make bench` for the fuzzer: a short campaign per seed on the five real framework workers (`--python` or
/// $DEFECTLAB_PYTHON; see `OrchestrationBench`) — valid mutants per hour against a baseline measured in the same
/// run, the wall-time split and the orchestration share — and each guidance against `random` over a fixed
/// budget (unique findings and coverage reached). `fuzz-bench workers ...` is the workers' protocol-overhead driver (`WorkerOverheadBench`).
@main
enum FuzzBench {
    static func main() throws {
        var args = CommandLine.arguments.dropFirst()
        if args.first == "workers" { return try WorkerOverheadBench.run(Array(args.dropFirst())) }
        var guidanceBudget = 150, workerBudget = 8
        var guidanceSeeds: [UInt64] = [1, 2, 3]
        var workerSeeds = ["lenet5", "lstm-regressor", "textcnn", "mobilenetv2", "resnet50"]
        var workerFrameworks = ["pytorch", "onnxruntime", "tensorflow", "jax", "mindspore"]
        var python = ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"]
        var only: String?
        while let a = args.popFirst() {
            switch a {
            case "--guidance-budget": guidanceBudget = Int(args.popFirst() ?? "") ?? guidanceBudget
            case "--guidance-seeds": guidanceSeeds = (args.popFirst() ?? "").split(separator: ",").compactMap { UInt64($0) }
            case "--python": python = args.popFirst()
            case "--worker-seeds": workerSeeds = (args.popFirst() ?? "").split(separator: ",").map(String.init)
            case "--worker-frameworks": workerFrameworks = (args.popFirst() ?? "").split(separator: ",").map(String.init)
            case "--worker-budget": workerBudget = Int(args.popFirst() ?? "") ?? workerBudget
            case "--only": only = args.popFirst()
            default: FileHandle.standardError.write(Data("fuzz-bench: unknown argument \(a)\n".utf8)); exit(64)
            }
        }
        let mapping = try TaxonomyCatalog.locate().loadMapping()
        if only == nil || only == "orchestration" {
            guard let python else {
                FileHandle.standardError.write(Data("fuzz-bench: no framework interpreter: set DEFECTLAB_PYTHON or pass --python (make bench does)\n".utf8))
                exit(1)
            }
            try OrchestrationBench.run(python: python, seeds: workerSeeds, frameworks: workerFrameworks, budget: workerBudget, mapping: mapping)
        }
        if only == "orchestration" { return }
        guard only == nil || only == "guidance" else {
            FileHandle.standardError.write(Data("fuzz-bench: --only orchestration|guidance\n".utf8))
            exit(64)
        }
        let executors = try FrameworkRegistry.resolve("all")
        print("== fuzz: guidance against random, \(guidanceBudget) mutants on lenet5,alexnet per campaign seed (\(guidanceSeeds.map(String.init).joined(separator: ","))), reference + fault-injection framework (7 planted defects)")
        let planted = ["Pad=crash", "BatchNorm=wrong", "GELU=nan", "Dropout=load", "GroupNorm=error", "HardSwish=wrong", "Split=nan"].map { try! PlantedDefect(parsing: $0) }
        let faulty = executors + [FaultInjectionExecutor(defects: planted)]
        // Over several campaign seeds: one campaign's count of a handful of planted defects is mostly luck.
        print("guidance   unique findings (mean, per seed)   coverage (mean)   vs random (findings, coverage)")
        var baseline: (Double, Double)?
        for kind in [GuidanceKind.random, .mcmc, .coverage, .bandit] {
            var found: [Int] = [], covered: [Int] = []
            for campaignSeed in guidanceSeeds {
                let config = CampaignConfig(seeds: ["lenet5", "alexnet"], frameworks: faulty.map(\.name), guidance: kind, operators: OperatorCatalog.all.map(\.name),
                                            seed: campaignSeed, planted: planted.map(\.description), budget: .mutants(guidanceBudget))
                let s = try CampaignEngine(config: config, operators: OperatorCatalog.all, executors: faulty, oracles: MutantOracles(mapping: mapping), store: nil).run()
                found.append(s.uniqueFindings.filter { !$0.isPerformance }.count)
                covered.append(s.coverage)
            }
            let f = Double(found.reduce(0, +)) / Double(found.count), c = Double(covered.reduce(0, +)) / Double(covered.count)
            if baseline == nil { baseline = (f, c) }
            print(String(format: "%@ %6.1f  %-22@ %9.1f         %.2fx, %.2fx", kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0), f,
                         found.map(String.init).joined(separator: ",") as NSString, c, f / max(baseline!.0, 1e-9), c / max(baseline!.1, 1e-9)))
        }
    }
}
