import Foundation
import ModelIR
import Oracles
import Reference
import Taxonomy

/// The oracles: crash and error (some frameworks fail, others do not), NaN/Inf (where the float64 reference
/// is finite), inconsistency (output distance to the reference beyond a dtype-aware tolerance, localized by
/// layer values to the first diverging node), slowdown and memory (against the other frameworks).
public struct MutantOracles: Sendable {
    public var mapping: FuzzMapping
    /// Campaigns read `relativeDistance` (inconsistency, widened by `DtypeTolerance` for half-precision
    /// models), `slowdownFactor`/`slowdownFloorMs`, `memoryFactor` and the loss thresholds. The same type (and
    /// `--oracles` file) as `defectlab diff`, so one file tunes both; the maths is `Oracles`' too.
    public var thresholds: OracleThresholds

    public init(mapping: FuzzMapping, thresholds: OracleThresholds = OracleThresholds()) {
        self.mapping = mapping
        self.thresholds = thresholds
    }

    /// The verdict on one mutant.
    public struct Verdict: Sendable {
        public var findings: [MutantFinding]
        /// Every framework failed the same way, or the reference cannot run it: not a framework defect.
        public var illegal: Bool
        public var illegalReason: String?
        /// Mean |a - b| between frameworks' outputs, by "a~b" pair (the study's Table 4 measure).
        public var pairDistances: [String: Double]
        /// Mean relative distance of each framework to the reference.
        public var referenceDistances: [String: Double]
    }

