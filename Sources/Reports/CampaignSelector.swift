import Foundation

/// `--campaign ID|latest`.
public enum CampaignSelector: Sendable, Equatable, CustomStringConvertible {
    /// The campaign that started last (ties: the higher id), whatever its kind.
    case latest
    case id(Int64)

    public init(parsing text: String) throws(ReportError) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "latest" { self = .latest; return }
        guard let id = Int64(t), id > 0 else {
            throw ReportError(.badArgument, "--campaign must be a campaign id (a positive number) or 'latest', got '\(text)'")
        }
        self = .id(id)
    }

    public var description: String {
        switch self {
        case .latest: "latest"
        case .id(let id): String(id)
        }
    }
}
