import Seeding
import ModelIR

/// Developer-like operators (the study's first recommendation): edits model authors make every day.

/// Mixed precision on a block: cast the input of a chain of layers to f16 or bf16 and its output back.
public struct MixedPrecisionBlock: MutationOperator {
    public let name = "MixedPrec", family = OperatorFamily.precision, origin = OperatorOrigin.developer
    public let summary = "run a block of up to 4 layers in f16 or bf16 and cast back"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] { DtypeCast().targets(in: model) }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        let block = Array(model.chain(from: target, limit: 1 + rng.index(4))
            .prefix { ![.cast, .embedding].contains($0.op) && $0.output.dtype == .f32 && $0.weights.isEmpty })
        guard let last = block.last else { return nil }
        let params: [String: AttributeValue] = ["dtype": .string(rng.pick(["f16", "bf16"])), "last": .string(last.name)]
        return legal(model, target, params) ? params : nil
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        try Precision.wrap(model, first: record.targets[0], last: record.string("last", record.targets[0]), dtype: record.string("dtype", "f16"),
                           seed: record.seed)
    }
}

/// Insert a normalization or dropout layer after a node.
public struct NormalizationInsertion: MutationOperator {
    public let name = "InsNorm", family = OperatorFamily.normalization, origin = OperatorOrigin.developer
    public let summary = "insert BatchNorm, LayerNorm, GroupNorm or Dropout after a layer"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && $0.outputs.count == 1 && $0.output.dtype == .f32 && $0.output.rank >= 2 }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let t = model.node(target)?.output else { return nil }
        var kinds = ["BatchNorm", "LayerNorm", "Dropout"]
        let c = t.shape[1]
        let groups = [2, 4, 8].filter { c % $0 == 0 && $0 < c }
        if t.rank >= 3 && !groups.isEmpty { kinds.append("GroupNorm") }
        let kind = rng.pick(kinds)
        var params: [String: AttributeValue] = ["layer": .string(kind)]
        if kind == "GroupNorm" { params["groups"] = .int(rng.pick(groups)) }
        if kind == "Dropout" { params["rate"] = .float(rng.pick([0.1, 0.3, 0.5])) }
        return params
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let target = record.targets[0]
        switch record.string("layer") {
        case "GroupNorm": m.insert(.groupNorm, after: target, attributes: ["groups": .int(record.int("groups", 2))])
        case "LayerNorm": m.insert(.layerNorm, after: target)
        case "Dropout": m.insert(.dropout, after: target, attributes: ["rate": .float(record.double("rate", 0.1))])
        default: m.insert(.batchNorm, after: target)
        }
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// Remove a normalization or dropout layer.
public struct NormalizationRemoval: LayerRemovingOperator {
    public let name = "RmNorm", family = OperatorFamily.normalization, origin = OperatorOrigin.developer
    public let summary = "remove a BatchNorm, LayerNorm, GroupNorm or Dropout layer"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && [.batchNorm, .layerNorm, .groupNorm, .dropout].contains($0.op) }.map(\.name)
    }
}

/// Wrap a block in a residual connection: out = block(x) + x, where the block's output type equals its input's.
public struct ResidualConnection: MutationOperator {
    public let name = "Residual", family = OperatorFamily.structure, origin = OperatorOrigin.developer
    public let summary = "add a residual connection around a block of up to 4 layers"
    public init() {}

    func ends(_ model: FuzzModel, _ target: String) -> [Node] {
        guard let start = model.node(target), let t = model.inputType(start) else { return [] }
        return model.chain(from: target, limit: 4).filter { $0.output == t }
    }

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && $0.inputs.count == 1 && model.inputType($0)?.dtype.isFloat == true
            && !ends(model, $0.name).isEmpty }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        let e = ends(model, target)
        return e.isEmpty ? nil : ["end": .string(rng.pick(e).name)]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        guard let start = m.node(record.targets[0]), let end = m.node(record.string("end")) else { throw MutationError(.unknownTarget, "residual block") }
        var taken = Set<String>()
        let add = m.newNode(.add, [ValueRef(end.name), start.inputs[0]], role: end.role, taken: &taken)
        m.splice(after: ValueRef(end.name), chain: [add], result: ValueRef(add.name))
        try m.reinfer(seed: record.seed)
        return m
    }
}

/// Fuse Conv+BatchNorm (fold the statistics into the convolution, as inference exporters do) or unfuse a
/// convolution into Conv+BatchNorm with non-trivial statistics that leave its function unchanged.
public struct ConvBatchNormFusion: MutationOperator {
    public let fuse: Bool
    public var name: String { fuse ? "FuseBN" : "UnfuseBN" }
    public let family = OperatorFamily.normalization, origin = OperatorOrigin.developer
    public var summary: String { fuse ? "fold a BatchNorm into the preceding convolution" : "split a convolution into Conv + identity-preserving BatchNorm" }

    public init(fuse: Bool) { self.fuse = fuse }

