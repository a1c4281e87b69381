import Foundation

/// Lays out a frame's payload from pieces and writes the whole encoded frame (length prefix, header, payload)
/// into one buffer: one allocation and one copy of each byte. Building a `Frame` and then `encoded()` copied a
/// request's weights three more times, each into a fresh allocation whose page faults cost more than the
/// copy; on a small model that was the largest part of what the protocol added to a request.
struct FrameBuilder {
    private var pieces: [(offset: Int, count: Int, write: (UnsafeMutableRawPointer) -> Void)] = []
    /// Payload bytes laid out so far.
    private(set) var size = 0

    /// Pads the payload to 8 bytes, so the next piece can be viewed in place as any element type.
    mutating func align() { size = (size + 7) & ~7 }

    /// Reserves `count` bytes; `write` fills them when the frame is encoded. Returns the piece's offset.
    @discardableResult
    mutating func append(count: Int, _ write: @escaping (UnsafeMutableRawPointer) -> Void) -> Int {
        let at = size
        pieces.append((at, count, write))
        size += count
        return at
    }

    @discardableResult
    mutating func append(_ data: Data) -> Int {
        append(count: data.count) { destination in
            data.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
    }

    /// The encoded frame: `fields` become the header (offsets into the payload are the caller's to put there).
    func encoded(header fields: [String: Any]) -> Data {
        let header = HeaderJSON.encode(fields)
        var out = Data(count: Frame.prefixSize + header.count + size)
        out.withUnsafeMutableBytes { write(header: header, to: $0.baseAddress!) }
        return out
    }

    /// The encoded frame written into `buffer`'s memory, which the returned `Data` views without owning: it is
    /// valid until the buffer's next use. A worker's requests reuse one buffer, so a request's bytes land in
    /// pages that are already mapped (a fresh allocation of a small model's 255 KB cost ~40 µs in page faults
    /// and zeroing before the copy).
    func encoded(header fields: [String: Any], into buffer: SendBuffer) -> Data {
        let header = HeaderJSON.encode(fields)
        let count = Frame.prefixSize + header.count + size
        let base = buffer.reserve(count)
        write(header: header, to: base)
        return Data(bytesNoCopy: base, count: count, deallocator: .none)
    }

    /// The payload alone, at `base` (a shared slot the worker views; the frame then carries only the header).
    func writePayload(to base: UnsafeMutableRawPointer) {
        for piece in pieces where piece.count > 0 { piece.write(base.advanced(by: piece.offset)) }
    }

    private func write(header: Data, to base: UnsafeMutableRawPointer) {
        base.storeBytes(of: UInt32(header.count).littleEndian, toByteOffset: 0, as: UInt32.self)
        base.storeBytes(of: UInt64(size).littleEndian, toByteOffset: 4, as: UInt64.self)
        header.withUnsafeBytes { base.advanced(by: Frame.prefixSize).copyMemory(from: $0.baseAddress!, byteCount: header.count) }
        writePayload(to: base.advanced(by: Frame.prefixSize + header.count))
    }
}

/// Memory reused for one worker's outgoing frames (see `FrameBuilder.encoded(header:into:)`). It keeps the
/// largest size asked for, which is bounded: weights above `ExecutionRequest.sharedMemoryThreshold` travel
/// through /dev/shm, not the frame. Not thread-safe; the owning `Worker` serializes its requests.
final class SendBuffer {
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0

    /// At least `count` bytes; earlier contents are not kept.
    func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        if let base, count <= capacity { return base }
        base?.deallocate()
        capacity = max(count, 64 * 1024)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        base = fresh
        return fresh
    }

    deinit { base?.deallocate() }
}
