import Foundation
import Store

/// Crawls one repository's issues into the store: resumable, incremental, rate-limit-correct.
///
/// Synchronous by design: libcurl's `curl_easy_perform` blocks, and one request at a time is what the
/// trackers' secondary limits ask for. Each series (one label filter) walks its pages in `updated` order;
/// every page is committed together with the series' next URL, so a restart continues at the page in flight.
public final class Crawler {
    /// The missing-comments note is said once a run, not once per label series.
    private var notedMissingComments = false
    let options: CrawlOptions
    let api: TrackerAPI
    let client: HTTPClient
    let db: CrawlStore
    let redactor: Redactor
    var tokens: TokenPool
    var report = CrawlReport()
    /// The issue pages read in the current pass of a series (a next page among them is a pagination loop).
    var pagesThisPass = Set<String>()
    /// Issues stored (and pull requests skipped) in this run, by remote id: a page restarted at the previous
    /// one's last time re-lists the items at that boundary, which are stored again (unchanged) but counted once.
    private var storedIDs: Set<Int64> = []
    /// Every item read in this pass (pull requests included), with the time it was read at.
    private var seenAt: [Int64: String] = [:]
    /// Times of runs of one `updated_at` that this pass read by page number (`since` cannot advance inside
    /// one). An item of such a run that changes or goes while the crawl pages through it moves every later one
    /// up a place, and the one that crossed a page boundary was never read, nor by later passes, which start
    /// past the run: each is read again once the pass is done.
    private var pagedRuns: Set<String> = []
    let progress: CrawlProgress
    var random = SystemRandomNumberGenerator()

    /// Thrown inside the crawl to stop it; turned into the report's outcome.
    struct Stop: Error { var outcome: CrawlOutcome }

    public init(options: CrawlOptions, store: DefectLabStore) throws {
        self.options = options
        api = TrackerAPI(kind: options.kind, apiURL: options.apiURL, owner: options.owner, repo: options.repo)
        client = try HTTPClient(timeout: options.timeout)
        client.versionPreference = options.httpVersion
        client.caFile = options.caFile
        tokens = TokenPool(tokens: options.tokens)
        redactor = Redactor(secrets: options.tokens.map(\.value))
        progress = CrawlProgress(enabled: options.progress)
        db = try CrawlStore.open(store, kind: options.kind, apiURL: api.base, owner: options.owner, name: options.repo, framework: options.framework)
    }

    /// Series names are stable across runs: they key `crawl_state`.
    var seriesList: [(name: String, label: String?)] {
        let labels = options.labels.isEmpty ? [nil] : options.labels.map { Optional($0) }
        return labels.map { label in
            ("issues state=\(options.state)" + (label.map { " label=\($0)" } ?? ""), label)
        }
    }

    public func run() -> CrawlReport {
        let started = Date()
        do {
            try probeTokens()
            try crawlLabels()
            try noteUnknownLabels()
            for series in seriesList { try crawl(series: series.name, label: series.label) }
            report.outcome = .done
        } catch let stop as Stop {
            report.outcome = stop.outcome
        } catch let error as CrawlError {
            report.outcome = .failed(code: error.code, message: redactor.clean(error.message))
        } catch let error as StoreError {
            report.outcome = .failed(code: .store, message: redactor.clean(error.description))
        } catch {
            report.outcome = .failed(code: .store, message: redactor.clean("\(error)"))
        }
        report.seconds = Date().timeIntervalSince(started)
        progress.finish()
        return report
    }

    // MARK: steps

    /// Asks `/rate_limit` (free) for each token's quota, so rotation starts informed and a bad token stops the
    /// crawl before any page is fetched.
    func probeTokens() throws {
        guard let url = api.rateLimitURL, !options.tokens.isEmpty else { return }
        for i in tokens.entries.indices {
            tokens.current = i
            // nil is a 404: a GitHub Enterprise server with rate limiting off ("Rate limiting is not enabled")
            // has no quota to learn, which is no reason to stop the crawl.
            guard try fetch(url, conditional: false, pinned: i) != nil else { return }
        }
    }

