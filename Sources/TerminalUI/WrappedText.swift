/// Text broken into screen lines of at most `width` cells, breaking at spaces where it can and never
/// splitting a double-width character across the edge (the rules are `MeasuredText.lines(width:)`'s).
/// Copies each line out, which suits short texts (guidelines, adjudication); the labelling screen keeps the
/// `MeasuredText` and its spans instead, so a keystroke on a 64 KB body touches only the visible lines.
public struct WrappedText: Sendable {
    public struct Line: Sendable, Equatable {
        /// Scalars to draw (unprintable ones already replaced by U+FFFD).
        public var scalars: [Unicode.Scalar]
        /// The cells they take.
        public var cells: Int
        public var text: String { String(String.UnicodeScalarView(scalars)) }
    }

    public let width: Int
    public let lines: [Line]

    /// `text` must already be inert (see `InertText`): only newlines and printable characters.
    public init(_ text: String, width: Int) {
        self.width = max(1, width)
        let measured = MeasuredText(inert: text)
        lines = measured.lines(width: width).map { Line(scalars: Array(measured.scalars[$0.range]), cells: $0.cells) }
    }
}
