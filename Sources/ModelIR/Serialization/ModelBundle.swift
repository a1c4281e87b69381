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
        } catch let error as DecodingError {
            throw SerializationError(.badGraph, path: path, "graph JSON does not decode: \(Self.describe(error))")
        } catch {
            throw SerializationError(.badGraph, path: path, "graph JSON does not decode: \(error)")
        }
    }

    /// A decoding error as a person reads it: where in the document (`nodes[2].op`) and what is wrong, with the
    /// JSON reader's own words (line and column) for a syntax error.
    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "" : " at " + (text.hasPrefix(".") ? String(text.dropFirst()) : text)
        }
        switch error {
        case .dataCorrupted(let c):
            let underlying = (c.underlyingError as NSError?).map { ($0.userInfo[NSDebugDescriptionErrorKey] as? String) ?? $0.localizedDescription }
            return c.debugDescription + at(c.codingPath) + (underlying.map { ": \($0)" } ?? "")
        case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)'" + at(c.codingPath)
        case .typeMismatch(let type, let c): return "expected \(type)" + at(c.codingPath) + " (\(c.debugDescription))"
        case .valueNotFound(let type, let c): return "no \(type) value" + at(c.codingPath)
        @unknown default: return "\(error)"
        }
    }

    public var contentHash: String {
        var hasher = SHA256()
        hasher.update(Self.encodeGraph(graph))
        hasher.update(Safetensors.encode(weights))
        return hasher.finalize().map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    public func save(to directory: URL) throws(SerializationError) {
        // The folder, or a folder above it, already a file: said (Foundation says "error 512").
        var above = directory.standardizedFileURL
        while above.path != "/" {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: above.path, isDirectory: &isFolder) {
                if !isFolder.boolValue {
                    throw SerializationError(.io, path: above.path, "is a file; a model is saved into a folder (created when missing)")
                }
                break
            }
            above = above.deletingLastPathComponent()
        }
        for name in [Self.graphFile, Self.weightsFile] {
            var isFolder: ObjCBool = false
            let target = directory.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: target, isDirectory: &isFolder), isFolder.boolValue {
                throw SerializationError(.io, path: target, "is a folder; the model's \(name) goes there")
            }
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw SerializationError(.io, path: directory.path, error.localizedDescription)
        }
        // Both files are written beside their places first and then renamed into them: a save that fails or is
        // killed leaves the model that was there whole (it left a new graph beside old weights, or a cut file),
        // and a link in the folder is replaced, not followed (a linked graph.json wrote over the file it named).
        let token = UUID().uuidString.prefix(8)
        let files = [(Self.graphFile, Self.encodeGraph(graph)),
                     (Self.weightsFile, Safetensors.encode(weights, metadata: ["format": "pt", "model": graph.name]))]
        var staged: [(temporary: URL, target: URL)] = []
        defer { for file in staged { try? FileManager.default.removeItem(at: file.temporary) } }
        for (name, data) in files {
            let temporary = directory.appendingPathComponent(".\(name).\(token).partial")
            let target = directory.appendingPathComponent(name)
            staged.append((temporary, target))
            do { try data.write(to: temporary, options: .withoutOverwriting) } catch {
                throw SerializationError(.io, path: target.path, "cannot write: \(error.localizedDescription)")
            }
        }
        for file in staged where rename(file.temporary.path, file.target.path) != 0 {
            throw SerializationError(.io, path: file.target.path, "cannot write: \(String(cString: strerror(errno)))")
        }
    }

    /// Loads, re-runs inference (a hand-edited graph is checked like a mutant), and checks every weight the
    /// graph needs is present with the shape its op expects.
    public static func load(from directory: URL) throws -> ModelBundle {
        do { return try loadFiles(from: directory) } catch var error as SerializationError {
            // A save killed between its two renames leaves one new file beside one old one, and the other new
            // file staged beside them: said, with what to do.
            let staged = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".partial") }
            if !staged.isEmpty {
                error.detail += " (an interrupted `models save` left \(staged.sorted().joined(separator: ", ")) here: save the model again)"
            }
            throw error
        }
    }

    static func loadFiles(from directory: URL) throws -> ModelBundle {
        let graphURL = directory.appendingPathComponent(graphFile), weightsURL = directory.appendingPathComponent(weightsFile)
        let graphData = try readFile(graphURL, limit: 1 << 28)
        let declared = try decodeGraph(graphData, path: graphURL.path)
        // A broken rule names the file too: `diff --load A --baseline B` said the same of either folder.
        let graph: Graph
        do { graph = try declared.inferred() } catch {
            throw SerializationError(.badGraph, path: graphURL.path, "\(error)")
        }
        // What graph.json declares (each node's outputs and weights) must be what inference gives: a hand-edited
        // shape or dtype was silently replaced before, and the model that ran was not the one the file described.
        for (given, node) in zip(declared.nodes, graph.nodes) {
            if !given.outputs.isEmpty, given.outputs != node.outputs {
                throw SerializationError(.badGraph, path: graphURL.path, "node '\(node.name)' declares outputs \(given.outputs.map(\.description).joined(separator: ", ")), "
                                         + "but its inputs and attributes give \(node.outputs.map(\.description).joined(separator: ", "))")
            }
            if !given.weights.isEmpty, given.weights.map({ [$0.name] + $0.shape.map(String.init) }) != node.weights.map({ [$0.name] + $0.shape.map(String.init) }) {
                throw SerializationError(.badGraph, path: graphURL.path, "node '\(node.name)' declares weights "
                                         + given.weights.map { "\($0.name)\($0.shape)" }.joined(separator: ", ") + ", but it needs "
                                         + node.weights.map { "\($0.name)\($0.shape)" }.joined(separator: ", "))
            }
        }
        // The weights' size is known from the graph now: a file far beyond it is refused before it is read.
        let needed = graph.nodes.reduce(0) { $0 + $1.weights.reduce(0) { $0 + $1.elementCount } }
        let weightData = try readFile(weightsURL, limit: needed * 4 + (1 << 26))
        let stored = try Safetensors.decode(weightData, path: weightsURL.path)
        // Only the tensors the graph names are the model: one no node reads is left out (it would otherwise change
        // the content hash of the model that runs).
        var weights: WeightStore = [:]
        for node in graph.nodes {
            for spec in node.weights {
                let key = node.weightKey(spec.name)
                guard let tensor = stored[key] else {
                    throw SerializationError(.weightMismatch, path: weightsURL.path, "weight '\(key)' is missing")
                }
                guard tensor.shape == spec.shape else {
                    throw SerializationError(.weightMismatch, path: weightsURL.path, "weight '\(key)' has shape \(tensor.shape), the graph needs \(spec.shape)")
                }
                weights[key] = tensor
            }
        }
        return ModelBundle(graph: graph, weights: weights)
    }

    /// A regular file's bytes (through symbolic links), or an error that says why not: missing, a directory or a
    /// device (reading /dev/zero would never end), larger than `limit`, or unreadable.
    static func readFile(_ url: URL, limit: Int) throws(SerializationError) -> Data {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw errno == ENOENT ? SerializationError(.missingFile, path: url.path, "not found") : SerializationError(.io, path: url.path, reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw SerializationError(.io, path: url.path, info.st_mode & S_IFMT == S_IFDIR ? "is a directory, not a file" : "is not a regular file")
        }
        guard Int(info.st_size) <= limit else {
            throw SerializationError(.io, path: url.path, "is \(info.st_size) bytes, more than the \(limit) this model can need")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            let reason = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) }
            throw SerializationError(.io, path: url.path, reason ?? "cannot be read")
        }
    }
}
