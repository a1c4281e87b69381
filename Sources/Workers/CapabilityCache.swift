import Foundation

/// Probed capabilities on disk, one file per framework (`<dir>/<framework>.json`), so a framework is probed
/// once per (version, worker scripts, interpreter, probe suite) and `frameworks` answers without starting a
/// worker. A file keeps the few most recent keys, so switching interpreters back and forth does not re-probe.
public struct CapabilityCache: Sendable {
    public var directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$XDG_CACHE_HOME/defectlab/capabilities` (default `~/.cache/...`).
    public static var standard: CapabilityCache {
        let base = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            // $HOME first, as the README's `~` and a shell read it (Foundation's home is the passwd entry's).
            ?? (ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
                ?? FileManager.default.homeDirectoryForCurrentUser).appendingPathComponent(".cache")
        return CapabilityCache(directory: base.appendingPathComponent("defectlab/capabilities"))
    }

    /// What probed capabilities are valid for.
    public struct Key: Codable, Sendable, Hashable {
        public var framework: String
        public var version: String
        /// `WorkerSpec.scriptHash`: the worker scripts, arguments and environment.
        public var scripts: String
        public var interpreter: String
        /// `CapabilityProbe.suiteHash`.
        public var suite: String

        public init(framework: String, version: String, scripts: String, interpreter: String, suite: String) {
            self.framework = framework
            self.version = version
            self.scripts = scripts
            self.interpreter = interpreter
            self.suite = suite
        }
    }

    struct Entry: Codable {
        var key: Key
        var capabilities: Capabilities
        /// `capabilities.packageFiles` → `stamp(of:)` when stored; nil in entries stored before stamps.
        var stamps: [String: String]?
    }

    struct File: Codable {
        var entries: [Entry]
    }

    static let keep = 6

    public func url(framework: String) -> URL { directory.appendingPathComponent("\(framework).json") }

    /// The newest entry for these scripts, interpreter and suite; any version when `version` is nil. A listing
    /// without starting the worker (`version` nil) cannot ask the framework its version, so it takes the newest
    /// entry only while the files its packages were imported from are the ones seen when it was stored (an
    /// upgraded, reinstalled or removed package makes it a miss, and the caller starts the worker); a starting
    /// worker checks the version itself.
    public func lookup(framework: String, version: String?, scripts: String, interpreter: String, suite: String) -> Capabilities? {
        let entry = load(framework).entries.first { e in
            e.key.scripts == scripts && e.key.interpreter == interpreter && e.key.suite == suite && (version == nil || e.key.version == version)
        }
        guard let entry else { return nil }
        if version == nil {
            guard let stamps = entry.stamps, stamps == Self.stamps(of: entry.capabilities.packageFiles) else { return nil }
        }
        return entry.capabilities
    }

    public func lookup(_ key: Key) -> Capabilities? {
        lookup(framework: key.framework, version: key.version, scripts: key.scripts, interpreter: key.interpreter, suite: key.suite)
    }

    /// Stores an entry first (newest), replacing the one with the same key. Failures to write are ignored: the
    /// next start probes again.
    public func store(_ capabilities: Capabilities, key: Key) {
        var file = load(key.framework)
        file.entries.removeAll { $0.key == key }
        file.entries.insert(Entry(key: key, capabilities: capabilities, stamps: Self.stamps(of: capabilities.packageFiles)), at: 0)
        file.entries = Array(file.entries.prefix(Self.keep))
        let url = url(framework: key.framework)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(file) { try? data.write(to: url, options: .atomic) }
    }

    /// Each file's identity (inode, size, modification time), or "missing": a reinstalled package gets new
    /// files even at the same version.
    static func stamps(of files: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for path in files {
            // Through FileManager rather than stat(2)'s fields, whose names differ between Glibc and Darwin.
            guard let a = try? FileManager.default.attributesOfItem(atPath: path) else { out[path] = "missing"; continue }
            let inode = (a[.systemFileNumber] as? NSNumber)?.stringValue ?? "?", size = (a[.size] as? NSNumber)?.stringValue ?? "?"
            let time = (a[.modificationDate] as? Date).map { String($0.timeIntervalSince1970) } ?? "?"
            out[path] = "\(inode):\(size):\(time)"
        }
        return out
    }

    func load(_ framework: String) -> File {
        guard let data = FileManager.default.contents(atPath: url(framework: framework).path),
              let file = try? JSONDecoder().decode(File.self, from: data) else { return File(entries: []) }
        return file
    }
}
