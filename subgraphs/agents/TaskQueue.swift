import Foundation
import GraphQLCore
import PlatformKit
import Postgres
import SubgraphKit

/// The task queue: `submitTask` → `claimTask` (the highest-priority pending task the agent can
/// do, oldest first within a priority, `FOR UPDATE SKIP LOCKED` so concurrent claims never get
/// the same task, with a lease) → `heartbeatTask` → `completeTask` / `failTask`. A failed or
/// expired attempt is retried after `retryBackoffMs · 2^(attempt−1)` until `maxAttempts`, then
/// the task is DEAD (kept; `retryTask` queues it again). Every transition appends its event in
/// the same transaction (TaskSubmitted, TaskClaimed, TaskCompleted, TaskFailed,
/// TaskRetryScheduled, TaskDead), whose data says the task's status after it — what the
/// `taskUpdated` and `tasks` subscriptions deliver.
enum TaskQueue {
    typealias Task = AgentsSubgraph.Task
    /// A task's payload, as stored, at most (the bound of an event's data).
    static let maxPayloadBytes = 65_536

    static func register(on s: Subgraph<PlatformContext>, task: ObjectResolvers<PlatformContext, Task>) {
        let columns = AgentsSubgraph.taskColumns
        let mutation = s.mutation!
        mutation
            .asyncField("submitTask") { _, a, ctx, _ in
                let tid = try await AgentsSubgraph.requireTenant(ctx)
                let input = a.object("input") ?? [:]
                let title = input["title"]?.stringValue ?? "", priority = input["priority"]?.intValue ?? 0
                let capability = input["capability"]?.stringValue, payload = input["payload"]?.stringValue ?? "{}"
                let maxAttempts = input["maxAttempts"]?.intValue ?? 3, backoff = input["retryBackoffMs"]?.intValue ?? 1_000
                try PlatformInput.name(title, "title")
                if let capability { try PlatformInput.name(capability, "capability", maxBytes: 200) }
                guard (1...100).contains(maxAttempts) else { throw GraphQLError("maxAttempts must be 1 to 100.", code: "BAD_USER_INPUT") }
                guard (0...3_600_000).contains(backoff) else { throw GraphQLError("retryBackoffMs must be 0 to 3600000.", code: "BAD_USER_INPUT") }
                try JSONPayload.check(payload, "payload", maxBytes: maxPayloadBytes)
                let key = input["idempotencyKey"]?.stringValue
                if let key { try PlatformInput.name(key, "idempotencyKey", maxBytes: 200) }
                /// The task a key already queued, if any: the same submission's, or a CONFLICT.
                @Sendable func earlier(_ c: PostgresConnection) async throws -> Task? {
                    guard let key, let row = try await c.query("""
                        SELECT \(unsafeRaw: columns), (title = \(title) AND priority = \(priority) AND capability IS NOT DISTINCT FROM \(capability)
                                AND payload = \(payload)::jsonb AND max_attempts = \(maxAttempts) AND backoff_ms = \(backoff)) AS same
                        FROM tasks WHERE idempotency_key = \(key)
                        """).first else { return nil }
                    guard try row.decode("same", as: Bool.self) else {
                        throw GraphQLError("idempotencyKey \(key) was used for another submission (task \(PostgresUUID.text(try row.decode("id", as: UUID.self)))).", code: "CONFLICT")
                    }
                    return try Task(row)
                }
                let created: Task = try await ctx.appending { c in
                    try await AgentsSubgraph.lockAppends(c)
                    if let t = try await earlier(c) { return t }
                    // (Two submissions with one key at once: the second finds the first's task.)
                    guard let row = try await c.query("""
                        INSERT INTO tasks (id, tenant_id, title, priority, status, capability, payload, max_attempts, backoff_ms, idempotency_key)
                        VALUES (\(TimeOrderedUUID.make()), \(tid), \(title), \(priority), 'PENDING', \(capability), \(payload)::jsonb, \(maxAttempts), \(backoff), \(key))
                        ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                        RETURNING \(unsafeRaw: columns)
                        """).first else {
                        guard let t = try await earlier(c) else { throw GraphQLError("idempotencyKey \(key ?? ""): submitted at the same time; try again.", code: "CONFLICT") }
                        return t
                    }
                    let t = try Task(row)
                    try await event(c, tid, t, "TaskSubmitted", ["title": .string(title), "priority": .int(priority)])
                    return t
                }
                return .object(created, task)
            }
            .asyncField("claimTask") { _, a, ctx, _ in
                let tid = try await AgentsSubgraph.requireTenant(ctx)
                guard let agentID = AgentsSubgraph.uuid(a.string("agentId")) else { throw GraphQLError("agentId is not a valid id.", code: "BAD_USER_INPUT") }
                let lease = try leaseSeconds(a)
                let claimed: Task? = try await ctx.appending { c in
                    try await AgentsSubgraph.lockAppends(c)
                    try await expireLeases(c, tid)
                    guard let agent = try await c.query("SELECT capabilities FROM agents WHERE id = \(agentID) AND status <> 'RETIRED'").first else {
                        throw GraphQLError("No active agent with id \(PostgresUUID.text(agentID)).", code: "NOT_FOUND")
                    }
                    // A task of a capability goes only to an agent that has it: a list given narrows
                    // the agent's own (compared by bytes, as the column compares them), never widens them.
                    let own: [String] = try agent.decode("capabilities", as: [String].self)
                    var capabilities = own
                    if let asked = a.list("capabilities")?.compactMap(\.stringValue) {
                        let ownBytes = Set(own.map { Array($0.utf8) })
                        capabilities = asked.filter { ownBytes.contains(Array($0.utf8)) }
                    }
                    guard let row = try await c.query("""
                        WITH next AS (
                          SELECT id FROM tasks
                          WHERE status = 'PENDING' AND available_at <= now() AND (capability IS NULL OR capability = ANY(\(capabilities)))
                          ORDER BY priority DESC, created_at, id
                          LIMIT 1 FOR UPDATE SKIP LOCKED)
                        UPDATE tasks t SET status = 'CLAIMED', agent_id = \(agentID), attempts = t.attempts + 1,
                          lease_expires_at = now() + make_interval(secs => \(lease)), updated_at = now()
                        FROM next WHERE t.id = next.id
                        RETURNING \(unsafeRaw: columns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
                        """).first else { return nil }
                    let t = try Task(row)
                    try await c.query("UPDATE agents SET status = 'BUSY', updated_at = now() WHERE id = \(agentID)")
                    try await event(c, tid, t, "TaskClaimed", ["leaseSeconds": .int(lease)])
                    return t
                }
                guard let claimed else { return .null }
                return .object(claimed, task)
            }
            .asyncField("heartbeatTask") { _, a, ctx, _ in
                _ = try await AgentsSubgraph.requireTenant(ctx)
                guard let id = AgentsSubgraph.uuid(a.string("taskId")), let agentID = AgentsSubgraph.uuid(a.string("agentId")) else {
                    throw GraphQLError("taskId and agentId must be valid ids.", code: "BAD_USER_INPUT")
                }
                let lease = try leaseSeconds(a)
                let row = try await ctx.db { c in
                    try await c.query("""
                        UPDATE tasks SET lease_expires_at = now() + make_interval(secs => \(lease)), updated_at = now()
                        WHERE id = \(id) AND agent_id = \(agentID) AND status = 'CLAIMED'
                        RETURNING \(unsafeRaw: columns)
                        """).first
                }
                // A lease that ran out is the agent's until another claim finds it expired (as
                // `completeTask` has it): a late heartbeat renews it then (probe 55E: refused, while
                // completing the same task went through).
                guard let row else {
                    throw GraphQLError("Agent \(PostgresUUID.text(agentID)) does not hold task \(PostgresUUID.text(id)).", code: "NOT_FOUND")
                }
                return .object(try Task(row), task)
            }
            .asyncField("completeTask") { _, a, ctx, _ in
                let tid = try await AgentsSubgraph.requireTenant(ctx)
                guard let id = AgentsSubgraph.uuid(a.string("taskId")) else { throw GraphQLError("taskId is not a valid id.", code: "BAD_USER_INPUT") }
                let holder = try agent(a)
                let result = a.string("result")
                try PlatformInput.bounded(result, "result", maxBytes: maxPayloadBytes)
                let done: Task = try await ctx.appending { c in
                    try await AgentsSubgraph.lockAppends(c)
                    guard let row = try await c.query("""
                        UPDATE tasks SET status = 'COMPLETED', result = \(result), lease_expires_at = NULL, updated_at = now()
                        WHERE id = \(id) AND status IN ('ASSIGNED', 'CLAIMED') AND (\(holder)::uuid IS NULL OR agent_id = \(holder))
                        RETURNING \(unsafeRaw: columns)
                        """).first else {
                        throw notHeld(id, holder, "assigned or claimed")
                    }
                    let t = try Task(row)
                    try await release(c, t.agentID)
                    try await event(c, tid, t, "TaskCompleted", result.map { ["result": .string($0)] } ?? [:])
                    return t
                }
                return .object(done, task)
            }
            .asyncField("failTask") { _, a, ctx, _ in
                let tid = try await AgentsSubgraph.requireTenant(ctx)
                guard let id = AgentsSubgraph.uuid(a.string("taskId")) else { throw GraphQLError("taskId is not a valid id.", code: "BAD_USER_INPUT") }
                let holder = try agent(a)
                let reason = a.string("reason")
                try PlatformInput.bounded(reason, "reason", maxBytes: maxPayloadBytes)
                let failed: Task = try await ctx.appending { c in
                    try await AgentsSubgraph.lockAppends(c)
                    guard let row = try await c.query("""
                        SELECT \(unsafeRaw: columns) FROM tasks WHERE id = \(id) AND status IN ('PENDING', 'ASSIGNED', 'CLAIMED')
                          AND (\(holder)::uuid IS NULL OR agent_id = \(holder)) FOR UPDATE
                        """).first else {
                        throw notHeld(id, holder, "open")
                    }
                    return try await fail(c, tid, try Task(row), reason: reason)
                }
                return .object(failed, task)
            }
            .asyncField("retryTask") { _, a, ctx, _ in
                let tid = try await AgentsSubgraph.requireTenant(ctx)
                guard let id = AgentsSubgraph.uuid(a.string("taskId")) else { throw GraphQLError("taskId is not a valid id.", code: "BAD_USER_INPUT") }
                let queued: Task = try await ctx.appending { c in
                    try await AgentsSubgraph.lockAppends(c)
                    guard let row = try await c.query("""
                        UPDATE tasks SET status = 'PENDING', attempts = 0, agent_id = NULL, result = NULL, available_at = now(), lease_expires_at = NULL, updated_at = now()
                        WHERE id = \(id) AND status IN ('DEAD', 'FAILED') RETURNING \(unsafeRaw: columns)
                        """).first else {
                        throw GraphQLError("No DEAD or FAILED task with id \(PostgresUUID.text(id)).", code: "NOT_FOUND")
                    }
                    let t = try Task(row)
                    try await event(c, tid, t, "TaskSubmitted", ["retried": .bool(true)])
                    return t
                }
                return .object(queued, task)
            }

        // Subscriptions: task events from the process's event feed (read under the tenant).
        @Sendable func taskEvents(_ ctx: PlatformContext, _ matches: @escaping @Sendable ([String: JSON]) -> Bool) async throws -> Output {
            guard let tenant = try await ctx.tenantID() else { throw GraphQLError("This subscription needs a tenant.", code: "UNAUTHENTICATED") }
            let feed = try await EventFeed.of(ctx.pool).subscribe(tenant: tenant) { e in
                // The agents subgraph's own transitions only (a client's event named Task… on a
                // stream of its own is not one).
                guard e.type.hasPrefix("Task"), PlatformStreams.isReserved(e.streamID),
                      case .object(let o)? = try? JSONReader.parse(e.data) else { return false }
                return matches(Dictionary(uniqueKeysWithValues: o.map { ($0.key, $0.value) }))
            }
            let rows = TaskRows.of(ctx.pool)
            // Pulled: the feed's bounded buffer is the only one between it and the subscriber.
            return .stream(PullStream.map(feed) { e -> Output? in
                guard case .object(let o)? = try? JSONReader.parse(e.data), let id = AgentsSubgraph.uuid(o["taskId"]?.stringValue) else { return nil }
                let data = Dictionary(uniqueKeysWithValues: o.map { ($0.key, $0.value) })
                // What no transition changes, read once per task; the rest as of this event.
                guard let row = try await rows.task(id, tenant: tenant) else { return nil }
                return .object(row.asOf(data), task)
            })
        }
        s.subscription?
            .asyncField("taskUpdated") { _, a, ctx, _ in
                guard let uuid = AgentsSubgraph.uuid(a.string("taskId")) else {
                    throw GraphQLError("taskId is not a valid id.", code: "BAD_USER_INPUT")
                }
                // A task the tenant does not have would never change: said, not an open stream
                // that stays silent (probe 55E).
                guard try await ctx.db({ try await $0.query("SELECT 1 AS found FROM tasks WHERE id = \(uuid)").first }) != nil else {
                    throw GraphQLError("No task with id \(PostgresUUID.text(uuid)).", code: "NOT_FOUND")
                }
                let id = PostgresUUID.text(uuid)
                return try await taskEvents(ctx) { $0["taskId"]?.stringValue?.lowercased() == id }
            }
            .asyncField("tasks") { _, a, ctx, _ in
                // Compared by bytes, as `claimTask` compares capabilities (`String ==` takes
                // canonically equivalent text — `é` and `e` + U+0301 — as equal).
                let status = a.string("status").map { Array($0.utf8) }, capability = a.string("capability").map { Array($0.utf8) }
                return try await taskEvents(ctx) { d in
                    (status == nil || d["status"]?.stringValue?.utf8.elementsEqual(status!) == true)
                        && (capability == nil || d["capability"]?.stringValue?.utf8.elementsEqual(capability!) == true)
                }
            }
    }