    /// `baseline`: each framework's time and memory on the mutant's seed model. With it, slowdown and memory
    /// compare how much each framework's cost grew from the seed against how much the others' grew, which
    /// cancels the frameworks' constant speed differences (ONNX Runtime is 100x faster than TensorFlow eager on
    /// a small model without any defect); without it, the raw figures are compared.
    /// `everyFramework`: the outcomes are every framework the campaign runs, so all of them rejecting a mutant
    /// is a verdict on the mutant; false when only the implicated frameworks ran (a reducer checking a defect
    /// two frameworks share, which then always looked illegal).
    public func judge(_ model: FuzzModel, arbiter: ArbiterRun, outcomes: [ExecutionOutcome],
                      baseline: [String: PerformanceBaseline] = [:], everyFramework: Bool = true) -> Verdict {
        // A framework whose worker did not start says nothing about the mutant.
        let outcomes = outcomes.filter { $0.status != .unavailable }
        var findings: [MutantFinding] = []
        let failed = outcomes.filter { $0.status != .ok && $0.status != .unsupported }, ok = outcomes.filter { $0.status == .ok }
        var illegal = false, reason: String?
        if arbiter.run == nil {
            illegal = true
            reason = "reference cannot run it: \(arbiter.error ?? "")"
        } else if !outcomes.isEmpty && ok.isEmpty && failed.isEmpty {
            illegal = true
            reason = "no framework supports it"
        } else if ok.isEmpty && failed.count > 1 && Set(failed.map { "\($0.status)|\($0.stage?.rawValue ?? "")" }).count == 1 {
            illegal = true
            reason = "every framework fails the same way: \(failed[0].message)"
        } else if everyFramework, case let workers = outcomes.filter({ !$0.inProcess }), workers.count >= 2, workers.allSatisfy({ $0.status != .ok }) {
            // Every real framework rejects it (the reference's float64 run does not count as a framework here).
            illegal = true
            reason = "every framework rejects it: \(workers[0].message.prefix(200))"
        }
        if !illegal {
            for f in failed {
                let scope: FindingScope = ok.isEmpty ? .all : .some
                let symptom: FindingSymptom = switch f.status {
                case .crash: .crash
                case .timeout: .hang
                case .memory: .memoryFailure
                default: .error
                }
                findings.append(file(f.framework, symptom, f.stage ?? .execute, scope, f.failingOp ?? "model", f.message))
            }
        }
        var referenceDistances: [String: Double] = [:]
        let tol = thresholds.relativeDistance * DtypeTolerance.factor(model.graph)
        if let ref = arbiter.run, !illegal {
            let refOut = ref.outputs.map(\.values)
            // NaN/Inf against the reference element by element: appearing where it is finite, or lost where it
            // is not (a NaN that must propagate); a reference NaN that only means "undefined" is skipped.
            let referenceNaN = ReferenceNaN(model.graph, run: ref)
            var nanFrameworks: [(ExecutionOutcome, Node?, missed: Bool)] = [], wrongFrameworks: [(ExecutionOutcome, Node?, Double)] = []
            for o in ok {
                if o.outputs.count != refOut.count || zip(o.outputs, refOut).contains(where: { $0.count != $1.count }) {
                    wrongFrameworks.append((o, localize(model, o, ref, tol, referenceNaN: nil), .infinity))
                    continue
                }
                let disagreement = zip(o.outputs, refOut).map { referenceNaN.disagreement($0, $1) }
                let d = zip(o.outputs, refOut).map { Distance.relative($0, $1) }.max() ?? 0
                referenceDistances[o.framework] = d
                if disagreement.contains(where: { $0.unexpected > 0 || $0.missed > 0 }) {
                    let missed = !disagreement.contains { $0.unexpected > 0 }
                    nanFrameworks.append((o, localize(model, o, ref, tol, referenceNaN: referenceNaN), missed))
                } else if d > tol {
                    wrongFrameworks.append((o, localize(model, o, ref, tol, referenceNaN: nil), d))
                }
            }
            for (o, culprit, missed) in nanFrameworks {
                // Values that deviate before the first NaN/Inf are a defect of their own. When the NaN node, run
                // alone in float64 on the values this framework gave it, makes the NaN too, it computed right and
                // the NaN is what the deviation led to (a wrong Dense's exact zeros that a Div turned into 0/0, filed
                // as a NaN defect of Div); otherwise the node made it and is filed too (a NaN planted on Softmax
                // behind a wrong Conv2d was lost).
                if let culprit, let upstream = localize(model, o, ref, tol, referenceNaN: nil),
                   let u = model.graph.nodes.firstIndex(where: { $0.name == upstream.name }),
                   let n = model.graph.nodes.firstIndex(where: { $0.name == culprit.name }), u < n {
                    // Either way round: a NaN made, or one lost (a wrong Dense's zeros turned x/0's -inf into 0/0).
                    let followsFromInputs = Self.rightOnItsInputs(model, culprit, o, tolerance: tol) == true
                    var f = file(o.framework, .inconsistency, .execute, nanFrameworks.count == ok.count ? .all : .some, upstream.op.rawValue,
                                 "values deviate from the reference at '\(upstream.name)'"
                                    + (followsFromInputs ? "; NaN/Inf follow from them downstream at '\(culprit.name)'" : ""))
                    f.node = upstream.name
                    findings.append(f)
                    if followsFromInputs { continue }
                }
                var f = file(o.framework, .nanInf, .execute, nanFrameworks.count == ok.count ? .all : .some, culprit?.op.rawValue ?? "output",
                             missed ? "no NaN/Inf where the float64 reference has one (NaN/Inf not propagated)" : "NaN/Inf where the float64 reference is finite")
                f.node = culprit?.name
                findings.append(f)
            }
            for (o, culprit, d) in wrongFrameworks {
                var f = file(o.framework, .inconsistency, .execute, wrongFrameworks.count == ok.count ? .all : .some, culprit?.op.rawValue ?? "output",
                             String(format: "mean relative distance to the reference %.3g (tolerance %.3g)", d, tol))
                f.node = culprit?.name
                findings.append(f)
            }
            // Performance: against the other frameworks that ran it. With the seed's costs, each framework's
            // growth from its own seed is compared, which holds for an in-process executor beside the workers as
            // well (a planted slow op in `faulty` next to real frameworks); a framework whose seed run gave no
            // figures cannot be judged (its raw time against the others' would file constant speed differences,
            // torch.compile's against eager PyTorch's). Without any seed costs, raw figures are compared, among
            // frameworks of one kind (the workers, or the in-process executors alone).
            let external = ok.filter { !$0.inProcess }
            let based = ok.filter { baseline[$0.framework] != nil }
            let timed = !baseline.isEmpty ? (based.count >= 2 ? based : [])
                : external.count >= 2 ? external : ok.allSatisfy(\.inProcess) ? ok : []
            if timed.count >= 2 {
                let normalized = timed.allSatisfy { baseline[$0.framework] != nil }
                // The float64 reference is the arbiter, not a framework under test: it is a yardstick for the
                // others' time and memory, never itself a slowdown or memory defect. (Its time is the arbiter
                // run's, which a campaign runs beside other work.)
                for o in timed where normalized && o.framework != ReferenceExecutor.frameworkName {
                    findings += baselineFindings(model, o, others: timed.filter { $0.framework != o.framework }, baseline: baseline)
                }
                for o in timed where !normalized && o.framework != ReferenceExecutor.frameworkName {
                    let others = timed.filter { $0.framework != o.framework }
                    let fastest = others.map(\.seconds).min() ?? 0
                    if o.seconds > thresholds.slowdownFactor * fastest && o.seconds - fastest > slowdownFloor {
                        findings.append(file(o.framework, .slowdown, .execute, .some, "model",
                                             String(format: "%.4g ms against %.4g ms", o.seconds * 1000, fastest * 1000), localizeBy: model, profiled: o.slowestNode))
                    }
                    let leanest = others.map(\.memoryBytes).filter { $0 > 0 }.min() ?? 0
                    if leanest > 0 && Double(o.memoryBytes) > thresholds.memoryFactor * Double(leanest) {
                        findings.append(file(o.framework, .memoryGrowth, .execute, .some, "model",
                                             "\(o.memoryBytes / 1_048_576) MiB against \(leanest / 1_048_576) MiB", localizeBy: model, profiled: o.largestAllocationNode))
                    }
                }
            }
        }
        if !illegal, model.trainingSteps > 0 {
            // Where the float64 forward pass holds a NaN/Inf in the trained output, the MSE loss has no finite
            // value: the curves cannot be judged (the frameworks that stayed finite lost that NaN, which the
            // NaN/Inf oracle above files), only training failures can. That holds for an undefined NaN (0/0) too:
            // a NaN loss there was filed as E2 against the frameworks that propagated it.
            let lossUndefined = arbiter.run.map { run in run.outputs.first?.values.contains { !$0.isFinite } ?? false } ?? false
            findings += trainingFindings(model, ok, curvesJudged: !lossUndefined)
        }
        var pairs: [String: Double] = [:]
        for (i, a) in ok.enumerated() {
            for b in ok[(i + 1)...] where a.outputs.count == b.outputs.count {
                pairs["\(a.framework)~\(b.framework)"] = zip(a.outputs, b.outputs).map { Distance.meanAbsolute($0, $1) }.max() ?? 0
            }
        }
        return Verdict(findings: findings, illegal: illegal, illegalReason: reason, pairDistances: pairs, referenceDistances: referenceDistances)
    }

