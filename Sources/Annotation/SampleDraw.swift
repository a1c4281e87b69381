import Seeding
import Foundation
import GRDB
import Store

/// What `defectlab sample` draws from and how much.
public struct SampleRequest: Sendable {
    public var name: String
    public var perFramework: Int
    public var seed: UInt64
    /// Only issues an HP preset selected under this name (nil: any preset).
    public var preset: String?
    /// Every crawled issue, not only HP candidates (for a pilot or a tracker without HP tags).
    public var allIssues: Bool
    /// Also draw items that have no crawled issue (imported with `ratings import`).
    public var includeBareItems: Bool
    /// The presets the taxonomy folder ships, when known: a preset name that is neither one of them nor one
    /// that selected issues here is said to be unknown (the message said to run a `filter` that fails too).
    public var shippedPresets: [String]?

    public init(name: String, perFramework: Int, seed: UInt64, preset: String? = nil,
                allIssues: Bool = false, includeBareItems: Bool = true) {
        self.name = name
        self.perFramework = perFramework
        self.seed = seed
        self.preset = preset
        self.allIssues = allIssues
        self.includeBareItems = includeBareItems
    }
}

/// One candidate for a sample, before it becomes (or if it already is) an `item` row.
struct SampleCandidate: Sendable {
    var key: String
    var issueID: Int64?
    var itemID: Int64?
    var framework: String
    var title: String?
}

/// A drawn sample: per framework, how many candidates there were and how many were taken.
public struct SampleSummary: Sendable, Equatable {
    public struct Stratum: Sendable, Equatable {
        public var framework: String
        public var candidates: Int
        public var drawn: Int
    }
    public var name: String
    public var seed: UInt64
    public var strata: [Stratum]
    public var total: Int { strata.reduce(0) { $0 + $1.drawn } }
}

/// A stratified, seeded sample: candidates are grouped by framework, each group is put in a canonical order
/// (by key) and shuffled with a per-framework stream of the seed, and the first N are taken. The same
/// candidates and seed always give the same sample; a framework's draw does not depend on the others.
public enum SampleDraw {
    public static let unknownFramework = "unknown"

