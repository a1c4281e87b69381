import Seeding
import Testing
@testable import ModelIR

@Suite struct DeterminismTests {
    @Test func sameSeedSameWeightsDifferentSeedDifferentWeights() throws {
        let graph = try baseGraph()
        let a = WeightInitializer.initialize(graph, seed: 7), b = WeightInitializer.initialize(graph, seed: 7)
        let c = WeightInitializer.initialize(graph, seed: 8)
        #expect(a == b)
        #expect(a["conv.weight"] != c["conv.weight"])
        #expect(Set(a.keys) == ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "fc.weight", "fc.bias"])
    }

    @Test func weightsFollowTheirInitializers() throws {
        var b = GraphBuilder(name: "init")
        let x = try b.input([1, 64, 8, 8])
        let conv = try b.add(.conv2d, [x], ["out_channels": .int(64), "kernel": .ints([3, 3])], name: "conv")
        b.output(try b.add(.batchNorm, [conv], name: "bn"))
        let w = WeightInitializer.initialize(b.graph, seed: 1)
        let kernel = w["conv.weight"]!.values.map(Double.init)
        let std = (kernel.map { $0 * $0 }.reduce(0, +) / Double(kernel.count)).squareRoot()
        // He normal: std = sqrt(2 / fan_in) = sqrt(2 / 576) ≈ 0.0589.
        #expect(abs(std - (2.0 / 576).squareRoot()) < 0.003)
        let variance = w["bn.running_var"]!.values
        #expect(variance.allSatisfy { $0 >= 0.5 && $0 <= 1.5 })
        #expect(Set(variance).count > 1, "BatchNorm statistics must not be trivial")
        #expect(w["bn.running_mean"]!.values.contains { $0 != 0 })
    }

    @Test func addingANodeDoesNotShiftOtherWeights() throws {
        let graph = try baseGraph()
        var bigger = graph
        bigger.insert("extra", .conv2d, ["conv"], ["out_channels": .int(2), "kernel": .ints([1, 1])])
        let bigWeights = WeightInitializer.initialize(try bigger.inferred(), seed: 3)
        #expect(WeightInitializer.initialize(graph, seed: 3)["fc.weight"] == bigWeights["fc.weight"])
    }

    @Test func inputsAreSeededAndShaped() throws {
        let graph = try baseGraph()
        let a = InputGenerator.generate(graph, kind: .image, seed: 5), b = InputGenerator.generate(graph, kind: .image, seed: 5)
        #expect(a == b)
        #expect(a["input"]!.shape == [1, 3, 8, 8])
        #expect(InputGenerator.generate(graph, kind: .image, seed: 6) != a)
        let entry = try #require(ModelZoo.entry(named: "textcnn"))
        let text = try entry.build(entry.defaults)
        let ids = entry.inputs(for: text, seed: 1)["input"]!
        #expect(ids.dtype == .i64)
        #expect(ids.values.allSatisfy { $0 >= 0 && $0 < 1000 && $0 == $0.rounded() })
        #expect(Set(ids.values).count > 5)
    }

    @Test func generatorIsFixedAcrossPlatforms() {
        // SplitMix64's published first output for seed 0 pins the generator against accidental changes.
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xe220_a839_7b1d_cdaf)
    }
}
