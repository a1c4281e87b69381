import Seeding
import ModelIR

/// The peers' operators the study lacks: LEMON's multi-layer addition, COMET's dtype cast, special values,
/// layer merge and new edges.

/// MLA: insert a short chain that returns to the original shape (conv-act-conv 1x1, or dense-act-dense).
public struct MultiLayerAddition: MutationOperator {
    public let name = "MLA", family = OperatorFamily.structure, origin = OperatorOrigin.peer
    public let summary = "insert a layer chain (conv/dense, activation, conv/dense) that restores the shape"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { ($0.op == .input || model.editable($0)) && $0.outputs.count == 1 && $0.output.dtype == .f32
            && [2, 3, 4].contains($0.output.rank) }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let t = model.node(target)?.output else { return nil }
        let c = t.rank == 4 ? t.shape[1] : t.shape.last!
        return ["width": .int(Swift.max(1, rng.pick([c / 2, c, c * 2]))), "act": .string(rng.pick(["ReLU", "Tanh", "SiLU"]))]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let target = m.node(record.targets[0])!
        let t = target.output, w = record.int("width", 1)
        let act = OpKind(rawValue: record.string("act")) ?? .relu
        var taken = Set<String>()
        let ref = ValueRef(target.name)
        let a: Node, c: Node
        if t.rank == 4 {
            a = m.newNode(.conv2d, [ref], ["out_channels": .int(w), "kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])], role: target.role, taken: &taken)
        } else {
            a = m.newNode(.dense, [ref], ["units": .int(w)], role: target.role, taken: &taken)
        }
        let b = m.newNode(act, [ValueRef(a.name)], role: target.role, taken: &taken)
        if t.rank == 4 {
            c = m.newNode(.conv2d, [ValueRef(b.name)], ["out_channels": .int(t.shape[1]), "kernel": .ints([1, 1])], role: target.role, taken: &taken)
        } else {
            c = m.newNode(.dense, [ValueRef(b.name)], ["units": .int(t.shape.last!)], role: target.role, taken: &taken)
        }
        m.splice(after: ref, chain: [a, b, c], result: ValueRef(c.name))
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// MDtype: run one layer in another precision (cast its input to f16, bf16 or f64 and its output back).
public struct DtypeCast: MutationOperator {
    public let name = "MDtype", family = OperatorFamily.precision, origin = OperatorOrigin.peer
    public let summary = "run one layer in f16, bf16 or f64 (cast in, cast back)"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { n in
            // Weight-free layers only: weights are stored in f32, and frameworks reject an f16 input against f32 weights.
            model.editable(n) && n.inputs.count == 1 && n.outputs.count == 1 && n.output.dtype == .f32 && ![.cast, .embedding].contains(n.op)
                && model.inputType(n)?.dtype == .f32 && n.weights.isEmpty
        }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        ["dtype": .string(rng.pick(["f16", "bf16", "f64"]))]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        try Precision.wrap(model, first: record.targets[0], last: record.targets[0], dtype: record.string("dtype", "f16"), seed: record.seed)
    }
}

enum Precision {
    /// Casts the input of `first` to `dtype` and the output of `last` back to f32.
    static func wrap(_ model: FuzzModel, first: String, last: String, dtype: String, seed: UInt64) throws(MutationError) -> FuzzModel {
        var m = model
        guard let head = m.node(first), let tail = m.node(last) else { throw MutationError(.unknownTarget, first) }
        var taken = Set<String>()
        let castIn = m.newNode(.cast, [head.inputs[0]], ["to": .string(dtype)], role: head.role, taken: &taken)
        m.insert(castIn, before: head.name)
        let castOut = m.newNode(.cast, [ValueRef(tail.name)], ["to": .string("f32")], role: tail.role, taken: &taken)
        m.splice(after: ValueRef(tail.name), chain: [castOut], result: ValueRef(castOut.name))
        try m.reinfer(seed: seed)
        return m
    }
}

/// SpecialI: replace the first k channels of a value by NaN, Inf or 0, built from the IR's own ops
/// (split, x - x, division, concat): the only legal way to put special values into a model.
public struct SpecialValueInsertion: MutationOperator {
    public let name = "SpecialI", family = OperatorFamily.special, origin = OperatorOrigin.peer
    public let summary = "set some channels of a value to NaN, Inf or 0"
    public var injectsSpecialValues: Bool { true }
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && $0.outputs.count == 1 && $0.output.dtype.isFloat && $0.output.rank >= 2
            && $0.output.shape[1] >= 2 }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let c = model.node(target)?.output.shape[1] else { return nil }
        return ["value": .string(rng.pick(["nan", "inf", "zero"])), "channels": .int(1 + rng.index(Swift.max(1, c / 4)))]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let target = m.node(record.targets[0])!
        let c = target.output.shape[1], k = Swift.min(record.int("channels", 1), c - 1)
        var taken = Set<String>()
        let ref = ValueRef(target.name)
        let split = m.newNode(.split, [ref], ["axis": .int(1), "sizes": .ints([k, c - k])], role: target.role, taken: &taken)
        let zero = m.newNode(.sub, [ValueRef(split.name), ValueRef(split.name)], role: target.role, taken: &taken)
        var chain = [split, zero]
        var special = ValueRef(zero.name)
        switch record.string("value") {
        case "nan":
            let div = m.newNode(.div, [ValueRef(zero.name), ValueRef(zero.name)], role: target.role, taken: &taken)
            chain.append(div); special = ValueRef(div.name)
        case "inf":
            let div = m.newNode(.div, [ValueRef(split.name), ValueRef(zero.name)], role: target.role, taken: &taken)
            chain.append(div); special = ValueRef(div.name)
        default: break
        }
        let concat = m.newNode(.concat, [special, ValueRef(split.name, 1)], ["axis": .int(1)], role: target.role, taken: &taken)
        chain.append(concat)
        m.splice(after: ref, chain: chain, result: ValueRef(concat.name))
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// LMerg: merge two same-typed values by an elementwise op placed after the later one.
public struct LayerMerge: MutationOperator {
    public let name = "LMerg", family = OperatorFamily.structure, origin = OperatorOrigin.peer
    public let summary = "merge two same-shape layers' outputs (add, sub, mul, max, min)"
    public init() {}

    func partners(_ model: FuzzModel, _ target: String) -> [Node] {
        guard let i = model.index(of: target) else { return [] }
        let t = model.graph.nodes[i]
        return model.graph.nodes[..<i].filter { $0.outputs.count == 1 && $0.output == t.output && !t.inputs.contains(ValueRef($0.name)) }
    }

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && $0.outputs.count == 1 && $0.output.dtype.isFloat && !partners(model, $0.name).isEmpty }
            .map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        let p = partners(model, target)
        guard !p.isEmpty else { return nil }
        return ["with": .string(rng.pick(p).name), "merge": .string(rng.pick(["Add", "Sub", "Mul", "Max", "Min"]))]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let target = m.node(record.targets[0])!
        var taken = Set<String>()
        let merge = m.newNode(OpKind(rawValue: record.string("merge")) ?? .add, [ValueRef(target.name), ValueRef(record.string("with"))],
                              role: target.role, taken: &taken)
        m.splice(after: ValueRef(target.name), chain: [merge], result: ValueRef(merge.name))
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// Edge: connect a layer type pair the model does not have yet (source op -> target op), through an Add on
/// the target's input.
public struct NewEdge: MutationOperator {
    public let name = "Edge", family = OperatorFamily.structure, origin = OperatorOrigin.peer
    public let summary = "add an edge between a layer-type pair the model does not cover yet"
    public init() {}

    func sources(_ model: FuzzModel, _ target: String) -> [Node] {
        guard let i = model.index(of: target), let input = model.graph.nodes[i].inputs.first, let t = model.graph.type(of: input) else { return [] }
        let op = model.graph.nodes[i].op
        var covered = Set<String>()
        for n in model.graph.nodes { for r in n.inputs { if let p = model.node(r.node) { covered.insert("\(p.op.rawValue)>\(n.op.rawValue)") } } }
        return model.graph.nodes[..<i].filter {
            $0.outputs.count == 1 && $0.output == t && ValueRef($0.name) != input && !covered.contains("\($0.op.rawValue)>\(op.rawValue)")
        }
    }

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && $0.inputs.count == 1 && model.inputType($0)?.dtype.isFloat == true
            && !sources(model, $0.name).isEmpty }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        let s = sources(model, target)
        return s.isEmpty ? nil : ["from": .string(rng.pick(s).name)]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let target = m.node(record.targets[0])!
        var taken = Set<String>()
        let add = m.newNode(.add, [target.inputs[0], ValueRef(record.string("from"))], role: target.role, taken: &taken)
        m.insert(add, before: target.name)
        try m.reinfer(seed: record.seed)
        return m
    }
}
