import Foundation
import Fuzz
import ModelIR
import Reference
import Taxonomy

/// The outcome of reducing one defect.
public struct Reduction: Sendable {
    public var candidate: ReductionCandidate
    /// `interface`: the localized node alone, on its captured inputs, shows the defect; `composition`: it
    /// takes the surrounding graph.
    public var kind: String
    public var originalNodes: Int
    /// Candidates executed (each checked against the IR's rules first).
    public var runs: Int
    /// Edits that kept the signature, in order (for the bug report's "how it was reduced").
    public var steps: [String]

    public var graphJSON: String { String(decoding: ModelBundle.encodeGraph(candidate.model.graph), as: UTF8.self) }
}

/// Delta debugging over a mutant while its defect's signature still reproduces: cut the graph right after
/// the localized node, feed the node's inputs from outside, bypass single nodes and whole blocks, then shrink
/// batch, channels and spatial size. A candidate reproduces when the implicated frameworks, run beside the
/// float64 reference and judged by the campaign's oracles, raise a finding with the same signature.
public struct DefectReducer: Sendable {
    public let signature: DefectSignature
    public let oracles: MutantOracles
    /// The implicated frameworks' executors, and any control frameworks that must keep passing (the reference
    /// is added).
    public let executors: [any MutantExecutor]
    /// Upper bound on executed candidates.
    public var maxRuns = 250
    /// Seed for any weight a shrink must draw anew.
    public var seed: UInt64 = 0
    /// The node the representative finding was localized to, when the campaign recorded one: with two nodes of
    /// the signature's op, the first is not necessarily the one that shows the defect.
    public var node: String?

    public init(signature: DefectSignature, oracles: MutantOracles, executors: [any MutantExecutor]) {
        self.signature = signature
        self.oracles = oracles
        self.executors = executors.filter { $0.name != "reference" }
    }

    /// Whether `candidate` still shows the defect.
    public func reproduces(_ candidate: ReductionCandidate) -> Bool { (try? check(candidate)) ?? false }

    /// As `reproduces`, but a framework whose worker does not start is an error, not "the defect is gone": a
    /// broken environment must not pass for a defect that no longer shows.
    func check(_ candidate: ReductionCandidate) throws(TriageError) -> Bool {
        let model = candidate.model
        let arbiter = ArbiterRun.run(model, inputs: candidate.inputs)
        if NumericGuard().reject(model, arbiter: arbiter) != nil { return false }
        let all: [any MutantExecutor] = [ReferenceExecutor()] + executors
        var outcomes = all.map { e in
            var o = e.execute(model, inputs: candidate.inputs, arbiter: arbiter)
            o.inProcess = e.inProcess
            return o
        }
        if let reason = outcomes.unavailableReason { throw TriageError(.noExecutor, reason) }
        // Only the implicated frameworks run here: two of them failing alike is the defect, not an illegal mutant.
        var verdict = oracles.judge(model, arbiter: arbiter, outcomes: outcomes, everyFramework: false)
        // Localized as the campaign localized it: a worker framework returns final outputs first, so its NaN or
        // inconsistency finding names the op only after a run with every layer (without, it was "output", never
        // the signature's op, and no such defect found on a real framework could be reduced).
        if CampaignEngine.fetchLayers(model, inputs: candidate.inputs, arbiter: arbiter, verdict: verdict, executors: all, outcomes: &outcomes) {
            verdict = oracles.judge(model, arbiter: arbiter, outcomes: outcomes, everyFramework: false)
        }
        // A slowdown is timed twice, as the campaign times it.
        if CampaignEngine.confirmSlowdowns(model, inputs: candidate.inputs, arbiter: arbiter, verdict: verdict, executors: all, outcomes: &outcomes) {
            verdict = oracles.judge(model, arbiter: arbiter, outcomes: outcomes, everyFramework: false)
        }
        guard !verdict.illegal else { return false }
        var bySymptom: [FindingSymptom: [String]] = [:]
        for f in verdict.findings { bySymptom[f.symptom, default: []].append(f.framework) }
        let target = signature.text
        return verdict.findings.contains { f in
            DefectSignature(finding: f, deviating: bySymptom[f.symptom] ?? [f.framework], graph: model.graph).text == target
        }
    }

