import CLibXML2

/// Plain text of an issue body for keyword search.
///
/// Bodies that look like HTML are parsed with libxml2's HTML parser with the network off and no entity
/// expansion (`cxml_safe_html_options`); block elements become line breaks. Markdown bodies stay as they are.
public enum HTMLText {
    static let blockTags: Set<String> = ["p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
                                         "ul", "ol", "table", "blockquote", "hr", "td", "th"]
    static let htmlTags = ["p", "div", "br", "ul", "ol", "li", "b", "i", "code", "pre", "a", "h1", "h2", "h3", "h4",
                           "table", "img", "span", "em", "strong", "details", "summary", "blockquote"]

    public static func plainText(_ body: String?) -> String? {
        guard let body else { return nil }
        guard looksLikeHTML(body) else { return body }
        return extract(body) ?? body
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

    static func extract(_ html: String) -> String? {
        var utf8 = Array(html.utf8)
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
        // Collapse the blank lines block elements leave behind.
        let lines = out.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimmed(" \t\r") }
        return lines.filter { !$0.isEmpty }.joined(separator: "\n")
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
                walk(n.pointee.children, into: &out)
                if blockTags.contains(name) { out += "\n" }
            default: break
            }
            node = n.pointee.next
        }
    }
}

extension Substring {
    func trimmed(_ set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
