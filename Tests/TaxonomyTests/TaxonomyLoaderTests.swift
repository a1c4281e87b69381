import Foundation
import Testing
@testable import Taxonomy

/// The shipped data files, found from this source file's location.
let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let catalog = TaxonomyCatalog(directory: projectRoot.appendingPathComponent("Taxonomy"))

@Suite struct TaxonomyLoaderTests {
    @Test func shippedTaxonomyHasSevenMajorsAndTheFixedSubtypes() throws {
        let taxonomy = try catalog.loadTaxonomy()
        #expect(taxonomy.majorIDs == ["A", "B", "C", "D", "E", "F", "G"])
        #expect(taxonomy.subtypeIDs == TaxonomyLoader.fixedSubtypeIDs)
        for subtype in taxonomy.subtypes {
            #expect(!subtype.name.isEmpty && !subtype.description.isEmpty, "\(subtype.id)")
            #expect(!subtype.keywords.isEmpty, "\(subtype.id) has no keyword cues")
        }
        // Chinese cues are there for MindSpore reports.
        let cues = Set(taxonomy.subtypes.flatMap(\.keywords) + taxonomy.majors.flatMap(\.keywords))
        for word in ["内存", "显存", "卡死", "安装", "精度", "性能", "崩溃", "段错误", "文档"] {
            #expect(cues.contains { $0.contains(word) }, "missing cue \(word)")
        }
    }

    @Test func studySharesCoverEverySubtypeAndSumToAboutAHundred() throws {
        let taxonomy = try catalog.loadTaxonomy()
        for id in taxonomy.subtypeIDs { #expect(taxonomy.studyShare(ofSubtype: id) != nil, "\(id)") }
        let total = taxonomy.studyShares.map(\.percent).reduce(0, +)
        #expect(abs(total - 100) < 0.5)
        #expect(taxonomy.studyShare(ofSubtype: "E3")?.key == "E2+E3")
        // The YAML listing gives them in the file's order (a dictionary came out in each process's hash order).
        let yaml = try TaxonomyPrinter.yaml(taxonomy)
        let listed = yaml.components(separatedBy: "study_shares:\n").last!.split(separator: "\n").compactMap { $0.split(separator: ":").first }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(listed == taxonomy.studyShares.map(\.key), "\(listed)")
    }

    @Test func normalizesLabelsAtBothLevels() throws {
        let taxonomy = try catalog.loadTaxonomy()
        #expect(taxonomy.normalizedLabel(" b1 ", level: .subtype) == "B1")
        #expect(taxonomy.normalizedLabel("B9", level: .subtype) == nil)
        #expect(taxonomy.normalizedLabel("g4", level: .major) == "G")
        #expect(taxonomy.normalizedLabel("c", level: .major) == "C")
        #expect(taxonomy.normalizedLabel("crash", level: .major) == nil)
    }

    @Test func duplicateIDIsReportedWithItsLine() throws {
        let yaml = """
            majors:
              - id: A
                name: Install
                subtypes:
                  - {id: A1, name: pip, description: d}
                  - id: A1
                    name: again
                    description: d
            """
        let errors = try #require(throws: TaxonomyErrors.self) { try TaxonomyLoader.load(text: yaml, path: "t.yaml") }
        let duplicate = try #require(errors.errors.first { $0.message.contains("duplicate ID 'A1'") })
        #expect(duplicate.line == 6)
        #expect(duplicate.description.hasPrefix("t.yaml:6:"))
    }

    /// `B01` or `B+1` would be second spellings of `B1`; a subtype in two study shares would be counted twice.
    @Test func subtypeIDsAreLetterAndNumberAndSharesDoNotOverlap() throws {
        let yaml = """
            majors:
              - id: A
                name: Install
                subtypes:
                  - {id: A1, name: pip, description: d}
                  - {id: A01, name: again, description: d}
                  - {id: A+2, name: sign, description: d}
            study_shares:
              A1: 3
              A1 + A01: 4
            """
        let errors = try #require(throws: TaxonomyErrors.self) { try TaxonomyLoader.load(text: yaml, path: "t.yaml") }
        #expect(errors.errors.contains { $0.message.contains("subtype id 'A01'") && $0.line == 6 })
        #expect(errors.errors.contains { $0.message.contains("subtype id 'A+2'") && $0.line == 7 })
        #expect(errors.errors.contains { $0.message.contains("names subtype 'A1' again (already in 'A1')") && $0.line == 10 }, "\(errors.errors)")
    }

    @Test func emptyNameAndMissingFixedIDsAreReported() throws {
        let yaml = """
            majors:
              - id: A
                name: ""
                subtypes:
                  - {id: A1, name: pip, description: d}
            """
        let errors = try #require(throws: TaxonomyErrors.self) { try TaxonomyLoader.load(text: yaml, path: "t.yaml") }
        #expect(errors.errors.contains { $0.message.contains("empty name of major A") && $0.line == 3 })
        #expect(errors.errors.contains { $0.message.contains("fixed subtype IDs") })
    }

    @Test func malformedYAMLNamesTheLine() throws {
        let error = try #require(throws: TaxonomyError.self) {
            try TaxonomyLoader.load(text: "majors:\n  - id: A\n   name: [unclosed\n", path: "bad.yaml")
        }
        #expect(error.code == .malformedYAML)
        #expect(error.line != nil)
    }

