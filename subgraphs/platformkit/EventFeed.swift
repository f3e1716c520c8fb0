import Foundation
import GraphQLCore
import Logging
import Postgres
import Synchronization

/// Live events from the event store, for subscriptions: one `LISTEN events_appended`
/// connection per pool (so one per gateway process), and on each wake-up one query per tenant
/// that has subscribers, read **under that tenant** (row-level security decides what a tenant
/// sees; nothing is filtered from a notification's payload), then fanned out in memory.
///
/// Appends run side by side, so an append may commit after one that drew later positions: each
/// read goes only up to the store's horizon (`events_horizon()`, below which every position is
/// final, read in a statement before it; one per wake-up for every tenant), so reading "after
/// the last position seen" misses nothing. Each subscriber gets the events
/// appended after it subscribed, in order, through a bounded buffer. The feed reads a page only
/// when every subscriber of the tenant has room for it: a burst (appends of 1,000 events) reaches
/// a subscriber that reads as fast as it can deliver; one left without room that takes nothing for
/// `grace` is ended with `FellBehind` (`SUBSCRIBER_TOO_SLOW`), and one that reads slowly slows its
/// tenant's others (for `longestWait` per page at most) — never another tenant's: each tenant's
/// reader runs on its own.
public final class EventFeed: Sendable {
    /// One event row (the columns of `EventFeed.columns`).
    public struct Event: Sendable {
        public let position: Int
        public let type: String
        public let streamID: String
        /// `data` as JSON text.
        public let data: String
        public let row: PostgresRow
    }

    public struct FellBehind: Error, CustomStringConvertible, GraphQLErrorConvertible {
        public let limit: Int
        public var description: String { "The subscriber fell more than \(limit) events behind and was ended." }
        public var graphQLError: GraphQLError? { GraphQLError(description, code: "SUBSCRIBER_TOO_SLOW") }
    }

    /// How many events a subscriber was given and has not taken yet.
    final class Backlog: Sendable {
        let count = Atomic<Int>(0)
    }

