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

    /// The string's bytes with JSON's escapes, as JSONEncoder writes them (GraphJSON's output, and so content
    /// hashes, depend on the exact form); names rarely need any, so those are copied in one go.
    package func jsonEscaped(_ text: String) {
        var text = text
        let plain = text.withUTF8 { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == 0x5C }) else { return false }
            append(contentsOf: utf8)
            return true
        }
        if plain { return }
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "\""): append(contentsOf: [0x5C, 0x22])
            case 0x5C: append(contentsOf: [0x5C, 0x5C])
            case 0x0A: append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: append(b)
            }
        }
    }

    /// `text` as a JSON string: quotes around `jsonEscaped`.
    package func jsonString(_ text: String) {
        append(UInt8(ascii: "\""))
        jsonEscaped(text)
        append(UInt8(ascii: "\""))
    }

    package func data() -> Data { Data(bytes: base, count: count) }
}
