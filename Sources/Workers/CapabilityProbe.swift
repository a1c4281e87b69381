import ModelIR

/// One probe: the smallest valid model that uses one feature (Input → op → output, weights and inputs
/// seeded), which a worker must build and run once for the feature to count as supported. Generated from the
/// IR, so a new op or attribute class is probed without touching any worker.
public struct CapabilityProbe: Sendable {
    public var feature: ProbeFeature
    public var graph: Graph
    public var weights: WeightStore
    public var inputs: [String: Tensor]

    /// The request a worker gets: one warm-up and one repeat (the least `run` does), a short timeout.
    public func request(timeout: Double) -> ExecutionRequest {
        var r = ExecutionRequest(graph: graph, weights: weights, inputs: inputs)
        r.warmup = 0
        r.repeats = 1
        r.timeout = timeout
        r.memoryLimitMB = 4096
        return r
    }

    /// Every op (base probes first, so a missing op skips its variants) and every attribute class of
    /// `ProbeFeature.features(of:)`. Built once per process.
    public static var suite: [CapabilityProbe] { built.probes }

    /// Candidates whose graph broke a validity rule or missed its own feature (a bug in this file; a test
    /// keeps it empty).
    public static var invalid: [String] { built.invalid }

    private static let built: (probes: [CapabilityProbe], invalid: [String]) = {
        var candidates: [(ProbeFeature, Spec)] = []
        for op in OpKind.allCases where op != .input { candidates.append((ProbeFeature(op), base(op))) }
        for op in OpKind.allCases where op != .input { candidates += variants(op) }
        for op in ProbeFeature.halfPrecisionOps {
            for dtype in ProbeFeature.probedDtypes {
                var spec = base(op)
                spec.dtype = dtype
                candidates.append((ProbeFeature(op, "dtype", dtype.rawValue), spec))
            }
        }
        var probes: [CapabilityProbe] = [], invalid: [String] = []
        for (feature, spec) in candidates {
            if let p = make(feature, spec) { probes.append(p) } else { invalid.append(feature.key) }
        }
        return (probes, invalid)
    }()

    /// The suite's identity: cached results are only valid for the suite that produced them, read the way
    /// `resultRevision` reads them.
    public static let suiteHash: String = {
        var hasher = SHA256()
        hasher.update(Array("revision \(resultRevision)".utf8) + [0])
        for p in suite { hasher.update(Array(p.feature.key.utf8) + [0]) }
        return String(SHA256.hex(hasher.finalize()).prefix(16))
    }()

    /// Raised when what a probe's result means changes, so results cached under the old meaning are probed
    /// again. 2: a crash, hang or memory blow-up is a suspect, no longer a gap.
    static let resultRevision = 2

    // MARK: construction

    /// What a probe graph is made of: the op's attributes, its input shapes (one per input), the input dtype
    /// (non-f32 floats are reached by a Cast from f32, the result cast back so every output is a wire type).
    struct Spec {
        var attributes: [String: AttributeValue] = [:]
        var inputs: [[Int]] = [[1, 3, 8, 8]]
        var inputType = DType.f32
        var dtype = DType.f32
        var kind = InputKind.sequence
    }

    static func make(_ feature: ProbeFeature, _ spec: Spec) -> CapabilityProbe? {
        var b = GraphBuilder(name: "probe." + feature.key.replacingOccurrences(of: "=", with: "."))
        do {
            var args: [ValueRef] = []
            for (i, shape) in spec.inputs.enumerated() {
                var x = try b.input(shape, dtype: spec.inputType, name: i == 0 ? "x" : "x\(i)")
                if spec.dtype != .f32 { x = try b.add(.cast, [x], ["to": .string(spec.dtype.rawValue)], name: "to_\(spec.dtype.rawValue)_\(i)") }
                args.append(x)
            }
            let y = try b.add(feature.op, args, spec.attributes, name: "probe")
            let outputs = b.graph.node(named: "probe")!.outputs
            for (k, t) in outputs.enumerated() {
                let ref = ValueRef(y.node, k)
                // Back to f32 so any dtype the op produces comes home (bf16 is no wire type).
                b.output(t.dtype == .f32 ? ref : try b.add(.cast, [ref], ["to": .string("f32")], name: "back_\(k)"))
            }
            let graph = try b.graph.inferred()
            guard ProbeFeature.features(of: graph.node(named: "probe")!).contains(feature) else { return nil }
            return CapabilityProbe(feature: feature, graph: graph, weights: WeightInitializer.initialize(graph, seed: 7),
                                   inputs: InputGenerator.generate(graph, kind: spec.kind, seed: 7, vocab: 10))
        } catch {
            return nil
        }
    }

