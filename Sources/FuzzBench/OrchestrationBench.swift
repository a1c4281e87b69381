import Foundation
import Fuzz
import ModelIR
import Store
import Taxonomy
import Workers

/// The campaign's orchestration share on real framework workers: a short campaign per small seed, and the share
/// of wall time spent outside the workers (mutation + validity + hash, the float64 reference, oracles, store,
/// guidance) — the issue's target is ≤ 10%. Workers are started before the clock runs (start-up is the
/// frameworks' import, not orchestration).
enum OrchestrationBench {
    static func run(python: String, seeds: [String], frameworks: [String], budget: Int, mapping: FuzzMapping) throws {
        let pool = WorkerPool(interpreter: python)
        defer { pool.shutdown() }
        let started = pool.start(frameworks)
        let live = frameworks.filter { if case .success? = started[$0] { true } else { false } }
        guard !live.isEmpty else { print("== fuzz on workers: no worker started (\(started))"); return }
        let executors: [any MutantExecutor] = live.map { WorkerExecutor(name: $0, pool: pool) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-bench-workers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = CampaignStore(store: try DefectLabStore.open(path: dir.appendingPathComponent("bench.sqlite").path))
        print("== fuzz on workers (\(live.joined(separator: ", "))): \(budget) mutants per seed, random guidance, every operator")
        print("seed            valid  wall s  orchestration  split of wall (mutation+validity [hash] / reference / workers / oracles / store / other)")
        var totalWall = 0.0, totalWorkers = 0.0
        for seed in seeds {
            let config = CampaignConfig(seeds: [seed], frameworks: live, guidance: .random, operators: OperatorCatalog.all.map(\.name),
                                        seed: 1, budget: .mutants(budget))
            let s = try CampaignEngine(config: config, operators: OperatorCatalog.all, executors: executors, oracles: MutantOracles(mapping: mapping),
                                       store: store).run()
            let share = { (k: String) in 100 * (s.split[k] ?? 0) / s.wallSeconds }
            let accounted = ["mutation", "reference", "workers", "oracles", "store"].map(share).reduce(0, +)
            let orchestration = 100 - share("workers")
            totalWall += s.wallSeconds
            totalWorkers += s.split["workers"] ?? 0
            print(String(format: "%@ %6d %7.1f %10.1f%%      %.1f%% [%.1f%%] / %.1f%% / %.1f%% / %.1f%% / %.1f%% / %.1f%%",
                         seed.padding(toLength: 15, withPad: " ", startingAt: 0), s.statusCounts["legal", default: 0], s.wallSeconds, orchestration,
                         share("mutation"), share("hash"), share("reference"), share("workers"), share("oracles"), share("store"), 100 - accounted))
        }
        print(String(format: "overall orchestration share %.1f%% of %.1f s (target ≤ 10%%)", 100 * (1 - totalWorkers / max(totalWall, 1e-9)), totalWall))
    }
}
