import Foundation
import GraphQLCore
import Logging
import PlatformKit
import Postgres
import QueryLimits
import Redis
import ServiceLifecycle
import Synchronization

/// What one running gateway holds: its clients (created only when configured) and its schema.
final class GatewayRuntime: Sendable {
    let configuration: GatewayConfiguration
    let postgres: PostgresPool?
    let redis: RedisClient?
    let logger: Logger
    /// Parses, validates and executes requests; nil until a schema is loaded. Swapped whole on
    /// reload: a request keeps the pipeline it started with.
    private let current: Mutex<Pipelines?>
    var isLoaded: Bool { current.withLock { $0 != nil } }
    var pipelineIfLoaded: RequestPipeline? { current.withLock { $0?.base.pipeline } }
    /// The pipeline and limits with a tenant's overrides (the shared ones when it has none).
    /// One GraphQL request: persisted-query resolution, then the pipeline (HTTP and WebSocket alike).
    /// - Parameter timeoutMs: `request_timeout_ms` (nil: none, or a caller's own deadline): past
    ///   it the outcome is 504 `GATEWAY_TIMEOUT`, and that is what the metrics and the access log
    ///   record (the work, cancelled, records nothing of its own).
    /// - Parameter accepted: what the client accepts, when the outcome goes out as an HTTP
    ///   response: the access log records the status it gets (a refusal is a `200` stream with an
    ///   error event to a client of GraphQL over SSE).
    func run(_ pipeline: RequestPipeline, _ request: GraphQLRequest, _ method: RequestPipeline.Method,
             _ context: RequestContext, timeoutMs: Int? = nil, accepted: ResponseWriting.Accepted? = nil) async -> Outcome {
        let start = ContinuousClock.now
        let traceID = context.includeTraceID ? GatewayTracing.currentTraceID() : nil
        var outcome = await Deadline.outcome(within: timeoutMs, traceID: traceID) { await self.execute(pipeline, request, method, context, traceID: traceID) }
        if outcome.status == 504, outcome.report.code == nil {
            outcome.report.hadErrors = true
            outcome.report.code = "GATEWAY_TIMEOUT"
        } else if Task.isCancelled, outcome.status != 504, !outcome.payloads.isStream, outcome.incrementalRecord == nil {
            // Its client went away before the answer was ready (the request's task is cancelled
            // then): whatever the cancelled work answered goes to nobody — counted and logged as
            // the client's doing (499), not as a subgraph's or the gateway's error — unless the
            // gateway is draining: then its shutdown cut the request off (503), not the client
            // (probe 56C: logged as CLIENT_CLOSED_REQUEST).
            outcome = shutdownCutOff ? Self.cutOffByShutdown(outcome.report) : Self.clientLeft(outcome.report)
        }
        if let record = outcome.incrementalRecord {
            // Counted, timed and logged when its last payload is out, with the errors of all.
            let first = outcome.report, status = outcome.status, metrics = self.metrics
            record.whenDone { [self] hadErrors, code in
                var report = first
                if hadErrors {
                    report.hadErrors = true
                    if report.code == nil { report.code = code }
                }
                metrics.operation(report, tenant: context.tenant, since: start)
                accessLog(report, status: status, stream: true, context, since: start)
            }
            return outcome
        }
        metrics.operation(outcome.report, tenant: context.tenant, since: start)
        accessLog(outcome.report, status: accepted.map { ResponseWriting.status(outcome, $0) } ?? outcome.status,
                  stream: outcome.payloads.isStream, context, since: start)
        return outcome
    }

    /// The outcome of a request its client left before its answer was ready.
    static func clientLeft(_ report: OperationReport) -> Outcome {
        ended(report, status: 499, "The client closed the request before its answer was ready.", code: "CLIENT_CLOSED_REQUEST", clientsDoing: true)
    }

    /// The outcome of a request the gateway's shutdown ended before its answer was ready
    /// (`shutdown_timeout_ms` passed while it ran).
    static func cutOffByShutdown(_ report: OperationReport) -> Outcome {
        ended(report, status: 503, "The gateway shut down before the answer was ready.", code: "SHUTTING_DOWN", clientsDoing: false)
    }

