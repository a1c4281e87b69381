import Testing
import ModelIR
@testable import Reference

@Suite struct ZooReferenceTests {
    @Test(arguments: ModelZoo.entries.map(\.name))
    func everySeedRunsAtDefaultSizeWithFiniteOutputs(name: String) throws {
        let entry = try #require(ModelZoo.entry(named: name))
        let model = try PreparedModel.prepare(entry, entry.defaults, seed: 1)
        let run = try ReferenceInterpreter(graph: model.graph, weights: model.weights).run(inputs: model.inputs)
        #expect(run.order.count == model.graph.nodes.count)
        for (ref, tensor) in zip(model.graph.outputs, run.outputs) {
            #expect(tensor.shape == model.graph.type(of: ref)?.shape)
            let finite = tensor.values.allSatisfy { $0.isFinite }
            #expect(finite, "\(name) output \(ref) has non-finite values")
        }
    }

    @Test func preparationIsDeterministicAndCalibrated() throws {
        let entry = try #require(ModelZoo.entry(named: "resnet50"))
        let a = try PreparedModel.prepare(entry, entry.defaults, seed: 4), b = try PreparedModel.prepare(entry, entry.defaults, seed: 4)
        #expect(a.weights == b.weights)
        #expect(a.inputs == b.inputs)
        let raw = WeightInitializer.initialize(a.graph, seed: 4)
        #expect(a.weights["batchnorm_0.running_var"] != raw["batchnorm_0.running_var"])
        #expect(a.weights["conv2d_0.weight"] == raw["conv2d_0.weight"])
        // Calibrated: the classifier is not saturated (no class near-certain on a random input).
        let run = try ReferenceInterpreter(graph: a.graph, weights: a.weights).run(inputs: a.inputs)
        #expect(run.outputs[0].values.max()! < 0.99)
    }

    @Test func missingWeightsAndInputsAreReported() throws {
        let entry = try #require(ModelZoo.entry(named: "lenet5"))
        let graph = try entry.build(entry.defaults)
        var weights = WeightInitializer.initialize(graph, seed: 0)
        weights["conv2d_0.weight"] = nil
        do { _ = try ReferenceInterpreter(graph: graph, weights: weights).run(inputs: entry.inputs(for: graph, seed: 0)); Issue.record("ran") }
        catch { #expect(error.code == .missingWeight && error.node == "conv2d_0") }
        do { _ = try ReferenceInterpreter(graph: graph, weights: WeightInitializer.initialize(graph, seed: 0)).run(inputs: [:]); Issue.record("ran") }
        catch { #expect(error.code == .missingInput) }
    }

    @Test func statisticsCountNonFiniteValues() {
        let s = NodeStatistics(node: "n", op: "ReLU", tensor: Float64Tensor(shape: [4], values: [1, 3, .nan, .infinity]))
        #expect(s.nanCount == 1 && s.infCount == 1)
        #expect(s.min == 1 && s.max == 3 && s.mean == 2 && s.std == 1)
    }
}

/// Every node's float64 output is kept: a small graph whose outputs together outgrow the machine's memory is
/// refused before anything is allocated (a 16384² input through ten ReLUs asked for 20 GiB and trapped).
@Test func activationsBeyondMemoryAreRefusedUpFront() throws {
    let side = 16384
    let layers = Int(ReferenceInterpreter.activationLimitBytes / Double(side * side * 8)) + 2
    var graph = Graph(name: "chain")
    graph.nodes.append(Node(name: "x", op: .input, attributes: ["shape": .ints([1, 1, side, side]), "dtype": .string("f32")]))
    for i in 0..<layers { graph.nodes.append(Node(name: "r\(i)", op: .relu, inputs: [ValueRef(i == 0 ? "x" : "r\(i - 1)")])) }
    graph.outputs = [ValueRef("r\(layers - 1)")]
    let interpreter = try ReferenceInterpreter(graph: graph, weights: [:])
    let error = #expect(throws: ReferenceError.self) { try interpreter.run(inputs: [:]) }
    #expect(error?.code == .tooLarge && error?.description.contains("GiB") == true, "\(error?.description ?? "")")
    // Calibration (eight draws, each value dropped after its last reader) is checked before any input is drawn:
    // a seed at `--input-size 8192` grew past 13 GB.
    let calibration = #expect(throws: ReferenceError.self) { try BatchNormCalibration.checkFits(interpreter.graph, draws: 8) }
    #expect(calibration?.code == .tooLarge, "\(calibration?.description ?? "")")
    let lenet = try #require(ModelZoo.entry(named: "lenet5"))
    let small = try lenet.build(lenet.defaults)
    try BatchNormCalibration.checkFits(try small.inferred(), draws: 8)
    // A recurrent layer's own workspace counts: an LSTM over 16M steps has small outputs but projected every step
    // onto its gates in one 25.6 GB block (a trap).
    let lstm = try #require(ModelZoo.entry(named: "lstm-regressor"))
    var long = lstm.defaults
    long.inputSize = 16_000_000
    let recurrent = try lstm.build(long).inferred()
    #expect(throws: ReferenceError.self) { try BatchNormCalibration.checkFits(recurrent, draws: 8) }
    #expect(throws: ReferenceError.self) { try ReferenceInterpreter(graph: recurrent, weights: [:]).run(inputs: [:]) }
}
