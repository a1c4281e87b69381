import Annotation
import Foundation
import Store
import Taxonomy
import JSONText

/// The adjudication screen's state: items whose raw labels disagree, each with its labels and counts and
/// the majority pre-selected. Enter confirms the selection; a digit picks a listed label; a major letter
/// (then a subtype digit at the subtype level) picks any other; `r` writes a rationale.
public final class AdjudicationController {
    public let store: DefectLabStore
    public let taxonomy: HPTaxonomy
    public let adjudicator: String
    public let level: LabelLevel
    /// The items to settle; each one's tally is read again when the screen comes to it (labels imported or
    /// changed since the screen opened were shown as they were, and a decision confirmed on them).
    public private(set) var queue: [LabelTally]
    public private(set) var index = 0
    public private(set) var choice: String?
    public private(set) var pendingMajor: MajorType?
    public private(set) var rationale = ""
    public private(set) var editingRationale = false
    public private(set) var message: String?
    public private(set) var settled = 0
    public private(set) var wantsQuit = false
    public var scroll = 0

    public init(store: DefectLabStore, taxonomy: HPTaxonomy, adjudicator: String, level: LabelLevel, queue: [LabelTally]) {
        self.store = store
        self.taxonomy = taxonomy
        self.adjudicator = adjudicator
        self.level = level
        self.queue = queue
        reset()
    }

    public var current: LabelTally? { index < queue.count ? queue[index] : nil }

    /// The item whose decision, made by someone else meanwhile, the next Enter replaces (after a warning).
    private var confirmReplacing: Int64?
    /// Items settled on this screen: going back to one and settling it again corrects this adjudicator's own
    /// decision, which is neither "settled meanwhile" nor a second item settled.
    private var settledHere = Set<Int64>()

    /// The standing decision is a `--auto majority` one the raw labels no longer hold up: it settles nothing.
    public private(set) var standingIsStale = false
    /// Rationales typed for an item and left unsaved by a skip or a step back, restored when the item comes
    /// round again this session ("rationale kept" was then silently dropped).
    private var drafts: [Int64: String] = [:]
    /// Items skipped with no decision, standing or made here: the end screen says they are left.
    public private(set) var leftUnsettled = Set<Int64>()
    /// Rationale drafts no decision took (the command says so on quitting).
    public var unsavedDrafts: Int { drafts.count }

    /// Leaves the current item: an edited rationale stays as its draft, and an item with no decision is left.
    private func leave() {
        guard let tally = current else { return }
        if !rationale.isEmpty, rationale != (standing?.rationale ?? "") { drafts[tally.itemID] = rationale }
        // As stored now: an item someone settled while it was on show is not left (the end counted it).
        let now = try? AdjudicationQueue.decision(itemID: tally.itemID, level: level, taxonomy: taxonomy, in: store)
        if now == nil || now?.stale == true, !settledHere.contains(tally.itemID) { leftUnsettled.insert(tally.itemID) } else { leftUnsettled.remove(tally.itemID) }
    }

    private func reset() {
        confirmReplacing = nil
        if index < queue.count, let fresh = try? AdjudicationQueue.tallies(level: level, sample: nil, taxonomy: taxonomy, in: store,
                                                                            itemID: queue[index].itemID).first {
            queue[index] = fresh
        }
        // A strict majority is pre-selected; a tie or a plurality is not (Enter would otherwise settle it for the
        // lower ID, or for a label most annotators did not give).
        choice = current?.strictMajority
        pendingMajor = nil
        rationale = ""
        scroll = 0
        // A settled item (gone back to, or settled before the screen opened) shows its decision: selected, with
        // its rationale, so Enter keeps it and another pick visibly replaces it.
        standing = current.flatMap { tally in try? AdjudicationQueue.decision(itemID: tally.itemID, level: level, taxonomy: taxonomy, in: store) }
        standingIsStale = false
        if let standing, let tally = current, standing.stale {
            standingIsStale = true
            // A majority decision an annotator's relabelling overturned: shown, but the selection is the
            // majority now (if any), and settling replaces it without asking (unless it changed since it was shown).
            choice = tally.strictMajority
            message = "the majority decision \(standing.label) no longer matches the raw labels; settle it again"
        } else if let standing {
            choice = selection(for: standing)
            rationale = standing.rationale ?? ""
        }
        if let tally = current, let draft = drafts[tally.itemID] {
            rationale = draft
            message = "your unsaved rationale is back; Enter settles with it"
        }
    }

