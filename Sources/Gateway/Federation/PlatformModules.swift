import Foundation
import PlatformKit
import Postgres
import SubgraphKit
import Synchronization

/// The in-package subgraph modules (`discoveredSubgraphs`, one per folder of `subgraphs/`,
/// registered by the SubgraphRegistry build plugin) as gateway modules.
enum PlatformModules {
    /// Where `Schema/` is: `SWITCHYARD_SCHEMA_DIR`, else beside the configuration file, else
    /// under the working directory.
    static func schemaDirectory(near configDirectory: String?) -> String {
        if let dir = ProcessInfo.processInfo.environment["SWITCHYARD_SCHEMA_DIR"], !dir.isEmpty { return dir }
        let candidates = [configDirectory.map { $0 + "/Schema" }, FileManager.default.currentDirectoryPath + "/Schema"].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/tenants.graphql") } ?? candidates.last!
    }

    /// A module's SDL: `subgraphs/<name>/<name>.graphql` beside the configuration (or under the
    /// working directory), else `Schema/<name>.graphql`.
    /// Why a module this build has is not available: its schema file was not found (where it
    /// was looked for); nil for a name no module has.
    static func missingSchema(_ name: String, configDirectory: String?) -> String? {
        guard discoveredSubgraphs.contains(where: { $0.name == name }), sdl(name, configDirectory: configDirectory) == nil else { return nil }
        return "module '\(name)' is built in, but its schema was not found: looked for \(schemaDirectory(near: configDirectory))/\(name).graphql "
            + "(the repository's Schema/ folder, beside the configuration file or under the working directory; set SWITCHYARD_SCHEMA_DIR to its path)"
    }

