import GraphQLCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// `max_header_count` and `max_header_bytes`: requests with too many or too large headers get
/// 431 `HEADERS_TOO_LARGE` before any route runs (NIO's parser already caps a header block
/// at 80 KiB, so this check never sees more).
struct HeaderLimitsMiddleware<Context: Hummingbird.RequestContext>: RouterMiddleware {
    let maxCount: Int?
    let maxBytes: Int?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let message = Self.violation(request.headers, maxCount: maxCount, maxBytes: maxBytes) { return Self.refuse(message) }
        return try await next(request, context)
    }

    /// What is over the limits in `fields` (nil: nothing): their count, or their names' and values' bytes.
    static func violation(_ fields: HTTPFields, maxCount: Int?, maxBytes: Int?) -> String? {
        if let maxCount, fields.count > maxCount {
            return "The request has \(fields.count) headers, over the limit of \(maxCount)."
        }
        if let maxBytes {
            var bytes = 0
            for f in fields { bytes += f.name.rawName.utf8.count + f.value.utf8.count }
            if bytes > maxBytes { return "The request headers take \(bytes) bytes, over the limit of \(maxBytes)." }
        }
        return nil
    }

    static func refuse(_ message: String) -> Response {
        GatewayMetrics.limitRejection("HEADERS_TOO_LARGE")
        return Response(status: .init(code: 431), headers: [.contentType: ResponseWriting.graphQLResponseType],
                 body: .init(byteBuffer: ByteBuffer(bytes: ExecutionResult(data: nil, errors: [
                     GraphQLError(message, code: "HEADERS_TOO_LARGE")]).jsonBytes)))
    }
}


/// CORS with an allow-list of origins (`cors.allow_origins`; off unless set). A request from an
/// allowed origin gets `Access-Control-Allow-Origin` with that origin (and `Vary: Origin`); a
/// preflight (`OPTIONS` with `Access-Control-Request-Method`) from one is answered 204 with the
/// methods and headers allowed; any other origin gets no CORS headers, so browsers keep its
/// scripts from reading the answer.
struct CORSMiddleware<Context: Hummingbird.RequestContext>: RouterMiddleware {
    let settings: CORSConfiguration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], settings.allows(origin) else {
            if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
                // A preflight from an origin not on the list.
                var refused = Response(status: .forbidden)
                Self.varyByOrigin(&refused.headers)
                return refused
            }
            // The answer depends on `Origin` (an allowed one would get the CORS headers): a
            // shared cache must not hand this one to an allowed site.
            var response = try await next(request, context)
            Self.varyByOrigin(&response.headers)
            return response
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = allowHeaders(origin)
            // GraphQL over SSE's single connection mode reserves (PUT) and stops (DELETE) on its path.
            headers[.accessControlAllowMethods] = request.uri.path == "/graphql/stream" ? "GET, POST, PUT, DELETE, OPTIONS" : "GET, POST, OPTIONS"
            headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders]
                ?? "content-type, authorization, accept, x-tenant, x-graphql-event-stream-token"
            headers[.accessControlMaxAge] = String(settings.maxAgeSeconds)
            Self.varyByOrigin(&headers)
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        for field in allowHeaders(origin) { response.headers[field.name] = field.value }
        Self.varyByOrigin(&response.headers)
        return response
    }

    func allowHeaders(_ origin: String) -> HTTPFields {
        var h: HTTPFields = [.accessControlAllowOrigin: origin]
        if settings.allowCredentials { h[.accessControlAllowCredentials] = "true" }
        return h
    }

    /// Adds `Origin` to the response's `Vary`, keeping what it names already (a GET's `accept`).
    static func varyByOrigin(_ headers: inout HTTPFields) {
        let named = headers[values: .vary].flatMap { $0.split(separator: ",") }.map { String($0.filter { !$0.isWhitespace }).lowercased() }
        if named.contains("origin") || named.contains("*") { return }
        headers.append(HTTPField(name: .vary, value: "Origin"))
    }
}

