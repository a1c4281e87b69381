import Foundation
import Testing

/// The HTML report renders in headless Chromium with the network cut off (every host resolves to nothing,
/// every request goes to a dead proxy): the screenshot must show a page, not a blank.
@Suite struct HTMLRenderTests {
    static func chromium() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for dir in path.split(separator: ":") {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    @Test func reportRendersInHeadlessChromiumWithoutNetwork() throws {
        guard let chromium = Self.chromium() else {
            Issue.record("chromium is not installed: `make setup` installs it (Debian package chromium)")
            return
        }
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (db, _, _) = try ReportsTestSupport.campaignWithDefects(in: folder)
        let out = folder.appendingPathComponent("rep")
        let report = try ReportsTestSupport.defectlab(["report", "--no-fold", "--out", out.path, "--format", "html", "--db", db])
        try #require(report.status == 0, "\(report.stderr)")
        let html = out.appendingPathComponent("campaign-1.html")
        let text = try ReportsTestSupport.read(html)
        #expect(text.range(of: "(src|href)=\"https?://", options: [.regularExpression, .caseInsensitive]) == nil)
        #expect(try !HTMLChecks.hasExternalReference(text))

        let shot = folder.appendingPathComponent("shot.png")
        let profile = folder.appendingPathComponent("profile")
        let run = try ReportsTestSupport.run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--screenshot=\(shot.path)", "--window-size=1200,2000",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--user-data-dir=\(profile.path)",
            "--no-first-run", "--disable-dev-shm-usage", html.absoluteString,
        ], in: folder, timeout: 120)
        #expect(run.status == 0, "chromium failed: \(run.stderr.suffix(800))")
        let data = try #require(FileManager.default.contents(atPath: shot.path), "chromium wrote no screenshot: \(run.stderr.suffix(800))")
        let image = try PNGImage(data: data)
        #expect(image.width == 1200 && image.height == 2000)
        let colors = image.distinctColors()
        #expect(colors >= 8, "the screenshot has \(colors) colour(s): a blank page")
        #expect(image.nonBackgroundShare > 0.02, "only \(image.nonBackgroundShare * 100)% of the screenshot differs from the background")
    }

    /// The PNG check itself can fail: a one-colour image is caught.
    @Test func aBlankScreenshotIsRecognised() throws {
        // 2×2 white RGB, rows filtered with None, deflated by zlib at level 0 (stored block).
        let raw: [UInt8] = [0, 255, 255, 255, 255, 255, 255, 0, 255, 255, 255, 255, 255, 255]
        var adler = (a: UInt32(1), b: UInt32(0))
        for byte in raw { adler.a = (adler.a + UInt32(byte)) % 65521; adler.b = (adler.b + adler.a) % 65521 }
        let check = adler.b << 16 | adler.a
        let zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(raw.count), 0, ~UInt8(raw.count), 0xFF] + raw
            + [UInt8(check >> 24), UInt8((check >> 16) & 0xFF), UInt8((check >> 8) & 0xFF), UInt8(check & 0xFF)]
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let n = UInt32(body.count)
            return [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + Array(type.utf8) + body + [0, 0, 0, 0]
        }
        let png = [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]) + chunk("IDAT", zlib) + chunk("IEND", [])
        let image = try PNGImage(data: Data(png))
        #expect(image.width == 2 && image.height == 2)
        #expect(image.distinctColors() == 1)
        #expect(image.nonBackgroundShare == 0)
        #expect(throws: PNGImage.DecodeError.self) { try PNGImage(data: Data("not a png at all, not at all".utf8)) }
    }
}
