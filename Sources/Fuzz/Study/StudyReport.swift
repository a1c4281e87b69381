import Foundation

/// One operator's row of the study's Table 4, measured.
public struct OperatorStudyRow: Codable, Sendable {
    public var operator_: String
    public var family: String
    public var origin: String
    /// Mutants made (executed or rejected by the numeric guard).
    public var mutants: Int
    public var executed: Int
    public var illegal: Int
    public var illegalRate: Double
    /// Edits the IR's validity rules stopped before execution (the constraints at work).
    public var rejectedByConstraints: Int
    /// Rounds where the operator had no legal edit left.
    public var inapplicable: Int
    /// Rounds whose edit gave back a model the chain had already been (toggled back): not counted as mutants.
    public var duplicates: Int
    /// The study's reported rate, where it has one.
    public var studyRate: Double?
    public var meanSeconds: Double
    /// Mean output inconsistency by framework pair (mean |a - b|).
    public var pairInconsistency: [String: Double]
    /// Mean relative distance of each framework's output to the float64 reference.
    public var referenceDistance: [String: Double]
    /// Mean change of the reference output against the seed's (`Distance.outputChange`: how far the operator
    /// moves the model; an output turned NaN/Inf is a change).
    public var outputChange: Double
    public var nanMutants: Int
    public var findings: Int

    enum CodingKeys: String, CodingKey {
        case operator_ = "operator", family, origin, mutants, executed, illegal
        case illegalRate = "illegal_rate", rejectedByConstraints = "rejected_by_constraints", inapplicable, duplicates
        case studyRate = "study_rate", meanSeconds = "mean_seconds", pairInconsistency = "pair_inconsistency"
        case referenceDistance = "reference_distance", outputChange = "output_change", nanMutants = "nan_mutants", findings
    }
}

/// `study operators|order|position` output: rows, per-round series, and what they were measured on.
public struct StudyReport: Codable, Sendable {
    public var study: String
    public var seeds: [String]
    public var rounds: Int
    public var seed: UInt64
    public var frameworks: [String]
    public var operators: [OperatorStudyRow]
    /// Overall illegal rate: illegal / mutants over every operator row.
    public var overallIllegalRate: Double
    /// Per operator (and "mixed"): mean output change and inconsistency and NaN count by round (Fig. 8).
    public var rounds_: [String: [RoundPoint]]
    /// Backbone against head (Fig. 9).
    public var position: PositionComparison?
    public var wallSeconds: Double

    enum CodingKeys: String, CodingKey {
        case study, seeds, rounds, seed, frameworks, operators, overallIllegalRate = "overall_illegal_rate", rounds_ = "by_round", position
        case wallSeconds = "wall_seconds"
    }
}

public struct RoundPoint: Codable, Sendable {
    public var round: Int
    public var outputChange: Double
    /// The worst framework pair's mean distance; nil with fewer than two frameworks (nothing to compare).
    public var inconsistency: Double?
    public var nanMutants: Int
    public var illegal: Int

    enum CodingKeys: String, CodingKey {
        case round, outputChange = "output_change", inconsistency, nanMutants = "nan_mutants", illegal
    }
}

public struct PositionComparison: Codable, Sendable {
    /// Per seed: final output change and inconsistency for backbone-only and head-only mutation.
    public var seeds: [String: [String: Double]]
    /// Share of comparisons where mutating the backbone moved outputs (or inconsistency) more than the head.
    public var backboneWins: Double
    public var comparisons: Int
    /// How many comparisons the backbone won (`backbone_wins` in JSON; the share is `backbone_win_share`: a share
    /// named "wins" beside a count of comparisons read as "1 of 3" when the backbone won all three).
    public var backboneWinCount: Int { Int((backboneWins * Double(comparisons)).rounded()) }

    enum CodingKeys: String, CodingKey { case seeds, backboneWins = "backbone_win_share", backboneWinCount = "backbone_wins", comparisons }

    public init(seeds: [String: [String: Double]], backboneWins: Double, comparisons: Int) {
        self.seeds = seeds
        self.backboneWins = backboneWins
        self.comparisons = comparisons
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seeds = try c.decode([String: [String: Double]].self, forKey: .seeds)
        comparisons = try c.decode(Int.self, forKey: .comparisons)
        backboneWins = try c.decodeIfPresent(Double.self, forKey: .backboneWins)
            ?? Double(try c.decode(Int.self, forKey: .backboneWinCount)) / Double(max(comparisons, 1))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seeds, forKey: .seeds)
        try c.encode(backboneWinCount, forKey: .backboneWinCount)
        try c.encode(backboneWins, forKey: .backboneWins)
        try c.encode(comparisons, forKey: .comparisons)
    }
}
