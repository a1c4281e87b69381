import Seeding

/// Deterministic weights for a graph: each weight drawn from its own stream (seed, "node.weight"), by the
/// initializer its op chose (He for convolutions, Glorot for dense layers, PyTorch's uniform for recurrent
/// layers, non-trivial BatchNorm statistics).
public enum WeightInitializer {
    public static func initialize(_ graph: Graph, seed: UInt64) -> WeightStore {
        var store: WeightStore = [:]
        for node in graph.nodes {
            for spec in node.weights {
                let key = node.weightKey(spec.name)
                store[key] = tensor(for: spec, seed: seed, key: key)
            }
        }
        return store
    }

    public static func tensor(for spec: WeightSpec, seed: UInt64, key: String) -> Tensor {
        var rng = SplitMix64(seed: seed, stream: key)
        let n = spec.elementCount
        var values = [Float](repeating: 0, count: n)
        switch spec.initializer {
        case .heNormal:
            let std = (2.0 / Double(Swift.max(spec.fanIn, 1))).squareRoot()
            for i in 0..<n { values[i] = Float(rng.normal() * std) }
        case .glorotUniform:
            let limit = (6.0 / Double(Swift.max(spec.fanIn + spec.fanOut, 1))).squareRoot()
            for i in 0..<n { values[i] = Float(rng.uniform(-limit, limit)) }
        case .recurrentUniform:
            let limit = 1.0 / Double(Swift.max(spec.fanIn, 1)).squareRoot()
            for i in 0..<n { values[i] = Float(rng.uniform(-limit, limit)) }
        case .smallUniform:
            for i in 0..<n { values[i] = Float(rng.uniform(-0.1, 0.1)) }
        case .positiveUniform:
            for i in 0..<n { values[i] = Float(rng.uniform(0.5, 1.5)) }
        case .centeredUniform:
            for i in 0..<n { values[i] = Float(rng.uniform(-0.2, 0.2)) }
        case .standardNormal:
            for i in 0..<n { values[i] = Float(rng.normal()) }
        case .prelu:
            for i in 0..<n { values[i] = 0.25 }
        }
        return Tensor(shape: spec.shape, values: values)
    }
}
