import Foundation
import GRDB
import Store
import Taxonomy
import Testing
@testable import Annotation

@Suite struct RatingsStoreTests {
    let taxonomy: HPTaxonomy
    let folder: URL
    init() throws {
        taxonomy = try RatingsTestSupport.taxonomy()
        folder = try RatingsTestSupport.temporaryFolder()
    }

    func store(_ name: String = "t.sqlite") throws -> DefectLabStore {
        try DefectLabStore.open(path: folder.appendingPathComponent(name).path)
    }

    func importText(_ text: String, name: String, into store: DefectLabStore, framework: String? = nil) throws -> RatingsImporter.Summary {
        let path = try RatingsTestSupport.write(text, to: folder, name: name)
        let file = try RatingsFile.read(path: path, format: nil, taxonomy: taxonomy)
        return try RatingsImporter(store: store, framework: framework).importFiles([file])
    }

    /// Rows in item-key order, as an export writes them (the same ratings export alike whatever order they came in).
    static let canonicalLong = """
        item,rater,label,level,time,framework,note,unsure,adjudicator,method,rationale
        S-17,alice,"G2",subtype,2024-05-01T11:00:00Z,mindspore,,,,,
        S-17,carol,G4,subtype,2024-05-01T11:30:00Z,mindspore,,,,,
        S-18,carol,D1,subtype,2024-05-01T12:00:00Z,,,,,,
        https://github.com/pytorch/pytorch/issues/7,alice,B1,subtype,2024-05-01T10:00:00Z,pytorch,"OOM, not a leak",1,,,
        https://github.com/pytorch/pytorch/issues/7,bob,B3,subtype,2024-05-01T10:05:00.250Z,pytorch,,,,,
        https://github.com/pytorch/pytorch/issues/7,bob,B,major,2024-05-01T10:06:00Z,pytorch,,,,,
        https://github.com/pytorch/pytorch/issues/7,final,B1,subtype,2024-05-02T09:00:00Z,pytorch,,,dana,manual,the trace shows the allocator

        """

    /// Everything an export holds comes back from its import: labels, times, frameworks, and what qualifies
    /// them (an annotator's note and unsure flag, who settled a final label, how and why).
    @Test func longRoundTripIsExact() throws {
        let db = try store()
        let summary = try importText(Self.canonicalLong, name: "in.csv", into: db)
        #expect(summary.ratingsAdded == 6 && summary.adjudicationsAdded == 1 && summary.itemsCreated == 3 && summary.annotatorsCreated == 3)
        let exported = try RatingsExporter.export(from: db, format: .long, taxonomy: taxonomy)
        #expect(exported == Self.canonicalLong.replacingOccurrences(of: "\"G2\"", with: "G2"))
        let settled = try db.read { try String.fetchOne($0, sql: "SELECT adjudicator || '|' || method || '|' || rationale FROM adjudication") }
        #expect(settled == "dana|manual|the trace shows the allocator")
        // The labelling screen shows remarks: the note and the flag are there as if typed.
        let remarks = try db.read { try String.fetchAll($0, sql: "SELECT kind || ':' || COALESCE(text, '') FROM annotation_remark ORDER BY id") }
        #expect(remarks == ["note:OOM, not a leak", "unsure:"])
        // Through a second store, and through JSONL and back.
        let second = try store("second.sqlite")
        _ = try importText(exported, name: "again.csv", into: second)
        #expect(try RatingsExporter.export(from: second, format: .long, taxonomy: taxonomy) == exported)
        let jsonl = try RatingsExporter.export(from: db, format: .jsonl, taxonomy: taxonomy)
        #expect(jsonl.contains(#""adjudicator":"dana""#) && jsonl.contains(#""unsure":true"#))
        let third = try store("third.sqlite")
        _ = try importText(jsonl, name: "again.jsonl", into: third)
        #expect(try RatingsExporter.export(from: third, format: .jsonl, taxonomy: taxonomy) == jsonl)
        #expect(try RatingsExporter.export(from: third, format: .long, taxonomy: taxonomy) == exported)
        // Importing the same file again changes nothing.
        let again = try importText(exported, name: "again.csv", into: db)
        #expect(again.ratingsAdded == 0 && again.adjudicationsAdded == 0 && again.ratingsUnchanged == 7)
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM annotation") } == 6)
    }

