import Foundation
import JSONText

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
    /// When the wait in progress ends, and how long the finished waits took: the ETA is the time per page of
    /// fetching (waits left out, so an hour's rate-limit wait does not inflate every later estimate) for the
    /// pages left, plus what is left of the wait in progress.
    var waitEnds: Date?
    var waitStarted: Date?
    var waited: Double = 0
    var lastPage: Int?
    var seriesPage = 0
    var lastPrint = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func line() -> String {
        var parts = ["pages \(pages)", "issues \(issues)"]
        parts.append("quota \(quota.map(String.init) ?? "?")")
        if let wait { parts.append("waiting: \(wait)") }
        if let last = lastPage, seriesPage > 0, last >= seriesPage {
            let now = Date()
            let waiting = waitStarted.map { now.timeIntervalSince($0) } ?? 0
            let per = max(0, now.timeIntervalSince(started) - waited - waiting) / Double(max(pages, 1))
            let eta = Int(per * Double(last - seriesPage) + max(0, waitEnds?.timeIntervalSince(now) ?? 0))
            parts.append("ETA \(eta / 60)m\(eta % 60)s")
        }
        return parts.joined(separator: " · ")
    }

    /// Marks a wait of `seconds` as begun (`reason` is said on the line), or the wait as over (nil).
    func waiting(_ reason: String?, seconds: Double = 0) {
        if let begun = waitStarted { waited += Date().timeIntervalSince(begun) }
        wait = reason
        waitStarted = reason == nil ? nil : Date()
        waitEnds = reason == nil ? nil : Date().addingTimeInterval(seconds)
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
        FileHandle.standardError.write(Data("\(Self.plain(text))\n".utf8))
    }

    /// `text` without terminal control sequences (whole: a dropped ESC used to leave `[31;1m` and `]52;c;…`
    /// in the message), other controls or bidirectional controls, on one line: log lines quote what the
    /// tracker sent (header values, error messages), and an escape sequence in them would reach the terminal.
    static func plain(_ text: String) -> String { InertText.line(text) }
}
