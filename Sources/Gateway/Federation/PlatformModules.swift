import Agents
import DataProducts
import Events
import Foundation
import PlatformKit
import Postgres
import Projections
import SubgraphKit
import Synchronization
import Tenants

/// The five platform subgraphs as modules. Their SDL lives in `Schema/<name>.graphql`.
enum PlatformModules {
    /// Where `Schema/` is: `SWITCHYARD_SCHEMA_DIR`, else beside the configuration file, else
    /// under the working directory.
    static func schemaDirectory(near configDirectory: String?) -> String {
        if let dir = ProcessInfo.processInfo.environment["SWITCHYARD_SCHEMA_DIR"] { return dir }
        let candidates = [configDirectory.map { $0 + "/Schema" }, FileManager.default.currentDirectoryPath + "/Schema"].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/tenants.graphql") } ?? candidates.last!
    }

    /// Per-pool shared state (the tenant directory, the projection runner).
    final class Shared: @unchecked Sendable {
        static let instances = Mutex<[ObjectIdentifier: Shared]>([:])
        let directory: TenantDirectory
        let runner: ProjectionRunner
        /// The projection runner's own small pool: background work never takes the
        /// connections requests wait for (nor shows in their statement count).
        let backgroundPool: PostgresPool
        init(pool: PostgresPool) {
            directory = TenantDirectory(pool: pool)
            backgroundPool = PostgresPool(configuration: .init(url: pool.configuration.url, minConnections: 0, maxConnections: 2))
            runner = ProjectionRunner(pool: backgroundPool)
        }
        static func of(_ pool: PostgresPool) -> Shared {
            instances.withLock { d in
                if let s = d[ObjectIdentifier(pool)] { return s }
                let s = Shared(pool: pool)
                d[ObjectIdentifier(pool)] = s
                return s
            }
        }
    }

    static func all(configDirectory: String? = nil) -> [SubgraphModule] {
        let schemaDirectory = schemaDirectory(near: configDirectory)
        let makers: [(String, @Sendable (String, ModuleDependencies) throws -> Subgraph<PlatformContext>)] = [
            ("tenants", { sdl, _ in try TenantsSubgraph.make(sdl: sdl) }),
            ("agents", { sdl, _ in try AgentsSubgraph.make(sdl: sdl) }),
            ("events", { sdl, _ in try EventsSubgraph.make(sdl: sdl) }),
            ("projections", { sdl, deps in try ProjectionsSubgraph.make(sdl: sdl, runner: deps.postgres.map { Shared.of($0).runner }) }),
            ("dataproducts", { sdl, _ in try DataProductsSubgraph.make(sdl: sdl) }),
        ]
        return makers.compactMap { name, make in
            let path = schemaDirectory + "/\(name).graphql"
            guard let sdl = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            @Sendable func build(_ deps: ModuleDependencies) throws -> (Subgraph<PlatformContext>, @Sendable ([(String, String)]) -> PlatformContext) {
                guard let pool = deps.postgres else { throw ConfigurationError("subgraph module '\(name)' needs postgres in gateway.yaml") }
                let shared = Shared.of(pool)
                let redis = deps.redis
                let subgraph = try make(sdl, deps)
                return (subgraph, { headers in PlatformContext(pool: pool, redis: redis, directory: shared.directory, headers: headers) })
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

    static func stopBackgroundWork(_ pool: PostgresPool) {
        let shared = Shared.instances.withLock { $0.removeValue(forKey: ObjectIdentifier(pool)) }
        shared?.runner.stop()
        shared?.backgroundPool.close()
    }

    /// Starts the projection runner when the projections module is mounted.
    static func startBackgroundWork(_ config: GatewayConfiguration, _ deps: ModuleDependencies) {
        guard config.subgraphs.contains(where: { $0.module == "projections" }), let pool = deps.postgres else { return }
        Shared.of(pool).runner.start()
    }
}

/// An in-package subgraph served on its own (the gateway's HTTP layer over its schema).
struct SubgraphService<Context: Sendable>: OperationExecutor {
    let subgraph: Subgraph<Context>
    let makeContext: @Sendable ([(String, String)]) -> Context
    var apiSchema: GraphQLCore.Schema { subgraph.schema }

    func execute(_ request: ExecutionRequest, context: RequestContext) async -> ExecutionResult {
        var headers = context.headers
        if let t = context.tenant, !headers.contains(where: { $0.0.lowercased() == "x-tenant" }) { headers.append(("x-tenant", t)) }
        let ctx = makeContext(headers)
        return await Executor.execute(subgraph.executable, request: request, context: ctx, observer: subgraph.observer?(ctx))
    }
}

import GraphQLCore
