import Seeding
import Foundation
import GRDB
import Testing
@testable import Fuzz
import ModelIR
import Workers
import Store
import Taxonomy
import Oracles

@Suite struct CampaignTests {
    @Test(arguments: GuidanceKind.allCases)
    func sameSeedGivesIdenticalMutantHashes(guidance: GuidanceKind) throws {
        let config = FuzzTestSupport.config(guidance: guidance, seed: 11, budget: 25)
        let a = try FuzzTestSupport.engine(config).run()
        let b = try FuzzTestSupport.engine(config).run()
        #expect(a.hashes == b.hashes)
        #expect(a.hashes.count == 25)
        #expect(a.statusCounts["legal", default: 0] > 10)
        var other = config
        other.seed = 12
        #expect(try FuzzTestSupport.engine(other).run().hashes != a.hashes)
    }

    /// A campaign's key is its identity: it must encode whatever thresholds it holds (an infinite one made the
    /// key "fuzz:r2:", shared by every such campaign, so one resumed another).
    @Test func aKeyNeverComesOutEmpty() {
        var a = FuzzTestSupport.config(), b = FuzzTestSupport.config(seeds: ["alexnet"], seed: 99)
        var infinite = OracleThresholds()
        infinite.slowdownFloorMs = .infinity
        a.oracles = infinite
        b.oracles = infinite
        #expect(a.key.count > "fuzz:r2:".count + 20 && a.key != b.key && a.key.contains("inf"))
        #expect(!a.json.isEmpty)
        // A worker timeout other than the default is part of the identity; the default leaves keys as they were.
        var timed = a
        timed.workerTimeout = 5
        #expect(timed.key != a.key && !a.key.contains("workerTimeout"))
    }

    /// `finished_at` is when the budget was used up: none while paused, and a run that only replays a finished
    /// campaign keeps the time it finished (a second `make run` moved it).
    @Test func finishedAtIsWhenTheBudgetWasSpent() throws {
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = FuzzTestSupport.config(seed: 23, budget: 6)
        func finished() throws -> String? { try store.store.read { try String.fetchOne($0, sql: "SELECT finished_at FROM campaign") } }
        _ = try FuzzTestSupport.engine(config, store: store).run(stopAfter: 3)
        #expect(try finished() == nil)
        _ = try FuzzTestSupport.engine(config, store: store).run()
        let first = try #require(try finished())
        try store.store.write { try $0.execute(sql: "UPDATE campaign SET finished_at = '2000-01-01T00:00:00Z'") }
        let again = try FuzzTestSupport.engine(config, store: store).run()
        #expect(again.replayed == 6 && again.status == "finished")
        #expect(try finished() == "2000-01-01T00:00:00Z", "a replay-only run kept \(first)")
        // A stop during the replay ends it at once, and a finished campaign stays finished.
        let stopped = try FuzzTestSupport.engine(config, store: store)
        stopped.shouldStop = { true }
        let early = try stopped.run()
        #expect(early.steps == 0 && early.status == "finished" && early.storedSteps == 6)
        #expect(try finished() == "2000-01-01T00:00:00Z")
        // A replay killed part-way (nothing after opening the campaign) leaves it as it was, not "running".
        _ = try store.campaign(key: config.key, kind: "fuzz", config: config.json, seed: config.seed, shard: config.shard)
        #expect(try store.store.read { try String.fetchOne($0, sql: "SELECT status FROM campaign") } == "finished")
    }

    /// The configuration stored with a campaign (and shown by every report) is the one it last ran further
    /// under: a resume with a larger budget replaced it; a smaller one that only replays does not.
    @Test func aLargerBudgetIsTheCampaignsStoredBudget() throws {
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        func storedBudget() throws -> Budget? {
            let json = try store.store.read { try String.fetchOne($0, sql: "SELECT config_json FROM campaign") } ?? "{}"
            return try JSONDecoder().decode(CampaignConfig.self, from: Data(json.utf8)).budget
        }
        var config = FuzzTestSupport.config(seed: 29, budget: 3)
        _ = try FuzzTestSupport.engine(config, store: store).run()
        #expect(try storedBudget() == .mutants(3))
        config.budget = .mutants(5)
        _ = try FuzzTestSupport.engine(config, store: store).run()
        #expect(try storedBudget() == .mutants(5))
        config.budget = .mutants(2)
        _ = try FuzzTestSupport.engine(config, store: store).run()
        #expect(try storedBudget() == .mutants(5))
    }

