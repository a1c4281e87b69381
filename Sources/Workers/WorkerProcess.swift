import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One child process with three pipes, driven with poll(2): every wait has a deadline, stderr is drained
/// continuously into a bounded tail (a chatty framework can never block on a full pipe), and the child's RSS
/// is checked against a limit while we wait. Not thread-safe: `Worker` serializes access.
final class WorkerProcess {
    let pid: pid_t
    private let stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32
    private var readBuffer = Data()
    private(set) var stderrTail = Data()
    private(set) var stage = "start"
    private var exitStatus: Int32?
    static let tailLimit = 16 * 1024

    /// A worker that dies while a request is being written to it must not kill the driver with SIGPIPE:
    /// every program that drives workers (the CLI, the benches, the tests) gets this from the library itself.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    init(executable: String, arguments: [String], environment: [String: String]) throws(WorkerError) {
        Self.ignoreSIGPIPE
        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            var fds: [Int32] = [0, 0]
            // Close-on-exec: a later worker must not inherit this one's pipe ends, or this worker would never
            // see end-of-file on stdin when the driver dies (and would outlive it).
            guard pipe(&fds) == 0 else {
                let reason = String(cString: strerror(errno))
                for p in pipes { close(p[0]); close(p[1]) }   // out of descriptors: give back what was made
                throw WorkerError(.spawnFailed, framework: executable, "pipe: \(reason)")
            }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            pipes.append(fds)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0)
        posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2)
        for p in pipes { posix_spawn_file_actions_addclose(&actions, p[0]); posix_spawn_file_actions_addclose(&actions, p[1]) }
        // Nothing else either: a descriptor another thread opened without close-on-exec (Foundation's Process
        // makes its pipes that way) would stay open in this long-lived child, and whoever reads that pipe to
        // its end would wait as long as the worker lives.
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Own process group, so a kill reaches anything the framework forked.
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attr, argv, envp)
        close(pipes[0][0]); close(pipes[1][1]); close(pipes[2][1])
        guard rc == 0 else {
            close(pipes[0][1]); close(pipes[1][0]); close(pipes[2][0])
            throw WorkerError(.spawnFailed, framework: executable, "posix_spawn: \(String(cString: strerror(rc)))")
        }
        pid = child
        stdinFD = pipes[0][1]; stdoutFD = pipes[1][0]; stderrFD = pipes[2][0]
        for fd in [stdinFD, stdoutFD, stderrFD] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        // 1 MiB pipes (F_SETPIPE_SZ; the unprivileged maximum): with the default 64 KiB every large tensor
        // costs a context switch per 64 KiB each way. Refusal is harmless.
        for fd in [stdinFD, stdoutFD, stderrFD] { _ = fcntl(fd, Self.setPipeSize, Int32(1 << 20)) }
    }

    static let setPipeSize: Int32 = 1031

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which Swift's Glibc module does not declare;
    /// nil where the C library lacks it (the worker then closes what it inherited as it starts).
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
    /// One read scratch buffer per process: reads land here and are appended to the frame buffer by memcpy.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

    deinit {
        kill()
        close(stdinFD); close(stdoutFD); close(stderrFD)
        scratch.deallocate()
    }

    enum Outcome {
        case frame(Frame)
        /// The child exited or was killed; `signal` when a signal ended it.
        case died(status: Int32?, signal: Int32?)
        case timedOut
        case overMemory(rssMB: Double)
        case corrupt(String)
    }

    /// Writes `data` (if any) and waits for the next frame, draining stderr all along.
    func exchange(send data: Data?, timeout: Double, memoryLimitMB: Double?) -> Outcome {
        let deadline = Date().addingTimeInterval(timeout)
        var pending = data ?? Data()
        var offset = 0
        // The request goes out before anything else (a worker waiting for it is idle); the first memory
        // check comes one interval later, since a reading of /proc costs as much as a small request's transfer.
        if !pending.isEmpty {
            let n = pending.withUnsafeBytes { raw in write(stdinFD, raw.baseAddress!, raw.count) }
            if n > 0 { offset = n } else if n < 0 && errno != EAGAIN && errno != EINTR { pending = Data() }
            if offset >= pending.count { pending = Data(); offset = 0 }
        }
        var lastMemoryCheck = Date()
        let started = Self.monotonic()
        Self.inFlight.add(1, ordering: .relaxed)
        defer { Self.inFlight.subtract(1, ordering: .relaxed) }
        let spin = spinWindow()
        let spinFrom = started + spin.from
        var spinUntil = started + spin.until
        defer { lastExchange = Self.monotonic() - started }
        while true {
            do {
                if let frame = try Frame.take(from: &readBuffer) { return .frame(frame) }
            } catch {
                return .corrupt(error.message)
            }
            let clock = Self.monotonic()
            if offset >= pending.count, clock >= spinFrom, clock < spinUntil, Self.inFlight.load(ordering: .relaxed) == 1 {
                // Short requests are awaited spinning (see `spinWindow`); a dead child shows up as end of
                // file, and the poll loop below then reaps it.
                if readAvailable(stdoutFD, into: &readBuffer, cap: nil) == 0 { spinUntil = 0 }
                sched_yield()
                continue
            }
            if let status = reap() {
                // A reply written just before exiting still counts.
                readAvailable(stdoutFD, into: &readBuffer, cap: nil)
                if let frame = try? Frame.take(from: &readBuffer) { return .frame(frame) }
                drainStderr()
                return died(status)
            }
            let now = Date()
            if now >= deadline { drainStderr(); return .timedOut }
            if let limit = memoryLimitMB, now.timeIntervalSince(lastMemoryCheck) > 0.02 {
                lastMemoryCheck = now
                if let rss = residentMB(), rss > limit { return .overMemory(rssMB: rss) }
            }
            // stderr is drained on every turn but does not wake us: each stage announcement would otherwise
            // cost a context switch on the request's critical path. The wait is short enough (20 ms with a
            // memory limit, 50 ms without) that a 1 MiB stderr pipe never blocks a chatty framework for long.
            drainStderr()
            var fds = [pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)]
            if offset < pending.count { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            var waitMs = min(memoryLimitMB == nil ? 50 : 20, deadline.timeIntervalSince(now) * 1000)
            if clock < spinFrom { waitMs = min(waitMs, (spinFrom - clock) * 1000) }   // wake by timer to spin
            let wait = Int32(max(1, waitMs))
            _ = poll(&fds, nfds_t(fds.count), wait)
            if fds[0].revents != 0 { readAvailable(stdoutFD, into: &readBuffer, cap: nil) }
            if fds.count > 1, fds[1].revents & Int16(POLLOUT) != 0 {
                let n = pending.withUnsafeBytes { raw in write(stdinFD, raw.baseAddress! + offset, raw.count - offset) }
                if n > 0 { offset += n } else if n < 0 && errno != EAGAIN { pending = Data(); offset = 0 }
            } else if fds.count > 1, fds[1].revents & Int16(POLLERR | POLLHUP) != 0 {
                pending = Data(); offset = 0   // the child closed stdin: it is dying; reap() will say how
            }
            if offset >= pending.count, !pending.isEmpty { pending = Data(); offset = 0 }
        }
    }

    /// Seconds the last exchange waited for its frame.
    private var lastExchange: Double?
    /// Exchanges in progress in this process, over all workers: with more than one (`OperatorStudy` drives
    /// several workers at once), nobody spins, since each spinner would take a processor from a worker.
    private static let inFlight = Atomic<Int>(0)

    /// When to await the next reply spinning rather than sleeping in poll(2), in seconds after the request
    /// went out: a sleeping driver costs two wake-ups per request (the worker's write that wakes it and the
    /// driver's own wake-up latency, ~0.1 ms together on a small virtual machine, a tenth of what the protocol
    /// added to a 5 ms model). Only for workers whose last request was short (≤ 20 ms), and only for the end
    /// of the expected wait: the driver sleeps through the first 70% of the last request's duration (a timer
    /// wake-up, off the critical path) and spins from there to twice that plus 2 ms, then sleeps again. The
    /// spin yields the processor on every turn, so a loaded machine loses little to it, and the worker runs
    /// its framework single-threaded, so it does not compete with the spinner; and only while no other
    /// exchange is in progress in this process.
    private func spinWindow() -> (from: Double, until: Double) {
        guard let last = lastExchange, last <= 0.02 else { return (0, 0) }
        return (last * 0.7, last * 2 + 0.002)
    }

    static func monotonic() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private func died(_ status: Int32) -> Outcome {
        // WIFSIGNALED / WTERMSIG / WEXITSTATUS, which Swift does not import as functions.
        let sig = status & 0x7f
        if sig != 0 && sig != 0x7f { return .died(status: nil, signal: sig) }
        return .died(status: (status >> 8) & 0xff, signal: nil)
    }

    /// Reads what `fd` has without blocking: 0 at end of file, -1 when nothing is there yet, else 1.
    @discardableResult
    private func readAvailable(_ fd: Int32, into buffer: inout Data, cap: Int?) -> Int {
        var got = -1
        while true {
            let n = read(fd, scratch.baseAddress!, scratch.count)
            if n == 0 { return got == 1 ? 1 : 0 }
            if n < 0 { return got }
            got = 1
            if cap == nil, buffer.count >= Frame.prefixSize, let need = Frame.expectedSize(buffer), need > buffer.count {
                // One allocation for a large reply, not a doubling series; bounded, since the length is the
                // other side's word until the bytes arrive.
                buffer.reserveCapacity(Swift.min(need, 1 << 30))
            }
            // stderr: stage announcements are read from every chunk before the tail is cut to its bound, so a
            // framework's flood of warnings cannot hide the stage a crash happened in.
            if cap != nil { noteStages(UnsafeRawBufferPointer(start: scratch.baseAddress, count: n)) }
            buffer.append(scratch.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            if let cap, buffer.count > cap * 2 { buffer = Data(buffer.suffix(cap)) }
        }
    }

    func drainStderr() {
        var fresh = Data()
        readAvailable(stderrFD, into: &fresh, cap: Self.tailLimit)
        guard !fresh.isEmpty else { return }
        stderrTail.append(fresh)
        if stderrTail.count > Self.tailLimit { stderrTail = Data(stderrTail.suffix(Self.tailLimit)) }
    }

    /// The worker announces each stage on stderr ("@@stage NAME" on a line of its own, one atomic write), so a
    /// crash knows where it happened.
    private func noteStages(_ chunk: UnsafeRawBufferPointer) {
        let text = String(decoding: chunk, as: UTF8.self)
        guard text.contains("@@stage ") else { return }
        for line in text.split(separator: "\n") where line.hasPrefix("@@stage ") {
            stage = String(line.dropFirst(8))
        }
    }

    func resetStage() { stage = "load" }

    var stderrText: String {
        String(decoding: stderrTail, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("@@stage ") }.suffix(30).joined(separator: "\n")
    }

    /// waitpid without blocking; the status once the child is gone.
    func reap() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            exitStatus = status
            // The worker died on its own (a segfault): what it forked (torch.compile's compile workers) may
            // outlive it. The group is signalled at once, while those members still hold its id (later, with
            // the group empty, the id could belong to someone else).
            Glibc.kill(-pid, SIGKILL)
            return status
        }
        return nil
    }

    func residentMB() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let parts = text.split(separator: " ")
        guard parts.count > 1, let pages = Double(parts[1]) else { return nil }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// SIGKILL to the whole group, then reap (bounded: a killed child is gone within milliseconds).
    func kill() {
        guard reap() == nil else { return }
        Glibc.kill(-pid, SIGKILL)
        Glibc.kill(pid, SIGKILL)
        for _ in 0..<200 {
            if reap() != nil { return }
            usleep(5000)
        }
    }

    var isAlive: Bool { reap() == nil }
}
