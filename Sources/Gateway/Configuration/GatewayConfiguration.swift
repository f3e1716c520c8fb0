import Foundation
import Logging
import GraphQLCore
import HTTPTypes
import Redis
import Yams

/// Everything in `gateway.yaml`. Keys are snake_case; absent values take the defaults in code;
/// for limits, `nil` means the limit is off unless a default is named.
///
/// ```yaml
/// listen: "127.0.0.1:4000"
/// subgraphs:
///   - { name: tenants, module: tenants }
///   - { name: reviews, url: "http://127.0.0.1:4101/graphql" }
/// postgres: { url: "postgres://switchyard_app:app@127.0.0.1:54329/switchyard" }
/// ```
public struct GatewayConfiguration: Codable, Sendable, Equatable {
    /// `host:port` the HTTP server binds.
    public var listen: String = "127.0.0.1:4000"
    /// Serve HTTPS (and WSS) instead of HTTP: a PEM certificate chain and its private key.
    public var tls: ServerTLSConfiguration?
    /// A precomposed Apollo supergraph; subgraph URLs come from `join__graph(url:)`.
    public var supergraph: String?
    public var subgraphs: [SubgraphConfiguration] = []
    public var limits: LimitsConfiguration = .init()
    /// Whether `__schema` and `__type` answer.
    public var introspection: Bool = true
    /// Whether clients may use `@defer` (incremental delivery; the fragments go inline for a
    /// client that takes one response). Off: the API schema has no `@defer`.
    public var deferSupport: Bool = true
    public var postgres: PostgresSettings?
    public var redis: RedisSettings?
    public var tenancy: TenancyConfiguration = .init()
    /// Per-tenant requests per minute from the tenants' quotas (needs postgres and redis).
    public var rateLimits: RateLimitConfiguration = .init()
    /// Answer `X-Switchyard-Query-Plan: true` with the plan in `extensions.queryPlan`.
    public var exposeQueryPlan = false
    /// Compress GraphQL responses of `ResponseWriting.compressedFrom` bytes and more with gzip for
    /// clients whose `Accept-Encoding` takes it. Off by default: a client that bounds the ratio
    /// it decompresses (AsyncHTTPClient's browser-like configuration: 25) refuses a repetitive
    /// answer (a thousand alike errors) that compresses further.
    public var compression = false
    /// Automatic persisted queries and trusted documents.
    public var persistedQueries: PersistedQueryConfiguration = .init()
    /// Which client headers reach subgraphs, and headers the gateway adds.
    public var headers: HeaderRules = .init()
    /// Verified JWTs give requests their tenant and scopes.
    public var auth: AuthConfiguration = .init()
    /// Subscriptions and WebSocket connections.
    public var subscriptions: SubscriptionsConfiguration = .init()
    /// Browsers on these origins may call the gateway (off by default).
    public var cors: CORSConfiguration = .init()
    /// Refuse requests a browser could send cross-site without a preflight (off by default).
    public var csrf: CSRFConfiguration = .init()
    /// Prometheus metrics at `GET /metrics`.
    public var metrics: MetricsConfiguration = .init()
    /// On SIGTERM: how long subscriptions and requests in flight may take to finish.
    public var shutdownTimeoutMs = 10_000
    /// On SIGTERM: how long `/ready` answers 503 while the gateway still serves everything, before
    /// it drains and stops accepting (the time a load balancer takes to send traffic elsewhere).
    public var shutdownDelayMs = 0
    /// Log level and format (`text`, or `json`: one object per line).
    public var logging: LoggingConfiguration = .init()
    /// OpenTelemetry traces over OTLP/HTTP (off by default).
    public var tracing: TracingConfiguration = .init()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case listen, tls, supergraph, subgraphs, limits, introspection, deferSupport = "defer", postgres, redis, tenancy, rateLimits = "rate_limits"
        case exposeQueryPlan = "expose_query_plan", persistedQueries = "persisted_queries", headers, auth, subscriptions, cors, csrf, metrics
        case shutdownTimeoutMs = "shutdown_timeout_ms", shutdownDelayMs = "shutdown_delay_ms", logging, tracing, compression
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? listen
        tls = try c.decodeIfPresent(ServerTLSConfiguration.self, forKey: .tls)
        supergraph = try c.decodeIfPresent(String.self, forKey: .supergraph)
        subgraphs = try c.decodeIfPresent([SubgraphConfiguration].self, forKey: .subgraphs) ?? []
        limits = try c.decodeIfPresent(LimitsConfiguration.self, forKey: .limits) ?? .init()
        introspection = try c.decodeIfPresent(Bool.self, forKey: .introspection) ?? introspection
        deferSupport = try c.decodeIfPresent(Bool.self, forKey: .deferSupport) ?? deferSupport
        postgres = try c.decodeIfPresent(PostgresSettings.self, forKey: .postgres)
        redis = try c.decodeIfPresent(RedisSettings.self, forKey: .redis)
        tenancy = try c.decodeIfPresent(TenancyConfiguration.self, forKey: .tenancy) ?? .init()
        rateLimits = try c.decodeIfPresent(RateLimitConfiguration.self, forKey: .rateLimits) ?? .init()
        exposeQueryPlan = try c.decodeIfPresent(Bool.self, forKey: .exposeQueryPlan) ?? false
        compression = try c.decodeIfPresent(Bool.self, forKey: .compression) ?? compression
        persistedQueries = try c.decodeIfPresent(PersistedQueryConfiguration.self, forKey: .persistedQueries) ?? .init()
        headers = try c.decodeIfPresent(HeaderRules.self, forKey: .headers) ?? .init()
        auth = try c.decodeIfPresent(AuthConfiguration.self, forKey: .auth) ?? .init()
        subscriptions = try c.decodeIfPresent(SubscriptionsConfiguration.self, forKey: .subscriptions) ?? .init()
        cors = try c.decodeIfPresent(CORSConfiguration.self, forKey: .cors) ?? .init()
        csrf = try c.decodeIfPresent(CSRFConfiguration.self, forKey: .csrf) ?? .init()
        metrics = try c.decodeIfPresent(MetricsConfiguration.self, forKey: .metrics) ?? .init()
        shutdownTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .shutdownTimeoutMs) ?? 10_000
        shutdownDelayMs = try c.decodeIfPresent(Int.self, forKey: .shutdownDelayMs) ?? 0
        logging = try c.decodeIfPresent(LoggingConfiguration.self, forKey: .logging) ?? .init()
        tracing = try c.decodeIfPresent(TracingConfiguration.self, forKey: .tracing) ?? .init()
    }

    /// Reads a YAML file, then applies environment overrides:
    /// `SWITCHYARD_LISTEN`, `SWITCHYARD_POSTGRES_URL`, `SWITCHYARD_POSTGRES_OWNER_URL`, `SWITCHYARD_REDIS_URL`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GatewayConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError("cannot read configuration file \(path)")
        }
        var config = try parse(yaml: text)
        config.applyEnvironment(environment)
        config.baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try config.validate()
        return config
    }

    /// Keys of the YAML that the configuration does not read (a typo such as `limts:` would
    /// otherwise be ignored without a word, and its limits not applied): found by comparing the
    /// text's keys with those of the configuration read from it, written back. Keys set to
    /// `null` are not reported.
    public static func unknownKeys(yaml: String) -> [String] {
        guard let given = try? Yams.load(yaml: yaml), let config = try? parse(yaml: yaml),
              let written = try? YAMLEncoder().encode(config), let known = try? Yams.load(yaml: written) else { return [] }
        func mapping(_ v: Any) -> [String: Any]? {
            if let d = v as? [String: Any] { return d }
            if let d = v as? [AnyHashable: Any] {
                return Dictionary(d.compactMap { k, v in (k.base as? String).map { ($0, v) } }, uniquingKeysWith: { a, _ in a })
            }
            return nil
        }
        var unknown: [String] = []
        func walk(_ given: Any, _ known: Any, _ path: String) {
            if let g = mapping(given), let k = mapping(known) {
                for key in g.keys.sorted() {
                    let value = g[key]!
                    if value is NSNull { continue }
                    guard let kv = k[key] else { unknown.append(path + key); continue }
                    walk(value, kv, path + key + ".")
                }
            } else if let g = given as? [Any], let k = known as? [Any] {
                for (i, (gv, kv)) in zip(g, k).enumerated() { walk(gv, kv, path.dropLast() + "[\(i)].") }
            }
        }
        walk(given, known, "")
        return unknown
    }

    public static func parse(yaml: String) throws -> GatewayConfiguration {
        do {
            if yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return GatewayConfiguration() }
            return try YAMLDecoder().decode(GatewayConfiguration.self, from: yaml)
        } catch let e as DecodingError {
            // A YAML syntax error comes wrapped: its own description says where (line and column).
            if case .dataCorrupted(let c) = e, c.codingPath.isEmpty, let underlying = c.underlyingError {
                throw ConfigurationError("invalid YAML: \(Self.describeYAML(underlying))")
            }
            throw ConfigurationError("invalid configuration: \(Self.describe(e))")
        } catch let e as ConfigurationError {
            throw e
        } catch {
            throw ConfigurationError("invalid YAML: \(Self.describeYAML(error))")
        }
    }

    /// A YAML error by where it is and what is wrong, never quoting the text there (the line
    /// may hold a token or a password: the message reaches the log).
    static func describeYAML(_ error: any Error) -> String {
        guard let e = error as? YamlError else { return "\(error)" }
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)" + (context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // The library's own description quotes the whole file (its context's text).
            let keys = duplicates.sorted().map { "'\($0.prefix(64))'" }.joined(separator: ", ")
            return "line \(context.mark.line), column \(context.mark.column): a key given twice in one mapping: \(keys)"
        default:
            return "\(e)"
        }
    }

    /// Folder of the configuration file; relative paths in it resolve against this.
    public var baseDirectory: String = FileManager.default.currentDirectoryPath

    public func resolvePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
    }

    public mutating func applyEnvironment(_ env: [String: String]) {
        if let v = env["SWITCHYARD_LISTEN"], !v.isEmpty { listen = v }
        if let v = env["SWITCHYARD_POSTGRES_URL"], !v.isEmpty {
            postgres = postgres ?? PostgresSettings()
            postgres?.url = v
        }
        if let v = env["SWITCHYARD_POSTGRES_OWNER_URL"], !v.isEmpty {
            postgres = postgres ?? PostgresSettings()
            postgres?.ownerURL = v
        }
        if let v = env["SWITCHYARD_REDIS_URL"], !v.isEmpty {
            redis = redis ?? RedisSettings()
            redis?.url = v
        }
    }

    public func validate() throws {
        if persistedQueries.trustedDocuments != nil || persistedQueries.onlyTrusted {
            _ = try PersistedQueries(configuration: persistedQueries, redis: nil, baseDirectory: baseDirectory)
        }
        // Redis refuses an expiry of 0 or less: every registration failed, and every hash missed.
        guard persistedQueries.ttlSeconds >= 1 else {
            throw ConfigurationError("persisted_queries.ttl_seconds must be 1 or more, got \(persistedQueries.ttlSeconds)")
        }
        guard listenAddress != nil else { throw ConfigurationError("listen must be host:port, got '\(listen)'") }
        if let tls {
            for (key, path) in [("tls.certificate_file", tls.certificateFile), ("tls.key_file", tls.keyFile)]
            where !FileManager.default.isReadableFile(atPath: resolvePath(path)) {
                throw ConfigurationError("\(key): cannot read \(resolvePath(path))")
            }
        }
        if let m = metrics.listen, Self.hostAndPort(m) == nil { throw ConfigurationError("metrics.listen must be host:port, got '\(m)'") }
        guard shutdownTimeoutMs >= 0 else { throw ConfigurationError("shutdown_timeout_ms must be 0 or more, got \(shutdownTimeoutMs)") }
        try subscriptions.validate()
        if let n = rateLimits.anonymousPerMinute, n < 0 {
            throw ConfigurationError("rate_limits.anonymous_per_minute must be 0 or more (0 or null: unlimited), got \(n)")
        }
        guard cors.maxAgeSeconds >= 0 else { throw ConfigurationError("cors.max_age_seconds must be 0 or more, got \(cors.maxAgeSeconds)") }
        guard shutdownDelayMs >= 0, shutdownDelayMs < shutdownTimeoutMs || shutdownDelayMs == 0 else {
            throw ConfigurationError("shutdown_delay_ms must be 0 or more and less than shutdown_timeout_ms (the drain comes after it), got \(shutdownDelayMs)")
        }
        // A misspelt level or format was taken as info / text without a word.
        if let level = logging.level, LoggingConfiguration.level(level) == nil {
            throw ConfigurationError("logging.level must be one of \(LoggingConfiguration.levels.joined(separator: ", ")), got '\(level)'")
        }
        if let format = logging.format, !["text", "json"].contains(format) {
            throw ConfigurationError("logging.format must be text or json, got '\(format)'")
        }
        // Any origin with credentials would let every site read answers with the user's
        // credentials (browsers refuse `*` with credentials; reflecting the origin would not).
        // An origin is a scheme, a host and maybe a port (`https://app.example`): one without a
        // scheme, or with a path, is never what a browser sends — it matched nothing, silently.
        for origin in cors.allowOrigins where origin != "*" {
            guard let url = URL(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()),
                  !(url.host ?? "").isEmpty, url.path.isEmpty, url.query == nil, url.fragment == nil else {
                throw ConfigurationError("cors.allow_origins: '\(origin)' is no origin (scheme://host[:port], as a browser sends it in Origin)")
            }
        }
        if cors.enabled, cors.allowCredentials, cors.allowOrigins.contains("*") {
            throw ConfigurationError("cors: allow_credentials cannot be used with allow_origins '*'; list the origins")
        }
        // Headers added to subgraph requests must be valid HTTP fields (else every call fails).
        for (scope, inserted) in [("headers.insert", headers.insert)] + headers.subgraphs.sorted(by: { $0.key < $1.key }).map({ ("headers.subgraphs.\($0.key).insert", $0.value.insert) }) {
            for (name, value) in inserted.sorted(by: { $0.key < $1.key }) {
                guard HTTPField.Name(name) != nil, HTTPField.isValidValue(value) else {
                    throw ConfigurationError("\(scope): '\(name)' is not a valid HTTP header with value '\(value.debugDescription)'")
                }
            }
        }
        try tracing.validate()
        try auth.validate()
        if let pg = postgres {
            // (A negative statement timeout was taken as none at all, a pool of 0 as one.)
            for (key, value, least) in [("min_connections", pg.minConnections, 0), ("max_connections", pg.maxConnections, 1),
                                        ("statement_timeout_ms", pg.statementTimeoutMs, 0), ("acquire_timeout_ms", pg.acquireTimeoutMs, 1)] {
                if let value, value < least { throw ConfigurationError("postgres.\(key) must be \(least) or more, got \(value)") }
            }
            if let least = pg.minConnections, let most = pg.maxConnections, least > most {
                throw ConfigurationError("postgres.min_connections (\(least)) must not be more than max_connections (\(most))")
            }
        }
        if let n = redis?.connections, n < 1 { throw ConfigurationError("redis.connections must be 1 or more, got \(n)") }
        // A URL the client cannot read left the gateway without Redis, and without a word.
        if let r = redis, !r.url.isEmpty {
            do { _ = try RedisAddress(url: r.url) } catch {
                throw ConfigurationError("redis.url: \((error as? RedisError)?.message ?? "\(error)")")
            }
        }
        // Rate limits read the tenants' quotas from PostgreSQL and count in Redis: without
        // either they were off, without a word.
        if rateLimits.enabled, (postgres?.url ?? "").isEmpty || (redis?.url ?? "").isEmpty {
            throw ConfigurationError("rate_limits.enabled needs postgres.url (the tenants' quotas) and redis.url (the windows every replica shares)")
        }
        var names = Set<String>()
        for s in subgraphs {
            guard !s.name.isEmpty else { throw ConfigurationError("every subgraph needs a name") }
            guard names.insert(s.name).inserted else { throw ConfigurationError("subgraph '\(s.name)' is listed twice") }
            guard (s.module == nil) != (s.url == nil) else {
                throw ConfigurationError("subgraph '\(s.name)' needs exactly one of module (in-package) or url (remote)")
            }
            if let t = s.timeoutMs, t < 1 {
                throw ConfigurationError("subgraph '\(s.name)': timeout_ms must be 1 or more (milliseconds), got \(t)")
            }
            if let url = s.url {
                guard let parsed = URL(string: url), (url.hasPrefix("http://") || url.hasPrefix("https://")),
                      !(parsed.host ?? "").isEmpty else {
                    throw ConfigurationError("subgraph '\(s.name)': url must be an http(s):// URL with a host, got '\(url)'")
                }
            }
            if let tls = s.tls {
                guard s.url?.hasPrefix("https://") == true else {
                    throw ConfigurationError("subgraph '\(s.name)': tls is for a subgraph reached at an https:// url")
                }
                guard (tls.certificateFile == nil) == (tls.keyFile == nil) else {
                    throw ConfigurationError("subgraph '\(s.name)': tls.certificate_file and tls.key_file go together (a client certificate and its key)")
                }
            }
        }
    }

    /// What the configuration reads but cannot match, for `check` to print and `serve` to log
    /// (at start and at each reload): header rules for a subgraph it does not list.
    public func warnings() -> [String] {
        // With a supergraph file, its subgraphs are named there (and not known here).
        guard supergraph == nil else { return [] }
        let listed = Set(subgraphs.map(\.name))
        return headers.subgraphs.keys.sorted().filter { !listed.contains($0) }.map {
            "headers.subgraphs.\($0) names no subgraph of the configuration (subgraphs: \(subgraphs.map(\.name).joined(separator: ", "))); its rules apply to none"
        }
    }

    public var listenAddress: (host: String, port: Int)? { Self.hostAndPort(listen) }

    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ p: [CodingKey]) -> String { p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
        switch e {
        case .typeMismatch(_, let c):
            // What the key takes, in the file's words (the decoder's own says "Scalar" and
            // "Node"); the value is not quoted (it may be a secret).
            let takes: [(String, String)] = [("decode Int", "an integer"), ("decode Double", "a number"), ("decode Bool", "true or false"),
                                             ("decode String", "a string"), ("decode Mapping", "a mapping of keys"),
                                             ("decode Sequence", "a list"), ("decode Array", "a list"), ("decode Dictionary", "a mapping of keys")]
            let at = path(c.codingPath)
            if let (_, what) = takes.first(where: { c.debugDescription.contains($0.0) }) {
                return (at.isEmpty ? "the file" : at) + " must be \(what)"
            }
            return "\(at.isEmpty ? "the file" : at): \(c.debugDescription)"
        case .valueNotFound(_, let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])) is required"
        case .dataCorrupted(let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }

    /// The keys a hot reload cannot apply (they are read when the server starts: its listener,
    /// connections, identity and protocol settings) that differ between `self` and `running`.
    public func keysNeedingRestart(comparedWith running: GatewayConfiguration) -> [String] {
        var keys: [String] = []
        func check(_ key: String, _ same: Bool) { if !same { keys.append(key) } }
        check("listen", listen == running.listen)
        check("tls", tls == running.tls)
        check("postgres", postgres == running.postgres)
        check("redis", redis == running.redis)
        check("tenancy", tenancy == running.tenancy)
        check("rate_limits", rateLimits == running.rateLimits)
        check("persisted_queries", persistedQueries == running.persistedQueries)
        check("auth", auth == running.auth)
        check("subscriptions", subscriptions == running.subscriptions)
        check("cors", cors == running.cors)
        check("csrf", csrf == running.csrf)
        check("metrics", metrics == running.metrics)
        check("tracing", tracing == running.tracing)
        check("logging", logging == running.logging)
        check("compression", compression == running.compression)
        check("shutdown_timeout_ms", shutdownTimeoutMs == running.shutdownTimeoutMs)
        check("shutdown_delay_ms", shutdownDelayMs == running.shutdownDelayMs)
        check("limits.max_header_count", limits.maxHeaderCount == running.limits.maxHeaderCount)
        check("limits.max_header_bytes", limits.maxHeaderBytes == running.limits.maxHeaderBytes)
        check("limits.request_header_timeout_ms", limits.requestHeaderTimeoutMs == running.limits.requestHeaderTimeoutMs)
        return keys
    }

    public static func == (a: GatewayConfiguration, b: GatewayConfiguration) -> Bool {
        a.listen == b.listen && a.tls == b.tls && a.supergraph == b.supergraph && a.subgraphs == b.subgraphs && a.limits == b.limits
            && a.introspection == b.introspection && a.deferSupport == b.deferSupport && a.postgres == b.postgres && a.redis == b.redis && a.tenancy == b.tenancy
            && a.rateLimits == b.rateLimits && a.exposeQueryPlan == b.exposeQueryPlan && a.persistedQueries == b.persistedQueries && a.headers == b.headers && a.auth == b.auth
            && a.compression == b.compression
    }
}

