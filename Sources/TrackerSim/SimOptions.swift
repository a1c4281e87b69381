/// How the simulator was started (`tracker-sim --help` lists the flags).
public struct SimOptions: Sendable {
    public var port = 0
    public var seed: UInt64 = 1
    public var github: [(String, Int)] = []
    public var gitee: [(String, Int)] = []
    public var faults = FaultPlan()
    /// Probability, per issue-list request, that one issue of that repository changes before the next one.
    public var churn = 0.0
    /// Labels added to each repository beyond its usual dozen, on no issue: a label list that spans pages.
    public var extraLabels = 0
    /// The most items a page holds, whatever `per_page` asks: a tracker that caps its pages below the crawler's 100.
    public var maxPerPage = 100
    /// Answer issue lists without applying `labels=` (Gitee's label filter is undocumented).
    public var ignoreLabelFilter = false
    /// Requests per hour and key with a token, and without one.
    public var quota = 5000
    public var anonymousQuota = 5000
    /// When set, only these tokens are valid; otherwise every non-empty token is.
    public var validTokens: Set<String>? = nil
    /// The length of an injected primary-limit block, and the `retry-after` of secondary limits and 429s.
    public var resetSeconds = 1
    public var retryAfterSeconds = 1
    public var slowMilliseconds = 1500
    /// Speak HTTP/2 in clear text (prior knowledge) instead of HTTP/1.1: the framing TLS trackers negotiate.
    public var http2 = false
    /// Serve HTTPS with this PEM certificate and key, offering (ALPN) HTTP/2 with `http2`, else HTTP/1.1.
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var scheme: String { tlsCertificate == nil ? "http" : "https" }
    public init() {}
}

/// One answer: status, headers, body, and how to deliver it (faults change the delivery).
struct SimReply {
    enum Delivery { case normal, reset, truncate, slow(Int) }
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var delivery: Delivery = .normal

    static func json(_ status: Int, _ value: JSONValue) -> SimReply {
        SimReply(status: status, headers: [("content-type", "application/json; charset=utf-8")],
                 body: value.encoded(escapeNonASCII: false))
    }

    static func message(_ status: Int, _ text: String) -> SimReply {
        json(status, .object([("message", .string(text)),
                              ("documentation_url", .string("https://docs.github.com/rest"))]))
    }
}

/// A request as the router sees it.
struct SimRequest {
    var method: String
    var path: String
    /// Query pairs in order, percent-decoded (repeated keys kept; the last one wins on lookup).
    var query: [(String, String)]
    var rawQuery: [(String, String)]
    var headers: [String: String]

    init(method: String, uri: String, headers: [(String, String)]) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "")
        var raw: [(String, String)] = []
        var decoded: [(String, String)] = []
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let value = kv.count > 1 ? kv[1] : ""
                raw.append((kv[0], value))
                decoded.append((Self.decode(kv[0]), Self.decode(value)))
            }
        }
        rawQuery = raw
        query = decoded
        var h: [String: String] = [:]
        for (k, v) in headers { h[k.lowercased()] = v }
        self.headers = h
    }

    func value(_ key: String) -> String? { query.last { $0.0 == key }?.1 }

    /// Form decoding: `%XX`, and `+` as a space (so an unencoded `+08:00` arrives as ` 08:00`, as on GitHub).
    static func decode(_ s: String) -> String {
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let v = UInt8(String(decoding: b[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v); i += 3
            } else if b[i] == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " ")); i += 1
            } else {
                out.append(b[i]); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
