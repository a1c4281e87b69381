import Seeding
import Foundation
import ModelIR
import Oracles
import Reference

/// The study's RQ3 experiments: every operator applied for N rounds on each seed (each round mutates the last
/// legal mutant, so round k is a k-th order mutant), and the mixed group drawing a random operator each round.
public struct OperatorStudy: Sendable {
    public var seeds: [String]
    public var rounds: Int
    public var seed: UInt64
    public var operators: [any MutationOperator]
    public var executors: [any MutantExecutor]
    public var oracles: MutantOracles
    public var store: CampaignStore?
    public var onProgress: (@Sendable (String) -> Void)?
    /// Asked before each round (Ctrl-C, SIGTERM): true stops the study, which stores what it did, marks its
    /// campaign paused and throws `CampaignError(.interrupted)`. Its campaign is keyed by its configuration, so
    /// the same command later computes the study again and stores only the steps the campaign lacks.
    public var shouldStop: (@Sendable () -> Bool)?
    /// Defects planted in the fault-injection framework (`OP=KIND`), recorded with the campaign so that its
    /// defects reduce and reproduce (they implicate `faulty`).
    public var planted: [String] = []

    public init(seeds: [String], rounds: Int, seed: UInt64, operators: [any MutationOperator], executors: [any MutantExecutor],
                oracles: MutantOracles, store: CampaignStore?) {
        var seen = Set<String>()
        self.seeds = seeds.filter { seen.insert($0).inserted }   // a seed named twice is one seed (it counted twice)
        self.rounds = rounds
        self.seed = seed
        self.operators = operators
        self.executors = executors
        self.oracles = oracles
        self.store = store
    }

    /// What one chain of rounds measured.
    struct Chain {
        var mutants = 0, executed = 0, illegal = 0, rejected = 0, inapplicable = 0, nan = 0, findings = 0, duplicates = 0
        var seconds = 0.0
        var pair: [String: [Double]] = [:]
        var reference: [String: [Double]] = [:]
        var change: [Double] = []
        var byRound: [Int: (change: [Double], inconsistency: [Double], nan: Int, illegal: Int)] = [:]
        var finalChange = 0.0
        var finalInconsistency: Double?
        /// The chain's rows, when the caller stores them itself (`deferStore`), in step order.
        var stored: [StepRow] = []
        /// Stopped by `shouldStop` before its last round.
        var interrupted = false

        mutating func merge(_ o: Chain) {
            mutants += o.mutants; executed += o.executed; illegal += o.illegal; rejected += o.rejected; inapplicable += o.inapplicable
            duplicates += o.duplicates
            nan += o.nan; findings += o.findings; seconds += o.seconds; change += o.change; stored += o.stored
            interrupted = interrupted || o.interrupted
            pair.merge(o.pair) { $0 + $1 }
            reference.merge(o.reference) { $0 + $1 }
            for (r, v) in o.byRound {
                var cur = byRound[r] ?? ([], [], 0, 0)
                cur.change += v.change; cur.inconsistency += v.inconsistency; cur.nan += v.nan; cur.illegal += v.illegal
                byRound[r] = cur
            }
        }
    }

