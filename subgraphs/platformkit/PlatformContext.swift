import DataLoader
import Foundation
import GraphQLCore
import Postgres
import Redis
import Synchronization
import Tracing

extension IdleBatchScheduler: ExecutionObserver {
    public func asyncResolverStarted() { workStarted() }
    public func asyncResolverFinished() { workFinished() }
}

/// Resolves tenant slugs to ids through `tenant_id_for_slug`, cached per process until the
/// tenants table changes (`tenants_changed`, the notification that reloads quotas): a slug that
/// is reassigned never keeps reading the old tenant's data.
public final class TenantDirectory: Sendable {
    let pool: PostgresPool
    /// Slugs are compared as PostgreSQL compares them, byte for byte (`ExactText`): "café" with
    /// "é" as one code point and as two are two tenants, one's id never served for the other.
    private struct State {
        var ids: [ExactText: UUID] = [:]
        /// Lookups under way, one per slug: a burst of requests for a tenant not cached yet
        /// waits for one query rather than each taking a turn on the lookup pool.
        var lookups: [ExactText: Task<UUID?, any Error>] = [:]
        /// Bumped on every change notification: a lookup begun before it is not cached.
        var generation = 0
        var listener: Task<Void, Never>?
    }
    private let state = Mutex(State())

    public init(pool: PostgresPool) { self.pool = pool }

    public func id(for slug: String) async throws -> UUID? {
        let (cached, lookup) = state.withLock { s -> (UUID?, Task<UUID?, any Error>?) in
            if s.listener == nil { s.listener = listen() }
            let key = ExactText(slug)
            if let id = s.ids[key] { return (id, nil) }
            if let pending = s.lookups[key] { return (nil, pending) }
            let generation = s.generation, pool = self.pool
            let task = Task<UUID?, any Error> { [weak self] in
                let id: UUID?
                do {
                    id = try await pool.query("SELECT tenant_id_for_slug(\(slug)) AS id").first?.decode("id", as: UUID?.self) ?? nil
                } catch {
                    self?.settle(slug, generation: generation, id: nil)
                    throw error
                }
                self?.settle(slug, generation: generation, id: id)
                return id
            }
            s.lookups[key] = task
            return (nil, task)
        }
        if let cached { return cached }
        return try await lookup!.value
    }

    /// A lookup is done: its answer is cached unless the tenants changed meanwhile (then the
    /// lookups were forgotten already, and one begun since may be under way).
    private func settle(_ slug: String, generation: Int, id: UUID?) {
        state.withLock { s in
            guard s.generation == generation else { return }
            let key = ExactText(slug)
            s.lookups[key] = nil
            if let id { s.ids[key] = id }
        }
    }

    /// Forgets every slug (on each `tenants_changed`, and once the LISTEN is in place).
    public func invalidate() {
        state.withLock { s in
            s.ids = [:]
            s.lookups = [:]
            s.generation += 1
        }
    }

