import Foundation
import GRDB
import Store
import Taxonomy

/// A fresh database in a temp folder, seeded directly (no crawler): one GitHub tracker, a repository per
/// framework, issues with HP selections, and optionally bare (imported-style) items.
struct LabellingFixture {
    let folder: URL
    let store: DefectLabStore
    var path: String { store.path }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("labelling-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try DefectLabStore.open(path: folder.appendingPathComponent("t.sqlite").path)
    }

    static func taxonomy() throws -> HPTaxonomy {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try TaxonomyLoader.load(path: root.appendingPathComponent("Taxonomy/hp-taxonomy.yaml").path)
    }

    /// `count` issues per framework; every `hpEvery`-th one is an HP candidate of preset `framework`.
    func seedIssues(frameworks: [String], count: Int, hpEvery: Int = 1) throws {
        try store.write { db in
            try db.execute(sql: "INSERT INTO tracker (id, kind, api_url) VALUES (1, 'github', 'https://api.github.com')")
            for (r, framework) in frameworks.enumerated() {
                try db.execute(sql: "INSERT INTO repository (id, tracker_id, owner, name, framework) VALUES (?, 1, ?, ?, ?)",
                               arguments: [r + 1, framework, framework, framework])
                for n in 1...count {
                    try db.execute(sql: """
                        INSERT INTO issue (repository_id, number, title, body, state, url, created_at, raw_json, fetched_at)
                        VALUES (?, ?, ?, ?, 'open', ?, '2024-01-01T00:00:00Z', '{}', '2024-01-02T00:00:00Z')
                        """, arguments: [r + 1, String(n), "\(framework) issue \(n)", "body \(n): GPU memory grows",
                                         "https://github.com/\(framework)/\(framework)/issues/\(n)"])
                    if n % hpEvery == 0 {
                        try db.execute(sql: "INSERT INTO hp_selection VALUES (?, ?, 'bug', '2024-01-02T00:00:00Z')",
                                       arguments: [db.lastInsertedRowID, framework])
                    }
                }
            }
        }
    }

    func seedBareItems(_ count: Int, framework: String? = nil, prefix: String = "https://example.org/item/") throws {
        try store.write { db in
            for n in 0..<count {
                try db.execute(sql: "INSERT INTO item (key, framework, title, created_at) VALUES (?, ?, ?, '2024-01-01T00:00:00Z')",
                               arguments: ["\(prefix)\(n)", framework, "imported \(n)"])
            }
        }
    }
}
