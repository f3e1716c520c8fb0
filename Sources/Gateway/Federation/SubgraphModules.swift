import BenchSubgraphs
import Federation
import GraphQLCore
import Postgres
import Redis
import SubgraphKit

/// What an in-package subgraph module needs from the gateway.
public struct ModuleDependencies: Sendable {
    public var postgres: PostgresPool?
    public var redis: RedisClient?
    public init(postgres: PostgresPool? = nil, redis: RedisClient? = nil) {
        self.postgres = postgres
        self.redis = redis
    }
}

/// An in-package subgraph: its SDL, how to call it in-process, and how to serve it alone.
public struct SubgraphModule: Sendable {
    public let name: String
    public let sdl: String
    /// The module's subgraph as an in-process transport.
    public let transport: @Sendable (ModuleDependencies) throws -> any SubgraphTransport
    /// The module's subgraph as a GraphQL service of its own (`switchyard subgraph NAME`).
    public let service: @Sendable (ModuleDependencies) throws -> any OperationExecutor

    public init(name: String, sdl: String, transport: @escaping @Sendable (ModuleDependencies) throws -> any SubgraphTransport,
                service: @escaping @Sendable (ModuleDependencies) throws -> any OperationExecutor) {
        self.name = name
        self.sdl = sdl
        self.transport = transport
        self.service = service
    }

    /// A module from a subgraph whose context does not depend on the request.
    public static func simple<Context: Sendable>(_ name: String, _ make: @escaping @Sendable () throws -> Subgraph<Context>,
                                                 context: @escaping @Sendable () -> Context) throws -> SubgraphModule {
        let sdl = try make().sdl
        return SubgraphModule(name: name, sdl: sdl,
                              transport: { _ in InProcessTransport(subgraph: try make()) { _ in context() } },
                              service: { _ in LocalExecutor(executable: try make().executable) { _ in context() } })
    }
}

/// The in-package subgraph modules, by name. Adding a subgraph is one entry here and a
/// folder under `subgraphs/`.
public enum SubgraphModules {
    /// Why `name` is no module here although this build has it (its schema file is missing), or nil.
    public static func missingSchema(_ name: String, configDirectory: String? = nil) -> String? {
        PlatformModules.missingSchema(name, configDirectory: configDirectory)
    }

    /// In-package modules' own migration folders (`subgraphs/<name>/migrations`), by module.
    /// The platform's own migrations (`Schema/postgres`), found as the modules' schemas are:
    /// `SWITCHYARD_SCHEMA_DIR`, else beside the configuration file, else under the working directory.
    public static func migrationsDirectory(configDirectory: String? = nil) -> String {
        PlatformModules.schemaDirectory(near: configDirectory) + "/postgres"
    }

    public static func migrationFolders(configDirectory: String? = nil) -> [(module: String, folder: String)] {
        PlatformModules.migrationFolders(configDirectory: configDirectory)
    }

    /// - Parameter configDirectory: where gateway.yaml is (the platform modules' SDL is looked for in `Schema/` beside it).
    public static func all(configDirectory: String? = nil) throws -> [String: SubgraphModule] {
        var modules: [String: SubgraphModule] = [:]
        // The federation benchmark's subgraphs (static data), for benchmarks and demos.
        let bench: [(String, @Sendable () throws -> Subgraph<BenchSubgraphs.Context>)] = [
            ("bench_accounts", BenchSubgraphs.accounts), ("bench_inventory", BenchSubgraphs.inventory),
            ("bench_products", BenchSubgraphs.products), ("bench_reviews", BenchSubgraphs.reviewsSubgraph),
        ]
        for (name, make) in bench { modules[name] = try .simple(name, make) { BenchSubgraphs.Context() } }
        for m in PlatformModules.all(configDirectory: configDirectory) { modules[m.name] = m }
        return modules
    }
}