    private func listen() -> Task<Void, Never> {
        let pool = self.pool
        return Task.detached { [weak self] in
            while !Task.isCancelled {
                do {
                    for try await _ in pool.listen(["tenants_changed"], announceSubscriptions: true) { self?.invalidate() }
                } catch {}
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    public func stop() { state.withLock { $0.listener?.cancel(); $0.listener = nil } }
}

/// What a platform subgraph's resolvers get for one request (a class: each resolver call takes one
/// reference, not a copy of its eleven).
public final class PlatformContext: Sendable {
    public let pool: PostgresPool
    public let redis: RedisClient?
    public let directory: TenantDirectory
    /// The tenant slug from the gateway (`x-tenant`), if any.
    public let tenantSlug: String?
    /// Dispatches this request's loaders when every resolver waits on one (inside a request
    /// transaction: the query's, shared by its platform subgraph requests).
    public let scheduler: IdleBatchScheduler
    /// What the subgraph's executor reports its work to (`Subgraph.observer`).
    public let observer: any ExecutionObserver
    private let loaders: LoaderBox
    /// The connection of this request's shared read transaction, while one is open.
    private let shared = SharedConnection()
    /// Where this database's event store writes wait their turn (nil: they go straight to the pool).
    public let appendLine: AppendLine?
    /// Where reads in a transaction of their own go (`ownReadCommitted`; nil: the request pool): a
    /// pool apart, because the request may hold a connection of the request pool for its shared
    /// read transaction meanwhile, and a second one from the same pool could wait for ever.
    public let readPool: PostgresPool?

    public init(pool: PostgresPool, redis: RedisClient?, directory: TenantDirectory, headers: [(String, String)], appendLine: AppendLine? = nil,
                readPool: PostgresPool? = nil) {
        self.pool = pool
        self.appendLine = appendLine
        self.readPool = readPool
        self.redis = redis
        self.directory = directory
        self.tenantSlug = headers.first { $0.0.lowercased() == "x-tenant" }?.1
        if let request = RequestTransaction.current {
            scheduler = request.gate
            observer = RequestWorkObserver(gate: request.gate, transaction: request)
        } else {
            scheduler = IdleBatchScheduler()
            observer = scheduler
        }
        self.loaders = LoaderBox()
    }

    /// The request's tenant id; nil without a tenant (then queries see no tenant rows).
    public func tenantID() async throws -> UUID? {
        guard let slug = tenantSlug, !slug.isEmpty else { return nil }
        return try await directory.id(for: slug)
    }

    /// Runs `body` in a READ COMMITTED transaction of its own, scoped to the request's tenant, even
    /// when the request's reads share one transaction: for reads that follow event positions,
    /// which read `events_horizon()` in a statement before theirs (the shared transaction's
    /// snapshot is taken at its first statement, before any horizon could be read).
    public func ownReadCommitted<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await tenantTransaction(on: readPool ?? pool, body)
    }

    /// Runs `body` in a transaction scoped to the request's tenant (row-level security applies).
    /// Without a tenant the transaction sets none, so tenant tables look empty.
    public func db<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        if let c = shared.connection {
            do { return try await body(c) } catch {
                shared.failed(error)
                throw error
            }
        }
        return try await ownTransaction(body)
    }

    /// A write to the event store (one that takes its append lock), in a transaction of its own
    /// (never a request's shared read transaction: its last statement may commit, `queryAndCommit`).
    /// The transaction begins when it is the write's turn in `appendLine`, so that waiting for
    /// the lock does not hold a connection that reads could use.
    public func appending<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard let appendLine else { return try await ownTransaction(body) }
        return try await appendLine.run { try await ownTransaction(body) }
    }

    /// Appends to a stream of the request tenant's event store. When the append waits for its
    /// turn in `appendLine`, the appends to other streams of the same tenant waiting behind it
    /// go in the same statement and commit (`AppendLine`); each gets its own outcome.
    public func append(_ a: EventAppend, tenant: UUID) async throws -> EventAppend.Outcome {
        guard let appendLine else { return try await write([a], tenant: tenant)[0].get() }
        return try await appendLine.run(a, sharing: .init(key: "events:" + tenant.uuidString, unit: a.stream, size: a.count)) {
            await self.write($0, tenant: tenant)
        }
    }

