import Seeding
import Foundation
import Fuzz
import Oracles
import ModelIR
import Taxonomy
import Testing
@testable import Triage

@Suite struct ReproducerTests {
    @Test func writesStayInsideTheFolder() throws {
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try SafeFolder(dir.appendingPathComponent("D1").path)
        try folder.write("ok", to: "model/graph.json")
        for bad in ["../escape.txt", "/etc/passwd", "model/../../x", "a//b", "./x", "x$(rm).py"] {
            #expect(throws: TriageError.self) { try folder.write("no", to: bad) }
        }
        // A link inside the folder that points outside is not followed.
        let outside = dir.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: folder.root.appendingPathComponent("link"), withDestinationURL: outside)
        #expect(throws: TriageError.self) { try folder.write("no", to: "link/x.txt") }
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("x.txt").path))
        #expect(SafeFolder.sanitize("../D1") == "___D1")
    }

    /// Names and messages land in reproducer scripts as Python string literals: no character may end the line
    /// or the script early (a carriage return, a NUL), and what Python reads back is the text.
    @Test func pythonStringLiteralsEscapeEveryControlCharacter() throws {
        let text = "conv\r2d\u{0}\"quoted\" \\ back\nnew 中\u{7F}"
        let literal = py(text)
        #expect(literal == #""conv\x0d2d\x00\"quoted\" \\ back\nnew 中\x7f""#)
        #expect(!literal.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    /// A control that cannot run the model exits 2 ("cannot check here"), never "DEFECT SHOWS"; only a crash
    /// defect's header speaks of a crash; a scaled tolerance reads as the number it is.
    @Test func controlsCannotShowTheDefectAndHeadersFitTheSymptom() throws {
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        var script = ReproducerScript(framework: "onnxruntime", title: "D1: Tanh deviates", graph: model.graph, inputFiles: [], expectedFiles: [],
                                      tolerance: 2e-6 * 50)
        script.control = true
        #expect(script.text.contains("CONTROL = True") && script.text.contains("TOLERANCE = 0.0001\n"))
        #expect(script.text.contains("if CONTROL:") && script.text.contains("return 2"))
        #expect(!script.text.contains("139"))
        script.control = false
        script.crash = true
        #expect(script.text.contains("CONTROL = False") && script.text.contains("139 as of signal 11"))
    }

    @Test func npyHeaderIsAlignedAndDescribesTheArray() {
        let data = NpyWriter.float64([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(data.prefix(6) == Data([0x93]) + Data("NUMPY".utf8))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<f8'") && header.contains("'shape': (2, 3)"))
        #expect(data.count == 10 + headerLength + 48)
    }

    @Test func reducerShrinksAPlantedCrashToTheOpAlone() throws {
        // lenet5 with a Pad inserted by shape mutation: the crash reduces to Input -> Pad.
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        var rng = SplitMix64(seed: 9)
        var mutant: FuzzModel?
        for _ in 0..<20 {
            guard let record = ShapeMutation().propose(model, position: .any, rng: &rng),
                  let m = try? ShapeMutation().apply(record, to: model), m.graph.nodes.contains(where: { $0.op == .pad }) else { continue }
            mutant = m
            break
        }
        let m = try #require(mutant, "no shape mutation inserted a Pad")
        let planted = [PlantedDefect(op: .pad, kind: .crash)]
        let signature = DefectSignature(symptom: "crash", stage: "execute", subtype: "G2", frameworks: ["faulty"], op: "Pad",
                                        keyAttributes: KeyAttributes.describe(m.graph.nodes.first { $0.op == .pad }!), error: "signal <n> in Pad")
        let reducer = DefectReducer(signature: signature, oracles: try TriageTestSupport.oracles(), executors: [FaultInjectionExecutor(defects: planted)])
        let r = try reducer.reduce(m)
        #expect(r.candidate.nodeCount <= 3)
        #expect(r.candidate.model.graph.nodes.contains { $0.op == .pad })
        #expect(r.kind == "interface")
        #expect(r.originalNodes > r.candidate.nodeCount)
        // A signature the model does not show is refused.
        var wrong = signature
        wrong.op = "GELU"
        #expect(throws: TriageError.self) { try DefectReducer(signature: wrong, oracles: try TriageTestSupport.oracles(), executors: [FaultInjectionExecutor(defects: planted)]).reduce(m) }
    }
}

/// A framework that fails on Tanh only when a convolution feeds it: a composition defect.
struct ConvTanhExecutor: MutantExecutor {
    var name = "ctx"
    /// As a worker framework (out of process), which the oracles count among "every framework".
    var worker = false
    var inProcess: Bool { !worker }

    func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
        let graph = model.graph
        let hit = graph.nodes.contains { n in n.op == .tanh && n.inputs.contains { graph.node(named: $0.node)?.op == .conv2d } }
        if hit { return ExecutionOutcome(framework: name, status: .error, stage: .execute, message: "RuntimeError in Tanh after conv", failingOp: "Tanh") }
        return ReferenceExecutor().execute(model, inputs: inputs, arbiter: arbiter)
    }
}

/// A framework that fails whenever the node named `node` is in the model.
struct NamedNodeExecutor: MutantExecutor {
    var node: String
    var name: String { "c2-fails" }
    var inProcess: Bool { true }

    func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
        guard let n = model.graph.node(named: node) else { return ReferenceExecutor().execute(model, inputs: inputs, arbiter: arbiter) }
        return ExecutionOutcome(framework: name, status: .error, stage: .execute, message: "RuntimeError in c2", failingOp: n.op.rawValue)
    }
}

