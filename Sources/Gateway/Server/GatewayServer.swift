import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import Postgres
import Redis
import ServiceLifecycle

/// The HTTP face of the gateway: `POST/GET /graphql`, `GET /health`, `GET /ready`.
///
/// ```swift
/// let server = try await GatewayServer(configuration: config)
/// try await server.run()   // until SIGINT/SIGTERM
/// ```
public final class GatewayServer: Sendable {
    public let configuration: GatewayConfiguration
    let runtime: GatewayRuntime
    let logger: Logger

    /// - Parameter executor: what runs validated operations (an in-process schema, or the
    ///   federation executor); without one `/graphql` answers 503 and `/ready` is false.
    public init(configuration: GatewayConfiguration, executor: (any OperationExecutor)? = nil,
                logger: Logger = Logger(label: "switchyard")) async throws {
        self.configuration = configuration
        self.logger = logger
        self.runtime = try await GatewayRuntime(configuration: configuration, executor: executor, logger: logger)
    }

    /// Subscriptions whose source stream runs now (for tests and draining).
    public var liveSubscriptions: Int { runtime.subscriptions.liveCount }
    /// Subscribers ended because they fell behind (`SUBSCRIBER_TOO_SLOW`).
    public var tooSlowSubscribers: Int { runtime.subscriptions.tooSlowCount }
    /// Too-slow subscribers whose connections were dropped (their last payload not taken in time).
    public var droppedSubscribers: Int { runtime.subscriptions.droppedCount }

    /// Refuses a database role that row-level security would not bind: a superuser, a role with
    /// BYPASSRLS, or one that owns the tables (the migrating role, whose maintenance policies see
    /// every tenant). The gateway connects as the application role; `db migrate` and `db seed`
    /// use `postgres.owner_url`.
    public static func checkDatabaseRole(_ pool: PostgresPool) async throws {
        let row: PostgresRow
        do {
            guard let r = try await pool.query("""
                SELECT current_user::text AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypass,
                       EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                               WHERE n.nspname = 'public' AND c.relowner = r.oid AND c.relkind IN ('r', 'p')) AS owns
                FROM pg_roles r WHERE r.rolname = current_user
                """).first else { return }
            row = r
        } catch {
            return   // not reachable now: readiness reports it; the role is checked when it is
        }
        let name: String = try row.decode("name")
        var reasons: [String] = []
        if try row.decode("superuser", as: Bool.self) { reasons.append("is a superuser") }
        if try row.decode("bypass", as: Bool.self) { reasons.append("has BYPASSRLS") }
        if try row.decode("owns", as: Bool.self) { reasons.append("owns the tables (it is the migrating role)") }
        guard reasons.isEmpty else {
            throw ConfigurationError("postgres.url connects as role \(name), which \(reasons.joined(separator: " and ")): row-level security would not "
                                     + "keep tenants apart. Connect as the application role (e.g. switchyard_app) and keep the owner for "
                                     + "postgres.owner_url (db migrate, db seed).")
        }
    }

    /// SQL statements this gateway's pool has sent (batching keeps this flat as lists grow).
    public var postgresStatementCount: Int { runtime.postgres?.statistics.statementCount ?? 0 }
    /// The requests-per-minute quota this gateway holds for a tenant (nil: not loaded, or unknown).
    public func tenantRequestsPerMinute(_ slug: String) -> Int? { runtime.quotas?.quota(for: slug)?.requestsPerMinute }
    /// Event store writes waiting for their turn in the platform subgraphs' append line.
    public var appendsWaiting: Int { runtime.postgres.map(PlatformModules.appendsWaiting) ?? 0 }
    /// Exchanges with PostgreSQL this gateway's pool has made (statements sent together count once).
    public var postgresRoundTripCount: Int { runtime.postgres?.statistics.roundTripCount ?? 0 }

    /// The Postgres and Redis clients a configuration asks for.
    public static func clients(_ configuration: GatewayConfiguration) -> (postgres: PostgresPool?, redis: RedisClient?) {
        GatewayRuntime.clients(configuration)
    }

