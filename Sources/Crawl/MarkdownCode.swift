/// The code in a Markdown body (fenced blocks and inline code spans), set aside while the rest is read as HTML:
/// code is literal text, so `std::vector<int>` or `a<b && c>d` in a fence must not be taken for tags (one
/// `<details>` elsewhere in the body made the HTML parser drop them). Each piece is replaced by a token of
/// private-use characters the parser keeps as text, and put back afterwards.
enum MarkdownCode {
    static let open: Character = "\u{E001}", close: Character = "\u{E002}"

    /// `text` with every fenced block and inline span replaced by a token, and the pieces in token order. A token
    /// carries `nonce`, which the body cannot know: the HTML parser decodes `&#xE001;` into the token's own
    /// character, and a body that wrote a token of its own trapped the crawl (index -1) or copied code around.
    static func shielded(_ text: String, nonce: String) -> (prose: String, code: [String]) {
        var code: [String] = []
        func token(_ piece: String) -> String {
            code.append(piece)
            return "\(open)\(nonce):\(code.count - 1)\(close)"
        }
        // The body's own private-use characters could pass for tokens.
        let lines = text.replacingOccurrences(of: String(open), with: "\u{FFFD}").replacingOccurrences(of: String(close), with: "\u{FFFD}")
            .split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        var i = 0
        while i < lines.count {
            if let fence = fence(lines[i]) {
                // To the closing fence (the same character, at least as long), or to the end of the body.
                var j = i + 1
                while j < lines.count, !closes(lines[j], fence) { j += 1 }
                let end = min(j, lines.count - 1)
                out.append(token(lines[i...end].joined(separator: "\n")))
                i = end + 1
                continue
            }
            out.append(spans(String(lines[i]), token))
            i += 1
        }
        return (out.joined(separator: "\n"), code)
    }

    /// `text` with each token of `nonce` replaced by its piece; any other token character (the body's own, or
    /// decoded from an entity) becomes U+FFFD.
    static func restored(_ text: String, _ code: [String], nonce: String) -> String {
        var out = ""
        var rest = Substring(text)
        let prefix = nonce + ":"
        while let start = rest.firstIndex(where: { $0 == open || $0 == close }) {
            out += rest[..<start]
            let after = rest.index(after: start)
            if rest[start] == open, let end = rest[after...].firstIndex(of: close), rest[after..<end].hasPrefix(prefix),
               let k = Int(rest[after..<end].dropFirst(prefix.count)), k >= 0, k < code.count {
                out += code[k]
                rest = rest[rest.index(after: end)...]
                continue
            }
            out += "\u{FFFD}"
            rest = rest[after...]
        }
        return out + rest
    }

    /// What precedes a fence on its line: indentation (a list item's too) and blockquote markers.
    static func lead(_ line: Substring) -> Substring {
        line.drop { $0 == " " || $0 == "\t" || $0 == ">" }
    }

    /// The fence a line opens (three or more backticks or tildes, after indentation or blockquote markers), if any.
    static func fence(_ line: Substring) -> (char: Character, count: Int)? {
        let rest = lead(line)
        guard let c = rest.first, c == "`" || c == "~" else { return nil }
        let n = rest.prefix { $0 == c }.count
        guard n >= 3 else { return nil }
        // A backtick fence's info string has no backtick (else it is an inline span).
        if c == "`", rest.dropFirst(n).contains("`") { return nil }
        return (c, n)
    }

    static func closes(_ line: Substring, _ fence: (char: Character, count: Int)) -> Bool {
        let rest = lead(line)
        let n = rest.prefix { $0 == fence.char }.count
        return n >= fence.count && rest.dropFirst(n).allSatisfy { $0 == " " || $0 == "\t" }
    }

    /// Inline code spans of one line (a run of backticks to the next run of the same length) as tokens.
    static func spans(_ line: String, _ token: (String) -> String) -> String {
        guard line.contains("`") else { return line }
        let chars = Array(line)
        var out = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "`" else { out.append(chars[i]); i += 1; continue }
            var n = 0
            while i + n < chars.count, chars[i + n] == "`" { n += 1 }
            // The closing run: exactly n backticks.
            var j = i + n, found: Int?
            while j < chars.count {
                if chars[j] == "`" {
                    var m = 0
                    while j + m < chars.count, chars[j + m] == "`" { m += 1 }
                    if m == n { found = j; break }
                    j += m
                } else { j += 1 }
            }
            guard let end = found else {
                out += String(chars[i..<(i + n)])
                i += n
                continue
            }
            out += token(String(chars[i..<(end + n)]))
            i = end + n
        }
        return out
    }
}
