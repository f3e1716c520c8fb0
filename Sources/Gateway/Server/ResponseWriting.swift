import CompressNIO
import GraphQLCore
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Stage: writing. Which media type the client accepts, and the outcome written as it: one
/// GraphQL response (`application/graphql-response+json` or legacy `application/json`), or its
/// payloads as they come as Server-Sent Events (GraphQL over SSE, distinct connections mode) or
/// multipart parts (Apollo's multipart HTTP subscriptions).
enum ResponseWriting {
    static let graphQLResponseType = "application/graphql-response+json; charset=utf-8"
    static let jsonType = "application/json; charset=utf-8"
    static let eventStreamType = "text/event-stream; charset=utf-8"
    /// Apollo's clients find their parser by the parameter as written (`subscriptionSpec=1.0`,
    /// `deferSpec=20220824`); gql looks for `boundary=graphql` unquoted (a token needs no quotes).
    static let multipartType = "multipart/mixed;boundary=graphql;subscriptionSpec=1.0"
    static let incrementalMultipartType = "multipart/mixed;boundary=graphql;deferSpec=20220824"

    enum MediaType: Equatable { case graphQLResponse, json, eventStream, multipart }

    /// What the client's Accept allows: the preferred type, the preferred streaming types of a
    /// subscription and of an incremental (`@defer`) response, and the preferred type of one
    /// response (a JSON type), if any. A multipart range naming only `deferSpec` is no type for a
    /// subscription, one naming only `subscriptionSpec` none for an incremental response (the
    /// parameters are part of the range, RFC 9110 §12.5.1; Apollo's clients read the format the
    /// parameter names).
    struct Accepted {
        var best: MediaType
        var stream: MediaType?
        var single: MediaType? = nil
        var incremental: MediaType? = nil
        /// The multipart type taken names `deferSpec` only: an answer in one part is written
        /// in the incremental format (`{"data":…,"hasNext":false}`), not the subscription one.
        var deferSpecOnly = false
        /// Responses may be compressed (`compression`), so they vary by `Accept-Encoding`.
        var compresses = false
        /// The client's `Accept-Encoding` takes gzip.
        var gzip = false

        /// With what the configuration and the request's `Accept-Encoding` allow.
        func encoding(_ header: String?, compression: Bool) -> Accepted {
            var a = self
            a.compresses = compression
            a.gzip = compression && ResponseWriting.acceptsGzip(header)
            return a
        }
    }

    /// One response of at least this many bytes is compressed for a client that takes gzip
    /// (smaller ones gain less than the encoding costs).
    static let compressedFrom = 1_024