    /// Plants and frameworks are sets: named in another order, the same campaign resumes (an identical second
    /// campaign was started, and reports counted its findings twice). A campaign stored under the key an earlier
    /// build gave (in the order given) is still found.
    @Test func plantsAndFrameworksInAnyOrderAreOneCampaign() throws {
        var a = FuzzTestSupport.config(guidance: .random, seed: 31, budget: 4)
        a.planted = ["Conv2d=nan", "Tanh=crash"]
        var b = a
        b.planted.reverse()
        b.frameworks.reverse()
        #expect(a.key == b.key)
        #expect(a.legacyKey != b.legacyKey)
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = try store.campaign(key: try #require(b.legacyKey), kind: "fuzz", config: b.json, seed: b.seed, shard: b.shard)
        #expect(try store.campaign(key: b.key, legacyKey: b.legacyKey, kind: "fuzz", config: b.json, seed: b.seed, shard: b.shard) == old)
        #expect(try store.campaign(key: a.key, legacyKey: a.legacyKey, kind: "fuzz", config: a.json, seed: a.seed, shard: a.shard) == old)
        // Guidance whose mutant stream changed since has no earlier key to be found by: it would not replay.
        var guided = a
        guided.guidance = .mcmc
        #expect(guided.legacyKey == nil && guided.key.hasPrefix("fuzz:r3:"))
    }

    @Test func interruptedCampaignResumesToTheSameMutants() throws {
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = FuzzTestSupport.config(guidance: .coverage, seed: 21, budget: 40)
        let partial = try FuzzTestSupport.engine(config, store: store).run(stopAfter: 15)
        #expect(partial.steps == 15)
        let resumed = try FuzzTestSupport.engine(config, store: store).run()
        #expect(resumed.replayed == 15)
        #expect(resumed.steps == 40)
        let uninterrupted = try FuzzTestSupport.engine(config).run()
        #expect(resumed.hashes == uninterrupted.hashes)
        #expect(try store.hashes(campaign: resumed.campaignID!) == uninterrupted.hashes)
        // The finished campaign run again does nothing new.
        let again = try FuzzTestSupport.engine(config, store: store).run()
        #expect(again.replayed == 40 && again.hashes == uninterrupted.hashes)
    }

    /// A time budget covers all of a campaign's runs: a resumed campaign gets what is left, one whose time is
    /// spent is finished (not paused), and running it again adds nothing.
    @Test func aTimeBudgetSpansResumes() throws {
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = FuzzTestSupport.config(seed: 4)
        config.budget = .seconds(4)
        let partial = try FuzzTestSupport.engine(config, store: store).run(stopAfter: 2)
        let id = try #require(partial.campaignID)
        func status() throws -> String? {
            try store.store.read { try String.fetchOne($0, sql: "SELECT status FROM campaign WHERE id = ?", arguments: [id]) }
        }
        let paused = try status()
        #expect(partial.steps == 2 && paused == "paused")
        let spent = try store.spentSeconds(campaign: id)
        #expect(spent > 0 && spent < 4)
        let started = Date()
        let resumed = try FuzzTestSupport.engine(config, store: store).run()
        // What was left, not the whole budget again (with room for the replay and a last step).
        #expect(Date().timeIntervalSince(started) < 4 - spent + 2)
        let finished = try status()
        #expect(resumed.steps > 2 && resumed.replayed == 2 && finished == "finished")
        #expect(try store.spentSeconds(campaign: id) >= 4)
        let again = try FuzzTestSupport.engine(config, store: store).run()
        let still = try status()
        #expect(again.steps == resumed.steps && again.replayed == resumed.steps && still == "finished")
    }

    /// A worker that does not start says nothing about the mutant: no G3 finding is filed for it (every mutant
    /// would have one), the step is not recorded, and the campaign is kept paused with an error that says what to do.
    @Test func aFrameworkWhoseWorkerDoesNotStartPausesTheCampaign() throws {
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pool = WorkerPool(interpreter: "/nonexistent/python3")
        defer { pool.shutdown() }
        let config = FuzzTestSupport.config(frameworks: ["reference", "pytorch"], seed: 6, budget: 5)
        let engine = try FuzzTestSupport.engine(config, executors: [ReferenceExecutor(), WorkerExecutor(name: "pytorch", pool: pool)], store: store)
        let error = try #require(throws: CampaignError.self) { try engine.run() }
        #expect(error.code == .frameworkUnavailable && error.detail.contains("pytorch") && error.detail.contains("resume"))
        let id = try #require(try store.store.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM campaign") })
        #expect(try store.store.read { db in try String.fetchOne(db, sql: "SELECT status FROM campaign WHERE id = ?", arguments: [id]) } == "paused")
        #expect(try store.hashes(campaign: id).isEmpty)
        #expect(try store.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_finding") } == 0)
        // The oracles leave such a framework out wherever they meet one.
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let inputs = model.inputs()
        let arbiter = ArbiterRun.run(model, inputs: inputs)
        let ok = ReferenceExecutor().execute(model, inputs: inputs, arbiter: arbiter)
        let down = ExecutionOutcome(framework: "pytorch", status: .unavailable, stage: .load, message: "worker does not start")
        #expect(try FuzzTestSupport.oracles().judge(model, arbiter: arbiter, outcomes: [ok, down]).findings.isEmpty)
    }

    @Test func shardsSplitTheBudgetAndDrawDifferentMutants() throws {
        let a = try FuzzTestSupport.engine(FuzzTestSupport.config(seed: 3, budget: 21, shard: ShardSpec(index: 0, count: 2))).run()
        let b = try FuzzTestSupport.engine(FuzzTestSupport.config(seed: 3, budget: 21, shard: ShardSpec(index: 1, count: 2))).run()
        #expect(a.steps == 11 && b.steps == 10)
        #expect(a.hashes != b.hashes)
        #expect(throws: CampaignError.self) { try ShardSpec(parsing: "2/2") }
        #expect(try ShardSpec(parsing: "1/4") == ShardSpec(index: 1, count: 4))
        #expect(try Budget(parsing: "30m") == .seconds(1800))
        #expect(try Budget(parsing: "2000") == .mutants(2000))
    }

    /// Shards split the mutant space by content: no mutant runs in two shards, and each shard still fills its
    /// budget (a mutant another shard owns is proposed again).
    @Test func shardsNeverRunTheSameMutant() throws {
        var owners: [String: Int] = [:]
        for index in 0..<3 {
            let summary = try FuzzTestSupport.engine(FuzzTestSupport.config(ops: [OperatorCatalog.named("LA")!, OperatorCatalog.named("AFRm")!, OperatorCatalog.named("NEB")!], seed: 4, budget: 60, shard: ShardSpec(index: index, count: 3)),
                                                     ops: [OperatorCatalog.named("LA")!, OperatorCatalog.named("AFRm")!, OperatorCatalog.named("NEB")!]).run()
            let run = summary.hashes.filter { $0 != "-" }
            #expect(Set(run).count >= 12, "shard \(index) ran \(Set(run).count) distinct mutants")
            for hash in Set(run) {
                if let other = owners[hash], other != index { Issue.record("mutant \(hash.prefix(12)) ran in shards \(other) and \(index)") }
                owners[hash] = index
            }
        }
    }

    /// The end-to-end path: defects planted on ops that only mutants contain are found, localized to their op,
    /// and filed under the subtype the fuzz mapping gives their symptom.
    @Test func plantedDefectsAreFoundWithTheirSubtypes() throws {
        let planted = [PlantedDefect(op: .pad, kind: .crash), PlantedDefect(op: .batchNorm, kind: .wrong), PlantedDefect(op: .gelu, kind: .nan),
                       PlantedDefect(op: .dropout, kind: .load), PlantedDefect(op: .groupNorm, kind: .error), PlantedDefect(op: .layerNorm, kind: .slow),
                       PlantedDefect(op: .silu, kind: .memory)]
        let ops: [any MutationOperator] = [ShapeMutation(), NormalizationInsertion(), ModernActivation(), LayerAddition()]
        let executors: [any MutantExecutor] = [ReferenceExecutor(), FaultInjectionExecutor(defects: planted)]
        let config = FuzzTestSupport.config(guidance: .random, ops: ops, frameworks: ["reference", "faulty"], seed: 2, budget: 120,
                                            planted: planted.map(\.description))
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let summary = try FuzzTestSupport.engine(config, ops: ops, executors: executors, store: store).run()
        let found = summary.uniqueFindings.filter { $0.framework == "faulty" }
        for defect in planted {
            let hit = found.first { f in
                f.subtype == defect.kind.expectedSubtype && f.op == defect.op.rawValue
            }
            #expect(hit != nil, "planted \(defect) not found; found \(found.map { "\($0.subtype) \($0.symptom) \($0.op)" })")
        }
        // The reference itself is never blamed, and every finding is stored with its subtype.
        #expect(!summary.uniqueFindings.contains { $0.framework == "reference" && !$0.isPerformance })
        let stored = try store.store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT subtype) FROM campaign_finding WHERE framework = 'faulty'") ?? 0 }
        #expect(stored >= 5)
        // Localized findings (wrong values, NaN) are stored with the node they localized to, and only those.
        let (localized, withNode, strayNodes) = try store.store.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_finding WHERE framework = 'faulty' AND symptom IN ('inconsistency', 'nan_inf') AND op != 'output'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_finding WHERE framework = 'faulty' AND symptom IN ('inconsistency', 'nan_inf') AND op != 'output' AND node IS NOT NULL") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_finding WHERE symptom NOT IN ('inconsistency', 'nan_inf', 'slowdown', 'memory_growth') AND node IS NOT NULL") ?? 0)
        }
        // The simulated framework's profile localizes its slowness and allocation to the planted ops' nodes: the
        // op a later edit touched is not blamed (a LayerNorm slowdown was filed as Tanh, Dense, Conv2d, ...).
        let performanceOps = try store.store.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT symptom || ' ' || op FROM campaign_finding WHERE framework = 'faulty' AND symptom IN ('slowdown', 'memory_growth') ORDER BY 1")
        }
        #expect(performanceOps == ["memory_growth SiLU", "slowdown LayerNorm"], "\(performanceOps)")
        #expect(localized > 0 && withNode == localized, "\(withNode) of \(localized) localized findings name their node")
        #expect(strayNodes == 0)
    }

    /// Guidance reads no timing: a campaign whose framework is slow on LayerNorm (E1 findings) makes the same
    /// mutants, under bandit guidance, as one whose framework is not. Counting the slowdowns as new findings
    /// rewarded the arms and admitted the mutants that happened to be slow, so a loaded machine changed a seed's
    /// mutant sequence.
    @Test func banditGuidanceIgnoresSlowdowns() throws {
        let ops: [any MutationOperator] = [NormalizationInsertion(), ModernActivation(), LayerAddition(), ShapeMutation()]
        func hashes(_ planted: [PlantedDefect], seed: UInt64) throws -> ([String], Int) {
            let executors: [any MutantExecutor] = [ReferenceExecutor(), FaultInjectionExecutor(defects: planted)]
            let config = FuzzTestSupport.config(guidance: .bandit, ops: ops, frameworks: ["reference", "faulty"], seed: seed, budget: 40,
                                                planted: planted.map(\.description))
            let summary = try FuzzTestSupport.engine(config, ops: ops, executors: executors).run()
            return (summary.hashes, summary.uniqueFindings.filter { $0.symptom == .slowdown }.count)
        }
        for seed: UInt64 in 1...6 {
            let (slow, slowdowns) = try hashes([PlantedDefect(op: .layerNorm, kind: .slow)], seed: seed)
            let (plain, _) = try hashes([], seed: seed)
            #expect(slowdowns > 0, "seed \(seed): the planted slowness was not found")
            #expect(slow == plain, "seed \(seed): first difference at step \(Array(zip(slow, plain)).firstIndex { $0.0 != $0.1 } ?? -1)")
        }
    }

    /// An in-process executor is timed once per mutant: one scheduler stall (here a sleep in one run of five)
    /// must not be filed as a slowdown, and the float64 reference is never a performance defect.
    @Test func aStallIsNotASlowdown() throws {
        final class Calls: @unchecked Sendable { let lock = NSLock(); var count = 0 }
        struct StallingExecutor: MutantExecutor {
            let name = "faulty"
            let inner = FaultInjectionExecutor(defects: [])
            let calls: Calls
            var inProcess: Bool { true }
            func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
                let n = calls.lock.withLock { calls.count += 1; return calls.count }
                let start = Date()
                if n % 5 == 0 { Thread.sleep(forTimeInterval: 0.08) }
                var outcome = inner.execute(model, inputs: inputs, arbiter: arbiter)
                outcome.seconds = Date().timeIntervalSince(start)
                return outcome
            }
        }
        let calls = Calls()
        let ops: [any MutationOperator] = [NormalizationInsertion(), ModernActivation(), LayerAddition()]
        let executors: [any MutantExecutor] = [ReferenceExecutor(), StallingExecutor(calls: calls)]
        let config = FuzzTestSupport.config(guidance: .random, ops: ops, frameworks: ["reference", "faulty"], seed: 3, budget: 25)
        let summary = try FuzzTestSupport.engine(config, ops: ops, executors: executors).run()
        #expect(calls.count >= 25)
        #expect(!summary.uniqueFindings.contains { $0.isPerformance }, "\(summary.uniqueFindings.map { "\($0.framework) \($0.symptom) \($0.detail)" })")
    }

    /// A worker that runs slower as it ages (MindSpore's) made every later mutant's growth from the seed's first
    /// time an E1 that never reproduced: a slowdown is judged against the seed timed again when it is found.
    @Test func aDriftingWorkerIsNotASlowdown() throws {
        final class Calls: @unchecked Sendable { let lock = NSLock(); var count = 0 }
        struct TimedExecutor: MutantExecutor {
            let name: String
            let inner = FaultInjectionExecutor(defects: [])
            let calls: Calls
            let drifts: Bool
            func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
                let n = calls.lock.withLock { calls.count += 1; return calls.count }
                var outcome = inner.execute(model, inputs: inputs, arbiter: arbiter)
                outcome.framework = name
                // Steady at 2 ms, or 2 ms more on every run.
                outcome.seconds = drifts ? 0.002 * Double(n) : 0.002
                return outcome
            }
        }
        let drifting = Calls()
        let ops: [any MutationOperator] = [NormalizationInsertion(), ModernActivation(), LayerAddition()]
        let executors: [any MutantExecutor] = [ReferenceExecutor(), TimedExecutor(name: "drifty", calls: drifting, drifts: true),
                                               TimedExecutor(name: "steady", calls: Calls(), drifts: false)]
        let config = FuzzTestSupport.config(guidance: .random, ops: ops, frameworks: ["reference", "drifty", "steady"], seed: 5, budget: 40)
        let summary = try FuzzTestSupport.engine(config, ops: ops, executors: executors).run()
        #expect(drifting.count >= 40)
        #expect(!summary.uniqueFindings.contains { $0.isPerformance }, "\(summary.uniqueFindings.map { "\($0.framework) \($0.symptom) \($0.detail)" })")
    }

    /// Two value defects planted on ops that feed each other give exactly those two corruptions: the Add that
    /// corrupting a Conv2d inserts is no Add of the model (it was renamed a second time, an invalid graph that
    /// was filed as a G2 error of a framework nobody planted).
    @Test func plantsOnConnectedOpsCorruptOnlyTheModelsOwnNodes() throws {
        var model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let inputs = model.inputs()
        let arbiter = ArbiterRun.run(model, inputs: inputs)
        let faulty = FaultInjectionExecutor(defects: [PlantedDefect(op: .conv2d, kind: .nan), PlantedDefect(op: .add, kind: .wrong)])
        let conv = try #require(model.graph.nodes.first { $0.op == .conv2d }?.name)
        #expect(!model.graph.nodes.contains { $0.op == .add })
        var outcome = faulty.execute(model, inputs: inputs, arbiter: arbiter)
        #expect(outcome.status == .ok, "\(outcome.message)")
        #expect(outcome.layers[conv]?.contains { $0.isNaN } == true)
        // With an Add of its own right after the Conv2d, both are corrupted, each where it stands.
        let edit = MutationRecord(op: "LMerg", targets: [conv], parameters: ["with": .string(conv), "merge": .string("Add")], seed: 1)
        model = try LayerMerge().edit(model, edit)
        let add = try #require(model.graph.nodes.first { $0.op == .add }?.name)
        outcome = faulty.execute(model, inputs: inputs, arbiter: ArbiterRun.run(model, inputs: inputs))
        #expect(outcome.status == .ok, "\(outcome.message)")
        #expect(outcome.layers[conv]?.contains { $0.isNaN } == true)
        #expect(outcome.layers[add]?.contains { $0.isNaN } == true)
    }

    /// NaN that wrong values upstream lead to is the upstream defect: a planted wrong Dense makes exact zeros,
    /// and Div(x, x) after it gives 0/0 in that framework only. It was filed as a NaN defect of Div, whose
    /// reproducer (re-enacting the plants only) showed nothing.
    @Test func aNaNThatWrongValuesLeadToIsTheirDefect() throws {
        var model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let dense = try #require(model.graph.nodes.first { $0.op == .dense })
        var taken = Set<String>()
        let div = model.newNode(.div, [ValueRef(dense.name), ValueRef(dense.name)], role: dense.role, taken: &taken)
        model.splice(after: ValueRef(dense.name), chain: [div], result: ValueRef(div.name))
        try model.reinfer(seed: 1)
        let inputs = model.inputs()
        let arbiter = ArbiterRun.run(model, inputs: inputs)
        let executors: [any MutantExecutor] = [ReferenceExecutor(), FaultInjectionExecutor(defects: [PlantedDefect(op: .dense, kind: .wrong)])]
        let outcomes = executors.map { $0.execute(model, inputs: inputs, arbiter: arbiter) }
        try #require(outcomes[1].layers[div.name]?.contains { $0.isNaN } == true, "the planted zeros make no 0/0 here")
        let verdict = try FuzzTestSupport.oracles().judge(model, arbiter: arbiter, outcomes: outcomes, baseline: [:])
        let faulty = verdict.findings.filter { $0.framework == "faulty" }
        #expect(faulty.map(\.symptom) == [.inconsistency] && faulty.first?.op == "Dense" && faulty.first?.node == dense.name,
                "\(faulty.map { "\($0.symptom) \($0.op) \($0.node ?? "-") \($0.detail)" })")
        // The other way round: x/0 is ±inf in the reference, and the wrong Dense's zeros make some of it 0/0
        // in the framework (a NaN/Inf "lost", filed against Div).
        var lost = try FuzzModel.seed(named: "lenet5", seed: 1)
        var names = Set<String>()
        let zero = lost.newNode(.sub, [ValueRef(dense.name), ValueRef(dense.name)], role: dense.role, taken: &names)
        let byZero = lost.newNode(.div, [ValueRef(dense.name), ValueRef(zero.name)], role: dense.role, taken: &names)
        lost.splice(after: ValueRef(dense.name), chain: [zero, byZero], result: ValueRef(byZero.name))
        try lost.reinfer(seed: 1)
        let lostArbiter = ArbiterRun.run(lost, inputs: lost.inputs())
        let lostOutcomes = executors.map { $0.execute(lost, inputs: lost.inputs(), arbiter: lostArbiter) }
        let lostFindings = try FuzzTestSupport.oracles().judge(lost, arbiter: lostArbiter, outcomes: lostOutcomes, baseline: [:]).findings.filter { $0.framework == "faulty" }
        #expect(lostFindings.map { "\($0.symptom) \($0.op)" } == ["inconsistency Dense"], "\(lostFindings.map { "\($0.symptom) \($0.op) \($0.detail)" })")
        // A NaN the node makes itself, behind a wrong value upstream, is its own defect too (a NaN planted on
        // Softmax behind a wrong Conv2d was lost).
        let seed = try FuzzModel.seed(named: "lenet5", seed: 1)
        let both = FaultInjectionExecutor(defects: [PlantedDefect(op: .conv2d, kind: .wrong), PlantedDefect(op: .softmax, kind: .nan)])
        let seedArbiter = ArbiterRun.run(seed, inputs: seed.inputs())
        let seedOutcomes = [ReferenceExecutor().execute(seed, inputs: seed.inputs(), arbiter: seedArbiter), both.execute(seed, inputs: seed.inputs(), arbiter: seedArbiter)]
        let found = try FuzzTestSupport.oracles().judge(seed, arbiter: seedArbiter, outcomes: seedOutcomes, baseline: [:]).findings.filter { $0.framework == "faulty" }
        #expect(Set(found.map { "\($0.symptom) \($0.op)" }) == ["inconsistency Conv2d", "nanInf Softmax"], "\(found.map { "\($0.symptom) \($0.op) \($0.detail)" })")
    }

    @Test func guardedAndIllegalMutantsAreNotFindings() throws {
        let executors: [any MutantExecutor] = [ReferenceExecutor(), FaultInjectionExecutor(defects: [PlantedDefect(op: .sub, kind: .wrong)])]
        let config = FuzzTestSupport.config(guidance: .random, ops: [SpecialValueInsertion()], frameworks: ["reference", "faulty"], seed: 4, budget: 12)
        let summary = try FuzzTestSupport.engine(config, ops: [SpecialValueInsertion()], executors: executors).run()
        // Special values are legal (injected on purpose) and the reference's NaN is not blamed on anyone.
        #expect(summary.statusCounts["legal", default: 0] > 0)
        #expect(!summary.uniqueFindings.contains { $0.symptom == .nanInf && $0.framework == "reference" })
    }
}

