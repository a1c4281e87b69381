import Foundation
import Testing

/// `defectlab fuzz` and `defectlab study` as a user runs them.
@Suite struct FuzzCommandTests {
    static func hashes(_ json: String) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object["hashes"] as? [String])
    }

    static func mutantRows(_ db: String) throws -> Int { try rows("mutant", in: db) }

    static func findingRows(_ db: String) throws -> Int { try rows("campaign_finding", in: db) }

    static func rows(_ table: String, in db: String) throws -> Int {
        let info = try CLIProcess.run(["db", "info", "--format", "json", "--db", db])
        guard info.status == 0, let object = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any],
              let counts = object["row_counts"] as? [String: Int] else { return 0 }
        return counts[table] ?? 0
    }

    /// SIGKILL mid-campaign, the same command again: the campaign ends with exactly the mutants of an
    /// uninterrupted run, none repeated or lost.
    @Test func killedCampaignResumesToTheUninterruptedMutants() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let killed = dir.appendingPathComponent("killed.sqlite").path, clean = dir.appendingPathComponent("clean.sqlite").path
        let args = ["fuzz", "--seeds", "lenet5,lenet5-relu", "--frameworks", "reference", "--budget", "1000", "--guidance", "bandit", "--seed", "7", "--format", "json"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIProcess.binary)
        process.arguments = args + ["--db", killed]
        process.currentDirectoryURL = CLIProcess.packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var rows = 0
        let deadline = Date().addingTimeInterval(60)
        while rows < 40 && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            rows = (try? Self.mutantRows(killed)) ?? 0
        }
        #expect(process.isRunning, "the campaign finished before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let recorded = try Self.mutantRows(killed)
        #expect(recorded >= 40 && recorded < 1000)

        let resumed = try CLIProcess.run(args + ["--db", killed])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
        #expect(object["replayed"] as? Int == recorded)
        let uninterrupted = try CLIProcess.run(args + ["--db", clean])
        #expect(uninterrupted.status == 0)
        let a = try Self.hashes(resumed.stdout), b = try Self.hashes(uninterrupted.stdout)
        #expect(a.count == 1000)
        #expect(a == b)
        #expect(try Self.mutantRows(killed) == 1000)
    }

    /// A study stores each operator's steps as the groups finish (in group order), not only at its end: a
    /// `kill -9` or a closed terminal lost the whole computation. SIGHUP pauses it as Ctrl-C does.
    @Test func aKilledStudyKeepsTheGroupsItFinished() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("study.sqlite").path
        let args = ["study", "operators", "--seeds", "lenet5,textcnn", "--rounds", "12", "--seed", "2", "--frameworks", "reference", "--db", db]
        for (signal, name) in [(SIGKILL, "kill"), (SIGHUP, "hangup")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLIProcess.binary)
            process.arguments = args
            process.currentDirectoryURL = CLIProcess.packageRoot
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let before = (try? Self.mutantRows(db)) ?? 0
            try process.run()
            var rows = before
            let deadline = Date().addingTimeInterval(120)
            while rows == before && process.isRunning && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
                rows = (try? Self.mutantRows(db)) ?? before
            }
            #expect(process.isRunning, "\(name): the study finished before any step was stored (\(rows) rows)")
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            #expect(try Self.mutantRows(db) > before, "\(name)")
            if signal == SIGHUP {
                // Paused, not killed: exit 3 as for Ctrl-C, and the campaign says so.
                #expect(process.terminationReason == .exit && process.terminationStatus == 3, "\(process.terminationStatus)")
            }
        }
        let done = try CLIProcess.run(args)
        #expect(done.status == 0, "\(done.stderr)")
    }

    @Test func plantedDefectsShowInTheReport() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference,faulty", "--plant", "Pad=crash", "--plant", "BatchNorm=wrong",
                                         "--ops", "SM,InsNorm", "--budget", "40", "--guidance", "random", "--seed", "3",
                                         "--db", dir.appendingPathComponent("f.sqlite").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("G2  faulty  crash at execute in Pad"))
        #expect(result.stdout.contains("F1  faulty  inconsistency at execute in BatchNorm"))
        #expect(result.stdout.contains("report: "))
        #expect(result.stderr.contains("mutants 40/40"))
    }

    @Test func unknownFrameworksAreAClearError() throws {
        let result = try CLIProcess.run(["fuzz", "--frameworks", "mxnet", "--budget", "5", "--db", "/tmp/defectlab-never-\(UUID().uuidString).sqlite"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("framework 'mxnet'") && result.stderr.contains("available: reference"))
        let badShard = try CLIProcess.run(["fuzz", "--shard", "3/2", "--budget", "5", "--db", "/tmp/defectlab-never.sqlite"])
        #expect(badShard.status != 0 && badShard.stderr.contains("--shard"))
    }

    @Test func studyPrintsPerOperatorIllegalRatesAsJSON() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIProcess.run(["study", "operators", "--seeds", "lenet5", "--rounds", "2", "--seed", "3", "--format", "json",
                                         "--db", dir.appendingPathComponent("s.sqlite").path])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["operators"] as? [[String: Any]])
        #expect(rows.count >= 30)
        #expect(rows.allSatisfy { $0["operator"] is String && $0["illegal_rate"] is Double })
        let svg = try CLIProcess.run(["study", "position", "--seeds", "lenet5", "--rounds", "2", "--format", "svg",
                                      "--db", dir.appendingPathComponent("s.sqlite").path])
        #expect(svg.status == 0 && svg.stdout.hasPrefix("<svg"))
    }

    /// A study's campaign records what triage and reports need (seeds and frameworks as lists, planted defects,
    /// thresholds): its planted defects reduce ("its campaign planted no defects" before), its report names its
    /// seeds. An unknown seed leaves no campaign behind; a seed without a task head compares nothing in `position`.
    @Test func studyCampaignsReduceReportAndRefuseUnknownSeeds() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("s.sqlite").path
        let study = try CLIProcess.run(["study", "operators", "--seeds", "lenet5", "--rounds", "2", "--ops", "LA,InsNorm", "--frameworks", "reference,faulty",
                                        "--plant", "ReLU=nan", "--plant", "BatchNorm=crash", "--db", db])
        #expect(study.status == 0, "\(study.stderr)")
        let list = try CLIProcess.run(["defects", "list", "--format", "json", "--db", db])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let defects = try #require(object["defects"] as? [[String: Any]], "\(list.stdout)")
        let planted = try #require(defects.first { ($0["frameworks"] as? [String])?.contains("faulty") == true }, "\(list.stdout)")
        let reduce = try CLIProcess.run(["defects", "reduce", "\(planted["id"] as? Int ?? 0)", "--db", db])
        #expect(reduce.status == 0, "\(reduce.stderr)")
        let report = try CLIProcess.run(["report", "--campaign", "latest", "--format", "json", "--out", dir.appendingPathComponent("r").path, "--db", db])
        #expect(report.status == 0, "\(report.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("r").path).filter { $0.hasSuffix(".json") }
        let json = try Data(contentsOf: dir.appendingPathComponent("r/" + (files.first ?? "")))
        let campaign = try #require((try JSONSerialization.jsonObject(with: json) as? [String: Any])?["campaign"] as? [String: Any])
        #expect(campaign["seeds"] as? [String] == ["lenet5"] && (campaign["frameworks"] as? [String])?.contains("faulty") == true, "\(campaign)")
        // A folder in the way of one report file fails the command before any file is written (the HTML and
        // Markdown were written first and left behind).
        let blocked = dir.appendingPathComponent("blocked")
        try FileManager.default.createDirectory(at: blocked.appendingPathComponent(files.first ?? "x.json"), withIntermediateDirectories: true)
        let refused = try CLIProcess.run(["report", "--campaign", "latest", "--format", "all", "--out", blocked.path, "--db", db])
        #expect(refused.status != 0 && refused.stderr.contains("is a folder"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: blocked.path) == [files.first ?? "x.json"])
        // An --out that is a file is a usage error, as every other output path's is.
        let file = dir.appendingPathComponent("afile")
        try Data().write(to: file)
        let onFile = try CLIProcess.run(["report", "--campaign", "latest", "--out", file.path, "--db", db])
        #expect(onFile.status == 64 && onFile.stderr.contains("is an existing file"), "\(onFile.status) \(onFile.stderr)")
        let before = try Self.rows("campaign", in: db)
        let bad = try CLIProcess.run(["study", "operators", "--seeds", "lenet5,nosuch", "--rounds", "1", "--ops", "LA", "--db", db])
        #expect(bad.status != 0 && bad.stderr.contains("unknown seed model 'nosuch'"), "\(bad.stderr)")
        #expect(try Self.rows("campaign", in: db) == before)
        let position = try CLIProcess.run(["study", "position", "--seeds", "lstm-regressor", "--rounds", "3", "--format", "json", "--db", db])
        let comparison = (try JSONSerialization.jsonObject(with: Data(position.stdout.utf8)) as? [String: Any])?["position"] as? [String: Any]
        #expect(comparison?["comparisons"] as? Int == 0, "\(position.stdout.suffix(400))")
        // A count beside the comparisons, the share named as one (a share called "wins" read as "1 of 3").
        #expect(comparison?["backbone_wins"] as? Int == 0 && comparison?["backbone_win_share"] != nil, "\(position.stdout.suffix(400))")
    }

    @Test func shardsMergeIntoOneStore() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var shards: [String] = []
        for i in 0..<2 {
            let db = dir.appendingPathComponent("shard-\(i).sqlite").path
            let r = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--budget", "15", "--seed", "4", "--shard", "\(i)/2", "--db", db])
            #expect(r.status == 0, "\(r.stderr)")
            shards.append(db)
        }
        let merged = dir.appendingPathComponent("all.sqlite").path
        let r = try CLIProcess.run(["merge"] + shards + ["--db", merged])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("merged 2 campaign(s), 15 mutants"))
        #expect(try Self.mutantRows(merged) == 15)
        let again = try CLIProcess.run(["merge"] + shards + ["--db", merged])
        #expect(again.stdout.contains("merged 0 campaign(s)") && again.stdout.contains("2 campaign(s) already there"))
        // A database named as its own shard is refused with what to do (it used to end in "database is locked").
        let itself = try CLIProcess.run(["merge", merged, "--db", merged])
        #expect(itself.status == 64 && itself.stderr.contains("is the --db database itself"), "\(itself.stderr)")
        #expect(try Self.mutantRows(merged) == 15)
        // A shard that went on after it was merged (here: the same campaign with a larger budget, a resume) brings
        // the steps it gained, and only those, when merged again.
        let more = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--budget", "30", "--seed", "4", "--shard", "0/2", "--db", shards[0]])
        #expect(more.status == 0, "\(more.stderr)")
        let shardRows = try Self.mutantRows(shards[0]) + Self.mutantRows(shards[1])
        #expect(shardRows > 15)
        let grown = try CLIProcess.run(["merge"] + shards + ["--db", merged])
        #expect(grown.stdout.contains("1 campaign(s) already there gained steps") && grown.stdout.contains("1 campaign(s) already there"), "\(grown.stdout)")
        #expect(try Self.mutantRows(merged) == shardRows)
        #expect(try Self.findingRows(merged) == Self.findingRows(shards[0]) + Self.findingRows(shards[1]))
    }

    /// Merge never writes to a shard file, one left by a killed shard included: its write-ahead log was folded
    /// into the file when merge's connection closed (the file grew, its -wal went).
    @Test func mergeLeavesAKilledShardsFilesAsTheyWere() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shard = dir.appendingPathComponent("shard.sqlite").path
        let r = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--budget", "6", "--seed", "4", "--db", shard])
        #expect(r.status == 0, "\(r.stderr)")
        // A copy taken while a writer held changes in its log: the files a `kill -9` leaves.
        let killed = dir.appendingPathComponent("killed.sqlite").path
        let script = """
            import shutil, sqlite3, sys
            c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_autocheckpoint=0")
            c.execute("UPDATE campaign SET spent_seconds = spent_seconds + 1"); c.commit()
            for suffix in ["", "-wal", "-shm"]: shutil.copy(sys.argv[1] + suffix, sys.argv[2] + suffix)
            """
        let copied = try CLIProcess.runTool("/usr/bin/python3", ["-c", script, shard, killed])
        try #require(copied.status == 0, "\(copied.stderr)")
        let before = try [killed, killed + "-wal", killed + "-shm"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        try #require(before[1].count > 0)
        let merged = dir.appendingPathComponent("all.sqlite").path
        let m = try CLIProcess.run(["merge", killed, "--db", merged])
        #expect(m.status == 0 && m.stdout.contains("merged 1 campaign(s), 6 mutants"), "\(m.stdout) \(m.stderr)")
        let after = [killed, killed + "-wal", killed + "-shm"].map { FileManager.default.contents(atPath: $0) }
        #expect(after[0] == before[0], "the shard file changed")
        #expect(after[1] == before[1], "the shard's log changed or went")
        #expect(after[2] == before[2], "the shard's -shm index changed or went")
        #expect(!m.stderr.contains("different runs"), "\(m.stderr)")
        // Files of different runs are said to be such (`report --campaign all` would report them as one run).
        let other = dir.appendingPathComponent("other.sqlite").path
        #expect(try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--budget", "3", "--seed", "9", "--db", other]).status == 0)
        let mixed = try CLIProcess.run(["merge", shard, other, "--db", dir.appendingPathComponent("mixed.sqlite").path])
        #expect(mixed.status == 0 && mixed.stderr.contains("2 different runs"), "\(mixed.stderr)")
        // Merged in two steps, and runs that differ in their seed models only, are different runs too.
        let lenetRelu = dir.appendingPathComponent("relu.sqlite").path
        #expect(try CLIProcess.run(["fuzz", "--seeds", "lenet5-relu", "--frameworks", "reference", "--budget", "3", "--seed", "4", "--db", lenetRelu]).status == 0)
        let step = try CLIProcess.run(["merge", lenetRelu, "--db", merged])
        #expect(step.status == 0 && step.stderr.contains("2 different runs"), "\(step.stderr)")
    }

    /// A set-up that cannot run is refused before anything is stored, and options that would be recorded but
    /// never act are errors, not silently ignored.
    @Test func setUpsThatCannotRunAreRefusedBeforeAnythingIsStored() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("f.sqlite").path
        let typo = try CLIProcess.run(["fuzz", "--seeds", "lenet", "--frameworks", "reference", "--budget", "3", "--db", db])
        #expect(typo.status != 0 && typo.stderr.contains("lenet"), "\(typo.stderr)")
        #expect(try Self.rows("campaign", in: db) == 0)
        for args in [["--seeds", ""], ["--ops", ""]] {
            let empty = try CLIProcess.run(["fuzz", "--frameworks", "reference", "--budget", "3", "--db", db] + args)
            #expect(empty.status != 0 && (empty.stderr.contains("no seed models") || empty.stderr.contains("no mutation operators")), "\(args) \(empty.stderr)")
        }
        for bad in ["0", "nan", "inf"] {
            let timeout = try CLIProcess.run(["fuzz", "--frameworks", "reference", "--budget", "3", "--timeout", bad, "--db", db])
            #expect(timeout.status == 64 && timeout.stderr.contains("--timeout must be a positive number"), "\(bad): \(timeout.stderr)")
        }
        let plant = try CLIProcess.run(["fuzz", "--frameworks", "reference", "--plant", "Pad=crash", "--budget", "3", "--db", db])
        #expect(plant.status != 0 && plant.stderr.contains("--plant needs the 'faulty' framework"), "\(plant.stderr)")
        // Two kinds in one op: only one could ever act, and both were reported as planted.
        let two = try CLIProcess.run(["fuzz", "--frameworks", "reference,faulty", "--plant", "ReLU=wrong", "--plant", "relu=crash", "--budget", "3", "--db", db])
        #expect(two.status == 64 && two.stderr.contains("plant two defects in one op"), "\(two.stderr)")
        #expect(try Self.rows("campaign", in: db) == 0)
        // The same plant or seed named twice is the same campaign (a second one was started).
        let planted = dir.appendingPathComponent("planted.sqlite").path
        let once = ["fuzz", "--frameworks", "reference,faulty", "--plant", "ReLU=wrong", "--seeds", "lenet5", "--budget", "3", "--db", planted]
        #expect(try CLIProcess.run(once).status == 0)
        let twice = ["fuzz", "--frameworks", "reference,faulty", "--plant", "ReLU=wrong", "--plant", "ReLU=wrong", "--seeds", "lenet5,lenet5", "--budget", "3", "--db", planted]
        let again = try CLIProcess.run(twice)
        let campaigns = try Self.rows("campaign", in: planted)
        #expect(again.status == 0 && campaigns == 1, "\(campaigns) \(again.stderr)")
        // A slow plant beside a worker framework is judged by its growth from the seed like any framework's (it was
        // never timed there, and a note said so).
        let timed = try CLIProcess.run(["fuzz", "--frameworks", "pytorch,faulty", "--plant", "ReLU=slow", "--budget", "1",
                                        "--db", dir.appendingPathComponent("p.sqlite").path])
        #expect(timed.status == 0 && !timed.stderr.contains("cannot fire here"), "\(timed.stderr)")
        let noFrameworks = try CLIProcess.run(["fuzz", "--frameworks", "", "--budget", "1", "--db", db])
        #expect(noFrameworks.status == 64 && noFrameworks.stderr.contains("names no framework"), "\(noFrameworks.stderr)")
        // Usage errors exit 64, as ArgumentParser's own do (these exited 1, as if a run had failed).
        for args in [["--budget", "0"], ["--shard", "2/2"], ["--plant", "Foo=crash"], ["--ops", "Foo"], ["--seeds", "nosuch"]] {
            let usage = try CLIProcess.run(["fuzz", "--frameworks", "reference", "--db", db] + args)
            #expect(usage.status == 64, "\(args) \(usage.status) \(usage.stderr)")
        }
        let study = try CLIProcess.run(["study", "operators", "--seeds", "nosuch", "--db", db])
        #expect(study.status == 64 && study.stderr.contains("unknown seed model 'nosuch'"), "\(study.status) \(study.stderr)")
        let interpreter = try CLIProcess.run(["fuzz", "--frameworks", "reference", "--framework", "pytorch=/usr/bin/python3", "--budget", "3", "--db", db])
        #expect(interpreter.status != 0 && interpreter.stderr.contains("not in --frameworks"), "\(interpreter.stderr)")
        #expect(try Self.rows("campaign", in: db) == 0)
        let sample = try CLIProcess.run(["sample", "draw", "--name", "s", "--per-framework", "3", "--seed", "1", "--preset", "pytorch", "--all", "--db", db])
        #expect(sample.status != 0 && sample.stderr.contains("exclude each other"), "\(sample.stderr)")
        let repro = try CLIProcess.run(["defects", "repro", "1", "--campaign", "2", "--db", db])
        #expect(repro.status != 0 && repro.stderr.contains("--campaign selects defects for --all"), "\(repro.stderr)")
        let reduce = try CLIProcess.run(["defects", "reduce", "1", "--format", "yaml", "--db", db])
        #expect(reduce.status == 64 && reduce.stderr.contains("'table' and 'json'"), "\(reduce.stderr)")
    }

    /// Ctrl-C stops a campaign after the step under way: it exits with status 3 (not done: a scheduler must run
    /// it again; it used to exit 0, as if finished), the campaign is kept as paused with every step it made, and
    /// the same command resumes it.
    @Test func anInterruptedCampaignIsPausedAndResumes() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("f.sqlite").path
        let args = ["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--budget", "100000", "--seed", "6", "--db", db]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIProcess.binary)
        process.arguments = args
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Until a few steps are stored.
        let deadline = Date().addingTimeInterval(60)
        while (try Self.mutantRows(db)) < 3 && Date() < deadline { usleep(200_000) }
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 3)
        let steps = try Self.mutantRows(db)
        #expect(steps >= 3)
        let report = try CLIProcess.run(["report", "--campaign", "latest", "--format", "json", "--out", dir.appendingPathComponent("r").path, "--db", db])
        #expect(report.status == 0, "\(report.stderr)")
        let json = try Data(contentsOf: dir.appendingPathComponent("r/campaign-1.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect((object["campaign"] as? [String: Any])?["status"] as? String == "paused")
        // The same command with a budget it has already spent finishes it: status finished, exit 0.
        let resumed = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--budget", "\(steps)", "--seed", "6",
                                          "--db", db, "--format", "json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
        #expect(summary["status"] as? String == "finished", "\(resumed.stdout.prefix(300))")
    }

    /// Other oracle thresholds make another campaign (they decide findings and, through guidance, mutants):
    /// the second run does not replay the first one's steps as its own.
    @Test func otherOracleThresholdsAreAnotherCampaign() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("f.sqlite").path
        let oracles = dir.appendingPathComponent("strict.json")
        try #"{"relativeDistance": 1e-9}"#.write(to: oracles, atomically: true, encoding: .utf8)
        let base = ["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--budget", "4", "--seed", "2", "--format", "json", "--db", db]
        #expect(try CLIProcess.run(base).status == 0)
        let strict = try CLIProcess.run(base + ["--oracles", oracles.path])
        #expect(strict.status == 0, "\(strict.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(strict.stdout.utf8)) as? [String: Any])
        #expect(object["replayed"] as? Int == 0)
        #expect(try Self.rows("campaign", in: db) == 2)
        // The defaults written out are the defaults: the same campaign as none.
        try #"{"relativeDistance": 1e-3}"#.write(to: oracles, atomically: true, encoding: .utf8)
        let same = try CLIProcess.run(base + ["--oracles", oracles.path])
        let replayed = try #require(try JSONSerialization.jsonObject(with: Data(same.stdout.utf8)) as? [String: Any])
        let campaigns = try Self.rows("campaign", in: db)
        #expect(replayed["replayed"] as? Int == 4 && campaigns == 2)
    }

    /// The campaign on the real framework workers (the venv from `make setup`, as `make test` passes it).
    @Test func campaignRunsOnTheFrameworkWorkers() throws {
        let python = ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"] ?? ""
        #expect(!python.isEmpty, "DEFECTLAB_PYTHON is not set: run `make test`")
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference,pytorch,onnxruntime", "--budget", "8", "--seed", "1",
                                         "--guidance", "random", "--format", "json", "--db", dir.appendingPathComponent("w.sqlite").path],
                                        environment: ["DEFECTLAB_PYTHON": python])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let counts = try #require(object["status_counts"] as? [String: Int])
        #expect(counts["legal", default: 0] >= 4)
        #expect(result.stderr.contains("pytorch ") && result.stderr.contains("onnxruntime "))
    }
}
