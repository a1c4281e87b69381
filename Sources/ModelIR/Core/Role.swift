/// Where a node sits in the model, for the study's backbone-versus-head mutation experiments.
public enum Role: String, Codable, Sendable, Hashable, CaseIterable {
    case backbone, head
}
