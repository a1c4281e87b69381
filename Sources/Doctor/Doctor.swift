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

    /// Imports every module in one child interpreter (frameworks print at import, so stdout is swapped
    /// for stderr until the JSON answer is written).
    static func probeModules(python: String) -> [DoctorCheck] {
        let modules = pythonModules.map { "\"\($0.module)\"" }.joined(separator: ",")
        let script = """
            import sys, json, importlib, os
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            out = sys.stdout; sys.stdout = sys.stderr
            res = {}
            for m in [\(modules)]:
                try:
                    mod = importlib.import_module(m)
                    res[m] = ["ok", str(getattr(mod, "__version__", "?"))]
                except BaseException as e:
                    res[m] = ["failed", (type(e).__name__ + ": " + str(e)).splitlines()[0][:200]]
            out.write(json.dumps(res)); out.flush()
            """
        guard let result = try? runProcess(python, ["-c", script], timeout: 300, stdoutOnly: true),
              let data = result.output.data(using: .utf8),
              let answer = try? JSONDecoder().decode([String: [String]].self, from: data) else {
            return [DoctorCheck(group: "python", name: "frameworks", status: .failed, detail: "the venv interpreter did not answer")]
        }
        return pythonModules.map { module, label in
            let entry = answer[module] ?? ["failed", "not probed"]
            return DoctorCheck(group: "python", name: label, status: entry[0] == "ok" ? .ok : .failed, detail: entry[1])
        }
    }

    struct ProcessResult { var status: Int32; var output: String }

    /// Runs a short-lived child process and collects its output (drained before waiting, so a chatty child
    /// cannot fill the pipe and deadlock).
    static func runProcess(_ executable: String, _ arguments: [String], timeout: TimeInterval,
                           stdoutOnly: Bool = false) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = stdoutOnly ? FileHandle.nullDevice : pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = DispatchTime.now() + timeout
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: deadline)
        timer.setEventHandler { if process.isRunning { process.terminate() } }
        timer.resume()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return ProcessResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
