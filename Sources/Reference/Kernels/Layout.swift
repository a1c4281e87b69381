import Foundation

/// Data movement: transpose, concat, split, pad and resize. Reshape and flatten are free (row-major).
enum LayoutKernel {
    static func transpose(_ x: Float64Tensor, perm: [Int]) -> Float64Tensor {
        let outShape = perm.map { x.shape[$0] }
        let inStrides = x.strides
        let stepped = perm.map { inStrides[$0] }
        let rank = outShape.count
        var out = [Double](repeating: 0, count: x.count)
        var index = [Int](repeating: 0, count: rank)
        var src = 0
        for o in 0..<x.count {
            out[o] = x.values[src]
            var d = rank - 1
            while d >= 0 {
                index[d] += 1; src += stepped[d]
                if index[d] < outShape[d] { break }
                src -= stepped[d] * outShape[d]; index[d] = 0
                d -= 1
            }
        }
        return Float64Tensor(shape: outShape, values: out)
    }

    static func concat(_ xs: [Float64Tensor], axis: Int, outShape: [Int]) -> Float64Tensor {
        let outer = outShape.prefix(axis).reduce(1, *)
        var out: [Double] = []
        out.reserveCapacity(outShape.reduce(1, *))
        for o in 0..<outer {
            for x in xs {
                let chunk = x.shape.suffix(from: axis).reduce(1, *)
                out.append(contentsOf: x.values[(o * chunk)..<((o + 1) * chunk)])
            }
        }
        return Float64Tensor(shape: outShape, values: out)
    }

    static func split(_ x: Float64Tensor, axis: Int, sizes: [Int]) -> [Float64Tensor] {
        let outer = x.shape.prefix(axis).reduce(1, *), inner = x.shape.suffix(from: axis + 1).reduce(1, *)
        let full = x.shape[axis] * inner
        var offset = 0
        return sizes.map { size in
            var values: [Double] = []
            values.reserveCapacity(outer * size * inner)
            for o in 0..<outer {
                let start = o * full + offset * inner
                values.append(contentsOf: x.values[start..<(start + size * inner)])
            }
            offset += size
            var shape = x.shape
            shape[axis] = size
            return Float64Tensor(shape: shape, values: values)
        }
    }

    /// Pads every axis; `source(i, n)` maps an output coordinate shifted by the begin pad to an input
    /// coordinate, or nil for the constant.
    static func pad(_ x: Float64Tensor, pads: [Int], mode: String, value: Double) -> Float64Tensor {
        let rank = x.rank
        let outShape = (0..<rank).map { x.shape[$0] + pads[$0] + pads[$0 + rank] }
        let strides = x.strides
        let total = outShape.reduce(1, *)
        var out = [Double](repeating: value, count: total)
        var index = [Int](repeating: 0, count: rank)
        for o in 0..<total {
            var src = 0
            var inside = true
            for d in 0..<rank {
                var i = index[d] - pads[d]
                let n = x.shape[d]
                if i < 0 || i >= n {
                    switch mode {
                    case "reflect": i = i < 0 ? -i : 2 * (n - 1) - i
                    case "edge": i = i < 0 ? 0 : n - 1
                    default: inside = false
                    }
                }
                if !inside { break }
                src += i * strides[d]
            }
            if inside { out[o] = x.values[src] }
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < outShape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return Float64Tensor(shape: outShape, values: out)
    }

    static func resize(_ x: Float64Tensor, outH: Int, outW: Int, bilinear: Bool, alignCorners: Bool) -> Float64Tensor {
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        var out = [Double](repeating: 0, count: n * c * outH * outW)
        func source(_ dst: Int, inSize: Int, outSize: Int) -> Double {
            if alignCorners { return outSize == 1 ? 0 : Double(dst) * Double(inSize - 1) / Double(outSize - 1) }
            return Swift.max(0, (Double(dst) + 0.5) * Double(inSize) / Double(outSize) - 0.5)
        }
        for plane in 0..<(n * c) {
            let base = plane * h * w, obase = plane * outH * outW
            for y in 0..<outH {
                for xo in 0..<outW {
                    if !bilinear {
                        let sy = Swift.min(h - 1, Int(floor(Double(y) * Double(h) / Double(outH))))
                        let sx = Swift.min(w - 1, Int(floor(Double(xo) * Double(w) / Double(outW))))
                        out[obase + y * outW + xo] = x.values[base + sy * w + sx]
                        continue
                    }
                    let fy = source(y, inSize: h, outSize: outH), fx = source(xo, inSize: w, outSize: outW)
                    let y0 = Swift.min(Int(fy), h - 1), x0 = Swift.min(Int(fx), w - 1)
                    let y1 = Swift.min(y0 + 1, h - 1), x1 = Swift.min(x0 + 1, w - 1)
                    let ly = fy - Double(y0), lx = fx - Double(x0)
                    let v = (1 - ly) * ((1 - lx) * x.values[base + y0 * w + x0] + lx * x.values[base + y0 * w + x1])
                        + ly * ((1 - lx) * x.values[base + y1 * w + x0] + lx * x.values[base + y1 * w + x1])
                    out[obase + y * outW + xo] = v
                }
            }
        }
        return Float64Tensor(shape: [n, c, outH, outW], values: out)
    }
}
