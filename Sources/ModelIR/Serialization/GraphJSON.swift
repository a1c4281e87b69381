import Foundation

/// The graph's JSON, written by hand: byte for byte what `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` writes (pretty or compact), in a tenth of the time. Every mutant is encoded once
/// for its content hash and once for the wire, and Foundation's encoder (boxing each value, sorting each
/// object's keys) cost more than a small model's whole run in a worker. `GraphJSONTests` holds the output
/// equal to `JSONEncoder`'s over the zoo and over hostile names and floats, so content hashes are unchanged.
public enum GraphJSON {
    /// `pretty`: two-space indentation and `"key" : value`, as `graph.json` files and content hashes use.
    public static func encode(_ graph: Graph, pretty: Bool) -> Data {
        var w = Writer(pretty: pretty, capacity: graph.nodes.count * (pretty ? 700 : 300))
        w.open("{")
        w.key("name"); w.string(graph.name)
        w.key("nodes"); w.open("[")
        for node in graph.nodes { w.member(); w.node(node) }
        w.close("]")
        w.key("outputs"); w.open("[")
        for ref in graph.outputs { w.member(); w.reference(ref) }
        w.close("]")
        w.close("}")
        return w.bytes.data()
    }

    struct Writer {
        let pretty: Bool
        let bytes: ByteSink
        /// Per open container, one bit (the innermost lowest): whether it already holds a member (a comma goes
        /// before the next one). A graph's JSON nests six deep.
        private var filled: UInt64 = 0
        private var depth = 0

        init(pretty: Bool, capacity: Int = 4096) {
            self.pretty = pretty
            bytes = ByteSink(capacity: capacity)
        }

        mutating func node(_ n: Node) {
            open("{")
            key("attributes"); open("{")
            for name in n.attributes.keys.sorted() {
                key(escaping: name)
                attribute(n.attributes[name]!)
            }
            close("}")
            key("inputs"); open("[")
            for ref in n.inputs { member(); reference(ref) }
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
            precondition(depth < 64, "GraphJSON nests at most 64 deep")
            filled <<= 1
            depth += 1
        }

        mutating func close(_ bracket: Unicode.Scalar) {
            let any = filled & 1 == 1
            filled >>= 1
            depth -= 1
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
            if filled & 1 == 1 { bytes.append(UInt8(ascii: ",")) }
            filled |= 1
            if pretty {
                bytes.append(0x0A)
                indent()
            }
        }

        private mutating func indent() {
            bytes.append(repeating: 0x20, count: depth * 2)
        }

        /// A key the writer names itself (ASCII without anything to escape): its bytes are copied as they are.
        mutating func key(_ name: StaticString) {
            member()
            bytes.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { bytes.append(contentsOf: $0) }
            bytes.append(UInt8(ascii: "\""))
            colon()
        }

        /// A key from the graph (an attribute's name), escaped.
        mutating func key(escaping name: String) {
            member()
            string(name)
            colon()
        }

        private mutating func colon() {
            if pretty { bytes.append(0x20); bytes.append(UInt8(ascii: ":")); bytes.append(0x20) } else { bytes.append(UInt8(ascii: ":")) }
        }

        // MARK: scalars

        mutating func raw(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }

        /// Decimal digits written in place (`String(v)` allocated a string per number: shapes are most of a graph).
        mutating func int(_ v: Int) { bytes.decimal(v) }

        /// A value reference as `ValueRef.description` spells it (`node` or `node:output`), without building it.
        mutating func reference(_ ref: ValueRef) {
            bytes.append(UInt8(ascii: "\""))
            bytes.jsonEscaped(ref.node)
            if ref.output != 0 {
                bytes.append(UInt8(ascii: ":"))
                int(ref.output)
            }
            bytes.append(UInt8(ascii: "\""))
        }

        /// Swift's shortest round-trip form without a trailing ".0" (1.0 → 1, 1e-05 stays), as JSONEncoder.
        mutating func double(_ v: Double) {
            var text = v.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            bytes.append(contentsOf: Array(text.utf8))
        }

        mutating func string(_ s: String) {
            bytes.jsonString(s)
        }
    }
}