    /// Selects a label. Replacing a standing decision drops its rationale, which argued for the old label (it
    /// was carried over to the new one unasked); `r` writes one for the new label.
    private func choose(_ label: String) {
        choice = label
        if let standing, label != selection(for: standing), rationale == (standing.rationale ?? ""), !rationale.isEmpty {
            rationale = ""
            message = "the rationale for \(standing.label) is dropped; r writes one for \(label)"
        }
    }

    /// What a standing decision selects at this screen's level (a subtype decision, at the major level, its major).
    private func selection(for decision: AdjudicationQueue.Decision) -> String {
        level == .major && decision.level == .subtype ? taxonomy.major(ofSubtype: decision.label)?.id ?? decision.label : decision.label
    }

    /// The guide: the keys, then every major type and subtype with its description.
    public func guide() -> [String] {
        var lines = ["Adjudication guide (any key closes; j/k scroll)", "",
                     "Enter settles the item with the selected label (▶). 1–9 selects a listed label; a–g then a digit",
                     "selects any other subtype. r writes a rationale (Enter keeps it, Esc drops the edit). s or → skips,",
                     "← goes back (a settled item shows its decision; settling it again replaces it). q or Ctrl-C quits.", ""]
        for major in taxonomy.majors {
            lines.append("\(major.id.lowercased())  \(major.id) \(major.name): \(major.description)")
            for s in major.subtypes { lines.append("   \(s.id.dropFirst())  \(s.id) \(s.name): \(s.description)") }
            lines.append("")
        }
        return lines
    }

    public func detail() throws -> ItemDetail? {
        guard let current else { return nil }
        return try store.read { try ItemDetail.fetch(itemID: current.itemID, $0) }
    }

    /// The rationale as it was when `r` opened it: Esc goes back to it.
    private var rationaleBeforeEdit = ""
    /// The guide (`?`) is open; any key closes it.
    public private(set) var showingHelp = false
    public var helpScroll = 0
    /// This item's standing decision when the screen reached it (settled before, or here and gone back to).
    public private(set) var standing: AdjudicationQueue.Decision?

