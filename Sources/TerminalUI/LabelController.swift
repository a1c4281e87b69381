import Annotation
import Foundation
import Store
import Taxonomy

/// The labelling screen's state and key handling, without curses: the TUI draws it, the scripted path and
/// the tests drive it with the same keys. Two keystrokes label an item (major letter, then subtype digit);
/// commands use keys outside a–g so a stray letter never becomes a command.
public final class LabelController {
    public enum Mode: Equatable, Sendable {
        case browse
        case note(String)
        case search(String)
        case jump(String)
        case help
    }

    public let session: LabellingSession
    public let cues: KeywordCues
    public var taxonomy: HPTaxonomy { session.taxonomy }
    public private(set) var index: Int
    public private(set) var pendingMajor: MajorType?
    public private(set) var mode: Mode = .browse
    public private(set) var message: String?
    /// The last write that failed: shown on screen, and fatal for a script.
    public private(set) var lastError: Error?
    public private(set) var wantsQuit = false
    public var scroll = 0
    /// Where the view's top row starts in the item's text, at which width: a resize scrolls back to it.
    public var scrollAnchor: (item: Int, width: Int, offset: Int)?
    public var helpScroll = 0
    /// Body area size, set by the screen on every layout (a script uses the 80×24 defaults).
    public var bodyWidth = 78
    public var bodyHeight = 12
    public private(set) var searchQuery: String?
    /// The body line of the last search hit on this item: "next" goes on from it while it is in view (the view
    /// cannot scroll past the body's end, so going on from the scroll position found the same line again).
    private var searchHit: Int?
    /// Items made ready to draw, by item id: the current one and those prepared ahead (see `prepareAhead`).
    private var prepared: [Int64: PreparedItem] = [:]
    private static let preparedLimit = 8

    public init(session: LabellingSession) {
        self.session = session
        self.cues = KeywordCues(taxonomy: session.taxonomy)
        self.index = session.firstUnlabelled() ?? 0
        if session.total > 0 { try? session.refreshLabel(at: index) }
        if session.firstUnlabelled() == nil { message = "all \(session.total) items are labelled; review with ← →, q quits" }
    }

    public var currentLabel: String? { session.label(at: index) }
    public var isUnsure: Bool { session.unsure.contains(session.queue[index].itemID) }
    public var noteCount: Int { session.notes[session.queue[index].itemID]?.count ?? 0 }
    /// The newest note on the current item, shown while a note is typed (a new note replaces it in exports,
    /// and the header only counted notes).
    public var latestNote: String? { session.notes[session.queue[index].itemID]?.last }

    public func detail() throws -> ItemDetail { try session.detail(at: index) }

    /// The current item made ready to draw (inert, measured, cue summary); built once per item.
    public func preparedItem() throws -> PreparedItem { try prepare(index) }

    /// The current body's lines at the body width (re-wrapped only when the width changed).
    public func bodyLines() throws -> (item: PreparedItem, lines: [MeasuredText.Span]) {
        let item = try preparedItem()
        return (item, item.lines(width: bodyWidth))
    }

    /// Readies the items a keystroke most likely shows next (the next unlabelled one, where a label
    /// advances, and the next in the queue) at the current width. The screen calls it while the annotator
    /// reads, when no key is waiting, so the label key itself only writes and draws. A failure is left for
    /// the keystroke that shows the item to report.
    public func prepareAhead() {
        var ahead: [Int] = []
        if let next = session.firstUnlabelled(from: index + 1), next != index { ahead.append(next) }
        if index + 1 < session.total, !ahead.contains(index + 1) { ahead.append(index + 1) }
        for i in ahead { _ = try? prepare(i).lines(width: bodyWidth) }
    }

    private func prepare(_ at: Int) throws -> PreparedItem {
        let id = session.queue[at].itemID
        if let item = prepared[id] { return item }
        let item = PreparedItem(detail: try session.detail(at: at), cues: cues)
        if prepared.count >= Self.preparedLimit {
            // Keep what the screen shows now; the rest is cheap to prepare again.
            let current = session.queue[index].itemID
            prepared = prepared.filter { $0.key == current }
        }
        prepared[id] = item
        return item
    }

    private func go(to newIndex: Int) {
        index = max(0, min(newIndex, session.total - 1))
        try? session.refreshLabel(at: index)
        scroll = 0
        searchHit = nil
        pendingMajor = nil
    }

    public func handle(_ key: Key) {
        do { try dispatch(key) } catch {
            lastError = error
            message = "NOT SAVED: " + Self.screenMessage(error)
        }
    }

