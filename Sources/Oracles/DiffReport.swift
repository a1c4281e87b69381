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
        var lines = ["model \(model)  (\(modelHash.prefix(12)), seed \(seed))",
                     String(format: "%-20@ %-12@ %-10@ %-10@ %-10@ %-22@ %9@ %8@", "framework" as NSString, "version" as NSString,
                            "status" as NSString, "max dev" as NSString, "mean dev" as NSString, "worst node" as NSString,
                            "time ms" as NSString, "peak MB" as NSString)]
        for f in frameworks {
            lines.append(String(format: "%-20@ %-12@ %-10@ %-10@ %-10@ %-22@ %9@ %8@", f.name as NSString, (f.version ?? "-") as NSString,
                                f.status as NSString, num(f.maxAbsDev) as NSString, num(f.meanAbsDev) as NSString,
                                (f.worstNode ?? "-") as NSString, num(f.timeMs, "%.2f") as NSString, num(f.peakMB, "%.0f") as NSString))
            if f.status != "ok", let m = f.message { lines.append("    \(f.stage ?? "?"): \(m.prefix(160))") }
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
        for g in gaps { lines.append("capability gap: \(g)") }
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
            if (g.worstNodeDev ?? 0) > (f.worstNodeDev ?? 0) { m.worstNode = g.worstNode; m.worstNodeDev = g.worstNodeDev }
            m.peakMB = [f.peakMB, g.peakMB].compactMap { $0 }.max()
            out.frameworks[i] = m
        }
        for x in b.findings where !out.findings.contains(where: { $0.id == x.id && $0.node == x.node }) { out.findings.append(x) }
        for g in b.gaps where !out.gaps.contains(g) { out.gaps.append(g) }
        return out
    }

    public func perNodeTable(order: [String]) -> String {
        guard let perNode else { return "" }
        let names = order.filter { perNode[$0] != nil }
        let nodes = Set(perNode.values.flatMap(\.keys))
        var lines = ["per-node mean |Δ| vs reference: node  " + names.joined(separator: "  ")]
        for node in nodes.sorted() {
            lines.append(node + "  " + names.map { perNode[$0]?[node].map { String(format: "%.1e", $0) } ?? "-" }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}
