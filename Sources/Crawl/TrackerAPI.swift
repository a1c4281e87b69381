import Foundation
import JSONText

/// Which tracker a crawl talks to.
public enum TrackerKind: String, Sendable, CaseIterable {
    case github, gitee
}

/// The tracker-specific half of the crawl: URLs, auth, pagination and the mapping of an issue's JSON.
///
/// GitHub paginates by `link` headers, followed verbatim; Gitee by `total_page` (a `link` is not guaranteed),
/// so its next URL is the same query with the next page number, and an empty page ends the series too.
struct TrackerAPI: Sendable {
    let kind: TrackerKind
    /// The API root without a trailing slash: `https://api.github.com`, `https://HOST/api/v3`,
    /// `https://gitee.com/api/v5`.
    let base: String
    let owner: String
    let repo: String

    init(kind: TrackerKind, apiURL: String?, owner: String, repo: String) {
        self.kind = kind
        self.owner = owner
        self.repo = repo
        var b = apiURL ?? (kind == .github ? "https://api.github.com" : "https://gitee.com/api/v5")
        while b.hasSuffix("/") { b.removeLast() }
        if kind == .gitee, !b.hasSuffix("/api/v5") { b += "/api/v5" }
        base = b
    }

    /// `url` without the query item `name` (every occurrence); the rest of the URL as written.
    static func removingQueryItem(_ name: String, from url: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return url }
        let fragment = url[q...].firstIndex(of: "#").map { String(url[$0...]) } ?? ""
        let query = url[url.index(after: q)...].prefix { $0 != "#" }
        let kept = query.split(separator: "&").filter { $0 != Substring(name) && !$0.hasPrefix(name + "=") }
        return String(url[..<q]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&")) + fragment
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// Whether `url` is an absolute http(s) URL with nothing libcurl or a later run would refuse: no control
    /// characters, spaces or non-ASCII, a host, and a parse by URLComponents.
    static func isWellFormed(_ url: String) -> Bool {
        guard url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
              let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parts.host, !host.isEmpty else { return false }
        return true
    }

    /// A URL from a tracker as an error may show it: control characters as `\u{..}`, at most 200 characters.
    static func shown(_ url: String) -> String { InertText.escaped(url, limit: 200) }

    /// Whether `number` is an issue number of this tracker: digits on GitHub, letters and digits on Gitee
    /// (`I3ABCD`), at most 32 characters.
    static func isIssueNumber(_ number: String, kind: TrackerKind) -> Bool {
        guard !number.isEmpty, number.count <= 32 else { return false }
        return number.unicodeScalars.allSatisfy { kind == .github ? ("0"..."9").contains($0) : (("0"..."9").contains($0) || ("A"..."Z").contains($0) || ("a"..."z").contains($0)) }
    }

    /// The issue's page: the tracker's `html_url` when it is this repository's page for this number
    /// (`https://HOST/OWNER/REPO/issues/NUMBER`, owner and repository in any case), else the page made from
    /// them on the tracker's web host (github.com, gitee.com, or a GitHub Enterprise API's own host).
    func issuePageURL(number: String, given: String?) -> String {
        let path = "/\(owner)/\(repo)/issues/\(number)".lowercased()
        if let given, Self.isWellFormed(given), let parts = URLComponents(string: given), parts.query == nil, parts.fragment == nil,
           parts.user == nil, parts.password == nil, parts.percentEncodedPath.lowercased() == path {
            return given
        }
        let host: String
        switch kind {
        case .gitee: host = "https://gitee.com"
        case .github:
            let api = URLComponents(string: base)
            host = base == "https://api.github.com" ? "https://github.com"
                : api.flatMap { c in c.host.map { "\(c.scheme ?? "https")://\($0)" + (c.port.map { ":\($0)" } ?? "") } } ?? "https://github.com"
        }
        return "\(host)/\(owner)/\(repo)/issues/\(number)"
    }

    var repoPath: String { "\(base)/repos/\(Self.encode(owner))/\(Self.encode(repo))" }

    func firstIssuesURL(state: String, label: String?, since: String?) -> String {
        var q = ["state=\(Self.encode(state))", "sort=updated", "direction=asc", "per_page=100"]
        if let label { q.append("labels=\(Self.encode(label))") }
        if let since { q.append("since=\(Self.encode(since))") }
        if kind == .gitee { q.append("page=1") }
        return "\(repoPath)/issues?" + q.joined(separator: "&")
    }

    var labelsURL: String { "\(repoPath)/labels?per_page=100" + (kind == .gitee ? "&page=1" : "") }

    func commentsURL(number: String) -> String {
        "\(repoPath)/issues/\(Self.encode(number))/comments?per_page=100" + (kind == .gitee ? "&page=1" : "")
    }

    var rateLimitURL: String? { kind == .github ? "\(base)/rate_limit" : nil }

    /// Request headers, and the URL actually sent (Gitee takes the token as `access_token=`; that URL is used
    /// for the request only and never printed or stored).
    func authorize(_ url: String, token: String?) -> (url: String, headers: [(String, String)]) {
        var headers: [(String, String)] = []
        switch kind {
        case .github:
            headers = [("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")]
            if let token { headers.append(("Authorization", "Bearer \(token)")) }
            return (url, headers)
        case .gitee:
            headers = [("Accept", "application/json")]
            guard let token else { return (url, headers) }
            return (url + (url.contains("?") ? "&" : "?") + "access_token=" + Self.encode(token), headers)
        }
    }

    /// The next page of a series after `url` answered `response` holding `count` items; nil at the end.
    func nextURL(after url: String, response: HTTPResponse, count: Int) -> String? {
        // A tracker may write the request's own query into its links, Gitee's `access_token` included: the
        // token is added afresh to each request (`authorize`) and must not ride into the stored next URL.
        if let link = response.header("link"), let next = Self.linkTarget(link, rel: "next") {
            // A link may be relative (RFC 8288): resolved against the page that sent it.
            let absolute = URLComponents(string: next)?.scheme == nil ? URL(string: next, relativeTo: URL(string: url))?.absoluteString ?? next : next
            return Self.removingQueryItem("access_token", from: absolute)
        }
        guard kind == .gitee, count > 0 else { return nil }
        let page = Self.queryValue(url, "page").flatMap(Int.init) ?? 1
        if let total = response.header("total_page").flatMap(Int.init) { return page >= total ? nil : Self.followingPage(url) }
        // No `total_page`: a short page is the last (an endpoint that ignores `page`, and answers every page with
        // the same short list, was asked for page after page without end).
        return isFull(url, count: count) ? Self.followingPage(url) : nil
    }

    /// The next page of an issue list (sorted by `updated_at`, ascending), after `url` answered `response`
    /// holding `count` items, the last updated at `lastUpdated`; nil at the end of the list.
    ///
    /// Not the tracker's page + 1: an issue deleted from an earlier page while the crawl runs shifts every later
    /// one back by one, and the item that crossed the page boundary would never be seen (nor by the next
    /// incremental pass, which starts after it). So the next page restarts the list at the last item's time
    /// (`since` is inclusive; the few items re-listed at the boundary upsert onto themselves). Only when a whole
    /// page shares the time it was asked from, so `since` cannot advance, does it take the following page of
    /// that same `since`.
    ///
    /// A full page is never taken for the last one, whatever the tracker says: a later pass that finds it
    /// unchanged (304) follows the next URL stored with it, and an item edited since lies past it, on a page
    /// the tracker did not name then. The page after a full one is read (empty, or re-listing the items at its
    /// boundary time) and stored, and it is that page whose answer changes when the list grows.
    func nextIssuesURL(after url: String, response: HTTPResponse, count: Int, lastUpdated: String?) -> String? {
        guard let pageNext = nextListURL(after: url, response: response, count: count) else { return nil }
        guard let lastUpdated, Self.queryValue(url, "since") != Self.encode(lastUpdated) else { return pageNext }
        let restarted = Self.replacingQuery(url, "since", with: Self.encode(lastUpdated))
        return kind == .gitee ? Self.replacingQuery(restarted, "page", with: "1") : Self.removingQuery(restarted, "page")
    }

    /// The next page of a list that a later pass re-reads with ETags (issues, labels): the tracker's next page,
    /// or, after a full page the tracker calls the last, the following one anyway — a later pass that finds the
    /// full page unchanged (304) follows what is stored with it, and what was added since lies past it.
    func nextListURL(after url: String, response: HTTPResponse, count: Int) -> String? {
        nextURL(after: url, response: response, count: count) ?? (isFull(url, count: count) ? Self.followingPage(url) : nil)
    }

    /// Whether `count` items fill the page `url` asks for (its `per_page`).
    func isFull(_ url: String, count: Int) -> Bool {
        count > 0 && count >= (Self.queryValue(url, "per_page").flatMap(Int.init) ?? (kind == .github ? 30 : 20))
    }

    /// `url` with its page number one higher (no page number is page 1).
    static func followingPage(_ url: String) -> String {
        replacingQuery(url, "page", with: String((queryValue(url, "page").flatMap(Int.init) ?? 1) + 1))
    }

    /// How many pages remain from `url`'s page to the end of its list, counting it, when the tracker says.
    func pagesFrom(_ url: String, response: HTTPResponse) -> Int? {
        guard let last = lastPage(response) else { return nil }
        return max(1, last - (Self.queryValue(url, "page").flatMap(Int.init) ?? 1) + 1)
    }

    /// How many pages the series has, when the tracker says (GitHub `rel="last"`, Gitee `total_page`).
    func lastPage(_ response: HTTPResponse) -> Int? {
        if let link = response.header("link"), let last = Self.linkTarget(link, rel: "last") {
            return Self.queryValue(last, "page").flatMap(Int.init)
        }
        return response.header("total_page").flatMap(Int.init)
    }

    /// The URL of `rel` in a `link` header, verbatim. Each link's `<…>` is read whole before its parameters,
    /// since a URL may hold commas (`labels=a,b`) that a split on every comma would cut.
    static func linkTarget(_ header: String, rel: String) -> String? {
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { return nil }
            let target = rest[rest.index(after: open)..<close]
            let after = rest[rest.index(after: close)...]
            let end = after.firstIndex(of: "<") ?? after.endIndex
            let parameters = after[..<end].split(whereSeparator: { $0 == ";" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
            if parameters.contains(where: { $0 == "rel=\"\(rel)\"" || $0 == "rel=\(rel)" }) { return String(target) }
            rest = after[end...]
        }
        return nil
    }

    static func queryValue(_ url: String, _ key: String) -> String? {
        guard let q = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        return q.split(separator: "&").last { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    static func removingQuery(_ url: String, _ key: String) -> String {
        let parts = url.split(separator: "?", maxSplits: 1).map(String.init)
        guard parts.count > 1 else { return url }
        let pairs = parts[1].split(separator: "&").filter { !$0.hasPrefix(key + "=") }
        return pairs.isEmpty ? parts[0] : parts[0] + "?" + pairs.joined(separator: "&")
    }

    static func replacingQuery(_ url: String, _ key: String, with value: String) -> String {
        let parts = url.split(separator: "?", maxSplits: 1).map(String.init)
        var pairs = parts.count > 1 ? parts[1].split(separator: "&").map(String.init) : []
        pairs.removeAll { $0.hasPrefix(key + "=") }
        pairs.append("\(key)=\(value)")
        return parts[0] + "?" + pairs.joined(separator: "&")
    }

    /// Scheme, host and port of a URL: redirects and pagination links must stay on the API's origin, or the
    /// token would be sent elsewhere.
    static func origin(_ url: String) -> String? {
        // Scheme and host are case-insensitive (RFC 3986): `HTTP://` given as --api-url failed at the first link.
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), let host = c.host else { return nil }
        return "\(scheme)://\(host.lowercased()):\(c.port ?? (scheme == "https" ? 443 : 80))"
    }
}