    public func handle(_ key: Key) {
        // Ctrl-C quits from anywhere; a half-typed rationale or label is dropped.
        if key == .interrupt { wantsQuit = true; return }
        if showingHelp {
            switch key {
            case .down, .char("j"): helpScroll += 1
            case .up, .char("k"): helpScroll = max(0, helpScroll - 1)
            case .pageDown, .char(" "): helpScroll += 10
            case .pageUp: helpScroll = max(0, helpScroll - 10)
            case .resize: break   // a resized window is no key: the guide stays open, redrawn
            default: showingHelp = false
            }
            return
        }
        if editingRationale {
            switch key {
            case .enter: editingRationale = false; message = rationale.isEmpty ? "no rationale" : "rationale kept"
            case .escape: editingRationale = false; rationale = rationaleBeforeEdit; message = "rationale unchanged"
            case .backspace: rationale = String(rationale.dropLast())
            case .char(let s) where s.value >= 0x20 && s.value != 0x7F: rationale.append(Character(s))
            case .paste(let text): rationale += Key.pastedLine(text)
            default: break
            }
            return
        }
        if case .paste = key {
            message = "paste ignored: press r to write a rationale, then paste"
            return
        }
        if key == .char("?") { showingHelp = true; helpScroll = 0; return }
        guard let tally = current else {
            if key == .char("q") || key == .escape || key == .enter { wantsQuit = true }
            // Back from the end, to an item skipped or settled.
            if (key == .left || key == .char("<")), !queue.isEmpty { index = queue.count - 1; reset() }
            return
        }
        if let major = pendingMajor {
            if key == .escape { pendingMajor = nil; return }
            if case .char(let s) = key, ("1"..."9").contains(s),
               let sub = major.subtypes.first(where: { $0.id == "\(major.id)\(s)" }) {
                choose(sub.id); pendingMajor = nil
                return
            }
        }
        switch key {
        case .char(let s) where ("a"..."g").contains(s):
            guard let major = taxonomy.major(String(s).uppercased()) else { return }
            if level == .major { choose(major.id) } else { pendingMajor = major }
        case .char(let s) where ("1"..."9").contains(s):
            let n = Int(s.value - 0x30)
            if n <= tally.counts.count { choose(tally.counts[n - 1].label) }
        case .enter:
            guard let choice else {
                // Nothing is pre-selected without a strict majority: a tie between the top labels, or a plurality.
                let tied = tally.counts.count > 1 && tally.counts[0].count == tally.counts[1].count
                message = "\(tied ? "a tie" : "no majority"): pick a label (1–\(min(9, tally.counts.count)), or a–g and a digit)"
                return
            }
            if let standing, !standing.stale, choice == selection(for: standing), rationale == (standing.rationale ?? "") {
                // The standing decision, unchanged (this screen's own, or one made before): nothing to write again.
                // Written, it became this adjudicator's "manual" pick with another's rationale. Unless someone
                // replaced it since the screen showed it: then that one is shown ("kept B1" while B2 stood).
                let now = try? AdjudicationQueue.decision(itemID: tally.itemID, level: level, taxonomy: taxonomy, in: store)
                if !(now.map { $0.sameAs(standing) } ?? false) {
                    let said = now.map { "settled meanwhile by \($0.adjudicator) as \($0.label) (\($0.method))" } ?? "its decision was withdrawn meanwhile"
                    reset()
                    message = "NOT KEPT: \(said); Enter keeps that, a pick replaces it"
                    return
                }
                message = "\(tally.key): kept \(choice)"
                leftUnsettled.remove(tally.itemID)
                index += 1
                reset()
                return
            }
            do {
                // The queue was read when the screen opened: another adjudicator (or `--auto majority`) may have
                // settled this item since. Their decision is shown and kept unless Enter is pressed again.
                try AdjudicationQueue.record(itemID: tally.itemID, level: level, label: choice, adjudicator: adjudicator,
                                             method: "manual", rationale: rationale, taxonomy: taxonomy,
                                             // Any decision other than the one shown (none, this screen's own, an
                                             // overturned one) is someone else's since: asked once. It was skipped
                                             // for items with a decision, and another adjudicator's was replaced.
                                             ifUnsettled: confirmReplacing != tally.itemID, seen: standing, in: store)
                if settledHere.insert(tally.itemID).inserted { settled += 1 }
                drafts[tally.itemID] = nil
                leftUnsettled.remove(tally.itemID)
                message = "\(tally.key) → \(choice)"
                index += 1
                reset()
            } catch let error as AnnotationError where error.code == .changedMeanwhile {
                confirmReplacing = tally.itemID
                message = "NOT SAVED: \(error.message); Enter again replaces it, s skips"
            } catch { message = "NOT SAVED: " + LabelController.screenMessage(error) }
        case .char("r"): editingRationale = true; rationaleBeforeEdit = rationale
        case .char("s"), .right, .char(">"): leave(); index = min(index + 1, queue.count); message = "skipped"; reset()
        case .left, .char("<"): leave(); index = max(0, index - 1); message = nil; reset()
        case .down, .char("j"): scroll += 1
        case .up, .char("k"): scroll = max(0, scroll - 1)
        case .pageDown, .char(" "): scroll += 10
        case .pageUp: scroll = max(0, scroll - 10)
        case .char("q"): wantsQuit = true
        case .escape: pendingMajor = nil
        default: break
        }
    }
}

/// Draws an `AdjudicationController`.
public struct AdjudicationScreen {
    let terminal: Terminal
    let controller: AdjudicationController