    /// `leaseSeconds`: 1 to 86,400 (30 when absent).
    static func leaseSeconds(_ a: Arguments) throws -> Int {
        let lease = a.int("leaseSeconds") ?? 30
        guard (1...86_400).contains(lease) else { throw GraphQLError("leaseSeconds must be 1 to 86400.", code: "BAD_USER_INPUT") }
        return lease
    }

    /// The optional `agentId` of `completeTask` / `failTask`: the agent that must hold the task
    /// (a worker whose lease ran out and was given to another cannot complete it any more).
    static func agent(_ a: Arguments) throws -> UUID? {
        guard let text = a.string("agentId") else { return nil }
        guard let id = AgentsSubgraph.uuid(text) else { throw GraphQLError("agentId is not a valid id.", code: "BAD_USER_INPUT") }
        return id
    }

    static func notHeld(_ task: UUID, _ agent: UUID?, _ state: String) -> GraphQLError {
        if let agent {
            return GraphQLError("Agent \(PostgresUUID.text(agent)) holds no \(state) task with id \(PostgresUUID.text(task)).", code: "NOT_FOUND")
        }
        return GraphQLError("No \(state) task with id \(PostgresUUID.text(task)).", code: "NOT_FOUND")
    }

    /// A failed attempt: retried after its backoff while attempts remain, else DEAD; an
    /// assigned (not queued) task is FAILED, as before the queue.
    static func fail(_ c: PostgresConnection, _ tid: UUID, _ t: Task, reason: String?) async throws -> Task {
        let columns = AgentsSubgraph.taskColumns
        guard t.status == "CLAIMED" else {
            let row = try await c.query("""
                UPDATE tasks SET status = 'FAILED', result = \(reason), last_error = \(reason), updated_at = now()
                WHERE id = \(t.id) RETURNING \(unsafeRaw: columns)
                """).first!
            let failed = try Task(row)
            try await release(c, failed.agentID)
            try await event(c, tid, failed, "TaskFailed", reason.map { ["reason": .string($0)] } ?? [:])
            return failed
        }
        var failedAttempt = t
        failedAttempt.status = "FAILED"
        failedAttempt.lastError = reason
        failedAttempt.leaseExpiresAt = nil
        try await event(c, tid, failedAttempt, "TaskFailed", reason.map { ["reason": .string($0)] } ?? [:])
        try await release(c, t.agentID, except: t.id)
        if t.attempts < t.maxAttempts {
            let row = try await c.query("""
                UPDATE tasks SET status = 'PENDING', agent_id = NULL, lease_expires_at = NULL, last_error = \(reason), updated_at = now(),
                  available_at = now() + make_interval(secs => backoff_ms * power(2, greatest(attempts - 1, 0)) / 1000.0)
                WHERE id = \(t.id) RETURNING \(unsafeRaw: columns)
                """).first!
            let scheduled = try Task(row)
            try await event(c, tid, scheduled, "TaskRetryScheduled", ["availableAt": .string(scheduled.availableAt.iso8601)])
            return scheduled
        }
        let row = try await c.query("""
            UPDATE tasks SET status = 'DEAD', agent_id = NULL, lease_expires_at = NULL, last_error = \(reason), updated_at = now()
            WHERE id = \(t.id) RETURNING \(unsafeRaw: columns)
            """).first!
        let dead = try Task(row)
        try await event(c, tid, dead, "TaskDead", [:])
        return dead
    }

