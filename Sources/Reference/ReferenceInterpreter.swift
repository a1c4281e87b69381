import Foundation
import ModelIR

/// Every node's outputs from one reference run, in graph order, plus the graph's outputs.
public struct ReferenceRun: Sendable {
    public var values: [String: [Float64Tensor]]
    public var order: [String]
    public var outputs: [Float64Tensor]
}

/// The float64 arbiter: runs every op of a validated graph exactly as `OpKind` documents, in double precision,
/// and keeps every node's output for layer-wise localization.
public struct ReferenceInterpreter: Sendable {
    public let graph: Graph
    public let weights: WeightStore

    /// Validates (infers) the graph first: the interpreter trusts shapes only after the rules passed.
    public init(graph: Graph, weights: WeightStore) throws(ReferenceError) {
        do {
            self.graph = try graph.inferred()
        } catch {
            throw ReferenceError(.invalidGraph, node: error.node, error.description)
        }
        self.weights = weights
    }

    /// For a graph that has just been inferred (skips re-validation).
    init(validated graph: Graph, weights: WeightStore) {
        self.graph = graph
        self.weights = weights
    }

    /// The most memory every node's float64 outputs may take together: half of this machine's. Each tensor is
    /// bounded by the graph's rules, but their sum was not: a 3 KB graph of a 16384² input and ten ReLUs asked
    /// for 20 GiB and ended in an allocation failure (a trap) instead of an error.
    public static var activationLimitBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }

    /// Float64 values a node's kernel holds besides its outputs while it runs: a recurrent layer projects every
    /// step's input onto its gates up front (an LSTM of 16M steps asked for one 25.6 GB block and trapped).
    static func workspaceElements(_ node: Node, in graph: Graph) -> Double {
        guard node.op == .lstm || node.op == .gru, let ref = node.inputs.first,
              let outputs = graph.nodes.first(where: { $0.name == ref.node })?.outputs, outputs.indices.contains(ref.output),
              case let input = outputs[ref.output], input.shape.count == 3,
              case .int(let hidden)? = node.attributes["hidden"] else { return 0 }
        let gates = node.op == .lstm ? 4.0 : 3.0
        return Double(input.shape[0]) * Double(input.shape[1]) * (gates + 1) * Double(hidden)
    }

    public func run(inputs: [String: Tensor]) throws(ReferenceError) -> ReferenceRun {
        let workspace = graph.nodes.map { Self.workspaceElements($0, in: graph) }.max() ?? 0
        let elements = workspace + graph.nodes.reduce(0.0) { sum, node in sum + node.outputs.reduce(0.0) { $0 + Double($1.shape.reduce(1, *)) } }
        if elements * 8 > Self.activationLimitBytes {
            throw ReferenceError(.tooLarge, node: graph.nodes.last?.name ?? "-",
                                 String(format: "the model's node outputs take %.1f GiB in float64 together (the reference keeps every one), more than half of this machine's %.1f GiB of memory",
                                        elements * 8 / 1_073_741_824, Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824))
        }
        var values: [String: [Float64Tensor]] = [:]
        for node in graph.nodes {
            let args = node.inputs.map { values[$0.node]![$0.output] }
            values[node.name] = try evaluate(node, args, inputs: inputs)
        }
        return ReferenceRun(values: values, order: graph.nodes.map(\.name), outputs: graph.outputs.map { values[$0.node]![$0.output] })
    }

    func weight(_ node: Node, _ name: String) throws(ReferenceError) -> [Double] {
        guard let t = weights[node.weightKey(name)] else {
            throw ReferenceError(.missingWeight, node: node.name, "weight '\(node.weightKey(name))' is missing")
        }
        guard let spec = node.weights.first(where: { $0.name == name }), spec.shape == t.shape else {
            throw ReferenceError(.missingWeight, node: node.name, "weight '\(node.weightKey(name))' has shape \(t.shape)")
        }
        return t.values.map(Double.init)
    }

    func optionalWeight(_ node: Node, _ name: String) throws(ReferenceError) -> [Double]? {
        node.weights.contains { $0.name == name } ? try weight(node, name) : nil
    }

    func evaluate(_ node: Node, _ args: [Float64Tensor], inputs: [String: Tensor]) throws(ReferenceError) -> [Float64Tensor] {
        let a = node.attributes
        let out = node.outputs[0]
        func ints(_ key: String, _ fallback: [Int]) -> [Int] { if case .ints(let v)? = a[key] { v } else { fallback } }
        func int(_ key: String, _ fallback: Int) -> Int { if case .int(let v)? = a[key] { v } else { fallback } }
        func bool(_ key: String, _ fallback: Bool) -> Bool { if case .bool(let v)? = a[key] { v } else { fallback } }
        func number(_ key: String, _ fallback: Double) -> Double {
            switch a[key] { case .float(let v)?: v; case .int(let v)?: Double(v); default: fallback }
        }
        func string(_ key: String, _ fallback: String) -> String { if case .string(let v)? = a[key] { v } else { fallback } }
        func axis(_ value: Int, _ rank: Int) -> Int { value < 0 ? value + rank : value }
        let op = node.op

        if op.isUnaryElementwise {
            let f = ElementwiseKernel.unary(op, attributes: a)
            return [Float64Tensor(shape: out.shape, values: args[0].values.map(f))]
        }
        if op.isBinaryElementwise {
            return [ElementwiseKernel.broadcast(args[0], args[1], outShape: out.shape, ElementwiseKernel.binary(op))]
        }
        switch op {
        case .input:
            guard let t = inputs[node.name] else { throw ReferenceError(.missingInput, node: node.name, "no value for input '\(node.name)'") }
            guard t.shape == out.shape else { throw ReferenceError(.inputShape, node: node.name, "input has shape \(t.shape), the graph needs \(out.shape)") }
            // Token ids arrive as exact integers; images and sequences are float32 values, rounded as declared.
            return [Float64Tensor(shape: t.shape, values: t.values.map { CastKernel.cast(Double($0), to: out.dtype) })]

        case .conv2d, .conv1d, .separableConv2d:
            var x = args[0]
            var kernel = ints("kernel", []), stride = ints("stride", kernel.map { _ in 1 })
            var dilation = ints("dilation", kernel.map { _ in 1 }), pads = ints("pads", Array(repeating: 0, count: 2 * kernel.count))
            if op == .conv1d {
                x.shape.insert(1, at: 2)
                kernel = [1] + kernel; stride = [1] + stride; dilation = [1] + dilation
                pads = [0, pads[0], 0, pads[1]]
            }
            let c = x.shape[1]
            var g = ConvGeometry(n: x.shape[0], c: c, h: x.shape[2], w: x.shape[3], o: 0, kh: kernel[0], kw: kernel[1],
                                 sh: stride[0], sw: stride[1], dh: dilation[0], dw: dilation[1],
                                 pt: pads[0], pl: pads[1], pb: pads[2], pr: pads[3], groups: int("groups", 1))
            if op == .separableConv2d {
                let m = int("depth_multiplier", 1)
                g.o = c * m
                g.groups = c
                let depthwise = ConvolutionKernel.conv2d(x.values, g, weight: try weight(node, "depthwise"), bias: nil)
                let p = ConvGeometry(n: g.n, c: c * m, h: g.oh, w: g.ow, o: out.shape[1], kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1,
                                     pt: 0, pl: 0, pb: 0, pr: 0, groups: 1)
                return [Float64Tensor(shape: out.shape, values: ConvolutionKernel.conv2d(depthwise, p, weight: try weight(node, "pointwise"),
                                                                                          bias: try optionalWeight(node, "bias")))]
            }
            g.o = out.shape[1]
            return [Float64Tensor(shape: out.shape, values: ConvolutionKernel.conv2d(x.values, g, weight: try weight(node, "weight"),
                                                                                      bias: try optionalWeight(node, "bias")))]

        case .convTranspose2d:
            let x = args[0]
            let kernel = ints("kernel", []), stride = ints("stride", [1, 1]), dilation = ints("dilation", [1, 1]), pads = ints("pads", [0, 0, 0, 0])
            let g = ConvGeometry(n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], o: out.shape[1], kh: kernel[0], kw: kernel[1],
                                 sh: stride[0], sw: stride[1], dh: dilation[0], dw: dilation[1],
                                 pt: pads[0], pl: pads[1], pb: pads[2], pr: pads[3], groups: int("groups", 1))
            return [Float64Tensor(shape: out.shape, values: ConvolutionKernel.convTranspose2d(
                x.values, g, outH: out.shape[2], outW: out.shape[3], weight: try weight(node, "weight"), bias: try optionalWeight(node, "bias")))]

        case .dense:
            let x = args[0]
            let k = x.shape.last!, units = out.shape.last!, m = x.count / k
            let w = try weight(node, "weight")
            var y = [Double](repeating: 0, count: m * units)
            if let bias = try optionalWeight(node, "bias") { for r in 0..<m { for u in 0..<units { y[r * units + u] = bias[u] } } }
            x.values.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in y.withUnsafeMutableBufferPointer { yp in
                BLAS.gemm(transB: true, m: m, n: units, k: k, a: xp.baseAddress!, lda: k, b: wp.baseAddress!, ldb: k, c: yp.baseAddress!, ldc: units, beta: 1)
            } } }
            return [Float64Tensor(shape: out.shape, values: y)]

        case .matMul:
            return [matMul(args[0], args[1], outShape: out.shape)]

        case .batchNorm:
            let x = args[0]
            return [Float64Tensor(shape: out.shape, values: NormalizationKernel.batchNorm(
                x.values, n: x.shape[0], c: x.shape[1], inner: x.shape.dropFirst(2).reduce(1, *),
                mean: try weight(node, "running_mean"), variance: try weight(node, "running_var"),
                gamma: try optionalWeight(node, "weight"), beta: try optionalWeight(node, "bias"), epsilon: number("epsilon", 1e-5)))]

        case .layerNorm:
            let x = args[0]
            let size = x.shape.suffix(int("normalized_rank", 1)).reduce(1, *)
            let gamma = try weight(node, "weight"), beta = try optionalWeight(node, "bias")
            return [Float64Tensor(shape: out.shape, values: NormalizationKernel.normalizeBlocks(
                x.values, blocks: x.count / size, size: size, epsilon: number("epsilon", 1e-5)) { _, i, v in v * gamma[i] + (beta?[i] ?? 0) })]

        case .groupNorm:
            let x = args[0]
            let groups = int("groups", 1), c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *)
            let perGroup = c / groups
            let gamma = try weight(node, "weight"), beta = try weight(node, "bias")
            return [Float64Tensor(shape: out.shape, values: NormalizationKernel.normalizeBlocks(
                x.values, blocks: x.shape[0] * groups, size: perGroup * inner, epsilon: number("epsilon", 1e-5)) { blk, i, v in
                    let ch = (blk % groups) * perGroup + i / inner
                    return v * gamma[ch] + beta[ch]
                })]

        case .dropout, .identity, .flatten, .reshape:
            return [Float64Tensor(shape: out.shape, values: args[0].values)]

        case .maxPool2d, .avgPool2d:
            let x = args[0]
            let kernel = ints("kernel", []), stride = ints("stride", kernel), pads = ints("pads", [0, 0, 0, 0]), dilation = ints("dilation", [1, 1])
            let w = PoolingKernel.Window(kh: kernel[0], kw: kernel[1], sh: stride[0], sw: stride[1], dh: dilation[0], dw: dilation[1],
                                         pt: pads[0], pl: pads[1], pb: pads[2], pr: pads[3])
            let values = op == .maxPool2d
                ? PoolingKernel.maxPool(x.values, n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], oh: out.shape[2], ow: out.shape[3], w)
                : PoolingKernel.avgPool(x.values, n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], oh: out.shape[2], ow: out.shape[3], w,
                                        countIncludePad: bool("count_include_pad", true))
            return [Float64Tensor(shape: out.shape, values: values)]

        case .globalAvgPool, .globalMaxPool:
            let x = args[0]
            let reduced = ReductionKernel.reduce(x, axes: Set(2..<x.rank), kind: op == .globalAvgPool ? .mean : .max, outShape: out.shape)
            return [reduced]

        case .reduceMean, .reduceSum, .reduceMax:
            let x = args[0]
            let axes = Set(ints("axes", []).map { axis($0, x.rank) })
            let kind: ReductionKernel.Kind = op == .reduceMean ? .mean : op == .reduceSum ? .sum : .max
            return [ReductionKernel.reduce(x, axes: axes, kind: kind, outShape: out.shape)]

        case .transpose:
            return [LayoutKernel.transpose(args[0], perm: ints("perm", []))]

        case .concat:
            return [LayoutKernel.concat(args, axis: axis(int("axis", 1), out.rank), outShape: out.shape)]

        case .split:
            return LayoutKernel.split(args[0], axis: axis(int("axis", 1), out.rank), sizes: ints("sizes", []))

        case .pad:
            return [LayoutKernel.pad(args[0], pads: ints("pads", []), mode: string("mode", "constant"), value: number("value", 0))]

        case .resize:
            return [LayoutKernel.resize(args[0], outH: out.shape[2], outW: out.shape[3], bilinear: string("mode", "nearest") == "bilinear",
                                        alignCorners: bool("align_corners", false))]

        case .softmax, .logSoftmax:
            return [ReductionKernel.softmax(args[0], axis: axis(int("axis", -1), out.rank), log: op == .logSoftmax)]

        case .prelu:
            let x = args[0]
            let slope = try weight(node, "weight")
            let c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *)
            var y = x.values
            for i in y.indices where y[i] < 0 {
                y[i] *= slope.count == 1 ? slope[0] : slope[(i / inner) % c]
            }
            return [Float64Tensor(shape: out.shape, values: y)]

        case .cast:
            return [Float64Tensor(shape: out.shape, values: args[0].values.map { CastKernel.cast($0, to: out.dtype) })]

        case .embedding:
            let table = try weight(node, "weight")
            let vocab = int("vocab", 0), dim = int("dim", 0)
            var y = [Double](repeating: 0, count: args[0].count * dim)
            for (i, id) in args[0].values.enumerated() {
                guard id.rounded() == id, id >= 0, id < Double(vocab) else {
                    throw ReferenceError(.indexOutOfRange, node: node.name, "token id \(id) is outside [0, \(vocab))")
                }
                let row = Int(id) * dim
                for d in 0..<dim { y[i * dim + d] = table[row + d] }
            }
            return [Float64Tensor(shape: out.shape, values: y)]

        case .lstm, .gru:
            return [RecurrentKernel.run(lstm: op == .lstm, x: args[0], hidden: int("hidden", 1), wih: try weight(node, "weight_ih"),
                                        whh: try weight(node, "weight_hh"), bih: try weight(node, "bias_ih"), bhh: try weight(node, "bias_hh"),
                                        returnSequences: bool("return_sequences", true))]

        default:
            throw ReferenceError(.invalidGraph, node: node.name, "no reference kernel for \(op.rawValue)")
        }
    }

    func matMul(_ a: Float64Tensor, _ b: Float64Tensor, outShape: [Int]) -> Float64Tensor {
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        let batchShape = Array(outShape.dropLast(2))
        let batches = batchShape.reduce(1, *)
        func offset(_ t: Float64Tensor, _ flat: Int, matrix: Int) -> Int {
            // Maps a flat index over the broadcast batch shape to the operand's own batch index.
            let own = Array(t.shape.dropLast(2))
            var rem = flat, index = 0, stride = 1
            for d in (0..<batchShape.count).reversed() {
                let coord = rem % batchShape[d]
                rem /= batchShape[d]
                let od = d - (batchShape.count - own.count)
                if od >= 0 {
                    if own[od] != 1 { index += coord * stride }
                    stride *= own[od]
                }
            }
            return index * matrix
        }
        var out = [Double](repeating: 0, count: batches * m * n)
        a.values.withUnsafeBufferPointer { ap in b.values.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in
            for i in 0..<batches {
                BLAS.gemm(m: m, n: n, k: k, a: ap.baseAddress! + offset(a, i, matrix: m * k), lda: k,
                          b: bp.baseAddress! + offset(b, i, matrix: k * n), ldb: n, c: op.baseAddress! + i * m * n, ldc: n)
            }
        } } }
        return Float64Tensor(shape: outShape, values: out)
    }
}
