import Foundation
import Store
import Taxonomy

/// Temporary folders, the checkout's taxonomy and the built `defectlab` binary, for ratings tests.
enum RatingsTestSupport {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func taxonomy() throws -> HPTaxonomy {
        try TaxonomyCatalog(directory: packageRoot.appendingPathComponent("Taxonomy")).loadTaxonomy()
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-ratings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to folder: URL, name: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built binary (`$DEFECTLAB_BIN`, else `.build/debug/defectlab`) with the checkout's taxonomy.
    static var binary: String {
        ProcessInfo.processInfo.environment["DEFECTLAB_BIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? packageRoot.appendingPathComponent(".build/debug/defectlab").path
    }

    static func defectlab(_ arguments: [String], in folder: URL) throws -> Result {
        try run(binary, arguments, in: folder)
    }

    /// A bash script, `$0` being `argument`.
    static func shell(_ script: String, argument: String, in folder: URL) throws -> Result {
        try run("/bin/bash", ["-c", script, argument], in: folder)
    }

    private static func run(_ executable: String, _ arguments: [String], in folder: URL) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["DEFECTLAB_TAXONOMY_DIR"] = packageRoot.appendingPathComponent("Taxonomy").path
        environment.removeValue(forKey: "DEFECTLAB_DB")
        process.environment = environment
        let outURL = folder.appendingPathComponent("out-\(UUID().uuidString)")
        let errURL = folder.appendingPathComponent("err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
