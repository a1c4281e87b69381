import Foundation

/// A horizontal grouped bar chart as inline SVG, written by hand: a few rectangles and text need no chart
/// library, and hand-written markup is what keeps the HTML report free of scripts and external resources.
/// Every label goes through `Escape.html` (valid inside SVG embedded in HTML, and in standalone SVG).
public struct SVGBarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var color: String
        public init(name: String, color: String) { self.name = name; self.color = color }
    }

    public struct Row: Sendable {
        public var label: String
        public var tooltip: String
        public var values: [Int]
        public init(label: String, tooltip: String, values: [Int]) { self.label = label; self.tooltip = tooltip; self.values = values }
    }

    public var title: String
    public var series: [Series]
    public var rows: [Row]

    public init(title: String, series: [Series], rows: [Row]) {
        self.title = title
        self.series = series
        self.rows = rows
    }

    public func render() -> String {
        let labelWidth = 230.0, barMax = 480.0, barHeight = 11.0, gap = 9.0, top = 44.0
        let rowHeight = Double(max(series.count, 1)) * barHeight + gap
        let width = labelWidth + barMax + 70
        let height = top + Double(max(rows.count, 1)) * rowHeight + 12
        let maxValue = rows.flatMap(\.values).max() ?? 0
        let scale = maxValue > 0 ? barMax / Double(maxValue) : 0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<title>\(Escape.html(title))</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        svg += "<text x=\"4\" y=\"16\" font-weight=\"bold\" font-size=\"13\">\(Escape.html(title))</text>\n"
        var legendX = 4.0
        for s in series {
            svg += "<rect x=\"\(f(legendX))\" y=\"24\" width=\"12\" height=\"10\" fill=\"\(Escape.html(s.color))\"/>"
            svg += "<text x=\"\(f(legendX + 16))\" y=\"33\">\(Escape.html(s.name))</text>\n"
            legendX += 30 + Double(s.name.count) * 7
        }
        if rows.isEmpty {
            svg += "<text x=\"4\" y=\"\(f(top + 14))\" fill=\"#666666\">nothing to show</text>\n"
        }
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowHeight
            svg += "<text x=\"\(f(labelWidth - 6))\" y=\"\(f(y + rowHeight / 2))\" text-anchor=\"end\">\(Escape.html(Self.clip(row.label, 34)))<title>\(Escape.html(row.tooltip))</title></text>\n"
            for (k, value) in row.values.enumerated() where k < series.count {
                let barY = y + Double(k) * barHeight
                let w = max(Double(value) * scale, value > 0 ? 1 : 0)
                svg += "<rect x=\"\(f(labelWidth))\" y=\"\(f(barY))\" width=\"\(f(w))\" height=\"\(f(barHeight - 2))\" fill=\"\(Escape.html(series[k].color))\"><title>\(Escape.html(row.tooltip)): \(value) \(Escape.html(series[k].name))</title></rect>"
                svg += "<text x=\"\(f(labelWidth + w + 4))\" y=\"\(f(barY + barHeight - 3))\" font-size=\"10\" fill=\"#333333\">\(value)</text>\n"
            }
        }
        svg += "</svg>\n"
        return svg
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

    func f(_ x: Double) -> String { String(format: "%.1f", x) }
}
