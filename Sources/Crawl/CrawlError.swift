/// A crawl failure a user can act on. `description` is one line and never holds a token.
public struct CrawlError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// 401: the token is wrong or revoked; repeating it gets every request refused for a while.
        public static let unauthorized = Code(name: "unauthorized")
        /// 403 without rate-limit wording: a permission problem, not retried.
        public static let forbidden = Code(name: "forbidden")
        public static let notFound = Code(name: "not-found")
        /// A redirect to another host (the token would leak there) or too many redirects.
        public static let redirect = Code(name: "redirect")
        /// The tracker's TLS certificate is not trusted (or the CA file is unreadable): not retried.
        public static let untrusted = Code(name: "untrusted")
        /// Retries used up on network faults, 5xx or unparsable bodies.
        public static let exhausted = Code(name: "retries-exhausted")
        public static let http = Code(name: "http")
        public static let badInput = Code(name: "bad-input")
        public static let store = Code(name: "store")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// A transport failure from the HTTP client (no HTTP status to look at).
public struct HTTPFailure: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        public static let timeout = Code(name: "timeout")
        /// Connection refused, reset, or closed before an answer.
        public static let connection = Code(name: "connection")
        /// Fewer body bytes than the headers promised.
        public static let truncated = Code(name: "truncated")
        /// The TLS handshake failed (a reset mid-handshake, say): retried like other connection faults.
        public static let tls = Code(name: "tls")
        /// The peer's certificate did not verify, or the CA file could not be read: retrying cannot help.
        public static let untrusted = Code(name: "untrusted")
        /// A URL libcurl cannot parse (a tracker's link or redirect with control characters or spaces).
        public static let malformedURL = Code(name: "malformed-url")
        /// The client cannot speak to this URL at all (a scheme or protocol libcurl does not support): retrying
        /// cannot help.
        public static let unsupported = Code(name: "unsupported")
        public static let other = Code(name: "other")
    }

    public var code: Code
    /// libcurl's error text (`curl_easy_strerror`), which never includes the URL or headers.
    public var message: String

    public var description: String { "\(code): \(message)" }
}
