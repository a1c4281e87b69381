import Foundation
import ModelIR
import Testing
@testable import Workers

/// Group testing finds exactly the probes that fail alone, in few requests when failures are rare and in
/// about one request per probe when they are dense; a failure only a large group shows costs nothing.
@Suite struct ProbeBisectionTests {
    /// A fake worker: a group fails when `fails` says so; records the group sizes it was sent.
    final class Fake {
        var sizes: [Int] = []
        let fails: (Set<String>) -> Bool
        init(_ fails: @escaping (Set<String>) -> Bool) { self.fails = fails }
        func send(_ probes: [CapabilityProbe]) -> ExecutionResult {
            sizes.append(probes.count)
            let failed = fails(Set(probes.map(\.feature.key)))
            return ExecutionResult(framework: "fake", status: failed ? .error : .ok, stage: failed ? "build" : nil,
                                   message: failed ? "no: \(probes.map(\.feature.key).joined(separator: ","))" : nil)
        }
        func run(_ probes: [CapabilityProbe]) -> [(CapabilityProbe, ExecutionResult)] {
            ProbeBisection.failures(probes) { (group: [CapabilityProbe]) -> ExecutionResult in self.send(group) }
        }
    }

    static let probes = Array(CapabilityProbe.suite.prefix(64))

    @Test func allPassingIsOneRequest() {
        let fake = Fake { _ in false }
        #expect(fake.run(Self.probes).isEmpty)
        #expect(fake.sizes == [64])
    }

    @Test func aFirstFailureIsNoDensity() {
        let bad = Self.probes[0].feature.key
        let fake = Fake { $0.contains(bad) }
        #expect(fake.run(Self.probes).map(\.0.feature.key) == [bad])
        #expect(fake.sizes.count <= 2 * 6 + 2, "\(fake.sizes)")
    }

    @Test func rareFailuresAreFoundInFewRequests() {
        let bad: Set<String> = [Self.probes[5].feature.key, Self.probes[40].feature.key]
        let fake = Fake { !$0.isDisjoint(with: bad) }
        let found = fake.run(Self.probes)
        #expect(found.map(\.0.feature.key) == [Self.probes[5].feature.key, Self.probes[40].feature.key])
        // Each failure's reason comes from its own request, sent alone.
        #expect(found.allSatisfy { $0.1.message == "no: \($0.0.feature.key)" })
        #expect(fake.sizes.count <= 2 * 2 * 6 + 1, "\(fake.sizes)")
        #expect(fake.sizes.filter { $0 == 1 }.count <= 4)
    }

    @Test func aSingleCrashIsNotSentAgainAsAKnownFailingHalf() {
        let bad = Self.probes[63].feature.key
        let fake = Fake { $0.contains(bad) }
        #expect(fake.run(Self.probes).map(\.0.feature.key) == [bad])
        // 64, then each level's first half passes and the second is split unsent: 32, 16, 8, 4, 2, 1, 1.
        #expect(fake.sizes == [64, 32, 16, 8, 4, 2, 1, 1], "\(fake.sizes)")
    }

    @Test func denseFailuresCostAboutOneRequestPerProbe() {
        let fake = Fake { !$0.isEmpty }
        #expect(fake.run(Self.probes).count == 64)
        // Halving alone would take 127 requests (every node of the tree).
        #expect(fake.sizes.count <= 64 + 12, "\(fake.sizes)")
    }

    @Test func aFailureOnlyTheWholeGroupShowsFindsNothing() {
        let a = Self.probes[3].feature.key, b = Self.probes[50].feature.key
        let fake = Fake { $0.contains(a) && $0.contains(b) }
        #expect(fake.run(Self.probes).isEmpty)
        #expect(fake.sizes.count <= 2 * 6 + 1, "\(fake.sizes)")
    }

    /// Only refusals and build/run errors are gaps; crashes, hangs and memory blow-ups are suspects.
    @Test func onlyRefusalsAndErrorsAreGaps() {
        for status in [ExecutionResult.Status.unsupported, .error] {
            #expect(Worker.isGap(ExecutionResult(framework: "x", status: status)), "\(status)")
        }
        for status in [ExecutionResult.Status.crash, .timeout, .memory] {
            #expect(!Worker.isGap(ExecutionResult(framework: "x", status: status)), "\(status)")
        }
    }

    /// Phase batches: each probed dtype (f16, bf16, f64) apart, suite order kept inside each.
    @Test func dtypeVariantsGoInTheirOwnBatches() {
        let variants = CapabilityProbe.suite.filter { $0.feature.attribute != nil }
        let batches = Worker.probeBatches(variants)
        #expect(batches.count == 4)
        #expect(batches[0].allSatisfy { $0.feature.attribute != "dtype" })
        #expect(batches[1].allSatisfy { $0.feature.value == "f16" } && batches[2].allSatisfy { $0.feature.value == "bf16" }
                && batches[3].allSatisfy { $0.feature.value == "f64" })
        #expect(batches.flatMap { $0 }.map(\.feature.key).sorted() == variants.map(\.feature.key).sorted())
        #expect(Worker.probeBatches(CapabilityProbe.suite.filter { $0.feature.attribute == nil }).count == 1)
    }
}
