import Foundation

enum ReductionKernel {
    /// Softmax or log-softmax along `axis`, max-subtracted.
    static func softmax(_ x: Float64Tensor, axis: Int, log: Bool) -> Float64Tensor {
        let outer = x.shape.prefix(axis).reduce(1, *), n = x.shape[axis], inner = x.shape.suffix(from: axis + 1).reduce(1, *)
        var out = x.values
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                var m = -Double.infinity
                var nan = false
                for k in 0..<n { let v = x.values[base + k * inner]; if v.isNaN { nan = true } else if v > m { m = v } }
                if nan { for k in 0..<n { out[base + k * inner] = .nan }; continue }
                var sum = 0.0
                for k in 0..<n { sum += Foundation.exp(x.values[base + k * inner] - m) }
                for k in 0..<n {
                    let v = x.values[base + k * inner] - m
                    out[base + k * inner] = log ? v - Foundation.log(sum) : Foundation.exp(v) / sum
                }
            }
        }
        return Float64Tensor(shape: x.shape, values: out)
    }

    enum Kind { case mean, sum, max }

    /// Reduces the given axes; the result is laid out with the kept axes in order (keepdims only reshapes).
    static func reduce(_ x: Float64Tensor, axes: Set<Int>, kind: Kind, outShape: [Int]) -> Float64Tensor {
        let rank = x.rank
        var outStrides = [Int](repeating: 0, count: rank)
        var acc = 1
        for d in (0..<rank).reversed() where !axes.contains(d) { outStrides[d] = acc; acc *= x.shape[d] }
        let count = axes.reduce(1) { $0 * x.shape[$1] }
        var out = [Double](repeating: kind == .max ? -.infinity : 0, count: acc)
        var index = [Int](repeating: 0, count: rank)
        var dst = 0
        for i in 0..<x.count {
            let v = x.values[i]
            switch kind {
            case .mean, .sum: out[dst] += v
            case .max: if v.isNaN || out[dst].isNaN { out[dst] = .nan } else if v > out[dst] { out[dst] = v }
            }
            var d = rank - 1
            while d >= 0 {
                index[d] += 1; dst += outStrides[d]
                if index[d] < x.shape[d] { break }
                dst -= outStrides[d] * x.shape[d]; index[d] = 0
                d -= 1
            }
        }
        if kind == .mean { for i in out.indices { out[i] /= Double(count) } }
        return Float64Tensor(shape: outShape, values: out)
    }
}
