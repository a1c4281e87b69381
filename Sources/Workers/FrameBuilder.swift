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
        out.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            base.storeBytes(of: UInt32(header.count).littleEndian, toByteOffset: 0, as: UInt32.self)
            base.storeBytes(of: UInt64(size).littleEndian, toByteOffset: 4, as: UInt64.self)
            header.withUnsafeBytes { base.advanced(by: Frame.prefixSize).copyMemory(from: $0.baseAddress!, byteCount: header.count) }
            let payload = base.advanced(by: Frame.prefixSize + header.count)
            for piece in pieces where piece.count > 0 { piece.write(payload.advanced(by: piece.offset)) }
        }
        return out
    }
}
