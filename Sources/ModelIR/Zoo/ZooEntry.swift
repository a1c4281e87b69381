/// One seed architecture: what it is for, which reference implementation its full-size parameter count
/// follows, its default and full sizes, and how to build it.
public struct ZooEntry: Sendable {
    public var name: String
    public var task: String
    /// The implementation the full-size build matches, e.g. "torchvision resnet50".
    public var reference: String
    public var convention: ParameterConvention
    /// The full-size parameter count of the reference implementation, where one is published.
    public var referenceParameters: Int?
    public var inputKind: InputKind
    public var defaults: ZooConfig
    public var full: ZooConfig
    /// Vocabulary size for token inputs (the generator draws ids below it).
    public var vocab: Int
    /// Builds the graph for a configuration; call `build(_:)`.
    public var builder: @Sendable (ZooConfig) throws(ValidityError) -> Graph

    public init(name: String, task: String, reference: String, convention: ParameterConvention = .trainable,
                referenceParameters: Int? = nil, inputKind: InputKind = .image, defaults: ZooConfig, full: ZooConfig,
                vocab: Int = 0, build: @escaping @Sendable (ZooConfig) throws(ValidityError) -> Graph) {
        self.name = name
        self.task = task
        self.reference = reference
        self.convention = convention
        self.referenceParameters = referenceParameters
        self.inputKind = inputKind
        self.defaults = defaults
        self.full = full
        self.vocab = vocab
        self.builder = build
    }

    /// The configuration for optional overrides: full size first, then explicit input size, width and classes.
    public func config(inputSize: Int? = nil, width: Double? = nil, classes: Int? = nil, fullSize: Bool = false) -> ZooConfig {
        var c = fullSize ? full : defaults
        if let inputSize { c.inputSize = inputSize }
        if let width { c.width = width }
        if let classes { c.classes = classes }
        return c
    }

    public func build(_ config: ZooConfig) throws(ValidityError) -> Graph { try builder(config) }
}

extension ZooEntry {
    /// Seeded inputs for a graph built from this entry: images, sequences, or token ids below the
    /// vocabulary of the graph's first Embedding.
    public func inputs(for graph: Graph, seed: UInt64) -> [String: Tensor] {
        var vocab = Swift.max(self.vocab, 1)
        if let embedding = graph.nodes.first(where: { $0.op == .embedding }), case .int(let v)? = embedding.attributes["vocab"] { vocab = v }
        return InputGenerator.generate(graph, kind: inputKind, seed: seed, vocab: vocab)
    }
}
