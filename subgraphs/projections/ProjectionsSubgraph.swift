import Foundation
import Logging
import GraphQLCore
import PlatformKit
import Postgres
import SubgraphKit
import Synchronization

/// The projections subgraph: CQRS read models (agent stats, tenant usage) folded from the
/// event store by `ProjectionRunner`, and the `Projection` entities that show their progress.
public enum ProjectionsSubgraph {
    struct Projection: Sendable { let name: String, position: Int, lag: Int, status: String, updatedAt: Date, lastError: String? }
    struct Parked: Sendable { let position: Int, eventID: UUID, error: String, parkedAt: Date }
    struct Stats: Sendable { var completed = 0, failed = 0, assigned = 0; var lastActive: Date? }
    struct Usage: Sendable { var active = 0, last24h = 0, total = 0 }
    struct Ref: Sendable { let id: String }

    static let names = ["agent_stats", "tenant_usage"]

    /// In the request's transaction (a query's reads share one connection; a second one taken
    /// from the pool while it is held could wait for ever under load).
    static func projections(_ ctx: PlatformContext, _ filter: [String]) async throws -> [Projection] {
        let rows = try await ctx.db {
            try await $0.query("""
                SELECT name, position, status, updated_at, last_error, events_head() - position AS lag FROM projection_checkpoints
                WHERE name = ANY(\(filter)) ORDER BY name
                """)
        }
        return try rows.map {
            Projection(name: try $0.decode("name"), position: try $0.decode("position"), lag: max(0, try $0.decode("lag", as: Int.self)),
                       status: try $0.decode("status"), updatedAt: try $0.decode("updated_at"), lastError: try $0.decode("last_error"))
        }
    }

