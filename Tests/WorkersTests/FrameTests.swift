import Foundation
import ModelIR
import Testing
@testable import Workers

@Suite struct FrameTests {
    @Test func roundTripsHeaderAndTensors() throws {
        let t = WireTensor(name: "x", tensor: Tensor(shape: [2, 2], values: [1, -2, 3.5, .nan]))
        let ids = WireTensor(name: "ids", tensor: Tensor(shape: [3], dtype: .i64, values: [0, 7, 999]))
        var buffer = Frame.make(["type": "run", "n": 3], tensors: [t, ids]).encoded()
        buffer.append(Data([1, 2]))   // the start of the next frame stays in the buffer
        let frame = try #require(try Frame.take(from: &buffer))
        #expect(buffer == Data([1, 2]))
        let tensors = try frame.tensors()
        #expect(tensors["x"]?.shape == [2, 2])
        let xs = try #require(tensors["x"]?.doubles)
        #expect(Array(xs.prefix(3)) == [1, -2, 3.5] && xs[3].isNaN)
        #expect(tensors["ids"]?.dtype == .i64 && tensors["ids"]?.doubles == [0, 7, 999])
        let header = try JSONSerialization.jsonObject(with: frame.header) as? [String: Any]
        #expect(header?["type"] as? String == "run")
    }

    /// The hand-written header JSON reads back as what JSONSerialization would have written.
    @Test func headerJSONMatchesFoundation() throws {
        let fields: [String: Any] = [
            "type": "run", "per_node": true, "off": false, "warmup": 1, "neg": -7, "lr": 0.05, "tiny": 1e-300,
            "names": ["a\"b", "c\\d", "e\nf\u{1}", "é✓/"], "nested": ["steps": 3, "lr": 0.5] as [String: Any],
            "shape": [1, 3, 28, 28], "empty": [Int](), "ns": NSNumber(value: 12),
        ]
        let data = HeaderJSON.encode(fields)
        let back = try #require(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any])
        #expect(back["type"] as? String == "run")
        #expect(back["per_node"] as? Bool == true && back["off"] as? Bool == false)
        #expect(back["warmup"] as? Int == 1 && back["neg"] as? Int == -7 && back["ns"] as? Int == 12)
        #expect(back["lr"] as? Double == 0.05 && back["tiny"] as? Double == 1e-300)
        #expect(back["names"] as? [String] == ["a\"b", "c\\d", "e\nf\u{1}", "é✓/"])
        #expect((back["nested"] as? [String: Any])?["steps"] as? Int == 3)
        #expect(back["shape"] as? [Int] == [1, 3, 28, 28] && (back["empty"] as? [Any])?.isEmpty == true)
        // Python's json reads these tokens; Foundation's reader does not, so they are checked as text.
        let text = String(decoding: HeaderJSON.encode(["nan": Double.nan, "inf": -Double.infinity]), as: UTF8.self)
        #expect(text.contains("\"nan\":NaN") && text.contains("\"inf\":-Infinity"))
    }

    /// A request laid out by `FrameBuilder` reads back whole: the graph, the weights (a valid safetensors file
    /// at the header's offset, aligned), the inputs; weights the worker holds travel by name only.
    @Test func requestWireReadsBack() throws {
        let entry = try #require(ModelZoo.entry(named: "lenet5"))
        let graph = try entry.build(entry.defaults)
        let weights = WeightInitializer.initialize(graph, seed: 3)
        let inputs = entry.inputs(for: graph, seed: 3)
        let request = ExecutionRequest(graph: graph, weights: weights, inputs: inputs)
        var buffer = Worker.requestWire(request).frame
        let frame = try #require(try Frame.take(from: &buffer))
        #expect(buffer.isEmpty)
        let header = try #require(try JSONSerialization.jsonObject(with: frame.header) as? [String: Any])
        let p = frame.payload, base = p.startIndex
        let g0 = try #require(header["graph_offset"] as? Int), gn = try #require(header["graph_nbytes"] as? Int)
        #expect(try JSONDecoder().decode(Graph.self, from: Data(p[base + g0..<base + g0 + gn])) == graph)
        let w0 = try #require(header["weights_offset"] as? Int), wn = try #require(header["weights_nbytes"] as? Int)
        #expect(w0 % 8 == 0)
        #expect(try Safetensors.decode(Data(p[base + w0..<base + w0 + wn])) == weights)
        let tensors = try frame.tensors()
        for (name, t) in inputs { #expect(tensors["input:" + name]?.doubles == t.values.map(Double.init)) }

        var held = weights
        let kept = held.keys.sorted().first!
        held[kept] = nil
        var partial = Worker.requestWire(request, held: weights.filter { $0.key == kept }).frame
        let second = try #require(try Frame.take(from: &partial))
        let h2 = try #require(try JSONSerialization.jsonObject(with: second.header) as? [String: Any])
        #expect(h2["weights_cached"] as? [String] == [kept])
        let s0 = try #require(h2["weights_offset"] as? Int), sn = try #require(h2["weights_nbytes"] as? Int)
        let q = second.payload
        #expect(try Safetensors.decode(Data(q[q.startIndex + s0..<q.startIndex + s0 + sn])) == held)
    }

    @Test func waitsForMoreBytesAndRejectsGarbage() throws {
        let whole = Frame.make(["type": "ping"]).encoded()
        var partial = whole.prefix(whole.count - 1)
        var data = Data(partial)
        #expect(try Frame.take(from: &data) == nil)
        partial = Data(repeating: 0xff, count: 12)
        var garbage = Data(partial)
        #expect(throws: WorkerError.self) { try Frame.take(from: &garbage) }
    }

    @Test func capabilitiesReportMissingOps() throws {
        let json = #"{"protocol":1,"framework":"x","version":"1","ops":["Input","Conv2d","ReLU"],"variants":[],"training":false}"#
        let caps = try JSONDecoder().decode(Capabilities.self, from: Data(json.utf8))
        #expect(caps.missingOps(["Input", "Conv2d", "LSTM", "GRU"]) == ["GRU", "LSTM"])
        #expect(!caps.training)
    }
}
