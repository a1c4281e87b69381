import Foundation
import GRDB
import Store
import Taxonomy

/// One annotator's labelling of their queue: what is assigned, what they have labelled, and the writes.
///
/// Every label is one short write transaction, committed before the call returns, so a killed terminal
/// loses nothing. History is append-only: a new label or a retraction is a new `annotation` row. The session
/// only ever reads this annotator's own rows (blind labelling).
public final class LabellingSession {
    public struct Entry: Sendable, Equatable {
        public var itemID: Int64
        public var sample: String
    }

    public let store: DefectLabStore
    public let taxonomy: HPTaxonomy
    public let annotator: String
    public let annotatorID: Int64
    public let source: String
    /// The sample the session was opened on (nil: every sample assigned to the annotator).
    public let sampleFilter: String?
    public private(set) var queue: [Entry]
    /// Current subtype label per item (this annotator only).
    public private(set) var labels: [Int64: String]
    public private(set) var unsure: Set<Int64>
    public private(set) var notes: [Int64: [String]]
    /// Items labelled since this session started and not undone since (for the summary, the rate and the ETA):
    /// a label changed twice is one item.
    public var labelledThisSession: Int { actionsThisSession.values.filter { $0 > 0 }.count }
    /// Labels given per item since this session started, less the undos of them.
    private var actionsThisSession: [Int64: Int] = [:]
    public let startedAt: Date
    private var firstLabelAt: Date?
    private var details: [Int64: ItemDetail] = [:]