    /// Writes a batch of appends in one transaction. A batch that fails on one append's data or
    /// on a race for one stream (SQLSTATE class 22 or 23, or a deadlock with another writer:
    /// 40P01) is written again append by append, so that only that append fails; any other
    /// failure is every append's.
    private func write(_ batch: [EventAppend], tenant: UUID) async -> [Result<EventAppend.Outcome, any Error>] {
        do {
            let order = EventAppend.inStreamOrder(batch)
            // The statement's generic plan, always: its custom plans, made for each batch's
            // number of appends, look cheaper than one made for the planner's guess of 10.
            let rows = try await sayingCommitOutcome {
                try await pool.withTenant(PostgresUUID.text(tenant), genericPlans: true) { c in
                    try await c.queryAndCommit(EventAppend.statement(order.map { batch[$0] }, tenant: tenant))
                }
            }
            var outcomes = [Result<EventAppend.Outcome, any Error>](repeating: .failure(AppendLine.MissingOutcome()), count: batch.count)
            for r in rows {
                let k = try r.decode("k", as: Int.self)
                guard order.indices.contains(k) else { continue }
                outcomes[order[k]] = .success(.init(streamVersion: try r.decode("version"), written: try r.decode("written"),
                                                    firstPosition: try r.decode("first_position"), lastPosition: try r.decode("last_position")))
            }
            return outcomes
        } catch let e as PostgresError where batch.count > 1 && (e.isDataOrIntegrityError || e.sqlState == "40P01") {
            var outcomes: [Result<EventAppend.Outcome, any Error>] = []
            for a in batch { outcomes += await write([a], tenant: tenant) }
            return outcomes
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    /// A transaction scoped to the request's tenant; a commit whose outcome is unknown is said as
    /// it is (the client must check before trying again).
    private func ownTransaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await sayingCommitOutcome { try await tenantTransaction(on: pool, body) }
    }

    private func sayingCommitOutcome<T: Sendable>(_ transaction: () async throws -> T) async throws -> T {
        do { return try await transaction() } catch let e as PostgresError where e.code == .commitOutcomeUnknown {
            throw GraphQLError("The database connection was lost while committing: the change may or may not have been applied.",
                               code: "COMMIT_OUTCOME_UNKNOWN")
        }
    }

    private func tenantTransaction<T: Sendable>(on pool: PostgresPool, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        // A query's reads apart from its shared transaction count against its read budget too.
        let budget = RequestTransaction.current?.readBudget
        let charged: (PostgresConnection) async throws -> T = { c in
            guard let budget else { return try await body(c) }
            c.readBudget = budget
            defer { c.readBudget = nil }
            return try await body(c)
        }
        if let id = try await tenantID() {
            return try await pool.withTenant(PostgresUUID.text(id), charged)
        }
        return try await pool.transaction(charged)
    }

    /// Runs a read-only request with every `db` call in one tenant-scoped transaction on one
    /// connection: one BEGIN/set_config/COMMIT per subgraph request instead of one per resolver
    /// batch, and one pool checkout. (Statements queue on the connection in order.)
    ///
    /// Inside a `RequestTransaction` (the gateway opens one per query) the transaction is the
    /// request's, shared with the other platform subgraphs it calls.
    public func inOneReadTransaction<T: Sendable>(_ run: @Sendable () async -> T) async -> T {
        if let request = RequestTransaction.current, let tenant = try? await tenantID(),
           let c = try? await request.connection(pool, tenant: tenant) {
            shared.set(c, request: request)
            let result = await run()
            let again = shared.needsRetry
            shared.set(nil)
            // Another subgraph request's failed statement aborted the shared transaction under
            // this one, or the connection died: run it again in a transaction of its own (fresh
            // loaders: what they cached came from the failed one).
            guard again else { return result }
            loaders.removeAll()
        }
        // A read whose connection died (the server restarted) is run once more on a fresh one.
        for attempt in 0..<2 {
            let box = ResultBox<T>()
            var lost = false
            do {
                try await db { c in
                    shared.set(c)
                    box.value = await run()
                    lost = shared.needsRetry
                    shared.set(nil)
                }
            } catch let e as PostgresError where e.code == .connectionClosed {
                lost = true   // BEGIN or COMMIT met the dead connection
            } catch {
                // BEGIN or COMMIT failed otherwise; a read that already ran keeps its answer.
            }
            if lost, attempt == 0 {
                loaders.removeAll()
                continue
            }
            if let value = box.value { return value }
            break
        }
        return await run()
    }

    /// Ends the request: drops its loaders (their batch functions capture this context, so
    /// without this the loaders and everything they cached would outlive the request).
    public func finish() { loaders.removeAll() }

    /// A per-request loader, created on first use. Each batch it loads is a span (`batch
    /// <kind>`, the name up to its first `:` — the rest, a field's arguments, may be a client's
    /// values: span names stay few —, with the whole name and the number of keys).
    public func loader<K: Hashable & Sendable, V: Sendable>(_ name: String, _ batch: @escaping DataLoader<K, V>.BatchFunction) -> DataLoader<K, V> {
        loaders.get(name) {
            let spanName = "batch " + (name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name)
            // Batches run at idle moments shared by the request's subgraphs: the span's parent is
            // the context the loader was made in (its subgraph's fetch), not whatever span is
            // current when the batch happens to run.
            let parent = ServiceContext.current ?? .topLevel
            return DataLoader<K, V>(scheduler: scheduler) { keys in
                try await withSpan(spanName, context: parent) { span in
                    if span.isRecording {
                        span.attributes["switchyard.batch.size"] = keys.count
                        span.attributes["switchyard.batch.loader"] = name
                    }
                    return try await batch(keys)
                }
            }
        }
    }

    /// Redis keys are tenant-prefixed.
    public func cacheKey(_ parts: String...) async throws -> String {
        try await cacheKeyPrefix() + parts.joined(separator: ":")
    }

    /// What every Redis key of this request's tenant starts with (for many keys at once).
    public func cacheKeyPrefix() async throws -> String {
        "tenant:" + ((try await tenantID()).map(PostgresUUID.text) ?? "none") + ":"
    }
}

final class SharedConnection: @unchecked Sendable {
    private let lock = NSLock()
    private var current: PostgresConnection?
    private var request: RequestTransaction?
    /// A statement failed because another subgraph request's statement had aborted the shared
    /// transaction (SQLSTATE 25P02): this subgraph request is run again on its own.
    private var abortedByOther = false
    /// A statement failed because the connection died (a server restart): a read is run again
    /// on a fresh connection.
    private var connectionLost = false
    var connection: PostgresConnection? { lock.withLock { current } }
    func set(_ c: PostgresConnection?, request: RequestTransaction? = nil) {
        lock.withLock {
            current = c
            self.request = request
            if c != nil { abortedByOther = false; connectionLost = false }
        }
    }
    /// The subgraph request's reads should run again on their own (see the flags above).
    var needsRetry: Bool { lock.withLock { abortedByOther || connectionLost } }

