import CoreMetrics
import Synchronization
import Tracing
import Federation
import HTTPTypes
import Hummingbird
import NIOCore
import PlatformKit
import Postgres
import Prometheus

/// The process's metrics: swift-metrics bootstrapped once with a Prometheus registry, which
/// `GET /metrics` writes in the Prometheus text format. Everything records through
/// swift-metrics (the gateway here, the platform subgraphs in `PlatformMetrics`, the Postgres
/// and Redis clients), so one registry holds all of it.
public enum MetricsExport {
    /// Durations in seconds: 1 ms to 10 s.
    static let buckets: [Duration] = [.milliseconds(1), .microseconds(2_500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                      .microseconds(2_500_000), .seconds(5), .seconds(10)]

    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = buckets
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Bootstraps swift-metrics (once per process).
    public static func bootstrap() { _ = registry }

    /// The Prometheus text exposition of every series, each family with its `# HELP` line
    /// (swift-metrics carries no help text: it is added here, by family name).
    public static func text() -> [UInt8] {
        var out: [UInt8] = []
        registry.emit(into: &out)
        var withHelp: [UInt8] = []
        withHelp.reserveCapacity(out.count + 4_096)
        let type = Array("# TYPE ".utf8)
        for line in out.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.starts(with: type) {
                let name = line.dropFirst(type.count).prefix { $0 != UInt8(ascii: " ") }
                let family = String(decoding: name, as: UTF8.self)
                withHelp += "# HELP ".utf8
                withHelp += name
                withHelp.append(UInt8(ascii: " "))
                withHelp += (help[family] ?? family.replacingOccurrences(of: "_", with: " ")).utf8
                withHelp.append(UInt8(ascii: "\n"))
            }
            withHelp += line
            withHelp.append(UInt8(ascii: "\n"))
        }
        if withHelp.last == UInt8(ascii: "\n"), out.last != UInt8(ascii: "\n") { withHelp.removeLast() }
        return withHelp
    }

    /// Each family's help text (README: Metrics).
    static let help: [String: String] = [
        "http_server_request_duration_seconds": "Duration of HTTP requests by method, route and status.",
        "switchyard_operations_total": "GraphQL operations by type, name, outcome, error code and tenant.",
        "switchyard_operation_duration_seconds": "Duration of GraphQL operations by type, name, outcome and tenant.",
        "switchyard_limit_rejections_total": "Operations refused by a query limit, by limit.",
        "switchyard_rate_limited_total": "Requests refused by a tenant's rate limit.",
        "switchyard_subgraph_request_duration_seconds": "Duration of subgraph requests by subgraph and transport.",
        "switchyard_subgraph_errors_total": "Subgraph requests that failed or answered errors, by subgraph and transport.",
        "switchyard_query_plan_cache_hits_total": "Query plans found in the plan cache.",
        "switchyard_query_plan_cache_misses_total": "Query plans not found in the plan cache (planned).",
        "switchyard_query_planning_duration_seconds": "Time spent planning operations.",
        "switchyard_subscriptions_active": "Subscriptions running now.",
        "switchyard_subscriptions_dropped_total": "Subscriptions whose connection was dropped after a too slow subscriber did not take its close.",
        "switchyard_subscriptions_too_slow_total": "Subscriptions ended because their subscriber fell behind.",
        "switchyard_db_pool_connections": "PostgreSQL pool connections by state.",
        "switchyard_db_query_duration_seconds": "Duration of PostgreSQL statements.",
        "switchyard_redis_errors_total": "Redis commands that failed.",
        "switchyard_events_appended_total": "Events appended to the event store, by type.",
        "switchyard_tasks_total": "Task transitions, by state.",
        "switchyard_projection_position": "The event store position each projection has reached.",
        "switchyard_projection_lag_events": "Events each projection is behind the event store's head.",
        "switchyard_dataproduct_cache_hits_total": "Data product searches answered from the cache.",
        "switchyard_dataproduct_cache_misses_total": "Data product searches answered from PostgreSQL.",
    ]
}

/// What the gateway itself records. Label values are bounded: the tenant only when it is a
/// known tenant (else `unknown`), operation names only for known documents (persisted, or
/// already validated and cached), refusal codes from our own fixed set.
struct GatewayMetrics: Sendable {
    let tenantLabel: Bool
    let knownTenant: @Sendable (String) -> Bool

