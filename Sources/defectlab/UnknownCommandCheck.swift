import ArgumentParser
import Foundation
import ModelIR

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
            let hint = Spelling.nearest(to: word, in: known).map { "; did you mean '\($0)'?" } ?? ""
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
}
