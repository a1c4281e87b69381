import Foundation
import GRDB
import ModelIR
import Oracles
import Store
import Testing
import Workers

@Suite struct StoreAndExportTests {
    @Test func findingsAreStored() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wt7-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try DefectLabStore.open(path: dir.appendingPathComponent("db.sqlite").path)
        let finding = Finding(taxonomy: "F1", symptom: "inconsistency", stage: "execute", frameworks: ["jax"], node: "conv2d_1",
                              op: "Conv2d", scope: "some", detail: "d")
        let report = DiffReport(model: "m", modelHash: "h", seed: 1, frameworks: [], findings: [finding, finding], gaps: [])
        let run = try FindingRecorder.record(report, in: store)
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT taxonomy, key FROM finding WHERE run_id = ?", arguments: [run]).map { [$0["taxonomy"] as String, $0["key"] as String] }
        }
        #expect(rows.count == 2)
        #expect(rows.first == ["F1", finding.id])
        #expect(try store.info().migrations.contains("v2-findings"))
    }

    @Test func onnxExportIsCheckedModel() throws {
        let subject = try Fixtures.prepared("lenet5")
        let worker = try Fixtures.pool.worker("onnxruntime")
        let weights = Safetensors.encode(subject.weights)
        let reply = try worker.call(["type": "export", "graph": String(decoding: ModelBundle.encodeGraph(subject.graph), as: UTF8.self),
                                     "weights_offset": 0, "weights_nbytes": weights.count], payload: weights)
        let bytes = try #require(try reply.tensors()["onnx"]).bytes
        #expect(bytes.count > Int(Double(weights.count) * 0.9))
        #expect(String(decoding: bytes.prefix(64), as: UTF8.self).contains("defectlab"))
    }
}
