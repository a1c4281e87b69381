/// A problem with a taxonomy, preset or mapping file, located by file and line where known.
///
/// `description` is one line, `FILE:LINE:COLUMN: message`, suitable for a terminal and for editors that
/// jump to locations.
public struct TaxonomyError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// The file could not be read (missing, unreadable, not UTF-8).
        public static let unreadable = Code(name: "unreadable")
        /// The file is not well-formed YAML.
        public static let malformedYAML = Code(name: "malformed-yaml")
        /// The YAML is well-formed but breaks a rule (duplicate ID, unknown subtype, empty name, ...).
        public static let invalid = Code(name: "invalid")
    }

    public var code: Code
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(code: Code, file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let line, line > 0, let column { location += ":\(column)" }
        return "\(location): \(message)"
    }
}

/// Several problems found in one file at once, so a user can fix them all in one pass.
public struct TaxonomyErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [TaxonomyError]
    public init(_ errors: [TaxonomyError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
