import Foundation
import Testing
@testable import ModelIR

@Suite struct SerializationTests {
    func tempDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("modelir-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func graphJSONRoundTripsEveryAttributeKind() throws {
        var graph = try baseGraph()
        graph.set("bn", "epsilon", .float(1.0))
        graph.set("pool", "ceil_mode", .bool(true))
        graph.insert("p", .pad, ["conv"], ["pads": .ints([0, 0, 1, 1, 0, 0, 1, 1]), "mode": .string("edge"), "value": .float(0)])
        graph = try graph.inferred()
        let decoded = try ModelBundle.decodeGraph(ModelBundle.encodeGraph(graph))
        #expect(decoded == graph)
        // 1.0 must come back as a float, not an int, or a framework worker would read a different type.
        #expect(decoded.node(named: "bn")?.attributes["epsilon"] == .float(1.0))
        let text = String(decoding: ModelBundle.encodeGraph(graph), as: UTF8.self)
        #expect(text.contains("\"op\" : \"Conv2d\""))
    }

    @Test func everyZooGraphRoundTrips() throws {
        for entry in ModelZoo.entries {
            let graph = try entry.build(entry.defaults)
            #expect(try ModelBundle.decodeGraph(ModelBundle.encodeGraph(graph)) == graph, "\(entry.name)")
        }
    }

    @Test func safetensorsLayout() throws {
        let tensors = ["b": Tensor(shape: [2], values: [1, -2]), "a": Tensor(shape: [1, 3], values: [0.5, 0, 3])]
        let data = Safetensors.encode(tensors)
        var length = 0
        for i in 0..<8 { length |= Int(data[i]) << (8 * i) }
        #expect(length % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
        let a = header["a"] as! [String: Any]
        #expect(a["dtype"] as? String == "F32")
        #expect(a["data_offsets"] as? [Int] == [0, 12])
        #expect((header["b"] as! [String: Any])["data_offsets"] as? [Int] == [12, 20])
        #expect(data.count == 8 + length + 20)
        // Little-endian IEEE-754 1.0f for b[0].
        #expect(Array(data[(8 + length + 12)..<(8 + length + 16)]) == [0x00, 0x00, 0x80, 0x3f])
        #expect(try Safetensors.decode(data) == tensors)
    }

