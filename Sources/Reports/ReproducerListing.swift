import Foundation

/// What a defect's reproducer folder (`defect.repro_path`) holds, read for inlining into a report.
///
/// The path comes from the store, so it is untrusted: it is only ever read (never written), symbolic links
/// inside it are skipped, the walk stops two levels down and at `maxFiles`, and only small UTF-8 scripts and
/// Markdown are inlined. Links are relative to the report folder, made of percent-encoded path components,
/// so no stored text can become a URL scheme.
public struct ReproducerListing: Sendable, Codable, Equatable {
    public struct File: Sendable, Codable, Equatable {
        /// Path inside the reproducer folder (`repro_pytorch.py`, `model/graph.json`).
        public var name: String
        public var bytes: Int
        /// Link from the report folder to the file.
        public var link: String
        /// The file's text when it is a script or Markdown, at most `maxInlineBytes`.
        public var text: String?
        public var truncated: Bool
    }

    /// `repro_path` as stored.
    public var path: String
    /// Link from the report folder to the reproducer folder.
    public var link: String
    /// False when the folder is not there (moved, or on another machine).
    public var present: Bool
    public var files: [File]

    public static let maxFiles = 64
    public static let maxInlineBytes = 64 * 1024
    static let inlineExtensions: Set<String> = ["py", "sh", "md", "txt"]

    /// Reads `storedPath`, relative paths first against the working directory, then against `storeFolder`.
    public static func read(storedPath: String, storeFolder: URL, reportFolder: URL) -> ReproducerListing {
        let fm = FileManager.default
        var candidates = [URL(fileURLWithPath: storedPath)]
        if !storedPath.hasPrefix("/") { candidates.append(storeFolder.appendingPathComponent(storedPath)) }
        var isDirectory: ObjCBool = false
        guard let folder = candidates.first(where: { fm.fileExists(atPath: $0.path, isDirectory: &isDirectory) && isDirectory.boolValue }) else {
            return ReproducerListing(path: storedPath, link: relativeLink(from: reportFolder, to: candidates[0]), present: false, files: [])
        }
        var files: [File] = []
        walk(folder, prefix: "", depth: 0, into: &files, reportFolder: reportFolder)
        return ReproducerListing(path: storedPath, link: relativeLink(from: reportFolder, to: folder), present: true,
                                 files: files.sorted { order($0.name) < order($1.name) })
    }

    /// Bug report first, then scripts, then the rest, each alphabetically.
    static func order(_ name: String) -> (Int, String) {
        let lower = name.lowercased()
        if lower.hasSuffix("bug-report.md") { return (0, lower) }
        if lower.hasSuffix(".py") || lower.hasSuffix(".sh") { return (1, lower) }
        return (2, lower)
    }

    static func walk(_ folder: URL, prefix: String, depth: Int, into files: inout [File], reportFolder: URL) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names.sorted() where files.count < maxFiles && !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            guard let attributes = try? fm.attributesOfItem(atPath: url.path), let type = attributes[.type] as? FileAttributeType else { continue }
            if type == .typeDirectory, depth < 1 {
                walk(url, prefix: prefix + name + "/", depth: depth + 1, into: &files, reportFolder: reportFolder)
                continue
            }
            guard type == .typeRegular else { continue }  // symbolic links, devices, sockets: never followed
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            var text: String?, truncated = false
            if inlineExtensions.contains(url.pathExtension.lowercased()), let handle = FileHandle(forReadingAtPath: url.path) {
                let data = (try? handle.read(upToCount: maxInlineBytes)) ?? nil
                try? handle.close()
                if let data, let decoded = String(data: data, encoding: .utf8) ?? String(data: data.dropLast(3), encoding: .utf8) {
                    text = decoded
                    truncated = size > data.count
                }
            }
            files.append(File(name: prefix + name, bytes: size, link: relativeLink(from: reportFolder, to: url), text: text, truncated: truncated))
        }
    }

    /// A relative URL from `base` (a folder) to `target`, each path component percent-encoded.
    public static func relativeLink(from base: URL, to target: URL) -> String {
        let from = base.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let to = target.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        let ups = Array(repeating: "..", count: from.count - common)
        let parts = ups + to[common...].map(encodeComponent)
        let joined = parts.joined(separator: "/")
        return joined.isEmpty ? "." : (ups.isEmpty ? "./" + joined : joined)
    }

    static func encodeComponent(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? "_"
    }
}
