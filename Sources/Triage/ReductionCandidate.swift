import Fuzz
import ModelIR
import Reference

/// A model under reduction with the exact inputs it runs on. Cutting a graph turns inner values into new
/// inputs, whose values are the ones captured on the larger model: regenerating them from the seed would test
/// another case.
public struct ReductionCandidate: Sendable {
    public var model: FuzzModel
    public var inputs: [String: Tensor]

    public init(model: FuzzModel, inputs: [String: Tensor]) {
        self.model = model
        self.inputs = inputs
    }

    public var nodeCount: Int { model.graph.nodes.count }

    /// Applies a graph edit: dead nodes dropped, inference and every validity rule re-run, weights kept where
    /// they still fit, sliced where they shrank, drawn from `seed` where new; inputs sliced to the new shapes.
    /// Nil when the edit breaks a rule (such a candidate never runs).
    func edited(_ graph: Graph, captured: [String: Tensor] = [:], seed: UInt64) -> ReductionCandidate? {
        let pruned = GraphEdits.deadCodeEliminated(graph)
        guard let inferred = try? pruned.inferred() else { return nil }
        var weights: WeightStore = [:]
        for node in inferred.nodes {
            for spec in node.weights {
                let key = node.weightKey(spec.name)
                if let old = model.weights[key] {
                    if old.shape == spec.shape { weights[key] = old; continue }
                    if let sliced = TensorSlicing.leading(old, to: spec.shape) { weights[key] = sliced; continue }
                }
                weights[key] = WeightInitializer.tensor(for: spec, seed: seed, key: key)
            }
        }
        var inputs: [String: Tensor] = [:]
        for node in inferred.inputNodes {
            let type = node.output
            if let t = captured[node.name] ?? self.inputs[node.name] {
                if t.shape == type.shape { inputs[node.name] = t; continue }
                if let s = TensorSlicing.leading(t, to: type.shape) { inputs[node.name] = s; continue }
            }
            inputs[node.name] = InputGenerator.tensor(type, kind: model.inputKind, seed: model.inputSeed, stream: "input." + node.name, vocab: model.vocab)
        }
        var m = model
        m.graph = inferred
        m.weights = weights
        return ReductionCandidate(model: m, inputs: inputs)
    }
}

/// Leading-corner slices of tensors: the values a shrunk layer keeps from its larger self.
enum TensorSlicing {
    static func leading(_ t: Tensor, to shape: [Int]) -> Tensor? {
        guard shape.count == t.shape.count, zip(shape, t.shape).allSatisfy({ $0 <= $1 && $0 > 0 }) else { return nil }
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        var srcStrides = [Int](repeating: 1, count: shape.count)
        for i in stride(from: shape.count - 2, through: 0, by: -1) { srcStrides[i] = srcStrides[i + 1] * t.shape[i + 1] }
        var index = [Int](repeating: 0, count: shape.count)
        for k in 0..<n {
            var offset = 0
            for d in 0..<shape.count { offset += index[d] * srcStrides[d] }
            values[k] = t.values[offset]
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return Tensor(shape: shape, dtype: t.dtype, values: values)
    }
}
