/// The generated tracker data of one repository, deterministic from the seed and the repository name.
///
/// It carries the awkward cases real trackers have: pull requests mixed into GitHub issue lists, null and
/// near-65,536-character bodies, emoji and Chinese text (sent raw or as `\u` escapes), HTML bodies, Gitee's
/// string numbers and `+08:00` times, labels that get renamed, items updated while a crawl runs.
public final class SimCorpus {
    public enum Kind: String, Sendable { case github, gitee }

    struct Label {
        var id: Int64
        var name: String
        var color: String
    }

    struct Comment {
        var id: Int64
        var author: String
        var body: String
        var created: Int64
        var updated: Int64
    }

    struct Item {
        var id: Int64
        var number: String
        var isPullRequest: Bool
        var title: String
        var body: String?
        var labelIDs: [Int64]
        var state: String
        var stateReason: String?
        var created: Int64
        var updated: Int64
        var closed: Int64?
        var author: String
        var reactions: Int
        var priority: Int
        var issueType: String
        var millis: Int?
        var escapeUnicode: Bool
        var comments: [Comment]
        var deleted = false
        /// The rendered list-item JSON, dropped on every change.
        var cache: [UInt8]?
    }

    public let kind: Kind
    public let owner: String
    public let name: String
    public let repoID: Int64
    var labels: [Label]
    var items: [Item]
    /// Indexes of `items`, kept sorted by (updated, id): the order `sort=updated&direction=asc` lists.
    var order: [Int]
    var clock: Int64 = SimTime.corpusEnd
    /// Bumped on every change (churn, rename, delete): cached list selections and pages of an older version are
    /// stale.
    var version = 0
    /// Item index by number, for per-issue routes (numbers never change).
    var indexByNumber: [String: Int] = [:]
    var nextCommentID: Int64
    var rng: SimRandom

    public var fullName: String { "\(owner)/\(name)" }

    static let words = ["tensor", "gradient", "crash", "segfault", "shape", "mismatch", "cuda", "memory", "leak",
                        "nan", "inf", "precision", "dtype", "conv2d", "lstm", "export", "onnx", "slow", "hang",
                        "regression", "compile", "build", "docs", "api", "broadcast", "kernel", "device", "cpu"]
    static let chinese = ["算子", "精度", "崩溃", "内存泄漏", "图模式", "动态形状", "梯度", "编译失败", "文档", "性能下降"]
    static let emoji = ["🔥", "🐛", "🚀", "😅", "👍", "🧵", "💥"]

