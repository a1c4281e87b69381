import Crawl
import Foundation
import GRDB
import Store
import Testing

/// End to end: the real `defectlab` against the real `tracker-sim` over loopback.
@Suite(.serialized)
struct CrawlEndToEndTests {
    @Test func fullCrawlStoresExactlyTheTruth() throws {
        let sim = try Simulator(["--seed", "7", "--github", "pytorch/pytorch=2500", "--gitee", "mindspore/mindspore=1200"])
        let db = temporaryDatabase()
        let gh = try sim.crawl("github", "pytorch/pytorch", db: db)
        #expect(gh.status == 0, "\(gh.stderr)")
        let ge = try sim.crawl("gitee", "mindspore/mindspore", db: db)
        #expect(ge.status == 0, "\(ge.stderr)")
        #expect(try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: false) == [])
        #expect(try differences(db: db, sim: sim, repo: "mindspore/mindspore", comments: false) == [])
        // PRs were listed but not stored; raw JSON and plain-text bodies are kept.
        let store = try DefectLabStore.open(path: db, mode: .mustExist)
        let counts = try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM issue WHERE raw_json LIKE '%pull_request%'") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM issue WHERE body LIKE '%<p>%' AND body_text NOT LIKE '%<p>%' AND body_text LIKE '%Reproduce%'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM issue WHERE length(body) > 65000") ?? 0)
        }
        #expect(counts.0 == 0)
        #expect(counts.1 > 0)
        #expect(counts.2 > 0)
        // 3,700 issues (+500 PRs) at 100 a page: about 43 pages and 2 label lists.
        let stats = try sim.stats()
        #expect(stats.requests <= 48)
    }

    @Test func killedFiveTimesEndsIdenticalToAnUninterruptedCrawl() throws {
        let sim = try Simulator(["--seed", "11", "--github", "pytorch/pytorch=2500"])
        let clean = temporaryDatabase()
        #expect(try sim.crawl("github", "pytorch/pytorch", db: clean).status == 0)
        let uninterrupted = try sim.stats().requests
        // What any restart costs with nothing new to fetch: the label list re-read (304s, one per label page)
        // and the issue query that comes back empty.
        #expect(try sim.crawl("github", "pytorch/pytorch", db: clean).status == 0)
        let idleRestart = try sim.stats().requests - uninterrupted
        let before = try sim.stats().requests

        let killed = temporaryDatabase()
        var kills = 0, runs = 1   // the final, uninterrupted run
        // Fixed kill times, early to late in a run (where a run is when killed still depends on the machine).
        for delay in [0.05, 0.6, 0.2, 0.45, 0.3] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Binaries.defectlab)
            p.arguments = ["crawl", "github", "pytorch/pytorch", "--api-url", sim.url, "--db", killed, "--no-progress"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 }
            p.waitUntilExit()
            runs += 1
        }
        let final = try sim.crawl("github", "pytorch/pytorch", db: killed)
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try differences(db: killed, sim: sim, repo: "pytorch/pytorch", comments: false) == [])
        var q = IssueBrowser.Query()
        q.repo = "pytorch/pytorch"
        let a = try IssueBrowser.list(DefectLabStore.open(path: clean), q).map { "\($0.number) \($0.updatedAt ?? "") \($0.labels)" }
        let b = try IssueBrowser.list(DefectLabStore.open(path: killed), q).map { "\($0.number) \($0.updatedAt ?? "") \($0.labels)" }
        #expect(a == b)
        // Each run beyond the first repeats at most the page in flight, on top of what a restart costs anyway
        // (re-listing labels). Counted per run, killed or not: under load a run can finish before its kill.
        let resumedRequests = try sim.stats().requests - before
        #expect(kills + 1 <= runs)
        #expect(resumedRequests <= uninterrupted + (runs - 1) * (idleRestart + 1), "\(kills) kills in \(runs) runs; an idle restart costs \(idleRestart)")
    }

    @Test func faultsAtFivePercentEachStillEndIdentical() throws {
        let sim = try Simulator(["--seed", "5", "--github", "pytorch/pytorch=1500", "--gitee", "mindspore/mindspore=600",
                                 "--faults", "all=0.05", "--slow-ms", "1300", "--retry-after", "0", "--reset-seconds", "1"])
        let db = temporaryDatabase()
        // At 5% of each of nine faults about 40% of requests fail, and 5xx come in bursts: eight tries per
        // request (the default, for real trackers) would give up on a streak somewhere in a thousand requests.
        let options = ["--timeout", "1", "--wait-scale", "0.002", "--max-attempts", "12"]
        let gh = try sim.crawl("github", "pytorch/pytorch", db: db, options)
        #expect(gh.status == 0, "\(gh.stderr)")
        let ge = try sim.crawl("gitee", "mindspore/mindspore", db: db, options)
        #expect(ge.status == 0, "\(ge.stderr)")
        #expect(try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: false) == [])
        #expect(try differences(db: db, sim: sim, repo: "mindspore/mindspore", comments: false) == [])
        #expect(try sim.stats().faults.values.reduce(0, +) > 0)
    }

    /// An issue deleted from an earlier page while the crawl runs (here: the simulator's 410 fault deletes the
    /// issue it answers for) shifts every later issue back by one; with page numbers, the one that crossed the
    /// page boundary was never seen. Each next page restarts at the last item's time instead.
    @Test func deletionsDuringACrawlHideNoOtherIssue() throws {
        let sim = try Simulator(["--seed", "13", "--github", "pytorch/pytorch=300", "--gitee", "mindspore/mindspore=300", "--faults", "410=0.03"])
        let db = temporaryDatabase()
        let gh = try sim.crawl("github", "pytorch/pytorch", db: db, ["--comments"])
        #expect(gh.status == 0, "\(gh.stderr)")
        let ge = try sim.crawl("gitee", "mindspore/mindspore", db: db, ["--comments"])
        #expect(ge.status == 0, "\(ge.stderr)")
        #expect((try sim.stats().faults["410"] ?? 0) > 0)
        let github = try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: true)
        #expect(github == [], "\(github.prefix(10))")
        let gitee = try differences(db: db, sim: sim, repo: "mindspore/mindspore", comments: true)
        #expect(gitee == [], "\(gitee.prefix(10))")
        // Re-listed boundary items are stored again but counted once.
        #expect(gh.stdout.contains("issues stored") && !gh.stdout.contains("303 issues stored"), "\(gh.stdout)")
    }

    @Test func faultsOnCommentRoutesIncluding410AndRedirects() throws {
        let sim = try Simulator(["--seed", "9", "--github", "onnx/onnx=150", "--faults", "all=0.05", "--slow-ms", "1300",
                                 "--retry-after", "0"])
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "onnx/onnx", db: db, ["--comments", "--timeout", "1", "--wait-scale", "0.002", "--max-attempts", "12"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try differences(db: db, sim: sim, repo: "onnx/onnx", comments: true) == [])
        let faults = try sim.stats().faults
        #expect((faults["301"] ?? 0) + (faults["410"] ?? 0) > 0)
    }

    @Test func incrementalRunAfterChurnFetchesOnlyChangesMostlyAs304() throws {
        let sim = try Simulator(["--seed", "3", "--github", "tensorflow/tensorflow=400"])
        let db = temporaryDatabase()
        #expect(try sim.crawl("github", "tensorflow/tensorflow", db: db, ["--comments"]).status == 0)
        _ = try sim.json("/_sim/churn?repo=tensorflow/tensorflow&n=30")
        let before = try sim.stats()
        let second = try sim.crawl("github", "tensorflow/tensorflow", db: db, ["--comments"])
        #expect(second.status == 0, "\(second.stderr)")
        let after = try sim.stats()
        #expect(try differences(db: db, sim: sim, repo: "tensorflow/tensorflow", comments: true) == [])
        let requests = after.requests - before.requests
        let notModified = after.notModified - before.notModified
        // One label list, one page from the high-water mark, comments of the changed issues only.
        #expect(requests <= 2 + 30)
        // Only the changed issues (and the few inside the overlap) were fetched again.
        let stored = second.stdout.split(separator: " ").firstIndex(of: "issues").flatMap { Int(second.stdout.split(separator: " ")[$0 - 1]) }
        #expect((stored ?? 999) < 60, "\(second.stdout)")
        #expect(notModified * 2 > requests, "\(notModified) of \(requests) were 304")
        // Nothing changed since: every request is a 304 and costs no quota.
        let third = try sim.crawl("github", "tensorflow/tensorflow", db: db, ["--comments"])
        #expect(third.status == 0)
        let end = try sim.stats()
        #expect(end.requests - after.requests == end.notModified - after.notModified)
        #expect(end.quota == after.quota)
    }

    /// A thread longer than one comment page (100), growing between incremental crawls: a new comment on its
    /// last page (the first page answers 304, the last does not) and a new page past the last stored one (every
    /// stored page answers 304, and the stored chain ends before the new page) both end with the whole thread
    /// stored. Replacing the thread with the pages that answered dropped the first page's 100 comments; following
    /// only the stored chain never saw the new page.
    @Test(arguments: [("github", "pytorch/pytorch"), ("gitee", "mindspore/mindspore")])
    func longThreadsGrowingBetweenCrawlsStayWhole(kind: String, repo: String) throws {
        let sim = try Simulator(["--seed", "5", "--\(kind)", "\(repo)=40"])
        let db = temporaryDatabase()
        #expect(try sim.crawl(kind, repo, db: db, ["--comments"]).status == 0)
        let truth = try sim.json("/_sim/truth?repo=\(repo)")
        let issue = try #require((truth["issues"] as! [[String: Any]]).first { $0["pull_request"] == nil && $0["deleted"] as? Bool != true })
        let number = "\(issue["number"]!)"
        var total = (issue["comment_ids"] as! [NSNumber]).count
        func grow(to target: Int, _ step: String) throws {
            _ = try sim.json("/_sim/comment?repo=\(repo)&number=\(number)&n=\(target - total)")
            total = target
            let r = try sim.crawl(kind, repo, db: db, ["--comments"])
            #expect(r.status == 0, "\(step): \(r.stderr)")
            let problems = try differences(db: db, sim: sim, repo: repo, comments: true)
            #expect(problems == [], "\(step): \(problems.map { String($0.prefix(200)) })")
        }
        try grow(to: 150, "two pages")
        try grow(to: 151, "a comment on the last page")
        try grow(to: 200, "the last page filled")
        try grow(to: 201, "a third page")
        let before = try sim.stats()
        #expect(try sim.crawl(kind, repo, db: db, ["--comments"]).status == 0)
        let after = try sim.stats()
        // Nothing changed since: one list page and the label list, every answer a 304, no thread read again.
        #expect(after.requests - before.requests == after.notModified - before.notModified)
    }

    /// An incremental list that ends on a full page (100 issues edited at one instant, as a bot's bulk relabel
    /// makes, and nothing else within the 60 s overlap), then one more issue edited: that page answers 304 on
    /// the next run — its 100 items are unchanged — and the new item lies on the page after it, which the
    /// tracker did not name when the page was last read. A full page is never taken for the last one, so the
    /// page after it was read then (empty) and is read again now.
    @Test(arguments: [("github", "pytorch/pytorch"), ("gitee", "mindspore/mindspore")])
    func aListEndingOnAFullPageStillSeesWhatComesAfterIt(kind: String, repo: String) throws {
        let sim = try Simulator(["--seed", "6", "--\(kind)", "\(repo)=300"])
        let db = temporaryDatabase()
        #expect(try sim.crawl(kind, repo, db: db).status == 0)
        #expect(try sim.json("/_sim/touch?repo=\(repo)&n=100&gap=120")["touched"] as? Int == 100)
        #expect(try sim.crawl(kind, repo, db: db).status == 0)
        #expect(try sim.crawl(kind, repo, db: db).status == 0)   // since = the bulk edit − 60 s: exactly those 100
        let truth = try sim.json("/_sim/truth?repo=\(repo)")
        // One issue outside the bulk edit changes after it.
        let issues = (truth["issues"] as! [[String: Any]]).filter { $0["pull_request"] == nil && $0["deleted"] as? Bool != true }
        let bulk = issues.compactMap { $0["updated_at"] as? String }.max()
        let other = try #require(issues.last { $0["updated_at"] as? String != bulk })
        _ = try sim.json("/_sim/comment?repo=\(repo)&number=\(other["number"]!)&n=1")
        #expect(try sim.crawl(kind, repo, db: db).status == 0)
        let problems = try differences(db: db, sim: sim, repo: repo, comments: false)
        #expect(problems == [], "\(problems.prefix(5))")
        // The next run starts from the new high-water mark (a first URL not read before); from then on, with
        // nothing changed, every request — the page after the full one included — is a 304 and costs no quota.
        #expect(try sim.crawl(kind, repo, db: db).status == 0)
        let before = try sim.stats()
        #expect(try sim.crawl(kind, repo, db: db).status == 0)
        let after = try sim.stats()
        #expect(after.requests - before.requests == after.notModified - before.notModified)
    }

    /// A label list longer than a page (renames do not bump any issue, so labels are re-listed every run): a
    /// rename on the second page is seen although the first page answers 304.
    @Test(arguments: [("github", "pytorch/pytorch"), ("gitee", "mindspore/mindspore")])
    func aRenameOnALaterLabelPageIsSeen(kind: String, repo: String) throws {
        let sim = try Simulator(["--seed", "7", "--\(kind)", "\(repo)=30", "--labels", "150"])
        let db = temporaryDatabase()
        #expect(try sim.crawl(kind, repo, db: db).status == 0)
        func storedName(_ id: Int) throws -> String? {
            let store = try DefectLabStore.open(path: db, mode: .mustExist)
            return try store.read { db in try String.fetchOne(db, sql: "SELECT name FROM label WHERE remote_id = ?", arguments: [id]) }
        }
        let renamed = try sim.json("/_sim/label?repo=\(repo)&index=140")
        let id = try #require(renamed["id"] as? Int)
        let newName = try #require(renamed["name"] as? String)
        #expect(try storedName(id) == String(newName.dropLast(" (renamed)".count)))
        let before = try sim.stats()
        #expect(try sim.crawl(kind, repo, db: db).status == 0)
        let after = try sim.stats()
        #expect(try storedName(id) == newName)
        #expect(after.notModified - before.notModified >= 1, "the first label page answers 304")
    }

    /// A fresh crawl of `repo` ends done, with no issue of the tracker missing or stored twice.
    func expectAFreshCrawlLosesNothing(_ sim: Simulator, _ kind: String, _ repo: String) throws {
        let db = temporaryDatabase()
        let r = try sim.crawl(kind, repo, db: db)
        #expect(r.status == 0, "\(r.stderr)")
        let problems = try differences(db: db, sim: sim, repo: repo, comments: false)
        #expect(!problems.contains { $0.hasPrefix("missing") || $0.hasPrefix("duplicate") }, "\(problems.prefix(5))")
    }

    /// A run of issues edited at one instant spans pages, which are read by page number; issues of the run that
    /// change meanwhile leave it, the later ones move up a place, and the one that crossed a page boundary was
    /// never read, by this run or any later one (they start past the run). The run is read again.
    @Test(arguments: [("github", "pytorch/pytorch"), ("gitee", "mindspore/mindspore")])
    func issuesMovingOutOfARunOfOneTimeLoseNothing(kind: String, repo: String) throws {
        let sim = try Simulator(["--seed", "5", "--\(kind)", "\(repo)=400", "--churn", "0.6"])
        #expect(try sim.json("/_sim/touch?repo=\(repo)&n=300")["touched"] as? Int == 300)
        try expectAFreshCrawlLosesNothing(sim, kind, repo)
    }

    /// An issue of such a run deleted while the crawl pages through it moves the later ones up a place as well,
    /// and is never seen again to tell: each run read by page number is read again once the pass is done.
    @Test(arguments: [("github", "pytorch/pytorch"), ("gitee", "mindspore/mindspore")])
    func anIssueDeletedFromARunOfOneTimeLosesNoOther(kind: String, repo: String) throws {
        let sim = try Simulator(["--seed", "8", "--\(kind)", "\(repo)=400"])
        #expect(try sim.json("/_sim/touch?repo=\(repo)&n=400")["touched"] as? Int == 400)
        let truth = try sim.json("/_sim/truth?repo=\(repo)")
        let first = try #require((truth["issues"] as? [[String: Any]])?.first { $0["pull_request"] == nil }?["number"])
        // Deleted right after the run's first page by number is served (the list's first page, then the run's).
        _ = try sim.json("/_sim/delete?repo=\(repo)&number=\(first)&after=2")
        try expectAFreshCrawlLosesNothing(sim, kind, repo)
    }

    /// A pass stopped by --max-requests inside such a run and finished by later runs of the command: the run is
    /// still read again when the pass ends. The run that finished the pass had not paged through it and forgot
    /// it, so an issue a deletion moved across a page boundary meanwhile was lost for good (later passes start
    /// past the run); and a pass whose budget ran out right after its last page started a new pass next time,
    /// dropping the runs it kept.
    @Test func aRunOfOneTimePagedAcrossStoppedRunsLosesNothing() throws {
        let repo = "acme/torch"
        let sim = try Simulator(["--seed", "8", "--github", "\(repo)=100", "--max-per-page", "20"])
        #expect(try sim.json("/_sim/touch?repo=\(repo)&n=60&gap=5")["touched"] as? Int == 60)
        _ = try sim.json("/_sim/churn?repo=\(repo)&n=5")   // newer issues past the run: the pass goes on after it
        let db = temporaryDatabase()
        // 6 requests: the label list, the list up to the run, and the run's first page by number.
        let first = try sim.crawl("github", repo, db: db, ["--max-requests", "6"])
        #expect(first.status == 3, "\(first.stderr)")
        let store = try DefectLabStore.open(path: db, mode: .mustExist)
        let state = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT next_url, paged_runs FROM crawl_state").map { ($0["next_url"] as String?, $0["paged_runs"] as String?) }
        }
        let next = try #require(state?.0)
        let run = try #require(state?.1, "the run paged by number is kept with the pass")
        let since = run.replacingOccurrences(of: ":", with: "%3A")
        try #require(next.contains("page=2") && next.contains(since), "\(next)")
        // The run's first issue, read already, is deleted: the later ones move up a place, one across the boundary.
        let page = try JSONSerialization.jsonObject(with: Data(try sim.client.get(sim.url + "/repos/\(repo)/issues?state=all&sort=updated&direction=asc&per_page=20&since=\(since)").body)) as? [[String: Any]]
        let number = try #require(page?.first?["number"] as? Int)
        _ = try sim.json("/_sim/delete?repo=\(repo)&number=\(number)")
        // The run's second page in one run of the command (each starts with the label list); its last page and
        // the list's last in another, which spends its budget there: the pass's pages are all read, its runs
        // are not read again yet.
        #expect(try sim.crawl("github", repo, db: db, ["--max-requests", "2"]).status == 3)
        #expect(try sim.crawl("github", repo, db: db, ["--max-requests", "3"]).status == 3)
        let ended = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT status, next_url, paged_runs FROM crawl_state").map { "\($0["status"] as String? ?? "-") \($0["next_url"] as String? ?? "-") \($0["paged_runs"] as String? ?? "-")" }
        }
        #expect(ended == "running - \(run)", "\(ended ?? "no state")")
        // The next run reads them again before it starts a new pass (which dropped them unread).
        let last = try sim.crawl("github", repo, db: db)
        #expect(last.status == 0, "\(last.stderr)")
        let problems = try differences(db: db, sim: sim, repo: repo, comments: false)
        #expect(!problems.contains { $0.hasPrefix("missing") || $0.hasPrefix("duplicate") }, "\(problems.prefix(5))")
        #expect(try store.read { db in try String.fetchOne(db, sql: "SELECT paged_runs FROM crawl_state") } == nil)
    }

    /// A tracker that sends fewer items a page than asked for (4 of 100): a first page found unchanged (304)
    /// whose stored next page was none is followed to the next page the tracker names. Every later run ended
    /// at that page, and edits past it were never seen.
    @Test(arguments: [("github", "pytorch/pytorch"), ("gitee", "mindspore/mindspore")])
    func anUnchangedShortPageIsFollowedWhereTheTrackerSaysMoreFollow(kind: String, repo: String) throws {
        let sim = try Simulator(["--seed", "3", "--\(kind)", "\(repo)=20", "--max-per-page", "4"])
        let db = temporaryDatabase()
        #expect(try sim.crawl(kind, repo, db: db).status == 0)
        for _ in 0..<3 {
            _ = try sim.json("/_sim/churn?repo=\(repo)&n=3")
            #expect(try sim.crawl(kind, repo, db: db).status == 0)
        }
        let problems = try differences(db: db, sim: sim, repo: repo, comments: false)
        #expect(problems == [], "\(problems.prefix(5))")
    }

    /// A --label the repository does not have (a typo) stored nothing and said "done": the crawl says so.
    @Test func aLabelTheRepositoryLacksIsSaid() throws {
        let sim = try Simulator(["--seed", "3", "--gitee", "mindspore/mindspore=40"])
        let db = temporaryDatabase()
        let typo = try sim.crawl("gitee", "mindspore/mindspore", db: db, ["--label", "kind/bgu"])
        #expect(typo.status == 0 && typo.stderr.contains("note: --label 'kind/bgu' is not among the"), "\(typo.stderr)")
        let real = try sim.crawl("gitee", "mindspore/mindspore", db: db, ["--label", "Kind/Bug"])
        #expect(real.status == 0 && !real.stderr.contains("is not among"), "\(real.stderr)")
    }

    /// A label filter the tracker does not apply (Gitee's is undocumented) is applied here; an issue already
    /// stored that lost the label is still updated (the update was in hand and thrown away: the store kept the
    /// label, and the issue stayed an HP candidate).
    @Test func anIssueThatLostTheLabelOfItsSeriesIsUpdated() throws {
        let sim = try Simulator(["--seed", "3", "--gitee", "mindspore/mindspore=60", "--ignore-label-filter"])
        let db = temporaryDatabase()
        #expect(try sim.crawl("gitee", "mindspore/mindspore", db: db, ["--label", "kind/bug"]).status == 0)
        let truth = try sim.json("/_sim/truth?repo=mindspore/mindspore")
        let store = try DefectLabStore.open(path: db, mode: .mustExist)
        let labelled = try store.read { db in
            try String.fetchAll(db, sql: "SELECT i.number FROM issue i JOIN issue_label il ON il.issue_id = i.id JOIN label l ON l.id = il.label_id WHERE l.name = 'kind/bug' ORDER BY i.number")
        }
        let number = try #require(labelled.first, "no kind/bug issue in \(truth.count)")
        _ = try sim.json("/_sim/unlabel?repo=mindspore/mindspore&number=\(number)&label=kind/bug")
        #expect(try sim.crawl("gitee", "mindspore/mindspore", db: db, ["--label", "kind/bug"]).status == 0)
        let still = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM issue i JOIN issue_label il ON il.issue_id = i.id JOIN label l ON l.id = il.label_id WHERE l.name = 'kind/bug' AND i.number = ?", arguments: [number])
        }
        #expect(still == 0, "issue \(number) still carries kind/bug in the store")
        // Issues that never carried the label are still not stored.
        let stored = try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM issue") }
        #expect(stored == labelled.count)
    }

    @Test func churnDuringACrawlLeavesNoDuplicates() throws {
        let sim = try Simulator(["--seed", "4", "--github", "pytorch/pytorch=800", "--churn", "0.5"])
        let db = temporaryDatabase()
        #expect(try sim.crawl("github", "pytorch/pytorch", db: db).status == 0)
        #expect(try sim.crawl("github", "pytorch/pytorch", db: db).status == 0)
        let problems = try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: false)
        #expect(!problems.contains { $0.hasPrefix("duplicate") || $0.hasPrefix("not in truth") })
        // Every item changed during the first crawl was picked up by the second (it sorts after the mark).
        #expect(!problems.contains { $0.contains("edited") })
    }

    @Test func badTokenStopsAtOnceAndIsNeverShown() throws {
        let secret = "ghp_BADsecretTOKEN0123456789"
        let sim = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=50", "--gitee", "mindspore/mindspore=50",
                                 "--tokens", "good-token-aaaa"])
        let db = temporaryDatabase()
        for kind in ["github", "gitee"] {
            let repo = kind == "github" ? "pytorch/pytorch" : "mindspore/mindspore"
            let r = try sim.crawl(kind, repo, db: db, ["--token-env", "DL_TEST_TOKEN", "--verbose"], environment: ["DL_TEST_TOKEN": secret])
            #expect(r.status == 1)
            #expect(r.stderr.contains("401"))
            #expect(r.stderr.contains("$DL_TEST_TOKEN"))
            #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret))
        }
        // At most one request per tracker: a bad token is not retried.
        #expect(try sim.stats().requests <= 2)
        for suffix in ["", "-wal", "-shm"] {
            if let bytes = FileManager.default.contents(atPath: db + suffix) {
                #expect(bytes.range(of: Data(secret.utf8)) == nil)
            }
        }
    }

    @Test func tokensRotateByRemainingQuota() throws {
        let sim = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=900", "--tokens", "tok-one-1111,tok-two-2222",
                                 "--quota", "8"])
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "pytorch/pytorch", db: db, ["--token-env", "T1", "--token-env", "T2", "--verbose"],
                              environment: ["T1": "tok-one-1111", "T2": "tok-two-2222"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("[$T1]") && r.stderr.contains("[$T2]"))
        #expect(!r.stderr.contains("tok-one-1111") && !r.stderr.contains("tok-two-2222"))
        #expect(try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: false) == [])
        // The same tokens from a file saved with Windows line ends: two tokens, not one.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "# tokens\r\ntok-one-1111\r\n\r\ntok-two-2222\r\n".write(to: file, atomically: true, encoding: .utf8)
        // A simulator of its own: the first crawl spent most of these tokens' quota, whose reset is an hour away.
        let fresh = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=900", "--tokens", "tok-one-1111,tok-two-2222", "--quota", "8"])
        let fromFile = try fresh.crawl("github", "pytorch/pytorch", db: temporaryDatabase(), ["--token-file", file.path, "--verbose"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stderr.contains("line 2]") && fromFile.stderr.contains("line 4]"), "\(fromFile.stderr.suffix(600))")
    }

    @Test func budgetStopsWithItsOwnStatusAndResumes() throws {
        let sim = try Simulator(["--seed", "6", "--gitee", "mindspore/mindspore=700"])
        let db = temporaryDatabase()
        let first = try sim.crawl("gitee", "mindspore/mindspore", db: db, ["--max-requests", "3"])
        #expect(first.status == 3)
        let second = try sim.crawl("gitee", "mindspore/mindspore", db: db)
        #expect(second.status == 0)
        #expect(try differences(db: db, sim: sim, repo: "mindspore/mindspore", comments: false) == [])
        // A budget spent before one page is whole (its comments are stored with it) can never advance: said, exit 1,
        // not "run the same command again" with exit 3 for ever.
        let fresh = temporaryDatabase()
        for _ in 0..<2 {
            let stuck = try sim.crawl("gitee", "mindspore/mindspore", db: fresh, ["--max-requests", "4", "--comments"])
            #expect(stuck.status == 1 && stuck.stderr.contains("raise --max-requests"), "\(stuck.status) \(stuck.stdout) \(stuck.stderr)")
        }
    }

    /// Crawled trackers are sampled per framework: `filter` records its preset's framework on the repositories
    /// it filters (nothing else named one, so every crawled issue used to fall into one `unknown` stratum and
    /// `--per-framework N` drew N in all), and `crawl --framework` names one for a tracker no preset lists.
    @Test func samplesOfCrawledTrackersAreStratifiedByFramework() throws {
        let sim = try Simulator(["--seed", "8", "--github", "pytorch/pytorch=300", "--gitee", "mindspore/mindspore=300"])
        let db = temporaryDatabase()
        #expect(try sim.crawl("github", "pytorch/pytorch", db: db).status == 0)
        #expect(try sim.crawl("gitee", "mindspore/mindspore", db: db).status == 0)
        let taxonomy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Taxonomy").path
        for preset in ["pytorch", "mindspore"] {
            let f = try runCommand(Binaries.defectlab, ["filter", "--preset", preset, "--db", db, "--taxonomy-dir", taxonomy])
            #expect(f.status == 0, "\(f.stderr)")
        }
        let drawn = try runCommand(Binaries.defectlab, ["sample", "--name", "s", "--per-framework", "5", "--seed", "1", "--db", db])
        #expect(drawn.status == 0, "\(drawn.stderr)")
        // "  FRAMEWORK: DRAWN of CANDIDATES candidates", one line per stratum.
        let strata = drawn.stdout.split(separator: "\n").filter { $0.hasSuffix(" candidates") }
            .map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").prefix(2).joined(separator: " ") }
        #expect(strata == ["mindspore: 5", "pytorch: 5"], "\(drawn.stdout)")
        #expect(!drawn.stderr.contains("not balanced"), "\(drawn.stderr)")
        // More than a stratum holds: the short strata are said (the lines alone showed "4 of 4").
        let big = try runCommand(Binaries.defectlab, ["sample", "--name", "big", "--per-framework", "100000", "--seed", "1", "--db", db])
        #expect(big.status == 0 && big.stderr.contains("2 of 2 framework(s) have fewer candidates than the 100000 asked for"), "\(big.stderr)")
        // A tracker no preset names: --framework says which one it is.
        let sim2 = try Simulator(["--seed", "9", "--github", "acme/dlfw=50"])
        #expect(try sim2.crawl("github", "acme/dlfw", db: db, ["--framework", "AcmeDL"]).status == 0)
        let store = try DefectLabStore.open(path: db, mode: .mustExist)
        let frameworks = try store.read { db in try String.fetchAll(db, sql: "SELECT framework FROM repository ORDER BY name") }
        #expect(frameworks == ["acmedl", "mindspore", "pytorch"])
    }

    @Test func filterRecordsTheSelectingRuleAndIssuesListShowsIt() throws {
        let sim = try Simulator(["--seed", "8", "--gitee", "mindspore/mindspore=300"])
        let db = temporaryDatabase()
        #expect(try sim.crawl("gitee", "mindspore/mindspore", db: db).status == 0)
        let taxonomy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Taxonomy").path
        let f = try runCommand(Binaries.defectlab, ["filter", "--preset", "mindspore", "--db", db, "--taxonomy-dir", taxonomy, "--format", "json"])
        #expect(f.status == 0, "\(f.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(f.stdout.utf8)) as! [String: Any]
        let selected = result["selected"] as! Int
        #expect(selected > 0)
        let store = try DefectLabStore.open(path: db)
        // Independently: priority 3/4 with type 缺陷, or with label kind/bug.
        let expected = try store.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM issue i WHERE i.priority IN (3, 4) AND (i.issue_type = '缺陷' OR EXISTS (
                  SELECT 1 FROM issue_label il JOIN label l ON l.id = il.label_id WHERE il.issue_id = i.id AND l.name = 'kind/bug'))
                """) ?? -1
        }
        #expect(selected == expected)
        let list = try runCommand(Binaries.defectlab, ["issues", "list", "--hp", "mindspore", "--db", db, "--format", "json"])
        let listed = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [String: Any]
        #expect(listed["count"] as? Int == selected)
        let first = (listed["issues"] as! [[String: Any]])[0]
        let show = try runCommand(Binaries.defectlab, ["issues", "show", first["number"] as! String, "--db", db, "--format", "json"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("raw_json"))
        // Bodies carrying escape sequences (colours, a screen clear, a title change) are shown without them.
        let hostile = try store.read { db in
            try String.fetchAll(db, sql: "SELECT number FROM issue WHERE instr(body_text, char(27)) > 0 OR instr(body, char(27)) > 0 LIMIT 3")
        }
        #expect(!hostile.isEmpty)
        for number in hostile {
            let table = try runCommand(Binaries.defectlab, ["issues", "show", number, "--db", db])
            #expect(table.status == 0 && table.stdout.contains("Error") && table.stdout.contains("### Describe the bug"), "\(table.stdout)")
            #expect(!table.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
        }
    }
}