    public init(terminal: Terminal, controller: AdjudicationController) {
        self.terminal = terminal
        self.controller = controller
    }

    public func draw() {
        let t = terminal, c = controller
        let rows = t.rows, cols = t.cols
        t.erase()
        defer { t.refresh() }
        guard !LabelScreen.drawTooSmall(t) else { return }
        t.fillRow(0, style: .header)
        t.draw(" adjudicate \(c.level.rawValue) · \(c.adjudicator) · \(min(c.index + 1, c.queue.count))/\(c.queue.count) disagreements · \(c.settled) settled",
               y: 0, x: 0, style: .header, maxCells: cols)
        if c.showingHelp {
            let wrapped = WrappedText(c.guide().joined(separator: "\n"), width: cols - 2)
            c.helpScroll = min(c.helpScroll, max(0, wrapped.lines.count - (rows - 1)))
            for row in 0..<(rows - 1) where c.helpScroll + row < wrapped.lines.count {
                t.draw(wrapped.lines[c.helpScroll + row].scalars, y: row + 1, x: 1, style: c.helpScroll + row == 0 ? .title : .normal)
            }
            return
        }
        guard let tally = c.current else {
            if c.leftUnsettled.isEmpty {
                t.draw("No disagreements left to settle. ← goes back; q quits.", y: 2, x: 1, style: .good, maxCells: cols - 2)
            } else {
                t.draw("End of the list: \(c.leftUnsettled.count) skipped item\(c.leftUnsettled.count == 1 ? "" : "s") left unsettled. ← goes back; q quits.",
                       y: 2, x: 1, style: .error, maxCells: cols - 2)
            }
            return
        }
        let detail = (try? c.detail()) ?? nil
        t.draw(InertText.neutralize(detail?.title ?? tally.key).replacingOccurrences(of: "\n", with: " "), y: 1, x: 1, style: .title, maxCells: cols - 2)
        t.draw(InertText.neutralize(detail?.url ?? tally.key), y: 2, x: 1, style: .dim, maxCells: cols - 2)
        var y = 3
        // The candidates fit between the item's two lines and the separator above the rationale row; more than fit
        // end in a line saying how many are left out (drawn on, they overwrote the rationale and hid the selection).
        let standingLines = c.standing != nil ? 1 : 0
        func room(choiceLine: Bool) -> Int { rows - 3 - 1 - 3 - standingLines - (choiceLine ? 1 : 0) }
        let ownChoice = c.choice.map { choice in !tally.counts.contains { $0.label == choice } } ?? false
        var shown = tally.counts.count
        // Truncated, the list keeps one length whatever is picked (a line stays free for a pick it does not show).
        if shown > room(choiceLine: ownChoice) { shown = max(0, room(choiceLine: true) - 1) }
        for (i, entry) in tally.counts.prefix(shown).enumerated() {
            let name = c.level == .subtype ? c.taxonomy.subtype(entry.label)?.name : c.taxonomy.major(entry.label)?.name
            let mark = entry.label == c.choice ? "▶" : " "
            let majority = i == 0 && tally.strictMajority != nil ? "  (majority)" : ""
            // Only 1–9 are keys: a tenth label is picked with its letter and digit, so it gets no number.
            let number = i < 9 ? "\(i + 1)" : " "
            t.draw("\(mark) \(number)  \(entry.label) ×\(entry.count)  \(name ?? "")\(majority)", y: y, x: 1,
                   style: entry.label == c.choice ? .search : .normal, maxCells: cols - 2)
            y += 1
        }
        if shown < tally.counts.count {
            t.draw("  … \(tally.counts.count - shown) more label\(tally.counts.count - shown == 1 ? "" : "s") (a taller window lists them; a–g and a digit picks any)",
                   y: y, x: 1, style: .dim, maxCells: cols - 2); y += 1
        }
        if let choice = c.choice, !tally.counts.prefix(shown).contains(where: { $0.label == choice }) {
            t.draw("▶    \(choice) \(ownChoice ? "(adjudicator's own choice)" : "(selected; not listed above)")", y: y, x: 1, style: .search, maxCells: cols - 2); y += 1
        }
        if let standing = c.standing, c.standingIsStale {
            t.draw("was settled: \(standing.label) by \(InertText.line(standing.adjudicator)) (majority), no longer the majority: pick a label",
                   y: y, x: 1, style: .error, maxCells: cols - 2); y += 1
        } else if let standing = c.standing {
            t.draw("settled: \(standing.label) by \(InertText.line(standing.adjudicator)) (\(standing.method)); Enter keeps it, a pick replaces it",
                   y: y, x: 1, style: .good, maxCells: cols - 2); y += 1
        }
        t.draw(String(repeating: "─", count: cols), y: y, x: 0, style: .dim); y += 1
        let bodyTop = y, bodyHeight = rows - 3 - bodyTop
        if bodyHeight > 0 {
            let wrapped = WrappedText(InertText.neutralize(detail?.body ?? ""), width: cols - 2)
            c.scroll = min(c.scroll, max(0, wrapped.lines.count - bodyHeight))
            for row in 0..<bodyHeight where c.scroll + row < wrapped.lines.count {
                t.draw(wrapped.lines[c.scroll + row].scalars, y: bodyTop + row, x: 1)
            }
        }
        let rationale = c.editingRationale ? LabelScreen.promptLine("rationale: ", c.rationale, hint: "(Enter keeps, Esc drops the edit)", cells: cols - 2)
            : "rationale: \(c.rationale.isEmpty ? "—" : InertText.line(c.rationale))"
        t.draw(rationale, y: rows - 3, x: 1, style: c.editingRationale ? .prompt : .dim, maxCells: cols - 2)
        if let major = c.pendingMajor {
            // One line per subtype, over the bottom of the body (one line cut G3–G5 off at 80 columns).
            let top = max(1, rows - 3 - major.subtypes.count - 1)
            t.fillRow(top, style: .normal)
            t.draw(String(repeating: "─", count: cols), y: top, x: 0, style: .dim)
            for (i, s) in major.subtypes.enumerated() where top + 1 + i < rows - 3 {
                t.fillRow(top + 1 + i, style: .normal)
                t.draw(" \(s.id.dropFirst(major.id.count))  \(s.id) \(s.name)", y: top + 1 + i, x: 1, style: .prompt, maxCells: cols - 2)
            }
            t.draw("\(major.id) \(major.name): subtype digit, Esc cancels", y: rows - 2, x: 1, style: .prompt, maxCells: cols - 2)
        } else if let message = c.message {
            t.draw(message, y: rows - 2, x: 1, style: message.hasPrefix("NOT SAVED") ? .error : .good, maxCells: cols - 2)
        }
        let hints = ["Enter settle · 1–9 listed label · a–g other · r rationale · s skip · ← back · ? guide · q quit",
                     "Enter settle · 1–9 listed · a–g other · r why · s skip · ← · ? guide · q quit",   // 80 columns
                     "Enter · 1–9 · a–g · r why · s skip · ← · ? guide · q quit"]
        t.draw(hints.first { CellWidth.of($0) <= cols - 2 } ?? hints[hints.count - 1], y: rows - 1, x: 1, style: .dim, maxCells: cols - 2)
    }

    public static func run(controller: AdjudicationController, monochrome: Bool) throws {
        let terminal = try Terminal(monochrome: monochrome, screen: "the adjudication screen",
                                    withoutTerminal: "--auto majority settles the items with a strict majority without one")
        defer { terminal.end() }
        let screen = AdjudicationScreen(terminal: terminal, controller: controller)
        while !controller.wantsQuit && !terminal.inputClosed {
            screen.draw()
            guard let key = terminal.readKey() else { continue }
            if !LabelScreen.fits(terminal) {
                if let quit = LabelScreen.keyWhileTooSmall(key) { controller.handle(quit) }
                continue
            }
            controller.handle(key)
        }
    }
}
