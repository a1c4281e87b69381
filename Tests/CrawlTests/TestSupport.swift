import Crawl
import Foundation
import Store
import Testing

/// Finds the built executables: next to `$DEFECTLAB_BIN`, else `<package>/.build/debug/`.
enum Binaries {
    static var folder: URL {
        if let bin = ProcessInfo.processInfo.environment["DEFECTLAB_BIN"], !bin.isEmpty {
            return URL(fileURLWithPath: bin).deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug")
    }
    static var defectlab: String { folder.appendingPathComponent("defectlab").path }
    static var trackerSim: String { folder.appendingPathComponent("tracker-sim").path }
}

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a command to the end, its output going to files (no pipe can fill up and block it).
func runCommand(_ path: String, _ args: [String], environment: [String: String] = [:]) throws -> CommandResult {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crawltests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    p.standardOutput = try FileHandle(forWritingTo: out)
    p.standardError = try FileHandle(forWritingTo: err)
    try p.run()
    p.waitUntilExit()
    return CommandResult(status: p.terminationStatus,
                         stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}

/// A running `tracker-sim`, stopped when released.
final class Simulator {
    let process = Process()
    let url: String
    let client: HTTPClient

    init(_ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Binaries.trackerSim)
        process.arguments = ["--port", "0"] + args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        try process.run()
        // The first line names the port.
        var line = Data()
        while true {
            let byte = pipe.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on ") else { throw SimStartError(line: text) }
        url = String(text.dropFirst("listening on ".count))
        client = try HTTPClient()
        if let at = args.firstIndex(of: "--tls-cert"), at + 1 < args.count {
            client.caFile = args[at + 1]   // the simulator's self-signed certificate is its own authority
        } else if args.contains("--http2") {
            // A simulator speaking HTTP/2 in clear text answers only clients that start with it.
            client.versionPreference = .http2PriorKnowledge
        }
    }

    struct SimStartError: Error { var line: String }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func json(_ path: String) throws -> [String: Any] {
        let r = try client.get(url + path)
        return try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
    }

    func stats() throws -> (requests: Int, notModified: Int, quota: Int, faults: [String: Int]) {
        let s = try json("/_sim/stats")
        return (s["requests_total"] as! Int, s["not_modified"] as! Int, s["quota_used"] as! Int,
                s["faults"] as? [String: Int] ?? [:])
    }

    func crawl(_ kind: String, _ repo: String, db: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> CommandResult {
        try runCommand(Binaries.defectlab, ["crawl", kind, repo, "--api-url", url, "--db", db, "--no-progress"] + extra,
                       environment: environment)
    }
}

/// A self-signed certificate for 127.0.0.1 and its key (PEM files made by `openssl`, in a fresh folder): the
/// simulator serves HTTPS with them and the crawler trusts the certificate through `--ca-file`.
func selfSignedCertificate() throws -> (certificate: String, key: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crawltests-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
    let r = try runCommand("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                                                "-addext", "subjectAltName=IP:127.0.0.1"])
    guard r.status == 0 else { throw CertificateError(message: r.stderr) }
    return (cert, key)
}

struct CertificateError: Error { var message: String }

func temporaryDatabase() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("crawltests-\(UUID().uuidString).sqlite").path
}

/// Differences between what a crawl stored and the simulator's truth for one repository (empty when equal).
func differences(db path: String, sim: Simulator, repo: String, comments: Bool) throws -> [String] {
    let truth = try sim.json("/_sim/truth?repo=\(repo)")
    let items = (truth["issues"] as! [[String: Any]]).filter { $0["pull_request"] == nil }
    let store = try DefectLabStore.open(path: path, mode: .mustExist)
    var q = IssueBrowser.Query()
    q.repo = repo
    let stored = try IssueBrowser.list(store, q)
    let contents = try IssueBrowser.contents(store, repo: repo)
    var byID: [Int64: IssueSummary] = [:]
    var problems: [String] = []
    for s in stored {
        if byID[s.id ?? -1] != nil { problems.append("duplicate \(s.number)") }
        byID[s.id ?? -1] = s
    }
    for t in items {
        let id = (t["id"] as! NSNumber).int64Value
        let number = "\(t["number"]!)"
        let deleted = t["deleted"] as? Bool ?? false
        guard let s = byID.removeValue(forKey: id) else {
            if !deleted { problems.append("missing \(number)") }
            continue
        }
        let c = contents[id]
        let labelIDs = (t["labels"] as! [[String: Any]]).map { ($0["id"] as! NSNumber).int64Value }.sorted()
        let labelNames = (t["labels"] as! [[String: Any]]).sorted { ($0["id"] as! NSNumber).int64Value < ($1["id"] as! NSNumber).int64Value }.map { $0["name"] as! String }
        var diffs: [String] = []
        if s.number != number { diffs.append("number \(s.number)") }
        if s.title != t["title"] as? String { diffs.append("title") }
        if c?.body != t["body"] as? String { diffs.append("body") }
        if s.state != t["state"] as? String { diffs.append("state") }
        if s.updatedAt != TrackerTime.normalize(t["updated_at"] as? String) { diffs.append("updated_at \(s.updatedAt ?? "nil") vs \(t["updated_at"]!)") }
        if s.labelIDs != labelIDs { diffs.append("label ids") }
        if s.labels != labelNames { diffs.append("label names \(s.labels) vs \(labelNames)") }
        if s.deleted != deleted { diffs.append("deleted \(s.deleted)") }
        if comments, !deleted {
            let ids = (t["comment_ids"] as! [NSNumber]).map(\.int64Value).sorted()
            if c?.commentIDs != ids { diffs.append("comments \(c?.commentIDs ?? []) vs \(ids)") }
        }
        if !diffs.isEmpty { problems.append("\(number): " + diffs.joined(separator: ", ")) }
    }
    for extra in byID.values { problems.append("not in truth: \(extra.number)") }
    return problems
}