    public init(kind: Kind, fullName: String, count: Int, seed: UInt64, extraLabels: Int = 0) {
        self.kind = kind
        let parts = fullName.split(separator: "/", maxSplits: 1).map(String.init)
        owner = parts.first ?? fullName
        name = parts.count > 1 ? parts[1] : fullName
        var rng = SimRandom(seed: seed ^ fnv1a(Array("\(kind.rawValue):\(fullName)".utf8)))
        repoID = Int64(100_000 + rng.int(0..<9_000_000))
        let labelNames = kind == .github
            ? ["bug", "high priority", "module: cuda", "module: nn", "triaged", "needs reproduction", "crash",
               "module: onnx", "feature", "type:bug", "stat:awaiting response", "prio:high", "good first issue"]
            : ["kind/bug", "priority/major", "priority/serious", "kind/feature", "sig/compiler", "sig/ops",
               "kind/performance", "stat/help-wanted", "文档", "kind/crash"]
        var labels: [Label] = []
        for (n, l) in labelNames.enumerated() {
            labels.append(Label(id: Int64(1_000_000 + Int(repoID % 1000) * 100 + n), name: l,
                                color: String(rng.next() % 0xFFFFFF, radix: 16)))
        }
        self.labels = labels
        var items: [Item] = []
        let total = kind == .github ? count + count / 5 : count
        let prSlots: Set<Int> = {
            guard kind == .github else { return [] }
            var slots = Set<Int>()
            while slots.count < count / 5 { slots.insert(rng.int(0..<total)) }
            return slots
        }()
        var commentID = Int64(9_000_000_000) + repoID * 1000
        var created = SimTime.corpusStart
        let span = (SimTime.corpusEnd - SimTime.corpusStart - 86_400 * 30) / Int64(max(total, 1))
        for n in 0..<total {
            created += 1 + Int64(rng.int(0..<Int(max(span * 2, 2))))
            created = min(created, SimTime.corpusEnd - 86_400 * 10)
            let updated = min(created + Int64(rng.int(0..<86_400 * 200)), SimTime.corpusEnd - 1)
            let isPR = prSlots.contains(n)
            let number = kind == .github ? String(n + 1) : Self.giteeNumber(n, &rng)
            var item = Item(
                id: kind == .github ? 1_000_000_000 + repoID * 10 + Int64(n) * 7919 : repoID * 100_000 + Int64(n),
                number: number, isPullRequest: isPR,
                title: Self.title(&rng, kind: kind),
                body: Self.body(&rng, kind: kind),
                labelIDs: [], state: "open", stateReason: nil,
                created: created, updated: updated, closed: nil,
                author: "user\(rng.int(0..<400))", reactions: rng.int(0..<30),
                priority: rng.int(0..<5), issueType: rng.pick(["缺陷", "任务", "需求", "缺陷"]),
                millis: kind == .gitee && rng.chance(0.3) ? rng.int(0..<1000) : nil,
                escapeUnicode: rng.chance(0.3), comments: [])
            var chosen = Set<Int64>()
            for _ in 0..<rng.int(0..<4) { chosen.insert(labels[rng.int(0..<labels.count)].id) }
            item.labelIDs = chosen.sorted()
            if rng.chance(0.55) {
                item.closed = item.updated
                if kind == .github {
                    item.state = "closed"
                    item.stateReason = rng.chance(0.8) ? "completed" : "not_planned"
                } else {
                    item.state = rng.pick(["closed", "rejected"])
                }
            } else if kind == .gitee, rng.chance(0.3) {
                item.state = "progressing"
            }
            let commentCount = rng.chance(0.4) ? rng.int(1..<4) : 0
            for c in 0..<commentCount {
                commentID += 1
                let at = min(created + Int64(c + 1) * 3600, updated)
                item.comments.append(Comment(id: commentID, author: "user\(rng.int(0..<400))",
                                             body: Self.sentence(&rng, chineseShare: kind == .gitee ? 0.6 : 0.1),
                                             created: at, updated: at))
            }
            items.append(item)
        }
        self.items = items
        for (i, item) in items.enumerated() { indexByNumber[item.number] = i }
        nextCommentID = commentID + 1
        order = []
        self.rng = rng
        // Extra labels take nothing from the generator, so the corpus is the same with or without them.
        for k in 0..<extraLabels {
            let name = "area: \(k)"
            self.labels.append(Label(id: 3_000_000_000 + repoID * 10_000 + Int64(k), name: name,
                                     color: String(fnv1a(Array(name.utf8)) % 0xFFFFFF, radix: 16)))
        }
        resort()
    }

    static func giteeNumber(_ n: Int, _ rng: inout SimRandom) -> String {
        // Gitee numbers look like I65G7B: an I and base-36 digits, case-sensitive, unique per repository.
        let value = 1_000_000 + n * 37 + rng.int(0..<37)
        return "I" + String(value, radix: 36, uppercase: true)
    }

    static func sentence(_ rng: inout SimRandom, chineseShare: Double) -> String {
        var parts: [String] = []
        for _ in 0..<rng.int(4..<14) {
            if rng.chance(chineseShare) { parts.append(rng.pick(chinese)) } else { parts.append(rng.pick(words)) }
            if rng.chance(0.05) { parts.append(rng.pick(emoji)) }
        }
        return parts.joined(separator: " ")
    }

    static func title(_ rng: inout SimRandom, kind: Kind) -> String {
        var t = sentence(&rng, chineseShare: kind == .gitee ? 0.5 : 0.05)
        if rng.chance(0.1) { t = "[\(rng.pick(words))] " + t + " \"quoted\" \\ back" }
        return t
    }

    static func body(_ rng: inout SimRandom, kind: Kind) -> String? {
        let roll = rng.int(0..<100)
        if roll < 6 { return nil }
        if roll < 8 { return "" }
        let newline = kind == .gitee ? "\r\n" : "\n"
        if roll < 9 {
            // Near GitHub's 65,536-character cap, with multi-byte characters near the end.
            var s = String(repeating: "x", count: 65_400) + " 崩溃 " + String(repeating: "🐛", count: 40)
            while s.count > 65_536 { s.removeLast() }
            return s
        }
        if roll < 20 {
            return "<p>Reproduce: <b>\(rng.pick(words))</b> &amp; <code>x &lt; 0</code></p>\(newline)<ul><li>\(rng.pick(chinese))</li><li>\(rng.pick(emoji)) done</li></ul>"
        }
        var lines: [String] = ["### Describe the bug", sentence(&rng, chineseShare: kind == .gitee ? 0.6 : 0.05)]
        if rng.chance(0.5) { lines += ["```python", "import torch", "x = torch.ones(\(rng.int(1..<9)))", "```"] }
        // Untrusted text as pasted logs carry it: a control character, colours, a screen clear, a title change.
        if rng.chance(0.2) {
            lines.append("Tab\there, control \u{1} char, quote \" and backslash \\ \u{1B}[31mError\u{1B}[0m\u{1B}[2J\u{1B}]0;pwned\u{07}")
        }
        return lines.joined(separator: newline)
    }