/// One subgraph: an in-package `module`, or a remote `url`.
public struct SubgraphConfiguration: Codable, Sendable, Equatable {
    public var name: String
    /// In-package subgraph module name (`tenants`, `agents`, `events`, `projections`, `dataproducts`).
    public var module: String?
    /// Remote Federation v2 subgraph endpoint.
    public var url: String?
    /// SDL file for a remote subgraph; otherwise fetched with `{ _service { sdl } }`.
    public var schema: String?
    /// Per-request timeout for a remote subgraph, in milliseconds (default 10,000).
    public var timeoutMs: Int?
    /// Pass this subgraph's error `extensions` to clients as they are (default off: only `code`
    /// is kept, so stack traces and internals a subgraph puts there do not leak).
    public var includeErrorExtensions: Bool?
    /// TLS to an `https://` subgraph beyond the system's defaults: the CA it is verified against,
    /// a client certificate it asks for.
    public var tls: SubgraphTLSConfiguration?

    enum CodingKeys: String, CodingKey {
        case name, module, url, schema, timeoutMs = "timeout_ms", includeErrorExtensions = "include_error_extensions", tls
    }

    public init(name: String, module: String? = nil, url: String? = nil, schema: String? = nil, timeoutMs: Int? = nil,
                includeErrorExtensions: Bool? = nil, tls: SubgraphTLSConfiguration? = nil) {
        self.name = name
        self.module = module
        self.url = url
        self.schema = schema
        self.timeoutMs = timeoutMs
        self.includeErrorExtensions = includeErrorExtensions
        self.tls = tls
    }
}

