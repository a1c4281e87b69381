import Foundation
import GRDB
import JSONText
import Store

/// The note a command prints when it files items under a framework the store has never seen: a typo
/// (`pytroch`) is a stratum of its own in every sample and a group of its own in `agreement --by framework`.
/// Said, not refused: a study may take any framework.
enum NewFrameworkNote {
    /// Frameworks the study and its peers name, known even to an empty store.
    static let wellKnown: Set<String> = ["pytorch", "tensorflow", "mindspore", "jax", "onnx", "onnxruntime", "paddle", "keras", "mxnet"]

    /// One note per name in `names` that neither the store (repositories, items) nor `wellKnown` has.
    static func notes(for names: [String], in store: DefectLabStore) throws -> [String] {
        notes(for: names, known: try known(in: store))
    }

    /// The frameworks the store files items under (repositories', items' own), and the well-known ones.
    static func known(in store: DefectLabStore) throws -> Set<String> {
        try store.read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT DISTINCT lower(framework) FROM repository WHERE framework IS NOT NULL AND framework <> ''
                UNION SELECT DISTINCT lower(framework) FROM item WHERE framework IS NOT NULL AND framework <> ''
                """))
        }.union(wellKnown)
    }

    static func notes(for names: [String], known: Set<String>) -> [String] {
        let wanted = Set(names.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
        return wanted.subtracting(known).sorted().map {
            "note: framework '\(InertText.line($0))' is new to this database (known: \(known.sorted().map(InertText.line).joined(separator: ", "))); samples stratify by it as its own framework"
        }
    }
}
