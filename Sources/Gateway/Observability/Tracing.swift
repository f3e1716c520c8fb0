import Foundation
import Synchronization
import Hummingbird
import Logging
import OTel
import ServiceLifecycle
import Tracing
import HTTPTypes

/// OpenTelemetry traces: swift-distributed-tracing spans, exported by swift-otel over OTLP/HTTP
/// (protobuf) to `tracing.endpoint`. Off by default.
///
/// A request's span continues the client's W3C `traceparent` (else a new trace starts, sampled at
/// `tracing.sampling_ratio`; a client's sampling decision is kept). Under it: `graphql.parse`,
/// `graphql.validate`, `graphql.plan`, `graphql.execute`, one `fetch <subgraph>` per subgraph
/// request (remote requests carry `traceparent`), `batch <loader>` per in-process DataLoader
/// batch, one span per SQL statement (`db.system` postgresql, the statement text — values are
/// always bind parameters) and per Redis command (`db.system` redis, the command name only).
///
/// ```swift
/// let tracing = try GatewayTracing.bootstrap(config.tracing, logger: logger)   // once per process
/// try await server.run(services: [tracing].compactMap { $0 })
/// ```
public enum GatewayTracing {
    /// Bootstraps the process-wide tracer (once per process: `InstrumentationSystem` allows one
    /// bootstrap) and returns the exporter's service, which must run as long as the server (it
    /// flushes what is left when the server stops). `nil` when tracing is off.
    public static func bootstrap(_ settings: TracingConfiguration, logger: Logger) throws -> (any Service)? {
        guard settings.enabled else { return nil }
        // OpenTelemetry's switch for the whole SDK: tracing off, as `enabled: false`.
        if ProcessInfo.processInfo.environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" {
            logger.info("tracing off: OTEL_SDK_DISABLED=true")
            return nil
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = settings.endpoint
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: settings.samplingRatio) ?? .parentBasedAlwaysOn
        configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(settings.exportIntervalMs)
        configuration.traces.batchSpanProcessor.maxQueueSize = settings.maxQueueSize
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        enabled = true
        return BoundedFlush(exporter: backend.service, limit: .seconds(2))
    }

    /// The exporter's service with its last flush bounded: on shutdown, what it has not sent
    /// within `limit` (a collector down or not answering) is dropped, and its failure is not the
    /// gateway's — the process still stops at once and exits 0.
    struct BoundedFlush: Service {
        let exporter: any Service
        let limit: Duration
        func run() async throws {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await exporter.run() }
                group.addTask {
                    // Returns when the graceful shutdown starts (or this task is cancelled).
                    try? await gracefulShutdown()
                    try? await Task.sleep(for: limit)
                }
                _ = await group.next()
                group.cancelAll()
            }
        }
    }

    nonisolated(unsafe) private(set) static var enabled = false

    /// Whether this request's trace is recorded (sampled): the gateway's own spans are skipped
    /// for a trace that is not (its context, which still travels to subgraphs, is the request's).
    @TaskLocal static var recording = true

    /// Sets `recording` from the request span's sampling decision (right after the request span).
    struct RecordingMiddleware<Context: Hummingbird.RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let sampled = GatewayTracing.loggingMetadata.get()["trace_flags"].flatMap { Int("\($0)") }.map { $0 & 1 == 1 } ?? false
            return try await GatewayTracing.$recording.withValue(sampled) { try await next(request, context) }
        }
    }

    /// Adds `trace_id` and `span_id` of the current span to log lines (the JSON log's fields).
    public static let loggingMetadata: Logger.MetadataProvider = OTel.makeLoggingMetadataProvider()

    /// The current trace's id (32 lowercase hex digits), when a span is being recorded.
    public static func currentTraceID() -> String? {
        guard enabled, case .string(let id)? = loggingMetadata.get()["trace_id"] else { return nil }
        return id
    }
}

/// A span around synchronous work that starts no spans of its own (a stage such as parsing);
/// nothing at all when tracing is off.
func leafSpan<T, E: Error>(_ name: String, _ body: () throws(E) -> T) throws(E) -> T {
    guard GatewayTracing.enabled, GatewayTracing.recording else { return try body() }
    let span = startSpan(name)
    defer { span.end() }
    do { return try body() } catch {
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error))
        throw error
    }
}

/// A span around async work; spans started inside it are its children.
func span<T>(_ name: String, ofKind kind: SpanKind = .internal, _ body: (any Span) async throws -> T) async rethrows -> T {
    guard GatewayTracing.enabled, GatewayTracing.recording else { return try await body(NoOpTracer.NoOpSpan(context: .topLevel)) }
    return try await withSpan(name, ofKind: kind) { span in try await body(span) }
}

/// A span that outlives the call that starts it: `body` runs with it current (spans started in it,
/// and in tasks it starts, are its children) and the caller ends it — a `@defer` operation's
/// `graphql.execute`, which ends with its last payload. Nil when tracing is off.
func openSpan<T>(_ name: String, _ body: (any Span) async -> T) async -> (value: T, span: (any Span)?) {
    guard GatewayTracing.enabled, GatewayTracing.recording else { return (await body(NoOpTracer.NoOpSpan(context: .topLevel)), nil) }
    let span = startSpan(name)
    let value = await ServiceContext.withValue(span.context) { await body(span) }
    return (value, span)
}

