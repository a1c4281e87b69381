import ArgumentParser
import Doctor
import Foundation
import ModelIR
import Reference
import Workers

/// `defectlab models export NAME --onnx FILE`: the ONNX model the ONNX Runtime worker builds from the IR
/// (made with the `onnx` package and checked with onnx.checker).
struct ModelsExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a seed (or a saved model) as ONNX.")

    @Argument(help: "Model name, or a saved model folder.")
    var name: String
    @Option(help: "Output .onnx file.")
    var onnx: String
    @Option(help: "Seed for the weights (a seed model only).")
    var seed: UInt64?
    @OptionGroup var size: ModelSizeOptions

    func validate() throws { try OutputFile.validate(onnx, readsFolders: [name]) }

    func run() throws {
        let graph: Graph, weights: WeightStore
        if FileManager.default.fileExists(atPath: URL(fileURLWithPath: name).appendingPathComponent(ModelBundle.graphFile).path) {
            // A saved model is exported as saved: options that shape a seed would be silently ignored.
            if seed != nil || size.inputSize != nil || size.width != nil || size.classes != nil || size.fullSize {
                throw ValidationError("\(name) is a saved model folder, exported as saved: --seed, --input-size, --width, --classes and --full-size shape a seed model only")
            }
            FileHandle.standardError.write(Data("exporting the saved model in \(name)\n".utf8))
            let bundle = try ModelBundle.load(from: URL(fileURLWithPath: name))
            (graph, weights) = (bundle.graph, bundle.weights)
        } else {
            let entry = try DiffCommand.resolve(name)
            let model = try PreparedModel.prepare(entry, size.config(entry), seed: seed ?? 0)
            (graph, weights) = (model.graph, model.weights)
        }
        let worker = Worker(spec: try WorkerSpec.framework("onnxruntime", interpreter: try PythonEnvironment.locate().interpreter))
        defer { worker.shutdown() }
        let safetensors = Safetensors.encode(weights)
        let reply = try worker.call(["type": "export", "graph": String(decoding: ModelBundle.encodeGraph(graph), as: UTF8.self),
                                     "weights_offset": 0, "weights_nbytes": safetensors.count], payload: safetensors)
        struct Header: Decodable { var status: String; var message: String? }
        let header = try JSONDecoder().decode(Header.self, from: reply.header)
        guard header.status == "ok", let model = try reply.tensors()["onnx"] else {
            throw ValidationError("export failed: \(header.message ?? "no model")")
        }
        try OutputFile.write(model.bytes, to: onnx)
        print("wrote \(onnx) (\(model.bytes.count) bytes, checked by onnx.checker)")
    }
}
