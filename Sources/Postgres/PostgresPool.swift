import Foundation
import Synchronization

/// A pool of PostgreSQL connections with a minimum and maximum size, a health check on
/// checkout, reconnect after a server restart, and a bounded wait for a free connection.
///
/// ```swift
/// let pool = PostgresPool(configuration: .init(url: "postgres://app:pw@127.0.0.1:54329/switchyard"))
/// try await pool.warm()
/// let rows = try await pool.query("SELECT name FROM tenants WHERE slug = \(slug)")
/// try await pool.withTenant(tenantID) { conn in try await conn.query("...") }
/// ```
public final class PostgresPool: Sendable {
    public struct Configuration: Sendable {
        /// A `postgres://` URL or libpq `key=value` string; empty uses libpq's environment.
        public var url: String
        public var minConnections: Int
        public var maxConnections: Int
        /// How long `acquire` waits for a free connection before failing with `poolTimeout`.
        public var acquireTimeout: Duration
        /// The server ends a statement that runs longer (`statement_timeout`; nil: none).
        public var statementTimeoutMs: Int?

        public init(url: String, minConnections: Int = 5, maxConnections: Int = 20, acquireTimeout: Duration = .seconds(5),
                    statementTimeoutMs: Int? = nil) {
            self.statementTimeoutMs = statementTimeoutMs
            self.url = url
            self.minConnections = minConnections
            self.maxConnections = max(1, maxConnections)
            self.acquireTimeout = acquireTimeout
        }
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<PostgresConnection?, Error>
    }

    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
        /// How to stop each running `listen`, by id: closing the pool stops them.
        var listeners: [UInt64: @Sendable () -> Void] = [:]
    }

    public let configuration: Configuration
    public let statistics = PostgresStatistics()
    private let state = Mutex(State())

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Opens `minConnections` connections now.
    public func warm() async throws {
        var opened: [PostgresConnection] = []
        let toOpen = state.withLock { s -> Int in
            let n = max(0, configuration.minConnections - s.open)
            s.open += n
            return n
        }
        do {
            for _ in 0..<toOpen { opened.append(try await PostgresConnection.connect(configuration.url, statistics: statistics, statementTimeoutMs: configuration.statementTimeoutMs)) }
        } catch {
            state.withLock { $0.open -= toOpen - opened.count }
            opened.forEach { release($0) }
            throw error
        }
        opened.forEach { release($0) }
    }

    /// Number of open connections and idle ones (for tests and metrics).
    public var counts: (open: Int, idle: Int) { state.withLock { ($0.open, $0.idle.count) } }
    /// Callers waiting for a connection.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    private enum Checkout {
        case use(PostgresConnection)
        case create
        case wait(UInt64)
    }

    func acquire() async throws -> PostgresConnection {
        let action: Checkout = try state.withLock { s in
            if s.closed { throw PostgresError(.poolClosed, "the pool is closed") }
            if let c = s.idle.popLast() { return .use(c) }
            if s.open < configuration.maxConnections { s.open += 1; return .create }
            s.nextWaiterID += 1
            return .wait(s.nextWaiterID)
        }
        switch action {
        case .use(let c):
            return try await checked(c)
        case .create:
            return try await create()
        case .wait(let id):
            let timeout = configuration.acquireTimeout
            let timer = Task { [weak self] in
                try await Task.sleep(for: timeout)
                self?.expire(waiter: id)
            }
            defer { timer.cancel() }
            let handed: PostgresConnection? = try await withCheckedThrowingContinuation { cont in
                let rejected = state.withLock { s -> Bool in
                    if s.closed { return true }
                    // A connection may have come back between deciding to wait and now.
                    s.waiters.append(Waiter(id: id, continuation: cont))
                    return false
                }
                if rejected { cont.resume(throwing: PostgresError(.poolClosed, "the pool is closed")) }
            }
            // nil means: a slot was freed, open a new connection for this waiter.
            guard let c = handed else { return try await create() }
            return try await checked(c)
        }
    }

    private func expire(waiter id: UInt64) {
        let waiter = state.withLock { s -> Waiter? in
            guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return s.waiters.remove(at: i)
        }
        waiter?.continuation.resume(throwing: PostgresError(
            .poolTimeout, "no database connection became free within \(configuration.acquireTimeout) (pool size \(configuration.maxConnections))"))
    }

    private func create() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration.url, statistics: statistics, statementTimeoutMs: configuration.statementTimeoutMs)
        } catch {
            slotFreed()
            throw error
        }
    }

    /// Health check on checkout: a connection the server dropped is reopened in place.
    private func checked(_ c: PostgresConnection) async throws -> PostgresConnection {
        if c.isHealthy() { return c }
        do {
            try await c.reconnect()
            return c
        } catch {
            c.close()
            slotFreed()
            throw error
        }
    }

    private func slotFreed() {
        let waiter = state.withLock { s -> Waiter? in
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.open -= 1
            return nil
        }
        waiter?.continuation.resume(returning: nil)
    }

    func release(_ c: PostgresConnection) {
        let waiter = state.withLock { s -> Waiter? in
            if s.closed { s.open -= 1; return nil }
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.idle.append(c)
            return nil
        }
        if let waiter { waiter.continuation.resume(returning: c) }
        else if state.withLock({ $0.closed }) { c.close() }
    }

    /// Gives a connection back, or drops it if a transaction was left open or it broke.
    private func giveBack(_ c: PostgresConnection) {
        c.readBudget = nil   // a request's budget never reaches the next user
        c.dropUnsent()
        if c.isIdleOutsideTransaction() {
            release(c)
        } else {
            c.close()
            slotFreed()
        }
    }

    /// Takes a connection for longer than one call (a transaction that several tasks share);
    /// `checkIn` gives it back. Prefer `withConnection`.
    public func checkOut() async throws -> PostgresConnection { try await acquire() }

    /// Gives back a connection from `checkOut` (dropped if it is still in a transaction or broke).
    public func checkIn(_ c: PostgresConnection) async { giveBack(c) }

    /// Runs `body` with a connection of its own; the connection returns to the pool after.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let c = try await acquire()
        do {
            let result = try await body(c)
            giveBack(c)
            return result
        } catch {
            giveBack(c)
            throw error
        }
    }

    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withConnection { try await $0.query(query) }
    }

    /// `BEGIN` ... `COMMIT`, or `ROLLBACK` when `body` throws.
    public func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction(opening: ["BEGIN"], body)
    }

    /// A transaction scoped to one tenant: `set_config('app.tenant_id', $1, true)` runs first
    /// (with `BEGIN`, in the round trip of the first statement), so row-level security sees the
    /// tenant and the setting ends with the transaction.
    ///
    /// `genericPlans`: the transaction's prepared statements run their generic plans from their
    /// first execution (`plan_cache_mode`, in the same statement): for a statement whose custom
    /// plans always look cheaper than its generic one — one whose lists are usually shorter than
    /// the planner's guess for a list parameter (10) — and would otherwise be planned every time.
    public func withTenant<T: Sendable>(_ tenantID: String, genericPlans: Bool = false,
                                        _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let scope: PostgresQuery = genericPlans
            ? "SELECT set_config('app.tenant_id', \(tenantID), true), set_config('plan_cache_mode', 'force_generic_plan', true)"
            : "SELECT set_config('app.tenant_id', \(tenantID), true)"
        return try await transaction(opening: ["BEGIN", scope], body)
    }

    /// Runs `opening` (sent with the first statement of `body`: no round trip of its own), `body`,
    /// then `COMMIT` (unless the body's last statement carried it: `queryAndCommit`); `ROLLBACK`
    /// when anything fails. A body that sent nothing began nothing.
    private func transaction<T: Sendable>(opening: [PostgresQuery], _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { c in
            c.sendWithNext(opening)
            _ = c.takeCommitted()   // only this body's `queryAndCommit` counts
            do {
                let result = try await body(c)
                if c.dropUnsent() || c.takeCommitted() { return result }
                do { try await c.query("COMMIT") } catch let e as PostgresError where e.code == .connectionClosed {
                    throw PostgresError.commitOutcomeUnknown(e)
                }
                return result
            } catch {
                // A failed `queryAndCommit` leaves the transaction aborted, or ended by its COMMIT (then ROLLBACK only warns).
                if !c.dropUnsent() { _ = try? await c.query("ROLLBACK") }
                throw error
            }
        }
    }

    /// Sends a notification on `channel`.
    public func notify(_ channel: String, payload: String) async throws {
        try await query("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Closes idle connections, fails waiters and ends every `listen`; checked-out connections
    /// close when returned.
    public func close() {
        let (idle, waiters, listeners) = state.withLock { s -> ([PostgresConnection], [Waiter], [@Sendable () -> Void]) in
            s.closed = true
            let idle = s.idle, waiters = s.waiters, listeners = Array(s.listeners.values)
            s.open -= idle.count
            s.idle = []
            s.waiters = []
            s.listeners = [:]
            return (idle, waiters, listeners)
        }
        idle.forEach { $0.close() }
        waiters.forEach { $0.continuation.resume(throwing: PostgresError(.poolClosed, "the pool is closed")) }
        listeners.forEach { $0() }
    }

    /// Registers how to stop a listener; nil when the pool is already closed.
    func addListener(_ stop: @escaping @Sendable () -> Void) -> UInt64? {
        state.withLock { s in
            guard !s.closed else { return nil }
            s.nextWaiterID += 1
            s.listeners[s.nextWaiterID] = stop
            return s.nextWaiterID
        }
    }

    func removeListener(_ id: UInt64) { _ = state.withLock { $0.listeners.removeValue(forKey: id) } }
}
