import Foundation
import Workers

/// Framework versions for bug reports, asked of the interpreter the workers use (one short process per
/// framework, one framework per process: importing several in one process aborts), cached per run.
public final class FrameworkVersions: @unchecked Sendable {
    public let interpreter: String
    private var cache: [String: String] = [:]
    private let lock = NSLock()

    public init(interpreter: String) { self.interpreter = interpreter }

    /// The Python module a framework name imports.
    static func module(_ framework: String) -> String? {
        let name = framework.split(separator: "@").first.map(String.init) ?? framework
        // A compiled variant (tensorflow-xla, ...) is its base framework's module.
        return switch FrameworkKind.base(of: name) ?? name {
        case "pytorch": "torch"
        case "onnxruntime": "onnxruntime"
        case "tensorflow": "tensorflow"
        case "jax": "jax"
        case "mindspore": "mindspore"
        case "numpy", "faulty": "numpy"
        default: nil
        }
    }

    /// `module x.y.z`, or nil when it cannot be asked.
    public func version(of framework: String) -> String? {
        guard let module = Self.module(framework) else { return nil }
        lock.lock(); defer { lock.unlock() }
        if let v = cache[module] { return v }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: interpreter)
        p.arguments = ["-c", "import sys, \(module) as m; sys.stdout.write(m.__version__)"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        let v = "\(module) " + String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        cache[module] = v
        return v
    }
}
