import Foundation
import GraphQLCore
import PlatformKit
import Postgres
import SubgraphKit

/// The agents subgraph: agents, tasks, their mutations (each appending its domain event in the
/// same transaction) and `Tenant.agents`.
public enum AgentsSubgraph {
    final class Agent: Sendable {
        let id: UUID, tenantID: UUID, name: String, kind: String, status: String, capabilities: [String], createdAt: Date
        init(_ r: PostgresRow) throws {
            id = try r.decode("id"); tenantID = try r.decode("tenant_id"); name = try r.decode("name"); kind = try r.decode("kind")
            status = try r.decode("status"); capabilities = try r.decode("capabilities"); createdAt = try r.decode("created_at")
        }
    }
    struct Task: Sendable {
        let id: UUID, title: String, priority: Int, createdAt: Date
        var status: String, agentID: UUID?, attempts: Int, result: String?
        let capability: String?, payload: String, maxAttempts: Int
        var availableAt: Date, leaseExpiresAt: Date?, lastError: String?
        init(_ r: PostgresRow) throws {
            id = try r.decode("id"); title = try r.decode("title"); priority = try r.decode("priority"); status = try r.decode("status")
            result = try r.decode("result"); agentID = try r.decode("agent_id"); createdAt = try r.decode("created_at")
            capability = try r.decode("capability"); payload = try r.decode("payload"); attempts = try r.decode("attempts")
            maxAttempts = try r.decode("max_attempts"); availableAt = try r.decode("available_at")
            leaseExpiresAt = try r.decode("lease_expires_at"); lastError = try r.decode("last_error")
        }
        /// What a task event says of the task (its status, attempts and agent as of that event).
        /// (Events carry the rest of what a transition changes — `result`, `leaseExpiresAt`,
        /// `lastError`, `availableAt` — under `state`; an event written before they did leaves
        /// the row's values.)
        /// What an event of this task's carries beside its status (`asOf` reads it back).
        var state: JSON {
            .object(["result": result.map(JSON.string) ?? .null, "leaseExpiresAt": leaseExpiresAt.map { .string($0.iso8601) } ?? .null,
                     "lastError": lastError.map(JSON.string) ?? .null, "availableAt": .string(availableAt.iso8601)])
        }

        func asOf(_ data: [String: JSON]) -> Task {
            var t = self
            if let s = data["status"]?.stringValue { t.status = s }
            if let n = data["attempts"]?.intValue { t.attempts = n }
            t.agentID = data["agentId"]?.stringValue.flatMap(PostgresUUID.parse)
            if case .object(let state)? = data["state"] {
                t.result = state["result"]?.stringValue
                t.leaseExpiresAt = state["leaseExpiresAt"]?.stringValue?.iso8601Date
                t.lastError = state["lastError"]?.stringValue
                if let at = state["availableAt"]?.stringValue?.iso8601Date { t.availableAt = at }
            }
            return t
        }
    }
    struct TenantRef: Sendable { let id: String }

    static let agentColumns = "id, tenant_id, name, kind, status, capabilities, created_at"
    static let taskColumns = """
        id, title, priority, status, result, agent_id, created_at, capability, payload::text AS payload, attempts, max_attempts,
        available_at, lease_expires_at, last_error
        """

    static func uuid(_ s: String?) -> UUID? { s.flatMap(PostgresUUID.parse) }

    /// A page's `after` argument: the id of the last row of the page before.
    static func cursor(_ args: Arguments, _ name: String, _ what: String) throws -> UUID? {
        guard let text = args.string(name) else { return nil }
        guard let id = uuid(text) else { throw GraphQLError("\(name) is not a valid \(what) id.", code: "BAD_USER_INPUT") }
        return id
    }

    /// A page's cursor is a row of the table (the tenant's own: another tenant's id is no cursor
    /// here); the page reads on from its `(created_at, id)` in SQL, at the database's precision.
    static func checkCursor(_ c: PostgresConnection, _ table: String, _ id: UUID?) async throws {
        guard let id else { return }
        guard try await c.query("SELECT 1 AS found FROM \(unsafeRaw: table) WHERE id = \(id)").first != nil else {
            throw GraphQLError("after: no \(table == "tasks" ? "task" : "agent") has the id \(PostgresUUID.text(id)).", code: "BAD_USER_INPUT")
        }
    }

