import Foundation
import Fuzz
import ModelIR
import Oracles
import Store
import Taxonomy
import Workers

/// The campaign on real framework workers (all five by default), per seed at default size: valid mutants per
/// hour, against a baseline measured in the same run (the unmutated seed through the same executors and the
/// float64 reference back to back: what an hour of the frameworks alone would run), and the split of wall time
/// (mutation + validity + hash, the float64 reference, workers, oracles, store). Orchestration is everything
/// outside the workers; the issue's target is ≤ 10%. Workers are started before the clock runs (start-up is
/// the frameworks' import, not orchestration).
enum OrchestrationBench {
    static func run(python: String, seeds: [String], frameworks: [String], budget: Int, mapping: FuzzMapping) throws {
        let pool = WorkerPool(interpreter: python)
        defer { pool.shutdown() }
        let started = pool.start(frameworks)
        let live = frameworks.filter { if case .success? = started[$0] { true } else { false } }
        guard !live.isEmpty else { print("== fuzz on workers: no worker started (\(started))"); return }
        if live.count < frameworks.count { print("!! not started: \(frameworks.filter { !live.contains($0) }.joined(separator: ", "))") }
        let executors: [any MutantExecutor] = live.map { WorkerExecutor(name: $0, pool: pool) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-bench-workers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = CampaignStore(store: try DefectLabStore.open(path: dir.appendingPathComponent("bench.sqlite").path))
        print("== fuzz on workers (\(live.joined(separator: ", "))): \(budget) mutants per seed at default size, random guidance, every operator")
        print("   baseline: the unmutated seed through the same workers and the reference, back to back, measured now")
        print("seed            valid  wall s   valid/h  baseline/h  ratio  orchestration  split of wall (mutation+validity [hash] / reference / workers / oracles / store / other)")
        var totalWall = 0.0, totalWorkers = 0.0
        for seed in seeds {
            let model = try FuzzModel.seed(named: seed, seed: 1)
            let inputs = model.inputs()
            _ = executors.map { $0.execute(model, inputs: inputs, arbiter: ArbiterRun.run(model, inputs: inputs)) }   // warm: first build pays one-off costs
            let reps = 3, t0 = Date()
            for _ in 0..<reps {
                let arbiter = ArbiterRun.run(model, inputs: inputs)
                _ = executors.map { $0.execute(model, inputs: inputs, arbiter: arbiter) }
            }
            let baselinePerHour = Double(reps) / Date().timeIntervalSince(t0) * 3600
            let config = CampaignConfig(seeds: [seed], frameworks: live, guidance: .random, operators: OperatorCatalog.all.map(\.name),
                                        seed: 1, budget: .mutants(budget))
            let s = try CampaignEngine(config: config, operators: OperatorCatalog.all, executors: executors,
                                       oracles: MutantOracles(mapping: mapping), store: store).run()
            let share = { (k: String) in 100 * (s.split[k] ?? 0) / s.wallSeconds }
            let accounted = ["mutation", "reference", "workers", "oracles", "store"].map(share).reduce(0, +)
            let orchestration = 100 - share("workers")
            let valid = s.statusCounts["legal", default: 0]
            let perHour = Double(valid) / s.wallSeconds * 3600
            totalWall += s.wallSeconds
            totalWorkers += s.split["workers"] ?? 0
            print(String(format: "%@ %6d %7.1f %9.0f %11.0f %5.2fx %10.1f%%      %.1f%% [%.1f%%] / %.1f%% / %.1f%% / %.1f%% / %.1f%% / %.1f%%",
                         seed.padding(toLength: 15, withPad: " ", startingAt: 0), valid, s.wallSeconds, perHour, baselinePerHour, perHour / baselinePerHour,
                         orchestration, share("mutation"), share("hash"), share("reference"), share("workers"), share("oracles"), share("store"),
                         100 - accounted))
        }
        print(String(format: "overall orchestration share %.1f%% of %.1f s (target ≤ 10%%)", 100 * (1 - totalWorkers / max(totalWall, 1e-9)), totalWall))
    }
}