/// The request's server span (`POST /graphql`): it continues the client's W3C `traceparent` when
/// that is well formed (version 00: lowercase hex, ids not all zeros) and starts a new trace
/// otherwise — a malformed one is dropped before the propagator sees it (the propagator's
/// warning printed every request header, tokens and cookies included). Its attributes are the
/// method, the path, the scheme and the status; never the query string (a GET carries the
/// operation's variables there, a careless client a token).
struct ServerSpanMiddleware<Context: Hummingbird.RequestContext>: RouterMiddleware {
    /// `https` when the server terminates TLS.
    var scheme = "http"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var serviceContext = ServiceContext.current ?? .topLevel
        let traceparent = HTTPField.Name("traceparent")!
        if let given = request.headers[traceparent], GatewayTracing.isWellFormed(traceparent: given) {
            InstrumentationSystem.instrument.extract(request.headers, into: &serviceContext, using: HTTPFieldsExtractor())
        }
        let method = request.method.rawValue, path = request.uri.path
        // Named by its route, or by the method alone for a path that is none of ours (OTel's HTTP
        // conventions: never by a raw path, which a scanner makes unbounded).
        let route = GatewayMetrics.route(path)
        // Ended when the response has been written, not when the handler returns: a streamed
        // answer (`@defer`'s later payloads, a subscription over SSE) is written afterwards, and its
        // work belongs to the request.
        let span = startSpan(route.map { "\(method) \($0)" } ?? method, context: serviceContext, ofKind: .server)
        span.attributes["http.request.method"] = method
        span.attributes["url.path"] = path
        span.attributes["url.scheme"] = scheme
        if let route { span.attributes["http.route"] = route }
        var response: Response
        do {
            response = try await ServiceContext.withValue(span.context) { try await next(request, context) }
        } catch let error as HTTPResponseError {
            // An answer thrown (a 404 for a path no route has) is the response: its status,
            // and an error only when the server failed (4xx leave a server span's status unset).
            do { response = try error.response(from: request, context: context) } catch {
                span.setStatus(SpanStatus(code: .error))
                span.end()
                throw error
            }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            span.end()
            throw error
        }
        span.attributes["http.response.status_code"] = Int(response.status.code)
        if response.status.code >= 500 {
            span.attributes["error.type"] = "\(response.status.code)"   // (OTel's HTTP conventions: the status, for a server error)
            span.setStatus(SpanStatus(code: .error))
        }
        guard response.body.contentLength == nil else {
            span.end()
            return response
        }
        // Ended once: when the body has been written (or failed to be), or when the body is
        // dropped unwritten (a HEAD answer) and its closure with it.
        let end = WhenDone { span.end() }, body = response.body
        response.body = ResponseBody { writer in
            defer { end.run() }
            try await body.write(writer)
        }
        return response
    }
}

extension GatewayTracing {
    /// `00-<32 hex>-<16 hex>-<2 hex>`, lowercase, neither id all zeros (W3C Trace Context); a
    /// later version (`01`–`fe`) is read the same way from its first 55 characters, which a `-`
    /// must follow when there is more (§ Versioning of traceparent).
    static func isWellFormed(traceparent value: String) -> Bool { normalized(traceparent: value) != nil }

    /// The `traceparent` as version 00 (what the propagator reads), nil when it is not one to continue.
    static func normalized(traceparent value: String) -> String? {
        let b = Array(value.utf8)
        guard b.count >= 55, b[2] == UInt8(ascii: "-"), b[35] == UInt8(ascii: "-"), b[52] == UInt8(ascii: "-") else { return nil }
        func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) }
        func hex(_ r: Range<Int>) -> Bool { b[r].allSatisfy(isHex) }
        func zeros(_ r: Range<Int>) -> Bool { b[r].allSatisfy { $0 == 48 } }
        guard hex(0..<2), hex(3..<35), hex(36..<52), hex(53..<55), !zeros(3..<35), !zeros(36..<52) else { return nil }
        let version00 = b[0] == UInt8(ascii: "0") && b[1] == UInt8(ascii: "0")
        if version00 { return b.count == 55 ? value : nil }
        // Version ff is invalid; a later version may carry more after a dash.
        guard !(b[0] == UInt8(ascii: "f") && b[1] == UInt8(ascii: "f")), b.count == 55 || b[55] == UInt8(ascii: "-") else { return nil }
        return "00" + String(decoding: b[2..<55], as: UTF8.self)
    }

    /// A server span for work that comes without an HTTP request of its own (an operation on a
    /// WebSocket): it continues the W3C context of `headers` (the upgrade's) when well formed, and
    /// the work inside is recorded as that trace is sampled.
    static func serverSpan(_ name: String, continuing headers: HTTPFields, _ body: @Sendable () async -> Void) async {
        guard enabled else { return await body() }
        var parent = ServiceContext.topLevel
        if let given = headers[HTTPField.Name("traceparent")!], isWellFormed(traceparent: given) {
            InstrumentationSystem.instrument.extract(headers, into: &parent, using: HTTPFieldsExtractor())
        }
        await withSpan(name, context: parent, ofKind: .server) { _ in
            let sampled = loggingMetadata.get()["trace_flags"].flatMap { Int("\($0)") }.map { $0 & 1 == 1 } ?? false
            await $recording.withValue(sampled) { await body() }
        }
    }
}

/// Reads propagation headers (`traceparent`, `tracestate`) from a request's fields.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        let value = HTTPField.Name(key).flatMap { carrier[$0] }
        // A later version's `traceparent` is read as version 00 (the propagator knows only that one).
        if key == "traceparent", let value { return GatewayTracing.normalized(traceparent: value) }
        return value
    }
}
