import Foundation

/// `--campaign ID|ID,ID,...|latest|all`. Several campaigns (the shards of a merged run) are reported as one.
public enum CampaignSelector: Sendable, Equatable, CustomStringConvertible {
    /// The campaign that started last (ties: the higher id), whatever its kind.
    case latest
    /// Every campaign in the store.
    case all
    case ids([Int64])

    public static func id(_ id: Int64) -> CampaignSelector { .ids([id]) }

    public init(parsing text: String) throws(ReportError) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "latest" { self = .latest; return }
        if t == "all" { self = .all; return }
        var ids: [Int64] = []
        for part in t.split(separator: ",", omittingEmptySubsequences: false) {
            guard let id = Int64(part.trimmingCharacters(in: .whitespaces)), id > 0 else {
                throw ReportError(.badArgument, "--campaign must be a campaign id (a positive number), a comma list of ids, 'latest' or 'all', got '\(text)'")
            }
            if !ids.contains(id) { ids.append(id) }
        }
        self = .ids(ids.sorted())
    }

    public var description: String {
        switch self {
        case .latest: "latest"
        case .all: "all"
        case .ids(let ids): ids.map(String.init).joined(separator: ",")
        }
    }
}
