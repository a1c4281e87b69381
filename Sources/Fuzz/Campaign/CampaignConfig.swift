import Seeding
import Foundation
import Oracles

/// `--shard i/N`: shard i (0-based, as Slurm array and Kubernetes Indexed Job indices are) of N. Each shard
/// draws from its own stream derived from the campaign seed and gets its share of a mutant budget.
public struct ShardSpec: Codable, Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int = 0, count: Int = 1) {
        self.index = index
        self.count = count
    }

    public static let largestCount = 1024

    public init(parsing text: String) throws(CampaignError) {
        let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, i >= 0, i < n else {
            throw CampaignError(.badArgument, "--shard must be i/N with 0 <= i < N, got '\(text)'")
        }
        // A shard proposes up to 4N times per step to find a mutant of its own: a million shards spent minutes
        // on one step (and no machine runs that many).
        guard n <= Self.largestCount else {
            throw CampaignError(.badArgument, "--shard: at most \(Self.largestCount) shards, got \(n)")
        }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// This shard's share of `total` mutants (the first total % N shards take one more).
    public func share(of total: Int) -> Int { total / count + (index < total % count ? 1 : 0) }

    /// The shard that runs a mutant: its fingerprint, which every shard computes alike, modulo the count.
    public func owner(of fingerprint: Fingerprint) -> Int { count > 1 ? Int(fingerprint.a % UInt64(count)) : index }
}

/// `--budget`: a number of mutants, or wall time (`90s`, `30m`, `2h`).
public enum Budget: Codable, Sendable, Hashable, CustomStringConvertible {
    case mutants(Int)
    case seconds(Double)

    public static let largestCount = 1024

    public init(parsing text: String) throws(CampaignError) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let n = Int(t), n > 0 { self = .mutants(n); return }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            if let v = Double(t.dropLast(suffix.count)), v > 0 { self = .seconds(v * scale); return }
        }
        throw CampaignError(.badArgument, "--budget must be a mutant count (2000) or a duration (90s, 30m, 2h), got '\(text)'")
    }

    public var description: String {
        switch self {
        case .mutants(let n): "\(n) mutants"
        case .seconds(let s): String(format: "%.0f s", s)
        }
    }
}

/// Everything that decides a campaign's mutant sequence. The budget is left out of its identity, so the
/// same command (or one with a larger budget) resumes it.
public struct CampaignConfig: Codable, Sendable {
    public var seeds: [String]
    public var frameworks: [String]
    public var guidance: GuidanceKind
    public var operators: [String]
    public var maxOrder: Int
    public var position: Position
    public var seed: UInt64
    public var shard: ShardSpec
    /// Defects planted in the fault-injection framework (`OP=KIND`), when it takes part.
    public var planted: [String]
    public var budget: Budget
    /// Oracle thresholds other than the defaults (`--oracles FILE`): they decide the findings and, through
    /// guidance, the mutants, so two runs differing in them are two campaigns. nil for the defaults, which
    /// keeps the identity of campaigns recorded before thresholds were part of it.
    public var oracles: OracleThresholds?
    /// Frameworks run from another interpreter (`--framework NAME=PYTHON`); nil when none.
    public var interpreters: [String: String]?
    /// Seconds a worker may take on one mutant before it is killed and the step filed as a hang (`--timeout`);
    /// it decides which mutants are hangs, so it is part of the identity. nil for the default (60 s), which
    /// keeps the identity of campaigns recorded before it was an option.
    public var workerTimeout: Double?

    public init(seeds: [String], frameworks: [String], guidance: GuidanceKind, operators: [String], maxOrder: Int = 3,
                position: Position = .any, seed: UInt64, shard: ShardSpec = ShardSpec(), planted: [String] = [], budget: Budget) {
        self.seeds = seeds
        self.frameworks = frameworks
        self.guidance = guidance
        self.operators = operators
        self.maxOrder = maxOrder
        self.position = position
        self.seed = seed
        self.shard = shard
        self.planted = planted
        self.budget = budget
    }

    /// The campaign's identity: its configuration without the budget, plants and frameworks in one order (they
    /// are sets: naming them in another order changes no mutant, and started an identical second campaign).
    public var key: String {
        var c = self
        c.planted.sort()
        c.frameworks.sort()
        return c.encoded(revision: revision)
    }

    /// The key as builds before the sorting wrote it (plants and frameworks as given): a campaign stored then is
    /// still found by the same command. None where the mutant stream changed since (`revision`).
    public var legacyKey: String? { revision == "r2" ? encoded(revision: "r2") : nil }

    /// The rules the mutant stream follows, in the key, so a campaign stored by other rules is never replayed by
    /// these (its hashes would not match): it keeps its key and stays resumable by its build, and the same command
    /// here starts a campaign of its own.
    /// r2: guidance learns from draws with no legal edit and MCMC's k1 follows the applied operator; shards own
    /// mutants by content; a transposed convolution's neurons are its output channels.
    /// r3 (mcmc, coverage): every operator is tried once, in catalog order, before the ranking takes over.
    var revision: String { guidance == .mcmc || guidance == .coverage ? "r3" : "r2" }

    func encoded(revision: String) -> String {
        var c = self
        c.budget = .mutants(0)
        return "fuzz:\(revision):" + String(decoding: (try? Self.encoder.encode(c)) ?? Data(), as: UTF8.self)
    }

    public var json: String {
        String(decoding: (try? Self.encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Sorted keys, and non-finite numbers as strings: a threshold that is not a number must never make the
    /// encoding fail, since an empty key would be every such campaign's identity (one would resume another).
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// The shard's own stream seed, derived from the campaign seed.
    public var shardSeed: UInt64 {
        var rng = SplitMix64(seed: seed, stream: "shard \(shard.index)/\(shard.count)")
        return rng.next()
    }
}

/// A campaign that cannot start or continue.
public struct CampaignError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case badArgument = "bad-argument"
        case unknownFramework = "unknown-framework"
        case store
        case replayMismatch = "replay-mismatch"
        case frameworkUnavailable = "framework-unavailable"
        /// Stopped by Ctrl-C or SIGTERM before it was done (what was done is stored; the same command completes it).
        case interrupted
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }
}

import ModelIR
