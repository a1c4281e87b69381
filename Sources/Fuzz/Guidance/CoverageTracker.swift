import ModelIR

/// COMET's coverage over the model IR: layer pairs (producer op -> consumer op), layer inputs (op x rank x
/// dtype x arity) and layer parameters (op x attribute x value, at most five values per numeric attribute).
public struct CoverageTracker: Sendable {
    public private(set) var pairs = Set<String>()
    public private(set) var inputs = Set<String>()
    public private(set) var parameters = Set<String>()
    private var valuesPerAttribute: [String: Int] = [:]

    public init() {}

    public var total: Int { pairs.count + inputs.count + parameters.count }

    /// Adds a graph's coverage; returns how many new items it brought.
    @discardableResult
    public mutating func add(_ graph: Graph) -> Int {
        let before = total
        var producers: [String: Node] = [:]
        for node in graph.nodes {
            producers[node.name] = node
            for ref in node.inputs { if let p = producers[ref.node] { pairs.insert("\(p.op.rawValue)>\(node.op.rawValue)") } }
            let types = node.inputs.compactMap { producers[$0.node]?.outputs[safe: $0.output] }
            let signature = types.map { "\($0.rank)\($0.dtype.rawValue)" }.joined(separator: ",")
            inputs.insert("\(node.op.rawValue)(\(signature))")
            for (key, value) in node.attributes {
                let item = "\(node.op.rawValue).\(key)=\(value)"
                if parameters.contains(item) { continue }
                let attribute = "\(node.op.rawValue).\(key)"
                if valuesPerAttribute[attribute, default: 0] >= 5 { continue }
                valuesPerAttribute[attribute, default: 0] += 1
                parameters.insert(item)
            }
        }
        return total - before
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
