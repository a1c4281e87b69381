import Workers
/// Resolves `--frameworks` into executors. This build has the float64 reference and the fault-injection
/// executor; the framework workers plug in here as further executors.
public enum FrameworkRegistry {
    /// Frameworks a plain `all` means in this build.
    public static let installed = ["reference"]

    /// `names`: `all` or a comma list; `planted`: defects for the `faulty` fault-injection framework (which
    /// joins `all` when defects are planted). `workers` names the worker frameworks `all` adds and makes an
    /// executor for one of them (with an interpreter from `--framework NAME=PYTHON`, when given); without it,
    /// only the reference and the fault injector exist.
    public static func resolve(_ names: String, planted: [PlantedDefect] = [], interpreters: [String: String] = [:],
                               workers: (names: [String], make: (String, String?) throws -> (any MutantExecutor)?)? = nil) throws -> [any MutantExecutor] {
        var list = names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        if list.isEmpty || list == ["all"] {
            list = installed + (workers?.names ?? []) + interpreters.keys.sorted() + (planted.isEmpty ? [] : ["faulty"])
        }
        var result: [any MutantExecutor] = []
        for name in list {
            switch name {
            case "reference": result.append(ReferenceExecutor())
            case "faulty":
                guard !planted.isEmpty else { throw CampaignError(.badArgument, "framework 'faulty' needs defects: --plant OP=KIND (e.g. Pad=crash)") }
                result.append(FaultInjectionExecutor(defects: planted))
            default:
                // `pytorch@old` names another interpreter's PyTorch: without one it would run this venv's, and an
                // "old against new" campaign would compare a framework with itself.
                if name.contains("@"), interpreters[name] == nil {
                    throw CampaignError(.badArgument, "'\(name)' names a framework under another interpreter: give it with --framework \(name)=PYTHON")
                }
                if let workers, let executor = try workers.make(name, interpreters[name]) {
                    result.append(executor)
                    continue
                }
                let via = interpreters[name].map { " (--framework \(name)=\($0))" } ?? ""
                let available = installed + (workers?.names ?? []) + (workers == nil ? [] : FrameworkKind.variants.keys.sorted()) + ["faulty"]
                throw CampaignError(.unknownFramework, workers == nil
                    ? "framework '\(name)'\(via) needs the framework workers, which this build does not have yet; available: \(available.joined(separator: ", "))"
                    : "unknown framework '\(name)'\(via); available: \(available.joined(separator: ", "))"
                        + (via.isEmpty ? "" : "; another interpreter's framework is named FRAMEWORK@TAG (e.g. pytorch@old) so its worker is known"))
            }
        }
        // Defects planted where nothing runs them, or an interpreter for a framework not run: a campaign would
        // record a set-up it never had (reports list planted defects that never ran).
        if !planted.isEmpty && !list.contains("faulty") {
            throw CampaignError(.badArgument, "--plant needs the 'faulty' framework: add it to --frameworks (or use all)")
        }
        if let unused = interpreters.keys.sorted().first(where: { !list.contains($0) }) {
            throw CampaignError(.badArgument, "--framework \(unused)=... names a framework not in --frameworks")
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0.name).inserted }
    }
}
