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
}
