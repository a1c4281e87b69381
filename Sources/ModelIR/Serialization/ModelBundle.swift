import Foundation

/// A model on disk: `graph.json` (readable, sorted keys) and `weights.safetensors`, identified by a content
/// hash, SHA-256 over the canonical graph JSON followed by the safetensors bytes.
public struct ModelBundle: Sendable {
    public var graph: Graph
    public var weights: WeightStore

    public static let graphFile = "graph.json"
    public static let weightsFile = "weights.safetensors"

    public init(graph: Graph, weights: WeightStore) {
        self.graph = graph
        self.weights = weights
    }

    public static func encodeGraph(_ graph: Graph) -> Data {
        GraphJSON.encode(graph, pretty: true)
    }

    public static func decodeGraph(_ data: Data, path: String = graphFile) throws(SerializationError) -> Graph {
        do {
            return try JSONDecoder().decode(Graph.self, from: data)
        } catch {
            throw SerializationError(.badGraph, path: path, "graph JSON does not decode: \(error)")
        }
    }

    public var contentHash: String {
        var hasher = SHA256()
        hasher.update(Self.encodeGraph(graph))
        hasher.update(Safetensors.encode(weights))
        return hasher.finalize().map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    public func save(to directory: URL) throws(SerializationError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Self.encodeGraph(graph).write(to: directory.appendingPathComponent(Self.graphFile))
            try Safetensors.encode(weights, metadata: ["format": "pt", "model": graph.name]).write(to: directory.appendingPathComponent(Self.weightsFile))
        } catch {
            throw SerializationError(.io, path: directory.path, "\(error)")
        }
    }

    /// Loads, re-runs inference (a hand-edited graph is checked like a mutant), and checks every weight the
    /// graph needs is present with the shape its op expects.
    public static func load(from directory: URL) throws -> ModelBundle {
        let graphURL = directory.appendingPathComponent(graphFile), weightsURL = directory.appendingPathComponent(weightsFile)
        guard let graphData = FileManager.default.contents(atPath: graphURL.path) else {
            throw SerializationError(.missingFile, path: graphURL.path, "not found")
        }
        guard let weightData = FileManager.default.contents(atPath: weightsURL.path) else {
            throw SerializationError(.missingFile, path: weightsURL.path, "not found")
        }
        let graph = try decodeGraph(graphData, path: graphURL.path).inferred()
        let weights = try Safetensors.decode(weightData, path: weightsURL.path)
        for node in graph.nodes {
            for spec in node.weights {
                let key = node.weightKey(spec.name)
                guard let tensor = weights[key] else {
                    throw SerializationError(.weightMismatch, path: weightsURL.path, "weight '\(key)' is missing")
                }
                guard tensor.shape == spec.shape else {
                    throw SerializationError(.weightMismatch, path: weightsURL.path, "weight '\(key)' has shape \(tensor.shape), the graph needs \(spec.shape)")
                }
            }
        }
        return ModelBundle(graph: graph, weights: weights)
    }
}
