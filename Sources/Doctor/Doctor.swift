import CCurl
import CLibXML2
import CNCursesW
import Foundation
import Store

/// One line of `defectlab doctor`.
public struct DoctorCheck: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case ok, missing, failed }
    public var group: String
    public var name: String
    public var status: Status
    public var detail: String
}

/// Reports what DefectLab needs and what it found: toolchain, system libraries, the framework venv, and
/// each framework's importability and version.
public enum Doctor {
    /// The Python modules probed in the venv: the frameworks, then the statistics references.
    public static let pythonModules: [(module: String, label: String)] = [
        ("numpy", "numpy"), ("torch", "pytorch"), ("onnx", "onnx"), ("onnxruntime", "onnxruntime"),
        ("tensorflow", "tensorflow"), ("jax", "jax"), ("mindspore", "mindspore"),
        ("safetensors", "safetensors"), ("statsmodels", "statsmodels"), ("krippendorff", "krippendorff"),
        ("irrCAC", "irrCAC"),
    ]

    public static func run(skipFrameworks: Bool = false) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        checks.append(toolchain())
        checks.append(DoctorCheck(group: "system", name: "libcurl", status: .ok,
                                  detail: String(cString: ccurl_version_string())
                                    + ((ccurl_features() & CURL_VERSION_HTTP2) != 0 ? " (HTTP/2)" : "")))
        checks.append(DoctorCheck(group: "system", name: "libxml2", status: .ok, detail: String(cString: cxml_version_string())))
        checks.append(DoctorCheck(group: "system", name: "ncursesw", status: .ok, detail: String(cString: cnc_version_string())))
        checks.append(DoctorCheck(group: "system", name: "sqlite", status: .ok, detail: DefectLabStore.sqliteVersion))
        checks.append(tool("tmux", arguments: ["-V"], group: "system"))
        let python: PythonEnvironment
        do { python = try PythonEnvironment.locate() } catch {
            checks.append(DoctorCheck(group: "python", name: "venv", status: .missing, detail: "\(error)"))
            return checks
        }
        checks.append(DoctorCheck(group: "python", name: "venv", status: .ok, detail: python.interpreter))
        if skipFrameworks { return checks }
        checks.append(contentsOf: probeModules(python: python.interpreter))
        return checks
    }

    static func toolchain() -> DoctorCheck {
        var check = tool("swift", arguments: ["--version"], group: "toolchain")
        check.detail = check.detail.components(separatedBy: "\n").first ?? check.detail
        return check
    }

    static func tool(_ name: String, arguments: [String], group: String) -> DoctorCheck {
        guard let result = try? runProcess("/usr/bin/env", [name] + arguments, timeout: 20), result.status == 0 else {
            return DoctorCheck(group: group, name: name, status: .missing, detail: "\(name) not found on PATH")
        }
        let line = result.output.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n").first ?? ""
        return DoctorCheck(group: group, name: name, status: .ok, detail: line)
    }

    /// Imports each module in its own child interpreter, all at once. One process per framework, as the
    /// workers run them: some frameworks abort when imported into one process together. Frameworks print
    /// at import, so stdout is swapped for stderr until the answer is written.
    static func probeModules(python: String) -> [DoctorCheck] {
        let modules = pythonModules
        let results = ProbeResults(count: modules.count)
        DispatchQueue.concurrentPerform(iterations: modules.count) { index in
            let module = modules[index].module
            let script = """
                import sys, os, importlib
                os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
                out = sys.stdout; sys.stdout = sys.stderr
                mod = importlib.import_module("\(module)")
                version = getattr(mod, "__version__", None)
                if version is None:
                    import importlib.metadata
                    version = importlib.metadata.version("\(module)")
                out.write(str(version)); out.flush()
                os._exit(0)
                """
            let check: DoctorCheck
            if let result = try? runProcess(python, ["-c", script], timeout: 300, stdoutOnly: false, separateStderr: true) {
                let version = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                if result.status == 0, !version.isEmpty {
                    check = DoctorCheck(group: "python", name: modules[index].label, status: .ok, detail: version)
                } else {
                    let reason = result.errorOutput.split(separator: "\n").last.map(String.init) ?? "exit status \(result.status)"
                    check = DoctorCheck(group: "python", name: modules[index].label, status: .failed,
                                        detail: "import \(module) failed: \(reason.prefix(200))")
                }
            } else {
                check = DoctorCheck(group: "python", name: modules[index].label, status: .failed, detail: "could not start \(python)")
            }
            results.set(index, check)
        }
        return results.all
    }

    /// Collects results written from concurrent probes.
    final class ProbeResults: @unchecked Sendable {
        private let lock = NSLock()
        private var checks: [DoctorCheck?]
        init(count: Int) { checks = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ check: DoctorCheck) { lock.withLock { checks[index] = check } }
        var all: [DoctorCheck] { lock.withLock { checks.compactMap { $0 } } }
    }

    struct ProcessResult { var status: Int32; var output: String; var errorOutput: String = "" }

    /// Runs a short-lived child process and collects its output (drained before waiting, so a chatty child
    /// cannot fill the pipe and deadlock).
    static func runProcess(_ executable: String, _ arguments: [String], timeout: TimeInterval,
                           stdoutOnly: Bool = false, separateStderr: Bool = false) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = pipe
        process.standardError = separateStderr ? errorPipe : stdoutOnly ? FileHandle.nullDevice : pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { if process.isRunning { process.terminate() } }
        timer.resume()
        // Drain stderr on another thread while stdout is read here, so neither pipe can fill and block.
        let errorData = ErrorBuffer()
        let group = DispatchGroup()
        if separateStderr {
            DispatchQueue.global().async(group: group) { errorData.data = errorPipe.fileHandleForReading.readDataToEndOfFile() }
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        timer.cancel()
        return ProcessResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
                             errorOutput: String(decoding: errorData.data, as: UTF8.self))
    }

    final class ErrorBuffer: @unchecked Sendable { var data = Data() }
}
