/// `--db` given twice: ArgumentParser keeps the last, so a wrapper script adding its own `--db` silently sent
/// the writes to another store. Refused before anything runs.
enum RepeatedStoreCheck {
    /// The problem with `arguments` (without the program name), or nil.
    static func problem(in arguments: [String]) -> String? {
        var stores: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { break }
            if argument == "--db" {
                stores.append(index + 1 < arguments.count ? arguments[index + 1] : "")
                index += 1
            } else if argument.hasPrefix("--db=") {
                stores.append(String(argument.dropFirst("--db=".count)))
            }
            index += 1
        }
        guard stores.count > 1 else { return nil }
        return "--db is given \(stores.count) times (\(stores.joined(separator: ", "))): name one store"
    }
}