    public static func make(sdl: String, runner: ProjectionRunner?) throws -> Subgraph<PlatformContext> {
        let s = try Subgraph<PlatformContext>(name: "projections", sdl: sdl)
        s.observer = { $0.observer }
        let parked = ObjectResolvers<PlatformContext, Parked>("ParkedEvent")
            .field("position") { p, _, _, _ in .leaf(.int(p.position)) }
            .field("eventId") { p, _, _, _ in .leaf(.string(PostgresUUID.text(p.eventID))) }
            .field("error") { p, _, _, _ in .leaf(.string(p.error)) }
            .field("parkedAt") { p, _, _, _ in .leaf(.string(p.parkedAt.iso8601)) }
        let projection = ObjectResolvers<PlatformContext, Projection>("Projection")
            .field("name") { p, _, _, _ in .leaf(.string(p.name)) }
            .field("position") { p, _, _, _ in .leaf(.int(p.position)) }
            .field("lag") { p, _, _, _ in .leaf(.int(p.lag)) }
            .field("status") { p, _, _, _ in .leaf(.string(p.status)) }
            .field("updatedAt") { p, _, _, _ in .leaf(.string(p.updatedAt.iso8601)) }
            .field("lastError") { p, _, _, _ in .leaf(p.lastError.map(JSON.string) ?? .null) }
            // The request's tenant's events this projection could not apply (row-level security).
            .asyncField("parked") { p, a, ctx, _ in
                let first = try a.count("first", 20, limit: 100)
                let rows = try await ctx.db {
                    try await $0.query("""
                        SELECT global_position, event_id, error, parked_at FROM projection_parked
                        WHERE projection = \(p.name) ORDER BY global_position DESC LIMIT \(first)
                        """)
                }
                return .list(try rows.map {
                    .object(Parked(position: try $0.decode("global_position"), eventID: try $0.decode("event_id"),
                                   error: try $0.decode("error"), parkedAt: try $0.decode("parked_at")), parked)
                })
            }
        let stats = ObjectResolvers<PlatformContext, Stats>("AgentStats")
            .field("tasksCompleted") { s, _, _, _ in .leaf(.int(s.completed)) }
            .field("tasksFailed") { s, _, _, _ in .leaf(.int(s.failed)) }
            .field("tasksAssigned") { s, _, _, _ in .leaf(.int(s.assigned)) }
            .field("lastActiveAt") { s, _, _, _ in s.lastActive.map { .leaf(.string($0.iso8601)) } ?? .null }
        let usage = ObjectResolvers<PlatformContext, Usage>("TenantUsage")
            .field("activeAgents") { u, _, _, _ in .leaf(.int(u.active)) }
            .field("eventsLast24h") { u, _, _, _ in .leaf(.int(u.last24h)) }
            .field("totalEvents") { u, _, _, _ in .leaf(.int(u.total)) }
        // Agent and Tenant entities carry their read model, loaded for all representations at once.
        let agent = ObjectResolvers<PlatformContext, (Ref, Stats)>("Agent")
            .field("id") { a, _, _, _ in .leaf(.string(a.0.id)) }
            .field("stats") { a, _, _, _ in .object(a.1, stats) }
        let tenant = ObjectResolvers<PlatformContext, (Ref, Usage)>("Tenant")
            .field("id") { t, _, _, _ in .leaf(.string(t.0.id)) }
            .field("usage") { t, _, _, _ in .object(t.1, usage) }

        s.query
            .asyncField("projections") { _, _, ctx, _ in .list(try await projections(ctx, names).map { .object($0, projection) }) }
            .asyncField("projection") { _, a, ctx, _ in
                try await projections(ctx, [a.string("name") ?? ""]).first.map { .object($0, projection) } ?? .null
            }
        s.mutation!.asyncField("rebuildProjection") { _, a, ctx, _ in
            let name = a.string("name") ?? ""
            guard names.contains(name) else { throw GraphQLError("Unknown projection \"\(name)\".", code: "NOT_FOUND") }
            // Rewind now; the replay runs in the background (the runner's catch-up, in batches),
            // never holding this request open. Progress shows in position, lag and status.
            try await ctx.pool.query("SELECT rebuild_projections()")
            let state = try await projections(ctx, [name]).first
            if let runner { runner.wake() } else {
                let pool = ctx.pool
                Task.detached { while (try? await ProjectionRunner.applyBatch(pool)) ?? 0 > 0 {} }
            }
            return state.map { .object($0, projection) } ?? .null
        }
        s.entity("Agent") { reps, ctx in
            let ids = reps.compactMap { $0["id"]?.stringValue.flatMap(PostgresUUID.parse) }
            let rows = try await ctx.db {
                try await $0.query("SELECT agent_id, tasks_completed, tasks_failed, tasks_assigned, last_active_at FROM agent_stats WHERE agent_id = ANY(\(ids))")
            }
            var byID: [String: Stats] = [:]
            for r in rows {
                byID[PostgresUUID.text(try r.decode("agent_id", as: UUID.self))] = Stats(
                    completed: try r.decode("tasks_completed"), failed: try r.decode("tasks_failed"),
                    assigned: try r.decode("tasks_assigned"), lastActive: try r.decode("last_active_at"))
            }
            return reps.map { r in
                guard let id = r["id"]?.stringValue else { return .null }
                return .object((Ref(id: id), byID[id.lowercased()] ?? Stats()), agent)
            }
        }
        s.entity("Tenant") { reps, ctx in
            let ids = reps.compactMap { $0["id"]?.stringValue.flatMap(PostgresUUID.parse) }
            // One statement for the batch: the projected usage and the last day's events (summed
            // from the per-minute counts the projection keeps, to the minute). The ids are read
            // through a sub-select so that PostgreSQL keeps one plan for the statement (see
            // `EventsSubgraph`'s history).
            let rows = try await ctx.db { c in
                try await c.query("""
                    SELECT t.id AS tenant_id, coalesce(u.active_agents, 0)::int8 AS active_agents, coalesce(u.total_events, 0)::int8 AS total_events,
                           (SELECT coalesce(sum(m.n), 0) FROM tenant_event_minutes m
                             WHERE m.tenant_id = t.id AND m.minute >= date_trunc('minute', now() - interval '24 hours'))::int8 AS n
                    FROM unnest((SELECT \(ids)::uuid[])) AS t(id) LEFT JOIN tenant_usage u ON u.tenant_id = t.id
                    """)
            }
            var byID: [String: Usage] = [:]
            for r in rows {
                byID[PostgresUUID.text(try r.decode("tenant_id", as: UUID.self))] = Usage(
                    active: try r.decode("active_agents"), last24h: try r.decode("n"), total: try r.decode("total_events"))
            }
            return reps.map { r in
                guard let id = r["id"]?.stringValue else { return .null }
                return .object((Ref(id: id), byID[id.lowercased()] ?? Usage()), tenant)
            }
        }
        s.entity("Projection") { reps, ctx in
            // A name PostgreSQL cannot hold (a NUL byte) names no projection: not sent (the
            // statement would fail for every representation of the batch).
            let found = try await projections(ctx, reps.compactMap { $0["name"]?.stringValue }.filter { !$0.utf8.contains(0) })
            return reps.map { r in found.first { $0.name == r["name"]?.stringValue }.map { .object($0, projection) } ?? .null }
        }
        return s
    }
}

