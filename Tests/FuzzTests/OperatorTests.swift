import Seeding
import Foundation
import Testing
@testable import Fuzz
import ModelIR
import Oracles
import Reference

@Suite struct OperatorTests {
    static let seeds = ["lenet5", "mobilenetv2", "resnet50"]
    /// Seeds an operator needs beyond those: count_include_pad changes a result only where an average pool pads.
    static let extraSeeds = ["CountPad": ["inceptionv3"]]

    /// Every operator makes a legal mutant on some seed: graph valid, weights exactly those the graph needs, and
    /// the record replays to the same content hash.
    @Test(arguments: OperatorCatalog.all.map(\.name))
    func operatorMakesLegalReplayableMutants(name: String) throws {
        let op = try #require(OperatorCatalog.named(name))
        var made = 0
        for seedName in Self.seeds + (Self.extraSeeds[name] ?? []) {
            let model = try FuzzModel.seed(named: seedName, seed: 2)
            var rng = SplitMix64(seed: 9, stream: name + seedName)
            guard let record = op.propose(model, position: .any, rng: &rng) else { continue }
            let mutant = try op.apply(record, to: model)
            let checked = try mutant.graph.inferred()
            #expect(checked == mutant.graph)
            var needed = Set<String>()
            for node in mutant.graph.nodes {
                for spec in node.weights {
                    needed.insert(node.weightKey(spec.name))
                    #expect(mutant.weights[node.weightKey(spec.name)]?.shape == spec.shape, "\(name) on \(seedName): weight \(node.weightKey(spec.name))")
                }
            }
            #expect(Set(mutant.weights.keys) == needed, "\(name) on \(seedName) leaves stray weights")
            #expect(mutant.lineage == [record])
            // Replay through JSON, as a resumed campaign or a report reader would.
            let decoded = try JSONDecoder().decode(MutationRecord.self, from: JSONEncoder().encode(record))
            #expect(try op.apply(decoded, to: model).contentHash == mutant.contentHash)
            #expect(mutant.contentHash != model.contentHash, "\(name) on \(seedName) changed nothing")
            let run = try ReferenceInterpreter(graph: mutant.graph, weights: mutant.weights).run(inputs: mutant.inputs())
            #expect(!run.outputs.isEmpty)
            made += 1
        }
        #expect(made > 0, "\(name) applies to none of \(Self.seeds)")
    }

    @Test func positionControlKeepsEditsInTheirPart() throws {
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        for op in OperatorCatalog.all {
            for position in [Position.backbone, .head] {
                var rng = SplitMix64(seed: 3, stream: op.name)
                guard let record = op.propose(model, position: position, rng: &rng) else { continue }
                #expect(model.node(record.targets[0])?.role.rawValue == position.rawValue, "\(op.name) at \(position)")
            }
        }
    }

    /// The whole edit stays in the part position control placed its target in: LS's partner, the block a
    /// residual or mixed-precision edit wraps, on models whose backbone and head hold values of the same type.
    @Test(arguments: ["deeplabv3", "unet", "ssd-mobilenetv1"])
    func partnersAndBlocksStayInTheTargetsPart(seedName: String) throws {
        let model = try FuzzModel.seed(named: seedName, seed: 1)
        for name in ["LS", "Residual", "MixedPrec"] {
            let op = try #require(OperatorCatalog.named(name))
            for position in [Position.backbone, .head] {
                for k in 0..<12 {
                    var rng = SplitMix64(seed: UInt64(k), stream: "part \(name)")
                    guard let record = op.propose(model, position: position, rng: &rng) else { continue }
                    let role = model.node(record.targets[0])?.role
                    for key in ["with", "end", "last"] {
                        guard case .string(let other)? = record.parameters[key] else { continue }
                        #expect(model.node(other)?.role == role, "\(seedName) \(name) \(position): \(record.targets[0]) with \(key) \(other)")
                    }
                }
            }
        }
    }

    /// PM proposes only values that change the layer: not a default the layer already has unwritten.
    @Test func parameterMutationNeverProposesTheValueInEffect() throws {
        var b = GraphBuilder(name: "defaults")
        let x = try b.input([1, 3, 16, 16])
        let c = try b.add(.conv2d, [x], ["out_channels": .int(4), "kernel": .ints([3, 3])], name: "conv")
        let p = try b.add(.maxPool2d, [c], ["kernel": .ints([2, 2])], name: "pool")
        b.output(try b.add(.batchNorm, [p], name: "bn"))
        let graph = try b.graph.inferred()
        var rng = SplitMix64(seed: 1, stream: "pm")
        for node in graph.nodes where node.op != .input {
            for (key, value) in ParameterMutation.candidates(node, &rng) {
                #expect(ParameterMutation.effective(node, key) != value, "\(node.name).\(key) = \(value) is what it has")
            }
        }
        let conv = try #require(graph.node(named: "conv"))
        #expect(!ParameterMutation.candidates(conv, &rng).contains { $0.0 == "stride" && $0.1 == .ints([1, 1]) })
        let pool = try #require(graph.node(named: "pool"))
        #expect(!ParameterMutation.candidates(pool, &rng).contains { $0.0 == "stride" && $0.1 == .ints([2, 2]) })
    }

