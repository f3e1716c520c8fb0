import Logging
import Synchronization
import GraphQLCore
import HTTPTypes
import Hummingbird

/// Stage: admission. Who is asking (a verified token, or the development header when enabled),
/// the limits that apply to them, and their rate limit — or the response that turns them away
/// before any of the request's work starts.
struct Admission: Sendable {
    /// What an `Authorization` header holds: `Bearer <token>` (RFC 6750 §2.1: one space, one
    /// token), no bearer credentials (absent, another scheme), or a header that starts as one and
    /// is not (`Bearer`, `Bearer `, `Bearer<token>`, `Bearer a b`): malformed, refused where tokens
    /// are verified, not taken as no credentials.
    enum BearerCredential: Equatable {
        case none, token(String), malformed
    }

    static func bearer(_ header: String?) -> BearerCredential {
        guard let h = header, h.utf8.count >= 6, h.prefix(6).lowercased() == "bearer" else { return .none }
        let rest = h.dropFirst(6)
        let token = rest.dropFirst()
        guard rest.first == " ", !token.isEmpty, !token.contains(where: \.isWhitespace) else { return .malformed }
        return .token(String(token))
    }

    let runtime: GatewayRuntime

    /// The response that turns a request away.
    struct Refusal: Error {
        let response: Response
        /// Its `extensions.code` (for metrics), and the tenant it was refused for, if known.
        var code: String? = nil
        var tenant: String? = nil
        /// The GraphQL answer it was written from (nil for a plain-text one), written again with
        /// `extensions.traceId` for a client that asks for it.
        var answer: Answer? = nil

        struct Answer {
            let status: Int
            let errors: [GraphQLError]
            let accepted: ResponseWriting.Accepted
            let headers: HTTPFields
            func response(traceID: String?) -> Response {
                var result = ExecutionResult(data: nil, errors: errors)
                if let traceID { result.extensions = ["traceId": .string(traceID)] }
                var response = ResponseWriting.response(Outcome(status: status, result), accepted)
                for field in headers { response.headers[field.name] = field.value }
                return response
            }
        }

        init(response: Response, code: String? = nil, tenant: String? = nil) {
            self.response = response
            self.code = code
            self.tenant = tenant
        }

        /// A GraphQL response with these errors and no `data` (its code the first error's).
        init(_ status: Int, _ errors: [GraphQLError], _ accepted: ResponseWriting.Accepted, headers: HTTPFields = [:],
             code: String? = nil, tenant: String? = nil) {
            let answer = Answer(status: status, errors: errors, accepted: accepted, headers: headers)
            self.init(response: answer.response(traceID: nil), code: code ?? errors.first?.code, tenant: tenant)
            self.answer = answer
        }

        /// The response, with `extensions.traceId` when the request asked for it (tracing on,
        /// `expose_trace_id`, `X-Switchyard-Trace-Id: true`) and its trace has an id.
        func response(for headers: HTTPFields, tracing: TracingConfiguration) -> Response {
            guard let answer, Admission.wantsTraceID(headers, tracing), let id = GatewayTracing.currentTraceID() else { return response }
            return answer.response(traceID: id)
        }
    }

    /// Whether the request gets its trace id in `extensions.traceId`: tracing on, exposed by
    /// `tracing.expose_trace_id`, and asked for by `X-Switchyard-Trace-Id: true`.
    static func wantsTraceID(_ headers: HTTPFields, _ tracing: TracingConfiguration) -> Bool {
        tracing.enabled && tracing.exposeTraceId && headers[HTTPField.Name("X-Switchyard-Trace-Id")!]?.lowercased() == "true"
    }

    func admit(_ request: Request, _ accepted: ResponseWriting.Accepted, client: String?) async throws(Refusal) -> (RequestContext, GatewayRuntime.Profile) {
        try await admit(request.headers, accepted, client: client)
    }

    /// - Parameters:
    ///   - client: the client's IP address (anonymous requests are rate limited by it).
    ///   - takesQuota: whether admitting takes one request from the rate limit (a WebSocket's
    ///     `connection_init` does not: each operation it then runs does, `rateLimitError`).
    func admit(_ headers: HTTPFields, _ accepted: ResponseWriting.Accepted, client: String?, takesQuota: Bool = true) async throws(Refusal) -> (RequestContext, GatewayRuntime.Profile) {
        var context = try await identify(headers, accepted)
        context.acceptsStream = accepted.stream != nil
        context.acceptsIncremental = accepted.incremental != nil
        guard let profile = runtime.profile(for: context.tenant) else { throw Refusal(response: ResponseWriting.notLoaded) }
        context.maxReadBytes = profile.limits.maxReadBytes
        context.includeQueryPlan = profile.exposeQueryPlan && headers[HTTPField.Name("X-Switchyard-Query-Plan")!]?.lowercased() == "true"
        if takesQuota, let limited = await rateLimited(context, accepted, client: client) {
            if limited.code == "RATE_LIMITED" { runtime.metrics.rateLimited(tenant: context.tenant) }
            throw limited
        }
        return (context, profile)
    }

