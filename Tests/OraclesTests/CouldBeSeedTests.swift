import ModelIR
import Oracles
import Testing

/// `diff --baseline` warns when the baseline cannot be the model's seed: inputs must agree except in the sizes a
/// mutation changes (batch; an image's height and width).
struct CouldBeSeedTests {
    func graph(_ name: String, inputSize: Int? = nil, batch: Int? = nil) throws -> Graph {
        let entry = try #require(ModelZoo.entry(named: name))
        var config = entry.defaults
        if let inputSize { config.inputSize = inputSize }
        if let batch { config.batch = batch }
        return try entry.build(config)
    }

    @Test func aResolutionOrBatchChangeKeepsTheSeed() throws {
        let seed = try graph("lenet5")
        #expect(DiffRunner.couldBeSeed(seed, of: try graph("lenet5", inputSize: 40)))
        #expect(DiffRunner.couldBeSeed(seed, of: try graph("lenet5", batch: 4)))
    }

    @Test func anotherImageModelIsNoSeed() throws {
        // AlexNet's 3-channel images against LeNet-5's one channel: same name, type and rank, and conv2d_0 in both.
        #expect(!DiffRunner.couldBeSeed(try graph("lenet5"), of: try graph("alexnet")))
        #expect(!DiffRunner.couldBeSeed(try graph("lenet5"), of: try graph("textcnn")))
        // Same inputs, and conv2d_0 … in both: an unrelated architecture all the same.
        #expect(!DiffRunner.couldBeSeed(try graph("alexnet"), of: try graph("resnet50")))
    }

    @Test func anActivationSwapKeepsTheSeed() throws {
        // LeNet-5 with ReLU for Tanh is what a mutation makes of it.
        #expect(DiffRunner.couldBeSeed(try graph("lenet5"), of: try graph("lenet5-relu")))
    }
}
