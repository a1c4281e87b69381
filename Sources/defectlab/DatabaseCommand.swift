import ArgumentParser
import JSONText
import Store

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Inspect the store.", subcommands: [DatabaseInfo.self])
}

struct DatabaseInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Print the database path, schema version and row counts (creates and migrates a new file).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func run() throws {
        let info = try database.open().info()
        print(format == .json ? InertText.json(try info.json()) : info.table())
    }
}
