import ModelIR

/// One edit, replayable: the operator, the nodes it edits, the parameters it drew, and the seed for any values
/// it draws while editing (noise, shuffles, new weights). Applying a record to the same model gives the same
/// mutant on every run and machine.
public struct MutationRecord: Codable, Sendable, Hashable, CustomStringConvertible {
    public var op: String
    public var targets: [String]
    public var parameters: [String: AttributeValue]
    public var seed: UInt64

    public init(op: String, targets: [String], parameters: [String: AttributeValue] = [:], seed: UInt64) {
        self.op = op
        self.targets = targets
        self.parameters = parameters
        self.seed = seed
    }

    public var description: String {
        let params = parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: ",")
        return "\(op)(\(targets.joined(separator: ","))\(params.isEmpty ? "" : "; " + params))"
    }

    func int(_ key: String, _ fallback: Int = 0) -> Int { if case .int(let v)? = parameters[key] { v } else { fallback } }
    func double(_ key: String, _ fallback: Double = 0) -> Double {
        switch parameters[key] { case .float(let v)?: v; case .int(let v)?: Double(v); default: fallback }
    }
    func string(_ key: String, _ fallback: String = "") -> String { if case .string(let v)? = parameters[key] { v } else { fallback } }
    func ints(_ key: String) -> [Int] { if case .ints(let v)? = parameters[key] { v } else { [] } }
}
