import Foundation
import ModelIR
import Reference
import Taxonomy
import Workers

/// The oracles, applied to one model's results: crash, NaN/Inf, inconsistency (per-node D and change rate R,
/// D_MAD, allclose; the float64 reference says who deviates), slowdown, memory, hang and training loss.
/// Each verdict becomes a `Finding` whose taxonomy subtype comes from fuzz-mapping.yaml.
struct OracleSuite {
    let graph: Graph
    let reference: ReferenceRun
    let thresholds: OracleThresholds
    let mapping: FuzzMapping
    var findings: [Finding] = []

    init(graph: Graph, reference: ReferenceRun, thresholds: OracleThresholds, mapping: FuzzMapping) {
        self.graph = graph
        self.reference = reference
        self.thresholds = thresholds
        self.mapping = mapping
    }

    mutating func file(_ symptom: FindingSymptom, stage: String?, frameworks: [String], total: Int, node: String?, detail: String) {
        let scope: FindingScope = frameworks.count >= total && total > 1 ? .all : .some
        let findingStage = stage.flatMap { FindingStage(rawValue: $0) }
        let subtype = mapping.rule(symptom: symptom, stage: findingStage, scope: scope)?.subtype ?? "unmapped"
        let op = node.flatMap { graph.node(named: $0)?.op.rawValue }
        findings.append(Finding(taxonomy: subtype, symptom: symptom.rawValue, stage: stage, frameworks: frameworks, node: node, op: op,
                                scope: scope.rawValue, detail: detail))
    }