    /// A request whose work was cancelled before its answer: counted as its client's doing
    /// (`cancelled`) or as the gateway's error.
    static func ended(_ report: OperationReport, status: Int, _ message: String, code: String, clientsDoing: Bool) -> Outcome {
        var outcome = Outcome(status: status, ExecutionResult(data: nil, errors: [GraphQLError(message, code: code)]))
        outcome.report = report
        outcome.report.cancelled = clientsDoing
        outcome.report.rejected = false
        outcome.report.hadErrors = !clientsDoing
        outcome.report.code = code
        return outcome
    }

    /// Persisted-query resolution, then the pipeline.
    private func execute(_ pipeline: RequestPipeline, _ request: GraphQLRequest, _ method: RequestPipeline.Method,
                         _ context: RequestContext, traceID: String?) async -> Outcome {
        var outcome: Outcome
        do {
            let resolved = try await persisted.resolve(request)
            outcome = await pipeline.run(resolved, method: method, context: context)
            if let hash = resolved.registers, let query = resolved.query, !outcome.report.rejected { await persisted.store(hash, query) }
        } catch {
            var result = ExecutionResult(data: nil, errors: [error.error])
            if let traceID { result.extensions = ["traceId": .string(traceID)] }
            outcome = Outcome(status: error.status, result)
            outcome.report.rejected = error.status != 200
            outcome.report.hadErrors = true
            outcome.report.code = error.error.extensions?["code"]?.stringValue
            // A miss is answered again once the client sent the query: no cache may keep it
            // (a GET's would otherwise be served from a CDN after the query is known).
            outcome.headers.append(("cache-control", "private, no-cache, must-revalidate"))
        }
        return outcome
    }

