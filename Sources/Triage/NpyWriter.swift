import Foundation
import ModelIR
import Workers

/// NumPy `.npy` files (format 1.0): the reproducer's inputs and float64 expected outputs, readable by
/// `np.load` with no other package.
enum NpyWriter {
    static func float32(_ values: [Float], shape: [Int]) -> Data {
        var body = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        return header(descr: "<f4", shape: shape) + body
    }

    /// Half-precision inputs stay half precision: a framework fed float32 would run another kernel.
    static func float16(_ values: [Float], shape: [Int]) -> Data {
        var body = Data(capacity: values.count * 2)
        for v in values { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        return header(descr: "<f2", shape: shape) + body
    }

    static func float64(_ values: [Double], shape: [Int]) -> Data {
        var body = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        return header(descr: "<f8", shape: shape) + body
    }

    static func int64(_ values: [Int64], shape: [Int]) -> Data {
        var body = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: v.littleEndian) { body.append(contentsOf: $0) } }
        return header(descr: "<i8", shape: shape) + body
    }

    /// An input in its declared dtype, the bytes the worker got (an f64 or i32 input written as f32 or i64 is
    /// refused by ONNX Runtime and runs other kernels elsewhere); bf16, which NumPy lacks, as f32.
    static func tensor(_ t: Tensor) -> Data {
        let wire = WireTensor(name: "", tensor: t)
        let descr = switch wire.dtype {
        case .f64: "<f8"
        case .f16: "<f2"
        case .i32: "<i4"
        case .i64: "<i8"
        case .bool: "|b1"
        case .f32, .bf16: "<f4"
        }
        return header(descr: descr, shape: t.shape) + wire.bytes
    }

    /// Magic, version 1.0, header length, then the dict padded with spaces so data starts on 64 bytes.
    static func header(descr: String, shape: [Int]) -> Data {
        let dims = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        let n = UInt16(dict.utf8.count)
        data.append(UInt8(n & 0xff))
        data.append(UInt8(n >> 8))
        data.append(Data(dict.utf8))
        return data
    }
}
