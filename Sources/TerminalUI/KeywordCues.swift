import Taxonomy

/// The taxonomy's keyword cues ("CPU", "GPU", "Memory" → B; "core dumped" → crash/resource), found in text
/// so the screen can highlight them. ASCII keywords match case-insensitively on word boundaries ("arm" is not
/// found in "alarm"); CJK keywords match anywhere (Chinese has no spaces between words).
public struct KeywordCues: Sendable {
    public struct Match: Sendable, Equatable {
        /// Scalar offsets within the searched line.
        public var range: Range<Int>
        public var major: String
    }

    /// One keyword: its folded scalars are `pool[start..<start + count]`.
    ///
    /// The keywords live flat in a few arrays (no per-keyword arrays or strings) because the scan runs over
    /// every scalar of a 64 KB body when an item is prepared: retaining and releasing per candidate, and a
    /// hash per CJK scalar, were most of its cost.
    private struct Keyword: Sendable {
        var start: Int
        var count: Int
        var major: Int
        var needsBoundary: Bool
    }

    private var pool: [UInt32] = []
    private var keywords: [Keyword] = []
    private var majors: [String] = []
    /// Keywords by first scalar, each group longest first: ASCII by direct index, the rest by hash.
    private var asciiGroups = [Range<Int>](repeating: 0..<0, count: 128)
    private var otherGroups: [UInt32: Range<Int>] = [:]
    /// Whether an ASCII group holds a keyword that may start inside a word (a mixed one, such as "pip安装");
    /// inside words, other ASCII positions are skipped after this one look-up.
    private var asciiInsideWord = [Bool](repeating: false, count: 128)
    /// A 4096-bit filter of the non-ASCII first scalars, so CJK text rarely pays for a hash.
    private var otherFilter = [UInt64](repeating: 0, count: 64)

    public init(taxonomy: HPTaxonomy) {
        var seen = Set<String>()
        var byFirst: [UInt32: [(scalars: [UInt32], major: Int, needsBoundary: Bool)]] = [:]
        for major in taxonomy.majors {
            let majorIndex = majors.count
            majors.append(major.id)
            for word in major.keywords + major.subtypes.flatMap(\.keywords) {
                let folded = word.unicodeScalars.map { Self.fold($0.value) }
                guard let first = folded.first, seen.insert("\(major.id):\(word.lowercased())").inserted else { continue }
                let ascii = word.unicodeScalars.allSatisfy(\.isASCII)
                byFirst[first, default: []].append((folded, majorIndex, ascii))
            }
        }
        for (first, group) in byFirst.sorted(by: { $0.key < $1.key }) {
            let lower = keywords.count
            // Stable, as before: equal lengths keep the taxonomy's order.
            for k in group.enumerated().sorted(by: { ($0.element.scalars.count, -$0.offset) > ($1.element.scalars.count, -$1.offset) }).map(\.element) {
                keywords.append(Keyword(start: pool.count, count: k.scalars.count, major: k.major, needsBoundary: k.needsBoundary))
                pool.append(contentsOf: k.scalars)
            }
            let range = lower..<keywords.count
            if first < 128 {
                asciiGroups[Int(first)] = range
                asciiInsideWord[Int(first)] = group.contains { !$0.needsBoundary }
            } else {
                otherGroups[first] = range
                otherFilter[Int(first & 4095) >> 6] |= 1 << (UInt64(first) & 63)
            }
        }
    }

    static func fold(_ v: UInt32) -> UInt32 { (0x41...0x5A).contains(v) ? v + 0x20 : v }

    @inline(__always)
    static func isWordScalar(_ v: UInt32) -> Bool {
        v &- 0x30 < 10 || v &- 0x41 < 26 || v &- 0x61 < 26 || v == 0x5F
    }

    /// Non-overlapping matches, longest keyword first at each position.
    public func matches(in scalars: [Unicode.Scalar]) -> [Match] {
        var result: [Match] = []
        scan(scalars) { range, major in result.append(Match(range: range, major: majors[major])) }
        return result
    }

    /// Calls `found` with each match's range and major index, left to right. Every table is read through a
    /// buffer pointer: this loop visits each scalar of a body and must stay a few instructions per scalar.
    private func scan(_ scalars: [Unicode.Scalar], _ found: (Range<Int>, Int) -> Void) {
        var values: [UInt32] = []
        values.reserveCapacity(scalars.count)
        for s in scalars { values.append(Self.fold(s.value)) }
        values.withUnsafeBufferPointer { v in
        pool.withUnsafeBufferPointer { pool in
        keywords.withUnsafeBufferPointer { keywords in
        asciiGroups.withUnsafeBufferPointer { asciiGroups in
        asciiInsideWord.withUnsafeBufferPointer { asciiInsideWord in
        otherFilter.withUnsafeBufferPointer { otherFilter in
            let n = v.count
            var i = 0
            var insideWord = false   // whether v[i - 1] is a word scalar
            while i < n {
                let first = v[i]
                let group: Range<Int>
                if first < 128 {
                    // A keyword needing a boundary cannot start inside a word: most positions stop here.
                    group = insideWord && !asciiInsideWord[Int(first)] ? 0..<0 : asciiGroups[Int(first)]
                } else if otherFilter[Int(first & 4095) >> 6] & (1 << (UInt64(first) & 63)) != 0 {
                    group = otherGroups[first] ?? 0..<0
                } else {
                    group = 0..<0
                }
                var matchedEnd = -1
                for g in group {
                    let keyword = keywords[g]
                    let end = i + keyword.count
                    guard end <= n, !(keyword.needsBoundary && insideWord) else { continue }
                    var j = 1
                    while j < keyword.count, v[i + j] == pool[keyword.start + j] { j += 1 }
                    guard j == keyword.count else { continue }
                    if keyword.needsBoundary, end < n, Self.isWordScalar(v[end]) { continue }
                    found(i..<end, keyword.major)
                    matchedEnd = end
                    break
                }
                if matchedEnd >= 0 {
                    insideWord = Self.isWordScalar(v[matchedEnd - 1])
                    i = matchedEnd
                } else {
                    insideWord = Self.isWordScalar(first)
                    i += 1
                }
            }
        }
        }
        }
        }
        }
        }
    }

    /// How many cue matches each major type has in `text`, for the cue summary line.
    public func counts(in text: String) -> [(major: String, count: Int)] {
        counts(in: Array(text.unicodeScalars))
    }

    public func counts(in scalars: [Unicode.Scalar]) -> [(major: String, count: Int)] {
        var perMajor = [Int](repeating: 0, count: majors.count)
        scan(scalars) { _, major in perMajor[major] += 1 }
        var counts: [String: Int] = [:]
        for (major, n) in perMajor.enumerated() where n > 0 { counts[majors[major], default: 0] += n }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
