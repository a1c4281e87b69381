import ModelIR

/// The reducer's graph edits. Each returns a graph that may break a validity rule: the candidate built from
/// it is re-inferred and dropped when it does, so an edit only states its structural change.
enum GraphEdits {
    /// Only the nodes the outputs depend on, in their order.
    static func deadCodeEliminated(_ graph: Graph) -> Graph {
        var live = Set(graph.outputs.map(\.node))
        for node in graph.nodes.reversed() where live.contains(node.name) {
            for ref in node.inputs { live.insert(ref.node) }
        }
        var g = graph
        g.nodes = graph.nodes.filter { live.contains($0.name) }
        return g
    }

    /// The graph returning `ref` alone (everything after it falls away).
    static func cut(_ graph: Graph, at ref: ValueRef) -> Graph {
        var g = graph
        g.outputs = [ref]
        return g
    }

    /// The graph with `name`'s value fed from outside: the node becomes an Input of its output's type (its
    /// producers fall away). Nil for nodes with several outputs.
    static func asInput(_ graph: Graph, _ name: String) -> Graph? {
        guard let i = graph.nodes.firstIndex(where: { $0.name == name }), graph.nodes[i].outputs.count == 1 else { return nil }
        let type = graph.nodes[i].output
        var g = graph
        g.nodes[i] = Node(name: name, op: .input, attributes: ["shape": .ints(type.shape), "dtype": .string(type.dtype.rawValue)],
                          role: graph.nodes[i].role)
        // Inputs come first by convention.
        let node = g.nodes.remove(at: i)
        g.nodes.insert(node, at: 0)
        return g
    }

    /// The graph with `name`'s readers reading its input `slot` instead (the node bypassed).
    static func bypass(_ graph: Graph, _ name: String, slot: Int = 0) -> Graph? {
        guard let node = graph.node(named: name), slot < node.inputs.count else { return nil }
        return rewire(graph, from: ValueRef(name), to: node.inputs[slot])
    }

    /// A contiguous run of nodes bypassed: readers of the last read the first's input.
    static func bypassBlock(_ graph: Graph, from start: Int, count: Int) -> Graph? {
        guard start >= 0, start + count <= graph.nodes.count, count > 0 else { return nil }
        let first = graph.nodes[start], last = graph.nodes[start + count - 1]
        guard first.op != .input, let source = first.inputs.first, last.outputs.count == 1 else { return nil }
        return rewire(graph, from: ValueRef(last.name), to: source)
    }

    static func rewire(_ graph: Graph, from: ValueRef, to: ValueRef) -> Graph {
        var g = graph
        for i in g.nodes.indices {
            for s in g.nodes[i].inputs.indices where g.nodes[i].inputs[s] == from { g.nodes[i].inputs[s] = to }
        }
        for i in g.outputs.indices where g.outputs[i] == from { g.outputs[i] = to }
        return g
    }

    /// Batch 1: every Input's first dimension, and Reshape targets that name the batch.
    static func batchOne(_ graph: Graph) -> Graph? {
        var g = graph, changed = false
        for i in g.nodes.indices where g.nodes[i].op == .input {
            if case .ints(var shape)? = g.nodes[i].attributes["shape"], shape.count > 1, shape[0] > 1 {
                let old = shape[0]
                shape[0] = 1
                g.nodes[i].attributes["shape"] = .ints(shape)
                changed = true
                for j in g.nodes.indices where g.nodes[j].op == .reshape {
                    if case .ints(var s)? = g.nodes[j].attributes["shape"], s.first == old { s[0] = 1; g.nodes[j].attributes["shape"] = .ints(s) }
                }
            }
        }
        return changed ? g : nil
    }

    /// Spatial sizes halved: every rank-4 Input's H and W (at least `floor`).
    static func halveSpatial(_ graph: Graph, floor: Int = 2) -> Graph? {
        var g = graph, changed = false
        for i in g.nodes.indices where g.nodes[i].op == .input {
            if case .ints(var shape)? = g.nodes[i].attributes["shape"], shape.count >= 3 {
                for d in 2..<shape.count where shape[d] / 2 >= floor { shape[d] /= 2; changed = true }
                g.nodes[i].attributes["shape"] = .ints(shape)
            }
        }
        return changed ? g : nil
    }

    /// Channels halved: Inputs' dimension 1 and every layer's width (`out_channels`, `units`, `hidden`), with
    /// `groups` kept dividing them (validity rejects what no longer fits).
    static func halveChannels(_ graph: Graph, floor: Int = 1) -> Graph? {
        var g = graph, changed = false
        for i in g.nodes.indices {
            switch g.nodes[i].op {
            case .input:
                if case .ints(var shape)? = g.nodes[i].attributes["shape"], shape.count >= 3, shape[1] / 2 >= floor {
                    shape[1] /= 2
                    g.nodes[i].attributes["shape"] = .ints(shape)
                    changed = true
                }
            default:
                for key in ["out_channels", "units", "hidden"] {
                    if case .int(let v)? = g.nodes[i].attributes[key], v / 2 >= floor {
                        g.nodes[i].attributes[key] = .int(v / 2)
                        changed = true
                    }
                }
                if case .int(let groups)? = g.nodes[i].attributes["groups"], groups > 1 {
                    g.nodes[i].attributes["groups"] = .int(Swift.max(1, groups / 2))
                }
                if case .int(let n)? = g.nodes[i].attributes["num_parameters"], n > 1 {
                    g.nodes[i].attributes["num_parameters"] = .int(Swift.max(1, n / 2))
                }
            }
        }
        return changed ? g : nil
    }
}
