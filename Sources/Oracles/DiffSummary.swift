import Foundation

/// The Markdown report `make run` writes under Reports/: one row per seed and framework, then the findings
/// and the capability gaps.
public enum DiffSummary {
    public static func markdown(_ reports: [DiffReport], date: Date = Date()) -> String {
        let names = reports.first?.frameworks.map(\.name) ?? []
        var out = ["# Differential run over the seed zoo", "",
                   "\(ISO8601DateFormatter().string(from: date)) · \(reports.count) models · frameworks: \(names.joined(separator: ", "))",
                   "", "Mean |Δ| of the final outputs against the float64 reference (relative to magnitude, absolute below 1) (status when not ok), median time in ms.", "",
                   "| model | " + names.joined(separator: " | ") + " | findings |",
                   "|---|" + names.map { _ in "---|" }.joined() + "---|"]
        for r in reports {
            let cells = names.map { n -> String in
                guard let f = r.frameworks.first(where: { $0.name == n }) else { return "-" }
                if f.status != "ok" { return f.status }
                return String(format: "%.1e · %.1f ms", f.relMeanDev ?? .nan, f.timeMs ?? .nan)
            }
            out.append("| \(r.model) | " + cells.joined(separator: " | ") + " | \(r.findings.count) |")
        }
        let findings = reports.flatMap { r in r.findings.map { (r.model, $0) } }
        out += ["", "## Findings (\(findings.count))", ""]
        let notStarted = Set(reports.flatMap(\.notStarted).map(\.name)).sorted()
        if findings.isEmpty {
            out.append(notStarted.isEmpty ? "None: every unmutated seed agrees with the reference."
                                          : "None among the frameworks that ran (\(notStarted.joined(separator: ", ")) did not start: see below).")
        }
        for (model, f) in findings {
            out.append("- **\(f.taxonomy)** \(f.symptom) · \(model) · \(f.frameworks.joined(separator: ", ")) · stage \(f.stage ?? "-") · node \(f.node ?? "-") — \(f.detail)")
        }
        if !notStarted.isEmpty {
            out += ["", "## Frameworks that did not start (\(notStarted.count))", ""]
            out += notStarted.map { "- \($0): its worker does not start on this machine; nothing ran there (`defectlab doctor` checks the venv)" }
        }
        let gaps = Set(reports.flatMap(\.gaps)).sorted()
        out += ["", "## Capability gaps (\(gaps.count))", ""]
        out += gaps.isEmpty ? ["None declared."] : gaps.map { "- \($0)" }
        return out.joined(separator: "\n") + "\n"
    }
}
