/// One output of one node. Written `name` for output 0 and `name:k` otherwise, so graph JSON stays readable.
public struct ValueRef: Codable, Sendable, Hashable, CustomStringConvertible {
    public var node: String
    public var output: Int

    public init(_ node: String, _ output: Int = 0) {
        self.node = node
        self.output = output
    }

    public var description: String { output == 0 ? node : "\(node):\(output)" }

    public init(parsing text: String) {
        if let colon = text.lastIndex(of: ":"), let index = Int(text[text.index(after: colon)...]) {
            self.init(String(text[..<colon]), index)
        } else {
            self.init(text, 0)
        }
    }

    public init(from decoder: Decoder) throws {
        self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
