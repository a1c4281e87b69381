import Foundation

/// The Python interpreter of the framework venv that `make setup` builds (outside the clone, keyed by the
/// hash of `Data/python/requirements.txt`).
///
/// Lookup: `$DEFECTLAB_PYTHON`, else the path `make setup` recorded in `Data/python/venv-python.path`
/// of the project folder.
public struct PythonEnvironment: Sendable {
    public let interpreter: String

    public static let recordRelativePath = "Data/python/venv-python.path"

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              projectRoot: URL? = ProjectRoot.find()) throws -> PythonEnvironment {
        if let explicit = environment["DEFECTLAB_PYTHON"], !explicit.isEmpty {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: explicit, isDirectory: &isFolder), isFolder.boolValue {
                // A folder passes the executable test (its search bit) and then fails to spawn with EACCES.
                throw DoctorError(message: "DEFECTLAB_PYTHON=\(explicit) is a folder: point it at the interpreter, e.g. \((explicit as NSString).appendingPathComponent("bin/python"))")
            }
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw DoctorError(message: "DEFECTLAB_PYTHON=\(explicit) is not an executable interpreter")
            }
            return PythonEnvironment(interpreter: explicit)
        }
        guard let root = projectRoot else {
            throw DoctorError(message: "framework venv not found: run `make setup` in the project folder, or set DEFECTLAB_PYTHON")
        }
        let record = root.appendingPathComponent(recordRelativePath)
        guard let text = try? String(contentsOf: record, encoding: .utf8) else {
            throw DoctorError(message: "framework venv not set up: run `make setup` (or set DEFECTLAB_PYTHON)")
        }
        let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw DoctorError(message: "the recorded venv interpreter \(path) is gone: run `make setup` again")
        }
        return PythonEnvironment(interpreter: path)
    }
}

/// The project folder: the nearest folder holding `Package.swift` and `Taxonomy/`, searched from the
/// current directory and from the running executable upwards.
public enum ProjectRoot {
    public static func find() -> URL? {
        let fm = FileManager.default
        func isRoot(_ url: URL) -> Bool {
            fm.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
                && fm.fileExists(atPath: url.appendingPathComponent("Taxonomy").path)
        }
        var starts = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        if let exe = CommandLine.arguments.first {
            starts.append(URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        for start in starts {
            var dir = start
            for _ in 0..<8 {
                if isRoot(dir) { return dir }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }
}

public struct DoctorError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
