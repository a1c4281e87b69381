import Seeding
import ModelIR

/// Developer-like: train instead of infer — a few SGD steps on the MSE to a seeded target, the way a developer
/// fine-tunes a model before using it. The graph and weights stay as they are (inference oracles still apply to
/// the same model); executors that can train also report the loss after each step, which the abnormal-loss
/// oracle compares across frameworks (E2). Applies once per lineage, to models with float outputs and trainable
/// weights; the target node is an input (the mutation is of the whole model, so it sits in the backbone).
public struct TrainingMode: MutationOperator {
    public let name = "Train", family = OperatorFamily.training, origin = OperatorOrigin.developer
    public let summary = "training mode: a few optimizer steps instead of inference"
    public init() {}

    public static let stepChoices = [2, 3, 4, 5]
    /// Small enough that no seed diverges in a handful of steps on any correct framework.
    public static let rateChoices = [0.001, 0.005, 0.01]

    public func targets(in model: FuzzModel) -> [String] {
        guard model.trainingSteps == 0, !model.weights.isEmpty,
              let out = model.graph.outputs.first, let type = model.graph.type(of: out), [.f32, .f64].contains(type.dtype) else { return [] }
        return model.graph.inputNodes.prefix(1).map(\.name)
    }

    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? {
        ["steps": .int(rng.pick(Self.stepChoices)), "lr": .float(rng.pick(Self.rateChoices))]
    }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        guard model.trainingSteps == 0 else { throw MutationError(.invalidMutant, "Train: the model already trains") }
        var m = model
        m.trainingSteps = Swift.max(1, record.int("steps", 3))
        m.learningRate = record.double("lr", 0.01)
        return m
    }
}
