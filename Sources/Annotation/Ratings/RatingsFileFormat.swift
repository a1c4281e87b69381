/// The layouts a ratings file can have.
public enum RatingsFileFormat: String, Sendable, CaseIterable {
    /// `item,rater1,rater2,...[,final]`: one row per item, one column per rater.
    case wide
    /// `item,rater,label[,level][,time][,framework]`: one row per rating.
    case long
    /// One JSON object per line with the long layout's fields.
    case jsonl

    /// The format a file's name and header suggest: `.jsonl`/`.ndjson` is JSONL; a CSV whose header has
    /// `rater` and `label` columns is long; any other CSV is wide.
    public static func guess(path: String, firstRecord: [String]?) -> RatingsFileFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        let names = Set((firstRecord ?? []).map { $0.trimmed.lowercased() })
        // `annotator` is read as `rater`: a long file headed item,annotator,label was taken for a wide one, and
        // its rater names then reported as unknown labels.
        return (names.contains("rater") || names.contains("annotator")) && names.contains("label") ? .long : .wide
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