    /// Where `query` starts in `scalars`, ignoring case (scalar by scalar; a scalar whose lower case is longer
    /// than one scalar is compared as it is).
    static func matches(of query: String, in scalars: [Unicode.Scalar]) -> [Int] {
        func lower(_ s: Unicode.Scalar) -> Unicode.Scalar {
            let l = s.properties.lowercaseMapping.unicodeScalars
            return l.count == 1 ? l.first! : s
        }
        let needle = query.unicodeScalars.map(lower)
        guard !needle.isEmpty, needle.count <= scalars.count else { return [] }
        var hits: [Int] = []
        var i = 0
        while i + needle.count <= scalars.count {
            var j = 0
            while j < needle.count, lower(scalars[i + j]) == needle[j] { j += 1 }
            if j == needle.count { hits.append(i) }
            i += 1
        }
        return hits
    }

    /// The rows (wrapped lines) the offsets fall on.
    static func rows(of offsets: [Int], in lines: [MeasuredText.Span]) -> Set<Int> {
        Set(offsets.compactMap { row(containing: $0, in: lines) })
    }

    /// The row (wrapped line) a scalar offset of the text falls on: the last that starts at or before it.
    static func row(containing offset: Int, in lines: [MeasuredText.Span]) -> Int? {
        var low = 0, high = lines.count
        while low < high {
            let mid = (low + high) / 2
            if lines[mid].range.lowerBound <= offset { low = mid + 1 } else { high = mid }
        }
        return low > 0 ? low - 1 : nil
    }

    /// A failed write as the screen says it: a store busy past its timeout is another process's long write, and
    /// on a screen the key is simply pressed again (the batch advice to rerun the command does not apply).
    public static func screenMessage(_ error: Error) -> String {
        if let store = error as? StoreError, store.code == .busy {
            return "the store was busy over 30 s (an import or a merge); do it again"
        }
        return "\(error)"
    }

    private func dispatch(_ key: Key) throws {
        // Ctrl-C quits from anywhere, as `q` does from browsing: a half-typed note, search or label is dropped.
        if key == .interrupt {
            pendingMajor = nil
            mode = .browse
            wantsQuit = true
            return
        }
        switch mode {
        case .help:
            switch key {
            case .down, .char("j"): helpScroll += 1
            case .up, .char("k"): helpScroll = max(0, helpScroll - 1)
            case .pageDown, .char(" "): helpScroll += 10
            case .pageUp: helpScroll = max(0, helpScroll - 10)
            case .resize: break   // a resized window is no key: the guidelines stay open, redrawn
            default: mode = .browse
            }
            return
        case .note(let text), .search(let text), .jump(let text):
            switch key {
            case .escape: mode = .browse; message = "cancelled"
            case .enter: try finishInput(text)
            case .backspace: setInput(String(text.dropLast()))
            case .char(let s) where s.value >= 0x20 && s.value != 0x7F: setInput(text + String(s))
            case .paste(let pasted): setInput(text + Key.pastedLine(pasted))
            default: break
            }
            return
        case .browse:
            break
        }
        if case .paste = key {
            // Pasted text is never a run of keystrokes: it would label items and open prompts unasked.
            message = "paste ignored: paste into a note (n) or a search (/)"
            return
        }
        if let major = pendingMajor {
            switch key {
            case .escape:
                pendingMajor = nil; message = "cancelled"
                return
            case .char(let s) where ("1"..."9").contains(s):
                let digit = Int(s.value - 0x30)
                // By its ID only, as the menu shows it: in a taxonomy with a gap (B1, B2, B3, B5) the fourth
                // subtype is B5, and typing 4 must not label it.
                guard let subtype = major.subtypes.first(where: { $0.id == "\(major.id)\(digit)" }) else {
                    message = "\(major.id) has subtypes \(major.subtypes.map { String($0.id.dropFirst(major.id.count)) }.joined(separator: ", ")); Esc cancels"
                    return
                }
                // The prompt ends before the write: a write that fails must show its NOT SAVED line, which the
                // screen draws only when no subtype prompt is pending.
                pendingMajor = nil
                try labelCurrent(subtype.id)
                return
            default:
                break
            }
        }
        switch key {
        case .char(let s) where ("a"..."g").contains(s):
            guard let major = taxonomy.major(String(s).uppercased()) else { return }
            pendingMajor = major
            message = nil
        case .char(let s) where ("0"..."9").contains(s):
            message = "type a major letter a–g first, then the subtype digit"
        case .escape:
            pendingMajor = nil
        case .char("u"):
            pendingMajor = nil
            if let undone = try session.undo() {
                go(to: undone.index)
                message = undone.restored.map { "undone: item \(undone.index + 1) is back to \($0)" } ?? "undone: item \(undone.index + 1) is unlabelled again"
            } else {
                message = "nothing to undo"
            }
        case .char("n"): pendingMajor = nil; mode = .note("")
        case .char("/"): pendingMajor = nil; mode = .search("")
        case .char(":"): pendingMajor = nil; mode = .jump("")
        case .char("?"): pendingMajor = nil; mode = .help; helpScroll = 0
        case .char("!"):
            let flag = try session.toggleUnsure(at: index)
            message = flag ? "flagged unsure" : "unsure flag cleared"
        case .char("q"): wantsQuit = true
        case .down, .char("j"): scroll += 1
        case .up, .char("k"): scroll = max(0, scroll - 1)
        case .pageDown, .char(" "): scroll += max(1, bodyHeight - 1)
        case .pageUp: scroll = max(0, scroll - max(1, bodyHeight - 1))
        case .home: scroll = 0
        case .end: scroll = Int.max / 2
        case .right, .char(">"): go(to: index + 1); message = nil
        case .left, .char("<"): go(to: index - 1); message = nil
        case .resize: break   // the next draw re-wraps at the new width
        default: break
        }
    }

