import JSONText

/// A keystroke, independent of curses (the scripted path and the tests produce the same values).
public enum Key: Equatable, Sendable {
    case char(Unicode.Scalar)
    case escape, enter, backspace
    case up, down, left, right, pageUp, pageDown, home, end
    case resize
    /// Ctrl-C: quits from anywhere (raw mode delivers it as a key).
    case interrupt
    /// Text the terminal delivered as one bracketed paste: text for a prompt, never keystrokes to act on.
    case paste(String)

    /// A paste as one line of prompt text: inert (`InertText.line`: escape sequences and controls gone,
    /// line breaks and tabs as spaces).
    public static func pastedLine(_ text: String) -> String { InertText.line(text) }

    /// Parses a script: each character is a key; `<esc>`, `<enter>`, `<bs>`, `<up>`, `<down>`, `<left>`,
    /// `<right>`, `<pgup>`, `<pgdn>`, `<home>`, `<end>`, `<ctrl-c>` name the others; `<lt>` is a literal '<'. Newlines
    /// are ignored, so scripts can be laid out one item per line.
    public static func parseScript(_ text: String) throws -> [Key] {
        let names: [String: Key] = ["esc": .escape, "enter": .enter, "bs": .backspace, "up": .up, "down": .down,
                                    "left": .left, "right": .right, "pgup": .pageUp, "pgdn": .pageDown,
                                    "home": .home, "end": .end, "ctrl-c": .interrupt, "lt": .char("<")]
        var keys: [Key] = []
        var scalars = text.unicodeScalars[...]
        while let s = scalars.first {
            scalars = scalars.dropFirst()
            if s == "\n" || s == "\r" { continue }
            if s == "<", let close = scalars.firstIndex(of: ">") {
                let name = String(String.UnicodeScalarView(scalars[..<close]))
                guard let key = names[name] else { throw TerminalError(.badScript, "unknown key <\(name)> in script") }
                keys.append(key)
                scalars = scalars[scalars.index(after: close)...]
                continue
            }
            keys.append(.char(s))
        }
        return keys
    }
}

/// A terminal-side failure (no terminal, a bad script). `description` is one line.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        let name: String
        public static let noTerminal = Code(name: "no-terminal")
        public static let badScript = Code(name: "bad-script")
    }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public var description: String { message }
}
