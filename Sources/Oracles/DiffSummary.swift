import Foundation
import Reports

/// The Markdown report `make run` writes under Reports/ (and `diff --report`): one row per model and framework,
/// then the findings and the capability gaps. Model, node and framework names and finding texts come from model files a user may
/// have been sent: each is escaped as Markdown text (`Escape.markdownCell`), so none adds markup or a table cell.
public enum DiffSummary {
    public static func markdown(_ reports: [DiffReport], date: Date = Date()) -> String {
        let names = reports.first?.frameworks.map(\.name) ?? []
        let text = Escape.markdownCell
        let title = reports.count == 1 ? "# Differential run of \(text(reports[0].model))" : "# Differential run over \(reports.count) models"
        var out = [title, "",
                   "\(ISO8601DateFormatter().string(from: date)) · \(reports.count) models · frameworks: \(names.map(text).joined(separator: ", "))",
                   "", "Mean |Δ| of the final outputs against the float64 reference (relative to magnitude, absolute below 1) (status when not ok), median time in ms.", "",
                   "| model | " + names.map(text).joined(separator: " | ") + " | findings |",
                   "|---|" + names.map { _ in "---|" }.joined() + "---|"]
        for r in reports {
            let cells = names.map { n -> String in
                guard let f = r.frameworks.first(where: { $0.name == n }) else { return "-" }
                if f.status != "ok" { return text(f.status) }
                return String(format: "%.1e · %.1f ms", f.relMeanDev ?? .nan, f.timeMs ?? .nan)
            }
            out.append("| \(text(r.model)) | " + cells.joined(separator: " | ") + " | \(r.findings.count) |")
        }
        let findings = reports.flatMap { r in r.findings.map { (r.model, $0) } }
        out += ["", "## Findings (\(findings.count))", ""]
        let notStarted = Set(reports.flatMap(\.notStarted).map(\.name)).sorted()
        if findings.isEmpty {
            // A loaded model may be a mutant: "every unmutated seed" fits only the zoo's own seeds.
            out.append(notStarted.isEmpty ? "None: every framework agrees with the reference on \(reports.count == 1 ? "this model" : "every model")."
                                          : "None among the frameworks that ran (\(notStarted.map(text).joined(separator: ", ")) did not start: see below).")
        }
        for (model, f) in findings {
            out.append("- **\(text(f.taxonomy))** \(text(f.symptom)) · \(text(model)) · \(f.frameworks.map(text).joined(separator: ", ")) · stage \(text(f.stage ?? "-")) · node \(text(f.node ?? "-")) — \(text(f.detail))")
        }
        if !notStarted.isEmpty {
            out += ["", "## Frameworks that did not start (\(notStarted.count))", ""]
            out += notStarted.map { "- \(text($0)): its worker does not start on this machine; nothing ran there (`defectlab doctor` checks the venv)" }
        }
        let gaps = Set(reports.flatMap(\.gaps)).sorted()
        out += ["", "## Capability gaps (\(gaps.count))", ""]
        out += gaps.isEmpty ? ["None declared."] : gaps.map { "- \(text($0))" }
        return out.joined(separator: "\n") + "\n"
    }
}