    /// The abnormal-loss oracle (E2) and training failures (G2 at stage train), among the frameworks that ran
    /// the mutant's inference: no float64 autograd exists to arbitrate, so the frameworks judge each other, and
    /// a curve is only abnormal against one that stays finite and well behaved.
    func trainingFindings(_ model: FuzzModel, _ ok: [ExecutionOutcome], curvesJudged: Bool = true) -> [MutantFinding] {
        var findings: [MutantFinding] = []
        let trained = ok.filter { $0.trainingStatus == .ok && !$0.losses.isEmpty }
        let failed = ok.filter { [.error, .crash, .timeout, .memory].contains($0.trainingStatus) }
        if !trained.isEmpty {
            for f in failed {
                let symptom: FindingSymptom = switch f.trainingStatus { case .crash: .crash; case .timeout: .hang; case .memory: .memoryFailure; default: .error }
                findings.append(file(f.framework, symptom, .train, .some, "model", "training fails: \(f.trainingMessage.prefix(300))"))
            }
        }
        guard curvesJudged else { return findings }
        let finite = trained.filter { $0.losses.allSatisfy(\.isFinite) }
        let wellBehaved = finite.filter { ($0.losses.last ?? 0) <= ($0.losses.first ?? 0) * (1 + 1e-6) }
        for o in trained {
            let others = wellBehaved.filter { $0.framework != o.framework }
            guard !others.isEmpty else { continue }
            if !o.losses.allSatisfy(\.isFinite) {
                findings.append(file(o.framework, .abnormalLoss, .train, .some, "model",
                                     "non-finite training loss \(o.losses) while \(others[0].framework) stays finite and decreasing"))
            } else if LossCurve.diverges(o.losses, factor: thresholds.lossDivergence) {
                findings.append(file(o.framework, .abnormalLoss, .train, .some, "model",
                                     String(format: "training loss diverges %.4g → %.4g while %@ decreases", o.losses.first ?? 0, o.losses.last ?? 0, others[0].framework)))
            }
        }
        if finite.count >= 3 {
            let tol = thresholds.lossRelativeTolerance * DtypeTolerance.factor(model.graph)
            for o in finite {
                if let d = LossCurve.firstDisagreement(o.losses, peers: finite.map(\.losses), tolerance: tol) {
                    findings.append(file(o.framework, .abnormalLoss, .train, .some, "model",
                                         String(format: "loss at step %d is %.6g, the frameworks' median %.6g (relative %.2e)", d.step, d.loss, d.median, d.relative)))
                }
            }
        }
        return findings
    }