/// TLS to one remote subgraph (PEM files, paths relative to the configuration file):
///
/// ```yaml
/// subgraphs:
///   - name: billing
///     url: https://billing.internal:8443/graphql
///     tls:
///       ca_file: certs/internal-ca.pem        # trusted instead of the system's roots
///       certificate_file: certs/gateway.pem   # for a subgraph that asks for a client certificate
///       key_file: certs/gateway.key
/// ```
public struct SubgraphTLSConfiguration: Codable, Sendable, Equatable {
    /// The certificate authorities the subgraph's certificate must chain to (instead of the
    /// system's roots); its host name is checked all the same.
    public var caFile: String?
    /// The gateway's client certificate chain (first the certificate) and its key, both or neither.
    public var certificateFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
    enum CodingKeys: String, CodingKey { case caFile = "ca_file", certificateFile = "certificate_file", keyFile = "key_file" }
}

/// Query limits; `nil` means off unless a default is named. `tenants` overrides any of them
/// for one tenant (by slug); `null` there turns a limit off for that tenant:
///
/// ```yaml
/// limits:
///   max_depth: 15
///   tenants:
///     acme: { max_depth: 25, max_cost: 50000 }
///     partner: { max_aliases: null }
/// ```
public struct LimitsConfiguration: Codable, Sendable, Equatable {
    public var maxDepth: Int? = 15
    public var maxAliases: Int? = 30
    public var maxRootFields: Int? = 20
    public var maxDirectives: Int? = 50
    public var maxFields: Int? = 3_500
    public var maxTokens: Int? = 15_000
    /// Estimated cost ceiling (default 1,000,000: the benchmark workload's query, 65 users with
    /// their reviews' products' reviews, estimates at about 216,000; three nested lists of 100,000
    /// at 10^15). `null` turns it off.
    public var maxCost: Int? = 1_000_000
    /// `enforce` rejects over `max_cost`; `measure` only reports the estimate in `extensions.cost`.
    public var costMode: String = "enforce"
    /// Put `extensions.cost` (estimated and, after execution, actual) in every response.
    public var reportCost: Bool = false
    /// List size assumed where `@listSize` and slicing arguments say nothing.
    public var defaultListSize: Int = 10
    /// Largest request body accepted, in bytes (default 1 MiB); compressed bodies count decompressed.
    public var maxBodyBytes: Int? = 1_048_576
    /// Most bytes a query's in-process subgraphs may read from PostgreSQL (result sets as libpq
    /// holds them; default 32 MiB): a statement whose result passes it fails its fields with
    /// `RESPONSE_TOO_LARGE`, and so does every later one of the request.
    public var maxReadBytes: Int? = 33_554_432
    /// Largest string literal in a document, in bytes (default 64 KiB): large values go in variables.
    public var maxLiteralBytes: Int? = 65_536
    /// Operations in one batched request; batching is off unless set.
    public var maxBatch: Int?
    /// Longest a request may take, in milliseconds (default 30 s); then 504 `GATEWAY_TIMEOUT`.
    public var requestTimeoutMs: Int? = 30_000
    /// A connection must send a complete request head within this time of connecting or of its
    /// previous response, else it is closed (slow or idle connections; not per tenant).
    public var requestHeaderTimeoutMs: Int? = 10_000
    /// Request headers: how many, and their total size in bytes (names and values). Checked
    /// before anything else, so not per tenant.
    public var maxHeaderCount: Int? = 100
    public var maxHeaderBytes: Int? = 16_384
    /// Longest one operation may take to plan, in milliseconds (default 3 s; plans are cached, so
    /// once per operation shape): past it `QUERY_PLAN_TOO_LARGE`. Not per tenant (plans are shared).
    public var maxPlanningMs: Int? = 3_000
    /// Overrides by tenant slug.
    public var tenants: [String: LimitsOverride] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxDepth = "max_depth", maxAliases = "max_aliases", maxRootFields = "max_root_fields"
        case maxDirectives = "max_directives", maxFields = "max_fields", maxTokens = "max_tokens", maxCost = "max_cost"
        case maxBodyBytes = "max_body_bytes", maxBatch = "max_batch", costMode = "cost_mode", defaultListSize = "default_list_size"
        case requestTimeoutMs = "request_timeout_ms", maxHeaderCount = "max_header_count", maxHeaderBytes = "max_header_bytes"
        case maxLiteralBytes = "max_literal_bytes", requestHeaderTimeoutMs = "request_header_timeout_ms"
        case reportCost = "report_cost", maxReadBytes = "max_read_bytes", maxPlanningMs = "max_planning_ms", tenants
    }

    /// The limits that may be switched off (`null`) or overridden per tenant (key paths are
    /// immutable values; only their Sendable conformance is missing).
    nonisolated(unsafe) static let optionalInts: [(CodingKeys, WritableKeyPath<LimitsConfiguration, Int?>)] = [
        (.maxDepth, \.maxDepth), (.maxAliases, \.maxAliases), (.maxRootFields, \.maxRootFields),
        (.maxDirectives, \.maxDirectives), (.maxFields, \.maxFields), (.maxTokens, \.maxTokens), (.maxCost, \.maxCost),
        (.maxBodyBytes, \.maxBodyBytes), (.maxBatch, \.maxBatch), (.requestTimeoutMs, \.requestTimeoutMs),
        (.maxLiteralBytes, \.maxLiteralBytes), (.maxReadBytes, \.maxReadBytes),
    ]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        for (key, path) in Self.optionalInts where c.contains(key) {
            self[keyPath: path] = try Self.decodeLimit(c, key)
        }
        if c.contains(.maxHeaderCount) { maxHeaderCount = try Self.decodeLimit(c, .maxHeaderCount) }
        if c.contains(.maxHeaderBytes) { maxHeaderBytes = try Self.decodeLimit(c, .maxHeaderBytes) }
        if c.contains(.requestHeaderTimeoutMs) { requestHeaderTimeoutMs = try Self.decodeLimit(c, .requestHeaderTimeoutMs) }
        if c.contains(.maxPlanningMs) { maxPlanningMs = try Self.decodeLimit(c, .maxPlanningMs) }
        costMode = try c.decodeIfPresent(String.self, forKey: .costMode) ?? "enforce"
        reportCost = try c.decodeIfPresent(Bool.self, forKey: .reportCost) ?? false
        if c.contains(.defaultListSize) { defaultListSize = try Self.decodeLimit(c, .defaultListSize) ?? 10 }
        tenants = try c.decodeIfPresent([String: LimitsOverride].self, forKey: .tenants) ?? [:]
        guard costMode == "enforce" || costMode == "measure" else {
            throw DecodingError.dataCorruptedError(forKey: .costMode, in: c, debugDescription: "cost_mode is enforce or measure")
        }
    }

    /// A limit's value: `null` (off), a count of 0 or more, or a time of 1 ms or more — a
    /// negative one (or a zero time) is a mistake that would refuse every request, not a limit.
    static func decodeLimit(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        guard let v = try c.decodeIfPresent(Int.self, forKey: key) else { return nil }
        let isTime = key == .requestTimeoutMs || key == .requestHeaderTimeoutMs || key == .maxPlanningMs
        guard v >= (isTime ? 1 : 0) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(key.rawValue) must be \(isTime ? "1 or more (milliseconds)" : "0 or more"), or null for no limit; got \(v)")
        }
        return v
    }

    /// The limits for one tenant: these, with the tenant's overrides applied.
    public func effective(for tenant: String?) -> LimitsConfiguration {
        // The slug as given, byte for byte (not another that differs only in Unicode normalization).
        guard let tenant, let o = tenants.first(where: { ExactText($0.key) == ExactText(tenant) })?.value else { return self }
        var l = self
        for (key, path) in Self.optionalInts {
            if let v = o.values[key.rawValue] { l[keyPath: path] = v }
        }
        if let m = o.costMode { l.costMode = m }
        if let r = o.reportCost { l.reportCost = r }
        if let d = o.defaultListSize { l.defaultListSize = d }
        l.tenants = [:]
        return l
    }
}