    /// A `--label` the repository's label list does not have (a typo) crawls nothing and said "done": said.
    func noteUnknownLabels() throws {
        guard !options.labels.isEmpty, case let known = try db.labelNames(), !known.isEmpty else { return }
        for label in options.labels where !known.contains(label.lowercased()) {
            progress.log("note: --label '\(redactor.clean(label))' is not among the \(known.count) labels of \(options.owner)/\(options.repo) (a typo?); its series stores only issues carrying it")
        }
    }

    func crawlLabels() throws {
        // Renames do not bump issues' updated_at: re-list labels every run (304s when nothing changed). Each
        // page is stored with its next one, so a 304 on the first page still leads to the others (a rename on a
        // later page changes only that page), and a full page is never the last (a label added past it changes
        // only the page after it).
        var url: String? = api.labelsURL
        var seen = Set<String>()
        while let u = url {
            seen.insert(u)
            let cached = try db.etag(url: u)
            guard let r = try fetch(u, conditional: true) else { return }
            if r.status == 304 {
                // As for issue pages: a page stored as the last that the tracker now says has a next one.
                url = try cached?.next ?? checkedNext(api.nextURL(after: u, response: r, count: 1))
                if let n = url, seen.contains(n) { url = loopEnds(n, list: "label list") }
                continue
            }
            guard let ranges = TrackerJSON.elements(r.body) else { return }
            let labels = r.body.withUnsafeBufferPointer { page in ranges.compactMap { TrackerJSON.label(page, $0) } }
            var next = api.nextListURL(after: u, response: r, count: ranges.count)
            if let n = next, seen.contains(n) { next = loopEnds(n, list: "label list") }
            try db.upsertLabels(labels, url: u, etag: r.header("etag"), next: next)
            url = next
        }
    }

    func crawl(series: String, label: String?) throws {
        var state = try db.state(series: series)
        // A pass that read its last page and stopped there (a spent budget, a kill) before reading its runs of one
        // time again does that first: a new pass started from the mark and dropped them unread.
        if let s = state, s.status == "running", s.nextURL == nil, !s.pagedRuns.isEmpty {
            pagedRuns = Set(s.pagedRuns)
            try verifyPagedRuns(series: series, label: label)
            try db.finish(series: series, status: "done")
            state = try db.state(series: series)
        }
        if state == nil || state?.status != "running" || state?.nextURL == nil {
            // A new pass: from the high-water mark minus the overlap, else the user's floor, else everything.
            var since: String?
            if let mark = state?.highWaterMark, let e = TrackerTime.epoch(mark) {
                since = TrackerTime.format(e - options.overlapSeconds)
                // An incremental pass fetches comments only for issues changed since the mark: those an earlier
                // run stored without --comments stay without them (the run would otherwise say done, unsaid).
                if options.comments, !notedMissingComments, case let missing = try db.issuesMissingComments(), missing > 0 {
                    notedMissingComments = true
                    progress.log("note: \(missing) stored issues count comments on the tracker but have none stored (stored by a run without --comments, or their comments were deleted since); this incremental pass fetches comments only for issues changed since \(mark); crawl into a fresh --db for all of them")
                }
                if let floor = options.since {
                    progress.log("note: --since \(floor) is not used: this series goes on from its high-water mark \(mark) (a new --db starts afresh)")
                }
            } else if let floor = options.since {
                guard let e = TrackerTime.epoch(floor) else { throw CrawlError(.badInput, "--since '\(floor)' is not an ISO 8601 time") }
                // GitHub answers an empty list for since=1970-01-01: use a later floor.
                since = TrackerTime.format(max(e, 315_532_800))
            }
            var first = api.firstIssuesURL(state: options.state, label: label, since: since)
            // A previous incremental pass that fit in one page is asked again as it was: if nothing changed
            // since, its ETag turns the whole run into 304s. Once it grows past a page the mark moves on.
            if let previous = state, previous.status == "done", previous.pagesDone <= 1,
               let url = previous.firstURL, TrackerAPI.queryValue(url, "since") != nil {
                first = url
            }
            try db.startPass(series: series, firstURL: first)
            state = try db.state(series: series)
        }
        var next = state?.nextURL
        // A pass resumed from another run goes on with the runs that run paged by number: they are read again
        // when the pass ends.
        pagedRuns = Set(state?.pagedRuns ?? [])
        progress.seriesPage = state?.pagesDone ?? 0
        pagesThisPass = []
        while let url = next {
            next = try crawlPage(url, series: series, label: label)
            progress.seriesPage += 1
        }
        try verifyPagedRuns(series: series, label: label)
        try db.finish(series: series, status: "done")
    }

