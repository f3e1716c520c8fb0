import Postgres
import Redis
import SubgraphKit

/// How an in-package subgraph declares itself. Every folder `subgraphs/<name>/` is a module
/// (Package.swift makes the target) that defines one `public let platformSubgraph`; the
/// gateway finds it by the folder's name (a build plugin writes the registry), so a new
/// subgraph is one folder plus `- { name: <name>, module: <name> }` in gateway.yaml.
///
/// ```swift
/// public let platformSubgraph = PlatformSubgraph(name: "reviews") { sdl, _ in
///     let s = try Subgraph<PlatformContext>(name: "reviews", sdl: sdl)
///     s.query.asyncField("reviews") { _, _, ctx, _ in ... }
///     return s
/// }
/// ```
///
/// Its SDL is `subgraphs/<name>/<name>.graphql` (or `Schema/<name>.graphql`); its own
/// migrations, if any, are `subgraphs/<name>/migrations/NNNN_name.sql` (`switchyard db migrate`).
public struct PlatformSubgraph: Sendable {
    public let name: String
    public let make: @Sendable (_ sdl: String, _ dependencies: PlatformSubgraphDependencies) throws -> Subgraph<PlatformContext>
    /// Work that runs beside the gateway while the module is mounted: one per database pool,
    /// started when the gateway starts and stopped with it.
    public let backgroundWork: (@Sendable (PostgresPool) -> any BackgroundWork)?

    public init(name: String, backgroundWork: (@Sendable (PostgresPool) -> any BackgroundWork)? = nil,
                make: @escaping @Sendable (_ sdl: String, _ dependencies: PlatformSubgraphDependencies) throws -> Subgraph<PlatformContext>) {
        self.name = name
        self.make = make
        self.backgroundWork = backgroundWork
    }
}

/// What a module gets when it is built: the clients and its background work (if it has one).
public struct PlatformSubgraphDependencies: Sendable {
    public let pool: PostgresPool?
    public let redis: RedisClient?
    public let backgroundWork: (any BackgroundWork)?
    public init(pool: PostgresPool?, redis: RedisClient?, backgroundWork: (any BackgroundWork)?) {
        self.pool = pool
        self.redis = redis
        self.backgroundWork = backgroundWork
    }
}

/// A long-running companion of a subgraph (e.g. the projection runner).
public protocol BackgroundWork: AnyObject, Sendable {
    /// Starts the work; a no-op when it runs already.
    func start()
    /// Stops it; it can be started again.
    func stop()
}
