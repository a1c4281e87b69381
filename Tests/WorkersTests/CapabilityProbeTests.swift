import Foundation
import ModelIR
import Testing
@testable import Workers

/// Capabilities are probed, not declared: the probe suite is valid IR covering every op, a probe the framework
/// refuses or fails becomes a gap with its reason and the harness refuses graphs that need it, a probe that
/// crashes becomes a suspect the harness keeps sending, and probing happens once per (framework version,
/// scripts, interpreter) thanks to the cache.
@Suite(.serialized) struct CapabilityProbeTests {
    static func scratch() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-probe-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The fault worker (PyTorch underneath) with faults on three probes: Softsign raises Unsupported,
    /// Erf kills the worker, GELU's tanh form raises an ordinary error. Each also fires in any probe group
    /// holding the probe.
    static let probeFaults = "probe.Softsign=unsupported@build;probe.Erf=segfault@execute;probe.GELU.approximate.tanh=raise@build"

    static func faultSpec(cache: URL, faults: String = probeFaults) -> WorkerSpec {
        let script = Bundle.module.url(forResource: "fault_worker", withExtension: "py")!.path
        let scripts = (try? WorkerScripts.directory().path) ?? ""
        return WorkerSpec(name: "faulty-probe", interpreter: Fixtures.interpreter, script: script, arguments: [scripts, "pytorch", faults],
                          capabilityCache: CapabilityCache(directory: cache))
    }

    static func oneOp(_ op: OpKind, _ attributes: [String: AttributeValue] = [:], name: String = "one-op") throws -> ExecutionRequest {
        var b = GraphBuilder(name: name)
        let x = try b.input([1, 3, 8, 8])
        b.output(try b.add(op, [x], attributes))
        let graph = try b.graph.inferred()
        return ExecutionRequest(graph: graph, weights: WeightInitializer.initialize(graph, seed: 1),
                                inputs: InputGenerator.generate(graph, kind: .sequence, seed: 1))
    }

    /// A gap's reason is the framework's first line that says something (MindSpore's first is a rule of dashes).
    @Test func aGapsReasonSkipsARuleLine() {
        var r = ExecutionResult(framework: "mindspore", status: .error, stage: "execute",
                                message: "----------------------------------------------------\n- Kernel select failed: bf16 ELU\n----")
        r.errorType = "TypeError"
        #expect(Worker.probeReason(r) == "TypeError at execute: - Kernel select failed: bf16 ELU")
    }

    @Test func suiteIsValidIRCoveringEveryOp() throws {
        #expect(CapabilityProbe.invalid.isEmpty, "probes that break a rule or miss their feature: \(CapabilityProbe.invalid)")
        let bases = Set(CapabilityProbe.suite.filter { $0.feature.attribute == nil }.map(\.feature.op))
        #expect(bases == Set(OpKind.allCases.filter { $0 != .input }))
        for probe in CapabilityProbe.suite {
            let graph = try probe.graph.inferred()
            #expect(graph == probe.graph)
            let node = try #require(graph.node(named: "probe"))
            #expect(ProbeFeature.features(of: node).contains(probe.feature), "\(probe.feature)")
            // Tiny: the whole suite must stay quick on first start.
            #expect(graph.nodes.allSatisfy { $0.outputs.allSatisfy { $0.elementCount <= 2048 } }, "\(probe.feature)")
        }
        // Variants come after every base probe, so a missing op's variants can be skipped.
        let firstVariant = try #require(CapabilityProbe.suite.firstIndex { $0.feature.attribute != nil })
        #expect(CapabilityProbe.suite[firstVariant...].allSatisfy { $0.feature.attribute != nil })
        #expect(CapabilityProbe.suite.map(\.feature.key).count == Set(CapabilityProbe.suite.map(\.feature.key)).count)
    }

