import Testing
@testable import ModelIR

/// A small image classifier with named nodes, the graph every invalid edit starts from:
/// input [1,3,8,8] → conv (4, 3×3, pad 1) → bn → relu → pool (2×2) → flat → fc (10) → prob.
func baseGraph() throws -> Graph {
    var b = GraphBuilder(name: "base")
    let x = try b.input([1, 3, 8, 8])
    let conv = try b.add(.conv2d, [x], ["out_channels": .int(4), "kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])], name: "conv")
    let bn = try b.add(.batchNorm, [conv], name: "bn")
    let relu = try b.add(.relu, [bn], name: "relu")
    let pool = try b.add(.maxPool2d, [relu], ["kernel": .ints([2, 2])], name: "pool")
    let flat = try b.add(.flatten, [pool], name: "flat")
    let fc = try b.add(.dense, [flat], ["units": .int(10)], name: "fc")
    b.output(try b.add(.softmax, [fc], ["axis": .int(-1)], name: "prob"))
    return b.graph
}

struct InvalidEdit: CustomTestStringConvertible, Sendable {
    var label: String
    var node: String
    var code: ValidityError.Code
    var edit: @Sendable (inout Graph) -> Void
    var testDescription: String { label }
}

extension Graph {
    mutating func set(_ node: String, _ key: String, _ value: AttributeValue) {
        let i = nodes.firstIndex { $0.name == node }!
        nodes[i].attributes[key] = value
    }

    /// Inserts a node just before the final softmax so every edit stays a topological graph.
    mutating func insert(_ name: String, _ op: OpKind, _ inputs: [String], _ attributes: [String: AttributeValue] = [:]) {
        let i = nodes.firstIndex { $0.name == "prob" }!
        nodes.insert(Node(name: name, op: op, inputs: inputs.map { ValueRef(parsing: $0) }, attributes: attributes), at: i)
        outputs.append(ValueRef(name))
    }
}

@Suite struct ValidityRuleTests {
    static let edits: [InvalidEdit] = [
        InvalidEdit(label: "groups do not divide input channels", node: "conv", code: .groupsDivisibility) { $0.set("conv", "groups", .int(2)) },
        InvalidEdit(label: "groups do not divide output channels", node: "conv", code: .groupsDivisibility) { $0.set("conv", "groups", .int(3)) },
        InvalidEdit(label: "kernel larger than padded input", node: "conv", code: .kernelExceedsInput) { $0.set("conv", "kernel", .ints([11, 11])) },
        InvalidEdit(label: "dilated kernel larger than padded input", node: "conv", code: .kernelExceedsInput) { $0.set("conv", "dilation", .ints([5, 5])) },
        InvalidEdit(label: "zero stride", node: "conv", code: .attributeRange) { $0.set("conv", "stride", .ints([0, 1])) },
        InvalidEdit(label: "negative pad", node: "conv", code: .attributeRange) { $0.set("conv", "pads", .ints([-1, 0, 0, 0])) },
        InvalidEdit(label: "zero filters", node: "conv", code: .attributeRange) { $0.set("conv", "out_channels", .int(0)) },
        InvalidEdit(label: "kernel removed", node: "conv", code: .missingAttribute) { $0.nodes[1].attributes["kernel"] = nil },
        InvalidEdit(label: "kernel of the wrong type", node: "conv", code: .attributeType) { $0.set("conv", "kernel", .string("3x3")) },
        InvalidEdit(label: "kernel with three sides", node: "conv", code: .attributeRange) { $0.set("conv", "kernel", .ints([3, 3, 3])) },
        InvalidEdit(label: "conv on a rank-2 tensor", node: "conv2", code: .inputRank) {
            $0.insert("conv2", .conv2d, ["flat"], ["out_channels": .int(2), "kernel": .ints([1, 1])])
        },
        InvalidEdit(label: "integer image into a conv", node: "conv", code: .dtype) { $0.set("input", "dtype", .string("i32")) },
        InvalidEdit(label: "zero BatchNorm epsilon", node: "bn", code: .attributeRange) { $0.set("bn", "epsilon", .float(0)) },
        InvalidEdit(label: "pool padding over half the kernel", node: "pool", code: .padExceedsKernel) { $0.set("pool", "pads", .ints([2, 2, 2, 2])) },
        InvalidEdit(label: "pool kernel larger than input", node: "pool", code: .kernelExceedsInput) { $0.set("pool", "kernel", .ints([9, 9])) },
        InvalidEdit(label: "pool stride zero", node: "pool", code: .attributeRange) { $0.set("pool", "stride", .ints([0, 0])) },
        InvalidEdit(label: "dense with no units", node: "fc", code: .attributeRange) { $0.set("fc", "units", .int(0)) },
        InvalidEdit(label: "dense given two inputs", node: "fc", code: .inputArity) { $0.nodes[6].inputs.append(ValueRef("flat")) },
        InvalidEdit(label: "softmax axis out of range", node: "prob", code: .axisRange) { $0.set("prob", "axis", .int(5)) },
        InvalidEdit(label: "flatten axis out of range", node: "flat", code: .axisRange) { $0.set("flat", "axis", .int(7)) },
        InvalidEdit(label: "add of non-broadcastable shapes", node: "sum", code: .broadcast) { $0.insert("sum", .add, ["conv", "pool"]) },
        InvalidEdit(label: "add of different dtypes", node: "sum", code: .dtype) {
            $0.insert("half", .cast, ["conv"], ["to": .string("f16")])
            $0.insert("sum", .add, ["conv", "half"])
        },
        InvalidEdit(label: "concat of different spatial sizes", node: "cat", code: .concatShape) { $0.insert("cat", .concat, ["conv", "pool"], ["axis": .int(1)]) },
        InvalidEdit(label: "concat of different ranks", node: "cat", code: .inputRank) { $0.insert("cat", .concat, ["conv", "flat"], ["axis": .int(1)]) },
        InvalidEdit(label: "reshape to the wrong element count", node: "r", code: .reshapeCount) { $0.insert("r", .reshape, ["flat"], ["shape": .ints([1, 7])]) },
        InvalidEdit(label: "reshape with two unknowns", node: "r", code: .attributeRange) { $0.insert("r", .reshape, ["flat"], ["shape": .ints([-1, -1])]) },
        InvalidEdit(label: "transpose with a repeated axis", node: "t", code: .permutation) { $0.insert("t", .transpose, ["conv"], ["perm": .ints([0, 0, 1, 2])]) },
        InvalidEdit(label: "split sizes that do not sum", node: "s", code: .splitSizes) { $0.insert("s", .split, ["conv"], ["axis": .int(1), "sizes": .ints([1, 2])]) },
        InvalidEdit(label: "reflect pad as large as the axis", node: "p", code: .reflectPad) {
            $0.insert("p", .pad, ["conv"], ["pads": .ints([0, 0, 8, 0, 0, 0, 0, 0]), "mode": .string("reflect")])
        },
        InvalidEdit(label: "unknown pad mode", node: "p", code: .attributeRange) {
            $0.insert("p", .pad, ["conv"], ["pads": .ints([0, 0, 1, 1, 0, 0, 1, 1]), "mode": .string("wrap")])
        },
        InvalidEdit(label: "resize to nothing", node: "up", code: .emptyOutput) { $0.insert("up", .resize, ["conv"], ["size": .ints([0, 4])]) },
        InvalidEdit(label: "align_corners on nearest", node: "up", code: .attributeRange) {
            $0.insert("up", .resize, ["conv"], ["scale": .ints([2, 2]), "align_corners": .bool(true)])
        },
        InvalidEdit(label: "dropout rate 1", node: "d", code: .attributeRange) { $0.insert("d", .dropout, ["conv"], ["rate": .float(1)]) },
        InvalidEdit(label: "clip with min above max", node: "c", code: .attributeRange) { $0.insert("c", .clip, ["conv"], ["min": .float(2), "max": .float(1)]) },
        InvalidEdit(label: "group norm groups not dividing channels", node: "g", code: .groupsDivisibility) { $0.insert("g", .groupNorm, ["conv"], ["groups": .int(3)]) },
        InvalidEdit(label: "PReLU slopes for the wrong channel count", node: "pr", code: .channelMismatch) { $0.insert("pr", .prelu, ["conv"], ["num_parameters": .int(3)]) },
        InvalidEdit(label: "embedding of float ids", node: "e", code: .dtype) { $0.insert("e", .embedding, ["flat"], ["vocab": .int(5), "dim": .int(2)]) },
        InvalidEdit(label: "LSTM on an image", node: "l", code: .inputRank) { $0.insert("l", .lstm, ["conv"], ["hidden": .int(3)]) },
        InvalidEdit(label: "matmul with mismatched inner dimensions", node: "mm", code: .channelMismatch) { $0.insert("mm", .matMul, ["conv", "flat"]) },
        InvalidEdit(label: "transposed conv cropped to nothing", node: "ct", code: .emptyOutput) {
            $0.insert("ct", .convTranspose2d, ["pool"], ["out_channels": .int(2), "kernel": .ints([2, 2]), "pads": .ints([3, 3, 3, 3])])
        },
        InvalidEdit(label: "negative LeakyReLU slope", node: "lr", code: .attributeRange) { $0.insert("lr", .leakyRelu, ["conv"], ["alpha": .float(-1)]) },
        InvalidEdit(label: "unknown GELU approximation", node: "ge", code: .attributeRange) { $0.insert("ge", .gelu, ["conv"], ["approximate": .string("fast")]) },
        InvalidEdit(label: "reduce over a repeated axis", node: "rm", code: .attributeRange) { $0.insert("rm", .reduceMean, ["conv"], ["axes": .ints([1, 1])]) },
        InvalidEdit(label: "duplicate node name", node: "relu", code: .duplicateName) { $0.nodes[4].name = "relu" },
        InvalidEdit(label: "input naming no node", node: "relu", code: .unknownInput) { $0.nodes[3].inputs = [ValueRef("ghost")] },
        InvalidEdit(label: "input naming a missing output index", node: "relu", code: .unknownInput) { $0.nodes[3].inputs = [ValueRef("bn", 1)] },
        InvalidEdit(label: "nodes out of topological order", node: "relu", code: .notTopological) { $0.nodes.swapAt(2, 3) },
        InvalidEdit(label: "empty input dimension", node: "input", code: .emptyOutput) { $0.set("input", "shape", .ints([1, 3, 0, 8])) },
        // A scalar where a list belongs: the reference and the workers read lists only (they ran stride 1).
        InvalidEdit(label: "scalar stride", node: "conv", code: .attributeType) { $0.set("conv", "stride", .int(2)) },
        // Weights are f32: an f16 value into a layer with weights is refused by every framework.
        InvalidEdit(label: "f16 input into a convolution", node: "conv", code: .dtype) { $0.set("input", "dtype", .string("f16")) },
        // Names no rule, reference or worker reads: the default used to apply silently.
        InvalidEdit(label: "misspelt attribute", node: "conv", code: .unknownAttribute) { $0.set("conv", "dilations", .ints([2, 2])) },
        InvalidEdit(label: "another op's attribute", node: "relu", code: .unknownAttribute) { $0.set("relu", "alpha", .float(0.1)) },
    ]

    /// The error names the attribute, the nearest one the op reads, and all it reads.
    @Test func anUnknownAttributeNamesTheNearestOne() throws {
        var graph = try baseGraph()
        graph.set("conv", "dilations", .ints([2, 2]))
        let error = #expect(throws: ValidityError.self) { _ = try graph.inferred() }
        #expect(error?.rule.contains("Conv2d has no attribute 'dilations' (did you mean 'dilation'?); it reads ") == true, "\(String(describing: error))")
        #expect(error?.rule.contains("pads") == true && error?.rule.contains("stride") == true)
        var pool = try baseGraph()
        pool.set("pool", "padding", .ints([0, 0, 0, 0]))
        let poolError = #expect(throws: ValidityError.self) { _ = try pool.inferred() }
        #expect(poolError?.rule.contains("(did you mean 'pads'?)") == true, "\(String(describing: poolError))")
    }

    @Test(arguments: edits)
    func invalidEditIsRejectedWithTheRightRule(_ edit: InvalidEdit) throws {
        var graph = try baseGraph()
        edit.edit(&graph)
        do {
            _ = try graph.inferred()
            Issue.record("\(edit.label): accepted")
        } catch {
            #expect(error.code == edit.code, "\(edit.label): \(error)")
            #expect(error.node == edit.node, "\(edit.label): \(error)")
            // The offending node is the last one with that name (a duplicate comes second).
            let op = graph.nodes.last { $0.name == edit.node }?.op.rawValue
            #expect(error.op == op, "\(edit.label): \(error)")
            #expect(error.description.contains(edit.code.rawValue))
        }
    }

    /// A graph output `node:-1` (a hand-edited graph.json) is rejected, not read as an index later.
    @Test func aNegativeGraphOutputIndexNamesNoValue() throws {
        var graph = try baseGraph()
        let last = graph.nodes.last!.name
        graph.outputs = [ValueRef(last, -1)]
        #expect(graph.type(of: graph.outputs[0]) == nil)
        let error = #expect(throws: ValidityError.self) { _ = try graph.inferred() }
        #expect(error?.code == .unknownInput && error?.op == "Graph")
    }

    @Test func theTableIsLargeAndTheBaseIsValid() throws {
        #expect(Self.edits.count >= 30)
        let graph = try baseGraph().inferred()
        #expect(graph.node(named: "fc")?.output.shape == [1, 10])
    }

    @Test func aGraphWithoutOutputsIsRejected() throws {
        var graph = try baseGraph()
        graph.outputs = []
        do { _ = try graph.inferred(); Issue.record("accepted") } catch { #expect(error.code == .noOutputs) }
    }
}
