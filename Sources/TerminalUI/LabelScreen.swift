import Annotation
import Foundation
import JSONText

/// Draws a `LabelController` on a `Terminal`: item header, wrapped body with keyword cues highlighted,
/// the subtype menu while a label is half-typed, the prompt line, and a progress bar. Works from 80×24 up
/// and re-lays out on every draw, so a resize needs nothing more than a redraw.
public struct LabelScreen {
    public static let minimumRows = 12
    public static let minimumCols = 40
    let terminal: Terminal
    let controller: LabelController

    public init(terminal: Terminal, controller: LabelController) {
        self.terminal = terminal
        self.controller = controller
    }

    static let headerRows = 6
    static let footerRows = 3

    public func draw(now: Date = Date()) {
        let t = terminal
        let rows = t.rows, cols = t.cols
        t.erase()
        defer { t.refresh() }
        guard !Self.drawTooSmall(t) else { return }
        if controller.mode == .help { drawHelp(rows: rows, cols: cols); return }
        controller.bodyWidth = cols - 2
        controller.bodyHeight = rows - Self.headerRows - Self.footerRows
        do {
            try drawItem(rows: rows, cols: cols)
        } catch {
            t.draw("cannot load this item: \(error)", y: Self.headerRows, x: 1, style: .error)
        }
        drawPrompt(y: rows - 2, cols: cols)
        drawProgress(y: rows - 1, cols: cols, now: now)
    }

    /// Whether `terminal` is big enough for a screen (both screens share the minimum).
    static func fits(_ terminal: Terminal) -> Bool { terminal.rows >= minimumRows && terminal.cols >= minimumCols }

    /// On a terminal too small for the screen, says so in lines that fit (the one-line message was cut to
    /// "terminal too small (" at 20 columns, so the size needed was never shown); true when it drew that.
    static func drawTooSmall(_ t: Terminal) -> Bool {
        guard !fits(t) else { return false }
        let lines = ["terminal too small:", "\(t.cols)×\(t.rows), need", "\(minimumCols)×\(minimumRows); q quits"]
        for (y, line) in lines.enumerated() where y < t.rows {
            t.draw(line, y: y, x: 0, style: .error, maxCells: t.cols)
        }
        return true
    }

    /// What a key pressed while nothing is shown may do: quit (`q` or Ctrl-C, as Ctrl-C) and nothing else. A
    /// label or a decision typed blind was saved for an item the screen did not show.
    static func keyWhileTooSmall(_ key: Key) -> Key? {
        key == .interrupt || key == .char("q") ? .interrupt : nil
    }

    private func drawItem(rows: Int, cols: Int) throws {
        let t = terminal, c = controller, session = c.session
        // Everything derived from the item's text was prepared once (see `PreparedItem`); a keystroke only
        // draws the header and the visible body lines.
        let (item, lines) = try c.bodyLines()
        t.fillRow(0, style: .header)
        var status = c.currentLabel.map { "[\($0)]" } ?? "[unlabelled]"
        if c.isUnsure { status += " [unsure]" }
        if c.noteCount > 0 { status += " [\(c.noteCount) note\(c.noteCount == 1 ? "" : "s")]" }
        let left = " \(session.annotator) · item \(c.index + 1)/\(session.total) · \(session.queue[c.index].sample)"
        // The item's state comes first: on a narrow screen the sample name is cut, not the label.
        let statusCells = min(CellWidth.of(status), cols - 2)
        t.draw(left, y: 0, x: 0, style: .header, maxCells: cols - statusCells - 2)
        t.draw(status, y: 0, x: cols - statusCells - 1, style: .header, maxCells: statusCells)
        t.draw(item.title, y: 1, x: 1, style: .title, maxCells: cols - 2)
        t.draw(item.meta, y: 2, x: 1, style: .dim, maxCells: cols - 2)
        t.draw(item.tags, y: 3, x: 1, style: .dim, maxCells: cols - 2)
        t.draw(item.link, y: 4, x: 1, style: .dim, maxCells: cols - 2)
        t.draw(String(repeating: "─", count: cols), y: 5, x: 0, style: .dim)

        let height = c.bodyHeight
        // The view keeps its place in the text, not its row number, when the width changes: a resize re-wraps
        // the body, and row 300 at 120 columns is a hundred lines earlier in the text at 40.
        if let anchor = c.scrollAnchor, anchor.item == c.index, anchor.width != c.bodyWidth {
            c.scroll = LabelController.row(containing: anchor.offset, in: lines) ?? 0
        }
        let maxScroll = max(0, lines.count - height)
        c.scroll = min(c.scroll, maxScroll)
        c.scrollAnchor = lines.isEmpty ? nil : (c.index, c.bodyWidth, lines[c.scroll].range.lowerBound)
        let needle = c.searchQuery.map { Array($0.lowercased().unicodeScalars) }
        for row in 0..<height {
            let n = c.scroll + row
            guard n < lines.count else { break }
            drawBodyLine(Array(item.body.scalars[lines[n].range]), y: Self.headerRows + row, needle: needle)
        }
        if let major = c.pendingMajor {
            // The subtype menu covers the bottom of the body while a label is half-typed, and the header too
            // where the body is shorter than the menu (a small window): every subtype must be visible.
            let top = max(1, Self.headerRows + height - major.subtypes.count - 1)
            t.fillRow(top, style: .normal)
            t.draw(String(repeating: "─", count: cols), y: top, x: 0, style: .dim)
            for (i, s) in major.subtypes.enumerated() {
                t.fillRow(top + 1 + i, style: .normal)
                let digit = s.id.hasPrefix(major.id) ? String(s.id.dropFirst(major.id.count)) : String(i + 1)
                let used = t.draw(" \(digit) ", y: top + 1 + i, x: 1, style: .prompt)
                t.draw("\(s.id) \(s.name) — \(s.description)", y: top + 1 + i, x: 1 + used, maxCells: cols - 3 - used)
            }
        }
        let footer = rows - Self.footerRows
        let position = lines.isEmpty ? "empty" :
            "lines \(c.scroll + 1)–\(min(c.scroll + height, lines.count)) of \(lines.count)"
        let positionCells = CellWidth.of(position)
        t.draw(String(repeating: "─", count: cols), y: footer, x: 0, style: .dim)
        t.draw(" \(Self.fitting(item.cueSummary, cells: cols - positionCells - 6)) ", y: footer, x: 1, style: .cue)
        t.draw(" \(position) ", y: footer, x: max(0, cols - positionCells - 3), style: .dim)
    }

