/// A model: nodes in topological order (every input refers to an earlier node), `Input` nodes first by
/// convention, and the values the model returns.
public struct Graph: Codable, Sendable, Hashable {
    public var name: String
    public var nodes: [Node]
    public var outputs: [ValueRef]

    public init(name: String, nodes: [Node] = [], outputs: [ValueRef] = []) {
        self.name = name
        self.nodes = nodes
        self.outputs = outputs
    }

    public var inputNodes: [Node] { nodes.filter { $0.op == .input } }

    public func node(named name: String) -> Node? { nodes.first { $0.name == name } }

    public func type(of ref: ValueRef) -> TensorType? {
        guard let node = node(named: ref.node), ref.output >= 0, ref.output < node.outputs.count else { return nil }
        return node.outputs[ref.output]
    }

    /// Parameter count: trainable weights only (torchvision's convention), or every stored weight including
    /// BatchNorm running statistics (Keras's `count_params`).
    public func parameterCount(_ convention: ParameterConvention = .trainable) -> Int {
        nodes.reduce(0) { total, node in
            total + node.weights.reduce(0) { $0 + (convention == .all || $1.trainable ? $1.elementCount : 0) }
        }
    }
}

/// Which weights count as parameters: the two reference implementations disagree on BatchNorm statistics.
public enum ParameterConvention: String, Codable, Sendable {
    /// torchvision: `sum(p.numel() for p in model.parameters())`.
    case trainable
    /// Keras: `model.count_params()`, moving mean and variance included.
    case all
}
