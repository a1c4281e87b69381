import Foundation
import ModelIR

/// Large weights travel through a file under /dev/shm, written straight from the tensors' storage in the
/// safetensors layout (no intermediate buffer: for a 100 MB model the in-memory copy and its page faults cost
/// more than the write). The worker maps the file copy-on-write.
enum SharedWeights {
    static func write(_ weights: WeightStore) -> String? {
        guard FileManager.default.fileExists(atPath: "/dev/shm") else { return nil }
        // Large models send their weights only this way (no slot is made for them), so the sweep of what killed
        // drivers left behind runs from here too.
        PayloadSlots.sweepOnce
        let path = "/dev/shm/defectlab-\(getpid())-\(UUID().uuidString).safetensors"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let names = weights.keys.sorted()
        let prefix = header(weights, names: names)
        var ok = prefix.withUnsafeBytes { writeAll(fd, $0) }
        for name in names where ok {
            ok = weights[name]!.values.withUnsafeBytes { writeAll(fd, $0) }
        }
        if !ok { unlink(path); return nil }
        return path
    }

    /// The safetensors prefix (u64 length, JSON header padded to 8 bytes), written by hand as bytes:
    /// JSONSerialization of a few hundred small dictionaries costs tens of milliseconds here, and even
    /// Foundation's string building cost ~0.15 ms for LeNet-5's ten tensors, half of what a small request's
    /// encoding took.
    static func header(_ weights: WeightStore, names: [String]) -> Data {
        let json = ByteSink(capacity: 16 + names.count * 96)
        json.append(repeating: 0, count: 8)
        json.append(UInt8(ascii: "{"))
        var offset = 0
        for (i, name) in names.enumerated() {
            let t = weights[name]!
            let bytes = t.elementCount * 4
            if i > 0 { json.append(UInt8(ascii: ",")) }
            json.jsonString(name)
            json.append(#":{"dtype":"F32","shape":["#)
            for (j, d) in t.shape.enumerated() {
                if j > 0 { json.append(UInt8(ascii: ",")) }
                json.decimal(d)
            }
            json.append(#"],"data_offsets":["#)
            json.decimal(offset)
            json.append(UInt8(ascii: ","))
            json.decimal(offset + bytes)
            json.append("]}")
            offset += bytes
        }
        json.append(UInt8(ascii: "}"))
        json.append(repeating: 0x20, count: (8 - json.count % 8) % 8)
        withUnsafeBytes(of: UInt64(json.count - 8).littleEndian) { json.overwrite(at: 0, with: $0) }
        return json.data()
    }

    /// The whole safetensors file in memory (for weights small enough to travel in the frame).
    static func encode(_ weights: WeightStore) -> Data {
        let names = weights.keys.sorted()
        var out = header(weights, names: names)
        out.reserveCapacity(out.count + weights.values.reduce(0) { $0 + $1.elementCount * 4 })
        // One memcpy per tensor (appending raw bytes as a sequence copies them one by one).
        for name in names { weights[name]!.values.withUnsafeBufferPointer { out.append($0) } }
        return out
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            if n <= 0 { if errno == EINTR { continue }; return false }
            done += n
        }
        return true
    }
}
