import CLibXML2
import JSONText

/// Plain text of an issue body for keyword search.
///
/// Bodies that look like HTML are parsed with libxml2's HTML parser with the network off and no entity
/// expansion (`cxml_safe_html_options`); block elements become line breaks. Markdown bodies stay as they are.
public enum HTMLText {
    static let blockTags: Set<String> = ["p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
                                         "ul", "ol", "table", "blockquote", "hr", "td", "th"]
    static let htmlTags = ["p", "div", "br", "ul", "ol", "li", "b", "i", "code", "pre", "a", "h1", "h2", "h3", "h4",
                           "h5", "h6", "table", "tr", "td", "th", "img", "span", "em", "strong", "details", "summary",
                           "blockquote", "kbd", "sup", "sub", "del", "ins", "s", "u", "font", "small", "mark", "hr",
                           "dl", "dt", "dd", "script", "style", "center", "tt"]

    public static func plainText(_ body: String?) -> String? {
        guard let body else { return nil }
        // One line break, whatever the tracker sent (Gitee: CRLF).
        let text = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        // Code in fences and spans is literal text, never HTML: set aside while the rest is parsed. The nonce
        // only marks the pieces (not a random choice that shapes a result).
        let nonce = String(UInt64.random(in: 1...UInt64.max), radix: 36)
        let (shielded, code) = MarkdownCode.shielded(text, nonce: nonce)
        var prose = shielded
        // HTML comments outside code (issue templates' hints) are hidden on the tracker's page: not text to search
        // or label by. Only whole ones: an unclosed `<!--` is left as written.
        if prose.contains("<!--") {
            prose = withoutComments(prose)
            if !looksLikeHTML(prose) { return MarkdownCode.restored(prose, code, nonce: nonce) }
        }
        // Terminal control sequences go before the parser sees them: it drops their ESC and keeps the rest
        // ("[31m", "]8;;http://…"), which no later filter can then recognize as a sequence.
        guard looksLikeHTML(prose), let extracted = extract(InertText.neutralize(prose)) else { return MarkdownCode.restored(text, [], nonce: nonce) }
        return MarkdownCode.restored(extracted, code, nonce: nonce)
    }

