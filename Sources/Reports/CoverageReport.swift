import Foundation
import GRDB
import Store
import Taxonomy

/// Mined vs fuzzed: the HP subtype distribution of labelled issues (the study's Fig. 5) beside that of the
/// fuzzer's unique defects (its Fig. 7), over the whole store.
///
/// An issue's label is its adjudicated subtype when it has one, else the strict plurality of its annotators'
/// current subtype labels (a tie leaves it out, counted in `minedTied`). The fuzzed side counts unique
/// defects; raw findings are shown beside them, and a subtype counts as reached when the fuzzer produced
/// any finding in it, so coverage is meaningful even before triage folds findings into defects.
public struct CoverageReport: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var subtype: String
        public var name: String
        public var major: String
        public var mined: Int
        /// nil when nothing was mined (or fuzzed) at all: 0/0 is no share, and a zero would read as measured.
        public var minedShare: Double?
        public var defects: Int
        public var defectShare: Double?
        public var findings: Int
        public var reached: Bool

        enum CodingKeys: String, CodingKey {
            case subtype, name, major, mined, defects, findings, reached
            case minedShare = "mined_share", defectShare = "defect_share"
        }

        /// Shares as null when undefined, not left out: every row has the same keys.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(subtype, forKey: .subtype)
            try c.encode(name, forKey: .name)
            try c.encode(major, forKey: .major)
            try c.encode(mined, forKey: .mined)
            try c.encode(minedShare, forKey: .minedShare)
            try c.encode(defects, forKey: .defects)
            try c.encode(defectShare, forKey: .defectShare)
            try c.encode(findings, forKey: .findings)
            try c.encode(reached, forKey: .reached)
        }
    }

    public var rows: [Row]
    public var minedTotal: Int
    public var minedTied: Int
    public var defectTotal: Int
    public var findingTotal: Int
    /// Subtypes with at least one fuzzer finding.
    public var reached: [String]
    /// Subtypes the fuzzer never produced a finding in.
    public var neverReached: [String]
    /// Subtypes users report (mined > 0) that the fuzzer never reaches: where it is blind.
    public var missedUserReported: [String]
    /// Subtypes the fuzzer reaches that no labelled issue has.
    public var fuzzerOnly: [String]

    enum CodingKeys: String, CodingKey {
        case rows, reached
        case minedTotal = "mined_total", minedTied = "mined_tied", defectTotal = "defect_total", findingTotal = "finding_total"
        case neverReached = "never_reached", missedUserReported = "missed_user_reported", fuzzerOnly = "fuzzer_only"
    }

    /// One labelled item as the statistics read it: its final subtype (nil when unsettled, or when the decision
    /// was an `--auto majority` one that relabelling overturned) and each annotator's current subtype.
    public struct LabelledItem: Sendable {
        public var final: String?
        public var labels: [String]
        public init(final: String?, labels: [String]) {
            self.final = final
            self.labels = labels
        }
    }

    /// `items` come from the annotation side's reading of the store (`StoredRatings` at the subtype level), so
    /// the mined side counts what `stats distribution` counts: it read the raw tables and counted overturned
    /// majority decisions as final labels.
    public static func load(store: DefectLabStore, taxonomy: HPTaxonomy, items: [LabelledItem]) throws -> CoverageReport {
        let (defects, findings) = try store.read { db in
            (try GRDB.Row.fetchAll(db, sql: "SELECT subtype, COUNT(*) AS n FROM defect GROUP BY subtype").map { ($0["subtype"] as String, $0["n"] as Int) },
             try GRDB.Row.fetchAll(db, sql: "SELECT subtype, COUNT(*) AS n FROM campaign_finding GROUP BY subtype").map { ($0["subtype"] as String, $0["n"] as Int) })
        }
        var mined: [String: Int] = [:], tied = 0
        for item in items {
            if let label = item.final { mined[label.uppercased(), default: 0] += 1; continue }
            var tally: [String: Int] = [:]
            for label in item.labels { tally[label.uppercased(), default: 0] += 1 }
            let top = tally.values.max() ?? 0
            let winners = tally.filter { $0.value == top }
            if winners.count == 1, let label = winners.first?.key { mined[label, default: 0] += 1 } else { tied += 1 }
        }
        return build(taxonomy: taxonomy, mined: mined, tied: tied, defects: Dictionary(defects, uniquingKeysWith: +),
                     findings: Dictionary(findings, uniquingKeysWith: +))
    }

    /// The report from per-subtype counts (labels outside the taxonomy are ignored: they cannot be placed).
    public static func build(taxonomy: HPTaxonomy, mined: [String: Int], tied: Int, defects: [String: Int], findings: [String: Int]) -> CoverageReport {
        let ids = taxonomy.subtypeIDs
        let minedTotal = ids.reduce(0) { $0 + (mined[$1] ?? 0) }
        let defectTotal = ids.reduce(0) { $0 + (defects[$1] ?? 0) }
        let rows = ids.map { id -> Row in
            let m = mined[id] ?? 0, d = defects[id] ?? 0, f = findings[id] ?? 0
            return Row(subtype: id, name: taxonomy.subtype(id)?.name ?? id, major: taxonomy.major(ofSubtype: id)?.id ?? "",
                       mined: m, minedShare: minedTotal > 0 ? Double(m) / Double(minedTotal) : nil,
                       defects: d, defectShare: defectTotal > 0 ? Double(d) / Double(defectTotal) : nil, findings: f, reached: d > 0 || f > 0)
        }
        return CoverageReport(rows: rows, minedTotal: minedTotal, minedTied: tied, defectTotal: defectTotal,
                              findingTotal: ids.reduce(0) { $0 + (findings[$1] ?? 0) },
                              reached: rows.filter(\.reached).map(\.subtype), neverReached: rows.filter { !$0.reached }.map(\.subtype),
                              missedUserReported: rows.filter { !$0.reached && $0.mined > 0 }.map(\.subtype),
                              fuzzerOnly: rows.filter { $0.reached && $0.mined == 0 }.map(\.subtype))
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A share as a percentage, "n/a" for none (right-aligned to `width` digits before the % sign).
    static func percent(_ share: Double?, width: Int = 0) -> String {
        guard let share else { return String(repeating: " ", count: max(0, width - 2)) + "n/a" }
        return String(format: "%\(width > 0 ? "\(width)" : "").1f%%", share * 100)
    }

    /// A fixed-width table with both distributions side by side.
    public func table() -> String {
        var out = ["mined: \(minedTotal) labelled issues" + (minedTied > 0 ? " (\(minedTied) tied, left out)" : "")
                   + "; fuzzed: \(defectTotal) unique defects, \(findingTotal) raw findings", "",
                   "sub  mined  share   defects  share   findings  reached  name"]
        for r in rows {
            out.append(r.subtype.padding(toLength: 4, withPad: " ", startingAt: 0)
                       + String(format: " %5d  ", r.mined) + Self.percent(r.minedShare, width: 5) + String(format: "  %7d  ", r.defects)
                       + Self.percent(r.defectShare, width: 5) + String(format: "  %8d  ", r.findings)
                       + (r.reached ? "yes    " : "no     ") + "  " + r.name)
        }
        out.append("")
        out.append("reached (\(reached.count)): " + (reached.isEmpty ? "none" : reached.joined(separator: " ")))
        out.append("never reached (\(neverReached.count)): " + (neverReached.isEmpty ? "none" : neverReached.joined(separator: " ")))
        out.append("reported by users, never reached by the fuzzer (\(missedUserReported.count)): "
                   + (missedUserReported.isEmpty ? "none" : missedUserReported.joined(separator: " ")))
        out.append("reached by the fuzzer only (\(fuzzerOnly.count)): " + (fuzzerOnly.isEmpty ? "none" : fuzzerOnly.joined(separator: " ")))
        return out.joined(separator: "\n")
    }

    public func markdown() -> String {
        var m = "# Mined vs fuzzed HP subtypes\n\n"
        m += "Mined: \(minedTotal) labelled issues" + (minedTied > 0 ? " (\(minedTied) tied, left out)" : "")
            + ". Fuzzed: \(defectTotal) unique defects, \(findingTotal) raw findings.\n\n"
        m += MarkdownReportRenderer.table(["subtype", "name", "mined", "mined share", "unique defects", "defect share", "raw findings", "reached"], rows.map {
            [$0.subtype, $0.name, String($0.mined), Self.percent($0.minedShare), String($0.defects),
             Self.percent($0.defectShare), String($0.findings), $0.reached ? "yes" : "no"]
        })
        m += "\n- reached: " + (reached.isEmpty ? "none" : reached.joined(separator: ", ")) + "\n"
        m += "- never reached: " + (neverReached.isEmpty ? "none" : neverReached.joined(separator: ", ")) + "\n"
        m += "- reported by users, never reached: " + (missedUserReported.isEmpty ? "none" : missedUserReported.joined(separator: ", ")) + "\n"
        m += "- reached by the fuzzer only: " + (fuzzerOnly.isEmpty ? "none" : fuzzerOnly.joined(separator: ", ")) + "\n"
        return m
    }
}
