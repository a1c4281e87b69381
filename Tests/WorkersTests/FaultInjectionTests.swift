import Foundation
import Oracles
import Taxonomy
import Testing
import Workers

/// Every oracle end-to-end against real processes: the fault-injection worker (real protocol, PyTorch
/// underneath) misbehaves on demand next to real PyTorch and ONNX Runtime workers; each fault is caught,
/// classified through fuzz-mapping.yaml, and the run goes on.
@Suite(.serialized) struct FaultInjectionTests {
    let frameworks = ["pytorch", "onnxruntime", "faulty"]

    func diff(_ model: String, from seed: String = "lenet5", repeats: Int = 3, timeout: Double = 60, memoryMB: Double? = 8192,
              baseline: [String: ExecutionResult]? = nil, perNode: Bool = false) throws -> DiffRunner.Run {
        var options = DiffOptions(frameworks: frameworks)
        options.perNode = perNode
        options.repeats = repeats
        options.timeout = timeout
        options.memoryLimitMB = memoryMB
        let subject = Fixtures.renamed(try Fixtures.prepared(seed), model)
        return try DiffRunner(pool: Fixtures.faultPool, mapping: try Fixtures.mapping()).run(subject, options, baseline: baseline)
    }

    func only(_ run: DiffRunner.Run) throws -> Finding {
        #expect(run.report.findings.count == 1, "\(run.report.findings.map { "\($0.taxonomy) \($0.symptom) \($0.detail)" })")
        return try #require(run.report.findings.first)
    }

    /// The worker recovers: the next, healthy model runs in a fresh process.
    func expectRecovers() throws {
        let run = try diff("healthy-model")
        #expect(run.results["faulty"]?.status == .ok)
        #expect(run.report.findings.isEmpty, "\(run.report.findings.map(\.detail))")
    }

    @Test func segfaultIsACrashAtExecution() throws {
        let run = try diff("segv-model")
        let r = try #require(run.results["faulty"])
        #expect(r.status == .crash && r.signal == SIGSEGV && r.stage == "execute")
        // The dying worker's Python stack reached the driver (faulthandler), innermost frame first.
        let frames = FaultTrace.frames(r.stderrTail ?? "")
        #expect(frames.first?.function == "at_stage" && frames.contains { $0.function == "run" }, "\(r.stderrTail ?? "")")
        #expect(run.results["pytorch"]?.status == .ok)
        let f = try only(run)
        #expect(f.taxonomy == "G2" && f.symptom == "crash" && f.frameworks == ["faulty"])
        try expectRecovers()
    }

    /// A crash inside an op's builder names the op (the innermost `op_<Op>` frame of the dump).
    @Test func aCrashNamesTheOpWhoseBuilderRan() {
        let tail = """
            UserWarning: something
            Fatal Python error: Segmentation fault

            Current thread 0x00007f1c2a4b5740 (most recent call first):
              File "/venv/lib/python3.11/site-packages/torch/nn/functional.py", line 2450 in batch_norm
              File "/scripts/generic.py", line 131 in op_BatchNorm
              File "/scripts/generic.py", line 27 in apply
              File "/scripts/eager.py", line 45 in _forward

            Extension modules: numpy.core._multiarray_umath (total: 3)
            """
        #expect(FaultTrace.failingOp(tail) == "BatchNorm")
        #expect(FaultTrace.summary(tail, limit: 2) == "batch_norm (functional.py) < op_BatchNorm (generic.py)")
        #expect(FaultTrace.frames("killed, no dump").isEmpty && FaultTrace.failingOp("") == nil)
    }

    /// 270 KB of warnings between the stage announcement and the crash: the stage is still known.
    @Test func aCrashAfterAFloodOfWarningsKeepsItsStage() throws {
        let run = try diff("chatty-segv-model")
        let r = try #require(run.results["faulty"])
        #expect(r.status == .crash && r.signal == SIGSEGV && r.stage == "execute", "\(r.stage ?? "-")")
        #expect(try only(run).taxonomy == "G2")
        try expectRecovers()
    }

    @Test func abortWhileBuildingIsG1() throws {
        let run = try diff("abort-model")
        let r = try #require(run.results["faulty"])
        #expect(r.status == .crash && r.signal == SIGABRT && r.stage == "build")
        #expect(try only(run).taxonomy == "G1")
        try expectRecovers()
    }

    @Test func exceptionInSomeFrameworksIsG2() throws {
        let run = try diff("raise-model")
        let r = try #require(run.results["faulty"])
        #expect(r.status == .error && r.stage == "execute" && (r.message ?? "").contains("injected"))
        let f = try only(run)
        #expect(f.taxonomy == "G2" && f.symptom == "error")
    }

    @Test func hangIsKilledAndFiledB3() throws {
        let start = Date()
        let run = try diff("hang-model", timeout: 3)
        #expect(Date().timeIntervalSince(start) < 60)
        let r = try #require(run.results["faulty"])
        #expect(r.status == .timeout && r.stage == "execute")
        let f = try only(run)
        #expect(f.taxonomy == "B3" && f.symptom == "hang")
        try expectRecovers()
    }

