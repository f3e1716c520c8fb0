import GraphQLCore
import CompressNIO
import HTTPTypes
import Hummingbird
import NIOCore
import OrderedCollections
import Synchronization

/// GraphQL over HTTP (`POST /graphql`, `GET /graphql`): media types, status codes and request
/// parsing per the GraphQL-over-HTTP specification; the work itself is the pipeline's.
struct GraphQLHTTPHandler: Sendable {
    let runtime: GatewayRuntime

    static let graphQLResponseType = "application/graphql-response+json; charset=utf-8"
    static let jsonType = "application/json; charset=utf-8"

    enum ResponseType { case graphQLResponse, json }

    func register(on router: Router<BasicRequestContext>) {
        router.post("graphql") { request, context in await self.post(request) }
        router.get("graphql") { request, context in await self.get(request) }
        for method in [HTTPRequest.Method.put, .delete, .patch] {
            router.on("graphql", method: method) { _, _ in
                Self.plain(405, "Method Not Allowed", headers: [.allow: "GET, POST"])
            }
        }
    }

    /// Accept negotiation: nil when nothing acceptable (406).
    static func negotiate(_ accept: String?) -> ResponseType? {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .json }
        var best: (ResponseType, Double)?
        for part in accept.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = pieces.first else { continue }
            var q = 1.0
            for p in pieces.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 1 }
            guard q > 0 else { continue }
            let candidate: ResponseType?
            switch type {
            case "application/graphql-response+json", "application/*", "*/*": candidate = .graphQLResponse
            case "application/json": candidate = .json
            default: candidate = nil
            }
            if let c = candidate, best == nil || q > best!.1 { best = (c, q) }
        }
        return best?.0
    }

    func respond(_ outcome: RequestPipeline.Outcome, _ type: ResponseType) -> Response {
        // Legacy clients (application/json) get application/json on success; errors keep
        // the GraphQL response type so they are recognisable as GraphQL.
        let contentType = (type == .json && outcome.status < 300) ? Self.jsonType : Self.graphQLResponseType
        var headers: HTTPFields = [.contentType: contentType]
        for (name, value) in outcome.headers {
            if let n = HTTPField.Name(name) { headers[n] = value }
        }
        return Response(status: .init(code: outcome.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: outcome.body)))
    }

    static func plain(_ status: Int, _ message: String, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .init(code: status), headers: h, body: .init(byteBuffer: ByteBuffer(string: message)))
    }

    /// The response that turns a request away before its work starts.
    struct Refusal: Error { let response: Response }

    static let notLoaded = Response(status: .serviceUnavailable, headers: [.contentType: graphQLResponseType, .retryAfter: "1"],
                                    body: .init(byteBuffer: ByteBuffer(bytes: ExecutionResult(data: nil, errors: [
                                        GraphQLError("No schema is loaded yet.", code: "SERVICE_UNAVAILABLE")]).jsonBytes)))

    /// The request's context: the tenant and scopes of a verified token, or (when enabled) the
    /// development header's tenant. A bad token, or none when one is required, is a 401 response.
    func requestContext(_ request: Request, _ type: ResponseType) async throws(Refusal) -> RequestContext {
        var ctx = RequestContext()
        ctx.headers = request.headers.map { ($0.name.canonicalName, $0.value) }
        let bearer = request.headers[.authorization].flatMap { h -> String? in
            let parts = h.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        func unauthorized(_ error: GraphQLError) -> Refusal {
            var r = respond(.init(status: 401, body: ExecutionResult(data: nil, errors: [error]).jsonBytes), type)
            r.headers[.wwwAuthenticate] = "Bearer"
            return Refusal(response: r)
        }
        if let authenticator = runtime.authenticator, let bearer {
            do {
                let identity = try await authenticator.identity(bearer)
                ctx.authenticated = true
                ctx.scopes = identity.scopes
                ctx.tenant = identity.tenant
            } catch let e as GraphQLError {
                throw unauthorized(e)
            } catch {
                throw unauthorized(GraphQLError("Invalid token.", code: "UNAUTHENTICATED"))
            }
        } else if runtime.configuration.auth.required {
            throw unauthorized(GraphQLError("A bearer token is required.", code: "UNAUTHENTICATED"))
        }
        if ctx.tenant == nil, runtime.configuration.tenancy.developmentHeader, let t = request.headers[HTTPField.Name("X-Tenant")!], !t.isEmpty {
            ctx.tenant = t
        }
        if let tenant = ctx.tenant { ctx.tenantMaxCost = runtime.quotas?.quota(for: tenant)?.maxQueryCost }
        ctx.includeQueryPlan = runtime.configuration.exposeQueryPlan
            && request.headers[HTTPField.Name("X-Switchyard-Query-Plan")!]?.lowercased() == "true"
        return ctx
    }

    /// Who is asking (credentials or development header), the limits that apply to them, and
    /// their rate limit; or the response that turns them away.
    func admit(_ request: Request, _ type: ResponseType) async throws(Refusal) -> (RequestContext, GatewayRuntime.Profile) {
        let context = try await requestContext(request, type)
        guard let profile = runtime.profile(for: context.tenant) else { throw Refusal(response: Self.notLoaded) }
        if let limited = await rateLimited(context, type) { throw Refusal(response: limited) }
        return (context, profile)
    }

    /// 429 when the request's tenant is over its requests-per-minute quota.
    func rateLimited(_ context: RequestContext, _ type: ResponseType) async -> Response? {
        guard let limiter = runtime.rateLimiter, let tenant = context.tenant, let quota = runtime.quotas?.quota(for: tenant) else { return nil }
        guard case .limited(let ms)? = try? await limiter.take(tenant: tenant, perMinute: quota.requestsPerMinute) else { return nil }
        let seconds = (ms + 999) / 1_000
        var response = respond(.init(status: 429, body: ExecutionResult(data: nil, errors: [
            GraphQLError("Tenant \(tenant) is over its quota of \(quota.requestsPerMinute) requests per minute.", code: "RATE_LIMITED",
                         extensions: ["retryAfterSeconds": .int(seconds)])]).jsonBytes), type)
        response.headers[.retryAfter] = String(seconds)
        return response
    }

    /// Persisted-query resolution, then the pipeline.
    func run(_ pipeline: RequestPipeline, _ request: GraphQLRequest, _ method: RequestPipeline.Method,
             _ context: RequestContext) async -> RequestPipeline.Outcome {
        do {
            let resolved = try await runtime.persisted.resolve(request)
            return await pipeline.run(resolved, method: method, context: context)
        } catch {
            return .init(status: error.status, body: ExecutionResult(data: nil, errors: [error.error]).jsonBytes)
        }
    }

    /// The work of one request within `request_timeout_ms`: past it the client gets 504
    /// `GATEWAY_TIMEOUT` at once and the work is cancelled (subgraph calls end with it).
    func withinTimeout(_ limits: LimitsConfiguration, _ type: ResponseType,
                       _ work: @escaping @Sendable () async -> RequestPipeline.Outcome) async -> Response {
        guard let ms = limits.requestTimeoutMs else { return respond(await work(), type) }
        let outcome = await Deadline.race(milliseconds: ms, work)
        return respond(outcome ?? .init(status: 504, body: ExecutionResult(data: nil, errors: [
            GraphQLError("The request took longer than \(ms) ms.", code: "GATEWAY_TIMEOUT")]).jsonBytes), type)
    }

    func error(_ status: Int, _ message: String, _ code: String, _ type: ResponseType) -> Response {
        respond(.init(status: status, body: ExecutionResult(data: nil, errors: [GraphQLError(message, code: code)]).jsonBytes), type)
    }

    func post(_ request: Request) async -> Response {
        guard runtime.isLoaded else { return Self.notLoaded }
        guard let type = Self.negotiate(request.headers[.accept]) else {
            return Self.plain(406, "Not Acceptable: use application/graphql-response+json or application/json")
        }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard mediaType == "application/json" || mediaType == "application/graphql-response+json" else {
            return Self.plain(415, "Unsupported Media Type: send application/json")
        }
        // Who is asking comes first: the tenant's limits govern how much body is read.
        let context: RequestContext, profile: GatewayRuntime.Profile
        do { (context, profile) = try await admit(request, type) } catch { return error.response }
        let limits = profile.limits, pipeline = profile.pipeline
        let limit = limits.maxBodyBytes ?? Int.max
        func tooLarge() -> Response {
            self.error(413, "The request body is larger than \(limit) bytes.", "PAYLOAD_TOO_LARGE", type)
        }
        // A declared length over the limit is refused before a byte of the body is read (the
        // server still drains what the client sends, so that the connection stays usable and
        // the client is not reset before it reads the 413).
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit { return tooLarge() }
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            return tooLarge()
        }
        // Compressed bodies: the decompressed size counts against the same limit, so a
        // decompression bomb stops at max_body_bytes instead of filling memory.
        if let encoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces), encoding != "identity" {
            let algorithm: CompressionAlgorithm
            switch encoding {
            case "gzip", "x-gzip": algorithm = .gzip()
            case "deflate": algorithm = .zlib()
            default: return Self.plain(415, "Unsupported Content-Encoding \(encoding): use gzip or deflate")
            }
            do {
                body = try body.decompress(with: algorithm, maxSize: limit)
            } catch let e as CompressNIOError where e == .bufferOverflow {
                return self.error(413, "The decompressed request body is larger than \(limit) bytes.", "PAYLOAD_TOO_LARGE", type)
            } catch {
                return self.error(400, "The request body is not valid \(encoding) data.", "BAD_REQUEST", type)
            }
        }
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        let json: JSON
        do {
            json = try JSONReader.parse(bytes, maxDepth: 64)
        } catch let e as JSONReader.Failure {
            return self.error(400, "The request body is not valid JSON: \(e.description).", e.isDepthExceeded ? "MAX_JSON_DEPTH_EXCEEDED" : "BAD_REQUEST", type)
        } catch {
            return self.error(400, "Invalid JSON.", "BAD_REQUEST", type)
        }
        if case .array(let operations) = json {
            guard let maxBatch = limits.maxBatch else {
                return self.error(400, "Batched requests are not enabled.", "BATCHING_DISABLED", type)
            }
            guard operations.count <= maxBatch, !operations.isEmpty else {
                return self.error(400, "A batch may hold 1 to \(maxBatch) operations; this one has \(operations.count).", "BATCH_LIMIT_EXCEEDED", type)
            }
            return await withinTimeout(limits, type) {
                var body: [UInt8] = [UInt8(ascii: "[")]
                for (i, op) in operations.enumerated() {
                    if i > 0 { body.append(UInt8(ascii: ",")) }
                    do throws(PipelineError) {
                        let r = try GraphQLRequest.from(op)
                        body += await run(pipeline, r, .post, context).body
                    } catch {
                        body += ExecutionResult(data: nil, errors: error.errors).jsonBytes
                    }
                }
                body.append(UInt8(ascii: "]"))
                return .init(status: 200, body: body)
            }
        }
        let graphQLRequest: GraphQLRequest
        do { graphQLRequest = try GraphQLRequest.from(json) } catch {
            return respond(.init(status: error.status, body: ExecutionResult(data: nil, errors: error.errors).jsonBytes), type)
        }
        return await withinTimeout(limits, type) { await run(pipeline, graphQLRequest, .post, context) }
    }

    func get(_ request: Request) async -> Response {
        guard runtime.isLoaded else { return Self.notLoaded }
        let params = request.uri.queryParameters
        let accept = request.headers[.accept] ?? ""
        if params["query"] == nil, accept.contains("text/html") {
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: GraphiQL.page)))
        }
        guard let type = Self.negotiate(request.headers[.accept]) else {
            return Self.plain(406, "Not Acceptable: use application/graphql-response+json or application/json")
        }
        var r = GraphQLRequest(query: params["query"].map(String.init))
        if let name = params["operationName"], !name.isEmpty { r.operationName = String(name) }
        for (key, target) in [("variables", 0), ("extensions", 1)] {
            guard let text = params[Substring(key)].map(String.init), !text.isEmpty else { continue }
            guard case .object(let o)? = try? JSONReader.parse(text, maxDepth: 64) else {
                return self.error(422, "The \"\(key)\" parameter must be a JSON object.", "BAD_REQUEST", type)
            }
            if target == 0 { r.variables = o } else { r.extensions = o }
        }
        let context: RequestContext, profile: GatewayRuntime.Profile
        do { (context, profile) = try await admit(request, type) } catch { return error.response }
        let request = r
        return await withinTimeout(profile.limits, type) { await run(profile.pipeline, request, .get, context) }
    }
}