    /// Slowdown and memory growth of one framework relative to its own cost on the seed, against the median
    /// growth of the other frameworks.
    func baselineFindings(_ model: FuzzModel, _ o: ExecutionOutcome, others: [ExecutionOutcome], baseline: [String: PerformanceBaseline]) -> [MutantFinding] {
        guard let base = baseline[o.framework] else { return [] }
        var findings: [MutantFinding] = []
        func median(_ xs: [Double]) -> Double {
            let s = xs.sorted()
            return s.isEmpty ? 1 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        let growth = o.seconds / max(base.seconds, 1e-4)
        let othersGrowth = max(1, median(others.compactMap { x in baseline[x.framework].map { x.seconds / max($0.seconds, 1e-4) } }))
        let expected = base.seconds * othersGrowth
        if growth > thresholds.slowdownFactor * othersGrowth && o.seconds - expected > slowdownFloor {
            findings.append(file(o.framework, .slowdown, .execute, .some, "model",
                                 String(format: "%.4g ms against %.4g ms expected (%.4g ms on its seed; the others grew %.1fx)",
                                        o.seconds * 1000, expected * 1000, base.seconds * 1000, othersGrowth), localizeBy: model, profiled: o.slowestNode))
        }
        if base.memoryBytes > 0 && o.memoryBytes > 0 {
            let grew = Double(o.memoryBytes) / Double(base.memoryBytes)
            let othersGrew = max(1, median(others.compactMap { x in
                baseline[x.framework].flatMap { $0.memoryBytes > 0 && x.memoryBytes > 0 ? Double(x.memoryBytes) / Double($0.memoryBytes) : nil }
            }))
            if grew > thresholds.memoryFactor * othersGrew {
                findings.append(file(o.framework, .memoryGrowth, .execute, .some, "model",
                                     "\(o.memoryBytes / 1_048_576) MiB against \(base.memoryBytes / 1_048_576) MiB on its seed (others grew \(String(format: "%.1f", othersGrew))x)",
                                     localizeBy: model, profiled: o.largestAllocationNode))
            }
        }
        return findings
    }

    /// `localizeBy`: a performance finding's mutant. It is localized to `profiled`, the node the executor's
    /// profile names, when there is one; else pinned to the op type the mutant's last mutation touched (a
    /// guess: a slowness an earlier edit brought in is filed under a later edit's op).
    private func file(_ framework: String, _ symptom: FindingSymptom, _ stage: FindingStage, _ scope: FindingScope, _ op: String,
                      _ detail: String, localizeBy model: FuzzModel? = nil, profiled: String? = nil) -> MutantFinding {
        var op = op
        var localized: String?
        if let model, let name = profiled, let node = model.node(name) {
            op = node.op.rawValue
            localized = node.name
        } else if let model, let last = model.lineage.last, let target = last.targets.first, let node = model.node(target), node.op != .input {
            // (An edit of an input, such as a new batch size, slows every op: no op to name, "model" stays.)
            op = node.op.rawValue
        }
        let subtype = mapping.rule(symptom: symptom, stage: stage, scope: scope)?.subtype ?? "unmapped"
        var finding = MutantFinding(framework: framework, symptom: symptom, stage: stage, scope: scope, op: op, subtype: subtype, detail: detail)
        finding.node = localized
        return finding
    }

    /// The first node whose value diverges from the reference while all its inputs agree
    /// (`NodeLocalization.firstDiverging`), judged as the outputs are — by NaN/Inf agreement when `referenceNaN`
    /// is given, else by distance; nil without layer values (the finding's op is then "output"). A node whose
    /// output has another size than the reference's diverges there (it is where a wrong shape starts).
    /// Whether `node`, run alone in float64 on the values `o` gave its inputs, gives what `o` gave (its NaN/Inf
    /// where `o` has them, its numbers within `tolerance`): the node is then right about its inputs. Nil when
    /// they were not recorded (a second output, no per-node values).
    static func rightOnItsInputs(_ model: FuzzModel, _ node: Node, _ o: ExecutionOutcome, tolerance: Double) -> Bool? {
        guard let (graph, slots) = model.isolated(node) else { return nil }
        var inputs: [String: Tensor] = [:]
        for slot in slots {
            guard slot.ref.output == 0, let values = o.layers[slot.ref.node], values.count == slot.type.shape.reduce(1, *) else { return nil }
            inputs[slot.name] = Tensor(shape: slot.type.shape, dtype: slot.type.dtype, values: values.map { Float($0) })
        }
        guard let inferred = try? graph.inferred(), let run = try? ReferenceInterpreter(graph: inferred, weights: model.weights).run(inputs: inputs),
              let out = run.outputs.first?.values, let actual = o.layers[node.name], actual.count == out.count else { return nil }
        let placement = ReferenceNaN.defined.disagreement(actual, out)
        return placement.unexpected == 0 && placement.missed == 0 && Distance.relative(actual, out) <= tolerance
    }

    func localize(_ model: FuzzModel, _ o: ExecutionOutcome, _ ref: ReferenceRun, _ tol: Double, referenceNaN: ReferenceNaN?) -> Node? {
        guard !o.layers.isEmpty else { return nil }
        // `tol` carries the whole model's dtype factor; each node is judged with its own (see DtypeTolerance).
        let whole = DtypeTolerance.factor(model.graph), factors = DtypeTolerance.factors(model.graph)
        return NodeLocalization.firstDiverging(in: model.graph) { node in
            guard let a = o.layers[node.name], let r = ref.values[node.name]?.first?.values else { return nil }
            guard a.count == r.count else { return true }
            if let referenceNaN {
                let d = referenceNaN.disagreement(a, r)
                return d.unexpected > 0 || d.missed > 0
            }
            return Distance.relative(a, r) > tol / whole * (factors[node.name] ?? whole)
        }
    }

    /// `slowdownFloorMs` in the seconds the executors measure.
    var slowdownFloor: Double { thresholds.slowdownFloorMs / 1000 }
}

/// A framework's cost on a seed model: what a mutant's cost is measured against.
public struct PerformanceBaseline: Sendable, Hashable {
    public var seconds: Double
    public var memoryBytes: Int

    public init(seconds: Double, memoryBytes: Int) {
        self.seconds = seconds
        self.memoryBytes = memoryBytes
    }
}