    /// Runs `rounds` rounds on one seed; `pick` chooses the operator of each round.
    func chain(seedName: String, label: String, position: Position, campaign: Int64?, stepBase: inout Int, deferStore: Bool = false,
               pick: (inout SplitMix64) -> any MutationOperator) throws -> Chain {
        var result = Chain()
        var model = try FuzzModel.seed(named: seedName, seed: seed)
        let seedModel = model
        // Models this chain has been: a mutant equal to one of them (toggled back, or an edit that changed
        // nothing the hash sees) is a duplicate, not a mutant of the round.
        var seen: Set<String> = [model.contentHash]
        /// One round's row in the study's campaign (kept for the caller with `deferStore`).
        func storeStep(_ m: FuzzModel, op: String, status: MutantStatus, reason: String?, referenceSeconds: Double, findings: [MutantFinding],
                       outcomes: [ExecutionOutcome] = []) throws {
            guard let campaign, let store else { return }
            // Each framework's run as `fuzz` stores it: reports say how the runs of each framework ended (a study's
            // report said "—" although a framework had crashed on its mutants).
            let frameworks = outcomes.isEmpty ? "{}" : CampaignEngine.frameworksJSON(outcomes)
            let row = StepRow(step: stepBase, seedModel: seedName, parentStep: nil, order: m.order, op: op, position: position.rawValue,
                              recordJSON: m.lineage.last.map(CampaignEngine.json), lineageJSON: CampaignEngine.json(m.lineage), hash: m.contentHash,
                              status: status, reason: reason, frameworksJSON: frameworks, verdictsJSON: "{}", newCoverage: 0,
                              mutationSeconds: 0, referenceSeconds: referenceSeconds, workerSeconds: 0, oracleSeconds: 0, memoryBytes: 0,
                              findings: findings.map { ($0, false) })
            if deferStore { result.stored.append(row) } else { try store.append(campaign: campaign, row, ifAbsent: true) }
        }
        let seedRun = ArbiterRun.run(model, inputs: model.inputs())
        let seedOutput = seedRun.run?.outputs.first?.values ?? []
        // Slowdown and memory growth are measured from the seed's own runs, as `fuzz` measures them (judged
        // without, every mutant of a framework slower than the others was an E1: a planted slow op the seed
        // has too was filed on almost every mutant).
        var baseline: [String: PerformanceBaseline]?
        for round in 1...max(rounds, 1) {
            if shouldStop?() == true { result.interrupted = true; break }
            var rng = SplitMix64(seed: seed, stream: "\(label)/\(seedName)/\(position.rawValue)/\(round)")
            let start = Date()
            var mutant: FuzzModel?
            var op: (any MutationOperator)?
            for _ in 0..<3 where mutant == nil {
                let candidate = pick(&rng)
                op = candidate
                guard let record = candidate.propose(model, position: position, rng: &rng) else { continue }
                do { mutant = try candidate.apply(record, to: model) } catch { result.rejected += 1 }
            }
            guard let m = mutant, let op else { result.inapplicable += 1; continue }
            guard seen.insert(m.contentHash).inserted else {
                result.duplicates += 1
                try storeStep(m, op: op.name, status: .duplicate, reason: "the chain was this model before", referenceSeconds: 0, findings: [])
                stepBase += 1
                continue
            }
            result.mutants += 1
            let inputs = m.inputs()
            let arbiter = ArbiterRun.run(m, inputs: inputs)
            var status = MutantStatus.legal
            var reason: String?
            var findings: [MutantFinding] = []
            var ranOutcomes: [ExecutionOutcome] = []
            // The worst framework pair's distance; nil without two frameworks to compare (the reference alone).
            var inconsistency: Double?
            if let why = NumericGuard().reject(m, arbiter: arbiter) {
                status = .guarded; reason = why
            } else {
                let outcomes = executors.map { e in
                    var o = e.execute(m, inputs: inputs, arbiter: arbiter)
                    o.inProcess = e.inProcess
                    return o
                }
                // A framework whose worker does not start would silently drop out of Table 4.
                if let reason = outcomes.unavailableReason { throw CampaignError(.frameworkUnavailable, reason) }
                if baseline == nil { baseline = CampaignEngine.seedBaseline(seedModel, executors: executors) }
                var verdict = oracles.judge(m, arbiter: arbiter, outcomes: outcomes, baseline: baseline ?? [:])
                // Localized as a campaign localizes (a worker returns final outputs first): the same defect found by
                // `study` and by `fuzz` then folds into one.
                var localized = outcomes
                if CampaignEngine.fetchLayers(m, inputs: inputs, arbiter: arbiter, verdict: verdict, executors: executors, outcomes: &localized) {
                    verdict = oracles.judge(m, arbiter: arbiter, outcomes: localized, baseline: baseline ?? [:])
                }
                if CampaignEngine.confirmSlowdowns(m, inputs: inputs, arbiter: arbiter, verdict: verdict, executors: executors, outcomes: &localized, seed: seedModel) {
                    verdict = oracles.judge(m, arbiter: arbiter, outcomes: localized, baseline: baseline ?? [:])
                }
                // A slowdown still standing is judged against the seed timed now, as in `fuzz`.
                if verdict.findings.contains(where: { $0.symptom == .slowdown }) {
                    baseline = (baseline ?? [:]).merging(CampaignEngine.seedBaseline(seedModel, executors: executors)) { _, now in now }
                    verdict = oracles.judge(m, arbiter: arbiter, outcomes: localized, baseline: baseline ?? [:])
                }
                ranOutcomes = localized
                result.executed += 1
                findings = verdict.findings
                if verdict.illegal { status = .illegal; reason = verdict.illegalReason }
                for (k, v) in verdict.pairDistances { result.pair[k, default: []].append(v) }
                for (k, v) in verdict.referenceDistances { result.reference[k, default: []].append(v) }
                inconsistency = verdict.pairDistances.values.max()
                if findings.contains(where: { $0.symptom == .nanInf }) { result.nan += 1 }
                result.findings += findings.count
            }
            var cur = result.byRound[round] ?? ([], [], 0, 0)
            if findings.contains(where: { $0.symptom == .nanInf }) { cur.nan += 1 }
            if status.isIllegal {
                result.illegal += 1
                cur.illegal += 1
            } else {
                model = m
                let out = arbiter.run?.outputs.first?.values ?? []
                let change = Distance.outputChange(out, seed: seedOutput)
                result.change.append(change)
                cur.change.append(change)
                if let inconsistency { cur.inconsistency.append(inconsistency) }
                result.finalChange = change
                result.finalInconsistency = inconsistency
            }
            byRoundUpdate(&result, round, cur)
            result.seconds += Date().timeIntervalSince(start)
            try storeStep(m, op: op.name, status: status, reason: reason, referenceSeconds: arbiter.seconds, findings: findings, outcomes: ranOutcomes)
            stepBase += 1
        }
        return result
    }

