import JSONText

/// Runs shape/dtype inference and every validity rule over a graph, node by node in order, filling in each
/// node's `outputs` and `weights`. The first broken rule is thrown; `check` collects one error per node instead.
public enum GraphInference {
    /// The most elements one tensor (a value or a weight) may hold, and all weights together: 2^30 float32 values
    /// are 4 GiB. A model beyond it is refused before anything is allocated (a corrupt file or `--input-size 100000`
    /// would otherwise overflow a size or fail to allocate terabytes).
    public static let maxElements = 1 << 30

    /// The longest node name, in UTF-8 bytes: far beyond what the zoo and repeated mutations make
    /// (`conv_m0_m1...`), far below a name that floods a terminal or the store.
    public static let maxNameBytes = 1024
    /// The longest graph name: a merged group of capability probes is named after all of them (`probe.A+probe.B
    /// +...`, 5 KB for the whole suite), which the fault-injection worker reads.
    public static let maxGraphNameBytes = 1 << 16

    /// Why `name` cannot name a node (or, `graph`, a graph), or nil. Control characters (C0, DEL, C1) and the
    /// bidirectional overrides are refused rather than escaped where shown: names reach tables, reports,
    /// reproducer scripts and the store, and one rule here covers them all.
    public static func nameProblem(_ name: String, graph: Bool = false) -> String? {
        let limit = graph ? maxGraphNameBytes : maxNameBytes
        if name.utf8.count > limit { return "a name is at most \(limit) bytes (this one is \(name.utf8.count))" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value)
            || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }) {
            return "a name may not hold control characters"
        }
        return nil
    }

    /// A name as an error may show it: control characters as `\u{..}` escapes, cut to 64 characters.
    static func shown(_ name: String) -> String { InertText.escaped(name, limit: 64) }

    public static func infer(_ graph: Graph) throws(ValidityError) -> Graph {
        if let problem = nameProblem(graph.name, graph: true) {
            throw ValidityError(.badName, node: shown(graph.name), op: "Graph", rule: problem)
        }
        var result = graph
        var weightElements = 0
        var index: [String: Int] = [:]
        let positions = Dictionary(graph.nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, node) in graph.nodes.enumerated() {
            if let problem = nameProblem(node.name) {
                throw ValidityError(.badName, node: shown(node.name), op: node.op.rawValue, rule: problem)
            }
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
            if let unread = ctx.unreadAttributes.first {
                let known = ctx.readAttributes
                let hint = Spelling.nearest(to: unread, in: known).map { " (did you mean '\($0)'?)" } ?? ""
                throw ctx.fail(.unknownAttribute, "\(node.op.rawValue) has no attribute '\(shown(unread))'\(hint); it reads "
                               + (known.isEmpty ? "none" : known.joined(separator: ", ")))
            }
            // Weights are stored in f32: an f16, bf16 or f64 value into a layer with weights is a mixed-type
            // operation that every framework refuses (PyTorch: "Input type (c10::Half) and bias type (float)
            // should be the same"), and the exported ONNX fails its full check. Ids into an Embedding are integers.
            if !inference.weights.isEmpty, let mixed = types.first(where: { $0.dtype.isFloat && $0.dtype != .f32 }) {
                throw ctx.fail(.dtype, "a layer with weights takes f32 values (its weights are f32; frameworks refuse \(mixed.dtype.rawValue) against them): Cast to f32 first")
            }
            try checkSizes(inference, ctx, weightElements: &weightElements)
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

extension GraphInference {
    /// The rules every inferred node meets besides its op's own: no empty output, and no tensor (nor all weights so
    /// far, counted in `weightElements`) beyond `maxElements`.
    static func checkSizes(_ inference: Inference, _ ctx: OpContext, weightElements: inout Int) throws(ValidityError) {
        for out in inference.outputs {
            try ctx.require(out.shape.allSatisfy { $0 > 0 }, .emptyOutput, "output \(out) is empty")
            _ = try ctx.product(out.shape, "output \(out.dtype.rawValue)")
        }
        for weight in inference.weights {
            weightElements += try ctx.product(weight.shape, "weight '\(weight.name)'")
            try ctx.require(weightElements <= maxElements, .tooLarge,
                            "the weights up to this node hold \(weightElements) values, more than \(maxElements)")
        }
    }
}

extension Graph {
    /// This graph with every node's outputs and weights inferred; throws the first broken rule.
    public func inferred() throws(ValidityError) -> Graph { try GraphInference.infer(self) }
}
