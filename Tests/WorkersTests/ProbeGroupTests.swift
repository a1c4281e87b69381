import Foundation
import ModelIR
import Testing
@testable import Workers

/// Merged probes are the probes side by side: valid IR, every name renamed apart, and the same outputs as
/// the probes run alone.
@Suite struct ProbeGroupTests {
    @Test func wholeSuiteMergesIntoValidIR() throws {
        let suite = CapabilityProbe.suite
        let group = try ProbeGroup(suite)
        #expect(try group.graph.inferred() == group.graph)
        #expect(group.graph.nodes.count == suite.reduce(0) { $0 + $1.graph.nodes.count })
        #expect(group.graph.outputs.count == suite.reduce(0) { $0 + $1.graph.outputs.count })
        #expect(group.graph.name == suite.map(\.graph.name).joined(separator: "+"))
        // Inputs first, then each probe's nodes under its own prefix.
        let firstOp = try #require(group.graph.nodes.firstIndex { $0.op != .input })
        #expect(group.graph.nodes[firstOp...].allSatisfy { $0.op != .input })
        for (i, probe) in suite.enumerated() {
            let prefix = ProbeGroup.prefix(i)
            for node in probe.graph.nodes {
                let merged = try #require(group.graph.node(named: prefix + node.name), "\(prefix + node.name)")
                #expect(merged.op == node.op && merged.attributes == node.attributes && merged.outputs == node.outputs)
                #expect(merged.inputs == node.inputs.map { ValueRef(prefix + $0.node, $0.output) })
                for w in node.weights { #expect(group.weights[merged.weightKey(w.name)] == probe.weights[node.weightKey(w.name)]) }
            }
            for (name, tensor) in probe.inputs { #expect(group.inputs[prefix + name] == tensor) }
        }
        // Nothing left over: exactly the merged graph's weights and inputs.
        #expect(Set(group.weights.keys) == Set(group.graph.nodes.flatMap { n in n.weights.map { n.weightKey($0.name) } }))
        #expect(Set(group.inputs.keys) == Set(group.graph.inputNodes.map(\.name)))
    }

    @Test func aGroupOfOneIsTheProbeItself() throws {
        let probe = try #require(CapabilityProbe.suite.first { $0.feature.attribute != nil })
        let group = try ProbeGroup([probe])
        #expect(group.graph == probe.graph && group.weights == probe.weights && group.inputs == probe.inputs)
        #expect(group.request(timeout: 7).timeout == 7)
        #expect(ProbeGroup.timeout(for: 51, single: 10) == 20)
    }

    /// Run on PyTorch, the merged base probes give every probe's outputs, in order, as each gives alone.
    @Test func mergedOutputsAreEachProbesOutputs() throws {
        let worker = try Fixtures.pool.worker("pytorch")
        let probes = CapabilityProbe.suite.filter { $0.feature.attribute == nil }
        let merged = try worker.execute(try ProbeGroup(probes).request(timeout: 120))
        #expect(merged.status == .ok, "\(merged.message ?? "")")
        var k = 0
        for probe in probes {
            let alone = try worker.execute(probe.request(timeout: 60))
            #expect(alone.status == .ok, "\(probe.feature): \(alone.message ?? "")")
            for j in probe.graph.outputs.indices {
                let a = try #require(alone.outputs["output:\(j)"]), m = try #require(merged.outputs["output:\(k)"])
                #expect(a.shape == m.shape && a.dtype == m.dtype, "\(probe.feature)")
                #expect(zip(a.doubles, m.doubles).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) || ($0.isNaN && $1.isNaN) },
                        "\(probe.feature) output \(j)")
                k += 1
            }
        }
        #expect(k == merged.outputs.keys.filter { $0.hasPrefix("output:") }.count)
    }
}
