/// The op vocabulary and, in one place, the exact semantics every framework worker must reproduce.
///
/// Conventions for all ops:
/// - Layout is NCHW (images), NCL (1-d signals), NTF (sequences, batch first). Batch is dimension 0 everywhere.
/// - Padding is always explicit per side: 2-d `pads` = [top, left, bottom, right]; 1-d `pads` = [begin, end].
///   There is no "same"; the zoo computes the pads a "same" layer would use and writes them down.
/// - Weight layouts follow PyTorch: conv `weight` [out, in/groups, kh, kw]; transposed conv `weight`
///   [in, out/groups, kh, kw]; dense `weight` [units, in] with y = x·Wᵀ + b.
/// - NaN propagates through every arithmetic op, activation, clamp, min/max, pool and reduction
///   (max(NaN, x) = NaN, clip(NaN) = NaN, relu6(NaN) = NaN).
/// - Element types: float ops accept any float dtype and produce the input dtype; the reference computes in
///   float64. Binary ops require equal dtypes and NumPy broadcasting of shapes.
public enum OpKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// Graph input. Attributes: `shape` [Int], `dtype` (string, default f32). No inputs.
    case input = "Input"

    /// 2-d convolution (cross-correlation). Attributes: `out_channels`, `kernel` [kh,kw], `stride` [1,1],
    /// `dilation` [1,1], `pads` [t,l,b,r] (default zeros), `groups` 1, `bias` true.
    /// out[n,o,y,x] = b[o] + Σ_{c∈group(o), i, j} w[o, c, i, j] · in_pad[n, g·C/G + c, y·sh + i·dh, x·sw + j·dw];
    /// H_out = ⌊(H + t + b − dh·(kh−1) − 1)/sh⌋ + 1. Zero padding. Depthwise conv is groups = C_in.
    case conv2d = "Conv2d"
    /// 1-d convolution on [N, C, L]: as Conv2d with H = 1. `kernel` [k], `stride` [s], `dilation` [d],
    /// `pads` [begin, end].
    case conv1d = "Conv1d"
    /// Depthwise-separable conv (Keras SeparableConv2D): depthwise conv (groups = C, `depth_multiplier` m,
    /// weight `depthwise` [C·m, 1, kh, kw], no bias) followed by 1×1 pointwise conv (`pointwise`
    /// [out, C·m, 1, 1], optional `bias` [out]). Attributes as Conv2d plus `depth_multiplier` (1).
    case separableConv2d = "SeparableConv2d"
    /// Transposed 2-d convolution (PyTorch ConvTranspose2d). Attributes: `out_channels`, `kernel`, `stride`,
    /// `dilation`, `pads` [t,l,b,r] (cropped from the full output), `output_padding` [oh,ow] (added at
    /// bottom/right, must be < stride or < dilation), `groups`, `bias`. H_out = (H−1)·sh − t − b + dh·(kh−1) +
    /// oh + 1. Scatter form: out[n, g·O/G+o, y·sh + i·dh − t, x·sw + j·dw − l] += in[n,c,y,x]·w[c,o,i,j].
    case convTranspose2d = "ConvTranspose2d"
    /// Fully connected on the last axis: [..., K] → [..., units]; y = x·Wᵀ + b, `weight` [units, K].
    /// Attributes: `units`, `bias` true.
    case dense = "Dense"
    /// Matrix product of two inputs: [..., M, K] × [..., K, N] → [..., M, N]; batch dimensions broadcast.
    case matMul = "MatMul"

    /// Inference batch normalization over axis 1: y = (x − mean)/√(var + ε)·γ + β. Attributes: `epsilon`
    /// (1e-5), `scale` (true: has `weight` γ), `center` (true: has `bias` β). `running_mean` and `running_var`
    /// are weights that are not trainable.
    case batchNorm = "BatchNorm"
    /// Layer normalization over the last `normalized_rank` (1) axes: y = (x − μ)/√(σ² + ε)·γ (+ β), σ² the
    /// biased variance. Attributes: `epsilon` (1e-5), `normalized_rank`, `bias` (true).
    case layerNorm = "LayerNorm"
    /// Group normalization: channels split into `groups` contiguous groups; each (n, group) normalized over its
    /// channels and spatial positions with the biased variance, then per-channel `weight` and `bias`.
    /// Attributes: `groups`, `epsilon` (1e-5).
    case groupNorm = "GroupNorm"
    /// Inference dropout: the identity. Attribute `rate` in [0, 1).
    case dropout = "Dropout"

    /// 2-d max pooling. Attributes: `kernel`, `stride` (default kernel), `pads` [t,l,b,r] (each ≤ kernel/2;
    /// padding never wins: it is −∞), `dilation` [1,1], `ceil_mode` false. With ceil_mode, H_out =
    /// ⌈(H + t + b − d(k−1) − 1)/s⌉ + 1, minus one if the last window would start at or after H + t (inside the
    /// bottom padding only), which is PyTorch's rule.
    case maxPool2d = "MaxPool2d"
    /// 2-d average pooling. Attributes as MaxPool2d (no dilation) plus `count_include_pad` (true). A window
    /// is first clipped to the padded extent [−t, H + b); with count_include_pad the divisor is that clipped
    /// window's size, otherwise the number of real (unpadded) elements in it. Output size as MaxPool2d.
    case avgPool2d = "AvgPool2d"
    /// Mean over every axis after 1; output [N, C] (or [N, C, 1, ...] with `keepdims`).
    case globalAvgPool = "GlobalAvgPool"
    /// Max over every axis after 1; output [N, C] (or keepdims).
    case globalMaxPool = "GlobalMaxPool"

    /// Row-major flatten: [d0..d(a−1), da...] → [∏ d<a, ∏ d≥a]. Attribute `axis` (1).
    case flatten = "Flatten"
    /// Row-major reshape to `shape` (batch included); at most one −1, inferred; 0 is not allowed.
    case reshape = "Reshape"
    /// Axis permutation: out.shape[i] = in.shape[perm[i]].
    case transpose = "Transpose"
    /// Concatenation of ≥ 1 inputs along `axis`; all other dimensions and dtypes equal.
    case concat = "Concat"
    /// Split along `axis` into pieces of `sizes` (summing to the axis length); one output per piece.
    case split = "Split"

    /// Elementwise a + b with NumPy broadcasting.
    case add = "Add"
    /// Elementwise a − b.
    case sub = "Sub"
    /// Elementwise a · b.
    case mul = "Mul"
    /// Elementwise a / b, IEEE (x/0 = ±Inf, 0/0 = NaN).
    case div = "Div"
    /// Elementwise minimum; NaN if either side is NaN.
    case min = "Min"
    /// Elementwise maximum; NaN if either side is NaN.
    case max = "Max"
    /// Clamp to [`min`, `max`] (floats, min ≤ max); NaN stays NaN.
    case clip = "Clip"
    /// Padding of every axis: `pads` [b0, b1, ..., e0, e1, ...] (ONNX order, non-negative), `mode`
    /// constant | reflect | edge, `value` (0.0, constant only). Reflect mirrors without repeating the edge
    /// (needs pad < dim); edge repeats the border element.
    case pad = "Pad"
    /// Spatial resize of [N, C, H, W] to `size` [H', W'] (or by integer `scale` [sh, sw]). `mode` nearest:
    /// src = ⌊dst · H/H'⌋ (PyTorch "nearest"). `mode` bilinear with `align_corners` false: src = (dst + 0.5)·H/H'
    /// − 0.5 clamped at 0, neighbours clamped to H − 1; with align_corners true: src = dst·(H − 1)/(H' − 1)
    /// (0 when H' = 1).
    case resize = "Resize"

    /// softmax along `axis` (−1): exp(x − max) / Σ exp(x − max).
    case softmax = "Softmax"
    /// log-softmax along `axis` (−1): x − max − log Σ exp(x − max).
    case logSoftmax = "LogSoftmax"
    /// max(x, 0).
    case relu = "ReLU"
    /// min(max(x, 0), 6).
    case relu6 = "ReLU6"
    /// x ≥ 0 ? x : `alpha`·x (alpha 0.01).
    case leakyRelu = "LeakyReLU"
    /// x ≥ 0 ? x : a[c]·x with `weight` a of shape [C] over axis 1 (or [1], shared).
    /// Attribute `num_parameters` (C or 1).
    case prelu = "PReLU"
    /// x > 0 ? x : `alpha`·(eˣ − 1) (alpha 1).
    case elu = "ELU"
    /// λ·(x > 0 ? x : α(eˣ − 1)), λ = 1.0507009873554804934193349852946, α = 1.6732632423543772848170429916717.
    case selu = "SELU"
    /// 1 / (1 + e^−x).
    case sigmoid = "Sigmoid"
    /// max(0, min(1, `alpha`·x + `beta`)); defaults alpha 1/6, beta 0.5 (PyTorch; ONNX's default is 0.2).
    case hardSigmoid = "HardSigmoid"
    /// tanh x.
    case tanh = "Tanh"
    /// `approximate` none: x·Φ(x) = 0.5x(1 + erf(x/√2)); tanh: 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).
    case gelu = "GELU"
    /// x·sigmoid(x).
    case silu = "SiLU"
    /// x·relu6(x + 3)/6.
    case hardSwish = "HardSwish"
    /// log(1 + eˣ), computed as max(x,0) + log1p(e^−|x|).
    case softplus = "Softplus"
    /// x / (1 + |x|).
    case softsign = "Softsign"
    /// erf x.
    case erf = "Erf"
    /// eˣ.
    case exp = "Exp"
    /// ln x (NaN below 0, −Inf at 0).
    case log = "Log"
    /// √x (NaN below 0).
    case sqrt = "Sqrt"
    /// |x|.
    case abs = "Abs"
    /// −x.
    case neg = "Neg"

    /// Mean over `axes` (non-empty, distinct), `keepdims` (false).
    case reduceMean = "ReduceMean"
    /// Sum over `axes`.
    case reduceSum = "ReduceSum"
    /// Max over `axes`; NaN if any element is NaN.
    case reduceMax = "ReduceMax"
    /// Convert to `to` (dtype). Float → integer truncates toward zero; → bool is x ≠ 0 (NaN is true);
    /// → f16/bf16/f32 rounds to nearest even in that format (f16 overflows to ±Inf past 65504). NaN, ±Inf and
    /// out-of-range values cast to an integer are undefined behaviour in the frameworks: the reference yields NaN
    /// there so an oracle can skip those elements.
    case cast = "Cast"
    /// Table lookup: integer ids [...] → [..., dim] from `weight` [vocab, dim]. Attributes `vocab`, `dim`.
    /// Ids outside [0, vocab) are an execution error in every framework; the reference reports it.
    case embedding = "Embedding"
    /// Single-layer LSTM over [N, T, I] (batch first), zero initial state. Attributes `hidden`,
    /// `return_sequences` (true: [N, T, H]; false: last step [N, H]). Weights (PyTorch layout, gate order
    /// i, f, g, o stacked along rows): `weight_ih` [4H, I], `weight_hh` [4H, H], `bias_ih` [4H], `bias_hh` [4H].
    /// i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(..f..), g = tanh(..g..), o = σ(..o..);
    /// c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c').
    case lstm = "LSTM"
    /// Single-layer GRU over [N, T, I], zero initial state. Attributes as LSTM. Weights (PyTorch layout, gate
    /// order r, z, n): `weight_ih` [3H, I], `weight_hh` [3H, H], `bias_ih` [3H], `bias_hh` [3H].
    /// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
    /// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
    case gru = "GRU"
    /// The identity.
    case identity = "Identity"

    /// Ops with one float input and the same output type, computed elementwise.
    public var isUnaryElementwise: Bool {
        switch self {
        case .relu, .relu6, .leakyRelu, .elu, .selu, .sigmoid, .hardSigmoid, .tanh, .gelu, .silu, .hardSwish,
             .softplus, .softsign, .erf, .exp, .log, .sqrt, .abs, .neg, .clip:
            true
        default:
            false
        }
    }

    /// Activation functions, for the AFRm/AFRp mutation operators.
    public var isActivation: Bool {
        isUnaryElementwise && ![.erf, .exp, .log, .sqrt, .abs, .neg, .clip].contains(self)
            || self == .prelu || self == .softmax || self == .logSoftmax
    }

    public var isBinaryElementwise: Bool { [.add, .sub, .mul, .div, .min, .max].contains(self) }
}

extension OpKind {
    /// An op name from a file: an unknown one says the nearest spelling and every op there is (a hand-edited
    /// graph.json said only "Cannot initialize OpKind from invalid String value").
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        if let op = OpKind(rawValue: text) { self = op; return }
        let names = OpKind.allCases.map(\.rawValue)
        let hint = (names.first { $0.lowercased() == text.lowercased() } ?? Spelling.nearest(to: text, in: names)).map { " (did you mean '\($0)'?)" } ?? ""
        throw DecodingError.dataCorruptedError(in: container, debugDescription:
            "unknown op '\(text)'\(hint); the ops are \(OpKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}
