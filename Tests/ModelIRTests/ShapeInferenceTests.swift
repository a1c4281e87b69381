import Testing
@testable import ModelIR

/// One op applied to given input types: the inferred outputs, or the validity error.
func inferOp(_ op: OpKind, _ inputs: [TensorType], _ attributes: [String: AttributeValue] = [:]) throws(ValidityError) -> Inference {
    try OpSpec.infer(OpContext(node: Node(name: "n", op: op, attributes: attributes), inputs: inputs))
}

struct ShapeCase: CustomTestStringConvertible, Sendable {
    var op: OpKind
    var inputs: [TensorType]
    var attributes: [String: AttributeValue]
    var expected: [[Int]]
    var testDescription: String { "\(op.rawValue) \(inputs) → \(expected)" }
}

@Suite struct ShapeInferenceTests {
    static func f(_ shape: [Int], _ dtype: DType) -> TensorType { TensorType(shape, dtype) }
    static let cases: [ShapeCase] = [
        ShapeCase(op: .conv2d, inputs: [f([1, 3, 32, 32], .f32)], attributes: ["out_channels": .int(8), "kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])], expected: [[1, 8, 32, 32]]),
        ShapeCase(op: .conv2d, inputs: [f([2, 4, 9, 9], .f32)], attributes: ["out_channels": .int(6), "kernel": .ints([3, 3]), "stride": .ints([2, 2]), "dilation": .ints([2, 2]), "groups": .int(2)], expected: [[2, 6, 3, 3]]),
        ShapeCase(op: .conv2d, inputs: [f([1, 3, 10, 10], .f32)], attributes: ["out_channels": .int(4), "kernel": .ints([3, 3]), "stride": .ints([2, 2]), "pads": .ints([0, 0, 1, 1])], expected: [[1, 4, 5, 5]]),
        ShapeCase(op: .conv1d, inputs: [f([1, 8, 20], .f32)], attributes: ["out_channels": .int(4), "kernel": .ints([5]), "pads": .ints([2, 2])], expected: [[1, 4, 20]]),
        ShapeCase(op: .separableConv2d, inputs: [f([1, 4, 8, 8], .f32)], attributes: ["out_channels": .int(16), "kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])], expected: [[1, 16, 8, 8]]),
        ShapeCase(op: .convTranspose2d, inputs: [f([1, 8, 4, 4], .f32)], attributes: ["out_channels": .int(4), "kernel": .ints([4, 4]), "stride": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])], expected: [[1, 4, 8, 8]]),
        ShapeCase(op: .convTranspose2d, inputs: [f([1, 2, 3, 3], .f32)], attributes: ["out_channels": .int(2), "kernel": .ints([3, 3]), "stride": .ints([2, 2]), "output_padding": .ints([1, 1])], expected: [[1, 2, 8, 8]]),
        ShapeCase(op: .dense, inputs: [f([2, 7, 16], .f32)], attributes: ["units": .int(5)], expected: [[2, 7, 5]]),
        ShapeCase(op: .matMul, inputs: [f([2, 3, 4], .f32), f([4, 5], .f32)], attributes: [:], expected: [[2, 3, 5]]),
        ShapeCase(op: .batchNorm, inputs: [f([1, 3, 4, 4], .f32)], attributes: [:], expected: [[1, 3, 4, 4]]),
        ShapeCase(op: .layerNorm, inputs: [f([2, 5, 8], .f32)], attributes: ["normalized_rank": .int(2)], expected: [[2, 5, 8]]),
        ShapeCase(op: .groupNorm, inputs: [f([1, 6, 4, 4], .f32)], attributes: ["groups": .int(3)], expected: [[1, 6, 4, 4]]),
        ShapeCase(op: .dropout, inputs: [f([1, 6], .f32)], attributes: ["rate": .float(0.3)], expected: [[1, 6]]),
        ShapeCase(op: .maxPool2d, inputs: [f([1, 1, 5, 5], .f32)], attributes: ["kernel": .ints([2, 2]), "ceil_mode": .bool(true)], expected: [[1, 1, 3, 3]]),
        ShapeCase(op: .maxPool2d, inputs: [f([1, 1, 4, 4], .f32)], attributes: ["kernel": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "ceil_mode": .bool(true)], expected: [[1, 1, 3, 3]]),
        ShapeCase(op: .avgPool2d, inputs: [f([1, 2, 7, 7], .f32)], attributes: ["kernel": .ints([3, 3]), "stride": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])], expected: [[1, 2, 4, 4]]),
        ShapeCase(op: .globalAvgPool, inputs: [f([2, 5, 3, 3], .f32)], attributes: [:], expected: [[2, 5]]),
        ShapeCase(op: .globalMaxPool, inputs: [f([2, 5, 7], .f32)], attributes: ["keepdims": .bool(true)], expected: [[2, 5, 1]]),
        ShapeCase(op: .flatten, inputs: [f([2, 3, 4, 5], .f32)], attributes: ["axis": .int(2)], expected: [[6, 20]]),
        ShapeCase(op: .reshape, inputs: [f([2, 3, 4], .f32)], attributes: ["shape": .ints([2, -1])], expected: [[2, 12]]),
        ShapeCase(op: .transpose, inputs: [f([2, 3, 4], .f32)], attributes: ["perm": .ints([2, 0, 1])], expected: [[4, 2, 3]]),
        ShapeCase(op: .concat, inputs: [f([1, 2, 4], .f32), f([1, 3, 4], .f32)], attributes: ["axis": .int(1)], expected: [[1, 5, 4]]),
        ShapeCase(op: .split, inputs: [f([1, 6, 2], .f32)], attributes: ["axis": .int(1), "sizes": .ints([1, 5])], expected: [[1, 1, 2], [1, 5, 2]]),
        ShapeCase(op: .add, inputs: [f([2, 3, 4], .f32), f([3, 1], .f32)], attributes: [:], expected: [[2, 3, 4]]),
        ShapeCase(op: .max, inputs: [f([1, 4], .f32), f([3, 1], .f32)], attributes: [:], expected: [[3, 4]]),
        ShapeCase(op: .clip, inputs: [f([3], .f32)], attributes: ["min": .float(-1), "max": .float(1)], expected: [[3]]),
        ShapeCase(op: .pad, inputs: [f([1, 1, 3, 3], .f32)], attributes: ["pads": .ints([0, 0, 1, 2, 0, 0, 1, 0]), "mode": .string("reflect")], expected: [[1, 1, 5, 5]]),
        ShapeCase(op: .resize, inputs: [f([1, 2, 3, 4], .f32)], attributes: ["scale": .ints([2, 3])], expected: [[1, 2, 6, 12]]),
        ShapeCase(op: .resize, inputs: [f([1, 2, 3, 4], .f32)], attributes: ["size": .ints([5, 7]), "mode": .string("bilinear"), "align_corners": .bool(true)], expected: [[1, 2, 5, 7]]),
        ShapeCase(op: .softmax, inputs: [f([2, 10], .f32)], attributes: ["axis": .int(-1)], expected: [[2, 10]]),
        ShapeCase(op: .gelu, inputs: [f([2, 10], .f32)], attributes: ["approximate": .string("tanh")], expected: [[2, 10]]),
        ShapeCase(op: .prelu, inputs: [f([1, 3, 2, 2], .f32)], attributes: ["num_parameters": .int(3)], expected: [[1, 3, 2, 2]]),
        ShapeCase(op: .reduceMean, inputs: [f([2, 3, 4], .f32)], attributes: ["axes": .ints([1, -1])], expected: [[2]]),
        ShapeCase(op: .reduceMax, inputs: [f([2, 3, 4], .f32)], attributes: ["axes": .ints([1]), "keepdims": .bool(true)], expected: [[2, 1, 4]]),
        ShapeCase(op: .embedding, inputs: [f([2, 7], .i64)], attributes: ["vocab": .int(10), "dim": .int(4)], expected: [[2, 7, 4]]),
        ShapeCase(op: .lstm, inputs: [f([2, 5, 3], .f32)], attributes: ["hidden": .int(4)], expected: [[2, 5, 4]]),
        ShapeCase(op: .gru, inputs: [f([2, 5, 3], .f32)], attributes: ["hidden": .int(4), "return_sequences": .bool(false)], expected: [[2, 4]]),
        ShapeCase(op: .identity, inputs: [f([3, 3], .f32)], attributes: [:], expected: [[3, 3]]),
    ]

