import Foundation

/// LSTM (gates i, f, g, o) and GRU (gates r, z, n) in PyTorch's layout, batch first, zero initial state.
/// The input projection for all steps is one GEMM; each step adds h·W_hhᵀ.
enum RecurrentKernel {
    static func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }

    static func run(lstm: Bool, x: Float64Tensor, hidden h: Int, wih: [Double], whh: [Double], bih: [Double], bhh: [Double],
                    returnSequences: Bool) -> Float64Tensor {
        let n = x.shape[0], t = x.shape[1], features = x.shape[2], gates = (lstm ? 4 : 3) * h
        var projected = [Double](repeating: 0, count: n * t * gates)
        x.values.withUnsafeBufferPointer { xp in wih.withUnsafeBufferPointer { wp in projected.withUnsafeMutableBufferPointer { pp in
            BLAS.gemm(transB: true, m: n * t, n: gates, k: features, a: xp.baseAddress!, lda: features, b: wp.baseAddress!, ldb: features,
                      c: pp.baseAddress!, ldc: gates)
        } } }
        var state = [Double](repeating: 0, count: n * h), cell = [Double](repeating: 0, count: n * h)
        var recurrent = [Double](repeating: 0, count: n * gates)
        var sequence = [Double](repeating: 0, count: returnSequences ? n * t * h : 0)
        for step in 0..<t {
            state.withUnsafeBufferPointer { sp in whh.withUnsafeBufferPointer { wp in recurrent.withUnsafeMutableBufferPointer { rp in
                BLAS.gemm(transB: true, m: n, n: gates, k: h, a: sp.baseAddress!, lda: h, b: wp.baseAddress!, ldb: h, c: rp.baseAddress!, ldc: gates)
            } } }
            for b in 0..<n {
                let xi = (b * t + step) * gates, ri = b * gates
                for k in 0..<h {
                    func input(_ gate: Int) -> Double { projected[xi + gate * h + k] + bih[gate * h + k] }
                    func hidden(_ gate: Int) -> Double { recurrent[ri + gate * h + k] + bhh[gate * h + k] }
                    if lstm {
                        let i = sigmoid(input(0) + hidden(0)), f = sigmoid(input(1) + hidden(1))
                        let g = Foundation.tanh(input(2) + hidden(2)), o = sigmoid(input(3) + hidden(3))
                        let c = f * cell[b * h + k] + i * g
                        cell[b * h + k] = c
                        state[b * h + k] = o * Foundation.tanh(c)
                    } else {
                        let r = sigmoid(input(0) + hidden(0)), z = sigmoid(input(1) + hidden(1))
                        let nn = Foundation.tanh(input(2) + r * hidden(2))
                        state[b * h + k] = (1 - z) * nn + z * state[b * h + k]
                    }
                }
            }
            // GRU reads the previous state inside the loop above only through `recurrent`, so updating
            // `state` in place is safe.
            if returnSequences {
                for b in 0..<n { for k in 0..<h { sequence[(b * t + step) * h + k] = state[b * h + k] } }
            }
        }
        return returnSequences ? Float64Tensor(shape: [n, t, h], values: sequence) : Float64Tensor(shape: [n, h], values: state)
    }
}
