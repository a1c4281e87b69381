import Foundation
import GRDB
import Store
import Testing

/// Drives the real `defectlab label` screen in tmux and checks what lands in the database.
@Suite(.serialized) struct LabelTUIInTmuxTests {
    @Test func labelUndoNoteFlagResizeQuitAndResume() throws {
        let bodies = (1...6).map { "Body of issue \($0). The GPU memory grows until CUDA out of memory.\n" + String(repeating: "line\n", count: 40) }
        let db = try SeededLabellingDB(bodies: bodies)
        let order = try db.queueNumbers()
        let bin = try BuiltCLI.path()
        let command = "\(bin) label --annotator alice --sample s --db \(db.path) --taxonomy-dir \(BuiltCLI.packageRoot.path)/Taxonomy"
        do {
            let pane = try TmuxPane(command: command)
            try pane.waitFor(text: "item 1/6")
            try #require(try pane.capture().contains("#\(order[0])"))
            try pane.send("b")
            try pane.waitFor(text: "subtype digit 1–3")
            try pane.send("1")
            try pane.waitFor(text: "item 2/6")
            try pane.send("g", "2")
            try pane.waitFor(text: "item 3/6")
            // Escape cancels a half-typed label: nothing is stored, the item stays.
            try pane.send("c")
            try pane.waitFor(text: "C Functional")
            try pane.send("Escape")
            try pane.waitFor(text: "cancelled")
            try pane.send("!")
            try pane.waitFor(text: "[unsure]")
            try pane.send("n")
            try pane.waitFor(text: "note: ")
            try pane.type("racy under load")
            try pane.send("Enter")
            try pane.waitFor(text: "[1 note]")
            try pane.send("f", "1")
            try pane.waitFor(text: "item 4/6")
            try pane.send("u")
            try pane.waitFor(text: "undone: item 3")
            #expect(try pane.capture().contains("item 3/6"))
            // Resize: the screen re-lays out to the new size and back.
            try pane.resize(width: 100, height: 30)
            let wide = try pane.waitFor("a 100-column redraw") { screen in
                screen.components(separatedBy: "\n").contains { displayWidth($0) > 90 && $0.contains("2/6") }
            }
            #expect(wide.components(separatedBy: "\n").contains { $0.contains("item 3/6") })
            try pane.resize(width: 80, height: 24)
            let narrow = try pane.waitFor("an 80-column redraw") { screen in
                let lines = screen.components(separatedBy: "\n")
                // tmux crops and scrolls the old 100-column screen at once; only the app's own redraw puts
                // the header back on row 0 and the whole progress bar (through its ETA) inside 80 columns.
                return lines.allSatisfy { displayWidth($0) <= 80 } && lines.count >= 24
                    && lines[0].contains("alice · item 3/6")
                    && lines[23].hasPrefix("[") && lines[23].contains("2/6") && lines[23].contains("ETA")
            }
            #expect(narrow.contains("item 3/6"))
            // Too small to show the item: the size needed fits the screen, and a label typed blind is not
            // taken (it was saved for an item nobody saw).
            try pane.resize(width: 20, height: 8)
            try pane.waitFor(text: "40×12; q quits")
            try pane.send("g", "2")
            try pane.resize(width: 80, height: 24)
            let back = try pane.waitFor(text: "alice · item 3/6")
            #expect(!back.contains("[G2]"), "\(back)")
            try pane.send("q")
            try pane.waitFor(text: "alice: 2/6 labelled")
        }
        #expect(try db.currentLabels() == [order[0]: "B1", order[1]: "G2"])
        let store = try db.store()
        let history = try store.read { db in
            try String.fetchAll(db, sql: "SELECT action || ':' || COALESCE(label, '-') || ':' || unsure || ':' || COALESCE(note, '-') FROM annotation ORDER BY id")
        }
        #expect(history == ["label:B1:0:-", "label:G2:0:-", "label:F1:1:racy under load", "retract:-:0:-"])
        let remarks = try store.read { try String.fetchAll($0, sql: "SELECT kind || ':' || COALESCE(text, '-') FROM annotation_remark ORDER BY id") }
        #expect(remarks == ["unsure:-", "note:racy under load"])
        // Resume: a new start opens at the first unlabelled item (the undone one), flag and note kept.
        let pane = try TmuxPane(command: command)
        let resumed = try pane.waitFor(text: "item 3/6")
        #expect(resumed.contains("#\(order[2])") && resumed.contains("[unsure]") && resumed.contains("[1 note]"))
        #expect(resumed.contains("2/6"))
        #expect(!resumed.contains("B1") || !resumed.contains("[B1]"))
        // Writing a note shows the one standing (a new one replaces it in exports).
        try pane.send("n")
        try pane.waitFor(text: "latest note: racy under load")
        try pane.send("Escape")
        try pane.waitFor(text: "cancelled")
        try pane.send("d", "2")
        try pane.waitFor(text: "item 4/6")
        try pane.send("q")
        try pane.waitFor(text: "alice: 3/6 labelled")
        #expect(try db.currentLabels()[order[2]] == "D2")
    }

