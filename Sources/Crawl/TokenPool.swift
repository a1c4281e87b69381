/// A token and where it came from. `label` is what messages show; the value never leaves this type's users.
public struct CrawlToken: Sendable {
    public var label: String
    public var value: String
    public init(label: String, value: String) {
        self.label = label
        self.value = value
    }
}

/// Rotates tokens by remaining quota: the request goes out with the token that has the most left, and a token
/// whose primary limit is used up rests until its reset.
struct TokenPool {
    struct Entry {
        var token: CrawlToken?
        var remaining: Int?
        var limit: Int?
        /// Epoch seconds when the quota comes back; meaningful only when `remaining == 0`.
        var reset: Int64 = 0
    }

    var entries: [Entry]
    var current = 0

    init(tokens: [CrawlToken]) {
        entries = tokens.isEmpty ? [Entry(token: nil)] : tokens.map { Entry(token: $0) }
    }

    /// The entry to use now, or the time to wait until one has quota again.
    mutating func pick(now: Int64) -> (index: Int, waitUntil: Int64?) {
        for i in entries.indices where entries[i].remaining == 0 && entries[i].reset <= now {
            entries[i].remaining = nil  // reset passed: unknown again until the next answer says
        }
        let usable = entries.indices.filter { entries[$0].remaining != 0 }
        if let best = usable.max(by: { (entries[$0].remaining ?? Int.max) < (entries[$1].remaining ?? Int.max) }) {
            current = best
            return (best, nil)
        }
        let soonest = entries.indices.min { entries[$0].reset < entries[$1].reset } ?? 0
        current = soonest
        return (soonest, entries[soonest].reset)
    }

    /// Learns from GitHub's `x-ratelimit-*` headers (Gitee sends none).
    mutating func update(_ index: Int, response: HTTPResponse) {
        if let r = response.header("x-ratelimit-remaining").flatMap({ Int($0) }) { entries[index].remaining = r }
        if let l = response.header("x-ratelimit-limit").flatMap({ Int($0) }) { entries[index].limit = l }
        if let t = response.header("x-ratelimit-reset").flatMap({ Int64($0) }) { entries[index].reset = t }
    }

    mutating func exhaust(_ index: Int, until reset: Int64) {
        entries[index].remaining = 0
        entries[index].reset = reset
    }

    /// The quota left across all tokens, when known.
    var remainingTotal: Int? {
        let known = entries.compactMap(\.remaining)
        return known.isEmpty ? nil : known.reduce(0, +)
    }
}