    /// A subscriber's events: the feed's stream, counting what the subscriber takes.
    public struct Subscription: AsyncSequence, Sendable {
        public typealias Element = Event
        let base: AsyncThrowingStream<Event, any Error>
        let backlog: Backlog
        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: AsyncThrowingStream<Event, any Error>.AsyncIterator
            let backlog: Backlog
            public mutating func next() async throws -> Event? {
                let e = try await base.next()
                if e != nil { backlog.count.wrappingSubtract(1, ordering: .relaxed) }
                return e
            }
        }
        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), backlog: backlog) }
    }

    public static let columns = "event_id, global_position, stream_id, stream_version, type, data::text AS data, metadata::text AS metadata, causation_id, correlation_id, occurred_at"
    public static let bufferLimit = 1_000
    /// Events read at a time.
    static let page = 500
    /// How long a subscriber without room for the next page may take nothing before it is ended
    /// (`subscriptions.slow_consumer_grace_ms`, 5 s unless the gateway sets it: `setGrace`).
    private let graceMs = Atomic<Int64>(5_000)
    public func setGrace(milliseconds: Int) { graceMs.store(Int64(max(0, milliseconds)), ordering: .relaxed) }
    var grace: Duration { .milliseconds(graceMs.load(ordering: .relaxed)) }
    /// How long the feed waits for room for one page at most, however the subscriber reads.
    static let longestWait: Duration = .seconds(60)

    let pool: PostgresPool
    let logger = Logger(label: "switchyard.events.feed")

    private struct Subscriber {
        let filter: @Sendable (Event) -> Bool
        /// The position up to which this subscriber has been given the tenant's events (its
        /// start: the horizon when it subscribed). The tenant's cursor goes back for a subscriber
        /// that starts behind it; the others are not given those events again.
        var delivered: Int
        let continuation: AsyncThrowingStream<Event, any Error>.Continuation
        let backlog: Backlog
    }
    private struct Tenant {
        var cursor: Int
        var subscribers: [UUID: Subscriber] = [:]
    }
    private struct State {
        var tenants: [UUID: Tenant] = [:]
        var listener: Task<Void, Never>?
    }
    private let state = Mutex(State())

    private static let instances = PerPool { EventFeed(pool: $0) }

    /// The feed of this pool (one per process and database).
    public static func of(_ pool: PostgresPool) -> EventFeed { instances(pool) }

    init(pool: PostgresPool) { self.pool = pool }

    /// How many subscribers the tenant has now (for per-tenant limits).
    public func subscriberCount(tenant: UUID) -> Int { state.withLock { $0.tenants[tenant]?.subscribers.count ?? 0 } }

    /// The tenant's events appended from now on that pass `filter`, in order. Ending the
    /// stream (or cancelling its consumer) unsubscribes.
    public func subscribe(tenant: UUID, filter: @escaping @Sendable (Event) -> Bool) async throws -> Subscription {
        let head: Int = try await pool.withTenant(PostgresUUID.text(tenant)) { c in
            try await c.query("SELECT events_horizon() AS p").first!.decode("p")
        }
        let id = TimeOrderedUUID.make()
        let (stream, continuation) = AsyncThrowingStream<Event, any Error>.makeStream(bufferingPolicy: .bufferingOldest(Self.bufferLimit + 1))
        continuation.onTermination = { [weak self] _ in self?.remove(tenant, id) }
        let backlog = Backlog()
        let start = state.withLock { s -> Bool in
            // In place: copying the tenant's subscribers on every subscribe is quadratic.
            if s.tenants[tenant] == nil { s.tenants[tenant] = Tenant(cursor: head) }
            s.tenants[tenant]!.cursor = min(s.tenants[tenant]!.cursor, head)
            s.tenants[tenant]!.subscribers[id] = Subscriber(filter: filter, delivered: head, continuation: continuation, backlog: backlog)
            guard s.listener == nil else { return false }
            s.listener = Task.detached { [weak self] in await self?.listen() }
            return true
        }
        if !start { wake(only: tenant) }
        return Subscription(base: stream, backlog: backlog)
    }

    private func remove(_ tenant: UUID, _ id: UUID) {
        let last = state.withLock { s -> Task<Void, Never>? in
            s.tenants[tenant]?.subscribers[id] = nil
            if s.tenants[tenant]?.subscribers.isEmpty == true { s.tenants[tenant] = nil }
            guard s.tenants.isEmpty, let l = s.listener else { return nil }
            s.listener = nil
            return l
        }
        last?.cancel()
    }

    /// Reads on every notification (and once the LISTEN is in place, and every few seconds as
    /// a safety net), until the last subscriber leaves.
    private func listen() async {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let listener = Task {
            while !Task.isCancelled {
                do {
                    for try await _ in pool.listen(["events_appended"], announceSubscriptions: true) { wake.yield() }
                } catch {
                    logger.warning("event notifications interrupted; listening again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        let ticker = Task {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(5)); wake.yield() }
        }
        await withTaskCancellationHandler {
            for await _ in wakes {
                if Task.isCancelled { break }
                await readAll()
            }
        } onCancel: {
            listener.cancel()
            ticker.cancel()
            wake.finish()
        }
        listener.cancel()
        ticker.cancel()
    }

    private func wake(only tenant: UUID) {
        startReading(tenant, upTo: nil)
    }

    /// Every subscribed tenant's new events, up to one horizon for them all (a horizon holds new
    /// appends back while it waits: one per wake-up, not one per tenant), read before their reads
    /// so that each read's snapshot sees every position up to it.
    private func readAll() async {
        let tenants = state.withLock { s in s.tenants.map { (tenant: $0.key, cursor: $0.value.cursor) } }
        guard let lowest = tenants.map(\.cursor).min() else { return }
        let horizon: Int
        do {
            horizon = try await pool.query("""
                SELECT CASE WHEN events_head() > \(lowest) THEN events_horizon() ELSE \(lowest) END::int8 AS h
                """).first!.decode("h")
        } catch {
            // The feed stopping (its last subscriber gone) cancels its read: nothing failed.
            if Task.isCancelled || error is CancellationError { return }
            logger.warning("reading the event store's horizon failed; retrying on the next wake-up", metadata: ["error": "\(error)"])
            return
        }
        guard horizon > lowest else { return }
        // Each tenant's reader goes on its own: one waiting for a slow subscriber's room (up to
        // `longestWait` per page) holds back its own tenant only — awaiting them all before the
        // next wake-up held every other tenant's live events back with it (probe 54F: 31 s).
        for t in tenants where t.cursor < horizon { startReading(t.tenant, upTo: horizon) }
    }

    /// What a running reader must read once it is done: up to the highest horizon a wake-up read
    /// meanwhile (`upTo`), or up to a horizon of its own (`own`: a subscriber started behind).
    private enum Again { case none, upTo(Int), own }
    /// Tenants whose reader runs, each with what it must read again when done (a wake-up came
    /// while it read: what was appended since its horizon is read then, not at the next wake-up —
    /// up to the horizon that wake-up read: `events_horizon()` holds appends back, so one per
    /// wake-up, not one per tenant).
    private let reading = Mutex<[UUID: Again]>([:])

    /// Starts the tenant's reader, or (one runs) asks it to read once more when it is done.
    private func startReading(_ tenant: UUID, upTo horizon: Int?) {
        let start = reading.withLock { r -> Bool in
            guard let pending = r[tenant] else {
                r[tenant] = Again.none
                return true
            }
            switch (pending, horizon) {
            case (.own, _), (_, nil): r[tenant] = .own
            case (.upTo(let a), let b?): r[tenant] = .upTo(max(a, b))
            case (.none, let b?): r[tenant] = .upTo(b)
            }
            return false
        }
        guard start else { return }
        // Detached: a reader started by a subscriber's request does not carry that request's
        // task-locals (its trace) into every later read.
        Task.detached { [weak self] in
            var horizon = horizon
            while let self {
                await self.read(tenant, upTo: horizon)
                let again = self.reading.withLock { r -> Again in
                    let again = r[tenant] ?? Again.none
                    if case .none = again { r[tenant] = nil } else { r[tenant] = Again.none }
                    return again
                }
                switch again {
                case .none: return
                case .upTo(let h): horizon = h
                case .own: horizon = nil
                }
            }
        }
    }

    /// The store's horizon for a reader at `after` (READ COMMITTED; read before the statement that
    /// reads up to it), or `after` itself when nothing the reader can see was committed past it:
    /// a horizon waits for the appends in flight and holds new ones back meanwhile, so it is
    /// asked for only when there is something to read (an append still in flight notifies when
    /// it commits).
    public static func horizon(_ c: PostgresConnection, after: Int) async throws -> Int {
        try await c.query("""
            SELECT CASE WHEN (SELECT coalesce(max(global_position), 0) FROM events) > \(after) THEN events_horizon() ELSE \(after) END::int8 AS h
            """).first!.decode("h")
    }

    /// One tenant's new events, in pages, under its own tenant scope, up to `horizon` (read
    /// before; nil: the tenant's own, read here); then delivered.
    /// (One reader per tenant at a time: `startReading`.)
    private func read(_ tenant: UUID, upTo horizon: Int? = nil) async {
        while true {
            await waitForRoom(tenant)
            guard let cursor = state.withLock({ $0.tenants[tenant]?.cursor }) else { return }
            let rows: PostgresRows
            do {
                rows = try await pool.withTenant(PostgresUUID.text(tenant)) { c in
                    let upTo: Int
                    if let horizon { upTo = horizon } else { upTo = try await Self.horizon(c, after: cursor) }
                    if upTo <= cursor { return PostgresRows.empty }
                    return try await c.query("""
                        SELECT \(unsafeRaw: Self.columns) FROM events WHERE global_position > \(cursor) AND global_position <= \(upTo)
                        ORDER BY global_position LIMIT \(Self.page)
                        """)
                }
            } catch {
                logger.warning("reading new events failed; retrying on the next wake-up", metadata: ["error": "\(error)"])
                return
            }
            var events: [Event] = []
            for r in rows {
                guard let position: Int = try? r.decode("global_position") else { continue }
                events.append(Event(position: position, type: (try? r.decode("type")) ?? "", streamID: (try? r.decode("stream_id")) ?? "",
                                    data: (try? r.decode("data")) ?? "{}", row: r.detached()))
            }
            deliver(events, to: tenant)
            if events.count < Self.page { return }
        }
    }

    /// Waits until every subscriber of the tenant has room for a page. One that takes nothing
    /// for `grace` meanwhile (or is still without room after `longestWait`) is ended
    /// (`FellBehind`): a subscriber that reads, however slowly, is waited for.
    private func waitForRoom(_ tenant: UUID) async {
        let start = ContinuousClock.now, grace = self.grace
        var progress: [ObjectIdentifier: (backlog: Int, at: ContinuousClock.Instant)] = [:]
        while true {
            let full = state.withLock { s in
                (s.tenants[tenant]?.subscribers.values).map { $0.filter { $0.backlog.count.load(ordering: .relaxed) > Self.bufferLimit - Self.page } } ?? []
            }
            if full.isEmpty { return }
            let now = ContinuousClock.now
            for sub in full {
                let id = ObjectIdentifier(sub.backlog), backlog = sub.backlog.count.load(ordering: .relaxed)
                if let seen = progress[id], backlog >= seen.backlog {
                    if now - seen.at >= grace || now - start >= Self.longestWait {
                        sub.continuation.finish(throwing: FellBehind(limit: Self.bufferLimit))
                        progress[id] = nil
                    }
                } else {
                    progress[id] = (backlog, now)   // took something (or first seen): its grace starts again
                }
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func deliver(_ events: [Event], to tenant: UUID) {
        guard let last = events.last else { return }
        // Each subscriber is given what is past its own position, which moves on here (one reader
        // per tenant delivers at a time): events read again for a subscriber that started
        // behind the cursor reach that one only.
        let subscribers = state.withLock { s -> [(Subscriber, Int)] in
            guard s.tenants[tenant] != nil else { return [] }
            s.tenants[tenant]!.cursor = max(s.tenants[tenant]!.cursor, last.position)
            var out: [(Subscriber, Int)] = []
            for (id, sub) in s.tenants[tenant]!.subscribers {
                out.append((sub, sub.delivered))
                if last.position > sub.delivered { s.tenants[tenant]!.subscribers[id]!.delivered = last.position }
            }
            return out
        }
        for (sub, from) in subscribers {
            for e in events where e.position > from && sub.filter(e) {
                switch sub.continuation.yield(e) {
                case .enqueued(let remaining) where remaining == 0:
                    sub.backlog.count.wrappingAdd(1, ordering: .relaxed)
                    // The buffer's spare place is taken: this subscriber is bufferLimit behind.
                    sub.continuation.finish(throwing: FellBehind(limit: Self.bufferLimit))
                case .dropped, .terminated:
                    break
                default:
                    sub.backlog.count.wrappingAdd(1, ordering: .relaxed)
                    continue
                }
                break
            }
        }
    }
}