    public static func draw(_ request: SampleRequest, in store: DefectLabStore) throws -> SampleSummary {
        guard request.perFramework > 0 else { throw AnnotationError(.invalid, "--per-framework must be at least 1") }
        guard !request.name.isEmpty else { throw AnnotationError(.invalid, "a sample needs a name") }
        // A name is printed by every command that lists samples, on other annotators' terminals too: an escape
        // sequence in it reached them raw.
        guard !request.name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw AnnotationError(.invalid, "a sample name holds no control characters: \(request.name.debugDescription)")
        }
        return try store.write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM sample WHERE name = ?", arguments: [request.name]) != nil {
                throw AnnotationError(.duplicate, "a sample named '\(request.name)' exists; pick another name (samples are never redrawn)")
            }
            if !request.allIssues, let preset = request.preset,
               try Int.fetchOne(db, sql: "SELECT 1 FROM hp_selection WHERE preset = ? LIMIT 1", arguments: [preset]) == nil {
                // A misspelt preset would otherwise draw only the imported items, as if it had selected nothing.
                let known = try String.fetchAll(db, sql: "SELECT DISTINCT preset FROM hp_selection ORDER BY preset")
                if let shipped = request.shippedPresets, !shipped.contains(preset) {
                    let names = Array(Set(shipped + known)).sorted()
                    throw AnnotationError(.invalid, "no preset '\(preset)' (known: \(names.joined(separator: ", ")))")
                }
                throw AnnotationError(.invalid, "no issue was selected with preset '\(preset)' in this database "
                    + (known.isEmpty ? "(run `defectlab filter --preset \(preset)` after a crawl, or pass --all; if it ran, it selected nothing)"
                                     : "(presets that selected issues here: \(known.joined(separator: ", ")); run `defectlab filter --preset \(preset)` first; if it ran, it selected nothing)"))
            }
            let candidates = try Self.candidates(request, db)
            let strata = Dictionary(grouping: candidates, by: \.framework)
            var summary = SampleSummary(name: request.name, seed: request.seed, strata: [])
            var chosen: [SampleCandidate] = []
            for framework in strata.keys.sorted() {
                let ordered = strata[framework]!.sorted { $0.key < $1.key }
                var generator = SplitMix64(seed: request.seed, stream: "sample/\(framework)")
                let taken = Array(ordered.seededShuffle(&generator).prefix(request.perFramework))
                chosen += taken
                summary.strata.append(.init(framework: framework, candidates: ordered.count, drawn: taken.count))
            }
            guard !chosen.isEmpty else {
                // The step that is missing: a crawl, or the filter that marks HP candidates among crawled issues.
                let crawled = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM issue") ?? 0
                throw AnnotationError(.invalid, request.allIssues
                    ? "nothing to sample: no crawled issues or imported items in this database"
                    : "nothing to sample: no HP candidates\(request.preset.map { " for preset '\($0)'" } ?? "") "
                        + (crawled == 0 ? "(crawl first, or pass --all)"
                                        : "among \(crawled) crawled issues (run `defectlab filter --preset NAME` first, or pass --all)"))
            }
            let now = Timestamp.now()
            try db.execute(sql: "INSERT INTO sample (name, seed, per_framework, preset, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [request.name, Int64(bitPattern: request.seed), request.perFramework, request.preset, now])
            let sampleID = db.lastInsertedRowID
            for (position, candidate) in chosen.enumerated() {
                let itemID = try candidate.itemID ?? Self.createItem(for: candidate, now: now, db)
                if let issueID = candidate.issueID {
                    // An imported item drawn as its crawled issue gets the issue (text and tags on the screen).
                    try db.execute(sql: "UPDATE item SET issue_id = ? WHERE id = ? AND issue_id IS NULL", arguments: [issueID, itemID])
                }
                try db.execute(sql: "INSERT INTO sample_item (sample_id, item_id, position) VALUES (?, ?, ?)",
                               arguments: [sampleID, itemID, position])
            }
            return summary
        }
    }

    static func candidates(_ request: SampleRequest, _ db: Database) throws -> [SampleCandidate] {
        var result: [SampleCandidate] = []
        var seenKeys = Set<String>()
        // Issues: HP candidates (or all), joined to an existing item when one was made before.
        var sql = """
            SELECT i.id, i.url, i.title, i.number, r.owner, r.name, r.framework, it.id AS item_id, it.key, it.framework AS item_framework
            FROM issue i JOIN repository r ON r.id = i.repository_id
            LEFT JOIN item it ON it.issue_id = i.id
            WHERE i.deleted = 0 AND i.is_pull_request = 0
            """
        var arguments: StatementArguments = []
        if !request.allIssues {
            if let preset = request.preset {
                sql += " AND EXISTS (SELECT 1 FROM hp_selection h WHERE h.issue_id = i.id AND h.preset = ?)"
                arguments += [preset]
            } else {
                sql += " AND EXISTS (SELECT 1 FROM hp_selection h WHERE h.issue_id = i.id)"
            }
        }
        // Items made without an issue (imported ratings), by key without case: a crawled issue whose URL is one
        // of them is that item (a study's labels and new ones on one item), not a second item beside it.
        var bare: [String: (id: Int64, key: String, framework: String?)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, key, framework FROM item WHERE issue_id IS NULL ORDER BY id") {
            let key: String = row["key"]
            let identity = RatedItemReference.identity(of: key)
            if bare[identity] == nil { bare[identity] = (row["id"], key, (row["framework"] as String?).flatMap { $0.isEmpty ? nil : $0 }) }
        }
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let owner: String = row["owner"], name: String = row["name"], number: String = row["number"]
            var key: String = row["key"] ?? (row["url"] as String?).flatMap { $0.isEmpty ? nil : $0 } ?? "\(owner)/\(name)#\(number)"
            var itemID: Int64? = row["item_id"], itemFramework: String? = row["item_framework"]
            if itemID == nil, let imported = bare[RatedItemReference.identity(of: key)] { (itemID, key, itemFramework) = (imported.id, imported.key, imported.framework) }
            guard seenKeys.insert(RatedItemReference.identity(of: key)).inserted else { continue }
            // Before `filter` records a repository's framework, its owner and name tell it as they do for
            // imported ratings (a crawl of pytorch/pytorch then `sample --all` is one pytorch stratum, not "unknown").
            let framework: String = itemFramework ?? row["framework"] ?? RatedItemReference.framework(owner: owner, repository: name) ?? unknownFramework
            result.append(SampleCandidate(key: key, issueID: row["id"], itemID: itemID,
                                          framework: framework, title: row["title"]))
        }
        if request.includeBareItems {
            for row in try Row.fetchAll(db, sql: "SELECT id, key, framework, title FROM item WHERE issue_id IS NULL") {
                let key: String = row["key"]
                guard seenKeys.insert(RatedItemReference.identity(of: key)).inserted else { continue }
                let framework: String = (row["framework"] as String?).flatMap { $0.isEmpty ? nil : $0 } ?? unknownFramework
                result.append(SampleCandidate(key: key, issueID: nil, itemID: row["id"], framework: framework, title: row["title"]))
            }
        }
        return result
    }

    static func createItem(for candidate: SampleCandidate, now: String, _ db: Database) throws -> Int64 {
        let identity = RatedItemReference.identity(of: candidate.key)
        if let existing: Int64 = try Row.fetchAll(db, sql: "SELECT id, key FROM item WHERE lower(key) = lower(?) ORDER BY id", arguments: [candidate.key])
            .first(where: { RatedItemReference.identity(of: $0["key"]) == identity })?["id"] {
            return existing
        }
        try db.execute(sql: "INSERT INTO item (key, issue_id, framework, title, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [candidate.key, candidate.issueID,
                                   candidate.framework == unknownFramework ? nil : candidate.framework, candidate.title, now])
        return db.lastInsertedRowID
    }
}

