import Foundation
import GraphQLCore
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import OrderedCollections
import Synchronization

/// GraphQL over WebSocket, the `graphql-transport-ws` subprotocol, on `/graphql`:
/// `connection_init` (a token in its payload — `Authorization`, or `headers` — or in the upgrade
/// request's headers; admission as for HTTP) → `connection_ack`; then `subscribe` runs an
/// operation through the same pipeline as HTTP (subscriptions stream `next` per event, queries
/// and mutations send one), ending with `complete`; `error` for a request error; `ping`/`pong`;
/// a client's `complete` stops its operation. Protocol violations close the socket with the
/// protocol's codes (4400 invalid message, 4401 not acknowledged, 4403 refused, 4408 no
/// `connection_init` in time, 4409 duplicate id, 4429 a second `connection_init`).
struct GraphQLWebSocket: Sendable {
    static let subprotocol = "graphql-transport-ws"
    let runtime: GatewayRuntime

    func shouldUpgrade(_ request: HTTPRequest, channel: any Channel) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let path = request.path.map { $0.split(separator: "?", maxSplits: 1).first.map(String.init) ?? $0 }
        let offered = request.headerFields[.secWebSocketProtocol]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        guard path == "/graphql", runtime.isLoaded else { return .dontUpgrade }
        // The header limits apply to the upgrade as to any request (not upgraded, it is answered
        // 431 by the HTTP routes' own check).
        let limits = runtime.configuration.limits
        guard HeaderLimitsMiddleware<GatewayRequestContext>.violation(request.headerFields, maxCount: limits.maxHeaderCount, maxBytes: limits.maxHeaderBytes) == nil else {
            return .dontUpgrade
        }
        // Cross-site WebSocket hijacking: with CSRF prevention on, a browser's upgrade from
        // another site is refused (400) like its simple requests are.
        guard CSRFPrevention(settings: runtime.configuration.csrf).allowsUpgrade(origin: request.headerFields[.origin], authority: request.authority,
                                                                                 allowedOrigins: runtime.configuration.cors.allowOrigins) else {
            return .dontUpgrade
        }
        // A client that does not speak graphql-transport-ws (none offered, or only the legacy
        // `graphql-ws`): upgraded, then closed with 4406 — what graphql-ws's servers do, so the
        // client can tell why.
        guard offered.contains(Self.subprotocol) else {
            return .upgrade([:]) { _, outbound, _ in
                try? await outbound.close(.unknown(4406), reason: "Subprotocol not acceptable")
            }
        }
        let runtime = self.runtime, headers = request.headerFields
        return .upgrade([.secWebSocketProtocol: Self.subprotocol]) { inbound, outbound, _ in
            let connection = Connection(runtime: runtime, upgradeHeaders: headers, outbound: outbound, channel: channel)
            await connection.run(inbound)
        }
    }

    /// One client connection.
    final class Connection: Sendable {
        let runtime: GatewayRuntime
        let upgradeHeaders: HTTPFields
        let outbound: WebSocketOutboundWriter

        struct State {
            var initialised = false
            var admitted: (RequestContext, GatewayRuntime.Profile)?
            /// The bearer token the connection was admitted with, verified again for each operation.
            var token: String?
            /// Running operations by the client's id, each with the number it was started under (an
            /// id the client completed may start again while the first run is still ending).
            var operations: [String: (run: UInt64, task: Task<Void, Never>)] = [:]
            var runs: UInt64 = 0
            var closed = false
            /// Messages being written (waiting for the socket when the client does not read),
            /// and when a write last went out (or writing began after a pause).
            var writing = 0
            var lastProgress = ContinuousClock.now
        }
        let state = Mutex(State())

        /// The connection's channel (closed outright when a slow client does not take its close).
        let channel: any Channel

        init(runtime: GatewayRuntime, upgradeHeaders: HTTPFields, outbound: WebSocketOutboundWriter, channel: any Channel) {
            self.runtime = runtime
            self.upgradeHeaders = upgradeHeaders
            self.outbound = outbound
            self.channel = channel
        }

        var settings: SubscriptionsConfiguration { runtime.configuration.subscriptions }

        func run(_ inbound: WebSocketInboundStream) async {
            // On shutdown: the subscriptions end (the gate ends their streams as going away, with
            // no `complete`), queries in flight answer, then the connection closes with 1001.
            guard let drainID = runtime.onDrain({ [self] in
                let operations = state.withLock { $0.operations.values.map(\.task) }
                // (Past `shutdown_timeout_ms` the drain is cancelled: the operations are too, not
                // waited for — one whose result no client takes would hold the process.)
                await withTaskCancellationHandler {
                    for operation in operations { await operation.value }
                } onCancel: {
                    operations.forEach { $0.cancel() }
                }
                await close(1001, "Server shutting down")
            }) else {
                await close(1001, "Server shutting down")
                return
            }
            defer { runtime.removeDrainHandler(drainID) }
            // No `connection_init` in time: 4408.
            let initTimeout = settings.connectionInitTimeoutMs
            let timer = Task {
                try? await Task.sleep(for: .milliseconds(initTimeout))
                guard !Task.isCancelled, !state.withLock({ $0.initialised }) else { return }
                await close(4408, "Connection initialisation timeout")
            }
            let watchdog = Task { await watchWrites() }
            defer {
                timer.cancel()
                watchdog.cancel()
                let running = state.withLock { s in
                    s.closed = true
                    defer { s.operations = [:] }
                    return s.operations.values.map(\.task)
                }
                running.forEach { $0.cancel() }
            }
            do {
                for try await message in inbound.messages(maxSize: settings.maxMessageBytes) {
                    // The library bounds messages of several frames by this size, one frame by the
                    // frame size (16 KiB at least): a smaller setting holds for one frame too.
                    let size = switch message {
                    case .text(let text): text.utf8.count
                    case .binary(let bytes): bytes.readableBytes
                    }
                    guard size <= settings.maxMessageBytes else {
                        await close(.messageTooLarge, "Message too big")
                        return
                    }
                    guard case .text(let text) = message, let json = try? JSONReader.parse(text, maxDepth: 64), case .object(let m) = json,
                          let type = m["type"]?.stringValue else {
                        await close(4400, "Invalid message received")
                        return
                    }
                    // A lone UTF-16 surrogate escape would be read as U+FFFD: another value than
                    // the one sent (as an HTTP request's, refused).
                    if text.utf8.contains(UInt8(ascii: "\\")), RequestDecoding.hasLoneSurrogateEscape(Array(text.utf8)) {
                        await close(4400, "Invalid message received: a lone UTF-16 surrogate escape")
                        return
                    }
                    guard await handle(type, m, size: size) else { return }
                }
            } catch {
                // The library's own refusals of what it read close with their RFC 6455 code (a
                // text message that is not UTF-8: 1007, one past the size limit: 1009).
                if let code = Mirror(reflecting: error).children.first?.value as? WebSocketErrorCode {
                    await close(code, "Invalid message received")
                } else {
                    await close(4400, "Invalid message received")
                }
            }
        }

        /// A client that takes nothing it is sent while messages wait (queries' results as well as
        /// subscriptions' events) would hold them all: with no write going out for
        /// `slow_consumer_grace_ms + slow_close_timeout_ms` while one waits, its connection is
        /// dropped (counted in `switchyard_subscriptions_dropped_total`). A client that reads,
        /// however slowly, makes progress. (A subscription falling behind is closed with 1008
        /// sooner, as its own buffer says.)
        func watchWrites() async {
            let limit = Duration.milliseconds(settings.slowConsumerGraceMs + settings.slowCloseTimeoutMs)
            let period = max(.milliseconds(50), limit / 4)
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                let stalled = state.withLock { s in s.writing > 0 ? ContinuousClock.now - s.lastProgress : .zero }
                guard stalled >= limit else { continue }
                if channel.isActive {
                    runtime.subscriptions.droppedTooSlow()
                    runtime.logger.info("WebSocket client dropped: it took nothing it was sent for \(stalled)")
                }
                channel.close(promise: nil)
                return
            }
        }

        /// One message; false when the connection was closed.
        /// - Parameter size: the message's size in bytes.
        func handle(_ type: String, _ m: OrderedDictionary<String, JSON>, size: Int) async -> Bool {
            switch type {
            case "connection_init":
                // The payload is optional and, when present, an object (graphql-transport-ws).
                if let payload = m["payload"], payload != .null, payload.objectValue == nil {
                    await close(4400, "Invalid message received")
                    return false
                }
                guard state.withLock({ s in defer { s.initialised = true }; return !s.initialised }) else {
                    await close(4429, "Too many initialisation requests")
                    return false
                }
                var headers = upgradeHeaders
                if case .object(let payload)? = m["payload"] {
                    var fields = payload
                    if case .object(let h)? = payload["headers"] { fields.merge(h) { a, _ in a } }
                    for (k, v) in fields {
                        guard let value = v.stringValue, let name = HTTPField.Name(k) else { continue }
                        headers[name] = value
                    }
                }
                // `payload.headers` are request headers: under the same limits.
                let limits = runtime.configuration.limits
                if HeaderLimitsMiddleware<GatewayRequestContext>.violation(headers, maxCount: limits.maxHeaderCount, maxBytes: limits.maxHeaderBytes) != nil {
                    await close(4400, "Too many or too large headers in connection_init")
                    return false
                }
                let accepted = ResponseWriting.Accepted(best: .json, stream: .eventStream)
                do {
                    // Who is asking, once; each operation then takes from the rate limit (and runs
                    // under the limits loaded when it starts).
                    let admitted = try await Admission(runtime: runtime).admit(headers, accepted, client: channel.remoteAddress?.ipAddress,
                                                                               takesQuota: false)
                    let token: String? = if admitted.0.authenticated, case .token(let t) = Admission.bearer(headers[.authorization]) { t } else { nil }
                    state.withLock { $0.admitted = admitted; $0.token = token }
                } catch {
                    await close(4403, "Forbidden")
                    return false
                }
                await send(#"{"type":"connection_ack"}"#)
            case "ping" where !Self.optionalObject(m["payload"]), "pong" where !Self.optionalObject(m["payload"]):
                // A payload, when present, is an object (graphql-transport-ws).
                await close(4400, "Invalid message received")
                return false
            case "ping":
                // The pong carries the ping's payload back (as graphql-ws's server does).
                if let payload = m["payload"], payload != .null {
                    await send(#"{"type":"pong","payload":"# + payload.text + "}")
                } else {
                    await send(#"{"type":"pong"}"#)
                }
            case "pong":
                break
            case "subscribe":
                guard var admitted = state.withLock({ $0.admitted }) else {
                    await close(4401, "Unauthorized")
                    return false
                }
                // The token the connection was admitted with has expired: no new operation runs on
                // it (what runs ends at its expiry); the client reconnects with a fresh token.
                if let expires = admitted.0.credentialsExpire, expires < Date() {
                    await close(4403, "Forbidden: the connection's token has expired")
                    return false
                }
                // The payload's members have their types (`query` a string — required, but for a
                // persisted query's; `variables` and `extensions` objects; `operationName` a
                // string), else the message is invalid.
                guard let id = m["id"]?.stringValue, !id.isEmpty, case .object(let payload)? = m["payload"],
                      payload["query"]?.stringValue != nil || ((payload["query"] ?? .null) == .null && (payload["extensions"]?["persistedQuery"] ?? .null) != .null),
                      Self.optionalObject(payload["variables"]),
                      Self.optionalObject(payload["extensions"]), payload["operationName"].map({ $0 == .null || $0.stringValue != nil }) ?? true else {
                    await close(4400, "Invalid message received")
                    return false
                }
                // An id that runs is the protocol's 4409 before anything else is checked (a refusal
                // sent under that id would read as the running operation's end).
                if state.withLock({ $0.operations[id] != nil }) {
                    await close(4409, "Subscriber for \(id) already exists")
                    return false
                }
                // Verified again (after the id's check, which comes first), as an HTTP request's
                // is: a token whose key left the JWKS starts nothing more (probe 54C: a connection
                // kept running mutations with it).
                if let token = state.withLock({ $0.token }), let authenticator = runtime.authenticator,
                   (try? await authenticator.identity(token)) == nil {
                    await close(4403, "Forbidden: the connection's token is no longer valid")
                    return false
                }
                // The limits and pipeline loaded now (a reload since the connection began applies),
                // the body size limit for the message, and one request from the rate limit.
                // An operation turned away here is counted and logged as an HTTP request turned
                // away before the pipeline is (with the status it would have had).
                let received = ContinuousClock.now, tenant = admitted.0.tenant, runtime = self.runtime
                func refuse(_ errors: [GraphQLError], status: Int) async {
                    runtime.refused(code: errors.first?.code, status: status, tenant: tenant, since: received)
                    await sendError(id, errors)
                }
                guard let profile = runtime.profile(for: admitted.0.tenant) else {
                    await refuse([GraphQLError("The gateway has no schema loaded yet.", code: "SERVICE_UNAVAILABLE")], status: 503)
                    return true
                }
                admitted.1 = profile
                admitted.0.maxReadBytes = profile.limits.maxReadBytes
                if let limit = profile.limits.maxBodyBytes, size > limit {
                    await refuse([GraphQLError("The message is larger than \(limit) bytes.", code: "PAYLOAD_TOO_LARGE")], status: 413)
                    return true
                }
                if let (limited, _, status) = await Admission(runtime: runtime).rateLimitError(admitted.0, client: channel.remoteAddress?.ipAddress) {
                    if status == 429 { runtime.metrics.rateLimited(tenant: admitted.0.tenant) }
                    await refuse([limited], status: status)
                    return true
                }
                let operation = admitted
                let request: GraphQLRequest
                do { request = try GraphQLRequest.from(m["payload"]!) } catch {
                    await refuse(error.errors, status: 400)
                    return true
                }
                enum Start { case duplicate, tooMany, started }
                let max = settings.maxPerConnection
                let start: Start = state.withLock { s in
                    if s.operations[id] != nil { return .duplicate }
                    if s.operations.count >= max { return .tooMany }
                    s.runs += 1
                    let run = s.runs
                    // One trace per operation, continuing the upgrade request's `traceparent`.
                    s.operations[id] = (run, Task {
                        await GatewayTracing.serverSpan("WebSocket /graphql", continuing: self.upgradeHeaders) { await self.execute(id, run, request, operation) }
                    })
                    return .started
                }
                switch start {
                case .duplicate:
                    await close(4409, "Subscriber for \(id) already exists")
                    return false
                case .tooMany:
                    await refuse([GraphQLError("A connection may run at most \(max) operations at once.", code: "SUBSCRIPTION_LIMIT_EXCEEDED")], status: 429)
                case .started:
                    break
                }
            case "complete":
                guard let id = m["id"]?.stringValue, !id.isEmpty else {
                    await close(4400, "Invalid message received")
                    return false
                }
                if let operation = state.withLock({ $0.operations.removeValue(forKey: id) }) { operation.task.cancel() }
            default:
                await close(4400, "Invalid message received")
                return false
            }
            return true
        }

        /// Absent, null or an object.
        static func optionalObject(_ value: JSON?) -> Bool {
            guard let value else { return true }
            if case .null = value { return true }
            return value.objectValue != nil
        }

        /// Runs one operation through the pipeline: `next` for each payload, then `complete`
        /// (unless the client completed it first); `error` for a request error.
        func execute(_ id: String, _ run: UInt64, _ request: GraphQLRequest, _ admitted: (RequestContext, GatewayRuntime.Profile)) async {
            // Done with `id`: its entry goes (only this run's: the client may have completed it and
            // started another under the same id) before the last message, so that the client
            // may reuse the id as soon as it reads that message.
            func finished() -> Bool {
                state.withLock { s in
                    guard s.operations[id]?.run == run else { return false }
                    s.operations[id] = nil
                    return true
                }
            }
            var context = admitted.0
            context.acceptsStream = true
            context.acceptsIncremental = true
            context.overWebSocket = true
            let profile = admitted.1, runtime = self.runtime, ctx = context
            // The request timeout covers the work up to the first payload of a stream.
            let outcome = await runtime.run(profile.pipeline, request, .post, ctx, timeoutMs: profile.limits.requestTimeoutMs)
            if outcome.status != 200, let body = outcome.body {
                let errors = (try? JSONReader.parse(body))?["errors"]?.arrayValue ?? []
                if finished() { await sendMessage(id, "error", payload: JSON.array(errors).bytes) }
            } else {
                // A subscriber found too slow: the connection is closed with 1008 at once (queued
                // behind what the socket holds), and dropped if the client has not taken that
                // close within `slow_close_timeout_ms`.
                let channel = self.channel, grace = runtime.configuration.subscriptions.slowCloseTimeoutMs, gate = runtime.subscriptions
                outcome.streamEnd?.onFellBehind { [self] in
                    Task { await self.close(1008, "Subscriber fell behind") }
                    Task {
                        try? await Task.sleep(for: .milliseconds(grace))
                        if channel.isActive { gate.droppedTooSlow() }
                        channel.close(promise: nil)
                    }
                }
                var refused = false
                for await payload in outcome.payloads {
                    if Task.isCancelled || outcome.streamEnd?.fellBehind == true { break }
                    // A payload without `data` is an error of the operation, not an event's: first,
                    // a remote subgraph's `error` for a subscription it could not start (it comes
                    // after the subscription was sent); later, the source stream failing (the
                    // subgraph's connection lost). graphql-transport-ws says so with an `error`
                    // message, which ends the operation: nothing after it.
                    if let errors = Self.requestErrors(payload) {
                        refused = true
                        if finished() { await sendMessage(id, "error", payload: errors) }
                        break
                    }
                    await sendMessage(id, "next", payload: payload)
                }
                if refused {
                    // answered
                } else if outcome.streamEnd?.fellBehind == true {
                    // A consumer this far behind is too slow for the connection: close it plainly.
                    _ = finished()
                    await close(1008, "Subscriber fell behind")
                } else if outcome.streamEnd?.goingAway == true {
                    // The gateway shuts down: no `complete` (the subscription did not end), the
                    // connection closes with 1001 and the client subscribes again elsewhere.
                    _ = finished()
                } else if finished(), !Task.isCancelled {
                    await sendMessage(id, "complete", payload: nil)
                }
            }
            _ = finished()
        }

        /// The `errors` of a response without `data` (a request error), as JSON bytes.
        static func requestErrors(_ payload: [UInt8]) -> [UInt8]? {
            guard payload.starts(with: #"{"errors":"#.utf8), let response = try? JSONReader.parse(payload),
                  response["data"] == nil, let errors = response["errors"] else { return nil }
            return errors.bytes
        }

        func sendError(_ id: String, _ errors: [GraphQLError]) async {
            await sendMessage(id, "error", payload: JSON.array(errors.map(\.json)).bytes)
        }

        func sendMessage(_ id: String, _ type: String, payload: [UInt8]?) async {
            var w = JSONWriter(capacity: 64 + (payload?.count ?? 0))
            w.append(#"{"id":"#)
            w.writeString(id)
            w.append(#","type":"#)
            w.writeString(type)
            if let payload {
                w.append(#","payload":"#)
                w.appendRaw(payload)
            }
            w.bytes.append(UInt8(ascii: "}"))
            await send(String(decoding: w.bytes, as: UTF8.self))
        }

        func send(_ text: String) async {
            guard state.withLock({ s in
                guard !s.closed else { return false }
                if s.writing == 0 { s.lastProgress = .now }
                s.writing += 1
                return true
            }) else { return }
            try? await outbound.write(.text(text))
            state.withLock { s in
                s.writing -= 1
                s.lastProgress = .now
            }
        }

        func close(_ code: UInt16, _ reason: String) async {
            await close(.unknown(code), reason)
        }

        /// A close frame is a control frame: its payload, the code's two bytes and the reason,
        /// is 125 bytes at most (RFC 6455 §5.5): a longer reason (one naming a long operation
        /// id) is cut at a character's boundary, or the client would fail the connection (1002)
        /// instead of seeing the code.
        static func closeReason(_ reason: String) -> String {
            var utf8 = Array(reason.utf8)
            guard utf8.count > 123 else { return reason }
            utf8.removeLast(utf8.count - 123)
            while let last = utf8.last, last & 0xC0 == 0x80 { utf8.removeLast() }   // continuation bytes
            if let last = utf8.last, last >= 0xC0 { utf8.removeLast() }             // a lead byte without its rest
            return String(decoding: utf8, as: UTF8.self)
        }

        func close(_ code: WebSocketErrorCode, _ reason: String) async {
            guard state.withLock({ s in
                defer { s.closed = true }
                if !s.closed { if s.writing == 0 { s.lastProgress = .now }; s.writing += 1 }
                return !s.closed
            }) else { return }
            try? await outbound.close(code, reason: Self.closeReason(reason))
            state.withLock { s in
                s.writing -= 1
                s.lastProgress = .now
            }
        }
    }
}
