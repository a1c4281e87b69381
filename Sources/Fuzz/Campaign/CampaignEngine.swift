import Seeding
import Foundation
import Oracles
import ModelIR
import Taxonomy

/// Where a campaign stands, for the live progress line.
public struct CampaignProgress: Sendable {
    public var step: Int
    public var budget: Int?
    public var elapsed: Double
    public var executed: Int
    public var legal: Int
    public var findingsBySubtype: [String: Int]
    public var health: [String: [String: Int]]
    public var replaying: Bool

    public var line: String {
        let rate = elapsed > 0 ? Double(step) / elapsed : 0
        // Nothing judged yet (every step inapplicable so far): no rate to show, not 100%.
        let legalText = executed > 0 ? String(format: "%.1f%%", 100 * Double(legal) / Double(executed)) : "—"
        let findings = findingsBySubtype.isEmpty ? "none" : findingsBySubtype.keys.sorted().map { "\($0):\(findingsBySubtype[$0]!)" }.joined(separator: " ")
        let health = self.health.keys.sorted().map { fw in
            let h = self.health[fw]!
            let bad = h.filter { $0.key != "ok" }.map { "\($0.value) \($0.key)" }.sorted().joined(separator: ",")
            return "\(fw) \(h["ok", default: 0]) ok" + (bad.isEmpty ? "" : " " + bad)
        }.joined(separator: "; ")
        return String(format: "%@mutants %d%@ | %.1f/s | legal %@ | findings %@ | %@", replaying ? "(replay) " : "", step,
                      budget.map { "/\($0)" } ?? "", rate, legalText, findings, health)
    }
}

/// The result of a campaign run.
public struct CampaignSummary: Sendable, Codable {
    public var campaignID: Int64?
    public var steps: Int
    public var replayed: Int
    public var statusCounts: [String: Int]
    public var uniqueFindings: [MutantFinding]
    public var findingsBySubtype: [String: Int]
    public var coverage: Int
    public var hashes: [String]
    public var wallSeconds: Double
    /// Wall time split: mutation + validity (of which "hash": the content hash), reference, workers, oracles, store.
    public var split: [String: Double]
    public var perOperator: [String: [String: Int]]
    /// `finished` (its budget spent) or `paused` (stopped before: Ctrl-C, SIGTERM; the same command resumes it).
    public var status = "finished"
    /// Steps the store held for the campaign before this run (more than `steps` when run with a smaller budget).
    public var storedSteps = 0
}

/// The campaign loop: choose a parent and an operator (guidance), mutate (constraints), skip duplicates, run the
/// numeric guard on the float64 reference, execute on every framework, judge, record, learn. A step's choices
/// draw from a generator seeded by (shard seed, step), so a resumed campaign re-derives its recorded steps
/// (checking each hash) without executing them, and goes on exactly where it stopped.
public final class CampaignEngine: @unchecked Sendable {
    public let config: CampaignConfig
    let operators: [any MutationOperator]
    let executors: [any MutantExecutor]
    let oracles: MutantOracles
    let store: CampaignStore?
    let numericGuard = NumericGuard()
    /// Called after every step with the progress.
    public var onProgress: ((CampaignProgress) -> Void)?
    /// Asked before every new step: true stops the campaign there, recorded as paused (Ctrl-C in `fuzz`: the
    /// step under way finishes and is stored, and the same command resumes it).
    public var shouldStop: (@Sendable () -> Bool)?
    /// Admitted mutants kept in memory (the oldest admitted one leaves first; seeds stay).
    public var poolLimit = 64

    public init(config: CampaignConfig, operators: [any MutationOperator], executors: [any MutantExecutor], oracles: MutantOracles, store: CampaignStore?) {
        self.config = config
        self.operators = operators
        self.executors = executors
        self.oracles = oracles
        self.store = store
    }

