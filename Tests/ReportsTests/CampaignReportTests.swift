import Foundation
import GRDB
import Reports
import Store
import Testing

/// `defectlab report --campaign ...` end to end: a real campaign, defects folded with SQL, every format.
@Suite struct CampaignReportTests {
    /// The Markdown with every fenced code block removed (a fence closes at a line of at least as many backticks).
    static func outsideFences(_ md: String) -> String {
        var out: [Substring] = [], fence: Int?
        for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
            let ticks = line.prefix { $0 == "`" }.count
            if let open = fence {
                if ticks >= open && line.dropFirst(ticks).allSatisfy({ $0 == " " }) { fence = nil }
            } else if ticks >= 3 {
                fence = ticks
            } else {
                out.append(line)
            }
        }
        return out.joined(separator: "\n")
    }

    /// The legal rate counts the mutants that were judged, as the campaign's progress line does: skipped
    /// duplicates and steps with no applicable edit are not illegal.
    @Test func legalRateIsOverJudgedMutants() {
        #expect(RoundPoint.legalRate(["legal": 5, "duplicate": 5, "inapplicable": 2, "invalid": 1]) == 1)
        #expect(RoundPoint.legalRate(["legal": 5, "illegal": 1, "guarded": 1, "duplicate": 9]) == 5.0 / 7)
        #expect(RoundPoint.legalRate(["duplicate": 3]) == 0)
    }

    @Test func everyFormatCarriesTheCampaignAndItsDefects() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (db, defect, _) = try ReportsTestSupport.campaignWithDefects(in: folder)
        let out = folder.appendingPathComponent("rep")
        let result = try ReportsTestSupport.defectlab(["report", "--no-fold", "--campaign", "latest", "--out", out.path, "--format", "html,md,json,junit", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(ReportsTestSupport.files(in: out) == ["campaign-1-junit.xml", "campaign-1.html", "campaign-1.json", "campaign-1.md"])
        #expect(result.stdout.contains("campaign 1: 40 mutants"))

        // JSON: stable snake_case keys, the numbers the store holds.
        let json = try ReportsTestSupport.read(out.appendingPathComponent("campaign-1.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["campaign", "campaign_ids", "mutants", "status_counts", "raw_findings", "unique_defects", "unfolded_findings", "round_size",
                                     "rounds", "by_subtype", "by_framework", "by_operator", "defects", "unfolded", "framework_runs"])
        // How each framework's runs ended, over the mutants it was given (a capability gap hid behind "0 findings").
        let runs = try #require(object["framework_runs"] as? [String: [String: Int]])
        let ranOnReference = try DefectLabStore.open(path: db, mode: .mustExist).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mutant WHERE frameworks_json LIKE '%\"reference\"%'")!
        }
        #expect(Set(runs.keys) == ["reference", "faulty"] && runs["reference"]?.values.reduce(0, +) == ranOnReference && ranOnReference > 0, "\(runs)")
        let store = try DefectLabStore.open(path: db, mode: .mustExist)
        let (raw, g2, mutants) = try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_finding")!, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_finding WHERE subtype = 'G2'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mutant")!)
        }
        #expect(object["mutants"] as? Int == mutants && mutants == 40)
        #expect(object["raw_findings"] as? Int == raw)
        #expect(object["unique_defects"] as? Int == 1)
        #expect(object["unfolded_findings"] as? Int == raw - g2)
        let campaign = try #require(object["campaign"] as? [String: Any])
        #expect(campaign["seed"] as? Int == 3 && campaign["frameworks"] as? [String] == ["reference", "faulty"])
        let rounds = try #require(object["rounds"] as? [[String: Any]])
        // A round counts the mutants made and judged; one that made none has no legal rate or throughput.
        let judged = try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM mutant WHERE status IN ('legal', 'illegal', 'guarded')")! }
        #expect(rounds.count == 4 && rounds.map { $0["mutants"] as? Int ?? 0 }.reduce(0, +) == judged)
        #expect(rounds.allSatisfy { r in
            (r["mutants"] as? Int ?? 0) == 0 ? r["legal_rate"] == nil && r["throughput"] == nil
                : (r["legal_rate"] as? Double).map { (0...1).contains($0) } == true && r["throughput"] is Double
        })
        let defects = try #require(object["defects"] as? [[String: Any]])
        let d = try #require(defects.first)
        #expect(d["id"] as? Int == Int(defect) && d["subtype"] as? String == "G2" && d["campaign_findings"] as? Int == g2)
        #expect(d["reduced_nodes"] as? Int == 2 && d["kind"] as? String == "interface" && d["reduced_graph_bytes"] as? Int == 15)
        #expect(d["first_operator"] as? String != nil && d["subtype_name"] as? String == "Crash during training or inference")
        let bySubtype = try #require(object["by_subtype"] as? [[String: Any]])
        #expect(bySubtype.map { $0["key"] as? String ?? "" } == ["F1", "G2"])
        #expect(bySubtype.map { $0["defects"] as? Int ?? -1 } == [0, 1])
        let reproducer = try #require(d["reproducer"] as? [String: Any])
        let files = try #require(reproducer["files"] as? [[String: Any]])
        // Bug report first, then scripts; the symbolic link to /etc/passwd is never read.
        #expect(files.map { $0["name"] as? String ?? "" } == ["bug-report.md", "repro_faulty.py", "model/graph.json", "weights.safetensors"])
        #expect(files[3]["text"] == nil && (files[3]["link"] as? String)?.hasSuffix("repro/defect%201/weights.safetensors") == true)
        #expect(!json.contains("root:x:0"))

        // Markdown: GFM tables, the defect section, the reproducer inlined in a fence.
        let md = try ReportsTestSupport.read(out.appendingPathComponent("campaign-1.md"))
        #expect(md.contains("| subtype | name | unique defects | raw findings |\n| --- | --- | --- | --- |\n| F1 | Output inconsistency | 0 |"))
        #expect(md.contains("### Defect \(defect): Pad crashes &lt;b&gt;faulty&lt;/b&gt; &amp; more"))
        #expect(md.contains("```python\nimport numpy as np\n"))
        // Inside <details> Markdown escapes are shown as typed: the file name is HTML-escaped, not backslashed.
        #expect(md.contains("<details><summary>repro_faulty.py ("), "\(md)")
        #expect(!Self.outsideFences(md).contains("<script") && !Self.outsideFences(md).contains("<img"))

        // The HTML holds the reproducer's scripts inline, each in <details><pre>.
        let html = try ReportsTestSupport.read(out.appendingPathComponent("campaign-1.html"))
        #expect(html.contains("<details><summary><code>repro_faulty.py</code>"))
        #expect(html.contains("<svg") && html.contains("Per HP taxonomy subtype") && html.contains("G2 Crash during training or infer"))
        #expect(html.contains("<th>runs per framework</th><td>reference \(runs["reference"]?["ok"] ?? -1) ok"), "\(html.prefix(4000))")
        #expect(md.contains("| runs per framework | reference "), "\(md.prefix(3000))")
        #expect(!html.contains("root:x:0"))
    }

    /// Stored text is hostile: nothing of it may survive as markup in HTML, Markdown or XML.
    @Test func storedTextIsEscapedEverywhere() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (db, _, _) = try ReportsTestSupport.campaignWithDefects(in: folder)
        let out = folder.appendingPathComponent("rep")
        let result = try ReportsTestSupport.defectlab(["report", "--no-fold", "--out", out.path, "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try ReportsTestSupport.read(out.appendingPathComponent("campaign-1.html"))
        #expect(!html.contains("<script"), "a <script> from the store reached the HTML")
        #expect(!html.contains("<img"), "an <img> from the store reached the HTML")
        #expect(!html.contains("<b>faulty</b>"))
        #expect(!html.contains("\u{0}") && !html.contains("\u{1B}"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &#39;quoted&#39;"))
        #expect(html.contains("&lt;/pre&gt;&lt;script&gt;bad()&lt;/script&gt;"), "the reproducer script is inlined, escaped")
        #expect(try !HTMLChecks.hasExternalReference(html))
        #expect(html.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        let xml = try ReportsTestSupport.read(out.appendingPathComponent("campaign-1-junit.xml"))
        #expect(!xml.contains("<script") && !xml.contains("<img") && !xml.contains("\u{0}"))
        #expect(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x"))
        // Markdown: markup only inside code fences, which GitHub shows as text.
        let md = try ReportsTestSupport.read(out.appendingPathComponent("campaign-1.md"))
        #expect(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;\"&gt;&lt;img src=x"))
        #expect(!Self.outsideFences(md).contains("<script") && !Self.outsideFences(md).contains("<img"))
    }

    @Test func latestIsTheNewestCampaignAndUnknownOnesAreClearErrors() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (db, _, _) = try ReportsTestSupport.campaignWithDefects(in: folder)
        let second = try ReportsTestSupport.defectlab(["fuzz", "--seeds", "lenet5", "--frameworks", "reference", "--budget", "12", "--seed", "9", "--db", db])
        #expect(second.status == 0, "\(second.stderr)")
        let out = folder.appendingPathComponent("latest")
        let latest = try ReportsTestSupport.defectlab(["report", "--no-fold", "--campaign", "latest", "--out", out.path, "--format", "json", "--db", db])
        #expect(latest.status == 0, "\(latest.stderr)")
        #expect(ReportsTestSupport.files(in: out) == ["campaign-2.json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ReportsTestSupport.read(out.appendingPathComponent("campaign-2.json")).utf8)) as? [String: Any])
        #expect(object["mutants"] as? Int == 12 && object["unique_defects"] as? Int == 0)

        let byID = try ReportsTestSupport.defectlab(["report", "--no-fold", "--campaign", "1", "--out", out.path, "--format", "md", "--db", db])
        #expect(byID.status == 0 && ReportsTestSupport.files(in: out) == ["campaign-1.md", "campaign-2.json"])

        let unknown = try ReportsTestSupport.defectlab(["report", "--no-fold", "--campaign", "77", "--out", out.path, "--db", db])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no campaign 77 in") && unknown.stderr.contains("(campaigns: 1, 2)"), "\(unknown.stderr)")
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        let junk = try ReportsTestSupport.defectlab(["report", "--no-fold", "--campaign", "newest", "--db", db])
        #expect(junk.status != 0 && junk.stderr.contains("--campaign must be a campaign id"))
        let both = try ReportsTestSupport.defectlab(["report", "--no-fold", "--campaign", "2,1", "--out", out.path, "--format", "json", "--db", db])
        #expect(both.status == 0 && both.stdout.hasPrefix("campaigns 1, 2: 52 mutants"), "\(both.stdout) \(both.stderr)")
        #expect(ReportsTestSupport.files(in: out).contains("campaigns-1-to-2.json"))
        let format = try ReportsTestSupport.defectlab(["report", "--no-fold", "--format", "pdf", "--db", db])
        #expect(format.status != 0 && format.stderr.contains("unknown format 'pdf'"))

        let empty = folder.appendingPathComponent("empty.sqlite").path
        _ = try DefectLabStore.open(path: empty)
        let none = try ReportsTestSupport.defectlab(["report", "--no-fold", "--db", empty])
        #expect(none.status != 0 && none.stderr.contains("no campaigns in"))
        let missing = try ReportsTestSupport.defectlab(["report", "--no-fold", "--db", folder.appendingPathComponent("nope.sqlite").path])
        #expect(missing.status != 0 && !FileManager.default.fileExists(atPath: folder.appendingPathComponent("nope.sqlite").path))
    }

    /// The report writes only inside --out: an existing file is refused, a folder is created, a symbolic
    /// link planted at a report's name is replaced rather than written through, and the default folder is
    /// Reports/campaign-<id> under the working directory.
    @Test func writesOnlyInsideTheOutputFolder() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (db, _, _) = try ReportsTestSupport.campaignWithDefects(in: folder)
        let file = folder.appendingPathComponent("taken.txt")
        try "keep me".write(to: file, atomically: true, encoding: .utf8)
        let refused = try ReportsTestSupport.defectlab(["report", "--no-fold", "--out", file.path, "--db", db])
        #expect(refused.status != 0 && refused.stderr.contains("is an existing file"))
        #expect(try ReportsTestSupport.read(file) == "keep me")

        let out = folder.appendingPathComponent("deep/er/rep")
        let victim = folder.appendingPathComponent("victim.html")
        try "untouched".write(to: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("campaign-1.html").path, withDestinationPath: victim.path)
        let made = try ReportsTestSupport.defectlab(["report", "--no-fold", "--out", out.path, "--format", "html", "--db", db])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try ReportsTestSupport.read(victim) == "untouched")
        let attributes = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("campaign-1.html").path)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)

        let cwd = folder.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
        let byDefault = try ReportsTestSupport.defectlab(["report", "--no-fold", "--format", "json,junit", "--db", db], in: cwd)
        #expect(byDefault.status == 0, "\(byDefault.stderr)")
        #expect(ReportsTestSupport.files(in: cwd.appendingPathComponent("Reports/campaign-1")) == ["campaign-1-junit.xml", "campaign-1.json"])
        #expect(ReportsTestSupport.files(in: cwd) == ["Reports"])

        // Names are checked before any write, whatever asks for them.
        let target = try ReportFolder(path: folder.appendingPathComponent("safe").path)
        for bad in ["../escape.html", "/etc/x", ".hidden", "a/b.html", "", "x\u{0}y"] {
            #expect(throws: ReportError.self) { try target.write("x", name: bad) }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("escape.html").path))
    }

    /// What writers killed part-way left (staging files and folders of processes that are gone) is swept by the
    /// next writer of the name; a folder moved aside whose replacement never arrived is put back; a live
    /// process's staging is left alone; a report write leaves nothing but the report.
    @Test func staleStagingIsSweptAndAMovedAsideFolderRestored() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fm = FileManager.default
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = gone.processIdentifier
        func make(_ name: String, folderWith file: String? = nil) throws {
            let url = folder.appendingPathComponent(name)
            if let file {
                try fm.createDirectory(at: url, withIntermediateDirectories: true)
                try Data("x".utf8).write(to: url.appendingPathComponent(file))
            } else {
                try Data("half".utf8).write(to: url)
            }
        }
        try make(".r.md.partial-\(dead)")
        try make(".D1.previous-\(dead)", folderWith: "bug-report.md")
        try make(".D2.partial-\(dead)", folderWith: "input_0.npy")
        let live = StagingSweep.partial("D2")
        try make(live, folderWith: "input_0.npy")
        // This host's dead writer is swept; another host's is not judged by a pid of this one.
        let thisHost = String(live.dropFirst(".D2.partial-".count).dropLast("\(getpid())".count))
        try make(".D3.partial-\(thisHost)\(dead)", folderWith: "input_0.npy")
        try make(".D3.partial-other_host.example-\(dead)", folderWith: "input_0.npy")
        let target = try ReportFolder(path: folder.path)
        try target.write("# report\n", name: "r.md")
        StagingSweep.sweep("D1", in: folder)
        StagingSweep.sweep("D2", in: folder)
        StagingSweep.sweep("D3", in: folder)
        #expect(ReportsTestSupport.files(in: folder).sorted() == [live, ".D3.partial-other_host.example-\(dead)", "D1", "r.md"].sorted(),
                "\(ReportsTestSupport.files(in: folder))")
        #expect(fm.fileExists(atPath: folder.appendingPathComponent("D1/bug-report.md").path))
        #expect(try String(contentsOf: folder.appendingPathComponent("r.md"), encoding: .utf8) == "# report\n")
    }
}

