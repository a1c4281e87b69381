import Foundation
import GRDB
import Store

/// A stored issue as `defectlab issues list|show` prints it.
public struct IssueSummary: Sendable, Codable {
    public var tracker: String
    public var repo: String
    public var number: String
    public var id: Int64?
    public var title: String
    public var state: String?
    public var labels: [String]
    public var labelIDs: [Int64]
    public var priority: Int?
    public var issueType: String?
    public var comments: Int?
    public var createdAt: String?
    public var updatedAt: String?
    public var closedAt: String?
    public var deleted: Bool
    public var url: String?
    public var hp: [String: String]

    enum CodingKeys: String, CodingKey {
        case tracker, repo, number, id, title, state, labels, priority, comments, deleted, url, hp
        case labelIDs = "label_ids"
        case issueType = "issue_type"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case closedAt = "closed_at"
    }
}

public struct IssueDetail: Sendable, Codable {
    public struct Comment: Sendable, Codable {
        public var id: Int64
        public var author: String?
        public var body: String?
        public var createdAt: String?
        enum CodingKeys: String, CodingKey { case id, author, body; case createdAt = "created_at" }
    }
    public var issue: IssueSummary
    public var body: String?
    public var bodyText: String?
    public var author: String?
    public var commentList: [Comment]
    public var rawJSON: String
    enum CodingKeys: String, CodingKey {
        case issue, body, author
        case bodyText = "body_text"
        case commentList = "comment_list"
        case rawJSON = "raw_json"
    }
}

/// Reads crawled issues back for browsing and for comparing a crawl with the simulator's truth.
public enum IssueBrowser {
    public struct Query: Sendable {
        public var repo: String?
        public var label: String?
        public var state: String?
        public var hpPreset: String?
        public var limit: Int?
        public var includeDeleted = true
        public init() {}
    }

    static let select = """
        SELECT i.id AS rowid_, t.kind, r.owner, r.name, i.number, i.remote_id, i.title, i.state, i.priority, i.issue_type,
            i.comment_count, i.created_at, i.updated_at, i.closed_at, i.deleted, i.url,
            (SELECT group_concat(l.remote_id || char(31) || l.name, char(30)) FROM issue_label il JOIN label l ON l.id = il.label_id
             WHERE il.issue_id = i.id) AS labels,
            (SELECT group_concat(h.preset || char(31) || h.rule, char(30)) FROM hp_selection h WHERE h.issue_id = i.id) AS hp
        FROM issue i JOIN repository r ON r.id = i.repository_id JOIN tracker t ON t.id = r.tracker_id
        """

    static func summary(_ row: Row) -> IssueSummary {
        var pairs: [(Int64, String)] = []
        if let text: String = row["labels"] {
            for part in text.split(separator: "\u{1E}") {
                let kv = part.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
                if kv.count == 2, let id = Int64(kv[0]) { pairs.append((id, String(kv[1]))) }
            }
        }
        pairs.sort { $0.0 < $1.0 }
        var hp: [String: String] = [:]
        if let text: String = row["hp"] {
            for part in text.split(separator: "\u{1E}") {
                let kv = part.split(separator: "\u{1F}", maxSplits: 1).map(String.init)
                if kv.count == 2 { hp[kv[0]] = kv[1] }
            }
        }
        let owner: String = row["owner"], name: String = row["name"]
        return IssueSummary(tracker: row["kind"], repo: "\(owner)/\(name)", number: row["number"], id: row["remote_id"],
                            title: row["title"], state: row["state"], labels: pairs.map(\.1), labelIDs: pairs.map(\.0),
                            priority: row["priority"], issueType: row["issue_type"], comments: row["comment_count"],
                            createdAt: row["created_at"], updatedAt: row["updated_at"], closedAt: row["closed_at"],
                            deleted: row["deleted"], url: row["url"], hp: hp)
    }

    /// Refuses an OWNER/REPO this database holds no repository for (case-insensitive), naming the ones it holds:
    /// a misspelt `--repo` otherwise selects nothing and reads as an empty repository.
    public static func requireRepository(_ repo: String, _ db: Database) throws {
        let stored = try String.fetchAll(db, sql: "SELECT owner || '/' || name FROM repository ORDER BY owner, name")
        guard repo.split(separator: "/").count == 2, stored.contains(where: { $0.lowercased() == repo.lowercased() }) else {
            throw CrawlError(.badInput, "--repo \(repo): no such repository in this database"
                + (stored.isEmpty ? " (crawl it first)" : " (crawled: \(stored.joined(separator: ", ")))"))
        }
    }

