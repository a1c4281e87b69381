import CCurl
import Foundation

/// One HTTP answer: status, headers (names lower-cased, in order) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The negotiated protocol version ("1.1", "2").
    public var httpVersion: String

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.last { $0.name == lower }?.value
    }
}

/// HTTP over libcurl, the only HTTP stack of the crawler.
///
/// One easy handle is reused for every request, so connections stay alive (and HTTP/2 is used where the server
/// offers it over TLS). gzip/deflate/brotli as libcurl supports (`Accept-Encoding` filled in by libcurl), TLS
/// verification on, proxy settings from the environment (libcurl reads `https_proxy` and friends itself).
/// `get` blocks: the crawler is synchronous and never runs it on the Swift concurrency pool.
public final class HTTPClient {
    public var userAgent: String
    public var timeout: Double
    public var connectTimeout: Double
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
        let line = ptr.withMemoryRebound(to: UInt8.self, capacity: n) { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
        if line.hasPrefix("HTTP/") {
            // A new status line (after a 100 Continue, say): only the final answer's headers count.
            sink.headers.removeAll()
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            sink.headers.append((name, value))
        }
        return n
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
        _ = ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        _ = ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        _ = ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
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
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
                throw HTTPFailure(code: .tls, message: text)
            default: throw HTTPFailure(code: .other, message: text)
            }
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var version = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        let versionText = version == CURL_HTTP_VERSION_2_0 ? "2" : version == CURL_HTTP_VERSION_3 ? "3" : "1.1"
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body, httpVersion: versionText)
    }
}
