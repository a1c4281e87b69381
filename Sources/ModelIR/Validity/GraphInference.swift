/// Runs shape/dtype inference and every validity rule over a graph, node by node in order, filling in each
/// node's `outputs` and `weights`. The first broken rule is thrown; `check` collects one error per node instead.
public enum GraphInference {
    public static func infer(_ graph: Graph) throws(ValidityError) -> Graph {
        var result = graph
        var index: [String: Int] = [:]
        let positions = Dictionary(graph.nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, node) in graph.nodes.enumerated() {
            let ctx0 = OpContext(node: node, inputs: [])
            try ctx0.require(!node.name.isEmpty, .duplicateName, "node names must be non-empty")
            try ctx0.require(index[node.name] == nil, .duplicateName, "another node is already named '\(node.name)'")
            var types: [TensorType] = []
            for ref in node.inputs {
                guard let j = index[ref.node] else {
                    if positions[ref.node] != nil {
                        throw ctx0.fail(.notTopological, "input '\(ref)' is defined after this node")
                    }
                    throw ctx0.fail(.unknownInput, "input '\(ref)' names no node")
                }
                let producer = result.nodes[j]
                try ctx0.require(ref.output >= 0 && ref.output < producer.outputs.count, .unknownInput,
                                 "input '\(ref)': '\(producer.name)' has \(producer.outputs.count) output(s)")
                types.append(producer.outputs[ref.output])
            }
            let ctx = OpContext(node: node, inputs: types)
            let inference = try OpSpec.infer(ctx)
            for out in inference.outputs {
                try ctx.require(out.shape.allSatisfy { $0 > 0 }, .emptyOutput, "output \(out) is empty")
            }
            result.nodes[i].outputs = inference.outputs
            result.nodes[i].weights = inference.weights
            index[node.name] = i
        }
        // Graph-level rules name the graph itself, with "Graph" in place of an op.
        guard !graph.outputs.isEmpty else { throw ValidityError(.noOutputs, node: graph.name, op: "Graph", rule: "the graph returns nothing") }
        for ref in graph.outputs {
            guard let j = index[ref.node], ref.output >= 0, ref.output < result.nodes[j].outputs.count else {
                throw ValidityError(.unknownInput, node: graph.name, op: "Graph", rule: "graph output '\(ref)' names no value")
            }
        }
        return result
    }
}

extension Graph {
    /// This graph with every node's outputs and weights inferred; throws the first broken rule.
    public func inferred() throws(ValidityError) -> Graph { try GraphInference.infer(self) }
}