@Suite struct GuidanceTests {
    @Test func mcmcPrefersOperatorsThatRaisedInconsistencies() {
        var g = MCMCGuidance(operators: 10, p: 0.1, score: .inconsistency, name: "mcmc")
        // Every operator tried once first (an untried one ranks first, so each gets its chance).
        for i in 0..<10 { g.learn(StepFeedback(operatorIndex: i, position: .any, parentIndex: 0, legal: true, raisedInconsistency: false, newCoverage: 0, newFindings: 0)) }
        for _ in 0..<5 { g.learn(StepFeedback(operatorIndex: 7, position: .any, parentIndex: 0, legal: true, raisedInconsistency: true, newCoverage: 0, newFindings: 1)) }
        g.learn(StepFeedback(operatorIndex: 2, position: .any, parentIndex: 0, legal: true, raisedInconsistency: false, newCoverage: 0, newFindings: 0))
        var rng = SplitMix64(seed: 1)
        var counts = [Int](repeating: 0, count: 10)
        // The chain moves as the campaign moves it: each drawn operator makes the next mutant (k1 is its rank).
        for _ in 0..<20000 { let op = g.chooseOperator(count: 10, rng: &rng); counts[op] += 1; g.last = op }
        // The chain's stationary shares fall with rank (0.121, 0.119, 0.115, ... 0.072 for p = 0.1): the top operator is
        // drawn more than the median one and well above the last.
        #expect(counts[7] > counts.sorted()[5])
        // From the top rank, a proposal k ranks down is accepted with 0.9^k: the top operator is drawn well above the last.
        #expect(Double(counts[7]) > 1.5 * Double(counts[9]))
        #expect(g.admits(StepFeedback(operatorIndex: 0, position: .any, parentIndex: 0, legal: true, raisedInconsistency: true, newCoverage: 0, newFindings: 0)))
        #expect(!g.admits(StepFeedback(operatorIndex: 0, position: .any, parentIndex: 0, legal: true, raisedInconsistency: false, newCoverage: 5, newFindings: 0)))
    }

