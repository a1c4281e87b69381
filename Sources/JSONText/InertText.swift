/// Issue text made safe to draw: terminal control sequences removed before anything reaches the screen.
///
/// Issue bodies are written by strangers. An ESC sequence drawn as-is could recolour the screen, move the
/// cursor over other items' text, retitle the terminal (OSC) or worse, so every control is stripped:
/// CSI (`ESC [` … final byte, and the 8-bit `0x9B` form), OSC/DCS/SOS/PM/APC strings up to BEL or ST,
/// two-byte escapes, other C0 and C1 controls and DEL. Tabs become spaces, CR/CRLF become LF; what is left
/// is printable text and newlines.
public enum InertText {
    public static let tabWidth = 4

    public static func neutralize(_ text: String) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(text.utf8.count)
        for s in neutralizedScalars(text) { UTF8.encode(s) { utf8.append($0) } }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// JSON made safe to print: JSON encoders escape C0 controls inside strings but leave DEL and the C1
    /// controls (U+0080–U+009F; U+009B is CSI to many terminals) as they are, so an issue body or a framework's
    /// error text could still drive the terminal a JSON listing is printed to. Those become `\u00XX` escapes
    /// (they can only stand inside strings, so the JSON means the same).
    public static func json(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { (0x7F...0x9F).contains($0.value) }) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if (0x7F...0x9F).contains(s.value) {
                out.append(contentsOf: String(format: "\\u%04x", s.value).unicodeScalars)
            } else {
                out.append(s)
            }
        }
        return String(out)
    }

    /// Inert text for one line of output (a title in a list): newlines become spaces.
    public static func line(_ text: String) -> String {
        neutralize(text).replacingOccurrences(of: "\n", with: " ")
    }

    /// The same text as scalars, which is what the screen measures and draws. Built into an array (not a
    /// `String`, whose per-scalar append dominated the cost of laying out a 64 KB body).
    public static func neutralizedScalars(_ text: String) -> [Unicode.Scalar] {
        var text = text
        var clean = true
        // One pass over the UTF-8 (always valid in a `String`) straight into the array, noting on the way
        // whether anything needs stripping: most bodies hold nothing, and are then the answer as they are.
        let scalars = text.withUTF8 { utf8 in
            [Unicode.Scalar](unsafeUninitializedCapacity: utf8.count) { buffer, count in
                count = 0
                var i = 0
                let n = utf8.count
                while i < n {
                    let b0 = UInt32(utf8[i])
                    var v: UInt32
                    if b0 < 0x80 {
                        v = b0; i += 1
                        if clean, v < 0x20 && v != 0x0A || v == 0x7F { clean = false }
                    } else {
                        if b0 < 0xE0 {
                            v = (b0 & 0x1F) << 6 | UInt32(utf8[i + 1]) & 0x3F; i += 2
                        } else if b0 < 0xF0 {
                            v = (b0 & 0x0F) << 12 | (UInt32(utf8[i + 1]) & 0x3F) << 6 | UInt32(utf8[i + 2]) & 0x3F; i += 3
                        } else {
                            v = (b0 & 0x07) << 18 | (UInt32(utf8[i + 1]) & 0x3F) << 12 | (UInt32(utf8[i + 2]) & 0x3F) << 6
                                | UInt32(utf8[i + 3]) & 0x3F; i += 4
                        }
                        if clean, needsHandling(v) { clean = false }
                    }
                    buffer[count] = Unicode.Scalar(v).unsafelyUnwrapped
                    count += 1
                }
            }
        }
        guard !clean else { return scalars }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        var i = 0
        let n = scalars.count
        func isFinal(_ s: Unicode.Scalar) -> Bool { (0x40...0x7E).contains(s.value) }
        /// Skips a control string (OSC, DCS, ...) to its terminator: BEL, ESC \ or 8-bit ST. One left open (a
        /// truncated paste of a log) ends at the line's end instead, so it cannot hide the rest of the body.
        func skipString(from start: Int) -> Int {
            var j = start
            while j < n {
                let v = scalars[j].value
                if v == 0x07 || v == 0x9C { return j + 1 }
                if v == 0x1B { return j + 1 < n && scalars[j + 1] == "\\" ? j + 2 : j + 1 }
                if v == 0x0A || v == 0x0D { return j }
                j += 1
            }
            return n
        }
        /// Skips CSI parameters and intermediates to the final byte.
        func skipCSI(from start: Int) -> Int {
            var j = start
            while j < n {
                let v = scalars[j].value
                if isFinal(scalars[j]) { return j + 1 }
                if !(0x20...0x3F).contains(v) { return j }  // malformed: drop the introducer only
                j += 1
            }
            return n
        }
        while i < n {
            let s = scalars[i]
            let v = s.value
            switch v {
            case 0x0A:
                out.append(s); i += 1
            case 0x0D:
                out.append("\n"); i += (i + 1 < n && scalars[i + 1].value == 0x0A) ? 2 : 1
            case 0x09:
                out.append(contentsOf: repeatElement(" ", count: tabWidth)); i += 1
            case 0x1B:
                guard i + 1 < n else { i += 1; continue }
                let next = scalars[i + 1]
                switch next {
                case "[": i = skipCSI(from: i + 2)
                case "]", "P", "X", "^", "_": i = skipString(from: i + 2)
                default:
                    // ESC + intermediates (0x20–0x2F) + a final byte (0x30–0x7E), e.g. ESC ( B, ESC 7, ESC c.
                    // Anything else after them (a newline, a letter of text) is not part of the escape: kept.
                    var j = i + 1
                    while j < n, (0x20...0x2F).contains(scalars[j].value) { j += 1 }
                    i = j < n && (0x30...0x7E).contains(scalars[j].value) ? j + 1 : j
                }
            case 0x9B: i = skipCSI(from: i + 1)
            case 0x9D, 0x90, 0x98, 0x9E, 0x9F: i = skipString(from: i + 1)
            case 0x00...0x1F, 0x7F, 0x80...0x9F:
                i += 1
            default:
                // Bidi overrides, isolates and marks can reorder what the annotator reads; drop them too. The
                // Unicode line and paragraph separators break lines as a newline does: they become one.
                if isBidiControl(v) { i += 1; continue }
                if v == 0x2028 || v == 0x2029 { out.append("\n"); i += 1; continue }
                out.append(s); i += 1
            }
        }
        return out
    }

    /// Whether a scalar is anything but printable text or a newline (what the loop above changes).
    private static func needsHandling(_ v: UInt32) -> Bool {
        if v >= 0x20 && v < 0x7F || v == 0x0A { return false }
        return v < 0xA0 || isBidiControl(v) || v == 0x2028 || v == 0x2029
    }

    /// The embeddings and overrides (U+202A–E), isolates (U+2066–9) and the marks LRM, RLM and ALM.
    private static func isBidiControl(_ v: UInt32) -> Bool {
        (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
    }
}

extension InertText {
    /// `text` for an error message that quotes it: control and format characters (escape sequences, bidi
    /// overrides; not the zero-width joiner of emoji) written as `\u{1B}`-style escapes, so the reader sees them
    /// and the terminal acts on none; at most `limit` scalars, then "...".
    public static func escaped(_ text: String, limit: Int = .max) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            let category = scalar.properties.generalCategory
            if category == .control || category == .format && scalar.value != 0x200D {
                out += scalar.escaped(asASCII: true)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return text.unicodeScalars.count > limit ? out + "..." : out
    }
}
