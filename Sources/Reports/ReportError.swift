/// Why a report could not be made: one line for the user, a `Code` for tests and scripts.
public struct ReportError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        /// `--campaign` names no campaign in the store (or the store has none for `latest`).
        case unknownCampaign = "unknown-campaign"
        /// `--campaign` or `--format` is not something the report understands.
        case badArgument = "bad-argument"
        /// `--out` cannot be a report folder (an existing file, an unwritable place).
        case badOutput = "bad-output"
        /// The store holds nothing to report on.
        case noData = "no-data"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
