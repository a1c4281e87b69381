/// Max and average pooling by direct loops over each window, following PyTorch's window rules exactly:
/// windows start at y·s − pad_top; average windows are first clipped to the padded extent [−t, H + b)
/// (that size is the count_include_pad divisor), then to the input (that count is the other divisor).
enum PoolingKernel {
    struct Window {
        var kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int
        var pt: Int, pl: Int, pb: Int, pr: Int
    }

    static func maxPool(_ x: [Double], n: Int, c: Int, h: Int, w: Int, oh: Int, ow: Int, _ p: Window) -> [Double] {
        var out = [Double](repeating: 0, count: n * c * oh * ow)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                for plane in 0..<(n * c) {
                    let src = xp.baseAddress! + plane * h * w, dst = op.baseAddress! + plane * oh * ow
                    for y in 0..<oh { for xo in 0..<ow {
                        var best = -Double.infinity
                        var sawNaN = false
                        for i in 0..<p.kh {
                            let iy = y * p.sh + i * p.dh - p.pt
                            if iy < 0 || iy >= h { continue }
                            for j in 0..<p.kw {
                                let ix = xo * p.sw + j * p.dw - p.pl
                                if ix < 0 || ix >= w { continue }
                                let v = src[iy * w + ix]
                                if v.isNaN { sawNaN = true } else if v > best { best = v }
                            }
                        }
                        dst[y * ow + xo] = sawNaN ? .nan : best
                    } }
                }
            }
        }
        return out
    }

    static func avgPool(_ x: [Double], n: Int, c: Int, h: Int, w: Int, oh: Int, ow: Int, _ p: Window, countIncludePad: Bool) -> [Double] {
        var out = [Double](repeating: 0, count: n * c * oh * ow)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                for plane in 0..<(n * c) {
                    let src = xp.baseAddress! + plane * h * w, dst = op.baseAddress! + plane * oh * ow
                    for y in 0..<oh { for xo in 0..<ow {
                        var y0 = y * p.sh - p.pt, x0 = xo * p.sw - p.pl
                        var y1 = Swift.min(y0 + p.kh, h + p.pb), x1 = Swift.min(x0 + p.kw, w + p.pr)
                        let padded = (y1 - y0) * (x1 - x0)
                        y0 = Swift.max(y0, 0); x0 = Swift.max(x0, 0); y1 = Swift.min(y1, h); x1 = Swift.min(x1, w)
                        var sum = 0.0
                        if y1 > y0 && x1 > x0 {
                            for iy in y0..<y1 { for ix in x0..<x1 { sum += src[iy * w + ix] } }
                        }
                        let divisor = countIncludePad ? padded : Swift.max(0, y1 - y0) * Swift.max(0, x1 - x0)
                        dst[y * ow + xo] = sum / Double(divisor)
                    } }
                }
            }
        }
        return out
    }
}
