/// An op attribute. Attributes are a plain dictionary so the mutation engine can edit any of them generically;
/// the op's inference step reads them through typed accessors and rejects missing or ill-typed ones.
public enum AttributeValue: Codable, Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case ints([Int])
    case float(Double)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .ints(let v): "[\(v.map(String.init).joined(separator: ","))]"
        case .float(let v): String(v)
        case .string(let v): v
        case .bool(let v): String(v)
        }
    }

    // JSON form: numbers, arrays of integers, strings and booleans as themselves; floats always carry a
    // fractional part or exponent on the wire through a one-key object so 1.0 does not come back as an int.
    private enum Keys: String, CodingKey { case float }

    public init(from decoder: Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Keys.self), let f = try? keyed.decode(Double.self, forKey: .float) {
            self = .float(f)
            return
        }
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let a = try? c.decode([Int].self) { self = .ints(a) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let d = try? c.decode(Double.self) { self = .float(d) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "unsupported attribute value") }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .float(let v):
            var keyed = encoder.container(keyedBy: Keys.self)
            try keyed.encode(v, forKey: .float)
        case .int(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .ints(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .string(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        case .bool(let v): var c = encoder.singleValueContainer(); try c.encode(v)
        }
    }
}
