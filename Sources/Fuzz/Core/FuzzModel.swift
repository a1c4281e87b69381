import Seeding
import ModelIR
import Reference

/// A model under mutation: the inferred graph, its weights, and how its inputs are made. Inputs are never
/// stored: they are regenerated from the seed's input kind and seed, so an input-shape mutation (batch size,
/// resolution) gets inputs of its new shape from the same stream.
public struct FuzzModel: Sendable {
    public var graph: Graph
    public var weights: WeightStore
    /// The zoo seed this model descends from.
    public var seedName: String
    public var inputKind: InputKind
    public var vocab: Int
    public var inputSeed: UInt64
    /// Optimizer steps an executor performs before inference (the training-mode operator sets it; 0 = inference).
    public var trainingSteps: Int
    /// The SGD learning rate of those steps.
    public var learningRate: Double = 0.01
    /// Every mutation applied since the seed, oldest first: the model is a recipe from its seed.
    public var lineage: [MutationRecord]
    /// Set while an operator only tests whether an edit is legal: re-inference then skips drawing weights.
    var checkingOnly = false

    public init(graph: Graph, weights: WeightStore, seedName: String, inputKind: InputKind, vocab: Int, inputSeed: UInt64,
                trainingSteps: Int = 0, lineage: [MutationRecord] = []) {
        self.graph = graph
        self.weights = weights
        self.seedName = seedName
        self.inputKind = inputKind
        self.vocab = vocab
        self.inputSeed = inputSeed
        self.trainingSteps = trainingSteps
        self.lineage = lineage
    }

    /// A zoo seed at its default size, weights and inputs from `seed`.
    public static func seed(named name: String, seed: UInt64) throws(MutationError) -> FuzzModel {
        guard let entry = ModelZoo.entry(named: name) else {
            throw MutationError(.unknownSeed, "unknown seed model '\(name)'; known: \(ModelZoo.entries.map(\.name).joined(separator: ", "))")
        }
        // Calibrated BatchNorm statistics, as `models run` uses: random ones saturate deep seeds' outputs.
        let prepared: PreparedModel
        do { prepared = try PreparedModel.prepare(entry, entry.defaults, seed: seed) } catch {
            throw MutationError(.invalidMutant, "seed \(name) does not build: \(error)")
        }
        let graph = prepared.graph
        var vocab = Swift.max(entry.vocab, 1)
        if let embedding = graph.nodes.first(where: { $0.op == .embedding }), case .int(let v)? = embedding.attributes["vocab"] { vocab = v }
        return FuzzModel(graph: graph, weights: prepared.weights, seedName: entry.name,
                         inputKind: entry.inputKind, vocab: vocab, inputSeed: seed)
    }

    public func inputs() -> [String: Tensor] {
        InputGenerator.generate(graph, kind: inputKind, seed: inputSeed, vocab: vocab)
    }

    /// The MSE target of training mode: uniform(−1, 1) in the first output's shape, from the input seed (the
    /// same stream `diff --train-steps` uses), so every framework fits the same target.
    public func trainingTarget() -> Tensor {
        let shape = graph.type(of: graph.outputs[0])?.shape ?? [1]
        var rng = SplitMix64(seed: inputSeed, stream: "train.target")
        return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform(-1, 1)) })
    }

    /// Mutation order: how many edits separate this model from its seed.
    public var order: Int { lineage.count }

    /// SHA-256 of the canonical graph and weights (the model bundle's hash), extended by the training mode so
    /// two mutants that differ only in it are not duplicates.
    public var contentHash: String {
        let base = ModelBundle(graph: graph, weights: weights).contentHash
        return trainingSteps == 0 ? base : String(base.prefix(40)) + String(format: "t%07dr%07d", trainingSteps, Int(learningRate * 1e6))
    }

    public func node(_ name: String) -> Node? { graph.node(named: name) }

    public func index(of name: String) -> Int? { graph.nodes.firstIndex { $0.name == name } }
}

import Foundation
