import Foundation
import Oracles
import Testing
import Workers

/// A request's timed repeats: exactly `repeats` without a window; with one, as many more as fill it, so a small
/// model's time is a statistic over enough runs.
@Suite(.serialized) struct TimedRepeatsTests {
    func times(repeats: Int, minTimedMs: Double) throws -> [Double] {
        let subject = try Fixtures.prepared("lenet5")
        var request = ExecutionRequest(graph: subject.graph, weights: subject.weights, inputs: subject.inputs)
        request.repeats = repeats
        request.minTimedMs = minTimedMs
        let r = try Fixtures.pool.worker("pytorch").execute(request)
        #expect(r.status == .ok, "\(r.message ?? "")")
        return r.timesMs
    }

    @Test func withoutAWindowExactlyTheRepeatsAreTimed() throws {
        #expect(try times(repeats: 3, minTimedMs: 0).count == 3)
    }

    @Test func aWindowIsFilledPastTheRepeats() throws {
        let t = try times(repeats: 3, minTimedMs: 40)
        // LeNet-5 runs in well under 10 ms here: three runs cannot fill 40 ms.
        #expect(t.count > 3)
        #expect(t.reduce(0, +) >= 40 || t.count == 1000, "\(t.count) runs, \(t.reduce(0, +)) ms")
        // No run more than needed: without the last one the window was not yet full.
        #expect(t.dropLast().reduce(0, +) < 40)
    }

    @Test func diffTimesEveryFrameworkOverItsWindow() throws {
        var options = DiffOptions(frameworks: ["pytorch"])
        options.repeats = 2
        #expect(options.minTimedMs == DiffOptions.defaultMinTimedMs && options.minTimedMs > 0)
        let run = try DiffRunner(pool: Fixtures.pool, mapping: try Fixtures.mapping()).run(try Fixtures.prepared("lenet5"), options)
        let r = try #require(run.results["pytorch"])
        #expect(r.timesMs.count > 2 && r.timesMs.reduce(0, +) >= options.minTimedMs)
    }
}
