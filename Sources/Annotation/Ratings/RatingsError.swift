import JSONText
import Store
import Taxonomy

/// Why a ratings file was rejected, or an export or analysis could not run. `description` is one line:
/// `file:line: reason` when the problem is in a file, so editors and terminals can jump to it.
public struct RatingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// The file could not be read.
        public static let unreadable = Code(name: "unreadable")
        /// Broken CSV or JSON syntax (an unterminated quote, a line that is not a JSON object).
        public static let syntax = Code(name: "syntax")
        /// A row with more or fewer fields than the header.
        public static let raggedRow = Code(name: "ragged-row")
        /// A header problem: a duplicate rater column, a missing or unknown column.
        public static let header = Code(name: "header")
        /// A label that is not an ID of the taxonomy (at the level given).
        public static let unknownLabel = Code(name: "unknown-label")
        /// The same item (or item and rater) given twice in one file.
        public static let duplicate = Code(name: "duplicate")
        /// A malformed field value (a time that is not ISO 8601, an unknown level).
        public static let invalidValue = Code(name: "invalid-value")
        /// Nothing to analyse (no ratings at the level, an unknown rater).
        public static let noData = Code(name: "no-data")
    }

    public var code: Code
    public var file: String?
    public var line: Int?
    public var message: String

    public init(code: Code, file: String? = nil, line: Int? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.message = message
    }

    /// Messages quote the file's cells, which are untrusted: control characters (an escape sequence in a
    /// label cell) are shown escaped, never sent to the terminal.
    public var description: String {
        let text: String
        switch (file, line) {
        case let (file?, line?): text = "\(file):\(line): \(message)"
        case let (file?, nil): text = "\(file): \(message)"
        default: text = message
        }
        return Self.inert(text)
    }

    static func inert(_ text: String) -> String { InertText.escaped(text) }
}

extension RatingsError {
    /// `self`, when it says there are no labels at `level`, with a pointer to the other level where the store
    /// has them (major-only imports left "no subtype labels … 0 item(s)" and an empty annotator list).
    /// With `raters` (those the command named), only when all of them have labels there, `needed` of them at
    /// least: the pointer sent a user who mistyped an annotator back and forth between the two levels.
    /// With `usable`, only when the command would work there (`stats --source final` with no settled label at
    /// either level sent the user from each level to the other).
    public func pointingToOtherLevel(_ store: DefectLabStore, level: LabelLevel, taxonomy: HPTaxonomy, raters: [String]? = nil, needed: Int = 1,
                                     usable: ((StoredRatings) -> Bool)? = nil) -> RatingsError {
        guard code == .noData else { return self }
        let other: LabelLevel = level == .subtype ? .major : .subtype
        guard let there = try? StoredRatings.load(from: store, level: other, taxonomy: taxonomy), !there.items.isEmpty else {
            if (try? StoredRatings.load(from: store, level: level, taxonomy: taxonomy))?.items.isEmpty == true {
                var error = self
                error.message += "; the store has no labels at either level: import some (`defectlab ratings import`) or label (`defectlab label`)"
                return error
            }
            return self
        }
        if let usable, !usable(there) { return self }
        let present = Set(there.raters)
        if let raters, !raters.allSatisfy(present.contains) || Set(raters).count < needed { return self }
        if raters == nil, present.count < needed { return self }
        var error = self
        error.message += "; the store has \(other.rawValue) labels from \(there.raters.count) annotator(s) on \(there.items.count) item(s): pass --level \(other.rawValue)"
        return error
    }
}
