import Foundation
import ModelIR
import Oracles
import Reference
import Testing
import Workers

/// Places where a backend once built an op otherwise than the IR says, so that a correct framework would have
/// been charged with a deviation (or a framework's own kernel never ran): each against the float64 reference.
@Suite(.serialized) struct BackendSemanticsTests {
    func graph(_ shape: [Int], _ build: (inout GraphBuilder, ValueRef) throws -> ValueRef) throws -> Graph {
        var b = GraphBuilder(name: "semantics")
        let x = try b.input(shape)
        b.output(try build(&b, x))
        return try b.graph.inferred()
    }

    func run(_ framework: String, _ graph: Graph, _ input: Tensor, perNode: Bool = false) throws -> (ExecutionResult, ReferenceRun) {
        let weights = WeightInitializer.initialize(graph, seed: 1)
        var request = ExecutionRequest(graph: graph, weights: weights, inputs: ["input": input])
        request.repeats = 1
        request.perNode = perNode
        let result = try Fixtures.pool.worker(framework).execute(request)
        let reference = try ReferenceInterpreter(graph: graph, weights: weights).run(inputs: ["input": input])
        return (result, reference)
    }

    /// Nearest resizing picks source row floor(i · in / out) exactly (PyTorch's float32 scale picked the next
    /// row for 26 → 22).
    @Test func nearestResizeFollowsTheIRsIndexRule() throws {
        let g = try graph([1, 1, 26, 26]) { b, x in try b.add(.resize, [x], ["size": .ints([22, 22]), "mode": .string("nearest")]) }
        let input = Tensor(shape: [1, 1, 26, 26], values: (0..<676).map(Float.init))
        for framework in FrameworkKind.all {
            let (r, reference) = try run(framework, g, input)
            #expect(r.status == .ok, "\(framework): \(r.message ?? "")")
            #expect(r.outputs["output:0"]?.doubles == reference.outputs[0].values, "\(framework)")
        }
    }

    /// A NaN goes through MindSpore's own ELU, SELU and HardSigmoid as NaN (the generic decompositions, built
    /// on ops.relu, turned it into 0 and charged MindSpore with it).
    @Test(arguments: [OpKind.elu, .selu, .hardSigmoid])
    func mindsporeKeepsNaNThroughItsOwnActivations(_ op: OpKind) throws {
        let g = try graph([1, 4]) { b, x in try b.add(op, [x]) }
        let (r, reference) = try run("mindspore", g, Tensor(shape: [1, 4], values: [.nan, 1, -2, 3]))
        let out = try #require(r.outputs["output:0"]?.doubles)
        #expect(out[0].isNaN && reference.outputs[0].values[0].isNaN, "\(op): \(out)")
        #expect(zip(out.dropFirst(), reference.outputs[0].values.dropFirst()).allSatisfy { Swift.abs($0 - $1) < 1e-5 }, "\(op): \(out)")
    }

