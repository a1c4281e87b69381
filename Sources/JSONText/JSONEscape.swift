/// The escapes of a JSON string, decoded once for every hand-written reader in the project: the crawler's
/// `JSONCursor` over tracker pages and the workers' `WireJSON` over reply headers. Only the slow path lives
/// here (a string with a backslash); each reader keeps its own escape-free fast path inline.
public enum JSONEscape {
    /// Decodes the escape whose backslash lies just before `index` (`index` is at the letter after it) into
    /// UTF-8 on `out`, and moves `index` past it; a `\uXXXX` high surrogate takes its `\uXXXX` low surrogate
    /// with it. A surrogate without its partner becomes U+FFFD (and a following escape that is not a low
    /// surrogate is left to be read on its own). False for an unknown escape, bad hex digits or input that
    /// ends before `end`.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, end: Int, at index: inout Int, into out: inout [UInt8]) -> Bool {
        guard index < end else { return false }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            guard let unit = hex4(bytes, end: end, at: &index) else { return false }
            var scalar = UInt32(unit)
            if (0xD800..<0xDC00).contains(unit) {
                // A high surrogate: a low one must follow as another \u escape.
                if index + 1 < end, bytes[index] == 0x5C, bytes[index + 1] == UInt8(ascii: "u") {
                    let save = index
                    index += 2
                    if let low = hex4(bytes, end: end, at: &index), (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    } else {
                        index = save
                        scalar = 0xFFFD
                    }
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(unit) {
                scalar = 0xFFFD  // a lone low surrogate
            }
            UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { out.append($0) }
        default: return false
        }
        return true
    }

    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, end: Int, at index: inout Int) -> UInt16? {
        guard end - index >= 4 else { return nil }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt16(d)
            index += 1
        }
        return v
    }
}
