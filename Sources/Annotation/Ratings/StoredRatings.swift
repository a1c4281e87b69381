import Foundation
import GRDB
import Store
import Taxonomy

/// The current labels in the store, per item: what agreement, distributions and exports read.
public struct StoredRatings: Sendable, Equatable {
    /// One item's current raw labels and adjudicated label at one level.
    public struct Item: Sendable, Equatable {
        public var id: Int64
        public var key: String
        public var framework: String?
        /// Annotator name → label.
        public var labels: [String: String]
        public var final: String?
    }

    public var level: LabelLevel
    /// At the subtype level, per framework ("unknown" without one): annotators' labels that are a major type
    /// only (no subtype given, or a newer major label contradicts their subtype), so they have no label here.
    public var majorOnlyLabels: [String: Int] = [:]
    /// Current labels the taxonomy in use does not know (label → count), left out: labels imported or given
    /// under an edited taxonomy with subtypes this one lacks. Said by the commands, never dropped in silence.
    public var unknownLabels: [String: Int] = [:]
    /// What a wide export at this level takes from the other level, as `load` reads the voices: at the major
    /// level, annotators' labels and final labels that are a subtype (written as its major type); at the subtype
    /// level, those given as a major type only (not in it). Counted from the labels that stand, not from every
    /// stored row (a label an annotator's newer one replaced was counted).
    public var otherLevelLabels = 0
    public var otherLevelFinals = 0

    /// `unknownLabels` as a one-line note, or nil when there are none.
    public var unknownLabelsNote: String? {
        guard !unknownLabels.isEmpty else { return nil }
        let total = unknownLabels.values.reduce(0, +)
        let listed = unknownLabels.sorted { $0.key < $1.key }.prefix(8).map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        return "\(total) stored label(s) the taxonomy in use does not know (\(listed)) are left out; "
            + "use the --taxonomy-dir they were given under"
    }
    public var items: [Item]

    /// Every annotator with a label at this level, sorted by name.
    public var raters: [String] { Set(items.flatMap(\.labels.keys)).sorted() }

    /// An item's framework as `sample show` tells it: the item's own, else its crawled issue's repository's
    /// (an item drawn before `filter` recorded the repository's framework has none of its own).
    public static let itemFramework = "COALESCE(NULLIF(i.framework, ''), repo.framework)"
    /// The joins `itemFramework` reads, after `item i`.
    public static let itemFrameworkJoins = "LEFT JOIN issue iss ON iss.id = i.issue_id LEFT JOIN repository repo ON repo.id = iss.repository_id"

