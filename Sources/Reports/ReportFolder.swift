import Foundation

/// The output folder of a report: created when missing, refused when the path is a file, and the only place
/// a report writes. File names are checked against a strict pattern and must land directly inside the
/// folder, and an existing symbolic link at a target name is replaced, never written through, so nothing
/// (a stored name, a planted link) can steer a write elsewhere.
public struct ReportFolder: Sendable {
    public let url: URL

    public init(path: String) throws(ReportError) {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ReportError(.badOutput, "--out \(path) is an existing file; name a folder (it is created when missing)")
            }
        } else {
            do {
                try fm.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                // Foundation's message for a file in the way is "error 512": name the file.
                var above = url.deletingLastPathComponent()
                while above.path != "/" && !fm.fileExists(atPath: above.path) { above = above.deletingLastPathComponent() }
                var aboveIsFolder: ObjCBool = false
                if fm.fileExists(atPath: above.path, isDirectory: &aboveIsFolder), !aboveIsFolder.boolValue {
                    throw ReportError(.badOutput, "--out \(path): \(above.path) is a file, not a folder")
                }
                throw ReportError(.badOutput, "--out \(path): cannot create the folder (\(error.localizedDescription))")
            }
        }
        self.url = url
    }

    /// True for names made only of letters, digits, `.`, `-`, `_`, not starting with a dot.
    public static func isSafeName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", name.count <= 128 else { return false }
        return name.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "." || $0 == "-" || $0 == "_" }
    }

    /// Where `name` would be written, after the checks `write` makes: a safe name, directly inside the folder,
    /// no folder standing at it.
    func target(_ name: String) throws(ReportError) -> URL {
        guard Self.isSafeName(name) else { throw ReportError(.badOutput, "refusing to write a report file named '\(name)'") }
        let target = url.appendingPathComponent(name)
        guard target.deletingLastPathComponent().standardizedFileURL.path == url.path else {
            throw ReportError(.badOutput, "refusing to write outside \(url.path)")
        }
        if let type = (try? FileManager.default.attributesOfItem(atPath: target.path))?[.type] as? FileAttributeType, type == .typeDirectory {
            throw ReportError(.badOutput, "\(target.path) is a folder; cannot write the report there")
        }
        return target
    }

    /// Checks every name a report will write before the first is written: a folder in the way of the third
    /// file must not leave the first two behind a failed command.
    public func checkTargets(_ names: [String]) throws(ReportError) {
        for name in names { _ = try target(name) }
    }

    /// Writes `contents` to `name` inside the folder (atomically: a reader never sees half a report).
    @discardableResult
    public func write(_ contents: String, name: String) throws(ReportError) -> URL {
        let target = try target(name)
        let fm = FileManager.default
        if let type = (try? fm.attributesOfItem(atPath: target.path))?[.type] as? FileAttributeType, type == .typeSymbolicLink {
            try? fm.removeItem(at: target)
        }
        // Written whole beside the target, then renamed over it: a reader never sees half a report, and a writer
        // killed part-way leaves only its own staging file, which the next writer of the name sweeps
        // (`Data.write(options: .atomic)` left Foundation's temporary files in the folder for ever).
        StagingSweep.sweep(name, in: url)
        let staging = url.appendingPathComponent(StagingSweep.partial(name))
        do {
            // Created afresh, never through whatever stands at the name (a link planted there would otherwise
            // steer the write).
            unlink(staging.path)
            try Data(contents.utf8).write(to: staging, options: .withoutOverwriting)
            guard rename(staging.path, target.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? fm.removeItem(at: staging)
            throw ReportError(.badOutput, "cannot write \(target.path) (\(error.localizedDescription))")
        }
        return target
    }
}