    /// One body line, with keyword cues and search hits in their styles.
    private func drawBodyLine(_ scalars: [Unicode.Scalar], y: Int, needle: [Unicode.Scalar]?) {
        var styles = [Terminal.Style](repeating: .normal, count: scalars.count)
        for m in controller.cues.matches(in: scalars) { for i in m.range { styles[i] = .cue } }
        if let needle, !needle.isEmpty, needle.count <= scalars.count {
            let folded = scalars.map { Unicode.Scalar(KeywordCues.fold($0.value)) ?? $0 }
            let foldedNeedle = needle.map { Unicode.Scalar(KeywordCues.fold($0.value)) ?? $0 }
            var i = 0
            while i + foldedNeedle.count <= folded.count {
                if folded[i..<(i + foldedNeedle.count)].elementsEqual(foldedNeedle) {
                    for j in i..<(i + foldedNeedle.count) { styles[j] = .search }
                    i += foldedNeedle.count
                } else { i += 1 }
            }
        }
        var x = 1
        var start = 0
        while start < scalars.count {
            var end = start + 1
            while end < scalars.count, styles[end] == styles[start] { end += 1 }
            x += terminal.draw(scalars[start..<end], y: y, x: x, style: styles[start])
            start = end
        }
    }

    /// `text` cut at a word boundary to fit `cells`, with "…" where words were left out (a cue count cut in
    /// the middle, `B×90` for `B×9000`, would say something false).
    static func fitting(_ text: String, cells: Int) -> String {
        guard CellWidth.of(text) > cells else { return text }
        var words = text.split(separator: " ").map(String.init)
        while !words.isEmpty, CellWidth.of(words.joined(separator: " ") + " …") > cells { words.removeLast() }
        return words.isEmpty ? "" : words.joined(separator: " ") + " …"
    }

    /// A prompt line: the label, the text typed so far and the hint. Text wider than the line scrolls: its end
    /// and the cursor stay in view (the hint goes first, then the start of the text, behind a "…").
    public static func promptLine(_ label: String, _ text: String, hint: String, cells: Int) -> String {
        let full = "\(label)\(text)_   \(hint)"
        if CellWidth.of(full) <= cells { return full }
        // From the end back, one pass (removing from the front while re-measuring was quadratic: a 16,000-character
        // paste took 7 s to show).
        let scalars = Array(text.unicodeScalars)
        let room = cells - CellWidth.of(label) - 2   // "…" and the cursor
        var start = scalars.count, used = 0
        while start > 0, used + max(0, CellWidth.of(scalars[start - 1])) <= room {
            start -= 1
            used += max(0, CellWidth.of(scalars[start]))
        }
        return "\(label)…\(String(String.UnicodeScalarView(scalars[start...])))_"
    }