    /// How many times one pass reads a run of one time again while that finds items the previous read missed.
    static let runRereads = 3

    /// Reads each run of one time this pass paged by number again, from its first page to the page where it
    /// ends, while that finds items of the run the previous read did not see (bounded: a tracker busy editing
    /// the run could move items every time). Unchanged pages answer 304, so a run nothing touched costs no quota.
    func verifyPagedRuns(series: String, label: String?) throws {
        for time in pagedRuns.sorted() {
            var missed = 0
            for _ in 0..<Self.runRereads {
                let before = seenAt
                pagesThisPass = []
                var url: String? = api.firstIssuesURL(state: options.state, label: label, since: time)
                while let u = url {
                    url = try crawlPage(u, series: series, label: label)
                    progress.seriesPage += 1
                    // Past the run: its page-number paging is over.
                    if let n = url, TrackerAPI.queryValue(n, "since") != TrackerAPI.encode(time) { break }
                }
                let found = seenAt.filter { $0.value == time && before[$0.key] != time }.count
                missed += found
                if found == 0 { break }
            }
            if missed > 0 {
                progress.log("note: \(missed) issue(s) updated at \(time) were missed while the crawl paged through them (others of that time changed or went meanwhile, moving them across a page boundary); read again")
            }
        }
        pagedRuns = []
    }

    /// Fetches one page, its issues' comments when asked, and commits it. Returns the next page URL.
    func crawlPage(_ url: String, series: String, label: String?) throws -> String? {
        let cached = try db.etag(url: url)
        guard let response = try fetch(url, conditional: true) else {
            throw CrawlError(.notFound, "\(api.kind.rawValue) \(options.owner)/\(options.repo): issue list not found (gone?)")
        }
        if response.status == 304 {
            // Unchanged since the last pass: nothing to store, and the ETag row knows the next page.
            report.pages += 1
            progress.pages += 1
            progress.show()
            // A page stored as the last that the tracker now says is followed by another (its `link` or Gitee's
            // `total_page` on the 304; a tracker that sends fewer items than asked for): a list that grew past
            // it. Taking it for the last again ended every later run at this page.
            var next = cached?.next
            if next == nil { next = try checkedNext(api.nextURL(after: url, response: response, count: 1)) }
            try db.commit(PageCommit(series: series, pageURL: url, etag: nil, nextURL: next, lastPage: cached?.lastPage,
                                     issues: [], commentETags: [], deletedNumbers: []))
            pagesThisPass.insert(url)
            if let n = next, pagesThisPass.contains(n) { return loopEnds(n, list: "issue list") }
            return next
        }
        guard let ranges = TrackerJSON.elements(response.body) else {
            throw CrawlError(.badInput, "the issue list answer is not a JSON array (not the tracker's documented answer)")
        }
        var issues: [ParsedIssue] = []
        issues.reserveCapacity(ranges.count)
        let kind = api.kind
        let parsed = response.body.withUnsafeBufferPointer { page in ranges.map { TrackerJSON.issue(page, $0, kind: kind) } }
        let malformed = parsed.count { $0 == nil }
        // A page of which nothing reads as an issue is not an empty page: taken as one, it ended the series
        // early and the pass said "done".
        if malformed > 0, malformed == ranges.count {
            throw CrawlError(.badInput, "the issue list answer holds \(malformed) element(s) and none is an issue (an object with an id and a number); not the tracker's documented answer")
        }
        report.malformedSkipped += malformed
        // Gitee's label filter is undocumented (AND or OR): filter on the client too. An issue already stored that
        // no longer carries the label is still updated: its label was taken away (the store kept it, and the issue
        // stayed an HP candidate).
        func lacksLabel(_ issue: ParsedIssue) -> Bool {
            guard let label else { return false }
            return !issue.labels.contains { $0.name.lowercased() == label.lowercased() }
        }
        let unlabelled = parsed.compactMap { $0 }.filter { !$0.isPullRequest && lacksLabel($0) }
        let storedUnlabelled = unlabelled.isEmpty ? [:] : try db.stored(remoteIDs: unlabelled.map(\.remoteID))
        for case var issue? in parsed {
            if issue.isPullRequest {
                if storedIDs.insert(issue.remoteID).inserted { report.pullRequestsSkipped += 1 }
                continue
            }
            if lacksLabel(issue), storedUnlabelled[issue.remoteID] == nil { continue }
            // The number and the page address come from the tracker and name the item everywhere after
            // (item keys, exports, reports): a number that is not one is no issue, and an address that is not
            // this repository's issue page is replaced by the one that is.
            guard TrackerAPI.isIssueNumber(issue.number, kind: kind) else { report.malformedSkipped += 1; continue }
            issue.url = api.issuePageURL(number: issue.number, given: issue.url)
            issue.deleted = false
            issues.append(issue)
        }
        var commentETags: [(url: String, etag: String, next: String?)] = []
        if options.comments { try fetchComments(&issues, etags: &commentETags) }
        let lastUpdated = parsed.last(where: { $0 != nil })??.updatedAt
        for item in parsed.compactMap({ $0 }) { if let time = item.updatedAt { seenAt[item.remoteID] = time } }
        var next = api.nextIssuesURL(after: url, response: response, count: ranges.count, lastUpdated: lastUpdated)
        // A page whose last item has the time it was asked from lies inside a run of that time, paged by number.
        var newRun = false
        if next != nil, let lastUpdated, TrackerAPI.queryValue(url, "since") == TrackerAPI.encode(lastUpdated) { newRun = pagedRuns.insert(lastUpdated).inserted }
        pagesThisPass.insert(url)
        if let n = next, pagesThisPass.contains(n) { next = loopEnds(n, list: "issue list") }
        next = try checkedNext(next)
        // The series' length as far as the tracker can tell now: the pages done and those left from this one.
        let last = api.pagesFrom(url, response: response).map { $0 + progress.seriesPage }
        progress.lastPage = last ?? progress.lastPage
        try db.commit(PageCommit(series: series, pageURL: url, etag: response.header("etag"), nextURL: next, lastPage: last,
                                 issues: issues, commentETags: commentETags, deletedNumbers: [], pagedRuns: newRun ? pagedRuns.sorted() : nil))
        report.pages += 1
        let fresh = issues.filter { storedIDs.insert($0.remoteID).inserted }.count
        report.issuesStored += fresh
        progress.pages += 1
        progress.issues += fresh
        progress.show()
        return next
    }

