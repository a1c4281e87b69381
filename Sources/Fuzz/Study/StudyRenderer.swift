import Foundation

/// Tables, JSON and SVG charts of a study report.
public enum StudyRenderer {
    public static func json(_ report: StudyReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self)
    }

    public static func table(_ report: StudyReport) -> String {
        func pct(_ v: Double?) -> String { v.map { String(format: "%5.1f%%", $0 * 100) } ?? "    - " }
        // As wide as the longest name ("mixed-backbone" was cut to "mixed-backbo").
        let width = max(12, report.operators.map(\.operator_.count).max() ?? 0)
        var lines = ["study \(report.study): seeds \(report.seeds.joined(separator: ",")), \(report.rounds) rounds, seed \(report.seed), frameworks \(report.frameworks.joined(separator: ","))",
                     "operator".padding(toLength: width, withPad: " ", startingAt: 0)
                        + " family         mutants illegal  rate   study  rejected  n/a  dup  secs    change    inconsistency"]
        for r in report.operators {
            // The worst framework pair; "-" with one framework (the reference alone compares nothing).
            let inc = r.pairInconsistency.values.max().map { String(format: "%.3g", $0) } ?? "-"
            lines.append(String(format: "%@ %@ %7d %7d %@ %@ %8d %4d %4d %6.3f %9.3g %@",
                                r.operator_.padding(toLength: width, withPad: " ", startingAt: 0), r.family.padding(toLength: 14, withPad: " ", startingAt: 0),
                                // No mutant made: no rate to set beside the study's (0.0% read as measured).
                                r.mutants, r.illegal, pct(r.mutants > 0 ? r.illegalRate : nil), pct(r.studyRate), r.rejectedByConstraints, r.inapplicable, r.duplicates, r.meanSeconds,
                                r.outputChange, inc))
        }
        // Table 4: the mean output inconsistency of each framework pair (the column above is the worst pair).
        let pairs = Set(report.operators.flatMap(\.pairInconsistency.keys)).sorted()
        if !pairs.isEmpty {
            let cell = max(12, pairs.map(\.count).max() ?? 0) + 1
            lines.append("")
            lines.append("mean output inconsistency per framework pair")
            lines.append("operator".padding(toLength: width, withPad: " ", startingAt: 0) + pairs.map { String(repeating: " ", count: cell - $0.count) + $0 }.joined())
            for r in report.operators {
                let cells = pairs.map { p -> String in
                    let v = r.pairInconsistency[p].map { String(format: "%.3g", $0) } ?? "-"
                    return String(repeating: " ", count: Swift.max(1, cell - v.count)) + v
                }
                lines.append(r.operator_.padding(toLength: width, withPad: " ", startingAt: 0) + cells.joined())
            }
        }
        // Fig. 8: by mutation round, per operator (the mixed group included).
        if report.study == "order", !report.rounds_.isEmpty {
            lines.append("")
            lines.append("by round: output change / inconsistency / NaN mutants / illegal")
            for name in report.rounds_.keys.sorted() {
                let points = report.rounds_[name] ?? []
                lines.append(name.padding(toLength: width, withPad: " ", startingAt: 0) + " " + points.map {
                    String(format: "r%d %.3g/%@/%d/%d", $0.round, $0.outputChange, $0.inconsistency.map { String(format: "%.3g", $0) } ?? "-", $0.nanMutants, $0.illegal)
                }.joined(separator: "  "))
            }
        }
        lines.append("")
        // The "mixed" row (every operator drawn at random) is no operator of its own: counted apart.
        let single = report.operators.filter { $0.operator_ != "mixed" }.count
        let mixed = report.operators.count - single
        lines.append(String(format: "overall illegal rate %.2f%% (%d operator%@%@); %.1f s", report.overallIllegalRate * 100, single,
                            single == 1 ? "" : "s", mixed > 0 ? " and the mixed row" : "", report.wallSeconds))
        if let p = report.position {
            lines.append(String(format: "backbone beats head in %.1f%% of %d comparisons (study: 61.5%%)", p.backboneWins * 100, p.comparisons))
        }
        return lines.joined(separator: "\n")
    }

    /// Bars: measured illegal rate beside the study's, per operator (operators study), output change by round
    /// (order study), or backbone against head per seed (position study).
    public static func svg(_ report: StudyReport) -> String {
        switch report.study {
        case "order": return lines(report)
        case "position": return position(report)
        default: return bars(report)
        }
    }

    /// The chart's top: at least as wide as its title (a chart of one or two seeds cut the title in half).
    static func header(_ w: Int, _ h: Int, _ title: String) -> String {
        let width = max(w, 20 + title.count * 8)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(h)\" font-family=\"sans-serif\" font-size=\"11\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/><text x=\"10\" y=\"18\" font-size=\"14\">\(title)</text>\n"
    }

    /// Distinct line colours for the order chart's operators (mixed is red).
    static let palette = ["#36c", "#e83", "#3a3", "#939", "#0aa", "#a63", "#c6c", "#666", "#9b0", "#08f", "#f60", "#5a8", "#a0a", "#880", "#48c"]

    static func bars(_ report: StudyReport) -> String {
        let rows = report.operators, w = 60 + rows.count * 28, h = 320, base = 260.0
        let top = max(0.01, rows.map { max($0.illegalRate, $0.studyRate ?? 0) }.max() ?? 0.01)
        var s = header(w, h, "Illegal mutants per operator: measured (blue) and the study's (grey)")
        for (i, r) in rows.enumerated() {
            let x = 50 + i * 28
            let hm = r.illegalRate / top * 200, hs = (r.studyRate ?? 0) / top * 200
            s += "<rect x=\"\(x)\" y=\"\(base - hs)\" width=\"11\" height=\"\(hs)\" fill=\"#aaa\"/>"
            s += "<rect x=\"\(x + 12)\" y=\"\(base - hm)\" width=\"11\" height=\"\(hm)\" fill=\"#36c\"/>"
            s += "<text transform=\"translate(\(x + 12),\(Int(base) + 8)) rotate(60)\">\(r.operator_)</text>\n"
        }
        s += String(format: "<text x=\"10\" y=\"50\">max %.1f%%</text>", top * 100)
        return s + "</svg>\n"
    }

    /// One line per operator, each in its colour and named in the legend, with round ticks and the y scale (15
    /// grey lines without axes or names could not be read).
    static func lines(_ report: StudyReport) -> String {
        let series = report.rounds_.keys.sorted { a, b in a == "mixed" ? false : b == "mixed" ? true : a < b }
        let w = 760, h = max(360, 60 + series.count * 14)
        let top = max(1e-9, report.rounds_.values.flatMap { $0.map { max($0.outputChange, $0.inconsistency ?? 0) } }.max() ?? 1)
        var s = header(w, h, "Output change against mutation round (mixed in red)")
        let rounds = max(report.rounds, 1)
        func x(_ round: Int) -> Double { 50 + Double(round - 1) / Double(max(rounds - 1, 1)) * 540 }
        s += "<line x1=\"50\" y1=\"320\" x2=\"590\" y2=\"320\" stroke=\"#000\"/><line x1=\"50\" y1=\"40\" x2=\"50\" y2=\"320\" stroke=\"#000\"/>\n"
        let step = max(1, Int((Double(rounds) / 10).rounded(.up)))
        for round in stride(from: 1, through: rounds, by: step) {
            s += String(format: "<text x=\"%.1f\" y=\"334\" text-anchor=\"middle\">%d</text>", x(round), round)
        }
        s += "<text x=\"320\" y=\"350\" text-anchor=\"middle\">round</text>\n"
        s += String(format: "<text x=\"46\" y=\"44\" text-anchor=\"end\">%.3g</text><text x=\"46\" y=\"320\" text-anchor=\"end\">0</text>\n", top)
        for (i, name) in series.enumerated() {
            let colour = name == "mixed" ? "#c33" : palette[i % palette.count]
            // Past the palette, colours come round again dashed, then dotted: each line stays its own.
            let dash = name == "mixed" || i < palette.count ? "" : (i / palette.count == 1 ? " stroke-dasharray=\"6 3\"" : " stroke-dasharray=\"2 2\"")
            let pts = report.rounds_[name]!.map { p in
                String(format: "%.1f,%.1f", x(p.round), 320 - max(p.outputChange, p.inconsistency ?? 0) / top * 280)
            }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(name == "mixed" ? 2 : 1)\"\(dash) points=\"\(pts)\"/>\n"
            s += "<line x1=\"610\" y1=\"\(46 + i * 14)\" x2=\"630\" y2=\"\(46 + i * 14)\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash)/>"
            s += "<text x=\"636\" y=\"\(50 + i * 14)\">\(name)</text>\n"
        }
        return s + "</svg>\n"
    }

    static func position(_ report: StudyReport) -> String {
        let seeds = report.position?.seeds.keys.sorted() ?? []
        let w = 80 + seeds.count * 60, h = 300
        let values = report.position?.seeds ?? [:]
        let top = max(1e-9, values.values.flatMap { $0.values }.max() ?? 1)
        var s = header(w, h, "Backbone (blue) against head (orange): output change")
        for (i, name) in seeds.enumerated() {
            let b = values[name]?["backbone_output_change"] ?? 0, hd = values[name]?["head_output_change"] ?? 0
            let x = 50 + i * 60
            s += "<rect x=\"\(x)\" y=\"\(250 - b / top * 200)\" width=\"20\" height=\"\(b / top * 200)\" fill=\"#36c\"/>"
            s += "<rect x=\"\(x + 22)\" y=\"\(250 - hd / top * 200)\" width=\"20\" height=\"\(hd / top * 200)\" fill=\"#e83\"/>"
            s += "<text x=\"\(x)\" y=\"268\">\(name)</text>\n"
        }
        return s + "</svg>\n"
    }
}
