/// One unique defect as a campaign report shows it: the `defect` row, how often this campaign hit it, and
/// its reproducer folder's contents.
public struct DefectEntry: Sendable, Codable, Equatable {
    public var id: Int64
    public var signature: String
    public var subtype: String
    public var subtypeName: String
    public var symptom: String
    public var stage: String?
    public var frameworks: [String]
    public var op: String
    public var keyAttributes: String
    public var error: String
    public var title: String
    /// Raw findings folded into it, over every campaign in the store.
    public var findingCount: Int
    /// Raw findings of this campaign folded into it.
    public var campaignFindings: Int
    public var firstSeen: String
    public var lastSeen: String
    public var representativeCampaign: Int64?
    public var representativeStep: Int?
    public var representativeNodes: Int?
    /// The mutation operator of the representative (when its mutant is in the store).
    public var representativeOperator: String?
    /// The operator of the first mutant of this campaign that exposed it.
    public var firstOperator: String?
    public var reducedNodes: Int?
    /// Bytes of the reduced graph JSON (the graph itself stays in the store and the reproducer folder).
    public var reducedGraphBytes: Int?
    /// `interface` or `composition` once reduction has told them apart.
    public var kind: String?
    /// Why the last reduction failed (the representative no longer shows the defect: a fluke, or a timing
    /// finding), until one succeeds; `defects list` shows it as `failed`.
    public var reductionFailure: String?
    /// One raw finding's detail (the first in this campaign), as the oracle wrote it.
    public var sampleDetail: String
    public var reproducer: ReproducerListing?

    enum CodingKeys: String, CodingKey {
        case id, signature, subtype, symptom, stage, frameworks, op, error, title, kind, reproducer
        case subtypeName = "subtype_name", keyAttributes = "key_attributes", findingCount = "finding_count"
        case campaignFindings = "campaign_findings", firstSeen = "first_seen", lastSeen = "last_seen"
        case representativeCampaign = "representative_campaign_id", representativeStep = "representative_step"
        case representativeNodes = "representative_nodes", representativeOperator = "representative_operator"
        case firstOperator = "first_operator", reducedNodes = "reduced_nodes", reducedGraphBytes = "reduced_graph_bytes"
        case sampleDetail = "sample_detail", reductionFailure = "reduction_failure"
    }

    /// Every key in every entry, null where a defect has no reduction, representative or reproducer yet: a
    /// reader of the report's JSON finds the same keys for each defect.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(signature, forKey: .signature)
        try c.encode(subtype, forKey: .subtype)
        try c.encode(subtypeName, forKey: .subtypeName)
        try c.encode(symptom, forKey: .symptom)
        try c.encode(stage, forKey: .stage)
        try c.encode(frameworks, forKey: .frameworks)
        try c.encode(op, forKey: .op)
        try c.encode(keyAttributes, forKey: .keyAttributes)
        try c.encode(error, forKey: .error)
        try c.encode(title, forKey: .title)
        try c.encode(findingCount, forKey: .findingCount)
        try c.encode(campaignFindings, forKey: .campaignFindings)
        try c.encode(firstSeen, forKey: .firstSeen)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(representativeCampaign, forKey: .representativeCampaign)
        try c.encode(representativeStep, forKey: .representativeStep)
        try c.encode(representativeNodes, forKey: .representativeNodes)
        try c.encode(representativeOperator, forKey: .representativeOperator)
        try c.encode(firstOperator, forKey: .firstOperator)
        try c.encode(reducedNodes, forKey: .reducedNodes)
        try c.encode(reducedGraphBytes, forKey: .reducedGraphBytes)
        try c.encode(kind, forKey: .kind)
        try c.encode(reductionFailure, forKey: .reductionFailure)
        try c.encode(sampleDetail, forKey: .sampleDetail)
        try c.encode(reproducer, forKey: .reproducer)
    }
}
