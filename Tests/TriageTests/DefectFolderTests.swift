import Foundation
import Fuzz
import GRDB
import Store
import Testing
@testable import Triage

@Suite(.serialized) struct DefectFolderTests {
    @Test func foldIsIdempotentAndAssignsEveryFinding() throws {
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try DefectLabStore.open(path: dir.appendingPathComponent("f.sqlite").path)
        try TriageTestSupport.campaign(store, seed: 2, budget: 40)
        let findings = try TriageTestSupport.count(store, "SELECT COUNT(*) FROM campaign_finding")
        #expect(findings > 0)
        let first = try DefectFolder.fold(store: store)
        #expect(first.folded == findings)
        #expect(first.created > 0)
        let again = try DefectFolder.fold(store: store)
        #expect(again == DefectFolder.Result())
        #expect(try TriageTestSupport.count(store, "SELECT COUNT(*) FROM defect_finding") == findings)
        #expect(try TriageTestSupport.count(store, "SELECT SUM(finding_count) FROM defect") == findings)
        // Every defect has a representative with a node count, and counts add up per defect.
        for d in try DefectQueries(store: store).list() {
            #expect(d.representativeNodes != nil && d.representativeStep != nil)
            #expect(d.findingCount == (try TriageTestSupport.count(store, "SELECT COUNT(*) FROM defect_finding WHERE defect_id = \(d.id)")))
        }
        // A resumed campaign that adds steps folds only the new findings into the existing defects.
        try TriageTestSupport.campaign(store, seed: 2, budget: 60)
        let more = try TriageTestSupport.count(store, "SELECT COUNT(*) FROM campaign_finding") - findings
        let third = try DefectFolder.fold(store: store)
        #expect(third.folded == more)
        #expect(try TriageTestSupport.count(store, "SELECT SUM(finding_count) FROM defect") == findings + more)
    }

