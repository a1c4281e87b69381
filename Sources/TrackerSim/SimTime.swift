/// Times as the trackers write them: GitHub in UTC with `Z`, Gitee at `+08:00`, sometimes with milliseconds.
enum SimTime {
    /// 2019-01-01T00:00:00Z: the corpus starts here.
    static let corpusStart: Int64 = 1_546_300_800
    /// 2025-06-01T00:00:00Z: original updates end here; churn happens after.
    static let corpusEnd: Int64 = 1_748_736_000

    static func civil(_ epoch: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        let days = epoch >= 0 ? epoch / 86_400 : (epoch - 86_399) / 86_400
        let secs = epoch - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, secs / 3600, (secs / 60) % 60, secs % 60)
    }

    static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func github(_ epoch: Int64) -> String {
        let (y, m, d, h, mi, s) = civil(epoch)
        return "\(y)-\(two(m))-\(two(d))T\(two(h)):\(two(mi)):\(two(s))Z"
    }

    static func gitee(_ epoch: Int64, millis: Int?) -> String {
        let (y, m, d, h, mi, s) = civil(epoch + 8 * 3600)
        let ms = millis.map { "." + String(1000 + $0).dropFirst() } ?? ""
        return "\(y)-\(two(m))-\(two(d))T\(two(h)):\(two(mi)):\(two(s))\(ms)+08:00"
    }

    /// Parses `since` the way the trackers accept it: `YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or ±HH:MM.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int64? {
            guard from + len <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + len) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2) else { return nil }
        var h: Int64 = 0, mi: Int64 = 0, s: Int64 = 0
        var i = 10
        if b.count > 10 {
            guard let hh = num(11, 2), let mm = num(14, 2), let ss = num(17, 2) else { return nil }
            h = hh; mi = mm; s = ss; i = 19
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            }
        }
        var offset: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: " ") {
            guard let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        // days_from_civil
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + h * 3600 + mi * 60 + s - offset
    }
}
