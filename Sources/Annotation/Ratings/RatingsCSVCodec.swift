/// A small RFC 4180 CSV reader and writer, hand-written so that every rejection can name the physical line
/// it happened on (a quoted field may span lines, and the record is reported at the line where it starts).
///
/// Reads a UTF-8 byte-order mark, CRLF or LF line ends, quoted fields with embedded commas, quotes (`""`)
/// and line breaks. Blank lines are skipped. An empty field is an empty string (a missing rating).
public enum RatingsCSVCodec {
    /// One record and the 1-based line it starts on.
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    public static func parse(_ text: String, file: String) throws -> [Record] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, recordLine = 1
        var inQuotes = false, quotedField = false, atFieldStart = true
        var index = scalars.startIndex

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            quotedField = false
            atFieldStart = true
        }
        func endRecord() {
            endField()
            // A blank line is one empty field: skip it.
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }

        while index < scalars.endIndex {
            let c = scalars[index]
            scalars.formIndex(after: &index)
            if inQuotes {
                if c == "\"" {
                    if index < scalars.endIndex && scalars[index] == "\"" {
                        field.append("\"")
                        scalars.formIndex(after: &index)
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart:
                inQuotes = true
                quotedField = true
                atFieldStart = false
            case "\"":
                throw RatingsError(code: .syntax, file: file, line: line,
                                   message: quotedField ? "text after a closing quote; a quote inside a quoted field is written \"\""
                                                        : "a quote inside an unquoted field; quote the whole field")
            case ",":
                endField()
            case "\r":
                if index < scalars.endIndex && scalars[index] == "\n" { scalars.formIndex(after: &index) }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                if quotedField {
                    throw RatingsError(code: .syntax, file: file, line: line, message: "text after a closing quote")
                }
                field.append(c)
                atFieldStart = false
            }
        }
        if inQuotes {
            throw RatingsError(code: .syntax, file: file, line: recordLine, message: "unterminated quoted field")
        }
        if !field.isEmpty || !fields.isEmpty || quotedField { endRecord() }
        return records
    }

    /// One CSV line (no line end), quoting only the fields that need it.
    public static func line(_ fields: [String]) -> String {
        fields.map { field in
            let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
                || field.first == " " || field.last == " "
            return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