    /// SM gives the layer back its output type; where padding and resizing cannot (a layout already
    /// changed, as SSD's heads transpose to NHWC), the mutant is invalid, never a model of another output shape.
    @Test(arguments: ["ssd-mobilenetv1", "ssd-resnet50-fpn", "yolov3", "lenet5"])
    func spatialMutationKeepsTheOutputShapes(seedName: String) throws {
        let model = try FuzzModel.seed(named: seedName, seed: 1)
        let op = try #require(OperatorCatalog.named("SM"))
        let outputs = model.graph.outputs.map { model.graph.type(of: $0) }
        for target in op.targets(in: model) {
            let record = MutationRecord(op: "SM", targets: [target], parameters: ["pad": .int(1), "mode": .string("constant")], seed: 1)
            guard let mutant = try? op.apply(record, to: model) else { continue }
            #expect(mutant.graph.outputs.map { mutant.graph.type(of: $0) } == outputs, "\(seedName): SM on \(target)")
        }
    }

    @Test(arguments: [("FuseBN", "resnet50"), ("UnfuseBN", "lenet5")])
    func fusingAndUnfusingBatchNormPreserveTheFunction(name: String, seedName: String) throws {
        let op = try #require(OperatorCatalog.named(name))
        let model = try FuzzModel.seed(named: seedName, seed: 1)
        let base = try ReferenceInterpreter(graph: model.graph, weights: model.weights).run(inputs: model.inputs()).outputs[0].values
        var current = model, applied = 0
        for round in 0..<3 {
            var rng = SplitMix64(seed: UInt64(round), stream: op.name)
            guard let record = op.propose(current, position: .any, rng: &rng) else { break }
            current = try op.apply(record, to: current)
            applied += 1
        }
        let out = try ReferenceInterpreter(graph: current.graph, weights: current.weights).run(inputs: current.inputs()).outputs[0].values
        #expect(applied == 3)
        #expect(Distance.relative(out, base) < 1e-5, "\(name) changed the output")
        let before = model.graph.nodes.filter { $0.op == .batchNorm }.count, after = current.graph.nodes.filter { $0.op == .batchNorm }.count
        #expect(after == before + (name == "FuseBN" ? -3 : 3))
    }

    @Test func weightOperatorsEditWhatTheySay() throws {
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let key = "dense_1.weight"
        let original = try #require(model.weights[key])
        let record = MutationRecord(op: "NEB", targets: ["dense_1"], parameters: ["weight": .string("weight"), "fraction": .float(0.3)], seed: 4)
        let blocked = try WeightMutation(.block).apply(record, to: model).weights[key]!
        let rows = original.shape[0], width = original.elementCount / rows
        let zeroRows = (0..<rows).filter { r in (0..<width).allSatisfy { blocked.values[r * width + $0] == 0 } }
        #expect(zeroRows.count == 3)
        let inverted = try WeightMutation(.invert).apply(MutationRecord(op: "NAI", targets: ["dense_1"], parameters: record.parameters, seed: 4), to: model).weights[key]!
        #expect(zip(inverted.values, original.values).filter { $0 == -$1 && $1 != 0 }.count == 3 * width)
        let switched = try WeightMutation(.neuronSwitch).apply(MutationRecord(op: "NS", targets: ["dense_1"], parameters: ["weight": .string("weight"), "rows": .ints([0, 2])], seed: 1), to: model)
        #expect(Array(switched.weights[key]!.values[0..<width]) == Array(original.values[(2 * width)..<(3 * width)]))
        #expect(switched.weights["dense_1.bias"]!.values[0] == model.weights["dense_1.bias"]!.values[2])
        // Running statistics are never weight-mutation targets: a negated variance is NaN no framework is wrong about.
        let resnet = try FuzzModel.seed(named: "resnet50", seed: 1)
        for node in resnet.graph.nodes where node.op == .batchNorm {
            #expect(!WeightMutation.mutable(node).contains { $0.name.hasPrefix("running") })
        }
    }

