import Foundation
import ModelIR
import Workers

/// The ONNX file the ONNX Runtime worker builds from the IR (`onnx` package, checked by onnx.checker), as
/// `defectlab models export --onnx` writes it. One worker serves every export of a run (starting one costs
/// seconds); `shutdown` ends it.
public final class OnnxExporter: @unchecked Sendable {
    public let interpreter: String
    private var worker: Worker?
    private let lock = NSLock()

    public init(interpreter: String) { self.interpreter = interpreter }

    deinit { worker?.shutdown() }

    public func export(_ graph: Graph, weights: WeightStore) throws -> Data {
        lock.lock(); defer { lock.unlock() }
        if worker == nil { worker = Worker(spec: try WorkerSpec.framework("onnxruntime", interpreter: interpreter)) }
        let safetensors = Safetensors.encode(weights)
        let reply = try worker!.call(["type": "export", "graph": String(decoding: ModelBundle.encodeGraph(graph), as: UTF8.self),
                                      "weights_offset": 0, "weights_nbytes": safetensors.count], payload: safetensors)
        struct Header: Decodable { var status: String; var message: String? }
        let header = try JSONDecoder().decode(Header.self, from: reply.header)
        guard header.status == "ok", let model = try reply.tensors()["onnx"] else {
            throw TriageError(.io, "ONNX export failed: \(header.message ?? "no model")")
        }
        return model.bytes
    }

    public func shutdown() {
        lock.lock(); defer { lock.unlock() }
        worker?.shutdown()
        worker = nil
    }
}