    public func reduce(_ model: FuzzModel) throws(TriageError) -> Reduction {
        var runs = 0
        var steps: [String] = []
        var current = ReductionCandidate(model: model, inputs: model.inputs())
        runs += 1
        guard try check(current) else {
            throw TriageError(.doesNotReproduce, "the representative mutant no longer shows '\(signature.title)'")
        }
        let original = current.nodeCount
        /// Tries `make` on the current candidate; keeps the result when it is valid, smaller or equal in
        /// nodes (strictly smaller when `mustShrink`) and still reproduces.
        func attempt(_ label: String, mustShrink: Bool = true, _ make: (ReductionCandidate) -> ReductionCandidate?) -> Bool {
            guard runs < maxRuns, let next = make(current) else { return false }
            if mustShrink && next.nodeCount >= current.nodeCount { return false }
            if !mustShrink && next.nodeCount > current.nodeCount { return false }
            runs += 1
            guard reproduces(next) else { return false }
            current = next
            steps.append(label)
            return true
        }
        // 1. Graph size: repeat the structural passes until none helps.
        var progress = true
        while progress && runs < maxRuns {
            progress = false
            // Cut after the localized node (or each later node, nearest first).
            if let l = localized(current) {
                let names = current.model.graph.nodes[l...].map(\.name)
                for name in names where attempt("cut after \(name)", { c in c.edited(GraphEdits.cut(c.model.graph, at: ValueRef(name)), seed: seed) }) {
                    progress = true; break
                }
                // The localized node alone on its captured inputs.
                if attempt("isolate \(current.model.graph.nodes[localized(current) ?? 0].name)", { c in isolate(c) }) { progress = true }
            }
            // Feed an inner value from outside (its producers fall away), latest first: the biggest cut.
            for node in current.model.graph.nodes.reversed() where node.op != .input && !isLocalized(node, in: current) {
                if attempt("feed \(node.name) from outside", { c in
                    guard let g = GraphEdits.asInput(c.model.graph, node.name) else { return nil }
                    return c.edited(g, captured: capture(c, [node.name]), seed: seed)
                }) { progress = true; break }
            }
            // Blocks, halving in size, then single nodes.
            var size = Swift.max(current.nodeCount / 2, 1)
            while size >= 1 && runs < maxRuns {
                var start = 0
                while start + size <= current.nodeCount && runs < maxRuns {
                    let window = current.model.graph.nodes[start..<(start + size)]
                    if window.contains(where: { $0.op == .input || isLocalized($0, in: current) }) { start += 1; continue }
                    if attempt(size == 1 ? "bypass \(window.first!.name)" : "bypass \(size) nodes from \(window.first!.name)", { c in
                        GraphEdits.bypassBlock(c.model.graph, from: start, count: size).flatMap { c.edited($0, seed: seed) }
                    }) { progress = true } else { start += 1 }
                }
                size /= 2
            }
        }
        // 2. Tensor sizes: batch, channels, spatial, each as long as it keeps reproducing.
        _ = attempt("batch 1", mustShrink: false) { c in GraphEdits.batchOne(c.model.graph).flatMap { c.edited($0, seed: seed) } }
        for _ in 0..<6 where runs < maxRuns {
            let ch = attempt("halve channels", mustShrink: false) { c in GraphEdits.halveChannels(c.model.graph).flatMap { c.edited($0, seed: seed) } }
            let sp = attempt("halve spatial size", mustShrink: false) { c in GraphEdits.halveSpatial(c.model.graph).flatMap { c.edited($0, seed: seed) } }
            if !ch && !sp { break }
        }
        // 3. Interface or composition: the localized node alone, on its captured inputs.
        var kind = "composition"
        let inner = current.model.graph.nodes.filter { $0.op != .input }
        if inner.allSatisfy({ isLocalized($0, in: current) }) && localized(current) != nil {
            kind = "interface"
        } else if localized(current) == nil && inner.count == 1 {
            // Not localized (a whole-model failure), but one op is left: that op alone shows it.
            kind = "interface"
        } else if let alone = isolate(current) {
            runs += 1
            if reproduces(alone) { kind = "interface" }
        }
        return Reduction(candidate: current, kind: kind, originalNodes: original, runs: runs, steps: steps)
    }

    /// Index of the localized node: the finding's own node when it is in the candidate, else the first node of
    /// the signature's op (the oracles localize to the first diverging node, and the fault injector corrupts the
    /// first node of its op).
    func localized(_ c: ReductionCandidate) -> Int? {
        if let i = hinted(c) { return i }
        return c.model.graph.nodes.firstIndex { $0.op.rawValue == signature.op }
    }

    func hinted(_ c: ReductionCandidate) -> Int? {
        guard let node else { return nil }
        return c.model.graph.nodes.firstIndex { $0.name == node && $0.op.rawValue == signature.op }
    }

    /// Whether `node` is the one the reduction keeps: the finding's node (other nodes of its op may go), or any
    /// node of the op when the finding named none.
    func isLocalized(_ node: Node, in c: ReductionCandidate) -> Bool {
        hinted(c) != nil ? node.name == self.node : node.op.rawValue == signature.op
    }

    /// The localized node alone: each of its inputs an Input holding the value captured on `c`.
    func isolate(_ c: ReductionCandidate) -> ReductionCandidate? {
        guard let l = localized(c) else { return nil }
        let node = c.model.graph.nodes[l]
        guard let (graph, slots) = c.model.isolated(node) else { return nil }
        let values = capture(c, node.inputs.map(\.node), refs: node.inputs)
        var captured: [String: Tensor] = [:]
        for slot in slots { captured[slot.name] = values[slot.ref.description] }
        var base = c
        base.inputs = [:]
        return base.edited(graph, captured: captured, seed: seed)
    }

    /// Values of `names` (or of `refs`, by their description) on the float64 reference, as float32 tensors.
    func capture(_ c: ReductionCandidate, _ names: [String], refs: [ValueRef]? = nil) -> [String: Tensor] {
        guard let run = ArbiterRun.run(c.model, inputs: c.inputs).run else { return [:] }
        var result: [String: Tensor] = [:]
        for ref in refs ?? names.map({ ValueRef($0) }) {
            if let input = c.inputs[ref.node], ref.output == 0 { result[ref.description] = input; continue }
            guard let values = run.values[ref.node], ref.output < values.count, let type = c.model.graph.type(of: ref) else { continue }
            result[ref.description] = Tensor(shape: type.shape, dtype: type.dtype, values: values[ref.output].values.map { Float($0) })
        }
        return result
    }
}
