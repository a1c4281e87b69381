import Foundation
import GRDB
import Testing
@testable import Store

func temporaryDatabasePath() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-store-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("test.sqlite").path
}

func schemaDump(_ store: DefectLabStore) throws -> [String] {
    try store.read { db in try String.fetchAll(db, sql: "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name") }
}

@Suite struct DefectLabStoreTests {
    @Test func migratingTwiceChangesNothing() throws {
        let path = temporaryDatabasePath()
        let first = try DefectLabStore.open(path: path)
        let before = try schemaDump(first)
        let infoBefore = try first.info()
        let second = try DefectLabStore.open(path: path)
        #expect(try schemaDump(second) == before)
        #expect(try second.info() == infoBefore)
        #expect(infoBefore.schemaVersion == StoreMigrations.migrator.migrations.count)
        #expect(infoBefore.journalMode == "wal")
        #expect(infoBefore.rowCounts["annotation"] == 0)
    }

    @Test func twoConnectionsWritingAtOnceBothSucceed() async throws {
        // Two pools on one file lock exactly as two processes do (SQLite file locks).
        let path = temporaryDatabasePath()
        let a = try DefectLabStore.open(path: path)
        let b = try DefectLabStore.open(path: path)
        let perWriter = 300
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, store) in [("a", a), ("b", b)] {
                group.addTask {
                    for i in 0..<perWriter {
                        try store.write { db in
                            try db.execute(sql: "INSERT INTO annotator (name, created_at) VALUES (?, ?)",
                                           arguments: ["\(name)-\(i)", "2026-01-01T00:00:00Z"])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try a.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM annotator") } == 2 * perWriter)
    }

    @Test func annotationsAreAppendOnlyAndTheCurrentLabelIsAView() throws {
        let store = try DefectLabStore.open(path: temporaryDatabasePath())
        try store.write { db in
            try db.execute(sql: "INSERT INTO annotator (id, name, created_at) VALUES (1, 'ann', 't')")
            try db.execute(sql: "INSERT INTO item (id, key, created_at) VALUES (1, 'https://github.com/pytorch/pytorch/issues/1', 't')")
            try db.execute(sql: "INSERT INTO annotation (item_id, annotator_id, level, label, created_at) VALUES (1, 1, 'subtype', 'B1', 't1')")
            try db.execute(sql: "INSERT INTO annotation (item_id, annotator_id, level, label, created_at) VALUES (1, 1, 'subtype', 'B3', 't2')")
        }
        #expect(try store.read { try String.fetchOne($0, sql: "SELECT label FROM current_annotation") } == "B3")
        #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "UPDATE annotation SET label = 'A1'") }
        }
        #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "DELETE FROM annotation") }
        }
        try store.write { db in
            try db.execute(sql: "INSERT INTO annotation (item_id, annotator_id, level, action, created_at) VALUES (1, 1, 'subtype', 'retract', 't3')")
        }
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM current_annotation") } == 0)
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM annotation") } == 3)
    }

    @Test func issuesAreUniquePerRepositoryAndNumber() throws {
        let store = try DefectLabStore.open(path: temporaryDatabasePath())
        try store.write { db in
            try db.execute(sql: "INSERT INTO tracker (id, kind, api_url) VALUES (1, 'gitee', 'https://gitee.com/api/v5')")
            try db.execute(sql: "INSERT INTO repository (id, tracker_id, owner, name) VALUES (1, 1, 'mindspore', 'mindspore')")
            try db.execute(sql: "INSERT INTO issue (repository_id, number, raw_json, fetched_at) VALUES (1, 'I65G7B', '{}', 't')")
        }
        #expect(throws: StoreError.self) {
            try store.write { db in
                try db.execute(sql: "INSERT INTO issue (repository_id, number, raw_json, fetched_at) VALUES (1, 'I65G7B', '{}', 't')")
            }
        }
        // Gitee numbers are case-sensitive.
        try store.write { db in
            try db.execute(sql: "INSERT INTO issue (repository_id, number, raw_json, fetched_at) VALUES (1, 'i65g7b', '{}', 't')")
        }
    }

    @Test func corruptFileIsAOneLineError() throws {
        let path = temporaryDatabasePath()
        try Data("this is not sqlite, just text that is long enough to look like a header......".utf8)
            .write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: StoreError.self) { try DefectLabStore.open(path: path) }
        #expect(error.code == .corrupt)
        #expect(!error.description.contains("\n"))
    }

    @Test func missingFileOrFolder() throws {
        let path = temporaryDatabasePath()
        let missing = try #require(throws: StoreError.self) { try DefectLabStore.open(path: path, mode: .mustExist) }
        #expect(missing.code == .missing)
        #expect(!FileManager.default.fileExists(atPath: path))
        let noFolder = try #require(throws: StoreError.self) { try DefectLabStore.open(path: "/nonexistent-\(UUID())/x.sqlite") }
        #expect(noFolder.code == .unwritable)
    }

    @Test func resolvesThePathFromFlagThenEnvironmentThenDefault() {
        #expect(StoreLocation.resolve(flag: "a.sqlite", environment: ["DEFECTLAB_DB": "b.sqlite"]) == "a.sqlite")
        #expect(StoreLocation.resolve(flag: nil, environment: ["DEFECTLAB_DB": "b.sqlite"]) == "b.sqlite")
        #expect(StoreLocation.resolve(flag: nil, environment: [:]) == "Data/defectlab.sqlite")
    }

    /// A writer that waited out the busy timeout is told what happened and what to do, not "database is locked".
    @Test func aBusyDatabaseSaysWhatToDo() {
        for code in [ResultCode.SQLITE_BUSY, .SQLITE_LOCKED] {
            let error = DefectLabStore.describe(DatabaseError(resultCode: code), path: "/x.sqlite")
            #expect(error.message.hasPrefix("the database is busy: another process has been writing to it for over 30 s"), "\(error)")
            #expect(error.message.contains("run this again once it is done") && error.code == .busy)
        }
    }
}
