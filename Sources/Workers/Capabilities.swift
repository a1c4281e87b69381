import Foundation

/// What a worker says about itself in the handshake: protocol version, framework, version, device, the IR ops
/// it builds natively, attribute values it cannot build, its compiled variants, and whether it can train.
public struct Capabilities: Codable, Sendable, Hashable {
    public var `protocol`: Int
    public var framework: String
    public var version: String
    public var device: String
    public var ops: [String]
    public var unsupportedAttributes: [String: [String]]
    public var variants: [String]
    public var training: Bool

    enum CodingKeys: String, CodingKey {
        case `protocol`, framework, version, device, ops, variants, training
        case unsupportedAttributes = "unsupported_attributes"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        `protocol` = try c.decode(Int.self, forKey: .protocol)
        framework = try c.decode(String.self, forKey: .framework)
        version = try c.decode(String.self, forKey: .version)
        device = try c.decodeIfPresent(String.self, forKey: .device) ?? "cpu"
        ops = try c.decodeIfPresent([String].self, forKey: .ops) ?? []
        unsupportedAttributes = try c.decodeIfPresent([String: [String]].self, forKey: .unsupportedAttributes) ?? [:]
        variants = try c.decodeIfPresent([String].self, forKey: .variants) ?? []
        training = try c.decodeIfPresent(Bool.self, forKey: .training) ?? true
    }

    /// The ops of a graph this framework cannot build (the harness never sends those; it reports the gap).
    public func missingOps(_ ops: Set<String>) -> [String] { ops.subtracting(self.ops).subtracting(["Input"]).sorted() }

    /// Capabilities are cached per framework version: `frameworks` answers without starting a worker once
    /// each version has been seen.
    public static func cacheURL(framework: String) -> URL {
        let base = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("defectlab/capabilities/\(framework).json")
    }

    public func store(scriptHash: String, interpreter: String) {
        let url = Self.cacheURL(framework: framework)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        struct Entry: Encodable { var key: String; var capabilities: Capabilities }
        if let data = try? JSONEncoder().encode(Entry(key: scriptHash + "|" + interpreter, capabilities: self)) {
            try? data.write(to: url, options: .atomic)
        }
    }

    public static func cached(framework: String, scriptHash: String, interpreter: String) -> Capabilities? {
        struct Entry: Decodable { var key: String; var capabilities: Capabilities }
        guard let data = FileManager.default.contents(atPath: cacheURL(framework: framework).path),
              let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == scriptHash + "|" + interpreter else { return nil }
        return entry.capabilities
    }
}
