import CNCursesW

/// Terminal cell widths, from the C library's `wcwidth` (the same table ncurses uses to place characters,
/// so text measured here lines up with what it draws). Needs a UTF-8 `LC_CTYPE` (`setlocale(LC_ALL, "")`).
public enum CellWidth {
    /// 0 for combining marks, 1 for most, 2 for CJK and emoji; -1 for a scalar that cannot be drawn.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        if scalar.value < 0x7F { return scalar.value >= 0x20 ? 1 : -1 }
        return Int(cnc_wcwidth(wchar_t(bitPattern: scalar.value)))
    }

    public static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + max(0, of($1)) }
    }

    /// Whether the current locale measures wide characters (a C/POSIX locale gives -1 for all non-ASCII).
    public static var localeIsUTF8: Bool { cnc_wcwidth(0x5185) == 2 }
}