    /// A statement on the connection failed: a request transaction is failed from then on.
    func failed(_ error: any Error) {
        // Only the server's errors abort a transaction (a result over the read budget was whole).
        guard let pg = error as? PostgresError, pg.code != .readLimitExceeded else { return }
        let request = lock.withLock { () -> RequestTransaction? in
            if (error as? PostgresError)?.sqlState == "25P02" { abortedByOther = true }
            if (error as? PostgresError)?.code == .connectionClosed { connectionLost = true }
            return self.request
        }
        request?.markFailed()
    }
}

final class ResultBox<T>: @unchecked Sendable {
    var value: T?
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
    func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        loaders.removeAll()
    }
}

/// A platform error with a stable code.
public func platformError(_ message: String, code: String) -> GraphQLError {
    GraphQLError(message, code: code)
}

extension Date {
    /// ISO 8601 with milliseconds, UTC (`2026-11-21T13:15:40.123Z`). Written by arithmetic:
    /// Foundation's ISO8601DateFormatter costs about 100 µs per call on Linux (ICU set-up),
    /// which was half of the gateway's CPU on TenantOverview.
    public var iso8601: String { ISO8601.format(self) }
}

extension String {
    /// Parses ISO 8601 date-times: `YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or `±HH:MM`.
    public var iso8601Date: Date? { ISO8601.parse(self) }
}