    /// A next page as it may be stored for the series to resume at. Checked before it is stored: a link with
    /// control characters or spaces stored there failed every later run of the series, even against a tracker
    /// that had mended it; and a link to another host is not followed (with a token or without).
    func checkedNext(_ next: String?) throws -> String? {
        guard let n = next else { return nil }
        if TrackerAPI.origin(n) != TrackerAPI.origin(api.base) {
            throw CrawlError(.redirect, "a pagination link points to another host (\(redactor.clean(TrackerAPI.shown(TrackerAPI.origin(n) ?? n)))), not the API's (\(TrackerAPI.origin(api.base) ?? api.base)); not followed; this page was not stored, and a later run starts from it again")
        }
        if !TrackerAPI.isWellFormed(n) {
            throw CrawlError(.badInput, "the tracker's pagination link is not a well-formed URL (\(redactor.clean(TrackerAPI.shown(n)))); this page was not stored, and a later run starts from it again")
        }
        return n
    }

    /// Fetches comments of the page's issues that have any and changed since they were stored.
    ///
    /// Each comment page is asked for with its stored ETag, and a page answering 304 is followed by the next
    /// page stored with it. A 304 says only that *that* page is as it was, so the answers are used as a whole
    /// list only when every page came back (the thread is replaced) or none did and the stored count is the
    /// issue's (nothing changed). Otherwise — some pages unchanged and others not (a new comment on the last
    /// page of a long thread), or every page unchanged while the count says otherwise (a new page past the last
    /// stored one, which the stored chain does not name) — the whole thread is read again unconditionally,
    /// since replacing it with only the pages that answered would drop the others' comments.
    func fetchComments(_ issues: inout [ParsedIssue], etags: inout [(url: String, etag: String, next: String?)]) throws {
        let stored = try db.stored(remoteIDs: issues.map(\.remoteID))
        for i in issues.indices {
            let issue = issues[i]
            let before = stored[issue.remoteID]
            let count = issue.commentCount ?? 0
            if count == 0 {
                if (before?.comments ?? 0) > 0 { issues[i].comments = .replaced([]) }
                continue
            }
            if let before, before.updatedAt == issue.updatedAt, before.comments == count { continue }
            var conditional = before != nil
            while true {   // twice at most: the second time unconditionally, which no page answers with 304
                switch try fetchThread(issue.number, conditional: conditional) {
                case .gone: issues[i].deleted = true
                case .missing: break
                case .pages(let thread):
                    let unchanged = thread.pages.filter { $0 == nil }.count
                    if unchanged == 0 {
                        issues[i].comments = .replaced(thread.pages.flatMap { $0! })
                        etags += thread.etags
                    } else if unchanged < thread.pages.count || before?.comments != count {
                        conditional = false
                        continue
                    }
                }
                break
            }
        }
    }

