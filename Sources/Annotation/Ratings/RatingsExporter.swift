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
    /// `level` selects the labels of a wide export (a wide table holds one label per rater and item); at the
    /// major level a subtype label counts as its major type, as agreement and statistics read it.
    /// `taxonomy` is needed for a wide export only.
    public static func export(from store: DefectLabStore, format: RatingsFileFormat, level: LabelLevel = .subtype,
                              taxonomy: HPTaxonomy?) throws -> String {
        if format == .wide {
            guard let taxonomy else { throw RatingsError(code: .unreadable, file: "taxonomy", message: "a wide export needs the taxonomy") }
            return wide(try StoredRatings.load(from: store, level: level, taxonomy: taxonomy))
        }
        // An annotator's note and unsure flag: the latest remark (what the labelling screen shows), else what the
        // label row itself recorded (an imported label).
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.id AS item_id, i.key, \(StoredRatings.itemFramework) AS framework, n.name AS rater, a.level, a.label, a.created_at, 0 AS is_final,
                       COALESCE((SELECT r.text FROM annotation_remark r WHERE r.item_id = a.item_id AND r.annotator_id = a.annotator_id
                                 AND r.kind = 'note' ORDER BY r.id DESC LIMIT 1), a.note) AS note,
                       COALESCE((SELECT r.kind = 'unsure' FROM annotation_remark r WHERE r.item_id = a.item_id AND r.annotator_id = a.annotator_id
                                 AND r.kind IN ('unsure', 'sure') ORDER BY r.id DESC LIMIT 1), a.unsure) AS unsure,
                       NULL AS adjudicator, NULL AS method, NULL AS rationale
                FROM current_annotation a JOIN item i ON i.id = a.item_id JOIN annotator n ON n.id = a.annotator_id
                \(StoredRatings.itemFrameworkJoins)
                UNION ALL
                SELECT i.id, i.key, \(StoredRatings.itemFramework), 'final', j.level, j.label, j.created_at, 1, NULL, 0, j.adjudicator, j.method, j.rationale
                FROM current_adjudication j JOIN item i ON i.id = j.item_id \(StoredRatings.itemFrameworkJoins)
                -- A later subtype decision settles the major type too (its own): a major decision before it is
                -- no final label any more (a majority's A stood in the export beside a person's later B1).
                WHERE NOT (j.level = 'major' AND EXISTS (SELECT 1 FROM current_adjudication s WHERE s.item_id = j.item_id AND s.level = 'subtype' AND s.id > j.id))
                ORDER BY key, item_id, is_final, rater, level DESC
                """).map { row in
                ExportRow(itemID: row["item_id"], item: row["key"], framework: row["framework"], rater: row["rater"],
                          level: row["level"], label: row["label"], time: row["created_at"], isFinal: row["is_final"],
                          note: row["note"], unsure: row["unsure"], adjudicator: row["adjudicator"], method: row["method"],
                          rationale: row["rationale"])
            }
        }
        return format == .jsonl ? try jsonl(rows) : long(rows)
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
        var note: String?
        var unsure: Bool
        var adjudicator: String?
        var method: String?
        var rationale: String?
    }

    static func long(_ rows: [ExportRow]) -> String {
        var out = RatingsCSVCodec.line(RatingsFile.longColumns) + "\n"
        for row in rows {
            out += RatingsCSVCodec.line([row.item, row.rater, row.label, row.level, row.time, row.framework ?? "",
                                         row.note ?? "", row.unsure ? "1" : "", row.adjudicator ?? "", row.method ?? "",
                                         row.rationale ?? ""]) + "\n"
        }
        return out
    }

    static func jsonl(_ rows: [ExportRow]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = ""
        for row in rows {
            let record = JSONLRecord(item: row.item, rater: row.rater, label: row.label, level: row.level,
                                     time: row.time, framework: row.framework, note: row.note, unsure: row.unsure ? true : nil,
                                     adjudicator: row.adjudicator, method: row.method, rationale: row.rationale)
            out += String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
        }
        return out
    }

    struct JSONLRecord: Encodable {
        var item, rater, label, level, time: String
        var framework: String?
        var note: String?
        var unsure: Bool?
        var adjudicator, method, rationale: String?

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(item, forKey: .item)
            try c.encode(rater, forKey: .rater)
            try c.encode(label, forKey: .label)
            try c.encode(level, forKey: .level)
            try c.encode(time, forKey: .time)
            try c.encode(framework, forKey: .framework)
            try c.encodeIfPresent(note, forKey: .note)
            try c.encodeIfPresent(unsure, forKey: .unsure)
            try c.encodeIfPresent(adjudicator, forKey: .adjudicator)
            try c.encodeIfPresent(method, forKey: .method)
            try c.encodeIfPresent(rationale, forKey: .rationale)
        }

        enum CodingKeys: String, CodingKey { case item, rater, label, level, time, framework, note, unsure, adjudicator, method, rationale }
    }

    /// What a wide export has no column for: annotators' standing notes and unsure flags, and final labels whose
    /// adjudicator, method or rationale is more than an import's own.
    /// `written`: the items whose final label the export writes (a decision the raw labels overturned is not
    /// written, so its provenance is not lost either).
    public static func wideProvenanceOmissions(from store: DefectLabStore, level: LabelLevel, written: Set<Int64>) throws -> (remarks: Int, settled: Int) {
        try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT item_id || ':' || annotator_id || ':' || kind) FROM annotation_remark WHERE kind IN ('note', 'unsure')") ?? 0,
             // At the major level a subtype decision's final label is written too (as its major type), and
             // its provenance lost alike: both levels count, once per item.
             Set(try Int64.fetchAll(db, sql: """
                SELECT DISTINCT item_id FROM current_adjudication WHERE level IN (?, ?) AND (method <> 'import' OR adjudicator <> 'import'
                    OR (rationale IS NOT NULL AND rationale NOT LIKE 'imported from %'))
                """, arguments: [level.rawValue, level == .major ? LabelLevel.subtype.rawValue : level.rawValue]))
                .filter(written.contains).count)
        }
    }

    /// A wide table of current labels at one level (what `export` writes for `.wide`).
    public static func wide(_ ratings: StoredRatings) -> String {
        let raters = ratings.raters
        let hasFinal = ratings.items.contains { $0.final != nil }
        var header = ["item", "framework"] + raters
        if hasFinal { header.append("final") }
        var out = RatingsCSVCodec.line(header) + "\n"
        // By item key, as the long export: the same ratings export alike whatever order they were stored in.
        for item in ratings.items.sorted(by: { $0.key < $1.key }) {
            var fields = [item.key, item.framework ?? ""] + raters.map { item.labels[$0] ?? "" }
            if hasFinal { fields.append(item.final ?? "") }
            out += RatingsCSVCodec.line(fields) + "\n"
        }
        return out
    }
}
