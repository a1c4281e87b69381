import Foundation
import GRDB
import Store
import Testing

/// The built `defectlab`: `$DEFECTLAB_BIN`, else `<package root>/.build/debug/defectlab`.
enum BuiltCLI {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func path() throws -> String {
        let path = ProcessInfo.processInfo.environment["DEFECTLAB_BIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? packageRoot.appendingPathComponent(".build/debug/defectlab").path
        try #require(FileManager.default.isExecutableFile(atPath: path), "build defectlab first (swift build --product defectlab)")
        return path
    }

    /// Runs the CLI to completion; returns (status, stdout + stderr).
    @discardableResult
    static func run(_ arguments: [String]) throws -> (Int32, String) {
        try ChildProcess.run(try path(), arguments, directory: packageRoot.path)
    }
}

/// A real terminal: tmux on its own socket, so tests never touch a user's tmux server.
final class TmuxPane {
    let socket = "defectlab-test-\(UUID().uuidString.prefix(8))"
    let target = "t"

    init(command: String, width: Int = 80, height: Int = 24, environment: [String: String] = [:]) throws {
        let env = (["LANG": "C.UTF-8"].merging(environment) { $1 }).map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        try tmux(["-u", "new-session", "-d", "-s", target, "-x", String(width), "-y", String(height),
                  "env \(env) \(command); sleep 600"])
    }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let (status, text) = try ChildProcess.run("tmux", ["-L", socket] + arguments)
        try #require(status == 0, "tmux \(arguments.joined(separator: " ")): \(text)")
        return text
    }

    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", target] + keys) }
    func type(_ text: String) throws { try tmux(["send-keys", "-t", target, "-l", text]) }
    func capture() throws -> String { try tmux(["capture-pane", "-p", "-t", target]) }
    func lines() throws -> [String] { try capture().components(separatedBy: "\n") }
    func title() throws -> String { try tmux(["display-message", "-p", "-t", target, "#{pane_title}"]) }
    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", target, "-x", String(width), "-y", String(height)])
    }

    /// Polls the screen until `condition` holds (the TUI redraws asynchronously); fails with the screen.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 10, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if condition(screen) { return screen }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("timed out waiting for \(what); screen:\n\(screen)")
        throw CancellationError()
    }

    @discardableResult
    func waitFor(text: String, timeout: TimeInterval = 10) throws -> String {
        try waitFor("'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    /// Stops the server (and the TUI in it) and removes its socket, which tmux leaves behind.
    deinit {
        _ = try? tmux(["kill-server"])
        let dir = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        unlink("\(dir)/tmux-\(getuid())/\(socket)")
    }
}

/// The display width of captured text (tmux prints a double-width character once).
func displayWidth(_ line: String) -> Int {
    line.unicodeScalars.reduce(0) { total, s in
        let v = s.value
        let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0x1F300...0x1FAFF).contains(v)
        return total + (wide ? 2 : 1)
    }
}

/// A database with one repository of issues (given bodies), a sample of all of them, and annotators with
/// every item assigned (in an order of their own).
struct SeededLabellingDB {
    let folder: URL
    let path: String

    init(bodies: [String], annotators: [String] = ["alice"]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("l.sqlite").path
        let store = try DefectLabStore.open(path: path)
        try store.write { db in
            try db.execute(sql: "INSERT INTO tracker (id, kind, api_url) VALUES (1, 'github', 'https://api.github.com')")
            try db.execute(sql: "INSERT INTO repository (id, tracker_id, owner, name, framework) VALUES (1, 1, 'pytorch', 'pytorch', 'pytorch')")
            for (n, body) in bodies.enumerated() {
                try db.execute(sql: """
                    INSERT INTO issue (repository_id, number, title, body, state, url, created_at, raw_json, fetched_at)
                    VALUES (1, ?, ?, ?, 'open', ?, '2024-03-01T00:00:00Z', '{}', '2024-03-02T00:00:00Z')
                    """, arguments: [String(n + 1), "Issue number \(n + 1)", body, "https://github.com/pytorch/pytorch/issues/\(n + 1)"])
                try db.execute(sql: "INSERT INTO hp_selection VALUES (?, 'pytorch', 'high priority', '2024-03-02T00:00:00Z')",
                               arguments: [db.lastInsertedRowID])
            }
        }
        for args in [["sample", "--name", "s", "--per-framework", String(bodies.count), "--seed", "1"],
                     ["annotators", "add"] + annotators,
                     ["assign", "--sample", "s", "--annotators", annotators.joined(separator: ","), "--design", "all", "--seed", "1"]] {
            let (status, output) = try BuiltCLI.run(args + ["--db", path])
            try #require(status == 0, "\(args.joined(separator: " ")): \(output)")
        }
    }

    func store() throws -> DefectLabStore { try DefectLabStore.open(path: path, mode: .mustExist) }

    /// Issue numbers in alice's queue order (the TUI shows them in this order).
    func queueNumbers(_ annotator: String = "alice") throws -> [String] {
        try store().read { db in
            try String.fetchAll(db, sql: """
                SELECT i.number FROM assignment s JOIN annotator a ON a.id = s.annotator_id JOIN item it ON it.id = s.item_id
                JOIN issue i ON i.id = it.issue_id WHERE a.name = ? ORDER BY s.position
                """, arguments: [annotator])
        }
    }

    /// (issue number, current subtype label) for an annotator.
    func currentLabels(_ annotator: String = "alice") throws -> [String: String] {
        let rows = try store().read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.number, c.label FROM current_annotation c JOIN annotator a ON a.id = c.annotator_id
                JOIN item it ON it.id = c.item_id JOIN issue i ON i.id = it.issue_id WHERE a.name = ?
                """, arguments: [annotator]).map { [$0["number"] as String, $0["label"] as String] }
        }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) })
    }
}
