import Foundation
import Testing
@testable import ModelIR

/// A hand-edited or corrupt model names sizes no real model has: every one must be an error, never an overflow
/// trap in shape inference or a terabyte allocation.
@Suite struct OversizeTests {
    /// Every integer attribute of the first node of each op kind in every zoo model, set to values around the limit
    /// and far beyond it: inference either refuses the graph or gives tensors within the element limit.
    @Test func hugeAttributesAreErrorsNotTraps() throws {
        var tried = 0, refused = 0
        for entry in ModelZoo.entries {
            let graph = try entry.build(entry.defaults)
            var seen = Set<OpKind>()
            for (index, node) in graph.nodes.enumerated() where seen.insert(node.op).inserted {
                for (key, value) in node.attributes {
                    let edits: [AttributeValue]
                    switch value {
                    case .int: edits = [1 << 62, -(1 << 62), Int.min, Int.max, OpContext.maxAttribute, OpContext.maxAttribute + 1].map { .int($0) }
                    case .ints(let list) where !list.isEmpty:
                        edits = [1 << 62, Int.min, OpContext.maxAttribute, 1 << 40].flatMap { v in
                            [AttributeValue.ints(list.map { _ in v }), .ints([v] + list.dropFirst())]
                        }
                    default: edits = []
                    }
                    for edit in edits {
                        var edited = graph
                        edited.nodes[index].attributes[key] = edit
                        tried += 1
                        do {
                            let inferred = try edited.inferred()
                            for node in inferred.nodes {
                                for out in node.outputs { #expect(out.elementCount <= GraphInference.maxElements, "\(entry.name) \(node.name)") }
                            }
                        } catch {
                            refused += 1
                        }
                    }
                }
            }
        }
        #expect(tried > 500 && refused > tried / 2, "\(refused) of \(tried)")
    }

    /// Int.min has no magnitude in Int: a bound checked with abs() trapped on it.
    @Test func theSmallestIntegerIsAnErrorToo() throws {
        #expect([Int.min].checkedProduct(limit: 1 << 30) == nil)
        var graph = try baseGraph()
        graph.nodes[0].attributes["shape"] = .ints([Int.min, 1, 28, 28])
        #expect(throws: ValidityError.self) { try graph.inferred() }
    }

    /// Names come from untrusted files and reach terminals, reports and the store: control characters and
    /// floods are refused, and the error shows the name escaped, never raw.
    @Test func hostileNamesAreRefused() throws {
        for bad in ["t\u{1B}[2Jx", "\u{1B}]0;PWNED\u{07}", "a\u{0}b", "x\u{9B}31m", "rtl\u{202E}gpj.exe", String(repeating: "n", count: 2000)] {
            var node = try baseGraph()
            let old = node.nodes[1].name
            node.nodes[1].name = bad
            for i in node.nodes.indices { node.nodes[i].inputs = node.nodes[i].inputs.map { $0.node == old ? ValueRef(bad, $0.output) : $0 } }
            node.outputs = node.outputs.map { $0.node == old ? ValueRef(bad, $0.output) : $0 }
            do { _ = try node.inferred(); Issue.record("accepted \(bad.debugDescription.prefix(40))") } catch {
                #expect(error.code == .badName && !"\(error)".unicodeScalars.contains { $0.value == 0x1B || $0.value == 0 || $0.value == 0x9B }, "\(error)")
                #expect("\(error)".count < 400)
            }
            var graph = try baseGraph()
            graph.name = bad.utf8.count > 1024 ? String(repeating: "g", count: GraphInference.maxGraphNameBytes + 1) : bad
            #expect(throws: ValidityError.self) { try graph.inferred() }
        }
        // A graph may be named after many parts (a merged group of capability probes), up to 64 KB.
        var long = try baseGraph()
        long.name = String(repeating: "probe.Conv2d+", count: 500)
        _ = try long.inferred()
        var fine = try baseGraph()
        fine.name = "résumé-net ünïcode 模型"
        _ = try fine.inferred()
    }

    @Test func aHugeInputOrReshapeIsTooLarge() throws {
        var graph = try baseGraph()
        graph.nodes[0].attributes["shape"] = .ints([1, 3, 1 << 24, 1 << 24])
        #expect(throws: ValidityError.self) { try graph.inferred() }
        do { _ = try graph.inferred() } catch { #expect(error.code == .tooLarge, "\(error)") }
        var reshape = try baseGraph()
        reshape.insert("r", .reshape, ["fc"], ["shape": .ints([1 << 24, 1 << 24, 1 << 24, 1 << 24])])
        do { _ = try reshape.inferred(); Issue.record("accepted") } catch { #expect(error.code == .tooLarge, "\(error)") }
        // Wide but within bounds: more weights than 2^30 values together is refused before anything is allocated.
        var wide = try baseGraph()
        wide.set("fc", "units", .int(1 << 24))
        wide.set("conv", "out_channels", .int(1 << 10))
        do { _ = try wide.inferred(); Issue.record("accepted") } catch { #expect(error.code == .tooLarge, "\(error)") }
    }

    /// A header shape whose product overflows, overlapping tensors, bytes no tensor owns: corrupt, said so.
    @Test func safetensorsHeadersAreCheckedWhole() throws {
        func file(_ header: String, data: Int) -> Data {
            var json = Array(header.utf8)
            while json.count % 8 != 0 { json.append(0x20) }
            var out = Data()
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
            return out + json + Data(count: data)
        }
        let overflow = file(#"{"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,16]}}"#, data: 16)
        do { _ = try Safetensors.decode(overflow); Issue.record("accepted") } catch { #expect(error.code == .badTensor, "\(error)") }
        let overlap = file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: 8)
        do { _ = try Safetensors.decode(overlap); Issue.record("accepted") } catch { #expect(error.code == .corruptHeader && "\(error)".contains("overlaps"), "\(error)") }
        let tail = file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: 12)
        do { _ = try Safetensors.decode(tail); Issue.record("accepted") } catch { #expect(error.code == .corruptHeader && "\(error)".contains("4 bytes after"), "\(error)") }
        let gap = file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)
        do { _ = try Safetensors.decode(gap); Issue.record("accepted") } catch { #expect(error.code == .corruptHeader, "\(error)") }
        #expect(try Safetensors.decode(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: 8))["a"]?.shape == [2])
    }

    /// Not a regular file (a directory, a device such as /dev/zero, which never ends): said so, not "not found";
    /// a tensor no node reads is left out of the model and its hash.
    @Test func bundleFilesAreRegularAndOnlyTheGraphsWeightsCount() throws {
        let graph = try baseGraph()
        let weights = WeightInitializer.initialize(graph, seed: 2)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oversize-\(UUID().uuidString)")
        var extra = weights
        extra["stray.weight"] = Tensor(shape: [2], values: [1, 2])
        try ModelBundle(graph: graph, weights: extra).save(to: dir)
        let loaded = try ModelBundle.load(from: dir)
        #expect(loaded.weights == weights)
        #expect(loaded.contentHash == ModelBundle(graph: graph, weights: weights).contentHash)
        let weightsURL = dir.appendingPathComponent(ModelBundle.weightsFile)
        try FileManager.default.removeItem(at: weightsURL)
        try FileManager.default.createSymbolicLink(atPath: weightsURL.path, withDestinationPath: "/dev/zero")
        do { _ = try ModelBundle.load(from: dir); Issue.record("accepted") } catch let error as SerializationError {
            #expect(error.code == .io && "\(error)".contains("not a regular file"), "\(error)")
        }
        let graphURL = dir.appendingPathComponent(ModelBundle.graphFile)
        try FileManager.default.removeItem(at: graphURL)
        try FileManager.default.createDirectory(at: graphURL, withIntermediateDirectories: false)
        do { _ = try ModelBundle.load(from: dir); Issue.record("accepted") } catch let error as SerializationError {
            #expect(error.code == .io && "\(error)".contains("is a directory"), "\(error)")
        }
    }
}
