import AsyncHTTPClient
import HTTPTypes
import Logging
import Federation
import Foundation
import GraphQLCore
import NIOCore
import OrderedCollections
import Postgres
import SubgraphKit
import Synchronization
import Instrumentation
import WSCore
import NIOHTTP1
import NIOSSL
import ServiceContextModule

/// An in-package subgraph called in-process: its operation is executed on our engine and its
/// response buffer handed over as it is (no serialisation, no HTTP). Parsed operations are cached.
public final class InProcessTransport<Context: Sendable>: SubgraphTransport {
    let subgraph: Subgraph<Context>
    let makeContext: @Sendable ([(String, String)]) -> Context
    private let documents = Mutex<[ExactText: Document]>([:])

    public init(subgraph: Subgraph<Context>, makeContext: @escaping @Sendable ([(String, String)]) -> Context,
                logger: Logger = Logger(label: "switchyard.subgraph")) {
        self.subgraph = subgraph
        self.makeContext = makeContext
        // A resolver's internal error reaches the client as "Internal server error" only: the
        // operator sees what it was (a database error's own message included).
        if subgraph.executable.internalErrorHandler == nil {
            let name = subgraph.name, failures = LogThrottle()
            subgraph.executable.internalErrorHandler = { error in
                // The request went away (its client left, its deadline passed): nothing failed —
                // a statement it had running ends with query_canceled, which is not logged either.
                if error is CancellationError || Task.isCancelled { return }
                var metadata: Logger.Metadata = ["subgraph": "\(name)", "error": "\(error)"]
                var kind = "\(type(of: error))"
                if let pg = error as? PostgresError {
                    if let m = pg.serverMessage { metadata["server_message"] = "\(m)" }
                    if let code = pg.sqlState { metadata["sql_state"] = "\(code)" }
                    kind += " " + (pg.sqlState ?? "")
                }
                // A database that is down fails every request the same way: one line per kind
                // of failure at most every 10 s, saying how many like it were left out.
                failures.log(logger, .error, "resolver failed with an internal error", kind: kind, metadata: metadata)
            }
        }
    }

    public var runsInProcess: Bool { true }

    public func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
        var execution = ExecutionRequest(document: try document(request), variables: try request.allVariables())
        if request.document != nil { execution.compiled = request.compiled }   // the plans of the plan's own document
        let result = await subgraph.execute(execution, context: makeContext(request.headers))
        return SubgraphResponse(data: result.dataBuffer, errors: result.errors.map(\.json))
    }

    public func subscribe(_ request: SubgraphRequest) async throws -> AsyncThrowingStream<SubgraphResponse, any Error> {
        let start = await subgraph.subscribe(ExecutionRequest(document: try document(request), variables: try request.allVariables()),
                                             context: makeContext(request.headers))
        switch start {
        case .failed(let result):
            // The source stream was not made: a request error (GraphQL, § Subscribe).
            throw SubscriptionRefused(errors: result.errors)
        case .stream(let responses):
            // Pulled: an event is handed over when the plan asks for the next one.
            return PullStream.map(responses) { result in SubgraphResponse(data: result.dataBuffer, errors: result.errors.map(\.json)) }
        }
    }

    func document(_ request: SubgraphRequest) throws -> Document {
        let document: Document
        if let prepared = request.document {
            document = prepared   // parsed once with the plan
        } else if let cached = documents.withLock({ $0[ExactText(request.query)] }) {
            document = cached
        } else {
            document = try Parser.parse(request.query, options: ParserOptions(maxTokens: nil))
            documents.withLock { d in
                if d.count > 2_000 { d.removeAll() } // plans are cached upstream; this stays small
                d[ExactText(request.query)] = document
            }
        }
        return document
    }
}

