import Seeding
import ModelIR

/// Parameter operators: the study's PM and the developer-like pooling and padding option changes. Their effect
/// is not local (a new kernel changes every downstream shape), so each draws candidate values and keeps the
/// first that passes the IR's validity rules.

/// PM: change one parameter of a layer (filters, kernel, stride, dilation, padding, units, rate, slope, epsilon).
public struct ParameterMutation: MutationOperator {
    public let name = "PM", family = OperatorFamily.parameter, origin = OperatorOrigin.study
    public let summary = "change one layer parameter (filters, kernel, stride, dilation, padding, units, rate, alpha, epsilon)"
    public init() {}

    static func candidates(_ node: Node, _ rng: inout SplitMix64) -> [(String, AttributeValue)] {
        var out: [(String, AttributeValue)] = []
        func int(_ k: String) -> Int? { if case .int(let v)? = node.attributes[k] { v } else { nil } }
        switch node.op {
        case .conv2d:
            let c = int("out_channels") ?? 1, g = int("groups") ?? 1
            if g == 1 { out += [Swift.max(1, c / 2), c + 1, c * 2].map { ("out_channels", .int($0)) } }
            let k = rng.pick([1, 3, 5])
            out += [("kernel", .ints([k, k])), ("stride", .ints([2, 2])), ("stride", .ints([1, 1])), ("dilation", .ints([2, 2])),
                    ("pads", .ints([1, 1, 1, 1])), ("pads", .ints([0, 0, 0, 0])), ("pads", .ints([2, 2, 2, 2]))]
        case .dense:
            let u = int("units") ?? 1
            out += [Swift.max(1, u / 2), u + 1, u * 2].map { ("units", .int($0)) }
        case .maxPool2d, .avgPool2d:
            out += [("kernel", .ints([3, 3])), ("kernel", .ints([2, 2])), ("stride", .ints([1, 1])), ("stride", .ints([2, 2])),
                    ("pads", .ints([1, 1, 1, 1])), ("pads", .ints([0, 0, 0, 0]))]
        case .dropout: out += [0.1, 0.3, 0.7].map { ("rate", .float($0)) }
        case .leakyRelu: out += [0.1, 0.3].map { ("alpha", .float($0)) }
        case .elu: out += [0.5, 2.0].map { ("alpha", .float($0)) }
        case .batchNorm, .layerNorm, .groupNorm: out += [1e-3, 1e-2].map { ("epsilon", .float($0)) }
        default: break
        }
        // Against the value the layer has in effect, written or not: `stride [1, 1]` on a conv that states no
        // stride is the same layer, and its mutant would run as a new one that cannot differ.
        return out.filter { effective(node, $0.0) != $0.1 }
    }

    /// An attribute's value as the IR's inference reads it: the written one, else the op's default.
    static func effective(_ node: Node, _ key: String) -> AttributeValue? {
        if let written = node.attributes[key] { return written }
        switch (node.op, key) {
        case (.conv2d, "stride"), (.conv2d, "dilation"): return .ints([1, 1])
        case (.conv2d, "pads"), (.maxPool2d, "pads"), (.avgPool2d, "pads"): return .ints([0, 0, 0, 0])
        case (.maxPool2d, "stride"), (.avgPool2d, "stride"): return node.attributes["kernel"]
        case (.batchNorm, "epsilon"), (.layerNorm, "epsilon"), (.groupNorm, "epsilon"): return .float(1e-5)
        case (.leakyRelu, "alpha"): return .float(0.01)
        case (.elu, "alpha"): return .float(1)
        default: return nil
        }
    }

    public func targets(in model: FuzzModel) -> [String] {
        var rng = SplitMix64(seed: 0)
        return model.graph.nodes.filter { model.editable($0) && !Self.candidates($0, &rng).isEmpty }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let node = model.node(target) else { return nil }
        var options = Self.candidates(node, &rng)
        for _ in 0..<6 where !options.isEmpty {
            let (key, value) = options.remove(at: rng.index(options.count))
            let params: [String: AttributeValue] = ["attribute": .string(key), "value": value]
            if legal(model, target, params) { return params }
        }
        return nil
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        guard let i = m.index(of: record.targets[0]), let value = record.parameters["value"] else {
            throw MutationError(.unknownTarget, "PM has no target or value")
        }
        m.graph.nodes[i].attributes[record.string("attribute")] = value
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// Toggles one boolean attribute of a pooling layer (ceil_mode, count_include_pad): settings developers flip
/// when porting a model, and where frameworks' output-size and divisor rules differ.
public struct PoolOptionToggle: MutationOperator {
    public let name: String
    public let family = OperatorFamily.parameter, origin = OperatorOrigin.developer
    public let summary: String
    let attribute: String
    let ops: [OpKind]
    let fallback: Bool

    public static let ceilMode = PoolOptionToggle(name: "CeilMode", attribute: "ceil_mode", ops: [.maxPool2d, .avgPool2d], fallback: false,
                                                  summary: "toggle ceil_mode of a pooling layer")
    public static let countIncludePad = PoolOptionToggle(name: "CountPad", attribute: "count_include_pad", ops: [.avgPool2d], fallback: true,
                                                         summary: "toggle count_include_pad of an average pooling layer")

    init(name: String, attribute: String, ops: [OpKind], fallback: Bool, summary: String) {
        self.name = name
        self.attribute = attribute
        self.ops = ops
        self.fallback = fallback
        self.summary = summary
    }

    /// Only pools where the option changes the result: ceil_mode where some spatial size does not divide
    /// evenly (else both roundings agree), count_include_pad where there is padding to count. Elsewhere the
    /// toggle made a mutant that computes what its parent did.
    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && ops.contains($0.op) && matters($0, in: model.graph) }.map(\.name)
    }

