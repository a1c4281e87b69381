/// Issue-list selections and serialized pages, kept until the corpus changes.
///
/// A crawl asks for the same selection (state, labels, since, order) page after page, and a benchmark asks for
/// all of it several times; filtering the whole corpus and serializing 100 items on every request made the
/// simulator, not the crawler, the bottleneck. Entries carry the corpus `version` they were built from and are
/// rebuilt when it moved (churn, renames and deletions bump it), so answers stay exactly what an uncached
/// simulator would send.
struct SimPageCache {
    struct Page {
        var body: [UInt8]
        var etag: String
    }

    private struct Entry {
        var version: Int
        var selection: [Int]
        var pages: [Int: Page] = [:]
    }

    private var entries: [String: Entry] = [:]

    /// The selection for `key` at the corpus' current version, computed by `select` when missing or stale.
    mutating func selection(_ key: String, corpus: SimCorpus, select: () -> [Int]?) -> [Int]? {
        if let e = entries[key], e.version == corpus.version { return e.selection }
        guard let s = select() else { return nil }
        // Incremental crawls ask with ever new `since` values: keep the cache bounded.
        if entries.count >= 256 { entries.removeAll(keepingCapacity: true) }
        entries[key] = Entry(version: corpus.version, selection: s)
        return s
    }

    /// Page `page` (of `perPage` items) of the selection cached under `key`, rendered by `render` when missing.
    /// Call after `selection(_:corpus:select:)` for the same key and version.
    mutating func page(_ key: String, page: Int, perPage: Int, render: () -> [UInt8]) -> Page {
        let slot = page &* 1000 &+ perPage
        if let p = entries[key]?.pages[slot] { return p }
        let body = render()
        let p = Page(body: body, etag: SimPageCache.etag(body))
        entries[key]?.pages[slot] = p
        return p
    }

    /// A weak ETag over the body: the same bytes always get the same tag, across runs and restarts.
    static func etag(_ body: [UInt8]) -> String {
        "W/\"\(String(fnv1a(body), radix: 16))\""
    }
}
