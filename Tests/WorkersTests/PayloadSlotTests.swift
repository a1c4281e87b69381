import Foundation
import ModelIR
import Testing
@testable import Workers

/// Requests whose payload travels in shared memory (`PayloadSlots`): a slot holding weights that the next
/// request names is never overwritten, and a chain of requests that keep some of their predecessors' weights
/// computes exactly what the same requests sent in full compute.
@Suite(.serialized) struct PayloadSlotTests {
    @Test func slotsAreChosenAroundBusyOnesAndGrow() throws {
        let slots = PayloadSlots()
        let a = try #require(slots.acquire(size: 1000, busy: []))
        let b = try #require(slots.acquire(size: 1000, busy: [a.index]))
        let c = try #require(slots.acquire(size: 1000, busy: [a.index, b.index]))
        #expect(Set([a.index, b.index, c.index]).count == 3)
        #expect(slots.acquire(size: 1000, busy: [0, 1, 2]) == nil, "every slot busy: the pipe it is")
        #expect(slots.acquire(size: PayloadSlots.largestPayload + 1, busy: []) == nil)
        // The same slot again when it is free and fits (its pages stay mapped).
        #expect(slots.acquire(size: 5000, busy: [b.index, c.index])?.path == a.path)
        // Too small: a free slot is replaced by a larger file; busy ones are left alone.
        let grown = try #require(slots.acquire(size: 3 << 20, busy: [b.index, c.index]))
        #expect(grown.index == a.index && grown.path != a.path && grown.capacity >= 3 << 20)
        #expect(!FileManager.default.fileExists(atPath: a.path), "the replaced slot's file is removed")

        // What this side writes, a second mapping of the file (the worker's) reads; once exchanged, the name
        // is gone and the memory stays.
        let text = Array("payload in place".utf8)
        text.withUnsafeBytes { grown.base.copyMemory(from: $0.baseAddress!, byteCount: text.count) }
        let fd = open(grown.path, O_RDONLY)
        #expect(fd >= 0)
        let view = try #require(mmap(nil, grown.capacity, PROT_READ, MAP_SHARED, fd, 0))
        close(fd)
        defer { munmap(view, grown.capacity) }
        #expect(Array(UnsafeRawBufferPointer(start: view, count: text.count)) == text)
        slots.exchanged(grown.index)
        #expect(!FileManager.default.fileExists(atPath: grown.path))
        grown.base.storeBytes(of: UInt8(ascii: "P"), as: UInt8.self)
        #expect(view.load(as: UInt8.self) == UInt8(ascii: "P"))
        // Once disabled (a worker could not read its payload from a slot), no more slots.
        slots.disable()
        #expect(slots.acquire(size: 1000, busy: []) == nil)
    }

    @Test func filesOfDeadDriversAreSwept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slots-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A pid that no process has: the driver that made this file is gone.
        var dead: pid_t = 4_000_000
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        let names = ["defectlab-\(dead)-A.payload", "defectlab-\(getpid())-B.payload", "defectlab-1-C.safetensors", "other-\(dead)-D"]
        for n in names { FileManager.default.createFile(atPath: dir + "/" + n, contents: Data([1])) }
        PayloadSlots.sweepStale(directory: dir)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(left == Set(names.dropFirst()), "only the dead driver's file goes (pid 1 runs; other names are not ours)")
    }

    @Test func keptWeightsSurviveSlotReuse() throws {
        let entry = try #require(ModelZoo.entry(named: "lenet5"))
        let graph = try entry.build(entry.defaults)
        let inputs = entry.inputs(for: graph, seed: 3)
        let names = WeightInitializer.initialize(graph, seed: 1).keys.sorted()
        #expect(names.count >= 6)
        let variants = (1...5).map { WeightInitializer.initialize(graph, seed: UInt64($0)) }
        // Each request replaces one more tensor than it keeps from the one before, so the kept tensors come
        // from ever more slots until every slot is busy (then the payload goes through the pipe), and the
        // last request goes back to the first weights, most of which the worker still holds.
        var chain: [WeightStore] = [variants[0]]
        for (k, name) in names.prefix(5).enumerated() {
            var next = chain.last!
            next[name] = variants[k % 4 + 1][name]
            chain.append(next)
        }
        chain.append(variants[0])

        let pool = WorkerPool(interpreter: Fixtures.interpreter)
        defer { pool.shutdown() }
        let chained = try pool.worker("pytorch")
        // The same requests on a second process, each sent in full.
        let fresh = Worker(spec: chained.spec)
        defer { fresh.shutdown() }
        for (step, weights) in chain.enumerated() {
            var request = ExecutionRequest(graph: graph, weights: weights, inputs: inputs)
            request.repeats = 1
            let got = try chained.execute(request)
            fresh.forgetHeldWeights()
            let want = try fresh.execute(request)
            #expect(got.status == .ok && want.status == .ok, "step \(step): \(got.message ?? "") \(want.message ?? "")")
            let a = try #require(got.outputs["output:0"]).doubles, b = try #require(want.outputs["output:0"]).doubles
            #expect(a == b, "step \(step): outputs differ from the same request sent in full")
        }
        #expect(chained.requestsInSlots >= 4, "the payloads went through shared memory")
        #expect(chained.requestsInSlots < chain.count, "with every slot busy a request went through the pipe")
    }
}

/// A benchmark baseline that gets no reply in time must not leave its late reply in the pipe for the next
/// request to read as its own answer.
@Suite struct NativeBaselineTimeoutTests {
    @Test func aTimedOutBaselineDoesNotAnswerTheNextRequest() throws {
        let subject = try Fixtures.prepared("lenet5")
        let pool = WorkerPool(interpreter: Fixtures.interpreter)
        defer { pool.shutdown() }
        let worker = try pool.worker("pytorch")
        var request = ExecutionRequest(graph: subject.graph, weights: subject.weights, inputs: subject.inputs)
        request.repeats = 20
        request.timeout = 0.005
        #expect(throws: WorkerError.self) { _ = try worker.nativeBaseline(request) }
        request.timeout = 60
        request.repeats = 1
        let result = try worker.execute(request)
        #expect(result.status == .ok && result.outputs["output:0"] != nil, "\(result.status) \(result.message ?? "")")
    }
}
