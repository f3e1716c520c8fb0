import GraphQLCore
import HTTPTypes
import Hummingbird
import NIOCore

/// GraphQL over HTTP (`POST /graphql`, `GET /graphql`), one request from top to bottom:
/// negotiation → admission (`Admission`) → decoding (`RequestDecoding`) → persisted queries →
/// the pipeline's stages (`RequestPipeline`: document, limits, validation, cost, authorization,
/// planning and execution) within the request timeout → writing (`ResponseWriting`: one
/// response, or a stream of payloads).
struct GraphQLHTTPHandler: Sendable {
    let runtime: GatewayRuntime
    var admission: Admission { Admission(runtime: runtime) }
    var csrf: CSRFPrevention { CSRFPrevention(settings: runtime.configuration.csrf) }

    static let streamMethods = "GET, HEAD, POST, PUT, DELETE, OPTIONS"

    func register(on router: Router<GatewayRequestContext>) {
        router.post("graphql") { request, context in await self.post(request, client: context.clientAddress, channel: context.channel) }
        router.get("graphql") { request, context in await self.get(request, client: context.clientAddress, channel: context.channel) }
        // GraphQL over SSE at /graphql/stream (graphql-sse's client takes one URL for everything):
        // distinct connections mode as on /graphql, and single connection mode (a reserved
        // stream that carries the results of the operations posted with its token).
        router.post("graphql/stream") { request, context in
            // The token in the header or the query, as for GET and DELETE (graphql-sse reads both).
            if let token = SSEReservations.token(request) {
                return await self.postToStream(request, token: token, client: context.clientAddress)
            }
            return await self.post(request, client: context.clientAddress, channel: context.channel)
        }
        router.get("graphql/stream") { request, context in
            if request.uri.queryParameters["query"] == nil, let token = SSEReservations.token(request) {
                return await self.openStream(request, token: token, client: context.clientAddress, channel: context.channel)
            }
            return await self.get(request, client: context.clientAddress, channel: context.channel)
        }
        router.put("graphql/stream") { request, context in await self.reserve(request, client: context.clientAddress) }
        router.delete("graphql/stream") { request, context in await self.stopOnStream(request, client: context.clientAddress) }
        for method in [HTTPRequest.Method.put, .delete, .patch] {
            router.on("graphql", method: method) { _, _ in
                ResponseWriting.plain(405, "Method Not Allowed", headers: [.allow: "GET, HEAD, POST, OPTIONS"])
            }
        }
        // OPTIONS that is no CORS preflight (the CORS middleware answers those): what is allowed.
        router.on("graphql", method: .options) { _, _ in Response(status: .noContent, headers: [.allow: "GET, HEAD, POST, OPTIONS"]) }
        // The stream's path also takes PUT (a reservation) and DELETE (an operation stopped).
        router.on("graphql/stream", method: .patch) { _, _ in
            ResponseWriting.plain(405, "Method Not Allowed", headers: [.allow: Self.streamMethods])
        }
        router.on("graphql/stream", method: .options) { _, _ in Response(status: .noContent, headers: [.allow: Self.streamMethods]) }
    }

    /// A client that goes away takes its request with it: `body` runs in a task of its own,
    /// cancelled when the client closes its connection (or its side of it, as hyper-based
    /// routers take it) before the answer is ready — its subgraph calls and statements are
    /// cancelled, not run to their end for nobody (requests of clients that had left held
    /// connections and CPU from the others, and a shutdown waited for them).
    static func whileClientStays(_ channel: (any Channel)?, _ body: @escaping @Sendable () async -> Response) async -> Response {
        guard let channel else { return await body() }
        let work = Task { await body() }
        let token = ClientDeparture()
        StreamInputWatch.whenRequestAbandoned(channel, id: ObjectIdentifier(token)) { work.cancel() }
        let response = await withTaskCancellationHandler { await work.value } onCancel: { work.cancel() }
        StreamInputWatch.stopWatchingRequest(channel, id: ObjectIdentifier(token))
        return response
    }

