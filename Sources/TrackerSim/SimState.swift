import Foundation

/// The simulator's whole state: corpora, quotas, fault draws and statistics, behind one lock.
///
/// Every request takes the lock once, so the order of fault draws and churn is the order requests arrive:
/// a sequential crawler sees the same faults for the same seed on every run.
public final class SimState: @unchecked Sendable {
    let options: SimOptions
    let lock = NSLock()
    var corpora: [String: SimCorpus] = [:]
    var faultRandom: SimRandom
    var churnRandom: SimRandom
    var serverErrorBurst = 0
    /// The fault drawn is the rest of a burst already under way (its length is not drawn again).
    var inServerErrorBurst = false
    // Quota per key (a token's hash or "anonymous"): used in the current window, window end, blocked-until.
    struct Quota { var used = 0; var reset: Int64 = 0; var blockedUntil: Int64 = 0 }
    var quotas: [UInt64: Quota] = [:]
    // Statistics for /_sim/stats.
    var requestsTotal = 0
    var byRoute: [String: Int] = [:]
    var byStatus: [String: Int] = [:]
    var notModified = 0
    var quotaUsed = 0
    var faultsInjected: [String: Int] = [:]
    var churned = 0
    /// Deletions `/_sim/delete?...&after=K` scheduled to happen after K more issue-list requests (a deletion
    /// while a crawl pages through a list).
    var scheduledDeletions: [(corpus: SimCorpus, number: String, after: Int)] = []
    var pageCache = SimPageCache()
    /// The faults drawn from: `--faults`, until `/_sim/faults?spec=...` replaces them (a test mends a tracker).
    var faults: FaultPlan

