import GraphQLCore
import HTTPTypes
import Hummingbird
import NIOCore

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
        Response(status: .init(code: 431), headers: [.contentType: ResponseWriting.graphQLResponseType],
                 body: .init(byteBuffer: ByteBuffer(bytes: ExecutionResult(data: nil, errors: [
                     GraphQLError(message, code: "HEADERS_TOO_LARGE")]).jsonBytes)))
    }
}