    /// The identity of one request's watch for its client leaving.
    final class ClientDeparture: Sendable {}

    func post(_ request: Request, client: String?, channel: (any Channel)? = nil) async -> Response {
        await Self.whileClientStays(channel) { await self.answerPost(request, client: client, channel: channel) }
    }

    private func answerPost(_ request: Request, client: String?, channel: (any Channel)?) async -> Response {
        let start = ContinuousClock.now
        guard runtime.isLoaded else { return ResponseWriting.notLoaded }
        guard let accepted = ResponseWriting.negotiate(request.headers[.accept])?
            .encoding(request.headers[.acceptEncoding], compression: runtime.configuration.compression) else { return ResponseWriting.notAcceptable }
        do throws(Admission.Refusal) {
            try csrf.check(request.headers, accepted)
            // Who is asking comes first: the tenant's limits govern how much body is read, and
            // a body refused is counted for its tenant.
            let (context, profile) = try await admission.admit(request, accepted, client: client)
            switch try await decode(request, context, profile, accepted) {
            case .one(let graphQLRequest):
                return write(await runtime.run(profile.pipeline, graphQLRequest, .post, context, timeoutMs: profile.limits.requestTimeoutMs, accepted: accepted),
                             accepted, channel: channel)
            case .batch(let requests):
                try await admission.admitBatch(requests.count, context, accepted, client: client)
                var context = context
                context.acceptsStream = false   // a batch is one JSON array: no subscriptions in it
                context.acceptsIncremental = false
                let batchContext = context, pipeline = profile.pipeline, timeoutMs = profile.limits.requestTimeoutMs
                // One JSON array whatever streaming types the client also takes.
                var batchAccepted = accepted
                batchAccepted.best = accepted.single ?? .json
                let runtime = self.runtime
                @Sendable func entry(_ r: Result<GraphQLRequest, PipelineError>) async -> [UInt8] {
                    switch r {
                    // Each entry within `request_timeout_ms` of its own: one that runs late is a
                    // GATEWAY_TIMEOUT in its place, the others keep their answers.
                    case .success(let r): return await runtime.run(pipeline, r, .post, batchContext, timeoutMs: timeoutMs).body ?? []
                    case .failure(let e): return ExecutionResult(data: nil, errors: e.errors).jsonBytes
                    }
                }
                // Queries run together; a batch with a mutation (or an entry known only by its
                // hash) runs one entry after another, in order.
                let together = requests.count > 1 && requests.allSatisfy { r in
                    guard case .success(let r) = r else { return true }
                    return r.query.map { !$0.contains("mutation") } ?? false
                }
                var bodies = [[UInt8]](repeating: [], count: requests.count)
                if together {
                    await withTaskGroup(of: (Int, [UInt8]).self) { group in
                        for (i, r) in requests.enumerated() { group.addTask { (i, await entry(r)) } }
                        for await (i, body) in group { bodies[i] = body }
                    }
                } else {
                    for (i, r) in requests.enumerated() { bodies[i] = await entry(r) }
                }
                // Its client went away: no array goes out (each entry was counted as cancelled).
                if Task.isCancelled { return write(GatewayRuntime.clientLeft(OperationReport()), batchAccepted) }
                var body: [UInt8] = [UInt8(ascii: "[")]
                for (i, b) in bodies.enumerated() {
                    if i > 0 { body.append(UInt8(ascii: ",")) }
                    body += b
                }
                body.append(UInt8(ascii: "]"))
                return write(Outcome(status: 200, body: body), batchAccepted)
            }
        } catch {
            runtime.refused(error, since: start)
            return error.response(for: request.headers, tracing: runtime.configuration.tracing)
        }
    }

