/// What `defectlab crawl github|gitee OWNER/REPO` was asked to do.
public struct CrawlOptions: Sendable {
    public var kind: TrackerKind
    public var owner: String
    public var repo: String
    /// One request series per label (the trackers AND their `labels`); the union lands in the store.
    public var labels: [String] = []
    public var state = "all"
    /// A floor for the first pass (ISO 8601); later passes start from the high-water mark.
    public var since: String?
    public var apiURL: String?
    public var tokens: [CrawlToken] = []
    public var comments = false
    public var maxRequests: Int?
    public var timeout: Double = 30
    /// Which HTTP version to ask for (default: HTTP/2 over TLS where offered, else HTTP/1.1).
    public var httpVersion: HTTPClient.VersionPreference = .http2OverTLS
    /// Certificate authorities to trust instead of the system's (PEM), for a tracker behind a private CA.
    public var caFile: String?
    /// The DL framework whose tracker this is (stratifies samples); nil leaves it to `filter`, whose preset
    /// names one, or to what is stored.
    public var framework: String?
    /// Multiplies the crawler's own back-off waits (not a server's `retry-after` or reset); tests shrink it.
    public var waitScale: Double = 1
    /// How far before the high-water mark an incremental pass starts, for clock skew and same-second updates.
    public var overlapSeconds: Int64 = 60
    public var maxAttempts = 8
    public var verbose = false
    public var progress = true
    /// Asked before each request: true stops the crawl there (`interrupted`).
    public var shouldStop: (@Sendable () -> Bool)?

    public init(kind: TrackerKind, owner: String, repo: String) {
        self.kind = kind
        self.owner = owner
        self.repo = repo
    }
}

/// How a crawl ended.
public enum CrawlOutcome: Sendable, Equatable {
    case done
    /// `--max-requests` reached; the same command continues where it stopped.
    case budgetStopped
    /// Ctrl-C, SIGTERM or SIGHUP (`CrawlOptions.shouldStop`): stopped before the next request, every page stored
    /// whole; the same command continues where it stopped.
    case interrupted
    case failed(code: CrawlError.Code, message: String)
}

public struct CrawlReport: Sendable {
    public var outcome: CrawlOutcome = .done
    public var requests = 0
    public var notModified = 0
    public var pages = 0
    public var issuesStored = 0
    public var pullRequestsSkipped = 0
    /// List elements that are not issues (no id or number, not an object): left out, and counted so it is said.
    public var malformedSkipped = 0
    public var retries = 0
    public var seconds = 0.0
    /// OWNER/REPO the tracker redirected this repository to (renamed or transferred): its issues are still stored
    /// under the name crawled, so crawling the new name as well would store them twice.
    public var movedTo: String?
    /// Lists (issues, labels, comments) whose next page was one already read in the same pass: each ended
    /// there, since following it would ask for the same pages without end.
    public var paginationLoops = 0
}
