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

    /// An IR tensor in its declared dtype: floats as f32, token ids as i64.
    public init(name: String, tensor: Tensor) {
        var data = Data()
        switch tensor.dtype {
        case .i64:
            data.reserveCapacity(tensor.values.count * 8)
            for v in tensor.values { withUnsafeBytes(of: Int64(v).littleEndian) { data.append(contentsOf: $0) } }
            self.init(name: name, dtype: .i64, shape: tensor.shape, bytes: data)
        case .i32:
            for v in tensor.values { withUnsafeBytes(of: Int32(v).littleEndian) { data.append(contentsOf: $0) } }
            self.init(name: name, dtype: .i32, shape: tensor.shape, bytes: data)
        default:
            data = tensor.values.withUnsafeBufferPointer { Data(buffer: $0) }
            self.init(name: name, dtype: .f32, shape: tensor.shape, bytes: data)
        }
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