    /// A POST's body (its media type, size, encoding and JSON), refused for the tenant admitted.
    func decode(_ request: Request, _ context: RequestContext, _ profile: GatewayRuntime.Profile,
                _ accepted: ResponseWriting.Accepted) async throws(Admission.Refusal) -> RequestDecoding.Decoded {
        do throws(Admission.Refusal) {
            try RequestDecoding.checkMediaType(request)
            return try await RequestDecoding.post(request, limits: profile.limits, accepted)
        } catch {
            var refusal = error
            refusal.tenant = context.tenant   // refused for a known tenant: its metrics say so
            throw refusal
        }
    }

    func get(_ request: Request, client: String?, channel: (any Channel)? = nil) async -> Response {
        var response = await Self.whileClientStays(channel) { await self.answerGet(request, client: client, channel: channel) }
        // A GET may be cached, and every answer to one depends on Accept (GraphiQL or JSON, 406,
        // the JSON type): each says so — refusals before the pipeline said nothing (probe 51F).
        let varies = response.headers[values: .vary].contains { $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "accept" } }
        if !varies { response.headers.append(HTTPField(name: .vary, value: "accept")) }
        return response
    }

    private func answerGet(_ request: Request, client: String?, channel: (any Channel)?) async -> Response {
        let start = ContinuousClock.now
        guard runtime.isLoaded else { return ResponseWriting.notLoaded }
        if request.uri.queryParameters["query"] == nil, request.uri.queryParameters["extensions"] == nil,
           ResponseWriting.prefersHTML(request.headers[.accept]) {
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: GraphiQL.page)))
        }
        guard let accepted = ResponseWriting.negotiate(request.headers[.accept])?
            .encoding(request.headers[.acceptEncoding], compression: runtime.configuration.compression) else { return ResponseWriting.notAcceptable }
        do throws(Admission.Refusal) {
            try csrf.check(request.headers, accepted)
            let graphQLRequest = try RequestDecoding.get(request, accepted)
            let (context, profile) = try await admission.admit(request, accepted, client: client)
            // A GET brings its operation in the query string: `max_body_bytes` bounds what it
            // carries, decoded (a percent escape is one byte, as in a POST's body), as it bounds a
            // POST's body (only the head's size did before).
            let carried = RequestDecoding.formDecoded(request.uri.query ?? "")?.values.reduce(0) { $0 + $1.utf8.count } ?? 0
            if let limit = profile.limits.maxBodyBytes, carried > limit {
                throw Admission.Refusal(413, [GraphQLError("The query string is larger than \(limit) bytes.", code: "PAYLOAD_TOO_LARGE")], accepted, tenant: context.tenant)
            }
            var outcome = await runtime.run(profile.pipeline, graphQLRequest, .get, context, timeoutMs: profile.limits.requestTimeoutMs,
                                            accepted: accepted)
            // A GET may be cached; what it answers depends on Accept.
            outcome.headers.append(("vary", "accept"))
            return write(outcome, accepted, channel: channel)
        } catch {
            runtime.refused(error, since: start)
            return error.response(for: request.headers, tracing: runtime.configuration.tracing)
        }
    }

    /// An outcome written as the client accepts it.
    /// A subscription's stream whose client is found too slow gets `slow_close_timeout_ms` to
    /// take its last payload (`SUBSCRIBER_TOO_SLOW`); then its connection is dropped, with what
    /// it still held (as a WebSocket's is).
    func write(_ outcome: Outcome, _ accepted: ResponseWriting.Accepted, channel: (any Channel)? = nil) -> Response {
        var dropping: ResponseWriting.SlowDrop?
        if let channel, let end = outcome.streamEnd {
            dropping = ResponseWriting.SlowDrop(channel: channel, end: end, afterMs: runtime.configuration.subscriptions.slowCloseTimeoutMs,
                                                gate: runtime.subscriptions)
        }
        return ResponseWriting.response(outcome, accepted, keepAlive: .milliseconds(Int64(runtime.configuration.subscriptions.keepAliveMs)),
                                        dropping: dropping, channel: channel)
    }
}
