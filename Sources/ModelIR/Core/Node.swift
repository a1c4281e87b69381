/// One operation in the graph. `outputs` and `weights` are inferred from the op, attributes and input types by
/// `GraphInference`; they are stored so a saved graph is readable without re-running inference.
public struct Node: Codable, Sendable, Hashable {
    public var name: String
    public var op: OpKind
    public var inputs: [ValueRef]
    public var attributes: [String: AttributeValue]
    public var role: Role
    public var outputs: [TensorType]
    public var weights: [WeightSpec]

    public init(name: String, op: OpKind, inputs: [ValueRef] = [], attributes: [String: AttributeValue] = [:],
                role: Role = .backbone, outputs: [TensorType] = [], weights: [WeightSpec] = []) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.attributes = attributes
        self.role = role
        self.outputs = outputs
        self.weights = weights
    }

    /// The single output's type (every op except Split has exactly one).
    public var output: TensorType { outputs[0] }

    /// The key of one of this node's weights in the weight store and the safetensors file.
    public func weightKey(_ weight: String) -> String { "\(name).\(weight)" }
}
