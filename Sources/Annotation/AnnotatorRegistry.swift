import GRDB
import Store

/// The people who label. Names are how they are addressed on the command line.
public enum AnnotatorRegistry {
    /// Adds each name not yet known; returns the names that were new.
    @discardableResult
    public static func add(_ names: [String], in store: DefectLabStore) throws -> [String] {
        for name in names where !isValid(name) {
            throw AnnotationError(.invalid, "annotator name \(name.debugDescription) must be letters, digits, '.', '_' or '-', not starting with '-' (no commas or spaces)")
        }
        for name in names where isReserved(name) {
            throw AnnotationError(.invalid, "annotator name '\(name)' is reserved: ratings files use it for \(RatingsFile.finalColumnNames.contains(name.lowercased()) ? "the adjudicated label" : "a column"), so an export would not read back as this annotator's labels")
        }
        return try store.write { db in
            var added: [String] = []
            for name in names {
                if try Int64.fetchOne(db, sql: "SELECT id FROM annotator WHERE name = ?", arguments: [name]) == nil {
                    try db.execute(sql: "INSERT INTO annotator (name, created_at) VALUES (?, ?)", arguments: [name, Timestamp.now()])
                    added.append(name)
                }
            }
            return added
        }
    }

    public static func list(in store: DefectLabStore) throws -> [String] {
        try store.read { try String.fetchAll($0, sql: "SELECT name FROM annotator ORDER BY name") }
    }

    /// Names a ratings file gives a meaning of its own (adjudicated labels, the framework column, long-format
    /// headers).
    static func isReserved(_ name: String) -> Bool {
        RatingsFile.finalColumnNames.contains(name.lowercased()) || (RatingsFile.longColumns + ["annotator"]).contains(name.lowercased())
    }

    public static func isValid(_ name: String) -> Bool {
        // Not starting with '-': such a name (`--db`, given after `--`) could never be passed to --annotator again.
        !name.isEmpty && !name.hasPrefix("-") && name.unicodeScalars.allSatisfy {
            isNameScalar($0)
        }
    }

    static func id(of name: String, _ db: Database) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM annotator WHERE name = ?", arguments: [name]) else {
            throw AnnotationError(.notFound, "no annotator named '\(name)' (add one with: defectlab annotators add \(name))")
        }
        return id
    }
}

private func isNameScalar(_ s: Unicode.Scalar) -> Bool {
    s.properties.isAlphabetic || s.properties.numericType != nil || s == "." || s == "_" || s == "-"
}

/// Sample lookups shared by assignment, labelling and adjudication.
enum SampleLookup {
    static func id(of name: String, _ db: Database) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM sample WHERE name = ?", arguments: [name]) else {
            throw AnnotationError(.notFound, "no sample named '\(name)' (draw one with: defectlab sample --name \(name) ...)")
        }
        return id
    }
}
