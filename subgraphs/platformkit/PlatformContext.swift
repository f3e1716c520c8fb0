import DataLoader
import Foundation
import GraphQLCore
import Postgres
import Redis
import Synchronization

extension IdleBatchScheduler: ExecutionObserver {
    public func asyncResolverStarted() { workStarted() }
    public func asyncResolverFinished() { workFinished() }
}

/// Resolves tenant slugs to ids (once per process and slug) through `tenant_id_for_slug`.
public final class TenantDirectory: Sendable {
    let pool: PostgresPool
    private let cache = Mutex<[String: UUID]>([:])

    public init(pool: PostgresPool) { self.pool = pool }

    public func id(for slug: String) async throws -> UUID? {
        if let id = cache.withLock({ $0[slug] }) { return id }
        let row = try await pool.query("SELECT tenant_id_for_slug(\(slug)) AS id").first
        guard let id = try row?.decode("id", as: UUID?.self) else { return nil }
        cache.withLock { $0[slug] = id }
        return id
    }
}

/// What a platform subgraph's resolvers get for one request.
public struct PlatformContext: Sendable {
    public let pool: PostgresPool
    public let redis: RedisClient?
    public let directory: TenantDirectory
    /// The tenant slug from the gateway (`x-tenant`), if any.
    public let tenantSlug: String?
    /// Dispatches this request's loaders when every resolver waits on one.
    public let scheduler: IdleBatchScheduler
    private let loaders: LoaderBox

    public init(pool: PostgresPool, redis: RedisClient?, directory: TenantDirectory, headers: [(String, String)]) {
        self.pool = pool
        self.redis = redis
        self.directory = directory
        self.tenantSlug = headers.first { $0.0.lowercased() == "x-tenant" }?.1
        self.scheduler = IdleBatchScheduler()
        self.loaders = LoaderBox()
    }

    /// The request's tenant id; nil without a tenant (then queries see no tenant rows).
    public func tenantID() async throws -> UUID? {
        guard let slug = tenantSlug, !slug.isEmpty else { return nil }
        return try await directory.id(for: slug)
    }

    /// Runs `body` in a transaction scoped to the request's tenant (row-level security applies).
    /// Without a tenant the transaction sets none, so tenant tables look empty.
    public func db<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        if let id = try await tenantID() {
            return try await pool.withTenant(id.uuidString, body)
        }
        return try await pool.transaction(body)
    }

    /// A per-request loader, created on first use.
    public func loader<K: Hashable & Sendable, V: Sendable>(_ name: String, _ batch: @escaping DataLoader<K, V>.BatchFunction) -> DataLoader<K, V> {
        loaders.get(name) { DataLoader<K, V>(scheduler: scheduler, batch: batch) }
    }

    /// Redis keys are tenant-prefixed.
    public func cacheKey(_ parts: String...) async throws -> String {
        "tenant:" + ((try await tenantID())?.uuidString.lowercased() ?? "none") + ":" + parts.joined(separator: ":")
    }
}

final class LoaderBox: @unchecked Sendable {
    private let lock = NSLock()
    private var loaders: [String: AnyObject] = [:]
    func get<L: AnyObject>(_ name: String, _ make: () -> L) -> L {
        lock.lock()
        defer { lock.unlock() }
        if let l = loaders[name] as? L { return l }
        let l = make()
        loaders[name] = l
        return l
    }
}

/// A platform error with a stable code.
public func platformError(_ message: String, code: String) -> GraphQLError {
    GraphQLError(message, code: code)
}

extension Date {
    /// ISO 8601 with milliseconds, UTC.
    public var iso8601: String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: self)
    }
}

extension String {
    /// Parses ISO 8601 (with or without fractional seconds).
    public var iso8601Date: Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: self) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: self)
    }
}
