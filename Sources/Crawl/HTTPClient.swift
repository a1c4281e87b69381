import CCurl
import Foundation

/// One HTTP answer: status, headers (names lower-cased, in order) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The negotiated protocol version ("1.0", "1.1", "2", "3"): HTTP/2 only where a TLS server offers it.
    public var httpVersion: String
    /// Connections libcurl had to open for this request: 0 when it reused a kept-alive one.
    public var newConnections: Int = 0

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], httpVersion: String = "1.1") {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.last { $0.name == lower }?.value
    }
}

/// HTTP over libcurl, the only HTTP stack of the crawler.
///
/// One easy handle is reused for every request, so its connection stays alive between pages (a crawl opens one
/// connection, not one per page), and HTTP/2 is asked for over TLS (`CURL_HTTP_VERSION_2TLS`: clear-text
/// servers such as the loopback simulator stay on HTTP/1.1). gzip/deflate/brotli as libcurl supports
/// (`Accept-Encoding` filled in by libcurl), TLS verification on, proxy settings from the environment (libcurl
/// reads `https_proxy` and friends itself). `get` blocks: the crawler is synchronous and never runs it on the
/// Swift concurrency pool.
public final class HTTPClient {
    /// Which HTTP version to ask for.
    public enum VersionPreference: Sendable, Equatable {
        /// HTTP/2 over TLS when the server offers it (ALPN), HTTP/1.1 otherwise: the default.
        case http2OverTLS
        /// HTTP/1.1 only (a proxy or server that mishandles HTTP/2).
        case http11
        /// HTTP/2 in clear text from the first byte ("prior knowledge", no upgrade): a server known to speak it,
        /// such as `tracker-sim --http2`, which is how the tests cover the HTTP/2 framing that TLS trackers use.
        case http2PriorKnowledge
    }

    public var userAgent: String
    public var timeout: Double
    public var connectTimeout: Double
    public var versionPreference: VersionPreference = .http2OverTLS
    /// A PEM file of the certificate authorities to trust instead of the system's (a GitHub Enterprise or
    /// Gitee mirror behind a private CA); verification stays on either way.
    public var caFile: String?
    private let handle: UnsafeMutableRawPointer

    private static let globalInit: Void = { _ = curl_global_init(3) }()

    /// Collects one transfer's header lines and body bytes (passed to libcurl's callbacks as `userdata`).
    private final class Sink {
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []
    }

