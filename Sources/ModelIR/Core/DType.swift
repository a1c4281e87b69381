/// Element types of IR tensors. `f32` is the default; the reference interpreter computes in float64 and rounds
/// only where a `Cast` asks for it.
public enum DType: String, Codable, Sendable, CaseIterable, Hashable {
    case f32, f16, bf16, f64, i32, i64, bool

    public var isFloat: Bool { self == .f32 || self == .f16 || self == .bf16 || self == .f64 }
    public var isInteger: Bool { self == .i32 || self == .i64 }

    /// Bytes per element in the safetensors layout.
    public var byteSize: Int {
        switch self {
        case .f32, .i32: 4
        case .f16, .bf16: 2
        case .f64, .i64: 8
        case .bool: 1
        }
    }

    /// The safetensors dtype tag.
    public var safetensorsName: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .bf16: "BF16"
        case .f64: "F64"
        case .i32: "I32"
        case .i64: "I64"
        case .bool: "BOOL"
        }
    }

    public init?(safetensorsName: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == safetensorsName }) else { return nil }
        self = match
    }
}
