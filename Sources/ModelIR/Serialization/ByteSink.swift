import Foundation

/// A growable byte buffer for the hand-written JSON writers. Appending to `[UInt8]` checks uniqueness and
/// capacity through generic code on every byte; graph encoding (every mutant, for its content hash and for the
/// wire) spent most of its time there.
package final class ByteSink {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    package private(set) var count = 0

    package init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = grown
    }

    @inline(__always)
    package func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    package func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    package func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    package func append(repeating byte: UInt8, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).update(repeating: byte, count: n)
        count += n
    }

    /// Reverses the bytes from `start` to the end (digits are produced last first).
    package func reverse(from start: Int) {
        var i = start, j = count - 1
        while i < j {
            let t = base[i]
            base[i] = base[j]
            base[j] = t
            i += 1; j -= 1
        }
    }

    package func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// `value` in decimal digits.
    package func decimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var m = value.magnitude
        let start = count
        repeat {
            append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10))
            m /= 10
        } while m > 0
        reverse(from: start)
    }

    /// Overwrites `bytes.count` bytes at `offset` (a length prefix written once the length is known).
    package func overwrite(at offset: Int, with bytes: UnsafeRawBufferPointer) {
        precondition(offset >= 0 && offset + bytes.count <= count)
        UnsafeMutableRawPointer(base + offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
    }

    package func data() -> Data { Data(bytes: base, count: count) }
}