    /// One `info` line per operation: what it was, for whom, how it ended and how long it took.
    func accessLog(_ report: OperationReport, status: Int, stream: Bool, _ context: RequestContext, since start: ContinuousClock.Instant) {
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "status": .stringConvertible(status), "outcome": .string(report.outcome),
            "operation_type": .string(report.type ?? "unknown"), "duration_ms": Self.milliseconds(since: start),
        ]
        if let name = report.name { metadata["operation_name"] = .string(name) }
        if let code = report.code { metadata["code"] = .string(code) }
        if let tenant = context.tenant { metadata["tenant"] = .string(tenant) }
        if stream { metadata["stream"] = .stringConvertible(true) }
        logger.info("operation", metadata: metadata)
    }

    /// A request turned away before the pipeline (size, body, authentication, rate limit): its
    /// count, and its access line as an operation's (`outcome=rejected`, its status and code).
    func refused(_ refusal: Admission.Refusal, since start: ContinuousClock.Instant) {
        refused(code: refusal.code, status: Int(refusal.response.status.code), tenant: refusal.tenant, since: start)
    }

    /// A request (or a WebSocket's operation) turned away before the pipeline: counted, observed
    /// and logged as an operation.
    func refused(code: String?, status: Int, tenant: String?, since start: ContinuousClock.Instant) {
        metrics.refused(code: code, tenant: tenant, since: start)
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "status": .stringConvertible(status), "outcome": "rejected", "operation_type": "unknown",
            "code": .string(code ?? "BAD_REQUEST"), "duration_ms": Self.milliseconds(since: start),
        ]
        if let tenant { metadata["tenant"] = .string(tenant) }
        logger.info("operation", metadata: metadata)
    }

    /// Milliseconds since `start`, to the microsecond (an access line's `duration_ms`).
    static func milliseconds(since start: ContinuousClock.Instant) -> Logger.MetadataValue {
        let d = start.duration(to: .now).components
        let ms = Double(d.seconds) * 1_000 + Double(d.attoseconds) / 1e15
        return .stringConvertible((ms * 1000).rounded() / 1000)
    }

    /// What this gateway records (see `GatewayMetrics`).
    let metrics: GatewayMetrics

    func profile(for tenant: String?) -> Profile? {
        current.withLock { p in tenant.flatMap { p?.tenants[ExactText($0)] } ?? p?.base }
    }

    /// A pipeline and the limits it was built with.
    struct Profile: Sendable {
        let pipeline: RequestPipeline
        let limits: LimitsConfiguration
        /// `expose_query_plan` (reloaded with the pipelines).
        var exposeQueryPlan = false
    }

    /// One pipeline per set of limits: the configured ones, and each tenant's overrides.
    struct Pipelines: Sendable {
        let base: Profile
        /// By tenant slug, compared byte for byte (two slugs that differ only in Unicode
        /// normalization are two tenants: one's limits are not the other's).
        let tenants: [ExactText: Profile]
    }
    /// Tenant quotas and the shared rate limiter (when Postgres and Redis are configured).
    let quotas: TenantQuotas?
    let rateLimiter: RateLimiter?
    /// Persisted queries (automatic and trusted); nil when the manifest could not be read.
    let persisted: PersistedQueries
    /// Verifies bearer tokens when `auth.jwt` is configured.
    let authenticator: Authenticator?
    /// The reload watcher, if any (ended when the server stops).
    let watcher = Mutex<Task<Void, Never>?>(nil)
    /// GraphQL over SSE's single connection mode: reserved and open event streams.
    let sseReservations: SSEReservations

    /// Serves a new executor, with the keys of `reloaded` that apply without a restart: the
    /// operation and request limits (per tenant too) and `expose_query_plan` (subgraphs,
    /// supergraph, introspection and headers are the executor's). The rest keeps the values the
    /// server started with (`GatewayConfiguration.keysNeedingRestart`).
    func swap(to executor: any OperationExecutor, reloaded: GatewayConfiguration? = nil) {
        var applied = configuration
        if let reloaded {
            let headerLimits = (applied.limits.maxHeaderCount, applied.limits.maxHeaderBytes, applied.limits.requestHeaderTimeoutMs)
            applied.limits = reloaded.limits
            (applied.limits.maxHeaderCount, applied.limits.maxHeaderBytes, applied.limits.requestHeaderTimeoutMs) = headerLimits
            applied.exposeQueryPlan = reloaded.exposeQueryPlan
            applied.introspection = reloaded.introspection   // the executor's schema has it too
        }
        let pipelines = Self.pipelines(applied, executor, subscriptions)
        current.withLock { $0 = pipelines }
    }

    static func pipelines(_ configuration: GatewayConfiguration, _ executor: any OperationExecutor,
                          _ gate: SubscriptionGate) -> Pipelines {
        func make(_ limits: LimitsConfiguration) -> RequestPipeline {
            var p = pipeline(limits, executor)
            p.subscriptions = gate
            p.subscriptionBuffer = configuration.subscriptions.bufferSize
            p.subscriptionGrace = .milliseconds(Int64(configuration.subscriptions.slowConsumerGraceMs))
            p.introspection = configuration.introspection
            return p
        }
        let expose = configuration.exposeQueryPlan
        let base = Profile(pipeline: make(configuration.limits), limits: configuration.limits, exposeQueryPlan: expose)
        var tenants: [ExactText: Profile] = [:]
        for tenant in configuration.limits.tenants.keys {
            let limits = configuration.limits.effective(for: tenant)
            tenants[ExactText(tenant)] = Profile(pipeline: make(limits), limits: limits, exposeQueryPlan: expose)
        }
        return Pipelines(base: base, tenants: tenants)
    }

    /// Live subscriptions (one gate for every pipeline, across reloads).
    let subscriptions: SubscriptionGate

    static func pipeline(_ l: LimitsConfiguration, _ executor: any OperationExecutor) -> RequestPipeline {
        let limits = OperationLimits(maxDepth: l.maxDepth, maxAliases: l.maxAliases, maxRootFields: l.maxRootFields,
                                     maxDirectives: l.maxDirectives, maxFields: l.maxFields)
        return RequestPipeline(executor: executor, maxTokens: l.maxTokens, maxLiteralBytes: l.maxLiteralBytes, limits: limits,
                               cost: .init(maxCost: l.maxCost, measureOnly: l.costMode == "measure",
                                           defaultListSize: l.defaultListSize, report: l.reportCost))
    }

    convenience init(configuration: GatewayConfiguration, executor: (any OperationExecutor)?, logger: Logger) async throws {
        var authenticator: Authenticator?
        if let jwt = configuration.auth.jwt { authenticator = try await Authenticator(jwt, baseDirectory: configuration.baseDirectory) }
        self.init(configuration: configuration, executor: executor, logger: logger, clients: Self.clients(configuration), authenticator: authenticator)
    }

    init(configuration: GatewayConfiguration, executor: (any OperationExecutor)?, logger: Logger,
         clients: (postgres: PostgresPool?, redis: RedisClient?), authenticator: Authenticator?) {
        self.authenticator = authenticator
        self.configuration = configuration
        MetricsExport.bootstrap()
        PlatformMetrics.tenantLabels.store(configuration.metrics.tenantLabel, ordering: .relaxed)
        self.logger = logger
        let gate = SubscriptionGate(maxPerTenant: configuration.subscriptions.maxPerTenant)
        self.subscriptions = gate
        self.sseReservations = SSEReservations(lapse: .milliseconds(configuration.subscriptions.streamReservationLapseMs))
        self.current = Mutex(executor.map { Self.pipelines(configuration, $0, gate) })
        self.postgres = clients.postgres
        self.redis = clients.redis
        self.persisted = (try? PersistedQueries(configuration: configuration.persistedQueries, redis: clients.redis,
                                                baseDirectory: configuration.baseDirectory))
            ?? PersistedQueries(configuration: PersistedQueryConfiguration(), redis: clients.redis)
        // The tenants table (quotas, and which tenants are known to metrics) is read wherever it
        // is: with rate limits, or when the tenants module is served.
        let readsTenants = configuration.rateLimits.enabled || configuration.subgraphs.contains { $0.module == "tenants" }
        var tenantQuotas: TenantQuotas?
        if readsTenants, let pg = clients.postgres {
            // Its own pool: reloading quotas never competes with requests.
            tenantQuotas = TenantQuotas(pool: PostgresPool(configuration: .init(url: pg.configuration.url, minConnections: 0, maxConnections: 1)),
                                        logger: logger)
            tenantQuotas?.start()
        }
        self.quotas = tenantQuotas
        if configuration.rateLimits.enabled, tenantQuotas != nil, let redis = clients.redis {
            self.rateLimiter = RateLimiter(redis: redis)
        } else {
            self.rateLimiter = nil
        }
        let quotas = self.quotas, configured = Set(configuration.limits.tenants.keys.map(ExactText.init)), verified = authenticator != nil
        self.metrics = GatewayMetrics(tenantLabel: configuration.metrics.tenantLabel) { slug in
            // Known: a tenant of the tenants table, one the configuration names (byte for byte, as
            // the rest of the gateway tells tenants apart), or a verified token's.
            quotas?.quota(for: slug) != nil || configured.contains(ExactText(slug)) || (quotas == nil && verified)
        }
    }

    /// The clients a configuration asks for (none when it names neither Postgres nor Redis).
    static func clients(_ configuration: GatewayConfiguration) -> (postgres: PostgresPool?, redis: RedisClient?) {
        // Before any pool: a pool makes its metrics when it is made.
        MetricsExport.bootstrap()
        var postgres: PostgresPool?
        if let pg = configuration.postgres, !pg.url.isEmpty {
            // Requests' statements are bounded (10 s unless configured); background work and
            // `db migrate` / `db seed` use pools of their own without the bound.
            let timeout = pg.statementTimeoutMs ?? 10_000
            postgres = PostgresPool(configuration: .init(url: pg.url, minConnections: pg.minConnections ?? 5, maxConnections: pg.maxConnections ?? 20,
                                                         acquireTimeout: .milliseconds(Int64(max(1, pg.acquireTimeoutMs ?? 5_000))),
                                                         statementTimeoutMs: timeout > 0 ? timeout : nil))
        }
        let redis = configuration.redis.flatMap { r in
            (try? RedisClient.Configuration(url: r.url, connections: r.connections ?? 8)).map { RedisClient(configuration: $0) }
        }
        return (postgres, redis)
    }

    var services: [any Service] { [] }

    /// Shutting down: `/ready` answers 503, subscriptions complete, WebSocket connections close.
    let draining = Atomic<Bool>(false)
    private let drainHandlers = Mutex<[UUID: @Sendable () async -> Void]>([:])

    /// Something to end when the gateway drains (e.g. a WebSocket connection); nil once draining.
    func onDrain(_ handler: @escaping @Sendable () async -> Void) -> UUID? {
        drainHandlers.withLock { h in
            guard !draining.load(ordering: .acquiring) else { return nil }
            let id = UUID()
            h[id] = handler
            return id
        }
    }

    func removeDrainHandler(_ id: UUID) { _ = drainHandlers.withLock { $0.removeValue(forKey: id) } }

    func drain() async {
        let handlers = drainHandlers.withLock { h -> [@Sendable () async -> Void] in
            draining.store(true, ordering: .releasing)
            defer { h = [:] }
            return Array(h.values)
        }
        logger.info("draining: readiness off, subscriptions ending", metadata: ["subscriptions": "\(subscriptions.liveCount)"])
        subscriptions.drain()
        for h in handlers { await h() }
        await sseReservations.drain()
    }

    /// Ends what runs beside the server: the reload watcher, the quota reloader, and the
    /// projection runner of this gateway's pool.
    func stopBackgroundWork() {
        watcher.withLock { $0?.cancel() }
        quotas?.stop()
        if let postgres { PlatformModules.stopBackgroundWork(postgres) }
    }

    /// Ready when a schema is loaded and every configured backing service answers.
    /// Readiness off (SIGTERM's first step, before the drain): `/ready` answers 503.
    let leaving = Atomic<Bool>(false)
    /// When the graceful shutdown began (`leaving`): requests still running `shutdown_timeout_ms`
    /// later are cancelled by it.
    private let leftAt = Mutex<ContinuousClock.Instant?>(nil)

    func markLeaving() {
        leftAt.withLock { $0 = $0 ?? .now }
        leaving.store(true, ordering: .releasing)
    }

    /// Whether a request cancelled now was cut off by the shutdown (its timeout has passed), not
    /// left by its client (review 56: a client leaving during the drain was counted as a cut-off).
    var shutdownCutOff: Bool {
        guard let at = leftAt.withLock({ $0 }) else { return false }
        // (Half a second short of it: `leftAt` is taken when the drain's task wakes, which on a
        // busy machine may be a little after the shutdown's own clock started.)
        return at.duration(to: .now) >= .milliseconds(configuration.shutdownTimeoutMs) - .milliseconds(500)
    }

    /// What the gateway waits for before it is ready, empty when it is (`/ready` names them):
    /// `shutting_down`, `schema`, `tenant_quotas`, `subgraphs` (a remote one did not answer),
    /// `jwks`, `postgres`, `redis`.
    func notReady() async -> [String] {
        if draining.load(ordering: .acquiring) || leaving.load(ordering: .acquiring) { return ["shutting_down"] }
        guard let pipeline = pipelineIfLoaded else { return ["schema"] }
        var waiting: [String] = []
        if !(quotas?.isLoaded ?? true) { waiting.append("tenant_quotas") }
        if !(await pipeline.executor.isReady()) { waiting.append("subgraphs") }
        // A `jwks_url` never read yet: tokens signed with its keys are all refused.
        if let authenticator, !authenticator.keysLoaded { waiting.append("jwks") }
        if let postgres, (try? await postgres.query("SELECT 1")) == nil { waiting.append("postgres") }
        if let redis, (try? await redis.ping()) != true { waiting.append("redis") }
        return waiting
    }
}
