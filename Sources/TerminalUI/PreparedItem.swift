import Annotation
import JSONText

/// One item made ready for the labelling screen, once: header lines and body made inert (issue text is
/// written by strangers), the body measured, and the keyword-cue summary.
///
/// Built when the item is first shown, or ahead of time while the annotator reads the item before it, so a
/// keystroke only draws the visible lines. The wrap is kept for the last width asked for and redone only
/// when the width changes (a resize), which needs no re-measuring.
public final class PreparedItem {
    public let detail: ItemDetail
    /// Header lines, inert and on one line each.
    public let title: String
    public let meta: String
    public let tags: String
    public let link: String
    public let body: MeasuredText
    /// "cues: B×12 G×3", or "no keyword cues" (body and title).
    public let cueSummary: String
    private var wrap: (width: Int, lines: [MeasuredText.Span])?

    public init(detail: ItemDetail, cues: KeywordCues) {
        self.detail = detail
        func clean(_ text: String) -> String { InertText.neutralize(text).replacingOccurrences(of: "\n", with: " ") }
        title = clean(detail.title)
        var meta = [detail.framework]
        if let repo = detail.repository { meta.append(repo + (detail.number.map { " #\($0)" } ?? "")) }
        if let state = detail.state { meta.append(state) }
        if let d = detail.createdAt { meta.append("opened \(d.prefix(10))") }
        if let d = detail.updatedAt { meta.append("updated \(d.prefix(10))") }
        if let d = detail.closedAt { meta.append("closed \(d.prefix(10))") }
        self.meta = clean(meta.joined(separator: " · "))
        tags = clean("tags: " + (detail.tags.isEmpty ? "—" : detail.tags.joined(separator: ", ")))
        link = clean(detail.url ?? detail.key)
        let inertBody = InertText.neutralizedScalars(detail.body)
        body = MeasuredText(inertScalars: inertBody)
        let counts = cues.counts(in: inertBody + ["\n"] + InertText.neutralizedScalars(detail.title))
        cueSummary = counts.isEmpty ? "no keyword cues" : "cues: " + counts.map { "\($0.major)×\($0.count)" }.joined(separator: " ")
    }

    public var itemID: Int64 { detail.itemID }

    /// The body's lines at `width` cells (cached for the last width).
    public func lines(width: Int) -> [MeasuredText.Span] {
        if let wrap, wrap.width == width { return wrap.lines }
        let lines = body.lines(width: width)
        wrap = (width, lines)
        return lines
    }
}
