import Foundation
import ModelIR

/// Elementwise math. Every function propagates NaN explicitly: Swift's min/max and comparisons would
/// otherwise silently pick the non-NaN side.
enum ElementwiseKernel {
    static let seluLambda = 1.0507009873554804934193349852946
    static let seluAlpha = 1.6732632423543772848170429916717

    static func unary(_ op: OpKind, attributes: [String: AttributeValue]) -> (Double) -> Double {
        func number(_ key: String, _ fallback: Double) -> Double {
            switch attributes[key] { case .float(let v)?: v; case .int(let v)?: Double(v); default: fallback }
        }
        switch op {
        case .relu: return { $0.isNaN ? $0 : ($0 > 0 ? $0 : 0) }
        case .relu6: return { $0.isNaN ? $0 : ($0 < 0 ? 0 : ($0 > 6 ? 6 : $0)) }
        case .leakyRelu: let a = number("alpha", 0.01); return { $0.isNaN ? $0 : ($0 >= 0 ? $0 : a * $0) }
        case .elu: let a = number("alpha", 1); return { $0 > 0 || $0.isNaN ? $0 : a * Foundation.expm1($0) }
        case .selu: return { seluLambda * ($0 > 0 || $0.isNaN ? $0 : seluAlpha * Foundation.expm1($0)) }
        case .sigmoid: return { 1 / (1 + Foundation.exp(-$0)) }
        case .hardSigmoid:
            let a = number("alpha", 1.0 / 6.0), b = number("beta", 0.5)
            return { v in let y = a * v + b; return y.isNaN ? y : Swift.max(0, Swift.min(1, y)) }
        case .tanh: return { Foundation.tanh($0) }
        case .gelu:
            if case .string("tanh")? = attributes["approximate"] {
                let k = (2 / Double.pi).squareRoot()
                return { 0.5 * $0 * (1 + Foundation.tanh(k * ($0 + 0.044715 * $0 * $0 * $0))) }
            }
            // erfc(−x/√2) rather than 1 + erf(x/√2): no cancellation for large negative x (−8 lost 2% of it).
            return { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) }
        case .silu: return { $0 / (1 + Foundation.exp(-$0)) }
        case .hardSwish: return { v in v.isNaN ? v : v * Swift.max(0, Swift.min(6, v + 3)) / 6 }
        case .softplus: return { v in v.isNaN ? v : Swift.max(v, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(v))) }
        case .softsign: return { $0 / (1 + Swift.abs($0)) }
        case .erf: return { Foundation.erf($0) }
        case .exp: return { Foundation.exp($0) }
        case .log: return { Foundation.log($0) }
        case .sqrt: return { $0.squareRoot() }
        case .abs: return { Swift.abs($0) }
        case .neg: return { -$0 }
        case .clip:
            let lo = number("min", -.infinity), hi = number("max", .infinity)
            return { $0.isNaN ? $0 : Swift.min(hi, Swift.max(lo, $0)) }
        default: return { $0 }
        }
    }

    static func binary(_ op: OpKind) -> (Double, Double) -> Double {
        switch op {
        case .add: return (+)
        case .sub: return (-)
        case .mul: return (*)
        case .div: return (/)
        case .min: return { a, b in a.isNaN || b.isNaN ? .nan : (a < b ? a : b) }
        case .max: return { a, b in a.isNaN || b.isNaN ? .nan : (a > b ? a : b) }
        default: return { a, _ in a }
        }
    }

    /// NumPy-broadcast binary op. Fast paths for equal shapes and for a right operand repeating along the
    /// leading axes; otherwise a general odometer over the output.
    static func broadcast(_ a: Float64Tensor, _ b: Float64Tensor, outShape: [Int], _ f: (Double, Double) -> Double) -> Float64Tensor {
        if a.shape == b.shape {
            var out = a.values
            for i in out.indices { out[i] = f(a.values[i], b.values[i]) }
            return Float64Tensor(shape: outShape, values: out)
        }
        let rank = outShape.count
        func stridesFor(_ t: Float64Tensor) -> [Int] {
            let s = t.strides
            return (0..<rank).map { d in
                let i = d - (rank - t.rank)
                return i < 0 || t.shape[i] == 1 ? 0 : s[i]
            }
        }
        let sa = stridesFor(a), sb = stridesFor(b)
        let total = outShape.reduce(1, *)
        var out = [Double](repeating: 0, count: total)
        var index = [Int](repeating: 0, count: rank)
        var ia = 0, ib = 0
        for o in 0..<total {
            out[o] = f(a.values[ia], b.values[ib])
            var d = rank - 1
            while d >= 0 {
                index[d] += 1; ia += sa[d]; ib += sb[d]
                if index[d] < outShape[d] { break }
                ia -= sa[d] * outShape[d]; ib -= sb[d] * outShape[d]; index[d] = 0
                d -= 1
            }
        }
        return Float64Tensor(shape: outShape, values: out)
    }
}
