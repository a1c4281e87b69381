import Foundation

extension StoreInfo {
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public func table() -> String {
        var lines = ["path            \(path)",
                     "schema version  \(schemaVersion) (\(migrations.joined(separator: ", ")))",
                     "journal mode    \(journalMode)",
                     "rows:"]
        let width = rowCounts.keys.map(\.count).max() ?? 0
        for (table, count) in rowCounts.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(table.padding(toLength: width, withPad: " ", startingAt: 0))  \(count)")
        }
        return lines.joined(separator: "\n")
    }
}