    /// One issue's comment pages in order, nil for a page that answered 304, and the ETags of those that answered.
    struct CommentThread {
        var pages: [[ParsedComment]?] = []
        var etags: [(url: String, etag: String, next: String?)] = []
    }

    enum ThreadAnswer {
        case pages(CommentThread)
        /// The issue is gone (410).
        case gone
        /// A comment page is not there (404): the stored comments are left as they are.
        case missing
    }

    func fetchThread(_ number: String, conditional: Bool) throws -> ThreadAnswer {
        var thread = CommentThread()
        var url: String? = api.commentsURL(number: number)
        var seen = Set<String>()
        while let u = url {
            seen.insert(u)
            let cached = conditional ? try db.etag(url: u) : nil
            guard let r = try fetch(u, conditional: conditional) else { return .missing }
            if r.status == 410 { return .gone }
            if r.status == 304 {
                thread.pages.append(nil)
                url = cached?.next
                if let n = url, seen.contains(n) { url = loopEnds(n, list: "comment list of #\(number)") }
                continue
            }
            guard let ranges = TrackerJSON.elements(r.body) else { throw CrawlError(.exhausted, "a comments answer is not a JSON array") }
            var page: [ParsedComment] = []
            r.body.withUnsafeBufferPointer { bytes in
                for range in ranges { if let c = TrackerJSON.comment(bytes, range) { page.append(c) } }
            }
            thread.pages.append(page)
            var next = api.nextURL(after: u, response: r, count: ranges.count)
            if let n = next, seen.contains(n) { next = loopEnds(n, list: "comment list of #\(number)") }
            if let etag = r.header("etag") { thread.etags.append((u, etag, next)) }
            url = next
        }
        return .pages(thread)
    }

    // MARK: HTTP with limits and retries

    func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// A list's next page that this pass already read: the list ends here, said once per list (following it
    /// asked a tracker for the same page 22 times a second without end).
    func loopEnds(_ next: String, list: String) -> String? {
        report.paginationLoops += 1
        progress.log("note: the tracker's next page of the \(list) is one already read in this pass (\(redactor.clean(TrackerAPI.shown(next)))): a pagination loop; the list ends here")
        return nil
    }

    func sleep(_ seconds: Double, reason: String) {
        guard seconds > 0 else { return }
        progress.waiting("\(reason) \(String(format: "%.1f", seconds))s", seconds: seconds)
        progress.show(force: true)
        // A long wait is said even without --verbose or a progress line (a cron job must not look hung).
        if options.verbose || seconds >= 5 { progress.log("wait \(String(format: "%.2f", seconds))s: \(reason)") }
        // In slices, so Ctrl-C stops the crawl during a wait (a rate-limit reset can be most of an hour away)
        // rather than after it; the request loop then stops with the summary.
        let end = Date().addingTimeInterval(seconds)
        while options.shouldStop?() != true {
            let left = end.timeIntervalSinceNow
            if left <= 0 { break }
            Thread.sleep(forTimeInterval: min(left, 0.1))
        }
        progress.waiting(nil)
    }

    /// An HTTP `date` header (RFC 7231 IMF-fixdate) as seconds since 1970.
    /// The longest wait a tracker may ask for: past it the crawl stops and says when to run again (a header of
    /// 999999999 s or `inf` was waited on, or trapped the arithmetic).
    static let longestWait: Double = 3600