    /// An unknown op in graph.json names the place, the nearest spelling and the ops there are.
    @Test func anUnknownOpSaysWhereAndWhatItMightBe() throws {
        let graph = try baseGraph()
        let text = String(decoding: ModelBundle.encodeGraph(graph), as: UTF8.self).replacingOccurrences(of: "\"ReLU\"", with: "\"Relu\"")
        do {
            _ = try ModelBundle.decodeGraph(Data(text.utf8))
            Issue.record("accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("unknown op 'Relu' (did you mean 'ReLU'?)") && message.contains("at nodes[3].op") && message.contains("Conv2d"), "\(message)")
            #expect(!message.contains("Cannot initialize"))
        }
    }

    @Test func truncatedAndCorruptFilesAreClearErrors() throws {
        let data = Safetensors.encode(["w": Tensor(shape: [4], values: [1, 2, 3, 4])])
        #expect(throws: SerializationError.self) { try Safetensors.decode(data.prefix(5)) }
        do { _ = try Safetensors.decode(data.prefix(data.count - 3)); Issue.record("accepted") } catch { #expect(error.code == .truncated) }
        do { _ = try Safetensors.decode(data.prefix(20)); Issue.record("accepted") } catch { #expect(error.code == .truncated) }
        var corrupt = data
        corrupt[9] = 0x7b
        corrupt[10] = 0x7b
        do { _ = try Safetensors.decode(corrupt); Issue.record("corrupt header accepted") } catch { #expect(error.code == .corruptHeader) }
    }

    /// A header field of the wrong type is named ("has no dtype, shape or data_offsets" was said of a header that
    /// had all three), and a negative dimension is not "too large to hold".
    @Test func headerProblemsNameTheField() throws {
        func header(_ json: String) -> Data {
            var length = UInt64(json.utf8.count).littleEndian
            return Data(bytes: &length, count: 8) + Data(json.utf8) + Data(repeating: 0, count: 24)
        }
        for (json, says) in [(#"{"w":{"dtype":"F32","shape":["6"],"data_offsets":[0,24]}}"#, "shape is not a list of integers"),
                             (#"{"w":{"dtype":"F32","shape":[6],"data_offsets":[0,18446744073709551640]}}"#, "data_offsets is not two integers"),
                             (#"{"w":{"shape":[6],"data_offsets":[0,24]}}"#, "dtype is missing"),
                             (#"{"w":{"dtype":"F32","shape":[-6],"data_offsets":[0,24]}}"#, "a negative dimension")] {
            do { _ = try Safetensors.decode(header(json)); Issue.record("accepted \(json)") } catch {
                #expect(error.description.contains(says), "\(json): \(error)")
            }
        }
    }

    @Test func bundleSavesLoadsAndHashes() throws {
        let graph = try baseGraph()
        let bundle = ModelBundle(graph: graph, weights: WeightInitializer.initialize(graph, seed: 2))
        let dir = tempDirectory()
        try bundle.save(to: dir)
        let loaded = try ModelBundle.load(from: dir)
        #expect(loaded.graph == graph)
        #expect(loaded.weights == bundle.weights)
        #expect(loaded.contentHash == bundle.contentHash)
        #expect(bundle.contentHash.count == 64)
        var edited = bundle
        edited.weights["fc.bias"]!.values[0] += 1
        #expect(edited.contentHash != bundle.contentHash)
    }

    /// A save replaces the folder's files whole, through a rename: a link in the folder is replaced, not
    /// followed (a linked graph.json wrote over the file it named, outside the folder), and nothing partial stays.
    @Test func saveReplacesLinksAndLeavesNoPartialFiles() throws {
        let graph = try baseGraph()
        let dir = tempDirectory()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let outside = dir.deletingLastPathComponent().appendingPathComponent("victim-\(UUID().uuidString).txt")
        try Data("precious".utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(ModelBundle.graphFile), withDestinationURL: outside)
        let bundle = ModelBundle(graph: graph, weights: WeightInitializer.initialize(graph, seed: 2))
        try bundle.save(to: dir)
        #expect(try String(contentsOf: outside, encoding: .utf8) == "precious")
        #expect(try ModelBundle.load(from: dir).contentHash == bundle.contentHash)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [ModelBundle.graphFile, ModelBundle.weightsFile].sorted())
    }

    /// A save killed between its two renames (a new graph beside the old weights, the new weights staged) is
    /// said as such when the folder is loaded.
    @Test func aSaveKilledBetweenItsRenamesIsSaid() throws {
        let graph = try baseGraph()
        let dir = tempDirectory()
        try ModelBundle(graph: graph, weights: WeightInitializer.initialize(graph, seed: 2)).save(to: dir)
        let weights = dir.appendingPathComponent(ModelBundle.weightsFile)
        try FileManager.default.moveItem(at: weights, to: dir.appendingPathComponent(".weights.safetensors.ABCD1234.partial"))
        try Safetensors.encode([:]).write(to: weights)
        do { _ = try ModelBundle.load(from: dir); Issue.record("accepted") } catch let error as SerializationError {
            #expect(error.description.contains("an interrupted `models save` left .weights.safetensors.ABCD1234.partial"), "\(error)")
        }
    }

    /// A graph that breaks a rule names the file it came from (`diff --load A --baseline B` said the same of either).
    @Test func aBrokenRuleNamesTheGraphFile() throws {
        let graph = try baseGraph()
        let dir = tempDirectory()
        try ModelBundle(graph: graph, weights: WeightInitializer.initialize(graph, seed: 2)).save(to: dir)
        let path = dir.appendingPathComponent(ModelBundle.graphFile)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        var nodes = try #require(object["nodes"] as? [[String: Any]])
        nodes.swapAt(0, nodes.count - 1)
        object["nodes"] = nodes
        try JSONSerialization.data(withJSONObject: object).write(to: path)
        do { _ = try ModelBundle.load(from: dir); Issue.record("accepted") } catch let error as SerializationError {
            #expect("\(error)".contains(path.path), "\(error)")
        }
    }

    @Test func loadRejectsMissingAndMismatchedWeights() throws {
        let graph = try baseGraph()
        var weights = WeightInitializer.initialize(graph, seed: 2)
        weights["fc.weight"] = Tensor(shape: [3], values: [1, 2, 3])
        let dir = tempDirectory()
        try ModelBundle(graph: graph, weights: weights).save(to: dir)
        do { _ = try ModelBundle.load(from: dir); Issue.record("accepted") } catch let error as SerializationError {
            #expect(error.code == .weightMismatch)
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent(ModelBundle.weightsFile))
        do { _ = try ModelBundle.load(from: dir); Issue.record("accepted") } catch let error as SerializationError {
            #expect(error.code == .missingFile)
        }
    }

    /// A hand-edited graph.json whose declared output types or weight shapes are not what inference gives is
    /// refused, naming the node (they were replaced silently, so the model that ran was not the file's).
    @Test func declaredTypesAndWeightsMustMatchInference() throws {
        let graph = try baseGraph().inferred()
        let bundle = ModelBundle(graph: graph, weights: WeightInitializer.initialize(graph, seed: 2))
        let dir = tempDirectory()
        try bundle.save(to: dir)
        let file = dir.appendingPathComponent(ModelBundle.graphFile)
        let original = try String(contentsOf: file, encoding: .utf8)
        var outputs = graph
        outputs.nodes[1].outputs[0].dtype = .f16
        try ModelBundle.encodeGraph(outputs).write(to: file)
        #expect(throws: SerializationError.self) { try ModelBundle.load(from: dir) }
        do { _ = try ModelBundle.load(from: dir) } catch let error as SerializationError {
            #expect(error.description.contains("node 'conv' declares outputs f16["), "\(error)")
        }
        var weights = graph
        weights.nodes[1].weights[0].shape = [4, 3, 1, 1]
        try ModelBundle.encodeGraph(weights).write(to: file)
        #expect(throws: SerializationError.self) { try ModelBundle.load(from: dir) }
        // Saved as it is, and with nothing declared (inference fills it in), it loads.
        try original.write(to: file, atomically: true, encoding: .utf8)
        _ = try ModelBundle.load(from: dir)
    }

    @Test func sha256KnownAnswers() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
