import Foundation

/// What `models list`, `show` and `load` print about a model: identity, size, and its input/output types.
public struct ModelSummary: Codable, Sendable {
    public var name: String
    public var task: String
    public var reference: String
    public var convention: String
    /// Parameters under the reference's convention (torchvision: trainable; Keras: all weights).
    public var parameters: Int
    public var trainableParameters: Int
    public var allWeights: Int
    public var referenceParameters: Int?
    public var nodes: Int
    public var input: String
    public var outputs: [String]
    public var inputSize: Int?
    public var width: Double?
    public var classes: Int?
    public var fullSize: Bool?
    public var backboneNodes: Int
    public var headNodes: Int

    public init(entry: ZooEntry?, graph: Graph, config: ZooConfig?) {
        name = entry?.name ?? graph.name
        task = entry?.task ?? "unknown"
        reference = entry?.reference ?? "loaded graph"
        let convention = entry?.convention ?? .trainable
        self.convention = convention == .all ? "keras (all weights)" : "torchvision (trainable)"
        parameters = graph.parameterCount(convention)
        trainableParameters = graph.parameterCount(.trainable)
        allWeights = graph.parameterCount(.all)
        referenceParameters = config?.fullSize == true ? entry?.referenceParameters : nil
        nodes = graph.nodes.count
        input = graph.inputNodes.map { $0.output.description }.joined(separator: ", ")
        outputs = graph.outputs.map { graph.type(of: $0)?.description ?? "?" }
        inputSize = config?.inputSize
        width = config?.width
        classes = config?.classes
        fullSize = config?.fullSize
        backboneNodes = graph.nodes.filter { $0.role == .backbone }.count
        headNodes = graph.nodes.filter { $0.role == .head }.count
    }

    public static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// Aligned text lines: one per model, for `models list`.
    public static func table(_ rows: [ModelSummary]) -> String {
        var lines = [["name", "task", "parameters", "nodes", "input"]]
        for r in rows { lines.append([r.name, r.task, String(r.parameters), String(r.nodes), r.input]) }
        let widths = (0..<5).map { c in lines.map { $0[c].count }.max() ?? 0 }
        return lines.map { row in
            row.enumerated().map { c, v in c == 4 ? v : v.padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    public var text: String {
        var s = """
            name: \(name)
            task: \(task)
            reference: \(reference)
            parameters: \(parameters) (\(convention); trainable \(trainableParameters), all weights \(allWeights))
            nodes: \(nodes) (backbone \(backboneNodes), head \(headNodes))
            input: \(input)
            outputs: \(outputs.joined(separator: ", "))
            """
        if let referenceParameters { s += "\nreference parameters: \(referenceParameters) (\(referenceParameters == parameters ? "match" : "MISMATCH"))" }
        if let inputSize, let width, let classes { s += "\nconfig: input-size \(inputSize), width \(width), classes \(classes)\(fullSize == true ? ", full size" : "")" }
        return s
    }
}
