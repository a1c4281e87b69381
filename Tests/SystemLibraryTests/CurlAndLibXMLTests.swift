import CCurl
import CLibXML2
import Testing

struct CurlAndLibXMLTests {
    @Test func libcurlReportsAVersionAndSupportsCompression() {
        let version = String(cString: ccurl_version_string())
        #expect(version.split(separator: ".").count >= 2)
        #expect(ccurl_features() & Int32(CURL_VERSION_LIBZ) != 0)
    }

    @Test func libxml2ParsesHTMLWithSafeOptions() {
        let html = "<p>hello <b>world</b></p>"
        let doc = htmlReadMemory(html, Int32(html.utf8.count), nil, "UTF-8", cxml_safe_html_options())
        #expect(doc != nil)
        if let doc {
            let root = xmlDocGetRootElement(doc)
            #expect(root != nil)
            xmlFreeDoc(doc)
        }
    }
}