/// Catches the read models up with the event store: on start, whenever `events_appended` is
/// notified (so lag stays well under a second), and every few seconds as a safety net.
public final class ProjectionRunner: Sendable {
    let pool: PostgresPool
    let logger = Logger(label: "switchyard.projections")
    private let task = Mutex<Task<Void, Never>?>(nil)

    public init(pool: PostgresPool) { self.pool = pool }

    /// The least time between the starts of two catch-ups (what it adds to a projection's lag
    /// under load, at most).
    static let spacing = Duration.milliseconds(20)

    /// Applies one batch; returns how many events it applied.
    static func applyBatch(_ pool: PostgresPool, limit: Int = 5_000) async throws -> Int {
        try await pool.query("SELECT apply_projections(\(limit)::int) AS n").first?.decode("n", as: Int.self) ?? 0
    }

    public func catchUp() async throws {
        // A batch short of the limit applied everything up to the store's horizon (every
        // position below it final); an append still in flight then notifies when it commits.
        let limit = 5_000
        while try await Self.applyBatch(pool, limit: limit) == limit {}
        for r in try await pool.query("SELECT name, position, events_head() AS head FROM projection_checkpoints") {
            PlatformMetrics.projection(try r.decode("name"), position: try r.decode("position"), head: try r.decode("head"))
        }
    }

    private let wakeUp = Mutex<AsyncStream<Void>.Continuation?>(nil)

    /// Catches up now (e.g. after a rebuild rewound the checkpoints).
    public func wake() { wakeUp.withLock { $0?.yield() } }

    /// Starts the runner; a runner already running is left as it is (a reload starts the
    /// work of every configured module again).
    public func start() {
        let pool = self.pool
        task.withLock { running in
            guard running == nil else { return }
            running = Task.detached {
                // Wake-ups coalesce: a catch-up applies everything appended before it starts, so
                // the appends notified while one runs need one more catch-up, not one each.
                let wake = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
                self.wakeUp.withLock { $0 = wake.continuation }
                let listener = Task {
                    for try await _ in pool.listen(["events_appended"], announceSubscriptions: true) { wake.continuation.yield() }
                }
                let ticker = Task {
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(5)); wake.continuation.yield() }
                }
                defer { listener.cancel(); ticker.cancel() }
                await self.catchUpLogging()
                var last = ContinuousClock.now
                for await _ in wake.stream {
                    if Task.isCancelled { break }
                    // At most one catch-up per `spacing`: under a stream of appends each one folds
                    // the events of several (sharing its fixed costs: the checkpoint's lock and
                    // update, the scans' set-up, a round trip); a lone append is applied at once.
                    let next = last.advanced(by: Self.spacing)
                    if next > .now {
                        do { try await Task.sleep(until: next, clock: .continuous) } catch { break }   // stopped
                    }
                    last = .now
                    await self.catchUpLogging()
                }
            }
        }
    }

    private func catchUpLogging() async {
        do { try await catchUp() } catch {
            logger.error("projection catch-up failed; retrying on the next append or tick", metadata: ["error": "\(error)"])
            // Reported as it is: Projection.status FAILED with the error (until a catch-up succeeds).
            _ = try? await pool.query("SELECT projections_failed(\(String(describing: error)))")
        }
    }

    public func stop() { task.withLock { $0?.cancel(); $0 = nil } }
}

extension ProjectionRunner: BackgroundWork {}

/// This module, as the gateway finds it (see `PlatformSubgraph`): the subgraph and, beside it,
/// the projection runner.
public let platformSubgraph = PlatformSubgraph(name: "projections", backgroundWork: { ProjectionRunner(pool: $0) }) { sdl, deps in
    try ProjectionsSubgraph.make(sdl: sdl, runner: deps.backgroundWork as? ProjectionRunner)
}