    /// COMET's p = 0.4 never accepted an operator far down a ranking where untried operators scored 0 in catalog
    /// order (19 of 34 never ran): untried operators rank first, and one with no edit to make counts as tried.
    @Test func untriedOperatorsAreTriedBeforeTheRankingSettles() {
        var g = MCMCGuidance(operators: 34, p: 0.4, score: .coverage, name: "coverage")
        var rng = SplitMix64(seed: 1)
        var used = Set<Int>()
        for _ in 0..<300 {
            let op = g.chooseOperator(count: 34, rng: &rng)
            used.insert(op)
            if op % 5 == 0 { g.learnInapplicable(operatorIndex: op, position: .any); continue }
            g.learn(StepFeedback(operatorIndex: op, position: .any, parentIndex: 0, legal: true, raisedInconsistency: false, newCoverage: op == 3 ? 5 : 0, newFindings: 0))
        }
        #expect(used.count == 34)
    }

    /// Every operator is tried once, in catalog order, before any is drawn again (LEMON's p = 1/n proposed them
    /// nearly at random, so one ran five times before others ran once).
    @Test func everyOperatorIsTriedOnceBeforeAnyRepeats() {
        for (p, score) in [(1.0 / 27, MCMCGuidance.Score.inconsistency), (0.4, .coverage)] {
            var g = MCMCGuidance(operators: 27, p: p, score: score, name: "g")
            var rng = SplitMix64(seed: 3)
            var order: [Int] = []
            for _ in 0..<27 {
                let op = g.chooseOperator(count: 27, rng: &rng)
                order.append(op)
                g.learn(StepFeedback(operatorIndex: op, position: .any, parentIndex: 0, legal: true, raisedInconsistency: op == 4, newCoverage: op, newFindings: 0))
            }
            #expect(order == Array(0..<27))
        }
    }

