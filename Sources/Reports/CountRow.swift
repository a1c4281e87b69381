/// One bar of a breakdown: a subtype, framework or operator with its unique defects and raw findings.
public struct CountRow: Sendable, Codable, Equatable {
    public var key: String
    /// A readable name (the taxonomy's subtype name; the key again elsewhere).
    public var name: String
    public var defects: Int
    public var findings: Int
}
