import Annotation
import Foundation
import Store
import Taxonomy

/// `make bench`: time from a keystroke to the finished redraw (key handled, label written durably where the
/// key gives one, screen drawn, `doupdate` done) on items with a 64 KB body. Baselines measured in the same
/// run: the same keys on 1 KB bodies, and a bare curses redraw of a full screen (the floor any keystroke pays).
/// The screen is real curses on a real terminal type; its output goes to /dev/null.
///
/// Between keystrokes the bench does what the app does while the annotator reads (`prepareAhead`), untimed;
/// the label key is also timed without it ("not prefetched"), for the worst case of keys typed faster than
/// the next item can be prepared.
public enum LabelBench {
    public struct Figures: Sendable {
        public var name: String
        public var samples: [Double]  // milliseconds
        func percentile(_ p: Double) -> Double {
            let sorted = samples.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
        public var p50: Double { percentile(0.50) }
        public var p95: Double { percentile(0.95) }
        public var p99: Double { percentile(0.99) }
        public var max: Double { samples.max() ?? 0 }
    }

    static let bareRedraw = "bare curses redraw (erase, fill, doupdate)"
    static let browseKeys = "browse keys"
    static let labelKey = "label key (write + next item)"
    static let labelKeyCold = "label key, next item not prefetched"

    public static func run(taxonomy: HPTaxonomy, folder: URL, rounds: Int = 60, labels: Int = 200) throws -> [Figures] {
        let store = try DefectLabStore.open(path: folder.appendingPathComponent("bench.sqlite").path)
        let paragraph = "The GPU memory grows on every step until CUDA out of memory; 训练时显存不断增长 😀. "
        func body(_ bytes: Int) -> String {
            var text = ""
            var n = 0
            while text.utf8.count < bytes { n += 1; text += "\(n). " + paragraph + (n % 5 == 0 ? "\n\n" : "") }
            return text
        }
        let big = body(64 * 1024), small = body(1024)
        try store.write { db in
            try db.execute(sql: "INSERT INTO tracker (id, kind, api_url) VALUES (1, 'github', 'https://api.github.com')")
            for (r, name) in ["big", "small"].enumerated() {
                try db.execute(sql: "INSERT INTO repository (id, tracker_id, owner, name, framework) VALUES (?, 1, 'bench', ?, ?)",
                               arguments: [r + 1, name, name])
                for n in 1...(2 * labels + 1) {
                    try db.execute(sql: """
                        INSERT INTO issue (repository_id, number, title, body, state, url, created_at, raw_json, fetched_at)
                        VALUES (?, ?, ?, ?, 'open', ?, '2024-01-01T00:00:00Z', '{}', '2024-01-01T00:00:00Z')
                        """, arguments: [r + 1, String(n), "\(name) \(n)", r == 0 ? big : small, "https://github.com/bench/\(name)/issues/\(n)"])
                    try db.execute(sql: "INSERT INTO hp_selection VALUES (?, ?, 'bench', '2024-01-01T00:00:00Z')", arguments: [db.lastInsertedRowID, name])
                }
            }
        }
        try AnnotatorRegistry.add(["bench"], in: store)
        for name in ["big", "small"] {
            _ = try SampleDraw.draw(SampleRequest(name: name, perFramework: 2 * labels + 1, seed: 1, preset: name, includeBareItems: false), in: store)
            _ = try AssignmentPlanner.assign(sample: name, annotators: ["bench"], design: .all, seed: 1, in: store)
        }
        guard let out = fopen("/dev/null", "w"), let input = fopen("/dev/null", "r") else {
            throw TerminalError(.noTerminal, "cannot open /dev/null")
        }
        let terminal = try Terminal(output: out, input: input, termType: "xterm-256color", monochrome: false)
        defer { terminal.end(); fclose(out); fclose(input) }
        terminal.resize(rows: 24, cols: 80)
        var results: [Figures] = []
        let fills = [paragraph, String(paragraph.reversed())].map { Array($0.unicodeScalars) }
        results.append(Figures(name: bareRedraw, samples: (0..<(rounds * 13)).map { round in
            let start = DispatchTime.now().uptimeNanoseconds
            terminal.erase()
            for y in 0..<terminal.rows { terminal.draw(fills[round % 2], y: y, x: 0) }
            terminal.refresh()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }))
        let browse: [Key] = [.down, .down, .pageDown, .pageDown, .pageUp, .char("b"), .escape, .char("g"), .escape,
                             .end, .home, .resize, .char("/")]
        for name in ["big", "small"] {
            let size = name == "big" ? "64 KB" : "1 KB"
            let session = try LabellingSession(store: store, taxonomy: taxonomy, annotator: "bench", sample: name, source: "bench")
            let controller = LabelController(session: session)
            let screen = LabelScreen(terminal: terminal, controller: controller)
            screen.draw()
            controller.prepareAhead()
            var samples: [Double] = []
            var wide = false
            for _ in 0..<rounds {
                for key in browse {
                    if key == .resize { wide.toggle(); terminal.resize(rows: wide ? 30 : 24, cols: wide ? 100 : 80) }
                    let start = DispatchTime.now().uptimeNanoseconds
                    controller.handle(key)
                    if key == .char("/") { controller.handle(.escape) }
                    screen.draw()
                    samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    controller.prepareAhead()
                }
            }
            terminal.resize(rows: 24, cols: 80)
            results.append(Figures(name: "\(browseKeys), \(size) body", samples: samples))
            for prefetch in [false, true] {
                samples = []
                for _ in 0..<labels {
                    controller.handle(.char("b"))
                    screen.draw()
                    if prefetch { controller.prepareAhead() }
                    let start = DispatchTime.now().uptimeNanoseconds
                    controller.handle(.char("1"))   // writes the label durably, advances to the next item
                    screen.draw()
                    samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    if let error = controller.lastError { throw error }
                }
                results.append(Figures(name: "\(prefetch ? labelKey : labelKeyCold), \(size) body", samples: samples))
            }
        }
        return results
    }