    /// Runs until the budget is spent (or `stopAfter` new steps, for tests that interrupt a campaign).
    public func run(stopAfter: Int? = nil) throws -> CampaignSummary {
        let start = Date()
        // The set-up is checked before the campaign is stored: a typo in a seed name must not leave an empty
        // "running" campaign behind for `--campaign latest` to pick.
        guard !config.seeds.isEmpty else { throw CampaignError(.badArgument, "no seed models: --seeds names at least one (see `models list`)") }
        guard !operators.isEmpty else { throw CampaignError(.badArgument, "no mutation operators: --ops names at least one (or a group: study, peers, developer, all)") }
        var guidance = config.guidance.make(operators: operators.count, position: config.position)
        var pool: [PoolEntry] = []
        // Fingerprint -> SHA-256 of every model seen: duplicates are skipped, and recorded with the hash.
        var hashes: [Fingerprint: String] = [:]
        for name in config.seeds {
            let model: FuzzModel
            do { model = try FuzzModel.seed(named: name, seed: config.seed) } catch { throw CampaignError(.badArgument, error.description) }
            pool.append(PoolEntry(model: model, step: nil))
            let json = ModelBundle.encodeGraph(model.graph)
            hashes[fingerprintOf(model)] = model.contentHash(graphJSON: json)
        }
        // The configuration shown for the campaign is the one it last ran further under: a larger mutant budget,
        // or a time budget (not a smaller budget that only replays what it holds).
        let campaignID = try store?.campaign(key: config.key, legacyKey: config.legacyKey, kind: "fuzz", config: config.json, seed: config.seed,
                                             shard: config.shard) { stored in
            if case .mutants(let n) = config.budget { return config.shard.share(of: n) > stored }
            return true
        }
        let history = try campaignID.map { try store!.history(campaign: $0) } ?? []
        var coverage = CoverageTracker()
        for entry in pool { coverage.add(entry.model.graph) }
        var signatures = Set<String>()
        // Each framework's cost on each seed, measured when the seed's first mutant runs (timing only: guidance
        // never reads performance findings, so the mutant sequence stays a function of the seed).
        var baselines: [String: [String: PerformanceBaseline]] = [:]
        var summary = CampaignSummary(campaignID: campaignID, steps: 0, replayed: 0, statusCounts: [:], uniqueFindings: [], findingsBySubtype: [:],
                                      coverage: 0, hashes: [], wallSeconds: 0,
                                      split: ["mutation": 0, "hash": 0, "reference": 0, "workers": 0, "oracles": 0, "store": 0], perOperator: [:])
        var progress = CampaignProgress(step: 0, budget: nil, elapsed: 0, executed: 0, legal: 0, findingsBySubtype: [:], health: [:], replaying: false)
        let maxSteps: Int
        var timeBudget: Double?
        switch config.budget {
        case .mutants(let n): maxSteps = config.shard.share(of: n); progress.budget = maxSteps
        case .seconds(let s): maxSteps = Int.max; timeBudget = s
        }
        // A time budget covers every run of the campaign: a resumed one gets what is left (set at its first new
        // step, after the replay), and one whose time is spent is finished.
        let spentBefore = try campaignID.map { try store!.spentSeconds(campaign: $0) } ?? 0
        var deadline: Date?
        var timeSpent = false
        var stepMark = Date()
        let shardSeed = config.shardSeed
        var fresh = 0
        var step = 0
        summary.storedSteps = history.count
        // Done before this run: its budget was spent by earlier runs (a replay stopped part-way keeps it finished).
        let doneBefore = history.count >= maxSteps || timeBudget.map { spentBefore >= $0 } == true
        var stoppedInReplay = false
        while step < maxSteps {
            let replay = step < history.count ? history[step] : nil
            // Ctrl-C stops a replay at once: nothing new has been computed, and the store already holds every step.
            if replay != nil, shouldStop?() == true { stoppedInReplay = true; break }
            if replay == nil {
                if let stopAfter, fresh >= stopAfter { break }
                if shouldStop?() == true { break }
                if let timeBudget {
                    let end = deadline ?? Date().addingTimeInterval(Swift.max(0, timeBudget - spentBefore))
                    deadline = end
                    if Date() >= end { timeSpent = true; break }
                }
            }
            var rng = SplitMix64(seed: shardSeed, stream: "step \(step)")
            let t0 = Date()
            let eligible = pool.indices.filter { pool[$0].model.order < config.maxOrder }
            let parentIndex = guidance.chooseParent(pool, eligible: eligible.isEmpty ? [0] : eligible, rng: &rng)
            pool[parentIndex].selections += 1
            let parent = pool[parentIndex].model
            var record: MutationRecord?
            var opIndex = 0, position = config.position
            var made: Result<(FuzzModel, Fingerprint), MutationError>?
            var otherShard: Int?
            // Shards split the space of mutants by content: a legal mutant belongs to the shard its stable
            // fingerprint picks, and a shard proposes again (a few times) when it made another shard's — so shards
            // never run each other's mutants. One shard (the default) never retries: its stream is unchanged.
            var tries = config.shard.count > 1 ? 4 * config.shard.count : 1
            var tried: [String] = []
            while tries > 0 {
                tries -= 1
                record = nil
                tried = []
                if shouldStop?() == true && tries > 0 { tries = 0 }   // a stop request ends the search for this shard's mutant
                for _ in 0..<8 {
                    opIndex = guidance.chooseOperator(count: operators.count, rng: &rng)
                    position = guidance.choosePosition(operatorIndex: opIndex, allowed: config.position, rng: &rng)
                    if let r = operators[opIndex].propose(parent, position: position, rng: &rng) { record = r; break }
                    guidance.learnInapplicable(operatorIndex: opIndex, position: position)
                    if !tried.contains(operators[opIndex].name) { tried.append(operators[opIndex].name) }
                }
                guard let record else { otherShard = nil; break }
                do throws(MutationError) {
                    let m = try operators[opIndex].apply(record, to: parent)
                    let th = Date()
                    let fingerprint = fingerprintOf(m)
                    summary.split["hash", default: 0] += Date().timeIntervalSince(th)
                    let owner = config.shard.owner(of: fingerprint)
                    if owner != config.shard.index { otherShard = owner; continue }
                    otherShard = nil
                    made = .success((m, fingerprint))
                } catch {
                    otherShard = nil
                    made = .failure(error)
                }
                break
            }
            // A step with no edit says which operators found nothing to edit on the parent (the first of them as
            // its operator), so a report can tell operators that never apply.
            var row = StepRow(step: step, seedModel: parent.seedName, parentStep: pool[parentIndex].step, order: parent.order + 1,
                              op: record?.op ?? tried.first, position: position.rawValue, recordJSON: record.map(Self.json), lineageJSON: Self.json(parent.lineage + (record.map { [$0] } ?? [])),
                              hash: nil, status: .inapplicable,
                              reason: record == nil && !tried.isEmpty ? "no edit applies to the parent: tried \(tried.joined(separator: ", "))" : nil, frameworksJSON: "{}", verdictsJSON: "{}", newCoverage: 0,
                              mutationSeconds: 0, referenceSeconds: 0, workerSeconds: 0, oracleSeconds: 0, memoryBytes: 0, findings: [])
            var mutant: FuzzModel?
            var findings: [MutantFinding] = []
            var pendingHash: Background<String>?
            var pendingFingerprint: Fingerprint?
            if let otherShard {
                row.status = .duplicate
                row.reason = "another shard's mutant (shard \(otherShard)/\(config.shard.count) runs it)"
            }
            switch made {
            case .success(let (m, fingerprint)):
                mutant = m
                do {
                    let th = Date()
                    // The canonical graph JSON (sorted, indented) is only needed for the SHA-256, so it is encoded
                    // off the critical path too; the duplicate check uses the fingerprint.
                    if let earlier = hashes[fingerprint] {
                        row.hash = earlier
                        row.status = .duplicate
                    } else if replay != nil {
                        row.status = .legal
                        row.hash = m.contentHash(graphJSON: ModelBundle.encodeGraph(m.graph))
                        hashes[fingerprint] = row.hash
                    } else {
                        // Computed beside the reference and the workers; joined before the row is written.
                        row.status = .legal
                        pendingHash = Background { m.contentHash(graphJSON: ModelBundle.encodeGraph(m.graph)) }
                        pendingFingerprint = fingerprint
                    }
                    summary.split["hash", default: 0] += Date().timeIntervalSince(th)
                }
            case .failure(let error):
                row.status = .invalid
                row.reason = error.description
            case nil:
                break
            }
            row.mutationSeconds = Date().timeIntervalSince(t0)
            defer { _ = pendingHash?.result }
            if let replay {
                // The edit as well as the mutant: a step that made no mutant (invalid, inapplicable) has no hash to
                // compare, and re-deriving another edit there would feed the guidance otherwise from then on.
                guard replay.hash == row.hash, replay.recordJSON == row.recordJSON else {
                    throw CampaignError(.replayMismatch, "step \(step): recorded mutant \(replay.hash ?? "-") (\(replay.recordJSON ?? "no edit")) but re-derived \(row.hash ?? "-") (\(row.recordJSON ?? "no edit")); the campaign's code or seed models changed")
                }
                row.status = replay.status
                findings = replay.findings
            } else if row.status == .legal, let m = mutant {
                let inputs = m.inputs()
                // With only out-of-process frameworks, the float64 reference runs while they do (the Swift side
                // would otherwise sit idle waiting for the workers); a mutant the numeric guard rejects then
                // discards their answers. The reference's share of wall time is the wait for it after the workers.
                let overlap = !executors.isEmpty && executors.allSatisfy { !$0.inProcess }
                let background = overlap ? Background { ArbiterRun.run(m, inputs: inputs) } : nil
                var arbiter = overlap ? ArbiterRun(run: nil, error: nil, seconds: 0) : ArbiterRun.run(m, inputs: inputs)
                row.referenceSeconds = arbiter.seconds
                var early: [ExecutionOutcome]?
                if let background {
                    let t1 = Date()
                    early = executors.map { e in e.execute(m, inputs: inputs, arbiter: arbiter) }
                    try stopIfUnavailable(early ?? [], campaignID: campaignID)
                    row.workerSeconds = Date().timeIntervalSince(t1)
                    let tw = Date()
                    arbiter = background.result
                    row.referenceSeconds = Date().timeIntervalSince(tw)
                }
                if let why = numericGuard.reject(m, arbiter: arbiter) {
                    row.status = .guarded
                    row.reason = why
                } else {
                    let t1 = Date()
                    var outcomes = early ?? executors.map { e in
                        var o = e.execute(m, inputs: inputs, arbiter: arbiter)
                        o.inProcess = e.inProcess
                        return o
                    }
                    if early == nil { row.workerSeconds = Date().timeIntervalSince(t1) }
                    try stopIfUnavailable(outcomes, campaignID: campaignID)
                    if baselines[m.seedName] == nil, let seed = pool.first(where: { $0.step == nil && $0.model.seedName == m.seedName })?.model {
                        // The seed's own runs on the workers (once per seed): worker time, not oracle time.
                        let tb = Date()
                        baselines[m.seedName] = seedBaseline(seed)
                        row.workerSeconds += Date().timeIntervalSince(tb)
                    }
                    let baseline = baselines[m.seedName] ?? [:]
                    let t2 = Date()
                    var verdict = oracles.judge(m, arbiter: arbiter, outcomes: outcomes, baseline: baseline)
                    row.oracleSeconds = Date().timeIntervalSince(t2)
                    if localizeOnDemand(m, inputs: inputs, arbiter: arbiter, verdict: verdict, outcomes: &outcomes, row: &row) {
                        let t4 = Date()
                        verdict = oracles.judge(m, arbiter: arbiter, outcomes: outcomes, baseline: baseline)
                        row.oracleSeconds += Date().timeIntervalSince(t4)
                    }
                    let seedModel = pool.first(where: { $0.step == nil && $0.model.seedName == m.seedName })?.model
                    if Self.confirmSlowdowns(m, inputs: inputs, arbiter: arbiter, verdict: verdict, executors: executors, outcomes: &outcomes, seed: seedModel) {
                        verdict = oracles.judge(m, arbiter: arbiter, outcomes: outcomes, baseline: baseline)
                    }
                    // A slowdown still standing is judged against the seed timed now: a worker that runs slower as
                    // it ages (MindSpore's drift 7 → 50 ms on textcnn) made growth from its first seed time look
                    // like E1 defects that never reproduced. The fresh times stand for the seed from then on.
                    if verdict.findings.contains(where: { $0.symptom == .slowdown }), let seedModel {
                        let tb = Date()
                        let fresh = seedBaseline(seedModel)
                        row.workerSeconds += Date().timeIntervalSince(tb)
                        baselines[m.seedName] = baseline.merging(fresh) { _, now in now }
                        verdict = oracles.judge(m, arbiter: arbiter, outcomes: outcomes, baseline: baselines[m.seedName] ?? baseline)
                    }
                    findings = verdict.findings
                    if verdict.illegal { row.status = .illegal; row.reason = verdict.illegalReason }
                    row.memoryBytes = outcomes.map(\.memoryBytes).max() ?? 0
                    row.frameworksJSON = Self.frameworksJSON(outcomes)
                    row.verdictsJSON = Self.json(["reference": verdict.referenceDistances.mapValues(Self.finite),
                                                  "pairs": verdict.pairDistances.mapValues(Self.finite)])
                    for o in outcomes { progress.health[o.framework, default: [:]][o.status.rawValue, default: 0] += 1 }
                }
            }
            if let pendingHash, let pendingFingerprint {
                let tj = Date()
                row.hash = pendingHash.result
                hashes[pendingFingerprint] = row.hash
                summary.split["hash", default: 0] += Date().timeIntervalSince(tj)
                row.mutationSeconds += Date().timeIntervalSince(tj)
            }
            // Coverage, unique findings, guidance: the same on a replayed step as on the original one.
            if row.status == .legal, let m = mutant { row.newCoverage = coverage.add(m.graph) }
            var newFindings = 0
            for f in findings {
                let first = signatures.insert(f.signature).inserted
                if first {
                    // Guidance counts only findings that do not depend on timing or memory readings (a loaded
                    // machine must not change which mutants a seed makes); the summary counts them all.
                    if !f.isPerformance { newFindings += 1 }
                    summary.uniqueFindings.append(f)
                    summary.findingsBySubtype[f.subtype, default: 0] += 1
                }
                row.findings.append((f, first))
            }
            if let record {
                let feedback = StepFeedback(operatorIndex: opIndex, position: position, parentIndex: parentIndex, legal: row.status == .legal,
                                            raisedInconsistency: findings.contains { !$0.isPerformance }, newCoverage: row.newCoverage, newFindings: newFindings)
                guidance.learn(feedback)
                if guidance.admits(feedback), let m = mutant {
                    pool.append(PoolEntry(model: m, step: step))
                    if pool.count > config.seeds.count + poolLimit { pool.remove(at: config.seeds.count) }
                }
                summary.perOperator[record.op, default: [:]][row.status.rawValue, default: 0] += 1
            }
            if replay == nil {
                let t3 = Date()
                // The step's wall time from the end of the one before (or of the replay), so the campaign's spent
                // time adds up to the wall time of its runs.
                if let campaignID { try store!.append(campaign: campaignID, row, seconds: Date().timeIntervalSince(stepMark)) }
                summary.split["store", default: 0] += Date().timeIntervalSince(t3)
                fresh += 1
            } else {
                summary.replayed += 1
            }
            stepMark = Date()
            summary.split["mutation", default: 0] += row.mutationSeconds
            summary.split["reference", default: 0] += row.referenceSeconds
            summary.split["workers", default: 0] += row.workerSeconds
            summary.split["oracles", default: 0] += row.oracleSeconds
            summary.statusCounts[row.status.rawValue, default: 0] += 1
            summary.hashes.append(row.hash ?? "-")
            if row.status.executed || row.status == .guarded { progress.executed += 1 }
            if row.status == .legal { progress.legal += 1 }
            step += 1
            progress.step = step
            progress.elapsed = Date().timeIntervalSince(start)
            progress.findingsBySubtype = summary.findingsBySubtype
            progress.replaying = replay != nil
            onProgress?(progress)
        }
        summary.steps = step
        summary.coverage = coverage.total
        summary.wallSeconds = Date().timeIntervalSince(start)
        summary.status = step >= maxSteps || timeSpent || (stoppedInReplay && doneBefore) ? "finished" : "paused"
        if let campaignID {
            try store!.finish(campaign: campaignID, status: summary.status, spentAtLeast: timeSpent ? timeBudget : nil,
                              newSteps: summary.steps > summary.replayed)
        }
        return summary
    }

