import Foundation

/// The result of one differential run: per-framework outcomes, findings, and declared capability gaps.
public struct DiffReport: Codable, Sendable {
    public var model: String
    public var modelHash: String
    public var seed: UInt64
    public var frameworks: [FrameworkOutcome]
    public var findings: [Finding]
    /// "framework: what it cannot build" for every framework that declared the model out of its reach.
    public var gaps: [String]
    /// Per-node deviations (`--per-node`): framework → node → mean abs deviation.
    public var perNode: [String: [String: Double]]?

    public init(model: String, modelHash: String, seed: UInt64, frameworks: [FrameworkOutcome], findings: [Finding], gaps: [String],
                perNode: [String: [String: Double]]? = nil) {
        self.model = model
        self.modelHash = modelHash
        self.seed = seed
        self.frameworks = frameworks
        self.findings = findings
        self.gaps = gaps
        self.perNode = perNode
    }

    enum CodingKeys: String, CodingKey {
        case model, frameworks, findings, gaps, seed
        case modelHash = "model_hash", perNode = "per_node"
    }

    public func json() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }

    public func table() -> String {
        func num(_ v: Double?, _ f: String = "%.2e") -> String { v.map { String(format: f, $0) } ?? "-" }
        let widths = [20, 14, 13, 10, 10, 22, 10, 9, 8]
        func row(_ cells: [String]) -> String { zip(cells, widths).map { $0.padding(toLength: Swift.max($1, $0.count + 1), withPad: " ", startingAt: 0) }.joined() }
        // The seed's time beside the model's when a baseline ran (what the slowdown oracle compared).
        let seeded = frameworks.contains { $0.seedTimeMs != nil }
        var lines = ["model \(model)  (\(modelHash.prefix(12)), seed \(seed))",
                     row(["framework", "version", "status", "max dev", "mean dev", "worst node", "time ms", "peak MB"] + (seeded ? ["seed ms"] : []))]
        for f in frameworks {
            lines.append(row([f.name, f.version ?? "-", f.status, num(f.maxAbsDev), num(f.meanAbsDev), f.worstNode ?? "-",
                              num(f.timeMs, "%.2f"), num(f.peakMB, "%.0f")] + (seeded ? [num(f.seedTimeMs, "%.2f")] : [])))
            // The first line (a start-up failure's cause; its traceback follows in JSON).
            if f.status != "ok", let m = f.message { lines.append("    \(f.stage ?? "?"): \((m.split(separator: "\n").first.map(String.init) ?? m).prefix(160))") }
            if let l = f.losses, !l.isEmpty { lines.append("    losses: " + l.map { String(format: "%.6g", $0) }.joined(separator: " ")) }
        }
        if findings.isEmpty {
            lines.append("findings: none")
        } else {
            lines.append("findings:")
            for x in findings {
                lines.append("  [\(x.taxonomy)] \(x.symptom) stage=\(x.stage ?? "-") frameworks=\(x.frameworks.joined(separator: ",")) node=\(x.node ?? "-")  \(x.id)")
                lines.append("      \(x.detail)")
            }
        }
        for g in gaps { lines.append(g.hasPrefix("values not judged") ? "note: \(g)" : "capability gap: \(g)") }
        return lines.joined(separator: "\n")
    }
}

extension DiffReport {
    /// Two runs of the same model on different inputs: worst deviations and times, every finding once.
    public static func merge(_ a: DiffReport, _ b: DiffReport) -> DiffReport {
        var out = a
        for (i, f) in out.frameworks.enumerated() {
            guard let g = b.frameworks.first(where: { $0.name == f.name }) else { continue }
            var m = f
            if f.status == "ok" && g.status != "ok" { m.status = g.status; m.stage = g.stage; m.message = g.message }
            m.maxAbsDev = [f.maxAbsDev, g.maxAbsDev].compactMap { $0 }.max()
            m.meanAbsDev = [f.meanAbsDev, g.meanAbsDev].compactMap { $0 }.max()
            m.relMeanDev = [f.relMeanDev, g.relMeanDev].compactMap { $0 }.max()
            m.timeMs = [f.timeMs, g.timeMs].compactMap { $0 }.max()
            if (g.worstNodeDev ?? 0) > (f.worstNodeDev ?? 0) { m.worstNode = g.worstNode; m.worstNodeDev = g.worstNodeDev }
            m.peakMB = [f.peakMB, g.peakMB].compactMap { $0 }.max()
            out.frameworks[i] = m
        }
        for x in b.findings where !out.findings.contains(where: { $0.id == x.id && $0.node == x.node }) { out.findings.append(x) }
        for g in b.gaps where !out.gaps.contains(g) { out.gaps.append(g) }
        return out
    }

    /// Nodes in `graphOrder` (the model's own order, where a deviation's path can be read from the top), any
    /// others after; aligned columns under a header of their own.
    /// Frameworks whose worker did not start (`DiffRunner.notStarted`): nothing ran there.
    public var notStarted: [FrameworkOutcome] { frameworks.filter { $0.stage == DiffRunner.notStarted } }

    public func perNodeTable(order: [String], graphOrder: [String] = []) -> String {
        guard let perNode else { return "" }
        let names = order.filter { perNode[$0] != nil }
        let nodes = Set(perNode.values.flatMap(\.keys))
        let rank = Dictionary(graphOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let ordered = nodes.sorted { (rank[$0] ?? .max, $0) < (rank[$1] ?? .max, $1) }
        let width = max(4, (ordered.map(\.count).max() ?? 0)) + 2
        let columns = names.map { max(9, $0.count + 2) }
        func row(_ first: String, _ cells: [String]) -> String {
            first.padding(toLength: width, withPad: " ", startingAt: 0)
                + zip(cells, columns).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
        }
        var lines = ["per-node mean |Δ| vs reference", row("node", names)]
        for node in ordered {
            lines.append(row(node, names.map { perNode[$0]?[node].map { String(format: "%.1e", $0) } ?? "-" }))
        }
        // Node times, where the runs were profiled (`--baseline` with `--per-node`): "-" where a framework fused
        // the node into another's kernel.
        let timed = order.compactMap { name in frameworks.first { $0.name == name && $0.nodeMs != nil } }
        if !timed.isEmpty {
            let timeColumns = timed.map { max(9, $0.name.count + 2) }
            func timeRow(_ first: String, _ cells: [String]) -> String {
                first.padding(toLength: width, withPad: " ", startingAt: 0)
                    + zip(cells, timeColumns).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
            }
            lines += ["", "per-node time ms (one profiled pass after the timed repeats)", timeRow("node", timed.map(\.name))]
            for node in ordered {
                lines.append(timeRow(node, timed.map { f in f.nodeMs?[node].map { String(format: "%.3f", $0) } ?? "-" }))
            }
        }
        return lines.joined(separator: "\n")
    }
}
