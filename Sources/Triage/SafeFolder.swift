import Foundation

/// A folder the reproducer writer may write in, and nowhere else: relative names only, no `..`, no absolute
/// paths, and the resolved path (symbolic links followed) must stay inside the folder.
struct SafeFolder {
    let root: URL

    init(_ path: String) throws(TriageError) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw TriageError(.io, "cannot create \(url.path): \(error.localizedDescription)")
        }
        root = url.resolvingSymlinksInPath()
    }

    /// The checked URL of `name` inside the folder.
    func url(_ name: String) throws(TriageError) -> URL {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }),
              name.allSatisfy({ $0.isLetter || $0.isNumber || "._-/".contains($0) }) else {
            throw TriageError(.unsafePath, "refusing to write '\(name)': reproducer files must stay inside \(root.path)")
        }
        let url = root.appendingPathComponent(name).standardizedFileURL
        let parent = url.deletingLastPathComponent().resolvingSymlinksInPath()
        guard (parent.path + "/").hasPrefix(root.path + "/") || parent.path == root.path else {
            throw TriageError(.unsafePath, "refusing to write '\(name)': it resolves outside \(root.path)")
        }
        return url
    }

    func write(_ data: Data, to name: String, executable: Bool = false) throws(TriageError) {
        let target = try url(name)
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Re-check after creating folders: a link planted in between must not redirect the write.
            _ = try url(name)
            try data.write(to: target, options: .atomic)
            if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path) }
        } catch let e as TriageError {
            throw e
        } catch {
            throw TriageError(.io, "cannot write \(target.path): \(error.localizedDescription)")
        }
    }

    func write(_ text: String, to name: String, executable: Bool = false) throws(TriageError) {
        try write(Data(text.utf8), to: name, executable: executable)
    }

    /// `D<id>`-style folder names: letters, digits, `-`, `_` only.
    static func sanitize(_ name: String) -> String {
        let cleaned = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return cleaned.isEmpty ? "_" : cleaned
    }
}