    /// The duplicate check's key, seeds and mutants alike. The structural fingerprint hashes the graph per
    /// process, which is all one process needs; shards must agree on a mutant's owner, so theirs hashes the
    /// graph's JSON.
    func fingerprintOf(_ m: FuzzModel) -> Fingerprint {
        config.shard.count > 1 ? Fingerprint(graphJSON: GraphJSON.encode(m.graph, pretty: false), model: m) : Fingerprint(model: m)
    }

    /// A framework whose worker does not start (a broken environment, not the mutant) would otherwise turn every
    /// later mutant into its G3 finding, or into an illegal one when two are down: the step under way is not
    /// recorded, the campaign is kept as paused, and the same command resumes it once the set-up is mended.
    func stopIfUnavailable(_ outcomes: [ExecutionOutcome], campaignID: Int64?) throws {
        guard let reason = outcomes.unavailableReason else { return }
        if let campaignID { try store!.finish(campaign: campaignID, status: "paused") }
        throw CampaignError(.frameworkUnavailable, reason + "\nThe campaign is paused; run the same command to resume once the framework starts.")
    }

    /// Layer values are fetched only for a framework whose NaN or inconsistency finding could not be localized
    /// without them (executors return final outputs first); true when some outcome gained layers.
    /// Runs the seed on every framework twice and keeps the faster run (the first also pays for one-off warm-up
    /// such as a framework's first graph ever), as the baseline its mutants' time and memory are judged against.
    func seedBaseline(_ seed: FuzzModel) -> [String: PerformanceBaseline] { Self.seedBaseline(seed, executors: executors) }

