import Foundation
import Testing
@testable import ModelIR

/// The hand-written graph JSON must be byte for byte what JSONEncoder writes: content hashes, stored
/// `graph.json` files and the wire all depend on it.
@Suite struct GraphJSONTests {
    static func foundation(_ graph: Graph, pretty: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(graph)
    }

    @Test(arguments: ModelZoo.entries.map(\.name))
    func zooModelsEncodeLikeJSONEncoder(_ name: String) throws {
        let entry = try #require(ModelZoo.entry(named: name))
        let graph = try entry.build(entry.defaults)
        for pretty in [true, false] {
            let mine = GraphJSON.encode(graph, pretty: pretty), theirs = try Self.foundation(graph, pretty: pretty)
            #expect(mine == theirs, "\(name) pretty=\(pretty): first difference at byte \(zip(mine, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(mine.count, theirs.count))")
        }
        #expect(ModelBundle.encodeGraph(graph) == (try Self.foundation(graph, pretty: true)))
    }

    @Test func hostileNamesFloatsAndEmptyContainers() throws {
        let floats: [Double] = [1, 0.5, 1e-5, 6, 1e20, 1e16, 1e15, 0.1, 3.3333333333333335, -0.0, 1e-7, 2.5e-300, -1.5, 100,
                                1e-4, 5e-324, 1.7976931348623157e308, .pi]
        var attributes: [String: AttributeValue] = ["ints": .ints([]), "neg": .int(-3), "flag": .bool(false),
                                                   "text": .string("q\"x\\ /\n\t\r\u{8}\u{c}\u{1}\u{1f}\u{7f}é✓\u{2028}")]
        for (i, f) in floats.enumerated() { attributes["f\(i)"] = .float(f) }
        let graph = Graph(name: "weird \"name\"/\u{0}", nodes: [
            Node(name: "in/put", op: .input, attributes: attributes, role: .head, outputs: [TensorType([], .bf16), TensorType([2, 0], .i64)],
                 weights: [WeightSpec("w\"", [], .prelu, trainable: false, fanIn: -1, fanOut: 0)]),
            Node(name: "empty", op: .relu),
        ], outputs: [ValueRef("in/put", 1), ValueRef("empty")])
        for pretty in [true, false] {
            let mine = GraphJSON.encode(graph, pretty: pretty), theirs = try Self.foundation(graph, pretty: pretty)
            #expect(String(decoding: mine, as: UTF8.self) == String(decoding: theirs, as: UTF8.self))
        }
        #expect(try JSONDecoder().decode(Graph.self, from: GraphJSON.encode(graph, pretty: false)) == graph)
        #expect(GraphJSON.encode(Graph(name: ""), pretty: true) == (try Self.foundation(Graph(name: ""), pretty: true)))
    }
}
