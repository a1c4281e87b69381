import Seeding
import ModelIR

/// What a step told the guidance: which operator and position made the mutant, and what it was worth.
public struct StepFeedback: Sendable {
    public var operatorIndex: Int
    public var position: Position
    public var parentIndex: Int
    public var legal: Bool
    /// Some deterministic oracle (crash, error, NaN, inconsistency) fired.
    public var raisedInconsistency: Bool
    public var newCoverage: Int
    /// Findings whose signature this campaign had not seen, performance ones (timing, memory) left out.
    public var newFindings: Int
}

/// How the campaign chooses the next parent, operator and position, and which mutants join the pool. Every
/// choice draws from the step's generator, so the sequence depends only on the seed and the feedback.
public protocol Guidance: Sendable {
    var name: String { get }
    mutating func chooseParent(_ pool: [PoolEntry], eligible: [Int], rng: inout SplitMix64) -> Int
    mutating func chooseOperator(count: Int, rng: inout SplitMix64) -> Int
    mutating func choosePosition(operatorIndex: Int, allowed: Position, rng: inout SplitMix64) -> Position
    mutating func learn(_ feedback: StepFeedback)
    /// The chosen operator had no legal edit of the parent at that position (the campaign then draws again).
    mutating func learnInapplicable(operatorIndex: Int, position: Position)
    func admits(_ feedback: StepFeedback) -> Bool
}

extension Guidance {
    public mutating func learnInapplicable(operatorIndex: Int, position: Position) {}
}

/// A model in the pool: a seed or an admitted mutant, with how often it was picked.
public struct PoolEntry: Sendable {
    public var model: FuzzModel
    public var step: Int?
    public var selections: Int = 0
}

public enum GuidanceKind: String, Sendable, CaseIterable, Codable {
    case random, mcmc, coverage, bandit

    /// `position`: the campaign's `--position` (the bandit keeps arms only for the parts it may edit).
    public func make(operators: Int, position: Position = .any) -> any Guidance {
        switch self {
        case .random: RandomGuidance()
        case .mcmc: MCMCGuidance(operators: operators, p: 1 / Double(Swift.max(operators, 1)), score: .inconsistency, name: "mcmc")
        case .coverage: MCMCGuidance(operators: operators, p: 0.4, score: .coverage, name: "coverage")
        case .bandit: BanditGuidance(operators: operators, position: position)
        }
    }
}

/// Uniform choices; every legal mutant joins the pool.
public struct RandomGuidance: Guidance {
    public let name = "random"
    public init() {}
    public mutating func chooseParent(_ pool: [PoolEntry], eligible: [Int], rng: inout SplitMix64) -> Int { rng.pick(eligible) }
    public mutating func chooseOperator(count: Int, rng: inout SplitMix64) -> Int { rng.index(count) }
    public mutating func choosePosition(operatorIndex: Int, allowed: Position, rng: inout SplitMix64) -> Position { allowed }
    public mutating func learn(_ feedback: StepFeedback) {}
    public func admits(_ feedback: StepFeedback) -> Bool { feedback.legal }
}

/// LEMON's Metropolis-Hastings over operators ranked by score (share of their mutants that raised an
/// inconsistency), acceptance (1 - p)^(k2 - k1); parents by roulette with score 1/(selections + 1); only
/// mutants that raised an inconsistency join the pool. With `score: .coverage` and p = 0.4 it is COMET's:
/// operators ranked by the new coverage their mutants brought, mutants with new coverage join.
public struct MCMCGuidance: Guidance {
    public enum Score: Sendable { case inconsistency, coverage }
    public let name: String
    let p: Double
    let score: Score
    var selected: [Int]
    var rewarded: [Double]
    var last: Int?

    public init(operators: Int, p: Double, score: Score, name: String) {
        self.p = p
        self.score = score
        self.name = name
        selected = Array(repeating: 0, count: operators)
        rewarded = Array(repeating: 0, count: operators)
    }

    public mutating func chooseParent(_ pool: [PoolEntry], eligible: [Int], rng: inout SplitMix64) -> Int {
        let weights = eligible.map { 1 / Double(pool[$0].selections + 1) }
        var x = rng.unit() * weights.reduce(0, +)
        for (i, w) in zip(eligible, weights) { x -= w; if x < 0 { return i } }
        return eligible.last!
    }

