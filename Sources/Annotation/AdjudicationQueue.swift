import GRDB
import Store
import Taxonomy

/// One item's raw labels at a level, as the adjudicator sees them: labels with counts, most frequent first.
public struct LabelTally: Sendable, Equatable {
    public var itemID: Int64
    public var key: String
    public var counts: [(label: String, count: Int)]
    public var raters: Int { counts.reduce(0) { $0 + $1.count } }
    /// The label more than half the raters gave, if any.
    public var strictMajority: String? {
        guard let top = counts.first, top.count * 2 > raters else { return nil }
        return top.label
    }

    /// The label more than half of `labels` are, if any: the rule `strictMajority` applies, for labels not
    /// tallied yet (`StoredRatings` checks a mechanical decision against it).
    public static func strictMajority(of labels: [String]) -> String? {
        var counts: [String: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        return counts.first { $0.value * 2 > labels.count }?.key
    }
    public var agrees: Bool { counts.count == 1 }

    public static func == (a: LabelTally, b: LabelTally) -> Bool {
        a.itemID == b.itemID && a.key == b.key && a.counts.map(\.label) == b.counts.map(\.label) && a.counts.map(\.count) == b.counts.map(\.count)
    }
}

/// What `adjudicate --auto majority` did.
public struct MajoritySettlement: Sendable, Equatable {
    public var unanimous = 0
    public var majority = 0
    /// Items without a strict majority (more than half the labels), left for an adjudicator; `ties` of them
    /// have two labels sharing the top count, the rest only a plurality.
    public var withoutMajority = 0
    public var ties = 0
    public var alreadySettled = 0
    /// Items some assigned annotator has not labelled yet: left alone (a decision now would never be revisited).
    public var awaitingLabels = 0
    /// Of those settled, items whose earlier `--auto majority` decision the raw labels no longer held up
    /// (an annotator changed a label): replaced by the majority now.
    public var replaced = 0
    /// Of those without a strict majority, items whose earlier majority decision no longer holds: the
    /// adjudication screen lists them again.
    public var overturned = 0

