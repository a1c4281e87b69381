import Foundation
import Fuzz
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
        var rng = SeededRandom(seed: 9)
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
    let name = "ctx"
    var inProcess: Bool { true }

    func execute(_ model: FuzzModel, inputs: [String: Tensor], arbiter: ArbiterRun) -> ExecutionOutcome {
        let graph = model.graph
        let hit = graph.nodes.contains { n in n.op == .tanh && n.inputs.contains { graph.node(named: $0.node)?.op == .conv2d } }
        if hit { return ExecutionOutcome(framework: name, status: .error, stage: .execute, message: "RuntimeError in Tanh after conv", failingOp: "Tanh") }
        return ReferenceExecutor().execute(model, inputs: inputs, arbiter: arbiter)
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
}
