import Crypto
import Foundation
import Postgres

/// `switchyard db seed`: demo tenants, agents, tasks, their event history and data products.
/// Deterministic (name-based ids) and idempotent: a seeded database is left as it is.
public struct DemoData: Sendable {
    public struct Summary: Sendable, Equatable {
        public var tenants = 0, agents = 0, tasks = 0, events = 0, dataProducts = 0
    }

    static let tenants: [(slug: String, name: String, plan: String, maxAgents: Int, rpm: Int, maxCost: Int, agents: Int)] = [
        ("acme", "Acme Corporation", "enterprise", 100, 6000, 20000, 30),
        ("globex", "Globex", "team", 50, 1200, 10000, 24),
        ("initech", "Initech", "free", 40, 300, 5000, 18),
    ]
    static let kinds: [(kind: String, capabilities: [String])] = [
        ("planner", ["plan", "decompose"]), ("researcher", ["search", "summarize"]),
        ("coder", ["code", "test"]), ("reviewer", ["review", "approve"]), ("operator", ["deploy", "monitor"]),
    ]
    static let domains = ["sales", "marketing", "finance", "operations", "support"]
    static let qualities = ["GOLD", "SILVER", "BRONZE"]

    /// A stable UUID from a name (SHA-256, version and variant bits set as for v5).
    public static func id(_ name: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x50
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    public static func tenantID(_ slug: String) -> UUID { id("tenant:\(slug)") }

    let pool: PostgresPool
    let now: Date

    public init(pool: PostgresPool, now: Date = Date()) {
        self.pool = pool
        self.now = now
    }

    @discardableResult
    public func seed() async throws -> Summary {
        var summary = Summary()
        for t in Self.tenants {
            let tenant = Self.tenantID(t.slug)
            let seeded = try await pool.withTenant(tenant.uuidString) { c -> Bool in
                if try await !c.query("SELECT 1 FROM tenants WHERE id = \(tenant)").isEmpty { return true }
                try await c.query("""
                    INSERT INTO tenants (id, slug, name, plan, max_agents, requests_per_minute, max_query_cost)
                    VALUES (\(tenant), \(t.slug), \(t.name), \(t.plan), \(t.maxAgents), \(t.rpm), \(t.maxCost))
                    """)
                let counts = try await seedTenant(c, tenant: tenant, slug: t.slug, agentCount: t.agents)
                summary.agents += counts.agents
                summary.tasks += counts.tasks
                summary.events += counts.events
                summary.dataProducts += counts.products
                return false
            }
            if !seeded { summary.tenants += 1 }
        }
        return summary
    }

    private func seedTenant(_ c: PostgresConnection, tenant: UUID, slug: String, agentCount: Int)
        async throws -> (agents: Int, tasks: Int, events: Int, products: Int) {
        var agentIDs: [UUID] = [], agentNames: [String] = [], agentKinds: [String] = [], agentStatus: [String] = []
        var agentCaps: [String] = [], agentCreated: [Date] = []
        var taskIDs: [UUID] = [], taskTitles: [String] = [], taskPriority: [Int] = [], taskStatus: [String] = []
        var taskResult: [String] = [], taskAgent: [UUID] = [], taskCreated: [Date] = []
        var ev = EventRows()
        let tasksPerAgent = 20
        for a in 0..<agentCount {
            let kind = Self.kinds[a % Self.kinds.count]
            let agent = Self.id("agent:\(slug):\(a)")
            let spawned = now.addingTimeInterval(-Double(28 * 3600) + Double(a * 600))
            agentIDs.append(agent)
            agentNames.append("\(kind.kind)-\(a + 1)")
            agentKinds.append(kind.kind)
            agentStatus.append(a % 7 == 6 ? "RETIRED" : (a % 3 == 0 ? "BUSY" : "IDLE"))
            agentCaps.append(PostgresArrayTextEncoder.encode(kind.capabilities))
            agentCreated.append(spawned)
            let stream = "agent-\(PostgresUUID.text(agent))"
            var version = 1
            ev.add(tenant, stream, version, "AgentSpawned",
                   #"{"agentId":"\#(PostgresUUID.text(agent))","name":"\#(kind.kind)-\#(a + 1)","kind":"\#(kind.kind)"}"#, spawned)
            for k in 0..<tasksPerAgent {
                let task = Self.id("task:\(slug):\(a):\(k)")
                let assigned = spawned.addingTimeInterval(Double(k * 3600 + 60))
                // Only a BUSY agent holds assigned tasks (an IDLE or RETIRED one holding some broke
                // the agents' own rules): its last two; everyone else's are done.
                let busy = agentStatus.last == "BUSY"
                let outcome = (a + k) % 5 == 4 ? "FAILED" : (busy && k >= tasksPerAgent - 2 ? "ASSIGNED" : "COMPLETED")
                taskIDs.append(task)
                taskTitles.append("\(kind.capabilities[k % 2]) job \(k + 1)")
                taskPriority.append((a * 7 + k) % 5)
                taskStatus.append(outcome)
                taskResult.append(outcome == "COMPLETED" ? "ok" : (outcome == "FAILED" ? "timeout" : ""))
                taskAgent.append(agent)
                taskCreated.append(assigned)
                let ids = #""agentId":"\#(PostgresUUID.text(agent))","taskId":"\#(PostgresUUID.text(task))""#
                version += 1
                ev.add(tenant, stream, version, "TaskAssigned", "{\(ids)}", assigned)
                if outcome != "ASSIGNED" {
                    version += 1
                    let at = min(assigned.addingTimeInterval(900), now.addingTimeInterval(-60))
                    ev.add(tenant, stream, version, outcome == "COMPLETED" ? "TaskCompleted" : "TaskFailed", "{\(ids)}", at)
                }
            }
            // A retired agent's stream says so (the usage read model counts spawned − retired).
            if agentStatus.last == "RETIRED" {
                version += 1
                ev.add(tenant, stream, version, "AgentRetired", #"{"agentId":"\#(PostgresUUID.text(agent))"}"#, now.addingTimeInterval(-30))
            }
        }
        try await c.query("""
            INSERT INTO agents (id, tenant_id, name, kind, status, capabilities, created_at, updated_at)
            SELECT id, \(tenant), name, kind, status, caps::text[], created, created
            FROM unnest(\(agentIDs)::uuid[], \(agentNames)::text[], \(agentKinds)::text[], \(agentStatus)::text[],
                        \(agentCaps)::text[], \(agentCreated.map(\.postgresText))::timestamptz[])
                 AS t(id, name, kind, status, caps, created)
            """)
        try await c.query("""
            INSERT INTO tasks (id, tenant_id, title, priority, status, result, agent_id, created_at, updated_at)
            SELECT id, \(tenant), title, priority, status, nullif(result, ''), agent, created, created
            FROM unnest(\(taskIDs)::uuid[], \(taskTitles)::text[], \(taskPriority)::int8[], \(taskStatus)::text[],
                        \(taskResult)::text[], \(taskAgent)::uuid[], \(taskCreated.map(\.postgresText))::timestamptz[])
                 AS t(id, title, priority, status, result, agent, created)
            """)
        try await ev.insert(c)

        // Data products with lineage: a chain per domain plus cross-domain edges.
        var pIDs: [UUID] = [], pNames: [String] = [], pDomains: [String] = [], pDesc: [String] = []
        var pQuality: [String] = [], pTags: [String] = []
        let nouns = ["orders", "customers", "revenue", "campaigns", "tickets", "invoices", "inventory", "leads", "churn", "forecast", "shipments", "payments"]
        for (i, noun) in nouns.enumerated() {
            let domain = Self.domains[i % Self.domains.count]
            pIDs.append(Self.id("product:\(slug):\(noun)"))
            pNames.append("\(noun.capitalized) \(i % 2 == 0 ? "Daily" : "Curated")")
            pDomains.append(domain)
            pDesc.append("The \(noun) data of \(slug), refreshed from the \(domain) systems; used for reporting and \(nouns[(i + 3) % nouns.count]) analysis.")
            pQuality.append(Self.qualities[i % Self.qualities.count])
            pTags.append(PostgresArrayTextEncoder.encode([domain, noun, i % 2 == 0 ? "daily" : "curated"]))
        }
        try await c.query("""
            INSERT INTO data_products (id, tenant_id, name, domain, description, quality_level, tags, schema)
            SELECT id, \(tenant), name, domain, description, quality, tags::text[], jsonb_build_object('fields', jsonb_build_array('id', 'name', 'updated_at'))
            FROM unnest(\(pIDs)::uuid[], \(pNames)::text[], \(pDomains)::text[], \(pDesc)::text[], \(pQuality)::text[], \(pTags)::text[])
                 AS t(id, name, domain, description, quality, tags)
            """)
        var up: [UUID] = [], down: [UUID] = []
        for i in 1..<pIDs.count { up.append(pIDs[i - 1]); down.append(pIDs[i]) }
        for i in stride(from: 0, to: pIDs.count - 3, by: 3) { up.append(pIDs[i]); down.append(pIDs[i + 3]) }
        try await c.query("""
            INSERT INTO data_product_lineage (tenant_id, upstream_id, downstream_id)
            SELECT \(tenant), u, d FROM unnest(\(up)::uuid[], \(down)::uuid[]) AS t(u, d) ON CONFLICT DO NOTHING
            """)
        return (agentIDs.count, taskIDs.count, ev.count, pIDs.count)
    }
}

/// Event rows gathered for one bulk insert.
struct EventRows {
    var tenant: [UUID] = [], eventID: [UUID] = [], stream: [String] = [], version: [Int] = []
    var type: [String] = [], data: [String] = [], occurred: [String] = []
    var count: Int { eventID.count }

    mutating func add(_ t: UUID, _ s: String, _ v: Int, _ ty: String, _ d: String, _ at: Date) {
        tenant.append(t)
        eventID.append(DemoData.id("event:\(s):\(v)"))
        stream.append(s)
        version.append(v)
        type.append(ty)
        data.append(d)
        occurred.append(at.postgresText)
    }

    func insert(_ c: PostgresConnection) async throws {
        // Positions follow time, as they would have had the events been appended live.
        try await c.query("""
            INSERT INTO events (tenant_id, event_id, stream_id, stream_version, type, data, occurred_at)
            SELECT tenant, id, stream, version, type, data::jsonb, occurred
            FROM unnest(\(tenant)::uuid[], \(eventID)::uuid[], \(stream)::text[], \(version)::int8[], \(type)::text[],
                        \(data)::text[], \(occurred)::timestamptz[]) AS t(tenant, id, stream, version, type, data, occurred)
            ORDER BY occurred, stream, version
            """)
    }
}

/// Array literal text for a nested array value (`text[]` stored inside an outer text[] bind).
enum PostgresArrayTextEncoder {
    static func encode(_ elements: [String]) -> String {
        "{" + elements.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