    /// Marks the study's campaign finished, or paused and throws when it was stopped before its end.
    private func finish(_ campaign: Int64?, interrupted: Bool) throws {
        if let campaign { try store?.finish(campaign: campaign, status: interrupted ? "paused" : "finished") }
        if interrupted {
            throw CampaignError(.interrupted, "the study was stopped before its end; what it did is stored"
                                + (campaign.map { " (campaign \($0), paused)" } ?? "") + "; run the same command to complete it")
        }
    }

    private func byRoundUpdate(_ c: inout Chain, _ round: Int, _ v: (change: [Double], inconsistency: [Double], nan: Int, illegal: Int)) {
        c.byRound[round] = v
    }

    /// Table 4 and Fig. 8: every operator alone, and the mixed group.
    /// The mixed group draws from the operators and every chain starts from a seed: neither may be empty.
    func checkSetUp() throws {
        guard !operators.isEmpty else { throw CampaignError(.badArgument, "no mutation operators: --ops names at least one (or a group: study, peers, developer, all)") }
        guard !seeds.isEmpty else { throw CampaignError(.badArgument, "no seed models: --seeds names at least one (see `models list`)") }
        // Before a campaign row exists: an unknown seed used to fail inside a chain, leaving it `running`.
        for name in seeds where ModelZoo.entry(named: name) == nil {
            throw CampaignError(.badArgument, "unknown seed model '\(name)'; known: \(ModelZoo.entries.map(\.name).joined(separator: ", "))")
        }
    }

