import ArgumentParser
import Foundation

/// A misspelt command name, caught before ArgumentParser reads it as a stray argument: `defectlab fuz` said
/// "Unexpected argument 'fuz'", and `defectlab difff --model x` said "Unknown option '--model'", neither of
/// which names the mistake. Walks the command path in the arguments; the first word that is not a command where
/// one is expected (and the command has no default to take it as an argument) gets an error naming the nearest
/// command.
enum UnknownCommandCheck {
    /// The error line for `arguments` (without the program name), or nil when the command path is fine.
    static func problem(in arguments: [String], root: any ParsableCommand.Type = DefectLab.self) -> String? {
        // `help WORD...` names a command path too (`help fuz` printed the overview and succeeded).
        if arguments.first == "help" { return problem(in: Array(arguments.dropFirst()), root: root) }
        var command = root
        var path = [root._commandName]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            if let next = subcommands.first(where: { names(of: $0).contains(word) }) {
                command = next
                path.append(next._commandName)
                continue
            }
            // A command with a default subcommand reads other words as that subcommand's arguments, when it
            // takes any (`report coverag` said only "Unexpected argument 'coverag'").
            if let fallback = command.configuration.defaultSubcommand, takesPositionals(fallback) { return nil }
            let known = subcommands.map { $0._commandName }
            let hint = nearest(to: word, in: known).map { "; did you mean '\($0)'?" } ?? ""
            return "unknown command '\(word)' for '\(path.joined(separator: " "))'\(hint) (`\(path.joined(separator: " ")) --help` lists: \(known.joined(separator: ", ")))"
        }
        return nil
    }

    /// Whether `command` reads words that are not options (ArgumentParser's own description of its arguments).
    private static func takesPositionals(_ command: any ParsableCommand.Type) -> Bool {
        guard let info = try? JSONSerialization.jsonObject(with: Data(command._dumpHelp().utf8)) as? [String: Any],
              let described = info["command"] as? [String: Any] else { return true }
        return (described["arguments"] as? [[String: Any]] ?? []).contains { $0["kind"] as? String == "positional" }
    }

    private static func names(of command: any ParsableCommand.Type) -> [String] {
        [command._commandName] + command.configuration.aliases
    }

    /// The known name a typo most likely meant: one it starts, or the closest within two edits.
    static func nearest(to word: String, in known: [String]) -> String? {
        let lower = word.lowercased()
        if let prefixed = known.first(where: { $0.hasPrefix(lower) && lower.count >= 2 }) { return prefixed }
        let scored = known.map { ($0, editDistance(lower, $0)) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
