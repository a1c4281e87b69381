import GRDB

/// Everything the labelling screen shows about one item. Never includes anyone's labels (blind labelling).
public struct ItemDetail: Sendable, Equatable {
    public var itemID: Int64
    public var key: String
    public var title: String
    public var framework: String
    public var repository: String?
    public var number: String?
    public var state: String?
    public var createdAt: String?
    public var updatedAt: String?
    public var closedAt: String?
    public var tags: [String]
    public var url: String?
    /// Raw text as crawled: may hold terminal escapes; the screen neutralizes it before drawing.
    public var body: String

    /// Both queries go through the connection's statement cache: the labelling screen loads an item per
    /// label, and compiling the SQL each time cost more than running it.
    static func load(itemID: Int64, _ db: Database) throws -> ItemDetail {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT it.id, it.key, it.title AS item_title, it.framework AS item_framework, i.id AS issue_id,
                   i.title, i.number, i.state, i.created_at, i.updated_at, i.closed_at, i.url,
                   COALESCE(NULLIF(i.body_text, ''), i.body) AS body, r.owner, r.name, r.framework
            FROM item it LEFT JOIN issue i ON i.id = it.issue_id LEFT JOIN repository r ON r.id = i.repository_id
            WHERE it.id = ?
            """), arguments: [itemID]) else {
            throw AnnotationError(.notFound, "item \(itemID) is gone")
        }
        let key: String = row["key"]
        var tags: [String] = []
        if let issueID: Int64 = row["issue_id"] {
            tags = try String.fetchAll(db.cachedStatement(sql: """
                SELECT l.name FROM issue_label il JOIN label l ON l.id = il.label_id WHERE il.issue_id = ? ORDER BY l.name
                """), arguments: [issueID])
        }
        let owner: String? = row["owner"], name: String? = row["name"]
        let url: String? = row["url"] ?? (key.hasPrefix("http") ? key : nil)
        return ItemDetail(
            itemID: row["id"], key: key,
            title: row["title"] ?? row["item_title"] ?? key,
            framework: row["item_framework"] ?? row["framework"] ?? "unknown",
            repository: owner.flatMap { o in name.map { "\(o)/\($0)" } },
            number: row["number"], state: row["state"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], closedAt: row["closed_at"],
            tags: tags, url: url,
            // An empty body (a tracker's "" rather than null) drew a blank pane.
            body: (row["body"] as String?).flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
                ?? "(no text stored for this item: open the URL)")
    }
}

extension ItemDetail {
    /// Reads one item's detail (for screens outside a labelling session, such as adjudication).
    public static func fetch(itemID: Int64, _ db: Database) throws -> ItemDetail { try load(itemID: itemID, db) }
}
