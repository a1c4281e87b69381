import Foundation
import ModelIR
import Oracles
import Workers

/// `fuzz-bench workers`: the Swift side's round trip for one diff-style request (build, first run, warm-up,
/// timed repeats as `diff` times them: at least `--repeats`, filling `DiffOptions.defaultMinTimedMs`; final outputs), repeated on a warm worker with a pause before each (as between one worker's
/// requests in `diff`), median over the repeats — once with every weight
/// sent and the graph encoded afresh (the path a new model takes) and once with the weights already held by
/// the worker — against the baseline: the same work done natively inside the same worker process (no frames,
/// no bookkeeping), interleaved with the round trips. One JSON line per model and framework, with the median
/// of the per-sample ratios; `Data/python/bench/workers_bench.py` prints them as a table.
enum WorkerOverheadBench {
    static func run(_ args: [String]) throws {
        var rest = args[...]
        var models = ["lenet5", "resnet50", "lstm-regressor", "mobilenetv2", "textcnn"]
        var frameworks = ["pytorch", "onnxruntime"]
        var python = ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"] ?? "python3"
        var saveDir = FileManager.default.temporaryDirectory.path
        var samples = 7, repeats = 5, minTimedMs = DiffOptions.defaultMinTimedMs
        while let a = rest.popFirst() {
            switch a {
            case "--models": models = (rest.popFirst() ?? "").split(separator: ",").map(String.init)
            case "--frameworks": frameworks = (rest.popFirst() ?? "").split(separator: ",").map(String.init)
            case "--python": python = rest.popFirst() ?? python
            case "--save": saveDir = rest.popFirst() ?? saveDir
            case "--samples": samples = Int(rest.popFirst() ?? "") ?? samples
            case "--repeats": repeats = Int(rest.popFirst() ?? "") ?? repeats
            case "--min-timed-ms": minTimedMs = Double(rest.popFirst() ?? "") ?? minTimedMs
            default: FileHandle.standardError.write(Data("fuzz-bench workers: unknown argument \(a)\n".utf8)); exit(64)
            }
        }
        let pool = WorkerPool(interpreter: python)
        defer { pool.shutdown() }
        for name in models {
            guard let entry = ModelZoo.entry(named: name) else { throw BenchError("unknown model \(name)") }
            // Timing only: initialized weights (no BatchNorm calibration) and the entry's inputs.
            let graph = try entry.build(entry.defaults)
            let weights = WeightInitializer.initialize(graph, seed: 1)
            let inputs = entry.inputs(for: graph, seed: 1)
            try ModelBundle(graph: graph, weights: weights).save(to: URL(fileURLWithPath: saveDir).appendingPathComponent(name))
            for fw in frameworks {
                let worker = try pool.worker(fw)
                var request = ExecutionRequest(graph: graph, weights: weights, inputs: inputs)
                request.warmup = 1
                request.repeats = repeats
                request.minTimedMs = minTimedMs
                var cold: [Double] = [], warm: [Double] = [], inWorker: [Double] = [], native: [Double] = []
                var status = "ok"
                // Interleaved, so the round trips and the baseline see the same machine load. Each timed request
                // comes after a pause, as in `diff` and campaigns, where the driver runs the reference and the
                // other frameworks between one worker's requests: the worker tears its last model down then,
                // after its reply. Sent back to back, the round trip would wait for that teardown, which the
                // native baseline (timed inside the worker) never sees.
                let pause: useconds_t = 3000
                for i in 0..<(samples + 1) {
                    // The round trip and the baseline take turns going first: a framework whose run time depends
                    // on what ran just before (MindSpore's swing by a third from one request to the next) must
                    // not favour the one that always follows the other.
                    var r = ExecutionResult(framework: fw, status: .ok), n = 0.0
                    if i % 2 == 1 {
                        usleep(pause)
                        n = try worker.nativeBaseline(request)
                    }
                    worker.forgetHeldWeights()
                    usleep(pause)
                    r = try worker.execute(request)
                    if r.status != .ok { status = r.status.rawValue; break }
                    if i % 2 == 0 {
                        usleep(pause)
                        n = try worker.nativeBaseline(request)
                    }
                    _ = try worker.execute(request)   // the worker holds these weights again
                    usleep(pause)
                    let held = try worker.execute(request)
                    if i == 0 { continue }   // the first request in a process pays one-off framework costs
                    cold.append(r.wallMs)
                    warm.append(held.wallMs)
                    inWorker.append(r.workerMs ?? .nan)
                    native.append(n)
                }
                // The floor under any request: a bare ping's round trip (two process hand-overs, a tiny frame
                // each way), paused between pings as a driver is between requests.
                var pings: [Double] = []
                for _ in 0..<50 {
                    usleep(2000)
                    let t = Date()
                    _ = try worker.call(["type": "ping"])
                    pings.append(Date().timeIntervalSince(t) * 1e6)
                }
                let line: [String: Any] = ["model": name, "framework": fw, "status": status, "wall_ms": median(cold), "ping_us": median(pings),
                                           "wall_cached_ms": median(warm), "worker_ms": median(inWorker), "native_ms": median(native),
                                           "ratio": median(zip(cold, native).map { $0 / $1 }), "ratio_cached": median(zip(warm, native).map { $0 / $1 }),
                                           "samples": cold.count]
                let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                fflush(nil)
            }
        }
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