    /// A label that cannot be written (the sample was reassigned without this annotator while the screen was
    /// open) says NOT SAVED on the screen, also when typed as major and subtype (the subtype prompt hid it).
    /// A paste arrives bracketed (the screen asks the terminal for it): while browsing it is ignored, never read
    /// as keys ("a1" in it labelled the item), and in a note it is one line of text. Ctrl-C quits from inside a
    /// prompt, dropping the half-typed text (it typed a "q" into the note, which was then saved).
    @Test func pastesAreTextAndCtrlCQuitsFromAPrompt() throws {
        let db = try SeededLabellingDB(bodies: (1...3).map { "Body \($0)" })
        let bin = try BuiltCLI.path()
        let pane = try TmuxPane(command: "\(bin) label --annotator alice --sample s --db \(db.path) --taxonomy-dir \(BuiltCLI.packageRoot.path)/Taxonomy")
        try pane.waitFor(text: "item 1/3")
        try pane.tmux(["set-buffer", "-b", "clip", "see trace:\nfailed at a1 then g2 q"])
        try pane.tmux(["paste-buffer", "-p", "-b", "clip", "-t", pane.target])
        try pane.waitFor(text: "paste ignored")
        #expect(try pane.capture().contains("[unlabelled]"))
        // Pasted text holding an end-of-paste marker: what follows it came with the paste, and is no label either.
        try pane.tmux(["set-buffer", "-b", "sneaky", "xx\u{1B}[201~b1"])
        try pane.tmux(["paste-buffer", "-p", "-b", "sneaky", "-t", pane.target])
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try pane.capture().contains("[unlabelled]") && (try db.currentLabels()).isEmpty)
        try pane.send("n")
        try pane.waitFor(text: "note: ")
        try pane.tmux(["paste-buffer", "-p", "-b", "clip", "-t", pane.target])
        try pane.waitFor(text: "note: see trace: failed at a1 then g2 q_")
        try pane.send("Enter")
        try pane.waitFor(text: "[1 note]")
        try pane.send("n")
        try pane.waitFor(text: "note: ")
        try pane.type("half typed")
        try pane.waitFor(text: "note: half typed_")
        try pane.send("C-c")
        try pane.waitFor(text: "alice: 0/3 labelled")
        #expect(try db.currentLabels().isEmpty)
        let remarks = try db.store().read { try String.fetchAll($0, sql: "SELECT kind || ':' || COALESCE(text, '-') FROM annotation_remark ORDER BY id") }
        #expect(remarks == ["note:see trace: failed at a1 then g2 q"])
    }

    /// SIGHUP and SIGTERM restore the terminal (a hang-up left the shell in the alternate screen, cursor hidden)
    /// and end the process as the signal does (SIGTERM exited 1, silently, like a failure).
    @Test(arguments: [SIGHUP, SIGTERM])
    func aHangUpOrTerminationRestoresTheTerminal(_ signal: Int32) throws {
        let db = try SeededLabellingDB(bodies: (1...3).map { "Body \($0)" })
        let bin = try BuiltCLI.path()
        let pane = try TmuxPane(command: "\(bin) label --annotator alice --sample s --db \(db.path) --taxonomy-dir \(BuiltCLI.packageRoot.path)/Taxonomy; echo exit=$?")
        try pane.waitFor(text: "item 1/3")
        #expect(try pane.tmux(["display-message", "-p", "-t", pane.target, "#{alternate_on}"]).hasPrefix("1"))
        let shell = try pane.tmux(["display-message", "-p", "-t", pane.target, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let (found, pids) = try ChildProcess.run("pgrep", ["-P", shell])
        let pid = try #require(found == 0 ? pids.split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }.first : nil, "\(pids)")
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(10)
        var state = ""
        while Date() < deadline {
            state = try pane.tmux(["display-message", "-p", "-t", pane.target, "#{alternate_on} #{cursor_flag}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            if state == "0 1" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(state == "0 1", "alternate screen, cursor: \(state)")
        try pane.waitFor(text: "exit=\(128 + signal)")
    }

    /// Ctrl-Z suspends to the shell with the terminal restored, and `fg` brings the screen back (raw mode had
    /// read it as a key, and nothing happened).
    @Test func ctrlZSuspendsToTheShellAndFgComesBack() throws {
        let db = try SeededLabellingDB(bodies: (1...3).map { "Body \($0)" })
        let bin = try BuiltCLI.path()
        // A job-control shell in the pane, the screen started from it as a user would.
        let pane = try TmuxPane(command: "bash --norc --noprofile -i", environment: ["PS1": "prompt$ "])
        try pane.waitFor(text: "prompt$")
        try pane.type("\(bin) label --annotator alice --sample s --db \(db.path) --taxonomy-dir \(BuiltCLI.packageRoot.path)/Taxonomy")
        try pane.send("Enter")
        try pane.waitFor(text: "item 1/3")
        try pane.send("C-z")
        try pane.waitFor(text: "Stopped")
        #expect(try pane.tmux(["display-message", "-p", "-t", pane.target, "#{alternate_on} #{cursor_flag}"]).hasPrefix("0 1"))
        try pane.type("fg")
        try pane.send("Enter")
        try pane.waitFor(text: "item 1/3")
        try pane.send("b")
        try pane.waitFor(text: "subtype digit 1–3")
        try pane.send("1")
        try pane.waitFor(text: "item 2/3")
        try pane.send("q")
        try pane.waitFor(text: "prompt$")
        #expect(try db.currentLabels().count == 1)
    }

    @Test func aLabelThatIsNotSavedSaysSo() throws {
        let db = try SeededLabellingDB(bodies: (1...3).map { "Body \($0)" })
        let bin = try BuiltCLI.path()
        let pane = try TmuxPane(command: "\(bin) label --annotator alice --sample s --db \(db.path) --taxonomy-dir \(BuiltCLI.packageRoot.path)/Taxonomy")
        try pane.waitFor(text: "item 1/3")
        let (status, output) = try BuiltCLI.run(["annotators", "add", "bob", "--db", db.path])
        try #require(status == 0, "\(output)")
        let (reassigned, said) = try BuiltCLI.run(["assign", "--sample", "s", "--annotators", "bob", "--design", "all", "--seed", "1", "--replace", "--db", db.path])
        try #require(reassigned == 0, "\(said)")
        try pane.send("b")
        try pane.waitFor(text: "subtype digit 1–3")
        try pane.send("1")
        let screen = try pane.waitFor(text: "NOT SAVED")
        #expect(screen.contains("item 1/3"))
        try pane.send("q")
        #expect(try db.currentLabels().isEmpty)
    }

    @Test func blindHelpSearchAndJump() throws {
        let db = try SeededLabellingDB(bodies: ["alpha\n" + String(repeating: "filler\n", count: 60) + "needle here", "second body"],
                                       annotators: ["alice", "bob"])
        // Bob's label must never show on Alice's screen.
        let (status, out) = try BuiltCLI.run(["label", "--annotator", "bob", "--sample", "s", "--db", db.path,
                                              "--script", try scriptFile(db, "e3e3")])
        try #require(status == 0, "\(out)")
        let pane = try TmuxPane(command: "\(try BuiltCLI.path()) label --annotator alice --sample s --db \(db.path)", environment: ["NO_COLOR": "1"])
        let first = try pane.waitFor(text: "item 1/2")
        #expect(!first.contains("E3") && first.contains("[unlabelled]"))
        try pane.send("?")
        try pane.waitFor(text: "Guidelines")
        let firstPage = try pane.capture()
        #expect(firstPage.contains("A1 pip/conda installation fails") && !firstPage.contains("B1 Memory/GPU resource error"))
        // Space pages the guidelines down to the next major type's subtypes.
        try pane.send("Space")
        try pane.waitFor(text: "B1 Memory/GPU resource error")
        // A resize is no key: the guidelines stay open (they closed as if a key had been pressed).
        try pane.resize(width: 100, height: 30)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try pane.capture().contains("B1 Memory/GPU resource error"))
        try pane.resize(width: 80, height: 24)
        try pane.send("x")
        try pane.waitFor(text: "item 1/2")
        try pane.send(":")
        try pane.type("2")
        try pane.send("Enter")
        try pane.waitFor(text: "item 2/2")
        try pane.send(":")
        try pane.type("1")
        try pane.send("Enter")
        try pane.waitFor(text: "item 1/2")
        let body = try db.queueNumbers()[0] == "1"
        try pane.send("/")
        try pane.type(body ? "needle" : "second")
        try pane.send("Enter")
        try pane.waitFor(text: body ? "found 'needle'" : "found 'second'")
        #expect(!(try pane.capture().contains("E3")))
        try pane.send("q")
    }

    /// More candidate labels than the window holds: the list ends in a line saying how many are left out, the
    /// rationale row stays whole, and a selected label that is not listed gets its own line (the list ran over
    /// the rationale row and hid the selection). Labels past the ninth get no number, since 1–9 are the keys.
    @Test func adjudicationListFitsItsWindow() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-adj-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let labels = ["A1", "A2", "B1", "B2", "C1", "C2", "D1", "D2", "E1", "F1", "G1"]
        let csv = "item,rater,label,framework\n" + labels.enumerated().map { "Z1,r\($0.offset),\($0.element),pytorch" }.joined(separator: "\n") + "\n"
        let file = dir.appendingPathComponent("many.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("m.sqlite").path
        let (status, out) = try BuiltCLI.run(["ratings", "import", file.path, "--format", "long", "--db", db])
        try #require(status == 0, "\(out)")
        let pane = try TmuxPane(command: "\(try BuiltCLI.path()) adjudicate --adjudicator dana --db \(db)", environment: ["NO_COLOR": "1"])
        let tall = try pane.waitFor(text: "rationale:")
        #expect(tall.contains("9  E1") && !tall.contains("10  F1") && tall.contains("   F1 ×1"), "\(tall)")
        try pane.resize(width: 40, height: 12)
        let small = try pane.waitFor(text: "more labels")
        #expect(small.contains("rationale: —"), "\(small)")
        try pane.send("7")
        let picked = try pane.waitFor(text: "▶    D1")
        #expect(picked.contains("rationale: —") && picked.contains("more labels"), "\(picked)")
        try pane.send("q")
    }

    /// A resize keeps the view's place in the text: the top row was kept as a row number, which a narrower
    /// window's re-wrapped body puts far earlier in the text.
    @Test func aResizeKeepsThePlaceInTheBody() throws {
        let body = (1...200).map { String(format: "L%03d ", $0) + String(repeating: "word ", count: 11) }.joined(separator: "\n")
        let db = try SeededLabellingDB(bodies: [body, body])
        let pane = try TmuxPane(command: "\(try BuiltCLI.path()) label --annotator alice --sample s --db \(db.path)", width: 120, height: 40,
                                environment: ["NO_COLOR": "1"])
        try pane.waitFor(text: "item 1/2")
        for _ in 0..<4 { try pane.send("PageDown") }
        let before = try pane.waitFor(text: "lines 1")
        let top = try #require(before.components(separatedBy: "\n").dropFirst(6).first?.trimmingCharacters(in: .whitespaces).prefix(4))
        try #require(top.hasPrefix("L") && top != "L001", "\(before)")
        try pane.resize(width: 60, height: 20)
        let after = try pane.waitFor("the body re-wrapped at 60 columns") { $0.components(separatedBy: "\n").first.map { $0.count <= 60 } == true && $0.contains("of 4") }
        let shown = after.components(separatedBy: "\n").dropFirst(6).first?.trimmingCharacters(in: .whitespaces) ?? ""
        #expect(shown.hasPrefix(String(top)), "top row was \(top); now: \(after)")
        try pane.send("q")
    }

    /// "Next" goes from the last hit, not from the scroll position: on a body that fits the screen (or at its
    /// end) the view does not scroll, and every "next" found the same line again.
    @Test func searchNextWalksEveryHitAndWraps() throws {
        let pane = try searching("needle", in: "needle one\nplain\nneedle two\nneedle three")
        try pane.waitFor(text: "found 'needle' at line 1 ")
        for line in ["3", "4", "1"] {
            try pane.send("/")
            try pane.send("Enter")
            try pane.waitFor(text: "found 'needle' at line \(line)")
        }
        #expect(try pane.capture().contains("(from the top again)"))
        try pane.send("q")
    }

    /// A word the window wraps across two rows is found, on the row it starts on (rows were searched one by one).
    @Test func searchFindsAWordSplitByTheWrap() throws {
        let pane = try searching("needle", in: "plain\n" + String(repeating: "y", count: 75) + "needle\nplain")
        try pane.waitFor(text: "found 'needle' at line 2 ")
        try pane.send("q")
    }

    /// The label screen at 80×24 on two items with `body`, after a search for `query`.
    func searching(_ query: String, in body: String) throws -> TmuxPane {
        let db = try SeededLabellingDB(bodies: [body, body])
        let pane = try TmuxPane(command: "\(try BuiltCLI.path()) label --annotator alice --sample s --db \(db.path)", environment: ["NO_COLOR": "1"])
        try pane.waitFor(text: "item 1/2")
        try pane.send("/")
        try pane.type(query)
        try pane.send("Enter")
        return pane
    }

    @Test func cjkBodyRendersAlignedAndEscapesRenderInert() throws {
        let cjk = String(repeating: "显", count: 60) + "\n" + "内存泄漏 leak😀 after 训练 END"
        let hostile = "Red \u{1B}[31mALERT\u{1B}[0m cursor \u{1B}[2J\u{1B}[1;1Hmoved \u{1B}]0;PWNED\u{07}title \u{1B}[5A\u{1B}[?1049l bye"
        let db = try SeededLabellingDB(bodies: [cjk, hostile])
        let order = try db.queueNumbers()
        let pane = try TmuxPane(command: "\(try BuiltCLI.path()) label --annotator alice --sample s --db \(db.path)")
        for number in order {
            let screen = try pane.waitFor(text: "#\(number) ")
            let lines = screen.components(separatedBy: "\n")
            // Frame intact: header, separator and progress bar on their rows, nothing past 80 columns.
            #expect(lines[0].contains("alice · item"))
            #expect(lines[5].hasPrefix("────"))
            #expect(lines[23].hasPrefix("[") && lines[23].contains("/2"))
            #expect(lines.allSatisfy { displayWidth($0) <= 80 })
            if number == "1" {
                // 60 double-width characters in a 78-cell body: 39 on the first line, 21 on the next.
                #expect(lines[6] == " " + String(repeating: "显", count: 39))
                #expect(lines[7] == " " + String(repeating: "显", count: 21))
                #expect(lines[8] == " 内存泄漏 leak😀 after 训练 END")
            } else {
                #expect(lines[6] == " Red ALERT cursor moved title  bye")
                #expect(!(try pane.title()).contains("PWNED"))
            }
            try pane.send("Right")
        }
        try pane.send("q")
    }

    func scriptFile(_ db: SeededLabellingDB, _ keys: String) throws -> String {
        let url = db.folder.appendingPathComponent("keys-\(UUID().uuidString).txt")
        try keys.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
