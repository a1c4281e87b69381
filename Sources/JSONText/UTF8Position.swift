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
    public static func encodingHint<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String? {
        let head = Array(bytes.prefix(2))
        if head == [0xFF, 0xFE] || head == [0xFE, 0xFF] { return "UTF-16 (save it as UTF-8)" }
        return nil
    }
}
