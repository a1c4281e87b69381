import Foundation
import Testing

@Suite struct TaxonomyCommandTests {
    @Test func jsonListsSevenMajorsAndTheTwentyOneIDs() throws {
        let result = try CLIProcess.run(["taxonomy", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let majors = try #require(json?["majors"] as? [[String: Any]])
        #expect(majors.map { $0["id"] as? String } == ["A", "B", "C", "D", "E", "F", "G"])
        let subtypes = majors.flatMap { ($0["subtypes"] as? [[String: Any]]) ?? [] }
        #expect(subtypes.compactMap { $0["id"] as? String } ==
                "A1 A2 A3 A4 B1 B2 B3 C1 C2 D1 D2 E1 E2 E3 F1 F2 G1 G2 G3 G4 G5".split(separator: " ").map(String.init))
        for subtype in subtypes {
            #expect((subtype["name"] as? String)?.isEmpty == false)
            #expect((subtype["description"] as? String)?.isEmpty == false)
            #expect(((subtype["keywords"] as? [String]) ?? []).isEmpty == false)
        }
    }

    @Test func tableAndYAMLFormats() throws {
        let table = try CLIProcess.run(["taxonomy"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("B1  Memory/GPU resource error"))
        #expect(table.stdout.contains("7 major types, 21 subtypes"))
        let yaml = try CLIProcess.run(["taxonomy", "--format", "yaml"])
        #expect(yaml.status == 0)
        #expect(yaml.stdout.hasPrefix("majors:"))
    }

    @Test func checkRejectsADuplicateIDWithItsLine() throws {
        let dir = try CLIProcess.temporaryDirectory()
        let source = try String(contentsOf: CLIProcess.packageRoot.appendingPathComponent("Taxonomy/hp-taxonomy.yaml"), encoding: .utf8)
        // Rename A2 to A1: a duplicate ID on A2's line.
        let lines = source.components(separatedBy: "\n")
        let a2Line = try #require(lines.firstIndex { $0.contains("- id: A2") }) + 1
        let edited = dir.appendingPathComponent("edited.yaml")
        try source.replacingOccurrences(of: "- id: A2", with: "- id: A1").write(to: edited, atomically: true, encoding: .utf8)
        let result = try CLIProcess.run(["taxonomy", "check", edited.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(edited.path):\(a2Line):"), "\(result.stderr)")
        #expect(result.stderr.contains("duplicate ID 'A1'"))
    }

    @Test func checkRejectsAMappingWithAnUnknownSubtype() throws {
        let dir = try CLIProcess.temporaryDirectory()
        let file = dir.appendingPathComponent("mapping.yaml")
        try "rules:\n  - {symptom: crash, stages: [build], subtype: G1}\n  - {symptom: hang, subtype: H7}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIProcess.run(["taxonomy", "check", file.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(file.path):3:"), "\(result.stderr)")
        #expect(result.stderr.contains("unknown subtype 'H7'"))
    }

    @Test func checkAcceptsEveryShippedFile() throws {
        for file in ["hp-taxonomy.yaml", "fuzz-mapping.yaml", "presets/pytorch.yaml", "presets/tensorflow.yaml",
                     "presets/mindspore.yaml", "presets/onnx.yaml"] {
            let result = try CLIProcess.run(["taxonomy", "check", "Taxonomy/\(file)"])
            #expect(result.status == 0, "\(file): \(result.stderr)")
        }
    }
}

@Suite struct BadInputTests {
    /// A user-facing failure: non-zero exit, exactly one line on stderr, no stack trace.
    func expectOneLineError(_ result: CLIProcess.Result, containing text: String) {
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(text), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
    }

    @Test func unknownFormat() throws {
        expectOneLineError(try CLIProcess.run(["taxonomy", "--format", "xml"]), containing: "xml")
        let dir = try CLIProcess.temporaryDirectory()
        expectOneLineError(try CLIProcess.run(["db", "info", "--db", dir.appendingPathComponent("x.sqlite").path, "--format", "yaml"]),
                           containing: "--format")
    }

    @Test func corruptDatabase() throws {
        let dir = try CLIProcess.temporaryDirectory()
        let path = dir.appendingPathComponent("corrupt.sqlite").path
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        expectOneLineError(try CLIProcess.run(["db", "info", "--db", path]), containing: "not a DefectLab database")
        // The file is left as it was.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func databaseInAMissingFolder() throws {
        expectOneLineError(try CLIProcess.run(["db", "info", "--db", "/nonexistent-\(UUID())/x.sqlite"]), containing: "does not exist")
    }

    @Test func unreadableTaxonomyFile() throws {
        expectOneLineError(try CLIProcess.run(["taxonomy", "--file", "/nonexistent/hp.yaml"]), containing: "no such file")
        let dir = try CLIProcess.temporaryDirectory()
        let file = dir.appendingPathComponent("locked.yaml")
        try "majors: []\n".write(to: file, atomically: true, encoding: .utf8)
        try Data([0xFF, 0xFE, 0x00, 0xC3]).write(to: file)
        expectOneLineError(try CLIProcess.run(["taxonomy", "--file", file.path]), containing: "not UTF-8")
    }
}

@Suite struct DatabaseCommandTests {
    @Test func infoCreatesMigratesAndCounts() throws {
        let dir = try CLIProcess.temporaryDirectory()
        let path = dir.appendingPathComponent("new.sqlite").path
        let result = try CLIProcess.run(["db", "info", "--db", path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["path"] as? String == path)
        #expect((json["schema_version"] as? Int ?? 0) >= 1)
        let counts = try #require(json["row_counts"] as? [String: Int])
        for table in ["issue", "label", "issue_label", "crawl_state", "hp_selection", "sample", "annotator", "assignment",
                      "annotation", "adjudication", "tracker", "repository"] {
            #expect(counts[table] == 0, "\(table)")
        }
        let again = try CLIProcess.run(["db", "info", "--db", path, "--format", "json"])
        #expect(again.stdout == result.stdout)
    }

    @Test func theEnvironmentVariableChoosesTheDatabase() throws {
        let dir = try CLIProcess.temporaryDirectory()
        let path = dir.appendingPathComponent("env.sqlite").path
        let result = try CLIProcess.run(["db", "info"], environment: ["DEFECTLAB_DB": path])
        #expect(result.status == 0)
        #expect(result.stdout.contains(path))
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func eightProcessesOpeningANewDatabaseAtOnceAllSucceed() async throws {
        let dir = try CLIProcess.temporaryDirectory()
        let path = dir.appendingPathComponent("race.sqlite").path
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<8 {
                group.addTask { try CLIProcess.run(["db", "info", "--db", path, "--format", "json"]).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 0, count: 8))
    }
}

@Suite struct DoctorCommandTests {
    /// The frameworks must all import in the project's venv: a missing framework is a failure, not a skip.
    @Test func everyFrameworkImportsInTheVenv() throws {
        let python = ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"] ?? ""
        #expect(!python.isEmpty, "DEFECTLAB_PYTHON is not set: run the tests with `make test`")
        let result = try CLIProcess.run(["doctor", "--format", "json"], environment: ["DEFECTLAB_PYTHON": python])
        let checks = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let failing = checks.filter { $0["status"] as? String != "ok" }.map { "\($0["name"] ?? "?"): \($0["detail"] ?? "")" }
        #expect(failing.isEmpty, "\(failing)")
        for name in ["pytorch", "onnxruntime", "tensorflow", "jax", "mindspore", "onnx", "numpy"] {
            #expect(checks.contains { $0["name"] as? String == name && $0["status"] as? String == "ok" }, "\(name)")
        }
        #expect(result.status == 0)
    }
}
