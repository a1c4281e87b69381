import Foundation
import GRDB
import Reports
import Store
import Taxonomy
import Testing

/// `defectlab report coverage` on a store holding labelled issues (imported ratings) and campaign defects.
@Suite struct CoverageReportTests {
    /// Six issues: I-1 majority G2; I-2 adjudicated B1; I-3 majority F1; I-4 a three-way tie (left out);
    /// I-5 adjudicated B1 over a C1 majority; I-6 A1 from two of two annotators.
    static let ratings = "item,a,b,c,final\nI-1,G2,G2,G2,\nI-2,B1,B1,B2,B1\nI-3,F1,F1,C1,\nI-4,A1,A2,A3,\nI-5,B1,C1,C1,B1\nI-6,A1,A1,,\n"

    @Test func minedBesideFuzzedOnAKnownFixture() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (db, _, _) = try ReportsTestSupport.campaignWithDefects(in: folder)
        try Self.ratings.write(to: folder.appendingPathComponent("r.csv"), atomically: true, encoding: .utf8)
        let imported = try ReportsTestSupport.defectlab(["ratings", "import", "r.csv", "--framework", "pytorch", "--db", db], in: folder)
        try #require(imported.status == 0, "\(imported.stderr)")
        // A second unique defect the fuzzer found in E1 (a subtype no labelled issue has).
        let store = try DefectLabStore.open(path: db, mode: .mustExist)
        try store.write { db in
            try db.execute(sql: """
                INSERT INTO defect (signature, subtype, symptom, frameworks, op, title, first_seen, last_seen, updated_at)
                VALUES ('slow|E1', 'E1', 'slowdown', 'faulty', 'Conv', 'slow Conv', 'x', 'x', 'x')
                """)
        }
        let (f1, g2) = try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_finding WHERE subtype = 'F1'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_finding WHERE subtype = 'G2'")!)
        }
        #expect(f1 > 0 && g2 > 0)

        let result = try ReportsTestSupport.defectlab(["report", "coverage", "--no-fold", "--format", "json", "--db", db], in: folder)
        try #require(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["mined_total"] as? Int == 5 && object["mined_tied"] as? Int == 1)
        #expect(object["defect_total"] as? Int == 2 && object["finding_total"] as? Int == f1 + g2)
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.count == 21)
        func row(_ id: String) -> [String: Any] { rows.first { $0["subtype"] as? String == id } ?? [:] }
        #expect(row("B1")["mined"] as? Int == 2 && row("B1")["mined_share"] as? Double == 0.4)
        #expect(row("C1")["mined"] as? Int == 0, "adjudication overrides the majority")
        #expect(row("A1")["mined"] as? Int == 1 && row("G2")["mined"] as? Int == 1 && row("F1")["mined"] as? Int == 1)
        #expect(row("G2")["defects"] as? Int == 1 && row("G2")["defect_share"] as? Double == 0.5 && row("G2")["findings"] as? Int == g2)
        #expect(row("F1")["defects"] as? Int == 0 && row("F1")["findings"] as? Int == f1 && row("F1")["reached"] as? Bool == true)
        #expect(row("E1")["defects"] as? Int == 1 && row("E1")["mined"] as? Int == 0)
        #expect(object["reached"] as? [String] == ["E1", "F1", "G2"])
        #expect(object["missed_user_reported"] as? [String] == ["A1", "B1"])
        #expect(object["fuzzer_only"] as? [String] == ["E1"])
        #expect((object["never_reached"] as? [String])?.count == 18)

        let table = try ReportsTestSupport.defectlab(["report", "coverage", "--no-fold", "--db", db], in: folder)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("mined: 5 labelled issues (1 tied, left out); fuzzed: 2 unique defects"))
        #expect(table.stdout.contains("B1       2   40.0%        0    0.0%"))
        #expect(table.stdout.contains("reported by users, never reached by the fuzzer (2): A1 B1"))
        let md = try ReportsTestSupport.defectlab(["report", "coverage", "--no-fold", "--format", "md", "--db", db], in: folder)
        #expect(md.status == 0 && md.stdout.contains("| G2 | Crash during training or inference | 1 | 20.0% | 1 | 50.0% | \(g2) | yes |"))
    }

    /// A `--auto majority` decision that relabelling overturned is no final label here either (it was counted:
    /// the coverage read the raw adjudication table); the item, now a tie, is left out as `stats` leaves it.
    @Test func anOverturnedMajorityDecisionIsNotMined() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("c.sqlite").path
        try "item,rater,label,time\nI-1,a,B1,2026-01-01T00:00:00Z\nI-1,b,B1,2026-01-01T00:00:00Z\nI-1,c,B2,2026-01-01T00:00:00Z\nI-2,a,D1,2026-01-01T00:00:00Z\nI-2,b,D1,2026-01-01T00:00:00Z\n"
            .write(to: folder.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        try "item,rater,label,time\nI-1,a,B3,2026-02-01T00:00:00Z\n".write(to: folder.appendingPathComponent("b.csv"), atomically: true, encoding: .utf8)
        for step in [["ratings", "import", "a.csv", "--framework", "pytorch"], ["adjudicate", "--auto", "majority"], ["ratings", "import", "b.csv"]] {
            let r = try ReportsTestSupport.defectlab(step + ["--db", db], in: folder)
            try #require(r.status == 0, "\(step): \(r.stderr)")
        }
        let result = try ReportsTestSupport.defectlab(["report", "coverage", "--format", "json", "--db", db], in: folder)
        try #require(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["mined_total"] as? Int == 1 && object["mined_tied"] as? Int == 1, "\(result.stdout.prefix(400))")
    }

    @Test func anEmptyStoreHasNoSharesNotZerosOrNaN() throws {
        let taxonomy = try TaxonomyCatalog(directory: ReportsTestSupport.packageRoot.appendingPathComponent("Taxonomy")).loadTaxonomy()
        let report = CoverageReport.build(taxonomy: taxonomy, mined: [:], tied: 0, defects: [:], findings: [:])
        #expect(report.rows.allSatisfy { $0.minedShare == nil && $0.defectShare == nil && !$0.reached })
        #expect(report.neverReached.count == 21 && report.reached.isEmpty)
        #expect(try report.json().contains(#""defect_share" : null"#))
        #expect(report.table().contains("B1       0     n/a        0     n/a"), "\(report.table())")
        let unknown = CoverageReport.build(taxonomy: taxonomy, mined: ["Z9": 4, "B1": 1], tied: 0, defects: ["Z9": 2], findings: [:])
        #expect(unknown.minedTotal == 1 && unknown.defectTotal == 0)
    }
}
