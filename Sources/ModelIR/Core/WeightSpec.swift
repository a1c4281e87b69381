/// How a weight tensor is initialized from the model seed.
public enum WeightInit: String, Codable, Sendable, Hashable {
    /// He (Kaiming) normal, std = sqrt(2 / fan_in): convolutions feeding ReLU-family activations.
    case heNormal
    /// Glorot (Xavier) uniform, limit = sqrt(6 / (fan_in + fan_out)): dense layers.
    case glorotUniform
    /// Uniform(-1/sqrt(hidden), 1/sqrt(hidden)): recurrent weights and biases, as PyTorch does.
    case recurrentUniform
    /// Uniform(-0.1, 0.1): biases, non-zero so a dropped bias shows up in a differential test.
    case smallUniform
    /// Uniform(0.5, 1.5): BatchNorm/LayerNorm/GroupNorm scales and running variances (positive, not 1).
    case positiveUniform
    /// Uniform(-0.2, 0.2): norm shifts and running means (non-trivial, so inference BatchNorm is tested).
    case centeredUniform
    /// Normal(0, 1): embedding tables.
    case standardNormal
    /// The constant 0.25: PReLU slopes (PyTorch's default).
    case prelu
}

/// A weight a node owns: its name within the node, shape, initializer, and whether it is trainable.
/// BatchNorm running statistics are not trainable: torchvision does not count them as parameters, Keras does.
public struct WeightSpec: Codable, Sendable, Hashable {
    public var name: String
    public var shape: [Int]
    public var initializer: WeightInit
    public var trainable: Bool
    /// Fan-in and fan-out for He/Glorot, computed by the op from its own layout.
    public var fanIn: Int
    public var fanOut: Int

    public init(_ name: String, _ shape: [Int], _ initializer: WeightInit, trainable: Bool = true, fanIn: Int = 1, fanOut: Int = 1) {
        self.name = name
        self.shape = shape
        self.initializer = initializer
        self.trainable = trainable
        self.fanIn = fanIn
        self.fanOut = fanOut
    }

    public var elementCount: Int { shape.reduce(1, *) }
}
