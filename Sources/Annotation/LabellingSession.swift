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
    /// Labels given since this session started (for the rate and ETA).
    public private(set) var labelledThisSession = 0
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

    public func detail(at index: Int) throws -> ItemDetail {
        let id = queue[index].itemID
        if let cached = details[id] { return cached }
        let detail = try store.read { try ItemDetail.load(itemID: id, $0) }
        if details.count > 64 { details.removeAll(keepingCapacity: true) }
        details[id] = detail
        return detail
    }

    /// Records `subtype` for the item at `index`, durably, before returning.
    public func record(subtype: String, at index: Int, now: Date = Date()) throws {
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
        try store.write { db in
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
        }
        labels[item] = id
        labelledThisSession += 1
        if firstLabelAt == nil { firstLabelAt = now }
    }

    /// Retracts this annotator's most recent label that still stands and that a labelling session wrote
    /// (`source`: not one a ratings import put in meanwhile), appending a 'retract' row, and returns its queue
    /// position, or nil when there is nothing to undo. Works across restarts: the history is read from the
    /// store, not from memory; the read and the retraction are one transaction, so a label written from another
    /// terminal in between is not the one taken back by mistake.
    public func undoLast(now: Date = Date()) throws -> Int? {
        let annotatorID = self.annotatorID, source = self.source
        let queued = Dictionary(queue.enumerated().map { ($1.itemID, $0) }, uniquingKeysWith: { a, _ in a })
        let target: Int64? = try store.write { db in
            let candidates = try Int64.fetchAll(db, sql: """
                SELECT item_id FROM current_annotation WHERE annotator_id = ? AND level = 'subtype' AND source = ? ORDER BY id DESC
                """, arguments: [annotatorID, source])
            guard let item = candidates.first(where: { queued[$0] != nil }) else { return nil }
            try db.execute(sql: """
                INSERT INTO annotation (item_id, annotator_id, level, action, label, source, created_at)
                VALUES (?, ?, 'subtype', 'retract', NULL, ?, ?)
                """, arguments: [item, annotatorID, source, Timestamp.string(now)])
            return item
        }
        guard let item = target else { return nil }
        labels[item] = nil
        if labelledThisSession > 0 { labelledThisSession -= 1 }
        return queued[item]
    }

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
