import Foundation
import Testing

/// A misspelt command is named as such, with the nearest real one, at any depth of the command path.
@Suite struct UnknownCommandTests {
    @Test func aMisspeltTopLevelCommandIsNamedWithItsNearestMatch() throws {
        let result = try CLIProcess.run(["difff", "--model", "lenet5"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown command 'difff' for 'defectlab'; did you mean 'diff'?"), "\(result.stderr)")
        #expect(!result.stderr.contains("--model"), "the option is not the mistake: \(result.stderr)")
    }

    @Test func aMisspeltSubcommandNamesItsGroup() throws {
        let result = try CLIProcess.run(["models", "sav", "lenet5", "/tmp/x"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown command 'sav' for 'defectlab models'; did you mean 'save'?"), "\(result.stderr)")
        #expect(result.stderr.contains("list, show, check, run, save, load, export"))
    }

    @Test func aWordNothingResemblesListsTheCommandsWithoutAGuess() throws {
        let result = try CLIProcess.run(["xyzzy"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown command 'xyzzy' for 'defectlab' (`defectlab --help` lists:"), "\(result.stderr)")
        #expect(!result.stderr.contains("did you mean"))
    }

    @Test func helpNamesAMisspeltCommandToo() throws {
        let result = try CLIProcess.run(["help", "fuz"])
        #expect(result.status == 64 && result.stderr.contains("unknown command 'fuz' for 'defectlab'; did you mean 'fuzz'?"), "\(result.stderr)")
    }

    /// Groups with a default subcommand that takes no words: a typo there is a typo, not the default's argument.
    @Test func aTypoUnderAGroupWithADefaultIsNamed() throws {
        let report = try CLIProcess.run(["report", "coverag"])
        #expect(report.status == 64 && report.stderr.contains("unknown command 'coverag' for 'defectlab report'; did you mean 'coverage'?"), "\(report.stderr)")
        let taxonomy = try CLIProcess.run(["taxonomy", "chek"])
        #expect(taxonomy.status == 64 && taxonomy.stderr.contains("did you mean 'check'?"), "\(taxonomy.stderr)")
        let annotators = try CLIProcess.run(["annotators", "lst"])
        #expect(annotators.status == 64 && annotators.stderr.contains("did you mean 'list'?"), "\(annotators.stderr)")
    }

    @Test func realCommandsDefaultsAndHelpAreLeftToTheParser() throws {
        // A group with a default subcommand takes its options without the subcommand's name.
        let taxonomy = try CLIProcess.run(["taxonomy", "show"])
        #expect(taxonomy.status == 0, "\(taxonomy.stderr)")
        let byDefault = try CLIProcess.run(["taxonomy", "--format", "json"])
        #expect(byDefault.status == 0, "\(byDefault.stderr)")
        let help = try CLIProcess.run(["help", "fuzz"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("OVERVIEW"))
        let report = try CLIProcess.run(["report", "--help"])
        #expect(report.status == 0)
    }

    /// A negative number after an option is its value: the option's own range check answers (it was "Missing
    /// value for '--budget'"); `--limit 0` listed nothing as "0 issues".
    @Test func aNegativeValueReachesTheOptionsOwnCheck() throws {
        let db = "/tmp/defectlab-never-\(UUID().uuidString).sqlite"
        let budget = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--budget", "-5", "--db", db])
        #expect(budget.status == 64 && budget.stderr.contains("--budget must be a mutant count") && budget.stderr.contains("'-5'"), "\(budget.stderr)")
        let shard = try CLIProcess.run(["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--shard", "-1/3", "--budget", "-1s", "--db", db])
        #expect(shard.status == 64 && (shard.stderr.contains("--shard must be i/N") || shard.stderr.contains("--budget must be")), "\(shard.stderr)")
        let empty = try CLIProcess.run(["ratings", "export", "-o", "", "--db", db])
        #expect(empty.status == 64 && empty.stderr.contains("an output path is empty"), "\(empty.stderr)")
        let timeout = try CLIProcess.run(["diff", "--model", "lenet5", "--timeout", "-1e3", "--db", db])
        #expect(timeout.status == 64 && timeout.stderr.contains("--timeout must be a positive number"), "\(timeout.stderr)")
        for limit in ["-1", "0"] {
            let list = try CLIProcess.run(["issues", "list", "--limit", limit, "--db", db])
            #expect(list.status == 64 && list.stderr.contains("--limit must be at least 1"), "\(limit): \(list.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}