/// One tenant's overrides of `limits`: only the keys it names change (`null` turns one off).
public struct LimitsOverride: Codable, Sendable, Equatable {
    /// Limit key (`max_depth`, ...) → new value (nil: off).
    public var values: [String: Int?] = [:]
    public var costMode: String?
    public var reportCost: Bool?
    public var defaultListSize: Int?

    public init(_ values: [String: Int?] = [:]) { self.values = values }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: LimitsConfiguration.CodingKeys.self)
        for (key, _) in LimitsConfiguration.optionalInts where c.contains(key) {
            values[key.rawValue] = .some(try LimitsConfiguration.decodeLimit(c, key))
        }
        for key in [LimitsConfiguration.CodingKeys.maxHeaderCount, .maxHeaderBytes, .requestHeaderTimeoutMs, .maxPlanningMs, .tenants] where c.contains(key) {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(key.rawValue) cannot be set per tenant")
        }
        costMode = try c.decodeIfPresent(String.self, forKey: .costMode)
        reportCost = try c.decodeIfPresent(Bool.self, forKey: .reportCost)
        defaultListSize = c.contains(.defaultListSize) ? try LimitsConfiguration.decodeLimit(c, .defaultListSize) : nil
        if let m = costMode, m != "enforce", m != "measure" {
            throw DecodingError.dataCorruptedError(forKey: .costMode, in: c, debugDescription: "cost_mode is enforce or measure")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: LimitsConfiguration.CodingKeys.self)
        for (key, _) in LimitsConfiguration.optionalInts {
            if let v = values[key.rawValue] { try c.encode(v, forKey: key) }
        }
        try c.encodeIfPresent(costMode, forKey: .costMode)
        try c.encodeIfPresent(reportCost, forKey: .reportCost)
        try c.encodeIfPresent(defaultListSize, forKey: .defaultListSize)
    }
}