    /// The current label is the newest row: an older file imported after a newer one must not make its labels
    /// current again (times compared as instants, offsets included), and a rating with no time is taken as now.
    @Test func anOlderFileDoesNotOverrideNewerLabels() throws {
        let db = try store()
        let newer = "item,rater,label,level,time\nI-1,alice,B3,subtype,2024-06-01T10:00:00Z\nI-1,final,B3,subtype,2024-06-02T10:00:00Z\n"
        let older = "item,rater,label,level,time\nI-1,alice,B1,subtype,2024-06-01T11:30:00+02:00\nI-1,final,B1,subtype,2024-05-02T10:00:00Z\n"
        _ = try importText(newer, name: "newer.csv", into: db)
        let summary = try importText(older, name: "older.csv", into: db)
        #expect(summary.ratingsAdded == 0 && summary.adjudicationsAdded == 0 && summary.ratingsOlder == 2)
        #expect(summary.line.contains("2 older than the label standing"))
        let current = try db.read { try String.fetchAll($0, sql: "SELECT label FROM current_annotation UNION ALL SELECT label FROM current_adjudication") }
        #expect(current == ["B3", "B3"])
        // A later rating, or one without a time, does replace it.
        let later = "item,rater,label,level,time\nI-1,alice,D1,subtype,2024-06-01T12:30:00+02:00\nI-1,final,D1,subtype,\n"
        let third = try importText(later, name: "later.csv", into: db)
        #expect(third.ratingsAdded == 1 && third.adjudicationsAdded == 1 && third.ratingsOlder == 0)
        // alice's B3 gave way to D1: said, since the item's agreement changes with it.
        #expect(third.ratingsReplaced == 1 && third.line.contains("1 rating(s) added (1 replacing the annotator's earlier label)"), "\(third.line)")
        let now = try db.read { try String.fetchAll($0, sql: "SELECT label FROM current_annotation UNION ALL SELECT label FROM current_adjudication") }
        #expect(now == ["D1", "D1"])
    }

