import Foundation

/// Checks on generated HTML that do not need a browser.
enum HTMLChecks {
    /// True when any attribute or CSS could load something from elsewhere: src/href/action/srcset/xlink:href
    /// pointing at a scheme other than a fragment or relative path, `url(` or `@import` in CSS, `<script`,
    /// `<link`, `<iframe`, `<object`, `<embed`.
    static func hasExternalReference(_ html: String) throws -> Bool {
        let attribute = try NSRegularExpression(pattern: "(?i)\\b(src|href|action|srcset|xlink:href|poster|data)\\s*=\\s*[\"']?\\s*(https?:|//|ftp:|javascript:|data:text)")
        let tags = try NSRegularExpression(pattern: "(?i)<\\s*(script|link|iframe|object|embed|base|meta\\s+http-equiv=\"refresh\")\\b|url\\s*\\(|@import")
        let range = NSRange(html.startIndex..., in: html)
        return attribute.firstMatch(in: html, range: range) != nil || tags.firstMatch(in: html, range: range) != nil
    }
}