/// A streamed response (SSE, multipart) runs until its subscription ends, so its client leaving
/// must be noticed when it happens, not at a write that fails (the first write after the
/// client's FIN still succeeds: two keep-alives, 30 s by default, held the subscription and its
/// tenant's place). The input's end while such a response is written — an HTTP/1.1 client does
/// not half-close while it reads a stream — closes the connection; the connection's end calls
/// the stream's `onEnd` (`whenClientLeaves`), which ends its writer and cancels its source. A
/// request being answered ends (`whenRequestAbandoned`) when its client closes the connection or
/// its side of it before the answer is ready. One stream is written at a time on a connection:
/// one `onEnd` is held, never more.
final class StreamInputWatch: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var streaming = false
    private var inputClosed = false
    private var onEnd: (id: ObjectIdentifier, call: @Sendable () -> Void)?
    /// The request being answered (`whenRequestAbandoned`): its client closing the connection,
    /// or its side of it, before the answer is ready ends it.
    private var onAbandon: (id: ObjectIdentifier, call: @Sendable () -> Void)?

    /// Calls `end` when the client closes the connection or its side of it (at once if it has)
    /// until `stopWatchingRequest(channel, id)`: a client that goes away before its answer is
    /// ready — as HTTP servers such as hyper take a half-close while a request is answered.
    static func whenRequestAbandoned(_ channel: any Channel, id: ObjectIdentifier, _ end: @escaping @Sendable () -> Void) {
        channel.eventLoop.execute {
            guard channel.isActive else { return end() }
            guard let watch = try? channel.pipeline.syncOperations.handler(type: StreamInputWatch.self) else {
                return channel.closeFuture.whenComplete { _ in end() }
            }
            if watch.inputClosed { return end() }
            watch.onAbandon = (id, end)
        }
    }

    static func stopWatchingRequest(_ channel: any Channel, id: ObjectIdentifier) {
        channel.eventLoop.execute {
            guard let watch = try? channel.pipeline.syncOperations.handler(type: StreamInputWatch.self), watch.onAbandon?.id == id else { return }
            watch.onAbandon = nil
        }
    }

    /// Calls `end` when the connection ends (at once if it has), until `stopWatching(channel, id)`.
    static func whenClientLeaves(_ channel: any Channel, id: ObjectIdentifier, _ end: @escaping @Sendable () -> Void) {
        channel.eventLoop.execute {
            guard channel.isActive else { return end() }
            guard let watch = try? channel.pipeline.syncOperations.handler(type: StreamInputWatch.self) else {
                return channel.closeFuture.whenComplete { _ in end() }
            }
            watch.onEnd = (id, end)
        }
    }

    static func stopWatching(_ channel: any Channel, id: ObjectIdentifier) {
        channel.eventLoop.execute {
            guard let watch = try? channel.pipeline.syncOperations.handler(type: StreamInputWatch.self), watch.onEnd?.id == id else { return }
            watch.onEnd = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let end = onEnd, abandon = onAbandon
        onEnd = nil
        onAbandon = nil
        end?.call()
        abandon?.call()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed {
            inputClosed = true
            let abandon = onAbandon
            onAbandon = nil
            abandon?.call()
            if streaming { return context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            let type = head.headerFields[.contentType] ?? ""
            streaming = head.status.code == 200 && (type.hasPrefix("text/event-stream") || type.hasPrefix("multipart/"))
            context.write(data, promise: promise)
            // The client left before its stream began.
            if streaming && inputClosed { context.close(promise: nil) }
        case .end:
            streaming = false
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        }
    }
}

/// The connection's timers once HTTP handlers run it (they go with them when a connection becomes
/// a WebSocket):
/// - the keep-alive side of `limits.request_header_timeout_ms`: a kept-alive connection must
///   send its next complete request head within this time of the end of its previous response
///   (one that sends nothing is closed too). A client trickling a request line byte by byte
///   (slowloris) is closed instead of holding a connection forever. The timer stops while a
///   request is read and answered (however long a response streams);
/// - the body side of `limits.request_timeout_ms`: a request's body must have arrived within
///   this time of its head, else it is answered 408 (GraphQL over HTTP: SHOULD) and the
///   connection is closed (a body sent a few bytes at a time would otherwise hold the connection
///   and its handler for good; the answer cannot wait for the rest of it).
final class RequestTimeouts: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let headTimeout: TimeAmount?
    let bodyTimeout: TimeAmount?
    private var headTimer: Scheduled<Void>?
    private var bodyTimer: Scheduled<Void>?
    /// A response has begun and not ended: a 408 cannot be written before it.
    private var answering = false

    init(headTimeout: TimeAmount?, bodyTimeout: TimeAmount?) {
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armHead(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armHead(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headTimer?.cancel()
        headTimer = nil
        bodyTimer?.cancel()
        bodyTimer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            headTimer?.cancel()
            headTimer = nil
            bodyTimer = bodyTimeout.map { timingOutBody(context, after: $0) }
        case .end:
            bodyTimer?.cancel()
            bodyTimer = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: answering = true
        case .end:
            answering = false
            armHead(context)
        case .body: break
        }
        context.write(data, promise: promise)
    }

    /// The body's timer: past it, a 408 (unless a response has begun), then the connection closes.
    private func timingOutBody(_ context: ChannelHandlerContext, after timeout: TimeAmount) -> Scheduled<Void> {
        let bound = NIOLoopBound((context, self), eventLoop: context.eventLoop)
        return context.eventLoop.scheduleTask(in: timeout) {
            let (context, handler) = bound.value
            guard !handler.answering else { return context.close(promise: nil) }
            handler.answering = true
            let body = ByteBuffer(string: #"{"errors":[{"message":"The request body did not arrive within the request timeout.","extensions":{"code":"REQUEST_TIMEOUT"}}]}"#)
            let head = HTTPResponse(status: .requestTimeout, headerFields: [.contentType: "application/json; charset=utf-8",
                                                                          .contentLength: String(body.readableBytes)])
            context.write(handler.wrapOutboundOut(.head(head)), promise: nil)
            context.write(handler.wrapOutboundOut(.body(body)), promise: nil)
            context.writeAndFlush(handler.wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
        }
    }

    private func armHead(_ context: ChannelHandlerContext) {
        headTimer?.cancel()
        headTimer = headTimeout.map { closing(context, after: $0) }
    }

    private func closing(_ context: ChannelHandlerContext, after timeout: TimeAmount) -> Scheduled<Void> {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        return context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }
}

/// HTTP/1 requests as the decoder reads them, before the WebSocket upgrade check and the
/// conversion to HTTP types:
/// - a request head the decoder cannot read (a malformed request line or header, a bad or
///   doubled length, a head over the decoder's size) is answered `400` (`431` for a head too
///   large) and the connection closed. Once the server's HTTP handlers run the connection they
///   do this themselves; before that (a connection's first request, while the upgrade check
///   holds it) the error would reach the upgrade check, which only logs it, and the connection
///   would stay open, unanswered, for as long as the client kept it (and hold up shutdown).
/// - a request that does not keep its connection alive (HTTP/1.0 without `keep-alive`, any
///   `Connection: close`) is marked `Connection: close` for the server, which then closes the
///   connection after its response: the conversion to HTTP types drops the request's version,
///   so an HTTP/1.0 request's connection was otherwise kept open.
/// - a streamed response (no `content-length`: multipart, an event stream) to an HTTP/1.0
///   request is sent as HTTP/1.0 allows: its body delimited by the connection's close, not
///   chunked (RFC 9112 §6.1: no Transfer-Encoding to a client that did not send HTTP/1.1), and
///   the connection closed after it (the conversion to HTTP types answers every request as 1.1).
/// It leaves the pipeline at a request that asks for an upgrade (a WebSocket carries no HTTP
/// after it).
final class HTTP1RequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Whether each request read and not answered yet is HTTP/1.0 (pipelined requests are
    /// answered in order).
    private var oneZero: [Bool] = []
    /// The response being written streams to an HTTP/1.0 client: the connection closes after it.
    private var closeAfterEnd = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200 || head.status == .switchingProtocols:
            let old = oneZero.isEmpty ? false : oneZero.removeFirst()
            guard old, !head.headers.contains(name: "content-length") else { return context.write(data, promise: promise) }
            head.version = .http1_0
            head.headers.remove(name: "transfer-encoding")
            head.headers.replaceOrAdd(name: "connection", value: "close")
            closeAfterEnd = true
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where closeAfterEnd:
            closeAfterEnd = false
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
            context.write(data, promise: written)
        default:
            context.write(data, promise: promise)
        }
    }

    /// A refused handshake was answered here: what follows of the request is dropped.
    private var answered = false
    /// Body parts read and not passed on yet: one part per read (at most 64 KiB) goes on. A
    /// client chunking its body a byte at a time made each byte one part through every handler
    /// and the body's async sequence (a 300 KB body cost 400 times the CPU of the same body sent
    /// whole); the decoded size stays limited by `max_body_bytes`.
    private var pending: ByteBuffer?
    static let maxPart = 1 << 16

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        flush(context)
        context.fireUserInboundEventTriggered(event)
    }

    func handlerRemoved(context: ChannelHandlerContext) { flush(context) }

    private func flush(_ context: ChannelHandlerContext) {
        guard let part = pending else { return }
        pending = nil
        context.fireChannelRead(wrapInboundOut(.body(part)))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if answered { return }
        let part = unwrapInboundIn(data)
        if case .body(var bytes) = part {
            if pending == nil { pending = bytes } else { pending!.writeBuffer(&bytes) }
            if pending!.readableBytes >= Self.maxPart { flush(context) }
            return
        }
        flush(context)
        guard case .head(var head) = part else { return context.fireChannelRead(data) }
        oneZero.append(head.version.major == 1 && head.version.minor == 0)
        if head.headers.contains(name: "upgrade") {
            let protocols = head.headers["upgrade"].flatMap { $0.split(separator: ",") }
                .map { String($0.filter { !$0.isWhitespace }).lowercased() }
            guard protocols.contains(where: { $0 == "websocket" }) else {
                // An upgrade this server does not make (`h2c` from curl --http2 or Java's
                // HttpClient): answered over HTTP/1.1 as if not asked (RFC 9110 §7.8). The decoder
                // stops at an upgrade request, so the connection closes after the answer.
                head.headers.remove(name: "upgrade")
                head.headers.replaceOrAdd(name: "connection", value: "close")
                return context.fireChannelRead(wrapInboundOut(.head(head)))
            }
            // A WebSocket handshake the upgrade cannot take is answered here (RFC 6455 §4.2.2):
            // without a key 400, another version 426 naming ours.
            let version = head.headers["sec-websocket-version"].first?.trimmingCharacters(in: .whitespaces)
            if head.headers["sec-websocket-key"].first?.isEmpty ?? true || version != "13" {
                let wrongVersion = version != nil && version != "13" && !(head.headers["sec-websocket-key"].first?.isEmpty ?? true)
                return refuse(context, wrongVersion ? .upgradeRequired : .badRequest, wrongVersion ? ["sec-websocket-version": "13"] : [:])
            }
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        // `Expect: 100-continue`: the client waits for a go before the body (RFC 9110 §10.1.1);
        // the body is read as any other (its limits apply as it comes).
        if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            head.headers.remove(name: "expect")
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
        // HTTP/1.1 names exactly one Host (RFC 9112 §3.2): 400 otherwise.
        if head.version == .http1_1, head.headers["host"].count != 1 { return refuse(context, .badRequest, [:]) }
        // CONNECT (no tunnels here; a response to it has no length framing, so the client would
        // wait for the connection to close) and TRACE: 405 at once, then closed.
        if head.method == .CONNECT || head.method == .TRACE {
            let stream = head.uri.split(separator: "?").first.map { $0.split(separator: "/").joined(separator: "/") } == "graphql/stream"
            return refuse(context, .methodNotAllowed, ["allow": stream ? GraphQLHTTPHandler.streamMethods : "GET, HEAD, POST, OPTIONS"])
        }
        guard !head.isKeepAlive, head.headers["connection"] != ["close"] else { return context.fireChannelRead(wrapInboundOut(.head(head))) }
        head.headers.replaceOrAdd(name: "connection", value: "close")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// A request answered here with `status` and no body, the connection then closed; what
    /// follows of it is dropped, and the handlers behind see the input end.
    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ extra: [String: String]) {
        answered = true
        var headers: HTTPHeaders = ["connection": "close", "content-length": "0"]
        for (name, value) in extra { headers.add(name: name, value: value) }
        context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Once the server's HTTP handlers are in place, the error is theirs to answer.
        guard let parseError = error as? HTTPParserError,
              (try? context.pipeline.syncOperations.context(handlerType: HTTP1ToHTTPServerCodec.self)) == nil else {
            return context.fireErrorCaught(error)
        }
        // The upgrade check behind waits for a head that will not come: it ends as for a client
        // that went away (quietly, with the input closed), instead of failing when the
        // connection closes (logged as an error).
        // A head over the decoder's size by its request line alone: the URI is too long (414).
        let inRequestLine = ((try? context.pipeline.syncOperations.handler(type: FirstHeadTimeout.self))?.requestLineBytes ?? 0) >= FirstHeadTimeout.decoderHeadLimit
        refuse(context, parseError != .headerOverflow ? .badRequest : inRequestLine ? .uriTooLong : .requestHeaderFieldsTooLarge, [:])
    }
}

/// The first request head of a connection, before any HTTP handler sees it (the WebSocket
/// upgrade check holds the HTTP handlers back until a head is complete): raw bytes must reach the
/// blank line that ends the head within the timeout, else the connection is closed. It leaves
/// the pipeline as soon as the first head is complete; `RequestTimeouts` covers the next ones.
final class FirstHeadTimeout: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// nil: no timeout (the handler still tells a request line from headers, `requestLineEnded`).
    let timeout: TimeAmount?
    private var timer: Scheduled<Void>?
    /// How many bytes of the blank line (CR LF CR LF) the bytes seen so far end with: a blank
    /// line split across reads is still found.
    private var matched = 0
    /// Whether the request line has begun: line breaks before it are skipped by the HTTP parser
    /// (RFC 9112 §2.2), so they end no head — a client sending only blank lines held its
    /// connection past the timeout for good.
    private var started = false
    /// The request line's length so far (its bytes up to its line break): a head over the
    /// decoder's size whose request line alone is over it is a URI too long (414), any other
    /// one headers too large (431).
    private(set) var requestLineBytes = 0
    private var requestLineEnded = false
    /// The HTTP decoder's size for a head (NIO's default: 80 KiB).
    static let decoderHeadLimit = 80 * 1024

    init(timeout: TimeAmount?) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let timeout else { return }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var matched = self.matched, seen = false, started = self.started, lineEnded = requestLineEnded, lineBytes = requestLineBytes
        for byte in buffer.readableBytesView {
            if !started {
                if byte == 13 || byte == 10 { continue }
                started = true
            }
            if !lineEnded { if byte == 10 { lineEnded = true } else { lineBytes += 1 } }
            // CR LF CR LF: a CR expected at 0 and 2, an LF at 1 and 3.
            if byte == (matched % 2 == 0 ? 13 : 10) {
                matched += 1
                if matched == 4 { seen = true; break }
            } else {
                matched = byte == 13 ? 1 : 0
            }
        }
        self.matched = matched
        self.started = started
        requestLineEnded = lineEnded
        requestLineBytes = lineBytes
        context.fireChannelRead(data)
        if seen {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}

/// An HTTP child channel with the first-head timeout (if set) in front of it and the request
/// guard (`HTTP1RequestGuard`) behind its decoder.
struct GuardedHTTPChannel<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner
    let firstHeadTimeout: TimeAmount?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(FirstHeadTimeout(timeout: firstHeadTimeout), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(HTTP1RequestGuard(), position: .after(decoder))
            try channel.pipeline.syncOperations.addHandler(WebSocketUpgradeWatch())
            return value
        }
    }

    func handle(value: Inner.Value, logger: Logger) async {
        // A connection closed before its first request head (the head timeout, or the client
        // leaving) ends the upgrade check with an error the WebSocket library logs at error
        // level: any client could write error lines at will. It is a connection that sent no
        // request, logged at debug.
        var quieter = logger
        quieter.handler = UpgradeCheckLogHandler(wrapped: logger.handler)
        await inner.handle(value: value, logger: quieter)
    }
}

