/// Inert text measured once for drawing: each scalar with its cell width, undrawable scalars already
/// replaced by U+FFFD, newlines kept as paragraph breaks.
///
/// Measuring (`wcwidth`) is the costly part of laying out a body; it does not depend on the screen width, so
/// it is done once per item. Wrapping to a width is then one pass over small integers, producing line spans
/// into the same arrays: a resize re-wraps a 64 KB body without re-measuring or copying text.
public struct MeasuredText: Sendable {
    /// One screen line: a range of `scalars` (no newline inside) and the cells it takes.
    public struct Span: Sendable, Equatable {
        public var range: Range<Int>
        public var cells: Int
    }

    /// Scalars to draw; `"\n"` separates paragraphs and is never drawn.
    public let scalars: [Unicode.Scalar]
    /// Cell width of each scalar (0 for combining marks and newlines, 2 for CJK and emoji).
    public let widths: [UInt8]

    /// `text` must already be inert (see `InertText`): only newlines and printable characters.
    public init(inert text: String) {
        self.init(inertScalars: Array(text.unicodeScalars))
    }

    public init(inertScalars: [Unicode.Scalar]) {
        var scalars = inertScalars
        var widths = [UInt8](repeating: 1, count: scalars.count)
        for i in scalars.indices {
            let s = scalars[i]
            if s.value < 0x7F, s.value >= 0x20 { continue }   // ASCII printable: width 1, the common case
            if s == "\n" { widths[i] = 0; continue }
            let w = CellWidth.of(s)
            if w < 0 { scalars[i] = "\u{FFFD}" } else if w != 1 { widths[i] = UInt8(truncatingIfNeeded: w) }
        }
        self.scalars = scalars
        self.widths = widths
    }

    /// Lines of at most `width` cells, breaking at the last space where it can (the space is dropped) and
    /// never splitting a double-width character across the edge. An empty paragraph is an empty line; a
    /// trailing newline adds none.
    public func lines(width: Int) -> [Span] {
        let width = max(1, width)
        var spans: [Span] = []
        spans.reserveCapacity(scalars.count / width + 16)
        scalars.withUnsafeBufferPointer { text in
            widths.withUnsafeBufferPointer { cellsOf in
                var lineStart = 0, cells = 0
                var lastSpace = -1, cellsAtSpace = 0   // the last break opportunity in this line
                for i in 0..<text.count {
                    let s = text[i].value
                    if s == 0x0A {
                        spans.append(Span(range: lineStart..<i, cells: cells))
                        lineStart = i + 1; cells = 0; lastSpace = -1
                        continue
                    }
                    let w = Int(cellsOf[i])
                    if w > 0, cells + w > width, i > lineStart {
                        if s == 0x20 {
                            // A space at the edge is the break itself, dropped (not the start of the next line).
                            spans.append(Span(range: lineStart..<i, cells: cells))
                            lineStart = i + 1; cells = 0; lastSpace = -1
                            continue
                        }
                        // A space leading the line is no break: it would leave an empty line.
                        if lastSpace > lineStart {
                            spans.append(Span(range: lineStart..<lastSpace, cells: cellsAtSpace))
                            lineStart = lastSpace + 1
                            cells = cells - cellsAtSpace - 1
                        }
                        lastSpace = -1
                        // No space to break at, or what followed it is still too wide for this character.
                        if cells + w > width, i > lineStart {
                            spans.append(Span(range: lineStart..<i, cells: cells))
                            lineStart = i
                            cells = 0
                        }
                    }
                    if s == 0x20 { lastSpace = i; cellsAtSpace = cells }
                    cells += w
                }
                spans.append(Span(range: lineStart..<text.count, cells: cells))
            }
        }
        if spans.count > 1, spans[spans.count - 1].range.isEmpty { spans.removeLast() }
        return spans
    }

    /// A line's text (for search).
    public func text(of span: Span) -> String {
        String(String.UnicodeScalarView(scalars[span.range]))
    }
}
