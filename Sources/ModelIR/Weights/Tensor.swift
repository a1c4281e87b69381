/// A tensor with values held as float32 (weights, image inputs) or as integers held exactly in a Double
/// (token ids). Weights persist as F32 in safetensors; the reference interpreter widens to float64.
public struct Tensor: Sendable, Hashable {
    public var shape: [Int]
    public var dtype: DType
    public var values: [Float]

    public init(shape: [Int], dtype: DType = .f32, values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "value count \(values.count) does not match shape \(shape)")
        self.shape = shape
        self.dtype = dtype
        self.values = values
    }

    public var elementCount: Int { values.count }
}

/// Weight values of one model, keyed `node.weight`.
public typealias WeightStore = [String: Tensor]