    mutating func evaluate(model: String, hash: String, seed: UInt64, order: [String], results: [String: ExecutionResult],
                           versions: [String: String], training: [String: ExecutionResult], baseline: [String: ExecutionResult]?,
                           perNode: Bool) -> DiffReport {
        var outcomes: [FrameworkOutcome] = []
        var gaps: [String] = []
        var finals: [String: [Deviation]] = [:]
        var nodeDevs: [String: [String: Double]] = [:], nodeRels: [String: [String: Double]] = [:]
        var nonFinite: Set<String> = []
        let referenceNaN = ReferenceNaN(graph, run: reference)
        for name in order {
            guard let r = results[name] else { continue }
            var o = FrameworkOutcome(name: name, version: versions[name], status: Self.status(r.status), stage: r.stage,
                                     timeMs: r.medianMs, peakMB: r.peakMB, wallMs: r.wallMs, workerMs: r.workerMs,
                                     message: r.message, signal: r.signal)
            if r.status != .ok, let tail = r.stderrTail, !tail.isEmpty { o.stderrTail = String(tail.suffix(4000)) }
            o.seedTimeMs = baseline?[name]?.medianMs
            o.nodeMs = r.nodeMs.isEmpty ? nil : r.nodeMs
            if r.status == .unsupported, r.stage != DiffRunner.notStarted { gaps.append("\(name): \(r.message ?? "unsupported")") }
            if r.status == .ok {
                var devs: [Deviation] = []
                for (i, ref) in reference.outputs.enumerated() {
                    // A missing output, or one of another shape, deviates everywhere (never a NaN distance).
                    let d = r.outputs["output:\(i)"].flatMap {
                        Deviation.between($0, ref, rtol: thresholds.rtol, atol: thresholds.atol, referenceNaN: referenceNaN)
                    } ?? .incomparable
                    devs.append(d)
                    if d.nonFiniteDisagrees { nonFinite.insert(name) }
                }
                finals[name] = devs
                o.meanAbsDev = devs.map(\.mean).max()
                o.relMeanDev = devs.map(\.relative).max()
                o.maxAbsDev = devs.map(\.max).max()
                var perNodeDev: [String: Double] = [:], perNodeRel: [String: Double] = [:], perNodeOwnScale: [String: Double] = [:]
                for node in graph.nodes where node.op != .input {
                    guard let t = r.outputs[node.name], let ref = reference.values[node.name]?.first else { continue }
                    // A node whose output has another shape than the reference's is where a deviation starts
                    // (an off-by-one pooling size), not a node to skip on the way to its consumers.
                    let d = Deviation.between(t, ref, rtol: thresholds.rtol, atol: thresholds.atol, referenceNaN: referenceNaN) ?? .incomparable
                    perNodeDev[node.name] = d.mean
                    perNodeRel[node.name] = d.relative
                    // Relative to the node's own magnitude (Deviation.relative divides by at least 1, so for small
                    // values it is the absolute deviation): what tells float32 rounding from a real deviation.
                    perNodeOwnScale[node.name] = d.scale > 0 ? d.mean / d.scale : (d.mean > 0 ? .infinity : 0)
                }
                nodeDevs[name] = perNodeDev
                nodeRels[name] = perNodeOwnScale
                // In graph order, the first of equals (all 0 or NaN when the reference itself is undefined): a
                // dictionary's order changed the worst node from run to run.
                let ranked = graph.nodes.compactMap { n in perNodeRel[n.name].map { (n.name, $0.isNaN ? -1 : $0) } }
                // Without per-node outputs only the final node is compared: naming it "worst" says nothing.
                if perNode, let top = ranked.map(\.1).max(), let worst = ranked.first(where: { $0.1 == top }) {
                    o.worstNode = worst.0
                    o.worstNodeDev = perNodeRel[worst.0]
                }
                if nonFinite.contains(name) {
                    o.status = "nan"
                    // No finite value pair was compared: a deviation of 0 would read as agreement.
                    if devs.allSatisfy({ $0.compared == 0 }) { (o.meanAbsDev, o.relMeanDev, o.maxAbsDev) = (nil, nil, nil) }
                    if (o.worstNodeDev ?? 0) <= 0 || o.worstNodeDev?.isNaN == true { (o.worstNode, o.worstNodeDev) = (nil, nil) }
                }
            }
            if let t = training[name] {
                o.losses = t.losses
                if t.status == .unsupported { gaps.append("\(name): training: \(t.message ?? "unsupported")") }
            }
            outcomes.append(o)
        }
        let total = order.count
        crashOracle(order: order, results: results, total: total)
        // A reference output with no finite value (all-NaN weights, an undefined model) leaves no value to
        // compare: only whether NaN/Inf come out where it has them is judged, and "deviation 0" must not read as
        // agreement on numbers.
        let undefinedOutputs = reference.outputs.enumerated().filter { _, o in !o.values.isEmpty && !o.values.contains(where: \.isFinite) }.map(\.offset)
        if !undefinedOutputs.isEmpty {
            gaps.append("values not judged: the float64 reference has no finite value in output(s) \(undefinedOutputs.map(String.init).joined(separator: ", ")); only NaN/Inf placement is compared")
        }
        if let beyond = Self.beyondDeclaredRange(graph, reference) {
            // The float64 reference holds finite values the declared dtype cannot (e^520 in f32, e^45 in f16):
            // every framework that computes as declared overflows to Inf, correctly, so no value is judged
            // (fuzz campaigns reject such mutants with their numeric guard).
            gaps.append("values not judged: \(beyond)")
        } else {
            nanOracle(order: order, results: results, finals: finals, referenceNaN: referenceNaN)
            inconsistencyOracle(finals: finals, nodeDevs: nodeDevs, nodeRels: nodeRels, nonFinite: nonFinite, total: total)
        }
        if let baseline { slowdownOracle(order: order, results: results, baseline: baseline, total: total) }
        memoryOracle(order: order, results: results, total: total)
        // The MSE loss on the first output has no finite value where the reference's first output has none:
        // a NaN loss is then right, not abnormal (it was filed against the frameworks that propagated a 0/0,
        // and the one that lost it stayed "healthy"); only training failures are judged.
        let lossUndefined = reference.outputs.first?.values.contains { !$0.isFinite } ?? false
        if lossUndefined, training.values.contains(where: { $0.status == .ok }) {
            gaps.append("training curves not judged: the float64 reference's output 0 is not finite, so the loss has no finite value")
        }
        trainingOracle(order: order, training: training, total: total, curvesJudged: !lossUndefined)
        return DiffReport(model: model, modelHash: hash, seed: seed, frameworks: outcomes, findings: findings, gaps: gaps,
                          perNode: perNode ? nodeDevs : nil)
    }

