import Foundation

/// Checks the JSON parser does not make: Foundation's `JSONSerialization` keeps one of a key given twice without
/// a word, and its error text ("The data couldn't be read ...") does not say where the JSON breaks. Used by the
/// readers of hand-written files (`--oracles`, ratings JSONL), where either would let a typo pass unseen.
public enum JSONObjectCheck {
    /// A key the top-level object of `data` (already parsed as one) holds twice, which JSONSerialization
    /// accepts silently keeping one of them: a file where a later line was meant to override an earlier one
    /// would otherwise run with a threshold its author cannot tell. Scans the object's own keys only (strings
    /// at depth one followed by a colon), skipping nested values and string contents.
    public static func repeatedKey(in data: Data) -> String? {
        let bytes = [UInt8](data)
        var seen = Set<String>(), depth = 0, i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                var j = i + 1, text: [UInt8] = []
                while j < bytes.count, bytes[j] != UInt8(ascii: "\"") {
                    if bytes[j] == UInt8(ascii: "\\"), j + 1 < bytes.count { text.append(bytes[j]); j += 1 }
                    text.append(bytes[j]); j += 1
                }
                var k = j + 1
                while k < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[k]) { k += 1 }
                if depth == 1, k < bytes.count, bytes[k] == UInt8(ascii: ":") {
                    // Escapes are compared as written: two spellings of one key by different escapes are not caught.
                    let key = String(decoding: text, as: UTF8.self)
                    if !seen.insert(key).inserted { return key }
                }
                i = j + 1
                continue
            }
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
            if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") { depth -= 1 }
            i += 1
        }
        return nil
    }

    /// Where `JSONSerialization` found the JSON broken ("Invalid value around line 1, column 9."), when it says.
    public static func reason(_ error: Error) -> String? {
        (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
    }
}