    public init(store: DefectLabStore, taxonomy: HPTaxonomy, annotator: String, sample: String?,
                source: String = "tui", now: Date = Date()) throws {
        self.store = store
        self.taxonomy = taxonomy
        self.annotator = annotator
        self.source = source
        self.sampleFilter = sample
        self.startedAt = now
        let loaded = try store.read { db -> (Int64, [Entry], [Int64: String], Set<Int64>, [Int64: [String]]) in
            let annotatorID = try AnnotatorRegistry.id(of: annotator, db)
            var sql = """
                SELECT s.item_id, p.name FROM assignment s JOIN sample p ON p.id = s.sample_id
                WHERE s.annotator_id = ?
                """
            var arguments: StatementArguments = [annotatorID]
            if let sample {
                let sampleID = try SampleLookup.id(of: sample, db)
                sql += " AND s.sample_id = ?"
                arguments += [sampleID]
            }
            sql += " ORDER BY s.sample_id, s.position"
            var seen = Set<Int64>()
            let queue = try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> Entry? in
                let id: Int64 = row["item_id"]
                return seen.insert(id).inserted ? Entry(itemID: id, sample: row["name"]) : nil
            }
            guard !queue.isEmpty else {
                throw AnnotationError(.notFound, "nothing is assigned to '\(annotator)'\(sample.map { " in sample '\($0)'" } ?? "") (see: defectlab assign)")
            }
            var labels: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT item_id, label FROM current_annotation WHERE annotator_id = ? AND level = 'subtype'
                """, arguments: [annotatorID]) where seen.contains(row["item_id"]) {
                labels[row["item_id"]] = row["label"]
            }
            var unsure = Set<Int64>()
            var notes: [Int64: [String]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT item_id, kind, text FROM annotation_remark WHERE annotator_id = ? ORDER BY id
                """, arguments: [annotatorID]) {
                let item: Int64 = row["item_id"]
                switch row["kind"] as String {
                case "unsure": unsure.insert(item)
                case "sure": unsure.remove(item)
                default: notes[item, default: []].append(row["text"])
                }
            }
            return (annotatorID, queue, labels, unsure, notes)
        }
        (annotatorID, queue, labels, unsure, notes) = loaded
    }

    public var total: Int { queue.count }
    public var done: Int { labels.count }

    /// The queue position of the first item without a label (where a session resumes), or nil when done.
    public func firstUnlabelled(from start: Int = 0) -> Int? {
        guard !queue.isEmpty else { return nil }
        for offset in 0..<queue.count {
            let i = (start + offset) % queue.count
            if labels[queue[i].itemID] == nil { return i }
        }
        return nil
    }

    public func label(at index: Int) -> String? { labels[queue[index].itemID] }

    /// The item's current label as stored now: a `ratings import` or another session of this annotator may
    /// have written one since the queue was read (the screen showed "[unlabelled]" over an imported label).
    public func refreshLabel(at index: Int) throws {
        let item = queue[index].itemID, annotatorID = self.annotatorID
        labels[item] = try store.read { try Self.storedLabel(item: item, annotator: annotatorID, $0) }
    }

    /// The newest subtype row of this annotator on the item, if it is a label (not a retraction).
    static func storedLabel(item: Int64, annotator: Int64, _ db: Database) throws -> String? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT action, label FROM annotation WHERE item_id = ? AND annotator_id = ? AND level = 'subtype' ORDER BY id DESC LIMIT 1"),
                         arguments: [item, annotator]).flatMap { $0["action"] == "label" ? $0["label"] as String? : nil }
    }

    /// What `record` did: wrote the label (replacing `replaced`, the label stored before, if any), or found the
    /// item already at that label and wrote nothing (repeating a label filled the undo history with copies).
    public struct Recorded: Sendable, Equatable {
        public var written: Bool
        public var replaced: String?
        public init(written: Bool, replaced: String?) {
            self.written = written
            self.replaced = replaced
        }
    }

    public func detail(at index: Int) throws -> ItemDetail {
        let id = queue[index].itemID
        if let cached = details[id] { return cached }
        let detail = try store.read { try ItemDetail.load(itemID: id, $0) }
        if details.count > 64 { details.removeAll(keepingCapacity: true) }
        details[id] = detail
        return detail
    }

    /// Records `subtype` for the item at `index`, durably, before returning.
    @discardableResult
    public func record(subtype: String, at index: Int, now: Date = Date()) throws -> Recorded {
        guard let id = taxonomy.normalizedLabel(subtype, level: .subtype) else {
            throw AnnotationError(.invalid, "'\(subtype)' is not a subtype of the taxonomy")
        }
        let item = queue[index].itemID, sample = sampleFilter
        let annotatorID = self.annotatorID, source = self.source, annotator = self.annotator
        let unsureFlag = unsure.contains(item), note = notes[item]?.last
        let stamp = Timestamp.string(now)
        // One short transaction: a single insert through a statement compiled once per connection. The
        // queue and progress are kept in memory, so nothing is read back afterwards. The insert holds only while
        // the item is still assigned to this annotator: `assign --replace` from another terminal may have given
        // it to someone else since this session read its queue.
        let recorded = try store.write { db -> Recorded in
            let stored = try Self.storedLabel(item: item, annotator: annotatorID, db)
            if stored == id { return Recorded(written: false, replaced: nil) }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO annotation (item_id, annotator_id, level, action, label, unsure, note, source, created_at)
                SELECT ?, ?, 'subtype', 'label', ?, ?, ?, ?, ?
                WHERE EXISTS (SELECT 1 FROM assignment a JOIN sample p ON p.id = a.sample_id
                              WHERE (? IS NULL OR p.name = ?) AND a.annotator_id = ? AND a.item_id = ?)
                """)
            try insert.execute(arguments: [item, annotatorID, id, unsureFlag, note, source, stamp, sample, sample, annotatorID, item])
            guard db.changesCount > 0 else {
                throw AnnotationError(.notFound, "this item is no longer assigned to \(annotator) (the sample was re-assigned); quit and run `label` again for the new queue")
            }
            return Recorded(written: true, replaced: stored)
        }
        labels[item] = id
        guard recorded.written else { return recorded }
        actionsThisSession[item, default: 0] += 1
        if firstLabelAt == nil { firstLabelAt = now }
        return recorded
    }

    /// What `undoLast` did: the queue position of the item, and the label it stands at again (nil: unlabelled).
    public struct Undo: Sendable, Equatable {
        public var index: Int
        public var restored: String?
        public init(index: Int, restored: String?) { self.index = index; self.restored = restored }
    }

    /// The `source` of a label row that an undo wrote to bring back the label a change replaced.
    public static let undoSource = "undo"

    /// Takes back this annotator's most recent labelling action that is still in effect: a first label makes
    /// the item unlabelled again (a 'retract' row); a change brings back the label it replaced (a label row
    /// with source `undo`). Labels from any labelling session count (the screen, `--script`), and so does an
    /// undo's own restoration; labels a ratings import wrote are not actions to undo, and an action an import
    /// has since overridden is passed over. Works across restarts: the history is replayed from the store, in
    /// one transaction with the write, so a label written from another terminal in between is accounted for.
    /// Nil when there is nothing to undo in this queue.
    public func undo(now: Date = Date()) throws -> Undo? {
        let annotatorID = self.annotatorID, source = self.source
        let queued = Dictionary(queue.enumerated().map { ($1.itemID, $0) }, uniquingKeysWith: { a, _ in a })
        let sessionSources: Set<String> = ["tui", "script", source]
        let done: (item: Int64, restored: String?)? = try store.write { db in
            // Replayed in order: each undo row (a session's retract, or a restoration) cancels the newest
            // action on its item that is not cancelled yet; what remains, newest first, can be undone.
            struct Action { var row: Int64; var item: Int64; var label: String; var previous: String? }
            var actions: [Action] = [], open: [Int64: [Int]] = [:], cancelled = Set<Int>()
            var current: [Int64: String] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, item_id, action, label, source FROM annotation WHERE annotator_id = ? AND level = 'subtype' ORDER BY id
                """, arguments: [annotatorID])
            while let row = try rows.next() {
                let item: Int64 = row["item_id"], action: String = row["action"], label: String? = row["label"], from: String = row["source"]
                if action == "retract" && sessionSources.contains(from) || action == "label" && from == Self.undoSource {
                    if let last = open[item]?.popLast() { cancelled.insert(last) }
                } else if action == "label", sessionSources.contains(from), let label {
                    open[item, default: []].append(actions.count)
                    actions.append(Action(row: row["id"], item: item, label: label, previous: current[item]))
                }
                current[item] = action == "label" ? label : nil
            }
            guard let i = actions.indices.reversed().first(where: { i in
                !cancelled.contains(i) && queued[actions[i].item] != nil && current[actions[i].item] == actions[i].label
            }) else { return nil }
            let target = actions[i]
            if let previous = target.previous {
                try db.execute(sql: """
                    INSERT INTO annotation (item_id, annotator_id, level, action, label, source, created_at)
                    VALUES (?, ?, 'subtype', 'label', ?, ?, ?)
                    """, arguments: [target.item, annotatorID, previous, Self.undoSource, Timestamp.string(now)])
            } else {
                try db.execute(sql: """
                    INSERT INTO annotation (item_id, annotator_id, level, action, label, source, created_at)
                    VALUES (?, ?, 'subtype', 'retract', NULL, ?, ?)
                    """, arguments: [target.item, annotatorID, source, Timestamp.string(now)])
            }
            return (target.item, target.previous)
        }
        guard let done, let index = queued[done.item] else { return nil }
        labels[done.item] = done.restored
        if let n = actionsThisSession[done.item], n > 0 { actionsThisSession[done.item] = n - 1 }
        return Undo(index: index, restored: done.restored)
    }

    /// `undo`, answering only the queue position (nil when there was nothing to undo).
    public func undoLast(now: Date = Date()) throws -> Int? { try undo(now: now)?.index }

    public func addNote(_ text: String, at index: Int, now: Date = Date()) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        let item = queue[index].itemID
        try remark(kind: "note", text: trimmed, item: item, now: now)
        notes[item, default: []].append(trimmed)
    }

    /// Flips the unsure flag of the item at `index`; returns the new state.
    @discardableResult
    public func toggleUnsure(at index: Int, now: Date = Date()) throws -> Bool {
        let item = queue[index].itemID
        let flag = !unsure.contains(item)
        try remark(kind: flag ? "unsure" : "sure", text: nil, item: item, now: now)
        if flag { unsure.insert(item) } else { unsure.remove(item) }
        return flag
    }

    private func remark(kind: String, text: String?, item: Int64, now: Date) throws {
        let annotatorID = self.annotatorID
        try store.write { db in
            try db.execute(sql: "INSERT INTO annotation_remark (item_id, annotator_id, kind, text, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [item, annotatorID, kind, text, Timestamp.string(now)])
        }
    }

    /// Labels per hour since the first label of this session, and the time left at that rate.
    public func pace(now: Date = Date()) -> (perHour: Double?, remaining: TimeInterval?) {
        guard let first = firstLabelAt, labelledThisSession >= 2 else { return (nil, nil) }
        let elapsed = max(now.timeIntervalSince(first), 1)
        // The first label started the clock, so it is not counted in the rate.
        let perSecond = Double(labelledThisSession - 1) / elapsed
        guard perSecond > 0 else { return (nil, nil) }
        return (perSecond * 3600, Double(total - done) / perSecond)
    }
}
