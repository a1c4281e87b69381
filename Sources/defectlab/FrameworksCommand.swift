import ArgumentParser
import Doctor
import Foundation
import JSONText
import ModelIR
import Workers

/// `defectlab frameworks`: each framework and compiled variant, whether its worker starts, its version and
/// its op coverage: the ops and attribute values its worker built and ran when probed (`CapabilityProbe`),
/// cached per framework version, worker scripts and interpreter, with the reason for each gap and each suspect
/// (a probe that crashed, hung or ran out of memory, still sent).
struct FrameworksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frameworks", abstract: "List the framework workers and variants: availability, version, op coverage.")

    @Option(help: "table or json.")
    var format: OutputFormat = .table
    @Flag(help: "Start every worker and probe its capabilities again even when they are cached.")
    var refresh = false

    struct Row: Encodable {
        var name: String
        var base: String
        var available: Bool
        var version: String?
        var device: String?
        var opsSupported: Int
        var opsTotal: Int
        var missingOps: [String]
        /// Op → attribute value classes it cannot build.
        var unsupportedAttributes: [String: [String]] = [:]
        /// Feature key → why its probe failed.
        var gaps: [String: String] = [:]
        /// Feature key → how its probe crashed, hung or ran out of memory (still sent: see `Capabilities.suspects`).
        var suspects: [String: String] = [:]
        var training: Bool
        var variant: Bool
        var error: String?
        /// Seconds from spawn to handshake (import included), when this call started the worker.
        var startupSeconds: Double?
        /// Probes run, the requests they travelled in, and seconds the suite took when probed (cached values
        /// are from the probing start).
        var probes: Int?
        var probeRequests: Int?
        var probeSeconds: Double?
        /// Whether the capabilities were probed (false: only the handshake's declaration).
        var probed = false

        enum CodingKeys: String, CodingKey {
            case name, base, available, version, device, training, variant, error, gaps, suspects, probes, probed
            case opsSupported = "ops_supported", opsTotal = "ops_total", missingOps = "missing_ops", startupSeconds = "startup_s"
            case unsupportedAttributes = "unsupported_attributes", probeSeconds = "probe_s", probeRequests = "probe_requests"
        }

        /// Every key, null where there is no value (a cached listing had no `startup_s` at all, where the table
        /// shows "-"), as `diff` and report JSON keep theirs.
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(base, forKey: .base)
            try c.encode(available, forKey: .available)
            try c.encode(version, forKey: .version)
            try c.encode(device, forKey: .device)
            try c.encode(opsSupported, forKey: .opsSupported)
            try c.encode(opsTotal, forKey: .opsTotal)
            try c.encode(missingOps, forKey: .missingOps)
            try c.encode(unsupportedAttributes, forKey: .unsupportedAttributes)
            try c.encode(gaps, forKey: .gaps)
            try c.encode(suspects, forKey: .suspects)
            try c.encode(training, forKey: .training)
            try c.encode(variant, forKey: .variant)
            try c.encode(error, forKey: .error)
            try c.encode(startupSeconds, forKey: .startupSeconds)
            try c.encode(probes, forKey: .probes)
            try c.encode(probeRequests, forKey: .probeRequests)
            try c.encode(probeSeconds, forKey: .probeSeconds)
            try c.encode(probed, forKey: .probed)
        }
    }

    func run() throws {
        let python = try PythonEnvironment.locate().interpreter
        let cache = CapabilityCache.standard
        let allOps = OpKind.allCases.map(\.rawValue)
        var found: [String: Result<Capabilities, WorkerError>] = [:]
        var toStart: [String] = []
        for fw in FrameworkKind.all {
            let spec = try WorkerSpec.framework(fw, interpreter: python)
            if !refresh, let cached = cache.lookup(framework: fw, version: nil, scripts: spec.scriptHash, interpreter: python,
                                                   suite: CapabilityProbe.suiteHash) {
                found[fw] = .success(cached)
            } else {
                toStart.append(fw)
            }
        }
        // One at a time, so each start-up and probe time is the framework's own (diff starts them in parallel).
        var startup: [String: Double] = [:]
        for fw in toStart {
            let worker = Worker(spec: try WorkerSpec.framework(fw, interpreter: python))
            do {
                found[fw] = .success(try worker.capabilities(reprobe: refresh))
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
                    // Variants run in their base framework's builder: its probe answers for them.
                    rows.append(Row(name: name, base: fw, available: name == fw || caps.variants.contains(name), version: caps.version,
                                    device: caps.device, opsSupported: allOps.count - missing.count, opsTotal: allOps.count,
                                    missingOps: missing, unsupportedAttributes: caps.unsupportedAttributes, gaps: caps.gaps, suspects: caps.suspects,
                                    training: caps.training, variant: name != fw, startupSeconds: name == fw ? startup[fw] : nil,
                                    probes: caps.probe?.probes, probeRequests: caps.probe?.requests, probeSeconds: caps.probe?.seconds,
                                    probed: caps.probe != nil))
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
            print(InertText.json(String(decoding: try e.encode(["frameworks": rows]), as: UTF8.self)))
        } else {
            let widths = [20, 11, 15, 7, 10, 10]
            func row(_ cells: [String]) -> String {
                zip(cells, widths + [0]).map { $1 == 0 ? $0 : $0.padding(toLength: Swift.max($1, $0.count + 1), withPad: " ", startingAt: 0) }.joined()
            }
            print(row(["framework", "available", "version", "ops", "training", "start-up", "missing / error"]))
            for r in rows {
                // Start-up is measured when this listing started the worker (a cached listing starts none).
                print(row([r.name, r.available ? "yes" : "no", r.version ?? "-", "\(r.opsSupported)/\(r.opsTotal)", r.training ? "yes" : "no",
                           r.startupSeconds.map { String(format: "%.1f s", $0) } ?? "-",
                           // One line per framework: the error's first (its cause); JSON has the whole text.
                           r.error.map { InertText.line($0.split(separator: "\n").first.map(String.init) ?? $0) } ?? Self.gapSummary(r)]))
            }
        }
        // A script asking whether anything can run here gets its answer in the exit status too.
        if !rows.contains(where: \.available) {
            FileHandle.standardError.write(Data("defectlab: no framework worker starts here; `defectlab doctor` checks the framework venv\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Missing ops, then how many attribute values are unsupported (`--format json` has every reason).
    static func gapSummary(_ r: Row) -> String {
        var parts = r.missingOps.filter { $0 != "Input" }
        let attributes = r.unsupportedAttributes.values.reduce(0) { $0 + $1.count }
        if attributes > 0 { parts.append("+\(attributes) attribute value\(attributes == 1 ? "" : "s")") }
        return parts.isEmpty ? "-" : parts.joined(separator: ",")
    }
}