    static func sdl(_ name: String, configDirectory: String?) -> String? {
        let folders = [configDirectory, FileManager.default.currentDirectoryPath].compactMap { $0 }.map { $0 + "/subgraphs/\(name)/\(name).graphql" }
        for path in folders + [schemaDirectory(near: configDirectory) + "/\(name).graphql"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return text }
        }
        return nil
    }

    /// Per-pool shared state: the tenant directory and the modules' background work.
    final class Shared: @unchecked Sendable {
        static let instances = PerPool { Shared(pool: $0) }
        let directory: TenantDirectory
        /// Background work gets a small pool of its own: it never takes the connections requests
        /// wait for (nor shows in their statement count).
        let backgroundPool: PostgresPool
        /// Slug lookups have a small pool of their own too: a request holding its read
        /// transaction's connection never waits on the request pool for a second one (under a
        /// full pool, every request would wait for the others).
        let lookupPool: PostgresPool
        /// Reads a request makes in a transaction of their own (`PlatformContext.readPool`: a page
        /// of `events(after:)`, which reads up to the event store's horizon) have one too, for the
        /// same reason.
        let readPool: PostgresPool
        /// Event store writes wait here for their turn rather than on a pooled connection: four
        /// at a time hold one (appends run side by side in the database; more than the two cores
        /// can insert at once would only wait there), never more than half the pool.
        let appendLine: AppendLine
        private let work = Mutex<[String: any BackgroundWork]>([:])
        init(pool: PostgresPool) {
            appendLine = AppendLine(width: min(4, pool.configuration.maxConnections / 2))
            // At least the pool's default wait: one lookup per slug is under way at a time, so a
            // wait here is for the other tenants' lookups, never for a request pool's reads.
            lookupPool = PostgresPool(configuration: .init(url: pool.configuration.url, minConnections: 0, maxConnections: 2,
                                                           acquireTimeout: max(.seconds(5), pool.configuration.acquireTimeout),
                                                           statementTimeoutMs: pool.configuration.statementTimeoutMs))
            directory = TenantDirectory(pool: lookupPool)
            readPool = PostgresPool(configuration: .init(url: pool.configuration.url, minConnections: 0, maxConnections: 2,
                                                         acquireTimeout: pool.configuration.acquireTimeout,
                                                         statementTimeoutMs: pool.configuration.statementTimeoutMs))
            backgroundPool = PostgresPool(configuration: .init(url: pool.configuration.url, minConnections: 0, maxConnections: 2))
        }
        static func of(_ pool: PostgresPool) -> Shared { instances(pool) }
        /// The module's background work on this pool (created once).
        func backgroundWork(_ module: PlatformSubgraph) -> (any BackgroundWork)? {
            guard let make = module.backgroundWork else { return nil }
            return work.withLock { w in
                if let existing = w[module.name] { return existing }
                let created = make(backgroundPool)
                w[module.name] = created
                return created
            }
        }
        /// Stops the work of modules not in `names` (a reload removed them).
        func stop(except names: Set<String>) {
            work.withLock { w in
                for (name, work) in w where !names.contains(name) { work.stop() }
            }
        }
        func stopAll() {
            work.withLock { w in w.values.forEach { $0.stop() } }
            directory.stop()
        }
    }

    static func all(configDirectory: String? = nil) -> [SubgraphModule] {
        discoveredSubgraphs.compactMap { module in
            let name = module.name
            guard let sdl = sdl(name, configDirectory: configDirectory) else { return nil }
            @Sendable func build(_ deps: ModuleDependencies) throws -> (Subgraph<PlatformContext>, @Sendable ([(String, String)]) -> PlatformContext) {
                guard let pool = deps.postgres else { throw ConfigurationError("subgraph module '\(name)' needs PostgreSQL: set postgres.url in the configuration (or SWITCHYARD_POSTGRES_URL)") }
                let shared = Shared.of(pool)
                let redis = deps.redis
                let subgraph = try module.make(sdl, PlatformSubgraphDependencies(pool: pool, redis: redis, backgroundWork: shared.backgroundWork(module)))
                // A query's reads share one tenant-scoped transaction; mutations keep theirs.
                // Each request's loaders are dropped when it ends.
                subgraph.around = { ctx, kind, run in
                    defer { ctx.finish() }
                    return await PlatformMetrics.$requestTenant.withValue(ctx.tenantSlug) {
                        kind == .query ? await ctx.inOneReadTransaction(run) : await run()
                    }
                }
                return (subgraph, { headers in PlatformContext(pool: pool, redis: redis, directory: shared.directory, headers: headers,
                                                                         appendLine: shared.appendLine, readPool: shared.readPool) })
            }
            return SubgraphModule(
                name: name, sdl: sdl,
                transport: { deps in
                    let (s, ctx) = try build(deps)
                    return InProcessTransport(subgraph: s, makeContext: ctx)
                },
                service: { deps in
                    let (s, ctx) = try build(deps)
                    return SubgraphService(subgraph: s, makeContext: ctx)
                })
        }
    }

    /// Event store writes of this pool's platform subgraphs waiting for their turn.
    static func appendsWaiting(_ pool: PostgresPool) -> Int {
        Shared.instances.existing(pool)?.appendLine.waiting ?? 0
    }

    static func stopBackgroundWork(_ pool: PostgresPool) {
        let shared = Shared.instances.remove(pool)
        shared?.stopAll()
        shared?.backgroundPool.close()
        shared?.directory.stop()
        shared?.lookupPool.close()
    }

    /// Starts the background work of the mounted modules that have some (work running already
    /// goes on), and stops that of modules no longer mounted (a reload removed them).
    static func startBackgroundWork(_ config: GatewayConfiguration, _ deps: ModuleDependencies) {
        guard let pool = deps.postgres else { return }
        // The live events' feed ends a subscriber that takes nothing as the gateway does.
        EventFeed.of(pool).setGrace(milliseconds: config.subscriptions.slowConsumerGraceMs)
        let shared = Shared.of(pool)
        let mounted = Set(config.subgraphs.compactMap(\.module))
        shared.stop(except: mounted)
        for module in discoveredSubgraphs where mounted.contains(module.name) {
            shared.backgroundWork(module)?.start()
        }
    }

    /// Folders of the modules' own migrations (`subgraphs/<name>/migrations`) that exist.
    static func migrationFolders(configDirectory: String?) -> [(module: String, folder: String)] {
        discoveredSubgraphs.compactMap { module in
            let candidates = [configDirectory, FileManager.default.currentDirectoryPath].compactMap { $0 }.map { $0 + "/subgraphs/\(module.name)/migrations" }
            return candidates.first { FileManager.default.fileExists(atPath: $0) }.map { (module.name, $0) }
        }
    }
}

/// An in-package subgraph served on its own (the gateway's HTTP layer over its schema).
struct SubgraphService<Context: Sendable>: OperationExecutor {
    let subgraph: Subgraph<Context>
    let makeContext: @Sendable ([(String, String)]) -> Context
    var apiSchema: GraphQLCore.Schema { subgraph.schema }

    func execute(_ request: ExecutionRequest, context: RequestContext) async -> ExecutionResult {
        await subgraph.execute(request, context: makeContext(Self.headers(context)))
    }

    func subscribe(_ request: ExecutionRequest, context: RequestContext) async -> SubscriptionStart {
        await subgraph.subscribe(request, context: makeContext(Self.headers(context)))
    }

    /// The client's headers with the tenant that admission decided (a verified token's, or the
    /// development header's when enabled) — never a client's own `X-Tenant` beside it.
    static func headers(_ context: RequestContext) -> [(String, String)] {
        var headers = context.headers.filter { $0.0.lowercased() != "x-tenant" }
        if let t = context.tenant { headers.append(("x-tenant", t)) }
        return headers
    }
}

import GraphQLCore
