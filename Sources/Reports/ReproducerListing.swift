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
    ///
    /// Only a folder that is what `defects repro` writes is listed — a real directory (not a link) holding
    /// `bug-report.md` and `model/graph.json` as plain files: a store can come from anywhere (a merged shard),
    /// and a `repro_path` of `/home/someone` or `../../etc` must not copy that folder's files into a report
    /// meant to be published.
    public static func read(storedPath: String, storeFolder: URL, reportFolder: URL) -> ReproducerListing {
        let fm = FileManager.default
        var candidates = [URL(fileURLWithPath: storedPath)]
        if !storedPath.hasPrefix("/") { candidates.append(storeFolder.appendingPathComponent(storedPath)) }
        func type(_ url: URL) -> FileAttributeType? {
            (try? fm.attributesOfItem(atPath: url.standardizedFileURL.path))?[.type] as? FileAttributeType
        }
        func isReproducerFolder(_ url: URL) -> Bool {
            type(url) == .typeDirectory && type(url.appendingPathComponent("bug-report.md")) == .typeRegular
                && type(url.appendingPathComponent("model")) == .typeDirectory
                && type(url.appendingPathComponent("model/graph.json")) == .typeRegular
        }
        guard let folder = candidates.first(where: isReproducerFolder) else {
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
                if let data, let (decoded, whole) = inlineText(data, cut: size > data.count) {
                    text = decoded
                    truncated = !whole
                }
            }
            files.append(File(name: prefix + name, bytes: size, link: relativeLink(from: reportFolder, to: url), text: text, truncated: truncated))
        }
    }

    /// The text of a file's first bytes, and whether it is all of it. A read cut short may end inside a
    /// character: it is trimmed back to the last whole one (at most 3 bytes). A file that is not UTF-8 (or
    /// one whose cut is followed by bytes no character ends with) is not inlined.
    static func inlineText(_ data: Data, cut: Bool) -> (String, whole: Bool)? {
        if let text = String(data: data, encoding: .utf8) { return (text, !cut) }
        guard cut else { return nil }
        let bytes = [UInt8](data)
        // The last lead byte within the final 4 starts the character the cut split.
        var end = bytes.count
        for back in 1...Swift.min(4, bytes.count) where bytes[bytes.count - back] & 0xC0 != 0x80 {
            end = bytes.count - back
            break
        }
        guard let text = String(data: Data(bytes[..<end]), encoding: .utf8) else { return nil }
        return (text, false)
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
