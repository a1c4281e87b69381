import Foundation

/// Where the database lives: `--db PATH`, else `$DEFECTLAB_DB`, else `Data/defectlab.sqlite`.
public enum StoreLocation {
    public static let defaultRelativePath = "Data/defectlab.sqlite"

    public static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["DEFECTLAB_DB"], !env.isEmpty { return env }
        return defaultRelativePath
    }
}