    /// A `Retry-After` value in seconds: delay-seconds, or an HTTP date (RFC 9110), measured against the
    /// tracker's `date` when it is within a day of this clock. Negative is no wait; unreadable is nil (the
    /// back-off decides); past `longestWait` stops the crawl.
    static func retryAfterSeconds(_ text: String, date: String?, now: Int64) throws(CrawlError) -> Double? {
        let value: Double
        if let seconds = Double(text.trimmingCharacters(in: .whitespaces)) {
            guard seconds.isFinite else { throw tooLong(text) }
            value = seconds
        } else if let at = httpDate(text) {
            value = Double(at) - Double(trackerNow(date: date, now: now))
        } else {
            return nil
        }
        guard value <= longestWait else { throw tooLong(text) }
        return max(0, value)
    }

    /// Seconds a token rests after a primary limit: until `x-ratelimit-reset` (epoch seconds, on the tracker's
    /// clock), else `Retry-After`, else 60 s; at least 1.
    static func primaryWait(reset: String?, date: String?, retryAfter: Double?, now: Int64) throws(CrawlError) -> Double {
        let serverNow = trackerNow(date: date, now: now)
        let wait: Double
        if let reset, let at = Double(reset.trimmingCharacters(in: .whitespaces)), at.isFinite {
            wait = at - Double(serverNow) + 1
        } else {
            wait = (retryAfter ?? 60) + 1
        }
        guard wait <= longestWait else { throw tooLong("until \(reset ?? "?")") }
        return max(1, wait)
    }

    /// The tracker's clock (its `date` header) when within a day of this one, else this one: a reset is
    /// measured on the tracker's clock (a local clock running ahead must not take it as passed), but a date
    /// decades off is no clock (it made a wait of 127 years).
    static func trackerNow(date: String?, now: Int64) -> Int64 {
        guard let date, let server = httpDate(date), abs(Double(server) - Double(now)) <= 86_400 else { return now }
        return server
    }

    static func tooLong(_ asked: String) -> CrawlError {
        CrawlError(.exhausted, "the tracker asks to wait \(CrawlProgress.plain(String(asked.prefix(40)))) s, more than an hour: "
                   + "what was stored is kept; run the same command again later")
    }