/// Behind the HTTP upgrade handler: once a connection is upgraded to WebSocket (the upgrade
/// handler announces it before it lets the first frames through), puts `MaskedFramesOnly` right
/// behind the frame decoder, and leaves. A connection that is not upgraded is decided by its
/// first request (the upgrade handler leaves then): the watch leaves with that request's first
/// part, so the rest of an HTTP connection's reads do not pass it.
final class WebSocketUpgradeWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case HTTPServerUpgradeEvents.upgradeComplete = event,
           let decoder = try? context.pipeline.syncOperations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self) {
            try? context.pipeline.syncOperations.addHandler(MaskedFramesOnly(), position: .after(decoder))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// A client's frames must be masked (RFC 6455 §5.1: "The server MUST close the connection upon
/// receiving a frame that is not masked"): an unmasked one closes the connection with 1002
/// (protocol error); nothing of it reaches the WebSocket handler.
final class MaskedFramesOnly: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame
    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let frame = unwrapInboundIn(data)
        guard frame.maskKey == nil else {
            context.fireChannelRead(data)
            return
        }
        closing = true
        var code = context.channel.allocator.buffer(capacity: 2)
        code.write(webSocketErrorCode: .protocolError)
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: code)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in bound.value.close(promise: nil) }
    }
}

/// Passes every log line on, the upgrade check's "Error handling upgrade result" at debug.
struct UpgradeCheckLogHandler: LogHandler {
    var wrapped: any LogHandler

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }
    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if event.level == .error, event.message.description == "Error handling upgrade result" {
            guard wrapped.logLevel <= .debug else { return }
            event.level = .debug
        }
        wrapped.log(event: event)
    }
}
