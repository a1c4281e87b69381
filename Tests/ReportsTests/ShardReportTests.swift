import Foundation
import Testing

/// The README's scale-out flow in miniature: two shards into their own databases, `merge`, then one report
/// over both shard campaigns.
@Suite struct ShardReportTests {
    @Test func mergedShardsReportAsOneCampaign() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var shards: [String] = []
        for i in 0..<2 {
            let db = folder.appendingPathComponent("shard-\(i).sqlite").path
            let run = try ReportsTestSupport.defectlab(["fuzz", "--seeds", "lenet5", "--frameworks", "reference,faulty", "--plant", "Pad=crash",
                                                        "--ops", "SM,InsNorm", "--budget", "30", "--guidance", "random", "--seed", "5",
                                                        "--shard", "\(i)/2", "--db", db])
            try #require(run.status == 0, "\(run.stderr)")
            shards.append(db)
        }
        let all = folder.appendingPathComponent("all.sqlite").path
        // A mistyped or empty shard in the list is said before anything is merged (the store was made and held
        // the shards before it, and the message blamed --db).
        let empty = folder.appendingPathComponent("empty.sqlite").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        for (bad, status, says) in [("nofile.sqlite", Int32(64), "shard database nofile.sqlite: no such file"), (empty, Int32(1), "not a DefectLab database")] {
            let refused = try ReportsTestSupport.defectlab(["merge", shards[0], bad, "--db", all])
            #expect(refused.status == status && refused.stderr.contains(says) && !refused.stderr.contains("pass --db"), "\(refused.status) \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: all), "merged part of the list")
        }
        let merge = try ReportsTestSupport.defectlab(["merge"] + shards + ["--db", all])
        try #require(merge.status == 0, "\(merge.stderr)")
        let out = folder.appendingPathComponent("rep")
        let report = try ReportsTestSupport.defectlab(["report", "--no-fold", "--campaign", "all", "--out", out.path, "--db", all])
        try #require(report.status == 0, "\(report.stderr)")
        #expect(ReportsTestSupport.files(in: out) == ["campaigns-1-to-2-junit.xml", "campaigns-1-to-2.html", "campaigns-1-to-2.json", "campaigns-1-to-2.md"])
        let json = try ReportsTestSupport.read(out.appendingPathComponent("campaigns-1-to-2.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["campaign_ids"] as? [Int] == [1, 2])
        #expect(object["mutants"] as? Int == 30)
        let xml = try ReportsTestSupport.read(out.appendingPathComponent("campaigns-1-to-2-junit.xml"))
        let errors = JUnitReportTests.schema.validate(xml)
        #expect(errors.isEmpty, "\(errors)")
        let html = try ReportsTestSupport.read(out.appendingPathComponent("campaigns-1-to-2.html"))
        #expect(html.contains("<h1>DefectLab campaigns 1, 2 (fuzz)</h1>") && html.contains("2 campaigns of 2 shard(s)"))
        // Every campaign's configuration and shard, not the first one's as the whole run's.
        #expect(html.contains("config_json of campaign 1 (seed 5, shard 0/2)") && html.contains("config_json of campaign 2 (seed 5, shard 1/2)"))
        let md = try ReportsTestSupport.read(out.appendingPathComponent("campaigns-1-to-2.md"))
        #expect(md.contains("### campaign 1 (seed 5, shard 0/2)") && md.contains("### campaign 2 (seed 5, shard 1/2)"))
        #expect(xml.contains("<property name=\"shard\" value=\"0/2,1/2\"/>"), "\(xml.prefix(900))")
        #expect(((object["campaign"] as? [String: Any])?["campaigns"] as? [Any])?.count == 2)
    }

    /// A shard that is an empty file (a copy off a volume that failed) or another program's database is not
    /// "merged, 0 campaigns": it is refused, and the target is left as it was.
    @Test func anEmptyOrForeignShardIsRefused() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty.sqlite").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let foreign = folder.appendingPathComponent("foreign.sqlite").path
        let sqlite = try ReportsTestSupport.run("/usr/bin/env", ["python3", "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t(x)'); c.commit()", foreign])
        try #require(sqlite.status == 0, "\(sqlite.stderr)")
        let target = folder.appendingPathComponent("all.sqlite").path
        for (shard, reason) in [(empty, "an empty file"), (foreign, "none of its tables")] {
            let merge = try ReportsTestSupport.defectlab(["merge", shard, "--db", target])
            #expect(merge.status == 1 && merge.stderr.contains("not a DefectLab database (\(reason))"), "\(merge.status) \(merge.stderr)")
        }
        #expect((try? FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int) == 0, "the empty shard was written to")
    }
}
