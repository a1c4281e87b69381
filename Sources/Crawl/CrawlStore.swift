import Foundation
import GRDB
import Store

/// Where one crawl series stands (a row of `crawl_state`).
struct SeriesState: Sendable {
    var nextURL: String?
    var pagesDone: Int
    var highWaterMark: String?
    var status: String
    var firstURL: String?
    /// Runs of one time this pass paged by number (see `Crawler.verifyPagedRuns`), kept across runs of the crawl.
    var pagedRuns: [String] = []
}

/// One page's worth of writes, committed in a single transaction with the series' new position.
struct PageCommit: Sendable {
    var series: String
    var pageURL: String
    var etag: String?
    var nextURL: String?
    var lastPage: Int?
    var issues: [ParsedIssue]
    /// ETags of comment URLs fetched for this page's issues.
    var commentETags: [(url: String, etag: String, next: String?)]
    var deletedNumbers: [String]
    /// Every run of one time the pass has paged by number so far, when this page added one.
    var pagedRuns: [String]? = nil
}

/// The crawler's reads and writes. Every page is one transaction: issues, labels, comments, ETags and the
/// series' next URL and high-water mark together, so a kill at any moment loses at most the page in flight.
///
/// Writing is tuned for pages of 100 issues: statements are prepared once and cached (`cachedStatement`), ids
/// come back with `RETURNING` instead of a second query, label rows are written only when they change
/// (`LabelRowCache`), and the connection commits with `synchronous = NORMAL`.
struct CrawlStore: Sendable {
    let store: DefectLabStore
    let repositoryID: Int64
    let labels = LabelRowCache()