public struct PostgresSettings: Codable, Sendable, Equatable {
    /// What the gateway connects as (the application role).
    public var url: String = ""
    /// What `db migrate` and `db seed` connect as (the table owner); defaults to `url`.
    public var ownerURL: String?
    public var applicationRole: String?
    public var minConnections: Int?
    public var maxConnections: Int?
    /// The server ends a request's statement that runs longer (`statement_timeout`; 0 turns it off).
    public var statementTimeoutMs: Int?
    /// How long a request waits for a free pooled connection before it fails.
    public var acquireTimeoutMs: Int?

    public init() {}
    enum CodingKeys: String, CodingKey {
        case url, ownerURL = "owner_url", applicationRole = "application_role"
        case minConnections = "min_connections", maxConnections = "max_connections", statementTimeoutMs = "statement_timeout_ms"
        case acquireTimeoutMs = "acquire_timeout_ms"
    }
}

public struct RedisSettings: Codable, Sendable, Equatable {
    public var url: String = "redis://127.0.0.1:6379"
    public var connections: Int?
    public init() {}
}

public struct TenancyConfiguration: Codable, Sendable, Equatable {
    /// Accept `X-Tenant: <slug>` as the request's tenant (development only).
    public var developmentHeader: Bool = false
    public init() {}
    enum CodingKeys: String, CodingKey { case developmentHeader = "development_header" }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        developmentHeader = try c.decodeIfPresent(Bool.self, forKey: .developmentHeader) ?? false
    }
}

