import Foundation
import Testing

/// Runs a reference script in the project's venv (`$DEFECTLAB_PYTHON`, set by `make test`).
///
/// There is no silent fallback: without the interpreter the cross-checks cannot vouch for anything, so a
/// missing variable fails the test with a message that says how to run it.
enum PythonReference {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func interpreter() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"], !python.isEmpty else {
            throw Failure(description: "DEFECTLAB_PYTHON is not set: run `make test`, or set it to the venv's python (`make -s venv-python`)")
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "DEFECTLAB_PYTHON=\(python) is not an executable interpreter")
        }
        return python
    }

    /// Runs `Data/python/<script>` with the JSON `input` in a temporary file and decodes its stdout as JSON.
    static func run(script: String, input: Any) throws -> Any {
        let python = try interpreter()
        let inputURL = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-ref-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: input).write(to: inputURL)
        defer { try? FileManager.default.removeItem(at: inputURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [packageRoot.appendingPathComponent("Data/python/\(script)").path, inputURL.path]
        // stderr goes to a file, stdout is drained before waiting: neither pipe can fill up and deadlock.
        let errorURL = inputURL.appendingPathExtension("stderr")
        FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorURL) }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorOutput = (try? Data(contentsOf: errorURL)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(script) failed (\(process.terminationStatus)): \(String(decoding: errorOutput, as: UTF8.self).suffix(2000))")
        }
        return try JSONSerialization.jsonObject(with: output)
    }
}
