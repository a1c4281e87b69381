import Foundation
import ModelIR

/// A tensor on the wire: raw little-endian bytes plus dtype and shape (never JSON numbers).
public struct WireTensor: Sendable, Hashable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    public var bytes: Data

    public init(name: String, dtype: DType, shape: [Int], bytes: Data) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// An IR tensor in its declared dtype (the worker feeds the framework exactly that type; an "f16" input sent
    /// as f32 would run a mixed-precision block in f32, and ONNX Runtime refuses the wrong type outright). bf16 is
    /// not a wire type: it travels as f32 and the worker casts it. Integers saturate, and NaN (an undefined cast
    /// the reference keeps as NaN) travels as 0, rather than trapping.
    public init(name: String, tensor: Tensor) {
        var data = Data()
        func append<T>(_ value: T) { withUnsafeBytes(of: value) { data.append(contentsOf: $0) } }
        func integer(_ v: Float, _ low: Double, _ high: Double) -> Double { v.isNaN ? 0 : Swift.min(Swift.max(Double(v), low), high) }
        switch tensor.dtype {
        case .i64:
            data.reserveCapacity(tensor.values.count * 8)
            for v in tensor.values { append(Int64(integer(v, -9.223372036854775e18, 9.223372036854775e18)).littleEndian) }
        case .i32:
            data.reserveCapacity(tensor.values.count * 4)
            for v in tensor.values { append(Int32(integer(v, Double(Int32.min), Double(Int32.max))).littleEndian) }
        case .f64:
            data.reserveCapacity(tensor.values.count * 8)
            for v in tensor.values { append(Double(v).bitPattern.littleEndian) }
        case .f16:
            data.reserveCapacity(tensor.values.count * 2)
            for v in tensor.values { append(Float16(v).bitPattern.littleEndian) }
        case .bool:
            data = Data(tensor.values.map { $0 != 0 ? 1 : 0 })
        case .f32, .bf16:
            data = tensor.values.withUnsafeBufferPointer { Data(buffer: $0) }
        }
        self.init(name: name, dtype: tensor.dtype == .bf16 ? .f32 : tensor.dtype, shape: tensor.shape, bytes: data)
    }

    public var elementCount: Int { shape.reduce(1, *) }

    /// Values widened to Double (integers exactly, bool as 0/1; bf16 is not a wire type).
    public var doubles: [Double] {
        bytes.withUnsafeBytes { raw -> [Double] in
            switch dtype {
            case .f32: return raw.bindMemory(to: Float.self).map(Double.init)
            case .f64: return Array(raw.bindMemory(to: Double.self))
            case .f16:
                return raw.bindMemory(to: UInt16.self).map { Double(Float(Float16(bitPattern: $0))) }
            case .i32: return raw.bindMemory(to: Int32.self).map(Double.init)
            case .i64: return raw.bindMemory(to: Int64.self).map(Double.init)
            case .bool: return raw.bindMemory(to: UInt8.self).map { $0 == 0 ? 0 : 1 }
            case .bf16: return raw.bindMemory(to: UInt16.self).map { Double(Float(bitPattern: UInt32($0) << 16)) }
            }
        }
    }
}