    public static func make(sdl: String) throws -> Subgraph<PlatformContext> {
        let s = try Subgraph<PlatformContext>(name: "agents", sdl: sdl)
        s.observer = { $0.observer }
        let agent = ObjectResolvers<PlatformContext, Agent>("Agent")
        let task = ObjectResolvers<PlatformContext, Task>("Task")
        let tenant = ObjectResolvers<PlatformContext, TenantRef>("Tenant")

        @Sendable func agentsByID(_ ctx: PlatformContext, _ ids: [UUID]) async throws -> [UUID: Agent] {
            let rows = try await ctx.db { try await $0.query("SELECT \(unsafeRaw: agentColumns) FROM agents WHERE id = ANY(\(ids))") }
            var out: [UUID: Agent] = [:]
            for r in rows { let a = try Agent(r); out[a.id] = a }
            return out
        }

        agent
            .field("id") { a, _, _, _ in .leaf(.string(PostgresUUID.text(a.id))) }
            .field("name") { a, _, _, _ in .leaf(.string(a.name)) }
            .field("kind") { a, _, _, _ in .leaf(.string(a.kind)) }
            .field("status") { a, _, _, _ in .leaf(.string(a.status)) }
            .field("capabilities") { a, _, _, _ in .list(a.capabilities.map { .leaf(.string($0)) }) }
            .field("createdAt") { a, _, _, _ in .leaf(.string(a.createdAt.iso8601)) }
            .asyncField("tasks") { a, args, ctx, _ in
                // One statement for the tasks of every agent of this level.
                let status = args.string("status") ?? ""
                let first = try args.count("first", 20, limit: 1_000)
                // Each agent's first `first` tasks only (an agent may have thousands).
                let loader: DataLoaderTasks = ctx.loader("tasks:\(status):\(first)") { (ids: [UUID]) in
                    let rows = try await ctx.db {
                        try await $0.query("""
                            SELECT x.* FROM unnest((SELECT \(ids)::uuid[])) AS a(aid)
                            CROSS JOIN LATERAL (SELECT \(unsafeRaw: taskColumns) FROM tasks
                                                WHERE agent_id = a.aid AND (\(status) = '' OR status = \(status))
                                                ORDER BY created_at DESC, id LIMIT \(first)) x
                            """)
                    }
                    var out: [UUID: [Task]] = [:]
                    for r in rows { let t = try Task(r); if let aid = t.agentID { out[aid, default: []].append(t) } }
                    return out
                }
                let tasks = try await loader.load(a.id) ?? []
                return .list(tasks.map { .object($0, task) })
            }
        task
            .field("id") { t, _, _, _ in .leaf(.string(PostgresUUID.text(t.id))) }
            .field("title") { t, _, _, _ in .leaf(.string(t.title)) }
            .field("priority") { t, _, _, _ in .leaf(.int(t.priority)) }
            .field("status") { t, _, _, _ in .leaf(.string(t.status)) }
            .field("result") { t, _, _, _ in t.result.map { .leaf(.string($0)) } ?? .null }
            .field("createdAt") { t, _, _, _ in .leaf(.string(t.createdAt.iso8601)) }
            .field("capability") { t, _, _, _ in t.capability.map { .leaf(.string($0)) } ?? .null }
            .field("payload") { t, _, _, _ in .leaf(.string(t.payload)) }
            .field("attempts") { t, _, _, _ in .leaf(.int(t.attempts)) }
            .field("maxAttempts") { t, _, _, _ in .leaf(.int(t.maxAttempts)) }
            .field("availableAt") { t, _, _, _ in .leaf(.string(t.availableAt.iso8601)) }
            .field("leaseExpiresAt") { t, _, _, _ in t.leaseExpiresAt.map { .leaf(.string($0.iso8601)) } ?? .null }
            .field("lastError") { t, _, _, _ in t.lastError.map { .leaf(.string($0)) } ?? .null }
            .asyncField("agent") { t, _, ctx, _ in
                guard let id = t.agentID else { return .null }
                let loader: DataLoader<UUID, Agent> = ctx.loader("agentByID") { try await agentsByID(ctx, $0) }
                return try await loader.load(id).map { .object($0, agent) } ?? .null
            }
        tenant
            .field("id") { t, _, _, _ in .leaf(.string(t.id)) }
            .asyncField("agents") { t, args, ctx, _ in
                guard let tid = uuid(t.id) else { return .list([]) }
                let first = try args.count("first", 20, limit: 1_000)
                let status = args.string("status") ?? ""
                let loader: DataLoader<UUID, [Agent]> = ctx.loader("tenantAgents:\(first):\(status)") { (ids: [UUID]) in
                    let rows = try await ctx.db {
                        try await $0.query("""
                            SELECT x.* FROM unnest((SELECT \(ids)::uuid[])) AS t(tid)
                            CROSS JOIN LATERAL (SELECT \(unsafeRaw: agentColumns) FROM agents
                                                WHERE tenant_id = t.tid AND (\(status) = '' OR status = \(status))
                                                ORDER BY created_at, id LIMIT \(first)) x
                            """)
                    }
                    var out: [UUID: [Agent]] = [:]
                    for r in rows { let a = try Agent(r); out[a.tenantID, default: []].append(a) }
                    return out
                }
                return .list((try await loader.load(tid) ?? []).map { .object($0, agent) })
            }

        s.query
            .asyncField("agent") { _, a, ctx, _ in
                guard let id = uuid(a.string("id")) else { return .null }
                return try await agentsByID(ctx, [id])[id].map { .object($0, agent) } ?? .null
            }
            .asyncField("agents") { _, a, ctx, _ in
                let first = try a.count("first", 20, limit: 1_000)
                let status = a.string("status") ?? ""
                let after = try cursor(a, "after", "agent")
                let rows = try await ctx.db { c in
                    try await checkCursor(c, "agents", after)
                    return try await c.query("""
                        SELECT \(unsafeRaw: agentColumns) FROM agents WHERE (\(status) = '' OR status = \(status))
                          AND (\(after == nil) OR (created_at, id) > (SELECT created_at, id FROM agents WHERE id = \(after ?? UUID())))
                        ORDER BY created_at, id LIMIT \(first)
                        """)
                }
                return .list(try rows.map { .object(try Agent($0), agent) })
            }
            .asyncField("tasks") { _, a, ctx, _ in
                let first = try a.count("first", 20, limit: 1_000)
                let status = a.string("status") ?? "", capability = a.string("capability")
                let after = try cursor(a, "after", "task")
                let rows = try await ctx.db { c in
                    try await checkCursor(c, "tasks", after)
                    return try await c.query("""
                        SELECT \(unsafeRaw: taskColumns) FROM tasks WHERE (\(status) = '' OR status = \(status))
                          AND (\(capability == nil) OR capability = \(capability ?? ""))
                          AND (\(after == nil) OR (created_at, id) > (SELECT created_at, id FROM tasks WHERE id = \(after ?? UUID())))
                        ORDER BY created_at, id LIMIT \(first)
                        """)
                }
                return .list(try rows.map { .object(try Task($0), task) })
            }
            .asyncField("task") { _, a, ctx, _ in
                guard let id = uuid(a.string("id")) else { return .null }
                let rows = try await ctx.db { try await $0.query("SELECT \(unsafeRaw: taskColumns) FROM tasks WHERE id = \(id)") }
                return try rows.first.map { .object(try Task($0), task) } ?? .null
            }

        s.entity("Agent") { reps, ctx in
            let found = try await agentsByID(ctx, reps.compactMap { uuid($0["id"]?.stringValue) })
            return reps.map { r in uuid(r["id"]?.stringValue).flatMap { found[$0] }.map { .object($0, agent) } ?? .null }
        }
        s.entity("Task") { reps, ctx in
            let ids = reps.compactMap { uuid($0["id"]?.stringValue) }
            let rows = try await ctx.db { try await $0.query("SELECT \(unsafeRaw: taskColumns) FROM tasks WHERE id = ANY(\(ids))") }
            var byID: [UUID: Task] = [:]
            for r in rows { let t = try Task(r); byID[t.id] = t }
            return reps.map { r in uuid(r["id"]?.stringValue).flatMap { byID[$0] }.map { .object($0, task) } ?? .null }
        }
        s.entity("Tenant") { reps, _ in reps.map { r in r["id"]?.stringValue.map { .object(TenantRef(id: $0), tenant) } ?? .null } }

        let mutation = s.mutation!
        mutation
            .asyncField("spawnAgent") { _, a, ctx, _ in
                let tid = try await requireTenant(ctx)
                let input = a.object("input") ?? [:]
                let name = input["name"]?.stringValue ?? "", kind = input["kind"]?.stringValue ?? ""
                let caps = input["capabilities"]?.arrayValue?.compactMap(\.stringValue) ?? []
                try PlatformInput.name(name, "name", maxBytes: 200)
                try PlatformInput.name(kind, "kind", maxBytes: 200)
                guard caps.count <= 100 else { throw GraphQLError("An agent has at most 100 capabilities.", code: "BAD_USER_INPUT") }
                for c in caps { try PlatformInput.name(c, "a capability", maxBytes: 200) }
                let created: Agent = try await ctx.appending { c in
                    try await lockAppends(c)
                    // Serialise spawns per tenant, then check the quota.
                    let quota = try await c.query("SELECT max_agents FROM tenants WHERE id = \(tid) FOR UPDATE").first?.decode("max_agents", as: Int.self) ?? 0
                    let count = try await c.query("SELECT count(*)::int8 AS n FROM agents WHERE status <> 'RETIRED'").first!.decode("n", as: Int.self)
                    guard count < quota else {
                        throw GraphQLError("The tenant's quota of \(quota) agents is reached.", code: "QUOTA_EXCEEDED",
                                           extensions: ["maxAgents": .int(quota)])
                    }
                    let id = TimeOrderedUUID.make()
                    let row = try await c.query("""
                        INSERT INTO agents (id, tenant_id, name, kind, capabilities) VALUES (\(id), \(tid), \(name), \(kind), \(caps))
                        RETURNING \(unsafeRaw: agentColumns)
                        """).first!
                    try await appendEvent(c, tid, "agent-\(PostgresUUID.text(id))", "AgentSpawned",
                                          ["agentId": .string(PostgresUUID.text(id)), "name": .string(name), "kind": .string(kind)])
                    return try Agent(row)
                }
                return .object(created, agent)
            }
            .asyncField("retireAgent") { _, a, ctx, _ in
                let tid = try await requireTenant(ctx)
                guard let agentID = uuid(a.string("id")) else { throw GraphQLError("id is not a valid id.", code: "BAD_USER_INPUT") }
                let (retired, appended): (Agent, Bool) = try await ctx.appending { c in
                    try await lockAppends(c)
                    guard let row = try await c.query("SELECT \(unsafeRaw: agentColumns) FROM agents WHERE id = \(agentID) FOR UPDATE").first else {
                        throw GraphQLError("No agent with id \(PostgresUUID.text(agentID)).", code: "NOT_FOUND")
                    }
                    let current = try Agent(row)
                    if current.status == "RETIRED" { return (current, false) }   // retired already: nothing more happens
                    // A task it holds would be held by nobody: it finishes (or fails) them first.
                    let held = try await c.query("SELECT count(*)::int8 AS n FROM tasks WHERE agent_id = \(agentID) AND status IN ('ASSIGNED', 'CLAIMED')")
                        .first!.decode("n", as: Int.self)
                    guard held == 0 else {
                        throw GraphQLError("The agent holds \(held) task(s); complete or fail them before retiring it.", code: "CONFLICT",
                                           extensions: ["heldTasks": .int(held)])
                    }
                    let updated = try await c.query("UPDATE agents SET status = 'RETIRED', updated_at = now() WHERE id = \(agentID) RETURNING \(unsafeRaw: agentColumns)").first!
                    try await appendEvent(c, tid, "agent-\(PostgresUUID.text(agentID))", "AgentRetired", ["agentId": .string(PostgresUUID.text(agentID))])
                    return (try Agent(updated), true)
                }
                if appended { PlatformMetrics.eventsAppended(tenant: ctx.tenantSlug, types: ["AgentRetired"]) }
                return .object(retired, agent)
            }
            .asyncField("assignTask") { _, a, ctx, _ in
                let tid = try await requireTenant(ctx)
                let input = a.object("input") ?? [:]
                guard let agentID = uuid(input["agentId"]?.stringValue) else { throw GraphQLError("agentId is not a valid id.", code: "BAD_USER_INPUT") }
                let title = input["title"]?.stringValue ?? "", priority = input["priority"]?.intValue ?? 0
                try PlatformInput.name(title, "title")
                let created: Task = try await ctx.appending { c in
                    try await lockAppends(c)
                    let updated = try await c.query("UPDATE agents SET status = 'BUSY', updated_at = now() WHERE id = \(agentID) AND status <> 'RETIRED'")
                    guard updated.affectedRows == 1 else { throw GraphQLError("No active agent with id \(PostgresUUID.text(agentID)).", code: "NOT_FOUND") }
                    let id = TimeOrderedUUID.make()
                    let row = try await c.query("""
                        INSERT INTO tasks (id, tenant_id, title, priority, status, agent_id) VALUES (\(id), \(tid), \(title), \(priority), 'ASSIGNED', \(agentID))
                        RETURNING \(unsafeRaw: taskColumns)
                        """).first!
                    let assigned = try Task(row)
                    try await appendEvent(c, tid, "agent-\(PostgresUUID.text(agentID))", "TaskAssigned",
                                          ["agentId": .string(PostgresUUID.text(agentID)), "taskId": .string(PostgresUUID.text(id)), "title": .string(title),
                                           "status": .string("ASSIGNED"), "attempts": .int(0), "state": assigned.state])
                    return assigned
                }
                PlatformMetrics.taskEntered("ASSIGNED")
                PlatformMetrics.eventsAppended(tenant: ctx.tenantSlug, types: ["TaskAssigned"])
                return .object(created, task)
            }
        TaskQueue.register(on: s, task: task)
        return s
    }