    func tenant(_ slug: String?) -> [(String, String)] {
        guard tenantLabel else { return [] }
        guard let slug else { return [("tenant", "none")] }
        return [("tenant", knownTenant(slug) ? slug : "unknown")]
    }

    /// `path` when it is one of the gateway's routes (a bounded set: labels and span names).
    static func route(_ path: String) -> String? {
        // As the router matches it: empty segments (`/graphql/`, `//graphql`) do not count.
        let matched = "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return ["/graphql", "/graphql/stream", "/health", "/ready", "/metrics"].contains(matched) ? matched : nil
    }

    /// `http_server_request_duration_seconds{method, route, status}` (route: one of ours, else
    /// `other`, so that probes and scrapes stay apart from GraphQL traffic).
    static func httpRequest(method: String, path: String, status: Int, since start: ContinuousClock.Instant) {
        let route = Self.route(path) ?? "other"
        let timer = handles.timer(["http", method, route, String(status)]) {
            Timer(label: "http_server_request_duration_seconds", dimensions: [("method", method), ("route", route), ("status", String(status))])
        }
        record(timer, since: start)
    }

    /// `switchyard_operations_total` and `switchyard_operation_duration_seconds`.
    func operation(_ report: OperationReport, tenant slug: String?, since start: ContinuousClock.Instant) {
        let outcome = report.outcome
        let owner = slug.flatMap { knownTenant($0) ? $0 : nil } ?? ""
        let base = [("type", report.type ?? "unknown"), ("name", Self.nameLabel(report.name, owner: owner)), ("outcome", outcome)] + tenant(slug)
        let code = Self.codeLabel(report.code)
        let key = ["operation"] + base.map(\.1)
        Self.handles.counter(key + [code]) { Counter(label: "switchyard_operations_total", dimensions: base + [("code", code)]) }.increment()
        Self.record(Self.handles.timer(key + [code]) { Timer(label: "switchyard_operation_duration_seconds", dimensions: base + [("code", code)]) }, since: start)
        if let code = report.code, outcome == "rejected", Self.isLimit(code) { Self.limitRejection(code) }
    }

    /// The handles of the series recorded per request, by the metric and its label values (the
    /// first element names the metric: "http", "operation"): a series is
    /// looked up in the registry once (which builds its name and takes the registry's lock),
    /// not per request. Label values are bounded (see above); past `limit` series the cache is
    /// emptied and fills again.
    static let handles = MetricHandles(limit: 4_096)

    /// A request refused before the pipeline (size, batch, authentication, rate limit).
    func refused(code: String?, tenant slug: String?, since start: ContinuousClock.Instant) {
        let code = Self.codeLabel(code ?? "BAD_REQUEST")
        let base = [("type", "unknown"), ("name", "unknown"), ("outcome", "rejected")] + tenant(slug)
        Counter(label: "switchyard_operations_total", dimensions: base + [("code", code)]).increment()
        // Observed as an operation's duration too (the histogram's count is the operations').
        Self.record(Self.handles.timer(["operation"] + base.map(\.1) + [code]) {
            Timer(label: "switchyard_operation_duration_seconds", dimensions: base + [("code", code)])
        }, since: start)
        if Self.isLimit(code) { Self.limitRejection(code) }
    }

    /// `switchyard_rate_limited_total{tenant}`.
    func rateLimited(tenant slug: String?) {
        Counter(label: "switchyard_rate_limited_total", dimensions: tenant(slug)).increment()
    }

    /// A response's error code as a label value: a subgraph's codes are its own, so only the
    /// first 64 distinct codes of the usual form (`UPPER_SNAKE`, up to 64 characters) are
    /// labels of their own; any other is `OTHER` (a subgraph sending a new code per error would
    /// otherwise add a series per request, for good).
    static func codeLabel(_ code: String?) -> String {
        guard let code else { return "" }
        let usual = (1...64).contains(code.utf8.count) && code.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        return usual ? codes.label(code) : codes.other
    }
    static let codes = BoundedLabelValues(limit: 64, perOwner: 64, other: "OTHER")