    /// The first node whose finite float64 reference values lie beyond its declared dtype's largest finite
    /// value (float32's 3.4e38, float16's 65504; bfloat16 as float32), said as a reason; nil when none does.
    public static func beyondDeclaredRange(_ graph: Graph, _ reference: ReferenceRun) -> String? {
        for node in graph.nodes where node.op != .input {
            for (i, t) in (reference.values[node.name] ?? []).enumerated() where i < node.outputs.count {
                let dtype = node.outputs[i].dtype
                let limit: Double? = switch dtype {
                case .f16: 65504
                case .f32, .bf16: Double(Float.greatestFiniteMagnitude)
                default: nil
                }
                guard let limit, let v = t.values.first(where: { $0.isFinite && Swift.abs($0) > limit }) else { continue }
                return "the float64 reference reaches \(v) at node '\(node.name)', beyond \(dtype.rawValue)'s range: every framework that computes it as declared overflows"
            }
        }
        return nil
    }

    static func status(_ s: ExecutionResult.Status) -> String {
        switch s {
        case .ok: "ok"
        case .unsupported: "unsupported"
        case .timeout: "timeout"
        case .crash, .error, .memory: "crash"
        }
    }

    // MARK: crash and hang

    mutating func crashOracle(order: [String], results: [String: ExecutionResult], total: Int) {
        let ran = order.filter { results[$0]?.status != .unsupported }
        let healthy = ran.filter { results[$0]?.status == .ok }
        var byStage: [String: [String]] = [:]
        for name in ran {
            guard let r = results[name] else { continue }
            switch r.status {
            case .timeout:
                file(.hang, stage: r.stage, frameworks: [name], total: total, node: nil,
                     detail: "no answer within the timeout at stage \(r.stage ?? "?"); killed and restarted")
            case .memory:
                file(.memoryFailure, stage: r.stage, frameworks: [name], total: total, node: nil, detail: r.message ?? "memory limit")
            case .crash:
                // A process death is a finding even when every framework dies.
                let message = r.message ?? "crashed"
                let sig = message.contains("signal") ? "" : r.signal.map { " (signal \($0))" } ?? ""
                // Where it died, from the fault handler's stack (as campaigns say it), then the tail.
                let place = FaultTrace.summary(r.stderrTail ?? "").map { " in \($0)" } ?? ""
                file(.crash, stage: r.stage, frameworks: [name], total: total, node: nil,
                     detail: "\(message)\(sig)\(place); stderr: \((r.stderrTail ?? "").suffix(300))")
            case .error:
                byStage[r.stage ?? "execute", default: []].append(name)
            default: break
            }
        }
        // An exception is a finding only when some other framework ran the same model: if every one rejects
        // it the model is illegal, not a defect.
        for (stage, names) in byStage.sorted(by: { $0.key < $1.key }) where !healthy.isEmpty {
            let messages = names.compactMap { n in results[n].map { "\(n): \($0.errorType ?? "error"): \(($0.message ?? "").prefix(200))" } }
            let symptom: FindingSymptom = names.contains { results[$0]?.errorType == "MemoryError" } ? .memoryFailure : .error
            file(symptom, stage: stage, frameworks: names, total: total, node: nil, detail: messages.joined(separator: "; "))
        }
    }

    // MARK: NaN / Inf

    /// Element by element against the reference: a framework with NaN/Inf where the reference is finite (a
    /// finite answer exists), and one without the reference's NaN/Inf where it has one (NaN not propagated,
    /// the study's "Relu6 mishandles NaN"), each filed; frameworks that agree with a non-finite reference are
    /// right, whatever the others do.
    mutating func nanOracle(order: [String], results: [String: ExecutionResult], finals: [String: [Deviation]], referenceNaN: ReferenceNaN) {
        let ok = order.filter { results[$0]?.status == .ok }
        let unexpected = ok.filter { finals[$0]?.contains { $0.unexpectedNonFinite > 0 } == true }
        let missed = ok.filter { finals[$0]?.contains { $0.missedNonFinite > 0 } == true }
        // One finding per node where it starts: frameworks that go wrong at different nodes are different defects
        // (filed together under the first framework's node, TensorFlow's max-pool over -inf read as PyTorch's GELU).
        for (node, frameworks) in byFirstNode(unexpected, results: results, referenceNaN: referenceNaN, missed: false) {
            file(.nanInf, stage: "execute", frameworks: frameworks, total: ok.count, node: node,
                 detail: "NaN/Inf in the outputs of \(frameworks.joined(separator: ", ")) where the float64 reference is finite (a finite answer exists)")
        }
        for (node, frameworks) in byFirstNode(missed, results: results, referenceNaN: referenceNaN, missed: true) {
            file(.nanInf, stage: "execute", frameworks: frameworks, total: ok.count, node: node,
                 detail: "\(frameworks.joined(separator: ", ")) lose the NaN/Inf the float64 reference has (a finite value or the other infinity where NaN/Inf must propagate)")
        }
    }