    /// A defect as `defects list --format json` prints it: the row's columns and `campaigns` side by side, every
    /// column of the table but the bookkeeping `updated_at`, and the same record again when read back.
    @Test func aDefectEncodesFlatAndReadsBack() throws {
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try DefectLabStore.open(path: dir.appendingPathComponent("f.sqlite").path)
        try TriageTestSupport.campaign(store, seed: 2, budget: 40)
        try DefectFolder.fold(store: store)
        let defects = try DefectQueries(store: store).list()
        let first = try #require(defects.first)
        let data = try JSONEncoder().encode(first)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let columns = try store.read { db in try db.columns(in: "defect").map(\.name) }
        let nullColumns: Set<String> = try store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM defect WHERE id = ?", arguments: [first.id]) else { return [] }
            return Set(row.columnNames.filter { (row[$0] as DatabaseValue).isNull })
        }
        for column in columns where column != "updated_at" {
            // Absent only where the column is NULL (optionals are left out, as before).
            #expect(object[column] != nil || nullColumns.contains(column), "missing \(column) in \(object.keys.sorted())")
        }
        #expect(object["updated_at"] == nil)
        #expect(object["campaigns"] as? [Int] == first.campaigns.map(Int.init))
        #expect(object["finding_count"] as? Int == first.findingCount)
        #expect(try JSONDecoder().decode(DefectRecord.self, from: data) == first)
        #expect(first.frameworkList == first.frameworks.split(separator: ",").map(String.init))
    }

    /// Merging reads a shard written by an older build without changing it (that build still resumes it): the
    /// copy is migrated, the shard is not.
    @Test func mergeLeavesAnOlderShardAsItIs() throws {
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.sqlite").path
        let shard = try DefectLabStore.open(path: path)
        try TriageTestSupport.campaign(shard, seed: 3, budget: 12, shard: ShardSpec(index: 0, count: 1))
        // As the build before migration v7 left it.
        try shard.pool.writeWithoutTransaction { db in
            try db.execute(sql: "ALTER TABLE campaign DROP COLUMN spent_seconds")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v7-campaign-spent'")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let merged = try DefectLabStore.open(path: dir.appendingPathComponent("merged.sqlite").path)
        let result = try CampaignMerge.merge(sources: [path], into: merged)
        #expect(result.mutants == 12)
        let applied = try shard.pool.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(!applied.contains("v7-campaign-spent"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        // Merged again after the merged store went further on its own (resumed to a finish): nothing moves back.
        try merged.pool.write { db in try db.execute(sql: "UPDATE campaign SET status = 'finished', spent_seconds = 3600") }
        _ = try CampaignMerge.merge(sources: [path], into: merged)
        let after = try merged.pool.read { try Row.fetchOne($0, sql: "SELECT status, spent_seconds FROM campaign") }
        #expect(after?["status"] as String? == "finished" && after?["spent_seconds"] as Double? == 3600)
        // A copy with the same steps that spent longer (interrupted and resumed) adds nothing and moves nothing.
        try merged.pool.write { db in try db.execute(sql: "UPDATE campaign SET spent_seconds = 1") }
        try shard.pool.writeWithoutTransaction { db in try db.execute(sql: "UPDATE campaign SET status = 'finished', finished_at = '2001-01-01T00:00:00Z'") }
        let same = try CampaignMerge.merge(sources: [path], into: merged)
        #expect(same.skipped == 1 && same.extended == 0 && same.settled == 0)
        #expect(try merged.pool.read { try Double.fetchOne($0, sql: "SELECT spent_seconds FROM campaign") } == 1)
    }

    /// Two shards in two databases, merged and folded, give the defects of the same two shards run into one
    /// store; and the planted set equals that of one unsharded run with the same campaign seed.
    @Test func mergedShardsFoldLikeOneStore() throws {
        let dir = try TriageTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.sqlite").path, b = dir.appendingPathComponent("b.sqlite").path
        let shardA = try DefectLabStore.open(path: a), shardB = try DefectLabStore.open(path: b)
        try TriageTestSupport.campaign(shardA, seed: 3, budget: 80, shard: ShardSpec(index: 0, count: 2))
        try TriageTestSupport.campaign(shardB, seed: 3, budget: 80, shard: ShardSpec(index: 1, count: 2))
        // Folding a shard first must not matter: merge copies findings, the merged store folds them anew.
        try DefectFolder.fold(store: shardA)
        let merged = try DefectLabStore.open(path: dir.appendingPathComponent("merged.sqlite").path)
        _ = try CampaignMerge.merge(sources: [a, b], into: merged)
        try DefectFolder.fold(store: merged)

        let single = try DefectLabStore.open(path: dir.appendingPathComponent("single.sqlite").path)
        try TriageTestSupport.campaign(single, seed: 3, budget: 80, shard: ShardSpec(index: 0, count: 2))
        try TriageTestSupport.campaign(single, seed: 3, budget: 80, shard: ShardSpec(index: 1, count: 2))
        try DefectFolder.fold(store: single)

        struct Shape: Hashable { var signature: String; var count: Int; var nodes: Int?; var step: Int? }
        func shapes(_ s: DefectLabStore) throws -> Set<Shape> {
            Set(try DefectQueries(store: s).list().map { Shape(signature: $0.signature, count: $0.findingCount, nodes: $0.representativeNodes, step: $0.representativeStep) })
        }
        let m = try shapes(merged)
        #expect(!m.isEmpty)
        #expect(m == (try shapes(single)))
        // Merged in the other order, the defects get the same ids (folded in the order their mutants were made,
        // shards by key where they tie, not by the campaign ids a merge hands out).
        let reversed = try DefectLabStore.open(path: dir.appendingPathComponent("reversed.sqlite").path)
        _ = try CampaignMerge.merge(sources: [b, a], into: reversed)
        try DefectFolder.fold(store: reversed)
        func ids(_ s: DefectLabStore) throws -> [String] { try DefectQueries(store: s).list().sorted { $0.id < $1.id }.map(\.signature) }
        #expect(try ids(reversed) == ids(merged))
        // No planted defect is split or doubled across shards.
        let mergedPlanted = try DefectQueries(store: merged).list().compactMap(TriageTestSupport.plantedMatch)
        #expect(mergedPlanted.count == Set(mergedPlanted).count)

        let unsharded = try DefectLabStore.open(path: dir.appendingPathComponent("unsharded.sqlite").path)
        try TriageTestSupport.campaign(unsharded, seed: 3, budget: 80)
        try DefectFolder.fold(store: unsharded)
        let plantedUnsharded = Set(try DefectQueries(store: unsharded).list().compactMap(TriageTestSupport.plantedMatch))
        #expect(Set(mergedPlanted) == plantedUnsharded)
        #expect(plantedUnsharded.count == TriageTestSupport.planted.count)
        // The same unique defects (signatures), though the shards drew other mutants than the unsharded run.
        #expect(Set(m.map(\.signature)) == Set(try DefectQueries(store: unsharded).list().map(\.signature)))
    }
}
