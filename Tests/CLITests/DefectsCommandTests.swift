import Foundation
import Testing

/// `defectlab defects` as a user runs it: fold, list, show, repro, and clear errors.
@Suite struct DefectsCommandTests {
    @Test func foldListShowAndReproduceAPlantedDefect() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("f.sqlite").path
        let fuzz = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference,faulty", "--plant", "Dropout=load",
                                       "--ops", "InsNorm", "--budget", "20", "--guidance", "random", "--seed", "3", "--db", db])
        #expect(fuzz.status == 0, "\(fuzz.stderr)")
        let list = try CLIProcess.run(["defects", "list", "--campaign", "latest", "--format", "json", "--db", db])
        #expect(list.status == 0, "\(list.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let defects = try #require(object["defects"] as? [[String: Any]])
        let dropout = try #require(defects.first { $0["op"] as? String == "Dropout" && $0["subtype"] as? String == "G3" }, "\(list.stdout)")
        let id = try #require(dropout["id"] as? Int)
        let show = try CLIProcess.run(["defects", "show", "\(id)", "--db", db])
        #expect(show.status == 0 && show.stdout.contains("Dropout") && show.stdout.contains("signature: error|load|G3|faulty|Dropout"), "\(show.stdout)\(show.stderr)")
        let out = dir.appendingPathComponent("repro").path
        let repro = try CLIProcess.run(["defects", "repro", "D\(id)", "--out", out, "--db", db], environment: ["DEFECTLAB_PYTHON": ""])
        #expect(repro.status == 0, "\(repro.stderr)")
        for f in ["bug-report.md", "model/graph.json", "repro_faulty.py", "input_0.npy", "expected_0.npy"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + f), "missing \(f): \(repro.stdout)")
        }
        let shown = try CLIProcess.run(["defects", "show", "\(id)", "--format", "json", "--db", db])
        let record = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect((record["reduced_nodes"] as? Int ?? 99) <= 3)
        #expect(record["kind"] as? String == "interface")
        #expect((record["repro_path"] as? String)?.hasSuffix("repro") == true)
    }

    /// A defect of a framework run from another interpreter (`--framework pytorch@old=PYTHON`, comparing two
    /// releases) reduces there: the reduction ran the venv's PyTorch, never saw the defect, and called it flaky.
    @Test func aDefectOfAnotherInterpreterReducesThere() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("old.sqlite").path
        let wrapper = try FrameworkShim.failingTanh(in: dir, pythonMessage: "boom from the old release")
        let fuzz = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference,pytorch@old", "--framework", "pytorch@old=\(wrapper.path)",
                                       "--ops", "InsNorm", "--budget", "3", "--guidance", "random", "--seed", "3", "--db", db])
        #expect(fuzz.status == 0, "\(fuzz.stderr)")
        let list = try CLIProcess.run(["defects", "list", "--format", "json", "--db", db])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let defects = try #require(object["defects"] as? [[String: Any]])
        let old = try #require(defects.first { ($0["frameworks"] as? [String]) == ["pytorch@old"] && ($0["error"] as? String)?.contains("boom from the old release") == true }, "\(list.stdout)")
        let log = dir.appendingPathComponent("started.log")
        try FileManager.default.removeItem(at: log)
        let reduce = try CLIProcess.run(["defects", "reduce", "\(old["id"] as? Int ?? 0)", "--db", db])
        #expect(reduce.status == 0, "\(reduce.stderr)")
        #expect(FileManager.default.fileExists(atPath: log.path), "the campaign's interpreter was not started")
        // Its reproducer is PyTorch's script, named after the release and run with the campaign's Python (a note
        // pointed to `diff --load`, which cannot run pytorch@old).
        let out = dir.appendingPathComponent("repro")
        let repro = try CLIProcess.run(["defects", "repro", "\(old["id"] as? Int ?? 0)", "--out", out.path, "--db", db])
        #expect(repro.status == 0, "\(repro.stderr)")
        let script = try String(contentsOf: out.appendingPathComponent("repro_pytorch_old.py"), encoding: .utf8)
        #expect(script.contains("The campaign ran pytorch@old from another Python (\(wrapper.path))") && script.contains("import torch"), "\(script.prefix(1200))")
        #expect(!script.contains("python3 repro_pytorch_old.py") && script.contains("Run: that Python repro_pytorch_old.py"), "\(script.prefix(1600))")
        let bug = try String(contentsOf: out.appendingPathComponent("bug-report.md"), encoding: .utf8)
        #expect(bug.contains("\(wrapper.path) repro_pytorch_old.py"), "\(bug)")
        // The controls run with `python3`, which may have no framework: the venv's Python is named.
        #expect(bug.contains("`python3` stands for a Python with the script's framework and numpy (where the defect was found: `"), "\(bug)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("repro_pytorch_old.txt").path))
        // One that is gone is said, not taken for a defect that did not show again.
        try FileManager.default.removeItem(at: wrapper)
        let gone = try CLIProcess.run(["defects", "reduce", "\(old["id"] as? Int ?? 0)", "--db", db])
        #expect(gone.status != 0 && gone.stderr.contains("not an executable interpreter"), "\(gone.stderr)")
        // A campaign with it says what to check: `frameworks` checks the venv's Python only.
        let again = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference,pytorch@old", "--framework", "pytorch@old=\(wrapper.path)",
                                        "--budget", "2", "--db", dir.appendingPathComponent("gone.sqlite").path])
        #expect(again.status != 0 && again.stderr.contains("check the interpreter given with --framework pytorch@old=PYTHON"), "\(again.stderr)")
    }

    /// An inconsistency found on a real framework is localized by a second run with every layer; the reducer
    /// must do the same, or its candidates name "output", never the defect's op, and nothing reduces ("the
    /// representative mutant no longer shows").
    @Test func aRealFrameworksInconsistencyReduces() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("r.sqlite").path
        let tight = dir.appendingPathComponent("tight.json")
        try Data(#"{"relativeDistance": 1e-9}"#.utf8).write(to: tight)
        let fuzz = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "pytorch", "--ops", "GF", "--budget", "3",
                                       "--guidance", "random", "--seed", "2", "--oracles", tight.path, "--db", db])
        #expect(fuzz.status == 0, "\(fuzz.stderr)")
        let list = try CLIProcess.run(["defects", "list", "--format", "json", "--db", db])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let defects = try #require(object["defects"] as? [[String: Any]])
        let f1 = try #require(defects.first { $0["subtype"] as? String == "F1" && $0["op"] as? String != "output" }, "\(list.stdout)")
        let reduce = try CLIProcess.run(["defects", "reduce", "\(f1["id"] as? Int ?? 0)", "--format", "json", "--db", db])
        #expect(reduce.status == 0, "\(reduce.stderr)")
    }

    /// A reduction whose representative no longer shows the defect is recorded: `defects show` says it was
    /// tried (it kept pointing at `defects reduce`, which failed the same way every time), until one succeeds.
    @Test func aFailedReductionIsShown() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("f.sqlite").path
        let fuzz = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference,faulty", "--plant", "Dense=wrong",
                                       "--budget", "6", "--guidance", "random", "--seed", "3", "--db", db])
        #expect(fuzz.status == 0, "\(fuzz.stderr)")
        let list = try CLIProcess.run(["defects", "list", "--format", "json", "--db", db])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let id = try #require((object["defects"] as? [[String: Any]])?.first?["id"] as? Int, "\(list.stdout)")
        // The campaign's record now plants another fault: its representative no longer shows this one.
        // (Through Python's sqlite3: this suite drives the built binary and links no SQLite of its own.)
        let edit = Process()
        edit.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        edit.arguments = ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                          + "c.execute(\"UPDATE campaign SET config_json = replace(config_json, 'Dense=wrong', 'Tanh=wrong')\"); c.commit()", db]
        try edit.run()
        edit.waitUntilExit()
        #expect(edit.terminationStatus == 0)
        let reduce = try CLIProcess.run(["defects", "reduce", "\(id)", "--db", db])
        #expect(reduce.status != 0 && reduce.stderr.contains("no longer shows"), "\(reduce.stderr)")
        let show = try CLIProcess.run(["defects", "show", "\(id)", "--db", db])
        #expect(show.stdout.contains("reduced: tried, and it did not reproduce: the representative mutant no longer shows"), "\(show.stdout)")
        let json = try CLIProcess.run(["defects", "show", "\(id)", "--format", "json", "--db", db])
        #expect(json.stdout.contains("\"reduction_failure\""))
    }

    @Test func unknownDefectsSayHowToListThem() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("empty.sqlite").path
        #expect(try CLIProcess.run(["db", "info", "--db", db]).status == 0)
        let show = try CLIProcess.run(["defects", "show", "42", "--db", db])
        #expect(show.status != 0 && show.stderr.contains("no defect 42") && show.stderr.contains("defects list"), "\(show.stderr)")
        let repro = try CLIProcess.run(["defects", "repro", "--db", db])
        #expect(repro.status != 0 && repro.stderr.contains("--all"))
        let list = try CLIProcess.run(["defects", "list", "--db", db])
        #expect(list.status == 0 && list.stdout.contains("no defects"))
    }
}
