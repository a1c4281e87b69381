import Foundation
import Testing

/// `frameworks`, `diff` and `models export` end to end through the built binary.
@Suite(.serialized) struct DiffCommandTests {
    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func frameworksListsFiveAvailable() throws {
        let r = try CLIProcess.run(["frameworks", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let rows = try #require(object?["frameworks"] as? [[String: Any]])
        let available = Set(rows.filter { $0["available"] as? Bool == true }.compactMap { $0["name"] as? String })
        #expect(available.isSuperset(of: ["pytorch", "onnxruntime", "tensorflow", "jax", "mindspore"]))
        // Coverage is probed: TensorFlow's CPU max-pool has no dilation, and the reason is kept.
        let tf = try #require(rows.first { $0["name"] as? String == "tensorflow" })
        #expect(tf["probed"] as? Bool == true && (tf["probes"] as? Int ?? 0) > 100)
        let gaps = try #require(tf["gaps"] as? [String: String])
        #expect(gaps["MaxPool2d.dilation=dilated"]?.contains("dilation") == true, "\(gaps)")
        // Crashes, hangs and memory blow-ups are listed apart (none on these frameworks' CPU builds today).
        #expect(tf["suspects"] is [String: String], "\(tf.keys.sorted())")
        #expect((tf["probe_requests"] as? Int ?? .max) < (tf["probes"] as? Int ?? 0))
        // Every row has every key, null where there is no value (a cached listing had no start-up key at all).
        for key in ["startup_s", "error", "version", "probe_s"] { #expect(rows.allSatisfy { $0.keys.contains(key) }, "\(key)") }
    }

    /// A venv folder given where its interpreter belongs is named as a folder (it passed the executable check
    /// and every worker failed with "posix_spawn: Permission denied"), and a listing with nothing available
    /// exits 1, so a script can tell.
    @Test func aFolderAsTheInterpreterIsNamedAndNothingAvailableExitsOne() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLIProcess.run(["frameworks", "--refresh"], environment: ["DEFECTLAB_PYTHON": dir.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("is a folder") && r.stderr.contains("bin/python"), "\(r.stderr)")
        #expect(!r.stdout.contains("Permission denied"), "\(r.stdout)")
        let broken = dir.appendingPathComponent("python")
        try "#!/bin/sh\nexit 3\n".write(to: broken, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: broken.path)
        let none = try CLIProcess.run(["frameworks", "--refresh", "--format", "json"], environment: ["DEFECTLAB_PYTHON": broken.path])
        #expect(none.status == 1, "\(none.stderr)")
        #expect(none.stderr.contains("no framework worker starts here"), "\(none.stderr)")
        let rows = try #require((try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [String: Any])?["frameworks"] as? [[String: Any]])
        #expect(rows.count >= 5 && rows.allSatisfy { $0["available"] as? Bool == false })
    }

    /// A loaded model's inputs are drawn each by its own type: token ids for its integer input, features for
    /// its float one (all were drawn as the first input's kind: floats truncated into ids made the reference
    /// refuse the run).
    @Test func eachLoadedInputIsDrawnByItsOwnType() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = dir.appendingPathComponent("two-inputs")
        try FileManager.default.createDirectory(at: bundle, withIntermediateDirectories: true)
        let graph = #"""
            {"name": "two-inputs", "outputs": ["r", "e"], "nodes": [
             {"name": "s", "op": "Input", "inputs": [], "attributes": {"shape": [2, 3], "dtype": "f32"}, "role": "backbone", "outputs": [], "weights": []},
             {"name": "ids", "op": "Input", "inputs": [], "attributes": {"shape": [2, 4], "dtype": "i64"}, "role": "backbone", "outputs": [], "weights": []},
             {"name": "r", "op": "ReLU", "inputs": ["s"], "attributes": {}, "role": "backbone", "outputs": [], "weights": []},
             {"name": "e", "op": "Embedding", "inputs": ["ids"], "attributes": {"vocab": 7, "dim": 3}, "role": "backbone", "outputs": [],
              "weights": [{"name": "weight", "shape": [7, 3], "initializer": "standardNormal", "fanIn": 1, "fanOut": 1, "trainable": true}]}]}
            """#
        try Data(graph.utf8).write(to: bundle.appendingPathComponent("graph.json"))
        // safetensors: 8-byte header length, the JSON header (padded to 8), then e.weight [7, 3] f32.
        var header = Array(#"{"e.weight":{"dtype":"F32","shape":[7,3],"data_offsets":[0,84]}}"#.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        for i in 0..<21 { withUnsafeBytes(of: Float(i) / 10) { file.append(contentsOf: $0) } }
        try file.write(to: bundle.appendingPathComponent("weights.safetensors"))
        let load = try CLIProcess.run(["models", "load", bundle.path])
        try #require(load.status == 0, "the hand-written bundle is not valid: \(load.stderr)")
        let r = try CLIProcess.run(["diff", "--load", bundle.path, "--frameworks", "onnxruntime", "--format", "json",
                                    "--db", dir.appendingPathComponent("db.sqlite").path])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((object?["frameworks"] as? [[String: Any]])?.first?["status"] as? String == "ok", "\(r.stdout.prefix(400))")
    }

    @Test func diffPrintsTheIssueJSONAndStoresTheRun() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("db.sqlite").path
        // A family name means its shortest member, and the others it could mean are said (the choice was silent).
        let r = try CLIProcess.run(["diff", "--model", "lstm", "--frameworks", "pytorch,onnxruntime", "--format", "json", "--db", db])
        #expect(r.stderr.contains("'lstm' is taken as lstm-regressor (also: lstm-stacked-regressor"), "\(r.stderr)")
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["model"] as? String == "lstm-regressor")
        let fws = try #require(object["frameworks"] as? [[String: Any]])
        #expect(fws.map { $0["name"] as? String } == ["pytorch", "onnxruntime"])
        for f in fws {
            #expect(f["status"] as? String == "ok")
            #expect((f["max_abs_dev"] as? Double ?? 1) < 1e-4)
            #expect(f["time_ms"] is Double && f["peak_mb"] is Double && f["version"] is String)
        }
        #expect((object["findings"] as? [Any])?.isEmpty == true)
        let info = try CLIProcess.run(["db", "info", "--db", db, "--format", "json"])
        #expect(info.stdout.contains("v2-findings") && info.stdout.contains("diff_run"))
    }

    /// `--baseline`: the seed (by name or folder) runs first on the same frameworks, so the slowdown oracle has
    /// each framework's own time to compare with; it belongs to one model, not to --all-seeds.
    @Test func baselineRunsTheSeedFirst() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("db.sqlite").path
        let saved = dir.appendingPathComponent("lenet5").path
        try #require(try CLIProcess.run(["models", "save", "lenet5", saved]).status == 0)
        for baseline in ["lenet5", saved] {
            let r = try CLIProcess.run(["diff", "--load", saved, "--baseline", baseline, "--per-node", "--frameworks", "pytorch,onnxruntime",
                                        "--format", "json", "--db", db])
            #expect(r.status == 0, "\(r.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            // The same model on both sides: nothing but timing noise could differ, and never the values.
            let findings = (object["findings"] as? [[String: Any]]) ?? []
            #expect(findings.allSatisfy { $0["symptom"] as? String == "slowdown" }, "\(findings)")
        }
        let all = try CLIProcess.run(["diff", "--all-seeds", "--baseline", "lenet5", "--db", db])
        #expect(all.status == 64 && all.stderr.contains("--baseline goes with --model or --load"), "\(all.stderr)")
        let unknown = try CLIProcess.run(["diff", "--model", "lenet5", "--baseline", "no-such-seed", "--frameworks", "pytorch", "--db", db])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown model 'no-such-seed'"), "\(unknown.status) \(unknown.stderr)")
    }

    @Test func unknownFrameworkIsAUsageError() throws {
        let r = try CLIProcess.run(["diff", "--model", "lenet5", "--frameworks", "caffe"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("unknown framework 'caffe'"))
    }

    /// Values that cannot mean anything are usage errors: a timeout of 0 filed a hang everywhere, a NaN learning
    /// rate NaN losses, an empty list an internal error.
    @Test func meaninglessValuesAreUsageErrors() throws {
        for args in [["--timeout", "0"], ["--timeout=-1"], ["--learning-rate", "nan"], ["--learning-rate=-0.1"], ["--frameworks", ""], ["--min-timed-ms", "-1"], ["--min-timed-ms", "inf"]] {
            let r = try CLIProcess.run(["diff", "--model", "lenet5", "--db", "/tmp/defectlab-never-\(UUID().uuidString).sqlite"] + args)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
        }
    }

    /// A mistake in the arguments leaves no new store behind (an unknown model, folder, annotator name or
    /// sample made an empty store at a mistyped --db), and --db given twice is refused (the last one won).
    @Test func argumentMistakesLeaveNoStore() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("typo.sqlite").path
        for arguments in [["diff", "--model", "nosuch", "--frameworks", "onnxruntime"], ["diff", "--load", dir.appendingPathComponent("none").path, "--frameworks", "onnxruntime"],
                          ["annotators", "add", "bad,name"], ["assign", "--sample", "s", "--annotators", "a,b", "--design", "all", "--seed", "1"]] {
            let r = try CLIProcess.run(arguments + ["--db", db])
            #expect(r.status != 0 && !FileManager.default.fileExists(atPath: db), "\(arguments): \(r.status) \(r.stderr)")
        }
        let twice = try CLIProcess.run(["annotators", "add", "carol", "--db", db, "--db", dir.appendingPathComponent("other.sqlite").path])
        #expect(twice.status == 64 && twice.stderr.contains("--db is given 2 times"), "\(twice.stderr)")
        let preset = try CLIProcess.run(["filter", "--preset", "nosuch", "--db", db])
        #expect(preset.status == 64 && preset.stderr.contains("no preset 'nosuch'"), "\(preset.stderr)")
        // An unknown option says where the options are listed, as an unknown command does.
        let unknown = try CLIProcess.run(["ratings", "import", "--bogus", "x.csv", "--db", db])
        #expect(unknown.status == 64 && unknown.stderr.contains("`defectlab ratings import --help` lists the options"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    /// A report path that cannot be written is refused before the run (a folder failed with a Foundation error
    /// code after the whole run, its findings already stored).
    @Test func anUnwritableReportPathIsRefusedBeforeTheRun() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a-file").path
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        let db = dir.appendingPathComponent("d.sqlite").path
        for (path, says) in [(dir.path, "it is a folder"), (file + "/sub/report.md", "is a file, not a folder")] {
            let r = try CLIProcess.run(["diff", "--model", "lenet5", "--frameworks", "onnxruntime", "--db", db, "--report", path])
            #expect(r.status == 64 && r.stderr.contains(says), "\(path): \(r.status) \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: db), "the diff ran")
        // Nor over a file of the model the command reads (a report named DIR/graph.json replaced that graph).
        let model = dir.appendingPathComponent("m").path
        #expect(try CLIProcess.run(["models", "save", "lenet5", model]).status == 0)
        let graph = try Data(contentsOf: URL(fileURLWithPath: model + "/graph.json"))
        for arguments in [["diff", "--load", model, "--frameworks", "onnxruntime", "--db", db, "--report", model + "/graph.json"],
                          ["diff", "--model", "lenet5", "--baseline", model, "--frameworks", "onnxruntime", "--db", db, "--report", model + "/./weights.safetensors"],
                          ["models", "export", model, "--onnx", model + "/graph.json"]] {
            let r = try CLIProcess.run(arguments)
            #expect(r.status == 64 && r.stderr.contains("of the model read from"), "\(arguments): \(r.status) \(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: model + "/graph.json")) == graph)
        // The store that does not exist yet, named through a folder link, is the store; a link to a missing
        // folder cannot have a folder made under it: both refused before the run (both failed after it).
        let link = dir.appendingPathComponent("here").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir.path)
        let nowhere = dir.appendingPathComponent("nowhere").path
        try FileManager.default.createSymbolicLink(atPath: nowhere, withDestinationPath: "missing/deeper")
        let fresh = dir.appendingPathComponent("fresh.sqlite").path
        for (report, says) in [(link + "/fresh.sqlite-wal", "the store's -wal file"), (nowhere + "/r.md", "which does not exist")] {
            let r = try CLIProcess.run(["diff", "--model", "lenet5", "--frameworks", "onnxruntime", "--db", fresh, "--report", report])
            #expect(r.status == 64 && r.stderr.contains(says) && !FileManager.default.fileExists(atPath: fresh), "\(report): \(r.status) \(r.stderr)")
        }
        // A saved model is exported as saved: an option that shapes a seed is refused, not ignored.
        let shaped = try CLIProcess.run(["models", "export", model, "--onnx", dir.appendingPathComponent("m.onnx").path, "--classes", "3"])
        #expect(shaped.status == 64 && shaped.stderr.contains("shape a seed model only"), "\(shaped.stderr)")
        // The reference is every diff's arbiter: named alone it is said so (it was an "unknown framework").
        let reference = try CLIProcess.run(["diff", "--model", "lenet5", "--frameworks", "reference", "--db", db])
        #expect(reference.status == 64 && reference.stderr.contains("names only the reference"), "\(reference.stderr)")
    }

    /// A loss every framework shares is the model's or the learning rate's: no E2 (one was filed per framework);
    /// a worker that does not start is this machine's set-up, not a G3 defect nor a capability gap (the command
    /// fails, saying so); a framework named twice runs once.
    @Test func sharedLossesAndBrokenWorkersAreNoFindings() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("d.sqlite").path
        let diverging = try CLIProcess.run(["diff", "--model", "lstm-regressor", "--frameworks", "pytorch,jax,pytorch", "--train-steps", "3",
                                            "--learning-rate", "1000", "--format", "json", "--db", db])
        #expect(diverging.status == 0, "\(diverging.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(diverging.stdout.utf8)) as? [String: Any])
        #expect((object["frameworks"] as? [[String: Any]])?.count == 2)
        #expect((object["findings"] as? [Any])?.isEmpty == true, "\(diverging.stdout.suffix(600))")
        // A PyTorch worker that cannot import torch: the interpreter, started for PyTorch's worker, fails as a
        // broken install does. (Workers run isolated, `python -I`: PYTHONPATH cannot shadow a package.)
        let real = try #require(ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"])
        let wrapper = dir.appendingPathComponent("python")
        try """
            #!/bin/sh
            case "$*" in *"worker.py pytorch"*) echo "ImportError: shadowed for the test" >&2; exit 1;; esac
            exec "\(real)" "$@"

            """.write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        let broken = try CLIProcess.run(["diff", "--model", "lenet5", "--frameworks", "pytorch,onnxruntime", "--format", "json", "--db", db],
                                        environment: ["DEFECTLAB_PYTHON": wrapper.path])
        #expect(broken.status == 1 && broken.stderr.contains("pytorch did not start"), "\(broken.stderr)")
        #expect(broken.stderr.contains("ImportError: shadowed for the test"), "the cause comes first: \(broken.stderr)")
        // Once: a one-line tail was shown as the cause and again as the tail.
        let pytorchMessage = try #require((try JSONSerialization.jsonObject(with: Data(broken.stdout.utf8)) as? [String: Any])
            .flatMap { ($0["frameworks"] as? [[String: Any]])?.first { $0["name"] as? String == "pytorch" }?["message"] as? String })
        #expect(pytorchMessage.components(separatedBy: "shadowed for the test").count == 2, "\(pytorchMessage)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(broken.stdout.utf8)) as? [String: Any])
        let pytorch = (report["frameworks"] as? [[String: Any]])?.first { $0["name"] as? String == "pytorch" }
        #expect(pytorch?["status"] as? String == "unsupported", "\(broken.stdout.prefix(800))")
        #expect((report["findings"] as? [Any])?.isEmpty == true, "\(broken.stdout.suffix(600))")
        // Not a declared capability gap either: nothing ran there.
        #expect((report["gaps"] as? [String])?.contains { $0.hasPrefix("pytorch") } != true, "\(report["gaps"] ?? "")")
    }

    /// A framework's error text is anyone's (it quotes a loaded model's names, or whatever the framework says):
    /// the table draws it inert. The escape sequences in a PyTorch Tanh error reached the terminal as they were.
    @Test func frameworkErrorTextReachesTheTerminalInert() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wrapper = try FrameworkShim.failingTanh(in: dir, pythonMessage: #"boom \x1b[31mRED\x1b[0m \x1b]0;retitled\x07 \x9b2J end"#)
        let r = try CLIProcess.run(["diff", "--model", "lenet5", "--frameworks", "pytorch,onnxruntime", "--repeats", "1", "--min-timed-ms", "0",
                                    "--db", dir.appendingPathComponent("d.sqlite").path], environment: ["DEFECTLAB_PYTHON": wrapper.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("boom") && r.stdout.contains("RED"), "\(r.stdout)")
        #expect(!r.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{9B}" }, "\(r.stdout.debugDescription)")
        // JSON escapes C0 controls itself; C1 (U+009B is CSI to many terminals) it left raw.
        let json = try CLIProcess.run(["diff", "--model", "lenet5", "--frameworks", "pytorch", "--repeats", "1", "--min-timed-ms", "0", "--format", "json",
                                       "--db", dir.appendingPathComponent("d.sqlite").path], environment: ["DEFECTLAB_PYTHON": wrapper.path])
        #expect(json.status == 0 && json.stdout.contains("boom"), "\(json.stderr)")
        #expect(!json.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{9B}" }, "\(json.stdout.debugDescription)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let pytorch = (object["frameworks"] as? [[String: Any]])?.first
        #expect((pytorch?["message"] as? String)?.contains("\u{9B}2J") == true, "\(pytorch ?? [:])")
    }

    @Test func exportsACheckedONNXModel() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("lenet5.onnx").path
        let r = try CLIProcess.run(["models", "export", "lenet5", "--onnx", file])
        #expect(r.status == 0, "\(r.stderr)")
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        #expect(size > 200_000)
    }
}
