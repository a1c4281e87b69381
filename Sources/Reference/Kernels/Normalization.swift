import Foundation

enum NormalizationKernel {
    /// Inference BatchNorm over axis 1; `inner` is the product of the axes after 1.
    static func batchNorm(_ x: [Double], n: Int, c: Int, inner: Int, mean: [Double], variance: [Double], gamma: [Double]?, beta: [Double]?, epsilon: Double) -> [Double] {
        var out = x
        for ch in 0..<c {
            let scale = (gamma?[ch] ?? 1) / (variance[ch] + epsilon).squareRoot()
            let shift = beta?[ch] ?? 0
            for b in 0..<n {
                let base = (b * c + ch) * inner
                for i in 0..<inner { out[base + i] = (x[base + i] - mean[ch]) * scale + shift }
            }
        }
        return out
    }

    /// Normalizes each of `groups` contiguous blocks of `size` values (biased variance), then applies a per
    /// element-of-block affine map through `affine(blockIndex, offset)`.
    static func normalizeBlocks(_ x: [Double], blocks: Int, size: Int, epsilon: Double, affine: (Int, Int, Double) -> Double) -> [Double] {
        var out = x
        for blk in 0..<blocks {
            let base = blk * size
            var mean = 0.0
            for i in 0..<size { mean += x[base + i] }
            mean /= Double(size)
            var v = 0.0
            for i in 0..<size { let d = x[base + i] - mean; v += d * d }
            v /= Double(size)
            let inv = 1 / (v + epsilon).squareRoot()
            for i in 0..<size { out[base + i] = affine(blk, i, (x[base + i] - mean) * inv) }
        }
        return out
    }
}
