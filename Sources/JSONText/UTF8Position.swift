import Foundation

/// Where bytes stop being UTF-8: an error about a file that is not UTF-8 text names the line, as every other
/// error about a file does (a Latin-1 "café" on line 50,002 was reported with no line at all).
public enum UTF8Position {
    /// The offset of the first byte that does not belong to valid UTF-8; `bytes.count` when all of it is valid.
    public static func firstInvalidByte<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput, .error: return offset
            }
        }
    }

    /// The 1-based line and column (in bytes) of the first byte that is not UTF-8, or nil when all of it is valid.
    public static func firstInvalid<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> (line: Int, column: Int)? {
        let offset = firstInvalidByte(bytes)
        guard offset < bytes.count else { return nil }
        var line = 1, lineStart = 0, index = 0
        for byte in bytes.prefix(offset) {
            index += 1
            if byte == 0x0A { line += 1; lineStart = index }
        }
        return (line, offset - lineStart + 1)
    }

    /// What such a file is, when its first bytes say (a UTF-16 file starts with its byte-order mark).
    /// Also without the mark: text whose every other byte is NUL (ASCII written as UTF-16), which is valid UTF-8
    /// and read as columns named `i\0t\0e\0m\0`.
    public static func encodingHint<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String? {
        let head = Array(bytes.prefix(512))
        // UTF-32's marks first: little-endian UTF-32's begins as UTF-16's does.
        if head.starts(with: [0xFF, 0xFE, 0, 0]) || head.starts(with: [0, 0, 0xFE, 0xFF]) { return "UTF-32 (save it as UTF-8)" }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) { return "UTF-16 (save it as UTF-8)" }
        // ASCII as UTF-32: three NULs in every four bytes.
        let quads = head.count / 4
        if quads >= 2, (0..<quads).filter({ q in head[(q * 4)..<(q * 4 + 4)].filter { $0 == 0 }.count == 3 }).count * 10 >= quads * 9 {
            return "UTF-32 (save it as UTF-8)"
        }
        let pairs = head.count / 2
        guard pairs >= 2 else { return nil }
        let evenNUL = stride(from: 0, to: pairs * 2, by: 2).filter { head[$0] == 0 }.count
        let oddNUL = stride(from: 1, to: pairs * 2, by: 2).filter { head[$0] == 0 }.count
        if max(evenNUL, oddNUL) * 10 >= pairs * 9, min(evenNUL, oddNUL) * 10 <= pairs { return "UTF-16 (save it as UTF-8)" }
        return nil
    }
}
