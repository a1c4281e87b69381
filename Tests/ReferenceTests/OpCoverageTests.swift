import Testing
import ModelIR
@testable import Reference

/// Every op in the vocabulary runs in the reference, and the interpreter's output shapes agree with shape
/// inference: the two are written separately, so this catches one drifting from the other.
@Suite struct OpCoverageTests {
    static func attributes(_ op: OpKind) -> [String: AttributeValue] {
        switch op {
        case .input: [:]
        case .conv2d: ["out_channels": .int(6), "kernel": .ints([3, 2]), "stride": .ints([2, 1]), "pads": .ints([1, 0, 2, 1]), "groups": .int(2)]
        case .conv1d: ["out_channels": .int(3), "kernel": .ints([3]), "dilation": .ints([2])]
        case .separableConv2d: ["out_channels": .int(5), "kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1]), "depth_multiplier": .int(2)]
        case .convTranspose2d: ["out_channels": .int(4), "kernel": .ints([3, 3]), "stride": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "output_padding": .ints([1, 1]), "groups": .int(2)]
        case .dense: ["units": .int(3)]
        case .layerNorm: ["normalized_rank": .int(2)]
        case .groupNorm: ["groups": .int(2)]
        case .maxPool2d: ["kernel": .ints([3, 3]), "stride": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "ceil_mode": .bool(true), "dilation": .ints([1, 2])]
        case .avgPool2d: ["kernel": .ints([3, 3]), "stride": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "ceil_mode": .bool(true), "count_include_pad": .bool(false)]
        case .reshape: ["shape": .ints([1, -1, 3])]
        case .transpose: ["perm": .ints([0, 2, 3, 1])]
        case .split: ["axis": .int(1), "sizes": .ints([1, 3])]
        case .clip: ["min": .float(-0.5), "max": .float(0.5)]
        case .pad: ["pads": .ints([0, 0, 1, 2, 0, 1, 0, 1]), "mode": .string("reflect")]
        case .resize: ["size": .ints([9, 4]), "mode": .string("bilinear")]
        case .prelu: ["num_parameters": .int(4)]
        case .reduceMean, .reduceSum, .reduceMax: ["axes": .ints([1, 3])]
        case .cast: ["to": .string("bf16")]
        case .embedding: ["vocab": .int(10), "dim": .int(3)]
        case .lstm, .gru: ["hidden": .int(5)]
        default: [:]
        }
    }

    static func inputs(_ op: OpKind) -> [TensorType] {
        switch op {
        case .conv1d: [TensorType([1, 4, 9])]
        case .embedding: [TensorType([1, 5], .i64)]
        case .lstm, .gru: [TensorType([2, 3, 4])]
        case .matMul: [TensorType([1, 4, 6, 6]), TensorType([6, 2])]
        case .concat: [TensorType([1, 4, 6, 6]), TensorType([1, 2, 6, 6])]
        default: op.isBinaryElementwise ? [TensorType([1, 4, 6, 6]), TensorType([4, 1, 6])] : [TensorType([1, 4, 6, 6])]
        }
    }

    @Test(arguments: OpKind.allCases.filter { $0 != .input })
    func opRunsAndAgreesWithInference(_ op: OpKind) throws {
        var b = GraphBuilder(name: op.rawValue)
        let refs = try Self.inputs(op).enumerated().map { i, t throws(ValidityError) in try b.input(t.shape, dtype: t.dtype, name: "x\(i)") }
        let y = try b.add(op, refs, Self.attributes(op), name: "op")
        b.output(y)
        let graph = b.graph
        let node = try #require(graph.node(named: "op"))
        let weights = WeightInitializer.initialize(graph, seed: 9)
        let inputs = InputGenerator.generate(graph, kind: op == .embedding ? .tokens : .sequence, seed: 9, vocab: 10)
        let run = try ReferenceInterpreter(graph: graph, weights: weights).run(inputs: inputs)
        let outputs = try #require(run.values["op"])
        #expect(outputs.map(\.shape) == node.outputs.map(\.shape))
        if ![.log, .sqrt].contains(op) {
            let finite = outputs.allSatisfy { $0.values.allSatisfy { $0.isFinite } }
            #expect(finite)
        }
    }
}
