import Foundation

/// The safetensors layout: 8-byte little-endian header length, a JSON header mapping each tensor name to
/// {dtype, shape, data_offsets [begin, end)} relative to the data section, then the raw little-endian buffers.
/// Names are sorted so the same weights always give the same bytes (and the same content hash).
public enum Safetensors {
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            let bytes = t.elementCount * 4
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        // The format pads the header with spaces to an 8-byte boundary so buffers stay aligned.
        while (json.count % 8) != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            tensors[name]!.values.withUnsafeBufferPointer { buffer in
                // Float's in-memory form is little-endian IEEE-754 on every platform Swift targets.
                out.append(UnsafeBufferPointer(start: UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self), count: buffer.count * 4))
            }
        }
        return out
    }

    public static func decode(_ data: Data, path: String = "weights.safetensors") throws(SerializationError) -> [String: Tensor] {
        guard data.count >= 8 else { throw SerializationError(.truncated, path: path, "file has \(data.count) bytes, shorter than the 8-byte header length") }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(data.count - 8) else {
            throw SerializationError(.truncated, path: path, "header claims \(length) bytes, the file holds \(data.count - 8) after the length")
        }
        let headerData = data.subdata(in: data.startIndex + 8 ..< data.startIndex + 8 + Int(length))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw SerializationError(.corruptHeader, path: path, "the JSON header does not parse")
        }
        let base = data.startIndex + 8 + Int(length)
        let available = data.count - 8 - Int(length)
        var result: [String: Tensor] = [:]
        var extents: [(start: Int, end: Int, name: String)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any] else {
                throw SerializationError(.corruptHeader, path: path, "tensor '\(name)' is not an object with dtype, shape and data_offsets")
            }
            // Each field said by name: "has no dtype, shape or data_offsets" was said of a header holding all three,
            // one of them the wrong type.
            guard let dtype = entry["dtype"] as? String else {
                throw SerializationError(.corruptHeader, path: path, "tensor '\(name)': dtype is \(entry["dtype"] == nil ? "missing" : "not a string")")
            }
            guard let shape = entry["shape"] as? [Int] else {
                throw SerializationError(.corruptHeader, path: path, "tensor '\(name)': shape is \(entry["shape"] == nil ? "missing" : "not a list of integers")")
            }
            guard let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw SerializationError(.corruptHeader, path: path, "tensor '\(name)': data_offsets is \(entry["data_offsets"] == nil ? "missing" : "not two integers within range")")
            }
            guard let type = DType(safetensorsName: dtype), type == .f32 else {
                throw SerializationError(.badTensor, path: path, "tensor '\(name)' has dtype \(dtype); weights are F32")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw SerializationError(.badTensor, path: path, "tensor '\(name)' has shape \(shape): a negative dimension")
            }
            guard let count = shape.checkedProduct(limit: Int.max / 4) else {
                throw SerializationError(.badTensor, path: path, "tensor '\(name)' has shape \(shape), too large to hold")
            }
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == count * 4 else {
                throw SerializationError(.badTensor, path: path, "tensor '\(name)' offsets \(offsets) do not hold shape \(shape)")
            }
            guard offsets[1] <= available else {
                throw SerializationError(.truncated, path: path, "tensor '\(name)' ends at byte \(offsets[1]) of a \(available)-byte data section")
            }
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { dst in
                data.copyBytes(to: dst, from: base + offsets[0] ..< base + offsets[1])
            }
            result[name] = Tensor(shape: shape, values: values)
            extents.append((offsets[0], offsets[1], name))
        }
        // The format's rule: the data section is exactly the tensors, back to back, with no gap, overlap or tail
        // (two tensors reading the same bytes, or bytes no tensor owns, are a corrupt or spliced file).
        var position = 0
        for extent in extents.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            guard extent.start == position else {
                throw SerializationError(.corruptHeader, path: path, extent.start < position
                    ? "tensor '\(extent.name)' overlaps the tensor before it (bytes \(extent.start) and \(position))"
                    : "bytes \(position)–\(extent.start) of the data section belong to no tensor")
            }
            position = extent.end
        }
        guard position == available else {
            throw SerializationError(.corruptHeader, path: path, "\(available - position) bytes after the last tensor belong to no tensor")
        }
        return result
    }
}