    /// Loads current labels at `level`: per annotator (and for the adjudicated label) the newest label that
    /// speaks to this level. At the major level a subtype label counts as its major type, and the newer of an
    /// annotator's own major label and their subtype label is current (a rater who refined C into B1 is at
    /// B). At the subtype level a subtype label is current unless a newer major label contradicts it (a rater
    /// who moved B1 back to a bare C no longer says B1; a newer B only confirms it). "Newer" is by the label's
    /// time, then by the order it was stored in.
    public static func load(from store: DefectLabStore, level: LabelLevel, taxonomy: HPTaxonomy) throws -> StoredRatings {
        // Read through a cursor, each item's key and framework and each name shared between its rows: all rows
        // fetched at once, each with its own copies, held about 1.25 KB per rating (1 GB at 800,000).
        let rows = try store.read { db in
            var strings: [String: String] = [:]
            func shared(_ text: String?) -> String? {
                guard let text else { return nil }
                if let known = strings[text] { return known }
                strings[text] = text
                return text
            }
            var out: [StoredRow] = []
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT a.id AS row_id, a.created_at, i.id AS item_id, i.key, \(Self.itemFramework) AS framework, n.name AS rater, a.level, a.label
                FROM current_annotation a JOIN item i ON i.id = a.item_id JOIN annotator n ON n.id = a.annotator_id
                \(Self.itemFrameworkJoins)
                ORDER BY i.id, n.name, a.level
                """)
            while let row = try cursor.next() {
                out.append(StoredRow(itemID: row["item_id"], key: shared(row["key"])!, framework: shared(row["framework"]),
                                     rater: shared(row["rater"]), level: shared(row["level"])!, label: shared(row["label"])!, rowID: row["row_id"],
                                     time: row["created_at"]))
            }
            return out
        }
        // Decisions `--auto majority` made, by row: one the raw labels no longer hold up is not a final label.
        let (finals, majorityRows) = try store.read { db -> ([StoredRow], Set<Int64>) in
            let found = try Row.fetchAll(db, sql: """
                SELECT j.id AS row_id, j.created_at, i.id AS item_id, i.key, \(Self.itemFramework) AS framework, j.level, j.label, j.method
                FROM current_adjudication j JOIN item i ON i.id = j.item_id
                \(Self.itemFrameworkJoins) ORDER BY i.id
                """)
            return (found.map { StoredRow(itemID: $0["item_id"], key: $0["key"], framework: $0["framework"],
                                          rater: nil, level: $0["level"], label: $0["label"], rowID: $0["row_id"],
                                          time: $0["created_at"]) },
                    Set(found.filter { $0["method"] as String? == "majority" }.map { $0["row_id"] as Int64 }))
        }
        // Per item and voice (an annotator, or nil for the adjudicated label): the current label at each level.
        struct Voice: Hashable { var item: Int64; var rater: String? }
        var major: [Voice: StoredRow] = [:], subtype: [Voice: StoredRow] = [:]
        var order: [Int64] = []
        var byID: [Int64: Item] = [:]
        var unknown: [String: Int] = [:]
        for row in rows + finals {
            let known = row.level == LabelLevel.major.rawValue ? taxonomy.major(row.label) != nil : taxonomy.subtype(row.label) != nil
            guard known else { unknown[row.label, default: 0] += 1; continue }
            let voice = Voice(item: row.itemID, rater: row.rater)
            if row.level == LabelLevel.major.rawValue { major[voice] = row } else { subtype[voice] = row }
            if byID[row.itemID] == nil {
                order.append(row.itemID)
                byID[row.itemID] = Item(id: row.itemID, key: row.key, framework: row.framework, labels: [:], final: nil)
            }
        }
        var majorOnly: [String: Int] = [:]
        var mechanical = Set<Int64>(), mechanicalSubtype = Set<Int64>()
        var otherLabels = 0, finalsFromOther = Set<Int64>(), finalsMissing = 0
        for voice in Set(major.keys).union(subtype.keys) {
            guard let row = current(at: level, major: major[voice], subtype: subtype[voice], taxonomy: taxonomy) else {
                if voice.rater != nil, level == .subtype { majorOnly[byID[voice.item]!.framework ?? "unknown", default: 0] += 1 }
                if voice.rater == nil, level == .subtype { finalsMissing += 1 }
                continue
            }
            if row.level != level.rawValue {
                if voice.rater != nil { otherLabels += 1 } else { finalsFromOther.insert(voice.item) }
            }
            let label = row.level == level.rawValue ? row.label : taxonomy.major(ofSubtype: row.label)!.id
            if let rater = voice.rater { byID[voice.item]!.labels[rater] = label } else { byID[voice.item]!.final = label }
            if voice.rater == nil, majorityRows.contains(row.rowID) {
                if row.level == level.rawValue { mechanical.insert(voice.item) } else { mechanicalSubtype.insert(voice.item) }
            }
        }
        // A mechanical majority decision an annotator's relabelling overturned settles nothing (as
        // `AdjudicationQueue` reads it): "final" is then unsettled until the next `--auto majority` or a person.
        for item in mechanical {
            guard let final = byID[item]?.final, let labels = byID[item]?.labels.values else { continue }
            if LabelTally.strictMajority(of: Array(labels)) != final { byID[item]!.final = nil }
        }
        // At the major level, a subtype majority decision stands for its major type only while it holds among
        // the subtype labels it was made from (it stayed "final" at the major level once overturned).
        if !mechanicalSubtype.isEmpty {
            let subtypes = try load(from: store, level: .subtype, taxonomy: taxonomy)
            let stillFinal = Set(subtypes.items.filter { $0.final != nil }.map(\.id))
            for item in mechanicalSubtype where !stillFinal.contains(item) { byID[item]?.final = nil }
        }
        var ratings = StoredRatings(level: level, majorOnlyLabels: majorOnly, unknownLabels: unknown,
                                    items: order.sorted().compactMap { byID[$0] }.filter { !$0.labels.isEmpty || $0.final != nil })
        ratings.otherLevelLabels = level == .subtype ? majorOnly.values.reduce(0, +) : otherLabels
        ratings.otherLevelFinals = level == .subtype ? finalsMissing : finalsFromOther.filter { byID[$0]?.final != nil }.count
        return ratings
    }

    /// Of one voice's current major and subtype rows, the one whose label is current at `level` (a subtype row
    /// at the major level stands for its major type; see `load`). Shared with the adjudication tallies, so both
    /// read an annotator the same way.
    static func current(at level: LabelLevel, major: StoredRow?, subtype: StoredRow?, taxonomy: HPTaxonomy) -> StoredRow? {
        let subtypeMajor = subtype.flatMap { taxonomy.major(ofSubtype: $0.label)?.id }
        switch level {
        case .major:
            guard let subtype, subtypeMajor != nil else { return major }
            guard let major else { return subtype }
            return subtype.isNewer(than: major) ? subtype : major
        case .subtype:
            if let major, let subtype, major.isNewer(than: subtype), major.label != subtypeMajor { return nil }
            return subtype
        }
    }

    struct StoredRow {
        var itemID: Int64
        var key: String
        var framework: String?
        var rater: String?
        var level: String
        var label: String
        var rowID: Int64
        var time: String

        /// Later in time (ISO 8601, parsed), or stored later at the same or an unreadable time. Only rows of one
        /// table are compared, so their ids are one sequence.
        func isNewer(than other: StoredRow) -> Bool {
            if let mine = Timestamp.instant(time), let theirs = Timestamp.instant(other.time), mine != theirs { return theirs < mine }
            return rowID > other.rowID
        }
    }
}