extension HTTPClient {
    /// The client of remote subgraphs: `HTTPClient.shared`'s settings, except that a connection
    /// that cannot be made fails its requests at once (a subgraph that is down answers with an
    /// error and the rest of the plan goes on; retried, every request waited for its whole
    /// timeout), and no tracer: the gateway's own `fetch <subgraph>` span is the request's client
    /// span and puts the trace in its headers (AsyncHTTPClient's span exported the URL with its
    /// query, where a subgraph's key may be). Lives as long as the process.
    /// Connections the gateway keeps to one subgraph host at most (requests beyond wait).
    static let connectionsPerSubgraph = 512

    static let subgraphs: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.tracing.tracer = nil
        configuration.connectionPool.retryConnectionEstablishment = false
        // AsyncHTTPClient's default is 8 connections to a host: the ninth request in flight to a
        // subgraph waited for one of them (its wait counted against `timeout_ms`), which capped a
        // subgraph at 8 ÷ its latency requests per second. Routers keep no such cap.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = HTTPClient.connectionsPerSubgraph
        // A subgraph's redirect is not followed: a 307 would send the client's operation, its
        // variables and representations to whatever host `Location` names (and a 302 turned it
        // into a GET). A redirect is a failure status like any other.
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

/// A remote Federation v2 subgraph over HTTP (AsyncHTTPClient: pooled connections, a timeout per
/// request; with tracing on, its HTTP span carries the trace to the subgraph in `traceparent`).
public final class HTTPTransport: SubgraphTransport {
    let url: String
    let timeout: TimeAmount
    let client: HTTPClient
    let name: String
    /// How often a subscription's connection is pinged (graphql-transport-ws `ping`); nil: never.
    let pingInterval: Duration?
    /// The TLS of its `https://` URL when not the client's default (`subgraphs[].tls`).
    let tls: TLSConfiguration?

    /// - Parameters:
    ///   - client: by default `HTTPClient.subgraphs`.
    ///   - pingIntervalMs: a subscription's connection gets a `ping` this often, and ends with
    ///     SUBREQUEST_TIMEOUT when nothing (not even the `pong`) has come for twice as long while
    ///     the gateway was reading it (`subscriptions.keep_alive_ms`).
    ///   - tls: for an `https://` URL, the client TLS to use instead of the system's defaults
    ///     (`subgraphs[].tls`: a private CA, a client certificate).
    public init(name: String, url: String, timeoutMs: Int = 10_000, pingIntervalMs: Int? = nil, tls: TLSConfiguration? = nil,
                client: HTTPClient? = nil) {
        self.name = name
        self.url = url
        self.timeout = .milliseconds(Int64(timeoutMs))
        self.client = client ?? .subgraphs
        self.pingInterval = pingIntervalMs.map { .milliseconds($0) }
        self.tls = tls
    }

    /// This subgraph with another timeout (a readiness probe), its failures logged under the
    /// same bound as its requests' (a probe each second logged a line each).
    func withTimeout(_ timeoutMs: Int) -> HTTPTransport {
        HTTPTransport(name: name, url: url, timeout: .milliseconds(Int64(timeoutMs)), tls: tls, client: client)
    }

    private init(name: String, url: String, timeout: TimeAmount, tls: TLSConfiguration?, client: HTTPClient) {
        self.name = name
        self.url = url
        self.timeout = timeout
        self.tls = tls
        self.client = client
        self.pingInterval = nil
    }

    /// A request in flight and how many fetches wait for it; its answer is read once, for all
    /// of them (a plan run copies what it needs from it into its own tree).
    final class Shared: Sendable {
        let task: Task<SubgraphResponse, Error>
        let waiters = Atomic<Int>(1)
        init(_ task: Task<SubgraphResponse, Error>) { self.task = task }
    }

    /// Identical queries in flight (same text, variables and headers) share one request.
    private let inFlight = Mutex<[RequestKey: Shared]>([:])

    /// A subgraph's HTTP answer, before it is read.
    struct Answer: Sendable {
        let status: UInt
        let body: ByteBuffer
    }