/// HTTPS for the gateway's listener (paths relative to the configuration file).
public struct ServerTLSConfiguration: Codable, Sendable, Equatable {
    /// PEM: the server's certificate first, then any intermediates.
    public var certificateFile: String
    /// PEM: the certificate's private key.
    public var keyFile: String
    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
    enum CodingKeys: String, CodingKey { case certificateFile = "certificate_file", keyFile = "key_file" }
}

/// CSRF prevention: a request needs a non-simple `Content-Type` or one of these headers.
public struct CSRFConfiguration: Codable, Sendable, Equatable {
    public var enabled = false
    public var requiredHeaders = ["x-apollo-operation-name", "apollo-require-preflight"]
    public init() {}
    enum CodingKeys: String, CodingKey { case enabled, requiredHeaders = "required_headers" }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
        requiredHeaders = try c.decodeIfPresent([String].self, forKey: .requiredHeaders)?.map { $0.lowercased() } ?? requiredHeaders
        if let bad = requiredHeaders.first(where: { HTTPField.Name($0) == nil }) {
            throw DecodingError.dataCorruptedError(forKey: .requiredHeaders, in: c, debugDescription: "'\(bad)' is not a header name")
        }
        if enabled && requiredHeaders.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .requiredHeaders, in: c, debugDescription: "name at least one header when csrf is enabled")
        }
    }
}

/// CORS: the origins whose scripts may read the gateway's answers (exact matches; `*` for any).
public struct CORSConfiguration: Codable, Sendable, Equatable {
    public var allowOrigins: [String] = []
    public var allowCredentials = false
    public var maxAgeSeconds = 600
    public init() {}
    enum CodingKeys: String, CodingKey { case allowOrigins = "allow_origins", allowCredentials = "allow_credentials", maxAgeSeconds = "max_age_seconds" }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        allowOrigins = try c.decodeIfPresent([String].self, forKey: .allowOrigins) ?? []
        allowCredentials = try c.decodeIfPresent(Bool.self, forKey: .allowCredentials) ?? false
        maxAgeSeconds = try c.decodeIfPresent(Int.self, forKey: .maxAgeSeconds) ?? 600
    }
    var enabled: Bool { !allowOrigins.isEmpty }
    func allows(_ origin: String) -> Bool { allowOrigins.contains(origin) || allowOrigins.contains("*") }
}

/// Logs: swift-log, as text or as JSON lines.
public struct LoggingConfiguration: Codable, Sendable, Equatable {
    public var level: String?
    public var format: String?
    public init() {}

    public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// A level as written (any case; `warn` is `warning`), or nil when it is none.
    public static func level(_ text: String) -> Logger.Level? {
        let t = text.lowercased()
        return Logger.Level(rawValue: t == "warn" ? "warning" : t)
    }
}

