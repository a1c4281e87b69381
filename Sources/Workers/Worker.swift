import Foundation
import ModelIR

/// One long-lived worker process for one framework. Requests are serialized; a worker that crashes, hangs or
/// outgrows its memory limit is killed, the event becomes the request's result, and the next request starts a
/// fresh process. The Swift side survives anything the worker does.
public final class Worker: @unchecked Sendable {
    public let spec: WorkerSpec
    private let lock = NSLock()
    private var process: WorkerProcess?
    private var hello: Capabilities?
    /// How many times the process was (re)started.
    public private(set) var starts = 0
    /// Seconds the last start-up (spawn + import + handshake) took.
    public private(set) var lastStartSeconds: Double = 0

    public init(spec: WorkerSpec) {
        self.spec = spec
    }

    deinit { process?.kill() }

    /// Seconds the last probe suite took; nil when this worker's capabilities came from the cache or were
    /// never probed.
    public private(set) var lastProbeSeconds: Double?
    /// How many times this worker ran the probe suite (once per framework version, or never when cached).
    public private(set) var probeRuns = 0
    /// The probed capabilities of this process's framework version: a restarted process reuses them.
    private var probed: Capabilities?
    private var forceProbe = false
    /// The live process's handshake (read once per process).
    private var declared: Capabilities?

    /// Starts the process if needed and returns its capabilities: the handshake, with the probed ops and
    /// attributes when the spec has a capability cache (probed on the first start of a version, cached
    /// after). `reprobe` ignores what is cached and probes again.
    public func capabilities(reprobe: Bool = false) throws(WorkerError) -> Capabilities {
        lock.lock(); defer { lock.unlock() }
        if reprobe {
            forceProbe = true
            probed = nil
            hello = nil
        }
        return try ensureStarted()
    }

    /// Spawns without waiting for the handshake, so several frameworks import in parallel.
    public func prestart() {
        lock.lock(); defer { lock.unlock() }
        if process == nil { try? spawn() }
    }

    private var spawnedAt = Date()
    /// The weights the live process holds from its last request: tensors unchanged since (a mutant keeps most
    /// of its parent's; a training request follows an inference one) travel by name only. Compared by value,
    /// which is one pointer comparison for tensors that share storage.
    private var heldWeights: WeightStore = [:]
    /// Where this worker's requests are laid out when they go through the pipe; reused, so its pages stay mapped.
    private let sendBuffer = SendBuffer()
    /// The live process's shared payload memory (a new set per process: the files are unlinked once mapped).
    private var payloadSlots = PayloadSlots()
    /// The slot each held weight came in, for those that came through one (`PayloadSlots`).
    private var heldSlots: [String: Int] = [:]
    /// Requests whose payload went through a shared slot (tests check the path is taken).
    private(set) var requestsInSlots = 0

