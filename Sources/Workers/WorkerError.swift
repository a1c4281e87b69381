/// A failure of the worker machinery itself (not of a framework: those are `ExecutionResult`s).
public struct WorkerError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case scriptMissing, interpreterMissing, spawnFailed, handshakeFailed, protocolViolation, unknownFramework
    }

    public var code: Code
    public var framework: String
    public var message: String

    public init(_ code: Code, framework: String, _ message: String) {
        self.code = code
        self.framework = framework
        self.message = message
    }

    public var description: String { "\(framework): \(code.rawValue): \(message)" }
}
