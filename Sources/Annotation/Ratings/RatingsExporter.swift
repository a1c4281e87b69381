import Foundation
import GRDB
import Store
import Taxonomy

/// Writes the store's current labels back out, with who gave each and when, in any import format.
///
/// An export imported into an empty store and exported again gives the same bytes: rows are ordered by
/// item (in the order items were created), then rater name, then level; adjudicated labels follow an
/// item's raw labels as rater `final`. Times are the stored ones, verbatim.
public enum RatingsExporter {
    /// `level` selects the labels of a wide export (a wide table holds one label per rater and item).
    public static func export(from store: DefectLabStore, format: RatingsFileFormat, level: LabelLevel = .subtype) throws -> String {
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.id AS item_id, i.key, i.framework, n.name AS rater, a.level, a.label, a.created_at, 0 AS is_final
                FROM current_annotation a JOIN item i ON i.id = a.item_id JOIN annotator n ON n.id = a.annotator_id
                UNION ALL
                SELECT i.id, i.key, i.framework, 'final', j.level, j.label, j.created_at, 1
                FROM current_adjudication j JOIN item i ON i.id = j.item_id
                ORDER BY item_id, is_final, rater, level DESC
                """).map { row in
                ExportRow(itemID: row["item_id"], item: row["key"], framework: row["framework"], rater: row["rater"],
                          level: row["level"], label: row["label"], time: row["created_at"], isFinal: row["is_final"])
            }
        }
        switch format {
        case .long: return long(rows)
        case .jsonl: return try jsonl(rows)
        case .wide: return wide(rows.filter { $0.level == level.rawValue })
        }
    }

    struct ExportRow {
        var itemID: Int64
        var item: String
        var framework: String?
        var rater: String
        var level: String
        var label: String
        var time: String
        var isFinal: Bool
    }

    static func long(_ rows: [ExportRow]) -> String {
        var out = RatingsCSVCodec.line(["item", "rater", "label", "level", "time", "framework"]) + "\n"
        for row in rows {
            out += RatingsCSVCodec.line([row.item, row.rater, row.label, row.level, row.time, row.framework ?? ""]) + "\n"
        }
        return out
    }

    static func jsonl(_ rows: [ExportRow]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = ""
        for row in rows {
            let record = JSONLRecord(item: row.item, rater: row.rater, label: row.label, level: row.level,
                                     time: row.time, framework: row.framework)
            out += String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
        }
        return out
    }

    struct JSONLRecord: Encodable {
        var item, rater, label, level, time: String
        var framework: String?

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(item, forKey: .item)
            try c.encode(rater, forKey: .rater)
            try c.encode(label, forKey: .label)
            try c.encode(level, forKey: .level)
            try c.encode(time, forKey: .time)
            try c.encode(framework, forKey: .framework)
        }

        enum CodingKeys: String, CodingKey { case item, rater, label, level, time, framework }
    }

    static func wide(_ rows: [ExportRow]) -> String {
        let raters = Set(rows.filter { !$0.isFinal }.map(\.rater)).sorted()
        let hasFinal = rows.contains(where: \.isFinal)
        var header = ["item", "framework"] + raters
        if hasFinal { header.append("final") }
        var out = RatingsCSVCodec.line(header) + "\n"
        var index = 0
        while index < rows.count {
            let itemID = rows[index].itemID
            var labels: [String: String] = [:]
            var final = ""
            let first = rows[index]
            while index < rows.count && rows[index].itemID == itemID {
                if rows[index].isFinal { final = rows[index].label } else { labels[rows[index].rater] = rows[index].label }
                index += 1
            }
            var fields = [first.item, first.framework ?? ""] + raters.map { labels[$0] ?? "" }
            if hasFinal { fields.append(final) }
            out += RatingsCSVCodec.line(fields) + "\n"
        }
        return out
    }
}