    @Test func rouletteFavoursRarelyChosenParents() {
        var g = MCMCGuidance(operators: 1, p: 1, score: .inconsistency, name: "mcmc")
        let model = try! FuzzModel.seed(named: "lenet5", seed: 1)
        let pool = [PoolEntry(model: model, step: nil, selections: 9), PoolEntry(model: model, step: 1, selections: 0)]
        var rng = SplitMix64(seed: 2)
        let picks = (0..<1000).map { _ in g.chooseParent(pool, eligible: [0, 1], rng: &rng) }
        #expect(picks.filter { $0 == 1 }.count > 800)
    }

    /// With `--position head` only the head's arms exist: a rewarded operator is not drowned by the backbone arms'
    /// uniform priors, which no step could ever update.
    @Test func banditWithOnePositionLearnsOnlyItsArms() {
        var g = BanditGuidance(operators: 15, position: .head)
        for round in 0..<20 {
            for i in 0..<15 {
                g.learn(StepFeedback(operatorIndex: i, position: .head, parentIndex: 0, legal: true, raisedInconsistency: false, newCoverage: i == 6 && round % 2 == 0 ? 1 : 0, newFindings: 0))
            }
        }
        var rng = SplitMix64(seed: 3)
        let picks = (0..<300).map { _ in g.chooseOperator(count: 15, rng: &rng) }
        #expect(picks.filter { $0 == 6 }.count > 200, "picked the rewarded operator \(picks.filter { $0 == 6 }.count) of 300 times")
    }

