import ArgumentParser
import Doctor
import Foundation
import ModelIR
import Workers

/// `defectlab frameworks`: each framework and compiled variant, whether its worker starts, its version and
/// its op coverage (from the worker's handshake, cached per framework version and worker-script hash).
struct FrameworksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frameworks", abstract: "List the framework workers and variants: availability, version, op coverage.")

    @Option(help: "table or json.")
    var format: OutputFormat = .table
    @Flag(help: "Start every worker even when its capabilities are cached.")
    var refresh = false

    func validate() throws {
        guard format != .yaml else { throw ValidationError("--format must be table or json") }
    }

    struct Row: Encodable {
        var name: String
        var base: String
        var available: Bool
        var version: String?
        var device: String?
        var opsSupported: Int
        var opsTotal: Int
        var missingOps: [String]
        var training: Bool
        var variant: Bool
        var error: String?
        /// Seconds from spawn to handshake (import included), when this call started the worker.
        var startupSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case name, base, available, version, device, training, variant, error
            case opsSupported = "ops_supported", opsTotal = "ops_total", missingOps = "missing_ops", startupSeconds = "startup_s"
        }
    }

    func run() throws {
        let python = try PythonEnvironment.locate().interpreter
        let hash = WorkerScripts.hash()
        let allOps = OpKind.allCases.map(\.rawValue)
        var found: [String: Result<Capabilities, WorkerError>] = [:]
        var toStart: [String] = []
        for fw in FrameworkKind.all {
            if !refresh, let cached = Capabilities.cached(framework: fw, scriptHash: hash, interpreter: python) {
                found[fw] = .success(cached)
            } else {
                toStart.append(fw)
            }
        }
        // One at a time, so each start-up time is the framework's own (diff starts them in parallel).
        var startup: [String: Double] = [:]
        for fw in toStart {
            let worker = Worker(spec: try WorkerSpec.framework(fw, interpreter: python))
            do {
                let caps = try worker.capabilities()
                caps.store(scriptHash: hash, interpreter: python)
                found[fw] = .success(caps)
                startup[fw] = worker.lastStartSeconds
            } catch {
                found[fw] = .failure(error)
            }
            worker.shutdown()
        }
        var rows: [Row] = []
        for fw in FrameworkKind.all {
            let names = [fw] + FrameworkKind.variants.filter { $0.value == fw }.keys.sorted()
            for name in names {
                switch found[fw] {
                case .success(let caps)?:
                    let missing = allOps.filter { !caps.ops.contains($0) }
                    rows.append(Row(name: name, base: fw, available: name == fw || caps.variants.contains(name), version: caps.version,
                                    device: caps.device, opsSupported: allOps.count - missing.count, opsTotal: allOps.count,
                                    missingOps: missing, training: caps.training, variant: name != fw,
                                    startupSeconds: name == fw ? startup[fw] : nil))
                case .failure(let error)?:
                    rows.append(Row(name: name, base: fw, available: false, opsSupported: 0, opsTotal: allOps.count, missingOps: [],
                                    training: false, variant: name != fw, error: error.message))
                case nil:
                    break
                }
            }
        }
        if format == .json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try e.encode(["frameworks": rows]), as: UTF8.self))
        } else {
            let widths = [20, 11, 15, 7, 10]
            func row(_ cells: [String]) -> String {
                zip(cells, widths + [0]).map { $1 == 0 ? $0 : $0.padding(toLength: Swift.max($1, $0.count + 1), withPad: " ", startingAt: 0) }.joined()
            }
            print(row(["framework", "available", "version", "ops", "training", "missing / error"]))
            for r in rows {
                print(row([r.name, r.available ? "yes" : "no", r.version ?? "-", "\(r.opsSupported)/\(r.opsTotal)", r.training ? "yes" : "no",
                           r.error ?? (r.missingOps.isEmpty ? "-" : r.missingOps.joined(separator: ","))]))
            }
        }
    }
}