    /// The request's context: the tenant and scopes of a verified token, or (when enabled) the
    /// development header's tenant. A bad token, or none when one is required, is a 401 response.
    func identify(_ headers: HTTPFields, _ accepted: ResponseWriting.Accepted) async throws(Refusal) -> RequestContext {
        var ctx = RequestContext()
        ctx.headers = headers.map { ($0.name.canonicalName, $0.value) }
        let credential = Self.bearer(headers[.authorization])
        let malformedBearer = credential == .malformed
        let bearer: String? = if case .token(let t) = credential { t } else { nil }
        func unauthorized(_ error: GraphQLError) -> Refusal {
            Refusal(401, [error], accepted, headers: [.wwwAuthenticate: "Bearer"])
        }
        if runtime.authenticator != nil, malformedBearer {
            throw unauthorized(GraphQLError("The Authorization header is not \"Bearer <token>\".", code: "UNAUTHENTICATED"))
        }
        // One credential: a second Authorization header would travel to the subgraphs beside the
        // one verified (`headers.propagate`), unverified (probe 41A: `Basic x` first, then a forged
        // bearer token, reached a subgraph that trusts the gateway).
        if runtime.authenticator != nil, headers[values: .authorization].count > 1 {
            throw unauthorized(GraphQLError("A request carries one Authorization header at most.", code: "UNAUTHENTICATED"))
        }
        if let authenticator = runtime.authenticator, let bearer {
            do {
                let identity = try await authenticator.identity(bearer)
                ctx.authenticated = true
                ctx.scopes = identity.scopes
                ctx.policies = identity.policies
                ctx.tenant = identity.tenant.flatMap { $0.isEmpty ? nil : $0 }
                ctx.credentialsExpire = identity.expires
            } catch let e as GraphQLError {
                throw unauthorized(e)
            } catch {
                throw unauthorized(GraphQLError("Invalid token.", code: "UNAUTHENTICATED"))
            }
        } else if runtime.configuration.auth.required {
            throw unauthorized(GraphQLError("A bearer token is required.", code: "UNAUTHENTICATED"))
        }
        // The development header names the tenant only where no authentication is configured:
        // with auth, a token's tenant (or none) decides, and X-Tenant never picks a tenant's data
        // or its limits profile.
        if runtime.authenticator == nil, runtime.configuration.tenancy.developmentHeader,
           let t = headers[HTTPField.Name("X-Tenant")!], !t.isEmpty {
            ctx.tenant = t
        }
        // A tenant's quotas (`maxQueryCost` with `requestsPerMinute`) apply when rate limits are on.
        if let tenant = ctx.tenant, runtime.configuration.rateLimits.enabled {
            ctx.tenantMaxCost = runtime.quotas?.quota(for: tenant)?.maxQueryCost
        }
        ctx.includeTraceID = Self.wantsTraceID(headers, runtime.configuration.tracing)
        return ctx
    }

    /// At most one warning per 10 seconds while Redis does not answer the rate limiter.
    static let redisWarnings = LogThrottle()

    /// 429 when the request's tenant is over its requests-per-minute quota — or, for a request
    /// without a known tenant, when its client address is over `rate_limits.anonymous_per_minute`.
    /// A batch of `count` operations admitted as one request takes `count − 1` more from the
    /// quota: each operation counts (`max_batch` does not multiply the quota).
    func admitBatch(_ count: Int, _ context: RequestContext, _ accepted: ResponseWriting.Accepted, client: String?) async throws(Refusal) {
        for _ in 1..<max(1, count) {
            if let limited = await rateLimited(context, accepted, client: client) {
                if limited.code == "RATE_LIMITED" { runtime.metrics.rateLimited(tenant: context.tenant) }
                throw limited
            }
        }
    }

    func rateLimited(_ context: RequestContext, _ accepted: ResponseWriting.Accepted, client: String?) async -> Refusal? {
        guard let (error, seconds, status) = await rateLimitError(context, client: client) else { return nil }
        return Refusal(status, [error], accepted, headers: [.retryAfter: String(seconds)], tenant: context.tenant)
    }

    /// Takes one request from the quota that applies (the tenant's, else the client address's
    /// anonymous one): nil when it had room, else the `RATE_LIMITED` error and the seconds until
    /// it has room again (and the status: 429; 503 while Redis does not answer and
    /// `rate_limits.fail_open` is false).
    func rateLimitError(_ context: RequestContext, client: String?) async -> (GraphQLError, Int, status: Int)? {
        guard let limiter = runtime.rateLimiter else { return nil }
        let key: String, perMinute: Int, message: String
        if let tenant = context.tenant, let quota = runtime.quotas?.quota(for: tenant) {
            (key, perMinute) = ("tenant:\(tenant):ratelimit:rpm", quota.requestsPerMinute)
            message = "Tenant \(tenant) is over its quota of \(perMinute) requests per minute."
        } else if let client, let anonymous = runtime.configuration.rateLimits.anonymousPerMinute, anonymous > 0 {
            (key, perMinute) = ("client:\(client):ratelimit:rpm", anonymous)
            message = "Too many requests without a tenant from this address (\(perMinute) per minute)."
        } else {
            return nil
        }
        let taken: RateLimiter.Decision
        do {
            taken = try await limiter.take(key: key, perMinute: perMinute)
        } catch {
            // Redis cannot be reached: requests go through unlimited (availability over the
            // quota, as documented) — or, with `fail_open: false`, are refused —, and the
            // operator hears of it (at most every 10 s).
            let failOpen = runtime.configuration.rateLimits.failOpen
            Self.redisWarnings.log(runtime.logger, .warning,
                                   failOpen ? "rate limits are not enforced: Redis did not answer" : "requests are refused: Redis did not answer the rate limiter (rate_limits.fail_open: false)",
                                   kind: "redis", metadata: ["error": "\(error)"])
            if failOpen { return nil }
            return (GraphQLError("The rate limiter cannot be reached; try again shortly.", code: "RATE_LIMIT_UNAVAILABLE", extensions: ["retryAfterSeconds": .int(1)]), 1, 503)
        }
        guard case .limited(let ms) = taken else { return nil }
        let seconds = (ms + 999) / 1_000
        return (GraphQLError(message, code: "RATE_LIMITED", extensions: ["retryAfterSeconds": .int(seconds)]), seconds, 429)
    }
}

