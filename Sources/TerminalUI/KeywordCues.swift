import Taxonomy

/// The taxonomy's keyword cues ("CPU", "GPU", "Memory" → B; "core dumped" → crash/resource), found in text
/// so the screen can highlight them. ASCII keywords match case-insensitively on word boundaries ("arm" is not
/// found in "alarm"); CJK keywords match anywhere (Chinese has no spaces between words).
public struct KeywordCues: Sendable {
    public struct Keyword: Sendable {
        var scalars: [UInt32]
        var major: String
        var needsBoundary: Bool
    }

    public struct Match: Sendable, Equatable {
        /// Scalar offsets within the searched line.
        public var range: Range<Int>
        public var major: String
    }

    private var byFirst: [UInt32: [Keyword]] = [:]
    /// `byFirst` for ASCII first scalars, indexed directly, whole and without the keywords that need a word
    /// boundary (all that can match inside a word). A 64 KB body is mostly ASCII and mostly word interiors:
    /// those positions are skipped after one table look-up instead of a hash and a compare per keyword.
    private var asciiAll = [[Keyword]](repeating: [], count: 128)
    private var asciiInsideWord = [[Keyword]](repeating: [], count: 128)

    public init(taxonomy: HPTaxonomy) {
        var seen = Set<String>()
        for major in taxonomy.majors {
            for word in major.keywords + major.subtypes.flatMap(\.keywords) {
                let folded = word.unicodeScalars.map { Self.fold($0.value) }
                guard let first = folded.first, seen.insert("\(major.id):\(word.lowercased())").inserted else { continue }
                let ascii = word.unicodeScalars.allSatisfy(\.isASCII)
                byFirst[first, default: []].append(Keyword(scalars: folded, major: major.id, needsBoundary: ascii))
            }
        }
        for key in byFirst.keys { byFirst[key]!.sort { $0.scalars.count > $1.scalars.count } }
        for (first, keywords) in byFirst where first < 128 {
            asciiAll[Int(first)] = keywords
            asciiInsideWord[Int(first)] = keywords.filter { !$0.needsBoundary }
        }
    }

    static func fold(_ v: UInt32) -> UInt32 { (0x41...0x5A).contains(v) ? v + 0x20 : v }

    static func isWordScalar(_ v: UInt32) -> Bool {
        (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
    }

    /// Non-overlapping matches, longest keyword first at each position.
    public func matches(in scalars: [Unicode.Scalar]) -> [Match] {
        var values: [UInt32] = []
        values.reserveCapacity(scalars.count)
        for s in scalars { values.append(Self.fold(s.value)) }
        var result: [Match] = []
        values.withUnsafeBufferPointer { v in
            let n = v.count
            var i = 0
            while i < n {
                let first = v[i]
                let insideWord = i > 0 && Self.isWordScalar(v[i - 1])
                // A keyword needing a boundary cannot start inside a word, so those are not even tried there.
                let candidates = first < 128 ? (insideWord ? asciiInsideWord : asciiAll)[Int(first)] : (byFirst[first] ?? [])
                var matchedEnd = -1
                for keyword in candidates {
                    let k = keyword.scalars
                    let end = i + k.count
                    guard end <= n else { continue }
                    var j = 1
                    while j < k.count, v[i + j] == k[j] { j += 1 }
                    guard j == k.count else { continue }
                    if keyword.needsBoundary {
                        if insideWord { continue }
                        if end < n, Self.isWordScalar(v[end]) { continue }
                    }
                    result.append(Match(range: i..<end, major: keyword.major))
                    matchedEnd = end
                    break
                }
                i = matchedEnd >= 0 ? matchedEnd : i + 1
            }
        }
        return result
    }

    /// How many cue matches each major type has in `text`, for the cue summary line.
    public func counts(in text: String) -> [(major: String, count: Int)] {
        counts(in: Array(text.unicodeScalars))
    }

    public func counts(in scalars: [Unicode.Scalar]) -> [(major: String, count: Int)] {
        var counts: [String: Int] = [:]
        for m in matches(in: scalars) { counts[m.major, default: 0] += 1 }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
