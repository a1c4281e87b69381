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
    }
}