    /// A gateway over the supergraph its configuration describes (composed from `subgraphs`,
    /// or read from `supergraph`), with in-package modules in-process and the rest over HTTP.
    ///
    /// With `reloadFrom` (the configuration file's path), the gateway watches that file and the
    /// supergraph file and swaps to a new schema when they change, keeping the old one when the
    /// new files are broken.
    public static func fromConfiguration(_ configuration: GatewayConfiguration, reloadFrom path: String? = nil,
                                         logger: Logger = Logger(label: "switchyard")) async throws -> GatewayServer {
        let clients = GatewayRuntime.clients(configuration)
        if let postgres = clients.postgres { try await checkDatabaseRole(postgres) }
        let deps = ModuleDependencies(postgres: clients.postgres, redis: clients.redis)
        let executor = try await loadExecutor(configuration, deps)
        for warning in SchemaLoader.warnings(executor.supergraph, configuration) { logger.warning("\(warning)") }
        PlatformModules.startBackgroundWork(configuration, deps)
        let server = try await GatewayServer(configuration: configuration, executor: executor, logger: logger, clients: clients)
        if let path { server.watch(path, deps) }
        return server
    }

    static func loadExecutor(_ configuration: GatewayConfiguration, _ deps: ModuleDependencies) async throws -> FederatedExecutor {
        let loaded = try await SchemaLoader.load(configuration, modules: try SubgraphModules.all(configDirectory: configuration.baseDirectory), dependencies: deps)
        return FederatedExecutor(supergraph: loaded.supergraph, transports: loaded.transports, headers: configuration.headers,
                                 errorExtensionsFrom: Set(configuration.subgraphs.filter { $0.includeErrorExtensions ?? ($0.module != nil) }.map(\.name)),
                                 planningTimeoutMs: configuration.limits.maxPlanningMs ?? Int(Int32.max))
    }