    static func ints(_ v: Int...) -> AttributeValue { .ints(v) }

    /// The smallest valid use of each op with its defaults (tiny shapes: 1×3×8×8 images).
    static func base(_ op: OpKind) -> Spec {
        var s = Spec()
        switch op {
        case .conv2d:
            s.attributes = ["out_channels": .int(4), "kernel": ints(3, 3), "pads": ints(1, 1, 1, 1)]
        case .conv1d:
            s.inputs = [[1, 3, 16]]
            s.attributes = ["out_channels": .int(4), "kernel": ints(3), "pads": ints(1, 1)]
        case .separableConv2d:
            s.attributes = ["out_channels": .int(4), "kernel": ints(3, 3), "pads": ints(1, 1, 1, 1)]
        case .convTranspose2d:
            s.attributes = ["out_channels": .int(4), "kernel": ints(3, 3)]
        case .dense:
            s.inputs = [[2, 8]]
            s.attributes = ["units": .int(4)]
        case .matMul:
            s.inputs = [[2, 4], [4, 3]]
        case .batchNorm, .dropout, .identity:
            break
        case .layerNorm:
            s.attributes = ["normalized_rank": .int(1)]
        case .groupNorm:
            s.inputs = [[1, 4, 8, 8]]
            s.attributes = ["groups": .int(2)]
        case .maxPool2d, .avgPool2d:
            s.attributes = ["kernel": ints(2, 2)]
        case .globalAvgPool, .globalMaxPool:
            break
        case .flatten:
            s.attributes = ["axis": .int(1)]
        case .reshape:
            s.attributes = ["shape": ints(1, 3, 64)]
        case .transpose:
            s.attributes = ["perm": ints(0, 2, 3, 1)]
        case .concat:
            s.inputs = [[1, 3, 8, 8], [1, 2, 8, 8]]
            s.attributes = ["axis": .int(1)]
        case .split:
            s.attributes = ["axis": .int(1), "sizes": ints(1, 2)]
        case .clip:
            s.attributes = ["min": .float(-1), "max": .float(1)]
        case .pad:
            s.attributes = ["pads": ints(0, 0, 1, 2, 0, 0, 2, 1)]
        case .resize:
            s.attributes = ["size": ints(12, 16), "mode": .string("nearest")]
        case .softmax, .logSoftmax:
            s.attributes = ["axis": .int(-1)]
        case .leakyRelu:
            s.attributes = ["alpha": .float(0.1)]
        case .reduceMean, .reduceSum, .reduceMax:
            s.attributes = ["axes": ints(2, 3)]
        case .cast:
            s.attributes = ["to": .string("f32")]
        case .embedding:
            s.inputs = [[2, 5]]
            s.inputType = .i64
            s.kind = .tokens
            s.attributes = ["vocab": .int(10), "dim": .int(4)]
        case .lstm, .gru:
            s.inputs = [[2, 4, 3]]
            s.attributes = ["hidden": .int(4)]
        default:
            if op.isBinaryElementwise { s.inputs = [[1, 3, 8, 8], [1, 3, 8, 8]] }
        }
        return s
    }

