import Foundation
import GRDB
import Store
import Taxonomy

/// Writes validated ratings files into the store, all of them in one transaction.
///
/// Raw labels become `annotation` rows with source `import` (annotators created as needed); adjudicated
/// columns become `adjudication` rows with method `import`. Items link to crawled issues when the URL
/// matches one, and are created as bare items otherwise. Importing the same file again adds nothing: a
/// rating whose current label is already the same is left alone, so history stays meaningful.
public struct RatingsImporter: Sendable {
    public struct Summary: Sendable, Equatable, Codable {
        public var files = 0
        public var itemsCreated = 0
        public var itemsLinkedToIssues = 0
        public var annotatorsCreated = 0
        public var ratingsAdded = 0
        public var ratingsUnchanged = 0
        public var adjudicationsAdded = 0

        public var line: String {
            "imported \(files) file(s): \(ratingsAdded) rating(s) added, \(ratingsUnchanged) unchanged, "
                + "\(adjudicationsAdded) adjudication(s); \(itemsCreated) new item(s) (\(itemsLinkedToIssues) linked to crawled issues), "
                + "\(annotatorsCreated) new annotator(s)"
        }
    }

    public let store: DefectLabStore
    /// Framework for items whose URL does not tell it (bare identifiers).
    public let framework: String?

    public init(store: DefectLabStore, framework: String?) {
        self.store = store
        self.framework = framework?.lowercased()
    }

    /// Imports parsed files; a failure rolls every file back.
    public func importFiles(_ files: [RatingsFile]) throws -> Summary {
        try Self.checkAcrossFiles(files)
        let fallbackFramework = framework
        let now = RatingsTime.now()
        return try store.write { db in
            var summary = Summary()
            summary.files = files.count
            var itemIDs: [String: Int64] = [:]
            var annotatorIDs: [String: Int64] = [:]
            for file in files {
                for rating in file.ratings {
                    let reference = RatedItemReference(rating.item)
                    let itemID: Int64
                    if let known = itemIDs[reference.key] {
                        itemID = known
                    } else {
                        itemID = try Self.item(for: reference, fileFramework: rating.framework, fallback: fallbackFramework,
                                               now: now, db: db, summary: &summary)
                        itemIDs[reference.key] = itemID
                    }
                    let time = rating.time ?? now
                    if rating.isFinal {
                        let current = try Row.fetchOne(db, sql: """
                            SELECT label FROM current_adjudication WHERE item_id = ? AND level = ?
                            """, arguments: [itemID, rating.level.rawValue])
                        if current?["label"] as String? == rating.label { summary.ratingsUnchanged += 1; continue }
                        try db.execute(sql: """
                            INSERT INTO adjudication (item_id, level, label, adjudicator, method, rationale, created_at)
                            VALUES (?, ?, ?, 'import', 'import', ?, ?)
                            """, arguments: [itemID, rating.level.rawValue, rating.label,
                                             "imported from \((file.path as NSString).lastPathComponent) line \(rating.line)", time])
                        summary.adjudicationsAdded += 1
                        continue
                    }
                    let annotatorID: Int64
                    if let known = annotatorIDs[rating.rater] {
                        annotatorID = known
                    } else if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM annotator WHERE name = ?", arguments: [rating.rater]) {
                        annotatorID = existing
                        annotatorIDs[rating.rater] = existing
                    } else {
                        try db.execute(sql: "INSERT INTO annotator (name, created_at) VALUES (?, ?)", arguments: [rating.rater, now])
                        annotatorID = db.lastInsertedRowID
                        annotatorIDs[rating.rater] = annotatorID
                        summary.annotatorsCreated += 1
                    }
                    let current = try String.fetchOne(db, sql: """
                        SELECT label FROM current_annotation WHERE item_id = ? AND annotator_id = ? AND level = ?
                        """, arguments: [itemID, annotatorID, rating.level.rawValue])
                    if current == rating.label { summary.ratingsUnchanged += 1; continue }
                    try db.execute(sql: """
                        INSERT INTO annotation (item_id, annotator_id, level, action, label, source, created_at)
                        VALUES (?, ?, ?, 'label', ?, 'import', ?)
                        """, arguments: [itemID, annotatorID, rating.level.rawValue, rating.label, time])
                    summary.ratingsAdded += 1
                }
            }
            return summary
        }
    }

    /// Each file checks its own duplicates; two files giving the same item (by its key in the store), rater
    /// and level would have the second silently replace the first.
    static func checkAcrossFiles(_ files: [RatingsFile]) throws {
        guard files.count > 1 else { return }
        var first: [String: (path: String, line: Int)] = [:]
        for file in files {
            for r in file.ratings {
                let key = r.storeKey
                if let earlier = first[key], earlier.path != file.path {
                    throw RatingsError(code: .duplicate, file: file.path, line: r.line,
                                       message: "a second \(r.level.rawValue) rating of '\(r.item)' by '\(r.rater)' (first in \(earlier.path) line \(earlier.line))")
                }
                first[key] = first[key] ?? (file.path, r.line)
            }
        }
    }

    /// The item for a reference: existing by key, else new, linked to a crawled issue when one matches.
    static func item(for reference: RatedItemReference, fileFramework: String?, fallback: String?, now: String,
                     db: Database, summary: inout Summary) throws -> Int64 {
        if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM item WHERE key = ?", arguments: [reference.key]) {
            return existing
        }
        var issueID: Int64?
        var issueFramework: String?
        var title: String?
        let match = try Row.fetchOne(db, sql: """
            SELECT i.id, i.title, r.framework FROM issue i
            JOIN repository r ON r.id = i.repository_id
            JOIN tracker t ON t.id = r.tracker_id
            WHERE i.url = ?
               OR (t.kind = ? AND lower(r.owner) = lower(?) AND lower(r.name) = lower(?) AND i.number = ?)
            ORDER BY i.id LIMIT 1
            """, arguments: [reference.key, reference.tracker, reference.owner, reference.repository, reference.number])
        if let match {
            issueID = match["id"]
            issueFramework = match["framework"]
            title = match["title"]
        }
        let framework = fileFramework ?? issueFramework ?? reference.frameworkFromURL ?? fallback
        try db.execute(sql: "INSERT INTO item (key, issue_id, framework, title, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [reference.key, issueID, framework, title, now])
        summary.itemsCreated += 1
        if issueID != nil { summary.itemsLinkedToIssues += 1 }
        return db.lastInsertedRowID
    }
}