    /// Polls the configuration and supergraph files (by content, once a second) and reloads on change.
    func watch(_ path: String, _ deps: ModuleDependencies) {
        let runtime = self.runtime, logger = self.logger
        /// The configuration's text (read by the caller) and the files it names, by content.
        func snapshot(_ text: String?, _ config: GatewayConfiguration?) -> [String?] {
            var files: [String] = []
            if let c = config, let s = c.supergraph { files.append(c.resolvePath(s)) }
            if let c = config { files += c.subgraphs.compactMap { $0.schema.map(c.resolvePath) } }
            return [text] + files.map { try? String(contentsOfFile: $0, encoding: .utf8) }
        }
        func read() -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
        let task = Task.detached {
            let started = read()
            var seen = snapshot(started, runtime.configuration)
            // The configuration is parsed again only when its text changed (YAML decoding is
            // the costly part of a poll); its files are compared by content every time.
            var parsed: (text: String?, config: GatewayConfiguration?) = (started, runtime.configuration)
            var failed: (files: [String?], at: ContinuousClock.Instant, message: String)?
            let retry = Duration.seconds(5)
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let text = read()
                if text != parsed.text { parsed = (text, try? GatewayConfiguration.load(path: path)) }
                let now = snapshot(text, parsed.config ?? runtime.configuration)
                // Back to what serves: a failure before is over (the same break written again
                // is a new one, and logged).
                guard now != seen else {
                    if failed != nil {
                        logger.info("the configuration's files are back to the ones being served; the failed reload is over")
                        failed = nil
                    }
                    continue
                }
                // Files that failed to load are tried again every `retry` (a subgraph whose SDL
                // could not be fetched may be up by then: a rolling deploy writes the new URL
                // before the service answers); the same failure is logged once.
                if let f = failed, f.files == now, ContinuousClock.now < f.at.advanced(by: retry) { continue }
                do {
                    let config = try GatewayConfiguration.load(path: path)
                    let executor = try await GatewayServer.loadExecutor(config, deps)
                    runtime.swap(to: executor, reloaded: config)
                    // A module the reload added starts its background work (the projection
                    // runner), one it removed stops it.
                    PlatformModules.startBackgroundWork(config, deps)
                    // Keys it does not read, and what it reads but cannot match, as at start.
                    for key in text.map(GatewayConfiguration.unknownKeys(yaml:)) ?? [] {
                        logger.warning("unknown configuration key ignored", metadata: ["key": "\(key)", "file": "\(path)"])
                    }
                    for warning in config.warnings() + SchemaLoader.warnings(executor.supergraph, config) { logger.warning("\(warning)") }
                    logger.info("reloaded the configuration: subgraphs, supergraph, introspection, defer, headers, limits and expose_query_plan apply now",
                                metadata: ["subgraphs": "\(executor.supergraph.graphs.map(\.name))"])
                    let stale = config.keysNeedingRestart(comparedWith: runtime.configuration)
                    if !stale.isEmpty {
                        logger.warning("changed keys need a restart to take effect; they keep the values the server started with",
                                       metadata: ["keys": "\(stale.joined(separator: ", "))"])
                    }
                    seen = now
                    failed = nil
                } catch {
                    let message = "\(error)"
                    if failed?.files != now || failed?.message != message {
                        logger.error("reload failed; still serving the previous schema (tried again every \(retry) until the files change or load)",
                                     metadata: ["error": "\(message)"])
                    }
                    failed = (now, ContinuousClock.now, message)
                }
            }
        }
        runtime.watcher.withLock { $0 = task }
    }

    init(configuration: GatewayConfiguration, executor: (any OperationExecutor)?, logger: Logger,
         clients: (postgres: PostgresPool?, redis: RedisClient?)) async throws {
        self.configuration = configuration
        self.logger = logger
        var authenticator: Authenticator?
        if let jwt = configuration.auth.jwt { authenticator = try await Authenticator(jwt, baseDirectory: configuration.baseDirectory) }
        self.runtime = GatewayRuntime(configuration: configuration, executor: executor, logger: logger, clients: clients, authenticator: authenticator)
    }

    func makeRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
        // The request's span first: everything after it (and its logs) is inside the trace.
        if configuration.tracing.enabled {
            router.add(middleware: ServerSpanMiddleware(scheme: configuration.tls == nil ? "http" : "https"))
            router.add(middleware: GatewayTracing.RecordingMiddleware())
        }
        if configuration.metrics.enabled { router.add(middleware: RequestMetricsMiddleware()) }
        let l = configuration.limits
        if l.maxHeaderCount != nil || l.maxHeaderBytes != nil {
            router.add(middleware: HeaderLimitsMiddleware(maxCount: l.maxHeaderCount, maxBytes: l.maxHeaderBytes))
        }
        if configuration.cors.enabled { router.add(middleware: CORSMiddleware(settings: configuration.cors)) }
        router.get("health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        let runtime = self.runtime
        router.get("ready") { _, _ in
            let waiting = await runtime.notReady()
            let body = waiting.isEmpty ? #"{"ready":true}"# : #"{"ready":false,"waiting":[\#(waiting.map { "\"\($0)\"" }.joined(separator: ","))]}"#
            return Response(status: waiting.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        if configuration.metrics.enabled, configuration.metrics.listen == nil {
            addMetricsRoute(router, tokenRequired: configuration.auth.required, scope: configuration.metrics.scope)
        }
        GraphQLHTTPHandler(runtime: runtime).register(on: router)
        return router
    }

    /// `GET /metrics`: every series in the Prometheus text format (the pool's gauges read now).
    /// `tokenRequired`: on the public listener with `auth.required`, a valid bearer token too —
    /// the series name tenants, their operations and event types (a listener of its own,
    /// `metrics.listen`, is for the operator's network and takes none) — carrying `scope` when one
    /// is set (`metrics.scope`): any tenant's user holds a valid token.
    func addMetricsRoute(_ router: Router<GatewayRequestContext>, tokenRequired: Bool = false, scope: String? = nil) {
        let postgres = runtime.postgres, subscriptions = runtime.subscriptions, authenticator = runtime.authenticator
        router.get("metrics") { request, _ in
            if tokenRequired {
                var identity: Authenticator.Identity?
                if let authenticator, case .token(let token) = Admission.bearer(request.headers[.authorization]) {
                    identity = try? await authenticator.identity(token)
                }
                guard let identity else {
                    return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer", .contentType: "text/plain; charset=utf-8"],
                                    body: .init(byteBuffer: ByteBuffer(string: "A bearer token is required (auth.required); or serve the metrics on metrics.listen.\n")))
                }
                if let scope, !identity.scopes.contains(scope) {
                    return Response(status: .forbidden, headers: [.wwwAuthenticate: "Bearer error=\"insufficient_scope\", scope=\"\(scope)\"", .contentType: "text/plain; charset=utf-8"],
                                    body: .init(byteBuffer: ByteBuffer(string: "The metrics take a token with the scope \(scope) (metrics.scope); or serve them on metrics.listen.\n")))
                }
            }
            if let postgres { GatewayMetrics.pool(postgres) }
            Gauge(label: "switchyard_subscriptions_active").record(subscriptions.liveCount)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: MetricsExport.text())))
        }
    }

    /// `/metrics` on a listener of its own (`metrics.listen`), run beside the main server.
    func metricsApplication() -> (any Service)? {
        guard configuration.metrics.enabled, let listen = configuration.metrics.listen,
              let address = GatewayConfiguration.hostAndPort(listen) else { return nil }
        let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
        addMetricsRoute(router)
        return Application(router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "switchyard-metrics"),
                           logger: logger)
    }

    /// HTTP/1.1 with the WebSocket upgrade on `/graphql`, the request guard behind the decoder
    /// (`HTTP1RequestGuard`), and (when set) the request-head timeout: the first head through
    /// `FirstHeadTimeout` in front of the upgrade check, later ones through `RequestTimeouts`.
    static func serverBuilder(_ limits: LimitsConfiguration, _ webSocket: GraphQLWebSocket) -> HTTPServerBuilder {
        // A client's message may be as large as `subscriptions.max_message_bytes` in one frame
        // (the library's default frame limit, 16 KiB, closed the socket with 1009 before). A text
        // message that is not UTF-8 closes the connection with 1007 (RFC 6455 §8.1; its bytes
        // were read with replacement characters before).
        let frames = max(1 << 14, webSocket.runtime.configuration.subscriptions.maxMessageBytes)
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(http1: .init(additionalChannelHandlers: connectionHandlers(limits: limits)),
                                                                       ws: WebSocketServerConfiguration(maxFrameSize: frames, validateUTF8: true))
        let shouldUpgrade: @Sendable (HTTPRequest, any Channel, Logger) async throws
            -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> = { request, channel, _ in webSocket.shouldUpgrade(request, channel: channel) }
        let firstHead = limits.requestHeaderTimeoutMs.map { TimeAmount.milliseconds(Int64($0)) }
        return HTTPServerBuilder { responder in
            GuardedHTTPChannel(inner: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: configuration, shouldUpgrade: shouldUpgrade),
                               firstHeadTimeout: firstHead)
        }
    }

    /// `https` when the listener serves TLS.
    public var scheme: String { configuration.tls == nil ? "http" : "https" }

    /// Handlers each HTTP connection gets (`RequestTimeouts`): a kept-alive connection must start
    /// its next request head within a minute of its previous response (or the head timeout, if
    /// longer) — longer than the first head's timeout, so that clients' pooled connections are
    /// rarely closed under them; a request's body must arrive within `request_timeout_ms`.
    /// And `StreamInputWatch`: a streamed response's client that leaves is noticed when it does.
    static func connectionHandlers(limits: LimitsConfiguration) -> [any RemovableChannelHandler] {
        let head = limits.requestHeaderTimeoutMs.map { TimeAmount.milliseconds(Int64(max($0, 60_000))) }
        let body = limits.requestTimeoutMs.map { TimeAmount.milliseconds(Int64($0)) }
        guard head != nil || body != nil else { return [StreamInputWatch()] }
        return [StreamInputWatch(), RequestTimeouts(headTimeout: head, bodyTimeout: body)]
    }

    /// Runs until the process is told to stop. `onRunning` receives the bound port (useful with port 0).
    /// `services` run beside the server and stop after it (the trace exporter, which flushes last).
    public func run(services: [any Service] = [], onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        guard let address = configuration.listenAddress else { throw ConfigurationError("invalid listen address") }
        // A write to a connection its peer closed (an HTTP client, a database, OpenSSL's own
        // write(2)s) must fail with EPIPE, not end the process: servers ignore SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let webSocket = GraphQLWebSocket(runtime: runtime)
        let http = Self.serverBuilder(configuration.limits, webSocket)
        let app = Application(
            router: makeRouter(),
            server: try configuration.tls.map { try .tls(http, tlsConfiguration: try TLSFiles.server($0, configuration)) } ?? http,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "switchyard"),
            services: runtime.services + [metricsApplication()].compactMap { $0 },
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? address.port) },
            logger: logger
        )
        defer { runtime.stopBackgroundWork() }
        // On SIGTERM/SIGINT the drain runs first (readiness off, streams completed, WebSocket
        // connections closed), then the server stops accepting and lets requests in flight
        // finish — all within `shutdown_timeout_ms`, after which the rest is cancelled.
        // A group stops its services in reverse order: the drain, the server, then the others.
        var settings = ServiceGroupConfiguration(services: services.map { .init(service: $0) }
                                                 + [.init(service: app), .init(service: Drain(runtime: runtime, delayMs: configuration.shutdownDelayMs),
                                                                               successTerminationBehavior: .ignore)],
                                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        settings.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.shutdownTimeoutMs))
        try await ServiceGroup(configuration: settings).run()
    }

    /// Waits for the graceful shutdown; then readiness goes off while everything is still
    /// served for `shutdown_delay_ms`, then the runtime drains (and the server stops accepting
    /// after it).
    struct Drain: Service {
        let runtime: GatewayRuntime
        let delayMs: Int
        func run() async throws {
            try? await gracefulShutdown()
            runtime.markLeaving()
            if delayMs > 0 {
                runtime.logger.info("leaving: readiness off, still serving", metadata: ["shutdown_delay_ms": "\(delayMs)"])
                try? await Task.sleep(for: .milliseconds(delayMs))
            }
            await runtime.drain()
        }
    }
}