/// Proleptic Gregorian calendar arithmetic for UTC timestamps (days from civil and back).
public enum ISO8601 {
    public static func format(_ date: Date) -> String {
        // Milliseconds truncated, as ICU does, but a value within two units of the last place of
        // a whole millisecond is that millisecond (binary fractions: 0.285 is 0.28499999...).
        // Read from the `Date`'s own seconds (since 2001) split into whole and fraction, which is
        // exact: a stored `.122999` stays `.122` (rounded up, `since:` its own time would leave
        // the event out), as a `Date` of today holds about a tenth of a microsecond.
        let reference = date.timeIntervalSinceReferenceDate
        let whole = reference.rounded(.down)
        let fraction = (reference - whole) * 1000
        let nearest = fraction.rounded()
        // (A `Date` made from seconds since 1970 carries that number's rounding too.)
        let unit = max(reference.ulp, (reference + 978_307_200).ulp) * 1000
        let millis = abs(fraction - nearest) <= 2 * unit ? nearest : fraction.rounded(.down)
        let totalMillis = (Int64(whole) + 978_307_200) * 1000 + Int64(millis)
        var days = totalMillis / 86_400_000
        var millisOfDay = totalMillis % 86_400_000
        if millisOfDay < 0 { millisOfDay += 86_400_000; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        let h = millisOfDay / 3_600_000, mi = millisOfDay / 60_000 % 60, sec = millisOfDay / 1000 % 60, ms = millisOfDay % 1000
        // Written in place into the string's own storage: no arrays per timestamp.
        return String(unsafeUninitializedCapacity: 24) { out in
            var at = 0
            func digits(_ v: Int64, _ n: Int) {
                var x = v
                for i in stride(from: at + n - 1, through: at, by: -1) { out[i] = UInt8(truncatingIfNeeded: 0x30 + x % 10); x /= 10 }
                at += n
            }
            func byte(_ b: UInt8) { out[at] = b; at += 1 }
            digits(y, 4); byte(0x2D); digits(m, 2); byte(0x2D); digits(d, 2); byte(0x54)
            digits(h, 2); byte(0x3A); digits(mi, 2); byte(0x3A); digits(sec, 2); byte(0x2E); digits(ms, 3); byte(0x5A)
            return at
        }
    }

    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in i..<(i + n) {
                guard (0x30...0x39).contains(b[k]) else { return nil }
                v = v * 10 + Int64(b[k] - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = number(4), expect(0x2D), let mo = number(2), expect(0x2D), let d = number(2),
              i < b.count, b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20 else { return nil }
        i += 1
        guard let h = number(2), expect(0x3A), let mi = number(2), expect(0x3A), let sec = number(2),
              (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, sec < 61 else { return nil }
        var fraction = 0.0
        if i < b.count, b[i] == 0x2E || b[i] == 0x2C {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, (0x30...0x39).contains(b[i]) { fraction += Double(b[i] - 0x30) * scale; scale /= 10; i += 1 }
            guard i > start else { return nil }
        }
        var offsetSeconds: Int64 = 0
        guard i < b.count else { return nil }
        if b[i] == 0x5A || b[i] == 0x7A {
            i += 1
        } else if b[i] == 0x2B || b[i] == 0x2D {
            let sign: Int64 = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = number(2) else { return nil }
            _ = expect(0x3A)
            guard let om = number(2), oh < 24, om < 60 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(y, mo, d)
        let seconds = days * 86_400 + h * 3600 + mi * 60 + sec - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// The days of a month (February 29 in leap years of the proleptic Gregorian calendar): a
    /// date such as February 31 is refused, not moved to March.
    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// Database errors a client can act on, said as what they are:
/// - a value the database rejects as data (SQLSTATE class 22: a string with a NUL byte, a number
///   out of range, text that is not valid for its type) is the client's input: `BAD_USER_INPUT`,
///   with the SQLSTATE and without the server's message (which may quote data);
/// - no pooled connection free within the acquire timeout: `DATABASE_BUSY` (nothing was run);
/// - a statement cancelled by the statement timeout (an append waiting that long for the event
///   store's append lock, say): `DATABASE_TIMEOUT` (its transaction was rolled back).
/// Both of the latter are worth trying again;
/// - an event whose global position would not fit a GraphQL `Int` (migration 0017's check):
///   `EVENT_STORE_FULL` (the append's statement failed whole: nothing was written).
/// Every other database error stays internal.
extension PostgresError: GraphQLErrorConvertible {
    public var graphQLError: GraphQLError? {
        if code == .readLimitExceeded {
            return GraphQLError("The request read more than \(detail) from the database: ask for fewer or smaller items (smaller pages, fewer payload fields).",
                                code: "RESPONSE_TOO_LARGE")
        }
        if code == .poolTimeout {
            return GraphQLError("The database is busy: no connection became free in time. Nothing was done; try again.", code: "DATABASE_BUSY")
        }
        guard code == .server, let sqlState else { return nil }
        if sqlState == "23514", serverMessage?.contains("events_position_fits_graphql_int") == true {
            return GraphQLError("The event store is full: an event's global position would pass 2147483647, the largest a GraphQL Int holds. Nothing was appended.",
                                code: "EVENT_STORE_FULL")
        }
        if sqlState == "57014", serverMessage?.contains("statement timeout") == true {
            return GraphQLError("The database did not finish in time (statement timeout). Nothing was changed; try again.", code: "DATABASE_TIMEOUT")
        }
        guard sqlState.hasPrefix("22") else { return nil }
        return GraphQLError("A value in the request is not valid for the database (SQLSTATE \(sqlState)).", code: "BAD_USER_INPUT")
    }
}
