import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// The simulator's HTTP server on loopback (SwiftNIO): HTTP/1.1 with keep-alive, or with `http2` HTTP/2 (every
/// stream answered by the same handler, through NIO's HTTP/2-to-HTTP/1 codec); in clear text, or over TLS
/// (NIOSSL) with the version offered by ALPN, as GitHub and Gitee offer HTTP/2.
///
/// NIO's low-level HTTP pipeline lets a fault do what real networks do: close a connection (over HTTP/2, the
/// stream) without an answer, or promise a body with `content-length` and send half of it.
public final class SimServer: Sendable {
    let state: SimState
    let group: MultiThreadedEventLoopGroup
    let channel: Channel

    public var port: Int { channel.localAddress?.port ?? 0 }

    /// `tls`: a PEM certificate chain and private key to serve HTTPS with.
    public init(state: SimState, port: Int, http2: Bool = false, tls: (certificate: String, key: String)? = nil) throws {
        self.state = state
        let context = try tls.map { tls -> NIOSSLContext in
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem)))
            configuration.applicationProtocols = http2 ? ["h2"] : ["http/1.1"]
            return try NIOSSLContext(configuration: configuration)
        }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    if http2 {
                        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                            mode: .server, connectionConfiguration: .init(), streamConfiguration: .init()
                        ) { stream in
                            stream.eventLoop.makeCompletedFuture {
                                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                                try stream.pipeline.syncOperations.addHandler(SimHTTPHandler(state: state))
                            }
                        }
                    } else {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(SimHTTPHandler(state: state))
                    }
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
    }

    public func wait() throws { try channel.closeFuture.wait() }
}

final class SimHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let state: SimState
    var head: HTTPRequestHead?

    init(state: SimState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let request = SimRequest(method: head.method.rawValue, uri: head.uri,
                                     headers: head.headers.map { ($0.name, $0.value) })
            let reply = state.handle(request)
            switch reply.delivery {
            case .normal: send(reply, head: head, context: context, truncate: false)
            case .truncate: send(reply, head: head, context: context, truncate: true)
            case .reset: context.close(promise: nil)
            case .slow(let ms):
                let loop = context.eventLoop.assumeIsolated()
                loop.scheduleTask(in: .milliseconds(Int64(ms))) {
                    self.send(reply, head: head, context: context, truncate: false)
                }
            }
        }
    }

    func send(_ reply: SimReply, head: HTTPRequestHead, context: ChannelHandlerContext, truncate: Bool) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        for (k, v) in reply.headers { headers.add(name: k, value: v) }
        headers.replaceOrAdd(name: "content-length", value: String(reply.body.count))
        headers.add(name: "server", value: "tracker-sim")
        let status = HTTPResponseStatus(statusCode: reply.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        let bytes = truncate ? reply.body[..<(reply.body.count / 2)] : reply.body[...]
        if !bytes.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        if truncate {
            context.flush()
            context.close(promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
