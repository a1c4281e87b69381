import ModelIR

/// Edits shared by the operators: insert a node on an edge, remove a node, fresh names, and re-inference with
/// weight reconciliation (weights whose shape still fits are kept; new or reshaped ones are drawn from the
/// record's seed), so an operator only states its local change.
extension FuzzModel {
    /// Nodes (by index) that read `name`, with the input slot.
    func consumers(of name: String) -> [(node: Int, slot: Int)] {
        var result: [(Int, Int)] = []
        for (i, node) in graph.nodes.enumerated() {
            for (s, ref) in node.inputs.enumerated() where ref.node == name { result.append((i, s)) }
        }
        return result
    }

    /// Whether the node's value is a graph output.
    func isOutput(_ name: String) -> Bool { graph.outputs.contains { $0.node == name } }

    /// A name no node has yet: `base_m<k>`.
    func freshName(_ base: String) -> String {
        let names = Set(graph.nodes.map(\.name))
        var k = 0
        while names.contains("\(base)_m\(k)") { k += 1 }
        return "\(base)_m\(k)"
    }

    /// Inserts `node` right after `ref`'s producer and moves every reader of `ref` (graph outputs included,
    /// `node` itself excepted) onto the new node's output. Returns the new node's name.
    @discardableResult
    mutating func insert(_ node: Node, after ref: ValueRef) -> String {
        var node = node
        let position = (index(of: ref.node) ?? 0) + 1
        for i in graph.nodes.indices {
            for s in graph.nodes[i].inputs.indices where graph.nodes[i].inputs[s] == ref { graph.nodes[i].inputs[s] = ValueRef(node.name) }
        }
        for i in graph.outputs.indices where graph.outputs[i] == ref { graph.outputs[i] = ValueRef(node.name) }
        if node.inputs.isEmpty { node.inputs = [ref] }
        graph.nodes.insert(node, at: position)
        return node.name
    }

    /// Inserts `node` (whose inputs are set) on the edge into `consumer`'s input `slot`, just before the consumer.
    mutating func insert(_ node: Node, before consumer: String, slot: Int = 0) {
        guard let c = index(of: consumer) else { return }
        graph.nodes[c].inputs[slot] = ValueRef(node.name)
        graph.nodes.insert(node, at: c)
    }

    /// Inserts a node after `name`'s output 0 with the given op and attributes, the role of `name`.
    @discardableResult
    mutating func insert(_ op: OpKind, after name: String, attributes: [String: AttributeValue] = [:], extraInputs: [ValueRef] = []) -> String {
        let role = node(name)?.role ?? .backbone
        let new = Node(name: freshName(op.rawValue.lowercased()), op: op, inputs: [ValueRef(name)] + extraInputs, attributes: attributes, role: role)
        return insert(new, after: ValueRef(name))
    }

    /// Removes a single-input node, moving its readers onto its input.
    mutating func remove(_ name: String) {
        guard let i = index(of: name), let source = graph.nodes[i].inputs.first else { return }
        let ref = ValueRef(name)
        for j in graph.nodes.indices {
            for s in graph.nodes[j].inputs.indices where graph.nodes[j].inputs[s] == ref { graph.nodes[j].inputs[s] = source }
        }
        for j in graph.outputs.indices where graph.outputs[j] == ref { graph.outputs[j] = source }
        for spec in graph.nodes[i].weights { weights[graph.nodes[i].weightKey(spec.name)] = nil }
        graph.nodes.remove(at: i)
    }

    /// Re-runs inference; keeps every weight whose shape still fits, draws new or reshaped ones from `seed`,
    /// drops weights no node owns any more.
    mutating func reinfer(seed: UInt64) throws(MutationError) {
        do { graph = try graph.inferred() } catch { throw MutationError(.invalidMutant, error.description) }
        if checkingOnly { return }
        var kept: WeightStore = [:]
        for node in graph.nodes {
            for spec in node.weights {
                let key = node.weightKey(spec.name)
                if let t = weights[key], t.shape == spec.shape { kept[key] = t } else {
                    kept[key] = WeightInitializer.tensor(for: spec, seed: seed, key: key)
                }
            }
        }
        weights = kept
    }

