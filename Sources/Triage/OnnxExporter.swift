import Foundation
import ModelIR
import Workers

/// The ONNX file the ONNX Runtime worker builds from the IR (`onnx` package, checked by onnx.checker), as
/// `defectlab models export --onnx` writes it.
public struct OnnxExporter: Sendable {
    public let interpreter: String

    public init(interpreter: String) { self.interpreter = interpreter }

    public func export(_ graph: Graph, weights: WeightStore) throws -> Data {
        let worker = Worker(spec: try WorkerSpec.framework("onnxruntime", interpreter: interpreter))
        defer { worker.shutdown() }
        let safetensors = Safetensors.encode(weights)
        let reply = try worker.call(["type": "export", "graph": String(decoding: ModelBundle.encodeGraph(graph), as: UTF8.self),
                                     "weights_offset": 0, "weights_nbytes": safetensors.count], payload: safetensors)
        struct Header: Decodable { var status: String; var message: String? }
        let header = try JSONDecoder().decode(Header.self, from: reply.header)
        guard header.status == "ok", let model = try reply.tensors()["onnx"] else {
            throw TriageError(.io, "ONNX export failed: \(header.message ?? "no model")")
        }
        return model.bytes
    }
}
