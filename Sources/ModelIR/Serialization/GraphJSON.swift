import Foundation

/// The graph's JSON, written by hand: byte for byte what `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` writes (pretty or compact), in a tenth of the time. Every mutant is encoded once
/// for its content hash and once for the wire, and Foundation's encoder (boxing each value, sorting each
/// object's keys) cost more than a small model's whole run in a worker. `GraphJSONTests` holds the output
/// equal to `JSONEncoder`'s over the zoo and over hostile names and floats, so content hashes are unchanged.
public enum GraphJSON {
    /// `pretty`: two-space indentation and `"key" : value`, as `graph.json` files and content hashes use.
    public static func encode(_ graph: Graph, pretty: Bool) -> Data {
        var w = Writer(pretty: pretty)
        w.bytes.reserveCapacity(graph.nodes.count * (pretty ? 700 : 300))
        w.open("{")
        w.key("name"); w.string(graph.name)
        w.key("nodes"); w.open("[")
        for node in graph.nodes { w.member(); w.node(node) }
        w.close("]")
        w.key("outputs"); w.open("[")
        for ref in graph.outputs { w.member(); w.string(ref.description) }
        w.close("]")
        w.close("}")
        return Data(w.bytes)
    }

    struct Writer {
        let pretty: Bool
        var bytes: [UInt8] = []
        /// Per open container: whether it already holds a member (a comma goes before the next one).
        private var filled: [Bool] = []

        init(pretty: Bool) { self.pretty = pretty }

        mutating func node(_ n: Node) {
            open("{")
            key("attributes"); open("{")
            for name in n.attributes.keys.sorted() {
                key(name)
                attribute(n.attributes[name]!)
            }
            close("}")
            key("inputs"); open("[")
            for ref in n.inputs { member(); string(ref.description) }
            close("]")
            key("name"); string(n.name)
            key("op"); string(n.op.rawValue)
            key("outputs"); open("[")
            for t in n.outputs {
                member(); open("{")
                key("dtype"); string(t.dtype.rawValue)
                key("shape"); ints(t.shape)
                close("}")
            }
            close("]")
            key("role"); string(n.role.rawValue)
            key("weights"); open("[")
            for w in n.weights {
                member(); open("{")
                key("fanIn"); int(w.fanIn)
                key("fanOut"); int(w.fanOut)
                key("initializer"); string(w.initializer.rawValue)
                key("name"); string(w.name)
                key("shape"); ints(w.shape)
                key("trainable"); raw(w.trainable ? "true" : "false")
                close("}")
            }
            close("]")
            close("}")
        }

        mutating func attribute(_ value: AttributeValue) {
            switch value {
            case .int(let v): int(v)
            case .ints(let v): ints(v)
            case .float(let v): open("{"); key("float"); double(v); close("}")
            case .string(let v): string(v)
            case .bool(let v): raw(v ? "true" : "false")
            }
        }

        mutating func ints(_ values: [Int]) {
            open("[")
            for v in values { member(); int(v) }
            close("]")
        }

        // MARK: containers

        mutating func open(_ bracket: Unicode.Scalar) {
            bytes.append(UInt8(ascii: bracket))
            filled.append(false)
        }

        mutating func close(_ bracket: Unicode.Scalar) {
            let any = filled.removeLast()
            if pretty {
                // JSONEncoder writes an empty container as the opening bracket, an empty line and the close.
                bytes.append(0x0A)
                if !any { bytes.append(0x0A) }
                indent()
            }
            bytes.append(UInt8(ascii: bracket))
        }

        /// Starts a member: the comma after the previous one, then the newline and indentation.
        mutating func member() {
            if filled[filled.count - 1] { bytes.append(UInt8(ascii: ",")) }
            filled[filled.count - 1] = true
            if pretty {
                bytes.append(0x0A)
                indent()
            }
        }

        private mutating func indent() {
            for _ in 0..<(filled.count * 2) { bytes.append(0x20) }
        }

        mutating func key(_ name: String) {
            member()
            string(name)
            if pretty { bytes.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20]) } else { bytes.append(UInt8(ascii: ":")) }
        }

        // MARK: scalars

        mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

        mutating func int(_ v: Int) { bytes.append(contentsOf: String(v).utf8) }

        /// Swift's shortest round-trip form without a trailing ".0" (1.0 → 1, 1e-05 stays), as JSONEncoder.
        mutating func double(_ v: Double) {
            var text = v.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            bytes.append(contentsOf: text.utf8)
        }

        mutating func string(_ s: String) {
            bytes.append(UInt8(ascii: "\""))
            for b in s.utf8 {
                switch b {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                default: bytes.append(b)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }
}
