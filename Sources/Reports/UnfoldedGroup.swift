/// Raw findings of the campaign that no unique defect folds yet (the fold has not run on them), grouped by
/// the campaign's own signature, so a report never hides a finding just because triage has not seen it.
public struct UnfoldedGroup: Sendable, Codable, Equatable {
    public var signature: String
    public var subtype: String
    public var framework: String
    public var symptom: String
    public var stage: String?
    public var op: String
    public var count: Int
    public var firstStep: Int
    public var detail: String

    enum CodingKeys: String, CodingKey {
        case signature, subtype, framework, symptom, stage, op, count, detail
        case firstStep = "first_step"
    }
}
