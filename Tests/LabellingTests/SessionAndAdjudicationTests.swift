import Annotation
import Foundation
import GRDB
import Store
import Taxonomy
import TerminalUI
import Testing

@Suite struct SessionAndAdjudicationTests {
    /// A store busy past its timeout is said as the screen's user acts on it: do it again (the batch
    /// advice, "run this again … crawl and fuzz go on where they stopped", was cut off at 120 columns).
    @Test func aBusyStoreOnTheScreenSaysToPressAgain() {
        let busy = StoreError(code: .busy, path: "/x.sqlite", message: "the database is busy")
        #expect(LabelController.screenMessage(busy).contains("do it again"))
        // Whole on the 80-column screen, after "NOT SAVED: ".
        #expect(("NOT SAVED: " + LabelController.screenMessage(busy)).count <= 78)
        #expect(!LabelController.screenMessage(busy).contains("crawl"))
        let other = StoreError(code: .sql, path: "/x.sqlite", message: "constraint failed")
        #expect(LabelController.screenMessage(other) == "\(other)")
    }

    /// `name` labels the sample's first item `subtype`, in a session of their own.
    func label(_ f: LabellingFixture, _ name: String, _ subtype: String) throws {
        try LabellingSession(store: f.store, taxonomy: try LabellingFixture.taxonomy(), annotator: name, sample: "s").record(subtype: subtype, at: 0)
    }

    func prepared(annotators: [String], items: Int = 5) throws -> LabellingFixture {
        let f = try LabellingFixture()
        try f.seedBareItems(items, framework: "pytorch")
        _ = try SampleDraw.draw(SampleRequest(name: "s", perFramework: items, seed: 1), in: f.store)
        try AnnotatorRegistry.add(annotators, in: f.store)
        _ = try AssignmentPlanner.assign(sample: "s", annotators: annotators, design: .all, seed: 1, in: f.store)
        return f
    }

    /// The same label again writes nothing (twenty repeats filled the undo history with copies, and `u` seemed
    /// to do nothing); a label another session wrote since is seen when the item is shown again, and a label
    /// over it says what it replaced.
    @Test func aRepeatedLabelWritesNothingAndALabelWrittenElsewhereIsSeen() throws {
        let f = try prepared(annotators: ["alice"], items: 2)
        let taxonomy = try LabellingFixture.taxonomy()
        let screen = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s")
        #expect(try screen.record(subtype: "E1", at: 0) == .init(written: true, replaced: nil))
        #expect(try screen.record(subtype: "E1", at: 0) == .init(written: false, replaced: nil))
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM annotation")! } == 1)
        // Another session of alice's (or an import) labels item 2 while this one shows it unlabelled.
        try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s").record(subtype: "D1", at: 1)
        #expect(screen.label(at: 1) == nil)
        try screen.refreshLabel(at: 1)
        #expect(screen.label(at: 1) == "D1")
        #expect(try screen.record(subtype: "A1", at: 1) == .init(written: true, replaced: "D1"))
    }

    @Test func labelsAreAppendOnlyAndUndoRetractsAndResumeFindsFirstGap() throws {
        let f = try prepared(annotators: ["alice"])
        let taxonomy = try LabellingFixture.taxonomy()
        let session = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s")
        #expect(session.firstUnlabelled() == 0)
        try session.record(subtype: "B1", at: 0)
        try session.record(subtype: "g2", at: 1)
        try session.toggleUnsure(at: 2)
        try session.addNote("looks like a hang", at: 2)
        try session.record(subtype: "B3", at: 2)
        #expect(try session.undoLast() == 2)
        #expect(throws: AnnotationError.self) { try session.record(subtype: "Z9", at: 3) }
        // A new session (a restart) sees the same state and resumes at the first gap.
        let again = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s")
        #expect(again.done == 2)
        #expect(again.firstUnlabelled() == 2)
        #expect(again.unsure.count == 1)
        #expect(try again.undoLast() == 1)
        let rows = try f.store.read { db in
            try Row.fetchAll(db, sql: "SELECT action, unsure, note FROM annotation ORDER BY id")
                .map { [$0["action"] as String, String($0["unsure"] as Bool), $0["note"] as String? ?? "-"] }
        }
        #expect(rows.map { $0[0] } == ["label", "label", "label", "retract", "retract"])
        #expect(rows[2] == ["label", "true", "looks like a hang"])
        #expect(throws: (any Error).self) { try f.store.write { try $0.execute(sql: "DELETE FROM annotation") } }
        #expect(throws: (any Error).self) { try f.store.write { try $0.execute(sql: "UPDATE annotation_remark SET text = 'x'") } }
    }