    /// A mutant's runs as the mutant table keeps them: per framework, status, stage, time, memory and message.
    static func frameworksJSON(_ outcomes: [ExecutionOutcome]) -> String {
        json(Dictionary(uniqueKeysWithValues: outcomes.map { o in
            (o.framework, ["status": o.status.rawValue, "stage": o.stage?.rawValue ?? "", "seconds": String(format: "%.6f", o.seconds),
                           "memory": String(o.memoryBytes), "message": String(o.message.prefix(300))])
        }))
    }

    /// Each framework's time and memory on the seed, the faster of two runs: what a mutant's slowdown and memory
    /// growth are measured from (`fuzz` and `study` alike).
    static func seedBaseline(_ seed: FuzzModel, executors: [any MutantExecutor]) -> [String: PerformanceBaseline] {
        let inputs = seed.inputs()
        let arbiter = ArbiterRun.run(seed, inputs: inputs)
        guard arbiter.run != nil else { return [:] }
        var result: [String: PerformanceBaseline] = [:]
        for e in executors {
            for _ in 0..<2 {
                let o = e.execute(seed, inputs: inputs, arbiter: arbiter)
                guard o.status == .ok else { break }
                let b = PerformanceBaseline(seconds: o.seconds, memoryBytes: o.memoryBytes)
                if let old = result[e.name], old.seconds <= b.seconds { continue }
                result[e.name] = b
            }
        }
        return result
    }

