import JSONText

/// A forward-only reader over the bytes of one JSON value, decoding only what is asked for.
///
/// Tracker pages are large (100 issues, bodies up to 64 KB each) and the crawler needs a dozen fields of each
/// issue: building a Foundation `[String: Any]` tree for every element (`JSONSerialization`) was most of the
/// crawler's time. This reads the fields it needs straight from the page bytes and skips the rest without
/// allocating. Malformed input makes a read return nil; the caller then drops the element.
struct JSONCursor {
    /// A decoded scalar. Numbers keep their text when they are not plain integers.
    enum Scalar: Equatable {
        case string(String)
        case int(Int64)
        case number(String)
        case bool(Bool)
        case null

        /// Text of a string or number (`"42"` and `42` both read "42"), as the trackers mix the two.
        var text: String? {
            switch self {
            case .string(let s): return s
            case .int(let n): return String(n)
            case .number(let t): return t
            default: return nil
            }
        }

        /// An integer from a number or a numeric string (Gitee sends some ids as strings).
        var int64: Int64? {
            switch self {
            case .int(let n): return n
            case .string(let s): return Int64(s)
            case .number(let t): return Double(t).flatMap { $0.isFinite ? Int64(exactly: $0.rounded(.towardZero)) : nil }
            default: return nil
            }
        }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        self.bytes = bytes
        index = range.lowerBound
        end = range.upperBound
    }

    @inline(__always) mutating func skipSpace() {
        while index < end {
            let c = bytes[index]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            index += 1
        }
    }

    @inline(__always) func peek() -> UInt8? { index < end ? bytes[index] : nil }

    /// Calls `field` with each key of the object at the cursor; `field` must consume the value (read or skip it).
    /// Returns false when the input is not a well-formed object.
    mutating func forEachField(_ field: (String, inout JSONCursor) -> Bool) -> Bool {
        skipSpace()
        guard peek() == UInt8(ascii: "{") else { return false }
        index += 1
        skipSpace()
        if peek() == UInt8(ascii: "}") { index += 1; return true }
        while true {
            skipSpace()
            guard let key = readString() else { return false }
            skipSpace()
            guard peek() == UInt8(ascii: ":") else { return false }
            index += 1
            skipSpace()
            guard field(key, &self) else { return false }
            skipSpace()
            guard let c = peek() else { return false }
            index += 1
            if c == UInt8(ascii: "}") { return true }
            guard c == UInt8(ascii: ",") else { return false }
        }
    }

    /// Calls `element` for each element of the array at the cursor; `element` must consume it.
    mutating func forEachElement(_ element: (inout JSONCursor) -> Bool) -> Bool {
        skipSpace()
        guard peek() == UInt8(ascii: "[") else { return false }
        index += 1
        skipSpace()
        if peek() == UInt8(ascii: "]") { index += 1; return true }
        while true {
            skipSpace()
            guard element(&self) else { return false }
            skipSpace()
            guard let c = peek() else { return false }
            index += 1
            if c == UInt8(ascii: "]") { return true }
            guard c == UInt8(ascii: ",") else { return false }
        }
    }

    /// Reads a scalar; nil at an object or array (use `skipValue`) or on malformed input.
    mutating func readScalar() -> Scalar? {
        skipSpace()
        guard let c = peek() else { return nil }
        switch c {
        case UInt8(ascii: "\""): return readString().map(Scalar.string)
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return readNumber()
        default: return nil
        }
    }

    /// Reads a scalar, or skips an object or array and answers `.null` for it.
    mutating func readScalarOrSkip() -> Scalar? {
        skipSpace()
        if let c = peek(), c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { return skipValue() ? .null : nil }
        return readScalar()
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard end - index >= n else { return false }
        for k in 0..<n where bytes[index + k] != word.utf8Start[k] { return false }
        index += n
        return true
    }

    private mutating func readNumber() -> Scalar? {
        let start = index
        var integral = true
        while index < end {
            let c = bytes[index]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") || c == UInt8(ascii: "-") {
            } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") {
                integral = false
            } else { break }
            index += 1
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let n = Int64(text) { return .int(n) }
        return Double(text) == nil ? nil : .number(text)
    }

    /// Skips one value of any kind. False on malformed input.
    mutating func skipValue() -> Bool {
        skipSpace()
        guard let c = peek() else { return false }
        switch c {
        case UInt8(ascii: "\""): return skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < end {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    guard skipString() else { return false }
                    continue
                }
                if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
                else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { index += 1; return true }
                }
                index += 1
            }
            return false
        default: return readScalar() != nil
        }
    }

    private mutating func skipString() -> Bool {
        index += 1
        while index < end {
            let c = bytes[index]
            if c == 0x5C { index += 2; continue }
            index += 1
            if c == 0x22 { return true }
        }
        return false
    }

    /// Reads a string at the cursor, decoding escapes (`\uXXXX` surrogate pairs included).
    mutating func readString() -> String? {
        guard peek() == 0x22 else { return nil }
        index += 1
        let start = index
        // Fast path: no escapes, the bytes are the string.
        while index < end {
            let c = bytes[index]
            if c == 0x22 {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if c == 0x5C { break }
            index += 1
        }
        guard index < end else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(index - start + 64)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < end {
            let c = bytes[index]
            if c == 0x22 { index += 1; return String(decoding: out, as: UTF8.self) }
            guard c == 0x5C else { out.append(c); index += 1; continue }
            index += 1
            let before = out.count
            guard JSONEscape.decode(bytes, end: end, at: &index, into: &out) else { return nil }
            // A `\u0000` in a title or body: SQLite reads bound text up to its first NUL, so the rest of the
            // text was lost in the store. It becomes U+FFFD (raw_json keeps the tracker's exact text).
            if out.count == before + 1, out[before] == 0 { out.removeLast(); out.append(contentsOf: [0xEF, 0xBF, 0xBD]) }
        }
        return nil
    }
}