    /// An arm that never has a legal edit (an input operator asked for the head) learns failures from its
    /// inapplicable draws, so a bandit campaign does not spend its budget on steps that make no mutant.
    @Test func banditCampaignDoesNotSpendItsBudgetOnInapplicableArms() throws {
        let summary = try FuzzTestSupport.engine(FuzzTestSupport.config(guidance: .bandit, seed: 8, budget: 400)).run()
        let inapplicable = summary.statusCounts["inapplicable", default: 0]
        // Before arms learned from inapplicable draws: 56 of 400 (the dead arms' priors won once coverage saturated).
        #expect(inapplicable <= 16, "\(inapplicable) of 400 steps made no mutant: \(summary.statusCounts)")
    }

    @Test func banditLearnsTheRewardingArm() {
        var g = BanditGuidance(operators: 4)
        for _ in 0..<30 {
            g.learn(StepFeedback(operatorIndex: 3, position: .head, parentIndex: 0, legal: true, raisedInconsistency: false, newCoverage: 2, newFindings: 0))
            for i in 0..<3 { g.learn(StepFeedback(operatorIndex: i, position: .backbone, parentIndex: 0, legal: true, raisedInconsistency: false, newCoverage: 0, newFindings: 0)) }
        }
        var rng = SplitMix64(seed: 5)
        var hits = 0
        for _ in 0..<200 {
            let op = g.chooseOperator(count: 4, rng: &rng)
            if op == 3 && g.choosePosition(operatorIndex: op, allowed: .any, rng: &rng) == .head { hits += 1 }
        }
        #expect(hits > 150)
        for _ in 0..<100 {
            let v = BanditGuidance.beta(2, 5, &rng)
            #expect(v > 0 && v < 1)
        }
    }

