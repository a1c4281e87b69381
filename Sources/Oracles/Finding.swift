import Foundation
import ModelIR

/// One oracle verdict, filed under the HP taxonomy through fuzz-mapping.yaml.
public struct Finding: Codable, Sendable, Hashable {
    /// Stable across runs: a hash of (taxonomy, symptom, frameworks, op of the localized node) — LEMON's
    /// "unique bug = (backend, layer type)" — so repeated findings deduplicate.
    public var id: String
    public var taxonomy: String
    public var symptom: String
    public var stage: String?
    public var frameworks: [String]
    public var node: String?
    public var op: String?
    public var scope: String
    public var detail: String

    public init(taxonomy: String, symptom: String, stage: String?, frameworks: [String], node: String?, op: String?, scope: String, detail: String) {
        self.taxonomy = taxonomy
        self.symptom = symptom
        self.stage = stage
        self.frameworks = frameworks.sorted()
        self.node = node
        self.op = op
        self.scope = scope
        self.detail = detail
        var h = SHA256()
        h.update(Array("\(taxonomy)|\(symptom)|\(self.frameworks.joined(separator: ","))|\(op ?? "-")".utf8))
        id = String(SHA256.hex(h.finalize()).prefix(12))
    }

    enum CodingKeys: String, CodingKey { case id, taxonomy, symptom, stage, frameworks, node, op, scope, detail }

    /// Every key in every finding, null where a finding has no stage, node or op (issue 7's JSON names them).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(taxonomy, forKey: .taxonomy)
        try c.encode(symptom, forKey: .symptom)
        try c.encode(stage, forKey: .stage)
        try c.encode(frameworks, forKey: .frameworks)
        try c.encode(node, forKey: .node)
        try c.encode(op, forKey: .op)
        try c.encode(scope, forKey: .scope)
        try c.encode(detail, forKey: .detail)
    }
}
