import Foundation

/// Leftovers of writers killed part-way (`kill -9`, a node lost), cleaned by the next writer of the same name.
///
/// Reports and reproducer folders are written beside their destination as `.<name>.partial-<host>-<pid>` and
/// swapped in by rename, the destination moved aside as `.<name>.previous-<host>-<pid>` meanwhile. A writer that
/// dies leaves those behind: each holds a whole model's weights, so reruns would fill the disk. An entry whose
/// process is gone is removed, except a `.previous` whose destination is missing (the writer died between the
/// two renames): that one is the only copy, and it is put back. Only this host's entries are judged: on a
/// folder shared between machines, another host's pid says nothing here, so its staging is left alone.
public enum StagingSweep {
    /// Sweeps the stale staging entries of `name` in `folder`; entries of live processes are left alone.
    public static func sweep(_ name: String, in folder: URL) {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        let destination = folder.appendingPathComponent(name)
        for entry in entries.sorted() {
            for kind in ["partial", "previous"] {
                let prefix = ".\(name).\(kind)-"
                guard entry.hasPrefix(prefix), let pid = localPID(entry.dropFirst(prefix.count)), !isAlive(pid) else { continue }
                let url = folder.appendingPathComponent(entry)
                if kind == "previous", !fm.fileExists(atPath: destination.path) {
                    try? fm.moveItem(at: url, to: destination)
                } else {
                    try? fm.removeItem(at: url)
                }
            }
        }
    }

    /// The staging name of `name` for this process.
    public static func partial(_ name: String) -> String { ".\(name).partial-\(owner)" }
    public static func previous(_ name: String) -> String { ".\(name).previous-\(owner)" }

    /// `<host>-<pid>`: the host name keeps to letters, digits, `.` and `_` (anything else becomes `_`).
    static var owner: String { "\(host)-\(getpid())" }

    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let kept = String(name.unicodeScalars.map { s -> Character in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == ".") ? Character(s) : "_"
        })
        return kept.isEmpty ? "localhost" : kept
    }()

    /// The pid of a staging suffix written on this host (`<host>-<pid>`, or a bare `<pid>` as builds before
    /// the host was named wrote); nil for another host's entry or a name that is not staging.
    static func localPID<S: StringProtocol>(_ suffix: S) -> Int32? {
        guard let dash = suffix.lastIndex(of: "-") else { return Int32(suffix) }
        guard suffix[..<dash] == host else { return nil }
        return Int32(suffix[suffix.index(after: dash)...])
    }

    /// Whether a process with this id runs (this one counts; a pid reused since is taken as alive, the safe side).
    static func isAlive(_ pid: Int32) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }
}