    func batchNorm(after conv: Node, _ model: FuzzModel) -> Node? {
        let readers = model.consumers(of: conv.name)
        guard readers.count == 1, !model.isOutput(conv.name) else { return nil }
        let bn = model.graph.nodes[readers[0].node]
        return bn.op == .batchNorm && model.editable(bn) ? bn : nil
    }

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { $0.op == .conv2d && model.editable($0) && (batchNorm(after: $0, model) != nil) == fuse }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? { [:] }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        guard let conv = m.node(record.targets[0]), let ci = m.index(of: conv.name) else { throw MutationError(.unknownTarget, record.targets[0]) }
        let o = conv.output.shape[1]
        if fuse {
            guard let bn = batchNorm(after: conv, m) else { throw MutationError(.notApplicable, "no BatchNorm after \(conv.name)") }
            func w(_ n: String, _ fallback: Float) -> [Float] { m.weights[bn.weightKey(n)]?.values ?? Array(repeating: fallback, count: o) }
            let eps: Double = if case .float(let e)? = bn.attributes["epsilon"] { e } else { 1e-5 }
            let gamma = w("weight", 1), beta = w("bias", 0), mean = w("running_mean", 0), variance = w("running_var", 1)
            var weight = m.weights[conv.weightKey("weight")]!
            let bias = m.weights[conv.weightKey("bias")]?.values ?? Array(repeating: 0, count: o)
            let per = weight.elementCount / o
            var newBias = [Float](repeating: 0, count: o)
            for c in 0..<o {
                let scale = Double(gamma[c]) / (Double(variance[c]) + eps).squareRoot()
                for i in 0..<per { weight.values[c * per + i] = Float(Double(weight.values[c * per + i]) * scale) }
                newBias[c] = Float((Double(bias[c]) - Double(mean[c])) * scale + Double(beta[c]))
            }
            m.graph.nodes[ci].attributes["bias"] = .bool(true)
            m.weights[conv.weightKey("weight")] = weight
            m.weights[conv.weightKey("bias")] = Tensor(shape: [o], values: newBias)
            m.remove(bn.name)
            try m.reinfer(seed: record.seed)
        } else {
            let bnName = m.insert(.batchNorm, after: conv.name)
            try m.reinfer(seed: record.seed)
            if m.checkingOnly { return m }
            // gamma = sqrt(var + eps), beta = mean: y = (x - mean) / sqrt(var + eps) * gamma + beta = x.
            let bn = m.node(bnName)!
            let variance = m.weights[bn.weightKey("running_var")]!.values, mean = m.weights[bn.weightKey("running_mean")]!.values
            m.weights[bn.weightKey("weight")] = Tensor(shape: [o], values: variance.map { Float((Double($0) + 1e-5).squareRoot()) })
            m.weights[bn.weightKey("bias")] = Tensor(shape: [o], values: mean)
        }
        return m
    }
}

/// Quantize-dequantize insertion: scale by 2^k (a diagonal dense layer on the last axis), round toward zero
/// through an i32 cast, cast back and unscale: the fake quantization of quantization-aware training.
public struct QuantizeDequantize: MutationOperator {
    public let name = "QDQ", family = OperatorFamily.precision, origin = OperatorOrigin.developer
    public let summary = "insert a quantize-dequantize pair (scale, cast to i32, cast back, unscale)"
    public init() {}

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { model.editable($0) && $0.outputs.count == 1 && $0.output.dtype == .f32 && $0.output.rank >= 2
            && $0.output.shape.last! <= 256 }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        ["bits": .int(rng.pick([4, 6, 8]))]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        let target = m.node(record.targets[0])!
        let k = target.output.shape.last!, scale = Float(1 << record.int("bits", 6))
        var taken = Set<String>()
        let ref = ValueRef(target.name)
        let up = m.newNode(.dense, [ref], ["units": .int(k), "bias": .bool(false)], role: target.role, taken: &taken)
        let q = m.newNode(.cast, [ValueRef(up.name)], ["to": .string("i32")], role: target.role, taken: &taken)
        let dq = m.newNode(.cast, [ValueRef(q.name)], ["to": .string("f32")], role: target.role, taken: &taken)
        let down = m.newNode(.dense, [ValueRef(dq.name)], ["units": .int(k), "bias": .bool(false)], role: target.role, taken: &taken)
        m.splice(after: ref, chain: [up, q, dq, down], result: ValueRef(down.name))
        try m.reinfer(seed: record.seed)
        if m.checkingOnly { return m }
        func diagonal(_ v: Float) -> Tensor {
            var t = Tensor(shape: [k, k], values: Array(repeating: 0, count: k * k))
            for i in 0..<k { t.values[i * k + i] = v }
            return t
        }
        m.weights[up.weightKey("weight")] = diagonal(scale)
        m.weights[down.weightKey("weight")] = diagonal(1 / scale)
        return m
    }
}