    /// Single-input nodes whose output has the type of their input: the places LR/LC/LS may act.
    func isShapePreserving(_ node: Node) -> Bool {
        guard node.inputs.count == 1, node.outputs.count == 1, let input = graph.type(of: node.inputs[0]) else { return false }
        return input == node.output
    }

    /// The type flowing into a node's first input.
    func inputType(_ node: Node) -> TensorType? { node.inputs.first.flatMap { graph.type(of: $0) } }

    /// Nodes an edit may touch: not an input, not a graph output (LEMON keeps the final softmax; here the
    /// graph's outputs, whatever their op, are what the oracles compare). Nodes after a softmax that is not an
    /// output stay editable: in an attention block the last softmax is followed by the rest of the network.
    func editable(_ node: Node) -> Bool {
        guard node.op != .input, !isOutput(node.name) else { return false }
        return true
    }
}

extension FuzzModel {
    /// `node` alone: each of its distinct inputs an Input `x<k>` of the input's type, the node its only output
    /// (weights keep their keys: the node keeps its name). With the value each Input stands for, so a caller
    /// feeds them the values it has (the float64 reference's, a framework's). Nil when an input has no type.
    public func isolated(_ node: Node) -> (graph: Graph, inputs: [(name: String, ref: ValueRef, type: TensorType)])? {
        var graph = Graph(name: self.graph.name + "-isolated")
        var inputs: [(name: String, ref: ValueRef, type: TensorType)] = []
        var renamed: [ValueRef: ValueRef] = [:]
        for (k, ref) in node.inputs.enumerated() where renamed[ref] == nil {
            guard let type = self.graph.type(of: ref) else { return nil }
            let name = "x\(k)"
            graph.nodes.append(Node(name: name, op: .input, attributes: ["shape": .ints(type.shape), "dtype": .string(type.dtype.rawValue)], role: node.role))
            inputs.append((name, ref, type))
            renamed[ref] = ValueRef(name)
        }
        var alone = node
        alone.inputs = node.inputs.map { renamed[$0]! }
        graph.nodes.append(alone)
        graph.outputs = [ValueRef(node.name)]
        return (graph, inputs)
    }

    /// Inserts `chain` (nodes reading `ref` or earlier chain nodes) right after `ref`'s producer and moves
    /// every other reader of `ref`, graph outputs included, onto `result`.
    mutating func splice(after ref: ValueRef, chain: [Node], result: ValueRef) {
        let chainNames = Set(chain.map(\.name))
        for i in graph.nodes.indices where !chainNames.contains(graph.nodes[i].name) {
            for s in graph.nodes[i].inputs.indices where graph.nodes[i].inputs[s] == ref { graph.nodes[i].inputs[s] = result }
        }
        for i in graph.outputs.indices where graph.outputs[i] == ref { graph.outputs[i] = result }
        let position = (index(of: ref.node) ?? 0) + 1
        graph.nodes.insert(contentsOf: chain, at: position)
    }

    /// A node named after its op, fresh in this model and distinct from `taken` (names in a chain not yet
    /// inserted).
    func newNode(_ op: OpKind, _ inputs: [ValueRef], _ attributes: [String: AttributeValue] = [:], role: Role, taken: inout Set<String>) -> Node {
        let names = Set(graph.nodes.map(\.name)).union(taken)
        let base = op.rawValue.lowercased()
        var k = 0
        while names.contains("\(base)_m\(k)") { k += 1 }
        taken.insert("\(base)_m\(k)")
        return Node(name: "\(base)_m\(k)", op: op, inputs: inputs, attributes: attributes, role: role)
    }

    /// The chain of nodes from `start` on, following sole readers, up to `limit` nodes: the "blocks" that
    /// mixed precision and residual operators wrap. The chain stays in `start`'s part of the model (backbone or
    /// head): position control places the target, and a block reaching into the other part would edit both.
    func chain(from start: String, limit: Int) -> [Node] {
        guard var current = node(start) else { return [] }
        var result = [current]
        while result.count < limit {
            let readers = consumers(of: current.name)
            guard readers.count == 1, !isOutput(current.name) else { break }
            let next = graph.nodes[readers[0].node]
            guard next.inputs.count == 1, editable(next), next.outputs.count == 1, next.role == result[0].role else { break }
            result.append(next)
            current = next
        }
        return result
    }
}