    public init(unanimous: Int = 0, majority: Int = 0, withoutMajority: Int = 0, ties: Int = 0, alreadySettled: Int = 0, awaitingLabels: Int = 0) {
        self.unanimous = unanimous
        self.majority = majority
        self.withoutMajority = withoutMajority
        self.ties = ties
        self.alreadySettled = alreadySettled
        self.awaitingLabels = awaitingLabels
    }
}

/// Settling disagreements: reads raw labels (never changes them) and appends to `adjudication`, with who
/// decided, how and why, per level. The latest adjudication of an item and level is the one that counts.
public enum AdjudicationQueue {
    /// Tallies of items with at least two raw labels at `level` (a major-level tally maps subtype labels to
    /// their major, preferring an annotator's explicit major label), in sample order or item order.
    /// `itemID`: that item's tally alone (the screen re-reads the item it shows).
    public static func tallies(level: LabelLevel, sample: String?, taxonomy: HPTaxonomy,
                               in store: DefectLabStore, itemID: Int64? = nil) throws -> [LabelTally] {
        try store.read { db in
            var sql = """
                SELECT c.id, c.created_at, c.item_id, c.annotator_id, c.level, c.label, it.key FROM current_annotation c
                JOIN item it ON it.id = c.item_id
                """
            var arguments: StatementArguments = []
            if let itemID {
                sql += " WHERE c.item_id = ? ORDER BY c.id"
                arguments += [itemID]
            } else if let sample {
                sql += " JOIN sample_item si ON si.item_id = c.item_id AND si.sample_id = ? ORDER BY si.position, c.id"
                arguments += [try SampleLookup.id(of: sample, db)]
            } else {
                sql += " ORDER BY c.item_id, c.id"
            }
            var order: [Int64] = []
            var keys: [Int64: String] = [:]
            // item → annotator → their current row at each level; which one counts is `StoredRatings.current`'s
            // rule, as agreement reads it.
            var rows: [Int64: [Int64: (major: StoredRatings.StoredRow?, subtype: StoredRatings.StoredRow?)]] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                let item: Int64 = row["item_id"], annotator: Int64 = row["annotator_id"]
                if keys[item] == nil { order.append(item); keys[item] = row["key"] }
                let stored = StoredRatings.StoredRow(itemID: item, key: row["key"], framework: nil, rater: nil, level: row["level"],
                                                     label: row["label"], rowID: row["id"], time: row["created_at"])
                if stored.level == LabelLevel.major.rawValue {
                    rows[item, default: [:]][annotator, default: (nil, nil)].major = stored
                } else {
                    rows[item, default: [:]][annotator, default: (nil, nil)].subtype = stored
                }
            }
            var votes: [Int64: [Int64: String]] = [:]
            for (item, byAnnotator) in rows {
                for (annotator, pair) in byAnnotator {
                    guard let row = StoredRatings.current(at: level, major: pair.major, subtype: pair.subtype, taxonomy: taxonomy),
                          let label = taxonomy.normalizedLabel(row.label, level: level) else { continue }
                    votes[item, default: [:]][annotator] = label
                }
            }
            let rank = Dictionary(uniqueKeysWithValues: taxonomy.categories(at: level).enumerated().map { ($1, $0) })
            return order.compactMap { item -> LabelTally? in
                guard let byAnnotator = votes[item], byAnnotator.count >= 2 else { return nil }
                var counts: [String: Int] = [:]
                for label in byAnnotator.values { counts[label, default: 0] += 1 }
                let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : (rank[$0.key] ?? 99) < (rank[$1.key] ?? 99) }
                return LabelTally(itemID: item, key: keys[item]!, counts: sorted.map { ($0.key, $0.value) })
            }
        }
    }

    /// Items whose raw labels disagree and that nobody has settled yet at this level.
    public static func open(level: LabelLevel, sample: String?, taxonomy: HPTaxonomy,
                            in store: DefectLabStore) throws -> [LabelTally] {
        let all = try tallies(level: level, sample: sample, taxonomy: taxonomy, in: store)
        let settled = try settledItems(level: level, tallies: all, taxonomy: taxonomy, in: store)
        return all.filter { !$0.agrees && !settled.contains($0.itemID) }
    }

    /// Items settled at `level`. A settled subtype settles the major type too (its own): a majority of raw major
    /// labels must not give the item a major type its final subtype contradicts. A decision made mechanically
    /// by `--auto majority` stands only while it is still the strict majority of the raw labels at its level:
    /// one an annotator's relabelling has overturned settles nothing (it was kept as "final" while the raw
    /// majority said otherwise, and the screen never showed the item again).
    /// At the major level a subtype `--auto majority` decision is checked against the subtype labels it was
    /// made from (it settled the item's major type while its subtype no longer held: "already settled").
    static func settledItems(level: LabelLevel, tallies: [LabelTally], taxonomy: HPTaxonomy, in store: DefectLabStore) throws -> Set<Int64> {
        let levels = level == .major ? [LabelLevel.major.rawValue, LabelLevel.subtype.rawValue] : [level.rawValue, level.rawValue]
        let majorityNow = Dictionary(tallies.map { ($0.itemID, $0.strictMajority) }, uniquingKeysWith: { a, _ in a })
        let subtypeMajorityNow = level == .subtype ? majorityNow
            : Dictionary(try Self.tallies(level: .subtype, sample: nil, taxonomy: taxonomy, in: store).map { ($0.itemID, $0.strictMajority) }, uniquingKeysWith: { a, _ in a })
        return Set(try store.read { db in
            try Row.fetchAll(db, sql: "SELECT item_id, label, level, method FROM current_adjudication WHERE level IN (?, ?)",
                             arguments: [levels[0], levels[1]]).compactMap { row -> Int64? in
                let item: Int64 = row["item_id"], label: String = row["label"], method: String = row["method"], at: String = row["level"]
                let now = at == LabelLevel.subtype.rawValue ? subtypeMajorityNow[item] : majorityNow[item]
                if method == "majority", let now, now != label { return nil }
                return item
            }
        })
    }


    /// An item's standing decision.
    public struct Decision: Sendable, Equatable {
        public var label: String
        /// The level it was settled at: a subtype decision also settles the item's major type.
        public var level: LabelLevel
        public var adjudicator: String
        public var method: String
        public var rationale: String?
        /// A `--auto majority` decision the current raw labels at its own level no longer hold up (an annotator
        /// relabelled): it settles nothing. Read from the store with the decision, not from a tally read earlier.
        public var stale = false

        /// The same decision, as people see it (who, how, what), whatever its staleness.
        public func sameAs(_ other: Decision) -> Bool {
            (label, level, adjudicator, method, rationale) == (other.label, other.level, other.adjudicator, other.method, other.rationale)
        }
    }

    /// The decision standing for `itemID` at `level` (at the major level, a subtype decision counts), or nil;
    /// a majority decision is checked against the item's raw labels at its own level now (`Decision.stale`).
    public static func decision(itemID: Int64, level: LabelLevel, taxonomy: HPTaxonomy, in store: DefectLabStore) throws -> Decision? {
        let levels = level == .major ? [LabelLevel.major.rawValue, LabelLevel.subtype.rawValue] : [level.rawValue, level.rawValue]
        guard var decision = try store.read({ db in
            try Row.fetchOne(db, sql: """
                SELECT label, level, adjudicator, method, rationale FROM current_adjudication WHERE item_id = ? AND level IN (?, ?) ORDER BY id DESC LIMIT 1
                """, arguments: [itemID, levels[0], levels[1]]).map { row in
                Decision(label: row["label"], level: LabelLevel(rawValue: row["level"]) ?? level, adjudicator: row["adjudicator"],
                         method: row["method"], rationale: row["rationale"])
            }
        }) else { return nil }
        if decision.method == "majority", let tally = try tallies(level: decision.level, sample: nil, taxonomy: taxonomy, in: store, itemID: itemID).first {
            decision.stale = tally.strictMajority != decision.label
        }
        return decision
    }

    /// Records an adjudicated label. `ifUnsettled`: the caller read the item as unsettled (the adjudication
    /// screen's queue) and must not replace a decision someone made since without saying so: the write is
    /// refused with `changedMeanwhile`, naming who settled it how (the screen asks to confirm, then writes with
    /// `ifUnsettled: false`).
    /// `seen`: with `ifUnsettled`, the decision the caller showed for the item (nil: none); only a different
    /// one standing now is a change made meanwhile (the screen said "settled meanwhile" of the very decision it
    /// had on show).
    public static func record(itemID: Int64, level: LabelLevel, label: String, adjudicator: String, method: String,
                              rationale: String?, taxonomy: HPTaxonomy, ifUnsettled: Bool = false, seen: Decision? = nil,
                              in store: DefectLabStore) throws {
        guard let normalized = taxonomy.normalizedLabel(label, level: level) else {
            throw AnnotationError(.invalid, "'\(label)' is not a \(level.rawValue) of the taxonomy")
        }
        let text = rationale?.trimmingCharacters(in: .whitespacesAndNewlines)
        let levels = level == .major ? [LabelLevel.major.rawValue, LabelLevel.subtype.rawValue] : [level.rawValue, level.rawValue]
        try store.write { db in
            if ifUnsettled, let standing = try Row.fetchOne(db, sql: """
                SELECT label, level, adjudicator, method, rationale FROM current_adjudication WHERE item_id = ? AND level IN (?, ?) ORDER BY id DESC LIMIT 1
                """, arguments: [itemID, levels[0], levels[1]]) {
                let now = Decision(label: standing["label"], level: LabelLevel(rawValue: standing["level"]) ?? level, adjudicator: standing["adjudicator"],
                                   method: standing["method"], rationale: standing["rationale"])
                if !(seen.map { now.sameAs($0) } ?? false) {
                    throw AnnotationError(.changedMeanwhile, "settled meanwhile by \(now.adjudicator) as \(now.label) (\(now.method))")
                }
            }
            try db.execute(sql: """
                INSERT INTO adjudication (item_id, level, label, adjudicator, method, rationale, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [itemID, level.rawValue, normalized, adjudicator, method,
                                 text?.isEmpty == false ? text : nil, Timestamp.now()])
        }
    }

    /// Settles every unsettled item (two or more raw labels) that has a strict majority, unanimous ones
    /// included, so the adjudicated set is complete apart from the ties it leaves for a person. An item waits
    /// until every annotator assigned to it has labelled it: a settled item leaves the queue for good, so two
    /// early agreeing labels must not decide an item four others are still to label.
    public static func settleByMajority(level: LabelLevel, sample: String?, adjudicator: String, taxonomy: HPTaxonomy,
                                        in store: DefectLabStore) throws -> MajoritySettlement {
        let all = try tallies(level: level, sample: sample, taxonomy: taxonomy, in: store)
        let settled = try settledItems(level: level, tallies: all, taxonomy: taxonomy, in: store)
        let awaiting = try store.read { db in
            var sql = """
                SELECT DISTINCT a.item_id FROM assignment a
                WHERE NOT EXISTS (SELECT 1 FROM current_annotation c WHERE c.item_id = a.item_id AND c.annotator_id = a.annotator_id)
                """
            var arguments: StatementArguments = []
            if let sample {
                sql += " AND a.sample_id = ?"
                arguments += [try SampleLookup.id(of: sample, db)]
            }
            return Set(try Int64.fetchAll(db, sql: sql, arguments: arguments))
        }
        // Items with a decision that no longer settles them (`settledItems`: an overturned majority).
        let levels = level == .major ? [LabelLevel.major.rawValue, LabelLevel.subtype.rawValue] : [level.rawValue, level.rawValue]
        let decided = Set(try store.read {
            try Int64.fetchAll($0, sql: "SELECT item_id FROM current_adjudication WHERE level IN (?, ?)", arguments: [levels[0], levels[1]])
        }).subtracting(settled)
        // Of those, the ones with a decision at this very level: only these are replaced (a major decision
        // beside an overturned subtype one replaces nothing, and was counted as replacing it).
        let decidedHere = Set(try store.read {
            try Int64.fetchAll($0, sql: "SELECT item_id FROM current_adjudication WHERE level = ?", arguments: [level.rawValue])
        }).intersection(decided)
        var result = MajoritySettlement()
        var toWrite: [(item: Int64, label: String, unanimous: Bool)] = []
        for tally in all {
            if settled.contains(tally.itemID) { result.alreadySettled += 1; continue }
            if awaiting.contains(tally.itemID) { result.awaitingLabels += 1; continue }
            guard let label = tally.strictMajority else {
                result.withoutMajority += 1
                if decided.contains(tally.itemID) { result.overturned += 1 }
                if tally.counts.count > 1, tally.counts[0].count == tally.counts[1].count { result.ties += 1 }
                continue
            }
            toWrite.append((tally.itemID, label, tally.agrees))
        }
        let rows = toWrite, now = Timestamp.now()
        let settling = level == .major ? [level.rawValue, LabelLevel.subtype.rawValue] : [level.rawValue, level.rawValue]
        // Settled again inside the write: a person may have settled an item on the adjudication screen since
        // the reads above, and a majority row written after theirs would become the current decision.
        let written = try store.write { db -> [Bool] in
            try rows.map { row in
                try db.execute(sql: """
                    INSERT INTO adjudication (item_id, level, label, adjudicator, method, rationale, created_at)
                    SELECT ?, ?, ?, ?, 'majority', 'strict majority of raw labels', ?
                    WHERE NOT EXISTS (SELECT 1 FROM current_adjudication WHERE item_id = ? AND level IN (?, ?)
                                      AND (method <> 'majority' OR (level = ? AND label = ?) OR (level <> ? AND ? = 0)))
                    """, arguments: [row.item, level.rawValue, row.label, adjudicator, now, row.item, settling[0], settling[1],
                                     level.rawValue, row.label, level.rawValue, decided.contains(row.item) ? 1 : 0])
                return db.changesCount > 0
            }
        }
        for (row, wrote) in zip(rows, written) {
            if !wrote { result.alreadySettled += 1; continue }
            if row.unanimous { result.unanimous += 1 } else { result.majority += 1 }
            if decidedHere.contains(row.item) { result.replaced += 1 }
        }
        return result
    }
}
