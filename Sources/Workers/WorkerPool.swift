import Foundation

/// One worker per framework, started on first use (in parallel when asked for several at once) and reused.
public final class WorkerPool: @unchecked Sendable {
    public let interpreter: String
    private let lock = NSLock()
    private var workers: [String: Worker] = [:]

    public init(interpreter: String) {
        self.interpreter = interpreter
    }

    /// The worker of a framework (or of a variant's base framework).
    public func worker(_ name: String) throws(WorkerError) -> Worker {
        guard let base = FrameworkKind.base(of: name) else {
            throw WorkerError(.unknownFramework, framework: name, "known: \((FrameworkKind.all + FrameworkKind.variants.keys.sorted()).joined(separator: ", "))")
        }
        lock.lock(); defer { lock.unlock() }
        if let w = workers[base] { return w }
        let w = Worker(spec: try WorkerSpec.framework(base, interpreter: interpreter))
        workers[base] = w
        return w
    }

    /// Adds a worker with a custom spec (the tests' fault injector).
    public func add(_ spec: WorkerSpec) -> Worker {
        lock.lock(); defer { lock.unlock() }
        let w = Worker(spec: spec)
        workers[spec.name] = w
        return w
    }

    public func custom(_ name: String) -> Worker? {
        lock.lock(); defer { lock.unlock() }
        return workers[name]
    }

    /// Spawns every named worker first so their framework imports overlap, then waits for each handshake
    /// (in parallel: a first start also probes the framework's capabilities).
    public func start(_ names: [String]) -> [String: Result<Capabilities, WorkerError>] {
        var ws: [(String, Worker)] = []
        for n in names {
            if let w = custom(n) ?? (try? worker(n)) { ws.append((n, w)) }
        }
        ws.forEach { $0.1.prestart() }
        final class Collected: @unchecked Sendable {
            let lock = NSLock()
            var results: [String: Result<Capabilities, WorkerError>] = [:]
        }
        let collected = Collected(), started = ws
        DispatchQueue.concurrentPerform(iterations: started.count) { i in
            let (n, w) = started[i]
            let r = Result { () throws(WorkerError) -> Capabilities in try w.capabilities() }
            collected.lock.lock(); collected.results[n] = r; collected.lock.unlock()
        }
        var out = collected.results
        for n in names where out[n] == nil {
            out[n] = .failure(WorkerError(.unknownFramework, framework: n, "unknown framework"))
        }
        return out
    }

    public func shutdown() {
        lock.lock(); let all = Array(workers.values); lock.unlock()
        all.forEach { $0.shutdown() }
    }

    deinit { workers.values.forEach { $0.shutdown() } }
}
