import Taxonomy

/// One oracle verdict on one mutant, filed under the taxonomy.
public struct MutantFinding: Sendable, Hashable, Codable {
    public var framework: String
    public var symptom: FindingSymptom
    public var stage: FindingStage?
    public var scope: FindingScope
    /// The op type the finding localizes to ("output" when it cannot be localized).
    public var op: String
    public var subtype: String
    public var detail: String
    /// The node the finding localizes to, when it does (NaN/Inf and inconsistencies with layer values).
    public var node: String? = nil

    /// What makes two findings the same bug (LEMON's backend x layer type, plus the symptom).
    public var signature: String { "\(framework)|\(symptom.rawValue)|\(op)" }

    /// Findings that depend on timing or memory readings; guidance ignores them so that the mutant sequence
    /// depends only on deterministic answers.
    public var isPerformance: Bool { [.slowdown, .memoryGrowth, .memoryFailure, .hang].contains(symptom) }
}
