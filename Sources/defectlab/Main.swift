import ArgumentParser
import Fuzz
import Reports
import Foundation
import JSONText
import TerminalUI

/// Entry point: parses arguments, runs the command, and turns any error into one line on stderr.
@main
enum Main {
    static func main() async {
        // A worker dying mid-write must not kill the tool with SIGPIPE (status 141).
        signal(SIGPIPE, SIG_IGN)
        if let problem = UnknownCommandCheck.problem(in: Array(CommandLine.arguments.dropFirst()))
            ?? RepeatedStoreCheck.problem(in: Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data("defectlab: error: \(InertText.line(problem))\n".utf8))
            Foundation.exit(64)
        }
        do {
            var command = try DefectLab.parseAsRoot(NegativeValues.joined(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = DefectLab.exitCode(for: error)
            // Help, version and clean exits print as ArgumentParser intends.
            if code == .success || error is CleanExit { DefectLab.exit(withError: error) }
            var message = (error as? CocoaError).flatMap(fileErrorMessage) ?? DefectLab.message(for: error)
                .components(separatedBy: "\n").first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "\(error)"
            // An unknown option says where the known ones are listed, as an unknown command does.
            if message.hasPrefix("Unknown option") {
                var path: [String] = []
                var command: any ParsableCommand.Type = DefectLab.self
                for token in CommandLine.arguments.dropFirst() {
                    guard let sub = command.configuration.subcommands.first(where: { $0._commandName == token }) else { break }
                    path.append(token)
                    command = sub
                }
                message += "; `defectlab \((path + ["--help"]).joined(separator: " "))` lists the options"
            }
            // Errors quote what files, trackers and stores hold: drawn inert, as issue text is.
            FileHandle.standardError.write(Data("defectlab: error: \(InertText.line(message))\n".utf8))
            Foundation.exit(code == .validationFailure || isUsageError(error) ? 64 : code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}

/// A mistake in the arguments that a library finds (a framework or format name it does not know, an option
/// it refuses): exit 64 like ArgumentParser's own usage errors, so a script tells them from a failed run.
func isUsageError(_ error: Error) -> Bool {
    if let e = error as? CampaignError { return e.code == .badArgument || e.code == .unknownFramework }
    if let e = error as? ReportError { return e.code == .badArgument }
    return false
}

/// A file that could not be read or written, said plainly ("cannot write /x/y.csv: No such file or directory")
/// instead of Foundation's "Error Domain=NSCocoaErrorDomain Code=4 ...".
func fileErrorMessage(_ error: CocoaError) -> String? {
    guard let path = error.filePath else { return nil }
    // Foundation's codes: 256–511 reading, 512–767 writing; below that (no such file, ...) either.
    let verb = (256..<512).contains(error.code.rawValue) ? "read" : (512..<768).contains(error.code.rawValue) ? "write" : "open"
    let reason = (error.underlying as NSError?).map { $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : $0.localizedDescription }
    return "cannot \(verb) \(path)\(reason.map { ": \($0)" } ?? "")"
}

struct DefectLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "defectlab",
        abstract: "Mine, label and fuzz deep-learning framework defects under one HP taxonomy.",
        discussion: """
            The store is one SQLite file: --db PATH, else $DEFECTLAB_DB, else Data/defectlab.sqlite.
            The taxonomy, presets and fuzz mapping are YAML files in Taxonomy/.
            """,
        version: "0.1.0",
        subcommands: [TaxonomyCommand.self, DatabaseCommand.self, DoctorCommand.self,
                      RatingsCommand.self, AgreementCommand.self, StatsCommand.self, ModelsCommand.self,
                      CrawlCommand.self, FilterCommand.self, IssuesCommand.self,
                      FrameworksCommand.self, DiffCommand.self,
                      SampleCommand.self, AnnotatorsCommand.self, AssignCommand.self, LabelCommand.self, AdjudicateCommand.self,
                      LabelBenchCommand.self,
                      FuzzCommand.self, StudyCommand.self, MergeCommand.self, DefectsCommand.self, ReportCommand.self]
    )
}