    static func httpDate(_ text: String) -> Int64? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }

    /// Exponential back-off with jitter, scaled for tests: attempt 0 → 1–1.25 s, 1 → 2–2.5 s, …, the doubling capped
    /// at `cap` and the jitter (up to +25%) on top. The jitter only adds: a base is a floor (a secondary rate limit
    /// wants ≥ 60 s; waits of 45–60 s came from jitter that also took away).
    func backoff(_ attempt: Int, base: Double = 1, cap: Double = 60) -> Double {
        let raw = min(cap, base * pow(2, Double(attempt)))
        return raw * Double.random(in: 1.0...1.25, using: &random) * options.waitScale
    }

    /// GET with the quota rules and retries. Returns nil for a 404 on a per-issue resource; a 410 is returned
    /// as a response. `pinned` forces one token (the probe).
    func fetch(_ url: String, conditional: Bool, pinned: Int? = nil) throws -> HTTPResponse? {
        var target = url
        var attempt = 0
        var redirects = 0
        var secondaryHits = 0
        let cachedETag = conditional ? try db.etag(url: url)?.etag : nil
        // Every URL this crawl follows comes from the tracker (a `link` header, a stored next page): the token
        // goes only to the API's own origin, whichever path (issues, comments, labels) found the URL.
        guard TrackerAPI.origin(url) == TrackerAPI.origin(api.base) else {
            throw CrawlError(.redirect, "a page link to another origin (\(TrackerAPI.origin(url) ?? "?")); not followed with the token")
        }
        while true {
            if let max = options.maxRequests, report.requests >= max {
                throw Stop(outcome: .budgetStopped)
            }
            if options.shouldStop?() == true { throw Stop(outcome: .interrupted) }
            var index: Int
            if let pinned {
                index = pinned
            } else {
                let pick = tokens.pick(now: now())
                index = pick.index
                if let until = pick.waitUntil {
                    sleep(Double(max(1, until - now() + 1)), reason: "primary rate limit (all tokens) until reset")
                    continue
                }
            }
            let token = tokens.entries[index].token
            var (sendURL, headers) = api.authorize(target, token: token?.value)
            if let cachedETag, target == url { headers.append(("If-None-Match", cachedETag)) }
            report.requests += 1
            let response: HTTPResponse
            do {
                response = try client.get(sendURL, headers: headers)
                sendURL = ""
            } catch {
                sendURL = ""
                attempt += 1
                if options.verbose { progress.log("GET \(redactor.clean(target)) → \(error.code) (\(error.message))") }
                if error.code == .untrusted {
                    throw CrawlError(.untrusted, "TLS with \(TrackerAPI.origin(target) ?? "the tracker") failed: \(error.message); " +
                                     (options.caFile == nil ? "a tracker behind a private certificate authority needs --ca-file PEM"
                                                            : "check that --ca-file holds the authority that signed the tracker's certificate"))
                }
                if error.code == .malformedURL {
                    // Not a transport fault: the URL (a tracker's pagination link or redirect) is not one.
                    throw CrawlError(.badInput, "the tracker sent a URL that is not well formed (\(redactor.clean(TrackerAPI.shown(target)))): \(error.message)")
                }
                if error.code == .unsupported {
                    // Clear-text HTTP/2 without an upgrade (a tracker that speaks only h2c) answers HTTP/1.1 with
                    // a preface libcurl reports as an unsupported protocol.
                    throw CrawlError(.badInput, "cannot talk to \(TrackerAPI.origin(target) ?? "the tracker"): \(error.message); "
                                     + (options.httpVersion == .http2OverTLS ? "a clear-text tracker that speaks only HTTP/2 needs --http 2" : "check --api-url"))
                }
                guard attempt < options.maxAttempts else {
                    throw CrawlError(.exhausted, "\(error.code) talking to \(TrackerAPI.origin(target) ?? "the tracker") after \(attempt) tries: \(error.message)")
                }
                // Counted when the request is sent again (an untrusted certificate stops at once: no retry).
                report.retries += 1
                sleep(backoff(attempt - 1), reason: "\(error.code)")
                continue
            }
            tokens.update(index, response: response)
            progress.quota = tokens.remainingTotal
            if response.status == 304 { report.notModified += 1 }
            if options.verbose {
                let who = token.map { " [\($0.label)]" } ?? ""
                progress.log("GET \(redactor.clean(target)) → \(response.status) HTTP/\(response.httpVersion)\(who) quota \(response.header("x-ratelimit-remaining") ?? "?")")
            }
            let message = Self.message(response)
            switch response.status {
            case 200, 304:
                if response.status == 200, !Self.isCompleteJSON(response.body) {
                    // A body cut short without the transport noticing: retry it.
                    attempt += 1; report.retries += 1
                    guard attempt < options.maxAttempts else {
                        throw CrawlError(.exhausted, "incomplete JSON from \(TrackerAPI.origin(target) ?? "?") after \(attempt) tries")
                    }
                    sleep(backoff(attempt - 1), reason: "truncated body")
                    continue
                }
                return response
            case 301, 302, 307, 308:
                guard let location = response.header("location"), redirects < 5 else {
                    throw CrawlError(.redirect, "too many redirects, or a redirect without a location")
                }
                // Resolved as RFC 3986 says (`//host/...` names a host; `page2` is relative to the path), and
                // checked as a pagination link is.
                guard let absolute = URL(string: location, relativeTo: URL(string: target))?.absoluteString,
                      TrackerAPI.isWellFormed(absolute) else {
                    throw CrawlError(.redirect, "\(response.status) to a location that is not a well-formed URL (\(redactor.clean(TrackerAPI.shown(location)))); not followed")
                }
                if let path = URLComponents(string: absolute)?.path, let at = path.range(of: "/repos/") {
                    let parts = path[at.upperBound...].split(separator: "/").prefix(2).map(String.init)
                    if parts.count == 2, "\(parts[0])/\(parts[1])".lowercased() != "\(options.owner)/\(options.repo)".lowercased() {
                        report.movedTo = "\(parts[0])/\(parts[1])"
                    }
                }
                // Followed only on the API's own origin: the token must not travel to another host.
                guard TrackerAPI.origin(absolute) == TrackerAPI.origin(api.base) else {
                    throw CrawlError(.redirect, "\(response.status) to another host (\(TrackerAPI.origin(absolute) ?? "?")); not followed")
                }
                redirects += 1
                // A Location that repeats the query repeats the token: it is added afresh to each request.
                target = TrackerAPI.removingQueryItem("access_token", from: absolute)
                continue
            case 401:
                let who = token.map { "the token from \($0.label)" } ?? "the anonymous request"
                throw CrawlError(.unauthorized, "authentication failed (401 \(message ?? "Bad credentials")) for \(who); stopping at once (retrying a bad token gets every request refused)")
            case 403, 429:
                let remaining = response.header("x-ratelimit-remaining").flatMap(Int.init)
                let retryAfter = try response.header("retry-after").flatMap { try Self.retryAfterSeconds($0, date: response.header("date"), now: now()) }
                let lower = (message ?? "").lowercased()
                if remaining == 0 && !lower.contains("secondary") {
                    // Primary limit: rest this token until its reset; another token may carry on at once. The
                    // reset is the tracker's clock: measured against its `date` header, so a local clock running
                    // ahead does not take the reset as passed and send again at once (a tight loop GitHub bans).
                    let wait = try Self.primaryWait(reset: response.header("x-ratelimit-reset"), date: response.header("date"),
                                                    retryAfter: retryAfter, now: now())
                    tokens.exhaust(index, until: now() + Int64(wait))
                    if pinned != nil { return response }
                    attempt += 1
                    guard attempt < options.maxAttempts + 4 else { throw CrawlError(.exhausted, "still rate-limited after \(attempt) tries") }
                    report.retries += 1   // the same request again, after the wait or with another token
                    continue
                }
                // Gitee's rate wording is undocumented and often Chinese ("请求过于频繁": requests too frequent).
                let rateWords = ["rate limit", "too many requests", "too frequent", "频繁", "限流", "超过限制", "次数过多"]
                if lower.contains("secondary") || response.status == 429 || retryAfter != nil || rateWords.contains(where: lower.contains) {
                    secondaryHits += 1
                    attempt += 1
                    guard attempt < options.maxAttempts + 4 else {
                        throw CrawlError(.exhausted, "still rate-limited after \(attempt) tries")
                    }
                    let wait = retryAfter ?? backoff(secondaryHits - 1, base: 60, cap: 900)
                    report.retries += 1
                    sleep(wait, reason: response.status == 429 ? "429 too many requests" : "secondary rate limit")
                    continue
                }
                throw CrawlError(.forbidden, "403 forbidden\(message.map { ": \($0)" } ?? "") (not a rate limit; not retried)")
            case 404:
                if target != url || target.contains("/comments") || target == api.rateLimitURL { return nil }
                throw CrawlError(.notFound, "404 not found: \(options.owner)/\(options.repo) on \(api.base) (wrong name, or no access)")
            case 410:
                return response
            case 500...599:
                attempt += 1
                guard attempt < options.maxAttempts else { throw CrawlError(.exhausted, "\(response.status) from the tracker after \(attempt) tries") }
                report.retries += 1   // counted when the request is sent again, as for network faults
                sleep(backoff(attempt - 1), reason: "server error \(response.status)")
                continue
            default:
                throw CrawlError(.http, "unexpected HTTP \(response.status)\(message.map { ": \($0)" } ?? "")")
            }
        }
    }

    static func isCompleteJSON(_ body: [UInt8]) -> Bool {
        var i = 0
        while i < body.count, body[i] == 0x20 || body[i] == 0x0A || body[i] == 0x0D || body[i] == 0x09 { i += 1 }
        guard i < body.count else { return false }
        if body[i] == UInt8(ascii: "[") { return TrackerJSON.elements(body) != nil }
        return (try? JSONSerialization.jsonObject(with: Data(body))) != nil
    }

    /// The tracker's own words on an error (its JSON `message`), made plain: it goes into an error the
    /// terminal prints, and a tracker (or whatever answers at --api-url) chooses it.
    static func message(_ r: HTTPResponse) -> String? {
        guard r.body.first == UInt8(ascii: "{"),
              let o = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] else { return nil }
        return (o["message"] as? String).map { CrawlProgress.plain(String($0.prefix(300))) }
    }
}
