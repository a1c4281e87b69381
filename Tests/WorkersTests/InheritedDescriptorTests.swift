import Foundation
import Testing
import Workers

/// A worker lives as long as its pool, so it must not keep descriptors it was never meant to have: a pipe that
/// another thread opened without close-on-exec (Foundation's Process makes its pipes that way) and that was
/// open while the worker was spawned. Before, a test reading such a pipe to its end waited as long as the
/// workers lived (the whole test run hung).
@Suite struct InheritedDescriptorTests {
    @Test func workerDoesNotHoldAPipeOpenAtItsSpawn() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)   // deliberately without close-on-exec
        defer { close(fds[0]) }
        let pool = WorkerPool(interpreter: Fixtures.interpreter)
        defer { pool.shutdown() }
        let worker = try pool.worker("onnxruntime")
        _ = try worker.capabilities()   // spawned (and answering) while the write end was open here
        close(fds[1])
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        var byte: UInt8 = 0
        // End of file now: no one else holds the write end (a holder would make this read fail with EAGAIN).
        #expect(read(fds[0], &byte, 1) == 0, "the worker holds an inherited pipe open (errno \(errno))")
    }
}
