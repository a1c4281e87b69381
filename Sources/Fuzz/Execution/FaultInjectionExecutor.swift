import Foundation
import ModelIR
import Reference
import Taxonomy

/// A defect planted on one op type, for testing the fuzzer end to end: every mutant that contains the op
/// shows the defect, so a campaign must find it and file it under the right subtype.
public struct PlantedDefect: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// The process dies while executing (G2 crash).
        case crash
        /// An exception while executing (G2 error).
        case error
        /// Loading the model fails (G3).
        case load
        /// The op outputs NaN (F2).
        case nan
        /// The op computes a wrong value (F1 inconsistency).
        case wrong
        /// The op is very slow (E1).
        case slow
        /// The op allocates abnormally (B1).
        case memory

        /// The subtype the fuzz mapping should file this defect under.
        public var expectedSubtype: String {
            switch self {
            case .crash, .error: "G2"
            case .load: "G3"
            case .nan: "F2"
            case .wrong: "F1"
            case .slow: "E1"
            case .memory: "B1"
            }
        }
    }

    public var op: OpKind
    public var kind: Kind

    public init(op: OpKind, kind: Kind) {
        self.op = op
        self.kind = kind
    }

    /// Parses `OP=KIND` (e.g. `Pad=crash`).
    public init(parsing text: String) throws(MutationError) {
        let parts = text.split(separator: "=").map(String.init)
        guard parts.count == 2, let kind = Kind(rawValue: parts[1].lowercased()) else {
            throw MutationError(.unknownOperator, "planted defect '\(text)' must be OP=KIND, KIND one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let op = OpKind(rawValue: parts[0]) ?? OpKind.allCases.first(where: { $0.rawValue.lowercased() == parts[0].lowercased() }) else {
            throw MutationError(.unknownOperator, "planted defect '\(text)': '\(parts[0])' is not an IR op (ops: \(OpKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.init(op: op, kind: kind)
    }

    public var description: String { "\(op.rawValue)=\(kind.rawValue)" }
}

/// The reference interpreter with planted defects: NaN and wrong values are made by rewriting the graph
/// around the first node of the defective op (so layer values localize to it), failures and slowness by
/// answering as a broken framework would.
public struct FaultInjectionExecutor: MutantExecutor {
    public let name: String
    public let defects: [PlantedDefect]
    public var inProcess: Bool { true }

    public init(name: String = "faulty", defects: [PlantedDefect]) {
        self.name = name
        self.defects = defects
    }

    public func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
        let start = Date()
        let active = defects.filter { d in model.graph.nodes.contains { $0.op == d.op } }
        for d in active {
            switch d.kind {
            case .load: return ExecutionOutcome(framework: name, status: .error, stage: .load, message: "cannot load \(d.op.rawValue)", failingOp: d.op.rawValue)
            case .crash: return ExecutionOutcome(framework: name, status: .crash, stage: .execute, message: "signal 11 in \(d.op.rawValue)", failingOp: d.op.rawValue)
            case .error: return ExecutionOutcome(framework: name, status: .error, stage: .execute, message: "RuntimeError in \(d.op.rawValue)", failingOp: d.op.rawValue)
            default: continue
            }
        }
        var m = model
        // Each value defect corrupts the first node of its op in the model as given: the nodes an earlier
        // corruption inserted (an Add, a Sub) are no target, nor a node corrupted already (planting Conv2d and
        // Add renamed the inserted Add a second time, an invalid graph filed as a framework error).
        var corrupted = Set<String>()
        for d in active where d.kind == .nan || d.kind == .wrong {
            guard let target = model.graph.nodes.first(where: { $0.op == d.op && $0.outputs.count == 1 && $0.output.dtype.isFloat }),
                  corrupted.insert(target.name).inserted else { continue }
            corrupt(&m, d, node: target.name)
        }
        let run = ArbiterRun.run(m, inputs: inputs)
        guard let values = run.run else {
            return ExecutionOutcome(framework: name, status: .error, stage: .execute, message: run.error ?? "", seconds: run.seconds)
        }
        if active.contains(where: { $0.kind == .slow }) { Thread.sleep(forTimeInterval: 0.05) }
        var layers: [String: [Double]] = [:]
        for node in model.graph.nodes { layers[node.name] = values.values[node.name]?.first?.values }
        let memory = ResidentMemory.current() * (active.contains { $0.kind == .memory } ? 40 : 1)
        var outcome = ExecutionOutcome(framework: name, status: .ok, outputs: values.outputs.map(\.values), layers: layers,
                                       seconds: Date().timeIntervalSince(start), memoryBytes: memory)
        // Its profile, as a profiler would show it: the planted op's first node holds the simulated time and
        // allocation (the rest of the run is the interpreter's, small beside them).
        func first(_ kind: PlantedDefect.Kind) -> String? {
            active.first { $0.kind == kind }.flatMap { d in model.graph.nodes.first { $0.op == d.op }?.name }
        }
        outcome.slowestNode = first(.slow)
        outcome.largestAllocationNode = first(.memory)
        return outcome
    }

    /// Renames the node to `<name>_raw` (a name no node has) and gives its name to a corrupted copy of its value.
    private func corrupt(_ m: inout FuzzModel, _ d: PlantedDefect, node: String) {
        guard let i = m.graph.nodes.firstIndex(where: { $0.name == node }) else { return }
        let taken = Set(m.graph.nodes.map(\.name))
        let original = m.graph.nodes[i].name
        var raw = original + "_raw"
        while [raw, raw + "_z", raw + "_n", raw + "_a"].contains(where: taken.contains) { raw += "_" }
        for spec in m.graph.nodes[i].weights { m.weights[raw + "." + spec.name] = m.weights[m.graph.nodes[i].weightKey(spec.name)] }
        m.graph.nodes[i].name = raw
        let role = m.graph.nodes[i].role
        var chain: [Node]
        if d.kind == .nan {
            chain = [Node(name: raw + "_z", op: .sub, inputs: [ValueRef(raw), ValueRef(raw)], role: role),
                     Node(name: raw + "_n", op: .div, inputs: [ValueRef(raw + "_z"), ValueRef(raw + "_z")], role: role),
                     Node(name: original, op: .add, inputs: [ValueRef(raw), ValueRef(raw + "_n")], role: role)]
        } else {
            chain = [Node(name: raw + "_a", op: .abs, inputs: [ValueRef(raw)], role: role),
                     Node(name: original, op: .add, inputs: [ValueRef(raw), ValueRef(raw + "_a")], role: role)]
        }
        m.graph.nodes.insert(contentsOf: chain, at: i + 1)
        if let g = try? m.graph.inferred() { m.graph = g }
    }
}