/// OpenTelemetry traces, exported over OTLP/HTTP (protobuf). The standard `OTEL_*` environment
/// variables (e.g. `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) win over these keys. Read at start: a
/// change needs a restart.
public struct TracingConfiguration: Codable, Sendable, Equatable {
    public var enabled = false
    /// Where spans are sent: an OTLP/HTTP traces URL (a collector's `…:4318/v1/traces`).
    public var endpoint = "http://127.0.0.1:4318/v1/traces"
    /// Share of new traces recorded (0…1); a client's `traceparent` keeps its own decision.
    public var samplingRatio = 1.0
    /// `service.name` of the spans.
    public var serviceName = "switchyard"
    /// How often finished spans are sent (the batch processor's delay).
    public var exportIntervalMs = 5_000
    /// A client that sends `X-Switchyard-Trace-Id: true` gets the trace id in `extensions.traceId`.
    public var exposeTraceId = true
    /// Finished spans held for the exporter; past it new ones are dropped (and a warning logged).
    /// TenantOverview makes about 20 spans: 16,384 hold a few seconds of a busy gateway's.
    public var maxQueueSize = 16_384
    public init() {}
    enum CodingKeys: String, CodingKey {
        case enabled, endpoint, samplingRatio = "sampling_ratio", serviceName = "service_name"
        case exportIntervalMs = "export_interval_ms", exposeTraceId = "expose_trace_id", maxQueueSize = "max_queue_size"
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? false
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint) ?? endpoint
        samplingRatio = try c.decodeIfPresent(Double.self, forKey: .samplingRatio) ?? 1.0
        serviceName = try c.decodeIfPresent(String.self, forKey: .serviceName) ?? serviceName
        exportIntervalMs = try c.decodeIfPresent(Int.self, forKey: .exportIntervalMs) ?? 5_000
        exposeTraceId = try c.decodeIfPresent(Bool.self, forKey: .exposeTraceId) ?? true
        maxQueueSize = try c.decodeIfPresent(Int.self, forKey: .maxQueueSize) ?? maxQueueSize
    }
    func validate() throws {
        guard (0...1).contains(samplingRatio) else { throw ConfigurationError("tracing.sampling_ratio must be between 0 and 1, got \(samplingRatio)") }
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw ConfigurationError("tracing.endpoint must be an http:// or https:// URL, got '\(endpoint)'")
        }
        guard exportIntervalMs > 0 else { throw ConfigurationError("tracing.export_interval_ms must be positive") }
        guard (1...1_048_576).contains(maxQueueSize) else {
            throw ConfigurationError("tracing.max_queue_size must be between 1 and 1048576, got \(maxQueueSize)")
        }
    }
}

/// Prometheus metrics (text format at `GET /metrics`).
public struct MetricsConfiguration: Codable, Sendable, Equatable {
    /// Serve `/metrics` at all.
    public var enabled = true
    /// `host:port` of a separate listener for `/metrics` (then the main port does not serve it).
    public var listen: String?
    /// Label series with the tenant (bounded: tenants of the tenants table or the configuration).
    public var tenantLabel = true
    /// On the public listener with `auth.required`, the scope a bearer token must carry to read
    /// `/metrics` (nil: any valid token). Every tenant's users hold valid tokens, and the series
    /// name other tenants, their operations and event types (probe 54C).
    public var scope: String? = "metrics:read"
    public init() {}
    enum CodingKeys: String, CodingKey { case enabled, listen, tenantLabel = "tenant_label", scope }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        listen = try c.decodeIfPresent(String.self, forKey: .listen)
        tenantLabel = try c.decodeIfPresent(Bool.self, forKey: .tenantLabel) ?? true
        if c.contains(.scope) { scope = try c.decodeIfPresent(String.self, forKey: .scope) }
        if let scope, scope.isEmpty || scope.contains(where: \.isWhitespace) {
            throw ConfigurationError("metrics.scope must be one scope name (no spaces), or null for any valid token; got '\(scope)'")
        }
    }
}

