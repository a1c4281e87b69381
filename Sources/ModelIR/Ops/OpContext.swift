/// What an op's inference step sees: the node, its input types, typed attribute access and `require`, which
/// turns a broken constraint into a `ValidityError` naming node, op and rule.
public struct OpContext: Sendable {
    public let node: Node
    public let inputs: [TensorType]
    /// The attribute names inference asked for, present or not: a name the node carries that nobody asked for
    /// is one no op rule, reference or worker reads (a misspelt `padding` for `pads` used to leave the default
    /// in force silently).
    private let reads = AttributeReads()

    public init(node: Node, inputs: [TensorType]) {
        self.node = node
        self.inputs = inputs
    }

    /// Whether the node carries `key` (asked through here, so the name counts as one the op reads).
    public func has(_ key: String) -> Bool {
        reads.insert(key)
        return node.attributes[key] != nil
    }

    /// The names the node carries that inference never asked for, in name order.
    var unreadAttributes: [String] { node.attributes.keys.filter { !reads.contains($0) }.sorted() }

    /// The names inference asked for, in name order.
    var readAttributes: [String] { reads.all.sorted() }

    /// The largest integer attribute (in magnitude) a node may carry: far above any real layer (channels, kernel,
    /// a vocabulary), and small enough that the products shape inference forms stay far from overflowing.
    public static let maxAttribute = 1 << 24

    /// `values` multiplied, or a `too-large` error where the product overflows or passes `limit`.
    public func product(_ values: [Int], limit: Int = GraphInference.maxElements, _ what: @autoclosure () -> String) throws(ValidityError) -> Int {
        guard let result = values.checkedProduct(limit: limit) else { throw fail(.tooLarge, "\(what()) \(values) is more than \(limit) elements") }
        return result
    }

    public func fail(_ code: ValidityError.Code, _ rule: String) -> ValidityError {
        ValidityError(code, node: node.name, op: node.op.rawValue, rule: rule)
    }

    public func require(_ condition: Bool, _ code: ValidityError.Code, _ rule: @autoclosure () -> String) throws(ValidityError) {
        if !condition { throw fail(code, rule()) }
    }

    // MARK: inputs

    public func arity(_ count: Int) throws(ValidityError) {
        try require(inputs.count == count, .inputArity, "expects \(count) input(s), got \(inputs.count)")
    }

    public func arity(atLeast count: Int) throws(ValidityError) {
        try require(inputs.count >= count, .inputArity, "expects at least \(count) input(s), got \(inputs.count)")
    }

    public func rank(_ index: Int, _ allowed: Set<Int>) throws(ValidityError) {
        let r = inputs[index].rank
        try require(allowed.contains(r), .inputRank,
                    "input \(index) has rank \(r) \(inputs[index]), expected rank \(allowed.sorted().map(String.init).joined(separator: " or "))")
    }

    public func rank(_ index: Int, atLeast minimum: Int) throws(ValidityError) {
        try require(inputs[index].rank >= minimum, .inputRank, "input \(index) has rank \(inputs[index].rank), expected at least \(minimum)")
    }

    public func floatInput(_ index: Int) throws(ValidityError) {
        try require(inputs[index].dtype.isFloat, .dtype, "input \(index) is \(inputs[index].dtype.rawValue), expected a float dtype")
    }

    public func positiveShape(_ index: Int) throws(ValidityError) {
        try require(inputs[index].shape.allSatisfy { $0 > 0 }, .emptyOutput, "input \(index) \(inputs[index]) has an empty dimension")
    }

    // MARK: attributes

    public func int(_ key: String, default value: Int? = nil) throws(ValidityError) -> Int {
        reads.insert(key)
        switch node.attributes[key] {
        case .int(let v)?:
            try require(v.magnitude <= Self.maxAttribute.magnitude, .tooLarge, "attribute '\(key)' = \(v) is beyond ±\(Self.maxAttribute)")
            return v
        case nil:
            if let value { return value }
            throw fail(.missingAttribute, "attribute '\(key)' is required")
        case let other?: throw fail(.attributeType, "attribute '\(key)' must be an integer, got \(other)")
        }
    }

    public func ints(_ key: String, count: Int? = nil, default value: [Int]? = nil) throws(ValidityError) -> [Int] {
        reads.insert(key)
        let result: [Int]
        switch node.attributes[key] {
        case .ints(let v)?: result = v
        // No scalar shorthand ("stride": 2): the reference and the workers read lists only, so a scalar that passed
        // here ran with their defaults instead (or trapped).
        case nil:
            guard let value else { throw fail(.missingAttribute, "attribute '\(key)' is required") }
            result = value
        case let other?: throw fail(.attributeType, "attribute '\(key)' must be a list of integers, got \(other)")
        }
        if let count {
            try require(result.count == count, .attributeRange, "attribute '\(key)' needs \(count) values, got \(result.count)")
        }
        try require(result.allSatisfy { $0.magnitude <= Self.maxAttribute.magnitude }, .tooLarge,
                    "attribute '\(key)' = \(result) holds a value beyond ±\(Self.maxAttribute)")
        return result
    }

    public func float(_ key: String, default value: Double? = nil) throws(ValidityError) -> Double {
        reads.insert(key)
        switch node.attributes[key] {
        case .float(let v)?: return v
        case .int(let v)?: return Double(v)
        case nil:
            if let value { return value }
            throw fail(.missingAttribute, "attribute '\(key)' is required")
        case let other?: throw fail(.attributeType, "attribute '\(key)' must be a number, got \(other)")
        }
    }

    public func bool(_ key: String, default value: Bool) throws(ValidityError) -> Bool {
        reads.insert(key)
        switch node.attributes[key] {
        case .bool(let v)?: return v
        case nil: return value
        case let other?: throw fail(.attributeType, "attribute '\(key)' must be a boolean, got \(other)")
        }
    }

    public func string(_ key: String, default value: String? = nil, allowed: [String]) throws(ValidityError) -> String {
        reads.insert(key)
        let result: String
        switch node.attributes[key] {
        case .string(let v)?: result = v
        case nil:
            guard let value else { throw fail(.missingAttribute, "attribute '\(key)' is required") }
            result = value
        case let other?: throw fail(.attributeType, "attribute '\(key)' must be a string, got \(other)")
        }
        try require(allowed.contains(result), .attributeRange, "attribute '\(key)' is '\(result)', expected one of \(allowed.joined(separator: ", "))")
        return result
    }

    /// Normalizes a possibly negative axis against `rank`.
    public func axis(_ value: Int, rank: Int, key: String = "axis") throws(ValidityError) -> Int {
        let a = value < 0 ? value + rank : value
        try require(a >= 0 && a < rank, .axisRange, "attribute '\(key)' = \(value) is out of range for rank \(rank)")
        return a
    }
}

/// The result of inferring one node: its output types and the weights it owns.
public struct Inference: Sendable, Hashable {
    public var outputs: [TensorType]
    public var weights: [WeightSpec]

    public init(_ outputs: [TensorType], weights: [WeightSpec] = []) {
        self.outputs = outputs
        self.weights = weights
    }
}

/// The names an `OpContext` was asked for. A class, so the copies of a context share it; each context is used by
/// one inference on one thread.
private final class AttributeReads: @unchecked Sendable {
    private var names: Set<String> = []
    func insert(_ name: String) { names.insert(name) }
    func contains(_ name: String) -> Bool { names.contains(name) }
    var all: Set<String> { names }
}
