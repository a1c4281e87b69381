import Foundation
import ModelIR

/// One protocol frame: u32 LE header length, u64 LE payload length, the JSON header, then the payload, which
/// the header's `tensors` entries index by offset. Mirrors `Resources/python/protocol.py`.
public struct Frame: Sendable {
    public var header: Data
    public var payload: Data

    public static let prefixSize = 12

    public init(header: Data, payload: Data = Data()) {
        self.header = header
        self.payload = payload
    }

    /// A header dictionary plus tensors, which are appended to the payload after any `payload` bytes given.
    public static func make(_ fields: [String: any Sendable], tensors: [WireTensor] = [], payload prefix: Data = Data()) -> Frame {
        var payload = prefix
        var entries: [[String: Any]] = []
        payload.reserveCapacity(payload.count + tensors.reduce(0) { $0 + $1.bytes.count + 8 })
        for t in tensors {
            // 8-byte aligned, so both sides can view a tensor in place as its own element type.
            if payload.count % 8 != 0 { payload.append(contentsOf: [UInt8](repeating: 0, count: 8 - payload.count % 8)) }
            entries.append(["name": t.name, "dtype": t.dtype.rawValue, "shape": t.shape, "offset": payload.count, "nbytes": t.bytes.count])
            payload.append(t.bytes)
        }
        var object: [String: Any] = fields
        object["tensors"] = entries
        let header = HeaderJSON.encode(object)
        return Frame(header: header, payload: payload)
    }

    public func encoded() -> Data {
        var out = Data(capacity: Self.prefixSize + header.count + payload.count)
        withUnsafeBytes(of: UInt32(header.count).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(header)
        out.append(payload)
        return out
    }

    /// Lengths past these are a corrupt stream, one limit for both readers (a length the size check took for
    /// plausible but the reader did not would wait for bytes that never come, a false hang).
    static let largestHeader: UInt32 = 1 << 28
    static let largestPayload: UInt64 = 1 << 34

    /// The whole size of the frame that `buffer` starts with, once its length prefix is there.
    static func expectedSize(_ buffer: Data) -> Int? {
        guard buffer.count >= prefixSize else { return nil }
        var hlen: UInt32 = 0, plen: UInt64 = 0
        let start = buffer.startIndex
        withUnsafeMutableBytes(of: &hlen) { $0.copyBytes(from: buffer[start..<start + 4]) }
        withUnsafeMutableBytes(of: &plen) { $0.copyBytes(from: buffer[start + 4..<start + 12]) }
        let h = UInt32(littleEndian: hlen), p = UInt64(littleEndian: plen)
        guard h < largestHeader, p < largestPayload else { return nil }
        return prefixSize + Int(h) + Int(p)
    }

    /// Splits one complete frame off the front of `buffer`, or returns nil when more bytes are needed.
    public static func take(from buffer: inout Data) throws(WorkerError) -> Frame? {
        guard buffer.count >= prefixSize else { return nil }
        let start = buffer.startIndex
        var hlen: UInt32 = 0, plen: UInt64 = 0
        withUnsafeMutableBytes(of: &hlen) { $0.copyBytes(from: buffer[start..<start + 4]) }
        withUnsafeMutableBytes(of: &plen) { $0.copyBytes(from: buffer[start + 4..<start + 12]) }
        let rawH = UInt32(littleEndian: hlen), rawP = UInt64(littleEndian: plen)
        // Checked before converting: a corrupt stream must be an error, not a trap.
        guard rawH < largestHeader, rawP < largestPayload else {
            throw WorkerError(.protocolViolation, framework: "?", "frame lengths \(rawH)/\(rawP) are not plausible: the stream is corrupt")
        }
        let h = Int(rawH), p = Int(rawP)
        guard buffer.count >= prefixSize + h + p else { return nil }
        let header = Data(buffer[start + prefixSize..<start + prefixSize + h])
        // A slice shares the buffer's storage: a large reply is not copied again on its way out.
        let payload = buffer[start + prefixSize + h..<start + prefixSize + h + p]
        let end = start + prefixSize + h + p
        buffer = end == buffer.endIndex ? Data() : Data(buffer[end...])
        return Frame(header: header, payload: payload)
    }

    /// Where one tensor lies in the payload, as the header's `tensors` entries say.
    struct TensorEntry: Sendable {
        var name: String
        var dtype: String
        var shape: [Int]
        var offset: Int
        var nbytes: Int

        /// The entries of a header's `tensors` list (absent: none).
        static func entries(_ list: WireJSON?) throws(WorkerError) -> [TensorEntry] {
            guard let list else { return [] }
            guard let items = list.array else { throw WorkerError(.protocolViolation, framework: "?", "`tensors` is not a list") }
            var out: [TensorEntry] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard let name = item["name"]?.string, let dtype = item["dtype"]?.string, let offset = item["offset"]?.int,
                      let nbytes = item["nbytes"]?.int, let dims = item["shape"]?.array else {
                    throw WorkerError(.protocolViolation, framework: "?", "a tensor entry lacks name, dtype, shape, offset or nbytes")
                }
                var shape: [Int] = []
                for d in dims {
                    guard let n = d.int, n >= 0 else { throw WorkerError(.protocolViolation, framework: "?", "tensor \(name) has shape \(dims)") }
                    shape.append(n)
                }
                out.append(TensorEntry(name: name, dtype: dtype, shape: shape, offset: offset, nbytes: nbytes))
            }
            return out
        }
    }

    /// The tensors the header describes, cut out of the payload.
    public func tensors() throws(WorkerError) -> [String: WireTensor] {
        let decoded: WireJSON
        do { decoded = try WireJSON.parse(header) } catch {
            throw WorkerError(.protocolViolation, framework: "?", "frame header is not JSON: \(error)")
        }
        return try tensors(TensorEntry.entries(decoded["tensors"]))
    }

    /// The tensors `entries` describe (a caller that decoded the header already passes its entries).
    func tensors(_ entries: [TensorEntry]) throws(WorkerError) -> [String: WireTensor] {
        var out: [String: WireTensor] = [:]
        for e in entries {
            guard let dtype = DType(rawValue: e.dtype), e.offset >= 0, e.nbytes >= 0, e.offset <= payload.count, e.nbytes <= payload.count - e.offset else {
                throw WorkerError(.protocolViolation, framework: "?", "tensor \(e.name) lies outside the payload or has dtype \(e.dtype)")
            }
            let base = payload.startIndex + e.offset
            let slice = payload[base..<base + e.nbytes]
            // Aligned slices are used in place (they share the payload's storage); others are copied so typed
            // reads stay aligned.
            let aligned = slice.withUnsafeBytes { Int(bitPattern: $0.baseAddress) % 8 == 0 }
            out[e.name] = WireTensor(name: e.name, dtype: dtype, shape: e.shape, bytes: aligned ? slice : Data(slice))
        }
        return out
    }
}