    /// `frameworks` grouped by the first node where each disagrees with the reference, in the order of their
    /// first framework (frameworks keep their order within a group).
    func byFirstNode(_ frameworks: [String], results: [String: ExecutionResult], referenceNaN: ReferenceNaN, missed: Bool) -> [(String?, [String])] {
        var groups: [(String?, [String])] = []
        for name in frameworks {
            let node = firstNonFiniteNode(results[name], referenceNaN: referenceNaN, missed: missed)
            if let i = groups.firstIndex(where: { $0.0 == node }) { groups[i].1.append(name) } else { groups.append((node, [name])) }
        }
        return groups
    }

    /// The first node (graph order) where the framework disagrees with the reference about NaN/Inf in the way
    /// filed: NaN/Inf appearing where the reference is finite, or lost where it is not.
    func firstNonFiniteNode(_ r: ExecutionResult?, referenceNaN: ReferenceNaN, missed: Bool) -> String? {
        guard let r else { return nil }
        for node in graph.nodes where node.op != .input {
            guard let t = r.outputs[node.name], let ref = reference.values[node.name]?.first, t.doubles.count == ref.values.count else { continue }
            let d = referenceNaN.disagreement(t.doubles, ref.values)
            if (missed ? d.missed : d.unexpected) > 0 { return node.name }
        }
        return nil
    }

    // MARK: inconsistency

    mutating func inconsistencyOracle(finals: [String: [Deviation]], nodeDevs: [String: [String: Double]], nodeRels: [String: [String: Double]] = [:],
                                      nonFinite: Set<String>, total: Int) {
        let candidates = finals.filter { !nonFinite.contains($0.key) }
        guard !candidates.isEmpty else { return }
        // δ = mean |output − reference| (the reference stands in for LEMON's label).
        let delta = candidates.mapValues { $0.map(\.mean).max() ?? 0 }
        let relative = candidates.mapValues { $0.map(\.relative).max() ?? 0 }
        var deviating: [String] = []
        // The framework closest to the reference: the others are judged against it. D_MAD is symmetric (it says
        // two frameworks differ, not which is wrong), so against every other framework it blamed the closest
        // one when two shared a deviation, and let those two pass.
        let best = delta.filter { $0.value.isFinite }.min { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }
        for (name, devs) in candidates.sorted(by: { $0.key < $1.key }) {
            let failsClose = devs.contains { !$0.allclose }
            let d = delta[name] ?? 0
            guard failsClose, (relative[name] ?? 0) > thresholds.meanDeviation else { continue }
            // A missing or misshapen output deviates whatever the others do (its distance is no number to
            // compare: ∞/∞ would make D_MAD NaN, and NaN > threshold is false).
            guard d.isFinite else { deviating.append(name); continue }
            guard let best, best.key != name else {
                // Alone, or itself the closest: deviating only when no other framework ran to compare with.
                if !delta.contains(where: { $0.key != name && $0.value.isFinite }) { deviating.append(name) }
                continue
            }
            // D_MAD against the closest framework: it must stand apart from it, not share a common deviation
            // with it (every framework off the float64 reference alike is float32 against float64).
            let dmad = (d - best.value) / Swift.max(d + best.value, 1e-30)
            if dmad > thresholds.dMAD { deviating.append(name) }
        }
        for name in deviating {
            let location = NodeLocalization.changeRateLocation(in: graph, deviations: nodeDevs[name] ?? [:], changeRate: thresholds.changeRate,
                                                                 floor: thresholds.nodeDeviationFloor, relative: nodeRels[name],
                                                                 relativeFloor: thresholds.meanDeviation)
            let d = delta[name] ?? 0
            // Which rule named the node: a spike over `changeRate`, or, with none, the largest jump (a changed
            // threshold then seemed to do nothing).
            let at = location.map { l in
                l.spiked ? " ; first change-rate spike at \(l.node)" + String(format: " (R = %.3g > %.3g)", l.rate, thresholds.changeRate)
                         : " ; largest change-rate jump at \(l.node)" + String(format: " (R = %.3g; no node passes %.3g)", l.rate, thresholds.changeRate)
            } ?? ""
            file(.inconsistency, stage: "execute", frameworks: [name], total: total, node: location?.node,
                 detail: String(format: "final outputs deviate from the float64 reference: mean |Δ| = %.3e (allclose rtol %.0e atol %.0e fails)", d, thresholds.rtol, thresholds.atol)
                    + at)
        }
    }

