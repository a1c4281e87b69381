import Foundation
import JSONText

/// A JSON value as a worker writes it: Python's `json.dumps`, whose floats include the non-standard tokens
/// `NaN`, `Infinity` and `-Infinity` (a training run whose loss blows up reports exactly those, and
/// JSONDecoder refuses the whole reply over them). Read by hand because a reply's header is on every request's
/// path: JSONDecoder spent ~0.25 ms on a 600-byte header, a sixth of what the protocol added to a small
/// model's request; this reader takes a few microseconds.
enum WireJSON: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([WireJSON])
    case object([String: WireJSON])

    struct ParseError: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Parses one complete JSON document (whitespace around it allowed, nothing else after it).
    static func parse(_ data: Data) throws(ParseError) -> WireJSON {
        let result: Result<WireJSON, ParseError> = data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            do throws(ParseError) {
                let value = try reader.value(depth: 0)
                reader.skipSpace()
                guard reader.at == reader.bytes.count else { throw reader.fail("trailing bytes after the document") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    subscript(key: String) -> WireJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? { if case .string(let s) = self { return s }; return nil }
    var double: Double? { if case .number(let d) = self { return d }; return nil }
    var array: [WireJSON]? { if case .array(let a) = self { return a }; return nil }
    /// A number that is a whole value exactly representable as Int.
    var int: Int? {
        guard case .number(let d) = self, let i = Int(exactly: d) else { return nil }
        return i
    }
    var doubles: [Double]? {
        guard case .array(let a) = self else { return nil }
        var out: [Double] = []
        out.reserveCapacity(a.count)
        for element in a {
            guard let d = element.double else { return nil }
            out.append(d)
        }
        return out
    }
    var strings: [String]? {
        guard case .array(let a) = self else { return nil }
        var out: [String] = []
        for element in a {
            guard let s = element.string else { return nil }
            out.append(s)
        }
        return out
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0
        /// Deeper nesting than any header has; bounds the recursion on hostile input.
        static let maxDepth = 64

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func fail(_ reason: String) -> ParseError { ParseError(offset: at, reason: reason) }

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> WireJSON {
            guard depth < Self.maxDepth else { throw fail("nested too deeply") }
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end") }
            switch bytes[at] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "N"): try literal("NaN"); return .number(.nan)
            case UInt8(ascii: "I"): try literal("Infinity"); return .number(.infinity)
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString) throws(ParseError) {
            let count = word.utf8CodeUnitCount
            guard at + count <= bytes.count else { throw fail("unexpected end") }
            for k in 0..<count where bytes[at + k] != word.utf8Start[k] { throw fail("unknown token") }
            at += count
        }

        mutating func object(depth: Int) throws(ParseError) -> WireJSON {
            at += 1
            var members: [String: WireJSON] = [:]
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                at += 1
                members[key] = try value(depth: depth + 1)
                skipSpace()
                guard at < bytes.count else { throw fail("unexpected end") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                guard bytes[at] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                at += 1
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws(ParseError) -> WireJSON {
            at += 1
            var elements: [WireJSON] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(elements) }
            while true {
                elements.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.count else { throw fail("unexpected end") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                guard bytes[at] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                at += 1
                return .array(elements)
            }
        }

        mutating func string() throws(ParseError) -> String {
            at += 1
            let start = at
            // The common case, no escapes: one String from the bytes in place.
            while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\") {
                guard bytes[at] >= 0x20 else { throw fail("control character in a string") }
                at += 1
            }
            guard at < bytes.count else { throw fail("unterminated string") }
            if bytes[at] == UInt8(ascii: "\"") {
                at += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at - 1]), as: UTF8.self)
            }
            var out = Array(bytes[start..<at])
            while true {
                guard at < bytes.count else { throw fail("unterminated string") }
                let b = bytes[at]
                at += 1
                if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                guard b == UInt8(ascii: "\\") else {
                    guard b >= 0x20 else { throw fail("control character in a string") }
                    out.append(b)
                    continue
                }
                guard JSONEscape.decode(bytes, end: bytes.count, at: &at, into: &out) else { throw fail("malformed escape") }
            }
        }

        /// A JSON number (or Python's `-Infinity`), correctly rounded.
        mutating func number() throws(ParseError) -> Double {
            let start = at
            if at < bytes.count, bytes[at] == UInt8(ascii: "-") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "I") { try literal("Infinity"); return -.infinity }
            }
            var digits = 0
            while at < bytes.count {
                let c = bytes[at]
                if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { digits += 1 } else if c != UInt8(ascii: ".") && c != UInt8(ascii: "e")
                    && c != UInt8(ascii: "E") && c != UInt8(ascii: "+") && c != UInt8(ascii: "-") { break }
                at += 1
            }
            guard digits > 0, at - start < 64 else { at = start; throw fail("expected a value") }
            // Double(String) converts in the C locale whatever the process's locale (strtod would not).
            let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            guard let parsed = Double(token) else { at = start; throw fail("malformed number") }
            return parsed
        }
    }
}
