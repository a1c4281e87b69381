import Foundation

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

    public init(name: String, interpreter: String, script: String, arguments: [String], environment: [String: String] = [:], startTimeout: Double = 180) {
        self.name = name
        self.interpreter = interpreter
        self.script = script
        self.arguments = arguments
        self.environment = environment
        self.startTimeout = startTimeout
    }

    /// The standard worker of one framework.
    public static func framework(_ name: String, interpreter: String) throws(WorkerError) -> WorkerSpec {
        guard FrameworkKind.all.contains(name) else {
            throw WorkerError(.unknownFramework, framework: name, "known: \(FrameworkKind.all.joined(separator: ", "))")
        }
        return WorkerSpec(name: name, interpreter: interpreter, script: try WorkerScripts.worker().path, arguments: [name])
    }

    var processEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for (k, v) in environment { env[k] = v }
        return env
    }
}