    @Test func unreadableFileIsOneLine() throws {
        let error = try #require(throws: TaxonomyError.self) { try TaxonomyLoader.load(path: "/nonexistent/t.yaml") }
        #expect(error.code == .unreadable)
        #expect(!error.description.contains("\n"))
    }
}

@Suite struct FuzzMappingTests {
    @Test func shippedMappingNamesOnlyExistingSubtypes() throws {
        let taxonomy = try catalog.loadTaxonomy()
        let mapping = try catalog.loadMapping()
        for rule in mapping.rules { #expect(taxonomy.subtype(rule.subtype) != nil) }
    }

    @Test(arguments: [
        (FindingSymptom.crash, FindingStage.build, FindingScope?.none, "G1"),
        (.crash, .compile, nil, "G1"),
        (.crash, .execute, nil, "G2"),
        (.crash, .train, nil, "G2"),
        (.crash, .export, nil, "G3"),
        (.error, .convert, nil, "G3"),
        (.crash, .execute, .singleInterface, "G4"),
        (.nanInf, .execute, .some, "F2"),
        (.inconsistency, .execute, .some, "F1"),
        (.slowdown, .execute, nil, "E1"),
        (.memoryGrowth, .execute, nil, "B1"),
        (.memoryFailure, .build, nil, "B1"),
        (.hang, .execute, nil, "B3"),
        (.abnormalLoss, .train, nil, "E2"),
        (.cpuUnderuse, .execute, nil, "B2"),
    ])
    func mapsTheStudysSymptoms(symptom: FindingSymptom, stage: FindingStage, scope: FindingScope?, subtype: String) throws {
        let mapping = try catalog.loadMapping()
        #expect(mapping.rule(symptom: symptom, stage: stage, scope: scope)?.subtype == subtype)
    }

    @Test func unknownSubtypeInARuleIsReportedWithItsLine() throws {
        let taxonomy = try catalog.loadTaxonomy()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID()).yaml")
        try "rules:\n  - {symptom: crash, subtype: G1}\n  - symptom: hang\n    subtype: Z9\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let (kind, problems) = try TaxonomyFileChecker.check(path: url.path, taxonomy: taxonomy)
        #expect(kind == .mapping)
        #expect(problems.count == 1)
        #expect(problems.first?.line == 4)
        #expect(problems.first?.message.contains("unknown subtype 'Z9'") == true)
    }

