/// Text broken into screen lines of at most `width` cells, breaking at spaces where it can and never
/// splitting a double-width character across the edge. Computed once per (text, width); drawing a screen
/// then touches only the visible lines, which keeps a keystroke on a 64 KB body cheap.
public struct WrappedText: Sendable {
    public struct Line: Sendable, Equatable {
        /// Scalars to draw (unprintable ones already replaced by U+FFFD).
        public var scalars: [Unicode.Scalar]
        /// The cells they take.
        public var cells: Int
        public var text: String { String(String.UnicodeScalarView(scalars)) }
    }

    public let width: Int
    public private(set) var lines: [Line] = []

    /// `text` must already be inert (see `InertText`): only newlines and printable characters.
    public init(_ text: String, width: Int) {
        self.width = max(1, width)
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            wrap(Array(paragraph.unicodeScalars))
        }
        if lines.last?.scalars.isEmpty == true, lines.count > 1 { lines.removeLast() }
    }

    private mutating func wrap(_ scalars: [Unicode.Scalar]) {
        var line: [Unicode.Scalar] = []
        var cells = 0
        var lastSpace = -1          // index in `line` of the last space, a break opportunity
        var cellsAtSpace = 0
        for raw in scalars {
            var s = raw
            var w = CellWidth.of(s)
            if w < 0 { s = "\u{FFFD}"; w = 1 }
            if w > 0, cells + w > width, !line.isEmpty {
                if lastSpace >= 0 {
                    let head = Array(line[..<lastSpace])
                    let tail = Array(line[(lastSpace + 1)...])
                    lines.append(Line(scalars: head, cells: cellsAtSpace))
                    line = tail
                    cells = cells - cellsAtSpace - 1
                } else {
                    lines.append(Line(scalars: line, cells: cells))
                    line = []
                    cells = 0
                }
                lastSpace = -1
            }
            if s == " " { lastSpace = line.count; cellsAtSpace = cells }
            line.append(s)
            cells += w
        }
        lines.append(Line(scalars: line, cells: cells))
    }
}