    public mutating func chooseOperator(count: Int, rng: inout SplitMix64) -> Int {
        // Every operator is tried once, in catalog order, before the ranking takes over: scored 0, the operators
        // at the bottom of the ranking were never accepted under COMET's p = 0.4 (19 of 34 never ran), and ranked
        // first they were still only proposed at random under LEMON's p = 1/n (one operator ran five times before
        // three others ran once). One with no edit to make counts as tried (`learnInapplicable`).
        if let untried = (0..<count).first(where: { selected[$0] == 0 }) { return untried }
        let scores = (0..<count).map { rewarded[$0] / Double(selected[$0]) }
        let ranked = (0..<count).sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        let k1 = last.flatMap { ranked.firstIndex(of: $0) } ?? rng.index(count)
        for _ in 0..<1000 {
            let k2 = rng.index(count)
            if rng.unit() < Foundation.pow(1 - p, Double(k2 - k1)) { return ranked[k2] }
        }
        return ranked[0]
    }

    public mutating func choosePosition(operatorIndex: Int, allowed: Position, rng: inout SplitMix64) -> Position { allowed }

    /// An operator with no edit to make on the parent counts as tried, with nothing earned: an untried operator
    /// ranks first, and one that cannot apply must not keep that place.
    public mutating func learnInapplicable(operatorIndex: Int, position: Position) {
        selected[operatorIndex] += 1
    }

    public mutating func learn(_ feedback: StepFeedback) {
        // LEMON's k1 is the rank of the operator that made the last mutant, not of one drawn and found inapplicable.
        last = feedback.operatorIndex
        selected[feedback.operatorIndex] += 1
        switch score {
        case .inconsistency: rewarded[feedback.operatorIndex] += feedback.raisedInconsistency ? 1 : 0
        case .coverage: rewarded[feedback.operatorIndex] += Double(feedback.newCoverage)
        }
    }

    public func admits(_ feedback: StepFeedback) -> Bool {
        guard feedback.legal else { return false }
        return score == .inconsistency ? feedback.raisedInconsistency : feedback.newCoverage > 0
    }
}

/// Thompson sampling over operator x position arms; an arm succeeds when its mutant brought new coverage or a
/// new unique finding, and fails otherwise — also when it had no legal edit to make, or an arm that can never
/// propose (an input operator in the head) would keep its uniform prior and win the draws once the learned arms
/// fall below it. Only the positions `--position` allows have arms. Mutants that succeeded join the pool.
public struct BanditGuidance: Guidance {
    public let name = "bandit"
    var successes: [String: Double] = [:]
    var failures: [String: Double] = [:]
    var pendingPosition: [Int: Position] = [:]
    let operators: Int
    let positions: [Position]

    public init(operators: Int, position: Position = .any) {
        self.operators = operators
        positions = position == .any ? [.backbone, .head] : [position]
    }

    public mutating func chooseParent(_ pool: [PoolEntry], eligible: [Int], rng: inout SplitMix64) -> Int { rng.pick(eligible) }

    public mutating func chooseOperator(count: Int, rng: inout SplitMix64) -> Int {
        var best = 0, bestDraw = -1.0
        for i in 0..<count {
            for position in positions {
                let key = "\(i)/\(position.rawValue)"
                let draw = Self.beta(1 + successes[key, default: 0], 1 + failures[key, default: 0], &rng)
                if draw > bestDraw { bestDraw = draw; best = i; pendingPosition[i] = position }
            }
        }
        return best
    }

    public mutating func choosePosition(operatorIndex: Int, allowed: Position, rng: inout SplitMix64) -> Position {
        allowed == .any ? pendingPosition[operatorIndex] ?? .any : allowed
    }

    public mutating func learn(_ feedback: StepFeedback) {
        let key = Self.arm(feedback.operatorIndex, feedback.position)
        if feedback.newCoverage > 0 || feedback.newFindings > 0 { successes[key, default: 0] += 1 } else { failures[key, default: 0] += 1 }
    }

    public mutating func learnInapplicable(operatorIndex: Int, position: Position) {
        failures[Self.arm(operatorIndex, position), default: 0] += 1
    }

    static func arm(_ operatorIndex: Int, _ position: Position) -> String {
        "\(operatorIndex)/\((position == .any ? Position.backbone : position).rawValue)"
    }

    public func admits(_ feedback: StepFeedback) -> Bool { feedback.legal && (feedback.newCoverage > 0 || feedback.newFindings > 0) }

    /// Beta(a, b) from two Gamma draws (Marsaglia-Tsang; a, b >= 1 here).
    static func beta(_ a: Double, _ b: Double, _ rng: inout SplitMix64) -> Double {
        let x = gamma(a, &rng), y = gamma(b, &rng)
        return x / (x + y)
    }

    static func gamma(_ shape: Double, _ rng: inout SplitMix64) -> Double {
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat { x = rng.normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = rng.unit()
            if u < 1 - 0.0331 * x * x * x * x || Foundation.log(Swift.max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }
}

import Foundation
