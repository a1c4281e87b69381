/// A JSON/YAML object whose keys keep the given order (taxonomy or category order): a dictionary comes out
/// in the process's random hash order (sorted only by the JSON encoder's option, which YAML lacks), so a
/// listing users diff would change on every run.
public struct OrderedValues<Value: Encodable>: Encodable {
    public var pairs: [(String, Value)]

    public init(pairs: [(String, Value)]) { self.pairs = pairs }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (key, value) in pairs { try c.encode(value, forKey: Key(stringValue: key)) }
    }
}
