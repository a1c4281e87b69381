import Agreement
import Foundation
import Taxonomy

/// Counts and shares of labels per category, with the study's reported share beside each.
///
/// The label of an item comes from `source`: the adjudicated label, the raw labels' majority (a strict
/// plurality; tied items are left out and counted), or one annotator's labels.
public struct DistributionReport: Sendable, Encodable {
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case final
        case majority
        case rater(String)

        /// `final`, `majority` or `rater:NAME`.
        public init?(argument: String) {
            switch argument {
            case "final": self = .final
            case "majority": self = .majority
            default:
                guard argument.hasPrefix("rater:"), argument.count > 6 else { return nil }
                self = .rater(String(argument.dropFirst(6)))
            }
        }

        public var description: String {
            switch self {
            case .final: return "final"
            case .majority: return "majority"
            case .rater(let name): return "rater:\(name)"
            }
        }
    }

    public struct Group: Sendable, Encodable {
        public var name: String
        public var total: Int
        public var counts: [(String, Int)]
        public var shares: [(String, Double)]
        /// Items without a label from the source (no adjudication, a tie, not rated by the annotator).
        public var unlabelled: Int

        enum CodingKeys: String, CodingKey { case name, total, counts, shares, unlabelled }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(total, forKey: .total)
            try c.encode(OrderedValues(pairs: counts), forKey: .counts)
            // A group with no labelled item has no shares (0/0): null, not zeros that read as measured.
            try c.encode(OrderedValues(pairs: shares.map { ($0.0, total > 0 ? Optional($0.1) : nil) }), forKey: .shares)
            try c.encode(unlabelled, forKey: .unlabelled)
        }
    }

    public var level: String
    public var source: String
    /// The study's shares (fractions) per reported group (`E2+E3` reported together), at this level.
    public var studyShares: [(String, Double)]
    public var groups: [Group]
    /// Category → key of its study share.
    let studyKeyByCategory: [String: String]

    enum CodingKeys: String, CodingKey { case level, source, studyShares = "study_shares", groups }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(level, forKey: .level)
        try c.encode(source, forKey: .source)
        try c.encode(OrderedValues(pairs: studyShares), forKey: .studyShares)
        try c.encode(groups, forKey: .groups)
    }

    public static func build(_ ratings: StoredRatings, taxonomy: HPTaxonomy, source: Source, byFramework: Bool) throws -> DistributionReport {
        let categories = taxonomy.categories(at: ratings.level)
        if case .rater(let name) = source, !ratings.raters.contains(name) {
            throw RatingsError(code: .noData, message: "no \(ratings.level.rawValue) labels by '\(name)' (annotators with \(ratings.level.rawValue) labels: \(ratings.raters.isEmpty ? "none" : ratings.raters.joined(separator: ", ")))")
        }
        let index = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, Int32($0)) })
        func label(_ item: StoredRatings.Item) -> String? {
            switch source {
            case .final: return item.final
            case .rater(let name): return item.labels[name]
            case .majority:
                var tally: [String: Int] = [:]
                for label in item.labels.values { tally[label, default: 0] += 1 }
                let top = tally.values.max() ?? 0
                let winners = tally.filter { $0.value == top }
                return winners.count == 1 ? winners.first?.key : nil
            }
        }
        var groups = [("all", ratings.items)]
        if byFramework {
            let names = Set(ratings.items.map { $0.framework ?? "unknown" }).sorted()
            groups += names.map { name in (name, ratings.items.filter { ($0.framework ?? "unknown") == name }) }
        }
        let built = groups.map { name, items -> Group in
            let codes = items.map { label($0).flatMap { index[$0] } ?? RatingMatrix.missing }
            let distribution = LabelDistribution(codes: codes, categories: categories.count)
            return Group(name: name, total: distribution.total, counts: Array(zip(categories, distribution.counts)),
                         shares: Array(zip(categories, distribution.shares)), unlabelled: items.count - distribution.total)
        }
        // Study shares: as reported per subtype group; at the major level, summed over each major's subtypes.
        var study: [(String, Double)] = []
        var keyByCategory: [String: String] = [:]
        if ratings.level == .subtype {
            for share in taxonomy.studyShares {
                study.append((share.key, share.percent / 100))
                for id in share.subtypes { keyByCategory[id] = share.key }
            }
        } else {
            for major in taxonomy.majors {
                let ids = Set(major.subtypes.map(\.id))
                let shares = taxonomy.studyShares.filter { $0.subtypes.allSatisfy(ids.contains) }
                guard !shares.isEmpty else { continue }
                study.append((major.id, shares.reduce(0) { $0 + $1.percent } / 100))
                keyByCategory[major.id] = major.id
            }
        }
        if built[0].total == 0 {
            // The default source, `final`, is what adjudication settled: right after labelling there is none yet.
            // With no labels at all there is nothing to settle: the other level may have some (said by the caller).
            let hint = "\(source)" == "final" && !ratings.items.isEmpty
                ? "; settle labels first (`defectlab adjudicate`, or `--auto majority`), or use --source majority" : ""
            throw RatingsError(code: .noData, message: "no \(ratings.level.rawValue) labels from source '\(source)' (\(ratings.items.count) item(s) have \(ratings.level.rawValue) labels)\(hint)")
        }
        return DistributionReport(level: ratings.level.rawValue, source: source.description, studyShares: study,
                                  groups: built, studyKeyByCategory: keyByCategory)
    }

    /// The study share shown beside a category, and the key it was reported under.
    public func studyShare(of category: String) -> (key: String, share: Double)? {
        guard let key = studyKeyByCategory[category], let share = studyShares.first(where: { $0.0 == key })?.1 else { return nil }
        return (key, share)
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// `group,category,count,share,study_share,study_group`, one row per category and group.
    public func csv() -> String {
        var out = RatingsCSVCodec.line(["group", "category", "count", "share", "study_share", "study_group"]) + "\n"
        for group in groups {
            for ((category, count), (_, share)) in zip(group.counts, group.shares) {
                let study = studyShare(of: category)
                out += RatingsCSVCodec.line([group.name, category, String(count), group.total > 0 ? String(format: "%.6f", share) : "",
                                             study.map { String(format: "%.6f", $0.share) } ?? "", study?.key ?? ""]) + "\n"
            }
        }
        return out
    }

    /// Counts, shares and the study's shares with a bar chart drawn in block characters.
    public func table(barWidth: Int = 40) -> String {
        var out: [String] = []
        for group in groups {
            out.append("== \(group.name): \(group.total) labelled items (source \(source), level \(level))"
                       + (group.unlabelled > 0 ? ", \(group.unlabelled) without a label" : ""))
            out.append("cat    count   share   study  chart")
            let top = group.shares.map(\.1).max() ?? 0
            for ((category, count), (_, share)) in zip(group.counts, group.shares) {
                let study = studyShare(of: category)
                let studyText = study.map { String(format: "%5.1f%%", $0.share * 100) + ($0.key == category ? " " : "*") } ?? "    —  "
                let bar = top > 0 ? BarGlyphs.bar(share / top * Double(barWidth)) : ""
                out.append(category.padding(toLength: 5, withPad: " ", startingAt: 0)
                           + String(format: "%6d  ", count) + (group.total > 0 ? String(format: "%5.1f%%  ", share * 100) : "   n/a  ")
                           + studyText + " " + bar)
            }
            out.append("")
        }
        if studyShares.contains(where: { $0.0.contains("+") }) {
            out.append("* the study reported this share for a group of subtypes (e.g. E2+E3), shown beside each member")
        }
        return out.joined(separator: "\n")
    }
}

/// Horizontal bars with eighth-block resolution.
enum BarGlyphs {
    static func bar(_ length: Double) -> String {
        let eighths = Int((length * 8).rounded())
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: eighths / 8) + partial[eighths % 8]
    }
}