    @Test func coverageCountsOnlyNewItems() throws {
        var c = CoverageTracker()
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let first = c.add(model.graph)
        #expect(first > 10)
        #expect(c.add(model.graph) == 0)
        let mutant = try ModernActivation().apply(MutationRecord(op: "ModernAct", targets: ["tanh_0"], parameters: ["to": .string("GELU")], seed: 1), to: model)
        #expect(c.add(mutant.graph) > 0)
    }
}

@Suite struct FuzzStoreTests {
    @Test func migrationAddsTheCampaignTables() throws {
        let (_, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let info = try DefectLabStore.open(path: dir.appendingPathComponent("f.sqlite").path).info()
        #expect(info.migrations.contains("v3-fuzz-campaigns"))
        for table in ["campaign", "mutant", "campaign_finding"] { #expect(info.rowCounts[table] != nil) }
    }

    @Test func studyReportsEveryOperatorWithItsIllegalRate() throws {
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let study = OperatorStudy(seeds: ["lenet5"], rounds: 3, seed: 1, operators: OperatorCatalog.study, executors: [ReferenceExecutor()],
                                  oracles: try FuzzTestSupport.oracles(), store: store)
        let report = try study.operatorsAndOrder()
        #expect(report.operators.map(\.operator_) == OperatorCatalog.study.map(\.name) + ["mixed"])
        #expect(report.operators.first { $0.operator_ == "GF" }?.studyRate == 0.309)
        #expect(report.overallIllegalRate < 0.05)
        let json = StudyRenderer.json(report)
        #expect(json.contains("\"illegal_rate\"") && json.contains("\"operator\" : \"LA\""))
        #expect(StudyRenderer.svg(report).hasPrefix("<svg"))
        #expect(report.rounds_["mixed"]?.count == 3)
        // The order chart names its lines and rounds (15 grey lines without axes or names could not be read).
        var order = report
        order.study = "order"
        let chart = StudyRenderer.svg(order)
        #expect(chart.contains(">GF</text>") && chart.contains(">mixed</text>") && chart.contains(">round</text>"), "\(chart.prefix(300))")
        let position = try study.position()
        #expect(position.position?.comparisons == 1)
    }

    /// The study's output change counts an output turned NaN/Inf as a change (it was 0), a chain that comes back
    /// to a model it was is a duplicate round (CeilMode toggled back counted as a new mutant), a seed named twice
    /// is one seed, and with the reference alone there is no inconsistency to show (it showed 0).
    @Test func studyCountsNaNAsChangeAndDuplicatesApart() throws {
        let special = OperatorStudy(seeds: ["lenet5", "lenet5"], rounds: 3, seed: 1, operators: [SpecialValueInsertion()], executors: [ReferenceExecutor()],
                                    oracles: try FuzzTestSupport.oracles(), store: nil)
        #expect(special.seeds == ["lenet5"])
        let report = try special.operatorsAndOrder(study: "order")
        let row = try #require(report.operators.first { $0.operator_ == "SpecialI" })
        #expect(row.mutants > 0 && row.outputChange > 0, "\(row)")
        #expect(row.pairInconsistency.isEmpty && report.rounds_["SpecialI"]?.allSatisfy { $0.inconsistency == nil } == true)
        #expect(StudyRenderer.table(report).contains("/-/"))
        let toggle = OperatorStudy(seeds: ["resnet50"], rounds: 4, seed: 1, operators: [PoolOptionToggle.ceilMode], executors: [ReferenceExecutor()],
                                   oracles: try FuzzTestSupport.oracles(), store: nil)
        let toggled = try #require(try toggle.operatorsAndOrder().operators.first { $0.operator_ == "CeilMode" })
        #expect(toggled.duplicates > 0 && toggled.mutants + toggled.duplicates + toggled.inapplicable == 4, "\(toggled)")
        #expect(Distance.outputChange([.nan, 1], seed: [2, 1]) == 0.5)
        #expect(Distance.outputChange([2, 2], seed: [1, 1]) == Distance.relative([2, 2], [1, 1]))
        #expect(abs(Distance.outputChange([3, 3, 3], seed: [1, 1]) - 2) < 1e-6)   // another size: the mean magnitude's change
    }

    /// The study judges slowdown by growth from the seed, as `fuzz` does: a slow op planted in one the seed has
    /// too makes no mutant grow (judged without the seed, nearly every mutant was an E1), and each mutant's
    /// framework runs are stored (the study's report said "—").
    @Test func studyJudgesSlowdownFromTheSeed() throws {
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let executors: [any MutantExecutor] = [ReferenceExecutor(), FaultInjectionExecutor(defects: [PlantedDefect(op: .flatten, kind: .slow)])]
        let study = OperatorStudy(seeds: ["lenet5"], rounds: 3, seed: 1, operators: [OperatorCatalog.study[0]], executors: executors,
                                  oracles: try FuzzTestSupport.oracles(), store: store)
        _ = try study.operatorsAndOrder()
        let slow = try store.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM campaign_finding WHERE symptom = 'slowdown'") }
        #expect(slow == 0)
        let runs = try store.store.read { try String.fetchAll($0, sql: "SELECT frameworks_json FROM mutant WHERE status = 'legal'") }
        #expect(!runs.isEmpty && runs.allSatisfy { $0.contains("\"faulty\"") && $0.contains("\"reference\"") }, "\(runs)")
    }

    /// A step stored twice means two processes run one campaign: said as such, not as an SQL constraint.
    @Test func aSecondProcessOnOneCampaignIsNamed() throws {
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let campaign = try store.campaign(key: "k", kind: "fuzz", config: "{}", seed: 1, shard: ShardSpec())
        let row = StepRow(step: 0, seedModel: "lenet5", parentStep: nil, order: 1, op: "LA", position: "any", recordJSON: nil, lineageJSON: "[]",
                          hash: "h", status: .legal, reason: nil, frameworksJSON: "{}", verdictsJSON: "{}", newCoverage: 0, mutationSeconds: 0,
                          referenceSeconds: 0, workerSeconds: 0, oracleSeconds: 0, memoryBytes: 0, findings: [])
        try store.append(campaign: campaign, row)
        let error = #expect(throws: CampaignError.self) { try store.append(campaign: campaign, row) }
        #expect(error?.detail.contains("being run by another process") == true, "\(String(describing: error))")
        try store.append(campaign: campaign, row, ifAbsent: true)
    }

    /// A study stopped part-way stores what it did and is paused; the same study again completes that campaign
    /// (no second campaign, no step stored twice), to what an uninterrupted run stores; and again changes nothing.
    @Test func aStoppedStudyIsPausedAndTheSameCommandCompletesIt() throws {
        let (store, dir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        func counts(_ s: CampaignStore) throws -> [String] {
            try s.store.read { db in
                try String.fetchAll(db, sql: """
                    SELECT c.status || ' ' || (SELECT COUNT(*) FROM mutant m WHERE m.campaign_id = c.id) || ' '
                        || (SELECT COUNT(*) FROM campaign_finding f WHERE f.campaign_id = c.id) FROM campaign c ORDER BY c.id
                    """)
            }
        }
        let executors: [any MutantExecutor] = [ReferenceExecutor(), FaultInjectionExecutor(defects: [PlantedDefect(op: .conv2d, kind: .nan)])]
        func study(_ store: CampaignStore) throws -> OperatorStudy {
            OperatorStudy(seeds: ["lenet5", "textcnn"], rounds: 4, seed: 2, operators: [NormalizationInsertion(), LayerAddition()],
                          executors: executors, oracles: try FuzzTestSupport.oracles(), store: store)
        }
        final class Rounds: @unchecked Sendable { let lock = NSLock(); var count = 0 }
        let rounds = Rounds()
        var stopping = try study(store)
        stopping.shouldStop = { rounds.lock.withLock { rounds.count += 1; return rounds.count > 5 } }
        let error = #expect(throws: CampaignError.self) { try stopping.operatorsAndOrder() }
        #expect(error?.code == .interrupted)
        let paused = try counts(store)
        #expect(paused.count == 1 && paused[0].hasPrefix("paused "), "\(paused)")
        _ = try study(store).operatorsAndOrder()
        let (fresh, freshDir) = try FuzzTestSupport.temporaryStore()
        defer { try? FileManager.default.removeItem(at: freshDir) }
        _ = try study(fresh).operatorsAndOrder()
        let whole = try counts(fresh)
        let completed = try counts(store)
        #expect(completed == whole && whole[0].hasPrefix("finished "), "\(completed) vs \(whole)")
        _ = try study(store).operatorsAndOrder()
        #expect(try counts(store) == whole)
    }
}

@Suite struct FrameworkRegistryTests {
    struct Named: MutantExecutor {
        let name: String
        func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
            ExecutionOutcome(framework: name, status: .unsupported)
        }
    }

    @Test func allMeansEveryInstalledFrameworkAndWorkersPlugIn() throws {
        #expect(try FrameworkRegistry.resolve("all").map(\.name) == ["reference"])
        #expect(try FrameworkRegistry.resolve("all", planted: [PlantedDefect(op: .pad, kind: .crash)]).map(\.name) == ["reference", "faulty"])
        #expect(throws: CampaignError.self) { try FrameworkRegistry.resolve("pytorch") }
        #expect(throws: CampaignError.self) { try FrameworkRegistry.resolve("faulty") }
        let workers: (names: [String], make: (String, String?) throws -> (any MutantExecutor)?) = (["pytorch", "jax"], { name, python in
            ["pytorch", "jax", "pytorch@old"].contains(name) ? Named(name: name + (python.map { "=" + $0 } ?? "")) : nil
        })
        #expect(try FrameworkRegistry.resolve("all", workers: workers).map(\.name) == ["reference", "pytorch", "jax"])
        #expect(try FrameworkRegistry.resolve("all", interpreters: ["pytorch@old": "/old/python"], workers: workers).map(\.name)
                == ["reference", "pytorch", "jax", "pytorch@old=/old/python"])
        #expect(throws: CampaignError.self) { try FrameworkRegistry.resolve("mxnet", workers: workers) }
    }

    @Test func unsupportedEverywhereIsIllegalNotAFinding() throws {
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let arbiter = ArbiterRun.run(model, inputs: model.inputs())
        let verdict = try FuzzTestSupport.oracles().judge(model, arbiter: arbiter, outcomes: [Named(name: "a").execute(model, inputs: [:], arbiter: arbiter)])
        #expect(verdict.illegal && verdict.findings.isEmpty)
    }
}