    /// Undo takes back the annotator's own last keystroke, not a label a ratings import wrote for them since.
    @Test func undoLeavesImportedLabelsAlone() throws {
        let f = try prepared(annotators: ["alice"])
        let taxonomy = try LabellingFixture.taxonomy()
        let session = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s")
        try session.record(subtype: "B1", at: 0)
        let imported = session.queue[3].itemID
        try f.store.write { db in
            let alice = try Int64.fetchOne(db, sql: "SELECT id FROM annotator WHERE name = 'alice'")!
            try db.execute(sql: """
                INSERT INTO annotation (item_id, annotator_id, level, action, label, source, created_at)
                VALUES (?, ?, 'subtype', 'label', 'C2', 'import', '2026-01-01T00:00:00Z')
                """, arguments: [imported, alice])
        }
        #expect(try session.undoLast() == 0)
        let standing = try f.store.read { db in
            try String.fetchAll(db, sql: "SELECT label FROM current_annotation WHERE level = 'subtype' ORDER BY item_id")
        }
        #expect(standing == ["C2"])
        #expect(try session.undoLast() == nil)
    }

    /// Undo takes back the last labelling action: a changed label goes back to the one it replaced (it left the
    /// item unlabelled), then the label before that; labels from `--script` are actions too (undo skipped them
    /// and took back an older screen label). The session's count is items, not keystrokes.
    @Test func undoRestoresWhatAChangeReplacedAndCountsScriptLabels() throws {
        let f = try prepared(annotators: ["alice"])
        let taxonomy = try LabellingFixture.taxonomy()
        let screen = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s")
        try screen.record(subtype: "C2", at: 2)
        try screen.record(subtype: "E1", at: 2)
        try screen.record(subtype: "B1", at: 0)
        try screen.record(subtype: "B2", at: 0)
        #expect(screen.labelledThisSession == 2)
        #expect(try screen.undo() == LabellingSession.Undo(index: 0, restored: "B1"))
        #expect(try screen.undo() == LabellingSession.Undo(index: 0, restored: nil))
        #expect(try screen.undo() == LabellingSession.Undo(index: 2, restored: "C2"))
        #expect(screen.label(at: 2) == "C2" && screen.label(at: 0) == nil && screen.labelledThisSession == 1)
        let script = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s", source: "script")
        try LabelApp.runScript(try Key.parseScript("d2"), session: script)   // the first unlabelled item: 0
        let again = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s")
        #expect(again.label(at: 0) == "D2")
        #expect(try again.undo() == LabellingSession.Undo(index: 0, restored: nil))
        #expect(try again.undo() == LabellingSession.Undo(index: 2, restored: nil))
        #expect(try again.undo() == nil)
        let standing = try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM current_annotation")! }
        #expect(standing == 0)
    }

    /// After a label the screen goes to the next item unlabelled as stored now: one an import or another session
    /// labelled meanwhile is passed over (the screen landed on it).
    @Test func theNextUnlabelledItemIsReadFromTheStore() throws {
        let f = try prepared(annotators: ["alice"], items: 3)
        let taxonomy = try LabellingFixture.taxonomy()
        let c = LabelController(session: try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s"))
        try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "alice", sample: "s").record(subtype: "A1", at: 1)
        c.handle(.char("b"))
        c.handle(.char("1"))
        #expect(c.index == 2 && c.currentLabel == nil, "\(c.index) \(c.message ?? "")")
    }

    /// Pasted text is never keystrokes; Ctrl-C quits from a prompt without saving what was typed there.
    @Test func pasteAndCtrlCInTheLabelController() throws {
        let f = try prepared(annotators: ["alice"])
        let session = try LabellingSession(store: f.store, taxonomy: try LabellingFixture.taxonomy(), annotator: "alice", sample: "s")
        let c = LabelController(session: session)
        c.handle(.paste("failed at a1 then n g2 q"))
        #expect(c.mode == .browse && !c.wantsQuit && session.done == 0 && c.message?.hasPrefix("paste ignored") == true)
        c.handle(.char("n"))
        c.handle(.paste("line one\nline\ttwo \u{1B}[31mred"))
        #expect(c.mode == .note("line one line    two red"))   // a tab is four spaces, as in bodies
        c.handle(.interrupt)
        #expect(c.wantsQuit && session.notes.isEmpty)
        #expect(try Key.parseScript("a<ctrl-c>") == [.char("a"), .interrupt])
        // A prompt wider than the line shows its end and the cursor (measured from the end in one pass).
        let long = String(repeating: "x", count: 20_000) + "END"
        let line = LabelScreen.promptLine("note: ", long, hint: "(hint)", cells: 78)
        #expect(line.hasPrefix("note: …") && line.hasSuffix("END_") && CellWidth.of(line) <= 78)
    }

