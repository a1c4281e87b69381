import ModelIR

/// Several probes as one model, so a worker builds and runs them in one request (group testing): a compiling
/// framework pays its per-model cost (JAX's jit, MindSpore's graph build) once per group instead of once per
/// probe. The probes stay disjoint side by side: each one's nodes, inputs and weights are renamed with its own
/// prefix (`p17_`), and every probe's outputs are outputs of the group. If the group runs, every probe in it
/// does; if not, `ProbeBisection` splits it. A group of one is the probe itself, untouched, so a probe's
/// failure reads exactly as it would alone.
public struct ProbeGroup: Sendable {
    public var probes: [CapabilityProbe]
    public var graph: Graph
    public var weights: WeightStore
    public var inputs: [String: Tensor]

    /// Merges `probes` (at least one). Throws only if the merged graph is not valid IR, which renaming valid
    /// probes apart cannot cause (a test merges the whole suite).
    public init(_ probes: [CapabilityProbe]) throws(ValidityError) {
        precondition(!probes.isEmpty, "an empty probe group")
        self.probes = probes
        if probes.count == 1 {
            graph = probes[0].graph
            weights = probes[0].weights
            inputs = probes[0].inputs
            return
        }
        var inputNodes: [Node] = [], opNodes: [Node] = [], outputs: [ValueRef] = []
        var weights: WeightStore = [:], inputs: [String: Tensor] = [:]
        for (i, probe) in probes.enumerated() {
            let prefix = Self.prefix(i)
            for var node in probe.graph.nodes {
                node.name = prefix + node.name
                node.inputs = node.inputs.map { ValueRef(prefix + $0.node, $0.output) }
                if node.op == .input { inputNodes.append(node) } else { opNodes.append(node) }
            }
            outputs += probe.graph.outputs.map { ValueRef(prefix + $0.node, $0.output) }
            // Weight keys are `<node>.<weight>` and input keys are Input node names: both follow the prefix.
            for (key, tensor) in probe.weights { weights[prefix + key] = tensor }
            for (key, tensor) in probe.inputs { inputs[prefix + key] = tensor }
        }
        // Named after its probes, so a worker's log (and the test fault worker) can tell what the group holds.
        let merged = Graph(name: probes.map(\.graph.name).joined(separator: Self.nameSeparator), nodes: inputNodes + opNodes, outputs: outputs)
        graph = try merged.inferred()
        self.weights = weights
        self.inputs = inputs
    }

    /// Separates the probe graph names in a group's name.
    public static let nameSeparator = "+"

    /// The prefix of the `index`th probe's names.
    public static func prefix(_ index: Int) -> String { "p\(index)_" }

    /// The request a worker gets: what a single probe's request asks (`CapabilityProbe.request`), with a
    /// timeout that grows with the group (`timeout(for:single:)`).
    public func request(timeout single: Double) -> ExecutionRequest {
        var r = probes[0].request(timeout: Self.timeout(for: probes.count, single: single))
        r.graph = graph
        r.weights = weights
        r.inputs = inputs
        return r
    }

    /// How many probes share one extra `single` timeout: a group of n gets `single × (1 + (n − 1) / 50)`.
    /// The slowest group, JAX's XLA compile of about 60 probes, takes 4-5 s on 2 busy cores, far inside its
    /// 2.2 single timeouts; a hang still costs only a few minutes while bisection narrows it down.
    static let probesPerExtraTimeout = 50.0

    public static func timeout(for count: Int, single: Double) -> Double {
        single * (1 + Double(max(0, count - 1)) / probesPerExtraTimeout)
    }
}