    /// The key hints, as many as fit: every key at 80 columns, the essentials on a narrow screen.
    static func keyHints(cells: Int) -> String {
        let variants = ["a–g+digit label · ←→ item · u undo · n note · ! unsure · / find · : jump · ? help · q quit",
                        "a–g+digit label · ←→ · u undo · n note · / find · : jump · ? help · q quit",   // 80 columns
                        "a–g+digit label · ←→ · u undo · n note · ? help · q quit"]
        return variants.first { CellWidth.of($0) <= cells } ?? variants[variants.count - 1]
    }

    private func drawPrompt(y: Int, cols: Int) {
        let t = terminal, c = controller
        switch c.mode {
        case .note(let text):
            if let latest = c.latestNote, y > Self.headerRows {
                t.fillRow(y - 1, style: .normal)
                t.draw("latest note: " + InertText.line(latest), y: y - 1, x: 1, style: .dim, maxCells: cols - 2)
            }
            t.draw(Self.promptLine("note: ", text, hint: "(Enter saves, Esc cancels)", cells: cols - 2), y: y, x: 1, style: .prompt, maxCells: cols - 2)
        case .search(let text): t.draw(Self.promptLine("search: ", text, hint: "(Enter finds; empty Enter: next; Esc cancels)", cells: cols - 2), y: y, x: 1, style: .prompt, maxCells: cols - 2)
        case .jump(let text): t.draw(Self.promptLine("jump to item (1–\(c.session.total)): ", text, hint: "(Esc cancels)", cells: cols - 2), y: y, x: 1, style: .prompt, maxCells: cols - 2)
        case .help, .browse:
            if let major = c.pendingMajor {
                t.draw("\(major.id) \(major.name): subtype digit 1–\(major.subtypes.count), Esc cancels", y: y, x: 1, style: .prompt, maxCells: cols - 2)
            } else if let message = c.message {
                t.draw(message, y: y, x: 1, style: message.hasPrefix("NOT SAVED") ? .error : .good, maxCells: cols - 2)
            } else {
                t.draw(Self.keyHints(cells: cols - 2), y: y, x: 1, style: .dim, maxCells: cols - 2)
            }
        }
    }

    private func drawProgress(y: Int, cols: Int, now: Date) {
        let t = terminal, session = controller.session
        let done = session.done, total = session.total
        let pace = session.pace(now: now)
        var text = " \(done)/\(total) \(total > 0 ? done * 100 / total : 0)%"
        text += pace.perHour.map { " · \(Int($0.rounded()))/h" } ?? " · —/h"
        text += pace.remaining.map { " · ETA \(Self.duration($0))" } ?? " · ETA —"
        let barCells = max(10, cols - CellWidth.of(text) - 4)
        let filled = total > 0 ? barCells * done / total : 0
        t.draw("[", y: y, x: 0)
        t.draw(String(repeating: "#", count: filled), y: y, x: 1, style: .good)
        t.draw(String(repeating: "·", count: barCells - filled), y: y, x: 1 + filled, style: .dim)
        t.draw("]" + text, y: y, x: 1 + barCells, maxCells: cols - barCells - 2)
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
    }

    private func drawHelp(rows: Int, cols: Int) {
        let t = terminal
        let wrapped = WrappedText(controller.guidelines().joined(separator: "\n"), width: cols - 2)
        controller.helpScroll = min(controller.helpScroll, max(0, wrapped.lines.count - rows))
        for row in 0..<rows {
            let n = controller.helpScroll + row
            guard n < wrapped.lines.count else { break }
            t.draw(wrapped.lines[n].scalars, y: row, x: 1, style: n == 0 ? .title : .normal)
        }
    }
}

/// Runs the labelling screen until the annotator quits.
public enum LabelApp {
    public static func run(session: LabellingSession, monochrome: Bool) throws {
        let controller = LabelController(session: session)
        let terminal = try Terminal(monochrome: monochrome)
        defer { terminal.end() }
        let screen = LabelScreen(terminal: terminal, controller: controller)
        while !controller.wantsQuit && !terminal.inputClosed {
            screen.draw()
            // While the annotator reads, ready the next item so the label key only writes and draws.
            if !terminal.inputPending { controller.prepareAhead() }
            guard let key = terminal.readKey() else { continue }
            if !LabelScreen.fits(terminal) {
                if let quit = LabelScreen.keyWhileTooSmall(key) { controller.handle(quit) }
                continue
            }
            controller.handle(key)
        }
    }

    /// Feeds a script of keys through the same controller, without a screen (batch labelling and the
    /// concurrency test). A failed write stops the script with that error.
    @discardableResult
    public static func runScript(_ keys: [Key], session: LabellingSession) throws -> Int {
        let controller = LabelController(session: session)
        for key in keys {
            controller.handle(key)
            if let error = controller.lastError { throw error }
            if controller.wantsQuit { break }
        }
        return session.labelledThisSession
    }
}