    /// What makes two fetches the same request: the body's bytes and the headers.
    struct RequestKey: Hashable, Sendable {
        let body: [UInt8]
        let headers: String

        func hash(into hasher: inout Hasher) {
            body.withUnsafeBytes { hasher.combine(bytes: $0) }   // the bytes at once, not one by one
            hasher.combine(headers)
        }
    }

    public func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
        // Never merge mutations (each must run), nor the reads of a mutation's plan.
        guard request.mayShare, !request.query.hasPrefix("mutation") else { return try read(await send(request.body, headers: request.headers)) }
        let body = request.body
        let key = RequestKey(body: body, headers: request.headers.map { "\($0.0.lowercased()):\($0.1)" }.joined(separator: "\u{1}"))
        let (shared, owner): (Shared, Bool) = inFlight.withLock { d in
            if let s = d[key] {
                s.waiters.wrappingAdd(1, ordering: .relaxed)
                return (s, false)
            }
            let s = Shared(Task { try self.read(await self.send(body, headers: request.headers)) })
            d[key] = s
            return (s, true)
        }
        defer { if owner { inFlight.withLock { if $0[key] === shared { $0[key] = nil } } } }
        // The shared request is cancelled (and its connection closed) when every fetch waiting
        // for it is: a request that timed out or whose client went away stops its subgraph calls.
        return try await withTaskCancellationHandler {
            try await shared.task.value
        } onCancel: {
            if shared.waiters.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 { shared.task.cancel() }
        }
    }