    public static func list(_ store: DefectLabStore, _ q: Query) throws -> [IssueSummary] {
        try store.read { db in
            var sql = select + " WHERE 1"
            var args: [DatabaseValueConvertible?] = []
            if let repo = q.repo {
                let parts = repo.split(separator: "/", maxSplits: 1).map(String.init)
                sql += " AND lower(r.owner) = lower(?) AND lower(r.name) = lower(?)"
                args += [parts.first ?? "", parts.count > 1 ? parts[1] : ""]
            }
            if let state = q.state { sql += " AND i.state = ?"; args.append(state) }
            if !q.includeDeleted { sql += " AND i.deleted = 0" }
            if let label = q.label {
                sql += " AND EXISTS (SELECT 1 FROM issue_label il JOIN label l ON l.id = il.label_id WHERE il.issue_id = i.id AND lower(l.name) = lower(?))"
                args.append(label)
            }
            if let preset = q.hpPreset { sql += " AND EXISTS (SELECT 1 FROM hp_selection h WHERE h.issue_id = i.id AND h.preset = ?)"; args.append(preset) }
            sql += " ORDER BY t.kind, r.owner, r.name, i.updated_at, i.number"
            if let limit = q.limit { sql += " LIMIT \(limit)" }
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)!).map(summary)
        }
    }

    public static func show(_ store: DefectLabStore, repo: String?, number: String) throws -> IssueDetail? {
        try store.read { db in
            var sql = select + " WHERE i.number = ?"
            var args: [DatabaseValueConvertible?] = [number]
            if let repo {
                let parts = repo.split(separator: "/", maxSplits: 1).map(String.init)
                sql += " AND lower(r.owner) = lower(?) AND lower(r.name) = lower(?)"
                args += [parts.first ?? "", parts.count > 1 ? parts[1] : ""]
            }
            var rows = try Row.fetchAll(db, sql: sql + " ORDER BY t.kind, r.owner, r.name", arguments: StatementArguments(args)!)
            // --repo as written names one row even where an older store holds the repository in two spellings.
            if let repo, rows.count > 1, let exact = rows.first(where: { "\($0["owner"] as String)/\($0["name"] as String)" == repo }) {
                rows = [exact]
            }
            guard let row = rows.first else { return nil }
            // One number in several repositories: which one is meant is the user's to say, not the first row's
            // (with --repo too, where it matches several spellings and none exactly).
            if rows.count > 1 {
                let repos = rows.map { "\($0["owner"] as String)/\($0["name"] as String)" }
                throw CrawlError(.badInput, "issue \(number) is in \(rows.count) repositories (\(repos.joined(separator: ", "))): pass --repo OWNER/REPO")
            }
            let rowID: Int64 = row["rowid_"]
            let extra = try Row.fetchOne(db, sql: "SELECT body, body_text, author, raw_json FROM issue WHERE id = ?", arguments: [rowID])!
            let comments = try Row.fetchAll(db, sql: "SELECT remote_id, author, body, created_at FROM issue_comment WHERE issue_id = ? ORDER BY created_at, remote_id",
                                            arguments: [rowID]).map {
                IssueDetail.Comment(id: $0["remote_id"], author: $0["author"], body: $0["body"], createdAt: $0["created_at"])
            }
            return IssueDetail(issue: summary(row), body: extra["body"], bodyText: extra["body_text"], author: extra["author"],
                               commentList: comments, rawJSON: extra["raw_json"])
        }
    }

    /// Stored bodies and comment ids by remote id, for exact comparisons with the simulator's truth.
    public static func contents(_ store: DefectLabStore, repo: String) throws -> [Int64: (title: String, body: String?, commentIDs: [Int64])] {
        try store.read { db in
            let parts = repo.split(separator: "/", maxSplits: 1).map(String.init)
            var out: [Int64: (String, String?, [Int64])] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT i.remote_id, i.title, i.body,
                    (SELECT group_concat(c.remote_id) FROM issue_comment c WHERE c.issue_id = i.id) AS cids
                FROM issue i JOIN repository r ON r.id = i.repository_id WHERE r.owner = ? AND r.name = ?
                """, arguments: [parts[0], parts.count > 1 ? parts[1] : ""])
            for row in rows {
                let cids = (row["cids"] as String?)?.split(separator: ",").compactMap { Int64($0) }.sorted() ?? []
                out[row["remote_id"]] = (row["title"], row["body"], cids)
            }
            return out
        }
    }
}
