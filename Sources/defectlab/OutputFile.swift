import ArgumentParser
import Foundation
import ModelIR

/// A file a command writes besides its printed output (`diff --report`, `study --output`, `stats --svg`,
/// `ratings export -o`, `models export --onnx`): its folder is created when missing, as `report --out` creates its
/// own, and a failure says which path and why. A missing folder used to fail only after the whole run.
enum OutputFile {
    /// Refuses, before a long run, a path that cannot be written: an existing folder, or one under a file
    /// (`diff --all-seeds --report DIR` ran for minutes, stored its findings, then failed on the report).
    static func check(_ given: String) throws {
        guard !given.trimmingCharacters(in: .whitespaces).isEmpty else { throw OutputFileError("an output path is empty: name a file") }
        // Every check is of the file that would be written: a link is followed (to a store's -wal, a link replaced
        // the live log of an open store; a dangling link was replaced by a regular file).
        let path = try target(given)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw OutputFileError("cannot write \(path): it is a folder; name a file in it")
        }
        // A database is never written over: `ratings export -o` or `stats --svg` naming the store (or its -wal,
        // -shm or -journal file) replaced it with a CSV, every crawled issue and label lost.
        if Self.isDatabase(path) { throw OutputFileError("cannot write \(path): it is an SQLite database (a DefectLab store?); name another file") }
        for suffix in ["-wal", "-shm", "-journal"] where path.hasSuffix(suffix) && Self.isDatabase(String(path.dropLast(suffix.count))) {
            throw OutputFileError("cannot write \(path): it belongs to the database \(path.dropLast(suffix.count)); name another file")
        }
        // The nearest folder that exists is where the missing ones would be made; a link on the way that leads
        // nowhere cannot have a folder made under it (it failed after the whole run, saying a file was in the way).
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            var info = stat()
            if lstat(folder.path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                let leads = (try? FileManager.default.destinationOfSymbolicLink(atPath: folder.path)) ?? "?"
                throw OutputFileError("cannot write \(given): \(folder.path) is a link to \(leads), which does not exist; make that folder or name another path")
            }
            let up = folder.deletingLastPathComponent()
            if up.path == folder.path { return }
            folder = up
        }
        if !isFolder.boolValue { throw OutputFileError("cannot write \(path): \(folder.path) is a file, not a folder") }
        if access(folder.path, W_OK) != 0 { throw OutputFileError("cannot write \(path): \(folder.path) is not writable") }
    }

    /// `check` as a usage error, for a command's `validate()`. `readsFolders`: model folders the command reads
    /// (`--load`, `--baseline`, the folder exported): an output is never written over their files (a report named
    /// `DIR/graph.json` replaced the graph it was a report of).
    /// `store`: the command's store, which it may create: an output naming it (or its -wal, -shm, -journal) is
    /// refused before it exists too (`study --output` naming a new store ran the study, then failed with exit 1).
    static func validate(_ path: String, readsFolders: [String] = [], store: String? = nil) throws {
        do {
            try check(path)
            // Compared as real paths: a folder link in either spelling hid the store that does not exist yet.
            let written = Self.canonical(try Self.target(path))
            if let store {
                let storePath = Self.canonical(try Self.target(store))
                for suffix in ["", "-wal", "-shm", "-journal"] where storePath + suffix == written {
                    throw OutputFileError("cannot write \(path): it is \(suffix.isEmpty ? "the store" : "the store's \(suffix) file") (--db); name another file")
                }
            }
            for folder in readsFolders {
                for name in [ModelBundle.graphFile, ModelBundle.weightsFile]
                where Self.canonical(try Self.target(URL(fileURLWithPath: folder).appendingPathComponent(name).path)) == written {
                    throw OutputFileError("cannot write \(path): it is the \(name) of the model read from \(folder); name another file")
                }
            }
        } catch { throw ValidationError("\(error)") }
    }

    /// `path` with every link in its folders resolved (the part that exists), for comparing two spellings.
    static func canonical(_ path: String) -> String {
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var rest = [URL(fileURLWithPath: path).lastPathComponent]
        while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" {
            rest.insert(folder.lastPathComponent, at: 0)
            folder = folder.deletingLastPathComponent()
        }
        return rest.reduce(folder.resolvingSymlinksInPath()) { $0.appendingPathComponent($1) }.standardizedFileURL.path
    }

    /// Where writing `path` lands: the path itself, or where its links lead (a link that leads nowhere yet
    /// names the file to make).
    static func target(_ path: String) throws -> String {
        var current = URL(fileURLWithPath: path).standardizedFileURL.path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK,
                  let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = destination.hasPrefix("/") ? URL(fileURLWithPath: destination).standardizedFileURL.path
                : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(destination).standardizedFileURL.path
        }
        throw OutputFileError("cannot write \(path): its links lead round in a loop")
    }

    static func write(_ data: Data, to given: String) throws {
        try check(given)
        let path = try target(given)
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw OutputFileError("cannot create the folder \(folder.path) for \(path): \(reason(error))")
            }
        } else if !isFolder.boolValue {
            throw OutputFileError("cannot write \(path): \(folder.path) is a file, not a folder")
        }
        // `path` is where the links lead: the file they name gets the output and the links stay (an atomic write
        // replaced a link itself with a regular file).
        if let kind = Self.specialKind(path) {
            // A device, pipe or socket is written through, never replaced: `-o /dev/null` run as root replaced the
            // system's /dev/null with a regular file, and `-o /dev/stdout` or a named pipe lost its reader.
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw OutputFileError("cannot write \(path): the \(kind) cannot be opened for writing (\(String(cString: strerror(errno))))")
            }
            defer { try? handle.close() }
            do { try handle.write(contentsOf: data) } catch {
                throw OutputFileError("cannot write \(path): \(reason(error))")
            }
            return
        }
        do { try data.write(to: url, options: .atomic) } catch {
            throw OutputFileError("cannot write \(path): \(reason(error))")
        }
    }

    /// What an existing path is when it is not a regular file or folder (after links): "device", "named pipe",
    /// "socket"; nil otherwise.
    static func specialKind(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFCHR, S_IFBLK: return "device"
        case S_IFIFO: return "named pipe"
        case S_IFSOCK: return "socket"
        default: return nil
        }
    }

    static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    /// The file starts with SQLite's header ("SQLite format 3" and a NUL).
    static func isDatabase(_ path: String) -> Bool {
        // Only a regular file can be one: opening a named pipe to read its header waits for a writer that never
        // comes (the export hung before writing a byte).
        guard specialKind(path) == nil, let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 16)) == Data("SQLite format 3\u{0}".utf8)
    }

    private static func reason(_ error: Error) -> String {
        ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) } ?? error.localizedDescription
    }
}

struct OutputFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
