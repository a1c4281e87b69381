/// How many terminal columns text takes when printed in a table: 2 for East Asian wide and fullwidth characters
/// and emoji, 0 for combining marks and zero-width characters, 1 for the rest. A static table, so printed
/// tables need no locale (the labelling screen measures with the C library's `wcwidth`, as curses draws).
public enum TextWidth {
    public static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return 1 }
        if (0x300...0x36F).contains(v) || (0x1AB0...0x1AFF).contains(v) || (0x1DC0...0x1DFF).contains(v)
            || (0x20D0...0x20FF).contains(v) || (0xFE20...0xFE2F).contains(v) || (0x200B...0x200F).contains(v) || v == 0x2060 || v == 0xFEFF {
            return 0
        }
        let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                                           0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                                           0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

    /// `text` padded with spaces to `width` columns, on the left (`rightAligned`) or the right; as it is when wider.
    public static func padded(_ text: String, to width: Int, rightAligned: Bool = false) -> String {
        let gap = String(repeating: " ", count: max(0, width - of(text)))
        return rightAligned ? gap + text : text + gap
    }
}
