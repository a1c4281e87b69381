import ModelIR

/// A float64 tensor, row-major, contiguous. Integer and boolean values are held exactly as Doubles.
public struct Float64Tensor: Sendable, Hashable {
    public var shape: [Int]
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        precondition(values.count == shape.reduce(1, *), "value count \(values.count) does not match shape \(shape)")
        self.shape = shape
        self.values = values
    }

    public init(shape: [Int], repeating value: Double = 0) {
        self.init(shape: shape, values: [Double](repeating: value, count: shape.reduce(1, *)))
    }

    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, values: tensor.values.map(Double.init))
    }

    public var count: Int { values.count }
    public var rank: Int { shape.count }

    /// Row-major strides.
    public var strides: [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in shape.indices.reversed() { s[i] = acc; acc *= shape[i] }
        return s
    }
}
