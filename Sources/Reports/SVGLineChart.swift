import Foundation

/// A line chart of one value per round as inline SVG, written by hand (see `SVGBarChart` for why). A round
/// without a value (nothing compared, no time recorded) breaks the line instead of drawing a false zero.
public struct SVGLineChart: Sendable {
    public var title: String
    public var yLabel: String
    /// One point per round: the x label (first step) and the value.
    public var points: [(x: String, y: Double?)]
    public var color: String
    /// Fixed y range (rates: 0…1); nil scales to the data.
    public var yMax: Double?

    public init(title: String, yLabel: String, points: [(x: String, y: Double?)], color: String, yMax: Double? = nil) {
        self.title = title
        self.yLabel = yLabel
        self.points = points
        self.color = color
        self.yMax = yMax
    }

    public func render() -> String {
        let width = 560.0, height = 230.0, left = 62.0, right = 16.0, top = 30.0, bottom = 40.0
        let plotW = width - left - right, plotH = height - top - bottom
        let values = points.compactMap(\.y)
        let top0 = yMax ?? Self.niceCeiling(values.max() ?? 0)
        let n = points.count
        func x(_ i: Int) -> Double { n <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(n - 1) }
        func y(_ v: Double) -> Double { top + plotH - plotH * min(max(v / top0, 0), 1) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        svg += "<title>\(Escape.html(title))</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        svg += "<text x=\"4\" y=\"16\" font-weight=\"bold\" font-size=\"13\">\(Escape.html(title))</text>\n"
        // Axes and four horizontal grid lines with their values.
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\" stroke=\"#888888\"/>"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"#888888\"/>\n"
        for k in 0...4 {
            let v = top0 * Double(k) / 4, yy = y(v)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(yy))\" x2=\"\(f(left + plotW))\" y2=\"\(f(yy))\" stroke=\"#e4e4e4\"/>"
            svg += "<text x=\"\(f(left - 4))\" y=\"\(f(yy + 4))\" text-anchor=\"end\">\(Self.tick(v))</text>\n"
        }
        svg += "<text x=\"12\" y=\"\(f(top + plotH / 2))\" transform=\"rotate(-90 12 \(f(top + plotH / 2)))\" text-anchor=\"middle\">\(Escape.html(yLabel))</text>\n"
        for i in Self.labelled(points.map(\.x), x: x) {
            svg += "<text x=\"\(f(x(i)))\" y=\"\(f(top + plotH + 14))\" text-anchor=\"middle\">\(Escape.html(points[i].x))</text>\n"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">round (first step)</text>\n"
        if values.isEmpty {
            svg += "<text x=\"\(f(left + 10))\" y=\"\(f(top + 20))\" fill=\"#666666\">no data</text>\n"
        }
        // Polylines over runs of consecutive points that have a value.
        var segment: [String] = []
        func flush() {
            if segment.count > 1 { svg += "<polyline fill=\"none\" stroke=\"\(Escape.html(color))\" stroke-width=\"2\" points=\"\(segment.joined(separator: " "))\"/>\n" }
            segment = []
        }
        for (i, p) in points.enumerated() {
            guard let v = p.y else { flush(); continue }
            segment.append("\(f(x(i))),\(f(y(v)))")
        }
        flush()
        for (i, p) in points.enumerated() {
            guard let v = p.y else { continue }
            svg += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"3\" fill=\"\(Escape.html(color))\"><title>\(Escape.html(p.x)): \(Self.tick(v))</title></circle>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// The smallest of 1, 2, 2.5, 5 × 10^k at or above `v` (1 for nothing to show), so grid lines fall on round values.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(v)))
        return [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= v } ?? 10 * magnitude
    }

    /// The points whose x label is drawn: about eight evenly spaced and always the last, without a label that
    /// would overlap the one before it (the last regular label and the end's ran into one number: "91289617").
    static func labelled(_ labels: [String], x: (Int) -> Double) -> [Int] {
        let n = labels.count
        guard n > 0 else { return [] }
        let every = max(1, n / 8)
        // 11 px sans-serif digits are about 6.2 px wide; 6 px between labels.
        func halfWidth(_ i: Int) -> Double { Double(labels[i].count) * 3.1 }
        var shown: [Int] = []
        for i in 0..<n where i % every == 0 || i == n - 1 {
            while let last = shown.last, x(i) - x(last) < halfWidth(last) + halfWidth(i) + 6 {
                // The end's label wins over a regular one; otherwise the earlier one stays.
                if i == n - 1 { shown.removeLast() } else { break }
            }
            if let last = shown.last, x(i) - x(last) < halfWidth(last) + halfWidth(i) + 6 { continue }
            shown.append(i)
        }
        return shown
    }

    static func tick(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 100 { return String(format: "%.0f", v) }
        return String(format: "%.3g", v)
    }

    func f(_ x: Double) -> String { String(format: "%.1f", x) }
}
