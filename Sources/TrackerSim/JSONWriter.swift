import Seeding

/// A tiny JSON value and writer for the simulator.
///
/// The simulator writes its own JSON (instead of using Foundation's encoder) to control what real trackers
/// vary: key order is fixed, and non-ASCII text can be sent either raw (UTF-8) or as `\uXXXX` escapes with
/// surrogate pairs, per item, as GitHub and Gitee both do.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        a.encoded(escapeNonASCII: false) == b.encoded(escapeNonASCII: false)
    }

    public func encoded(escapeNonASCII: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out, escapeNonASCII: escapeNonASCII)
        return out
    }

    public func write(to out: inout [UInt8], escapeNonASCII: Bool) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .string(let s): Self.writeString(s, to: &out, escapeNonASCII: escapeNonASCII)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out, escapeNonASCII: escapeNonASCII)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (n, (key, value)) in fields.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &out, escapeNonASCII: false)
                out.append(UInt8(ascii: ":"))
                value.write(to: &out, escapeNonASCII: escapeNonASCII)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ s: String, to out: inout [UInt8], escapeNonASCII: Bool) {
        out.append(UInt8(ascii: "\""))
        func u(_ v: UInt16) {
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"),
                                    hex[Int(v >> 12)], hex[Int((v >> 8) & 0xF)], hex[Int((v >> 4) & 0xF)], hex[Int(v & 0xF)]])
        }
        if escapeNonASCII {
            for unit in s.utf16 {
                switch unit {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0..<0x20, 0x7F...: u(unit)
                default: out.append(UInt8(unit))
                }
            }
        } else {
            for byte in s.utf8 {
                switch byte {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0..<0x20: u(UInt16(byte))
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// The corpus's draws: `SplitMix64`, so a seed means the same corpus everywhere, with the ranged draws this
/// simulator has always made (a modulo, which the corpora it generates were recorded with).
public struct SimRandom: Sendable {
    var base: SplitMix64
    public init(seed: UInt64) { base = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15) }
    public mutating func next() -> UInt64 { base.next() }
    public mutating func int(_ range: Range<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    public mutating func chance(_ p: Double) -> Bool {
        p > 0 && Double(next() >> 11) / Double(1 << 53) < p
    }
    public mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
}

/// FNV-1a, for stable seeds from repository names and ETags from bodies.
func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 { SplitMix64.fnv1a(bytes) }
