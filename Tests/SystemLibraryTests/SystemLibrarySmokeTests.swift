import CCurl
import CLibXML2
import CNCursesW
import Foundation
import Testing

/// Each shim links and does one real thing with its library.
@Suite struct SystemLibrarySmokeTests {
    @Test func curlEscapesAString() throws {
        #expect(curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK)
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK)
        #expect(ccurl_setopt_string(handle, CURLOPT_USERAGENT, "defectlab-test") == CURLE_OK)
        let escaped = try #require(curl_easy_escape(handle, "a b+c/é", 0))
        defer { curl_free(escaped) }
        #expect(String(cString: escaped) == "a%20b%2Bc%2F%C3%A9")
        #expect(!String(cString: ccurl_version_string()).isEmpty)
    }

    @Test func libxml2ParsesHTMLWithoutNetworkOrEntities() throws {
        let html = "<html><body><p>crash &amp; <b>内存</b> leak</p><script>x()</script></body></html>"
        let options = cxml_safe_html_options()
        let doc = try #require(html.withCString { htmlReadMemory($0, Int32(strlen($0)), "in.html", "UTF-8", options) })
        defer { xmlFreeDoc(doc) }
        let root = try #require(xmlDocGetRootElement(doc))
        let content = try #require(xmlNodeGetContent(root))
        defer { cxml_free(content) }
        let text = String(cString: UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
        #expect(text.contains("crash & 内存 leak"))
        #expect(options & Int32(HTML_PARSE_NONET.rawValue) != 0)
    }

    @Test func ncursesMeasuresWideCharacters() {
        setlocale(LC_ALL, "C.UTF-8")
        // 内 is double width, 'a' single: the wide-character API must be present (NCURSES_WIDECHAR).
        #expect(cnc_wcwidth(0x5185) == 2)
        #expect(cnc_wcwidth(0x61) == 1)
        // The wide-character drawing API is present.
        var cell = cchar_t()
        var glyph: [wchar_t] = [0x5185, 0]
        #expect(setcchar(&cell, &glyph, 0, 0, nil) == 0)
        #expect(String(cString: cnc_version_string()).hasPrefix("ncurses"))
        // A screen on a pseudo terminal type, without touching the real terminal.
        let screen = newterm("xterm", fopen("/dev/null", "w"), fopen("/dev/null", "r"))
        #expect(screen != nil)
        if let screen {
            #expect(cnc_max_x(cnc_stdscr()) > 0)
            endwin()
            delscreen(screen)
        }
    }
}