    /// An operation's name as a label value: the first 1,000 distinct names of up to 64 bytes
    /// (at most 100 from one tenant) are labels of their own; a longer one, or any name after
    /// those, is `other` (names come
    /// from clients: each new one would add series for good, and a 500 KB name made a 500 KB
    /// label).
    static func nameLabel(_ name: String?, owner: String = "") -> String {
        guard let name else { return "unknown" }
        if name == "anonymous" { return name }
        return name.utf8.count <= 64 ? names.label(name, owner: owner) : names.other
    }
    /// Each tenant (and all requests without a known tenant together) adds at most 100 names: one
    /// tenant's new names do not use up the others'.
    static let names = BoundedLabelValues(limit: 1_000, perOwner: 100, other: "other")

    /// `switchyard_limit_rejections_total{code}`.
    static func limitRejection(_ code: String) {
        Counter(label: "switchyard_limit_rejections_total", dimensions: [("code", code)]).increment()
    }

    static func isLimit(_ code: String) -> Bool {
        code.hasSuffix("_EXCEEDED") || code.hasSuffix("_TOO_LARGE") || code == "COST_ESTIMATED_TOO_EXPENSIVE" || code == "RATE_LIMITED"
    }

    /// `switchyard_db_pool_connections{state}` from the pool as it is now (read at each scrape).
    static func pool(_ pool: PostgresPool) {
        let counts = pool.counts
        Gauge(label: "switchyard_db_pool_connections", dimensions: [("state", "idle")]).record(counts.idle)
        Gauge(label: "switchyard_db_pool_connections", dimensions: [("state", "in_use")]).record(counts.open - counts.idle)
        Gauge(label: "switchyard_db_pool_connections", dimensions: [("state", "waiting")]).record(pool.waiting)
    }

    static func record(_ timer: Timer, since start: ContinuousClock.Instant) {
        let d = start.duration(to: .now).components
        timer.recordNanoseconds(d.seconds * 1_000_000_000 + d.attoseconds / 1_000_000_000)
    }
}

/// Metric handles by their label values (see `GatewayMetrics.handles`).
final class MetricHandles: Sendable {
    private let counters: Mutex<[[String]: CoreMetrics.Counter]> = Mutex([:])
    private let timers: Mutex<[[String]: CoreMetrics.Timer]> = Mutex([:])
    let limit: Int
    init(limit: Int) { self.limit = limit }

    func counter(_ labels: [String], _ make: () -> CoreMetrics.Counter) -> CoreMetrics.Counter {
        Self.handle(counters, labels, limit, make)
    }

    func timer(_ labels: [String], _ make: () -> CoreMetrics.Timer) -> CoreMetrics.Timer {
        Self.handle(timers, labels, limit, make)
    }

    private static func handle<H: Sendable>(_ table: borrowing Mutex<[[String]: H]>, _ labels: [String], _ limit: Int, _ make: () -> H) -> H {
        if let h = table.withLock({ $0[labels] }) { return h }
        let h = make()
        table.withLock { t in
            if t.count >= limit { t.removeAll(keepingCapacity: true) }
            t[labels] = h
        }
        return h
    }
}

/// What a request's operation was and how it ended, for metrics and the access log.
public struct OperationReport: Sendable {
    public var type: String?
    public var name: String?
    /// The refusal's code, or the first error's code of a response with errors.
    public var code: String?
    public var rejected = false
    public var hadErrors = false
    /// Its client went away before the answer was ready (or cancelled it while it started): the
    /// client's doing, never the gateway's error (`CLIENT_CLOSED_REQUEST`, 499).
    public var cancelled = false
    public init() {}

    var outcome: String { cancelled ? "cancelled" : rejected ? "rejected" : hadErrors ? "errors" : "ok" }
}

