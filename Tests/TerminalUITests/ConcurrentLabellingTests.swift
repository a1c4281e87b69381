import Foundation
import GRDB
import Store
import Testing

/// Six annotators labelling at once on one database (WAL): every label is stored exactly once.
@Suite struct ConcurrentLabellingTests {
    @Test func sixProcessesThousandLabelsEach() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("concurrent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("c.sqlite").path
        let store = try DefectLabStore.open(path: path)
        try store.write { db in
            for n in 0..<1000 {
                try db.execute(sql: "INSERT INTO item (key, framework, title, created_at) VALUES (?, 'pytorch', ?, '2024-01-01T00:00:00Z')",
                               arguments: ["https://example.org/i/\(n)", "item \(n)"])
            }
        }
        let annotators = (1...6).map { "a\($0)" }
        for args in [["sample", "--name", "s", "--per-framework", "1000", "--seed", "5"],
                     ["annotators", "add"] + annotators,
                     ["assign", "--sample", "s", "--annotators", annotators.joined(separator: ","), "--design", "all", "--seed", "5"]] {
            let (status, output) = try BuiltCLI.run(args + ["--db", path])
            try #require(status == 0, "\(output)")
        }
        // Each script labels every item: major and subtype keys cycle through the taxonomy.
        let labels = ["a1", "b1", "c2", "d1", "e3", "f2", "g5"]
        var children: [(ChildProcess, URL)] = []
        for (k, name) in annotators.enumerated() {
            let script = folder.appendingPathComponent("\(name).keys")
            try (0..<1000).map { labels[($0 + k) % labels.count] }.joined(separator: "\n").write(to: script, atomically: true, encoding: .utf8)
            let log = folder.appendingPathComponent("\(name).log")
            children.append((try ChildProcess(try BuiltCLI.path(),
                                              ["label", "--annotator", name, "--sample", "s", "--script", script.path, "--db", path],
                                              outputPath: log.path, directory: BuiltCLI.packageRoot.path), log))
        }
        for (child, log) in children {
            let status = try child.wait(timeout: 300)
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(status == 0, "\(text)")
            #expect(text.contains("1000 labels given, 1000/1000 done"), "\(text)")
        }
        let (rows, perPair, perAnnotator) = try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM annotation")!,
             try Int.fetchOne(db, sql: "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM annotation GROUP BY annotator_id, item_id)")!,
             try Int.fetchAll(db, sql: "SELECT COUNT(DISTINCT item_id) FROM annotation GROUP BY annotator_id"))
        }
        #expect(rows == 6000)
        #expect(perPair == 1)
        #expect(perAnnotator == Array(repeating: 1000, count: 6))
        // Every stored label is the one the script gave at that queue position.
        let mismatches = try store.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM annotation a JOIN annotator n ON n.id = a.annotator_id
                JOIN assignment s ON s.annotator_id = a.annotator_id AND s.item_id = a.item_id
                WHERE a.label <> (CASE ((s.position + CAST(substr(n.name, 2) AS INTEGER) - 1) % 7)
                    WHEN 0 THEN 'A1' WHEN 1 THEN 'B1' WHEN 2 THEN 'C2' WHEN 3 THEN 'D1' WHEN 4 THEN 'E3' WHEN 5 THEN 'F2' ELSE 'G5' END)
                """)!
        }
        #expect(mismatches == 0)
    }
}
