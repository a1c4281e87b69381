/// The known name a misspelt one most likely meant, for errors that suggest one: attribute names here, and
/// command names in the executable (`unknown command 'sav'; did you mean 'save'?`).
public enum Spelling {
    /// The name in `known` that `word` most likely meant, ignoring case: one it starts (at least two letters),
    /// else the closest within two edits (`dilations` → `dilation`), else the one sharing the longest start.
    public static func nearest(to word: String, in known: [String]) -> String? {
        let lower = word.lowercased()
        if let prefixed = known.first(where: { $0.lowercased().hasPrefix(lower) && lower.count >= 2 }) { return prefixed }
        let scored = known.map { ($0, editDistance(lower, $0.lowercased())) }.filter { $0.1 <= 2 }
        if let close = scored.min(by: { $0.1 < $1.1 }) { return close.0 }
        // Else the one sharing the longest start, of three letters or more (`padding` → `pads`).
        let shared = known.map { ($0, zip(lower, $0.lowercased()).prefix { $0 == $1 }.count) }.filter { $0.1 >= 3 }
        return shared.max { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance over characters.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