    /// What the study's campaign records, in the fields campaigns use: reports show its seeds and frameworks,
    /// and triage reduces its defects with its planted defects and oracle thresholds.
    func configJSON(_ study: String) -> String {
        struct StudyConfig: Encodable {
            var study: String, seeds: [String], frameworks: [String], operators: [String], rounds: Int, seed: UInt64
            var planted: [String], oracles: OracleThresholds
        }
        let encoder = CampaignConfig.encoder
        let config = StudyConfig(study: study, seeds: seeds, frameworks: executors.map(\.name), operators: operators.map(\.name),
                                 rounds: rounds, seed: seed, planted: planted, oracles: oracles.thresholds)
        return String(decoding: (try? encoder.encode(config)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public func operatorsAndOrder(study: String = "operators") throws -> StudyReport {
        try checkSetUp()
        // Workers start before anything is timed: the first operator's time absorbed every framework's
        // start-up (LA 30 s, the others 0.1-2 s).
        ExecutorPreparation.prepare(executors)
        let start = Date()
        let campaign = try store?.campaign(key: "study:\(study):" + configJSON(study), kind: "study-\(study)",
                                           config: configJSON(study), seed: seed, shard: ShardSpec())
        var rows: [OperatorStudyRow] = []
        var series: [String: [RoundPoint]] = [:]
        let groups: [(String, (any MutationOperator)?)] = operators.map { ($0.name, $0) } + [("mixed", nil)]
        // Groups are independent (each round draws from its own stream, each chain owns a block of step
        // numbers), so they run on every core and the report is the same as a serial run's.
        let results = Locked<[Int: Result<Chain, Error>]>([:])
        let ops = operators, seeds = self.seeds, rounds = self.rounds
        // Stored in group order as the groups finish: each group's rows go in once every group before it is
        // in (rows written as the parallel chains went got ids in whatever order the threads ran, so two runs
        // with one seed held different stores), and not only at the end (a `kill -9` or a closed terminal lost
        // the whole study). `frontier` is the first group not stored yet.
        let frontier = Locked<(next: Int, error: Error?)>((0, nil))
        let studyStore = store, groupCount = groups.count
        @Sendable func storeFinishedGroups() {
            guard let campaign, let studyStore else { return }
            frontier.update { state in
                while state.error == nil, state.next < groupCount, case .success(let total)? = results.value[state.next] {
                    do {
                        for row in total.stored { try studyStore.append(campaign: campaign, row, ifAbsent: true) }
                    } catch {
                        state.error = error
                    }
                    state.next += 1
                }
            }
        }
        DispatchQueue.concurrentPerform(iterations: groups.count) { gi in
            let (label, op) = groups[gi]
            var total = Chain()
            do {
                for (si, s) in seeds.enumerated() {
                    var step = (gi * seeds.count + si) * rounds
                    total.merge(try chain(seedName: s, label: label, position: .any, campaign: campaign, stepBase: &step, deferStore: true) { rng in
                        op ?? rng.pick(ops)
                    })
                }
                onProgress?("\(label): \(total.mutants) mutants, \(total.illegal) illegal")
                results.update { $0[gi] = .success(total) }
            } catch {
                results.update { $0[gi] = .failure(error) }
            }
            storeFinishedGroups()
        }
        if let error = frontier.value.error { throw error }
        // Every group that finished is stored before a failed one's error is thrown (the same command then fills
        // in the rest): those past a failed group wait here.
        if let campaign, let store {
            for gi in frontier.value.next..<groups.count {
                guard case .success(let total)? = results.value[gi] else { continue }
                for row in total.stored { try store.append(campaign: campaign, row, ifAbsent: true) }
            }
        }
        for (gi, (label, op)) in groups.enumerated() {
            let total = try results.value[gi]!.get()
            rows.append(Self.row(label, op, total))
            series[label] = total.byRound.keys.sorted().map { r in
                let v = total.byRound[r]!
                return RoundPoint(round: r, outputChange: Self.mean(v.change), inconsistency: v.inconsistency.isEmpty ? nil : Self.mean(v.inconsistency),
                                  nanMutants: v.nan, illegal: v.illegal)
            }
        }
        try finish(campaign, interrupted: groups.indices.contains { (try? results.value[$0]!.get().interrupted) == true })
        let mutants = rows.reduce(0) { $0 + $1.mutants }, illegal = rows.reduce(0) { $0 + $1.illegal }
        return StudyReport(study: study, seeds: seeds, rounds: rounds, seed: seed, frameworks: executors.map(\.name), operators: rows,
                           overallIllegalRate: mutants > 0 ? Double(illegal) / Double(mutants) : 0, rounds_: series, position: nil,
                           wallSeconds: Date().timeIntervalSince(start))
    }

    /// Fig. 9: the mixed group restricted to the backbone, then to the task head, on each seed.
    public func position() throws -> StudyReport {
        try checkSetUp()
        ExecutorPreparation.prepare(executors)
        let start = Date()
        let campaign = try store?.campaign(key: "study:position:" + configJSON("position"), kind: "study-position",
                                           config: configJSON("position"), seed: seed, shard: ShardSpec())
        var step = 0
        var perSeed: [String: [String: Double]] = [:]
        var legal: [String: [Position: Int]] = [:]
        var wins = 0, comparisons = 0
        var rows: [OperatorStudyRow] = []
        var interrupted = false
        for position in [Position.backbone, .head] {
            var total = Chain()
            for s in seeds {
                let ops = operators
                let c = try chain(seedName: s, label: "position", position: position, campaign: campaign, stepBase: &step) { rng in rng.pick(ops) }
                total.merge(c)
                perSeed[s, default: [:]]["\(position.rawValue)_output_change"] = c.finalChange
                if let inconsistency = c.finalInconsistency { perSeed[s, default: [:]]["\(position.rawValue)_inconsistency"] = inconsistency }
                legal[s, default: [:]][position] = c.mutants - c.illegal
                interrupted = interrupted || c.interrupted
            }
            rows.append(Self.row("mixed-\(position.rawValue)", nil, total))
        }
        try finish(campaign, interrupted: interrupted)
        for (s, v) in perSeed {
            // A seed with no legal mutant on one side (a model without a task head) compares nothing.
            guard legal[s]?[.backbone] ?? 0 > 0, legal[s]?[.head] ?? 0 > 0 else { continue }
            comparisons += 1
            let b = v["backbone_inconsistency", default: 0] > 0 || v["head_inconsistency", default: 0] > 0
                ? (v["backbone_inconsistency", default: 0], v["head_inconsistency", default: 0])
                : (v["backbone_output_change", default: 0], v["head_output_change", default: 0])
            if b.0 > b.1 { wins += 1 }
        }
        let mutants = rows.reduce(0) { $0 + $1.mutants }, illegal = rows.reduce(0) { $0 + $1.illegal }
        return StudyReport(study: "position", seeds: seeds, rounds: rounds, seed: seed, frameworks: executors.map(\.name), operators: rows,
                           overallIllegalRate: mutants > 0 ? Double(illegal) / Double(mutants) : 0, rounds_: [:],
                           position: PositionComparison(seeds: perSeed, backboneWins: comparisons > 0 ? Double(wins) / Double(comparisons) : 0,
                                                        comparisons: comparisons),
                           wallSeconds: Date().timeIntervalSince(start))
    }

    static func row(_ label: String, _ op: (any MutationOperator)?, _ c: Chain) -> OperatorStudyRow {
        OperatorStudyRow(operator_: label, family: op?.family.rawValue ?? "mixed", origin: op?.origin.rawValue ?? "mixed", mutants: c.mutants,
                         executed: c.executed, illegal: c.illegal, illegalRate: c.mutants > 0 ? Double(c.illegal) / Double(c.mutants) : 0,
                         rejectedByConstraints: c.rejected, inapplicable: c.inapplicable, duplicates: c.duplicates,
                         studyRate: OperatorCatalog.studyIllegalRates[label] ?? (op == nil ? OperatorCatalog.studyIllegalRates["mixed"] : nil),
                         meanSeconds: c.mutants > 0 ? c.seconds / Double(c.mutants) : 0, pairInconsistency: c.pair.mapValues(mean),
                         referenceDistance: c.reference.mapValues(mean), outputChange: mean(c.change), nanMutants: c.nan, findings: c.findings)
    }

    static func mean(_ v: [Double]) -> Double {
        let f = v.filter(\.isFinite)
        return f.isEmpty ? 0 : f.reduce(0, +) / Double(f.count)
    }
}

/// A value behind a lock, for results gathered from concurrent work.
final class Locked<T>: @unchecked Sendable {
    private var stored: T
    private let lock = NSLock()

    init(_ value: T) { stored = value }

    var value: T { lock.lock(); defer { lock.unlock() }; return stored }

    func update(_ body: (inout T) -> Void) {
        lock.lock(); defer { lock.unlock() }
        body(&stored)
    }
}