    /// `stage:` for `stages:` was ignored: the rule matched every stage (every crash filed as G1), check said ok.
    @Test func aMisspeltKeyInARuleIsAProblem() throws {
        let taxonomy = try catalog.loadTaxonomy()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID()).yaml")
        try "version: 1\nrules:\n  - {symptom: crash, stage: [build], subtype: G1}\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let (_, problems) = try TaxonomyFileChecker.check(path: url.path, taxonomy: taxonomy)
        #expect(problems.count == 1 && problems.first?.line == 3 && problems.first?.message.contains("unknown key 'stage'") == true, "\(problems)")
    }
}

@Suite struct FilterPresetTests {
    @Test func everyShippedPresetLoads() throws {
        #expect(catalog.presetNames() == ["mindspore", "onnx", "pytorch", "tensorflow"])
        for name in catalog.presetNames() {
            let preset = try catalog.loadPreset(named: name)
            #expect(!preset.rules.isEmpty)
            #expect(preset.rules.contains { $0.basis == "study" } || name == "onnx")
        }
    }

    @Test func mindsporeNeedsPriorityAndBugType() throws {
        let preset = try catalog.loadPreset(named: "mindspore")
        #expect(preset.firstMatch(FilterSubject(labels: ["kind/bug"], priority: 4))?.id == "study-main-serious-bug")
        #expect(preset.firstMatch(FilterSubject(labels: [], priority: 3, issueType: "缺陷"))?.id == "today-main-serious-defect")
        #expect(preset.firstMatch(FilterSubject(labels: ["kind/bug"], priority: 2)) == nil)
    }

    @Test func pytorchPresentDayRuleUsesModuleLabels() throws {
        let preset = try catalog.loadPreset(named: "pytorch")
        #expect(preset.firstMatch(FilterSubject(labels: ["High Priority"]))?.id == "study-high-priority")
        #expect(preset.firstMatch(FilterSubject(labels: ["triaged", "module: nn"]))?.id == "today-triaged-module-bug")
        #expect(preset.firstMatch(FilterSubject(labels: ["triaged", "module: nn", "feature"])) == nil)
        #expect(preset.firstMatch(FilterSubject(labels: ["module: nn"])) == nil)
    }

    @Test func presetWithUnknownConditionIsRejected() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("preset-\(UUID()).yaml")
        try "name: x\nframework: x\ntracker: github\nrepos: [a/b]\nrules:\n  - id: r\n    labelz_any: [bug]\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let (kind, problems) = try TaxonomyFileChecker.check(path: url.path, taxonomy: nil)
        #expect(kind == .preset)
        #expect(problems.contains { $0.message.contains("unknown condition 'labelz_any'") && $0.line == 7 })
    }

    /// A file of none of the three kinds is said to be of none, at a line and column (it was "a taxonomy file",
    /// with no column where the README promises FILE:LINE:COL).
    @Test func aFileOfNoKindIsNamedSo() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("unknown-\(UUID()).yaml")
        try "hello: 1\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let (kind, problems) = try TaxonomyFileChecker.check(path: url.path, taxonomy: nil)
        #expect(kind == .unrecognised)
        #expect(problems.count == 1 && problems[0].description.hasPrefix(url.path + ":1:1: "), "\(problems)")
    }

    /// Presets are shared files whose names and rule ids are printed beside issues: control characters in them
    /// are a problem of the file, not an escape sequence on a terminal later.
    @Test func presetNamesWithControlCharactersAreRejected() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("preset-\(UUID()).yaml")
        try "name: \"ev\\e]0;PRESET\\a\"\nframework: x\ntracker: github\nrepos: [a/b]\nrules:\n  - id: \"r\\u202E\"\n    labels_any: [bug]\n"
            .write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let (_, problems) = try TaxonomyFileChecker.check(path: url.path, taxonomy: nil)
        #expect(problems.contains { $0.message == "preset 'name' holds a control character" && $0.line == 1 }, "\(problems)")
        #expect(problems.contains { $0.message == "rule 'id' holds a control character" && $0.line == 6 }, "\(problems)")
    }
}

