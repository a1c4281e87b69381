/// Why a triage step (fold, reduce, reproducer) could not be done.
public struct TriageError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No defect with that id (or no campaign): the message says how to list them.
        case unknownDefect = "unknown-defect"
        case unknownCampaign = "unknown-campaign"
        /// The representative mutant cannot be rebuilt from its seed and lineage.
        case replayFailed = "replay-failed"
        /// The defect does not show on its own representative any more (fixed framework, flaky finding).
        case doesNotReproduce = "does-not-reproduce"
        /// A framework the defect implicates cannot be run here (no venv, no planted defects).
        case noExecutor = "no-executor"
        /// A path would leave the reproducer folder.
        case unsafePath = "unsafe-path"
        case io
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }
}
