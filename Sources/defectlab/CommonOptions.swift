import ArgumentParser
import Store
import Taxonomy

/// `--db PATH`, shared by every command that touches the store.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "SQLite database path (default: $DEFECTLAB_DB, else Data/defectlab.sqlite).")
    var path: String?

    var resolvedPath: String { StoreLocation.resolve(flag: path) }

    func open(mode: DefectLabStore.OpenMode = .createIfMissing) throws -> DefectLabStore {
        try DefectLabStore.open(path: resolvedPath, mode: mode)
    }
}

/// `--taxonomy-dir DIR`, for commands that read the taxonomy, presets or mapping.
struct TaxonomyOptions: ParsableArguments {
    @Option(name: .customLong("taxonomy-dir"), help: "Folder with hp-taxonomy.yaml (default: $DEFECTLAB_TAXONOMY_DIR, else ./Taxonomy, else a Taxonomy/ in the binary's folder or up to five folders above it).")
    var directory: String?

    func catalog() throws -> TaxonomyCatalog { try TaxonomyCatalog.locate(explicit: directory) }
}

/// Output formats of analytic commands (`--help` lists exactly these).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// The formats of commands that also print YAML (the taxonomy).
enum DocumentFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml
}
