/// `--budget -5` read as "--budget with no value, then an option -5" ("Missing value for '--budget'"):
/// ArgumentParser takes a dash as the start of an option, and this tool has no option named by a digit. A
/// negative number after an option is its value, joined as `--budget=-5`, so the option's own range check says
/// what is wrong.
enum NegativeValues {
    static func joined(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { out += arguments[i...]; break }
            if a.hasPrefix("--"), !a.contains("="), i + 1 < arguments.count, isNegativeNumber(arguments[i + 1]) {
                out.append(a + "=" + arguments[i + 1])
                i += 2
                continue
            }
            out.append(a)
            i += 1
        }
        return out
    }

    /// `-5`, `-0.5`, `-.5`, `-1e3`, and values that start like one (`-1s`, `-1/3`): a minus sign, then a digit or
    /// a point. No option of this tool is named by a digit, so none is taken.
    static func isNegativeNumber(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        guard scalars.count > 1, scalars[0] == "-" else { return false }
        return ("0"..."9").contains(scalars[1]) || (scalars[1] == "." && scalars.count > 2 && ("0"..."9").contains(scalars[2]))
    }
}
