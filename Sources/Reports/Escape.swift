/// Escaping for every text that goes into a report. Everything read from the store (finding details, error
/// messages, signatures, file contents, even subtype IDs) is untrusted: a framework's error message can hold
/// markup, and a merged shard database can come from anywhere.
public enum Escape {
    /// Text for HTML element content and double- or single-quoted attribute values.
    public static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in xmlSafeScalars(s) {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for XML element content and attribute values. Characters XML 1.0 cannot carry at all (most C0
    /// controls, U+FFFE, U+FFFF) become U+FFFD, so a NUL in a crash message cannot make the file unreadable;
    /// tab, newline and carriage return are kept as character references so attribute normalisation keeps them.
    public static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in xmlSafeScalars(s) {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text inside a GitHub-flavoured Markdown table cell: one line, pipes and backslashes escaped, markup
    /// characters as entities (GitHub renders inline HTML).
    public static func markdownCell(_ s: String) -> String {
        var out = ""
        for scalar in xmlSafeScalars(s) {
            switch scalar {
            case "|": out += "\\|"
            case "\\": out += "\\\\"
            case "`": out += "\\`"
            case "*", "_", "[", "]", "#", "~": out += "\\" + String(scalar)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\t": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A fenced code block that `text` cannot close early: the fence is longer than any backtick run inside.
    public static func markdownFence(_ text: String, info: String = "") -> String {
        var longest = 0, run = 0
        for c in text {
            if c == "`" { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        let cleanInfo = info.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "+" }
        return fence + cleanInfo + "\n" + String(String.UnicodeScalarView(xmlSafeScalars(text))) + (text.hasSuffix("\n") ? "" : "\n") + fence
    }

    /// The scalars of `s` with the ones XML 1.0 forbids replaced by U+FFFD, and DEL and the C1 controls too:
    /// XML allows them, but U+009B is CSI to many terminals, and these files are read with cat as well.
    static func xmlSafeScalars(_ s: String) -> [Unicode.Scalar] {
        s.unicodeScalars.map { scalar in
            let v = scalar.value
            let allowed = v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v < 0x7F) || (v >= 0xA0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000
            return allowed ? scalar : "\u{FFFD}"
        }
    }
}
