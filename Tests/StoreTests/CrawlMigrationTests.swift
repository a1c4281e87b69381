import Foundation
import GRDB
@testable import Store
import Testing

struct CrawlMigrationTests {
    @Test func v2CrawlAddsPageLinksAndPassStart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
        let store = try DefectLabStore.open(path: path)
        let info = try store.info()
        // Later migrations (v3-fuzz-campaigns, ...) follow; the crawl one comes right after the mining schema.
        #expect(Array(info.migrations.prefix(2)) == ["v1-mining", "v2-crawl"])
        let columns = try store.read { db in
            (try db.columns(in: "page_etag").map(\.name), try db.columns(in: "crawl_state").map(\.name))
        }
        #expect(columns.0.contains("next_url") && columns.0.contains("last_page"))
        #expect(columns.1.contains("first_url"))
    }
}
