import Foundation
import GraphQLCore
import Logging
import Postgres
import Redis
import Synchronization

/// Per-tenant quotas from the tenants subgraph's data, cached in the gateway: loaded at start
/// and again whenever `tenants_changed` is notified — never queried per request.
final class TenantQuotas: Sendable {
    struct Quota: Sendable, Equatable {
        let requestsPerMinute: Int
        let maxQueryCost: Int
    }

    /// By slug, compared byte for byte as PostgreSQL compares them (two slugs that differ only in
    /// Unicode normalization are two tenants with quotas of their own).
    private let bySlug = Mutex<[ExactText: Quota]>([:])
    private let task = Mutex<Task<Void, Never>?>(nil)
    let pool: PostgresPool
    let logger: Logger

    init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    func quota(for slug: String) -> Quota? { bySlug.withLock { $0[ExactText(slug)] } }

    /// The quotas were read at least once (readiness waits for it: before, no tenant would be
    /// rate limited nor held to its cost ceiling).
    let loaded = Atomic<Bool>(false)
    var isLoaded: Bool { loaded.load(ordering: .acquiring) }

    func reload() async throws {
        let rows: PostgresRows
        do {
            rows = try await pool.query("SELECT slug, requests_per_minute, max_query_cost FROM tenant_quotas()")
        } catch let e as PostgresError where Self.noTenantsSchema(e) {
            // The database has no tenants schema (not migrated for the platform modules): there
            // are no quotas to wait for, so readiness does not wait for them either.
            loaded.store(true, ordering: .releasing)
            throw e
        }
        var fresh: [ExactText: Quota] = [:]
        for r in rows {
            fresh[ExactText(try r.decode("slug"))] = Quota(requestsPerMinute: try r.decode("requests_per_minute"), maxQueryCost: try r.decode("max_query_cost"))
        }
        bySlug.withLock { $0 = fresh }
        loaded.store(true, ordering: .releasing)
        logger.debug("tenant quotas loaded", metadata: ["tenants": "\(fresh.count)"])
    }

    /// The database has no `tenant_quotas()` (undefined table or function).
    static func noTenantsSchema(_ e: PostgresError) -> Bool { e.sqlState == "42P01" || e.sqlState == "42883" }

    /// Loads now, then reloads on every `tenants_changed` notification (and every minute as a safety net).
    func start() {
        let t = Task.detached { [self] in
            try? await self.reload()
            let wake = AsyncStream<Void>.makeStream()
            // Reload on each notification, and once subscribed (changes made before that were not heard).
            let listener = Task { for try await _ in pool.listen(["tenants_changed"], announceSubscriptions: true) { wake.continuation.yield() } }
            let ticker = Task { while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)); wake.continuation.yield() } }
            defer { listener.cancel(); ticker.cancel() }
            // A failed reload is tried again soon (doubling up to 30 s), not at the next change
            // or minute: until it succeeds a new tenant would be held to no quota of its own.
            var retry: Task<Void, Never>?
            var backoff = Duration.milliseconds(250)
            for await _ in wake.stream {
                retry?.cancel()
                do {
                    try await self.reload()
                    backoff = .milliseconds(250)
                } catch let e as PostgresError where Self.noTenantsSchema(e) {
                    continue   // nothing to retry: the database has no tenants
                } catch {
                    self.logger.warning("tenant quotas not reloaded", metadata: [
                        "error": "\(error)", "server_message": "\((error as? PostgresError)?.serverMessage ?? "")", "retry_in": "\(backoff)"])
                    let wait = backoff
                    retry = Task { if (try? await Task.sleep(for: wait)) != nil { wake.continuation.yield() } }
                    backoff = min(backoff * 2, .seconds(30))
                }
            }
            retry?.cancel()
        }
        task.withLock { $0 = t }
    }

    func stop() {
        task.withLock { $0?.cancel() }
        pool.close()
    }
}

