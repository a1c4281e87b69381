import Foundation
import Testing

/// End-to-end tests of `defectlab models`, running the built binary ($DEFECTLAB_BIN, else .build/debug/defectlab).
@Suite struct ModelsCommandTests {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["DEFECTLAB_BIN"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/defectlab").path
    }

    func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func listPrintsEverySeed() throws {
        let r = try run(["models", "list", "--format", "json"])
        #expect(r.status == 0)
        let models = try #require(try json(r.stdout)["models"] as? [[String: Any]])
        #expect(models.count >= 23)
        let resnet = try #require(models.first { $0["name"] as? String == "resnet50" })
        #expect(resnet["task"] as? String == "classification")
        #expect((resnet["parameters"] as? Int ?? 0) > 0)
        #expect(resnet["input"] as? String == "f32[1x3x64x64]")
        let table = try run(["models", "list"])
        #expect(table.stdout.contains("yolov3"))
    }

    /// Sizes that mean nothing are usage errors: a NaN or infinite width trapped (exit 132), 0 was clamped
    /// silently; a model saved onto a file says so (it printed Foundation's error dump); a model name and --all
    /// together are named as the problem.
    @Test func meaninglessSizesAndTargetsAreRefused() throws {
        for width in ["nan", "inf", "1e300", "0"] {
            let r = try run(["models", "show", "lenet5", "--width=\(width)"])
            #expect(r.status == 64 && r.stderr.contains("--width must be"), "\(width): \(r.status) \(r.stderr)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-file-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let save = try run(["models", "save", "lenet5", file.path])
        #expect(save.status != 0 && save.stderr.contains("is a file") && !save.stderr.contains("NSCocoaErrorDomain"), "\(save.stderr)")
        let both = try run(["models", "check", "lenet5", "--all"])
        #expect(both.status == 64 && both.stderr.contains("not both"), "\(both.stderr)")
    }

    @Test func showFullSizeGivesTheReferenceCount() throws {
        let r = try run(["models", "show", "vgg16", "--full-size", "--format", "json"])
        #expect(r.status == 0)
        let object = try json(r.stdout)
        #expect(object["parameters"] as? Int == 138_357_544)
        #expect((object["graph"] as? [String: Any])?["nodes"] != nil)
        let summary = try run(["models", "show", "mobilenetv2", "--full-size"])
        #expect(summary.stdout.contains("parameters: 3504872"))
        #expect(summary.stdout.contains("match"))
        let scaled = try json(try run(["models", "show", "resnet50", "--input-size", "96", "--width", "0.25", "--classes", "7", "--format", "json"]).stdout)
        #expect(scaled["input"] as? String == "f32[1x3x96x96]")
        #expect(scaled["outputs"] as? [String] == ["f32[1x7]"])
    }

    @Test func checkAllPassesAndUnknownModelsFail() throws {
        let r = try run(["models", "check", "--all"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("23 model(s) valid"))
        let bad = try run(["models", "check", "nosuchnet"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("unknown model"))
    }

    @Test func runOnTheReferenceReportsEveryNode() throws {
        let r = try run(["models", "run", "lenet5", "--reference", "--seed", "3", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try json(r.stdout)
        #expect((object["nodes"] as? [[String: Any]])?.count == 14)
        let output = try #require((object["outputs"] as? [[String: Any]])?.first)
        #expect(abs((output["mean"] as? Double ?? 0) - 0.1) < 1e-9, "softmax over 10 classes has mean 0.1")
        let again = try run(["models", "run", "lenet5", "--reference", "--seed", "3", "--format", "json"])
        #expect((try json(again.stdout)["outputs"] as? [[String: Any]])?.first?["max"] as? Double == output["max"] as? Double)
        // The reference is the only executor here: it is the default, not a flag to remember.
        let plain = try run(["models", "run", "lenet5", "--seed", "3", "--format", "json"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let plainOutputs = try json(plain.stdout)["outputs"] as? [[String: Any]]
        #expect(plainOutputs?.first?["max"] as? Double == output["max"] as? Double)
    }

    @Test func saveLoadAndCorruption() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("models-cli-\(UUID().uuidString)").path
        let saved = try run(["models", "save", "textcnn", dir, "--seed", "2"])
        #expect(saved.status == 0, "\(saved.stderr)")
        let hash = try #require(saved.stdout.components(separatedBy: "sha256 ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let loaded = try run(["models", "load", dir, "--format", "json"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(try json(loaded.stdout)["sha256"] as? String == hash)
        let weights = URL(fileURLWithPath: dir).appendingPathComponent("weights.safetensors")
        let data = try Data(contentsOf: weights)
        try data.prefix(data.count / 2).write(to: weights)
        let truncated = try run(["models", "load", dir])
        #expect(truncated.status != 0)
        #expect(truncated.stderr.contains("truncated"), "\(truncated.stderr)")
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent("graph.json"))
        let corrupt = try run(["models", "load", dir])
        #expect(corrupt.status != 0)
        #expect(corrupt.stderr.contains("bad-graph"), "\(corrupt.stderr)")
    }
}