    static func open(_ store: DefectLabStore, kind: TrackerKind, apiURL: String, owner: String, name: String, framework: String? = nil) throws -> CrawlStore {
        let id = try store.write { db -> Int64 in
            try db.execute(sql: "INSERT OR IGNORE INTO tracker (kind, api_url) VALUES (?, ?)", arguments: [kind.rawValue, apiURL])
            let trackerID = try Int64.fetchOne(db, sql: "SELECT id FROM tracker WHERE kind = ? AND api_url = ?", arguments: [kind.rawValue, apiURL])!
            // Owner and repository are read without case by both trackers: `PyTorch/PyTorch` is the repository
            // already stored as `pytorch/pytorch`, not a second copy of every issue.
            // The spelling given first, where an older store holds two (its progress is kept under that row).
            let lookup = """
                SELECT id FROM repository WHERE tracker_id = ? AND lower(owner) = lower(?) AND lower(name) = lower(?)
                ORDER BY (owner = ? AND name = ?) DESC, id LIMIT 1
                """
            let arguments: StatementArguments = [trackerID, owner, name, owner, name]
            if try Int64.fetchOne(db, sql: lookup, arguments: arguments) == nil {
                try db.execute(sql: "INSERT INTO repository (tracker_id, owner, name) VALUES (?, ?, ?)", arguments: [trackerID, owner, name])
            }
            let id = try Int64.fetchOne(db, sql: lookup, arguments: arguments)!
            if let framework { try db.execute(sql: "UPDATE repository SET framework = ? WHERE id = ?", arguments: [framework, id]) }
            return id
        }
        // In WAL mode, NORMAL still makes every committed page survive the process being killed (what resuming
        // needs); only a power cut can lose the last pages, which the next run then fetches again. FULL would
        // wait for the disk on every page.
        // A bigger page cache keeps the issue table's four indexes in memory across pages, and checkpointing
        // every ~40 MB instead of every 4 MB writes the pages that every commit touches (index roots, the
        // crawl state) to the database file once per checkpoint rather than ten times. This connection only.
        try store.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -32768")
            _ = try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint = 10000")
        }
        return CrawlStore(store: store, repositoryID: id)
    }

    /// Stored issues the tracker says have comments, none of which are stored (a pass made without --comments).
    func issuesMissingComments() throws -> Int {
        try store.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM issue i WHERE i.repository_id = ? AND i.deleted = 0 AND i.comment_count > 0
                  AND NOT EXISTS (SELECT 1 FROM issue_comment c WHERE c.issue_id = i.id)
                """, arguments: [repositoryID]) ?? 0
        }
    }

    func state(series: String) throws -> SeriesState? {
        let repo = repositoryID
        return try store.read { db in
            try Row.fetchOne(db, sql: "SELECT next_url, pages_done, high_water_mark, status, first_url, paged_runs FROM crawl_state WHERE repository_id = ? AND series = ?",
                             arguments: [repo, series]).map {
                SeriesState(nextURL: $0["next_url"], pagesDone: $0["pages_done"], highWaterMark: $0["high_water_mark"], status: $0["status"],
                            firstURL: $0["first_url"],
                            pagedRuns: (($0["paged_runs"] as String?) ?? "").split(separator: "\n").map(String.init))
            }
        }
    }

    /// Starts a new pass of a series at `firstURL`, keeping its high-water mark.
    func startPass(series: String, firstURL: String) throws {
        let repo = repositoryID
        let now = TrackerTime.format(Int64(Date().timeIntervalSince1970))
        try store.write { db in
            try db.execute(sql: """
                INSERT INTO crawl_state (repository_id, series, next_url, first_url, pages_done, status, started_at, updated_at)
                VALUES (?, ?, ?, ?, 0, 'running', ?, ?)
                ON CONFLICT (repository_id, series) DO UPDATE SET next_url = excluded.next_url, first_url = excluded.first_url, pages_done = 0,
                    status = 'running', started_at = excluded.started_at, updated_at = excluded.updated_at, paged_runs = NULL
                """, arguments: [repo, series, firstURL, firstURL, now, now])
        }
    }

    func finish(series: String, status: String) throws {
        let repo = repositoryID
        let now = TrackerTime.format(Int64(Date().timeIntervalSince1970))
        try store.write { db in
            try db.execute(sql: """
                UPDATE crawl_state SET status = ?, next_url = CASE WHEN ? = 'done' THEN NULL ELSE next_url END,
                    paged_runs = CASE WHEN ? = 'done' THEN NULL ELSE paged_runs END, updated_at = ? WHERE repository_id = ? AND series = ?
                """, arguments: [status, status, status, now, repo, series])
        }
    }

    func etag(url: String) throws -> (etag: String, next: String?, lastPage: Int?)? {
        let repo = repositoryID
        return try store.read { db in
            try Row.fetchOne(db, sql: "SELECT etag, next_url, last_page FROM page_etag WHERE repository_id = ? AND url = ?", arguments: [repo, url])
                .map { ($0["etag"], $0["next_url"], $0["last_page"]) }
        }
    }

    /// What is stored for these issues: their `updated_at` and how many comments are kept, by remote id.
    func stored(remoteIDs: [Int64]) throws -> [Int64: (updatedAt: String?, comments: Int)] {
        let repo = repositoryID
        return try store.read { db in
            var out: [Int64: (String?, Int)] = [:]
            let stmt = try db.cachedStatement(sql: """
                SELECT updated_at, (SELECT COUNT(*) FROM issue_comment c WHERE c.issue_id = issue.id)
                FROM issue WHERE repository_id = ? AND remote_id = ?
                """)
            for id in remoteIDs {
                if let row = try Row.fetchOne(stmt, arguments: [repo, id]) { out[id] = (row[0], row[1]) }
            }
            return out
        }
    }

    func upsertLabels(_ list: [ParsedIssue.Label], url: String, etag: String?, next: String?) throws {
        let repo = repositoryID
        let cache = labels
        let written = try store.write { db -> [Int64: LabelRowCache.Row] in
            var written: [Int64: LabelRowCache.Row] = [:]
            for l in list { _ = try Self.labelRowID(db, repo: repo, l, cache: cache, written: &written) }
            if let etag { try Self.saveETag(db, repo: repo, url: url, etag: etag, next: next, lastPage: nil) }
            return written
        }
        cache.commit(written)
    }

    /// The names of the repository's labels as stored (lower-cased).
    func labelNames() throws -> Set<String> {
        let repo = repositoryID
        return try store.read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM label WHERE repository_id = ?", arguments: [repo]).map { $0.lowercased() })
        }
    }

    func markDeleted(number: String) throws {
        let repo = repositoryID
        try store.write { db in
            try db.execute(sql: "UPDATE issue SET deleted = 1 WHERE repository_id = ? AND number = ?", arguments: [repo, number])
        }
    }

    func commit(_ page: PageCommit) throws {
        let repo = repositoryID
        let now = TrackerTime.format(Int64(Date().timeIntervalSince1970))
        let cache = labels
        let written = try store.write { db -> [Int64: LabelRowCache.Row] in
            var written: [Int64: LabelRowCache.Row] = [:]
            var mark: String?
            let present = try Self.presentRemoteIDs(db, repo: repo, page.issues.map(\.remoteID))
            for issue in page.issues where !issue.isPullRequest {
                try Self.upsert(db, repo: repo, issue, fetchedAt: now, present: present.contains(issue.remoteID),
                                labels: cache, written: &written)
                if let u = issue.updatedAt, mark == nil || u > mark! { mark = u }
            }
            for n in page.deletedNumbers {
                try db.execute(sql: "UPDATE issue SET deleted = 1 WHERE repository_id = ? AND number = ?", arguments: [repo, n])
            }
            if let etag = page.etag {
                try Self.saveETag(db, repo: repo, url: page.pageURL, etag: etag, next: page.nextURL, lastPage: page.lastPage)
            }
            for c in page.commentETags { try Self.saveETag(db, repo: repo, url: c.url, etag: c.etag, next: c.next, lastPage: nil) }
            // The mark only moves forward, and only with the page that carried it.
            try db.execute(sql: """
                UPDATE crawl_state SET next_url = ?, pages_done = pages_done + 1, updated_at = ?,
                    high_water_mark = CASE WHEN ? IS NOT NULL AND (high_water_mark IS NULL OR ? > high_water_mark) THEN ? ELSE high_water_mark END
                WHERE repository_id = ? AND series = ?
                """, arguments: [page.nextURL, now, mark, mark, mark, repo, page.series])
            // With the page that paged into a run: a kill or a stop after it must not forget the run.
            if let runs = page.pagedRuns {
                try db.execute(sql: "UPDATE crawl_state SET paged_runs = ? WHERE repository_id = ? AND series = ?",
                               arguments: [runs.joined(separator: "\n"), repo, page.series])
            }
            return written
        }
        cache.commit(written)
    }

    static func saveETag(_ db: Database, repo: Int64, url: String, etag: String, next: String?, lastPage: Int?) throws {
        try db.execute(sql: """
            INSERT INTO page_etag (repository_id, url, etag, next_url, last_page) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (repository_id, url) DO UPDATE SET etag = excluded.etag, next_url = excluded.next_url, last_page = excluded.last_page
            """, arguments: [repo, url, etag, next, lastPage])
    }

    /// The row id of a label, upserting it unless this process already wrote it as the page has it.
    static func labelRowID(_ db: Database, repo: Int64, _ l: ParsedIssue.Label, cache: LabelRowCache,
                           written: inout [Int64: LabelRowCache.Row]) throws -> Int64 {
        let known = written[l.id] ?? cache.row(l.id)
        if let known, known.covers(l) { return known.id }
        let id = try upsertLabel(db, repo: repo, l)
        written[l.id] = LabelRowCache.Row(id: id, name: l.name, color: l.color ?? known?.color,
                                          description: l.description ?? known?.description)
        return id
    }

    static func upsertLabel(_ db: Database, repo: Int64, _ l: ParsedIssue.Label) throws -> Int64 {
        // A rename keeps the id: the one row changes and every issue sees the new name.
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO label (repository_id, remote_id, name, color, description) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (repository_id, remote_id) DO UPDATE SET name = excluded.name,
                color = COALESCE(excluded.color, color), description = COALESCE(excluded.description, description)
            RETURNING id
            """)
        return try Int64.fetchOne(stmt, arguments: [repo, l.id, l.name, l.color, l.description])!
    }

    /// Which of these tracker ids are stored already: one query per page, so a first crawl's new issues go
    /// straight to the INSERT instead of trying an UPDATE that finds nothing.
    static func presentRemoteIDs(_ db: Database, repo: Int64, _ ids: [Int64]) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let sql = "SELECT remote_id FROM issue WHERE repository_id = ? AND remote_id IN (\(marks))"
        return Set(try Int64.fetchAll(db, sql: sql, arguments: StatementArguments([repo] + ids)))
    }

    /// Upsert by the tracker's id; the number is the fallback key (an issue recreated under the same number).
    /// `present`: whether a row with this tracker id exists (`presentRemoteIDs`).
    static func upsert(_ db: Database, repo: Int64, _ i: ParsedIssue, fetchedAt: String, present: Bool,
                       labels: LabelRowCache, written: inout [Int64: LabelRowCache.Row]) throws {
        let values: StatementArguments = [i.number, i.remoteID, i.title, i.body, i.bodyText, i.state, i.stateReason,
                                          i.author, i.url, i.priority, i.issueType, i.commentCount, i.createdAt,
                                          i.updatedAt, i.closedAt, i.deleted, i.rawJSON, fetchedAt]
        let update = try db.cachedStatement(sql: """
            UPDATE issue SET number = ?, remote_id = ?, title = ?, body = ?, body_text = ?, state = ?, state_reason = ?,
                author = ?, url = ?, priority = ?, issue_type = ?, comment_count = ?, created_at = ?, updated_at = ?,
                closed_at = ?, deleted = ?, raw_json = ?, fetched_at = ?
            WHERE repository_id = ? AND remote_id = ?
            RETURNING id
            """)
        let issueID: Int64
        if present, let updated = try Int64.fetchOne(update, arguments: values + [repo, i.remoteID]) {
            issueID = updated
        } else {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO issue (number, remote_id, title, body, body_text, state, state_reason, author, url, priority,
                    issue_type, comment_count, created_at, updated_at, closed_at, deleted, raw_json, fetched_at, repository_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (repository_id, number) DO UPDATE SET remote_id = excluded.remote_id, title = excluded.title,
                    body = excluded.body, body_text = excluded.body_text, state = excluded.state,
                    state_reason = excluded.state_reason, author = excluded.author, url = excluded.url,
                    priority = excluded.priority, issue_type = excluded.issue_type, comment_count = excluded.comment_count,
                    created_at = excluded.created_at, updated_at = excluded.updated_at, closed_at = excluded.closed_at,
                    deleted = excluded.deleted, raw_json = excluded.raw_json, fetched_at = excluded.fetched_at
                RETURNING id
                """)
            issueID = try Int64.fetchOne(insert, arguments: values + [repo])!
        }
        try db.cachedStatement(sql: "DELETE FROM issue_label WHERE issue_id = ?").execute(arguments: [issueID])
        let link = try db.cachedStatement(sql: "INSERT OR IGNORE INTO issue_label (issue_id, label_id) VALUES (?, ?)")
        for l in i.labels {
            let labelID = try labelRowID(db, repo: repo, l, cache: labels, written: &written)
            try link.execute(arguments: [issueID, labelID])
        }
        if case .replaced(let comments) = i.comments {
            try db.cachedStatement(sql: "DELETE FROM issue_comment WHERE issue_id = ?").execute(arguments: [issueID])
            let add = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO issue_comment (issue_id, remote_id, author, body, created_at, updated_at, raw_json)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for c in comments { try add.execute(arguments: [issueID, c.remoteID, c.author, c.body, c.createdAt, c.updatedAt, c.rawJSON]) }
        }
    }
}
