import Seeding
import ModelIR

/// The study's weight operators (WS, NS, GF, NAI, NEB), on trainable weights only: running statistics are
/// left alone, since a negated or shuffled variance makes NaN that no framework is wrong to produce.
public struct WeightMutation: MutationOperator {
    public enum Kind: String, Sendable, CaseIterable {
        /// WS: shuffle the values inside some neurons (rows along axis 0; see `NeuronLayout`).
        case shuffle = "WS"
        /// NS: switch two neurons (rows), bias included.
        case neuronSwitch = "NS"
        /// GF: add Gaussian noise (sigma relative to the weight's standard deviation) to some values.
        case gaussian = "GF"
        /// NAI: invert some neurons (x -1).
        case invert = "NAI"
        /// NEB: block some neurons (set to 0).
        case block = "NEB"
    }

    public let kind: Kind
    public var name: String { kind.rawValue }
    public let family = OperatorFamily.weight, origin = OperatorOrigin.study
    public var summary: String {
        switch kind {
        case .shuffle: "shuffle the weights inside some neurons of a layer"
        case .neuronSwitch: "switch two neurons of a layer"
        case .gaussian: "add Gaussian noise to part of a layer's weights"
        case .invert: "invert (x -1) some neurons of a layer"
        case .block: "zero some neurons of a layer"
        }
    }

    public init(_ kind: Kind) { self.kind = kind }

    static func mutable(_ node: Node) -> [WeightSpec] {
        node.weights.filter { $0.trainable && $0.elementCount >= 2 && NeuronLayout($0.shape, of: node, weight: $0.name).count >= 2 }
    }

    /// Trainable weights that are not constant (a constant tensor, like PReLU's initial slopes, shuffles and
    /// switches into itself: a duplicate, not a mutant).
    static func mutable(_ node: Node, in model: FuzzModel) -> [WeightSpec] {
        mutable(node).filter { spec in
            guard let t = model.weights[node.weightKey(spec.name)], let first = t.values.first else { return false }
            return t.values.contains { $0 != first }
        }
    }

