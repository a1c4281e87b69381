/// Resolves `--frameworks` into executors. This build has the float64 reference and the fault-injection
/// executor; the framework workers plug in here as further executors.
public enum FrameworkRegistry {
    /// Frameworks a plain `all` means in this build.
    public static let installed = ["reference"]

    /// `names`: `all` or a comma list; `planted`: defects for the `faulty` fault-injection framework (which
    /// joins `all` when defects are planted).
    public static func resolve(_ names: String, planted: [PlantedDefect] = [], interpreters: [String: String] = [:]) throws(CampaignError) -> [any MutantExecutor] {
        var list = names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        if list.isEmpty || list == ["all"] { list = installed + (planted.isEmpty ? [] : ["faulty"]) }
        var result: [any MutantExecutor] = []
        for name in list {
            switch name {
            case "reference": result.append(ReferenceExecutor())
            case "faulty":
                guard !planted.isEmpty else { throw CampaignError(.badArgument, "framework 'faulty' needs defects: --plant OP=KIND (e.g. Pad=crash)") }
                result.append(FaultInjectionExecutor(defects: planted))
            default:
                let via = interpreters[name].map { " (--framework \(name)=\($0))" } ?? ""
                throw CampaignError(.unknownFramework, "framework '\(name)'\(via) needs the framework workers, which this build does not have yet; available: \((installed + ["faulty"]).joined(separator: ", "))")
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0.name).inserted }
    }
}
