import Foundation
import JSONText

/// The table form of an agreement report, for a terminal.
public enum AgreementReportPrinter {
    public static func table(_ report: AgreementReport) -> String {
        var out: [String] = []
        for group in report.groups {
            let f = group.fleiss
            out.append("== \(group.name): \(group.items) items, \(group.raters) raters (\(group.raterNames.joined(separator: ", "))), level \(report.level)")
            out.append("Fleiss' kappa   \(num(f.kappa))  [\(num(f.ci[0])), \(num(f.ci[1]))]  \(f.band ?? "undefined")  (\(f.method))")
            out.append("  P̄ \(num(f.pBar))  P̄e \(num(f.peBar))  SE0 \(num(f.se0))  z \(num(f.z, digits: 2))  p \(pValue(f.p))")
            out.append("Randolph's kappa \(num(group.randolph))   Krippendorff's alpha \(num(group.krippendorffAlpha))   Gwet's AC1 \(num(group.gwetAC1))")
            let used = group.perCategory.filter { $0.1 != nil }
            if !used.isEmpty {
                out.append("per-category kappa: " + used.map { "\($0.0) \(num($0.1, digits: 3))" }.joined(separator: "  "))
            }
            if !group.cohenPairs.isEmpty {
                out.append("Cohen's kappa by pair:")
                out.append(contentsOf: cohenMatrix(group))
            }
            if !group.mostConfused.isEmpty {
                out.append("most confused: " + group.mostConfused.map { "\($0.a)–\($0.b) \($0.count)" }.joined(separator: ", "))
            }
            out.append(contentsOf: group.notes.map { "note: \($0)" })
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    static func cohenMatrix(_ group: AgreementReport.Group) -> [String] {
        let names = group.raterNames
        // By columns, not characters: a CJK name shifted its row two columns against the header.
        let width = max(7, (names.map(TextWidth.of).max() ?? 0) + 1)
        func cell(_ s: String) -> String { TextWidth.of(s) >= width ? s + " " : TextWidth.padded(s, to: width, rightAligned: true) }
        var lookup: [String: Double?] = [:]
        for pair in group.cohenPairs { lookup["\(pair.a)\u{1F}\(pair.b)"] = pair.kappa; lookup["\(pair.b)\u{1F}\(pair.a)"] = pair.kappa }
        var lines = ["  " + cell("") + names.map(cell).joined()]
        for a in names {
            lines.append("  " + cell(a) + names.map { b in a == b ? cell("—") : cell(num(lookup["\(a)\u{1F}\(b)"] ?? nil, digits: 3)) }.joined())
        }
        return lines
    }

    static func num(_ x: Double?, digits: Int = 4) -> String {
        guard let x else { return "n/a" }
        return String(format: "%.\(digits)f", x)
    }

    static func pValue(_ p: Double?) -> String {
        guard let p else { return "n/a" }
        // Below the smallest normal double the normal tail underflows to 0 (z beyond ~38): a bound, not a value.
        if p < Double.leastNormalMagnitude { return "< 2.2e-308" }
        return p < 1e-4 ? String(format: "%.2e", p) : String(format: "%.4f", p)
    }
}
