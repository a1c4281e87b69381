import ModelIR

/// Position control: which part of a model an operator may edit (the study's backbone-versus-head experiment).
public enum Position: String, Codable, Sendable, CaseIterable {
    case backbone, head, any

    public func admits(_ role: Role) -> Bool {
        switch self {
        case .any: true
        case .backbone: role == .backbone
        case .head: role == .head
        }
    }
}