    func localizeOnDemand(_ m: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun, verdict: MutantOracles.Verdict,
                          outcomes: inout [ExecutionOutcome], row: inout StepRow) -> Bool {
        let t = Date()
        let gained = Self.fetchLayers(m, inputs: inputs, arbiter: arbiter, verdict: verdict, executors: executors, outcomes: &outcomes)
        row.workerSeconds += Date().timeIntervalSince(t)
        return gained
    }

    /// Runs again, with every layer's value, each framework whose NaN or inconsistency finding in `verdict` could
    /// not be localized (op `output`: executors return final outputs first); true when some outcome gained layers,
    /// and the verdict should be judged again. `executors[i]` ran `outcomes[i]`. The campaign and the reducer both
    /// do this, so a reduced candidate is judged as its campaign judged the mutant (same op, same signature).
    public static func fetchLayers(_ m: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun, verdict: MutantOracles.Verdict,
                                   executors: [any MutantExecutor], outcomes: inout [ExecutionOutcome]) -> Bool {
        let unlocalized = Set(verdict.findings.filter { [.nanInf, .inconsistency].contains($0.symptom) && $0.op == "output" }.map(\.framework))
        guard !unlocalized.isEmpty else { return false }
        var gained = false
        for (i, e) in executors.enumerated() where unlocalized.contains(outcomes[i].framework) && outcomes[i].layers.isEmpty {
            if let again = e.executeWithLayers(m, inputs: inputs, arbiter: arbiter), again.status == .ok, !again.layers.isEmpty {
                outcomes[i].layers = again.layers
                gained = true
            }
        }
        return gained
    }