    /// Two items both labelled B1 by a and G2 by b, and eve's adjudication screen over them.
    func twoItemsInDispute() throws -> (LabellingFixture, AdjudicationController) {
        let f = try prepared(annotators: ["a", "b"], items: 2)
        let taxonomy = try LabellingFixture.taxonomy()
        for (name, label) in [("a", "B1"), ("b", "G2")] {
            let session = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: name, sample: "s")
            try session.record(subtype: label, at: 0)
            try session.record(subtype: label, at: 1)
        }
        let open = try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store)
        return (f, AdjudicationController(store: f.store, taxonomy: taxonomy, adjudicator: "eve", level: .subtype, queue: open))
    }

    /// The adjudicator's rationale: Esc drops the edit. Going back to a settled item shows its decision, and
    /// Enter keeps it without writing it twice; another pick replaces it.
    @Test func adjudicationRationaleEscapeAndGoingBack() throws {
        let (f, screen) = try twoItemsInDispute()
        screen.handle(.char("r"))
        for ch in "draft".unicodeScalars { screen.handle(.char(ch)) }
        screen.handle(.escape)
        #expect(screen.rationale == "" && !screen.editingRationale)
        screen.handle(.char("r"))
        screen.handle(.paste("both\nlabels"))
        screen.handle(.enter)
        #expect(screen.rationale == "both labels")
        screen.handle(.char("1"))
        screen.handle(.enter)
        #expect(screen.index == 1 && screen.settled == 1)
        screen.handle(.left)
        #expect(screen.standing?.label == screen.choice && screen.rationale == "both labels")
        screen.handle(.enter)   // kept: no second row
        #expect(screen.message?.contains("kept") == true)
        func rows() throws -> Int { try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM adjudication")! } }
        #expect(try rows() == 1)
        screen.handle(.left)
        screen.handle(.char("2"))
        screen.handle(.enter)
        #expect(try rows() == 2 && screen.settled == 1)
        screen.handle(.char("?"))
        #expect(screen.showingHelp && screen.guide().contains { $0.contains("G2") })
        screen.handle(.char("x"))
        screen.handle(.interrupt)
        #expect(!screen.showingHelp && screen.wantsQuit)
    }

    /// A rationale typed and then skipped comes back with its item; the end of the list says what was skipped,
    /// and ← goes back from there.
    @Test func aSkippedItemKeepsItsRationaleDraftAndTheEndSaysItIsLeft() throws {
        let (f, screen) = try twoItemsInDispute()
        screen.handle(.char("r"))
        for ch in "long reasoning".unicodeScalars { screen.handle(.char(ch)) }
        screen.handle(.enter)
        screen.handle(.char("s"))
        #expect(screen.index == 1 && screen.rationale == "")
        screen.handle(.char("s"))
        #expect(screen.current == nil && screen.leftUnsettled.count == 2 && screen.unsavedDrafts == 1)
        screen.handle(.left)
        #expect(screen.index == 1)
        screen.handle(.left)
        #expect(screen.index == 0 && screen.rationale == "long reasoning", "\(screen.rationale)")
        screen.handle(.char("1"))
        screen.handle(.enter)
        #expect(screen.settled == 1 && screen.unsavedDrafts == 0 && screen.leftUnsettled.count == 1)
        let stored = try f.store.read { try String.fetchOne($0, sql: "SELECT rationale FROM adjudication") }
        #expect(stored == "long reasoning")
    }

    /// Two of four annotators agree: a plurality, not a majority and not a tie; the screen says which it is.
    @Test func adjudicationScreenNamesAPluralityWithoutMajority() throws {
        let f = try prepared(annotators: ["a", "b", "c", "d"], items: 1)
        let taxonomy = try LabellingFixture.taxonomy()
        for (name, label) in [("a", "B1"), ("b", "B1"), ("c", "G2"), ("d", "F1")] {
            let session = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: name, sample: "s")
            try session.record(subtype: label, at: 0)
        }
        let open = try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store)
        #expect(open.count == 1 && open[0].strictMajority == nil)
        let screen = AdjudicationController(store: f.store, taxonomy: taxonomy, adjudicator: "eve", level: .subtype, queue: open)
        #expect(screen.choice == nil)
        screen.handle(.enter)
        #expect(screen.settled == 0)
        #expect(screen.message?.hasPrefix("no majority:") == true)
    }

    @Test func adjudicationTalliesAndMajority() throws {
        let f = try prepared(annotators: ["a", "b", "c"], items: 3)
        let taxonomy = try LabellingFixture.taxonomy()
        // item 0: B1 B1 B2 (majority B1; major level unanimous B); item 1: B1 G2 F1 (tie); item 2: G2 G2 G2.
        let plan: [String: [String]] = ["a": ["B1", "B1", "G2"], "b": ["B1", "G2", "G2"], "c": ["B2", "F1", "G2"]]
        let order = try f.store.read { try Int64.fetchAll($0, sql: "SELECT item_id FROM sample_item ORDER BY position") }
        for (name, labels) in plan {
            let session = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: name, sample: "s")
            for (i, label) in labels.enumerated() {
                try session.record(subtype: label, at: session.queue.firstIndex { $0.itemID == order[i] }!)
            }
        }
        let open = try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store)
        #expect(open.map(\.itemID) == [order[0], order[1]])
        #expect(open[0].counts.map(\.label) == ["B1", "B2"] && open[0].strictMajority == "B1")
        #expect(open[1].strictMajority == nil)
        // The screen pre-selects a majority, never a side of a tie: Enter on a tie records nothing.
        let screen = AdjudicationController(store: f.store, taxonomy: taxonomy, adjudicator: "eve", level: .subtype, queue: open)
        #expect(screen.choice == "B1")
        screen.handle(.char("s"))
        #expect(screen.choice == nil)
        screen.handle(.enter)
        #expect(screen.settled == 0 && screen.index == 1 && screen.message?.contains("tie") == true)
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM adjudication")! } == 0)
        let major = try AdjudicationQueue.open(level: .major, sample: "s", taxonomy: taxonomy, in: f.store)
        #expect(major.map(\.itemID) == [order[1]])
        let settled = try AdjudicationQueue.settleByMajority(level: .subtype, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        #expect(settled == MajoritySettlement(unanimous: 1, majority: 1, withoutMajority: 1, ties: 1, alreadySettled: 0))
        try AdjudicationQueue.record(itemID: order[1], level: .subtype, label: "f1", adjudicator: "eve", method: "manual",
                                     rationale: "numbers differ across GPUs", taxonomy: taxonomy, in: f.store)
        #expect(try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store).isEmpty)
        let stored = try f.store.read { db in
            try Row.fetchAll(db, sql: "SELECT j.label, j.method FROM current_adjudication j JOIN sample_item si ON si.item_id = j.item_id ORDER BY si.position")
                .map { "\($0["label"] as String)/\($0["method"] as String)" }
        }
        #expect(stored == ["B1/majority", "F1/manual", "G2/majority"])
        // Raw labels are untouched by adjudication.
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM current_annotation")! } == 9)
    }

    /// A session opened before `assign --replace` took an item away cannot label it: the label would land on an
    /// item that now belongs to someone else.
    @Test func aLabelNeedsTheItemStillAssigned() throws {
        let f = try LabellingFixture()
        try f.seedBareItems(4, framework: "pytorch")
        _ = try SampleDraw.draw(SampleRequest(name: "s", perFramework: 4, seed: 1), in: f.store)
        try AnnotatorRegistry.add(["a", "b"], in: f.store)
        _ = try AssignmentPlanner.assign(sample: "s", annotators: ["a"], design: .all, seed: 1, in: f.store)
        let taxonomy = try LabellingFixture.taxonomy()
        let session = try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "a", sample: "s")
        _ = try AssignmentPlanner.assign(sample: "s", annotators: ["b"], design: .all, seed: 1, replace: true, in: f.store)
        #expect(throws: AnnotationError.self) { try session.record(subtype: "B1", at: 0) }
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM annotation")! } == 0)
    }

    /// A `--auto majority` decision follows the raw labels: a relabelling that moves the majority replaces it on
    /// the next run, and one that leaves no strict majority puts the item back on the screen's list.
    @Test func aMajorityDecisionFollowsRelabelling() throws {
        let f = try prepared(annotators: ["a", "b", "c"], items: 1)
        let taxonomy = try LabellingFixture.taxonomy()
        func final() throws -> String? { try f.store.read { try String.fetchOne($0, sql: "SELECT label || '/' || method FROM current_adjudication") } }
        for (name, subtype) in [("a", "C2"), ("b", "C1"), ("c", "C2")] { try label(f, name, subtype) }
        _ = try AdjudicationQueue.settleByMajority(level: .subtype, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        #expect(try final() == "C2/majority")
        try label(f, "a", "C1")   // raw now C1, C1, C2
        #expect(try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store).count == 1)
        let again = try AdjudicationQueue.settleByMajority(level: .subtype, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        #expect(again.majority == 1 && again.replaced == 1 && again.alreadySettled == 0, "\(again)")
        #expect(try final() == "C1/majority")
        #expect(try StoredRatings.load(from: f.store, level: .subtype, taxonomy: taxonomy).items.first?.final == "C1")
        try label(f, "b", "G1")   // raw now C1, G1, C2: no strict majority
        let tied = try AdjudicationQueue.settleByMajority(level: .subtype, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        #expect(tied.withoutMajority == 1 && tied.overturned == 1, "\(tied)")
        // Nor is it a final label for statistics and wide exports until someone settles the item, at either
        // level (at the major level the overturned C1 stood as the final C, and the item as "already settled").
        #expect(try StoredRatings.load(from: f.store, level: .subtype, taxonomy: taxonomy).items.first?.final == nil)
        #expect(try StoredRatings.load(from: f.store, level: .major, taxonomy: taxonomy).items.first?.final == nil)
        #expect(try AdjudicationQueue.open(level: .major, sample: "s", taxonomy: taxonomy, in: f.store).count == 1)
        let open = try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store)
        #expect(open.count == 1)
        // The screen shows the overturned decision without selecting it, and settles over it without asking twice.
        let screen = AdjudicationController(store: f.store, taxonomy: taxonomy, adjudicator: "eve", level: .subtype, queue: open)
        #expect(screen.choice == nil && screen.message?.contains("no longer matches") == true && screen.standingIsStale)
        screen.handle(.char("s"))
        #expect(screen.leftUnsettled.count == 1)
        screen.handle(.left)
        screen.handle(.char("g"))
        screen.handle(.char("1"))
        screen.handle(.enter)
        let settledFinal = try final()
        #expect(screen.settled == 1 && settledFinal == "G1/manual", "\(screen.message ?? "")")
        // A person's decision stands whatever the raw labels do.
        try label(f, "c", "C1")
        _ = try AdjudicationQueue.settleByMajority(level: .subtype, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        #expect(try final() == "G1/manual")
    }

    /// A subtype majority decision overturned by relabelling settles nothing at the major level either: `--auto
    /// majority --level major` settles the item by its major majority ("already settled" before), and the major
    /// screen shows the old decision as overturned with the major majority selected (it pre-selected the
    /// minority's major type and saved it as a person's decision).
    @Test func anOverturnedSubtypeDecisionSettlesNothingAtTheMajorLevel() throws {
        let f = try prepared(annotators: ["a", "b", "c"], items: 1)
        let taxonomy = try LabellingFixture.taxonomy()
        for (name, subtype) in [("a", "A1"), ("b", "A1"), ("c", "C1")] { try label(f, name, subtype) }
        _ = try AdjudicationQueue.settleByMajority(level: .subtype, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        try label(f, "a", "C2")   // raw now C2, A1, C1: no subtype majority; majors C, A, C
        let open = try AdjudicationQueue.open(level: .major, sample: "s", taxonomy: taxonomy, in: f.store)
        #expect(open.count == 1)
        let screen = AdjudicationController(store: f.store, taxonomy: taxonomy, adjudicator: "eve", level: .major, queue: open)
        #expect(screen.standingIsStale && screen.choice == "C", "\(screen.choice ?? "nil") \(screen.message ?? "")")
        let major = try AdjudicationQueue.settleByMajority(level: .major, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        #expect(major.majority == 1 && major.alreadySettled == 0 && major.replaced == 0, "\(major)")
        #expect(try StoredRatings.load(from: f.store, level: .major, taxonomy: taxonomy).items.first?.final == "C")
        // The settled item, seen on a screen that was opened before: Enter keeps the standing decision without
        // writing it again as the adjudicator's own (it said "settled meanwhile" of the decision on show).
        screen.handle(.left)
        let before = try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM adjudication")! }
        let again = AdjudicationController(store: f.store, taxonomy: taxonomy, adjudicator: "eve", level: .major, queue: open)
        #expect(again.choice == "C" && !again.standingIsStale)
        again.handle(.enter)
        #expect(again.message?.contains("kept C") == true, "\(again.message ?? "")")
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM adjudication")! } == before)
    }

    /// A decision someone else made after the screen showed another one is never replaced unasked: the check
    /// was skipped for items that had a decision (overturned, or settled on this screen), and a person's
    /// decision was overwritten.
    @Test func aDecisionMadeSinceTheScreenShowedTheItemIsAskedAbout() throws {
        let f = try prepared(annotators: ["a", "b", "c"], items: 1)
        let taxonomy = try LabellingFixture.taxonomy()
        for (name, subtype) in [("a", "B1"), ("b", "B2"), ("c", "C1")] { try label(f, name, subtype) }
        let item = try f.store.read { try Int64.fetchOne($0, sql: "SELECT item_id FROM sample_item")! }
        let open = try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store)
        let frank = AdjudicationController(store: f.store, taxonomy: taxonomy, adjudicator: "frank", level: .subtype, queue: open)
        frank.handle(.char("1"))
        frank.handle(.enter)                                   // frank settles B1
        frank.handle(.left)                                    // and shows it again
        try AdjudicationQueue.record(itemID: item, level: .subtype, label: "B2", adjudicator: "dana", method: "manual",
                                     rationale: nil, taxonomy: taxonomy, in: f.store)
        frank.handle(.char("3"))                               // C1, over dana's B2 he has not seen
        frank.handle(.enter)
        #expect(frank.message?.contains("NOT SAVED: settled meanwhile by dana as B2") == true, "\(frank.message ?? "")")
        // Skipped now, it is not "left unsettled": dana settled it (the end of the list counted it).
        frank.handle(.char("s"))
        #expect(frank.leftUnsettled.isEmpty)
        frank.handle(.left)
        frank.handle(.char("3"))
        #expect(try f.store.read { try String.fetchOne($0, sql: "SELECT label FROM current_adjudication")! } == "B2")
        frank.handle(.enter)                                   // dana's B2 now shown: his pick replaces it
        #expect(try f.store.read { try String.fetchOne($0, sql: "SELECT label || '/' || adjudicator FROM current_adjudication")! } == "C1/frank")
        // Keeping a shown decision someone replaced since says so and shows theirs ("kept C1" while B2 stood).
        frank.handle(.left)
        try AdjudicationQueue.record(itemID: item, level: .subtype, label: "B2", adjudicator: "dana", method: "manual",
                                     rationale: nil, taxonomy: taxonomy, in: f.store)
        frank.handle(.enter)
        #expect(frank.message?.hasPrefix("NOT KEPT: settled meanwhile by dana as B2") == true && frank.choice == "B2", "\(frank.message ?? "")")
        let rows = try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM adjudication")! }
        frank.handle(.enter)
        let after = try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM adjudication")! }
        #expect(frank.message?.contains("kept B2") == true && after == rows, "\(frank.message ?? "")")
    }

    /// The screen reads an item's labels again when it comes to it: relabelling since the screen opened was not
    /// seen, and an adjudicator confirmed counts nobody held any more.
    @Test func theScreenShowsTheLabelsAsTheyAreNow() throws {
        let f = try prepared(annotators: ["a", "b", "c"], items: 1)
        let taxonomy = try LabellingFixture.taxonomy()
        for (name, subtype) in [("a", "B1"), ("b", "B1"), ("c", "C1")] { try label(f, name, subtype) }
        let screen = AdjudicationController(store: f.store, taxonomy: taxonomy, adjudicator: "eve", level: .subtype,
                                            queue: try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store))
        #expect(screen.choice == "B1")
        try label(f, "a", "C1")
        try label(f, "b", "C1")
        screen.handle(.right)
        screen.handle(.left)
        #expect(screen.current?.counts.map(\.label) == ["C1"] && screen.choice == "C1", "\(screen.current?.counts.map(\.label) ?? [])")
    }

    /// A settled subtype settles the major type: a majority of raw labels at the major level must not give the
    /// item a major type its final subtype contradicts (final G1, raw majority C).
    @Test func aSettledSubtypeSettlesTheMajorType() throws {
        let f = try prepared(annotators: ["a", "b", "c"], items: 1)
        let taxonomy = try LabellingFixture.taxonomy()
        for (name, subtype) in [("a", "C1"), ("b", "C2"), ("c", "C2")] {
            try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: name, sample: "s").record(subtype: subtype, at: 0)
        }
        let item = try f.store.read { try Int64.fetchOne($0, sql: "SELECT item_id FROM sample_item")! }
        try AdjudicationQueue.record(itemID: item, level: .subtype, label: "G1", adjudicator: "dana", method: "manual",
                                     rationale: nil, taxonomy: taxonomy, in: f.store)
        let major = try AdjudicationQueue.settleByMajority(level: .major, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        #expect(major == MajoritySettlement(alreadySettled: 1))
        #expect(try AdjudicationQueue.open(level: .major, sample: "s", taxonomy: taxonomy, in: f.store).isEmpty)
        let finals = try StoredRatings.load(from: f.store, level: .major, taxonomy: taxonomy).items.map(\.final)
        #expect(finals == ["G"])
    }

    /// Majority settling waits for every assigned annotator: two early agreeing labels of four do not decide an
    /// item (a settled item leaves the queue for good, so the other labels would never count).
    @Test func majoritySettlingWaitsForEveryAssignedAnnotator() throws {
        let f = try prepared(annotators: ["a", "b", "c", "d"], items: 1)
        let taxonomy = try LabellingFixture.taxonomy()
        try label(f, "a", "B1"); try label(f, "b", "B1")
        let early = try AdjudicationQueue.settleByMajority(level: .subtype, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        #expect(early == MajoritySettlement(awaitingLabels: 1))
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM adjudication")! } == 0)
        try label(f, "c", "G2"); try label(f, "d", "G2")
        let tie = try AdjudicationQueue.settleByMajority(level: .subtype, sample: "s", adjudicator: "auto", taxonomy: taxonomy, in: f.store)
        #expect(tie == MajoritySettlement(withoutMajority: 1, ties: 1))
        #expect(try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store).count == 1)
    }

    /// Two adjudicators on one queue: the second does not silently replace the first's decision; the screen says
    /// who settled it how, and a second Enter replaces it on purpose.
    @Test func aDecisionMadeMeanwhileIsNotReplacedUnsaid() throws {
        let f = try prepared(annotators: ["a", "b"], items: 2)
        let taxonomy = try LabellingFixture.taxonomy()
        for at in 0..<2 {
            try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "a", sample: "s").record(subtype: "B1", at: at)
            try LabellingSession(store: f.store, taxonomy: taxonomy, annotator: "b", sample: "s").record(subtype: "C1", at: at)
        }
        let queue = try AdjudicationQueue.open(level: .subtype, sample: "s", taxonomy: taxonomy, in: f.store)
        let dana = AdjudicationController(store: f.store, taxonomy: taxonomy, adjudicator: "dana", level: .subtype, queue: queue)
        try AdjudicationQueue.record(itemID: queue[0].itemID, level: .subtype, label: "C1", adjudicator: "erin", method: "manual",
                                     rationale: nil, taxonomy: taxonomy, ifUnsettled: true, in: f.store)
        dana.handle(.char("1"))
        dana.handle(.enter)
        #expect(dana.message?.contains("settled meanwhile by erin as C1 (manual)") == true, "\(dana.message ?? "")")
        #expect(dana.settled == 0 && dana.index == 0)
        func current() throws -> [String] {
            try f.store.read { try String.fetchAll($0, sql: "SELECT adjudicator || ':' || label FROM current_adjudication WHERE item_id = ?",
                                                  arguments: [queue[0].itemID]) }
        }
        #expect(try current() == ["erin:C1"])
        dana.handle(.enter)
        let after = try current()
        #expect(dana.settled == 1 && after == ["dana:B1"])
        // Going back to correct one's own decision is no conflict, and no second item settled.
        dana.handle(.left)
        dana.handle(.char("2"))
        dana.handle(.enter)
        let corrected = try current()
        #expect(dana.settled == 1 && corrected == ["dana:C1"], "\(dana.message ?? "") \(corrected)")
    }
}