    // MARK: slowdown

    mutating func slowdownOracle(order: [String], results: [String: ExecutionResult], baseline: [String: ExecutionResult], total: Int) {
        var ratios: [String: Double] = [:]
        for name in order {
            guard let r = results[name], r.status == .ok, let now = r.medianMs, let before = baseline[name]?.medianMs, before > 0 else { continue }
            ratios[name] = now / before
        }
        guard ratios.count >= 2 else { return }
        for (name, ratio) in ratios.sorted(by: { $0.key < $1.key }) {
            let others = ratios.filter { $0.key != name }.values.sorted()
            // The others getting faster does not make this one slower (an unchanged MindSpore run, 1.16× its seed,
            // passed 1.5× against others at 0.47×): their growth counts from 1 up, as in campaigns.
            let typical = Swift.max(1, others[others.count / 2])
            let relative = ratio / Swift.max(typical, 1e-9)
            guard relative >= thresholds.slowdownRatio, let r = results[name], let seedRun = baseline[name], let before = seedRun.medianMs else { continue }
            // Significance: the model's fastest quarter of repeats against the seed's slowest quarter must still
            // show the slowdown, and by a margin that is not timer noise. (Against the seed's median, a noisy seed
            // run, or a cold first one, filed an unchanged model as slower than itself.)
            let sorted = r.timesMs.sorted(), seedSorted = seedRun.timesMs.sorted()
            let q25 = sorted[sorted.count / 4]
            let seedQ75 = seedSorted.isEmpty ? before : seedSorted[Swift.min(seedSorted.count - 1, (3 * seedSorted.count) / 4)]
            guard q25 / seedQ75 / Swift.max(typical, 1e-9) >= thresholds.slowdownRatio,
                  q25 - seedQ75 * typical >= thresholds.slowdownMinMs else { continue }
            // Localized when the runs carry per-node profiles (asked for with the per-node results).
            let peers = ratios.keys.filter { $0 != name }.compactMap { results[$0]?.nodeMs }.filter { !$0.isEmpty }
            let seedProfile = baseline[name]?.nodeMs
            let node = r.nodeMs.isEmpty ? nil : NodeLocalization.slowdownNode(r.nodeMs, seed: seedProfile, peers: peers)
            var detail = String(format: "%.2f× its own time on the seed (%.2f → %.2f ms) while the others moved %.2f×", ratio, before, r.medianMs ?? 0, typical)
            if let node, let ms = r.nodeMs[node] {
                let total = r.nodeMs.values.reduce(0, +)
                detail += "; \(node) takes " + String(format: "%.0f%% of its time (%.2f ms", 100 * ms / Swift.max(total, 1e-9), ms)
                if let was = seedProfile?[node] { detail += String(format: ", %.2f ms on the seed", was) } else if seedProfile?.isEmpty == false { detail += ", not in the seed" }
                detail += ")"
            }
            file(.slowdown, stage: "execute", frameworks: [name], total: total, node: node, detail: detail)
        }
    }

    // MARK: memory