/// Requests per minute per tenant, enforced atomically in Redis (one sliding-window script,
/// Redis's own clock), so every gateway replica sharing the Redis shares the budget.
///
/// A large budget is taken in small leases: one script call records up to `leaseSize` requests
/// (a thousandth of the budget, at most 100) in the window and this gateway spends them locally
/// within a second — one Redis round trip per lease instead of per request (the call cost the
/// gateway ~70 µs and Redis ~40 µs per request). Budgets under 2,000 a minute are taken one
/// request at a time, exactly. A lease's requests count from when it was taken; one not spent
/// within its second is dropped (it still counts against the window: a tenant can be refused
/// at most a lease's worth early, never admitted beyond its budget by more than one lease).
final class RateLimiter: Sendable {
    let redis: RedisClient

    init(redis: RedisClient) { self.redis = redis }

    static let script = RedisScript("""
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local window = tonumber(ARGV[1])
    local limit = tonumber(ARGV[2])
    local want = tonumber(ARGV[4] or '1')
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
    local granted = math.min(want, limit - redis.call('ZCARD', KEYS[1]))
    if granted <= 0 then
      local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
      -- A budget of 0 has nothing in its window: refused for a whole window.
      if oldest[2] == nil then return {0, window} end
      return {0, tonumber(oldest[2]) + window - now}
    end
    for i = 1, granted do redis.call('ZADD', KEYS[1], now, ARGV[3] .. ':' .. i) end
    redis.call('PEXPIRE', KEYS[1], window)
    return {granted, 0}
    """)

    enum Decision: Equatable {
        case allowed
        case limited(retryAfterMs: Int)
    }

    /// Requests taken from Redis and not spent yet, per window key.
    private struct Lease {
        var remaining: Int
        let until: ContinuousClock.Instant
    }
    /// By window key (which holds a tenant's slug), compared byte for byte as Redis compares keys.
    private let leases = Mutex<[ExactText: Lease]>([:])

    /// How many requests one script call takes for a budget of `perMinute`.
    static func leaseSize(_ perMinute: Int) -> Int { min(100, max(1, perMinute / 1_000)) }

    /// A window member unique across processes and requests: this process's random prefix and a
    /// counter (no random bytes read per request).
    private static let memberPrefix = String(UInt64.random(in: .min ... .max), radix: 36) + "-"
    private static let memberCounter = Atomic<UInt64>(0)

    /// One request against the sliding window at `key` (a tenant's, or a client address's),
    /// whose budget is `perMinute`.
    func take(key: String, perMinute: Int) async throws -> Decision {
        let size = Self.leaseSize(perMinute)
        let exact = ExactText(key)
        if size > 1 {
            let now = ContinuousClock.now
            let spent = leases.withLock { l -> Bool in
                guard var lease = l[exact], lease.remaining > 0, lease.until > now else { return false }
                lease.remaining -= 1
                l[exact] = lease
                return true
            }
            if spent { return .allowed }
        }
        let member = Self.memberPrefix + String(Self.memberCounter.wrappingAdd(1, ordering: .relaxed).newValue, radix: 36)
        let reply = try await redis.run(Self.script, keys: [key],
                                        args: [RedisArgument(60_000), RedisArgument(perMinute), RedisArgument(member), RedisArgument(size)])
        guard let parts = reply.array, parts.count == 2, let granted = parts[0].integer else { return .allowed }
        guard granted > 0 else { return .limited(retryAfterMs: max(1, parts[1].integer ?? 1_000)) }
        if granted > 1 {
            let until = ContinuousClock.now + .seconds(1)
            leases.withLock { l in
                let now = ContinuousClock.now
                // Several requests may have found the lease spent at once: each one's surplus is kept.
                let left = l[exact].map { $0.until > now ? $0.remaining : 0 } ?? 0
                // Keys come and go (client addresses): past leases are dropped as the table grows.
                if l.count >= 4_096 { l = l.filter { $0.value.until > now } }
                l[exact] = Lease(remaining: left + granted - 1, until: until)
            }
        }
        return .allowed
    }
}
