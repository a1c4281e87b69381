import Foundation
import Testing

struct CrawlCommandLineTests {
    static var binary: String {
        if let bin = ProcessInfo.processInfo.environment["DEFECTLAB_BIN"], !bin.isEmpty { return bin }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/defectlab").path
    }

    func run(_ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func crawlRejectsARepositoryWithoutOwner() throws {
        let (status, output) = try run(["crawl", "github", "justaname", "--db", "/tmp/unused-\(UUID().uuidString).sqlite"])
        #expect(status == 64)
        #expect(output.contains("OWNER/REPO"))
    }

    @Test func filterNeedsExactlyOnePresetSource() throws {
        let (status, _) = try run(["filter", "--db", "/tmp/unused.sqlite"])
        #expect(status == 64)
    }
}
