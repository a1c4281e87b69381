import Foundation
import ModelIR

/// What a worker can do: protocol version, framework, version, device, the IR ops it builds, attribute values
/// it cannot build, its compiled variants, and whether it can train. The handshake declares ops and
/// attributes; once `probe` is set they are what the worker actually built and ran (`CapabilityProbe`), with
/// the reason for each failure in `gaps`, and the probes that crashed, hung or ran out of memory in `suspects`.
public struct Capabilities: Codable, Sendable, Hashable {
    public var `protocol`: Int
    public var framework: String
    public var version: String
    public var device: String
    public var ops: [String]
    /// Op → `attribute=value` classes (`ProbeFeature.attributeKey`) it cannot build.
    public var unsupportedAttributes: [String: [String]]
    public var variants: [String]
    public var training: Bool
    /// `ProbeFeature.key` → why its probe failed (the framework's message, or how the worker died).
    public var gaps: [String: String]
    /// `ProbeFeature.key` → how its probe crashed, hung or ran out of memory. Not a gap: such a feature counts
    /// as supported and the harness keeps sending it, because a framework crash is the defect a fuzzer looks
    /// for (refusing it would hide it for the whole framework version) and a hang may only be an overloaded
    /// machine. Listed so a reader knows why a campaign keeps reporting it.
    public var suspects: [String: String] = [:]
    /// How the probed sets were obtained; nil while they are only the handshake's declaration.
    public var probe: ProbeSummary?
    /// What else decides the probed sets: the versions of the packages beside the framework and the
    /// environment that picks its device (`runtime_fingerprint` in worker.py); nil from workers that do not say.
    public var fingerprint: String?
    /// The files the framework's packages were imported from (`package_files` in worker.py): what a cached
    /// entry is checked against when it is used without starting the worker (`CapabilityCache.lookup`).
    public var packageFiles: [String] = []

    /// One run of the probe suite.
    public struct ProbeSummary: Codable, Sendable, Hashable {
        /// Probes tested (variants of a missing op are skipped).
        public var probes: Int
        /// Requests sent for them: probes travel merged into groups (`ProbeGroup`), so this is far fewer
        /// unless many fail. Nil in entries cached before grouping.
        public var requests: Int?
        /// Wall time of the suite, restarts after crashes included.
        public var seconds: Double
        /// `CapabilityProbe.suiteHash` of the suite that ran.
        public var suite: String
        public init(probes: Int, requests: Int? = nil, seconds: Double, suite: String) {
            self.probes = probes
            self.requests = requests
            self.seconds = seconds
            self.suite = suite
        }
    }

    enum CodingKeys: String, CodingKey {
        case `protocol`, framework, version, device, ops, variants, training, gaps, suspects, probe, fingerprint
        case unsupportedAttributes = "unsupported_attributes", packageFiles = "package_files"
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
        gaps = try c.decodeIfPresent([String: String].self, forKey: .gaps) ?? [:]
        suspects = try c.decodeIfPresent([String: String].self, forKey: .suspects) ?? [:]
        probe = try c.decodeIfPresent(ProbeSummary.self, forKey: .probe)
        fingerprint = try c.decodeIfPresent(String.self, forKey: .fingerprint)
        packageFiles = try c.decodeIfPresent([String].self, forKey: .packageFiles) ?? []
    }

    /// What the probed sets are cached under besides the scripts and interpreter: the framework's version, its
    /// device and the fingerprint (the version alone would serve a CPU probe on a GPU, or probes made before
    /// `pip install -U jaxlib`).
    public var runtimeVersion: String { "\(version) on \(device)" + (fingerprint.map { " (\($0))" } ?? "") }

    /// The ops of a graph this framework cannot build (the harness never sends those; it reports the gap).
    public func missingOps(_ ops: Set<String>) -> [String] { ops.subtracting(self.ops).subtracting(["Input"]).sorted() }

    /// Why this framework cannot take a graph: one entry per unsupported op or attribute class it uses, with
    /// the probe's reason; empty when it can. Without a probe, only the declared ops count.
    public func refusals(_ graph: Graph) -> [String] {
        guard probe != nil else {
            let missing = missingOps(Set(graph.nodes.map(\.op.rawValue)))
            return missing.isEmpty ? [] : ["ops not supported: \(missing.joined(separator: ", "))"]
        }
        let supported = Set(ops)
        var out: [String] = []
        for feature in ProbeFeature.features(of: graph) where feature.op != .input {
            let refused = if let attribute = feature.attributeKey {
                unsupportedAttributes[feature.op.rawValue]?.contains(attribute) == true
            } else {
                !supported.contains(feature.op.rawValue)
            }
            if refused { out.append("\(feature.key) (\(gaps[feature.key] ?? "not supported"))") }
        }
        return out
    }

    /// These (freshly handshaken) capabilities with the probed sets of `probed`, which came from the same
    /// framework version.
    public func adopting(_ probed: Capabilities) -> Capabilities {
        var c = self
        c.ops = probed.ops
        c.unsupportedAttributes = probed.unsupportedAttributes
        c.gaps = probed.gaps
        c.suspects = probed.suspects
        c.probe = probed.probe
        return c
    }
}