/// Runs work against a deadline without waiting for work that ignores cancellation.
enum Deadline {
    /// Who resumes the caller: the work or the timer, whichever comes first.
    final class Race: Sendable {
        let state = Mutex<(resumed: Bool, timer: Task<Void, Never>?)>((false, nil))
        /// True for the first caller only.
        func claim() -> (won: Bool, timer: Task<Void, Never>?) {
            state.withLock { s in
                defer { s.resumed = true }
                return (!s.resumed, s.timer)
            }
        }
        /// Records the timer; false when the work already finished (the timer is then not needed).
        func setTimer(_ t: Task<Void, Never>) -> Bool {
            state.withLock { s in
                s.timer = t
                return !s.resumed
            }
        }
    }

    /// The work's result, or nil when `milliseconds` passed first (the work is then cancelled).
    static func race<T: Sendable>(milliseconds: Int, _ work: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let race = Race()
            let worker = Task {
                let value = await work()
                let (won, timer) = race.claim()
                timer?.cancel()
                if won { continuation.resume(returning: value) }
            }
            let timer = Task {
                do { try await Task.sleep(for: .milliseconds(milliseconds)) } catch { return }
                if race.claim().won {
                    worker.cancel()
                    continuation.resume(returning: nil)
                }
            }
            if !race.setTimer(timer) { timer.cancel() }
        }
    }
}

enum GraphiQL {
    /// A GraphiQL page for browsers (the browser loads GraphiQL itself from its CDN).
    static let page = """
    <!doctype html>
    <html lang="en">
    <head>
      <meta charset="utf-8"><title>Switchyard GraphiQL</title>
      <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
      <link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css" />
    </head>
    <body>
      <div id="graphiql">Loading GraphiQL…</div>
      <script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
      <script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
      <script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
      <script>
        const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
        ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, { fetcher }));
      </script>
    </body>
    </html>
    """
}