/// A misspelt key was ignored and what it held silently lost, with `taxonomy check` saying ok (`keyword:` left a
/// subtype without cues, `repo:` a preset without repositories); a preset's framework is a name, as `--framework`
/// takes (a YAML null became the text "~", a sampling stratum of its own).
@Suite struct UnknownKeyTests {
    func problems(_ text: String, preset: Bool = false) throws -> [String] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            if preset { _ = try FilterPresetLoader.load(path: url.path) } else { _ = try TaxonomyLoader.load(path: url.path) }
            return []
        } catch let errors as TaxonomyErrors {
            return errors.errors.map { "\($0.line ?? 0):\($0.message)" }
        } catch let error as TaxonomyError {
            return ["\(error.line ?? 0):\(error.message)"]
        }
    }

    @Test func misspeltKeysAndBadValuesAreProblemsWithTheirLine() throws {
        let shipped = try String(contentsOf: projectRoot.appendingPathComponent("Taxonomy/hp-taxonomy.yaml"), encoding: .utf8)
        #expect(try problems(shipped) == [])
        let keyword = shipped.replacingOccurrences(of: "        keywords: [pip install", with: "        keyword: [pip install")
        #expect(try problems(keyword).contains { $0.hasPrefix("16:") && $0.contains("unknown key 'keyword' in a subtype") })
        let extra = shipped.replacingOccurrences(of: "version: 1\n", with: "version: 2\nfoo: 1\n")
        let found = try problems(extra)
        #expect(found.contains { $0.contains("version must be 1") } && found.contains { $0.contains("unknown key 'foo' in the taxonomy") }, "\(found)")
        let kappa = shipped.replacingOccurrences(of: "  overall: 0.804", with: "  overall: 2.5")
        #expect(try problems(kappa).contains { $0.contains("study kappa 'overall' must be a number from -1 to 1") })
        let kappaKey = shipped.replacingOccurrences(of: "  pytorch: 0.777", with: "  pytroch: 0.777")
        #expect(try problems(kappaKey).contains { $0.contains("unknown key 'pytroch' in 'study_kappa'") })

        let preset = try String(contentsOf: projectRoot.appendingPathComponent("Taxonomy/presets/pytorch.yaml"), encoding: .utf8)
        #expect(try problems(preset, preset: true) == [])
        #expect(try problems(preset.replacingOccurrences(of: "\nrepos:", with: "\nrepo:"), preset: true).contains { $0.contains("unknown key 'repo' in the preset") })
        #expect(try problems(preset.replacingOccurrences(of: "framework: pytorch", with: "framework: ~"), preset: true).contains { $0.contains("'framework' must be text") })
        #expect(try problems(preset.replacingOccurrences(of: "framework: pytorch", with: "framework: \"py torch/../x\""), preset: true)
            .contains { $0.contains("must be letters, digits") })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("case-\(UUID().uuidString).yaml")
        try preset.replacingOccurrences(of: "framework: pytorch", with: "framework: PyTorch").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try FilterPresetLoader.load(path: url.path).framework == "pytorch")
        // A key given twice is said where it is given again (the first place was named).
        let twice = preset.replacingOccurrences(of: "\nrules:", with: "\nframework: tensorflow\nrules:")
        let line = twice.components(separatedBy: "\n").firstIndex(of: "framework: tensorflow")! + 1
        let said = try problems(twice, preset: true)
        #expect(said.contains { $0.hasPrefix("\(line):") && $0.contains("duplicate key 'framework'") }, "\(said)")
        let mindspore = try String(contentsOf: projectRoot.appendingPathComponent("Taxonomy/presets/mindspore.yaml"), encoding: .utf8)
        let quoted = mindspore.replacingOccurrences(of: "priority_in: [3, 4]", with: "priority_in: [\"3\", 4]")
        #expect(quoted != mindspore)
        #expect(try problems(quoted, preset: true).contains { $0.contains("is quoted text") })
    }
}
