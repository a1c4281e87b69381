import Seeding
import ModelIR

/// The study's structure operators (LA, LR, LC, LS) with LEMON's legality rules: insertions preserve shape,
/// removed/copied/switched layers have one input and identical input and output types, and nothing at or after
/// the final output changes.

/// LA: add one shape-preserving layer after a node.
public struct LayerAddition: MutationOperator {
    public let name = "LA", family = OperatorFamily.structure, origin = OperatorOrigin.study
    public let summary = "add one shape-preserving layer (conv 3x3 same, dense K->K, BatchNorm, LayerNorm, max pool 3x3 stride 1 same, activation) after a node"
    public init() {}

    static func layers(for type: TensorType) -> [String] {
        switch type.rank {
        case 4: ["conv", "batchnorm", "relu", "tanh", "maxpool"]
        case 2, 3: ["dense", "relu", "tanh", "layernorm"]
        default: []
        }
    }

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { ($0.op == .input || model.editable($0)) && $0.outputs.count == 1 && $0.output.dtype == .f32
            && !Self.layers(for: $0.output).isEmpty }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let node = model.node(target) else { return nil }
        return ["layer": .string(rng.pick(Self.layers(for: node.output)))]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let target = record.targets[0]
        let type = m.node(target)!.output
        switch record.string("layer") {
        case "conv":
            m.insert(.conv2d, after: target, attributes: ["out_channels": .int(type.shape[1]), "kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])])
        case "dense": m.insert(.dense, after: target, attributes: ["units": .int(type.shape.last!)])
        case "batchnorm": m.insert(.batchNorm, after: target)
        case "layernorm": m.insert(.layerNorm, after: target)
        case "maxpool":
            m.insert(.maxPool2d, after: target, attributes: ["kernel": .ints([3, 3]), "stride": .ints([1, 1]), "pads": .ints([1, 1, 1, 1])])
        case "tanh": m.insert(.tanh, after: target)
        default: m.insert(.relu, after: target)
        }
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// LR: remove a layer whose output type equals its input type.
public struct LayerRemoval: LayerRemovingOperator {
    public let name = "LR", family = OperatorFamily.structure, origin = OperatorOrigin.study
    public let summary = "remove one single-input layer whose input and output types are identical"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && model.isShapePreserving($0) }.map(\.name)
    }
}

/// LC: copy a shape-preserving layer (weights included) and insert the copy right after it.
public struct LayerCopy: MutationOperator {
    public let name = "LC", family = OperatorFamily.structure, origin = OperatorOrigin.study
    public let summary = "duplicate one shape-preserving layer, weights included, after itself"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] { LayerRemoval().targets(in: model) }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? { [:] }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let original = m.node(record.targets[0])!
        var copy = original
        copy.name = m.freshName(original.name)
        copy.inputs = []
        m.insert(copy, after: ValueRef(original.name))
        for spec in original.weights { m.weights[copy.weightKey(spec.name)] = m.weights[original.weightKey(spec.name)] }
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// LS: switch two shape-preserving layers that see the same input type (op, attributes and weights trade
/// places; the graph's wiring stays).
public struct LayerSwitch: MutationOperator {
    public let name = "LS", family = OperatorFamily.structure, origin = OperatorOrigin.study
    public let summary = "switch two shape-preserving layers with the same input type"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] { LayerRemoval().targets(in: model) }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let a = model.node(target) else { return nil }
        let partners = model.graph.nodes.filter {
            // The partner from the target's own part (backbone or head), as position control places the target.
            $0.name != a.name && $0.role == a.role && model.editable($0) && model.isShapePreserving($0) && $0.output == a.output
                && ($0.op != a.op || $0.attributes != a.attributes)
        }
        guard !partners.isEmpty else { return nil }
        return ["with": .string(rng.pick(partners).name)]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        guard let i = m.index(of: record.targets[0]), let j = m.index(of: record.string("with")) else {
            throw MutationError(.unknownTarget, "LS partner missing")
        }
        let a = m.graph.nodes[i], b = m.graph.nodes[j]
        var moved: WeightStore = [:]
        for spec in a.weights { moved[b.weightKey(spec.name)] = m.weights.removeValue(forKey: a.weightKey(spec.name)) }
        for spec in b.weights { moved[a.weightKey(spec.name)] = m.weights.removeValue(forKey: b.weightKey(spec.name)) }
        m.weights.merge(moved) { _, new in new }
        (m.graph.nodes[i].op, m.graph.nodes[j].op) = (b.op, a.op)
        (m.graph.nodes[i].attributes, m.graph.nodes[j].attributes) = (b.attributes, a.attributes)
        try m.reinfer(seed: record.seed)
        return m
    }
}
