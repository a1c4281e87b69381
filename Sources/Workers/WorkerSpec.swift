import Foundation
import ModelIR

/// How to start one worker: interpreter, script, arguments. The fault-injection worker of the tests is just
/// another spec speaking the same protocol.
public struct WorkerSpec: Sendable {
    /// The name results carry (a framework, or a test worker's name).
    public var name: String
    public var interpreter: String
    public var script: String
    public var arguments: [String]
    public var environment: [String: String]
    /// Start-up (import + handshake) limit in seconds.
    public var startTimeout: Double
    /// Where probed capabilities are kept. Set: the worker's ops and attributes are probed on first start
    /// (`CapabilityProbe`) unless cached; nil: the handshake's declaration is trusted.
    public var capabilityCache: CapabilityCache?
    /// Seconds one probe may take (build + one run of a tiny model; a compiler's first call included).
    public var probeTimeout: Double = 60

    public init(name: String, interpreter: String, script: String, arguments: [String], environment: [String: String] = [:], startTimeout: Double = 180,
                capabilityCache: CapabilityCache? = nil) {
        self.name = name
        self.interpreter = interpreter
        self.script = script
        self.arguments = arguments
        self.environment = environment
        self.startTimeout = startTimeout
        self.capabilityCache = capabilityCache
    }

    /// The standard worker of one framework.
    public static func framework(_ name: String, interpreter: String) throws(WorkerError) -> WorkerSpec {
        guard FrameworkKind.all.contains(name) else {
            throw WorkerError(.unknownFramework, framework: name, "known: \(FrameworkKind.all.joined(separator: ", "))")
        }
        return WorkerSpec(name: name, interpreter: interpreter, script: try WorkerScripts.worker().path, arguments: [name],
                          capabilityCache: .standard)
    }

    /// What the worker's behaviour depends on besides interpreter and framework version: every worker script,
    /// this spec's script (a test worker lives elsewhere), its arguments and extra environment. Probed
    /// capabilities are cached under it.
    public var scriptHash: String {
        var hasher = SHA256()
        hasher.update(Array(WorkerScripts.hash().utf8) + [0])
        hasher.update(FileManager.default.contents(atPath: script) ?? Data())
        for part in arguments + environment.sorted(by: { $0.key < $1.key }).map({ "\($0.key)=\($0.value)" }) {
            hasher.update([0] + Array(part.utf8))
        }
        return String(SHA256.hex(hasher.finalize()).prefix(16))
    }

    var processEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for (k, v) in environment { env[k] = v }
        return env
    }
}
