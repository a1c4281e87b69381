import ModelIR
import Oracles
import Testing

@Suite struct NodeLocalizationTests {
    /// input → relu → sigmoid → tanh, and add(relu, tanh).
    static func chain() throws -> Graph {
        var b = GraphBuilder(name: "chain")
        let x = try b.input([1, 4])
        let r = try b.add(.relu, [x], name: "relu")
        let s = try b.add(.sigmoid, [r], name: "sigmoid")
        let t = try b.add(.tanh, [s], name: "tanh")
        b.output(try b.add(.add, [r, t], name: "sum"))
        return b.graph
    }

    @Test func theFirstDivergingNodeWhoseInputsAgreeIsTheCulprit() throws {
        let g = try Self.chain()
        // sigmoid diverges, and poisons tanh and sum downstream: sigmoid is the culprit.
        let bad: Set<String> = ["sigmoid", "tanh", "sum"]
        #expect(NodeLocalization.firstDiverging(in: g) { bad.contains($0.name) }?.name == "sigmoid")
        // A node without values is skipped and does not taint its consumers.
        #expect(NodeLocalization.firstDiverging(in: g) { $0.name == "sigmoid" ? nil : $0.name == "tanh" }?.name == "tanh")
        // Every node agrees: nothing to localize.
        #expect(NodeLocalization.firstDiverging(in: g) { _ in false } == nil)
    }

    @Test func aNodeThatOnlyInheritsADivergenceIsPassedOver() throws {
        let g = try Self.chain()
        // relu diverges (culprit); a later independent jump is not reported while relu's comes first.
        #expect(NodeLocalization.firstDiverging(in: g) { ["relu", "sigmoid", "sum"].contains($0.name) }?.name == "relu")
    }

    @Test func changeRateSpikeFindsTheJumpNotTheLargestDeviation() throws {
        let g = try Self.chain()
        // relu at rounding noise (below the floor), sigmoid jumps 1e-6 → 1e-2 (R ≈ 1e4), tanh carries it on.
        let devs = ["relu": 1e-6, "sigmoid": 1e-2, "tanh": 2e-2, "sum": 5e-2]
        #expect(NodeLocalization.firstChangeRateSpike(in: g, deviations: devs, changeRate: 1e3, floor: 1e-5) == "sigmoid")
        // No spike above t: the largest jump is reported.
        #expect(NodeLocalization.firstChangeRateSpike(in: g, deviations: devs, changeRate: 1e9, floor: 1e-5) == "sigmoid")
        // ... and said to be that, not a spike (a finding quotes which rule named the node).
        let spike = NodeLocalization.changeRateLocation(in: g, deviations: devs, changeRate: 1e3, floor: 1e-5)
        let jump = NodeLocalization.changeRateLocation(in: g, deviations: devs, changeRate: 1e9, floor: 1e-5)
        #expect(spike?.spiked == true && jump?.spiked == false && jump?.node == "sigmoid" && (jump?.rate ?? 0) > 1e3)
        // Everything at or below the floor: nothing to localize.
        #expect(NodeLocalization.firstChangeRateSpike(in: g, deviations: devs, changeRate: 1e3, floor: 1) == nil)
    }

    /// float32 rounding on large outputs is above the absolute floor (1e-4 on values near 1e3), and over the
    /// first layer's zero predecessor a spike of 1e3: relative to its own magnitude it is noise, not the culprit.
    @Test func roundingOnLargeOutputsIsNoSpike() throws {
        let g = try Self.chain()
        let devs = ["relu": 1.2e-4, "sigmoid": 5e-2, "tanh": 6e-2, "sum": 7e-2]
        #expect(NodeLocalization.firstChangeRateSpike(in: g, deviations: devs, changeRate: 1e3, floor: 1e-5) == "relu")
        let relative = ["relu": 2e-7, "sigmoid": 0.1, "tanh": 0.1, "sum": 0.1]
        #expect(NodeLocalization.firstChangeRateSpike(in: g, deviations: devs, changeRate: 1e3, floor: 1e-5, relative: relative, relativeFloor: 1e-4) == "sigmoid")
    }

    /// A slowdown is localized by shares of time, not milliseconds: a framework slower everywhere is out of line
    /// nowhere in particular, one slow on one op is out of line there even when another op costs more.
    @Test func outOfLineNodeComparesSharesWithThePeers() {
        let peerA = ["conv": 8.0, "relu": 1.0, "dense": 1.0]
        let peerB = ["conv": 4.0, "relu": 0.5, "dense": 0.5]
        // Twice as slow everywhere: no node's share is out of line.
        #expect(NodeLocalization.outOfLineNode(["conv": 16, "relu": 2, "dense": 2], peers: [peerA, peerB]) == nil)
        // relu 10x slower: still less time than conv, but its share is what stands out.
        #expect(NodeLocalization.outOfLineNode(["conv": 8, "relu": 6, "dense": 1], peers: [peerA, peerB]) == "relu")
        // A node the peers fused away (no time of its own there) is never the culprit: nothing to compare it with.
        #expect(NodeLocalization.outOfLineNode(["conv": 8, "bn": 9, "relu": 5], peers: [["conv": 9, "relu": 0.5]]) == "relu")
        #expect(NodeLocalization.outOfLineNode(["conv": 8, "bn": 5, "dense": 1], peers: [["conv": 9, "dense": 1]]) == nil)
        // No peers: the node the framework spends most on; nothing timed: nil.
        #expect(NodeLocalization.outOfLineNode(["conv": 8, "relu": 6], peers: []) == "conv")
        #expect(NodeLocalization.outOfLineNode([:], peers: [peerA]) == nil)
    }

    /// Against the seed's own profile: the node whose time grew most (a node the seed lacks counts whole), even
    /// where a constant difference between frameworks would point elsewhere.
    @Test func slowdownNodeComparesWithTheSeedWhenProfiled() {
        let seed = ["conv": 8.0, "relu": 1.0, "dense": 1.0]
        #expect(NodeLocalization.mostGrownNode(["conv": 8.5, "relu": 4.0, "dense": 1.0], seed: seed) == "relu")
        #expect(NodeLocalization.mostGrownNode(["conv": 8.0, "relu": 1.0, "dense": 1.0, "inserted": 0.5], seed: seed) == "inserted")
        #expect(NodeLocalization.mostGrownNode(["conv": 7.0, "relu": 1.0], seed: seed) == nil)
        // The peers spend a far smaller share on conv (a constant difference): with the seed, relu still wins.
        let profile = ["conv": 9.0, "relu": 4.0, "dense": 1.0]
        #expect(NodeLocalization.slowdownNode(profile, seed: seed, peers: [["conv": 1, "relu": 3, "dense": 1]]) == "relu")
        #expect(NodeLocalization.slowdownNode(profile, seed: nil, peers: [["conv": 1, "relu": 3, "dense": 1]]) == "conv")
    }
}
