import Foundation

/// Shared memory that a request's payload (graph, weights, inputs) is laid out in, instead of the pipe: a few
/// files under /dev/shm that both this process and the worker keep mapped, so the payload is written once,
/// into pages that are already mapped on both sides, and the worker views it in place. Through the pipe, a
/// small model's quarter megabyte was copied three more times (into the kernel, out of it, into fresh pages
/// the worker had to fault in), and a larger model's weights went through a new /dev/shm file per request,
/// whose page allocation cost more than the copy (1.8 ms for ResNet-50's 1.5 MB).
///
/// Why several slots: the worker keeps the last request's weights as views into the slot they came in, and a
/// later request may name them instead of sending them again (`weights_cached`). A slot holding weights that
/// the next request names is busy; the payload goes into another one. What the worker holds but is not named
/// is never read again, so its slot may be overwritten. One set of slots belongs to one worker process (the
/// files are unlinked once that process has mapped them). Not thread-safe; the owning `Worker` serializes.
final class PayloadSlots {
    /// Payloads above this size go the old way (the pipe, and a /dev/shm file per request for large weights),
    /// so a worker never pins more than `count` times this in shared memory.
    static let largestPayload = 64 << 20
    static let count = 3

    struct Slot {
        let index: Int
        let path: String
        let base: UnsafeMutableRawPointer
        let capacity: Int
        /// Whether the worker has mapped it (then the file is unlinked: the mappings keep the memory).
        var mapped = false
    }

    private var slots: [Slot?] = Array(repeating: nil, count: PayloadSlots.count)
    /// The smallest slot /dev/shm refused (missing, or full: Docker's is 64 MB): larger ones are not tried
    /// again, and such payloads go through the pipe.
    private var refused = Int.max

    /// A slot of at least `size` bytes that is not in `busy`, or nil when shared memory cannot be had.
    func acquire(size: Int, busy: Set<Int>) -> Slot? {
        guard size <= Self.largestPayload else { return nil }
        let free = (0..<Self.count).filter { !busy.contains($0) }
        // The smallest free slot that fits; otherwise the free slot to grow (an empty one first).
        if let fit = free.compactMap({ slots[$0] }).filter({ $0.capacity >= size }).min(by: { $0.capacity < $1.capacity }) {
            return fit
        }
        guard let index = free.first(where: { slots[$0] == nil }) ?? free.first else { return nil }
        // Room to grow: a mutant is often a little larger than its parent.
        let capacity = (min(max(size + size / 4, 1 << 20), Self.largestPayload + (1 << 20)) + 4095) & ~4095
        guard capacity < refused else { return nil }
        release(index)
        guard let slot = Self.create(index: index, capacity: capacity) else {
            refused = capacity
            return nil
        }
        slots[index] = slot
        return slot
    }

    /// Called after an exchange that used `index`: the worker has mapped it (or died trying, and this set of
    /// slots goes with the process), so the name is no longer needed.
    func exchanged(_ index: Int) {
        guard let slot = slots[index], !slot.mapped else { return }
        unlink(slot.path)
        slots[index]?.mapped = true
    }

    /// No more slots for this process: a worker that could not read its payload from one (stage `load`)
    /// gets every later payload through the pipe rather than failing each request the same way.
    func disable() {
        for index in 0..<Self.count { release(index) }
        refused = 0
    }

    private func release(_ index: Int) {
        guard let slot = slots[index] else { return }
        munmap(slot.base, slot.capacity)
        if !slot.mapped { unlink(slot.path) }
        slots[index] = nil
    }

    /// A new file of `capacity` bytes, its pages reserved up front: memory that tmpfs cannot supply later
    /// would be a SIGBUS in this process when written, not an error.
    private static func create(index: Int, capacity: Int) -> Slot? {
        guard FileManager.default.fileExists(atPath: "/dev/shm") else { return nil }
        sweepOnce
        let path = "/dev/shm/defectlab-\(getpid())-\(UUID().uuidString).payload"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard posix_fallocate(fd, 0, off_t(capacity)) == 0 else { unlink(path); return nil }
        let base = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let base, base != MAP_FAILED else { unlink(path); return nil }
        return Slot(index: index, path: path, base: base, capacity: capacity)
    }

    deinit {
        for index in 0..<Self.count { release(index) }
    }

    /// Runs `sweepStale` the first time this process makes a slot or a weights file.
    static let sweepOnce: Void = { sweepStale() }()

    /// Removes what killed drivers left in /dev/shm: a slot (or weights file) lives under its name only until
    /// the worker has mapped it, so a driver killed during that request leaves the file behind. Files are named
    /// `defectlab-<driver pid>-...`; those whose driver no longer runs are removed.
    static func sweepStale(directory: String = "/dev/shm") {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix("defectlab-") {
            let parts = name.split(separator: "-", maxSplits: 2)
            guard parts.count == 3, let pid = pid_t(parts[1]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + name) }
        }
    }
}
