import Foundation

/// The campaign row, with the parts of its configuration a reader wants up front.
public struct CampaignInfo: Sendable, Codable, Equatable {
    public var id: Int64
    public var kind: String
    public var status: String
    /// The campaign seed (stored as a signed 64-bit value; printed as the user typed it).
    public var seed: UInt64
    public var shardIndex: Int
    public var shardCount: Int
    public var startedAt: String
    public var finishedAt: String?
    public var seeds: [String]
    public var frameworks: [String]
    public var guidance: String?
    public var operators: [String]
    public var planted: [String]
    /// The configuration exactly as stored (JSON), shown verbatim (escaped) in the reports.
    public var configJSON: String
    /// Several campaigns read as one whose seeds differ: each one's seed (nil when there is one seed).
    public var campaignSeeds: [UInt64]? = nil
    /// Several campaigns read as one: each one's id, seed, shard and configuration (nil for one campaign, which
    /// the fields above describe). The reports' configuration sections and CI properties list them all.
    public var members: [Member]? = nil

    public struct Member: Sendable, Codable, Equatable {
        public var id: Int64
        public var seed: UInt64
        public var shardIndex: Int
        public var shardCount: Int
        public var configJSON: String

        enum CodingKeys: String, CodingKey {
            case id, seed, shardIndex = "shard_index", shardCount = "shard_count", configJSON = "config_json"
        }
    }

    /// Every campaign's shard, `index/count`, comma-separated.
    public var shardText: String {
        members.map { $0.map { "\($0.shardIndex)/\($0.shardCount)" }.joined(separator: ",") } ?? "\(shardIndex)/\(shardCount)"
    }

    /// (heading, configuration JSON) per campaign.
    public var configurations: [(String, String)] {
        members.map { $0.map { ("campaign \($0.id) (seed \($0.seed), shard \($0.shardIndex)/\($0.shardCount))", $0.configJSON) } }
            ?? [("campaign \(id)", configJSON)]
    }

    /// The seed as the reports show it: every campaign's when they differ.
    public var seedText: String { campaignSeeds.map { $0.map(String.init).joined(separator: ", ") } ?? String(seed) }

    enum CodingKeys: String, CodingKey {
        case id, kind, status, seed, seeds, frameworks, guidance, operators, planted
        case shardIndex = "shard_index", shardCount = "shard_count", startedAt = "started_at", finishedAt = "finished_at"
        case configJSON = "config_json", campaignSeeds = "campaign_seeds", members = "campaigns"
    }

    /// Reads the fields of `config_json` the report shows; an unreadable configuration leaves them empty
    /// rather than failing the report (the raw text is still shown).
    static func parseConfig(_ json: String) -> (seeds: [String], frameworks: [String], guidance: String?, operators: [String], planted: [String]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return ([], [], nil, [], []) }
        func strings(_ key: String) -> [String] { (object[key] as? [Any])?.compactMap { $0 as? String } ?? [] }
        return (strings("seeds"), strings("frameworks"), object["guidance"] as? String, strings("operators"), strings("planted"))
    }
}