    @Test func probedSetsDecideRefusals() throws {
        let json = #"""
        {"protocol":1,"framework":"x","version":"1","ops":["Input","MaxPool2d","ReLU"],
         "unsupported_attributes":{"MaxPool2d":["dilation=dilated"]},
         "gaps":{"MaxPool2d.dilation=dilated":"MaxPool2d dilation","Softsign":"no kernel"},
         "suspects":{"ReLU":"crashed at execute: killed by signal 11 (SIGSEGV)"},
         "probe":{"probes":3,"seconds":0.5,"suite":"s"}}
        """#
        let caps = try JSONDecoder().decode(Capabilities.self, from: Data(json.utf8))
        let plain = try Self.oneOp(.maxPool2d, ["kernel": .ints([2, 2])])
        #expect(caps.refusals(plain.graph).isEmpty)
        let dilated = try Self.oneOp(.maxPool2d, ["kernel": .ints([2, 2]), "dilation": .ints([3, 3])])
        #expect(caps.refusals(dilated.graph) == ["MaxPool2d.dilation=dilated (MaxPool2d dilation)"])
        #expect(caps.refusals(try Self.oneOp(.softsign).graph) == ["Softsign (no kernel)"])
        // A suspect is kept, not refused.
        #expect(caps.suspects["ReLU"]?.contains("SIGSEGV") == true)
        #expect(caps.refusals(try Self.oneOp(.relu).graph).isEmpty)
        #expect(try JSONDecoder().decode(Capabilities.self, from: JSONEncoder().encode(caps)) == caps)
        // Entries cached before suspects existed still decode.
        #expect(try JSONDecoder().decode(Capabilities.self, from: Data(#"{"protocol":1,"framework":"x","version":"1"}"#.utf8)).suspects.isEmpty)
        // Unprobed, the declaration alone decides (ops only).
        var declared = caps
        declared.probe = nil
        #expect(declared.refusals(dilated.graph).isEmpty)
        #expect(declared.refusals(try Self.oneOp(.softsign).graph) == ["ops not supported: Softsign"])
    }

    @Test func cacheIsKeyedByVersionScriptsInterpreterAndSuite() throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = CapabilityCache(directory: dir)
        let caps = try JSONDecoder().decode(Capabilities.self, from: Data(#"{"protocol":1,"framework":"fw","version":"2.0","ops":["Input"]}"#.utf8))
        let key = CapabilityCache.Key(framework: "fw", version: "2.0", scripts: "abc", interpreter: "/py", suite: "s1")
        cache.store(caps, key: key)
        #expect(cache.lookup(key) == caps)
        for other in [CapabilityCache.Key(framework: "fw", version: "2.1", scripts: "abc", interpreter: "/py", suite: "s1"),
                      CapabilityCache.Key(framework: "fw", version: "2.0", scripts: "abd", interpreter: "/py", suite: "s1"),
                      CapabilityCache.Key(framework: "fw", version: "2.0", scripts: "abc", interpreter: "/py2", suite: "s1"),
                      CapabilityCache.Key(framework: "fw", version: "2.0", scripts: "abc", interpreter: "/py", suite: "s2")] {
            #expect(cache.lookup(other) == nil, "\(other)")
        }
        // A listing without a running worker takes the newest version seen for these scripts, while the files
        // its packages were imported from are the ones it saw.
        let package = dir.appendingPathComponent("site-packages/fw/__init__.py")
        try FileManager.default.createDirectory(at: package.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("version = '2.1'\n".utf8).write(to: package)
        var newer = caps
        newer.version = "2.1"
        newer.packageFiles = [package.path]
        let newerKey = CapabilityCache.Key(framework: "fw", version: "2.1", scripts: "abc", interpreter: "/py", suite: "s1")
        cache.store(newer, key: newerKey)
        func listed() -> String? { cache.lookup(framework: "fw", version: nil, scripts: "abc", interpreter: "/py", suite: "s1")?.version }
        #expect(listed() == "2.1")
        #expect(cache.lookup(key) == caps)
        // Reinstalled (a new file, even of the same size) or removed: the listing must start the worker.
        try FileManager.default.removeItem(at: package)
        #expect(listed() == nil)
        try Data("version = '2.2'\n".utf8).write(to: package)
        // (A fixed time: a rewrite within the clock's granularity could otherwise keep the same stamp.)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000_000)], ofItemAtPath: package.path)
        #expect(listed() == nil)
        // Started workers check the version themselves: their lookups do not depend on the files.
        #expect(cache.lookup(newerKey) == newer)
        cache.store(newer, key: newerKey)
        #expect(listed() == "2.1")
        // An entry stored before stamps existed is not trusted by a listing.
        var file = cache.load("fw")
        file.entries[0].stamps = nil
        try JSONEncoder().encode(file).write(to: cache.url(framework: "fw"))
        #expect(listed() == nil)
    }

    @Test func failingProbesBecomeGapsAndCrashesSuspects() throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let worker = Worker(spec: Self.faultSpec(cache: dir))
        defer { worker.shutdown() }
        let caps = try worker.capabilities()
        #expect(worker.probeRuns == 1)
        let summary = try #require(caps.probe)
        #expect(summary.probes > 100)
        // Merged into groups: far fewer requests than probes, even with three faults to isolate.
        #expect((summary.requests ?? .max) < summary.probes / 3, "\(summary)")
        #expect(!caps.ops.contains("Softsign"))
        #expect(caps.ops.contains("GELU") && caps.ops.contains("Conv2d"))
        #expect(caps.gaps["Softsign"]?.contains("injected: not supported at build") == true, "\(caps.gaps)")
        #expect(caps.gaps["GELU.approximate=tanh"]?.contains("injected failure at build") == true, "\(caps.gaps)")
        #expect(caps.unsupportedAttributes["GELU"] == ["approximate=tanh"])
        // The crash is a suspect, not a gap: Erf stays supported and its variants were probed.
        #expect(caps.suspects == ["Erf": caps.suspects["Erf"] ?? ""] && caps.suspects["Erf"]?.hasPrefix("crashed at execute") == true,
                "\(caps.suspects)")
        #expect(caps.gaps["Erf"] == nil && caps.ops.contains("Erf"))
        #expect(caps.gaps["Erf.dtype=f16"] == nil && caps.unsupportedAttributes["Erf"] == nil)
        // The crash restarted the worker and the probes after it went on.
        #expect(worker.starts >= 2)
        #expect(caps.ops.contains("Exp") && caps.ops.contains("Log"))
        // Probed on the real PyTorch underneath: no other gaps in its f32 ops.
        #expect(caps.gaps.keys.filter { !$0.contains(".dtype=") }.sorted() == ["GELU.approximate=tanh", "Softsign"], "\(caps.gaps)")

        // Refused without reaching the worker, the gap reported; what it supports still runs.
        let startsBefore = worker.starts
        let softsign = try worker.execute(Self.oneOp(.softsign))
        #expect(softsign.status == .unsupported && softsign.stage == "build")
        #expect(softsign.message?.contains("Softsign (injected: not supported at build)") == true, "\(softsign.message ?? "")")
        let tanh = try worker.execute(Self.oneOp(.gelu, ["approximate": .string("tanh")]))
        #expect(tanh.status == .unsupported && tanh.message?.contains("GELU.approximate=tanh") == true)
        #expect(try worker.execute(Self.oneOp(.gelu)).status == .ok)
        #expect(try worker.execute(Self.oneOp(.erf)).status == .ok)
        #expect(worker.starts == startsBefore)
        // The suspect is sent, not refused: the model that crashed the probe crashes the worker again, and
        // that crash is the result a campaign reports.
        let crashing = try worker.execute(Self.oneOp(.erf, name: "probe.Erf"))
        #expect(crashing.status == .crash && crashing.signal == SIGSEGV, "\(crashing.status) \(crashing.message ?? "")")
    }

    @Test func cacheSkipsTheSecondProbeAndChangesReprobe() throws {
        let dir = Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = Worker(spec: Self.faultSpec(cache: dir))
        let probed = try first.capabilities()
        first.shutdown()
        #expect(first.probeRuns == 1)

        // Same scripts, version and interpreter: the cache answers.
        let second = Worker(spec: Self.faultSpec(cache: dir))
        let cached = try second.capabilities()
        second.shutdown()
        #expect(second.probeRuns == 0 && second.lastProbeSeconds == nil)
        #expect(cached.gaps == probed.gaps && cached.suspects == probed.suspects && !cached.suspects.isEmpty && cached.ops == probed.ops && cached.probe == probed.probe)

        // Different worker arguments (another script behaviour): probed again.
        let changed = Worker(spec: Self.faultSpec(cache: dir, faults: "probe.Softsign=unsupported@build"))
        let changedCaps = try changed.capabilities()
        changed.shutdown()
        #expect(changed.probeRuns == 1)
        #expect(changedCaps.ops.contains("Erf") && !changedCaps.ops.contains("Softsign") && changedCaps.suspects.isEmpty)

        // The cache entry made for another framework version (or device, or versions of the packages beside
        // it) is not used.
        #expect(probed.runtimeVersion.hasPrefix("\(probed.version) on cpu (torch ") && probed.fingerprint?.contains("numpy") == true,
                "\(probed.runtimeVersion)")
        #expect(probed.packageFiles.contains { $0.hasSuffix("/torch/__init__.py") } && probed.packageFiles.allSatisfy { FileManager.default.fileExists(atPath: $0) },
                "\(probed.packageFiles)")
        let spec = Self.faultSpec(cache: dir)
        let cache = CapabilityCache(directory: dir)
        let url = cache.url(framework: spec.name)
        var file = cache.load(spec.name)
        #expect(file.entries.map(\.key.version).contains(probed.runtimeVersion))
        for i in file.entries.indices { file.entries[i].key.version = "\(probed.version) on cpu (torch 0.0-older)" }
        try JSONEncoder().encode(file).write(to: url)
        #expect(cache.lookup(framework: spec.name, version: probed.runtimeVersion, scripts: spec.scriptHash, interpreter: spec.interpreter,
                             suite: CapabilityProbe.suiteHash) == nil)
        let upgraded = Worker(spec: spec)
        _ = try upgraded.capabilities()
        #expect(upgraded.probeRuns == 1)
        // A refresh probes even when cached.
        _ = try upgraded.capabilities(reprobe: true)
        #expect(upgraded.probeRuns == 2)
        upgraded.shutdown()
    }

    /// A real gap: TensorFlow's CPU max-pool has no dilation (the backend raises Unsupported), PyTorch's does.
    @Test func tensorflowLacksDilatedMaxPool() throws {
        let tf = try Fixtures.pool.worker("tensorflow")
        let caps = try tf.capabilities()
        #expect(caps.probe != nil)
        #expect(caps.unsupportedAttributes["MaxPool2d"]?.contains("dilation=dilated") == true, "\(caps.unsupportedAttributes)")
        #expect(caps.gaps["MaxPool2d.dilation=dilated"]?.contains("dilation") == true)
        let request = try Self.oneOp(.maxPool2d, ["kernel": .ints([2, 2]), "dilation": .ints([2, 2])])
        let refused = try tf.execute(request)
        #expect(refused.status == .unsupported && refused.message?.contains("MaxPool2d.dilation=dilated") == true)
        #expect(try Fixtures.pool.worker("pytorch").execute(request).status == .ok)
        #expect(try tf.execute(Self.oneOp(.maxPool2d, ["kernel": .ints([2, 2])])).status == .ok)
    }

    /// ONNX Runtime has no float64 AveragePool kernel: a declared gap (the graph is refused as unsupported), not a
    /// build error filed as a G1 defect on every f64 mutant, as it was while only f16/bf16 were probed.
    @Test func onnxRuntimeDeclaresItsFloat64Gaps() throws {
        let ort = try Fixtures.pool.worker("onnxruntime")
        let caps = try ort.capabilities()
        #expect(caps.gaps["AvgPool2d.dtype=f64"] != nil, "\(caps.gaps.keys.sorted())")
        var b = GraphBuilder(name: "f64-pool")
        let x = try b.input([1, 3, 8, 8], dtype: .f64)
        b.output(try b.add(.avgPool2d, [x], ["kernel": .ints([2, 2])]))
        let graph = try b.graph.inferred()
        #expect(ProbeFeature.features(of: graph).map(\.key).contains("AvgPool2d.dtype=f64"))
        let request = ExecutionRequest(graph: graph, weights: [:], inputs: InputGenerator.generate(graph, kind: .sequence, seed: 1))
        let refused = try ort.execute(request)
        #expect(refused.status == .unsupported && refused.message?.contains("AvgPool2d.dtype=f64") == true, "\(refused.status) \(refused.message ?? "")")
    }

    /// JAX runs with x64 off: its f64 layers would be float32 judged as f64, so f64 is a declared gap, and a
    /// graph with one is refused as unsupported rather than run.
    @Test func jaxDeclaresFloat64AsAGap() throws {
        let jax = try Fixtures.pool.worker("jax")
        let caps = try jax.capabilities()
        #expect(caps.gaps["Exp.dtype=f64"]?.contains("x64") == true, "\(caps.gaps.keys.sorted().prefix(20))")
        var b = GraphBuilder(name: "f64-exp")
        let x = try b.input([1, 4], dtype: .f64)
        b.output(try b.add(.exp, [x]))
        let graph = try b.graph.inferred()
        let result = try jax.execute(ExecutionRequest(graph: graph, weights: [:], inputs: InputGenerator.generate(graph, kind: .sequence, seed: 1)))
        #expect(result.status == .unsupported, "\(result.status) \(result.message ?? "")")
    }

    /// No seed model loses a framework to probing: every zoo graph passes every framework's probed sets.
    @Test func everyZooSeedIsAcceptedByEveryFramework() throws {
        let started = Fixtures.pool.start(FrameworkKind.all)
        for fw in FrameworkKind.all {
            let caps = try #require(try started[fw]?.get())
            #expect(caps.probe != nil, "\(fw) was not probed")
            for entry in ModelZoo.entries {
                let graph = try entry.build(entry.defaults)
                #expect(caps.refusals(graph).isEmpty, "\(fw) refuses \(entry.name): \(caps.refusals(graph))")
            }
        }
    }
}
