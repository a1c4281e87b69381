/// Why a graph is not a legal model, naming the node, its op and the rule it breaks, so a mutant is rejected
/// before any framework sees it and the rejection says which constraint to respect.
public struct ValidityError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case duplicateName = "duplicate-name"
        case unknownInput = "unknown-input"
        case notTopological = "not-topological"
        case noOutputs = "no-outputs"
        case inputArity = "input-arity"
        case missingAttribute = "missing-attribute"
        case attributeType = "attribute-type"
        case attributeRange = "attribute-range"
        /// An attribute name the op does not read (a misspelling, or another op's attribute).
        case unknownAttribute = "unknown-attribute"
        case inputRank = "input-rank"
        case dtype = "dtype"
        case channelMismatch = "channel-mismatch"
        case groupsDivisibility = "groups-divisibility"
        case kernelExceedsInput = "kernel-exceeds-input"
        case padExceedsKernel = "pad-exceeds-kernel"
        case emptyOutput = "empty-output"
        case broadcast = "broadcast"
        case concatShape = "concat-shape"
        case splitSizes = "split-sizes"
        case reshapeCount = "reshape-count"
        case permutation = "permutation"
        case axisRange = "axis-range"
        case reflectPad = "reflect-pad"
        case weightShape = "weight-shape"
        /// A value or tensor beyond what this tool builds (`OpContext.maxAttribute`, `GraphInference.maxElements`):
        /// a corrupt or hand-edited model, refused before its sizes overflow or its weights are allocated.
        case tooLarge = "too-large"
        /// A node or graph name with control characters (an untrusted file's escape sequences would reach the
        /// terminal through every listing) or beyond `GraphInference.maxNameBytes`.
        case badName = "bad-name"
    }

    public var code: Code
    public var node: String
    public var op: String
    public var rule: String

    public init(_ code: Code, node: String, op: String, rule: String) {
        self.code = code
        self.node = node
        self.op = op
        self.rule = rule
    }

    public var description: String { "node '\(node)' (\(op)): \(code.rawValue): \(rule)" }
}