    /// ONNX Runtime's Softplus of large negative inputs is tiny, not 0 (Log(1 + x) lost it below -17).
    @Test func onnxRuntimeSoftplusKeepsSmallValues() throws {
        let g = try graph([1, 4]) { b, x in try b.add(.softplus, [x]) }
        let (r, reference) = try run("onnxruntime", g, Tensor(shape: [1, 4], values: [-20, -10, 0, 5]))
        let out = try #require(r.outputs["output:0"]?.doubles)
        for (a, e) in zip(out, reference.outputs[0].values) { #expect(Swift.abs(a - e) <= 1e-5 * Swift.abs(e), "\(out)") }
    }

    /// An input declared f16 or f64 reaches every framework in that type: the wire carried it as f32, so ONNX
    /// Runtime refused the model and the others ran the f16 block in f32 (1/3 at f16 is 0.33325, not 0.33333).
    /// A bf16 input (NumPy has none) travels as f32 and the framework casts it.
    @Test(arguments: [DType.f16, .f64, .bf16])
    func inputsArriveInTheirDeclaredType(_ dtype: DType) throws {
        var b = GraphBuilder(name: "typed-input")
        let x = try b.input([1, 4], dtype: dtype)
        let y = try b.add(.mul, [x, x])
        b.output(try b.add(.cast, [y], ["to": .string("f32")]))
        let g = try b.graph.inferred()
        let input = Tensor(shape: [1, 4], dtype: dtype, values: [1.0 / 3, 2, -0.7, 100.1])
        for framework in FrameworkKind.all {
            let (r, reference) = try run(framework, g, input)
            // bf16 arithmetic is a gap some CPU builds declare (ONNX Runtime's Mul): unsupported, never an error.
            if dtype == .bf16 && r.status == .unsupported { continue }
            // JAX runs with x64 off: it declares f64 a gap instead of computing it in float32.
            if dtype == .f64 && framework == "jax" {
                #expect(r.status == .unsupported && r.message?.contains("x64") == true, "\(r.status) \(r.message ?? "")")
                continue
            }
            #expect(r.status == .ok, "\(framework): \(r.message ?? "")")
            let out = try #require(r.outputs["output:0"]?.doubles)
            for (a, e) in zip(out, reference.outputs[0].values) {
                #expect(Swift.abs(a - e) <= (dtype == .f16 ? 2e-3 : dtype == .bf16 ? 2e-2 : 1e-6) * Swift.max(1, Swift.abs(e)), "\(framework) \(dtype): \(out) against \(reference.outputs[0].values)")
            }
            if dtype == .f16 { #expect(out[0] != Double(Float(1.0 / 3) * Float(1.0 / 3)), "\(framework) computed the f16 block in f32") }
        }
    }

    /// Every node's values of a bf16 block come back (as f32; NumPy has no bf16): MindSpore refused to convert
    /// them, and a per-node diff filed that as a G2 execute error of a model it ran correctly.
    @Test func aBF16NodesValuesComeBackPerNode() throws {
        var b = GraphBuilder(name: "bf16-block")
        let x = try b.input([1, 4])
        let h = try b.add(.cast, [x], ["to": .string("bf16")])
        let n = try b.add(.neg, [h])
        b.output(try b.add(.cast, [n], ["to": .string("f32")]))
        let g = try b.graph.inferred()
        for framework in FrameworkKind.all {
            let (r, _) = try run(framework, g, Tensor(shape: [1, 4], values: [1, -2, 0.5, 3]), perNode: true)
            // bf16 arithmetic is a gap some CPU builds declare: unsupported, never an error.
            #expect(r.status == .ok || r.status == .unsupported, "\(framework): \(r.status) \(r.message ?? "")")
        }
    }

    /// A Split without an axis splits axis 1, as the IR infers it (the workers took axis 0).
    @Test func splitWithoutAnAxisSplitsAxisOne() throws {
        let g = try graph([2, 4]) { b, x in try b.add(.split, [x], ["sizes": .ints([1, 3])]) }
        let input = Tensor(shape: [2, 4], values: (0..<8).map(Float.init))
        for framework in FrameworkKind.all {
            let (r, reference) = try run(framework, g, input)
            #expect(r.status == .ok, "\(framework): \(r.message ?? "")")
            #expect(r.outputs["output:0"]?.doubles == reference.outputs[0].values, "\(framework)")
        }
    }

    /// GroupNorm over [N, C] (no spatial axes) is legal and every framework builds it.
    @Test func groupNormWithoutSpatialAxes() throws {
        let g = try graph([2, 6]) { b, x in try b.add(.groupNorm, [x], ["groups": .int(3)]) }
        let input = Tensor(shape: [2, 6], values: [1, 2, 3, 5, 8, 13, -1, 0.5, 4, 4.5, 2, -3])
        for framework in FrameworkKind.all {
            let (r, reference) = try run(framework, g, input)
            #expect(r.status == .ok, "\(framework): \(r.message ?? "")")
            let out = try #require(r.outputs["output:0"]?.doubles, "\(framework)")
            #expect(zip(out, reference.outputs[0].values).allSatisfy { Swift.abs($0 - $1) < 1e-4 }, "\(framework): \(out) against \(reference.outputs[0].values)")
        }
    }

    /// Per-node values of a bf16 layer come back from PyTorch (NumPy has no bfloat16).
    @Test func pytorchReturnsBFloat16NodesPerNode() throws {
        let g = try graph([1, 4]) { b, x in
            let low = try b.add(.cast, [x], ["to": .string("bf16")])
            let r = try b.add(.relu, [low])
            return try b.add(.cast, [r], ["to": .string("f32")])
        }
        let (r, _) = try run("pytorch", g, Tensor(shape: [1, 4], values: [1, -2, 3, 0.5]), perNode: true)
        #expect(r.status == .ok, "\(r.message ?? "")")
        #expect(r.outputs.count >= 4)
    }

    /// TensorFlow takes a stride or a dilation above 1, not both: a declared gap, not a crash or wrong values.
    @Test func tensorflowDeclaresStrideWithDilationUnsupported() throws {
        let g = try graph([1, 4, 16, 16]) { b, x in
            try b.add(.conv2d, [x], ["out_channels": .int(4), "kernel": .ints([3, 3]), "stride": .ints([2, 2]), "dilation": .ints([2, 2]), "groups": .int(4)])
        }
        let (r, _) = try run("tensorflow", g, Tensor(shape: [1, 4, 16, 16], values: Array(repeating: 0.5, count: 1024)))
        #expect(r.status == .unsupported, "\(r.status): \(r.message ?? "")")
    }

    /// TensorFlow trains a model with an embedding (its gradient is IndexedSlices, which has no .numpy()).
    @Test func tensorflowTrainsEmbeddings() throws {
        let subject = try Fixtures.prepared("textcnn")
        var request = ExecutionRequest(graph: subject.graph, weights: subject.weights, inputs: subject.inputs)
        request.repeats = 1
        request.training = .init(steps: 2, learningRate: 0.01, target: DiffRunner.target(subject))
        let r = try Fixtures.pool.worker("tensorflow").execute(request)
        #expect(r.status == .ok && r.losses.count == 2, "\(r.status): \(r.message ?? "")")
    }
}