    /// The next item without a label as stored now: one labelled meanwhile (an import, another session) is
    /// read and passed over (the screen landed on an item an import had labelled).
    private func nextUnlabelled(after position: Int) -> Int? {
        for _ in 0..<session.total {
            guard let next = session.firstUnlabelled(from: position + 1) else { return nil }
            try? session.refreshLabel(at: next)
            if session.label(at: next) == nil { return next }
        }
        return nil
    }

    private func labelCurrent(_ subtype: String) throws {
        let recorded = try session.record(subtype: subtype, at: index)
        let labelled = index
        pendingMajor = nil
        // Said when nothing was written (the item already had it), or when it replaced a label the screen had
        // not shown (an import or another session wrote it meanwhile).
        let what = !recorded.written ? "item \(labelled + 1) is already \(subtype)"
            : recorded.replaced.map { "item \(labelled + 1) → \(subtype) (it was \($0))" } ?? "item \(labelled + 1) → \(subtype)"
        if let next = nextUnlabelled(after: index) {
            go(to: next)
            message = what
        } else {
            message = "\(what); all \(session.total) items are labelled, q quits"
        }
    }

    private func setInput(_ text: String) {
        switch mode {
        case .note: mode = .note(text)
        case .search: mode = .search(text)
        case .jump: mode = .jump(text)
        default: break
        }
    }

    private func finishInput(_ text: String) throws {
        let current = mode
        mode = .browse
        switch current {
        case .note:
            try session.addNote(text, at: index)
            message = text.trimmingCharacters(in: .whitespaces).isEmpty ? "empty note not saved" : "note saved"
        case .jump:
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), (1...session.total).contains(n) else {
                message = "jump: give an item number 1–\(session.total)"
                return
            }
            go(to: n - 1)
            message = nil
        case .search:
            let query = text.isEmpty ? (searchQuery ?? "") : text
            guard !query.isEmpty else { message = "search: nothing to find"; return }
            searchQuery = query
            let (item, lines) = try bodyLines()
            var from = 0
            if text.isEmpty {
                if let last = searchHit, last >= scroll, last < scroll + Swift.max(1, bodyHeight) { from = last + 1 } else { from = scroll + 1 }
            }
            let start = min(from, lines.count)
            // Matched in the text, not row by row: a word the window wraps across two rows is found too (on the
            // row it starts on).
            let hitRows = Self.rows(of: Self.matches(of: query, in: item.body.scalars), in: lines)
            let order = Array(start..<lines.count) + Array(0..<min(start, lines.count))
            if let hit = order.first(where: { hitRows.contains($0) }) {
                scroll = hit
                searchHit = hit
                message = "found '\(query)' at line \(hit + 1)\(text.isEmpty && hit < start ? " (from the top again)" : "")  (/ Enter: next)"
            } else {
                message = "'\(query)' not found"
            }
        default:
            break
        }
    }

    /// The guidelines shown by `?`: every major type and subtype with its description and cues.
    public func guidelines() -> [String] {
        var lines = ["Guidelines (any key closes; j/k scroll)", "",
                     "Label: major letter a–g, then subtype digit (b 1 → B1). Esc cancels a half-typed label.",
                     "u undo · n note · ! unsure · / search body · : jump to item · ← → previous/next · q quit", ""]
        for major in taxonomy.majors {
            lines.append("\(major.id.lowercased())  \(major.id) \(major.name): \(major.description)")
            for s in major.subtypes {
                lines.append("   \(s.id.dropFirst())  \(s.id) \(s.name): \(s.description)")
                if !s.keywords.isEmpty { lines.append("        cues: \(s.keywords.joined(separator: ", "))") }
            }
            lines.append("")
        }
        return lines
    }
}
