import ModelIR

/// Which node a deviation starts at: what turns "the outputs differ" into a defect a framework developer can
/// act on (an op and its attributes). Both rules walk the graph in order, so the first culprit wins over the
/// nodes it poisons downstream.
public enum NodeLocalization {
    /// The first node (graph order) that diverges while none of its inputs does: the study's layer-wise
    /// localization, with the float64 run as the other side. `diverges` answers nil for a node without
    /// comparable values; such a node is skipped and does not taint its consumers. A diverging node whose
    /// input diverged only inherited the error, so it is marked and the walk goes on.
    public static func firstDiverging(in graph: Graph, diverges: (Node) -> Bool?) -> Node? {
        var bad = Set<String>()
        for node in graph.nodes {
            guard diverges(node) == true else { continue }
            if !node.inputs.contains(where: { bad.contains($0.node) }) { return node }
            bad.insert(node.name)
        }
        return nil
    }

    /// LEMON's change-rate rule (the diff's localization, which has every node's deviation as a number): the
    /// first node whose deviation D_i jumps over its inputs' largest one, R_i = |D_i − D_pre| / (D_pre + 1e-7)
    /// > `changeRate`; else the node with the largest jump. Nodes deviating by `floor` or less are rounding
    /// noise and never the culprit, and so are nodes whose deviation relative to their own magnitude
    /// (`relative`) is `relativeFloor` or less: float32 rounding on outputs near 1e3 is 1e-4 absolute, which
    /// over a first layer's zero predecessor is a spike of 1e3 and blamed that layer for any later defect.
    public static func firstChangeRateSpike(in graph: Graph, deviations: [String: Double], changeRate: Double, floor: Double,
                                            relative: [String: Double]? = nil, relativeFloor: Double = 0) -> String? {
        changeRateLocation(in: graph, deviations: deviations, changeRate: changeRate, floor: floor, relative: relative,
                           relativeFloor: relativeFloor)?.node
    }

    /// `firstChangeRateSpike`'s node with its change rate R, and whether R passed `changeRate` (false: the
    /// largest jump, no node spiked), so a finding can say which rule named the node.
    public static func changeRateLocation(in graph: Graph, deviations: [String: Double], changeRate: Double, floor: Double,
                                          relative: [String: Double]? = nil, relativeFloor: Double = 0)
        -> (node: String, rate: Double, spiked: Bool)? {
        var best: (String, Double)?
        for node in graph.nodes where node.op != .input {
            guard let d = deviations[node.name], d > floor else { continue }
            if let relative, let rel = relative[node.name], !(rel > relativeFloor) { continue }
            let pre = node.inputs.compactMap { deviations[$0.node] }.max() ?? 0
            let r = Swift.abs(d - pre) / (pre + 1e-7)
            if r > changeRate { return (node.name, r, true) }
            if best == nil || r > best!.1 { best = (node.name, r) }
        }
        return best.map { ($0.0, $0.1, false) }
    }

    /// Where a slow framework's time goes out of line with the others: the node with the largest excess of its
    /// share of the framework's time (`profile`, ms per node) over the median share the `peers` spend on it.
    /// Shares, not milliseconds, so a framework that is slower everywhere is out of line nowhere in particular
    /// and one that is slow on one op stands out there. A node no peer timed (fused into another kernel) is
    /// judged against the peers that did; without any peer profile, the node the framework spends most on.
    /// Nil for an empty profile or when no node takes a larger share than its peers give it.
    public static func outOfLineNode(_ profile: [String: Double], peers: [[String: Double]]) -> String? {
        func shares(_ p: [String: Double]) -> [String: Double] {
            let total = p.values.filter { $0.isFinite && $0 > 0 }.reduce(0, +)
            guard total > 0 else { return [:] }
            return p.mapValues { $0.isFinite && $0 > 0 ? $0 / total : 0 }
        }
        let own = shares(profile)
        guard !own.isEmpty else { return nil }
        let others = peers.map(shares).filter { !$0.isEmpty }
        var best: (name: String, excess: Double)?
        for (name, share) in own.sorted(by: { $0.key < $1.key }) {
            let theirs = others.compactMap { $0[name] }.sorted()
            guard others.isEmpty || !theirs.isEmpty else { continue }
            let typical = theirs.isEmpty ? 0 : theirs.count % 2 == 1 ? theirs[theirs.count / 2] : (theirs[theirs.count / 2 - 1] + theirs[theirs.count / 2]) / 2
            let excess = share - typical
            if excess > 0, excess > (best?.excess ?? 0) { best = (name, excess) }
        }
        return best?.name
    }

    /// Where a framework's time grew most from its own seed: the node whose time (`profile`, ms per node) rose by
    /// the most milliseconds over the same framework's `seed` profile, a node the seed lacks counting whole (an
    /// inserted op). Nil when no node got slower.
    public static func mostGrownNode(_ profile: [String: Double], seed: [String: Double]) -> String? {
        var best: (name: String, growth: Double)?
        for (name, ms) in profile.sorted(by: { $0.key < $1.key }) where ms.isFinite {
            let growth = ms - (seed[name].flatMap { $0.isFinite ? $0 : nil } ?? 0)
            if growth > 0, growth > (best?.growth ?? 0) { best = (name, growth) }
        }
        return best?.name
    }

    /// A slowdown's node: where the framework's own time grew most from its seed when the seed was profiled
    /// too (the question the slowdown oracle asks, node by node), else where its time is most out of line
    /// with the peers' (`outOfLineNode`), which a constant difference between frameworks can also explain.
    public static func slowdownNode(_ profile: [String: Double], seed: [String: Double]?, peers: [[String: Double]]) -> String? {
        if let seed, !seed.isEmpty { return mostGrownNode(profile, seed: seed) }
        return outOfLineNode(profile, peers: peers)
    }
}
