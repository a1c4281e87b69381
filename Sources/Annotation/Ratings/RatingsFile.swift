import Foundation
import JSONText
import Taxonomy

/// One rating read from a file, checked against the taxonomy and normalized (`" b1 "` → `B1`).
public struct ImportedRating: Sendable, Equatable {
    public var item: String
    public var rater: String
    public var label: String
    public var level: LabelLevel
    /// ISO 8601 time as written in the file, or nil (the import time is used).
    public var time: String?
    /// A framework named in the file (long/JSONL `framework` field, wide `framework` column).
    public var framework: String?
    /// True for an adjudicated (final) label rather than one annotator's.
    public var isFinal: Bool
    public var line: Int
    /// What an export carries beside the label (long and JSONL files): an annotator's latest note and unsure
    /// flag (nil: the file does not say), and who settled a final label, how and why.
    public var provenance = Provenance()

    public struct Provenance: Sendable, Equatable {
        public var note: String?
        public var unsure: Bool?
        public var adjudicator: String?
        public var method: String?
        public var rationale: String?
    }

    /// What two ratings share when one would replace the other in the store: the item's key (one issue written
    /// two ways is one item), the rater (every adjudicated column or row is one), the level.
    var storeKey: String { Self.storeKey(item: item, rater: rater, isFinal: isFinal, level: level) }

    static func storeKey(item: String, rater: String, isFinal: Bool, level: LabelLevel) -> String {
        "\(RatedItemReference(item).identity)\u{1F}\(isFinal ? "\u{0}final" : rater)\u{1F}\(level.rawValue)"
    }
}

/// A parsed, fully validated ratings file: nothing in it may touch the store before all of it is valid.
public struct RatingsFile: Sendable {
    public var path: String
    public var format: RatingsFileFormat
    public var ratings: [ImportedRating]

    /// Header names (case-insensitive) that mark the adjudicated column of a wide file, and the rater
    /// names that mark adjudicated rows of a long or JSONL file.
    public static let finalColumnNames: Set<String> = ["final", "final_label", "gold"]

