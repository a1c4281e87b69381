import Seeding
import ModelIR

/// Input operators: the study's SM (shape) and DM (rank) mutations, each with shape-restoring layers around the
/// edited layer, and the developer-like batch-size and input-resolution changes.

/// SM: pad a layer's input spatially (constant, edge or reflect), then restore its output's shape: an exact
/// crop (two Splits) when the layer preserves shape, else a nearest Resize back.
public struct ShapeMutation: MutationOperator {
    public let name = "SM", family = OperatorFamily.input, origin = OperatorOrigin.study
    public let summary = "pad a layer's input (H, W) and restore its output shape by crop or resize"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { node in
            model.editable(node) && node.inputs.count == 1 && node.outputs.count == 1 && node.output.rank == 4
                && model.inputType(node).map { $0.rank == 4 && $0.dtype.isFloat } == true
        }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        let params: [String: AttributeValue] = ["pad": .int(1 + rng.index(2)), "mode": .string(rng.pick(["constant", "edge", "reflect"]))]
        if legal(model, target, params) { return params }
        let fallback: [String: AttributeValue] = ["pad": .int(1), "mode": .string("constant")]
        return legal(model, target, fallback) ? fallback : nil
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let target = m.node(record.targets[0])!
        let p = record.int("pad", 1)
        let preserving = m.isShapePreserving(target)
        let original = target.output
        var taken = Set<String>()
        let pad = m.newNode(.pad, [target.inputs[0]], ["pads": .ints([0, 0, p, p, 0, 0, p, p]), "mode": .string(record.string("mode", "constant"))],
                            role: target.role, taken: &taken)
        m.insert(pad, before: target.name)
        let out = ValueRef(target.name)
        let restored: ValueRef
        if preserving {
            let h = original.shape[2], w = original.shape[3]
            let cropH = m.newNode(.split, [out], ["axis": .int(2), "sizes": .ints([p, h, p])], role: target.role, taken: &taken)
            let cropW = m.newNode(.split, [ValueRef(cropH.name, 1)], ["axis": .int(3), "sizes": .ints([p, w, p])], role: target.role, taken: &taken)
            restored = ValueRef(cropW.name, 1)
            m.splice(after: out, chain: [cropH, cropW], result: restored)
        } else {
            let resize = m.newNode(.resize, [out], ["size": .ints([original.shape[2], original.shape[3]]), "mode": .string("nearest")],
                                   role: target.role, taken: &taken)
            restored = ValueRef(resize.name)
            m.splice(after: out, chain: [resize], result: restored)
        }
        try m.reinfer(seed: record.seed)
        // Axes 2 and 3 are spatial only in NCHW: after a layout change (a Transpose to NHWC) the resize would
        // work on channels and a later Reshape(-1) would absorb the difference, so the model's output changes
        // shape. The edit must give back exactly the type the layer had.
        guard m.graph.type(of: restored) == original else {
            throw MutationError(.invalidMutant, "SM: \(target.name)'s output type is not restored (\(original) expected)")
        }
        return m
    }
}

/// DM: change the rank a layer sees (merge the last two axes, or add a unit axis), then reshape its output back.
public struct DimensionMutation: MutationOperator {
    public let name = "DM", family = OperatorFamily.input, origin = OperatorOrigin.study
    public let summary = "change a layer's input rank (merge or add an axis) and reshape its output back"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { node in
            guard model.editable(node), node.inputs.count == 1, node.outputs.count == 1, let t = model.inputType(node), t.rank >= 2,
                  t.dtype.isFloat else { return false }
            return node.op.isUnaryElementwise || [.dense, .batchNorm, .dropout, .identity].contains(node.op)
        }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let node = model.node(target), let t = model.inputType(node) else { return nil }
        var modes = ["unsqueeze"]
        if t.rank >= 3 && node.op != .dense { modes.append("merge") }
        let params: [String: AttributeValue] = ["mode": .string(rng.pick(modes))]
        return legal(model, target, params) ? params : nil
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let target = m.node(record.targets[0])!
        guard let t = m.inputType(target) else { throw MutationError(.notApplicable, "DM target has no input") }
        var shape = t.shape
        if record.string("mode") == "merge" {
            let last = shape.removeLast()
            shape[shape.count - 1] *= last
        } else {
            shape.insert(1, at: 1)
        }
        shape[0] = -1  // the batch stays free, so a later batch-size change keeps the reshape legal
        var taken = Set<String>()
        let before = m.newNode(.reshape, [target.inputs[0]], ["shape": .ints(shape)], role: target.role, taken: &taken)
        m.insert(before, before: target.name)
        var back = target.output.shape
        back[0] = -1
        let after = m.newNode(.reshape, [ValueRef(target.name)], ["shape": .ints(back)], role: target.role, taken: &taken)
        m.splice(after: ValueRef(target.name), chain: [after], result: ValueRef(after.name))
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// Developer-like: change the batch size (explicit batch dimensions in Reshape nodes follow).
public struct BatchSizeChange: MutationOperator {
    public let name = "Batch", family = OperatorFamily.input, origin = OperatorOrigin.developer
    public let summary = "change the batch size of the model's inputs"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] { model.graph.inputNodes.map(\.name) }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let current = model.node(target)?.output.shape.first else { return nil }
        let params: [String: AttributeValue] = ["batch": .int(rng.pick([1, 2, 3, 4].filter { $0 != current }))]
        return legal(model, target, params) ? params : nil
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let batch = record.int("batch", 1)
        var old = 1
        for i in m.graph.nodes.indices where m.graph.nodes[i].op == .input {
            if case .ints(var shape)? = m.graph.nodes[i].attributes["shape"] {
                old = shape[0]
                shape[0] = batch
                m.graph.nodes[i].attributes["shape"] = .ints(shape)
            }
        }
        for i in m.graph.nodes.indices where m.graph.nodes[i].op == .reshape {
            if case .ints(var shape)? = m.graph.nodes[i].attributes["shape"], shape.first == old {
                shape[0] = batch
                m.graph.nodes[i].attributes["shape"] = .ints(shape)
            }
        }
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// Developer-like: change the input resolution of an image model (layers whose weights depend on it, such as
/// the dense layer after a flatten, get new weights).
public struct InputResolutionChange: MutationOperator {
    public let name = "Resolution", family = OperatorFamily.input, origin = OperatorOrigin.developer
    public let summary = "change the input resolution (H, W) of an image model"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] { model.graph.inputNodes.filter { $0.output.rank == 4 }.map(\.name) }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let h = model.node(target)?.output.shape[2] else { return nil }
        var sizes = [h - 4, h + 4, h * 3 / 4, h * 5 / 4, h + 8].filter { $0 >= 8 && $0 != h }
        while !sizes.isEmpty {
            let s = sizes.remove(at: rng.index(sizes.count))
            let params: [String: AttributeValue] = ["size": .int(s)]
            if legal(model, target, params) { return params }
        }
        return nil
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let size = record.int("size", 32)
        guard let i = m.index(of: record.targets[0]), case .ints(var shape)? = m.graph.nodes[i].attributes["shape"] else {
            throw MutationError(.notApplicable, "input has no shape")
        }
        shape[2] = size
        shape[3] = size
        m.graph.nodes[i].attributes["shape"] = .ints(shape)
        try m.reinfer(seed: record.seed)
        return m
    }
}