    func matters(_ node: Node, in graph: Graph) -> Bool {
        func ints(_ key: String) -> [Int] { if case .ints(let v)? = node.attributes[key] { v } else { [] } }
        let pads = ints("pads")
        switch attribute {
        case "count_include_pad":
            return pads.contains { $0 > 0 }
        case "ceil_mode":
            guard let input = node.inputs.first.flatMap({ graph.type(of: $0) }), input.shape.count == 4 else { return true }
            let kernel = ints("kernel"), stride = ints("stride").isEmpty ? kernel : ints("stride")
            guard kernel.count == 2, stride.count == 2 else { return true }
            return (0..<2).contains { d in
                let padded = input.shape[2 + d] + (pads.count == 4 ? pads[d] + pads[d + 2] : 0)
                return stride[d] > 0 && (padded - kernel[d]) % stride[d] != 0
            }
        default:
            return true
        }
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let node = model.node(target) else { return nil }
        let current: Bool = if case .bool(let v)? = node.attributes[attribute] { v } else { fallback }
        let params: [String: AttributeValue] = ["value": .bool(!current)]
        return legal(model, target, params) ? params : nil
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        guard let i = m.index(of: record.targets[0]) else { throw MutationError(.unknownTarget, record.targets[0]) }
        // Written out, as the zoo's builders write both options on every pool: toggling twice gives the seed's
        // graph (and content hash) again, a duplicate, not a new mutant that computes the same thing.
        m.graph.nodes[i].attributes[attribute] = record.parameters["value"]
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// Developer-like: change a padding mode. A Pad node changes mode; a padded convolution moves its padding into
/// an explicit reflect or edge Pad (PyTorch's padding_mode).
public struct PaddingModeChange: MutationOperator {
    public let name = "PadMode", family = OperatorFamily.parameter, origin = OperatorOrigin.developer
    public let summary = "change a padding mode (Pad mode, or a convolution's zero padding to reflect/edge)"
    public init() {}

    static func pads(_ node: Node) -> [Int] { if case .ints(let v)? = node.attributes["pads"] { v } else { [] } }

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && ($0.op == .pad || ($0.op == .conv2d && Self.pads($0).contains { $0 > 0 })) }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let node = model.node(target) else { return nil }
        let current: String = if case .string(let v)? = node.attributes["mode"] { v } else { "constant" }
        var modes = ["constant", "edge", "reflect"].filter { node.op == .conv2d ? $0 != "constant" : $0 != current }
        while !modes.isEmpty {
            let params: [String: AttributeValue] = ["mode": .string(modes.remove(at: rng.index(modes.count)))]
            if legal(model, target, params) { return params }
        }
        return nil
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        guard let i = m.index(of: record.targets[0]) else { throw MutationError(.unknownTarget, record.targets[0]) }
        let node = m.graph.nodes[i]
        if node.op == .pad {
            m.graph.nodes[i].attributes["mode"] = record.parameters["mode"]
        } else {
            let p = Self.pads(node)  // [t, l, b, r] -> ONNX order over N, C, H, W
            var taken = Set<String>()
            let pad = m.newNode(.pad, [node.inputs[0]], ["pads": .ints([0, 0, p[0], p[1], 0, 0, p[2], p[3]]), "mode": record.parameters["mode"]!],
                                role: node.role, taken: &taken)
            m.graph.nodes[i].attributes["pads"] = .ints([0, 0, 0, 0])
            m.insert(pad, before: node.name)
        }
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// Developer-like: swap the pooling type (max <-> average, global max <-> global average).
public struct PoolingSwap: MutationOperator {
    public let name = "PoolSwap", family = OperatorFamily.parameter, origin = OperatorOrigin.developer
    public let summary = "swap max and average pooling (local or global)"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { n in
            guard model.editable(n) else { return false }
            if n.op == .maxPool2d { return n.attributes["dilation"] == nil || n.attributes["dilation"] == .ints([1, 1]) }
            return [.avgPool2d, .globalAvgPool, .globalMaxPool].contains(n.op)
        }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        legal(model, target, [:]) ? [:] : nil
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        guard let i = m.index(of: record.targets[0]) else { throw MutationError(.unknownTarget, record.targets[0]) }
        switch m.graph.nodes[i].op {
        case .maxPool2d:
            m.graph.nodes[i].op = .avgPool2d
            m.graph.nodes[i].attributes["dilation"] = nil
        case .avgPool2d:
            m.graph.nodes[i].op = .maxPool2d
            m.graph.nodes[i].attributes["count_include_pad"] = nil
        case .globalAvgPool: m.graph.nodes[i].op = .globalMaxPool
        default: m.graph.nodes[i].op = .globalAvgPool
        }
        try m.reinfer(seed: record.seed)
        return m
    }
}
