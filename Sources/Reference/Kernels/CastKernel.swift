import Foundation
import ModelIR

/// Rounding to a narrower type, as `Cast` specifies: floats round to nearest even in the target format;
/// integers truncate toward zero; NaN, ±Inf and out-of-range values cast to an integer are undefined in the
/// frameworks, so the reference yields NaN there (an oracle can skip such elements); bool is x ≠ 0.
enum CastKernel {
    static func cast(_ v: Double, to dtype: DType) -> Double {
        switch dtype {
        case .f64: return v
        case .f32: return Double(Float(v))
        case .f16: return roundToHalf(v)
        case .bf16: return roundToBFloat16(v)
        case .i32: return integer(v, bits: 32)
        case .i64: return integer(v, bits: 64)
        case .bool: return v != 0 ? 1 : 0
        }
    }

    static func integer(_ v: Double, bits: Int) -> Double {
        guard v.isFinite else { return .nan }
        let t = v.rounded(.towardZero)
        let limit = Foundation.pow(2.0, Double(bits - 1))
        return t >= -limit && t < limit ? t : .nan
    }

    /// IEEE binary16: 10 fraction bits, normal exponents down to −14, subnormal quantum 2⁻²⁴, max 65504.
    static func roundToHalf(_ v: Double) -> Double {
        guard v.isFinite, v != 0 else { return v }
        let a = Swift.abs(v)
        if a >= 65520 { return v < 0 ? -.infinity : .infinity }
        let e = Swift.max(Int(Foundation.floor(Foundation.log2(a))), -14)
        let quantum = Foundation.pow(2.0, Double(e - 10))
        let r = (a / quantum).rounded(.toNearestOrEven) * quantum
        return v < 0 ? -r : r
    }

    /// bfloat16: float32 with the low 16 bits rounded away (nearest even).
    static func roundToBFloat16(_ v: Double) -> Double {
        let f = Float(v)
        guard f.isFinite else { return Double(f) }
        let bits = f.bitPattern
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        return Double(Float(bitPattern: rounded))
    }
}
