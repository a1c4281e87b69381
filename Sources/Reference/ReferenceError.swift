import ModelIR

/// Why the reference interpreter could not run a graph: the node, and what is wrong.
public struct ReferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidGraph = "invalid-graph"
        case missingInput = "missing-input"
        case inputShape = "input-shape"
        case missingWeight = "missing-weight"
        case indexOutOfRange = "index-out-of-range"
        /// Every node's output together would not fit in memory (the interpreter keeps them all).
        case tooLarge = "too-large"
    }

    public var code: Code
    public var node: String
    public var detail: String

    public init(_ code: Code, node: String, _ detail: String) {
        self.code = code
        self.node = node
        self.detail = detail
    }

    public var description: String { "node '\(node)': \(code.rawValue): \(detail)" }
}
