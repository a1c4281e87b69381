import Testing
import ModelIR
@testable import Reference

/// Runs one op on given inputs and weights through a one-node graph and returns that node's outputs.
func runOp(_ op: OpKind, _ inputs: [([Int], [Double])], _ attributes: [String: AttributeValue] = [:],
           weights: [String: [Float]] = [:], dtype: DType = .f32) throws -> [Float64Tensor] {
    var graph = Graph(name: "op")
    var feeds: [String: Tensor] = [:]
    for (i, (shape, values)) in inputs.enumerated() {
        let name = "x\(i)"
        graph.nodes.append(Node(name: name, op: .input, attributes: ["shape": .ints(shape), "dtype": .string(dtype.rawValue)]))
        feeds[name] = Tensor(shape: shape, dtype: dtype, values: values.map(Float.init))
    }
    graph.nodes.append(Node(name: "op", op: op, inputs: inputs.indices.map { ValueRef("x\($0)") }, attributes: attributes))
    graph.outputs = [ValueRef("op")]
    graph = try graph.inferred()
    let node = graph.nodes.last!
    graph.outputs = node.outputs.indices.map { ValueRef("op", $0) }
    var store: WeightStore = [:]
    for spec in node.weights {
        let values = try #require(weights[spec.name], "test gives no value for weight '\(spec.name)'")
        store[node.weightKey(spec.name)] = Tensor(shape: spec.shape, values: values)
    }
    return try ReferenceInterpreter(graph: graph, weights: store).run(inputs: feeds).values["op"]!
}

/// Elementwise closeness where NaN matches NaN and infinities must match exactly.
func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "count \(actual.count) vs \(expected.count)", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok = (a.isNaN && e.isNaN) || a == e || abs(a - e) <= tolerance * Swift.max(1, abs(e))
        #expect(ok, "element \(i): \(a) vs \(e)", sourceLocation: sourceLocation)
    }
}

let nine: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
