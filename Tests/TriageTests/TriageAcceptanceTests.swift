import Foundation
import Fuzz
import GRDB
import ModelIR
import Store
import Testing
@testable import Triage

/// Issue 9's acceptance: a campaign against the reference and the fault-injection framework with five planted
/// defects of five kinds folds into exactly the planted set, each defect reduces to at most 3 nodes, and each
/// reproducer shows the defect for `faulty` while the same model's ONNX Runtime control does not (ONNX Runtime,
/// not PyTorch: importing torch takes seconds per script, and the test runs ten scripts).
@Suite(.serialized) struct TriageAcceptanceTests {
    static func python() throws -> String {
        let python = ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"] ?? ""
        guard !python.isEmpty, FileManager.default.isExecutableFile(atPath: python) else {
            throw TriageError(.noExecutor, "DEFECTLAB_PYTHON is not set to the venv's python: run `make test`")
        }
        return python
    }

    /// Runs `script` with `python` and returns (exit status, output).
    static func run(_ python: String, _ script: String, in dir: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script]
        p.currentDirectoryURL = URL(fileURLWithPath: "/")  // the script must find its files by itself
        let out = URL(fileURLWithPath: dir).appendingPathComponent(script + ".out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        p.arguments = [URL(fileURLWithPath: dir).appendingPathComponent(script).path]
        try p.run()
        return p
    }

    @Test func plantedDefectsFoldReduceAndReproduce() throws {
        let python = try Self.python()
        let start = Date()
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try DefectLabStore.open(path: dir.appendingPathComponent("f.sqlite").path)
        try TriageTestSupport.campaign(store, seed: 2, budget: 120)
        let raw = try TriageTestSupport.count(store, "SELECT COUNT(*) FROM campaign_finding")
        #expect(raw >= 20, "the campaign found too little to judge folding: \(raw) findings")

        try DefectFolder.fold(store: store)
        let defects = try DefectQueries(store: store).list()
        var byPlanted: [PlantedDefect: [DefectRecord]] = [:]
        for d in defects { if let p = TriageTestSupport.plantedMatch(d) { byPlanted[p, default: []].append(d) } }
        // Exactly the planted set: each planted defect is one defect (not split), none merged with another.
        for p in TriageTestSupport.planted {
            #expect(byPlanted[p]?.count == 1, "planted \(p) folded into \(byPlanted[p]?.count ?? 0) defects; defects: \(defects.map(\.signature))")
        }
        let inPlanted = byPlanted.values.flatMap { $0 }.reduce(0) { $0 + $1.findingCount }
        let rate = Double(inPlanted) / Double(max(raw, 1))
        #expect(rate >= 0.95, "only \(inPlanted) of \(raw) raw findings fold into the planted defects; others: \(defects.filter { TriageTestSupport.plantedMatch($0) == nil }.map(\.signature))")
        print("fold: \(raw) raw findings -> \(defects.count) defects; \(inPlanted) (\(String(format: "%.1f", 100 * rate))%) in the 5 planted defects")

        // Reduce and write reproducers; run the scripts in parallel (each interpreter imports one framework).
        let exporter = OnnxExporter(interpreter: python)
        defer { exporter.shutdown() }
        let triage = DefectTriage(store: store, oracles: try TriageTestSupport.oracles(),
                                  writer: ReproducerWriter(exporter: exporter, controls: ["onnxruntime"]))
        var runs: [(PlantedDefect, Process, String, Bool)] = []
        for p in TriageTestSupport.planted {
            guard let d = byPlanted[p]?.first else { continue }
            let out = dir.appendingPathComponent("repro/D\(d.id)").path
            let folder = try triage.reproduce(d.id, out: out)
            let reduced = try DefectQueries(store: store).defect(d.id)
            #expect((reduced.reducedNodes ?? 99) <= 3, "\(p) reduced to \(reduced.reducedNodes ?? -1) nodes (from \(d.representativeNodes ?? -1))")
            #expect(reduced.kind == "interface")
            #expect(reduced.reproPath == folder.path)
            print("\(p): \(d.representativeNodes ?? -1) -> \(reduced.reducedNodes ?? -1) nodes, \(reduced.kind ?? "?")")
            for f in ["bug-report.md", "model/graph.json", "model/weights.safetensors", "input_0.npy", "expected_0.npy", "repro_faulty.py", "control_onnxruntime.py", "model/model.onnx"] {
                #expect(FileManager.default.fileExists(atPath: out + "/" + f), "\(p): missing \(f)")
            }
            let report = try String(contentsOfFile: out + "/bug-report.md", encoding: .utf8)
            #expect(report.contains(p.kind.expectedSubtype) && report.contains("faulty"))
            if p.kind == .wrong {
                // What the campaign saw is quoted: the distance the framework reached.
                #expect(report.contains("Observed by the campaign on the unreduced mutant: faulty: mean relative distance"), "\(report)")
            }
            runs.append((p, try Self.run(python, "repro_faulty.py", in: out), out, true))
            runs.append((p, try Self.run(python, "control_onnxruntime.py", in: out), out, false))
        }
        #expect(runs.count == 10)
        for (p, process, out, faulty) in runs {
            process.waitUntilExit()
            #expect(process.terminationReason == .exit, "\(p): the script was killed by a signal")
            let script = faulty ? "repro_faulty.py" : "control_onnxruntime.py"
            let text = (try? String(contentsOfFile: out + "/" + script + ".out", encoding: .utf8)) ?? ""
            if faulty {
                #expect(process.terminationStatus != 0, "\(p): the faulty reproducer does not show the defect:\n\(text)")
                #expect(text.contains("expected output") && text.contains("actual"), "\(p): no expected vs actual:\n\(text)")
            } else {
                #expect(process.terminationStatus == 0, "\(p): the ONNX Runtime control fails on the same model:\n\(text)")
                #expect(text.contains("no defect"), "\(p): \(text)")
            }
        }
        print(String(format: "acceptance: %.1f s", Date().timeIntervalSince(start)))
    }
}
