import Foundation
import ModelIR

/// A frame header's JSON, written by hand. Headers are small dictionaries of numbers, strings, flags and lists,
/// but JSONSerialization spends ~0.2 ms boxing and escaping one, the largest single cost the Swift side added to
/// a small model's request. Values it does not know (none today) fall back to JSONSerialization.
enum HeaderJSON {
    static func encode(_ object: [String: Any]) -> Data {
        let out = ByteSink(capacity: 512)
        guard write(object, into: out) else {
            return (try? JSONSerialization.data(withJSONObject: object, options: [])) ?? Data("{}".utf8)
        }
        return out.data()
    }

    /// False when `value` holds something this writer does not handle.
    private static func write(_ value: Any, into out: ByteSink) -> Bool {
        switch value {
        case let v as String: out.jsonString(v)
        case let v as Bool: out.append(v ? "true" : "false")
        case let v as Int: out.decimal(v)
        case let v as Int32: out.decimal(Int(v))
        case let v as Int64: out.decimal(Int(v))
        case let v as UInt64: out.append(contentsOf: Array(String(v).utf8))
        case let v as Double: double(v, into: out)
        case let v as Float: double(Double(v), into: out)
        case let v as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (i, (key, element)) in v.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.jsonString(key)
                out.append(UInt8(ascii: ":"))
                guard write(element, into: out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        case let v as [Any]:
            out.append(UInt8(ascii: "["))
            for (i, element) in v.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, into: out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        default: return false
        }
        return true
    }

    /// Python's json module reads NaN and ±Infinity; Swift spells them nan and inf.
    private static func double(_ v: Double, into out: ByteSink) {
        let text = v.isNaN ? "NaN" : v.isInfinite ? (v < 0 ? "-Infinity" : "Infinity") : v.description
        out.append(contentsOf: Array(text.utf8))
    }
}
