import JSONText
import Seeding
import GRDB
import Store

/// An assignment of a sample to annotators, with the figures that show whether it is balanced.
public struct AssignmentReport: Sendable, Equatable {
    public var sample: String
    public var design: String
    public var items: Int
    public var annotators: [String]
    /// Items per annotator, in `annotators` order.
    public var load: [Int]
    /// overlap[a][b]: items both a and b label (the diagonal is the load).
    public var overlap: [[Int]]

    public func table() -> String {
        let width = max(8, annotators.map(TextWidth.of).max() ?? 0)
        func pad(_ s: String) -> String { TextWidth.padded(s, to: width, rightAligned: true) }
        var lines = ["sample \(sample): \(items) items, design \(design), \(annotators.count) annotators",
                     "load (items per annotator):"]
        for (name, n) in zip(annotators, load) { lines.append("  \(TextWidth.padded(name, to: width))  \(n)") }
        lines.append("pair overlap (items labelled by both):")
        lines.append("  " + pad("") + annotators.map(pad).joined(separator: " "))
        for (a, name) in annotators.enumerated() {
            lines.append("  " + pad(name) + overlap[a].enumerated().map { b, n in pad(a == b ? "-" : String(n)) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}

/// Writes assignments: the sample's items are shuffled with the seed, dealt to the design's blocks, and
/// each annotator's queue is put in its own seeded random order (so no two annotators see the same order,
/// and order effects do not line up across them).
public enum AssignmentPlanner {
    public static func assign(sample: String, annotators: [String], design: AssignmentDesign, seed: UInt64,
                              replace: Bool = false, in store: DefectLabStore) throws -> AssignmentReport {
        guard !annotators.isEmpty else { throw AnnotationError(.invalid, "--annotators needs at least one name") }
        guard Set(annotators).count == annotators.count else { throw AnnotationError(.invalid, "--annotators lists a name twice") }
        // A set of people: in name order, so the same seed deals the same queues however the names were typed.
        let annotators = annotators.sorted()
        return try store.write { db in
            let sampleID = try SampleLookup.id(of: sample, db)
            let annotatorIDs = try annotators.map { try AnnotatorRegistry.id(of: $0, db) }
            let existing = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment WHERE sample_id = ?", arguments: [sampleID]) ?? 0
            if existing > 0 {
                guard replace else {
                    throw AnnotationError(.duplicate, "sample '\(sample)' is already assigned; pass --replace to redo it")
                }
                let labelled = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM annotation a JOIN assignment s ON s.item_id = a.item_id AND s.annotator_id = a.annotator_id
                    WHERE s.sample_id = ? AND a.source <> 'import'
                    """, arguments: [sampleID]) ?? 0
                guard labelled == 0 else {
                    throw AnnotationError(.wouldLoseLabels, "sample '\(sample)' has \(labelled) labels on its assignments; it cannot be reassigned")
                }
                try db.execute(sql: "DELETE FROM assignment WHERE sample_id = ?", arguments: [sampleID])
            }
            let items = try Int64.fetchAll(db, sql: "SELECT item_id FROM sample_item WHERE sample_id = ? ORDER BY position", arguments: [sampleID])
            guard !items.isEmpty else { throw AnnotationError(.invalid, "sample '\(sample)' has no items") }
            var generator = SplitMix64(seed: seed, stream: "assign/\(sample)")
            let shuffled = items.seededShuffle(&generator)
            let dealt = try design.deal(itemCount: shuffled.count, annotatorCount: annotators.count)
            var queues = Array(repeating: [Int64](), count: annotators.count)
            for (item, who) in zip(shuffled, dealt) { for a in who { queues[a].append(item) } }
            for (a, queue) in queues.enumerated() {
                var order = SplitMix64(seed: seed, stream: "queue/\(sample)/\(annotators[a])")
                for (position, item) in queue.seededShuffle(&order).enumerated() {
                    try db.execute(sql: "INSERT INTO assignment (sample_id, annotator_id, item_id, position) VALUES (?, ?, ?, ?)",
                                   arguments: [sampleID, annotatorIDs[a], item, position])
                }
            }
            return try report(sampleID: sampleID, sample: sample, design: design.description, db)
        }
    }

    /// The load and overlap of a stored assignment (every annotator assigned anything in the sample).
    public static func report(sample: String, in store: DefectLabStore) throws -> AssignmentReport {
        try store.read { db in try report(sampleID: try SampleLookup.id(of: sample, db), sample: sample, design: "as stored", db) }
    }

    static func report(sampleID: Int64, sample: String, design: String, _ db: Database) throws -> AssignmentReport {
        let names = try String.fetchAll(db, sql: """
            SELECT DISTINCT a.name FROM assignment s JOIN annotator a ON a.id = s.annotator_id WHERE s.sample_id = ? ORDER BY a.name
            """, arguments: [sampleID])
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var byItem: [Int64: [Int]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT s.item_id, a.name FROM assignment s JOIN annotator a ON a.id = s.annotator_id WHERE s.sample_id = ?
            """, arguments: [sampleID]) {
            byItem[row["item_id"], default: []].append(index[row["name"] as String]!)
        }
        var overlap = Array(repeating: Array(repeating: 0, count: names.count), count: names.count)
        for who in byItem.values { for a in who { for b in who { overlap[a][b] += 1 } } }
        let items = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sample_item WHERE sample_id = ?", arguments: [sampleID]) ?? 0
        return AssignmentReport(sample: sample, design: design, items: items, annotators: names,
                                load: names.indices.map { overlap[$0][$0] }, overlap: overlap)
    }
}
