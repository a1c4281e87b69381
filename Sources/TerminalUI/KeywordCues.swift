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
    /// `byFirst` for ASCII first scalars, indexed directly: most body text is ASCII, and a hash lookup per
    /// scalar was most of the cost of scanning a 64 KB body.
    private var byFirstASCII = [[Keyword]](repeating: [], count: 128)

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
        for (first, keywords) in byFirst where first < 128 { byFirstASCII[Int(first)] = keywords }
    }

    static func fold(_ v: UInt32) -> UInt32 { (0x41...0x5A).contains(v) ? v + 0x20 : v }

    static func isWordScalar(_ v: UInt32) -> Bool {
        (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
    }

    /// Non-overlapping matches, longest keyword first at each position.
    public func matches(in scalars: [Unicode.Scalar]) -> [Match] {
        let values = scalars.map { Self.fold($0.value) }
        var result: [Match] = []
        var i = 0
        while i < values.count {
            var advanced = false
            let first = values[i]
            let candidates = first < 128 ? byFirstASCII[Int(first)] : (byFirst[first] ?? [])
            if !candidates.isEmpty {
                for keyword in candidates {
                    let end = i + keyword.scalars.count
                    guard end <= values.count, values[i..<end].elementsEqual(keyword.scalars) else { continue }
                    if keyword.needsBoundary {
                        if i > 0, Self.isWordScalar(values[i - 1]) { continue }
                        if end < values.count, Self.isWordScalar(values[end]) { continue }
                    }
                    result.append(Match(range: i..<end, major: keyword.major))
                    i = end
                    advanced = true
                    break
                }
            }
            if !advanced { i += 1 }
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
