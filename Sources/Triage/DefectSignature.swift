import Fuzz
import ModelIR
import Taxonomy

/// What makes two raw findings one bug: the symptom and stage, the taxonomy subtype, which frameworks
/// deviate on that mutant for that symptom, the localized op with its behaviour-class attributes, and for
/// crashes and errors the normalized message with its innermost frames.
public struct DefectSignature: Sendable, Hashable, Codable {
    public var symptom: String
    public var stage: String
    public var subtype: String
    /// Sorted framework names.
    public var frameworks: [String]
    public var op: String
    public var keyAttributes: String
    public var error: String

    public init(symptom: String, stage: String, subtype: String, frameworks: [String], op: String, keyAttributes: String, error: String) {
        self.symptom = symptom
        self.stage = stage
        self.subtype = subtype
        self.frameworks = Array(Set(frameworks)).sorted()
        self.op = op
        self.keyAttributes = keyAttributes
        self.error = error
    }

    /// The signature of `finding`, seen on `graph` (the mutant it was found on) beside `deviating`, the
    /// frameworks with a finding of the same symptom on that mutant.
    public init(finding: MutantFinding, deviating: [String], graph: Graph?) {
        self.init(symptom: finding.symptom, stage: finding.stage, subtype: finding.subtype, op: finding.op, node: finding.node,
                  detail: finding.detail, deviating: deviating, graph: graph)
    }

    /// The same from a stored finding's columns. The key attributes are those of the node the finding
    /// localized to (`node`), else of the first node of its op type (findings that do not localize).
    public init(symptom: FindingSymptom, stage: FindingStage?, subtype: String, op: String, node name: String? = nil, detail: String,
                deviating: [String], graph: Graph?) {
        let node = name.flatMap { n in graph?.nodes.first { $0.name == n && $0.op.rawValue == op } } ?? graph?.nodes.first { $0.op.rawValue == op }
        // A NaN/Inf finding goes one of two ways, two different bugs: NaN/Inf made where the reference is finite,
        // or a NaN/Inf the reference has that the framework dropped (the oracle's detail says which).
        let error = Self.hasErrorText(symptom) ? ErrorNormalizer.normalize(detail)
            : symptom == .nanInf && detail.contains("not propagated") ? Self.nanNotPropagated : ""
        self.init(symptom: symptom.rawValue, stage: stage?.rawValue ?? "", subtype: subtype, frameworks: deviating, op: op,
                  keyAttributes: node.map { KeyAttributes.describe($0, graph: graph) } ?? "", error: error)
    }

    /// The `error` field of a NaN/Inf defect whose framework dropped the reference's NaN/Inf.
    public static let nanNotPropagated = "NaN/Inf not propagated"

    /// Symptoms whose message says which bug it is (the others carry measured numbers).
    static func hasErrorText(_ symptom: FindingSymptom) -> Bool { symptom == .crash || symptom == .error || symptom == .memoryFailure }

    /// The stored form (`defect.signature`): one line, fields in a fixed order.
    public var text: String {
        [symptom, stage, subtype, frameworks.joined(separator: ","), op, keyAttributes, error].joined(separator: "|")
    }

    /// A one-line title in the style of a tracker issue.
    public var title: String {
        let who = frameworks.joined(separator: ", ")
        let attrs = keyAttributes.isEmpty ? "" : " (\(keyAttributes))"
        let what: String = switch FindingSymptom(rawValue: symptom) {
        case .crash: "crashes"
        case .error: stage == "load" ? "fails to load" : "raises an error"
        case .nanInf: error == Self.nanNotPropagated ? "outputs finite values where the float64 reference has NaN/Inf"
            : "outputs NaN/Inf where the float64 reference is finite"
        case .inconsistency: "computes wrong values (against the float64 reference)"
        case .slowdown: "is abnormally slow"
        case .memoryGrowth: "allocates abnormally"
        case .memoryFailure: "runs out of memory"
        case .hang: "hangs"
        default: symptom
        }
        let stagePart = stage.isEmpty || symptom == "error" && stage == "load" ? "" : " during \(stage)"
        let message = error.isEmpty || symptom == FindingSymptom.nanInf.rawValue ? "" : ": \(error.prefix(120))"
        return "[\(who)] \(op)\(attrs) \(what)\(stagePart)" + message
    }
}
