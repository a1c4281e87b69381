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
    public var items: [Item]

    /// Every annotator with a label at this level, sorted by name.
    public var raters: [String] { Set(items.flatMap(\.labels.keys)).sorted() }

    /// Loads current labels at `level`. At the major level a subtype label counts as its major type where
    /// the annotator (or adjudicator) gave no major label of their own.
    public static func load(from store: DefectLabStore, level: LabelLevel, taxonomy: HPTaxonomy) throws -> StoredRatings {
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.id AS item_id, i.key, i.framework, n.name AS rater, a.level, a.label
                FROM current_annotation a JOIN item i ON i.id = a.item_id JOIN annotator n ON n.id = a.annotator_id
                ORDER BY i.id, n.name, a.level
                """).map { StoredRow(itemID: $0["item_id"], key: $0["key"], framework: $0["framework"],
                                     rater: $0["rater"], level: $0["level"], label: $0["label"]) }
        }
        let finals = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.id AS item_id, i.key, i.framework, j.level, j.label
                FROM current_adjudication j JOIN item i ON i.id = j.item_id ORDER BY i.id
                """).map { StoredRow(itemID: $0["item_id"], key: $0["key"], framework: $0["framework"],
                                     rater: nil, level: $0["level"], label: $0["label"]) }
        }
        var order: [Int64] = []
        var byID: [Int64: Item] = [:]
        // Own-level labels first, so a mapped subtype label never overrides a major label given directly.
        let ownLevel = level.rawValue
        for row in (rows + finals).sorted(by: { ($0.level == ownLevel ? 0 : 1) < ($1.level == ownLevel ? 0 : 1) }) {
            let label: String?
            if row.level == ownLevel {
                label = row.label
            } else if level == .major, row.level == LabelLevel.subtype.rawValue {
                label = taxonomy.major(ofSubtype: row.label)?.id
            } else {
                label = nil
            }
            guard let label else { continue }
            if byID[row.itemID] == nil {
                order.append(row.itemID)
                byID[row.itemID] = Item(id: row.itemID, key: row.key, framework: row.framework, labels: [:], final: nil)
            }
            if let rater = row.rater {
                if byID[row.itemID]!.labels[rater] == nil { byID[row.itemID]!.labels[rater] = label }
            } else if byID[row.itemID]!.final == nil {
                byID[row.itemID]!.final = label
            }
        }
        return StoredRatings(level: level, items: order.sorted().compactMap { byID[$0] })
    }

    struct StoredRow {
        var itemID: Int64
        var key: String
        var framework: String?
        var rater: String?
        var level: String
        var label: String
    }
}
