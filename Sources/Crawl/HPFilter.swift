import Foundation
import GRDB
import Store
import Taxonomy

/// Applies a tag-filter preset to the stored issues and records, per issue, the rule that selected it, and,
/// per repository, the framework the preset names.
public enum HPFilter {
    public struct Count: Sendable, Codable, Equatable {
        public var repo: String
        public var rule: String
        public var issues: Int
    }

    public struct Result: Sendable, Codable {
        public var preset: String
        public var examined: Int
        public var selected: Int
        public var counts: [Count]
        /// What the counts alone do not say: a repository that keeps another framework than the preset's (what
        /// samples stratify by), or why nothing was examined.
        public var notes: [String] = []
    }

    /// Re-running replaces the preset's earlier selection, so an edited preset never leaves stale picks.
    public static func apply(_ preset: FilterPreset, store: DefectLabStore, repo: String?) throws -> Result {
        let now = TrackerTime.format(Int64(Date().timeIntervalSince1970))
        return try store.write { db in
            var sql = """
                SELECT i.id, r.id AS repository_id, r.owner, r.name, i.state, i.priority, i.issue_type,
                    (SELECT group_concat(l.name, char(30)) FROM issue_label il JOIN label l ON l.id = il.label_id WHERE il.issue_id = i.id) AS labels
                FROM issue i JOIN repository r ON r.id = i.repository_id JOIN tracker t ON t.id = r.tracker_id
                WHERE i.deleted = 0 AND i.is_pull_request = 0
                """
            var args: [DatabaseValueConvertible?] = []
            if !preset.tracker.isEmpty { sql += " AND t.kind = ?"; args.append(preset.tracker) }
            let repos = repo.map { [$0] } ?? preset.repos
            if !repos.isEmpty {
                sql += " AND (" + repos.map { _ in "(lower(r.owner) = lower(?) AND lower(r.name) = lower(?))" }.joined(separator: " OR ") + ")"
                for r in repos {
                    let p = r.split(separator: "/", maxSplits: 1).map(String.init)
                    args += [p.first ?? "", p.count > 1 ? p[1] : ""]
                }
            }
            // A misspelt --repo selected nothing and said "0 of 0 issues selected", as if the repository were empty.
            if let repo { try IssueBrowser.requireRepository(repo, db) }
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)!)
            let scope = rows.map { $0["id"] as Int64 }
            // The preset names the framework of the repositories it filters: samples stratify by it. A framework
            // set by `crawl --framework` stays.
            var notes: [String] = []
            if !preset.framework.isEmpty {
                let setFramework = try db.makeStatement(sql: "UPDATE repository SET framework = ? WHERE id = ? AND (framework IS NULL OR framework = '')")
                let ids = Set(rows.map { $0["repository_id"] as Int64 })
                for id in ids { try setFramework.execute(arguments: [preset.framework, id]) }
                // Set before (by `crawl --framework`, or an earlier filter with another preset): kept, and said, since
                // samples count the repository's issues under it.
                for r in try Row.fetchAll(db, sql: "SELECT id, owner, name, framework FROM repository WHERE framework <> ? ORDER BY owner, name",
                                          arguments: [preset.framework]) where ids.contains(r["id"] as Int64) {
                    let name = "\(r["owner"] as String)/\(r["name"] as String)", framework: String = r["framework"]
                    notes.append("\(name) keeps framework '\(framework)' (set earlier), not this preset's '\(preset.framework)': samples count its issues under '\(framework)'; `defectlab crawl ... \(name) --framework \(preset.framework)` changes it")
                }
            }
            if rows.isEmpty {
                // "0 of 0" alone read as an empty repository.
                let kinds = try Row.fetchAll(db, sql: """
                    SELECT r.owner, r.name, t.kind FROM repository r JOIN tracker t ON t.id = r.tracker_id
                    """).map { ("\($0["owner"] as String)/\($0["name"] as String)".lowercased(), $0["kind"] as String) }
                if let repo, let kind = kinds.first(where: { $0.0 == repo.lowercased() })?.1, !preset.tracker.isEmpty, kind != preset.tracker {
                    notes.append("\(repo) is a \(kind) repository; preset '\(preset.name)' filters \(preset.tracker) issues only")
                } else if repo == nil, !preset.repos.isEmpty {
                    notes.append("none of preset '\(preset.name)''s repositories (\(preset.repos.joined(separator: ", "))) is crawled in this database")
                }
            }
            // Clear this preset's earlier picks among the examined issues.
            let clear = try db.makeStatement(sql: "DELETE FROM hp_selection WHERE issue_id = ? AND preset = ?")
            for id in scope { try clear.execute(arguments: [id, preset.name]) }
            let insert = try db.makeStatement(sql: "INSERT INTO hp_selection (issue_id, preset, rule, selected_at) VALUES (?, ?, ?, ?)")
            var counts: [String: [String: Int]] = [:]
            var selected = 0
            for row in rows {
                let labels = (row["labels"] as String?)?.split(separator: "\u{1E}").map(String.init) ?? []
                let subject = FilterSubject(labels: labels, priority: row["priority"], issueType: row["issue_type"], state: row["state"])
                guard let rule = preset.firstMatch(subject) else { continue }
                try insert.execute(arguments: [row["id"] as Int64, preset.name, rule.id, now])
                let name = "\(row["owner"] as String)/\(row["name"] as String)"
                counts[name, default: [:]][rule.id, default: 0] += 1
                selected += 1
            }
            let flat = counts.flatMap { repo, rules in rules.map { Count(repo: repo, rule: $0.key, issues: $0.value) } }
                .sorted { ($0.repo, $0.rule) < ($1.repo, $1.rule) }
            return Result(preset: preset.name, examined: rows.count, selected: selected, counts: flat, notes: notes)
        }
    }
}
