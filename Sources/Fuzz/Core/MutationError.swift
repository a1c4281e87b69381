/// Why a mutation could not be made or replayed.
public struct MutationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// The operator has no legal target or parameters in this model.
        case notApplicable = "not-applicable"
        /// The edit produced a graph that breaks a validity rule (never executed).
        case invalidMutant = "invalid-mutant"
        case unknownOperator = "unknown-operator"
        case unknownSeed = "unknown-seed"
        /// A record names a node the model does not have (a replay against the wrong parent).
        case unknownTarget = "unknown-target"
        /// A resumed campaign re-derived a different mutant than the one it recorded.
        case replayMismatch = "replay-mismatch"
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