/// `http_server_request_duration_seconds` for every route.
struct RequestMetricsMiddleware<Context: Hummingbird.RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method.rawValue, path = request.uri.path
        do {
            var response = try await next(request, context)
            let status = response.status.code
            guard response.body.contentLength == nil else {
                GatewayMetrics.httpRequest(method: method, path: path, status: status, since: start)
                return response
            }
            // A streamed answer (`@defer`'s later payloads, a subscription over SSE or multipart) is
            // written after the handler returns: the request lasts until its body is written (or
            // its writing failed), as OpenTelemetry's `http.server.request.duration` counts it.
            let body = response.body
            let record = WhenDone { GatewayMetrics.httpRequest(method: method, path: path, status: status, since: start) }
            response.body = ResponseBody { writer in
                defer { record.run() }
                try await body.write(writer)
            }
            return response
        } catch let error as HTTPResponseError {
            GatewayMetrics.httpRequest(method: method, path: path, status: error.status.code, since: start)
            throw error
        } catch {
            GatewayMetrics.httpRequest(method: method, path: path, status: 500, since: start)
            throw error
        }
    }
}

/// Runs its work once: when called, or when dropped uncalled (a response body never written).
final class WhenDone: Sendable {
    private let work: Mutex<(@Sendable () -> Void)?>
    init(_ work: @escaping @Sendable () -> Void) { self.work = Mutex(work) }
    func run() { work.withLock { w in defer { w = nil }; return w }?() }
    deinit { run() }
}

/// A subgraph transport that records `switchyard_subgraph_request_duration_seconds` and
/// `switchyard_subgraph_errors_total` (subgraph, transport: in-process or http).
struct MeasuredTransport: SubgraphTransport {
    let inner: any SubgraphTransport
    /// Made once per subgraph (not looked up in the registry per fetch).
    let duration: CoreMetrics.Timer
    let errors: CoreMetrics.Counter

    let subgraph: String
    let transport: String
    let spanName: String

    var runsInProcess: Bool { inner.runsInProcess }

    init(_ inner: any SubgraphTransport, subgraph: String) {
        self.inner = inner
        MetricsExport.bootstrap()
        self.subgraph = subgraph
        self.transport = inner is HTTPTransport ? "http" : "in-process"
        self.spanName = "fetch " + subgraph
        let dimensions = [("subgraph", subgraph), ("transport", transport)]
        self.duration = Timer(label: "switchyard_subgraph_request_duration_seconds", dimensions: dimensions)
        self.errors = Counter(label: "switchyard_subgraph_errors_total", dimensions: dimensions)
    }

    /// One span per subgraph request (`fetch <subgraph>`, a client span).
    func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
        try await span(spanName, ofKind: .client) { span in
            if span.isRecording {   // (a no-op span's attributes would still be built and dropped)
                span.attributes["switchyard.subgraph.name"] = subgraph
                span.attributes["switchyard.subgraph.transport"] = transport
            }
            let start = ContinuousClock.now
            do {
                let response = try await inner.fetch(request)
                GatewayMetrics.record(duration, since: start)
                // A request its client left (or its deadline ended) cancels its fetches: nothing
                // failed at the subgraph.
                if Task.isCancelled { return response }
                if !response.errors.isEmpty {
                    errors.increment()
                    if span.isRecording { span.attributes["switchyard.subgraph.errors"] = response.errors.count }
                }
                // A failure status with a GraphQL body is used, and still a failed request.
                if let status = response.failureStatus {
                    span.attributes["http.response.status_code"] = status
                    span.setStatus(SpanStatus(code: .error, message: "status \(status)"))
                }
                return response
            } catch {
                GatewayMetrics.record(duration, since: start)
                if error is CancellationError || Task.isCancelled {
                    span.attributes["switchyard.cancelled"] = true
                    throw CancellationError()   // (`withSpan` records what is thrown out of it as the span's error)
                }
                errors.increment()
                // (`withSpan` records the error thrown out of it: once.)
                span.setStatus(SpanStatus(code: .error))
                throw error
            }
        }
    }

    /// The subscription's start is a `fetch <subgraph>` client span; the work its events cause
    /// in the subgraph (started under it) stays in its trace.
    func subscribe(_ request: SubgraphRequest) async throws -> AsyncThrowingStream<SubgraphResponse, any Error> {
        try await span(spanName, ofKind: .client) { span in
            if span.isRecording {
                span.attributes["switchyard.subgraph.name"] = subgraph
                span.attributes["switchyard.subgraph.transport"] = transport
                span.attributes["switchyard.subgraph.subscription"] = true
            }
            do { return try await inner.subscribe(request) } catch {
                errors.increment()
                span.setStatus(SpanStatus(code: .error))
                throw error
            }
        }
    }
}

