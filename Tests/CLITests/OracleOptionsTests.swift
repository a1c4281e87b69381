import Foundation
import Testing

/// `--oracles FILE`: one format, read the same way by `diff` and `fuzz`.
@Suite(.serialized) struct OracleOptionsTests {
    static func file(_ json: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("oracles-\(UUID().uuidString).json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The first line of a usage error (ArgumentParser appends the usage after it).
    static func errorLine(_ stderr: String) -> String { String(stderr.split(separator: "\n").first ?? "") }

    @Test func anUnknownKeyIsTheSameUsageErrorForDiffAndFuzz() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let oracles = try Self.file(#"{"relativeDistanse": 1e-6}"#, in: dir)
        let diff = try CLIProcess.run(["diff", "--model", "lenet5", "--frameworks", "pytorch", "--oracles", oracles,
                                       "--db", dir.appendingPathComponent("d.sqlite").path])
        let fuzz = try CLIProcess.run(["fuzz", "--frameworks", "reference", "--budget", "2", "--oracles", oracles,
                                       "--db", dir.appendingPathComponent("f.sqlite").path])
        for r in [diff, fuzz] {
            #expect(r.status == 64, "\(r.stderr)")
            #expect(Self.errorLine(r.stderr).contains("--oracles \(oracles): unknown key 'relativeDistanse'; valid keys: changeRate, "))
            #expect(r.stderr.contains("relativeDistance, slowdownFactor, slowdownFloorMs, memoryFactor"))
        }
        #expect(Self.errorLine(diff.stderr) == Self.errorLine(fuzz.stderr))
    }

    /// A planted wrong BatchNorm is an inconsistency under the default tolerance and none under a file that
    /// raises `relativeDistance` past any distance: the campaign reads the new key (and the old name too).
    @Test func fuzzJudgesWithTheFilesRelativeDistance() throws {
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ extra: [String]) throws -> CLIProcess.Result {
            let r = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference,faulty", "--plant", "BatchNorm=wrong",
                                        "--ops", "SM,InsNorm", "--budget", "40", "--guidance", "random", "--seed", "3",
                                        "--db", dir.appendingPathComponent("\(UUID().uuidString).sqlite").path] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return r
        }
        #expect(try run([]).stdout.contains("faulty  inconsistency"))
        #expect(!(try run(["--oracles", try Self.file(#"{"relativeDistance": 1e9}"#, in: dir)]).stdout.contains("inconsistency")))
        #expect(!(try run(["--oracles", try Self.file(#"{"tolerance": 1e9}"#, in: dir)]).stdout.contains("inconsistency")))
    }

    /// One file with zero tolerances turns PyTorch's float32 rounding into an inconsistency for both commands:
    /// `diff` reads rtol/atol/meanDeviation from it, `fuzz` relativeDistance.
    @Test func oneFileChangesBothDiffAndFuzz() throws {
        let python = ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"] ?? ""
        #expect(!python.isEmpty, "DEFECTLAB_PYTHON is not set: run `make test`")
        let dir = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let strict = try Self.file(#"{"relativeDistance": 0, "rtol": 0, "atol": 0, "meanDeviation": 0}"#, in: dir)
        let env = ["DEFECTLAB_PYTHON": python]
        func diff(_ extra: [String]) throws -> String {
            let r = try CLIProcess.run(["diff", "--model", "lenet5", "--frameworks", "pytorch", "--repeats", "1", "--format", "json",
                                        "--db", dir.appendingPathComponent("d.sqlite").path] + extra, environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }
        func fuzz(_ extra: [String]) throws -> String {
            let r = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference,pytorch", "--budget", "3", "--seed", "1",
                                        "--guidance", "random", "--db", dir.appendingPathComponent("\(UUID().uuidString).sqlite").path] + extra,
                                       environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }
        #expect(!(try diff([])).contains("\"inconsistency\""))
        #expect(try diff(["--oracles", strict]).contains("\"inconsistency\""))
        #expect(!(try fuzz([])).contains("pytorch  inconsistency"))
        #expect(try fuzz(["--oracles", strict]).contains("pytorch  inconsistency"))
    }
}