    private func spawn() throws(WorkerError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: spec.interpreter, isDirectory: &isFolder), isFolder.boolValue {
            throw WorkerError(.interpreterMissing, framework: spec.name, "\(spec.interpreter) is a folder, not an interpreter (a venv's is its bin/python)")
        }
        guard FileManager.default.isExecutableFile(atPath: spec.interpreter) else {
            throw WorkerError(.interpreterMissing, framework: spec.name, "\(spec.interpreter) is not an executable interpreter")
        }
        spawnedAt = Date()
        // -I: isolated from the user's Python settings (PYTHONPATH, PYTHONWARNINGS, a sitecustomize that prints,
        // user site-packages), which would change what a framework builds and the capabilities cached for it.
        process = try WorkerProcess(executable: spec.interpreter, arguments: ["-I", "-B", "-u", spec.script] + spec.arguments, environment: spec.processEnvironment)
        hello = nil
        declared = nil
        heldWeights = [:]
        heldSlots = [:]
        payloadSlots = PayloadSlots()
        starts += 1
    }

    private func ensureStarted() throws(WorkerError) -> Capabilities {
        if let hello, let process, process.isAlive { return hello }
        var caps = try handshake()
        if let cache = spec.capabilityCache { caps = try probedCapabilities(caps, cache: cache) }
        hello = caps
        return caps
    }

    /// The declared capabilities with the probed sets: this process's earlier probe, the cache, or a new
    /// probe of the suite (stored for the next start).
    private func probedCapabilities(_ declared: Capabilities, cache: CapabilityCache) throws(WorkerError) -> Capabilities {
        if let probed, probed.version == declared.version, !forceProbe { return declared.adopting(probed) }
        let key = CapabilityCache.Key(framework: spec.name, version: declared.runtimeVersion, scripts: spec.scriptHash,
                                      interpreter: spec.interpreter, suite: CapabilityProbe.suiteHash)
        if !forceProbe, let cached = cache.lookup(key) {
            probed = cached
            lastProbeSeconds = nil
            return declared.adopting(cached)
        }
        let result = try runProbes(declared)
        forceProbe = false
        probed = result
        cache.store(result, key: key)
        return result
    }

    /// Runs the probe suite as ordinary run requests, merged into groups (`ProbeGroup`, `ProbeBisection`):
    /// first every op's base probe in one group, then the attribute variants of the ops that passed in
    /// another and their dtype variants in one group per dtype (`probeBatches`), failing groups split until
    /// the failing probes stand alone. A probe the framework refuses or fails to build or run (`unsupported`,
    /// `error`) is a gap with its reason; one that crashes, hangs or outgrows its memory is a suspect and its
    /// feature stays supported (`Capabilities.suspects`). A dead worker is restarted for the next request.
    private func runProbes(_ declared: Capabilities) throws(WorkerError) -> Capabilities {
        let started = Date()
        var ops: Set<String> = [OpKind.input.rawValue], gaps: [String: String] = [:], suspects: [String: String] = [:]
        var attributes: [String: [String]] = [:]
        var requests = 0, tested = 0
        let send = { (probes: [CapabilityProbe]) throws(WorkerError) -> ExecutionResult in
            if self.process?.isAlive != true { _ = try self.handshake() }
            requests += 1
            do {
                return self.perform(try ProbeGroup(probes).request(timeout: self.spec.probeTimeout), name: self.spec.name)
            } catch {
                // Not reached for valid probes; a group that cannot merge is split like a failing one.
                return ExecutionResult(framework: self.spec.name, status: .error, stage: "merge", message: "\(error)")
            }
        }
        let suite = CapabilityProbe.suite
        for (phase, candidates) in [suite.filter { $0.feature.attribute == nil }, suite.filter { $0.feature.attribute != nil }].enumerated() {
            // Variants of an op that failed are not sent (its base gap already refuses them).
            let probes = phase == 0 ? candidates : candidates.filter { ops.contains($0.feature.op.rawValue) }
            tested += probes.count
            var failed: Set<String> = []
            for batch in Self.probeBatches(probes) {
                for (probe, result) in try ProbeBisection.failures(batch, send: send) {
                    let feature = probe.feature
                    if Self.isGap(result) {
                        failed.insert(feature.key)
                        gaps[feature.key] = Self.probeReason(result)
                        if let a = feature.attributeKey { attributes[feature.op.rawValue, default: []].append(a) }
                    } else {
                        suspects[feature.key] = Self.probeReason(result)
                    }
                }
            }
            for probe in probes where probe.feature.attribute == nil && !failed.contains(probe.feature.key) {
                ops.insert(probe.feature.op.rawValue)
            }
        }
        if process?.isAlive != true { _ = try handshake() }
        var caps = declared
        caps.ops = OpKind.allCases.map(\.rawValue).filter(ops.contains)
        caps.unsupportedAttributes = attributes.mapValues { $0.sorted() }
        caps.gaps = gaps
        caps.suspects = suspects
        let seconds = Date().timeIntervalSince(started)
        caps.probe = Capabilities.ProbeSummary(probes: tested, requests: requests, seconds: (seconds * 100).rounded() / 100,
                                               suite: CapabilityProbe.suiteHash)
        lastProbeSeconds = seconds
        probeRuns += 1
        return caps
    }

    /// A phase's probes in the batches that go out as groups, in suite order: each half-precision dtype's
    /// probes apart from the rest, because a framework without a dtype's kernels fails most of them at once
    /// (dense failures, which `ProbeBisection` then tests one by one) while everything else rarely fails.
    static func probeBatches(_ probes: [CapabilityProbe]) -> [[CapabilityProbe]] {
        var batches: [String: [CapabilityProbe]] = [:], order: [String] = []
        for probe in probes {
            let key = probe.feature.attribute == "dtype" ? "dtype=\(probe.feature.value ?? "")" : ""
            if batches[key] == nil { order.append(key) }
            batches[key, default: []].append(probe)
        }
        return order.map { batches[$0]! }
    }

    /// Whether a failed probe is a gap: the framework refused the feature or failed to build or run it. A
    /// crash, hang or memory blow-up is not: it may be the framework defect a campaign should report, or an
    /// overloaded machine, and refusing the feature for the whole version would hide either.
    static func isGap(_ r: ExecutionResult) -> Bool {
        r.status == .unsupported || r.status == .error
    }

    /// A failed probe's result in one line (a gap's or a suspect's reason): the framework's own message
    /// where it gave one.
    static func probeReason(_ r: ExecutionResult) -> String {
        // The first line that says something: MindSpore opens its errors with a rule of dashes, which was all a
        // gap's reason showed.
        let message = (r.message ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .first { line in line.contains { $0.isLetter || $0.isNumber } } ?? ""
        let stage = r.stage ?? "?"
        let text = switch r.status {
        case .unsupported: message.isEmpty ? "unsupported" : message
        case .crash: "crashed at \(stage): \(message)"
        case .timeout: "timed out at \(stage)"
        case .memory: "out of memory at \(stage)"
        default: "\(r.errorType ?? "error") at \(stage): \(message)"
        }
        return String(text.prefix(300))
    }

    /// Starts the process if it is not running and reads its handshake.
    private func handshake() throws(WorkerError) -> Capabilities {
        if let declared, process?.isAlive == true { return declared }
        if process == nil || process?.isAlive == false { try spawn() }
        guard let process else { throw WorkerError(.spawnFailed, framework: spec.name, "no process") }
        let elapsed = Date().timeIntervalSince(spawnedAt)
        switch process.exchange(send: nil, timeout: max(1, spec.startTimeout - elapsed), memoryLimitMB: nil) {
        case .frame(let frame):
            do {
                let caps = try JSONDecoder().decode(Capabilities.self, from: frame.header)
                declared = caps
                lastStartSeconds = Date().timeIntervalSince(spawnedAt)
                return caps
            } catch {
                self.process = nil
                throw WorkerError(.handshakeFailed, framework: spec.name, "handshake does not decode: \(error)")
            }
        case .died(let status, let signal):
            let tail = process.stderrText
            self.process = nil
            // The cause first (a traceback's last line: "ModuleNotFoundError: No module named 'numpy'"): a one-line
            // error showed only "Traceback (most recent call last):".
            let cause = tail.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? "no output"
            // The rest of the tail after it, when there is more than that one line (it was shown twice).
            let trimmed = tail.trimmingCharacters(in: .whitespacesAndNewlines)
            let more = trimmed == cause.trimmingCharacters(in: .whitespaces) ? "" : "\n\(tail.suffix(600))"
            throw WorkerError(.handshakeFailed, framework: spec.name,
                              "worker died at start-up (\(signal.map { "signal \($0)" } ?? "exit \(status ?? -1)")): \(cause.suffix(300))\(more)")
        case .timedOut:
            process.kill(); self.process = nil
            throw WorkerError(.handshakeFailed, framework: spec.name, "no handshake within \(Int(spec.startTimeout)) s")
        case .overMemory(let rss):
            process.kill(); self.process = nil
            throw WorkerError(.handshakeFailed, framework: spec.name, "over memory at start-up (\(Int(rss)) MB)")
        case .corrupt(let why):
            process.kill(); self.process = nil
            throw WorkerError(.protocolViolation, framework: spec.name, why)
        }
    }

    /// Builds and runs (or trains) one model. Never throws for what the framework does; throws only when
    /// the worker cannot be started at all.
    public func execute(_ request: ExecutionRequest) throws(WorkerError) -> ExecutionResult {
        lock.lock(); defer { lock.unlock() }
        let caps = try ensureStarted()
        let name = request.variant ?? spec.name
        if request.training != nil && !caps.training {
            return ExecutionResult(framework: name, status: .unsupported, stage: "train", message: "\(spec.name) declares no training support")
        }
        let refusals = caps.refusals(request.graph)
        if !refusals.isEmpty {
            return ExecutionResult(framework: name, status: .unsupported, stage: "build",
                                   message: caps.probe == nil ? refusals.joined(separator: "; ") : "not supported: \(refusals.joined(separator: "; "))")
        }
        return perform(request, name: name)
    }

    /// One request on the live process, unchecked (probes use it directly). The worker's failures become the
    /// result; a dead or killed process is dropped and the next request starts a fresh one.
    private func perform(_ request: ExecutionRequest, name: String) -> ExecutionResult {
        guard let process else { return ExecutionResult(framework: name, status: .crash, stage: "start", message: "no process") }
        // Wall time covers what the protocol adds: encoding, transfer both ways and decoding.
        let started = Date()
        let wire = Self.requestWire(request, held: heldWeights, heldSlots: heldSlots, slots: payloadSlots, into: sendBuffer)
        heldWeights = [:]   // what the process holds is unknown until it answers
        heldSlots = [:]
        defer { if let path = wire.weightsFile { try? FileManager.default.removeItem(atPath: path) } }
        // The last request's stage announcements still in the pipe are read first: a death before this request
        // is read must not take the stage the previous one reached.
        process.drainStderr()
        process.resetStage()
        let outcome = process.exchange(send: wire.frame, timeout: request.timeout, memoryLimitMB: request.memoryLimitMB)
        if let slot = wire.slot {
            payloadSlots.exchanged(slot)
            requestsInSlots += 1
        }
        var result: ExecutionResult
        switch outcome {
        case .frame(let reply):
            result = Self.decode(reply, framework: name)
            if wire.slot != nil, result.status != .ok, (result.stage ?? "load") == "load" { payloadSlots.disable() }
            // The worker replaces its held weights once it has read the request's; a failure while reading
            // the request (stage load) leaves that unknown, so everything is sent next time.
            if result.status == .ok || (result.stage ?? "load") != "load" {
                heldWeights = request.weights
                heldSlots = wire.weightSlots
            }
        case .died(let status, let signal):
            result = ExecutionResult(framework: name, status: .crash, stage: process.stage,
                                     message: signal.map { "killed by signal \($0) (\(Self.signalName($0)))" } ?? "exited with status \(status ?? -1)")
            result.signal = signal
            result.exitCode = status
            result.stderrTail = process.stderrText
            self.process = nil
        case .timedOut:
            process.drainStderr()
            result = ExecutionResult(framework: name, status: .timeout, stage: process.stage, message: "no answer within \(request.timeout) s: killed")
            result.signal = SIGKILL
            result.stderrTail = process.stderrText
            process.kill(); self.process = nil
        case .overMemory(let rss):
            process.drainStderr()
            result = ExecutionResult(framework: name, status: .memory, stage: process.stage,
                                     message: "resident memory \(Int(rss)) MB passed the limit of \(Int(request.memoryLimitMB ?? 0)) MB: killed")
            result.peakMB = rss
            result.signal = SIGKILL
            result.stderrTail = process.stderrText
            process.kill(); self.process = nil
        case .corrupt(let why):
            result = ExecutionResult(framework: name, status: .crash, stage: process.stage, message: "corrupt frame stream: \(why)")
            result.stderrTail = process.stderrText
            process.kill(); self.process = nil
        }
        result.wallMs = Date().timeIntervalSince(started) * 1000
        return result
    }

    /// Makes the next request send every weight and encode its graph afresh (benchmarks measure the uncached
    /// path with it).
    public func forgetHeldWeights() {
        lock.lock(); defer { lock.unlock() }
        heldWeights = [:]
        GraphWireCache.shared.clear()
    }

    /// The benchmark's baseline: the worker does the same work as `request` natively (parse the graph, read the
    /// weights, build, run, warm up, repeat) with no protocol in between, and says how long it took in ms.
    public func nativeBaseline(_ request: ExecutionRequest) throws(WorkerError) -> Double {
        lock.lock(); defer { lock.unlock() }
        _ = try ensureStarted()
        guard let process else { throw WorkerError(.spawnFailed, framework: spec.name, "no process") }
        let wire = Self.requestWire(request, held: [:], type: "native")
        defer { if let path = wire.weightsFile { try? FileManager.default.removeItem(atPath: path) } }
        heldWeights = [:]
        heldSlots = [:]
        guard case .frame(let reply) = process.exchange(send: wire.frame, timeout: request.timeout, memoryLimitMB: nil) else {
            // No reply (a timeout, a death, a torn frame): the late reply, or half a request, would otherwise be
            // read as the next request's answer. The next request starts a fresh process.
            process.kill(); self.process = nil
            throw WorkerError(.protocolViolation, framework: spec.name, "no native baseline: \(process.stderrText.suffix(300))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: reply.header) as? [String: Any], let ms = (object["native_ms"] as? NSNumber)?.doubleValue else {
            throw WorkerError(.protocolViolation, framework: spec.name, "no native baseline: \(process.stderrText.suffix(300))")
        }
        return ms
    }

    /// Asks the worker to leave; kills it if it does not.
    public func shutdown() {
        lock.lock(); defer { lock.unlock() }
        guard let process else { return }
        if hello != nil, process.isAlive {
            _ = process.exchange(send: Frame.make(["type": "shutdown"]).encoded(), timeout: 2, memoryLimitMB: nil)
        }
        process.kill()
        self.process = nil
    }

    /// Raw request/response for auxiliary requests (export, ping); the caller interprets the reply.
    public func call(_ fields: [String: any Sendable], payload: Data = Data(), timeout: Double = 120) throws(WorkerError) -> Frame {
        lock.lock(); defer { lock.unlock() }
        _ = try ensureStarted()
        guard let process else { throw WorkerError(.spawnFailed, framework: spec.name, "no process") }
        let out = process.exchange(send: Frame.make(fields, payload: payload).encoded(), timeout: timeout, memoryLimitMB: nil)
        guard case .frame(let frame) = out else {
            process.kill(); self.process = nil
            throw WorkerError(.protocolViolation, framework: spec.name, "no reply to \(fields["type"] ?? "?"): \(process.stderrText.suffix(400))")
        }
        return frame
    }

    public var pid: Int32? { lock.lock(); defer { lock.unlock() }; return process?.pid }

    /// An encoded request and where its parts went.
    struct RequestWire {
        /// What goes through the pipe: the whole frame, or only its header when the payload is in a slot.
        var frame: Data
        /// The /dev/shm file holding the weights, when they went that way (removed after the exchange).
        var weightsFile: String?
        /// The shared slot holding the payload, when it went that way.
        var slot: Int?
        /// Where each of the request's weights lies in shared memory afterwards: the fresh ones in `slot`, the
        /// cached ones where they lay before.
        var weightSlots: [String: Int] = [:]
    }

    /// The encoded request: the graph's JSON, the weights the worker does not hold (in the safetensors layout)
    /// and the inputs, laid out once and copied once (`FrameBuilder`): into a shared slot that the worker views
    /// in place when `slots` has one free (`PayloadSlots`), otherwise into the frame, with weights above
    /// `ExecutionRequest.sharedMemoryThreshold` in a /dev/shm file of their own. With `buffer`, a frame sent
    /// through the pipe lives in it (valid until its next use).
    static func requestWire(_ request: ExecutionRequest, held: WeightStore = [:], heldSlots: [String: Int] = [:], slots: PayloadSlots? = nil,
                            type: String = "run", into buffer: SendBuffer? = nil) -> RequestWire {
        var fresh = request.weights, cached: [String] = []
        for (name, tensor) in request.weights where held[name] == tensor {
            fresh[name] = nil
            cached.append(name)
        }
        var fields: [String: Any] = [
            "type": type, "per_node": request.perNode, "warmup": request.warmup, "repeats": request.repeats,
        ]
        if let variant = request.variant { fields["variant"] = variant }
        if request.profileNodes { fields["profile"] = true }
        if request.minTimedMs > 0 { fields["min_timed_ms"] = request.minTimedMs }
        var payload = FrameBuilder()
        // The graph travels as raw JSON bytes in the payload (not as a string inside the header, which both
        // sides would escape and parse twice).
        let graphJSON = GraphWireCache.shared.encoded(request.graph)
        fields["graph_offset"] = payload.append(graphJSON)
        fields["graph_nbytes"] = graphJSON.count
        var tensors = request.inputs.sorted { $0.key < $1.key }.map { WireTensor(name: "input:" + $0.key, tensor: $0.value) }
        if let t = request.training {
            fields["train"] = ["steps": t.steps, "lr": t.learningRate] as [String: Any]
            tensors.append(WireTensor(name: "target", tensor: t.target))
        }
        let freshBytes = fresh.values.reduce(0) { $0 + $1.elementCount * 4 }
        let names = fresh.keys.sorted()
        let weightsHeader = fresh.isEmpty ? Data() : SharedWeights.header(fresh, names: names)
        // The payload's size, alignment padding included.
        let size = graphJSON.count + 8 + weightsHeader.count + freshBytes + tensors.reduce(0) { $0 + $1.bytes.count + 8 }
        var wire = RequestWire(frame: Data())
        let slot = slots?.acquire(size: size, busy: Set(cached.compactMap { heldSlots[$0] }))
        if slot == nil, freshBytes > ExecutionRequest.sharedMemoryThreshold, let path = SharedWeights.write(fresh) {
            wire.weightsFile = path
            fields["weights_path"] = path
        } else {
            payload.align()
            let start = payload.size
            if !fresh.isEmpty {
                payload.append(weightsHeader)
                for name in names {
                    let values = fresh[name]!.values
                    payload.append(count: values.count * 4) { destination in
                        values.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                    }
                }
            }
            fields["weights_offset"] = start
            fields["weights_nbytes"] = payload.size - start
        }
        if !cached.isEmpty { fields["weights_cached"] = cached.sorted() }
        var entries: [[String: Any]] = []
        for t in tensors {
            payload.align()
            let at = payload.append(t.bytes)
            entries.append(["name": t.name, "dtype": t.dtype.rawValue, "shape": t.shape, "offset": at, "nbytes": t.bytes.count])
        }
        fields["tensors"] = entries
        // The kept weights stay where they lie, whichever way this payload goes.
        for name in cached { if let k = heldSlots[name] { wire.weightSlots[name] = k } }
        if let slot, payload.size <= slot.capacity {
            fields["payload_slot"] = slot.path
            fields["payload_slot_index"] = slot.index
            fields["payload_nbytes"] = payload.size
            payload.writePayload(to: slot.base)
            wire.frame = FrameBuilder().encoded(header: fields)
            wire.slot = slot.index
            for name in fresh.keys { wire.weightSlots[name] = slot.index }
        } else {
            wire.frame = buffer.map { payload.encoded(header: fields, into: $0) } ?? payload.encoded(header: fields)
        }
        return wire
    }

    static func decode(_ frame: Frame, framework: String) -> ExecutionResult {
        guard let reply = try? WireJSON.parse(frame.header), case .object = reply else {
            return ExecutionResult(framework: framework, status: .crash, stage: "load", message: "reply header does not decode")
        }
        let status: ExecutionResult.Status = switch reply["status"]?.string {
        case "ok": .ok
        case "unsupported": .unsupported
        case "memory": .memory
        default: .error
        }
        var r = ExecutionResult(framework: framework, status: status, stage: reply["stage"]?.string, message: reply["message"]?.string)
        r.errorType = reply["error_type"]?.string
        if let tb = reply["traceback"]?.strings { r.stderrTail = tb.joined() }
        let numbers: [String: [Double]]
        do { numbers = try Self.numbers(reply["numbers"], in: frame.payload) } catch {
            return ExecutionResult(framework: framework, status: .crash, stage: reply["stage"]?.string ?? "load", message: "reply numbers do not decode: \(error)")
        }
        // Each field from the raw block, or from the header where a frame carries it as JSON.
        func scalar(_ key: String) -> Double? { numbers[key]?.first ?? reply[key]?.double }
        func series(_ key: String) -> [Double] { numbers[key] ?? reply[key]?.doubles ?? [] }
        r.buildMs = scalar("build_ms")
        r.firstMs = scalar("first_ms")
        r.timesMs = series("times_ms")
        r.rssSeriesMB = series("rss_mb")
        r.rssBeforeMB = scalar("rss_before_mb")
        r.peakMB = scalar("peak_mb")
        r.steadyBaseMB = scalar("steady_base_mb")
        r.steadyPeakMB = scalar("steady_peak_mb")
        r.workerMs = scalar("worker_ms")
        r.losses = series("losses")
        if let names = reply["profiled_nodes"]?.strings {
            r.nodeMs = Dictionary(zip(names, series("node_ms")), uniquingKeysWith: { a, b in a + b })
        }
        // One JSON pass over the header: the tensor entries come with the rest of the reply.
        let tensors: [String: WireTensor]
        do { tensors = try frame.tensors(try Frame.TensorEntry.entries(reply["tensors"])) } catch {
            return ExecutionResult(framework: framework, status: .crash, stage: reply["stage"]?.string ?? "load", message: "reply tensors do not decode: \(error)")
        }
        for (k, v) in tensors {
            if k.hasPrefix("grad:") { r.gradients[String(k.dropFirst(5))] = v } else { r.outputs[k] = v }
        }
        return r
    }

    /// The raw float64 block at the start of a reply's payload that `layout` (`[name, count, ...]`) describes.
    static func numbers(_ layout: WireJSON?, in payload: Data) throws(WorkerError) -> [String: [Double]] {
        guard let layout else { return [:] }
        guard let items = layout.array, items.count % 2 == 0 else {
            throw WorkerError(.protocolViolation, framework: "?", "`numbers` is not a list of names and counts")
        }
        var out: [String: [Double]] = [:], at = 0
        for k in stride(from: 0, to: items.count, by: 2) {
            guard let name = items[k].string, let count = items[k + 1].int, count >= 0, count <= (payload.count - at) / 8 else {
                throw WorkerError(.protocolViolation, framework: "?", "`numbers` entry \(k / 2) lies outside the payload")
            }
            var values = [Double](repeating: 0, count: count)
            values.withUnsafeMutableBytes { raw in
                let start = payload.startIndex + at
                payload.copyBytes(to: raw.bindMemory(to: UInt8.self), from: start..<start + count * 8)
            }
            out[name] = values.map { Double(bitPattern: $0.bitPattern.littleEndian) }
            at += count * 8
        }
        return out
    }

    static func signalName(_ s: Int32) -> String {
        switch s {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGKILL: "SIGKILL"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGILL: "SIGILL"
        case SIGTERM: "SIGTERM"
        default: "signal \(s)"
        }
    }
}
