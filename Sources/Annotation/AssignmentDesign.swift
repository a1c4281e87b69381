/// How a sample's items are spread over annotators (the balanced designs in the agreement reference).
public enum AssignmentDesign: Sendable, Equatable, CustomStringConvertible {
    /// Every item to every annotator.
    case all
    /// Every pair of annotators gets an equal share of the items: each item labelled twice.
    case pairs
    /// Blocks of three from a balanced incomplete block design: each item labelled three times, every pair
    /// of annotators shares the same number of blocks, so majority votes exist and pairwise overlap is even.
    case triples
    /// The first N items (after shuffling) to all annotators (for agreement), the rest once each.
    case core(Int)

    public init?(parsing text: String) {
        switch text {
        case "all": self = .all
        case "pairs": self = .pairs
        case "triples": self = .triples
        default:
            guard text.hasPrefix("core:"), let n = Int(text.dropFirst(5)), n >= 0 else { return nil }
            self = .core(n)
        }
    }

    public var description: String {
        switch self {
        case .all: "all"
        case .pairs: "pairs"
        case .triples: "triples"
        case .core(let n): "core:\(n)"
        }
    }

    /// The BIBD(6,3,2) from the reference: 10 blocks, each annotator in 5, each pair together in 2.
    public static let bibd6x3: [[Int]] = [
        [0, 1, 2], [0, 1, 3], [0, 2, 4], [0, 3, 5], [0, 4, 5],
        [1, 2, 5], [1, 3, 4], [1, 4, 5], [2, 3, 4], [2, 3, 5],
    ]

    /// The groups of annotator indices that items are dealt to in turn.
    public func blocks(annotatorCount m: Int) throws -> [[Int]] {
        switch self {
        case .all:
            guard m >= 1 else { throw AnnotationError(.invalid, "the 'all' design needs at least one annotator") }
            return [Array(0..<m)]
        case .pairs:
            guard m >= 2 else { throw AnnotationError(.invalid, "the 'pairs' design needs at least two annotators") }
            // Every pair once, in the rounds of a round-robin tournament (the circle method): each round pairs
            // everyone once (one sits out when m is odd), so items that stop part-way through the pairs still
            // spread evenly — lexicographic order could not finish a round and left loads 3, 2, 2, 2, 2, 1.
            let n = m % 2 == 0 ? m : m + 1
            var blocks: [[Int]] = []
            for round in 0..<(n - 1) {
                var pairs = [(n - 1, round)]
                for k in 1..<(n / 2) { pairs.append(((round + k) % (n - 1), (round - k + n - 1) % (n - 1))) }
                for (a, b) in pairs where a < m && b < m { blocks.append([Swift.min(a, b), Swift.max(a, b)]) }
            }
            return blocks
        case .triples:
            guard m >= 3 else { throw AnnotationError(.invalid, "the 'triples' design needs at least three annotators") }
            if m == 6 { return Self.bibd6x3 }
            // All triples is a BIBD for any m (λ = m − 2): balanced, if larger than a minimal design.
            var blocks: [[Int]] = []
            for a in 0..<m { for b in (a + 1)..<m { for c in (b + 1)..<m { blocks.append([a, b, c]) } } }
            return blocks
        case .core:
            guard m >= 1 else { throw AnnotationError(.invalid, "the 'core' design needs at least one annotator") }
            return (0..<m).map { [$0] }
        }
    }

    /// Which annotators (indices) label each item, items given in their shuffled order. Items are dealt to
    /// blocks in cycles, each block once per cycle (block loads differ by at most one), and within a cycle to
    /// the unused block whose annotators have the least work so far: when the items run out mid-cycle the last
    /// ones spread over everyone, not over the blocks listed first (which all hold the first annotator).
    public func deal(itemCount n: Int, annotatorCount m: Int) throws -> [[Int]] {
        let blocks = try blocks(annotatorCount: m)
        var result: [[Int]] = []
        result.reserveCapacity(n)
        var coreSize = 0
        if case .core(let size) = self {
            // A core larger than the sample is every item labelled by everyone: say so rather than quietly act as 'all'.
            guard size <= n else {
                throw AnnotationError(.invalid, "core:\(size) asks for more shared items than the sample's \(n); use core:\(n) or the 'all' design")
            }
            coreSize = size
        }
        var load = [Int](repeating: 0, count: m)
        var unused = [Bool](repeating: true, count: blocks.count), left = 0
        for i in 0..<n {
            if i < coreSize { result.append(Array(0..<m)); continue }
            if left == 0 { unused = unused.map { _ in true }; left = blocks.count }
            var best = -1, bestKey = (Int.max, Int.max)
            for (b, members) in blocks.enumerated() where unused[b] {
                let key = (members.map { load[$0] }.max() ?? 0, members.reduce(0) { $0 + load[$1] })
                if key < bestKey { best = b; bestKey = key }
            }
            unused[best] = false
            left -= 1
            for a in blocks[best] { load[a] += 1 }
            result.append(blocks[best])
        }
        return result
    }
}