    /// Claims whose lease ran out count as failed attempts (checked whenever an agent claims).
    static func expireLeases(_ c: PostgresConnection, _ tid: UUID) async throws {
        let rows = try await c.query("""
            SELECT \(unsafeRaw: AgentsSubgraph.taskColumns) FROM tasks WHERE status = 'CLAIMED' AND lease_expires_at < now()
            ORDER BY lease_expires_at FOR UPDATE SKIP LOCKED
            """)
        for r in rows { _ = try await fail(c, tid, try Task(r), reason: "lease expired") }
    }

    /// The agent is idle again when it holds no other assigned or claimed task.
    static func release(_ c: PostgresConnection, _ agentID: UUID?, except task: UUID? = nil) async throws {
        guard let agentID else { return }
        try await c.query("""
            UPDATE agents SET status = 'IDLE', updated_at = now() WHERE id = \(agentID) AND status = 'BUSY'
              AND NOT EXISTS (SELECT 1 FROM tasks WHERE agent_id = \(agentID) AND status IN ('ASSIGNED', 'CLAIMED') AND id <> \(task ?? TimeOrderedUUID.make()))
            """)
    }

    /// The transition's event, in the caller's transaction: on the agent's stream when the task
    /// has an agent (its history), else on the task's; its data says the task as of the event.
    static func event(_ c: PostgresConnection, _ tid: UUID, _ t: Task, _ type: String, _ extra: [String: JSON]) async throws {
        var data = extra
        data["taskId"] = .string(PostgresUUID.text(t.id))
        data["status"] = .string(t.status)
        data["attempts"] = .int(t.attempts)
        if let cap = t.capability { data["capability"] = .string(cap) }
        if let agent = t.agentID { data["agentId"] = .string(PostgresUUID.text(agent)) }
        // The rest the transition left the task with: a subscriber gets the task as of this event
        // (`Task.asOf`), not as it is when the event is delivered.
        data["state"] = t.state
        let stream = t.agentID.map { "agent-" + PostgresUUID.text($0) } ?? "task-" + PostgresUUID.text(t.id)
        try await AgentsSubgraph.appendEvent(c, tid, stream, type, data)
        PlatformMetrics.taskEntered(t.status)
        PlatformMetrics.eventsAppended(tenant: PlatformMetrics.requestTenant, types: [type])
    }
}