    public static func report(_ figures: [Figures], targetP99: Double = 10) -> String {
        func f(_ x: Double) -> String { String(format: "%7.2f", x) }
        func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.1f×", a / Swift.max(b, 0.001)) }
        var lines = ["keystroke → finished redraw, milliseconds (80×24 / 100×30, xterm-256color to /dev/null)",
                     "case                                              n      p50      p95      p99      max"]
        for fig in figures {
            lines.append(fig.name.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%5d", fig.samples.count)
                         + "  " + f(fig.p50) + "  " + f(fig.p95) + "  " + f(fig.p99) + "  " + f(fig.max))
        }
        let byName = Dictionary(uniqueKeysWithValues: figures.map { ($0.name, $0) })
        let bare = byName[bareRedraw]
        lines.append("ratios p50/p95/p99: 64 KB against the same keys on 1 KB, and against a bare redraw, same run")
        for kind in [browseKeys, labelKey, labelKeyCold] {
            guard let big = byName["\(kind), 64 KB body"], let small = byName["\(kind), 1 KB body"] else { continue }
            var line = "  " + kind.padding(toLength: 38, withPad: " ", startingAt: 0)
                + "÷ 1 KB " + [ratio(big.p50, small.p50), ratio(big.p95, small.p95), ratio(big.p99, small.p99)].joined(separator: "/")
            if let bare { line += "   ÷ bare " + [ratio(big.p50, bare.p50), ratio(big.p95, bare.p95), ratio(big.p99, bare.p99)].joined(separator: "/") }
            lines.append(line)
        }
        for kind in [browseKeys, labelKey, labelKeyCold] {
            guard let big = byName["\(kind), 64 KB body"] else { continue }
            lines.append("\(kind), 64 KB: p99 \(String(format: "%.2f", big.p99)) ms: "
                         + (big.p99 <= targetP99 ? "within" : "OVER") + " the ≤ \(Int(targetP99)) ms target")
        }
        return lines.joined(separator: "\n")
    }
}