@Suite struct CompositionReductionTests {
    @Test func aDefectNeedingItsContextIsACompositionDefect() throws {
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let signature = DefectSignature(symptom: .error, stage: .execute, subtype: "G2", op: "Tanh", detail: "RuntimeError in Tanh after conv",
                                        deviating: ["ctx"], graph: model.graph)
        let r = try DefectReducer(signature: signature, oracles: try TriageTestSupport.oracles(), executors: [ConvTanhExecutor()]).reduce(model)
        let ops = r.candidate.model.graph.nodes.map(\.op)
        #expect(ops == [.input, .conv2d, .tanh], "reduced to \(ops)")
        #expect(r.kind == "composition")
        // Channels and spatial size shrank while the defect kept showing, and the result is still valid.
        let conv = try #require(r.candidate.model.graph.nodes.first { $0.op == .conv2d })
        #expect((conv.outputs.first?.shape[1] ?? 99) < 6)
        #expect((r.candidate.model.graph.inputNodes.first?.output.shape[2] ?? 99) < 32)
        #expect((try? r.candidate.model.graph.inferred()) != nil)
    }

    /// With two nodes of the defect's op, the reduction keeps the one the finding was localized to: the other
    /// may go, and "isolate" tests the right one (the first of the op was taken, and every one of it was kept).
    @Test func theFindingsOwnNodeIsTheOneKept() throws {
        var b = GraphBuilder(name: "two-convs")
        let x = try b.input([1, 3, 8, 8])
        let c1 = try b.add(.conv2d, [x], ["out_channels": .int(3), "kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])], name: "c1")
        let r = try b.add(.relu, [c1], name: "r")
        b.output(try b.add(.conv2d, [r], ["out_channels": .int(3), "kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])], name: "c2"))
        let graph = try b.graph.inferred()
        let model = FuzzModel(graph: graph, weights: WeightInitializer.initialize(graph, seed: 1), seedName: "two-convs", inputKind: .image, vocab: 1, inputSeed: 1)
        let signature = DefectSignature(symptom: .error, stage: .execute, subtype: "G2", op: "Conv2d", detail: "RuntimeError in c2",
                                        deviating: ["c2-fails"], graph: graph)
        var reducer = DefectReducer(signature: signature, oracles: try TriageTestSupport.oracles(), executors: [NamedNodeExecutor(node: "c2")])
        reducer.node = "c2"
        let candidate = ReductionCandidate(model: model, inputs: model.inputs())
        #expect(reducer.localized(candidate) == 3)
        #expect(!reducer.isLocalized(graph.nodes[1], in: candidate) && reducer.isLocalized(graph.nodes[3], in: candidate))
        let r2 = try reducer.reduce(model)
        let kept: [String] = r2.candidate.model.graph.nodes.filter { $0.op != .input }.map(\.name)
        #expect(kept == ["c2"], "kept \(kept)")
        #expect(r2.kind == "interface")
    }

    /// A defect two worker frameworks share reduces: with only they running, both failing is the defect, not
    /// "every framework rejects it" (which made such defects irreducible).
    @Test func aDefectTwoFrameworksShareReduces() throws {
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let signature = DefectSignature(symptom: .error, stage: .execute, subtype: "G2", op: "Tanh", detail: "RuntimeError in Tanh after conv",
                                        deviating: ["ctx-a", "ctx-b"], graph: model.graph)
        let executors = [ConvTanhExecutor(name: "ctx-a", worker: true), ConvTanhExecutor(name: "ctx-b", worker: true)]
        let r = try DefectReducer(signature: signature, oracles: try TriageTestSupport.oracles(), executors: executors).reduce(model)
        #expect(r.candidate.model.graph.nodes.map(\.op) == [.input, .conv2d, .tanh])
    }
}

/// Frameworks whose model is not written out (TensorFlow, JAX, MindSpore, compiled variants) get a script that
/// builds the model with the worker's own builder, copied into the folder: it runs the real framework alone and
/// gives its verdict against the float64 reference.
@Suite(.serialized) struct BuilderReproducerTests {
    /// D7, a Conv2d defect of `frameworks` (an F1 inconsistency unless `symptom`/`subtype` say otherwise).
    static func defect(frameworks: String, symptom: String = "inconsistency", subtype: String = "F1", id: Int = 7) throws -> DefectRecord {
        let fields: [String: Any] = [
            "id": id, "signature": "\(symptom)|execute|\(subtype)|\(frameworks)|Conv2d", "subtype": subtype, "symptom": symptom, "stage": "execute",
            "frameworks": frameworks, "op": "Conv2d", "key_attributes": "", "error": "", "title": "Conv2d deviates", "finding_count": 1,
            "first_seen": "2026-11-27", "last_seen": "2026-11-27", "campaigns": [1],
        ]
        return try JSONDecoder().decode(DefectRecord.self, from: JSONSerialization.data(withJSONObject: fields))
    }

    /// Runs `script` in `folder` to its end: its exit status and what it printed.
    static func script(_ python: String, _ script: String, in folder: String) throws -> (status: Int32, output: String) {
        let run = try TriageAcceptanceTests.run(python, script, in: folder)
        run.waitUntilExit()
        return (run.terminationStatus, (try? String(contentsOfFile: folder + "/" + script + ".out", encoding: .utf8)) ?? "")
    }

    @Test func tensorflowJaxAndVariantsReproduceThroughTheWorkersBuilder() throws {
        let python = try TriageAcceptanceTests.python()
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let candidate = ReductionCandidate(model: model, inputs: model.inputs())
        let out = dir.appendingPathComponent("D7").path
        let folder = try ReproducerWriter(controls: ["jax"]).write(defect: try Self.defect(frameworks: "tensorflow,tensorflow-xla"), candidate: candidate,
                                                                   reduction: nil, planted: [], to: out)
        #expect(folder.scripts == ["tensorflow": "repro_tensorflow.py", "tensorflow-xla": "repro_tensorflow-xla.py", "jax": "control_jax.py"])
        for f in ["builder/irgraph.py", "builder/generic.py", "builder/eager.py", "builder/backend_tensorflow.py", "builder/backend_jax.py"] {
            #expect(folder.files.contains(f) && FileManager.default.fileExists(atPath: out + "/" + f), "missing \(f)")
        }
        let text = try String(contentsOfFile: out + "/repro_tensorflow-xla.py", encoding: .utf8)
        #expect(text.contains("import backend_tensorflow as backend") && text.contains("\"tensorflow-xla\""))
        #expect(!text.contains("import torch"))
        let report = try String(contentsOfFile: out + "/bug-report.md", encoding: .utf8)
        #expect(report.contains("import tensorflow; print(tensorflow.__version__)") && !report.contains("import tensorflow-xla"))
        // The real frameworks agree with the reference on the seed: each script says so and exits 0.
        let runs = try ["repro_tensorflow.py", "repro_tensorflow-xla.py", "control_jax.py"].map { ($0, try TriageAcceptanceTests.run(python, $0, in: out)) }
        for (script, process) in runs {
            process.waitUntilExit()
            let output = (try? String(contentsOfFile: out + "/" + script + ".out", encoding: .utf8)) ?? ""
            #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(script):\n\(output)")
            #expect(output.contains("no defect"), "\(script):\n\(output)")
        }
        // And a script can fail: against a wrong expectation it shows the defect.
        var expected = try Data(contentsOf: URL(fileURLWithPath: out + "/expected_0.npy"))
        let tail = expected.count - 8
        expected.replaceSubrange(tail..<expected.count, with: withUnsafeBytes(of: Double(1e6)) { Data($0) })
        try expected.write(to: URL(fileURLWithPath: out + "/expected_0.npy"))
        let failing = try Self.script(python, "repro_tensorflow.py", in: out)
        #expect(failing.status == 1 && failing.output.contains("DEFECT SHOWS"), "\(failing.output)")
        // A NaN the reference has and the framework lost (the study's ReLU6 turning NaN into 0) shows the defect too.
        expected.replaceSubrange(tail..<expected.count, with: withUnsafeBytes(of: Double.nan) { Data($0) })
        try expected.write(to: URL(fileURLWithPath: out + "/expected_0.npy"))
        let lost = try Self.script(python, "repro_tensorflow.py", in: out)
        #expect(lost.status == 1 && lost.output.contains("not propagated"), "\(lost.output)")
    }

    /// The fuzzer's dtype operators insert casts; the PyTorch reproducer wrote "cannot check here: op Cast is not
    /// written out" (exit 2) for every defect found through them.
    @Test func aPyTorchReproducerWritesCasts() throws {
        let python = try TriageAcceptanceTests.python()
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = try FuzzModel.seed(named: "lenet5", seed: 1)
        let op = try #require(OperatorCatalog.named("MDtype"))
        var rng = SplitMix64(seed: 4, stream: "cast")
        let record = try #require(op.propose(seed, position: .any, rng: &rng))
        let model = try op.apply(record, to: seed)
        #expect(model.graph.nodes.contains { $0.op == .cast }, "\(record)")
        let out = dir.appendingPathComponent("D7").path
        _ = try ReproducerWriter(controls: []).write(defect: try Self.defect(frameworks: "pytorch"), candidate: ReductionCandidate(model: model, inputs: model.inputs()),
                                                     reduction: nil, planted: [], to: out)
        let text = try String(contentsOfFile: out + "/repro_pytorch.py", encoding: .utf8)
        #expect(text.contains(".to(torch."), "\(text.prefix(2000))")
        let run = try Self.script(python, "repro_pytorch.py", in: out)
        #expect(run.status == 0 || run.status == 1, "\(run.status): \(run.output)")
        #expect(!run.output.contains("cannot check here"), "\(run.output)")
    }

    /// A model with ops the PyTorch emitter does not spell (an LSTM) is built by the worker's PyTorch builder:
    /// the script checks it instead of saying "cannot check here".
    @Test func aPyTorchModelWithAnLSTMReproducesThroughTheBuilder() throws {
        let python = try TriageAcceptanceTests.python()
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try FuzzModel.seed(named: "lstm-regressor", seed: 1)
        let out = dir.appendingPathComponent("D7").path
        let folder = try ReproducerWriter(controls: []).write(defect: try Self.defect(frameworks: "pytorch"), candidate: ReductionCandidate(model: model, inputs: model.inputs()),
                                                              reduction: nil, planted: [], to: out)
        #expect(folder.files.contains("builder/backend_pytorch.py"), "\(folder.files)")
        let run = try Self.script(python, "repro_pytorch.py", in: out)
        #expect(run.status == 0 && run.output.contains("no defect"), "\(run.status): \(run.output)")
    }

    /// A `faulty` defect that no plant of its campaign describes re-enacts nothing: its script checks the values
    /// and says so (it raised "RuntimeError in model" whatever the model did: "DEFECT SHOWS" for certain).
    @Test func aFaultNoPlantDescribesIsNotReenacted() throws {
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let defect = try Self.defect(frameworks: "faulty", symptom: "error", subtype: "G2", id: 4)
        let out = dir.appendingPathComponent("D4").path
        _ = try ReproducerWriter(controls: []).write(defect: defect, candidate: ReductionCandidate(model: model, inputs: model.inputs()),
                                                     reduction: nil, planted: ["Conv2d=nan", "Add=wrong"], to: out)
        let text = try String(contentsOfFile: out + "/repro_faulty.py", encoding: .utf8)
        #expect(!text.contains("raise RuntimeError(\"RuntimeError in Conv2d\")"), "\(text.prefix(3000))")
        #expect(text.contains("No fault of the simulated framework is re-enacted here"), "\(text.prefix(3000))")
        // The plant it does describe is re-enacted.
        let planted = dir.appendingPathComponent("D5").path
        _ = try ReproducerWriter(controls: []).write(defect: defect, candidate: ReductionCandidate(model: model, inputs: model.inputs()),
                                                     reduction: nil, planted: ["Conv2d=error"], to: planted)
        #expect(try String(contentsOfFile: planted + "/repro_faulty.py", encoding: .utf8).contains("raise RuntimeError(\"RuntimeError in Conv2d\")"))
    }

    /// A slowdown's scripts measure: the simulated framework's against its own run without the planted
    /// fault (the defect shows: exit 1), a control's time is only recorded (exit 0). They used to check the
    /// values alone and say "no defect".
    @Test func aSlowdownReproducerMeasures() throws {
        let python = try TriageAcceptanceTests.python()
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let defect = try Self.defect(frameworks: "faulty", symptom: "slowdown", subtype: "E1", id: 3)
        let out = dir.appendingPathComponent("D3").path
        _ = try ReproducerWriter(controls: ["pytorch"]).write(defect: defect, candidate: ReductionCandidate(model: model, inputs: model.inputs()),
                                                              reduction: nil, planted: ["Conv2d=slow"], to: out)
        for (script, status) in [("repro_faulty.py", Int32(1)), ("control_pytorch.py", Int32(0))] {
            let run = try Self.script(python, script, in: out)
            #expect(run.status == status && run.output.contains("measuring"), "\(script) \(run.status): \(run.output)")
        }
        #expect(FileManager.default.fileExists(atPath: out + "/measured_pytorch.json"))
        let report = try String(contentsOfFile: out + "/bug-report.md", encoding: .utf8)
        #expect(report.contains("runs abnormally slowly") && report.contains("with the planted fault and without it"), "\(report)")
    }

    /// A real framework's slowdown scripts time runs of a model built once: ONNX Runtime's script built a session
    /// inside every timed call and measured 34 ms for a 0.15 ms run, so a defect the campaign could not reproduce
    /// "showed". On lenet5 ONNX Runtime is no 10 times slower than PyTorch: no defect (exit 0), and the control's
    /// measurement is left in the folder, which a second write of the reproducer then replaces (it refused it).
    @Test func aRealFrameworkSlowdownScriptTimesTheRunNotTheBuild() throws {
        let python = try TriageAcceptanceTests.python()
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let defect = try Self.defect(frameworks: "onnxruntime", symptom: "slowdown", subtype: "E1", id: 4)
        let out = dir.appendingPathComponent("D4").path
        let candidate = ReductionCandidate(model: model, inputs: model.inputs())
        let writer = ReproducerWriter(controls: ["pytorch"])
        _ = try writer.write(defect: defect, candidate: candidate, reduction: nil, planted: [], to: out)
        let control = try Self.script(python, "control_pytorch.py", in: out)
        #expect(control.status == 0, "\(control.output)")
        let repro = try Self.script(python, "repro_onnxruntime.py", in: out)
        #expect(repro.status == 0 && repro.output.contains("no defect"), "\(repro.status): \(repro.output)")
        #expect(FileManager.default.fileExists(atPath: out + "/measured_onnxruntime.json"))
        _ = try writer.write(defect: defect, candidate: candidate, reduction: nil, planted: [], to: out)
        #expect(!FileManager.default.fileExists(atPath: out + "/measured_pytorch.json"))
    }

    /// A Python without the framework cannot check: exit 2 ("cannot check here"), not 1, which automation reads as
    /// the defect showing.
    @Test func aPythonWithoutTheFrameworkCannotCheck() throws {
        let python = try TriageAcceptanceTests.python()
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let out = dir.appendingPathComponent("D8").path
        _ = try ReproducerWriter(controls: []).write(defect: try Self.defect(frameworks: "pytorch"), candidate: ReductionCandidate(model: model, inputs: model.inputs()),
                                                     reduction: nil, planted: [], to: out)
        // torch shadowed by a package that fails to import, as on a machine without it.
        let shadow = dir.appendingPathComponent("shadow/torch")
        try FileManager.default.createDirectory(at: shadow, withIntermediateDirectories: true)
        try "raise ImportError('No module named torch (shadowed)')\n".write(to: shadow.appendingPathComponent("__init__.py"), atomically: true, encoding: .utf8)
        let run = Process()
        run.executableURL = URL(fileURLWithPath: python)
        run.arguments = [out + "/repro_pytorch.py"]
        run.environment = ["PYTHONPATH": dir.appendingPathComponent("shadow").path, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        run.standardOutput = pipe
        run.standardError = pipe
        try run.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(run.terminationStatus == 2 && text.contains("cannot check here"), "\(run.terminationStatus): \(text)")
    }

    /// A real framework's performance defect is its growth from the campaign's seed against the controls'
    /// growth, as the oracle judged it: the seed goes into `seed/` and every script measures both models. PyTorch
    /// is several times slower than ONNX Runtime on lenet5 itself, which made an unchanged model "show" a
    /// slowdown when the scripts compared absolute times; a model that grew far more than the controls shows it.
    @Test func aRealFrameworkSlowdownIsGrowthFromTheSeed() throws {
        let python = try TriageAcceptanceTests.python()
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = try FuzzModel.seed(named: "lenet5", seed: 1)
        let seedCandidate = ReductionCandidate(model: seed, inputs: seed.inputs())
        let defect = try Self.defect(frameworks: "pytorch", symptom: "slowdown", subtype: "E1", id: 5)
        var thresholds = OracleThresholds()
        thresholds.slowdownFactor = 2
        let writer = ReproducerWriter(exporter: OnnxExporter(interpreter: python), controls: ["onnxruntime"])
        let same = dir.appendingPathComponent("same").path
        let folder = try writer.write(defect: defect, candidate: seedCandidate, reduction: nil, planted: [], to: same,
                                      thresholds: thresholds, seed: seedCandidate)
        let seedFiles = ["seed/graph.json", "seed/weights.safetensors", "seed/input_0.npy", "seed/model.onnx"]
        #expect(seedFiles.allSatisfy { folder.files.contains($0) }, "\(folder.files)")
        let control = try Self.script(python, "control_onnxruntime.py", in: same)
        #expect(control.status == 0 && control.output.contains("on its seed model: grew"), "\(control.output)")
        let repro = try Self.script(python, "repro_pytorch.py", in: same)
        #expect(repro.status == 0 && repro.output.contains("no defect: it grew less than 2.0 times the controls' growth"), "\(repro.status): \(repro.output)")
        // A far larger model on PyTorch, against a control that did not grow: the defect shows.
        let large = try FuzzModel.seed(named: "resnet50", seed: 1)
        let grown = dir.appendingPathComponent("grown").path
        _ = try writer.write(defect: defect, candidate: ReductionCandidate(model: large, inputs: large.inputs()), reduction: nil, planted: [],
                             to: grown, thresholds: thresholds, seed: seedCandidate)
        try #"{"framework": "onnxruntime", "growth": {"time": 1.0, "memory": 1.0}}"#.write(toFile: grown + "/measured_onnxruntime.json", atomically: true, encoding: .utf8)
        let shows = try Self.script(python, "repro_pytorch.py", in: grown)
        #expect(shows.status == 1 && shows.output.contains("DEFECT SHOWS"), "\(shows.status): \(shows.output)")
    }

    /// A rewrite replaces the folder whole (an earlier run's inputs and scripts do not linger), and a folder
    /// holding anything a reproducer does not is refused, its files kept.
    @Test func aReproducerFolderIsReplacedWholeAndNothingElseIsTouched() throws {
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let candidate = ReductionCandidate(model: model, inputs: model.inputs())
        let defect = try BuilderReproducerTests.defect(frameworks: "pytorch")
        let out = dir.appendingPathComponent("D7")
        let writer = ReproducerWriter(controls: [])
        _ = try writer.write(defect: defect, candidate: candidate, reduction: nil, planted: [], to: out.path, tolerance: 1e-9)
        // The report quotes the tolerance its scripts check (the campaign's), not the default.
        let report = try String(contentsOf: out.appendingPathComponent("bug-report.md"), encoding: .utf8)
        #expect(report.contains("within a mean relative distance of 1e-09:"), "\(report)")
        #expect(try String(contentsOf: out.appendingPathComponent("repro_pytorch.py"), encoding: .utf8).contains("1e-09"))
        try Data("stale".utf8).write(to: out.appendingPathComponent("input_9.npy"))
        let again = try writer.write(defect: defect, candidate: candidate, reduction: nil, planted: [], to: out.path)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("input_9.npy").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("bug-report.md").path) && again.path.hasSuffix("/D7"))
        let mine = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: mine.appendingPathComponent("notes.txt"))
        #expect(throws: TriageError.self) { try writer.write(defect: defect, candidate: candidate, reduction: nil, planted: [], to: mine.path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: mine.path) == ["notes.txt"])
        // A file given as the folder is no folder to replace: kept, the write refused.
        let file = dir.appendingPathComponent("notes.md")
        try Data("mine".utf8).write(to: file)
        #expect(throws: TriageError.self) { try writer.write(defect: defect, candidate: candidate, reduction: nil, planted: [], to: file.path) }
        #expect(try String(contentsOf: file, encoding: .utf8) == "mine")
        try FileManager.default.removeItem(at: file)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["D7", "mine"])
    }

    /// A `D<id>` folder the tool names under an output folder may not lead out of it through a planted link
    /// (`defects repro --all --out BASE`, `report --repro-dir`); a folder the user names may be a link.
    @Test func aPlantedLinkDoesNotTakeTheReproducerOutOfItsBase() throws {
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        let candidate = ReductionCandidate(model: model, inputs: model.inputs())
        let defect = try BuilderReproducerTests.defect(frameworks: "pytorch")
        let base = dir.appendingPathComponent("base"), victim = dir.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        let link = base.appendingPathComponent("D7")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: victim)
        let writer = ReproducerWriter(controls: [])
        let error = #expect(throws: TriageError.self) {
            try writer.write(defect: defect, candidate: candidate, reduction: nil, planted: [], to: link.path, confinedTo: base.path)
        }
        #expect(error?.code == .unsafePath && error?.detail.contains("leads outside") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path).isEmpty)
        // Named by the user, the link is followed.
        let folder = try writer.write(defect: defect, candidate: candidate, reduction: nil, planted: [], to: link.path)
        #expect(folder.path == victim.resolvingSymlinksInPath().path)
    }

    /// Inputs are written in their declared dtype (ONNX Runtime refuses an f64 or i32 input given as f32 or i64),
    /// and a NaN bound for an integer input is written, not a trap.
    @Test func npyInputsKeepTheirDeclaredType() {
        func descr(_ t: Tensor) -> String {
            let data = NpyWriter.tensor(t)
            let n = Int(data[8]) | Int(data[9]) << 8
            let header = String(decoding: data[10..<(10 + n)], as: UTF8.self)
            return String(header.split(separator: "'")[3])
        }
        #expect(descr(Tensor(shape: [2], dtype: .f64, values: [1, 2])) == "<f8")
        #expect(descr(Tensor(shape: [2], dtype: .i32, values: [1, 2])) == "<i4")
        #expect(descr(Tensor(shape: [2], dtype: .i64, values: [.nan, 2])) == "<i8")
        #expect(descr(Tensor(shape: [2], dtype: .f16, values: [1, 2])) == "<f2")
        #expect(descr(Tensor(shape: [2], dtype: .bool, values: [0, 1])) == "|b1")
        #expect(descr(Tensor(shape: [2], values: [1, 2])) == "<f4")
    }
}