    /// The attribute classes of `ProbeFeature.features(of:)`, each on top of the op's base probe.
    static func variants(_ op: OpKind) -> [(ProbeFeature, Spec)] {
        var out: [(ProbeFeature, Spec)] = []
        func variant(_ attribute: String, _ value: String, _ edit: (inout Spec) -> Void) {
            var s = base(op)
            edit(&s)
            out.append((ProbeFeature(op, attribute, value), s))
        }
        switch op {
        case .conv2d:
            variant("groups", "depthwise") { $0.attributes["groups"] = .int(3); $0.attributes["out_channels"] = .int(6) }
            variant("groups", "grouped") { $0.inputs = [[1, 4, 8, 8]]; $0.attributes["groups"] = .int(2) }
            variant("dilation", "dilated") { $0.attributes["dilation"] = ints(2, 2); $0.attributes["pads"] = ints(2, 2, 2, 2) }
            variant("stride", "unequal") { $0.attributes["stride"] = ints(1, 2) }
            variant("pads", "asymmetric") { $0.attributes["pads"] = ints(0, 1, 2, 1) }
            variant("depthwise", "unequal-stride-dilated") {
                $0.attributes["groups"] = .int(3); $0.attributes["out_channels"] = .int(3)
                $0.attributes["stride"] = ints(1, 2); $0.attributes["dilation"] = ints(2, 2)
            }
        case .conv1d:
            variant("groups", "depthwise") { $0.attributes["groups"] = .int(3); $0.attributes["out_channels"] = .int(3) }
            variant("dilation", "dilated") { $0.attributes["dilation"] = ints(2) }
            variant("pads", "asymmetric") { $0.attributes["pads"] = ints(0, 2) }
        case .separableConv2d:
            variant("depth_multiplier", "multiple") { $0.attributes["depth_multiplier"] = .int(2) }
            variant("dilation", "dilated") { $0.attributes["dilation"] = ints(2, 2); $0.attributes["pads"] = ints(2, 2, 2, 2) }
            variant("stride", "unequal") { $0.attributes["stride"] = ints(1, 2) }
            variant("depthwise", "unequal-stride-dilated") { $0.attributes["stride"] = ints(1, 2); $0.attributes["dilation"] = ints(2, 2) }
        case .convTranspose2d:
            variant("groups", "grouped") { $0.inputs = [[1, 4, 8, 8]]; $0.attributes["groups"] = .int(2) }
            variant("groups", "depthwise") { $0.attributes["groups"] = .int(3); $0.attributes["out_channels"] = .int(3) }
            variant("dilation", "dilated") { $0.attributes["dilation"] = ints(2, 2) }
            variant("stride", "unequal") { $0.attributes["stride"] = ints(1, 2) }
            variant("pads", "asymmetric") { $0.attributes["pads"] = ints(0, 1, 1, 0) }
            variant("output_padding", "nonzero") { $0.attributes["stride"] = ints(2, 2); $0.attributes["output_padding"] = ints(1, 1) }
        case .maxPool2d, .avgPool2d:
            variant("ceil_mode", "true") { $0.attributes = ["kernel": ints(3, 3), "stride": ints(2, 2), "ceil_mode": .bool(true)] }
            if op == .maxPool2d { variant("dilation", "dilated") { $0.attributes["dilation"] = ints(2, 2) } }
            variant("pads", "padded") { $0.attributes = ["kernel": ints(3, 3), "stride": ints(2, 2), "pads": ints(1, 1, 1, 1)] }
            variant("pads", "asymmetric") { $0.attributes = ["kernel": ints(3, 3), "stride": ints(2, 2), "pads": ints(0, 1, 1, 0)] }
            if op == .avgPool2d {
                variant("count_include_pad", "false") {
                    $0.attributes = ["kernel": ints(3, 3), "stride": ints(2, 2), "pads": ints(1, 1, 1, 1), "count_include_pad": .bool(false)]
                }
            }
        case .globalAvgPool, .globalMaxPool, .reduceMean, .reduceSum, .reduceMax:
            variant("keepdims", "true") { $0.attributes["keepdims"] = .bool(true) }
        case .pad:
            for mode in ["reflect", "edge"] { variant("mode", mode) { $0.attributes["mode"] = .string(mode) } }
        case .resize:
            variant("mode", "bilinear") { $0.attributes["mode"] = .string("bilinear") }
            variant("align_corners", "true") { $0.attributes["mode"] = .string("bilinear"); $0.attributes["align_corners"] = .bool(true) }
        case .gelu:
            variant("approximate", "tanh") { $0.attributes["approximate"] = .string("tanh") }
        case .cast:
            for to in DType.allCases where to != .f32 { variant("to", to.rawValue) { $0.attributes["to"] = .string(to.rawValue) } }
        case .softmax, .logSoftmax:
            variant("axis", "inner") { $0.attributes["axis"] = .int(1) }
        case .batchNorm:
            variant("scale", "false") { $0.attributes["scale"] = .bool(false) }
            variant("center", "false") { $0.attributes["center"] = .bool(false) }
        case .layerNorm:
            variant("normalized_rank", "multiple") { $0.attributes["normalized_rank"] = .int(3) }
        case .prelu:
            variant("num_parameters", "channels") { $0.attributes["num_parameters"] = .int(3) }
        case .dense:
            variant("bias", "false") { $0.attributes["bias"] = .bool(false) }
            variant("rank", "nd") { $0.inputs = [[1, 3, 8, 8]] }
        case .matMul:
            variant("rank", "batched") { $0.inputs = [[2, 3, 4], [2, 4, 5]] }
        case .lstm, .gru:
            variant("return_sequences", "false") { $0.attributes["return_sequences"] = .bool(false) }
        default:
            break
        }
        return out
    }
}
