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
        /// Of those added, ratings that replaced another label the same annotator had standing on the item
        /// (counted as added alone, an item's agreement changed unsaid).
        public var ratingsReplaced = 0
        /// Ratings (or final labels) dated before the label standing for them now: an older file imported after
        /// a newer one, or after the annotator relabelled in the terminal. They are left out, not made current.
        public var ratingsOlder = 0
        public var adjudicationsAdded = 0
        /// Items that had no framework and got the one the file names.
        public var frameworksFilledIn = 0
        /// URL items stored with another framework than their repository's, set to the repository's.
        public var frameworksCorrected = 0
        /// Items whose framework the file (or `--framework`) contradicts: the repository's, or the one the item
        /// has, is kept. The first such item and the two names, for the note.
        public var frameworkConflicts: Int { conflictedItems.count }
        public var firstFrameworkConflict: String?
        var conflictedItems: Set<String> = []

        public var line: String {
            "imported \(files) file(s): \(ratingsAdded) rating(s) added"
                + (ratingsReplaced > 0 ? " (\(ratingsReplaced) replacing the annotator's earlier label)" : "")
                + ", \(ratingsUnchanged) unchanged, "
                + (ratingsOlder > 0 ? "\(ratingsOlder) older than the label standing (left out), " : "")
                + "\(adjudicationsAdded) adjudication(s); \(itemsCreated) new item(s) (\(itemsLinkedToIssues) linked to crawled issues), "
                + "\(annotatorsCreated) new annotator(s)"
                + (frameworksFilledIn > 0 ? "; framework filled in for \(frameworksFilledIn) item(s)" : "")
                + (frameworksCorrected > 0 ? "; \(frameworksCorrected) item(s) set to their repository's framework" : "")
        }

        /// What the file said about frameworks that the store did not take, or nil.
        public var frameworkNote: String? {
            guard frameworkConflicts > 0, let first = firstFrameworkConflict else { return nil }
            return "note: \(frameworkConflicts) item(s) given a framework other than the one their repository or the store gives, "
                + "which is kept (first: \(first))"
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
        // What needs no database is worked out before taking the write lock, which other writers (labelling
        // screens, crawls, campaigns) wait on meanwhile: each rating's item reference and the time it gives.
        let references = files.map { $0.ratings.map { RatedItemReference($0.item) } }
        let givenDates = files.map { $0.ratings.map { $0.time.flatMap(Timestamp.instant) } }
        return try store.write { db in
            // Taken once the write lock is held: a time taken before waiting for another writer would date these
            // ratings before a label given meanwhile, and the older one would become current.
            let now = Timestamp.now()
            var summary = Summary()
            summary.files = files.count
            var itemIDs: [String: Int64] = [:]
            var itemFrameworks: [String: String?] = [:]
            var annotatorIDs: [String: Int64] = [:]
            for (f, file) in files.enumerated() {
                for (r, rating) in file.ratings.enumerated() {
                    let reference = references[f][r], given = givenDates[f][r]
                    let itemID: Int64
                    if let known = itemIDs[reference.identity] {
                        itemID = known
                        // A later row of the same item (in this file or another of this import): it fills the
                        // framework the item still lacks, or contradicts the one it got.
                        if let given = rating.framework {
                            itemFrameworks[reference.identity] = try Self.reconcile(reference, id: known, stored: itemFrameworks[reference.identity] ?? nil,
                                                                                    fill: given, claim: given, db: db, summary: &summary)
                        }
                    } else {
                        let found = try Self.item(for: reference, fileFramework: rating.framework, fallback: fallbackFramework,
                                                  now: now, db: db, summary: &summary)
                        itemID = found.id
                        itemIDs[reference.identity] = found.id
                        itemFrameworks[reference.identity] = found.framework
                    }
                    let time = rating.time ?? now
                    if rating.isFinal {
                        let current = try Row.fetchOne(db.cachedStatement(sql: """
                            SELECT label, created_at FROM current_adjudication WHERE item_id = ? AND level = ?
                            """), arguments: [itemID, rating.level.rawValue])
                        if current?["label"] as String? == rating.label { summary.ratingsUnchanged += 1; continue }
                        if Self.isOlder(given, than: current?["created_at"]) { summary.ratingsOlder += 1; continue }
                        // Who settled it, how and why, as the file says (an export carries them), else the import.
                        let provenance = rating.provenance
                        // A file that says who settled it (an export) gives the rationale too, an empty one included;
                        // only a bare final column gets the import's own.
                        let given = provenance.adjudicator != nil || provenance.method != nil
                        try db.cachedStatement(sql: """
                            INSERT INTO adjudication (item_id, level, label, adjudicator, method, rationale, created_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """).execute(arguments: [itemID, rating.level.rawValue, rating.label, provenance.adjudicator ?? "import",
                                             provenance.method ?? "import",
                                             provenance.rationale ?? (given ? nil : "imported from \((file.path as NSString).lastPathComponent) line \(rating.line)"),
                                             time])
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
                    // The latest row of any action: a label undone since (a retract) is newer than an older rating too.
                    let latest = try Row.fetchOne(db.cachedStatement(sql: """
                        SELECT action, label, created_at FROM annotation WHERE item_id = ? AND annotator_id = ? AND level = ?
                        ORDER BY id DESC LIMIT 1
                        """), arguments: [itemID, annotatorID, rating.level.rawValue])
                    if latest?["action"] as String? == "label", latest?["label"] as String? == rating.label {
                        // The label stands; a note or unsure flag the file gives still counts (a file that only mends a note).
                        try Self.remark(rating.provenance, item: itemID, annotator: annotatorID, time: time, db: db)
                        summary.ratingsUnchanged += 1
                        continue
                    }
                    if Self.isOlder(given, than: latest?["created_at"]) { summary.ratingsOlder += 1; continue }
                    let provenance = rating.provenance
                    try db.cachedStatement(sql: """
                        INSERT INTO annotation (item_id, annotator_id, level, action, label, unsure, note, source, created_at)
                        VALUES (?, ?, ?, 'label', ?, ?, ?, 'import', ?)
                        """).execute(arguments: [itemID, annotatorID, rating.level.rawValue, rating.label, provenance.unsure ?? false,
                                                 provenance.note, time])
                    try Self.remark(provenance, item: itemID, annotator: annotatorID, time: time, db: db)
                    summary.ratingsAdded += 1
                    if latest?["action"] as String? == "label" { summary.ratingsReplaced += 1 }
                }
            }
            return summary
        }
    }

    /// A note or unsure flag the file gives that differs from the annotator's standing one becomes a remark, as
    /// if typed on the labelling screen (which shows remarks), whether or not the label itself changed; one already
    /// standing is not written twice (an export gives it on each of the annotator's rows for the item). A final
    /// label's adjudicator, method and rationale are written with a new final label only.
    static func remark(_ given: ImportedRating.Provenance, item: Int64, annotator: Int64, time: String, db: Database) throws {
        func latest(_ kinds: [String]) throws -> Row? {
            try Row.fetchOne(db, sql: """
                SELECT kind, text, created_at FROM annotation_remark WHERE item_id = ? AND annotator_id = ? AND kind IN (\(kinds.map { _ in "?" }.joined(separator: ", ")))
                ORDER BY id DESC LIMIT 1
                """, arguments: StatementArguments([item, annotator]) + StatementArguments(kinds))
        }
        let insert = "INSERT INTO annotation_remark (item_id, annotator_id, kind, text, created_at) VALUES (?, ?, ?, ?, ?)"
        // A remark dated before the one standing (an older export imported again) does not replace it.
        if let note = given.note {
            let standing = try latest(["note"])
            if standing?["text"] as String? != note, !isOlder(time, than: standing?["created_at"]) {
                try db.execute(sql: insert, arguments: [item, annotator, "note", note, time])
            }
        }
        if let unsure = given.unsure {
            let row = try latest(["unsure", "sure"])
            if unsure != (row?["kind"] as String? == "unsure"), !isOlder(time, than: row?["created_at"]) {
                try db.execute(sql: insert, arguments: [item, annotator, unsure ? "unsure" : "sure", nil, time])
            }
        }
    }

    /// Whether a rating's own time is before that of the label standing now. The current label is the latest
    /// row, so inserting an older rating would make it current over a newer one; times are compared as instants
    /// (a file may write them with an offset). A rating without a time is taken as given now.
    static func isOlder(_ time: String, than standing: String?) -> Bool { isOlder(Timestamp.instant(time), than: standing) }

    static func isOlder(_ given: Timestamp.Instant?, than standing: String?) -> Bool {
        guard let given, let standing, let current = Timestamp.instant(standing) else { return false }
        return given < current
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

    static func conflict(_ reference: RatedItemReference, given: String, kept: String, summary: inout Summary) {
        summary.conflictedItems.insert(reference.identity)
        if summary.firstFrameworkConflict == nil { summary.firstFrameworkConflict = "\(reference.key): \(given) given, \(kept) kept" }
    }

    /// The framework an item already in the store ends with: its own; when it has none, the one the file or
    /// `--framework` names (`fill`); a different one that the file names, or `--framework` for a bare id
    /// (`claim`), is a conflict, and the item's own is kept.
    static func reconcile(_ reference: RatedItemReference, id: Int64, stored: String?, fill: String?, claim: String?, db: Database,
                          summary: inout Summary) throws -> String? {
        guard let stored else {
            guard let fill else { return nil }
            try db.execute(sql: "UPDATE item SET framework = ? WHERE id = ?", arguments: [fill, id])
            summary.frameworksFilledIn += 1
            return fill
        }
        if let claim, claim != stored { conflict(reference, given: claim, kept: stored, summary: &summary) }
        return stored
    }

    /// The item for a reference: existing by key (a tracker URL's without case), else the item already made for
    /// the crawled issue it names (a sample keys it by the URL as crawled, which may be written otherwise), else
    /// new, linked to a crawled issue when one matches. A URL's framework is its repository's (the crawled one's,
    /// else the one its name tells); the file's or `--framework` counts only where that tells none.
    static func item(for reference: RatedItemReference, fileFramework: String?, fallback: String?, now: String,
                     db: Database, summary: inout Summary) throws -> (id: Int64, framework: String?) {
        // `--framework` is for items whose URL does not tell theirs: it fills a gap, and contradicts only a bare id's.
        let fill = fileFramework ?? fallback
        let claim = fileFramework ?? (reference.tracker == nil ? fallback : nil)
        let byKey: Row? = reference.tracker == nil
            ? try Row.fetchOne(db.cachedStatement(sql: "SELECT id, key, framework FROM item WHERE key = ?"), arguments: [reference.key])
            : try Row.fetchAll(db.cachedStatement(sql: "SELECT id, key, framework FROM item WHERE lower(key) = lower(?) ORDER BY key <> ?, id"),
                               arguments: [reference.key, reference.key])
                .first { RatedItemReference.identity(of: $0["key"]) == reference.identity }
        if let byKey {
            let id: Int64 = byKey["id"]
            var stored: String? = byKey["framework"]
            // A URL whose repository tells its framework has that one, whatever an earlier import stored (a build
            // that let the file's column win stored pytorch/pytorch issues as tensorflow).
            if let told = reference.frameworkFromURL, let wrong = stored, wrong != told {
                try db.execute(sql: "UPDATE item SET framework = ? WHERE id = ?", arguments: [told, id])
                summary.frameworksCorrected += 1
                stored = told
            }
            return (id, try reconcile(reference, id: id, stored: stored, fill: fill, claim: claim, db: db, summary: &summary))
        }
        var issueID: Int64?
        var issueFramework: String?
        var title: String?
        // The crawled issue by its URL, or by its repository and number: two indexed lookups (one query with
        // an OR of the two scanned the whole issue table for every new item, inside the import's transaction,
        // which then held the write lock for a minute on a crawled store and locked every other writer out).
        let issue = """
            SELECT i.id, i.title, r.framework, (SELECT it.id FROM item it WHERE it.issue_id = i.id ORDER BY it.id LIMIT 1) AS item_id
            FROM issue i JOIN repository r ON r.id = i.repository_id
            """
        var candidates = try Row.fetchAll(db.cachedStatement(sql: issue + " WHERE i.url = ? ORDER BY i.id LIMIT 1"), arguments: [reference.key])
        if let tracker = reference.tracker, let number = reference.number {
            let repositories = try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT r.id FROM repository r JOIN tracker t ON t.id = r.tracker_id
                WHERE t.kind = ? AND lower(r.owner) = lower(?) AND lower(r.name) = lower(?)
                """), arguments: [tracker, reference.owner, reference.repository])
            for repository in repositories {
                candidates += try Row.fetchAll(db.cachedStatement(sql: issue + " WHERE i.repository_id = ? AND i.number = ?"), arguments: [repository, number])
            }
        }
        let match = candidates.min { ($0["id"] as Int64) < ($1["id"] as Int64) }
        if let match {
            if let existing: Int64 = match["item_id"] {
                let stored = try String?.fetchOne(db, sql: "SELECT framework FROM item WHERE id = ?", arguments: [existing]) ?? nil
                return (existing, try reconcile(reference, id: existing, stored: stored, fill: fill, claim: claim, db: db, summary: &summary))
            }
            issueID = match["id"]
            issueFramework = match["framework"]
            title = match["title"]
        }
        let repositoryFramework = issueFramework ?? reference.frameworkFromURL
        let framework = repositoryFramework ?? fill
        if let fileFramework, let repositoryFramework, fileFramework != repositoryFramework {
            conflict(reference, given: fileFramework, kept: repositoryFramework, summary: &summary)
        }
        try db.cachedStatement(sql: "INSERT INTO item (key, issue_id, framework, title, created_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [reference.key, issueID, framework, title, now])
        summary.itemsCreated += 1
        if issueID != nil { summary.itemsLinkedToIssues += 1 }
        return (db.lastInsertedRowID, framework)
    }
}