    public init(userAgent: String = "defectlab/0.1 (+https://github.com/defectlab)", timeout: Double = 30, connectTimeout: Double = 10) throws {
        _ = Self.globalInit
        guard let h = curl_easy_init() else { throw HTTPFailure(code: .other, message: "curl_easy_init failed") }
        handle = h
        self.userAgent = userAgent
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    deinit { curl_easy_cleanup(handle) }

    private static let writeBody: ccurl_data_callback = { ptr, size, count, userdata in
        let n = size * count
        guard let ptr, let userdata else { return n }
        let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
        ptr.withMemoryRebound(to: UInt8.self, capacity: n) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
        return n
    }

    private static let writeHeader: ccurl_data_callback = { ptr, size, count, userdata in
        let n = size * count
        guard let ptr, let userdata else { return n }
        let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
        let line = UnsafeBufferPointer(start: UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self), count: n)
        if n >= 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"), line[3] == UInt8(ascii: "P"),
           line[4] == UInt8(ascii: "/") {
            // A new status line (after a 100 Continue, say): only the final answer's headers count.
            sink.headers.removeAll()
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            // Byte-level trimming: Foundation's `trimmingCharacters` showed up in profiles, a dozen lines a page.
            func trimmed(_ r: Range<Int>) -> String {
                var lo = r.lowerBound, hi = r.upperBound
                func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
                while lo < hi, space(line[lo]) { lo += 1 }
                while hi > lo, space(line[hi - 1]) { hi -= 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: line[lo..<hi]), as: UTF8.self)
            }
            let name = trimmed(0..<colon).lowercased()
            let value = trimmed((colon + 1)..<n)
            // Room for the whole body at once instead of growing it chunk by chunk.
            if name == "content-length", let length = Int(value), length > 0, length < 64 << 20 {
                sink.body.reserveCapacity(length)
            }
            sink.headers.append((name, value))
        }
        return n
    }

    /// Whether the linked libcurl fails a reused prior-knowledge HTTP/2 connection (before 8.0.0).
    static let priorKnowledgeReuseBroken = ccurl_version_number() < 0x08_00_00

    /// The libcurl value for `versionPreference`.
    var curlHTTPVersion: Int {
        switch versionPreference {
        case .http2OverTLS: return Int(CURL_HTTP_VERSION_2TLS)
        case .http11: return Int(CURL_HTTP_VERSION_1_1)
        case .http2PriorKnowledge: return Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
        }
    }

    static func versionText(_ v: Int) -> String {
        switch v {
        case Int(CURL_HTTP_VERSION_1_0): return "1.0"
        case Int(CURL_HTTP_VERSION_2_0): return "2"
        case Int(CURL_HTTP_VERSION_3): return "3"
        default: return "1.1"
        }
    }

    /// GET `url` with extra request headers. Redirects are not followed here: the crawler checks where they go.
    public func get(_ url: String, headers: [(String, String)] = []) throws(HTTPFailure) -> HTTPResponse {
        let sink = Sink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        // Disable libcurl's own "Expect:" and keep the header list alive until the transfer ends.
        list = curl_slist_append(list, "Expect:")

        _ = ccurl_setopt_string(handle, CURLOPT_URL, url)
        _ = ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = ccurl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
        _ = ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        _ = ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, curlHTTPVersion)
        // libcurl before 8.0 breaks a reused prior-knowledge HTTP/2 connection ("Error in the HTTP2 framing
        // layer" on the second request: curl/curl#10634, fixed by #10643): a fresh connection per request there.
        let freshConnection = versionPreference == .http2PriorKnowledge && Self.priorKnowledgeReuseBroken
        _ = ccurl_setopt_long(handle, CURLOPT_FRESH_CONNECT, freshConnection ? 1 : 0)
        _ = ccurl_setopt_long(handle, CURLOPT_FORBID_REUSE, freshConnection ? 1 : 0)
        _ = ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        if let caFile { _ = ccurl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        _ = ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        // At least 1 ms (0 is "never" to libcurl), at most a day: a NaN or huge value trapped the conversion.
        _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(min(max(timeout.isNaN ? 30 : timeout, 0.001), 86_400) * 1000))
        _ = ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000))
        _ = ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, Self.writeBody)
        _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, box.toOpaque())
        _ = ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, Self.writeHeader)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, box.toOpaque())

        let code = curl_easy_perform(handle)
        // The header list dies with this call: unhook it from the reused handle.
        _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            switch code {
            case CURLE_OPERATION_TIMEDOUT: throw HTTPFailure(code: .timeout, message: text)
            case CURLE_PARTIAL_FILE: throw HTTPFailure(code: .truncated, message: text)
            case CURLE_COULDNT_CONNECT, CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
                 CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_HTTP2, CURLE_HTTP2_STREAM:
                throw HTTPFailure(code: .connection, message: text)
            case CURLE_SSL_CONNECT_ERROR:
                throw HTTPFailure(code: .tls, message: text)
            case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
                throw HTTPFailure(code: .untrusted, message: text)
            case CURLE_UNSUPPORTED_PROTOCOL:
                throw HTTPFailure(code: .unsupported, message: text)
            case CURLE_URL_MALFORMAT:
                throw HTTPFailure(code: .malformedURL, message: text)
            default: throw HTTPFailure(code: .other, message: text)
            }
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var version = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        var connects = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        var response = HTTPResponse(status: status, headers: sink.headers, body: sink.body, httpVersion: Self.versionText(version))
        response.newConnections = connects
        return response
    }
}
