import Seeding

/// Seeded inputs for a model's `Input` nodes, by what the input holds: normalized images (per-channel
/// ImageNet-like mean/std applied to uniform pixels), token ids in [0, vocab), or standard-normal sequences.
public enum InputKind: String, Codable, Sendable, CaseIterable {
    case image, tokens, sequence
}

public enum InputGenerator {
    public static func generate(_ graph: Graph, kind: InputKind, seed: UInt64, vocab: Int = 1000) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for node in graph.inputNodes {
            result[node.name] = tensor(node.output, kind: kind, seed: seed, stream: "input." + node.name, vocab: vocab)
        }
        return result
    }

    public static func tensor(_ type: TensorType, kind: InputKind, seed: UInt64, stream: String, vocab: Int = 1000) -> Tensor {
        var rng = SplitMix64(seed: seed, stream: stream)
        let n = type.elementCount
        var values = [Float](repeating: 0, count: n)
        switch kind {
        case .tokens:
            for i in 0..<n { values[i] = Float(Int(rng.next() % UInt64(Swift.max(vocab, 1)))) }
        case .sequence:
            for i in 0..<n { values[i] = Float(rng.normal()) }
        case .image:
            let mean: [Double] = [0.485, 0.456, 0.406], std: [Double] = [0.229, 0.224, 0.225]
            let c = type.rank >= 2 ? type.shape[1] : 1
            let plane = type.rank > 2 ? type.shape.dropFirst(2).reduce(1, *) : 1
            for i in 0..<n {
                let channel = (i / plane) % c
                values[i] = Float((rng.unit() - mean[channel % 3]) / std[channel % 3])
            }
        }
        return Tensor(shape: type.shape, dtype: type.dtype, values: values)
    }
}