    /// A subscription to a remote subgraph over WebSocket (`graphql-transport-ws`, at the
    /// subgraph's URL with `ws`/`wss`): `connection_init`, then `subscribe` once acknowledged;
    /// each `next` is one response, `error` one response with the errors, `complete` the end.
    /// The consumer going away closes the socket, which ends the subscription at the subgraph.
    public func subscribe(_ request: SubgraphRequest) async throws -> AsyncThrowingStream<SubgraphResponse, any Error> {
        let wsURL = url.hasPrefix("https://") ? "wss://" + url.dropFirst(8) : url.hasPrefix("http://") ? "ws://" + url.dropFirst(7) : url
        var subscribe = JSONWriter(capacity: 256)
        subscribe.append(#"{"id":"1","type":"subscribe","payload":{"query":"#)
        subscribe.appendRaw(request.queryJSON ?? JSON.string(request.query).bytes)
        subscribe.append(#","variables":"#)
        subscribe.write(.object(request.variables))
        subscribe.append("}}")
        let subscribeText = String(decoding: subscribe.bytes, as: UTF8.self)
        let name = self.name, headers = Self.withTrace(request.headers), timeout = self.timeout, pingInterval = self.pingInterval, tls = self.tls
        // The socket is read as the plan takes events: at most 64 wait for it, then
        // the reader waits too and the subgraph is held back (TCP), however long its burst.
        let room = EventRoom(capacity: 64)
        let (events, continuation) = AsyncThrowingStream<SubgraphResponse, any Error>.makeStream()
        // The subgraph has the fetch timeout (`timeout_ms`) to connect, upgrade and acknowledge
        // (`connection_ack`); past it the subscription ends with SUBREQUEST_TIMEOUT.
        let acknowledged = Flag()
        let task = Task {
            do {
                // Whether the subgraph ended the subscription itself (`complete` or `error`): a
                // connection that closes without either is a failure, not the stream's end.
                let ended = Flag()
                // An event may be as large as a query's answer.
                try await SubgraphWebSocket.connect(url: wsURL, subprotocol: "graphql-transport-ws", headers: headers,
                                                    maxFrameSize: Self.maxAnswerBytes, connectTimeout: timeout, tls: tls,
                                                    logger: Logger(label: "switchyard.subgraph.ws")) { inbound, outbound, _ in
                    try await outbound.write(.text(#"{"type":"connection_init","payload":{}}"#))
                    let heard = Heard()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        if let pingInterval {
                            group.addTask { try await Self.keepAlive(every: pingInterval, heard: heard, acknowledged: acknowledged, outbound: outbound, name: name) }
                        }
                        group.addTask {
                            try await Self.readSubscription(inbound, outbound: outbound, subscribe: subscribeText, name: name,
                                                            acknowledged: acknowledged, ended: ended, heard: heard, room: room,
                                                            continuation: continuation)
                        }
                        // The reader's end (or the keep-alive's verdict) ends the other.
                        try await group.next()
                        group.cancelAll()
                    }
                }
                guard ended.value.load(ordering: .relaxed) || Task.isCancelled else {
                    throw GraphQLError("Subgraph \"\(name)\" closed the subscription's connection without completing it.", code: "SUBREQUEST_HTTP_ERROR")
                }
                continuation.finish()
            } catch let error where error is SubscriptionRefused || error is GraphQLError {
                continuation.finish(throwing: error)
            } catch {
                // The connection or its handshake failed: said as the HTTP path says it, and logged.
                let message: String
                var extensions: OrderedDictionary<String, JSON> = [:]
                switch error {
                case let refused as SubgraphWebSocket.UpgradeRefused:
                    message = "Subgraph \"\(name)\" refused the WebSocket upgrade" + (refused.status.map { " (status \($0))" } ?? "") + "."
                    if let status = refused.status { extensions["status"] = .int(status) }
                case is NIOHTTPClientUpgradeError:
                    message = "Subgraph \"\(name)\" answered the WebSocket upgrade with a handshake that is not valid."
                case is SubgraphWebSocket.OtherSubprotocol:
                    message = "Subgraph \"\(name)\" does not speak graphql-transport-ws (\(error))."
                default:
                    message = "Subgraph \"\(name)\" could not be reached\(Self.tlsCause(error))."
                }
                continuation.finish(throwing: Task.isCancelled ? error
                                    : failed(GraphQLError(message, code: "SUBREQUEST_HTTP_ERROR", extensions: extensions), error))
            }
        }
        let ms = Int(timeout.nanoseconds / 1_000_000)
        let watchdog = Task {
            try? await Task.sleep(for: .milliseconds(ms))
            guard !Task.isCancelled, !acknowledged.value.load(ordering: .acquiring) else { return }
            continuation.finish(throwing: GraphQLError("Subgraph \"\(name)\" did not acknowledge the subscription within \(ms) ms.", code: "SUBREQUEST_TIMEOUT"))
            task.cancel()
        }
        continuation.onTermination = { _ in
            task.cancel()
            watchdog.cancel()
            room.close()
        }
        // Each event the plan takes gives the reader room for one more.
        return PullStream.map(events) { event in
            room.give()
            return event
        }
    }

    /// What a failed TLS handshake says, for the client's error (the operator's log has the
    /// whole error): ": its TLS certificate is not trusted" for a certificate the system's roots
    /// do not vouch for (a self-signed one), ": the TLS handshake failed" for the rest; "" when
    /// the failure was not TLS's.
    static func tlsCause(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") { return ": its TLS certificate is not trusted (CERTIFICATE_VERIFY_FAILED)" }
        if error is NIOSSLError || text.contains("handshakeFailed") { return ": the TLS handshake failed" }
        return ""
    }

    /// A subscription connection's fact shared by its tasks: acknowledged (read by its watchdog
    /// and keep-alive), ended by the subgraph.
    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// When a subscription's connection last brought a message, and whether its reader is held
    /// back (waiting for the plan to take events: the socket is not read meanwhile).
    final class Heard: Sendable {
        private struct State {
            var last = ContinuousClock.now
            var heldBack = false
        }
        private let state = Mutex(State())
        func message() { state.withLock { $0.last = .now } }
        func holdBack() { state.withLock { $0.heldBack = true } }
        func readAgain() { state.withLock { $0 = State() } }
        /// nil while held back; else how long since the last message.
        func silence() -> Duration? { state.withLock { $0.heldBack ? nil : ContinuousClock.now - $0.last } }
    }

    /// A subscription connection's keep-alive: a `ping` every `interval` once acknowledged
    /// (graphql-transport-ws: the other side answers `pong` as soon as it can); nothing read for
    /// two intervals while the reader reads — no event, no `pong` — means the subgraph or the path
    /// to it is gone without closing the connection (a host that went away, a dropped route):
    /// the subscription ends with SUBREQUEST_TIMEOUT instead of waiting for TCP to notice (which
    /// without traffic it may never do). Held back by the plan, the socket is not read and
    /// nothing is judged.
    static func keepAlive(every interval: Duration, heard: Heard, acknowledged: Flag,
                          outbound: WebSocketOutboundWriter, name: String) async throws {
        while true {
            try await Task.sleep(for: interval)
            guard acknowledged.value.load(ordering: .acquiring), let silence = heard.silence() else { continue }
            if silence >= interval * 2 {
                let ms = silence.components.seconds * 1_000 + silence.components.attoseconds / 1_000_000_000_000_000
                throw GraphQLError("Subgraph \"\(name)\" stopped answering on the subscription's connection: nothing came, not even a pong, for \(ms) ms.",
                                   code: "SUBREQUEST_TIMEOUT")
            }
            try await outbound.write(.text(#"{"type":"ping"}"#))
        }
    }

    /// Reads a subscription's connection (graphql-transport-ws) until the subgraph completes
    /// the operation (`ended` set) or the connection closes: subscribes once acknowledged, hands
    /// each `next` to the plan — waiting for `room` first, so the socket is read only as the plan
    /// takes events — answers `ping`, and throws the operation's `error` as a refusal.
    static func readSubscription(_ inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, subscribe: String, name: String,
                                 acknowledged: Flag, ended: Flag, heard: Heard, room: EventRoom,
                                 continuation: AsyncThrowingStream<SubgraphResponse, any Error>.Continuation) async throws {
        func malformed(_ what: String) -> GraphQLError {
            GraphQLError("Subgraph \"\(name)\" \(what).", code: "SUBREQUEST_MALFORMED_RESPONSE")
        }
        for try await message in inbound.messages(maxSize: Self.maxAnswerBytes) {
            heard.message()
            guard case .text(let text) = message, case .object(let m)? = try? JSONReader.parse(text, maxDepth: 512) else {
                throw malformed("sent a message that is not graphql-transport-ws")
            }
            let type = m["type"]?.stringValue
            // Our one operation is "1": a message about another id is not ours (ignored);
            // operation messages before the acknowledgement break the protocol.
            if type == "next" || type == "error" || type == "complete" {
                guard acknowledged.value.load(ordering: .acquiring) else { throw malformed("sent \"\(type ?? "")\" before connection_ack") }
                guard m["id"]?.stringValue == "1" else { continue }
            }
            switch type {
            case "connection_ack"?:
                // Subscribed once: a second acknowledgement changes nothing.
                guard !acknowledged.value.exchange(true, ordering: .acquiringAndReleasing) else { continue }
                try await outbound.write(.text(subscribe))
            case "next"?:
                guard let payload = m["payload"], let response = SubgraphResponse.parse(payload.bytes) else {
                    throw malformed("sent an event that is not a GraphQL response")
                }
                // No room and closed: the plan is gone (the task is cancelled too). While the
                // reader waits for the plan, the socket is not read: the subgraph's silence then
                // is not its own.
                heard.holdBack()
                guard await room.take() else { throw CancellationError() }
                heard.readAgain()
                continuation.yield(response)
            case "error"?:
                // The operation's errors (graphql-transport-ws: validation, or a source stream
                // that could not be made): a request error, no `data`.
                ended.value.store(true, ordering: .relaxed)
                throw refusal(m["payload"]?.arrayValue ?? [], name: name)
            case "complete"?:
                ended.value.store(true, ordering: .relaxed)
                return
            case "ping"?:
                try await outbound.write(.text(#"{"type":"pong"}"#))
            default:
                continue
            }
        }
    }

    /// A subscription's `error` message as the request's errors, each with its path (the
    /// subscription's field, as when it runs in-process).
    static func refusal(_ payload: [JSON], name: String) -> SubscriptionRefused {
        let errors = payload.map { e in
            GraphQLError(e["message"]?.stringValue ?? "Subgraph \"\(name)\" refused the subscription.",
                         path: e["path"]?.arrayValue.flatMap { items in
                             let path = items.compactMap { item -> PathElement? in
                                 if let k = item.stringValue { return .key(k) }
                                 return item.intValue.map { .index($0) }
                             }
                             return path.count == items.count && !path.isEmpty ? path : nil
                         },
                         code: e["extensions"]?["code"]?.stringValue ?? "DOWNSTREAM_SERVICE_ERROR")
        }
        return SubscriptionRefused(errors: errors.isEmpty ? [GraphQLError("Subgraph \"\(name)\" refused the subscription.",
                                                                          code: "DOWNSTREAM_SERVICE_ERROR")] : errors)
    }

    /// A subgraph request's headers (propagated ones) with the trace: with tracing on, it goes in
    /// `traceparent`/`tracestate` under the current span (the fetch's) — copies propagated from the
    /// client would come first and skip the gateway's spans. For HTTP requests and a
    /// subscription's WebSocket handshake alike.
    static func withTrace(_ headers: [(String, String)]) -> [(String, String)] {
        guard GatewayTracing.enabled else { return headers }
        var out = headers.filter { (k, _) in
            k.caseInsensitiveCompare("traceparent") != .orderedSame && k.caseInsensitiveCompare("tracestate") != .orderedSame
        }
        if let context = ServiceContext.current {
            var trace = HTTPHeaders()
            InstrumentationSystem.instrument.inject(context, into: &trace, using: HTTPHeadersInjector())
            for (k, v) in trace { out.append((k, v)) }
        }
        return out
    }

    /// Number of HTTP requests sent (for tests and metrics).
    private let sent = Atomic<Int>(0)
    public var requestCount: Int { sent.load(ordering: .relaxed) }

    func send(_ body: [UInt8], headers: [(String, String)]) async throws -> Answer {
        sent.wrappingAdd(1, ordering: .relaxed)
        var http = HTTPClientRequest(url: url)
        http.method = .POST
        if let tls { http.tlsConfiguration = tls }
        http.headers.add(name: "content-type", value: "application/json")
        http.headers.add(name: "accept", value: "application/graphql-response+json, application/json")
        for (k, v) in Self.withTrace(headers) { http.headers.add(name: k, value: v) }
        http.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        let start = ContinuousClock.now, ms = Int(timeout.nanoseconds / 1_000_000)
        let timedOut = GraphQLError("Subgraph \"\(name)\" did not answer within \(ms) ms.", code: "SUBREQUEST_TIMEOUT")
        do {
            response = try await client.execute(http, timeout: timeout)
        } catch let e as HTTPClientError where e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
            throw failed(timedOut, e)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw failed(GraphQLError("Subgraph \"\(name)\" could not be reached\(Self.tlsCause(error)).", code: "SUBREQUEST_HTTP_ERROR"), error)
        }
        // The timeout covers the body too (the client's covers the head): a body sent a little at a
        // time is cut off at the same time as a head that never came.
        let left = ms - Int((ContinuousClock.now - start) / .milliseconds(1))
        let read: Result<ByteBuffer, any Error>? = await Deadline.race(milliseconds: max(1, left)) {
            do { return .success(try await response.body.collect(upTo: Self.maxAnswerBytes)) } catch { return .failure(error) }
        }
        switch read {
        case nil:
            throw failed(timedOut, nil)
        case .failure(is NIOTooManyBytesError):
            throw failed(GraphQLError("Subgraph \"\(name)\" answered more than \(Self.maxAnswerBytes >> 20) MiB.", code: "SUBREQUEST_HTTP_ERROR"), nil)
        case .failure(let error):
            throw failed(GraphQLError("Subgraph \"\(name)\" ended its answer early.", code: "SUBREQUEST_HTTP_ERROR"), error)
        case .success(let body):
            return Answer(status: response.status.code, body: body)
        }
    }

    /// The largest answer read from a subgraph.
    static let maxAnswerBytes = 64 << 20

    /// A failed request, logged for the operator (the client's error names the subgraph only):
    /// which subgraph, where (the URL without its query), what and why — at most one line per
    /// 10 s per subgraph while it keeps failing.
    func failed(_ error: GraphQLError, _ cause: (any Error)?) -> GraphQLError {
        Self.failureLines.log(Self.logger, .warning, "subgraph request failed", kind: "\(name) \(url)", metadata: {
            // No query string and no user information (credentials) in the log.
            var shown = url.split(separator: "?").first.map(String.init) ?? url
            if let scheme = shown.range(of: "://"), let at = shown[scheme.upperBound...].firstIndex(of: "@") {
                shown = String(shown[..<scheme.upperBound]) + shown[shown.index(after: at)...]
            }
            var metadata: Logger.Metadata = ["subgraph": "\(name)", "url": "\(shown)",
                                             "code": "\(error.extensions?["code"]?.stringValue ?? "")", "error": "\(error.message)"]
            if let cause { metadata["cause"] = "\(cause)" }
            return metadata
        }())
        return error
    }
    /// One bound for a subgraph's failure lines, by its name and URL, whichever transport made
    /// them: a reload makes new transports (and its retries while a subgraph is down logged every
    /// 5 s, probe 56C), a readiness probe its own.
    static let failureLines = LogThrottle()
    static let logger = Logger(label: "switchyard.subgraph")

    /// The body read straight into a response tree of its own.
    func read(_ answer: Answer) throws -> SubgraphResponse {
        let failing = !(200..<300).contains(answer.status)
        guard var parsed = answer.body.withUnsafeReadableBytes({ SubgraphResponse.parse($0) }) else {
            // A failure status says what went wrong, whatever its body (an error page, nothing).
            if failing {
                throw failed(GraphQLError("Subgraph \"\(name)\" answered with status \(answer.status).", code: "SUBREQUEST_HTTP_ERROR",
                                          extensions: ["status": .int(Int(answer.status))]), nil)
            }
            throw failed(GraphQLError("Subgraph \"\(name)\" answered with status \(answer.status) and a body that is not a GraphQL response.",
                                      code: "SUBREQUEST_MALFORMED_RESPONSE"), nil)
        }
        // A failure status with a GraphQL body: its data is used and its errors passed on, and the
        // status is an error of its own (as Apollo's router attaches it), without a path: it
        // stands wherever the fetch's data is missing.
        // The operator is told as for any other failure (the body's errors may say why).
        if failing {
            let error = failed(GraphQLError("Subgraph \"\(name)\" answered with status \(answer.status).",
                                            extensions: ["code": "SUBREQUEST_HTTP_ERROR", "status": .int(Int(answer.status))]),
                               parsed.errors.first.flatMap { $0["message"]?.stringValue }.map(SubgraphSaid.init))
            parsed.errors.append(error.json)
            parsed.failureStatus = Int(answer.status)
        }
        return parsed
    }
}

/// What a failing subgraph's own errors said (the cause in the operator's warning).
private struct SubgraphSaid: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Writes propagation headers (`traceparent`, `tracestate`) into a subgraph request's headers.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
