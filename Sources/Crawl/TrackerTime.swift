import Foundation

/// Tracker timestamps normalized to one form (UTC, `YYYY-MM-DDTHH:MM:SSZ`) so marks compare as strings.
///
/// GitHub writes UTC with `Z`; Gitee writes `+08:00`, sometimes with milliseconds. A hand-written parser,
/// because it runs for every stored issue and Foundation's formatters are slow and not Sendable everywhere.
public enum TrackerTime {
    public static func epoch(_ text: String) -> Int64? {
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
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), (1...12).contains(mo), (1...31).contains(d) else { return nil }
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
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2) else { return nil }
            let om = num(i + 4, 2) ?? num(i + 3, 2) ?? 0
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return (era * 146_097 + doe - 719_468) * 86_400 + h * 3600 + mi * 60 + s - offset
    }

    public static func format(_ epoch: Int64) -> String {
        let days = epoch >= 0 ? epoch / 86_400 : (epoch - 86_399) / 86_400
        let secs = epoch - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two((secs / 60) % 60)):\(two(secs % 60))Z"
    }

    /// The normalized form of a tracker time, or nil when it does not parse.
    public static func normalize(_ text: String?) -> String? {
        guard let text else { return nil }
        if isCanonical(text) { return text }
        guard let e = epoch(text) else { return nil }
        return format(e)
    }

    /// True when `text` already is `YYYY-MM-DDTHH:MM:SSZ` with fields in range (days up to 28, so no month
    /// overflows): what GitHub sends for every time, three per issue, returned as is without a round trip.
    static func isCanonical(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { b in
            guard b.count == 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
                  b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z") else { return false }
            func num(_ at: Int, _ len: Int) -> Int? {
                var v = 0
                for i in at..<(at + len) {
                    guard b[i] >= 48, b[i] <= 57 else { return nil }
                    v = v * 10 + Int(b[i] - 48)
                }
                return v
            }
            guard let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2),
                  num(0, 4) != nil else { return false }
            return (1...12).contains(mo) && (1...28).contains(d) && h < 24 && mi < 60 && s < 60
        }
    }
}

/// Replaces every secret in a text before it is printed or stored: tokens never reach logs, errors or the db.
public struct Redactor: Sendable {
    let secrets: [String]
    /// Each secret as written and as a URL carries it (`tok/en+x` is `tok%2Fen%2Bx` in Gitee's `access_token`, with
    /// upper- or lower-case hex): a redirect that repeats the query put the encoded form in the verbose log.
    public init(secrets: [String]) {
        var forms: [String] = []
        for s in secrets where s.count >= 4 {
            let encoded = TrackerAPI.encode(s)
            forms += [s, encoded, Self.lowerHex(encoded)]
        }
        // Longest first, so that a form is never half-replaced by a shorter one it contains.
        self.secrets = Array(Set(forms)).sorted { ($0.count, $0) > ($1.count, $1) }
    }

    public func clean(_ text: String) -> String {
        var out = text
        for s in secrets where out.contains(s) { out = out.replacingOccurrences(of: s, with: "[redacted]") }
        // Whatever token a URL's query holds (one this crawl does not know as a secret included).
        return out.replacingOccurrences(of: #"access_token=[^&#\s]+"#, with: "access_token=[redacted]", options: .regularExpression)
    }

    static func lowerHex(_ encoded: String) -> String {
        var out = "", rest = Substring(encoded)
        while let i = rest.firstIndex(of: "%"), rest.distance(from: i, to: rest.endIndex) >= 3 {
            out += rest[..<i] + "%" + rest[rest.index(after: i)...rest.index(i, offsetBy: 2)].lowercased()
            rest = rest[rest.index(i, offsetBy: 3)...]
        }
        return out + rest
    }
}

