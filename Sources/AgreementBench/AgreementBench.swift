import Seeding
import Agreement
import Foundation

/// `agreement-bench`: times Fleiss' kappa (raw codes → count table → κ) against statsmodels'
/// `aggregate_raters` + `fleiss_kappa` on the same seeded data in the same run, and prints the ratios.
///
/// Usage: agreement-bench [--python PATH] [--script PATH] [--repeats N]
/// The interpreter defaults to `$DEFECTLAB_PYTHON`; the script to `Data/python/bench/fleiss_statsmodels.py`.
/// Exits non-zero when the two kappas differ (a benchmark of a wrong answer is worthless); the speed
/// targets (1M × 6 under 1 s, ≥ 10× statsmodels) are reported, not enforced.
@main
enum AgreementBench {
    struct Case {
        var items: Int
        var raters: Int
        var categories: Int
    }

    static let cases = [Case(items: 3_000, raters: 6, categories: 21), Case(items: 1_000_000, raters: 6, categories: 21)]

    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        func option(_ name: String) -> String? {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
            defer { arguments.removeSubrange(i...(i + 1)) }
            return arguments[i + 1]
        }
        let python = option("--python") ?? ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"]
        let script = option("--script") ?? "Data/python/bench/fleiss_statsmodels.py"
        let repeats = Int(option("--repeats") ?? "5") ?? 5
        guard let python, !python.isEmpty else {
            fail("no Python: pass --python PATH or set DEFECTLAB_PYTHON (make bench does)")
        }
        print("Fleiss' kappa: Swift (Agreement, release) vs statsmodels \(statsmodelsVersion(python)) — best of \(repeats) runs each")
        print(pad("case", 24) + pad("swift", 12) + pad("statsmodels", 14) + pad("ratio", 10) + "kappa")
        var mismatch = false
        for c in cases {
            let codes = ratings(c, seed: 0xDEFEC7 &+ UInt64(c.items))
            let (swiftSeconds, swiftKappa) = try timeSwift(c, codes: codes, repeats: repeats)
            let (pySeconds, pyKappa) = try timePython(c, codes: codes, python: python, script: script, repeats: repeats)
            let ratio = pySeconds / swiftSeconds
            let same = abs(swiftKappa - pyKappa) < 1e-9
            mismatch = mismatch || !same
            print(pad("\(c.items) × \(c.raters) × \(c.categories)", 24) + pad(ms(swiftSeconds), 12) + pad(ms(pySeconds), 14)
                  + pad(String(format: "%.1f×", ratio), 10)
                  + String(format: "%.9f", swiftKappa) + (same ? " (equal)" : " MISMATCH statsmodels \(pyKappa)"))
            if c.items == 1_000_000 {
                print("  target 1M × 6: under 1 s → \(swiftSeconds < 1 ? "met" : "MISSED"); ≥ 10× statsmodels → \(ratio >= 10 ? "met" : "MISSED")")
            }
        }
        if mismatch { fail("kappa differs from statsmodels") }
    }

    /// Seeded ratings with real agreement: each rater copies the item's "true" category 70% of the time.
    static func ratings(_ c: Case, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var codes = [UInt8](repeating: 0, count: c.items * c.raters)
        for i in 0..<c.items {
            let truth = UInt8(rng.below(c.categories))
            for r in 0..<c.raters {
                codes[i * c.raters + r] = rng.unit() < 0.7 ? truth : UInt8(rng.below(c.categories))
            }
        }
        return codes
    }

    static func timeSwift(_ c: Case, codes: [UInt8], repeats: Int) throws -> (Double, Double) {
        var best = Double.infinity, kappa = Double.nan
        // The input in its working type, prepared outside the clock as the baseline's int64 array is.
        let input = codes.map { Int32($0) }
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            // Timed: validating the codes, counting per item, and the kappa itself.
            let matrix = try RatingMatrix(items: c.items, raters: c.raters, categories: c.categories, codes: input)
            kappa = FleissKappa(matrix).kappa
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return (best, kappa)
    }

    static func timePython(_ c: Case, codes: [UInt8], python: String, script: String, repeats: Int) throws -> (Double, Double) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agreement-bench-\(getpid())-\(c.items).u8")
        try Data(codes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try runPython(python, [script, file.path, "\(c.items)", "\(c.raters)", "\(c.categories)", "\(repeats)"])
        guard let json = try JSONSerialization.jsonObject(with: output) as? [String: Any],
              let seconds = json["best_seconds"] as? Double, let kappa = json["kappa"] as? Double else {
            fail("unexpected output from \(script): \(String(decoding: output, as: UTF8.self))")
        }
        return (seconds, kappa)
    }

    static func statsmodelsVersion(_ python: String) -> String {
        (try? runPython(python, ["-c", "import statsmodels; print(statsmodels.__version__, end='')"]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }

    static func runPython(_ python: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { fail("\(python) \(arguments.first ?? "") exited \(process.terminationStatus)") }
        return data
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
    static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("agreement-bench: error: \(message)\n".utf8))
        exit(1)
    }
}
