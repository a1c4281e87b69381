import Foundation
import GRDB

/// The one SQLite database that holds mined issues, labels and fuzzing findings.
///
/// A `DatabasePool` in WAL mode with a busy timeout, so several annotators, a crawler and a fuzzer can use
/// one file at once. Opening migrates the schema to the newest version this build knows.
public final class DefectLabStore: Sendable {
    public enum OpenMode: Sendable {
        /// Create the file (not its folder) when missing.
        case createIfMissing
        /// Fail with `StoreError.missing` when there is no file (read-only analytics on a mistyped path).
        case mustExist
    }

    public let path: String
    public let pool: DatabasePool

    /// How long a writer waits for another process's write lock before failing.
    public static let busyTimeout: TimeInterval = 30

    public static func open(path: String, mode: OpenMode = .createIfMissing) throws -> DefectLabStore {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw StoreError(code: .corrupt, path: path, message: "is a folder, not a database file") }
            guard fm.isReadableFile(atPath: path) else {
                throw StoreError(code: .unwritable, path: path, message: "cannot read the database file (permissions)")
            }
        } else {
            if mode == .mustExist {
                throw StoreError(code: .missing, path: path,
                                 message: "no database here; pass --db PATH or set DEFECTLAB_DB to an existing one")
            }
            let folder = url.deletingLastPathComponent().path
            guard fm.fileExists(atPath: folder.isEmpty ? "." : folder) else {
                throw StoreError(code: .unwritable, path: path, message: "cannot create the database: folder '\(folder)' does not exist")
            }
        }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "defectlab"
        let pool: DatabasePool
        do {
            pool = try Self.openPool(path: path, configuration: config)
            let migrator = StoreMigrations.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw StoreError(code: .tooNew, path: path,
                                 message: "written by a newer DefectLab (unknown migrations); upgrade defectlab")
            }
            try Self.migrate(pool, with: migrator)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw Self.describe(error, path: path)
        } catch {
            throw StoreError(code: .sql, path: path, message: "cannot open the database: \(error)")
        }
        return DefectLabStore(path: path, pool: pool)
    }

    /// A store file to read at this build's schema without changing it (`merge` reads shard files it must not
    /// alter: an older build still resumes them, and they may sit on a read-only mount): the file itself when
    /// its schema is current, else a migrated copy in a temporary folder that `cleanUp` removes.
    public static func currentSchemaSource(path: String) throws -> (path: String, cleanUp: @Sendable () -> Void) {
        // A file whose write-ahead log holds changes (a shard killed mid-write) is copied, log included, before
        // anything opens it: even a read-only connection writes its -shm index, and a connection that can write
        // folds the log into the file when it closes.
        guard fileSize(path + "-wal") > 0 else { return try currentSchemaSource(readingInPlace: path, shown: path) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-merge-\(UUID().uuidString)")
        let removeFolder: @Sendable () -> Void = { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("shard.sqlite").path
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
        } catch {
            removeFolder()
            throw StoreError(code: .sql, path: path, message: "cannot copy the database to read it: \(error.localizedDescription)")
        }
        do {
            let source = try currentSchemaSource(readingInPlace: copy, shown: path)
            return (source.path, { source.cleanUp(); removeFolder() })
        } catch {
            removeFolder()
            throw error
        }
    }

    /// `currentSchemaSource` for a file that may be opened where it is; errors name `shown`.
    static func currentSchemaSource(readingInPlace path: String, shown: String) throws -> (path: String, cleanUp: @Sendable () -> Void) {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(busyTimeout)
        let queue: DatabaseQueue
        let current: Bool
        let someApplied: Bool
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            (current, someApplied) = try queue.read { db in
                (try StoreMigrations.migrator.hasCompletedMigrations(db) && !StoreMigrations.migrator.hasBeenSuperseded(db),
                 try !StoreMigrations.migrator.appliedIdentifiers(db).isEmpty)
            }
        } catch {
            // Missing, unreadable or not a store: `open` says which, in its words.
            do { _ = try open(path: path, mode: .mustExist) } catch var error as StoreError { error.path = shown; throw error }
            throw StoreError(code: .sql, path: shown, message: "cannot read the database: \(error)")
        }
        if current { try? queue.close(); return (path, {}) }
        // An empty file (a copy that failed) or another program's database opens as an SQLite database with
        // none of this tool's tables: migrated, it would read as a store with nothing in it.
        guard someApplied else {
            try? queue.close()
            throw StoreError(code: .corrupt, path: shown, message: "not a DefectLab database (\(Self.fileSize(path) == 0 ? "an empty file" : "none of its tables"))")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-merge-\(UUID().uuidString)")
        let cleanUp: @Sendable () -> Void = { try? FileManager.default.removeItem(at: folder) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let copy = folder.appendingPathComponent("source.sqlite").path
            // The backup API copies what the WAL holds too (copying the file alone would not).
            let destination = try DatabaseQueue(path: copy)
            try queue.backup(to: destination)
            try destination.close()
            try queue.close()
            _ = try open(path: copy, mode: .mustExist)
            return (copy, cleanUp)
        } catch var error as StoreError {
            cleanUp()
            error.path = shown
            throw error
        } catch {
            cleanUp()
            throw StoreError(code: .sql, path: shown, message: "cannot read the database: \(error)")
        }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    /// Migrates, tolerating other processes that migrate the same new file at the same moment.
    ///
    /// GRDB reads the applied migrations before it takes the write lock, so two processes opening a fresh
    /// file both try to apply the first migration and the loser fails with "table ... already exists". Each
    /// migration runs in its own transaction, so the loser's attempt rolled back whole; reading the applied
    /// list again and continuing is safe.
    static func migrate(_ pool: DatabasePool, with migrator: DatabaseMigrator) throws {
        var attempt = 0
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch let error as DatabaseError where Self.lostSetupRace(error) && attempt < 20 {
                attempt += 1
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
                Thread.sleep(forTimeInterval: 0.02 * Double(attempt))
            }
        }
    }

    /// A schema error from another process's concurrent migration, or SQLite refusing to wait for a lock
    /// (it returns BUSY at once when waiting could deadlock, e.g. upgrading a stale read to a write in WAL mode).
    static func lostSetupRace(_ error: DatabaseError) -> Bool {
        [.SQLITE_ERROR, .SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode)
    }

    /// Opens the pool; switching a brand-new file to WAL can meet the same immediate BUSY.
    static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        var attempt = 0
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) && attempt < 20 {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.02 * Double(attempt))
            }
        }
    }

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    static func describe(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StoreError(code: .corrupt, path: path, message: "not a DefectLab database, or damaged (\(error.message ?? "corrupt"))")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(code: .busy, path: path, message: "the database is busy: another process has been writing to it for over "
                              + "\(Int(busyTimeout)) s (a large import, a merge); run this again once it is done (crawl and fuzz go on where they stopped)")
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
            return StoreError(code: .unwritable, path: path, message: "cannot open for writing (\(error.message ?? "permission denied"))")
        default:
            return StoreError(code: .sql, path: path, message: error.message ?? "\(error)")
        }
    }

    /// Runs `body` in one write transaction, translating SQLite errors into one-line `StoreError`s.
    public func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as DatabaseError { throw Self.describe(error, path: path) }
    }

    public func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as DatabaseError { throw Self.describe(error, path: path) }
    }

    /// Path, schema version and row counts, for `defectlab db info`.
    public func info() throws -> StoreInfo {
        let path = self.path
        return try read { db in
            let applied = try StoreMigrations.migrator.appliedIdentifiers(db)
            let known = StoreMigrations.migrator.migrations
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master
                WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                ORDER BY name
                """)
            var counts: [String: Int] = [:]
            for table in tables {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
            }
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"
            return StoreInfo(path: path, schemaVersion: applied.count,
                             migrations: known.filter { applied.contains($0) },
                             journalMode: journal, rowCounts: counts)
        }
    }
}

/// What `defectlab db info` reports.
public struct StoreInfo: Sendable, Codable, Equatable {
    public var path: String
    /// The number of applied migrations; grows by one with every schema change.
    public var schemaVersion: Int
    public var migrations: [String]
    public var journalMode: String
    public var rowCounts: [String: Int]

    enum CodingKeys: String, CodingKey {
        case path
        case schemaVersion = "schema_version"
        case migrations
        case journalMode = "journal_mode"
        case rowCounts = "row_counts"
    }
}

extension DefectLabStore {
    /// The SQLite library version GRDB links.
    public static var sqliteVersion: String {
        (try? DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") }) .flatMap { $0 } ?? "?"
    }
}
