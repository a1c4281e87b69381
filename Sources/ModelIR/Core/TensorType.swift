/// The static type of a value: shape (NCHW for images, batch first everywhere) and element type.
public struct TensorType: Codable, Sendable, Hashable, CustomStringConvertible {
    public var shape: [Int]
    public var dtype: DType

    public init(_ shape: [Int], _ dtype: DType = .f32) {
        self.shape = shape
        self.dtype = dtype
    }

    public var rank: Int { shape.count }
    public var elementCount: Int { shape.reduce(1, *) }
    public var description: String { "\(dtype.rawValue)[\(shape.map(String.init).joined(separator: "x"))]" }
}
