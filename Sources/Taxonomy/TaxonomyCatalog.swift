import Foundation

/// The taxonomy folder (`Taxonomy/`): the taxonomy, the presets and the fuzz mapping, found on disk.
///
/// Lookup order: an explicit directory, `$DEFECTLAB_TAXONOMY_DIR`, `./Taxonomy`, then `Taxonomy/` in a
/// parent of the running executable (a checkout's `.build/debug/defectlab` finds the checkout's folder).
public struct TaxonomyCatalog: Sendable {
    public let directory: URL

    public var taxonomyPath: String { directory.appendingPathComponent("hp-taxonomy.yaml").path }
    public var mappingPath: String { directory.appendingPathComponent("fuzz-mapping.yaml").path }
    public var presetsDirectory: URL { directory.appendingPathComponent("presets") }

    public init(directory: URL) { self.directory = directory }

    /// Finds the folder or throws a one-line error that says how to point at it.
    public static func locate(explicit: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TaxonomyCatalog {
        let fm = FileManager.default
        func isTaxonomyDir(_ url: URL) -> Bool { fm.fileExists(atPath: url.appendingPathComponent("hp-taxonomy.yaml").path) }
        if let explicit {
            let url = URL(fileURLWithPath: explicit)
            guard isTaxonomyDir(url) else {
                throw TaxonomyError(code: .unreadable, file: explicit, message: "no hp-taxonomy.yaml in this folder")
            }
            return TaxonomyCatalog(directory: url)
        }
        if let env = environment["DEFECTLAB_TAXONOMY_DIR"], !env.isEmpty {
            let url = URL(fileURLWithPath: env)
            guard isTaxonomyDir(url) else {
                throw TaxonomyError(code: .unreadable, file: env, message: "DEFECTLAB_TAXONOMY_DIR has no hp-taxonomy.yaml")
            }
            return TaxonomyCatalog(directory: url)
        }
        var candidates = [URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("Taxonomy")]
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("Taxonomy"))
            dir = dir.deletingLastPathComponent()
        }
        if let found = candidates.first(where: isTaxonomyDir) { return TaxonomyCatalog(directory: found) }
        throw TaxonomyError(code: .unreadable, file: "Taxonomy/hp-taxonomy.yaml",
                            message: "taxonomy not found; run from the project folder, pass --taxonomy-dir DIR, or set DEFECTLAB_TAXONOMY_DIR")
    }

    public func loadTaxonomy() throws -> HPTaxonomy { try TaxonomyLoader.load(path: taxonomyPath) }

    public func loadMapping() throws -> FuzzMapping {
        try FuzzMappingLoader.load(path: mappingPath, taxonomy: try loadTaxonomy())
    }

    /// Preset names available (file names without `.yaml`), sorted.
    public func presetNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: presetsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .map { String($0.prefix(upTo: $0.lastIndex(of: ".")!)) }.sorted()
    }

    public func loadPreset(named name: String) throws -> FilterPreset {
        let path = presetsDirectory.appendingPathComponent("\(name).yaml").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw TaxonomyError(code: .unreadable, file: path,
                                message: "no preset '\(name)' (known: \(presetNames().joined(separator: ", ")))")
        }
        return try FilterPresetLoader.load(path: path)
    }
}

/// What `defectlab taxonomy check` found a file to be.
public enum TaxonomyFileKind: String, Sendable {
    case taxonomy, preset, mapping
    /// None of the three: its top-level keys say nothing.
    case unrecognised
}

public enum TaxonomyFileChecker {
    /// Validates a user's taxonomy, preset or mapping file (the kind is told by its keys) and returns every
    /// problem found, each with file and line. Mapping and preset rules are checked against `taxonomy`.
    public static func check(path: String, taxonomy: HPTaxonomy?) throws -> (kind: TaxonomyFileKind, problems: [TaxonomyError]) {
        var file = try YAMLFile(path: path)
        let root = file.root
        guard case .mapping = root else {
            return (.unrecognised, [TaxonomyError(code: .invalid, file: path, line: root.mark?.line, column: root.mark?.column,
                                              message: "expected a mapping with 'majors' (taxonomy), 'tracker' (preset) or 'rules' (mapping)")])
        }
        if root.value("majors") != nil {
            _ = TaxonomyLoader.parse(&file)
            return (.taxonomy, file.problems)
        }
        if root.value("tracker") != nil || root.value("repos") != nil {
            _ = FilterPresetLoader.parse(&file)
            return (.preset, file.problems)
        }
        if root.value("rules") != nil {
            guard let taxonomy else {
                throw TaxonomyError(code: .unreadable, file: path, message: "a mapping is checked against the taxonomy, which could not be loaded")
            }
            _ = FuzzMappingLoader.parse(&file, taxonomy: taxonomy)
            return (.mapping, file.problems)
        }
        return (.unrecognised, [TaxonomyError(code: .invalid, file: path, line: root.mark?.line, column: root.mark?.column,
                                          message: "expected 'majors' (taxonomy), 'tracker' (preset) or 'rules' (mapping) at the top level")])
    }
}