    @Test(arguments: cases)
    func inferredShape(_ c: ShapeCase) throws {
        let inference = try inferOp(c.op, c.inputs, c.attributes)
        #expect(inference.outputs.map(\.shape) == c.expected)
    }

    @Test func everyOpHasAnInferenceRule() {
        // Each op either infers or rejects with a validity error, never "no inference rule".
        for op in OpKind.allCases {
            do { _ = try inferOp(op, [TensorType([1, 4, 8, 8])], [:]) } catch {
                #expect(!error.rule.contains("no inference rule"), "\(op)")
            }
        }
    }

    @Test func weightShapesFollowPyTorchLayouts() throws {
        let conv = try inferOp(.conv2d, [TensorType([1, 4, 8, 8])], ["out_channels": .int(6), "kernel": .ints([3, 5]), "groups": .int(2)])
        #expect(conv.weights.map(\.shape) == [[6, 2, 3, 5], [6]])
        let convT = try inferOp(.convTranspose2d, [TensorType([1, 4, 8, 8])], ["out_channels": .int(6), "kernel": .ints([2, 2]), "groups": .int(2), "bias": .bool(false)])
        #expect(convT.weights.map(\.shape) == [[4, 3, 2, 2]])
        let lstm = try inferOp(.lstm, [TensorType([1, 5, 3])], ["hidden": .int(7)])
        #expect(lstm.weights.map(\.shape) == [[28, 3], [28, 7], [28], [28]])
        let gru = try inferOp(.gru, [TensorType([1, 5, 3])], ["hidden": .int(7)])
        #expect(gru.weights.map(\.shape) == [[21, 3], [21, 7], [21], [21]])
        let bn = try inferOp(.batchNorm, [TensorType([1, 5, 2, 2])], ["scale": .bool(false)])
        #expect(bn.weights.map(\.name) == ["bias", "running_mean", "running_var"])
        #expect(bn.weights.filter(\.trainable).count == 1)
        let ln = try inferOp(.layerNorm, [TensorType([1, 5, 8])], ["bias": .bool(false)])
        #expect(ln.weights.map(\.shape) == [[8]])
    }

    @Test func dtypesPropagate() throws {
        #expect(try inferOp(.relu, [TensorType([2, 3], .f16)]).outputs[0].dtype == .f16)
        #expect(try inferOp(.cast, [TensorType([2, 3])], ["to": .string("bf16")]).outputs[0].dtype == .bf16)
        #expect(try inferOp(.cast, [TensorType([2, 3])], ["to": .string("i32")]).outputs[0].dtype == .i32)
        #expect(try inferOp(.embedding, [TensorType([2, 3], .i32)], ["vocab": .int(5), "dim": .int(2)]).outputs[0].dtype == .f32)
    }

    @Test func samePaddingMatchesTensorFlow() {
        #expect(GraphBuilder.samePads(224, kernel: 3, stride: 2) == (0, 1))
        #expect(GraphBuilder.samePads(7, kernel: 3, stride: 1) == (1, 1))
        #expect(GraphBuilder.samePads(17, kernel: 7, stride: 1) == (3, 3))
    }
}
