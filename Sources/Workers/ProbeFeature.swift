import ModelIR

/// One thing a framework may or may not build: an op (`attribute` nil), or an op with an attribute value class
/// that frameworks are known to differ on (`MaxPool2d.dilation=dilated`, `Pad.mode=reflect`, `ReLU.dtype=bf16`).
/// The same classification decides what to probe and what to refuse, so a graph is refused exactly when one
/// of its nodes uses a feature whose probe failed. Values are classes, not literal values: a probe with
/// dilation [2, 2] answers for every dilation above 1.
public struct ProbeFeature: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var op: OpKind
    /// An attribute name, or a pseudo-attribute for a property of several (`depthwise`, `dtype`, `rank`).
    public var attribute: String?
    public var value: String?

    public init(_ op: OpKind, _ attribute: String? = nil, _ value: String? = nil) {
        self.op = op
        self.attribute = attribute
        self.value = value
    }

    /// `Op` or `Op.attribute=value`: the key of `Capabilities.gaps`.
    public var key: String {
        guard let attribute else { return op.rawValue }
        return "\(op.rawValue).\(attribute)=\(value ?? "")"
    }

    /// `attribute=value`, as listed in `Capabilities.unsupportedAttributes[op]`.
    public var attributeKey: String? { attribute.map { "\($0)=\(value ?? "")" } }

    public var description: String { key }
    public static func < (a: ProbeFeature, b: ProbeFeature) -> Bool { a.key < b.key }

    /// The dtypes other than f32 probed per op: half types (CPU kernels for them are where frameworks differ most)
    /// and f64, which the dtype mutation also casts to (ONNX Runtime has no f64 AveragePool: without the probe that
    /// gap was filed as a G1 defect, where a bf16 one is a declared capability).
    public static let probedDtypes: [DType] = [.f16, .bf16, .f64]

    /// Ops whose forms in `probedDtypes` are probed: the weightless ops the mixed-precision mutation runs in
    /// f16/bf16/f64.
    public static let halfPrecisionOps: [OpKind] = OpKind.allCases.filter {
        $0.isUnaryElementwise || $0.isBinaryElementwise
            || [.maxPool2d, .avgPool2d, .globalAvgPool, .globalMaxPool, .softmax, .logSoftmax, .flatten, .reshape,
                .transpose, .concat, .pad, .resize, .reduceMean, .reduceSum, .reduceMax, .identity, .dropout].contains($0)
    }

    /// Every feature an inferred node uses: its op first, then each attribute class it falls in.
    public static func features(of node: Node) -> [ProbeFeature] {
        let op = node.op
        var out = [ProbeFeature(op)]
        guard op != .input else { return out }
        func add(_ attribute: String, _ value: String) { out.append(ProbeFeature(op, attribute, value)) }
        let a = node.attributes
        func ints(_ key: String) -> [Int] { if case .ints(let v)? = a[key] { v } else { [] } }
        func int(_ key: String) -> Int? { if case .int(let v)? = a[key] { v } else { nil } }
        func bool(_ key: String) -> Bool? { if case .bool(let v)? = a[key] { v } else { nil } }
        func string(_ key: String) -> String? { if case .string(let v)? = a[key] { v } else { nil } }
        let dilated = ints("dilation").contains { $0 > 1 }
        let stride = ints("stride")
        let unequalStride = stride.count == 2 && stride[0] != stride[1]
        let pads = ints("pads")
        let asymmetric = pads.count == 4 ? (pads[0] != pads[2] || pads[1] != pads[3]) : pads.count == 2 && pads[0] != pads[1]
        switch op {
        case .conv2d, .conv1d, .convTranspose2d:
            let groups = int("groups") ?? 1
            // Input channels from the weight layout: [out, in/groups, ...] or, transposed, [in, out/groups, ...].
            let inChannels = node.weights.first { $0.name == "weight" }.map { op == .convTranspose2d ? $0.shape[0] : $0.shape[1] * groups } ?? 0
            let depthwise = groups > 1 && groups == inChannels
            if depthwise { add("groups", "depthwise") } else if groups > 1 { add("groups", "grouped") }
            if dilated { add("dilation", "dilated") }
            if unequalStride { add("stride", "unequal") }
            if asymmetric { add("pads", "asymmetric") }
            if depthwise && unequalStride && dilated { add("depthwise", "unequal-stride-dilated") }
            if op == .convTranspose2d && ints("output_padding").contains(where: { $0 > 0 }) { add("output_padding", "nonzero") }
        case .separableConv2d:
            if (int("depth_multiplier") ?? 1) > 1 { add("depth_multiplier", "multiple") }
            if dilated { add("dilation", "dilated") }
            if unequalStride { add("stride", "unequal") }
            if unequalStride && dilated { add("depthwise", "unequal-stride-dilated") }
        case .maxPool2d, .avgPool2d:
            if bool("ceil_mode") == true { add("ceil_mode", "true") }
            if dilated { add("dilation", "dilated") }
            if pads.contains(where: { $0 > 0 }) { add("pads", asymmetric ? "asymmetric" : "padded") }
            if op == .avgPool2d && bool("count_include_pad") == false && pads.contains(where: { $0 > 0 }) { add("count_include_pad", "false") }
        case .globalAvgPool, .globalMaxPool, .reduceMean, .reduceSum, .reduceMax:
            if bool("keepdims") == true { add("keepdims", "true") }
        case .pad:
            if let mode = string("mode"), mode != "constant" { add("mode", mode) }
        case .resize:
            if string("mode") == "bilinear" { add("mode", "bilinear") }
            if bool("align_corners") == true { add("align_corners", "true") }
        case .gelu:
            if string("approximate") == "tanh" { add("approximate", "tanh") }
        case .cast:
            if let to = string("to"), to != DType.f32.rawValue { add("to", to) }
        case .softmax, .logSoftmax:
            let axis = int("axis") ?? -1
            let rank = node.outputs.first?.rank ?? 0
            if axis != -1 && axis != rank - 1 { add("axis", "inner") }
        case .batchNorm:
            if bool("scale") == false { add("scale", "false") }
            if bool("center") == false { add("center", "false") }
        case .layerNorm:
            if (int("normalized_rank") ?? 1) > 1 { add("normalized_rank", "multiple") }
        case .prelu:
            if (int("num_parameters") ?? 1) > 1 { add("num_parameters", "channels") }
        case .dense:
            if bool("bias") == false { add("bias", "false") }
            if (node.outputs.first?.rank ?? 2) > 2 { add("rank", "nd") }
        case .matMul:
            if (node.outputs.first?.rank ?? 2) > 2 { add("rank", "batched") }
        case .lstm, .gru:
            if bool("return_sequences") == false { add("return_sequences", "false") }
        default:
            break
        }
        if op != .cast, let dtype = node.outputs.first?.dtype, Self.probedDtypes.contains(dtype) { add("dtype", dtype.rawValue) }
        return out
    }

    /// Every feature of a graph, each once, in order.
    public static func features(of graph: Graph) -> [ProbeFeature] {
        var seen = Set<ProbeFeature>(), out: [ProbeFeature] = []
        for node in graph.nodes {
            for f in features(of: node) where seen.insert(f).inserted { out.append(f) }
        }
        return out
    }
}