    mutating func memoryOracle(order: [String], results: [String: ExecutionResult], total: Int) {
        var growth: [String: Double] = [:], peaks: [String: Double] = [:]
        for name in order {
            guard let r = results[name], r.status == .ok else { continue }
            if r.rssSeriesMB.count >= 2, let first = r.rssSeriesMB.first, let last = r.rssSeriesMB.last {
                growth[name] = last - first
            }
            if let p = r.steadyPeakMB, let b = r.steadyBaseMB { peaks[name] = Swift.max(0, p - b) }
        }
        for (name, g) in growth.sorted(by: { $0.key < $1.key }) {
            // The series holds the resident size after the first and the last timed repeat.
            let runs = Double(Swift.max(1, (results[name]?.timesMs.count ?? 2) - 1))
            let others = growth.filter { $0.key != name }.values.map { $0 }
            let othersTypical = others.sorted().dropFirst(others.count / 2).first ?? 0
            if g >= thresholds.memoryGrowthTotalMB, g / runs >= thresholds.memoryGrowthPerRunMB, g > 4 * Swift.max(othersTypical, 1) {
                file(.memoryGrowth, stage: "execute", frameworks: [name], total: total, node: nil,
                     detail: String(format: "resident memory grew %.0f MB over %d repeated runs (%.0f MB/run); the others grew %.0f MB", g, Int(runs), g / runs, othersTypical))
            }
        }
        for (name, p) in peaks.sorted(by: { $0.key < $1.key }) {
            let others = peaks.filter { $0.key != name }.values.sorted()
            guard !others.isEmpty else { continue }
            let typical = others[others.count / 2]
            if p >= thresholds.memoryPeakMinMB, p >= thresholds.memoryPeakRatio * Swift.max(typical, 1),
               !findings.contains(where: { $0.frameworks == [name] && $0.symptom == FindingSymptom.memoryGrowth.rawValue }) {
                file(.memoryGrowth, stage: "execute", frameworks: [name], total: total, node: nil,
                     detail: String(format: "peak %.0f MB above its resident size during repeated runs; the others' median %.0f MB", p, typical))
            }
        }
    }

    // MARK: training

    mutating func trainingOracle(order: [String], training: [String: ExecutionResult], total: Int, curvesJudged: Bool = true) {
        let curves = order.compactMap { n -> (String, [Double])? in
            guard let t = training[n], t.status == .ok, !t.losses.isEmpty else { return nil }
            return (n, t.losses)
        }
        // The peers a curve is judged against: the finite ones (a NaN curve has its own finding, and in the
        // median it would either hide a disagreement or make a healthy curve the odd one out).
        let peers = curves.filter { $0.1.allSatisfy(\.isFinite) }
        for name in order {
            guard let t = training[name] else { continue }
            if t.status == .crash || t.status == .error {
                if !curves.isEmpty {
                    file(t.status == .crash ? .crash : .error, stage: "train", frameworks: [name], total: total, node: nil,
                         detail: "training failed: \(t.message ?? "?")")
                }
            }
        }
        guard !curves.isEmpty, curvesJudged else { return }
        let steps = peers.map(\.1.count).min() ?? 0
        // A NaN or diverging loss is a defect where another framework trains the same model: a curve every
        // framework shares is the model's or the learning rate's (--learning-rate 1000), not a framework's.
        let healthy = peers.filter { !LossCurve.diverges($0.1, factor: thresholds.lossDivergence) }
        for (name, losses) in curves {
            if losses.contains(where: { !$0.isFinite }) {
                if !healthy.isEmpty {
                    file(.abnormalLoss, stage: "train", frameworks: [name], total: total, node: nil, detail: "non-finite training loss: \(losses)")
                }
                continue
            }
            if LossCurve.diverges(losses, factor: thresholds.lossDivergence) {
                guard !healthy.isEmpty else { continue }
                file(.abnormalLoss, stage: "train", frameworks: [name], total: total, node: nil,
                     detail: String(format: "loss diverges: %.4g → %.4g", losses.first ?? 0, losses.last ?? 0))
                continue
            }
            guard peers.count >= 3 else { continue }
            if let d = LossCurve.firstDisagreement(Array(losses.prefix(steps)), peers: peers.map(\.1), tolerance: thresholds.lossRelativeTolerance) {
                file(.abnormalLoss, stage: "train", frameworks: [name], total: total, node: nil,
                     detail: String(format: "loss at step %d is %.6g, the frameworks' median %.6g (relative %.2e)", d.step, d.loss, d.median, d.relative))
            }
        }
    }
}