    public init(options: SimOptions) {
        self.options = options
        faults = options.faults
        faultRandom = SimRandom(seed: options.seed &* 31 &+ 7)
        churnRandom = SimRandom(seed: options.seed &* 131 &+ 11)
        for (name, n) in options.github { corpora["github:" + name.lowercased()] = SimCorpus(kind: .github, fullName: name, count: n, seed: options.seed, extraLabels: options.extraLabels) }
        for (name, n) in options.gitee { corpora["gitee:" + name.lowercased()] = SimCorpus(kind: .gitee, fullName: name, count: n, seed: options.seed, extraLabels: options.extraLabels) }
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    func handle(_ request: SimRequest) -> SimReply {
        lock.lock()
        defer { lock.unlock() }
        if request.path.hasPrefix("/_sim/") { return control(request) }
        requestsTotal += 1
        var reply = route(request)
        if reply.status == 304 { notModified += 1 }
        byStatus[String(reply.status), default: 0] += 1
        if case .reset = reply.delivery { byStatus["reset", default: 0] += 1 }
        reply.headers.append(("x-sim-request", String(requestsTotal)))
        return reply
    }

    // MARK: routing

    enum Tracker { case github, gitee }

    func route(_ request: SimRequest) -> SimReply {
        var path = request.path
        let tracker: Tracker
        var prefix = ""
        if path.hasPrefix("/api/v5/") {
            tracker = .gitee; prefix = "/api/v5"; path.removeFirst(7)
        } else {
            tracker = .github
            if path.hasPrefix("/api/v3/") { prefix = "/api/v3"; path.removeFirst(7) }
        }
        let segments = path.split(separator: "/").map(String.init)
        // Route names for /_sim/stats, with owner, repo, ids and numbers folded to {}.
        var shape: [String] = []
        for (n, seg) in segments.enumerated() {
            let variable: Bool
            if segments[0] == "repos" { variable = n == 1 || n == 2 || n == 4 }
            else if segments[0] == "repositories" { variable = n == 1 || n == 3 }
            else { variable = false }
            shape.append(variable ? "{}" : seg)
        }
        let routeName: String = (tracker == .gitee ? "gitee /" : "github /") + shape.joined(separator: "/")
        byRoute[routeName, default: 0] += 1

        // Authentication: GitHub `Authorization: Bearer|token`, Gitee `access_token=` (or a bearer header).
        var token: String?
        if let auth = request.headers["authorization"] {
            let parts = auth.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2, ["bearer", "token"].contains(parts[0].lowercased()) { token = parts[1] }
        }
        if tracker == .gitee, let t = request.value("access_token") { token = t }
        if let token, let valid = options.validTokens, !valid.contains(token) {
            return tracker == .gitee ? .message(401, "401 Unauthorized: Access token does not exist")
                                     : .message(401, "Bad credentials")
        }
        let key = token.map { fnv1a(Array($0.utf8)) } ?? 0
        let limit = token == nil ? options.anonymousQuota : options.quota
        let now = Self.now
        var quota = quotas[key] ?? Quota()
        if quota.reset <= now { quota.used = 0; quota.reset = now + 3600 }
        defer { quotas[key] = quota }
        func rateHeaders(_ remainingOverride: Int? = nil, reset: Int64? = nil) -> [(String, String)] {
            guard tracker == .github else { return [] }
            let remaining = remainingOverride ?? max(0, limit - quota.used)
            return [("x-ratelimit-limit", String(limit)), ("x-ratelimit-remaining", String(remaining)),
                    ("x-ratelimit-used", String(limit - remaining)),
                    ("x-ratelimit-reset", String(reset ?? quota.reset)), ("x-ratelimit-resource", "core")]
        }

        if tracker == .github, segments == ["rate_limit"] {
            let core: JSONValue = .object([("limit", .int(Int64(limit))), ("used", .int(Int64(quota.used))),
                                           ("remaining", .int(Int64(max(0, limit - quota.used)))),
                                           ("reset", .int(quota.blockedUntil > now ? quota.blockedUntil : quota.reset))])
            var r = SimReply.json(200, .object([("resources", .object([("core", core)])), ("rate", core)]))
            r.headers += rateHeaders(quota.blockedUntil > now ? 0 : nil, reset: quota.blockedUntil > now ? quota.blockedUntil : nil)
            return r
        }

        // A primary limit in force (injected, or the quota used up).
        if quota.blockedUntil > now || quota.used >= limit {
            let reset = quota.blockedUntil > now ? quota.blockedUntil : quota.reset
            var r: SimReply = tracker == .gitee
                ? .message(429, "Rate Limit Exceeded")
                : .message(403, "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)")
            r.headers += rateHeaders(0, reset: reset)
            if tracker == .gitee { r.headers.append(("retry-after", String(max(1, reset - now)))) }
            return r
        }

        if let fault = drawFault(tracker: tracker, segments: segments) {
            faultsInjected[fault.rawValue, default: 0] += 1
            switch fault {
            case .primary:
                quota.blockedUntil = now + Int64(options.resetSeconds)
                var r: SimReply = tracker == .gitee ? .message(429, "Rate Limit Exceeded")
                                                    : .message(403, "API rate limit exceeded for user ID 1.")
                r.headers += rateHeaders(0, reset: quota.blockedUntil)
                return r
            case .secondary, .secondaryBare:
                var r = SimReply.message(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
                r.headers += rateHeaders()
                if fault == .secondary { r.headers.append(("retry-after", String(options.retryAfterSeconds))) }
                return r
            case .tooMany:
                var r = SimReply.message(429, "Too Many Requests")
                r.headers += rateHeaders()
                r.headers.append(("retry-after", String(options.retryAfterSeconds)))
                return r
            case .serverError:
                // The burst's length is drawn when it starts: drawn again on each of its answers it only ended
                // when a 0 came up (8 in a row failed a crawl at a 5% rate).
                if !inServerErrorBurst { serverErrorBurst = faultRandom.int(0..<3) }
                inServerErrorBurst = false
                return .message(faultRandom.chance(0.5) ? 502 : 503, "Server Error")
            case .forbidden:
                var r: SimReply = .message(403, tracker == .gitee ? "403 Forbidden" : "Resource not accessible by integration")
                r.headers += rateHeaders()
                return r
            case .moved, .movedAway:
                if let corpus = corpus(tracker, segments), segments[0] == "repos" {
                    let rest = segments.dropFirst(3).joined(separator: "/")
                    let query = request.rawQuery.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
                    var host = request.headers["host"] ?? "127.0.0.1"
                    if fault == .movedAway {
                        host = host.hasPrefix("127.0.0.1") ? "localhost" + host.dropFirst("127.0.0.1".count) : "moved." + host
                    }
                    var r = SimReply.message(301, "Moved Permanently")
                    r.headers.append(("location", "\(options.scheme)://\(host)\(prefix)/repositories/\(corpus.repoID)/\(rest)\(query.isEmpty ? "" : "?" + query)"))
                    return r
                }
            case .gone:
                if let corpus = corpus(tracker, segments), let n = issueNumber(segments), let i = corpus.index(ofNumber: n) {
                    corpus.delete(index: i)
                    return .message(410, "This issue was deleted")
                }
            case .notIssues:
                if segments.last == "issues" {
                    var r = SimReply.json(200, .array([.array([.array([.int(1)])]), .int(2), .string("three")]))
                    r.headers += rateHeaders()
                    return r
                }
            case .badLink:
                var reply = serve(request, tracker: tracker, segments: segments, prefix: prefix, quota: &quota, limit: limit)
                reply.headers += rateHeaders()
                reply.headers = reply.headers.map { k, v in
                    (k, k == "link" ? v.replacingOccurrences(of: "?", with: "?q=LINK PWN&") : v)
                }
                return reply
            case .linkLoop:
                var reply = serve(request, tracker: tracker, segments: segments, prefix: prefix, quota: &quota, limit: limit)
                reply.headers += rateHeaders()
                let host = request.headers["host"] ?? "127.0.0.1"
                let query = request.rawQuery.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
                let itself = "\(options.scheme)://\(host)\(request.path)\(query.isEmpty ? "" : "?" + query)"
                reply.headers = reply.headers.map { k, v in (k, k == "link" ? "<\(itself)>; rel=\"next\"" : v) }
                if segments.last == "issues", tracker == .github, !reply.headers.contains(where: { $0.0 == "link" }) {
                    reply.headers.append(("link", "<\(itself)>; rel=\"next\""))
                }
                return reply
            case .hostileURL:
                var reply = serve(request, tracker: tracker, segments: segments, prefix: prefix, quota: &quota, limit: limit)
                reply.headers += rateHeaders()
                if segments.last == "issues" {
                    let from = Array(#""html_url":"https://"#.utf8), to = Array(#""html_url":"https://github.com/evil/elsewhere/issues/1\u001b]0;URL\u0007?"#.utf8)
                    reply.body = Self.replacing(from, with: to, in: reply.body)
                }
                return reply
            case .reset, .truncate, .slow:
                break
            }
            var reply = serve(request, tracker: tracker, segments: segments, prefix: prefix, quota: &quota, limit: limit)
            reply.headers += rateHeaders()
            switch fault {
            case .reset: reply.delivery = .reset
            case .truncate: reply.delivery = reply.body.count > 1 ? .truncate : .reset
            case .slow: reply.delivery = .slow(options.slowMilliseconds)
            default: break
            }
            return reply
        }

        var reply = serve(request, tracker: tracker, segments: segments, prefix: prefix, quota: &quota, limit: limit)
        reply.headers += rateHeaders()
        return reply
    }

    func drawFault(tracker: Tracker, segments: [String]) -> FaultPlan.Fault? {
        if serverErrorBurst > 0 { serverErrorBurst -= 1; inServerErrorBurst = true; return .serverError }
        // One draw per fault kind per request, always all of them (those outside `all` only when asked for), so
        // the sequence depends only on the seed, the fault spec and the number of requests.
        var hit: FaultPlan.Fault?
        for fault in FaultPlan.Fault.allCases where fault.inAll || faults.rates[fault] != nil {
            let rate = faults.rates[fault] ?? 0
            let drawn = faultRandom.chance(rate)
            guard drawn, hit == nil else { continue }
            switch fault {
            case .moved, .movedAway: if segments.first == "repos", corpus(tracker, segments) != nil { hit = fault }
            case .gone: if issueNumber(segments) != nil, corpus(tracker, segments) != nil { hit = fault }
            case .secondary, .secondaryBare: if tracker == .github { hit = fault }
            default: hit = fault
            }
        }
        return hit
    }

    func corpus(_ tracker: Tracker, _ segments: [String]) -> SimCorpus? {
        let kind = tracker == .github ? "github:" : "gitee:"
        if segments.count >= 3, segments[0] == "repos" { return corpora[kind + "\(segments[1])/\(segments[2])".lowercased()] }
        if segments.count >= 2, segments[0] == "repositories", let id = Int64(segments[1]) {
            return corpora.values.first { $0.repoID == id && ($0.kind == .github) == (tracker == .github) }
        }
        return nil
    }

    /// The issue number of a per-issue route (`.../issues/N` or `.../issues/N/comments`).
    func issueNumber(_ segments: [String]) -> String? {
        let base = segments.first == "repos" ? 3 : 2
        guard segments.count >= base + 2, segments[base] == "issues", segments[base + 1] != "comments" else { return nil }
        return segments[base + 1]
    }

    func serve(_ request: SimRequest, tracker: Tracker, segments: [String], prefix: String,
               quota: inout Quota, limit: Int) -> SimReply {
        guard let corpus = corpus(tracker, segments) else { return .message(404, "Not Found") }
        let base = segments[0] == "repos" ? 3 : 2
        let rest = Array(segments.dropFirst(base))
        let perPageMax = options.maxPerPage
        let perPage = min(perPageMax, max(1, Int(request.value("per_page") ?? "") ?? (tracker == .github ? 30 : 20)))
        let page = max(1, Int(request.value("page") ?? "") ?? 1)
        var reply: SimReply
        var isList = false
        var etag: String?
        switch rest.count {
        case 1 where rest[0] == "labels":
            let all = corpus.labels.map(corpus.labelJSON)
            reply = paged(all.map { $0.encoded(escapeNonASCII: false) }, page: page, perPage: perPage, request: request,
                          tracker: tracker, corpus: corpus, prefix: prefix, tail: "labels")
        case 1 where rest[0] == "issues":
            isList = true
            let key = listKey(corpus, request, tracker: tracker)
            guard let selected = cachedSelection(key, corpus, request, tracker: tracker) else {
                return .message(422, "Validation Failed")
            }
            let start = (page - 1) * perPage
            let cached = pageCache.page(key, page: page, perPage: perPage) {
                let slice = start < selected.count ? selected[start..<min(selected.count, start + perPage)] : []
                return Self.arrayBody(slice.map { corpus.itemBytes($0) })
            }
            reply = pagedBytes(cached.body, total: selected.count, page: page, perPage: perPage,
                               request: request, tracker: tracker, corpus: corpus, prefix: prefix, tail: "issues")
            etag = cached.etag
        case 2 where rest[0] == "issues":
            guard let i = corpus.index(ofNumber: rest[1]), tracker == .gitee || !corpus.items[i].isPullRequest || true else {
                return .message(404, "Not Found")
            }
            if corpus.items[i].deleted { return .message(410, "This issue was deleted") }
            reply = SimReply(status: 200, headers: [("content-type", "application/json; charset=utf-8")], body: corpus.itemBytes(i))
        case 3 where rest[0] == "issues" && rest[2] == "comments":
            guard let i = corpus.index(ofNumber: rest[1]) else { return .message(404, "Not Found") }
            if corpus.items[i].deleted { return .message(410, "This issue was deleted") }
            let item = corpus.items[i]
            let comments = item.comments.map { corpus.commentJSON($0, issue: item).encoded(escapeNonASCII: item.escapeUnicode) }
            reply = paged(comments, page: page, perPage: perPage, request: request, tracker: tracker, corpus: corpus,
                          prefix: prefix, tail: "issues/\(rest[1])/comments")
        default:
            return .message(404, "Not Found")
        }
        // ETag over the body: a matching If-None-Match costs a 304 and no quota.
        let tag = etag ?? SimPageCache.etag(reply.body)
        reply.headers.append(("etag", tag))
        if let match = request.headers["if-none-match"], match == tag {
            reply.status = 304
            reply.body = []
        } else {
            quota.used += 1
            quotaUsed += 1
        }
        if isList, !scheduledDeletions.isEmpty {
            for k in scheduledDeletions.indices { scheduledDeletions[k].after -= 1 }
            for due in scheduledDeletions where due.after <= 0 {
                if let i = due.corpus.index(ofNumber: due.number) { due.corpus.delete(index: i) }
            }
            scheduledDeletions.removeAll { $0.after <= 0 }
        }
        if isList, options.churn > 0, churnRandom.chance(options.churn) {
            corpus.churn()
            churned += 1
        }
        return reply
    }

    /// The issues a list request selects, in `sort`/`direction` order: state, AND of labels, inclusive since.
    func listSelection(_ corpus: SimCorpus, _ request: SimRequest, tracker: Tracker) -> [Int]? {
        let state = request.value("state") ?? "open"
        let labelNames = (request.value("labels") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        var labelIDs: [Int64] = []
        for name in labelNames {
            guard let l = corpus.labels.first(where: { $0.name.lowercased() == name }) else { return [] }
            labelIDs.append(l.id)
        }
        var since: Int64?
        if let s = request.value("since"), !s.isEmpty {
            guard let t = SimTime.parse(s) else { return nil }
            // As on GitHub today, a since at the epoch answers an empty list.
            if tracker == .github, t <= 0 { return [] }
            since = t
        }
        var out: [Int] = []
        out.reserveCapacity(corpus.order.count)
        for i in corpus.order {
            let it = corpus.items[i]
            if it.deleted { continue }
            if tracker == .gitee, it.isPullRequest { continue }
            switch state {
            case "all": break
            case "open": if tracker == .github ? it.state != "open" : !(it.state == "open" || it.state == "progressing") { continue }
            default: if it.state != state { continue }
            }
            if let since, it.updated < since { continue }
            if !options.ignoreLabelFilter, !labelIDs.allSatisfy(it.labelIDs.contains) { continue }
            out.append(i)
        }
        let sort = request.value("sort") ?? "created"
        if sort == "created" { out.sort { corpus.items[$0].created < corpus.items[$1].created } }
        if (request.value("direction") ?? "desc") == "desc" { out.reverse() }
        return out
    }

    /// The selection under `key`, cached. A crawler that asks each next page from the last item's time sends a
    /// new `since` every page; on a list in `updated` order that selection is a slice of the same list without
    /// `since` (found by binary search), so it is not filtered from the whole corpus afresh each time.
    func cachedSelection(_ key: String, _ corpus: SimCorpus, _ request: SimRequest, tracker: Tracker) -> [Int]? {
        guard let text = request.value("since"), !text.isEmpty, request.value("sort") == "updated" else {
            return pageCache.selection(key, corpus: corpus) { listSelection(corpus, request, tracker: tracker) }
        }
        guard let since = SimTime.parse(text) else { return nil }
        var unbounded = request
        unbounded.query.removeAll { $0.0 == "since" }
        unbounded.rawQuery.removeAll { $0.0 == "since" }
        let baseKey = listKey(corpus, unbounded, tracker: tracker)
        guard let base = pageCache.selection(baseKey, corpus: corpus, select: { listSelection(corpus, unbounded, tracker: tracker) }) else { return nil }
        return pageCache.selection(key, corpus: corpus) {
            // As in `listSelection`: a since at the epoch answers an empty list on GitHub.
            if tracker == .github, since <= 0 { return [] }
            let ascending = (request.value("direction") ?? "desc") == "asc"
            // `base` is in (updated, id) order, or its reverse: the items updated at or after `since` are one end.
            var lo = 0, hi = base.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if (corpus.items[base[mid]].updated >= since) == ascending { hi = mid } else { lo = mid + 1 }
            }
            return ascending ? Array(base[lo...]) : Array(base[..<lo])
        }
    }

    /// The cache key of an issue-list selection: everything `listSelection` reads, and which corpus.
    func listKey(_ corpus: SimCorpus, _ request: SimRequest, tracker: Tracker) -> String {
        let parts = ["state", "labels", "since", "sort", "direction"].map { request.value($0) ?? "\u{1}" }
        return "\(tracker) \(corpus.repoID) " + parts.joined(separator: "\u{0}")
    }

    /// A JSON array of already-encoded elements.
    static func arrayBody(_ elements: [[UInt8]]) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(elements.reduce(2) { $0 + $1.count + 1 })
        body.append(UInt8(ascii: "["))
        for (n, item) in elements.enumerated() {
            if n > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: item)
        }
        body.append(UInt8(ascii: "]"))
        return body
    }

    func paged(_ all: [[UInt8]], page: Int, perPage: Int, request: SimRequest, tracker: Tracker, corpus: SimCorpus,
               prefix: String, tail: String) -> SimReply {
        let start = (page - 1) * perPage
        let slice = start < all.count ? Array(all[start..<min(all.count, start + perPage)]) : []
        return pagedBytes(Self.arrayBody(slice), total: all.count, page: page, perPage: perPage, request: request, tracker: tracker,
                          corpus: corpus, prefix: prefix, tail: tail)
    }

    func pagedBytes(_ body: [UInt8], total: Int, page: Int, perPage: Int, request: SimRequest, tracker: Tracker,
                    corpus: SimCorpus, prefix: String, tail: String) -> SimReply {
        var reply = SimReply(status: 200, headers: [("content-type", "application/json; charset=utf-8")], body: body)
        let lastPage = max(1, (total + perPage - 1) / perPage)
        switch tracker {
        case .gitee:
            reply.headers.append(("total_count", String(total)))
            reply.headers.append(("total_page", String(lastPage)))
        case .github:
            guard lastPage > 1 else { break }
            let host = request.headers["host"] ?? "127.0.0.1"
            var seen = Set<String>()
            var kept: [(String, String)] = []
            for (k, v) in request.rawQuery.reversed() where k != "page" && !seen.contains(k) {
                seen.insert(k); kept.insert((k, v), at: 0)
            }
            if !seen.contains("per_page") { kept.append(("per_page", String(perPage))) }
            let base = "\(options.scheme)://\(host)\(prefix)/repositories/\(corpus.repoID)/\(tail)?" + kept.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            var links: [String] = []
            if page < lastPage { links.append("<\(base)&page=\(page + 1)>; rel=\"next\"") }
            links.append("<\(base)&page=\(lastPage)>; rel=\"last\"")
            if page > 1 { links.append("<\(base)&page=1>; rel=\"first\""); links.append("<\(base)&page=\(page - 1)>; rel=\"prev\"") }
            reply.headers.append(("link", links.joined(separator: ", ")))
        }
        return reply
    }

    /// `bytes` with every occurrence of `from` replaced by `to`.
    static func replacing(_ from: [UInt8], with to: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        out.reserveCapacity(bytes.count)
        while i < bytes.count {
            if i + from.count <= bytes.count, bytes[i..<(i + from.count)].elementsEqual(from) {
                out += to; i += from.count
            } else {
                out.append(bytes[i]); i += 1
            }
        }
        return out
    }

    // MARK: control routes

    /// The corpus a control route's `repo=OWNER/REPO` names (case-insensitive), or nil.
    func controlCorpus(_ request: SimRequest) -> SimCorpus? {
        guard let repo = request.value("repo")?.lowercased() else { return nil }
        return corpora.values.first { $0.fullName.lowercased() == repo }
    }

    func control(_ request: SimRequest) -> SimReply {
        switch request.path {
        case "/_sim/stats":
            let stats: JSONValue = .object([
                ("requests_total", .int(Int64(requestsTotal))),
                ("by_route", .object(byRoute.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
                ("by_status", .object(byStatus.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
                ("not_modified", .int(Int64(notModified))), ("quota_used", .int(Int64(quotaUsed))),
                ("faults", .object(faultsInjected.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
                ("churned", .int(Int64(churned))),
            ])
            return .json(200, stats)
        case "/_sim/truth":
            guard let repo = request.value("repo")?.lowercased() else { return .message(400, "repo= is required") }
            let kind = request.value("tracker")
            let found = corpora.first { (key, c) in c.fullName.lowercased() == repo && (kind == nil || key.hasPrefix(kind! + ":")) }
            guard let corpus = found?.value else { return .message(404, "no such repository in the simulator") }
            return .json(200, corpus.truthJSON())
        case "/_sim/faults":
            // Replaces the fault plan (`spec=` as --faults; empty: none), as a tracker that mends or breaks.
            do { faults = try FaultPlan(spec: request.value("spec") ?? "") } catch { return .message(400, "\(error)") }
            return .json(200, .object([("faults", .int(Int64(faults.rates.count)))]))
        case "/_sim/churn":
            // Changes N issues now (tests use it to churn between two crawls).
            guard let corpus = controlCorpus(request) else { return .message(404, "no such repository in the simulator") }
            let n = Int(request.value("n") ?? "1") ?? 1
            var changes: [JSONValue] = []
            for _ in 0..<n { changes.append(.string(corpus.churn())) }
            churned += n
            return .json(200, .object([("changes", .array(changes))]))
        case "/_sim/label":
            // Renames the label at INDEX of the repository's label list (as `/labels` lists them).
            guard let corpus = controlCorpus(request) else { return .message(404, "no such repository in the simulator") }
            guard let index = Int(request.value("index") ?? ""), let renamed = corpus.renameLabel(at: index) else {
                return .message(404, "no label at that index")
            }
            return .json(200, .object([("id", .int(renamed.id)), ("name", .string(renamed.name))]))
        case "/_sim/touch":
            // Edits N issues at one instant, G seconds after the latest change (a bulk edit).
            guard let corpus = controlCorpus(request) else { return .message(404, "no such repository in the simulator") }
            let n = max(0, min(Int(request.value("n") ?? "1") ?? 1, 100_000))
            let gap = Int64(max(0, Int(request.value("gap") ?? "120") ?? 120))
            return .json(200, .object([("touched", .int(Int64(corpus.touch(count: n, gap: gap))))]))
        case "/_sim/delete":
            // Deletes issue NUMBER now, or after K more issue-list requests with after=K.
            guard let corpus = controlCorpus(request), let number = request.value("number"), corpus.index(ofNumber: number) != nil else {
                return .message(404, "no such issue in the simulator")
            }
            let after = max(0, Int(request.value("after") ?? "0") ?? 0)
            if after == 0 { corpus.delete(index: corpus.index(ofNumber: number)!) } else { scheduledDeletions.append((corpus, number, after)) }
            return .json(200, .object([("number", .string(number)), ("after", .int(Int64(after)))]))
        case "/_sim/unlabel":
            // Takes the label NAME off issue NUMBER now.
            guard let corpus = controlCorpus(request), let number = request.value("number"),
                  let name = request.value("label")?.lowercased(),
                  let label = corpus.labels.first(where: { $0.name.lowercased() == name }),
                  corpus.removeLabel(label.id, number: number) else {
                return .message(404, "no live issue with that label in the simulator")
            }
            return .json(200, .object([("number", .string(number)), ("label", .int(label.id))]))
        case "/_sim/comment":
            // Appends N comments to one issue now (tests grow a thread past a comment page with it).
            guard let corpus = controlCorpus(request), let number = request.value("number") else {
                return .message(404, "no such repository in the simulator")
            }
            let n = max(0, min(Int(request.value("n") ?? "1") ?? 1, 10_000))
            guard corpus.addComments(number: number, count: n) else { return .message(404, "no live issue \(number) in \(corpus.fullName)") }
            return .json(200, .object([("number", .string(number)), ("comments", .int(Int64(n)))]))
        default:
            return .message(404, "Not Found")
        }
    }
}