    /// A label undone since (a retract row) is newer than an older rating: the rating does not come back.
    @Test func anOlderRatingDoesNotReviveAnUndoneLabel() throws {
        let db = try store()
        _ = try importText("item,rater,label,level,time\nI-1,alice,B3,subtype,2024-06-01T10:00:00Z\n", name: "first.csv", into: db)
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO annotation (item_id, annotator_id, level, action, source, created_at)
                SELECT item_id, annotator_id, level, 'retract', 'tui', '2024-06-03T10:00:00.000Z' FROM annotation
                """)
        }
        let summary = try importText("item,rater,label,level,time\nI-1,alice,B1,subtype,2024-06-02T10:00:00Z\n", name: "older.csv", into: db)
        #expect(summary.ratingsOlder == 1 && summary.ratingsAdded == 0)
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM current_annotation") } == 0)
    }

    /// The same ratings imported in another row order export alike (rows follow the item key, not the store's ids).
    @Test func anExportDoesNotDependOnImportOrder() throws {
        let lines = Self.canonicalLong.split(separator: "\n").map(String.init)
        let reversed = ([lines[0]] + lines.dropFirst().reversed()).joined(separator: "\n") + "\n"
        let a = try store("a.sqlite"), b = try store("b.sqlite")
        _ = try importText(Self.canonicalLong, name: "a.csv", into: a)
        _ = try importText(reversed, name: "b.csv", into: b)
        for format in [RatingsFileFormat.long, .wide, .jsonl] {
            #expect(try RatingsExporter.export(from: a, format: format, taxonomy: taxonomy) == RatingsExporter.export(from: b, format: format, taxonomy: taxonomy))
        }
    }

    @Test func wideRoundTripIsExact() throws {
        // Rows in item-key order, as an export writes them.
        let wide = "item,framework,ann1,ann2,final\nX-9,tensorflow,,F1,\nhttps://github.com/onnx/onnx/issues/3,onnx,E1,E2,E1\n"
        let db = try store()
        _ = try importText(wide, name: "w.csv", into: db)
        #expect(try RatingsExporter.export(from: db, format: .wide, taxonomy: taxonomy) == wide)
        let sources = try db.read { try String.fetchAll($0, sql: "SELECT DISTINCT source FROM annotation") }
        #expect(sources == ["import"])
        #expect(try db.read { try String.fetchOne($0, sql: "SELECT method FROM adjudication") } == "import")
    }

    /// A wide export at the major level holds what agreement and statistics read there: subtype labels as their
    /// major types, not only labels given at the major level (which left the raters' columns out).
    @Test func aMajorWideExportMapsSubtypes() throws {
        let db = try store()
        _ = try importText("item,a,b\nw1,A1,A2\nw2,B1,C1\n", name: "w.csv", into: db)
        #expect(try RatingsExporter.export(from: db, format: .wide, level: .major, taxonomy: taxonomy)
                == "item,framework,a,b\nw1,,A,A\nw2,,B,C\n")
        _ = try importText("item,rater,label,level\nw2,final,B2,subtype\nw1,b,E,major\n", name: "f.csv", into: db)
        #expect(try RatingsExporter.export(from: db, format: .wide, level: .major, taxonomy: taxonomy)
                == "item,framework,a,b,final\nw1,,A,E,\nw2,,B,C,B\n")
    }

    /// A file that only mends a note or an unsure flag (the label unchanged) still brings them.
    @Test func aNoteComesInWithAnUnchangedLabel() throws {
        let db = try store()
        _ = try importText("item,rater,label\nI-1,alice,B1\n", name: "a.csv", into: db)
        let again = try importText("item,rater,label,note,unsure\nI-1,alice,B1,look at the trace,1\n", name: "b.csv", into: db)
        #expect(again.ratingsUnchanged == 1 && again.ratingsAdded == 0)
        let remarks = try db.read { try String.fetchAll($0, sql: "SELECT kind || ':' || COALESCE(text, '') FROM annotation_remark ORDER BY id") }
        #expect(remarks == ["note:look at the trace", "unsure:"])
        // An older file's note does not replace the one standing.
        _ = try importText("item,rater,label,time,note\nI-1,alice,B1,2001-01-01T00:00:00Z,an old note\n", name: "c.csv", into: db)
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM annotation_remark") } == 2)
    }

    /// A note on a final label, a rationale on an annotator's, an unknown method: refused with the line.
    @Test func provenanceColumnsAreChecked() throws {
        let db = try store()
        let header = "item,rater,label,note,unsure,adjudicator,method,rationale\n"
        for (row, message) in [("I-1,final,B1,a note,,,,\n", "a final label has no note"),
                               ("I-1,alice,B1,,,,,why\n", "belong to final rows"),
                               ("I-1,final,B1,,,x,vote,\n", "method 'vote' must be one of import, majority, manual"),
                               ("I-1,alice,B1,,maybe,,,\n", "unsure 'maybe' must be 1 or empty")] {
            let error = try #require(throws: RatingsError.self) { _ = try importText(header + row, name: "p.csv", into: db) }
            #expect(error.description.contains(":2: ") && error.description.contains(message), "\(error.description)")
        }
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM annotation") } == 0)
    }

    /// Gitee issue numbers are case-sensitive (`I65G7B` and `i65g7b` are two issues), owner and repository are not.
    @Test func giteeIssueNumbersKeepTheirCase() throws {
        let db = try store()
        _ = try importText("""
            item,a
            https://gitee.com/mindspore/mindspore/issues/I65G7B,A1
            https://gitee.com/mindspore/mindspore/issues/i65g7b,B1
            https://github.com/pytorch/pytorch/issues/1,D1

            """, name: "g.csv", into: db)
        _ = try importText("item,b\nhttps://gitee.com/MindSpore/MindSpore/issues/I65G7B/,C1\nhttps://GitHub.com/PyTorch/pytorch/issues/1,D2\n",
                           name: "g2.csv", into: db)
        let items = try db.read { try String.fetchAll($0, sql: "SELECT key FROM item ORDER BY id") }
        #expect(items == ["https://gitee.com/mindspore/mindspore/issues/I65G7B", "https://gitee.com/mindspore/mindspore/issues/i65g7b",
                          "https://github.com/pytorch/pytorch/issues/1"])
        let labels = try db.read { try String.fetchAll($0, sql: "SELECT item_id || label FROM current_annotation ORDER BY id") }
        #expect(labels == ["1A1", "2B1", "3D1", "1C1", "3D2"])
    }

    @Test func aBadFileImportsNothing() throws {
        let db = try store()
        let good = try RatingsTestSupport.write("item,a,b\nI-1,B1,B1\n", to: folder, name: "good.csv")
        let bad = try RatingsTestSupport.write("item,a,b\nI-2,B1,B2\nI-3,B1\n", to: folder, name: "bad.csv")
        let error = try #require(throws: RatingsError.self) {
            let files = try [good, bad].map { try RatingsFile.read(path: $0, format: nil, taxonomy: taxonomy) }
            _ = try RatingsImporter(store: db, framework: nil).importFiles(files)
        }
        #expect(error.description == "\(bad):3: ragged row: 2 fields, the header has 3")
        let counts = try db.read { db in
            try ["item", "annotation", "annotator", "adjudication"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1 }
        }
        #expect(counts == [0, 0, 0, 0])
    }

    /// Issue `number` of a crawled pytorch/pytorch (id 5, title "CUDA OOM").
    func crawledIssue(_ number: Int, url: String?, in db: DefectLabStore) throws {
        try db.write { db in
            try db.execute(sql: "INSERT INTO tracker (id, kind, api_url) VALUES (1, 'github', 'https://api.github.com')")
            try db.execute(sql: "INSERT INTO repository (id, tracker_id, owner, name, framework) VALUES (1, 1, 'pytorch', 'pytorch', 'pytorch')")
            try db.execute(sql: """
                INSERT INTO issue (id, repository_id, number, title, url, raw_json, fetched_at)
                VALUES (5, 1, ?, 'CUDA OOM', ?, '{}', '2024-01-01T00:00:00Z')
                """, arguments: [String(number), url])
        }
    }

    @Test func itemsLinkToCrawledIssuesAndTakeTheirFramework() throws {
        let db = try store()
        try crawledIssue(101, url: nil, in: db)
        let summary = try importText("item,a,b\nhttps://github.com/pytorch/pytorch/issues/101,B1,B1\nBARE-1,A1,A2\n",
                                     name: "w.csv", into: db, framework: "TensorFlow")
        #expect(summary.itemsLinkedToIssues == 1)
        let items = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT issue_id, framework, title FROM item ORDER BY id").map { row in
                "\(row["issue_id"] as Int64? ?? 0)|\(row["framework"] as String? ?? "-")|\(row["title"] as String? ?? "-")"
            }
        }
        #expect(items == ["5|pytorch|CUDA OOM", "0|tensorflow|-"])
    }

    /// An item drawn before `filter` recorded its repository's framework has none of its own: agreement, stats
    /// and exports take the repository's, as `sample show` does (they put it under "unknown").
    @Test func anItemWithoutAFrameworkTakesItsRepositorys() throws {
        let db = try store()
        try crawledIssue(101, url: "https://github.com/pytorch/pytorch/issues/101", in: db)
        try db.write { db in
            try db.execute(sql: "INSERT INTO item (key, issue_id, framework, created_at) VALUES ('https://github.com/pytorch/pytorch/issues/101', 5, NULL, '2024-01-01T00:00:00Z')")
        }
        _ = try importText("item,a,b\nhttps://github.com/pytorch/pytorch/issues/101,B1,B1\n", name: "w.csv", into: db)
        let ratings = try StoredRatings.load(from: db, level: .subtype, taxonomy: taxonomy)
        #expect(ratings.items.map(\.framework) == ["pytorch"])
        let export = try RatingsExporter.export(from: db, format: .long, level: .subtype, taxonomy: taxonomy)
        #expect(export.split(separator: "\n").dropFirst().allSatisfy { $0.contains(",pytorch,") }, "\(export)")
    }

    /// A URL's framework is its repository's whatever the file says, in a fresh store as in one that crawled it;
    /// a file naming another is said, not taken. A bare id's missing framework is filled in by a later file, and
    /// a bare id's framework already stored is not replaced by a different one.
    @Test func theRepositorysFrameworkWinsAndConflictsAreSaid() throws {
        let db = try store()
        let url = "https://github.com/pytorch/pytorch/issues/157"
        let fresh = try importText("item,rater,label,framework\n\(url),erin,B1,tensorflow\n\(url),fred,B1,tensorflow\n",
                                   name: "fw.csv", into: db)
        #expect(fresh.frameworkConflicts == 1)
        #expect(fresh.frameworkNote?.contains("\(url): tensorflow given, pytorch kept") == true, "\(fresh.frameworkNote ?? "-")")
        #expect(try db.read { try String.fetchOne($0, sql: "SELECT framework FROM item WHERE key = ?", arguments: [url]) } == "pytorch")
        // Bare ids: none at first, filled in later; then a different one is a conflict.
        _ = try importText("item,a,b\nk1,B1,B1\nk2,C1,C1\n", name: "bare.csv", into: db)
        let filled = try importText("item,a,b,framework\nk1,B1,B1,pytorch\nk2,C1,C1,onnx\n", name: "bare2.csv", into: db)
        #expect(filled.frameworksFilledIn == 2 && filled.frameworkConflicts == 0)
        #expect(filled.line.contains("framework filled in for 2 item(s)"))
        let contradicted = try importText("item,a,b\nk1,B1,B1\n", name: "bare3.csv", into: db, framework: "tensorflow")
        #expect(contradicted.frameworkConflicts == 1)
        let frameworks = try db.read { try String.fetchAll($0, sql: "SELECT framework FROM item WHERE key IN ('k1', 'k2') ORDER BY key") }
        #expect(frameworks == ["pytorch", "onnx"])
        // `--framework` is for items whose URL tells none: it contradicts no URL's repository.
        let fallback = try importText("item,a,b\n\(url),B1,B1\n", name: "u.csv", into: db, framework: "mindspore")
        #expect(fallback.frameworkConflicts == 0)
        // A later row of the same import fills what an earlier row left empty.
        let rows = try importText("item,rater,label,framework\ny1,alice,B1,\ny1,bob,B2,pytorch\n", name: "rows.csv", into: db)
        #expect(rows.frameworksFilledIn == 1)
        #expect(try db.read { try String.fetchOne($0, sql: "SELECT framework FROM item WHERE key = 'y1'") } == "pytorch")
        // A URL item stored with another framework than its repository's (an earlier build) is set right.
        try db.write { try $0.execute(sql: "UPDATE item SET framework = 'tensorflow' WHERE key = ?", arguments: [url]) }
        let corrected = try importText("item,rater,label\n\(url),carol,B1\n", name: "c.csv", into: db)
        #expect(corrected.frameworksCorrected == 1 && corrected.frameworkConflicts == 0)
        #expect(try db.read { try String.fetchOne($0, sql: "SELECT framework FROM item WHERE key = ?", arguments: [url]) } == "pytorch")
    }

    /// A final label an export gives without a rationale stays without one through a fresh store; only a bare
    /// final column (no adjudicator or method) gets the import's own.
    @Test func anExportedFinalLabelWithoutARationaleKeepsNone() throws {
        let db = try store()
        let text = """
            item,rater,label,level,time,framework,note,unsure,adjudicator,method,rationale
            S-1,alice,B1,subtype,2024-05-01T10:00:00Z,pytorch,,,,,
            S-1,final,B1,subtype,2024-05-02T09:00:00Z,pytorch,,,dana,manual,

            """
        _ = try importText(text, name: "long.csv", into: db)
        #expect(try db.read { try String?.fetchOne($0, sql: "SELECT rationale FROM adjudication") } == .some(nil))
        #expect(try RatingsExporter.export(from: db, format: .long, taxonomy: taxonomy) == text)
        let wide = try store("wide.sqlite")
        _ = try importText("item,a,b,final\nS-2,B1,B1,B1\n", name: "w.csv", into: wide)
        #expect(try wide.read { try String.fetchOne($0, sql: "SELECT rationale FROM adjudication") } == "imported from w.csv line 2")
    }

    /// A framework's group with one annotator, or none among `--raters`, says agreement is undefined there (not
    /// a method's note about labels that "vary (1–1)").
    @Test func aGroupWithoutTwoLabelsOnAnItemSaysSo() throws {
        let db = try store()
        _ = try importText("""
            item,rater,label
            https://github.com/pytorch/pytorch/issues/1,ann,B1
            https://github.com/pytorch/pytorch/issues/1,ben,B1
            https://github.com/pytorch/pytorch/issues/2,ann,C1
            https://github.com/pytorch/pytorch/issues/2,ben,B1
            https://github.com/tensorflow/tensorflow/issues/3,ann,G1

            """, name: "m.csv", into: db)
        let ratings = try StoredRatings.load(from: db, level: .subtype, taxonomy: taxonomy)
        var options = AgreementReport.Options()
        options.byFramework = true
        options.bootstrapReplicates = 0
        let report = try AgreementReport.build(ratings, taxonomy: taxonomy, options: options)
        let tensorflow = try #require(report.groups.first { $0.name == "tensorflow" })
        #expect(tensorflow.fleiss.method == "none" && tensorflow.fleiss.kappa == nil && tensorflow.fleiss.peBar == nil)
        #expect(tensorflow.notes == ["no item in this group has labels from two annotators at the subtype level (1 item(s) with one label each): agreement is undefined here"])
        #expect(report.groups.first { $0.name == "pytorch" }?.fleiss.method == "fleiss")
        options.raters = ["ben", "ann"]
        let db2 = try store("two.sqlite")
        _ = try importText("item,rater,label\nk1,ann,B1\nk1,ben,B1\nk2,cat,B1\nk2,dan,C1\n", name: "b.csv", into: db2, framework: "onnx")
        _ = try importText("item,rater,label\nk3,cat,B1\nk3,dan,B1\n", name: "c.csv", into: db2, framework: "jax")
        let other = try AgreementReport.build(try StoredRatings.load(from: db2, level: .subtype, taxonomy: taxonomy), taxonomy: taxonomy, options: options)
        #expect(other.groups.first { $0.name == "jax" }?.notes == ["no labelled items in this group at the subtype level from these annotators"])
    }

    /// A framework whose items all lack a label from the source (a tie under majority) has no shares: null in
    /// JSON, empty in CSV, n/a in the table, never zeros that read as measured.
    @Test func aGroupWithNoLabelledItemHasNoShares() throws {
        let db = try store()
        _ = try importText("item,a,b,framework\nt1,B1,C1,onnx\nt2,B1,B1,pytorch\n", name: "tie.csv", into: db)
        let ratings = try StoredRatings.load(from: db, level: .subtype, taxonomy: taxonomy)
        let report = try DistributionReport.build(ratings, taxonomy: taxonomy, source: .majority, byFramework: true)
        let json = try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as? [String: Any]
        let groups = try #require(json?["groups"] as? [[String: Any]])
        let onnx = try #require(groups.first { $0["name"] as? String == "onnx" })
        #expect((onnx["shares"] as? [String: Any])?["B1"] is NSNull)
        let pytorch = try #require(groups.first { $0["name"] as? String == "pytorch" })
        #expect((pytorch["shares"] as? [String: Any])?["B1"] as? Double == 1)
        #expect(report.csv().contains("onnx,B1,0,,"))
        #expect(report.table().contains("B1        0     n/a"), "\(report.table())")
    }

    /// GitHub reads owner and repository without case: an issue written `PyTorch/PyTorch` is the item a sample
    /// made from the crawled `pytorch/pytorch` URL, and two uncrawled writings are one item.
    @Test func anIssueIsOneItemWhateverTheCaseOfItsRepository() throws {
        let db = try store()
        try crawledIssue(101, url: "https://github.com/pytorch/pytorch/issues/101", in: db)
        try db.write { db in
            // What `sample` makes for a crawled issue: the URL as crawled, written as the API gave it.
            try db.execute(sql: """
                INSERT INTO item (id, key, issue_id, framework, created_at)
                VALUES (9, 'https://github.com/pytorch/pytorch/issues/101', 5, 'pytorch', '2024-01-01T00:00:00Z')
                """)
        }
        _ = try importText("item,a\nhttps://github.com/PyTorch/PyTorch/issues/101,B1\nhttps://github.com/Tencent/ncnn/issues/3,A1\n",
                           name: "one.csv", into: db)
        _ = try importText("item,b\nhttps://www.github.com/tencent/NCNN/issues/3/,A2\n", name: "two.csv", into: db)
        let items = try db.read { try String.fetchAll($0, sql: "SELECT id || ' ' || key FROM item ORDER BY id") }
        #expect(items == ["9 https://github.com/pytorch/pytorch/issues/101", "10 https://github.com/Tencent/ncnn/issues/3"])
        let labels = try db.read { try String.fetchAll($0, sql: "SELECT item_id || ' ' || label FROM current_annotation ORDER BY id") }
        #expect(labels == ["9 B1", "10 A1", "10 A2"])
    }

    /// Ratings imported before the crawl: sampling the crawled issue draws the imported item (in whatever case its
    /// URL was written) and links it to the issue, instead of a second item beside it or an item without text.
    @Test func aSampleDrawsTheImportedItemOfACrawledIssue() throws {
        let db = try store()
        _ = try importText("item,a\nhttps://github.com/PyTorch/pytorch/issues/101,B1\n", name: "early.csv", into: db)
        try crawledIssue(101, url: "https://github.com/pytorch/pytorch/issues/101", in: db)
        let summary = try SampleDraw.draw(SampleRequest(name: "s", perFramework: 10, seed: 1, allIssues: true, includeBareItems: true), in: db)
        #expect(summary.total == 1)
        let items = try db.read { try String.fetchAll($0, sql: "SELECT id || ' ' || COALESCE(issue_id, '-') FROM item ORDER BY id") }
        #expect(items == ["1 5"])
        #expect(try db.read { try Int64.fetchAll($0, sql: "SELECT item_id FROM sample_item") } == [1])
    }

    @Test func agreementAndDistributionFromTheStore() throws {
        let db = try store()
        _ = try importText("""
            item,r1,r2,r3,final
            https://github.com/pytorch/pytorch/issues/1,B1,B1,B1,B1
            https://github.com/pytorch/pytorch/issues/2,G2,G4,G2,G2
            https://github.com/tensorflow/tensorflow/issues/3,E1,E1,E2,E1
            https://github.com/tensorflow/tensorflow/issues/4,C1,C2,C2,C2
            https://github.com/tensorflow/tensorflow/issues/5,A3,A3,A3,

            """, name: "w.csv", into: db)
        let ratings = try StoredRatings.load(from: db, level: .subtype, taxonomy: taxonomy)
        var options = AgreementReport.Options()
        options.byFramework = true
        options.bootstrapReplicates = 200
        options.seed = 9
        let report = try AgreementReport.build(ratings, taxonomy: taxonomy, options: options)
        #expect(report.groups.map(\.name) == ["all", "pytorch", "tensorflow"])
        let all = report.groups[0]
        #expect(all.items == 5 && all.raters == 3 && all.fleiss.method == "fleiss")
        #expect(all.cohenPairs.map { "\($0.a)-\($0.b)" } == ["r1-r2", "r1-r3", "r2-r3"])
        // One annotator named twice is not two raters agreeing perfectly.
        var twice = options
        twice.raters = ["r1", "r2", "r1"]
        let error = #expect(throws: RatingsError.self) { try AgreementReport.build(ratings, taxonomy: taxonomy, options: twice) }
        #expect(error?.message.contains("'r1' is named twice") == true)
        #expect(all.perCategory.count == 21)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as? [String: Any])
        #expect(json["level"] as? String == "subtype")
        let group = try #require((json["groups"] as? [[String: Any]])?.first)
        let fleiss = try #require(group["fleiss"] as? [String: Any])
        for key in ["kappa", "p_bar", "pe_bar", "se0", "z", "p", "ci", "band"] { #expect(fleiss[key] != nil, "missing fleiss.\(key)") }
        #expect((fleiss["ci"] as? [Double])?.count == 2)
        for key in ["per_category", "randolph", "krippendorff_alpha", "gwet_ac1", "cohen_pairs", "items", "raters"] {
            #expect(group[key] != nil, "missing \(key)")
        }
        // Major level maps subtype labels to their majors: G2/G4 now agree.
        let major = try AgreementReport.build(try StoredRatings.load(from: db, level: .major, taxonomy: taxonomy),
                                              taxonomy: taxonomy, options: options)
        #expect(major.groups[0].perCategory.count == 7)
        #expect(major.groups[0].fleiss.kappa! > all.fleiss.kappa!)

        let final = try DistributionReport.build(ratings, taxonomy: taxonomy, source: .final, byFramework: true)
        #expect(final.groups[0].total == 4 && final.groups[0].unlabelled == 1)
        #expect(final.groups.map(\.name) == ["all", "pytorch", "tensorflow"])
        let majority = try DistributionReport.build(ratings, taxonomy: taxonomy, source: .majority, byFramework: false)
        #expect(majority.groups[0].counts.first { $0.0 == "A3" }?.1 == 1 && majority.groups[0].total == 5)
        let rater = try DistributionReport.build(ratings, taxonomy: taxonomy, source: .rater("r2"), byFramework: false)
        #expect(rater.groups[0].counts.first { $0.0 == "G4" }?.1 == 1)
        #expect(rater.studyShare(of: "E2")?.key == "E2+E3")
        #expect(throws: RatingsError.self) { try DistributionReport.build(ratings, taxonomy: taxonomy, source: .rater("nobody"), byFramework: false) }
        #expect(DistributionChartSVG.escape("tf\u{1B}]0;x\u{07}<b>\u{FFFE}") == "tf]0;x&lt;b&gt;")
        let svg = DistributionChartSVG.render(final)
        #expect(svg.hasPrefix("<svg") && svg.contains("E2+E3") && svg.hasSuffix("</svg>\n"))
        #expect(final.csv().split(separator: "\n").count == 1 + 21 * 3)
    }

    /// An annotator's current label at a level is their newest one that speaks to it: a subtype given after a
    /// major label replaces it at the major level too, a bare major label given after a subtype withdraws the
    /// subtype unless it agrees; the same for adjudicated labels, and for the tallies adjudication reads.
    @Test func theNewestLabelIsCurrentAcrossLevels() throws {
        let db = try store()
        _ = try importText("""
            item,rater,label,level,time
            v1,a,C,major,2025-01-01T00:00:00Z
            v1,a,B1,subtype,2025-01-02T00:00:00Z
            v1,b,B1,subtype,2025-01-01T00:00:00Z
            v2,a,A1,subtype,2025-01-03T00:00:00Z
            v2,a,C,major,2025-01-02T00:00:00Z
            v2,b,A1,subtype,2025-01-01T00:00:00Z
            v3,a,D1,subtype,2025-01-01T00:00:00Z
            v3,a,E,major,2025-01-02T00:00:00Z
            v3,b,D2,subtype,2025-01-01T00:00:00Z
            v3,b,D,major,2025-01-02T00:00:00Z
            v1,final,A1,subtype,2025-01-04T00:00:00Z
            v1,final,B,major,2025-01-03T00:00:00Z

            """, name: "levels.csv", into: db, framework: "pytorch")
        let major = try StoredRatings.load(from: db, level: .major, taxonomy: taxonomy)
        #expect(major.items.map(\.labels) == [["a": "B", "b": "B"], ["a": "A", "b": "A"], ["a": "E", "b": "D"]])
        #expect(major.items[0].final == "A", "the subtype final is newer than the major one")
        let subtype = try StoredRatings.load(from: db, level: .subtype, taxonomy: taxonomy)
        // v3: a's newer E withdraws D1; b's newer D confirms D2.
        #expect(subtype.items.map(\.labels) == [["a": "B1", "b": "B1"], ["a": "A1", "b": "A1"], ["b": "D2"]])
        #expect(subtype.majorOnlyLabels == ["pytorch": 1])
        let report = try AgreementReport.build(subtype, taxonomy: taxonomy, options: AgreementReport.Options())
        #expect(report.groups[0].notes.contains { $0.hasPrefix("1 major-only label(s) left out at the subtype level") })
        let tallies = try AdjudicationQueue.tallies(level: .major, sample: nil, taxonomy: taxonomy, in: db)
        #expect(tallies.map { $0.counts.map(\.label) } == [["B"], ["A"], ["D", "E"]])
    }

    /// The bootstrap resamples items by position: the same ratings imported in another row order give the same
    /// interval for a seed.
    @Test func theIntervalDoesNotDependOnImportOrder() throws {
        var rows: [String] = []
        let labels = ["A1", "B1", "C1", "D1"]
        for i in 0..<40 {
            for (r, rater) in ["x", "y", "z"].enumerated() {
                rows.append("i\(i),\(rater),\(labels[(i * (r + 1) / 3 + (i % 5 == 0 ? r : 0)) % 4])")
            }
        }
        var shuffled = rows
        var state: UInt64 = 7
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            shuffled.swapAt(i, Int((state >> 33) % UInt64(i + 1)))
        }
        var options = AgreementReport.Options()
        options.bootstrapReplicates = 300
        func interval(_ lines: [String], _ name: String) throws -> [Double?] {
            let db = try store(name)
            _ = try importText("item,rater,label\n" + lines.joined(separator: "\n") + "\n", name: name + ".csv", into: db)
            return try AgreementReport.build(try StoredRatings.load(from: db, level: .subtype, taxonomy: taxonomy),
                                             taxonomy: taxonomy, options: options).groups[0].fleiss.ci
        }
        let ordered = try interval(rows, "ordered"), other = try interval(shuffled, "shuffled")
        #expect(ordered[0] != nil && ordered == other)
    }

    /// With no item labelled twice there is no agreement to compute: an error that says so, not a table of n/a.
    @Test func agreementNeedsAnItemLabelledTwice() throws {
        let db = try store()
        _ = try importText("item,r1,r2\nc1,A1,\nc2,,B1\nc3,C1,\n", name: "single.csv", into: db)
        let error = #expect(throws: RatingsError.self) {
            try AgreementReport.build(try StoredRatings.load(from: db, level: .subtype, taxonomy: taxonomy), taxonomy: taxonomy,
                                      options: AgreementReport.Options())
        }
        #expect(error?.message.hasPrefix("no item has labels from two annotators at the subtype level (3 item(s)") == true)
    }

    /// A label given under an edited taxonomy with a subtype this one lacks is left out, and said, not lost in
    /// silence from agreement, distributions and exports.
    @Test func labelsTheTaxonomyDoesNotKnowAreSaid() throws {
        let db = try store()
        _ = try importText("item,a,b\nu1,B1,B1\nu2,C1,C2\n", name: "u.csv", into: db)
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO annotation (item_id, annotator_id, level, action, label, unsure, source, created_at)
                SELECT item_id, annotator_id, 'subtype', 'label', 'G6', 0, 'import', '2099-01-01T00:00:00Z' FROM annotation WHERE label = 'C2'
                """)
        }
        for level in LabelLevel.allCases {
            let ratings = try StoredRatings.load(from: db, level: level, taxonomy: taxonomy)
            #expect(ratings.unknownLabels == ["G6": 1], "\(level)")
            #expect(ratings.unknownLabelsNote?.hasPrefix("1 stored label(s) the taxonomy in use does not know (G6 ×1) are left out") == true)
            #expect(ratings.items.map(\.labels.count) == [2, 1])
        }
    }
}