/// Subscriptions over WebSocket (`graphql-transport-ws`).
public struct SubscriptionsConfiguration: Codable, Sendable, Equatable {
    /// A WebSocket connection must send `connection_init` within this time (close 4408).
    public var connectionInitTimeoutMs: Int = 10_000
    /// Operations one connection may run at once.
    public var maxPerConnection: Int = 100
    /// Largest WebSocket message accepted, in bytes.
    public var maxMessageBytes: Int = 1_048_576
    /// Subscriptions one tenant may run at once on this gateway (over every connection).
    public var maxPerTenant: Int? = 1_000
    /// Payloads a subscriber may fall behind before its subscription is ended
    /// (`SUBSCRIBER_TOO_SLOW`; a WebSocket is closed with 1008).
    public var bufferSize: Int = 256
    /// How long a full buffer may stay full before the subscriber counts as too slow.
    public var slowConsumerGraceMs: Int = 5_000
    /// A too-slow WebSocket client gets its close frame queued behind what its socket holds; if
    /// it does not take it within this time, its connection is dropped.
    public var slowCloseTimeoutMs: Int = 10_000
    /// Server-Sent Events and multipart streams send a keep-alive this often (a client that left
    /// is noticed even when no event comes).
    public var keepAliveMs: Int = 15_000
    /// A GraphQL over SSE single-connection reservation whose stream is not opened within this
    /// time lapses, with the operations posted to it.
    public var streamReservationLapseMs: Int = 60_000
    public init() {}
    enum CodingKeys: String, CodingKey {
        case connectionInitTimeoutMs = "connection_init_timeout_ms", maxPerConnection = "max_per_connection", maxMessageBytes = "max_message_bytes"
        case maxPerTenant = "max_per_tenant", bufferSize = "buffer_size", slowConsumerGraceMs = "slow_consumer_grace_ms"
        case slowCloseTimeoutMs = "slow_close_timeout_ms"
        case keepAliveMs = "keep_alive_ms", streamReservationLapseMs = "stream_reservation_lapse_ms"
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        connectionInitTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .connectionInitTimeoutMs) ?? 10_000
        maxPerConnection = try c.decodeIfPresent(Int.self, forKey: .maxPerConnection) ?? 100
        maxMessageBytes = try c.decodeIfPresent(Int.self, forKey: .maxMessageBytes) ?? 1_048_576
        maxPerTenant = c.contains(.maxPerTenant) ? try c.decodeIfPresent(Int.self, forKey: .maxPerTenant) : 1_000
        bufferSize = try c.decodeIfPresent(Int.self, forKey: .bufferSize) ?? 256
        slowConsumerGraceMs = try c.decodeIfPresent(Int.self, forKey: .slowConsumerGraceMs) ?? 5_000
        slowCloseTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .slowCloseTimeoutMs) ?? 10_000
        keepAliveMs = try c.decodeIfPresent(Int.self, forKey: .keepAliveMs) ?? 15_000
        streamReservationLapseMs = try c.decodeIfPresent(Int.self, forKey: .streamReservationLapseMs) ?? 60_000
    }

    /// Counts and sizes 0 or more, times 1 ms or more (a buffer holds one payload at least, a
    /// keep-alive comes at most every 100 ms): a negative value was a mistake that, say, closed every
    /// WebSocket at once.
    func validate() throws {
        for (key, value, least) in [("connection_init_timeout_ms", connectionInitTimeoutMs, 1), ("max_per_connection", maxPerConnection, 0),
                                    ("max_message_bytes", maxMessageBytes, 0), ("max_per_tenant", maxPerTenant ?? 0, 0),
                                    ("buffer_size", bufferSize, 1), ("slow_consumer_grace_ms", slowConsumerGraceMs, 0),
                                    ("slow_close_timeout_ms", slowCloseTimeoutMs, 1), ("keep_alive_ms", keepAliveMs, 100),
                                    ("stream_reservation_lapse_ms", streamReservationLapseMs, 1)] where value < least {
            throw ConfigurationError("subscriptions.\(key) must be \(least) or more, got \(value)")
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

public struct RateLimitConfiguration: Codable, Sendable, Equatable {
    /// Enforce each tenant's `requestsPerMinute` quota (HTTP 429, `RATE_LIMITED`).
    public var enabled: Bool = false
    /// Requests without a known tenant, per client IP address and minute (nil or 0: unlimited).
    public var anonymousPerMinute: Int? = 6_000
    /// While Redis does not answer: let requests through unlimited (true: availability over the
    /// quota), or refuse them (false: 503 `RATE_LIMIT_UNAVAILABLE`, the quota over availability).
    public var failOpen = true
    public init() {}
    enum CodingKeys: String, CodingKey { case enabled, anonymousPerMinute = "anonymous_per_minute", failOpen = "fail_open" }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? false
        anonymousPerMinute = c.contains(.anonymousPerMinute) ? try c.decodeIfPresent(Int.self, forKey: .anonymousPerMinute) : 6_000
        failOpen = try c.decodeIfPresent(Bool.self, forKey: .failOpen) ?? true
    }
}

/// Header propagation to subgraphs:
///
/// ```yaml
/// headers:
///   propagate: [authorization, x-request-id]     # client headers passed to every subgraph
///   insert: { x-gateway: switchyard }            # added to every subgraph request
///   subgraphs:
///     reviews: { propagate: [x-locale], insert: { x-team: reviews } }
/// ```
/// The request's tenant always travels as `x-tenant`.
public struct HeaderRules: Codable, Sendable, Equatable {
    public struct Rule: Codable, Sendable, Equatable {
        public var propagate: [String] = []
        public var insert: [String: String] = [:]
        public init(propagate: [String] = [], insert: [String: String] = [:]) {
            self.propagate = propagate
            self.insert = insert
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            propagate = try c.decodeIfPresent([String].self, forKey: .propagate) ?? []
            insert = try c.decodeIfPresent([String: String].self, forKey: .insert) ?? [:]
        }
    }
    public var propagate: [String] = ["authorization"]
    public var insert: [String: String] = [:]
    public var subgraphs: [String: Rule] = [:]

    public init() {}
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        propagate = try c.decodeIfPresent([String].self, forKey: .propagate) ?? ["authorization"]
        insert = try c.decodeIfPresent([String: String].self, forKey: .insert) ?? [:]
        subgraphs = try c.decodeIfPresent([String: Rule].self, forKey: .subgraphs) ?? [:]
    }

    /// The headers one subgraph gets for a request.
    public func headers(for subgraph: String, from client: [(String, String)], tenant: String?) -> [(String, String)] {
        compiled().headers(for: subgraph, from: client, tenant: tenant)
    }

    /// The rules with every subgraph's names lower-cased and inserts merged and ordered once
    /// (what a request's fetches apply, each its subgraph's).
    public func compiled() -> Compiled { Compiled(self) }

    public struct Compiled: Sendable {
        struct Applied: Sendable {
            /// Client headers passed on, by lower-cased name.
            let names: Set<String>
            /// Headers added (name, value, lower-cased name), in name order; each replaces a
            /// passed-on header of its name.
            let inserts: [(String, String, String)]
        }
        let all: Applied
        let bySubgraph: [String: Applied]

        init(_ rules: HeaderRules) {
            func applied(_ rule: Rule?) -> Applied {
                let names = Set((rules.propagate + (rule?.propagate ?? [])).map { $0.lowercased() })
                let inserts = rules.insert.merging(rule?.insert ?? [:], uniquingKeysWith: { _, b in b }).sorted { $0.key < $1.key }
                return Applied(names: names, inserts: inserts.map { ($0.key, $0.value, $0.key.lowercased()) })
            }
            all = applied(nil)
            bySubgraph = rules.subgraphs.mapValues(applied)
        }

        /// The headers one subgraph gets for a request.
        public func headers(for subgraph: String, from client: [(String, String)], tenant: String?) -> [(String, String)] {
            let rule = bySubgraph[subgraph] ?? all
            var out: [(String, String)] = []
            for header in client {
                let name = header.0.lowercased()
                if name != "x-tenant", rule.names.contains(name) { out.append(header) }
            }
            for (k, v, lower) in rule.inserts {
                out.removeAll { $0.0.lowercased() == lower }
                out.append((k, v))
            }
            if let tenant { out.append(("x-tenant", tenant)) }
            return out
        }
    }
}
