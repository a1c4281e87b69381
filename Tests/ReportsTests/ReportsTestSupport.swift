import Foundation
import GRDB
import Store
import Testing

/// Helpers for the Reports tests: the built binary as a child process, a real short campaign against the
/// in-process fault-injection framework, and defects folded into it with SQL (as triage would).
enum ReportsTestSupport {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// `$DEFECTLAB_BIN` (set by `make test`), else the debug build in this checkout.
    static var binary: String {
        if let bin = ProcessInfo.processInfo.environment["DEFECTLAB_BIN"], !bin.isEmpty { return bin }
        return packageRoot.appendingPathComponent(".build/debug/defectlab").path
    }

    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs `executable` with output captured through files (a chatty child can never block on a pipe).
    static func run(_ executable: String, _ arguments: [String], in folder: URL? = nil, timeout: TimeInterval = 300) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder ?? packageRoot
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DEFECTLAB_DB")
        env["DEFECTLAB_TAXONOMY_DIR"] = packageRoot.appendingPathComponent("Taxonomy").path
        process.environment = env
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate(); process.waitUntilExit(); Issue.record("\(executable) timed out after \(timeout) s") }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    static func defectlab(_ arguments: [String], in folder: URL? = nil) throws -> Result {
        try run(binary, arguments, in: folder)
    }

    /// What the hostile-text tests plant in the store.
    static let hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)> & 'quoted' \u{0}\u{1B}"

    /// A short real campaign (reference + the fault-injection framework with two planted defects), then the
    /// G2 crash findings folded into one defect with a reproducer folder; the F1 findings stay unfolded.
    /// The first G2 finding's detail and the defect's title and error carry hostile text.
    static func campaignWithDefects(in folder: URL, seed: Int = 3, budget: Int = 40) throws -> (db: String, defect: Int64, repro: URL) {
        let db = folder.appendingPathComponent("f.sqlite").path
        // Timing and memory oracles off: on a loaded machine they would add slowdown findings at random.
        let oracles = folder.appendingPathComponent("oracles.json")
        try #"{"slowdownFactor": 1e9, "slowdownFloorMs": 1e12, "memoryFactor": 1e9}"#.write(to: oracles, atomically: true, encoding: .utf8)
        let fuzz = try defectlab(["fuzz", "--oracles", oracles.path, "--seeds", "lenet5", "--frameworks", "reference,faulty", "--plant", "Pad=crash", "--plant", "BatchNorm=wrong",
                                  "--ops", "SM,InsNorm", "--budget", String(budget), "--guidance", "random", "--seed", String(seed), "--db", db])
        try #require(fuzz.status == 0, "fuzz failed: \(fuzz.stderr)")
        let repro = folder.appendingPathComponent("repro/defect 1")
        try FileManager.default.createDirectory(at: repro, withIntermediateDirectories: true)
        try "# Crash in Pad\n\n\(hostile)\n".write(to: repro.appendingPathComponent("bug-report.md"), atomically: true, encoding: .utf8)
        try "import numpy as np\nprint('expected: no crash; actual: signal 11')  # </pre><script>bad()</script>\n"
            .write(to: repro.appendingPathComponent("repro_faulty.py"), atomically: true, encoding: .utf8)
        try Data([0, 1, 2, 255, 254]).write(to: repro.appendingPathComponent("weights.safetensors"))
        try FileManager.default.createDirectory(at: repro.appendingPathComponent("model"), withIntermediateDirectories: true)
        try #"{"nodes":[]}"#.write(to: repro.appendingPathComponent("model/graph.json"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: repro.appendingPathComponent("leak.py").path, withDestinationPath: "/etc/passwd")
        let store = try DefectLabStore.open(path: db, mode: .mustExist)
        let reproPath = repro.path
        let hostile = Self.hostile
        let defect = try store.write { db -> Int64 in
            let campaign = try #require(try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM campaign"))
            let first = try #require(try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM campaign_finding WHERE campaign_id = ? AND subtype = 'G2'", arguments: [campaign]))
            try db.execute(sql: "UPDATE campaign_finding SET detail = ? WHERE id = ?", arguments: [hostile, first])
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_finding WHERE campaign_id = ? AND subtype = 'G2'", arguments: [campaign]) ?? 0
            let step = try Int.fetchOne(db, sql: "SELECT step FROM campaign_finding WHERE id = ?", arguments: [first])
            try db.execute(sql: """
                INSERT INTO defect (signature, subtype, symptom, stage, frameworks, op, key_attributes, error, title, finding_count,
                    first_seen, last_seen, representative_campaign_id, representative_step, representative_nodes, reduced_graph_json,
                    reduced_nodes, kind, repro_path, updated_at)
                VALUES ('crash|execute|G2|faulty|Pad||signal 11', 'G2', 'crash', 'execute', 'faulty', 'Pad', 'pads=[1,1]', ?, ?, ?,
                    '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', ?, ?, 9, '{"nodes":[1,2]}', 2, 'interface', ?, '2026-01-02T00:00:00Z')
                """, arguments: [hostile, "Pad crashes <b>faulty</b> & more", count, campaign, step, reproPath])
            let id = db.lastInsertedRowID
            try db.execute(sql: """
                INSERT INTO defect_finding (finding_id, defect_id)
                SELECT id, ? FROM campaign_finding WHERE campaign_id = ? AND subtype = 'G2'
                """, arguments: [id, campaign])
            return id
        }
        return (db, defect, repro)
    }

    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    static func files(in folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }
}
