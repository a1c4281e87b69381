/// A store failure a user can act on. `description` is one line.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// No database at the path, and the command does not create one.
        public static let missing = Code(name: "missing")
        /// The folder for a new database does not exist or cannot be written.
        public static let unwritable = Code(name: "unwritable")
        /// The file exists but is not a DefectLab SQLite database (or is damaged).
        public static let corrupt = Code(name: "corrupt")
        /// The database was written by a newer DefectLab (migrations this build does not know).
        public static let tooNew = Code(name: "too-new")
        /// A constraint or other SQL failure.
        public static let sql = Code(name: "sql")
        /// Another process held the write lock past the busy timeout.
        public static let busy = Code(name: "busy")
    }

    public var code: Code
    public var path: String
    public var message: String

    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