    /// `text` without its complete `<!-- … -->` comments.
    static func withoutComments(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "<!--"), let close = rest[open.upperBound...].range(of: "-->") {
            out += rest[..<open.lowerBound]
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    static let htmlTagBytes: Set<[UInt8]> = Set(htmlTags.map { Array($0.utf8) })

    /// True when the body has an opening tag of a common HTML element (so `x < 0` in Markdown is left alone):
    /// `<tag>`, `<tag ` or `<tag/`, tag names in any case.
    ///
    /// One pass over the bytes that looks only after each `<`: most bodies have none, and lower-casing a
    /// 64 KB body to search it for two dozen tags cost more than parsing the page it came in.
    static func looksLikeHTML(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            var i = 0
            var name: [UInt8] = []
            while i < b.count {
                guard b[i] == UInt8(ascii: "<") else { i += 1; continue }
                i += 1
                name.removeAll(keepingCapacity: true)
                while i < b.count, name.count <= 10 {
                    let c = b[i]
                    if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") || c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                        name.append(c)
                    } else if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") {
                        name.append(c | 0x20)
                    } else { break }
                    i += 1
                }
                guard i < b.count, !name.isEmpty else { continue }
                let next = b[i]
                if next == UInt8(ascii: ">") || next == UInt8(ascii: " ") || next == UInt8(ascii: "/"), htmlTagBytes.contains(name) {
                    return true
                }
            }
            return false
        }
    }

    /// Nesting beyond which libxml2's HTML parser drops content (its limit is 256 without XML_PARSE_HUGE,
    /// which would lift other safety limits too): such a body is read by `strippedText` instead.
    static let deepestParsed = 200

    static func extract(_ html: String) -> String? {
        var utf8 = Array(html.utf8)
        // A body nested deeper than the parser keeps lost everything past that depth, silently: "visible
        // start" of `<p>visible start</p><div>×260 deep crash` and the crash text gone.
        if nesting(utf8) > deepestParsed { return strippedText(utf8) }
        utf8.append(0)
        let doc = utf8.withUnsafeBufferPointer { buf -> htmlDocPtr? in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                htmlReadMemory($0, Int32(buf.count - 1), nil, "UTF-8", cxml_safe_html_options())
            }
        }
        guard let doc else { return nil }
        defer { xmlFreeDoc(doc) }
        var out = ""
        walk(xmlDocGetRootElement(doc), into: &out)
        return tidied(out)
    }

    /// Issue bodies are Markdown with some HTML in it (a `<details>` around a traceback), so the text keeps its
    /// lines and their indentation (code, in a fence or a `<pre>`); only trailing white space goes, and the
    /// blank lines block elements leave behind fold into one. Collapsing white space as a browser does made a
    /// Markdown body one line; trimming every line took Python code's indentation.
    static func tidied(_ text: String) -> String {
        var lines: [Substring] = []
        for line in text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false) {
            var line = line
            while let last = line.last, last == " " || last == "\t" { line.removeLast() }
            if line.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    static let voidTags: Set<[UInt8]> = Set(["br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed",
                                                 "source", "track", "wbr", "param"].map { Array($0.utf8) })

    /// A letter or digit of a tag name.
    static func isNameByte(_ c: UInt8) -> Bool {
        let lower = c | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    /// The deepest element nesting of `bytes`, counted from tags alone (`<x` opens unless void or `/>`,
    /// `</x` closes): an estimate that needs no parse.
    static func nesting(_ bytes: [UInt8]) -> Int {
        var deepest = 0, i = 0
        var open: [[UInt8]] = []
        let n = bytes.count
        while i < n {
            guard bytes[i] == UInt8(ascii: "<"), i + 1 < n else { i += 1; continue }
            let closing = bytes[i + 1] == UInt8(ascii: "/")
            var j = i + (closing ? 2 : 1), name: [UInt8] = []
            while j < n, name.count <= 10, isNameByte(bytes[j]) {
                name.append(bytes[j] | 0x20); j += 1
            }
            guard !name.isEmpty else { i += 1; continue }
            while j < n, bytes[j] != UInt8(ascii: ">") { j += 1 }
            let selfClosing = j > 0 && j < n && bytes[j - 1] == UInt8(ascii: "/")
            // A close pops to its own open tag; a stray one (`</span>` after `<div>`) closes nothing, as for
            // the parser (counted as a close, 300 nested divs passed for shallow and lost their text).
            if closing {
                if let k = open.lastIndex(of: name) { open.removeSubrange(k...) }
            } else if !selfClosing, !voidTags.contains(name) {
                open.append(name)
                deepest = max(deepest, open.count)
            }
            i = j + 1
        }
        return deepest
    }

    /// The text of `bytes` with every tag removed (block tags as line breaks), script and style contents
    /// dropped, and only the five predefined entities decoded (no others are expanded, as in the parse).
    static func strippedText(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = [], i = 0, skipping: [UInt8]? = nil
        let n = bytes.count
        while i < n {
            if bytes[i] == UInt8(ascii: "<") {
                let closing = i + 1 < n && bytes[i + 1] == UInt8(ascii: "/")
                var j = i + (closing ? 2 : 1), name: [UInt8] = []
                while j < n, name.count <= 10, isNameByte(bytes[j]) {
                    name.append(bytes[j] | 0x20); j += 1
                }
                if !name.isEmpty || (i + 1 < n && (bytes[i + 1] == UInt8(ascii: "!") || bytes[i + 1] == UInt8(ascii: "?"))) {
                    while j < n, bytes[j] != UInt8(ascii: ">") { j += 1 }
                    let tag = String(decoding: name, as: UTF8.self)
                    if let waiting = skipping {
                        if closing, name == waiting { skipping = nil }
                    } else if !closing, tag == "script" || tag == "style" {
                        skipping = name
                    } else if blockTags.contains(tag) {
                        out.append(UInt8(ascii: "\n"))
                    }
                    i = j + 1
                    continue
                }
            }
            if skipping == nil { out.append(bytes[i]) }
            i += 1
        }
        var text = String(decoding: out, as: UTF8.self)
        for (entity, plain) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: plain)
        }
        return tidied(text)
    }

    static func walk(_ node: xmlNodePtr?, into out: inout String) {
        var node = node
        while let n = node {
            switch n.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = n.pointee.content { out += String(cString: content) }
            case XML_ELEMENT_NODE:
                let name = n.pointee.name.map { String(cString: $0).lowercased() } ?? ""
                if name == "script" || name == "style" { break }
                if name == "pre", !(out.isEmpty || out.last == "\n") { out += "\n" }
                walk(n.pointee.children, into: &out)
                if blockTags.contains(name) { out += "\n" }
            default: break
            }
            node = n.pointee.next
        }
    }
}
