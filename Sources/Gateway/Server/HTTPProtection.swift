import GraphQLCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// `max_header_count` and `max_header_bytes`: requests with too many or too large headers get
/// 431 `HEADERS_TOO_LARGE` before any route runs (NIO's parser already caps a header block
/// at 80 KiB, so this check never sees more).
struct HeaderLimitsMiddleware<Context: Hummingbird.RequestContext>: RouterMiddleware {
    let maxCount: Int?
    let maxBytes: Int?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let fields = request.headers
        if let maxCount, fields.count > maxCount {
            return Self.refuse("The request has \(fields.count) headers, over the limit of \(maxCount).")
        }
        if let maxBytes {
            var bytes = 0
            for f in fields { bytes += f.name.rawName.utf8.count + f.value.utf8.count }
            if bytes > maxBytes { return Self.refuse("The request headers take \(bytes) bytes, over the limit of \(maxBytes).") }
        }
        return try await next(request, context)
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
                return Response(status: .forbidden)   // a preflight from an origin not on the list
            }
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = allowHeaders(origin)
            headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders]
                ?? "content-type, authorization, accept, x-tenant"
            headers[.accessControlMaxAge] = String(settings.maxAgeSeconds)
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        for field in allowHeaders(origin) { response.headers[field.name] = field.value }
        return response
    }

    func allowHeaders(_ origin: String) -> HTTPFields {
        var h: HTTPFields = [.accessControlAllowOrigin: origin, .vary: "Origin"]
        if settings.allowCredentials { h[.accessControlAllowCredentials] = "true" }
        return h
    }
}

/// The keep-alive side of `limits.request_header_timeout_ms`: a kept-alive connection must send
/// its next complete request head within this time of the end of its previous response (one that
/// sends nothing is closed too). A client trickling a request line byte by byte
/// (slowloris) is closed instead of holding a connection forever. The timer stops while a
/// request is read and answered (however long a response streams), and goes with the HTTP
/// handlers when a connection becomes a WebSocket.
final class RequestHeadTimeout: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        timer?.cancel()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }
}

/// The first request head of a connection, before any HTTP handler sees it (the WebSocket
/// upgrade check holds the HTTP handlers back until a head is complete): raw bytes must reach the
/// blank line that ends the head within the timeout, else the connection is closed. It leaves
/// the pipeline as soon as the first head is complete; `RequestHeadTimeout` covers the next ones.
final class FirstHeadTimeout: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// How many bytes of the blank line (CR LF CR LF) the bytes seen so far end with: a blank
    /// line split across reads is still found.
    private var matched = 0

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) { bound.value.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var matched = self.matched, seen = false
        for byte in buffer.readableBytesView {
            // CR LF CR LF: a CR expected at 0 and 2, an LF at 1 and 3.
            if byte == (matched % 2 == 0 ? 13 : 10) {
                matched += 1
                if matched == 4 { seen = true; break }
            } else {
                matched = byte == 13 ? 1 : 0
            }
        }
        self.matched = matched
        context.fireChannelRead(data)
        if seen {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}

/// An HTTP child channel with the first-head timeout in front of it.
struct FirstHeadTimeoutChannel<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner
    let timeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(FirstHeadTimeout(timeout: timeout), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