/// A stored sample, as `defectlab sample show` lists it.
public struct SampleListing: Sendable {
    public struct Entry: Sendable {
        public var position: Int
        public var key: String
        public var framework: String
        public var title: String
    }
    public var name: String
    public var seed: UInt64
    public var perFramework: Int?
    public var preset: String?
    public var createdAt: String
    public var entries: [Entry]

    public static func load(name: String, in store: DefectLabStore) throws -> SampleListing {
        try store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sample WHERE name = ?", arguments: [name]) else {
                throw AnnotationError(.notFound, "no sample named '\(name)'")
            }
            let entries = try Row.fetchAll(db, sql: """
                SELECT si.position, it.key, COALESCE(it.framework, r.framework, 'unknown') AS framework,
                       COALESCE(it.title, i.title, '') AS title
                FROM sample_item si JOIN item it ON it.id = si.item_id
                LEFT JOIN issue i ON i.id = it.issue_id LEFT JOIN repository r ON r.id = i.repository_id
                WHERE si.sample_id = ? ORDER BY si.position
                """, arguments: [row["id"] as Int64]).map {
                Entry(position: $0["position"], key: $0["key"], framework: $0["framework"], title: $0["title"])
            }
            return SampleListing(name: name, seed: UInt64(bitPattern: row["seed"]), perFramework: row["per_framework"],
                                 preset: row["preset"], createdAt: row["created_at"], entries: entries)
        }
    }

    public static func names(in store: DefectLabStore) throws -> [String] {
        try store.read { try String.fetchAll($0, sql: "SELECT name FROM sample ORDER BY id") }
    }
}
