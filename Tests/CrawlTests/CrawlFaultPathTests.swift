import Crawl
import Foundation
import GRDB
import Store
import Testing

/// The fault paths a crawl must not retry, and the redirects and deletions it must handle, each forced on
/// every request (rate 1) so the test does not depend on where a random draw lands.
@Suite(.serialized)
struct CrawlFaultPathTests {
    /// The secret must appear in no output and no database file.
    func expectNowhere(_ secret: String, _ r: CommandResult, db: String) {
        #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret))
        for suffix in ["", "-wal", "-shm"] {
            if let bytes = FileManager.default.contents(atPath: db + suffix) {
                #expect(bytes.range(of: Data(secret.utf8)) == nil)
            }
        }
    }

    @Test func forbiddenThatIsNotARateLimitStopsWithoutRetrying() throws {
        let secret = "ghp_FORBIDDENsecret0123456789"
        let sim = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=50", "--gitee", "mindspore/mindspore=50",
                                 "--faults", "403=1"])
        let db = temporaryDatabase()
        for (kind, repo) in [("github", "pytorch/pytorch"), ("gitee", "mindspore/mindspore")] {
            let before = try sim.stats().requests
            let r = try sim.crawl(kind, repo, db: db, ["--token-env", "DL_TEST_TOKEN", "--verbose", "--wait-scale", "0.001"],
                                  environment: ["DL_TEST_TOKEN": secret])
            #expect(r.status == 1, "\(kind): \(r.stdout) \(r.stderr)")
            #expect(r.stderr.contains("403") && r.stderr.contains("not a rate limit"), "\(r.stderr)")
            #expect(r.stderr.contains("(forbidden)"), "\(r.stderr)")
            // GitHub probes the free /rate_limit first; then exactly one 403, never repeated.
            let requests = try sim.stats().requests - before
            #expect(requests == (kind == "github" ? 2 : 1), "\(kind): \(requests) requests")
            expectNowhere(secret, r, db: db)
        }
        #expect(try sim.stats().faults["403"] == 2)
    }

    /// A Gitee token with URL-special characters travels percent-encoded; a redirect that repeats the query put
    /// that form in the verbose log (the redactor knew only the raw token) and sent the token twice.
    @Test func anEncodedTokenIsRedactedThroughRedirects() throws {
        let secret = "tok/en+Secret=42"
        let sim = try Simulator(["--seed", "12", "--gitee", "mindspore/mindspore=120", "--faults", "301=1"])
        let db = temporaryDatabase()
        let r = try sim.crawl("gitee", "mindspore/mindspore", db: db, ["--token-env", "DL_TEST_TOKEN", "--verbose", "--comments"],
                              environment: ["DL_TEST_TOKEN": secret])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("→ 301"), "\(r.stderr.prefix(500))")
        for form in [secret, "tok%2Fen%2BSecret%3D42", "tok%2fen%2bsecret%3d42", "Secret"] { expectNowhere(form, r, db: db) }
        #expect(!r.stderr.contains("access_token=[redacted]&access_token"), "the token went twice")
        #expect(try differences(db: db, sim: sim, repo: "mindspore/mindspore", comments: true) == [])
    }

    /// A secondary rate limit without retry-after wants a wait of at least 60 s: the back-off's jitter only adds
    /// (it used to take up to 25% off, waits of 50 s).
    @Test func secondaryLimitWaitsAtLeastAMinute() throws {
        let sim = try Simulator(["--seed", "8", "--github", "pytorch/pytorch=1000", "--faults", "secondary-bare=0.25"])
        let r = try sim.crawl("github", "pytorch/pytorch", db: temporaryDatabase(), ["--verbose", "--wait-scale", "0.01", "--max-attempts", "12"])
        #expect(r.status == 0, "\(r.stderr)")
        let waits = r.stderr.split(separator: "\n").filter { $0.hasSuffix("secondary rate limit") }.compactMap { line in
            line.split(separator: " ").dropFirst().first.flatMap { Double($0.dropLast(2)) }
        }
        #expect(waits.count >= 3, "\(r.stderr.prefix(800))")
        #expect(waits.allSatisfy { $0 >= 0.6 }, "\(waits)")
    }

    @Test func badTokenStopsAtOnceWithAClearMessage() throws {
        let secret = "ghp_UNAUTHORIZEDsecret987"
        let sim = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=50", "--tokens", "only-this-one"])
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "pytorch/pytorch", db: db, ["--token-env", "DL_BAD", "--verbose"],
                              environment: ["DL_BAD": secret])
        #expect(r.status == 1)
        #expect(r.stderr.contains("(unauthorized)") && r.stderr.contains("401") && r.stderr.contains("$DL_BAD"), "\(r.stderr)")
        #expect(try sim.stats().requests == 1)
        expectNowhere(secret, r, db: db)
    }

    /// An issue list of things that are not issues is not an empty last page ("done, 0 issues"): the crawl
    /// stops saying so, and stores nothing from it.
    @Test func aListOfNonIssuesIsAnErrorNotAnEmptyPage() throws {
        let sim = try Simulator(["--seed", "3", "--github", "pytorch/pytorch=50", "--faults", "not-issues=1"])
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "pytorch/pytorch", db: db)
        #expect(r.status == 1 && r.stderr.contains("none is an issue"), "\(r.status) \(r.stderr)")
        let stored = try runCommand(Binaries.defectlab, ["issues", "list", "--db", db, "--format", "json"])
        #expect(stored.stdout.contains("\"count\":0") || stored.stdout.contains("\"count\" : 0"), "\(stored.stdout.prefix(200))")
    }

    @Test func movedRepositoryIsFollowedOnTheSameHostAndStoresTheTruth() throws {
        let sim = try Simulator(["--seed", "12", "--github", "pytorch/pytorch=450", "--faults", "301=1"])
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "pytorch/pytorch", db: db)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: false) == [])
        // The label list and the first issue page were both moved, and each 301 cost one extra request only.
        let stats = try sim.stats()
        #expect((stats.faults["301"] ?? 0) >= 2)
        #expect(stats.requests <= 1 + 6 + (stats.faults["301"] ?? 0))
    }

    @Test func redirectToAnotherHostIsNotFollowed() throws {
        let secret = "ghp_REDIRECTsecret55555"
        let sim = try Simulator(["--seed", "12", "--github", "pytorch/pytorch=50", "--faults", "301-away=1"])
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "pytorch/pytorch", db: db, ["--token-env", "DL_TOKEN"], environment: ["DL_TOKEN": secret])
        #expect(r.status == 1)
        #expect(r.stderr.contains("(redirect)") && r.stderr.contains("another host"), "\(r.stderr)")
        // The probe and the moved label list; nothing was sent to the other host (`localhost` is this simulator
        // too, so a followed redirect would show up here).
        #expect(try sim.stats().requests == 2)
        expectNowhere(secret, r, db: db)
    }

    /// A next-page link that is not a URL (a space in it here; escape sequences from a hostile server) is refused before it is stored as where the series
    /// resumes (stored, it failed every later run, even against a mended tracker), and the error does not send
    /// the user to HTTP/2.
    @Test func aMalformedPaginationLinkIsNotStoredAndAMendedTrackerResumes() throws {
        let sim = try Simulator(["--seed", "5", "--github", "pytorch/pytorch=250", "--faults", "bad-link=1"])
        // Every issue edited at one instant: a page ending on the `since` it asked for is followed by its link
        // (otherwise the crawler restarts the list from the last update and never reads a link).
        _ = try sim.json("/_sim/touch?repo=pytorch/pytorch&n=250")
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "pytorch/pytorch", db: db)
        #expect(r.status == 1)
        #expect(r.stderr.contains("pagination link is not a well-formed URL") && !r.stderr.contains("HTTP/2"), "\(r.stderr)")
        _ = try sim.json("/_sim/faults?spec=")
        let again = try sim.crawl("github", "pytorch/pytorch", db: db)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: false) == [])
    }

    /// A next page that is the page itself ends the list with a note (it was asked for 22 times a second
    /// without end), every issue still stored.
    @Test func aPaginationLoopEndsTheList() throws {
        let sim = try Simulator(["--seed", "7", "--github", "pytorch/pytorch=250", "--faults", "link-loop=1"])
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "pytorch/pytorch", db: db)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("pagination loop; the list ends here"), "\(r.stderr)")
        #expect(try sim.stats().requests < 20)
        #expect(try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: false) == [])
    }

    /// A crawl of pytorch/pytorch from `sim` running in the background: stdout (and stderr with `errors`) go to
    /// a file, read by `output()`; the file is removed with `finish()`.
    struct BackgroundCrawl {
        let process = Process()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("crawl-bg-\(UUID().uuidString).txt")

        init(_ sim: Simulator, db: String, errors: Bool) throws {
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: Binaries.defectlab)
            process.arguments = ["crawl", "github", "pytorch/pytorch", "--api-url", sim.url, "--db", db, "--no-progress"]
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = errors ? process.standardOutput : FileHandle.nullDevice
            try process.run()
        }

        func output() -> String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
        func interrupt() { kill(process.processIdentifier, SIGINT); process.waitUntilExit() }
        func finish() { try? FileManager.default.removeItem(at: out) }
    }

    /// Ctrl-C stops before the next request with a summary and exit 3 (it died with 130 and a stale progress
    /// line); the same command continues to the tracker's whole list.
    @Test func ctrlCStopsWithASummaryAndTheCrawlContinues() throws {
        let sim = try Simulator(["--seed", "8", "--github", "pytorch/pytorch=1500", "--faults", "slow=1", "--slow-ms", "150"])
        let db = temporaryDatabase()
        let crawl = try BackgroundCrawl(sim, db: db, errors: false)
        defer { crawl.finish() }
        Thread.sleep(forTimeInterval: 1.0)
        crawl.interrupt()
        let text = crawl.output(), p = crawl.process
        #expect(p.terminationReason == .exit && p.terminationStatus == 3, "\(p.terminationStatus) \(text)")
        #expect(text.contains("interrupted: github pytorch/pytorch") && text.contains("run the same command again to continue"), "\(text)")
        let again = try sim.crawl("github", "pytorch/pytorch", db: db)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: false) == [])
    }

    /// Ctrl-C during a rate-limit wait stops the crawl at once, with the summary (it took effect only after the
    /// wait, which can be most of an hour).
    @Test func ctrlCDuringARateLimitWaitStopsAtOnce() throws {
        let sim = try Simulator(["--seed", "9", "--github", "pytorch/pytorch=300", "--faults", "primary=1", "--reset-seconds", "120"])
        let crawl = try BackgroundCrawl(sim, db: temporaryDatabase(), errors: true)
        defer { crawl.finish() }
        // Waiting: the simulator's first answer is a primary rate limit with a reset two minutes away.
        let waiting = Date().addingTimeInterval(30)
        while Date() < waiting, !crawl.output().contains("primary rate limit") { Thread.sleep(forTimeInterval: 0.1) }
        let sent = Date()
        crawl.interrupt()
        let text = crawl.output(), p = crawl.process
        #expect(text.contains("primary rate limit"), "\(text)")
        #expect(Date().timeIntervalSince(sent) < 5, "\(text)")
        #expect(p.terminationReason == .exit && p.terminationStatus == 3, "\(p.terminationStatus) \(text)")
        #expect(text.contains("interrupted: github pytorch/pytorch"), "\(text)")
    }

    /// An issue's `html_url` names it from then on (item keys, exports): one that is not this repository's page
    /// for this number, escape sequence and all, is replaced by the page that is.
    @Test func anIssuePageAddressFromElsewhereIsNotTaken() throws {
        let sim = try Simulator(["--seed", "6", "--github", "pytorch/pytorch=30", "--gitee", "mindspore/mindspore=30", "--faults", "hostile-url=1"])
        let db = temporaryDatabase()
        // The simulator stands for a GitHub Enterprise host: its issue pages are on the API's own host.
        for (kind, repo, host) in [("github", "pytorch/pytorch", sim.url), ("gitee", "mindspore/mindspore", "https://gitee.com")] {
            let r = try sim.crawl(kind, repo, db: db)
            #expect(r.status == 0, "\(kind): \(r.stderr)")
            let store = try DefectLabStore.open(path: db, mode: .mustExist)
            let rows: [(number: String, url: String)] = try store.read { db in
                try Row.fetchAll(db, sql: "SELECT i.number, i.url FROM issue i JOIN repository r ON r.id = i.repository_id WHERE r.owner || '/' || r.name = ?",
                                 arguments: [repo]).map { ($0["number"], $0["url"]) }
            }
            #expect(rows.count > 20, "\(kind): \(rows.count)")
            for row in rows {
                #expect(row.url == "\(host)/\(repo)/issues/\(row.number)", "\(kind): \(row.url.debugDescription)")
            }
        }
        #expect((try sim.stats().faults["hostile-url"] ?? 0) > 0)
    }

    @Test func goneIssuesAreMarkedDeleted() throws {
        let sim = try Simulator(["--seed", "13", "--github", "onnx/onnx=60", "--faults", "410=1"])
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "onnx/onnx", db: db, ["--comments"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try differences(db: db, sim: sim, repo: "onnx/onnx", comments: true) == [])
        let gone = try sim.stats().faults["410"] ?? 0
        #expect(gone > 0)
        let store = try DefectLabStore.open(path: db, mode: .mustExist)
        let deleted = try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM issue WHERE deleted = 1") ?? -1 }
        #expect(deleted == gone)
    }

    @Test func verboseShowsTheNegotiatedHTTPVersion() throws {
        let sim = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=30"])
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "pytorch/pytorch", db: db, ["--verbose"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("HTTP/1.1"), "\(r.stderr)")
    }
}

/// The HTTP client asks for HTTP/2 over TLS, reports what was negotiated, and keeps its connection alive.
@Suite(.serialized)
struct HTTPClientTests {
    @Test func asksForHTTP2OverTLSAndReportsHTTP11FromTheLoopbackSimulator() throws {
        let client = try HTTPClient()
        #expect(client.versionPreference == .http2OverTLS)
        let sim = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=30"])
        let r = try client.get(sim.url + "/repos/pytorch/pytorch/labels")
        #expect(r.status == 200)
        // The simulator speaks HTTP/1.1 in clear text: libcurl offers HTTP/2 only over TLS.
        #expect(r.httpVersion == "1.1")
    }

    @Test func reusesOneConnectionAcrossRequests() throws {
        let sim = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=30"])
        let client = try HTTPClient()
        let first = try client.get(sim.url + "/repos/pytorch/pytorch/labels")
        let second = try client.get(sim.url + "/repos/pytorch/pytorch/issues?per_page=5")
        let third = try client.get(sim.url + "/rate_limit")
        #expect(first.newConnections == 1)
        #expect(second.newConnections == 0 && third.newConnections == 0)
    }
}
