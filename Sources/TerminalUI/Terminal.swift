import CNCursesW
import Foundation

/// The curses screen, hidden behind a small Swift surface: styled text at a position, keys, size.
///
/// Colour is used only when the terminal has it and `NO_COLOR` is unset (and not `monochrome`); every style
/// also has a monochrome form (bold, reverse, underline) so nothing depends on colour alone.
public final class Terminal {
    public enum Style: Int, CaseIterable, Sendable {
        case normal, header, title, dim, cue, search, prompt, error, good
    }

    private let screen: OpaquePointer?
    private var attrs: [Style: attr_t] = [:]
    public let usesColor: Bool
    /// Set when the terminal is gone (its input hit end-of-file or an error, as when the terminal window or
    /// the tmux server is killed): screens stop then, instead of spinning on a dead descriptor.
    public private(set) var inputClosed = false
    private var failedReads = 0
    private let inputFD: Int32
    private let output: UnsafeMutablePointer<FILE>

    /// Opens the controlling terminal (stdin/stdout). `setlocale` comes first so that the wide-character
    /// API measures and draws CJK and emoji correctly.
    /// `screen` and `withoutTerminal` make the error when there is no terminal: what needs one, and what the
    /// user can do instead.
    public convenience init(monochrome: Bool = false, screen: String = "the labelling screen", withoutTerminal: String = "use --script FILE for batch input",
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw TerminalError(.noTerminal, "\(screen) needs a terminal (stdin and stdout); \(withoutTerminal)")
        }
        try self.init(output: cnc_stdout(), input: cnc_stdin(), termType: nil, monochrome: monochrome, environment: environment)
        // ncurses restores the terminal on SIGINT and SIGTERM, not on SIGHUP (`kill -HUP`, `timeout -s HUP`): the
        // shell was left in the alternate screen with the cursor hidden. Its SIGTERM handler then exits 1, silently,
        // which a wrapper cannot tell from a failure: both end as the signal's default would (129, 143), with the
        // terminal restored. Every label is already stored.
        signal(SIGHUP, restoreTerminalAndDie)
        signal(SIGTERM, restoreTerminalAndDie)
    }

    /// Opens a screen on the given streams (the benchmark draws to /dev/null with a fixed terminal type).
    public init(output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>, termType: String?,
                monochrome: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        Self.setUTF8Locale()
        // A parent that blocked SIGWINCH would leave the screen deaf to resizes: take it back.
        var winch = sigset_t()
        sigemptyset(&winch)
        sigaddset(&winch, SIGWINCH)
        sigprocmask(SIG_UNBLOCK, &winch, nil)
        let screen: OpaquePointer? = termType.map { newterm($0, output, input) } ?? newterm(nil, output, input)
        guard let screen else {
            throw TerminalError(.noTerminal, "cannot start the screen for TERM=\(environment["TERM"] ?? "(unset)")")
        }
        self.screen = screen
        inputFD = fileno(input)
        self.output = output
        set_term(screen)
        raw()                                  // Ctrl-C arrives as a key: quit cleanly, never mid-write
        noecho()
        keypad(cnc_stdscr(), true)
        set_escdelay(25)                       // Escape cancels at once instead of after a second
        // Bracketed paste: the terminal marks pasted text (ESC [200~ … ESC [201~), so a paste reaches a prompt
        // as text and is never read as keystrokes that label items. Terminals without it ignore the request.
        define_key("\u{1B}[200~", cnc_key_paste_start())
        define_key("\u{1B}[201~", cnc_key_paste_end())
        fputs("\u{1B}[?2004h", output)
        fflush(output)
        curs_set(0)
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        usesColor = !monochrome && !noColor && has_colors()
        if usesColor {
            start_color()
            use_default_colors()
            init_pair(1, Int16(COLOR_BLACK), Int16(COLOR_CYAN))
            init_pair(2, Int16(COLOR_YELLOW), -1)
            init_pair(3, Int16(COLOR_RED), -1)
            init_pair(4, Int16(COLOR_GREEN), -1)
            init_pair(5, Int16(COLOR_BLACK), Int16(COLOR_YELLOW))
        }
        for style in Style.allCases { attrs[style] = attribute(style) }
    }

    /// `setlocale(LC_ALL, "")` first (the user's choice); when that is not UTF-8 (an unset LANG in a
    /// container), fall back to C.UTF-8 so issue text is still measured as UTF-8.
    public static func setUTF8Locale() {
        setlocale(LC_ALL, "")
        if !CellWidth.localeIsUTF8 { setlocale(LC_ALL, "C.UTF-8") }
    }

    private func attribute(_ style: Style) -> attr_t {
        let bold = cnc_a_bold(), reverse = cnc_a_reverse(), underline = cnc_a_underline()
        if usesColor {
            switch style {
            case .normal: return cnc_a_normal()
            case .header: return cnc_color_pair(1) | bold
            case .title: return bold
            case .dim: return cnc_a_dim()
            case .cue: return cnc_color_pair(2) | bold
            case .search: return cnc_color_pair(5)
            case .prompt: return bold
            case .error: return cnc_color_pair(3) | bold
            case .good: return cnc_color_pair(4) | bold
            }
        }
        switch style {
        case .normal, .dim: return cnc_a_normal()
        case .header, .search: return reverse
        case .title, .prompt, .good: return bold
        case .cue: return underline | bold
        case .error: return bold | reverse
        }
    }

    public var rows: Int { Int(cnc_max_y(cnc_stdscr())) }
    public var cols: Int { Int(cnc_max_x(cnc_stdscr())) }

    public func erase() { werase(cnc_stdscr()) }

    /// Draws scalars at (y, x) in a style, clipped to `maxCells` and the screen edge; returns cells used.
    @discardableResult
    public func draw(_ scalars: [Unicode.Scalar], y: Int, x: Int, style: Style = .normal, maxCells: Int = .max) -> Int {
        draw(scalars[...], y: y, x: x, style: style, maxCells: maxCells)
    }

    /// The same for part of a line (the labelling screen draws styled runs of a body line without copying).
    @discardableResult
    public func draw(_ scalars: ArraySlice<Unicode.Scalar>, y: Int, x: Int, style: Style = .normal, maxCells: Int = .max) -> Int {
        let limit = min(maxCells, cols - x)
        guard y >= 0, y < rows, limit > 0 else { return 0 }
        var buffer: [wchar_t] = []
        buffer.reserveCapacity(scalars.count)
        var cells = 0
        for s in scalars {
            let w = max(0, CellWidth.of(s))
            if cells + w > limit { break }
            buffer.append(wchar_t(bitPattern: s.value))
            cells += w
        }
        guard !buffer.isEmpty else { return 0 }
        _ = buffer.withUnsafeBufferPointer {
            cnc_draw_wide(cnc_stdscr(), Int32(y), Int32(x), $0.baseAddress, Int32($0.count), attrs[style] ?? 0)
        }
        return cells
    }

    @discardableResult
    public func draw(_ text: String, y: Int, x: Int, style: Style = .normal, maxCells: Int = .max) -> Int {
        draw(Array(text.unicodeScalars), y: y, x: x, style: style, maxCells: maxCells)
    }

    /// Fills a row with a style (for bars), then text is drawn over it.
    public func fillRow(_ y: Int, style: Style) {
        draw(Array(repeating: " ", count: max(0, cols)), y: y, x: 0, style: style)
    }

    public func refresh() {
        wnoutrefresh(cnc_stdscr())
        doupdate()
    }

    /// Whether a key is already waiting (typed ahead), so optional work such as preparing the next item
    /// can wait instead of delaying it. Curses reads the descriptor a byte at a time, so it holds the truth.
    public var inputPending: Bool {
        var fd = pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0)
        return poll(&fd, 1, 0) > 0
    }

    /// Blocks for the next key. Ctrl-C reads as `.interrupt`, a bracketed paste as one `.paste`; unknown function
    /// keys are skipped.
    public func readKey() -> Key? {
        var ch: wint_t = 0
        errno = 0
        let rc = wget_wch(cnc_stdscr(), &ch)
        if rc == cnc_err() {
            // Reads block, so ERR means the input failed. A signal (EINTR) is retried; anything else, or a
            // run of failures, means the terminal went away.
            failedReads += 1
            if (errno != EINTR && errno != EAGAIN) || failedReads >= 100 { inputClosed = true }
            return nil
        }
        failedReads = 0
        if rc == cnc_key_code_yes() {
            switch Int32(ch) {
            case cnc_key_up(): return .up
            case cnc_key_down(): return .down
            case cnc_key_left(): return .left
            case cnc_key_right(): return .right
            case cnc_key_npage(): return .pageDown
            case cnc_key_ppage(): return .pageUp
            case cnc_key_home(): return .home
            case cnc_key_end(): return .end
            case cnc_key_enter(): return .enter
            case cnc_key_backspace(): return .backspace
            case cnc_key_resize(): return .resize
            case cnc_key_paste_start(): return readPaste()
            default: return nil
            }
        }
        switch ch {
        case 0x1B: return .escape
        case 0x0A, 0x0D: return .enter
        case 0x7F, 0x08: return .backspace
        case 0x03: return .interrupt
        case 0x1A:
            suspend()
            return .resize   // the screen lays itself out again: the terminal may have changed size meanwhile
        default:
            guard let scalar = Unicode.Scalar(UInt32(ch)) else { return nil }
            return .char(scalar)
        }
    }

    /// The text of a bracketed paste, up to its end marker (bounded: a paste of a whole file is cut at 64 KiB,
    /// the rest read and dropped).
    private func readPaste() -> Key {
        var scalars = String.UnicodeScalarView()
        var count = 0
        while true {
            var ch: wint_t = 0
            let rc = wget_wch(cnc_stdscr(), &ch)
            if rc == cnc_err() { break }
            if rc == cnc_key_code_yes() {
                if Int32(ch) == cnc_key_paste_end() { break }
                continue
            }
            count += 1
            if count <= 65_536, let scalar = Unicode.Scalar(UInt32(ch)) { scalars.append(scalar) }
        }
        // Input already waiting right after the end marker came with the paste: text that itself held an end
        // marker (`xx ESC[201~ b1`) must not turn its tail into label keys.
        var waiting = pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0)
        while poll(&waiting, 1, 15) > 0 {
            var ch: wint_t = 0
            let rc = wget_wch(cnc_stdscr(), &ch)
            if rc == cnc_err() { break }
            if rc != cnc_key_code_yes(), count < 65_536, let scalar = Unicode.Scalar(UInt32(ch)) { scalars.append(scalar); count += 1 }
            waiting.revents = 0
        }
        return .paste(String(scalars))
    }

    /// Ctrl-Z. Raw mode delivers it as a key rather than as the terminal's suspend, so this does what job control
    /// expects: the shell gets its terminal back as it was, the process stops, and after `fg` the screen is
    /// drawn again whole. Without job control (an orphaned process group, such as the first program of a tmux
    /// pane) the kernel discards the stop, and the screen is simply drawn again.
    private func suspend() {
        fputs("\u{1B}[?2004l", output)
        fflush(output)
        endwin()
        // Stop with the default action, whatever handler curses or a caller put there.
        let previous = signal(SIGTSTP, SIG_DFL)
        raise(SIGTSTP)
        signal(SIGTSTP, previous)
        fputs("\u{1B}[?2004h", output)
        fflush(output)
        clearok(cnc_curscr(), true)
        refresh()
    }

    public func end() {
        fputs("\u{1B}[?2004l", output)
        fflush(output)
        endwin()
        if let screen { delscreen(screen) }
    }
}

extension Terminal {
    /// Changes the screen size as a terminal resize would (the benchmark alternates sizes with this).
    public func resize(rows: Int, cols: Int) { resizeterm(Int32(rows), Int32(cols)) }
}

/// A hang-up or termination while a screen is up: bracketed paste off, the terminal restored, then the signal's
/// default action (the shell sees 128 + the signal).
private func restoreTerminalAndDie(_ sig: Int32) {
    _ = "\u{1B}[?2004l".withCString { write(STDOUT_FILENO, $0, strlen($0)) }
    endwin()
    signal(sig, SIG_DFL)
    raise(sig)
}