    typealias DataLoaderTasks = DataLoader<UUID, [Task]>

    static func requireTenant(_ ctx: PlatformContext) async throws -> UUID {
        guard let id = try await ctx.tenantID() else {
            throw GraphQLError("This operation needs a tenant.", code: "UNAUTHENTICATED")
        }
        return id
    }

    /// Takes the event store's append lock exclusively (every insert into events takes it in
    /// shared mode), held to the end of the transaction. A mutation that appends takes it first, before any row lock:
    /// concurrent mutations of one agent then wait in line instead of computing the same next
    /// version, and no two transactions can each hold what the other waits for.
    static func lockAppends(_ c: PostgresConnection) async throws {
        try await c.query("SELECT pg_advisory_xact_lock(7242002)")
    }

    /// Appends one event at the stream's next version, in the caller's transaction.
    static func appendEvent(_ c: PostgresConnection, _ tenant: UUID, _ stream: String, _ type: String, _ data: [String: JSON]) async throws {
        let json = JSON.object(.init(uniqueKeysWithValues: data.sorted { $0.key < $1.key })).text
        try await lockAppends(c)
        try await c.query("""
            INSERT INTO events (tenant_id, event_id, stream_id, stream_version, type, data)
            SELECT \(tenant), \(TimeOrderedUUID.make()), \(stream), coalesce(max(stream_version), 0) + 1, \(type), \(json)::jsonb
            FROM events WHERE tenant_id = \(tenant) AND stream_id = \(stream)
            """)
    }
}

import DataLoader

/// This module, as the gateway finds it (see `PlatformSubgraph`).
public let platformSubgraph = PlatformSubgraph(name: "agents") { sdl, _ in try AgentsSubgraph.make(sdl: sdl) }