    @Test func leakIsMemoryGrowthB1() throws {
        let run = try diff("leak-model", repeats: 5)
        #expect(run.results["faulty"]?.status == .ok)
        let f = try only(run)
        #expect(f.taxonomy == "B1" && f.symptom == "memory_growth" && f.frameworks == ["faulty"])
    }

    /// A run that peaks and frees again (no growth left behind) is caught by its peak during the timed
    /// repeats, read through the worker's cheap high-water mark.
    @Test func transientPeakIsMemoryB1() throws {
        let run = try diff("spike-model")
        let r = try #require(run.results["faulty"])
        #expect(r.status == .ok)
        #expect((r.steadyPeakMB ?? 0) - (r.steadyBaseMB ?? 0) >= 500, "\(r.steadyBaseMB ?? -1) → \(r.steadyPeakMB ?? -1)")
        #expect((r.rssSeriesMB.last ?? 0) - (r.rssSeriesMB.first ?? 0) < 100)
        let f = try only(run)
        #expect(f.taxonomy == "B1" && f.symptom == "memory_growth" && f.frameworks == ["faulty"] && f.detail.contains("peak"))
    }

    @Test func memoryLimitIsAllocationFailureB1() throws {
        let run = try diff("oom-model", memoryMB: 1500)
        let r = try #require(run.results["faulty"])
        #expect(r.status == .memory)
        let f = try only(run)
        #expect(f.taxonomy == "B1" && f.symptom == "memory_failure")
        try expectRecovers()
    }

    @Test func slowdownAgainstItsSeedIsE1() throws {
        let seed = try diff("healthy-model", repeats: 7)
        #expect(seed.report.findings.isEmpty)
        let run = try diff("slow-model", repeats: 7, baseline: seed.results)
        let f = try only(run)
        #expect(f.taxonomy == "E1" && f.symptom == "slowdown" && f.frameworks == ["faulty"])
    }

    /// One op slow: with per-node results asked for, every framework times each node, and the finding names the
    /// node whose share of the slow framework's time is out of line with the others'.
    @Test func slowOpIsE1LocalizedByTheProfiles() throws {
        let seed = try diff("healthy-model", repeats: 7)
        let run = try diff("slowop-model", repeats: 7, baseline: seed.results, perNode: true)
        let f = try only(run)
        #expect(f.taxonomy == "E1" && f.frameworks == ["faulty"] && f.node == "dense_1", "\(f.detail)")
        #expect(f.detail.contains("dense_1 takes"), "\(f.detail)")
        let lenet = try Fixtures.prepared("lenet5").graph.nodes.filter { $0.op != .input }.map(\.name)
        // The eager path times every node; ONNX Runtime's profiler names the kernels after the IR nodes (a
        // fused kernel keeps its first node's name, so some nodes may be missing, none unknown).
        #expect(Set(run.results["pytorch"]?.nodeMs.keys ?? [:].keys) == Set(lenet))
        let ort = run.results["onnxruntime"]?.nodeMs ?? [:]
        #expect(!ort.isEmpty && Set(ort.keys).isSubset(of: Set(lenet)) && ort.values.allSatisfy { $0 >= 0 }, "\(ort)")
        // Without a baseline nothing is profiled (a slowdown cannot be judged there).
        #expect(try diff("healthy-model", perNode: true).results["pytorch"]?.nodeMs.isEmpty == true)
    }

    /// The same through `diff --baseline`'s path: the seed before and after the model, the model timed twice, every
    /// node timed on both; the node whose time grew most over the seed's is named.
    @Test func againstItsSeedTheGrownNodeIsNamed() throws {
        var options = DiffOptions(frameworks: frameworks)
        options.repeats = 7
        options.perNode = true
        let runner = DiffRunner(pool: Fixtures.faultPool, mapping: try Fixtures.mapping())
        let seed = Fixtures.renamed(try Fixtures.prepared("lenet5"), "healthy-model")
        let model = Fixtures.renamed(try Fixtures.prepared("lenet5"), "slowop-model")
        #expect(DiffRunner.couldBeSeed(seed.graph, of: model.graph))
        let reports = try runner.run([(model, options)], against: seed)
        let f = try #require(reports.first?.findings.first { $0.symptom == "slowdown" })
        #expect(f.frameworks == ["faulty"] && f.node == "dense_1" && f.detail.contains("on the seed"), "\(f.detail)")
        #expect(reports.first?.frameworks.allSatisfy { $0.seedTimeMs != nil && $0.nodeMs != nil } == true)
    }

    @Test func corruptedOpIsF1LocalizedToIt() throws {
        let run = try diff("corrupt-model")
        let f = try only(run)
        #expect(f.taxonomy == "F1" && f.symptom == "inconsistency" && f.frameworks == ["faulty"])
        #expect(f.node == "conv2d_1")
    }

    @Test func nanInOneFrameworkIsF2() throws {
        let run = try diff("nan-model")
        let f = try only(run)
        #expect(f.taxonomy == "F2" && f.symptom == "nan_inf" && f.frameworks == ["faulty"] && f.node == "dense_1")
        #expect(f.detail.contains("finite answer exists"))
        #expect(run.report.frameworks.first { $0.name == "faulty" }?.status == "nan")
    }
}
