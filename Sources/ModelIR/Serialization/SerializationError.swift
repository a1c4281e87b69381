/// A saved model that cannot be read back: what is wrong and in which file.
public struct SerializationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case missingFile = "missing-file"
        case truncated
        case corruptHeader = "corrupt-header"
        case badTensor = "bad-tensor"
        case badGraph = "bad-graph"
        case weightMismatch = "weight-mismatch"
        case io
    }

    public var code: Code
    public var path: String
    public var detail: String

    public init(_ code: Code, path: String, _ detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    public var description: String { "\(path): \(code.rawValue): \(detail)" }
}