    /// A slowdown filed against an executor inside this process is timed once, on a machine where one scheduler
    /// stall (20–60 ms on two busy cores) passes the floor: it is timed again, and the faster of the two runs
    /// counts. (Worker frameworks time warm-up and repeats themselves and report a robust figure.) A worker
    /// framework's slowdown is localized instead (only for the rare mutant with a slowdown): the framework times
    /// each node of the mutant once more (`MutantExecutor.profile`) and, given the mutant's `seed`, of the seed,
    /// and the node whose time grew most is the finding's; without the seed, every other framework that ran the
    /// mutant out of process is profiled too and the node whose share of its time is most out of line with
    /// theirs is (`NodeLocalization.slowdownNode`). True when some outcome changed and the verdict should be
    /// judged again.
    public static func confirmSlowdowns(_ m: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun, verdict: MutantOracles.Verdict,
                                        executors: [any MutantExecutor], outcomes: inout [ExecutionOutcome], seed: FuzzModel? = nil) -> Bool {
        let slow = Set(verdict.findings.filter { $0.symptom == .slowdown }.map(\.framework))
        guard !slow.isEmpty else { return false }
        var changed = false
        // Every slow framework is timed once more and keeps its faster time: one scheduler stall on a loaded
        // machine (20 ms and more) made a single timing of a worker framework an E1 that never reproduced.
        for (i, e) in executors.enumerated() where slow.contains(outcomes[i].framework) && outcomes[i].status == .ok {
            let again = e.execute(m, inputs: inputs, arbiter: arbiter)
            if again.status == .ok { outcomes[i].seconds = min(outcomes[i].seconds, again.seconds); changed = true }
        }
        let unprofiled = executors.indices.filter { i in
            !executors[i].inProcess && slow.contains(outcomes[i].framework) && outcomes[i].slowestNode == nil
        }
        guard !unprofiled.isEmpty else { return changed }
        var profiles: [Int: [String: Double]] = [:], seedProfiles: [Int: [String: Double]] = [:]
        let seedInputs = seed?.inputs()
        for (i, e) in executors.enumerated() where !e.inProcess && outcomes[i].status == .ok {
            // With the seed, only the slow frameworks are profiled (the peers are not needed).
            guard seed == nil || unprofiled.contains(i) else { continue }
            if let p = e.profile(m, inputs: inputs), !p.isEmpty { profiles[i] = p }
            if let seed, let seedInputs, let p = e.profile(seed, inputs: seedInputs), !p.isEmpty { seedProfiles[i] = p }
        }
        for i in unprofiled {
            guard let own = profiles[i] else { continue }
            let peers = profiles.filter { $0.key != i }.sorted { $0.key < $1.key }.map(\.value)
            if let node = NodeLocalization.slowdownNode(own, seed: seedProfiles[i], peers: peers) {
                outcomes[i].slowestNode = node
                changed = true
            }
        }
        return changed
    }

    static func finite(_ v: Double) -> Double { v.isFinite ? v : -1 }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }
}