    public func targets(in model: FuzzModel) -> [String] {
        model.graph.nodes.filter { $0.op != .input && !Self.mutable($0, in: model).isEmpty }.map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        guard let node = model.node(target) else { return nil }
        let specs = Self.mutable(node, in: model)
        guard !specs.isEmpty else { return nil }
        let spec = rng.pick(specs)
        var params: [String: AttributeValue] = ["weight": .string(spec.name), "fraction": .float(rng.pick([0.1, 0.2, 0.3]))]
        if kind == .gaussian { params["sigma"] = .float(rng.pick([0.1, 0.2, 0.5])) }
        if kind == .neuronSwitch {
            let count = NeuronLayout(spec.shape, of: node, weight: spec.name).count
            guard count >= 2 else { return nil }
            let a = rng.index(count)
            var b = rng.index(count - 1)
            if b >= a { b += 1 }
            params["rows"] = .ints([a, b])
        }
        return params
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        guard let node = m.node(record.targets[0]) else { throw MutationError(.unknownTarget, record.targets[0]) }
        let key = node.weightKey(record.string("weight"))
        guard var tensor = m.weights[key] else { throw MutationError(.unknownTarget, "no weight \(key)") }
        var rng = SplitMix64(seed: record.seed)
        let layout = NeuronLayout(tensor.shape, of: node, weight: record.string("weight"))
        let rows = layout.count, width = layout.width
        let fraction = record.double("fraction", 0.1)
        // The neurons to edit: a seeded sample of at least one.
        var picked = Array(0..<rows)
        for i in stride(from: rows - 1, to: 0, by: -1) { picked.swapAt(i, rng.index(i + 1)) }
        picked = Array(picked.prefix(Swift.max(1, Int((Double(rows) * fraction).rounded()))))
        switch kind {
        case .shuffle:
            // Positions to shuffle: inside each picked neuron, or across the picked entries of a vector.
            let groups: [[Int]] = width > 1 ? picked.map(layout.positions) : [picked.count > 1 ? picked.sorted() : [0, 1]]
            for positions in groups {
                let before = positions.map { tensor.values[$0] }
                var after = before
                for i in stride(from: after.count - 1, to: 0, by: -1) { after.swapAt(i, rng.index(i + 1)) }
                // A shuffle that happens to keep the order is rotated instead, so the mutant always differs.
                if after == before { after = Array(after.dropFirst()) + [after[0]] }
                for (p, v) in zip(positions, after) { tensor.values[p] = v }
            }
        case .neuronSwitch:
            let ab = record.ints("rows")
            guard ab.count == 2, ab.allSatisfy({ $0 < rows }) else { throw MutationError(.notApplicable, "NS rows out of range") }
            for (p, q) in zip(layout.positions(ab[0]), layout.positions(ab[1])) { tensor.values.swapAt(p, q) }
            // The bias of the switched neurons (output channels, also for a transposed convolution) moves with them.
            if record.string("weight") == "weight", var bias = m.weights[node.weightKey("bias")], bias.elementCount == rows {
                bias.values.swapAt(ab[0], ab[1])
                m.weights[node.weightKey("bias")] = bias
            }
        case .gaussian:
            let values = tensor.values.map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
            let sigma = record.double("sigma", 0.2) * (std > 0 ? std : 0.01)
            var touched = false
            for i in tensor.values.indices where rng.chance(fraction) { tensor.values[i] += Float(rng.normal() * sigma); touched = true }
            // A small tensor can draw no position at all (a 4-element bias at 10%: two times in three); one is
            // then perturbed, so the mutant always differs from its parent.
            if !touched { tensor.values[rng.index(tensor.values.count)] += Float(Swift.max(Swift.abs(rng.normal()), 0.5) * sigma) }
        case .invert:
            for r in picked { for p in layout.positions(r) { tensor.values[p] = -tensor.values[p] } }
        case .block:
            for r in picked { for p in layout.positions(r) { tensor.values[p] = 0 } }
        }
        m.weights[key] = tensor
        return m
    }

}

/// Where a weight's neurons (output units) lie in its flat values. For most layers a neuron is a row along axis
/// 0 (a convolution's [C_out, C_in/g, kh, kw], a dense layer's [units, in], a recurrent layer's gate rows). A
/// transposed convolution's weight is [C_in, C_out/g, kh, kw]: its rows are input channels, and output channel
/// j of group j / (C_out/g) is the slice [g·C_in/g ..< (g+1)·C_in/g, j mod C_out/g] — what its bias belongs to.
struct NeuronLayout {
    /// How many neurons, and how many values each holds.
    let count: Int, width: Int
    private let transposed: (inPerGroup: Int, outPerGroup: Int, kernel: Int)?

    init(_ shape: [Int], of node: Node, weight: String) {
        let total = shape.reduce(1, *)
        if node.op == .convTranspose2d, weight == "weight", shape.count >= 2 {
            var groups = 1
            if case .int(let g)? = node.attributes["groups"], g >= 1, shape[0] % g == 0 { groups = g }
            let kernel = shape.dropFirst(2).reduce(1, *)
            transposed = (shape[0] / groups, shape[1], kernel)
            count = shape[1] * groups
            width = shape[0] / groups * kernel
        } else {
            transposed = nil
            count = shape.first ?? 1
            width = count > 0 ? total / count : 0
        }
    }

    /// The flat positions of neuron `j`'s values.
    func positions(_ j: Int) -> [Int] {
        guard let t = transposed else { return Array((j * width)..<(j * width + width)) }
        let group = j / t.outPerGroup, o = j % t.outPerGroup
        return (0..<t.inPerGroup).flatMap { i -> Range<Int> in
            let start = (((group * t.inPerGroup + i) * t.outPerGroup) + o) * t.kernel
            return start..<(start + t.kernel)
        }
    }
}
