import Foundation

/// The progress line: pages, issues, quota left, what the crawler waits for, and an ETA.
/// On a terminal it redraws one line; otherwise it prints a line every few pages (logs stay short).
final class CrawlProgress {
    let enabled: Bool
    let tty = isatty(2) != 0
    let started = Date()
    var pages = 0
    var issues = 0
    var quota: Int?
    var wait: String?
    var lastPage: Int?
    var seriesPage = 0
    var lastPrint = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func line() -> String {
        var parts = ["pages \(pages)", "issues \(issues)"]
        parts.append("quota \(quota.map(String.init) ?? "?")")
        if let wait { parts.append("waiting: \(wait)") }
        if let last = lastPage, seriesPage > 0, last >= seriesPage {
            let per = Date().timeIntervalSince(started) / Double(max(pages, 1))
            let eta = Int(per * Double(last - seriesPage))
            parts.append("ETA \(eta / 60)m\(eta % 60)s")
        }
        return parts.joined(separator: " · ")
    }

    func show(force: Bool = false) {
        guard enabled else { return }
        if tty {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line())".utf8))
        } else if force || Date().timeIntervalSince(lastPrint) > 5 {
            lastPrint = Date()
            FileHandle.standardError.write(Data("\(line())\n".utf8))
        }
    }

    func finish() {
        guard enabled else { return }
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    func log(_ text: String) {
        if tty, enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }
}