    /// A transposed convolution's neurons are its output channels, which its weight [C_in, C_out/g, kh, kw]
    /// holds along axis 1 per group: NEB zeroes exactly the picked output channels (they keep only their bias),
    /// NAI negates them and NS swaps two, bias included — never input-channel rows.
    @Test func weightOperatorsTreatATransposedConvolutionsOutputChannelsAsItsNeurons() throws {
        var b = GraphBuilder(name: "deconv")
        let x = try b.input([1, 4, 5, 5])
        b.output(try b.add(.convTranspose2d, [x], ["out_channels": .int(6), "kernel": .ints([3, 3]), "stride": .ints([2, 2]), "groups": .int(2)], name: "up"))
        let graph = try b.graph.inferred()
        let model = FuzzModel(graph: graph, weights: WeightInitializer.initialize(graph, seed: 3), seedName: "deconv", inputKind: .image, vocab: 1, inputSeed: 3)
        func channels(_ m: FuzzModel) throws -> [[Double]] {
            let out = try ReferenceInterpreter(graph: m.graph, weights: m.weights).run(inputs: model.inputs()).outputs[0]
            let plane = out.values.count / 6
            return (0..<6).map { c in Array(out.values[(c * plane)..<((c + 1) * plane)]) }
        }
        let base = try channels(model), bias = try #require(model.weights["up.bias"]).values.map(Double.init)
        let blocked = try channels(WeightMutation(.block).apply(MutationRecord(op: "NEB", targets: ["up"], parameters: ["weight": .string("weight"), "fraction": .float(0.3)], seed: 4), to: model))
        let zeroed = (0..<6).filter { c in blocked[c].allSatisfy { abs($0 - bias[c]) < 1e-6 } }
        #expect(zeroed.count == 2, "NEB at 30% of 6 output channels blocks 2, got \(zeroed)")
        for c in 0..<6 where !zeroed.contains(c) { #expect(blocked[c] == base[c], "channel \(c) was not picked but changed") }
        let inverted = try channels(WeightMutation(.invert).apply(MutationRecord(op: "NAI", targets: ["up"], parameters: ["weight": .string("weight"), "fraction": .float(0.3)], seed: 4), to: model))
        for c in zeroed { #expect(zip(inverted[c], base[c]).allSatisfy { abs(($0 - bias[c]) + ($1 - bias[c])) < 1e-5 }) }
        // Output channels 0 and 2 (both of group 0) trade places, bias and all.
        let switched = try channels(WeightMutation(.neuronSwitch).apply(MutationRecord(op: "NS", targets: ["up"], parameters: ["weight": .string("weight"), "rows": .ints([0, 2])], seed: 1), to: model))
        func same(_ a: [Double], _ b: [Double]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 } }
        #expect(same(switched[0], base[2]) && same(switched[2], base[0]))
        #expect(same(switched[1], base[1]) && same(switched[5], base[5]))
    }

    @Test func specialValuesPassTheGuardOnlyWhenInjectedOnPurpose() throws {
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let record = MutationRecord(op: "SpecialI", targets: ["conv2d_0"], parameters: ["value": .string("nan"), "channels": .int(1)], seed: 1)
        let mutant = try SpecialValueInsertion().apply(record, to: model)
        let arbiter = ArbiterRun.run(mutant, inputs: mutant.inputs())
        #expect(arbiter.run!.outputs[0].values.contains { $0.isNaN })
        #expect(NumericGuard().reject(mutant, arbiter: arbiter) == nil)
        var unintended = mutant
        unintended.lineage = []
        #expect(NumericGuard().reject(unintended, arbiter: arbiter) != nil)
    }

    /// A value beyond float16's range in a node declared f16 is Inf in every framework computing it as declared:
    /// the guard rejects the mutant (the float64 reference alone would call every correct framework's Inf a defect).
    @Test func theGuardKnowsFloat16sRange() throws {
        var b = GraphBuilder(name: "half")
        let x = try b.input([1, 4])
        let h = try b.add(.cast, [x], ["to": .string("f16")], name: "to_half")
        let e = try b.add(.exp, [h], name: "exp")
        b.output(try b.add(.cast, [e], ["to": .string("f32")], name: "to_float"))
        let graph = try b.graph.inferred()
        let model = FuzzModel(graph: graph, weights: [:], seedName: "half", inputKind: .image, vocab: 1, inputSeed: 1)
        func verdict(_ values: [Float]) -> String? {
            let inputs = [graph.nodes[0].name: Tensor(shape: [1, 4], values: values)]
            return NumericGuard().reject(model, arbiter: ArbiterRun.run(model, inputs: inputs))
        }
        #expect(verdict([12, 1, 2, 3])?.contains("exp") == true, "exp(12) = 162755 is beyond f16's 65504")
        #expect(verdict([11, 1, 2, 3]) == nil, "exp(11) = 59874 fits f16")
    }

    /// Overflow inside an op: a mean's float32 sum, a normalization's squares. The outputs are in range, so the
    /// output check passed them, and every framework's Inf or 0 was filed against it.
    @Test func theGuardSeesOverflowInsideAnOp() throws {
        func verdict(_ op: OpKind, _ values: [Float]) throws -> String? {
            var b = GraphBuilder(name: "inside")
            let x = try b.input([1, 4])
            b.output(try b.add(op, [x], op == .reduceMean ? ["axes": .ints([1])] : [:], name: "op"))
            let graph = try b.graph.inferred()
            let model = FuzzModel(graph: graph, weights: WeightInitializer.initialize(graph, seed: 1), seedName: "inside", inputKind: .image, vocab: 1, inputSeed: 1)
            return NumericGuard().reject(model, arbiter: ArbiterRun.run(model, inputs: ["input": Tensor(shape: [1, 4], values: values)]))
        }
        #expect(try verdict(.reduceMean, [2e38, 2e38, 1, 1])?.contains("sums") == true)
        #expect(try verdict(.reduceMean, [2e36, 2e36, 1, 1]) == nil)
        #expect(try verdict(.layerNorm, [2e19, -2e19, 1e19, 0])?.contains("squares") == true)
        #expect(try verdict(.layerNorm, [2e9, -2e9, 1e9, 0]) == nil)
    }

    /// A node in front of a bf16 block computes in f32 and is judged so: a 5% deviation there is where an
    /// inconsistency starts (the whole model's ×100 bf16 widening let it pass, blaming the bf16 layer after it).
    @Test func localizationJudgesEachNodeWithItsOwnPrecision() throws {
        var b = GraphBuilder(name: "mixed")
        let x = try b.input([1, 8])
        let scaled = try b.add(.mul, [x, x], name: "square")
        let low = try b.add(.cast, [scaled], ["to": .string("bf16")], name: "low")
        let act = try b.add(.relu, [low], name: "act")
        b.output(try b.add(.cast, [act], ["to": .string("f32")], name: "back"))
        let graph = try b.graph.inferred()
        let model = FuzzModel(graph: graph, weights: [:], seedName: "mixed", inputKind: .image, vocab: 1, inputSeed: 1)
        let inputs = ["input": Tensor(shape: [1, 8], values: (1...8).map { Float($0) })]
        let arbiter = ArbiterRun.run(model, inputs: inputs)
        let run = try #require(arbiter.run)
        var layers: [String: [Double]] = [:]
        // 5% off from the f32 square on (within bf16's ×100 widening), 50% off at the output (beyond it).
        for node in graph.nodes { layers[node.name] = run.values[node.name]![0].values.map { node.op == .input ? $0 : $0 * (node.name == "back" ? 1.5 : 1.05) } }
        var wrong = ExecutionOutcome(framework: "w", status: .ok, outputs: [layers["back"]!], layers: layers)
        wrong.inProcess = true
        let ok = ReferenceExecutor().execute(model, inputs: inputs, arbiter: arbiter)
        let verdict = try FuzzTestSupport.oracles().judge(model, arbiter: arbiter, outcomes: [ok, wrong])
        #expect(verdict.findings.first { $0.framework == "w" }?.node == "square", "\(verdict.findings)")
        #expect(DtypeTolerance.factors(graph) == ["input": 1, "square": 1, "low": 100, "act": 100, "back": 100])
    }

    @Test func shapeMutationRestoresTheShapeAroundPaddedLayers() throws {
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        for target in ["tanh_0", "conv2d_1"] {
            let record = MutationRecord(op: "SM", targets: [target], parameters: ["pad": .int(2), "mode": .string("edge")], seed: 1)
            let mutant = try ShapeMutation().apply(record, to: model)
            #expect(mutant.graph.nodes.contains { $0.op == .pad })
            #expect(mutant.graph.nodes.contains { $0.op == (target == "tanh_0" ? .split : .resize) })
            #expect(mutant.graph.type(of: mutant.graph.outputs[0]) == model.graph.type(of: model.graph.outputs[0]))
        }
    }

    @Test func operatorListsParse() throws {
        #expect(try OperatorCatalog.parse("study").count == 14)
        #expect(try OperatorCatalog.parse("LA,gf,LA").map(\.name) == ["LA", "GF"])
        #expect(OperatorCatalog.all.count >= 30)
        #expect(throws: MutationError.self) { try OperatorCatalog.parse("LA,nope") }
    }
}