    func resort() {
        order = Array(items.indices).sorted { a, b in
            items[a].updated != items[b].updated ? items[a].updated < items[b].updated : items[a].id < items[b].id
        }
    }

    func label(_ id: Int64) -> Label? { labels.first { $0.id == id } }

    // MARK: churn

    /// One change of the kind that happens while a crawl runs. Returns a description for the log.
    @discardableResult
    func churn() -> String {
        version += 1
        clock += 1 + Int64(rng.int(0..<60))
        let roll = rng.int(0..<100)
        if roll < 8 {
            // A label rename does not bump any issue's updated_at (as on GitHub).
            return "renamed label \(renameLabel(at: rng.int(0..<labels.count))!.id)"
        }
        let live = items.indices.filter { !items[$0].deleted }
        guard !live.isEmpty else { return "nothing" }
        let i = rng.pick(live)
        if roll < 60 {
            items[i].title += " (edited)"
        } else if roll < 80 {
            let l = labels[rng.int(0..<labels.count)].id
            if let at = items[i].labelIDs.firstIndex(of: l) { items[i].labelIDs.remove(at: at) } else { items[i].labelIDs.append(l) }
        } else {
            appendComment(to: i)
        }
        touch(i)
        return "updated \(items[i].number)"
    }

    /// A new comment on item `i`, written now.
    private func appendComment(to i: Int) {
        items[i].comments.append(Comment(id: nextCommentID, author: "user\(rng.int(0..<400))",
                                         body: Self.sentence(&rng, chineseShare: 0.3), created: clock, updated: clock))
        nextCommentID += 1
    }

    /// Item `i` changed now: it moves to the end of the updated order.
    private func touch(_ i: Int) {
        items[i].updated = clock
        items[i].cache = nil
        resort()
    }

    /// Renames the label at `index` (a rename does not bump any issue's `updated_at`, as on GitHub).
    func renameLabel(at index: Int) -> Label? {
        guard labels.indices.contains(index) else { return nil }
        version += 1
        labels[index].name += " (renamed)"
        for i in items.indices where items[i].labelIDs.contains(labels[index].id) { items[i].cache = nil }
        return labels[index]
    }

    /// A bulk edit, as a bot relabelling many issues at once makes: the first `count` live issues (in the
    /// corpus's order) edited at one instant, `gap` seconds after the corpus's latest change. Returns how many changed.
    func touch(count: Int, gap: Int64) -> Int {
        version += 1
        clock = max(clock, items.map(\.updated).max() ?? clock) + gap
        let live = items.indices.filter { !items[$0].deleted && !items[$0].isPullRequest }.prefix(count)
        for i in live {
            items[i].title += " (bulk)"
            items[i].updated = clock
            items[i].cache = nil
        }
        resort()
        return live.count
    }

    /// Appends `count` comments to issue `number` now (one update; tests use it to grow a thread past a page).
    /// False when there is no such live issue.
    func addComments(number: String, count: Int) -> Bool {
        guard let i = indexByNumber[number], !items[i].deleted else { return false }
        version += 1
        clock += 1
        for _ in 0..<count { appendComment(to: i) }
        touch(i)
        return true
    }

    /// Takes label `labelID` off issue `number` now (the issue's `updated_at` moves, as on the trackers).
    func removeLabel(_ labelID: Int64, number: String) -> Bool {
        guard let i = indexByNumber[number], !items[i].deleted, let at = items[i].labelIDs.firstIndex(of: labelID) else { return false }
        version += 1
        clock += 1
        items[i].labelIDs.remove(at: at)
        touch(i)
        return true
    }

    func delete(index: Int) {
        version += 1
        items[index].deleted = true
        items[index].cache = nil
        resort()
    }

    func index(ofNumber number: String) -> Int? { indexByNumber[number] }
}
