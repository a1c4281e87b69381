import Foundation

/// A self-contained SVG bar chart of a distribution report: one panel per group, a bar per category for
/// its share, and a tick for the study's reported share (of the group of subtypes it was reported for).
public enum DistributionChartSVG {
    public static func render(_ report: DistributionReport) -> String {
        let rowHeight = 18.0, labelWidth = 48.0, barMax = 420.0, panelGap = 36.0
        let categories = report.groups.first?.counts.count ?? 0
        let panelHeight = Double(categories) * rowHeight + 28
        let width = labelWidth + barMax + 150
        let height = Double(report.groups.count) * (panelHeight + panelGap) + 20
        let top = report.groups.flatMap { $0.shares.map(\.1) }.max() ?? 0
        let studyTop = report.studyShares.map(\.1).max() ?? 0
        let scale = max(top, studyTop) > 0 ? barMax / max(top, studyTop) : 0
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <title>Label distribution (\(escape(report.level)), source \(escape(report.source)))</title>
            <rect width="100%" height="100%" fill="white"/>

            """
        var y = 20.0
        for group in report.groups {
            svg += "<text x=\"4\" y=\"\(fmt(y))\" font-weight=\"bold\">\(escape(group.name)) — \(group.total) items</text>\n"
            y += 12
            for ((category, count), (_, share)) in zip(group.counts, group.shares) {
                let barY = y + 3
                svg += "<text x=\"4\" y=\"\(fmt(y + 14))\">\(escape(category))</text>\n"
                svg += "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(barY))\" width=\"\(fmt(share * scale))\" height=\"\(fmt(rowHeight - 6))\" fill=\"#4878a8\"><title>\(escape(category)): \(count) (\(String(format: "%.1f", share * 100))%)</title></rect>\n"
                if let study = report.studyShare(of: category) {
                    let x = labelWidth + study.share * scale
                    svg += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(barY - 2))\" x2=\"\(fmt(x))\" y2=\"\(fmt(barY + rowHeight - 4))\" stroke=\"#d04030\" stroke-width=\"2\"><title>study \(escape(study.key)): \(String(format: "%.2f", study.share * 100))%</title></line>\n"
                }
                svg += "<text x=\"\(fmt(labelWidth + share * scale + 6))\" y=\"\(fmt(y + 14))\" fill=\"#333\">\(String(format: "%.1f", share * 100))%</text>\n"
                y += rowHeight
            }
            y += panelGap
        }
        svg += "<text x=\"4\" y=\"\(fmt(height - 6))\" fill=\"#d04030\">| study's reported share</text>\n</svg>\n"
        return svg
    }

    static func fmt(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Text for an attribute or element: markup escaped, and the characters XML 1.0 forbids (C0 controls but
    /// tab and newlines, U+FFFE/FFFF) dropped — one such character from a store makes the whole file unreadable.
    static func escape(_ s: String) -> String {
        let allowed = String(String.UnicodeScalarView(s.unicodeScalars.filter { v in
            v.value == 0x9 || v.value == 0xA || v.value == 0xD || (0x20...0xFFFD).contains(v.value) && v.value != 0x7F || v.value >= 0x10000
        }))
        return allowed.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
