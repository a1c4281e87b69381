import Foundation
import ModelIR

/// Where the Python worker scripts are: the package resource folder `python` (so an installed tool finds
/// them without a checkout), or `$DEFECTLAB_WORKER_SCRIPTS` for development.
public enum WorkerScripts {
    public static func directory() throws(WorkerError) -> URL {
        if let dir = ProcessInfo.processInfo.environment["DEFECTLAB_WORKER_SCRIPTS"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        if let url = Bundle.module.url(forResource: "python", withExtension: nil),
           FileManager.default.fileExists(atPath: url.appendingPathComponent("worker.py").path) {
            return url
        }
        throw WorkerError(.scriptMissing, framework: "*", "the worker scripts (resource folder python/) are missing from the bundle")
    }

    public static func worker() throws(WorkerError) -> URL { try directory().appendingPathComponent("worker.py") }

    /// Hash of every script: cached capabilities are only valid for the scripts that produced them.
    public static func hash() -> String {
        guard let dir = try? directory(),
              let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path).filter({ $0.hasSuffix(".py") }).sorted() else { return "none" }
        var hasher = SHA256()
        for f in files {
            hasher.update(Array(f.utf8))
            hasher.update(FileManager.default.contents(atPath: dir.appendingPathComponent(f).path) ?? Data())
        }
        return SHA256.hex(hasher.finalize()).prefix(16).description
    }
}