    /// Reads and validates a file. `finalColumn` names an extra adjudicated column of a wide file.
    public static func read(path: String, format: RatingsFileFormat?, finalColumn: String? = nil,
                            taxonomy: HPTaxonomy) throws -> RatingsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RatingsError(code: .unreadable, file: path, message: "cannot read the file")
        }
        // UTF-16 without its mark is valid UTF-8 (a NUL after each ASCII byte): said as what it is.
        if let hint = UTF8Position.encodingHint(data) { throw RatingsError(code: .unreadable, file: path, line: 1, message: "not UTF-8 text: \(hint)") }
        guard let text = String(data: data, encoding: .utf8) else {
            if let hint = UTF8Position.encodingHint(data) { throw RatingsError(code: .unreadable, file: path, line: 1, message: "not UTF-8 text: \(hint)") }
            let at = UTF8Position.firstInvalid(data)
            throw RatingsError(code: .unreadable, file: path, line: at?.line, message: "not UTF-8 text" + (at.map { " (byte \($0.column) of the line)" } ?? ""))
        }
        return try parse(text: text, path: path, format: format, finalColumn: finalColumn, taxonomy: taxonomy)
    }

    public static func parse(text: String, path: String, format: RatingsFileFormat?, finalColumn: String? = nil,
                             taxonomy: HPTaxonomy) throws -> RatingsFile {
        let lower = path.lowercased()
        let isJSONL = format == .jsonl || (format == nil && (lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson")))
        if isJSONL {
            return RatingsFile(path: path, format: .jsonl, ratings: try parseJSONL(text, path: path, taxonomy: taxonomy))
        }
        let records = try RatingsCSVCodec.parse(text, file: path)
        let resolved = format ?? RatingsFileFormat.guess(path: path, firstRecord: records.first?.fields)
        let ratings = resolved == .wide
            ? try parseWide(records, path: path, finalColumn: finalColumn, taxonomy: taxonomy)
            : try parseLong(records, path: path, taxonomy: taxonomy)
        return RatingsFile(path: path, format: resolved, ratings: ratings)
    }

    // MARK: wide

    static func parseWide(_ records: [Record], path: String, finalColumn: String?, taxonomy: HPTaxonomy) throws -> [ImportedRating] {
        guard let header = records.first else {
            throw RatingsError(code: .header, file: path, line: 1, message: "empty file: expected a header item,rater1,rater2,...")
        }
        let names = header.fields.map(\.trimmed)
        guard names.count >= 2 else {
            throw RatingsError(code: .header, file: path, line: header.line, message: "a wide file needs an item column and at least one rater column")
        }
        var finalIndex: Int?, frameworkIndex: Int?
        var raterColumns: [(index: Int, name: String)] = []
        var seen: [String: Int] = [:]
        for (index, name) in names.enumerated().dropFirst() {
            let key = name.lowercased()
            let isFinal = finalColumn.map { $0.trimmed.lowercased() == key } ?? Self.finalColumnNames.contains(key)
            if name.isEmpty {
                throw RatingsError(code: .header, file: path, line: header.line, message: "column \(index + 1) has no rater name")
            }
            if let first = seen[name] {
                throw RatingsError(code: .header, file: path, line: header.line,
                                   message: "duplicate rater column '\(shown(name))' (columns \(first + 1) and \(index + 1))")
            }
            seen[name] = index
            if isFinal {
                if finalIndex != nil {
                    throw RatingsError(code: .header, file: path, line: header.line, message: "more than one adjudicated column ('\(shown(name))')")
                }
                finalIndex = index
            } else if key == "framework" {
                frameworkIndex = index
            } else {
                guard AnnotatorRegistry.isValid(name), !AnnotatorRegistry.isReserved(name) else {
                    throw RatingsError(code: .header, file: path, line: header.line,
                                       message: "rater \(name.debugDescription) must be letters, digits, '.', '_' or '-', and not a column name (it becomes an annotator name)")
                }
                raterColumns.append((index, name))
            }
        }
        if let finalColumn, finalIndex == nil {
            throw RatingsError(code: .header, file: path, line: header.line, message: "no column named '\(shown(finalColumn))' (--final-column)")
        }
        var out: [ImportedRating] = []
        var itemLines: [String: Int] = [:]
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                throw RatingsError(code: .raggedRow, file: path, line: record.line,
                                   message: "ragged row: \(record.fields.count) fields, the header has \(names.count)")
            }
            let item = record.fields[0].trimmed
            guard !item.isEmpty else {
                throw RatingsError(code: .invalidValue, file: path, line: record.line, message: "empty item in column 1")
            }
            // By the item's identity in the store: the same issue written two ways (www., a trailing slash, the
            // owner's case) is one item.
            let reference = RatedItemReference(item)
            if let problem = reference.problem {
                throw RatingsError(code: .invalidValue, file: path, line: record.line, message: "item \(problem)")
            }
            let itemKey = reference.identity
            if let first = itemLines[itemKey] {
                throw RatingsError(code: .duplicate, file: path, line: record.line, message: "item '\(shown(item))' already given on line \(first)")
            }
            itemLines[itemKey] = record.line
            let framework = frameworkIndex.map { record.fields[$0].trimmed.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
            if let framework, let problem = Self.frameworkProblem(framework) {
                throw RatingsError(code: .invalidValue, file: path, line: record.line, message: problem)
            }
            var cells = raterColumns.map { ($0.name, record.fields[$0.index], false) }
            if let finalIndex { cells.append((names[finalIndex], record.fields[finalIndex], true)) }
            for (rater, raw, isFinal) in cells {
                let text = raw.trimmed
                if text.isEmpty { continue }
                let (label, level) = try normalize(text, level: nil, taxonomy: taxonomy, path: path, line: record.line)
                out.append(ImportedRating(item: item, rater: rater, label: label, level: level, time: nil,
                                          framework: framework, isFinal: isFinal, line: record.line))
            }
        }
        return out
    }

    // MARK: long

    /// A framework name becomes a group heading in agreement and statistics tables, a label in an SVG chart and
    /// a stratum of samples: a name, not free text.
    public static func frameworkProblem(_ framework: String) -> String? { FrameworkName.problem(framework) }

    static let longColumns = ["item", "rater", "label", "level", "time", "framework"] + provenanceColumns
    /// Optional columns an export writes so that a re-import loses nothing: `note` and `unsure` on an annotator's
    /// rows, `adjudicator`, `method` and `rationale` on final rows.
    static let provenanceColumns = ["note", "unsure", "adjudicator", "method", "rationale"]
    static let adjudicationMethods: Set<String> = ["manual", "majority", "import"]

    static func parseLong(_ records: [Record], path: String, taxonomy: HPTaxonomy) throws -> [ImportedRating] {
        guard let header = records.first else {
            throw RatingsError(code: .header, file: path, line: 1, message: "empty file: expected a header item,rater,label[,level][,time]")
        }
        var column: [String: Int] = [:]
        for (index, raw) in header.fields.enumerated() {
            var name = raw.trimmed.lowercased()
            if name == "annotator" { name = "rater" }
            guard Self.longColumns.contains(name) else {
                throw RatingsError(code: .header, file: path, line: header.line,
                                   message: "unknown column '\(shown(raw.trimmed))' (expected \(Self.longColumns.joined(separator: ", ")))")
            }
            if column[name] != nil {
                throw RatingsError(code: .header, file: path, line: header.line, message: "duplicate column '\(shown(name))'")
            }
            column[name] = index
        }
        for required in ["item", "rater", "label"] where column[required] == nil {
            throw RatingsError(code: .header, file: path, line: header.line, message: "missing column '\(required)'")
        }
        var rows: [LongRow] = []
        for record in records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                throw RatingsError(code: .raggedRow, file: path, line: record.line,
                                   message: "ragged row: \(record.fields.count) fields, the header has \(header.fields.count)")
            }
            func value(_ name: String) -> String? {
                column[name].map { record.fields[$0].trimmed }.flatMap { $0.isEmpty ? nil : $0 }
            }
            // A present but empty unsure column says "not unsure"; an absent one says nothing.
            let unsure = column["unsure"].map { record.fields[$0].trimmed }
            rows.append(LongRow(item: value("item"), rater: value("rater"), label: value("label"), level: value("level"),
                                time: value("time"), framework: value("framework"), note: value("note"), unsure: unsure,
                                adjudicator: value("adjudicator"), method: value("method"), rationale: value("rationale"),
                                line: record.line))
        }
        return try validate(rows, path: path, taxonomy: taxonomy)
    }

    // MARK: JSONL

    static func parseJSONL(_ text: String, path: String, taxonomy: HPTaxonomy) throws -> [ImportedRating] {
        var body = Substring(text)
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        var rows: [LongRow] = []
        // "\r\n" is one Character in Swift, so isNewline splits LF and CRLF files alike, one line each.
        for (offset, rawLine) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = offset + 1
            let content = String(rawLine).trimmed
            if content.isEmpty { continue }
            let data = Data(content.utf8)
            let parsed: Any
            do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
                throw RatingsError(code: .syntax, file: path, line: line,
                                   message: "not valid JSON" + (JSONObjectCheck.reason(error).map { " (\($0))" } ?? ""))
            }
            guard let object = parsed as? [String: Any] else {
                throw RatingsError(code: .syntax, file: path, line: line, message: "not a JSON object")
            }
            if let repeated = JSONObjectCheck.repeatedKey(in: data) {
                throw RatingsError(code: .syntax, file: path, line: line, message: "field '\(shown(repeated))' is given twice")
            }
            for key in object.keys where !Self.longColumns.contains(key) {
                throw RatingsError(code: .header, file: path, line: line,
                                   message: "unknown field '\(shown(key))' (expected \(Self.longColumns.joined(separator: ", ")))")
            }
            func value(_ key: String) throws -> String? {
                switch object[key] {
                case nil, is NSNull: return nil
                case let s as String: return s.trimmed.isEmpty ? nil : s.trimmed
                // A JSON number names an item (study IDs); JSON true/false is an NSNumber too (objCType "c").
                case let n as NSNumber where key == "item" && String(cString: n.objCType) != "c": return n.stringValue
                case let n as NSNumber where key == "unsure": return String(cString: n.objCType) == "c" ? (n.boolValue ? "1" : "0") : n.stringValue
                default:
                    throw RatingsError(code: .invalidValue, file: path, line: line,
                                       message: "field '\(shown(key))' must be a \(key == "unsure" ? "boolean" : "string")")
                }
            }
            rows.append(LongRow(item: try value("item"), rater: try value("rater"), label: try value("label"),
                                level: try value("level"), time: try value("time"), framework: try value("framework"),
                                note: try value("note"), unsure: try value("unsure") ?? (object["unsure"] == nil ? nil : ""),
                                adjudicator: try value("adjudicator"), method: try value("method"),
                                rationale: try value("rationale"), line: line))
        }
        return try validate(rows, path: path, taxonomy: taxonomy)
    }

    // MARK: shared checks

    typealias Record = RatingsCSVCodec.Record

    struct LongRow {
        var item, rater, label, level, time, framework: String?
        var note: String?, unsure: String?, adjudicator: String?, method: String?, rationale: String?
        var line: Int
    }

    /// Long and JSONL rows: required fields, label and level, time, and one rating per item, rater and level.
    static func validate(_ rows: [LongRow], path: String, taxonomy: HPTaxonomy) throws -> [ImportedRating] {
        var out: [ImportedRating] = []
        var firstLine: [String: Int] = [:]
        for row in rows {
            guard let item = row.item else {
                throw RatingsError(code: .invalidValue, file: path, line: row.line, message: "empty item")
            }
            guard let rater = row.rater else {
                throw RatingsError(code: .invalidValue, file: path, line: row.line, message: "empty rater")
            }
            if let problem = RatedItemReference(item).problem {
                throw RatingsError(code: .invalidValue, file: path, line: row.line, message: "item \(problem)")
            }
            if let framework = row.framework, let problem = Self.frameworkProblem(framework) {
                throw RatingsError(code: .invalidValue, file: path, line: row.line, message: problem)
            }
            // An empty label is a missing rating, as an empty cell of a wide file.
            guard let rawLabel = row.label else { continue }
            var level: LabelLevel?
            if let rawLevel = row.level {
                guard let parsed = LabelLevel(rawValue: rawLevel.lowercased()) else {
                    throw RatingsError(code: .invalidValue, file: path, line: row.line, message: "unknown level '\(shown(rawLevel))' (subtype or major)")
                }
                level = parsed
            }
            let (label, resolvedLevel) = try normalize(rawLabel, level: level, taxonomy: taxonomy, path: path, line: row.line)
            if let time = row.time {
                guard let date = Timestamp.date(time) else {
                    throw RatingsError(code: .invalidValue, file: path, line: row.line,
                                       message: "time '\(shown(time))' is not an ISO 8601 date and time (e.g. 2024-05-01T12:00:00Z)")
                }
                // The newest label counts: one dated ahead would stand over every later correction.
                guard date.timeIntervalSinceNow < 86_400 else {
                    throw RatingsError(code: .invalidValue, file: path, line: row.line,
                                       message: "time '\(shown(time))' is in the future (a label dated ahead would override every later one)")
                }
            }
            let isFinal = Self.finalColumnNames.contains(rater.lowercased())
            guard isFinal || AnnotatorRegistry.isValid(rater) && !AnnotatorRegistry.isReserved(rater) else {
                throw RatingsError(code: .invalidValue, file: path, line: row.line,
                                   message: "rater \(rater.debugDescription) must be letters, digits, '.', '_' or '-', and not a column name (it becomes an annotator name)")
            }
            let provenance = try Self.provenance(of: row, isFinal: isFinal, path: path)
            let key = ImportedRating.storeKey(item: item, rater: rater, isFinal: isFinal, level: resolvedLevel)
            if let first = firstLine[key] {
                throw RatingsError(code: .duplicate, file: path, line: row.line,
                                   message: "a second \(resolvedLevel.rawValue) rating of '\(shown(item))' by '\(shown(rater))' (first on line \(first))")
            }
            firstLine[key] = row.line
            out.append(ImportedRating(item: item, rater: rater, label: label, level: resolvedLevel, time: row.time,
                                      framework: row.framework?.lowercased(), isFinal: isFinal, line: row.line,
                                      provenance: provenance))
        }
        return out
    }

    /// The provenance columns of a long or JSONL row: an annotator's note and unsure flag, or a final label's
    /// adjudicator, method and rationale — never the other kind's.
    static func provenance(of row: LongRow, isFinal: Bool, path: String) throws -> ImportedRating.Provenance {
        func refuse(_ message: String) -> RatingsError { RatingsError(code: .invalidValue, file: path, line: row.line, message: message) }
        // A NUL would end the text where SQLite stores it ("before\0after" kept "before"): shown as U+FFFD, as the
        // crawler stores one in an issue body.
        func whole(_ text: String?) -> String? { text.map { $0.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") } }
        var out = ImportedRating.Provenance(note: whole(row.note), adjudicator: row.adjudicator, method: row.method, rationale: whole(row.rationale))
        if let raw = row.unsure {
            switch raw.lowercased() {
            case "", "0", "false", "no": out.unsure = false
            case "1", "true", "yes": out.unsure = true
            default: throw refuse("unsure '\(shown(raw))' must be 1 or empty (true/false, yes/no)")
            }
        }
        if isFinal {
            if out.note != nil || out.unsure == true { throw refuse("a final label has no note or unsure flag (its reason goes in 'rationale')") }
            out.unsure = nil
            if let method = out.method, !Self.adjudicationMethods.contains(method.lowercased()) {
                throw refuse("method '\(shown(method))' must be one of \(Self.adjudicationMethods.sorted().joined(separator: ", "))")
            }
            out.method = out.method?.lowercased()
            if let who = out.adjudicator, who.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
                throw refuse("adjudicator \(who.debugDescription) holds control characters")
            }
        } else if out.adjudicator != nil || out.method != nil || out.rationale != nil {
            throw refuse("adjudicator, method and rationale belong to final rows (rater 'final'), not to an annotator's label")
        }
        return out
    }

    /// A label normalized to a taxonomy ID; without a level, a subtype ID is a subtype and a major ID a major.
    static func normalize(_ raw: String, level: LabelLevel?, taxonomy: HPTaxonomy, path: String, line: Int) throws -> (String, LabelLevel) {
        if let level {
            // A subtype given as a major label would be cut to its major type, the subtype lost without a word.
            if level == .major, let subtype = taxonomy.normalizedLabel(raw, level: .subtype) {
                throw RatingsError(code: .unknownLabel, file: path, line: line,
                                   message: "'\(shown(raw))' is a subtype, not a major type: give level 'subtype' (its major type \(taxonomy.major(ofSubtype: subtype)?.id ?? "?") follows) or the major type itself")
            }
            guard let label = taxonomy.normalizedLabel(raw, level: level) else {
                let ids = level == .subtype ? "a subtype ID A1–G5" : "a major type A–G"
                throw RatingsError(code: .unknownLabel, file: path, line: line, message: "unknown label '\(shown(raw))' (expected \(ids) of the taxonomy)")
            }
            return (label, level)
        }
        if let label = taxonomy.normalizedLabel(raw, level: .subtype) { return (label, .subtype) }
        let upper = raw.trimmed.uppercased()
        if taxonomy.major(upper) != nil { return (upper, .major) }
        throw RatingsError(code: .unknownLabel, file: path, line: line,
                           message: "unknown label '\(shown(raw))' (not a subtype A1–G5 or a major type A–G of the taxonomy)")
    }
}

/// A value from the file as an error message quotes it: cut to 80 characters, since a 20 MB cell must not
/// come back whole (control characters are escaped for the whole message by `RatingsError.description`).
func shown(_ value: String) -> String {
    value.unicodeScalars.count > 80 ? String(String.UnicodeScalarView(value.unicodeScalars.prefix(80))) + "… (\(value.utf8.count) bytes)" : value
}
