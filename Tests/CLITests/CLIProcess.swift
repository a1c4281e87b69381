import Foundation

/// Runs the built `defectlab` binary as a user would: a real child process, output captured through files
/// (so a chatty child can never block on a full pipe).
struct CLIProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$DEFECTLAB_BIN` (set by `make test`), else the debug build in this checkout.
    static var binary: String {
        if let bin = ProcessInfo.processInfo.environment["DEFECTLAB_BIN"], !bin.isEmpty { return bin }
        return packageRoot.appendingPathComponent(".build/debug/defectlab").path
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil) throws -> Result {
        try runTool(binary, arguments, environment: environment, currentDirectory: currentDirectory)
    }

    /// Another program, run the same way.
    static func runTool(_ executable: String, _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = currentDirectory ?? packageRoot
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DEFECTLAB_DB")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: out, encoding: .utf8),
                      stderr: try String(contentsOf: err, encoding: .utf8))
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-cli-work-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
