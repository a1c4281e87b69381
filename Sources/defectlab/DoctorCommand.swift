import ArgumentParser
import Doctor
import Foundation
import JSONText

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report the toolchain, system libraries, the framework venv and each framework's version.")

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    @Flag(help: "Skip importing the frameworks (fast).")
    var quick = false

    func run() throws {
        let checks = Doctor.run(skipFrameworks: quick)
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(InertText.json(String(decoding: try encoder.encode(checks), as: UTF8.self)))
        } else {
            for check in checks {
                let mark = check.status == .ok ? "ok     " : check.status == .missing ? "MISSING" : "FAILED "
                print("\(mark) \(check.group.padding(toLength: 10, withPad: " ", startingAt: 0)) \(check.name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(InertText.line(check.detail))")
            }
        }
        if checks.contains(where: { $0.status != .ok }) { throw ExitCode(1) }
    }
}
