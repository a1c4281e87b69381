import ArgumentParser
import Oracles

/// `--oracles FILE`, one flag for `diff`, `fuzz` and `study`: they read the same thresholds file, so a file
/// tuned on one command means the same on the others.
struct OracleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Oracle thresholds: a JSON object with any of \(OracleThresholds.validKeys.joined(separator: ", ")) (README, \"Oracle thresholds\").",
                               valueName: "file"))
    var oracles: String?

    /// The defaults, overridden by the file. A bad file (unreadable, unknown key, non-number) is a usage error
    /// with `OracleThresholds.load`'s message, worded the same whichever command read it.
    func thresholds() throws -> OracleThresholds {
        guard let oracles else { return OracleThresholds() }
        do { return try OracleThresholds.load(path: oracles) } catch let error as OracleError {
            throw ValidationError("--oracles \(error.message)")
        }
    }
}
