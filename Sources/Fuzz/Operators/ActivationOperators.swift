import Seeding
import ModelIR

/// Activation operators: the study's AFRm/AFRp and the developer-like swap to a modern activation.
enum Activations {
    /// Elementwise activations an operator may put in (PReLU needs weights, softmax an axis: not swapped in).
    static let replacements: [OpKind] = [.relu, .relu6, .leakyRelu, .elu, .selu, .sigmoid, .hardSigmoid, .tanh, .gelu, .silu,
                                         .hardSwish, .softplus, .softsign]
    static let modern: [OpKind] = [.gelu, .silu, .hardSwish]

    static func targets(_ model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && $0.op.isActivation && model.isShapePreserving($0) && $0.op != .softmax
            && $0.op != .logSoftmax }.map(\.name)
    }

    static func replace(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        guard let i = m.index(of: record.targets[0]), let op = OpKind(rawValue: record.string("to")) else {
            throw MutationError(.unknownTarget, "activation replacement has no target or op")
        }
        m.graph.nodes[i].op = op
        m.graph.nodes[i].attributes = [:]
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// AFRm: remove an activation.
public struct ActivationRemoval: LayerRemovingOperator {
    public let name = "AFRm", family = OperatorFamily.activation, origin = OperatorOrigin.study
    public let summary = "remove one activation function"
    public init() {}
    public func targets(in model: FuzzModel) -> [String] { Activations.targets(model) }
}

/// AFRp: replace an activation by another.
public struct ActivationReplacement: MutationOperator {
    public let name = "AFRp", family = OperatorFamily.activation, origin = OperatorOrigin.study
    public let summary = "replace one activation function by another"
    public init() {}
    public func targets(in model: FuzzModel) -> [String] { Activations.targets(model) }
    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let op = model.node(target)?.op else { return nil }
        return ["to": .string(rng.pick(Activations.replacements.filter { $0 != op }).rawValue)]
    }
    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel { try Activations.replace(model, record) }
}

/// Developer-like: swap an activation for a modern one (GELU, SiLU, HardSwish), as model authors do.
public struct ModernActivation: MutationOperator {
    public let name = "ModernAct", family = OperatorFamily.activation, origin = OperatorOrigin.developer
    public let summary = "swap an activation for GELU, SiLU or HardSwish"
    public init() {}
    public func targets(in model: FuzzModel) -> [String] {
        Activations.targets(model).filter { !Activations.modern.contains(model.node($0)!.op) || model.node($0)!.op == .gelu }
    }
    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let op = model.node(target)?.op else { return nil }
        return ["to": .string(rng.pick(Activations.modern.filter { $0 != op }).rawValue)]
    }
    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel { try Activations.replace(model, record) }
}
