import Foundation

/// Leftovers of writers killed part-way (`kill -9`, a node lost), cleaned by the next writer of the same name.
///
/// Reports and reproducer folders are written beside their destination as `.<name>.partial-<pid>` and
/// swapped in by rename, the destination moved aside as `.<name>.previous-<pid>` meanwhile. A writer that
/// dies leaves those behind: each holds a whole model's weights, so reruns would fill the disk. An entry whose
/// process is gone is removed, except a `.previous` whose destination is missing (the writer died between the
/// two renames): that one is the only copy, and it is put back.
public enum StagingSweep {
    /// Sweeps the stale staging entries of `name` in `folder`; entries of live processes are left alone.
    public static func sweep(_ name: String, in folder: URL) {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        let destination = folder.appendingPathComponent(name)
        for entry in entries.sorted() {
            for kind in ["partial", "previous"] {
                let prefix = ".\(name).\(kind)-"
                guard entry.hasPrefix(prefix), let pid = Int32(entry.dropFirst(prefix.count)), !isAlive(pid) else { continue }
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
    public static func partial(_ name: String) -> String { ".\(name).partial-\(getpid())" }
    public static func previous(_ name: String) -> String { ".\(name).previous-\(getpid())" }

    /// Whether a process with this id runs (this one counts; a pid reused since is taken as alive, the safe side).
    static func isAlive(_ pid: Int32) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }
}
