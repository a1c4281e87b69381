/// Convolutions as im2col + GEMM per (image, group): the column matrix holds, for every output position, the
/// receptive field (zero where it falls in the padding), so dilation, stride and asymmetric pads are all
/// handled in one indexing step.
struct ConvGeometry {
    var n: Int, c: Int, h: Int, w: Int
    var o: Int, kh: Int, kw: Int
    var sh: Int, sw: Int, dh: Int, dw: Int
    var pt: Int, pl: Int, pb: Int, pr: Int
    var groups: Int
    var oh: Int { (h + pt + pb - dh * (kh - 1) - 1) / sh + 1 }
    var ow: Int { (w + pl + pr - dw * (kw - 1) - 1) / sw + 1 }
}

enum ConvolutionKernel {
    /// x [N, C, H, W], weight [O, C/g, kh, kw], bias [O] or nil → [N, O, oh, ow].
    static func conv2d(_ x: [Double], _ g: ConvGeometry, weight: [Double], bias: [Double]?) -> [Double] {
        let oh = g.oh, ow = g.ow, cg = g.c / g.groups, og = g.o / g.groups
        let kdim = cg * g.kh * g.kw, positions = oh * ow
        var out = [Double](repeating: 0, count: g.n * g.o * positions)
        var cols = [Double](repeating: 0, count: kdim * positions)
        x.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                out.withUnsafeMutableBufferPointer { op in
                    cols.withUnsafeMutableBufferPointer { cp in
                        for n in 0..<g.n {
                            for grp in 0..<g.groups {
                                im2col(xp.baseAddress! + (n * g.c + grp * cg) * g.h * g.w, channels: cg, g, oh: oh, ow: ow, into: cp.baseAddress!)
                                BLAS.gemm(m: og, n: positions, k: kdim, a: wp.baseAddress! + grp * og * kdim, lda: kdim,
                                          b: cp.baseAddress!, ldb: positions, c: op.baseAddress! + (n * g.o + grp * og) * positions, ldc: positions)
                            }
                        }
                        if let bias {
                            for n in 0..<g.n { for o in 0..<g.o {
                                let base = (n * g.o + o) * positions
                                for i in 0..<positions { op[base + i] += bias[o] }
                            } }
                        }
                    }
                }
            }
        }
        return out
    }

    static func im2col(_ x: UnsafePointer<Double>, channels: Int, _ g: ConvGeometry, oh: Int, ow: Int, into cols: UnsafeMutablePointer<Double>) {
        let positions = oh * ow
        var row = 0
        for c in 0..<channels {
            let plane = x + c * g.h * g.w
            for i in 0..<g.kh {
                for j in 0..<g.kw {
                    let dst = cols + row * positions
                    for y in 0..<oh {
                        let iy = y * g.sh + i * g.dh - g.pt
                        if iy < 0 || iy >= g.h {
                            for xo in 0..<ow { dst[y * ow + xo] = 0 }
                            continue
                        }
                        for xo in 0..<ow {
                            let ix = xo * g.sw + j * g.dw - g.pl
                            dst[y * ow + xo] = ix < 0 || ix >= g.w ? 0 : plane[iy * g.w + ix]
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Transposed conv: x [N, C, H, W], weight [C, O/g, kh, kw] → [N, O, oh, ow] with the given output size.
    /// GEMM gives each input pixel's contribution to every kernel tap; col2im scatters them (crop = pads).
    static func convTranspose2d(_ x: [Double], _ g: ConvGeometry, outH: Int, outW: Int, weight: [Double], bias: [Double]?) -> [Double] {
        let cg = g.c / g.groups, og = g.o / g.groups, hw = g.h * g.w, taps = og * g.kh * g.kw
        var out = [Double](repeating: 0, count: g.n * g.o * outH * outW)
        var cols = [Double](repeating: 0, count: taps * hw)
        x.withUnsafeBufferPointer { xp in
            weight.withUnsafeBufferPointer { wp in
                out.withUnsafeMutableBufferPointer { op in
                    cols.withUnsafeMutableBufferPointer { cp in
                        for n in 0..<g.n {
                            for grp in 0..<g.groups {
                                // cols[taps, hw] = W_gᵀ[taps, cg] · X_g[cg, hw]
                                BLAS.gemm(transA: true, m: taps, n: hw, k: cg, a: wp.baseAddress! + grp * cg * taps, lda: taps,
                                          b: xp.baseAddress! + (n * g.c + grp * cg) * hw, ldb: hw, c: cp.baseAddress!, ldc: hw)
                                for o in 0..<og {
                                    let dst = op.baseAddress! + (n * g.o + grp * og + o) * outH * outW
                                    for i in 0..<g.kh { for j in 0..<g.kw {
                                        let src = cp.baseAddress! + ((o * g.kh + i) * g.kw + j) * hw
                                        for y in 0..<g.h {
                                            let oy = y * g.sh + i * g.dh - g.pt
                                            if oy < 0 || oy >= outH { continue }
                                            for xi in 0..<g.w {
                                                let ox = xi * g.sw + j * g.dw - g.pl
                                                if ox < 0 || ox >= outW { continue }
                                                dst[oy * outW + ox] += src[y * g.w + xi]
                                            }
                                        }
                                    } }
                                }
                            }
                        }
                        if let bias {
                            for n in 0..<g.n { for o in 0..<g.o {
                                let base = (n * g.o + o) * outH * outW
                                for i in 0..<(outH * outW) { op[base + i] += bias[o] }
                            } }
                        }
                    }
                }
            }
        }
        return out
    }
}