    /// Whether an `Accept-Encoding` takes gzip (RFC 9110 §12.5.3): `gzip` (or `x-gzip`) with a
    /// weight above 0, or `*` above 0 without gzip refused by name.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var named: Bool?, any = false
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";")
            guard let coding = pieces.first?.trimmingCharacters(in: .whitespaces).lowercased(), !coding.isEmpty else { continue }
            var weight = 1.0
            for p in pieces.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                if kv.count == 2, kv[0] == "q" { weight = Double(kv[1]) ?? 0 }
            }
            switch coding {
            case "gzip", "x-gzip": named = (named ?? false) || weight > 0
            case "*": any = weight > 0
            default: break
            }
        }
        return named ?? any
    }

    /// `bytes` as one gzip member (RFC 1952), fast rather than small; nil when zlib fails.
    static func gzipped(_ bytes: [UInt8]) -> [UInt8]? {
        var input = ByteBuffer(bytes: bytes)
        let algorithm = CompressionAlgorithm.gzip(configuration: ZlibConfiguration(windowSize: 14, compressionLevel: 1, memoryLevel: 7))
        guard let out = try? input.compress(with: algorithm) else { return nil }
        return Array(out.readableBytesView)
    }

    /// A browser's Accept: `text/html` taken, and at least as much as any JSON type (a client
    /// that lists HTML last, or with q=0, gets GraphQL).
    static func prefersHTML(_ accept: String?) -> Bool {
        guard let accept else { return false }
        var html = 0.0, json = 0.0
        for part in accept.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingSpaces().lowercased() }
            guard let type = pieces.first else { continue }
            var q = 1.0
            for p in pieces.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            if type == "text/html" { html = max(html, q) }
            if ["application/json", "application/graphql-response+json"].contains(type) { json = max(json, q) }
        }
        return html > 0 && html >= json
    }

    /// Accept negotiation (RFC 9110 §12.5.1): nil when nothing acceptable (406). No Accept
    /// means JSON. A type's quality is that of the most specific range naming it: a wildcard
    /// stands for the served types no range names exactly (so `application/json;q=0, */*`
    /// excludes JSON, and `*/*` then means `application/graphql-response+json`).
    static func negotiate(_ accept: String?) -> Accepted? {
        guard let accept, !accept.trimmingSpaces().isEmpty else { return Accepted(best: .json) }
        struct Range { let pieces: [String]; let q: Double; let exact: MediaType?; let supported: Bool }
        var ranges: [Range] = []
        var named: [MediaType] = []
        for part in accept.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingSpaces().lowercased() }
            guard let type = pieces.first else { continue }
            var q = 1.0
            for p in pieces.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            let exact: MediaType?
            var supported = true
            switch type {
            case "application/graphql-response+json": exact = .graphQLResponse
            case "application/json": exact = .json
            case "text/event-stream": exact = .eventStream
            case "multipart/mixed":
                // The incremental format and the subscription protocol this server writes: a
                // client asking for another version of either is not served by them.
                supported = !pieces.dropFirst().contains { p in
                    let value = { (prefix: String) in String(p.dropFirst(prefix.count).filter { $0 != "\"" }) }
                    if p.hasPrefix("deferspec=") { return value("deferspec=") != "20220824" }
                    if p.hasPrefix("subscriptionspec=") { return value("subscriptionspec=") != "1.0" }
                    return false
                }
                exact = .multipart
            default: exact = nil
            }
            if let exact, supported || q == 0 { named.append(exact) }
            ranges.append(Range(pieces: pieces, q: q, exact: exact, supported: supported))
        }
        var best: (MediaType, Double)?
        var stream: (MediaType, Double)?
        var incremental: (MediaType, Double)?
        var single: (MediaType, Double)?
        var multipart: Double?
        var deferSpecOnly = false
        for range in ranges where range.q > 0 {
            let candidate: MediaType?
            if let exact = range.exact {
                candidate = range.supported ? exact : nil
            } else {
                // The served types this wildcard covers that no range names exactly, preferred first:
                // `application/json` for a client that names neither JSON type (a legacy client's
                // `*/*`, as graphql-http's audit asks), the other when it refuses that one.
                let covered: [MediaType]
                switch range.pieces[0] {
                case "*/*", "application/*": covered = [.json, .graphQLResponse]
                case "text/*": covered = [.eventStream]   // the one text type served
                case "multipart/*": covered = [.multipart]
                default: covered = []
                }
                candidate = covered.first { !named.contains($0) }
            }
            guard let c = candidate else { continue }
            let q = range.q
            if best == nil || q > best!.1 { best = (c, q) }
            let namesDefer = range.pieces.contains { $0.hasPrefix("deferspec=") }
            let namesSubscription = range.pieces.contains { $0.hasPrefix("subscriptionspec=") }
            if c == .eventStream || (c == .multipart && (namesSubscription || !namesDefer)), stream == nil || q > stream!.1 { stream = (c, q) }
            if c == .eventStream || (c == .multipart && (namesDefer || !namesSubscription)), incremental == nil || q > incremental!.1 { incremental = (c, q) }
            if c == .multipart, multipart == nil || q > multipart! {
                multipart = q
                deferSpecOnly = namesDefer && !namesSubscription
            }
            if c == .graphQLResponse || c == .json, single == nil || q > single!.1 { single = (c, q) }
        }
        return best.map { Accepted(best: $0.0, stream: stream?.0, single: single?.0, incremental: incremental?.0, deferSpecOnly: deferSpecOnly) }
    }

    /// A body of one payload. One above 256 KB goes out in 64 KB slices copied as they are
    /// written (with the channel's back-pressure), so that it is not held twice — once as the
    /// payload and once as NIO's buffer — while it is sent: what is held beside the payload is
    /// about the slices the channel has not sent yet.
    static func body(_ payload: [UInt8]) -> ResponseBody {
        guard payload.count > 256 << 10 else { return ResponseBody(byteBuffer: ByteBuffer(bytes: payload)) }
        let slice = 64 << 10
        return ResponseBody(contentLength: payload.count) { writer in
            var start = 0
            while start < payload.count {
                let end = min(start + slice, payload.count)
                try await writer.write(ByteBuffer(bytes: payload[start..<end]))
                start = end
            }
            try await writer.finish(nil)
        }
    }

    /// GraphQL over SSE: errors of validation steps before execution go out as a `next` event of
    /// an accepted stream (a refused connection tells an `EventSource` nothing).
    static func refusalAsEvent(_ outcome: Outcome, _ accepted: Accepted) -> Bool {
        !outcome.payloads.isStream && accepted.best == .eventStream && (outcome.status == 200 || outcome.refusedBeforeExecution)
    }

    /// The HTTP status the client gets for the outcome (what the access log and metrics record).
    static func status(_ outcome: Outcome, _ accepted: Accepted) -> Int {
        refusalAsEvent(outcome, accepted) ? 200 : outcome.status
    }

    /// The outcome as an HTTP response. Errors before execution keep their status and go out as
    /// one GraphQL response whatever the streaming preference — except the GraphQL request's own
    /// (`refusedBeforeExecution`) to a client that prefers Server-Sent Events.
    /// Streams send a keep-alive every `keepAlive` (an SSE comment, an empty multipart part), so a
    /// client that left is noticed even when no event comes.
    /// On `channel` (its connection), a stream ends when its client leaves (`StreamInputWatch`).
    static func response(_ outcome: Outcome, _ accepted: Accepted, keepAlive: Duration = .seconds(15), dropping: SlowDrop? = nil,
                         channel: (any Channel)? = nil) -> Response {
        var headers: HTTPFields = [:]
        for (name, value) in outcome.headers {
            if let n = HTTPField.Name(name) { headers[n] = value }
        }
        let framing: MediaType
        let status = Self.status(outcome, accepted)
        if outcome.payloads.isStream {
            framing = (outcome.incremental ? accepted.incremental : accepted.stream) ?? .eventStream
        } else if Self.refusalAsEvent(outcome, accepted) {
            framing = .eventStream
        } else if outcome.status == 200, accepted.best == .multipart, accepted.single == nil {
            framing = .multipart
        } else {
            // One response goes as one (Apollo Kotlin and iOS put `multipart/mixed;deferSpec=…`
            // first in the Accept of every operation: one without a deferred fragment is answered
            // by the JSON type they accept beside it). Legacy clients (application/json) get
            // application/json on success; errors keep the GraphQL response type so they are
            // recognisable as GraphQL.
            let single = accepted.best == .multipart || accepted.best == .eventStream ? accepted.single ?? accepted.best : accepted.best
            headers[.contentType] = (single == .json && outcome.status < 300) ? jsonType : graphQLResponseType
            var payload = outcome.payloads.one ?? []
            if accepted.compresses {
                headers.append(HTTPField(name: .vary, value: "accept-encoding"))
                if accepted.gzip, payload.count >= compressedFrom, let compressed = gzipped(payload) {
                    headers[.contentEncoding] = "gzip"
                    payload = compressed
                }
            }
            return Response(status: .init(code: outcome.status), headers: headers, body: body(payload))
        }
        headers[.cacheControl] = "no-cache"
        // One payload to a client that takes multipart only as `deferSpec`: the incremental
        // format's single part.
        let completing = !outcome.incremental && !outcome.payloads.isStream && framing == .multipart && accepted.deferSpecOnly
        let incremental = outcome.incremental || completing
        headers[.contentType] = framing == .eventStream ? eventStreamType : (incremental ? incrementalMultipartType : multipartType)
        let payloads = outcome.payloads, end = outcome.streamEnd
        return Response(status: .init(code: status), headers: headers, body: ResponseBody { writer in
            // An incremental (`deferSpec`) multipart response has no heartbeat part in its format
            // (Apollo iOS refuses a part without `data` or `incremental`): it sends none.
            let ticksWanted = !(incremental && framing == .multipart)
            let paced = PacedItems(payloads, keepAlive: ticksWanted ? keepAlive : nil) { payload in
                guard completing, payload.last == UInt8(ascii: "}") else { return payload }
                return payload.dropLast() + Array(#","hasNext":false}"#.utf8)
            }
            defer { paced.cancel() }
            if let channel {
                StreamInputWatch.whenClientLeaves(channel, id: ObjectIdentifier(paced)) { paced.cancel() }
            }
            defer { if let channel { StreamInputWatch.stopWatching(channel, id: ObjectIdentifier(paced)) } }
            let writing = dropping?.watch()
            defer { writing?.finished() }
            var first = true
            for await item in paced.items {
                guard let payload = item else {
                    try await writer.write(ByteBuffer(bytes: framing == .eventStream ? Array(":\n\n".utf8) : multipartKeepAlive(first: first)))
                    first = false
                    continue
                }
                try await writer.write(ByteBuffer(bytes: framing == .eventStream ? sseEvent(payload)
                                                  : incremental ? incrementalPart(payload, first: first) : multipartPart(payload, first: first)))
                paced.written()
                first = false
            }
            if end?.goingAway == true {
                // The gateway shuts down: the subscription did not complete. Over SSE the stream
                // ends with no `complete` (graphql-sse's client retries such an end); multipart
                // says it with a transport-level error, which Apollo's clients raise.
                if framing == .multipart {
                    try await writer.write(ByteBuffer(bytes: multipartPart(goingAway, first: first) + Array("--\r\n".utf8)))
                }
            } else {
                try await writer.write(ByteBuffer(bytes: framing == .eventStream ? Array("event: complete\ndata:\n\n".utf8)
                                                                                  : Array((first ? "\r\n--graphql--\r\n" : "--\r\n").utf8)))
            }
            try await writer.finish(nil)
        })
    }

    /// The last word of a subscription the gateway's shutdown ended (multipart's transport-level error).
    static let goingAway = ExecutionResult(data: nil, errors: [
        GraphQLError("The gateway is shutting down; subscribe again.", code: "SHUTTING_DOWN")]).jsonBytes

    /// `event: next` with the payload as its data (JSON has no raw newlines).
    static func sseEvent(_ payload: [UInt8]) -> [UInt8] {
        Array("event: next\ndata: ".utf8) + payload + Array("\n\n".utf8)
    }

    /// One part of a multipart subscription response, `{"payload": <response>}`, closed by the
    /// boundary at once so that a client's parser hands it over without waiting for the next
    /// part (the stream's end adds `--` to the last boundary). A response without `data` ends
    /// the stream with an error that is not an event's (the subgraph's connection lost, the
    /// subscription refused, the client too slow): the protocol's transport-level error,
    /// `{"payload":null,"errors":[…]}`, which Apollo's clients raise as such.
    static func multipartPart(_ payload: [UInt8], first: Bool) -> [UInt8] {
        let head = Array(((first ? "\r\n--graphql" : "") + "\r\ncontent-type: application/json; charset=utf-8\r\n\r\n").utf8)
        if isTransportError(payload) {
            return head + Array(#"{"payload":null,"#.utf8) + payload.dropFirst() + Array("\r\n--graphql".utf8)
        }
        return head + Array(#"{"payload":"#.utf8) + payload + Array("}\r\n--graphql".utf8)
    }

    /// Whether a subscription's payload is a response without `data` (only those with errors
    /// are read: an event's response has `data`, and its errors come first when it has any).
    static func isTransportError(_ payload: [UInt8]) -> Bool {
        guard payload.starts(with: Array(#"{"errors":"#.utf8)), case .object(let response)? = try? JSONReader.parse(payload) else { return false }
        return response["data"] == nil
    }

    /// One part of an incremental response: the payload itself (`{"data":…,"hasNext":true}`,
    /// `{"incremental":[…],"hasNext":false}`), closed by the boundary at once.
    static func incrementalPart(_ payload: [UInt8], first: Bool) -> [UInt8] {
        Array(((first ? "\r\n--graphql" : "") + "\r\ncontent-type: application/json; charset=utf-8\r\n\r\n").utf8)
            + payload + Array("\r\n--graphql".utf8)
    }

    /// An empty part `{}` (what Apollo's clients take as a heartbeat).
    static func multipartKeepAlive(first: Bool) -> [UInt8] {
        Array(((first ? "\r\n--graphql" : "") + "\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{}\r\n--graphql").utf8)
    }

    /// A request error (or any result) as one GraphQL response.
    static func error(_ status: Int, _ message: String, _ code: String, _ accepted: Accepted) -> Response {
        response(Outcome(status: status, ExecutionResult(data: nil, errors: [GraphQLError(message, code: code)])), accepted)
    }

    static func plain(_ status: Int, _ message: String, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .init(code: status), headers: h, body: .init(byteBuffer: ByteBuffer(string: message)))
    }

    static let notAcceptable = plain(406, "Not Acceptable: use application/graphql-response+json, application/json or text/event-stream")

    /// A stream or reservation asked for while the gateway drains.
    static var shuttingDown: Response { plain(503, "The gateway is shutting down; try again.", headers: [.retryAfter: "1"]) }

    static let notLoaded = Response(status: .serviceUnavailable, headers: [.contentType: graphQLResponseType, .retryAfter: "1"],
                                    body: .init(byteBuffer: ByteBuffer(bytes: ExecutionResult(data: nil, errors: [
                                        GraphQLError("No schema is loaded yet.", code: "SERVICE_UNAVAILABLE")]).jsonBytes)))

    /// How a streamed response whose subscriber is found too slow is ended: `afterMs` after that,
    /// if its writer is still writing (stuck behind a client that does not read), its
    /// connection is closed — the writes it waits on fail and what they held is freed.
    struct SlowDrop: Sendable {
        let channel: any Channel
        let end: StreamEnd
        let afterMs: Int
        let gate: SubscriptionGate?

        /// Watches one writer (which says when it is done).
        func watch() -> Writing {
            let writing = Writing()
            let channel = self.channel, afterMs = self.afterMs, gate = self.gate
            end.onFellBehind {
                Task {
                    try? await Task.sleep(for: .milliseconds(afterMs))
                    if writing.dropIfStillWriting(channel) { gate?.droppedTooSlow() }
                }
            }
            return writing
        }

        final class Writing: Sendable {
            private let done = Mutex(false)
            func finished() { done.withLock { $0 = true } }
            /// Closes `channel` unless the writer finished (the connection may serve the next request then).
            func dropIfStillWriting(_ channel: any Channel) -> Bool {
                done.withLock { done in
                    guard !done, channel.isActive else { return false }
                    channel.close(promise: nil)
                    return true
                }
            }
        }
    }
}

/// What a streamed response's writer writes: the payloads and keep-alive ticks (nil) in one
/// sequence, a payload at a time — the next is taken from the source only once the writer has
/// written the last (`written()`). A client that reads slowly so holds its subscription back,
/// whose bounded channel then finds it too slow (`SUBSCRIBER_TOO_SLOW`), instead of every event
/// piling up in the gateway's memory.
final class PacedItems: Sendable {
    let items: AsyncStream<[UInt8]?>
    private let feed: AsyncStream<[UInt8]?>.Continuation
    private let acks: AsyncStream<Void>.Continuation
    private let tasks: Mutex<[Task<Void, Never>]> = Mutex([])

    init<S: AsyncSequence & Sendable>(_ source: S, keepAlive: Duration?, map: @escaping @Sendable ([UInt8]) -> [UInt8] = { $0 })
    where S.Element == [UInt8], S.Failure == Never {
        let (items, feed) = AsyncStream<[UInt8]?>.makeStream()
        let (acks, ack) = AsyncStream<Void>.makeStream()
        self.items = items
        self.feed = feed
        self.acks = ack
        let forward = Task {
            var taken = acks.makeAsyncIterator()
            for await payload in source {
                feed.yield(map(payload))
                guard await taken.next() != nil else { break }
            }
            feed.finish()
        }
        var running = [forward]
        if let keepAlive {
            running.append(Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: keepAlive)
                    if !Task.isCancelled { feed.yield(nil) }
                }
            })
        }
        tasks.withLock { $0 = running }
    }

    /// The writer wrote the last payload: the next may come.
    func written() { acks.yield(()) }

    func cancel() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
        acks.finish()
        feed.finish()
    }
}
