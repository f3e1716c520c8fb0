import Foundation
import JWTKit
import Gateway
import GraphQLCore
import Postgres
import Redis
import Synchronization
import Testing
import TestSupport

/// How many of a test's requests have answered (shared by its tasks).
final class AnsweredCount: Sendable { let value = Atomic(0) }

/// A migrated, seeded database of its own, a private Redis, and the demo configuration
/// pointing at them: the five platform subgraphs behind the gateway.
struct PlatformFixture: Sendable {
    let db: TestDatabase
    let redis: PrivateRedis
    let config: GatewayConfiguration
    let owner: PostgresPool

    static func make() async throws -> PlatformFixture {
        let db = try await TestDatabase.create("platform")
        let owner = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 4))
        try await Migrator(pool: owner, directory: TestEnvironment.repositoryRoot.appendingPathComponent("Schema/postgres"),
                           applicationRole: "switchyard_app").migrate()
        try await DemoData(pool: owner).seed()
        let redis = try await PrivateRedis()
        var config = try GatewayConfiguration.parse(yaml: try String(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("gateway.yaml"), encoding: .utf8))
        config.postgres?.url = db.appURL
        config.postgres?.ownerURL = db.ownerURL
        config.redis?.url = redis.url
        return PlatformFixture(db: db, redis: redis, config: config, owner: owner)
    }

    func destroy() async {
        owner.close()
        await redis.destroy()
        await db.drop()
    }

    /// Waits until a session of the fixture's database waits for an advisory lock (`mode`, or
    /// any); how many do then (0 when none did within the attempts).
    func advisoryLockWaiters(mode: String? = nil, attempts: Int = 3_000) async throws -> Int {
        for _ in 0..<attempts {
            let n = try await owner.query("""
                SELECT count(*)::int8 AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND (\(mode ?? "") = '' OR mode = \(mode ?? ""))
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """).first?.decode("n", as: Int.self) ?? 0
            if n > 0 { return n }
            try await Task.sleep(for: .milliseconds(10))
        }
        return 0
    }
}

func withPlatform<T: Sendable>(configure: (inout GatewayConfiguration) -> Void = { _ in },
                                _ body: (PlatformFixture, GatewayClient, GatewayServer) async throws -> T) async throws -> T {
    let fixture = try await PlatformFixture.make()
    do {
        var config = fixture.config
        configure(&config)
        let r = try await withConfiguredGateway(config) { try await body(fixture, $0, $1) }
        await fixture.destroy()
        return r
    } catch {
        await fixture.destroy()
        throw error
    }
}

/// Waits until the gateway is ready (the tenants' quotas read: before, every tenant counts as anonymous).
func waitUntilReady(_ client: GatewayClient) async throws {
    for _ in 0..<600 where try await client.send(.GET, "/ready").status != 200 { try await Task.sleep(for: .milliseconds(20)) }
}

let tenantOverview = """
query TenantOverview($slug: String!, $agents: Int = 20) {
  tenant(slug: $slug) {
    name plan quotas { maxAgents requestsPerMinute }
    usage { activeAgents eventsLast24h }
    agents(first: $agents) {
      name status
      stats { tasksCompleted tasksFailed }
      history(last: 5) { type version occurredAt }
    }
    dataProducts(first: 10) { name domain qualityLevel lineage { name } }
  }
}
"""


@Suite("Platform subgraphs through the gateway")
struct PlatformTests {
    @Test func tenantOverviewReturnsTheSeededData() async throws {
        try await withPlatform { fixture, client, server in
            // The projection runner catches up on start; wait until it has.
            var r: GatewayResponse!
            for _ in 0..<100 {
                r = try await client.query(tenantOverview, variables: #"{"slug":"acme"}"#, headers: [("x-tenant", "acme")])
                // 30 agents seeded, 4 of them retired (each with its AgentRetired event).
                if r.json?["data"]?["tenant"]?["usage"]?["activeAgents"] == 26 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(r.status == 200)
            let t = try #require(r.json?["data"]?["tenant"])
            #expect(r.json?["errors"] == nil, "\(r.text)")
            #expect(t["name"] == "Acme Corporation")
            #expect(t["plan"] == "ENTERPRISE")
            #expect(t["quotas"]?["maxAgents"] == 100)
            #expect(t["usage"]?["activeAgents"] == 26)
            #expect((t["usage"]?["eventsLast24h"]?.intValue ?? 0) > 0)
            let agents = try #require(t["agents"]?.arrayValue)
            #expect(agents.count == 20)
            #expect(agents[0]["name"] == "planner-1")
            #expect((agents[0]["stats"]?["tasksCompleted"]?.intValue ?? 0) > 0)
            #expect(agents[0]["history"]?.arrayValue?.count == 5)
            let products = try #require(t["dataProducts"]?.arrayValue)
            #expect(products.count == 10)
            #expect(products.contains { ($0["lineage"]?.arrayValue?.count ?? 0) > 0 })
        }
    }

    /// Each agent's history (read for the whole level in one statement) is its stream's last
    /// events, oldest first, as the table has them.
    @Test func historyIsEachStreamsLastEventsInOrder() async throws {
        try await withPlatform { fixture, client, _ in
            let acme = DemoData.tenantID("acme").uuidString
            let r = try await client.query("{ tenant(slug: \"acme\") { agents(first: 20) { id history(last: 3) { version type } } } }",
                                           headers: [("x-tenant", "acme")])
            #expect(r.json?["errors"] == nil, "\(r.text)")
            let agents = try #require(r.json?["data"]?["tenant"]?["agents"]?.arrayValue)
            #expect(agents.count == 20)
            for a in agents {
                let id = try #require(a["id"]?.stringValue)
                let expected = try await fixture.owner.withTenant(acme) { c in
                    try await c.query("""
                        SELECT stream_version, type FROM events WHERE stream_id = \("agent-" + id.lowercased())
                        ORDER BY stream_version DESC LIMIT 3
                        """).map { (try $0.decode("stream_version", as: Int.self), try $0.decode("type", as: String.self)) }
                }.reversed()
                let got = (a["history"]?.arrayValue ?? []).map { ($0["version"]?.intValue ?? -1, $0["type"]?.stringValue ?? "") }
                #expect(got.map(\.0) == expected.map(\.0), "agent \(id)")
                #expect(got.map(\.1) == expected.map(\.1), "agent \(id)")
                #expect(!got.isEmpty)
            }
        }
    }

    /// Lineage both ways, resolved for a whole level of products at once, is the table's: each
    /// product's upstream names in order, and every upstream lists the product downstream.
    @Test func lineageAnswersTheTableBothWays() async throws {
        try await withPlatform { fixture, client, _ in
            let acme = DemoData.tenantID("acme").uuidString
            let expected = try await fixture.owner.withTenant(acme) { c in
                try await c.query("""
                    SELECT d.name AS product, u.name AS upstream FROM data_product_lineage l
                    JOIN data_products d ON d.id = l.downstream_id JOIN data_products u ON u.id = l.upstream_id
                    ORDER BY d.name, l.upstream_id
                    """).map { (try $0.decode("product", as: String.self), try $0.decode("upstream", as: String.self)) }
            }
            #expect(!expected.isEmpty)
            let r = try await client.query("{ tenant(slug: \"acme\") { dataProducts(first: 50) { name lineage { name } downstream { name } } } }",
                                           headers: [("x-tenant", "acme")])
            #expect(r.json?["errors"] == nil, "\(r.text)")
            let products = try #require(r.json?["data"]?["tenant"]?["dataProducts"]?.arrayValue)
            let byName = Dictionary(products.map { ($0["name"]?.stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            var answered: [(String, String)] = []
            for p in products {
                let name = p["name"]?.stringValue ?? ""
                for u in p["lineage"]?.arrayValue ?? [] {
                    let upstream = u["name"]?.stringValue ?? ""
                    answered.append((name, upstream))
                    #expect(byName[upstream]?["downstream"]?.arrayValue?.contains { $0["name"]?.stringValue == name } == true, "\(upstream) lists \(name) downstream")
                }
            }
            #expect(answered.map { "\($0.0) <- \($0.1)" } == expected.map { "\($0.0) <- \($0.1)" })
            let downstream = products.reduce(0) { $0 + ($1["downstream"]?.arrayValue?.count ?? 0) }
            #expect(downstream == expected.count)
        }
    }

    /// Each query holds one connection for its read transaction: nothing it does may wait on the
    /// request pool for a second one (slug lookups have a pool of their own), or a full pool would
    /// leave every request waiting for the others. 12 TenantOverviews at once on 2 connections,
    /// with the slug cache cold, all answer.
    ///
    /// Run beside the whole suite on 2 cores a request may wait long for its turn, so the pool's
    /// wait is generous here: what the test looks for is requests that can never be served, which
    /// the time limit (a guard against hanging, not a speed check) catches.
    @Test(.timeLimit(.minutes(3))) func moreConcurrentQueriesThanConnectionsAllAnswer() async throws {
        let fixture = try await PlatformFixture.make()
        var config = fixture.config
        config.postgres?.maxConnections = 2
        config.postgres?.acquireTimeoutMs = 120_000
        config.limits.requestTimeoutMs = 150_000
        config.rateLimits.enabled = false
        do {
            try await withConfiguredGateway(config) { client, _ in
                let answers = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<12 {
                        group.addTask {
                            let r = try await client.query(tenantOverview, variables: #"{"slug":"acme","agents":5}"#, headers: [("x-tenant", "acme")],
                                                           timeout: .seconds(150))
                            return r.json?["errors"] == nil && r.json?["data"]?["tenant"]?["agents"]?.arrayValue?.count == 5 ? "ok" : String(r.text.prefix(300))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.allSatisfy { $0 == "ok" }, "\(answers.filter { $0 != "ok" })")
            }
        } catch {
            await fixture.destroy()
            throw error
        }
        await fixture.destroy()
    }

    @Test func sqlStatementsDoNotGrowWithTheNumberOfAgents() async throws {
        try await withPlatform { fixture, client, server in
            func statements(_ agents: Int) async throws -> Int {
                // Warm the per-process caches (tenant directory) first, then count one request.
                _ = try await client.query(tenantOverview, variables: #"{"slug":"acme","agents":\#(agents)}"#, headers: [("x-tenant", "acme")])
                // One round trip per level of the plan: the tenant (with BEGIN and set_config);
                // usage, agents and data products; then stats, history and lineage. (COMMIT goes
                // unanswered, read with the connection's next use.) A request may get a pooled
                // connection its statements are not prepared on yet (the previous request's is
                // checked in after its COMMIT is sent, which a busy machine can delay past the next
                // request's start): preparing them there is one more round trip, once per
                // connection, so the fewest of three requests is what is counted (statements too:
                // the previous request's COMMIT, sent after its answer, can fall into the count).
                var fewestTrips = Int.max, fewestStatements = Int.max
                for _ in 0..<3 {
                    let before = server.postgresStatementCount, trips = server.postgresRoundTripCount
                    let r = try await client.query(tenantOverview, variables: #"{"slug":"acme","agents":\#(agents)}"#, headers: [("x-tenant", "acme")])
                    #expect(r.json?["data"]?["tenant"]?["agents"]?.arrayValue?.count == agents)
                    fewestTrips = min(fewestTrips, server.postgresRoundTripCount - trips)
                    fewestStatements = min(fewestStatements, server.postgresStatementCount - before)
                }
                #expect(fewestTrips == 3, "round trips for \(agents) agents")
                return fewestStatements
            }
            // acme has 30 agents; 20 more make 50.
            for i in 0..<20 {
                _ = try await client.query(#"mutation { spawnAgent(input: {name: "more-\#(i)", kind: "coder"}) { id } }"#, headers: [("x-tenant", "acme")])
            }
            let five = try await statements(5)
            let fifty = try await statements(50)
            #expect(five == fifty, "SQL statements for 5 agents: \(five), for 50: \(fifty)")
            // One read transaction for the whole request (BEGIN, set_config, COMMIT) and one
            // statement per list of children.
            #expect(five <= 10, "SQL statements for one TenantOverview: \(five)")
        }
    }

    /// PostgreSQL keeps a plan for each statement of the platform's reads and appends (a
    /// connection's prepared statement moves to its generic plan after its first executions)
    /// whatever the length of the lists they carry: a read of one agent's history or of one
    /// tenant's usage, or an append of two events, is not planned again on every request (the
    /// two reads were, before their lists went through a sub-select).
    /// Counted by `pg_stat_statements` (`plans` beside `calls`) in this test's database.
    @Test func statementsKeepTheirPlansWhateverTheLengthOfTheirLists() async throws {
        let fixture = try await PlatformFixture.make()
        do {
            _ = try await psql(fixture.db.adminURL, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            _ = try await psql(TestEnvironment.adminURL, "ALTER DATABASE \(fixture.db.name) SET pg_stat_statements.track_planning = on")
            // The seeded tables' statistics first, and no automatic ANALYZE during the rounds: it
            // would invalidate the connections' plans (PostgreSQL then plans anew, custom plans first).
            _ = try await psql(fixture.db.adminURL, """
                DO $$ DECLARE t regclass; BEGIN
                  FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') LOOP
                    EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = false)', t);
                  END LOOP;
                END $$; ANALYZE;
                """)
            try await withConfiguredGateway(fixture.config) { client, _ in
                let acme = [("x-tenant", "acme")]
                let rounds = 40
                for i in 0..<rounds {
                    for agents in [1, 3] {
                        let r = try await client.query(tenantOverview, variables: #"{"slug":"acme","agents":\#(agents)}"#, headers: acme)
                        #expect(r.json?["data"]?["tenant"]?["agents"]?.arrayValue?.count == agents, "\(r.text.prefix(300))")
                    }
                    let a = try await client.query(#"mutation { appendEvents(streamId: "plans-\#(i)", expectedVersion: 0, events: [{type: "A"}, {type: "B"}]) { toVersion } }"#, headers: acme)
                    #expect(a.json?["data"]?["appendEvents"]?["toVersion"] == 2, "\(a.text.prefix(300))")
                }
                // Every statement the app role ran at least once per round, with how often it was planned.
                let counts = try await psql(fixture.db.adminURL, """
                    SELECT calls || ' ' || plans || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 600) FROM pg_stat_statements
                    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND userid = 'switchyard_app'::regrole AND calls >= \(rounds) AND query NOT ILIKE 'COMMIT%'
                    """).split(separator: "\n").map { $0.split(separator: " ", maxSplits: 2).map(String.init) }
                #expect(counts.contains { $0.count == 3 && $0[2].contains("unnest") && $0[2].contains("tenant_usage") }, "the usage read is counted: \(counts)")
                #expect(counts.contains { $0.count == 3 && $0[2].contains("stream_version DESC") }, "the history read is counted: \(counts)")
                #expect(counts.contains { $0.count == 3 && $0[2].contains("INSERT INTO events") }, "the append is counted: \(counts)")
                for c in counts where c.count == 3 {
                    // A handful of plans per connection before the generic one; one per execution otherwise.
                    #expect((Int(c[1]) ?? .max) * 2 <= (Int(c[0]) ?? 0), "planned \(c[1]) times in \(c[0]) executions: \(c[2])")
                }
            }
        } catch {
            await fixture.destroy()
            throw error
        }
        await fixture.destroy()
    }

    /// A tenant's first agents and data products, and a product's first 100 links each way, are read
    /// by an index scan that stops there: a tenant with thousands of agents and products, and a
    /// product with thousands of links, cost these reads no more than the seeded ones do (they
    /// numbered every row of the tenant, or every link, with a window function before). Counted by
    /// `pg_stat_statements`: the buffers each statement touched per execution.
    @Test func listsOfChildrenReadOnlyTheRowsTheyAnswer() async throws {
        let fixture = try await PlatformFixture.make()
        do {
            _ = try await psql(fixture.db.adminURL, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            let hub = try await psql(fixture.db.adminURL, """
                WITH t AS (SELECT id FROM tenants WHERE slug = 'acme'),
                agents AS (INSERT INTO agents (id, tenant_id, name, kind, created_at)
                           SELECT gen_random_uuid(), t.id, 'bulk-' || g, 'coder', now() + g * interval '1 second'
                           FROM t, generate_series(1, 5000) g RETURNING id),
                hub AS (INSERT INTO data_products (id, tenant_id, name, domain)
                        SELECT gen_random_uuid(), t.id, 'hub', 'bulk' FROM t RETURNING id, tenant_id),
                products AS (INSERT INTO data_products (id, tenant_id, name, domain)
                             SELECT gen_random_uuid(), t.id, 'bulk-' || g, 'bulk' FROM t, generate_series(1, 5000) g RETURNING id),
                links AS (INSERT INTO data_product_lineage (tenant_id, upstream_id, downstream_id)
                          SELECT hub.tenant_id, p.id, hub.id FROM hub, products p
                          UNION ALL SELECT hub.tenant_id, hub.id, p.id FROM hub, products p RETURNING 1)
                SELECT hub.id FROM hub, (SELECT count(*) FROM agents) a, (SELECT count(*) FROM links) l
                """)
            _ = try await psql(fixture.db.adminURL, "ANALYZE")
            try await withConfiguredGateway(fixture.config) { client, _ in
                let acme = [("x-tenant", "acme")]
                for _ in 0..<3 {
                    let r = try await client.query("""
                        { tenant(slug: "acme") { agents(first: 5) { name } dataProducts(first: 3) { name } }
                          dataProduct(id: "\(hub)") { lineage { id } downstream { id } } }
                        """, headers: acme)
                    #expect(r.json?["data"]?["tenant"]?["agents"]?.arrayValue?.count == 5, "\(r.text.prefix(300))")
                    #expect(r.json?["data"]?["tenant"]?["dataProducts"]?.arrayValue?.count == 3, "\(r.text.prefix(300))")
                    #expect(r.json?["data"]?["dataProduct"]?["lineage"]?.arrayValue?.count == 100, "\(r.text.prefix(300))")
                    #expect(r.json?["data"]?["dataProduct"]?["downstream"]?.arrayValue?.count == 100, "\(r.text.prefix(300))")
                }
                let reads = try await psql(fixture.db.adminURL, """
                    SELECT (shared_blks_hit + shared_blks_read) / calls || ' ' || rows / calls || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 300)
                    FROM pg_stat_statements
                    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND userid = 'switchyard_app'::regrole
                      AND regexp_replace(query, '\\s+', ' ', 'g') ~ 'FROM (agents|data_products|data_product_lineage)( [ap])? WHERE (tenant_id|downstream_id|upstream_id) ='
                    """).split(separator: "\n").map { $0.split(separator: " ", maxSplits: 2).map(String.init) }
                #expect(reads.count == 4, "the agents, data products and both lineage reads are counted: \(reads)")
                for r in reads where r.count == 3 {
                    // A read that stops at its LIMIT touches an index page or two and about one heap
                    // buffer per row it returns (5, 3, 100 and 100 rows); one that reads all 5,000
                    // rows touches thousands (or, scanning the table, its 50 pages and more).
                    let buffers = Int(r[0]) ?? .max, rows = Int(r[1]) ?? 0
                    #expect(buffers <= 2 * rows + 20, "\(buffers) buffers for \(rows) rows per execution: \(r[2])")
                }
            }
        } catch {
            await fixture.destroy()
            throw error
        }
        await fixture.destroy()
    }

    /// Every list of the five subgraphs has a size for cost analysis: nested lineage (100 each,
    /// the resolver's cap too) and event pages sized by their `first` are refused by the default
    /// ceiling before any subgraph runs; within bounds they answer.
    @Test func everyPlatformListIsSizedForCost() async throws {
        try await withPlatform { _, client, server in
            // The nested queries below are over acme's cost quota (5,000), not the configured
            // ceiling: the quotas must have been read (before, acme counted as anonymous and one
            // of them was answered under the suite's load).
            try await waitUntilReady(client)
            let acme = [("x-tenant", "acme")]
            let before = server.postgresStatementCount
            let lineage = try await client.query("{ tenant(slug: \"acme\") { dataProducts(first: 100) { lineage { lineage { downstream { lineage { name } } } } } } }", headers: acme)
            #expect(lineage.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE", "\(lineage.text.prefix(300))")
            let pages = try await client.query("{ a: events(first: 600000) { events { id } } b: stream(streamId: \"s\", first: 600000) { events { id } } }", headers: acme)
            #expect(pages.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE", "\(pages.text.prefix(300))")
            let search = try await client.query("query($n: Int = 2000000) { searchDataProducts(query: \"x\", first: $n) { results { name } } }", headers: acme)
            #expect(search.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE", "\(search.text.prefix(300))")
            // A count given as null (or a variable left out) is the default to the resolvers
            // (20 tasks a level): costed as that, not as `default_list_size`.
            for (q, variables) in [("{ agents(first: null) { tasks(first: null) { agent { tasks(first: null) { agent { tasks(first: null) { id } } } } } } }", "{}"),
                                   ("query($n: Int) { agents(first: $n) { tasks(first: $n) { agent { tasks(first: $n) { agent { tasks(first: $n) { id } } } } } } }", "{}")] {
                let nested = try await client.query(q, variables: variables, headers: acme)
                #expect(nested.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE", "\(nested.text.prefix(300))")
            }
            #expect(server.postgresStatementCount == before, "nothing ran")
            let fine = try await client.query("{ tenant(slug: \"acme\") { dataProducts(first: 3) { lineage { name } downstream { name } } } events(first: 5) { events { id } } }", headers: acme)
            #expect(fine.json?["errors"] == nil, "\(fine.text.prefix(300))")
        }
    }

    /// Parameters go to PostgreSQL in binary, so a string with a NUL byte is not cut short: the
    /// database rejects it, and the client is told its input was not valid (not an internal error).
    @Test func aValueTheDatabaseRejectsIsBadUserInput() async throws {
        try await withPlatform { _, client, _ in
            let r = try await client.query(#"{ tenant(slug: "ac\u0000me") { name } }"#, headers: [("x-tenant", "acme")])
            #expect(r.json?["data"]?["tenant"] == .null, "\(r.text.prefix(300))")
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_USER_INPUT", "\(r.text.prefix(300))")
            #expect(r.json?["errors"]?[0]?["path"] == [.string("tenant")], "\(r.text.prefix(300))")
            let fine = try await client.query(#"{ tenant(slug: "acme") { name } }"#, headers: [("x-tenant", "acme")])
            #expect(fine.json?["data"]?["tenant"]?["name"] == "Acme Corporation", "\(fine.text.prefix(300))")
            // Fields beside it in the same subgraph's fetch (one transaction) are answered, in any
            // order: the value is refused before it reaches the database (probe 52C: it aborted
            // the transaction, and a sibling after it failed with INTERNAL_SERVER_ERROR).
            for query in [#"{ stream(streamId: "s") { version } latestSnapshot(streamId: "a\u0000b") { version } }"#,
                          #"{ tenant(slug: "a\u0000b") { id } currentTenant { slug } }"#,
                          #"{ projection(name: "a\u0000b") { name } projections { name } }"#] {
                let r = try await client.query(query, headers: [("x-tenant", "acme")])
                let codes = r.json?["errors"]?.arrayValue?.map { $0["extensions"]?["code"]?.stringValue ?? "?" } ?? []
                #expect(codes == ["BAD_USER_INPUT"], "\(r.text.prefix(400))")
                #expect(r.json?["data"]?["currentTenant"]?["slug"] == "acme" || r.json?["data"]?["projections"]?.arrayValue?.isEmpty == false
                        || r.json?["data"]?["stream"] != nil, "\(r.text.prefix(400))")
            }
        }
    }

    @Test func tenantsNeverSeeEachOthersRows() async throws {
        try await withPlatform { fixture, client, server in
            let acmeID = DemoData.tenantID("acme").uuidString.lowercased()
            let r = try await client.query("{ tenant(slug: \"acme\") { name } agents(first: 100) { name } }", headers: [("x-tenant", "globex")])
            #expect(r.json?["data"]?["tenant"] == .null)
            #expect(r.json?["data"]?["agents"]?.arrayValue?.count == 24, "globex sees its own 24 agents only")
            let none = try await client.query("{ agents { name } currentTenant { slug } }")
            #expect(none.json?["data"]?["agents"]?.arrayValue?.isEmpty == true)
            #expect(none.json?["data"]?["currentTenant"] == .null)
            // Through _entities with another tenant's id, served by the tenants subgraph directly.
            try await withConfiguredSubgraph("tenants", fixture.config) { sub in
                let e = try await sub.query("query($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { name } } }",
                                            variables: #"{"r":[{"__typename":"Tenant","id":"\#(acmeID)"}]}"#, headers: [("x-tenant", "globex")])
                #expect(e.json?["data"]?["_entities"] == [.null])
                let own = try await sub.query("query($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { name } } }",
                                              variables: #"{"r":[{"__typename":"Tenant","id":"\#(acmeID)"}]}"#, headers: [("x-tenant", "acme")])
                #expect(own.json?["data"]?["_entities"]?[0]?["name"] == "Acme Corporation")
            }
        }
    }

    /// Event store writes wait for the append lock in the gateway's line, not on pooled
    /// connections: while the lock is held elsewhere and appends pile up, reads still get a
    /// connection and answer. (Each waiting append used to hold a connection, and a read then
    /// waited for the pool until its wait ran out.) The time limit guards against hanging.
    @Test(.timeLimit(.minutes(3))) func readsAnswerWhileAppendsWaitForTheAppendLock() async throws {
        try await withPlatform(configure: {
            $0.postgres?.maxConnections = 3
            $0.postgres?.acquireTimeoutMs = 3_000
            // The append waiting in the database waits for the held lock as long as the reads
            // take: on a loaded machine that may be longer than the default 10 s.
            $0.postgres?.statementTimeoutMs = 150_000
            $0.limits.requestTimeoutMs = 120_000
            $0.rateLimits.enabled = false
        }) { fixture, client, server in
            let acme = [("x-tenant", "acme")]
            // The append lock, held by a session of its own until the reads are done.
            let holder = try await fixture.owner.checkOut()
            try await holder.query("SELECT pg_advisory_lock(7242002)")
            let answered = AnsweredCount()   // no append may answer while the lock is held
            let appends = Task {
                try await withThrowingTaskGroup(of: String.self) { group in
                    for i in 0..<4 {
                        group.addTask {
                            let r = try await client.query(#"mutation { appendEvents(streamId: "held-\#(i)", expectedVersion: 0, events: [{type: "E"}]) { toVersion } }"#,
                                                           headers: acme, timeout: .minutes(2))
                            answered.value.add(1, ordering: .relaxed)
                            return r.json?["data"]?["appendEvents"]?["toVersion"] == 1 ? "ok" : r.text
                        }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
            }
            // One append waits for the lock in the database (a pool of 3 lets one write hold a
            // connection), three wait in the gateway's line. (Appends wait in shared mode; the
            // projection runner waits too, for the horizon, in exclusive mode.)
            func waitingInDatabase() async throws -> Int {
                try await fixture.owner.query("""
                    SELECT count(*)::int8 AS n FROM pg_locks
                    WHERE locktype = 'advisory' AND NOT granted AND mode = 'ShareLock'
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """).first?.decode("n", as: Int.self) ?? 0
            }
            // Released whatever happens below (the appends would otherwise wait for ever).
            var reads: (GatewayResponse, GatewayResponse, Int)?
            var failure: (any Error)?
            do {
                // (An append that failed ends the wait: the outcomes below say how.)
                while try await waitingInDatabase() < 1 || server.appendsWaiting < 3, answered.value.load(ordering: .relaxed) == 0 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(answered.value.load(ordering: .relaxed) == 0, "an append answered while the lock was held")
                let positions = try await client.query("{ projections { name position } }", headers: acme)
                let overview = try await client.query(tenantOverview, variables: #"{"slug":"acme","agents":5}"#, headers: acme)
                reads = (positions, overview, try await waitingInDatabase())
            } catch { failure = error }
            try await holder.query("SELECT pg_advisory_unlock(7242002)")
            await fixture.owner.checkIn(holder)
            if let failure { throw failure }
            let (positions, overview, inDatabase) = try #require(reads)
            #expect(positions.json?["errors"] == nil, "\(positions.text)")
            #expect(positions.json?["data"]?["projections"]?.arrayValue?.count == 2)
            #expect(overview.json?["errors"] == nil, "\(overview.text)")
            #expect(overview.json?["data"]?["tenant"]?["agents"]?.arrayValue?.count == 5)
            #expect(inDatabase == 1, "no more writes than the line lets through hold a connection")
            let outcomes = try await appends.value
            #expect(outcomes == ["ok", "ok", "ok", "ok"], "\(outcomes)")
        }
    }

    /// An append that waits for the append lock longer than the statement timeout is told so
    /// (`DATABASE_TIMEOUT`, worth trying again) and changes nothing; once the lock is free the
    /// same append goes through.
    @Test(.timeLimit(.minutes(3))) func anAppendThatOutwaitsTheStatementTimeoutSaysSo() async throws {
        try await withPlatform(configure: {
            $0.postgres?.statementTimeoutMs = 300
            $0.rateLimits.enabled = false
        }) { fixture, client, _ in
            let acme = [("x-tenant", "acme")]
            let append = #"mutation { appendEvents(streamId: "late", expectedVersion: 0, events: [{type: "E"}]) { toVersion } }"#
            let holder = try await fixture.owner.checkOut()
            try await holder.query("SELECT pg_advisory_lock(7242002)")
            let late: Result<GatewayResponse, any Error>
            do { late = .success(try await client.query(append, headers: acme)) } catch { late = .failure(error) }
            try await holder.query("SELECT pg_advisory_unlock(7242002)")
            await fixture.owner.checkIn(holder)
            let r = try late.get()
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "DATABASE_TIMEOUT", "\(r.text)")
            #expect(r.json?["errors"]?[0]?["path"]?.text == #"["appendEvents"]"#)
            #expect(r.json?["errors"]?.arrayValue?.count == 1)
            let stream = try await client.query(#"{ stream(streamId: "late") { version } }"#, headers: acme)
            #expect(stream.json?["data"]?["stream"]?["version"] == 0 || stream.json?["data"]?["stream"] == .null, "\(stream.text)")
            let again = try await client.query(append, headers: acme)
            #expect(again.json?["data"]?["appendEvents"]?["toVersion"] == 1, "\(again.text)")
        }
    }

    /// An append refused for its expected version inserts nothing and notifies nothing (its
    /// version check and insert are one statement, whose statement triggers still fire); each
    /// append that inserts notifies `events_appended` with its newest position.
    @Test(.timeLimit(.minutes(2))) func onlyAppendsThatInsertNotify() async throws {
        try await withPlatform { fixture, client, _ in
            var notes = fixture.owner.listen(["events_appended"], announceSubscriptions: true).makeAsyncIterator()
            #expect(try await notes.next()?.channel == "", "subscribed")
            func append(_ expected: Int) async throws -> GatewayResponse {
                try await client.query(#"mutation { appendEvents(streamId: "quiet", expectedVersion: \#(expected), events: [{type: "Q"}]) { lastPosition } }"#,
                                       headers: [("x-tenant", "acme")])
            }
            let first = try await append(0)
            let refused = try await append(0)
            #expect(refused.json?["errors"]?[0]?["extensions"]?["code"]?.stringValue == "CONFLICT", "\(refused.text)")
            #expect(refused.json?["errors"]?[0]?["extensions"]?["currentVersion"]?.intValue == 1)
            let second = try await append(1)
            let positions = [first, second].map { $0.json?["data"]?["appendEvents"]?["lastPosition"]?.intValue.map(String.init) }
            // The refused append sent nothing between the two.
            #expect(try await notes.next()?.payload == positions[0])
            #expect(try await notes.next()?.payload == positions[1])
        }
    }

    /// 100 appends at once queue for the pool's connections: on a loaded machine the last ones
    /// wait long, so each has two minutes (a hang guard, not a speed check).
    @Test func concurrentAppendsAtOneVersionLetExactlyOneWin() async throws {
        try await withPlatform(configure: { $0.limits.requestTimeoutMs = 120_000; $0.postgres?.acquireTimeoutMs = 120_000 }) { fixture, client, server in
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<100 {
                    group.addTask {
                        let r = try await client.query(#"mutation { appendEvents(streamId: "race", expectedVersion: 0, events: [{type: "E\#(i)"}, {type: "F"}]) { toVersion } }"#,
                                                       headers: [("x-tenant", "acme")], timeout: .minutes(2))
                        if r.json?["data"]?["appendEvents"]?["toVersion"] == 2 { return "ok" }
                        // One error, with its path: the null it causes is not reported twice.
                        guard r.json?["errors"]?.arrayValue?.count == 1, r.json?["errors"]?[0]?["path"]?.text == #"["appendEvents"]"# else { return r.text }
                        return r.json?["errors"]?[0]?["extensions"]?["code"]?.stringValue ?? r.text
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "ok" }.count == 1)
            #expect(outcomes.filter { $0 == "CONFLICT" }.count == 99, "the others: \(outcomes.filter { $0 != "ok" && $0 != "CONFLICT" })")
            let stream = try await client.query(#"{ stream(streamId: "race") { version events { version type } } }"#, headers: [("x-tenant", "acme")])
            #expect(stream.json?["data"]?["stream"]?["version"] == 2, "nothing lost or duplicated: \(stream.text)")
            #expect(stream.json?["data"]?["stream"]?["events"]?.arrayValue?.count == 2)
        }
    }

    /// An agent's history reads the events' payloads only when they are asked for — directly,
    /// through a named fragment or an inline one — and answers them whichever way they are asked.
    @Test func historyPayloadsAnswerHoweverTheyAreAsked() async throws {
        try await withPlatform { fixture, client, _ in
            let acme = [("x-tenant", "acme")]
            let agent = try #require(try await client.query("{ agents(first: 1) { id } }", headers: acme).json?["data"]?["agents"]?[0]?["id"]?.stringValue)
            let streamID = "agent-\(agent.lowercased())"
            let version = try await client.query(#"{ stream(streamId: "\#(streamID)", first: 0) { version } }"#, headers: acme)
                .json?["data"]?["stream"]?["version"]?.intValue ?? 0
            // An agent's stream is the agents subgraph's to write: the event goes in as it would.
            let tenant = DemoData.tenantID("acme")
            try await fixture.owner.withTenant(tenant.uuidString) { c in
                try await c.query("""
                    INSERT INTO events (tenant_id, event_id, stream_id, stream_version, type, data, metadata)
                    VALUES (\(tenant), \(UUID()), \(streamID), \(version + 1), 'Probed', '{"probe": 7}'::jsonb, '{"by": "test"}'::jsonb)
                    """)
            }
            let shapes = [
                "{ agent(id: \"\(agent)\") { history(last: 1) { type data metadata } } }",
                "{ agent(id: \"\(agent)\") { history(last: 1) { type ...P } } } fragment P on Event { data metadata }",
                "{ agent(id: \"\(agent)\") { history(last: 1) { type ... on Event { ... on Event { data } metadata } } } }",
            ]
            for query in shapes {
                let r = try await client.query(query, headers: acme)
                let event = r.json?["data"]?["agent"]?["history"]?[0]
                #expect(r.json?["errors"] == nil, "\(query): \(r.text)")
                #expect(event?["type"] == "Probed" && event?["data"] == #"{"probe": 7}"# && event?["metadata"] == #"{"by": "test"}"#, "\(query): \(r.text)")
            }
            // The ids the store mints are time-ordered UUIDs (version 7), in the order appended.
            let many = try await client.query(#"""
                mutation { appendEvents(streamId: "probe-ids", expectedVersion: 0, events: [{type: "A"}, {type: "B"}, {type: "C"}]) { toVersion } }
                """#, headers: acme)
            #expect(many.json?["data"]?["appendEvents"]?["toVersion"]?.intValue == 3, "\(many.text)")
            let read = try await client.query(#"{ stream(streamId: "probe-ids") { events { id type } } }"#, headers: acme)
            let ids = read.json?["data"]?["stream"]?["events"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.count == 3, "\(read.text)")
            #expect(ids.allSatisfy { Array($0)[14] == "7" }, "version 7: \(ids)")
            #expect(ids == ids.sorted(), "one append's ids in order: \(ids)")
            let bare = try await client.query("{ agent(id: \"\(agent)\") { history(last: 1) { type version } } }", headers: acme)
            #expect(bare.json?["data"]?["agent"]?["history"]?[0]?["version"]?.intValue == version + 1, "\(bare.text)")
            #expect(bare.json?["errors"] == nil, "\(bare.text)")
        }
    }

    @Test func spawningBeyondTheQuotaFailsClearly() async throws {
        try await withPlatform { fixture, client, server in
            // initech allows 40 active agents; the seed gave it 18, of which 2 are retired.
            func active() async throws -> Int {
                let r = try await client.query("{ agents(first: 1000) { status } }", headers: [("x-tenant", "initech")])
                return r.json?["data"]?["agents"]?.arrayValue?.filter { $0["status"] != "RETIRED" }.count ?? -1
            }
            #expect(try await active() == 16)
            var outcomes: [String] = []
            for i in 0..<25 {
                let r = try await client.query(#"mutation { spawnAgent(input: {name: "extra-\#(i)", kind: "coder"}) { id } }"#, headers: [("x-tenant", "initech")])
                outcomes.append(r.json?["errors"]?[0]?["extensions"]?["code"]?.stringValue ?? "ok")
            }
            #expect(outcomes.prefix(24).allSatisfy { $0 == "ok" })
            #expect(outcomes.last == "QUOTA_EXCEEDED")
            #expect(try await active() == 40)

            // Retiring one makes room again (probe 55E: no mutation retired an agent, so a tenant at
            // its quota could never spawn again); one holding a task is refused until it is done.
            let initech = [("x-tenant", "initech")]
            let worker = try await client.query(#"mutation { spawnAgent(input: {name: "nope", kind: "coder"}) { id } }"#, headers: initech)
            #expect(worker.json?["errors"]?[0]?["extensions"]?["code"] == "QUOTA_EXCEEDED")
            let idle = try await client.query(#"{ agents(first: 1000, status: IDLE) { id name } }"#, headers: initech)
            let ids = idle.json?["data"]?["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.count >= 2, "\(idle.text.prefix(300))")
            let (busyID, freeID) = (ids[0], ids[1])
            let assigned = try await client.query(#"mutation { assignTask(input: {agentId: "\#(busyID)", title: "t"}) { id } }"#, headers: initech)
            let taskID = try #require(assigned.json?["data"]?["assignTask"]?["id"]?.stringValue, "\(assigned.text)")
            let refused = try await client.query(#"mutation { retireAgent(id: "\#(busyID)") { status } }"#, headers: initech)
            #expect(refused.json?["errors"]?[0]?["extensions"]?["code"] == "CONFLICT", "\(refused.text)")
            #expect(try await client.query(#"mutation { completeTask(taskId: "\#(taskID)") { status } }"#, headers: initech).json?["errors"] == nil)
            for id in [busyID, freeID] {
                let r = try await client.query(#"mutation { retireAgent(id: "\#(id)") { id status } }"#, headers: initech)
                #expect(r.json?["data"]?["retireAgent"]?["status"] == "RETIRED", "\(r.text)")
            }
            // Again: nothing more happens; another tenant's agent is not found.
            #expect(try await client.query(#"mutation { retireAgent(id: "\#(freeID)") { status } }"#, headers: initech).json?["data"]?["retireAgent"]?["status"] == "RETIRED")
            let foreign = try await client.query(#"mutation { retireAgent(id: "\#(freeID)") { status } }"#, headers: [("x-tenant", "acme")])
            #expect(foreign.json?["errors"]?[0]?["extensions"]?["code"] == "NOT_FOUND", "\(foreign.text)")
            #expect(try await active() == 38)
            let history = try await client.query(#"{ agent(id: "\#(freeID)") { history(last: 1) { type } } }"#, headers: initech)
            #expect(history.json?["data"]?["agent"]?["history"]?[0]?["type"] == "AgentRetired", "\(history.text)")
            for i in 0..<2 {
                let r = try await client.query(#"mutation { spawnAgent(input: {name: "again-\#(i)", kind: "coder"}) { id } }"#, headers: initech)
                #expect(r.json?["errors"] == nil, "\(r.text)")
            }
            #expect(try await active() == 40)
        }
    }

    /// `total` counts every match, whatever page is asked for — an empty one included.
    @Test func aSearchsTotalDoesNotDependOnItsPage() async throws {
        try await withPlatform { _, client, _ in
            func total(_ page: String) async throws -> JSON? {
                let r = try await client.query(#"{ searchDataProducts(query: "data", \#(page)) { total results { id } } }"#, headers: [("x-tenant", "acme")])
                return r.json?["data"]?["searchDataProducts"]?["total"]
            }
            let all = try #require(try await total("first: 100")?.intValue)
            #expect(all > 1)
            for page in ["first: 1", "first: 0", "first: 5, offset: \(all)", "first: 5, offset: 1000", "first: 1, offset: \(all - 1)"] {
                #expect(try await total(page) == .int(all), "\(page)")
            }
        }
    }

    /// Each facet counts the products matching the search and the other facet's filter (the
    /// counts of one facet add up to the total).
    @Test func facetsCountUnderTheOtherFilter() async throws {
        try await withPlatform { _, client, _ in
            let acme = [("x-tenant", "acme")]
            func search(_ filter: String) async throws -> JSON? {
                let r = try await client.query(#"{ searchDataProducts(query: "data"\#(filter)) { total facets { domains { value count } qualityLevels { value count } } } }"#, headers: acme)
                #expect(r.json?["errors"] == nil, "\(r.text.prefix(300))")
                return r.json?["data"]?["searchDataProducts"]
            }
            func sum(_ facet: JSON?) -> Int { (facet?.arrayValue ?? []).compactMap { $0["count"]?.intValue }.reduce(0, +) }
            let all = try #require(try await search(""))
            let domain = try #require(all["facets"]?["domains"]?[0]?["value"]?.stringValue)
            let quality = try #require(all["facets"]?["qualityLevels"]?[0]?["value"]?.stringValue)
            let byDomain = try #require(try await search(#", domain: "\#(domain)""#))
            #expect(byDomain["total"]?.intValue.map { $0 < all["total"]?.intValue ?? 0 } == true, "the filter narrows: \(byDomain)")
            #expect(sum(byDomain["facets"]?["qualityLevels"]) == byDomain["total"]?.intValue, "\(byDomain)")
            #expect(sum(byDomain["facets"]?["domains"]) == all["total"]?.intValue, "a facet ignores its own filter: \(byDomain)")
            let byQuality = try #require(try await search(", qualityLevel: \(quality)"))
            #expect(sum(byQuality["facets"]?["domains"]) == byQuality["total"]?.intValue, "\(byQuality)")
        }
    }

    /// Read paths the probes found wrong: a projection without an error answers `lastError: null`
    /// (it failed the whole field), an agent's first task is its newest (read with a LIMIT per
    /// agent), and a blank event type is refused.
    @Test func readsAnswerWhatTheyAsk() async throws {
        try await withPlatform { _, client, _ in
            let acme = [("x-tenant", "acme")]
            let projections = try await client.query("{ projections { name status lastError } }", headers: acme)
            #expect(projections.json?["errors"] == nil, "\(projections.text.prefix(300))")
            #expect(projections.json?["data"]?["projections"]?[0]?["lastError"] == .null, "\(projections.text.prefix(300))")
            let tasks = try await client.query("{ agents(first: 5) { one: tasks(first: 1) { id } all: tasks(first: 1000) { id } } }", headers: acme)
            #expect(tasks.json?["errors"] == nil, "\(tasks.text.prefix(300))")
            let agents = tasks.json?["data"]?["agents"]?.arrayValue ?? []
            #expect(agents.count == 5)
            #expect(agents.contains { ($0["all"]?.arrayValue?.count ?? 0) > 1 }, "the seed gives agents several tasks")
            for a in agents {
                #expect(a["one"]?.arrayValue?.count == min(1, a["all"]?.arrayValue?.count ?? 0))
                #expect(a["one"]?[0] == a["all"]?[0])
            }
            let blank = try await client.query(#"mutation { appendEvents(streamId: "blank-type", expectedVersion: 0, events: [{type: "  "}]) { toVersion } }"#, headers: acme)
            #expect(blank.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_USER_INPUT", "\(blank.text.prefix(300))")
            // No event has the type "": that filter finds none (it is not "no filter").
            let untyped = try await client.query(#"{ all: events(first: 3) { events { id } } none: events(first: 3, type: "") { events { id } } }"#, headers: acme)
            #expect(untyped.json?["data"]?["all"]?["events"]?.arrayValue?.count == 3, "\(untyped.text.prefix(300))")
            #expect(untyped.json?["data"]?["none"]?["events"] == [], "\(untyped.text.prefix(300))")
            // A search is a few words: a long text is refused before the database parses it.
            let words = (0..<33).map { "w\($0)" }
            // Words as PostgreSQL's parser splits them: by punctuation and any space too.
            // Each `-` (NOT, which nests) counts as a word: 33 of them overflowed the query's stack
            // in PostgreSQL (probe 55E: an internal error).
            for text in [words.joined(separator: " "), words.joined(separator: ","), words.joined(separator: "\u{3000}"),
                         String(repeating: "x", count: 1_025), String(repeating: "-", count: 33), "orders " + String(repeating: "- ", count: 32)] {
                let r = try await client.query("query($q: String!) { searchDataProducts(query: $q) { total } }",
                                               variables: JSON.object(["q": .string(text)]).text, headers: acme)
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_USER_INPUT", "\(r.text.prefix(300))")
            }
            for text in [words.dropLast().joined(separator: " "), String(repeating: "-", count: 32)] {
                let most = try await client.query("query($q: String!) { searchDataProducts(query: $q) { total } }",
                                                  variables: JSON.object(["q": .string(text)]).text, headers: acme)
                #expect(most.json?["errors"] == nil, "\(most.text.prefix(300))")
            }
        }
    }

    /// `max_read_bytes` bounds what one query reads from PostgreSQL: the statement whose result
    /// passes it fails its field with `RESPONSE_TOO_LARGE`, and the next request reads afresh on
    /// a connection that still works; a tenant's override lifts it.
    @Test func aQueryReadsAtMostItsReadLimit() async throws {
        try await withPlatform(configure: { config in
            config.limits.maxReadBytes = 256 * 1024
            config.limits.tenants["globex"] = LimitsOverride(["max_read_bytes": Int?.none])
        }) { _, client, _ in
            let big = String(repeating: "x", count: 60_000)
            let events = JSON.array((0..<8).map { _ in JSON.object(["type": "Big", "data": .string(JSON.object(["text": .string(big)]).text)]) })
            for tenant in ["acme", "globex"] {
                let a = try await client.query("mutation($e: [NewEvent!]!) { appendEvents(streamId: \"big\", expectedVersion: 0, events: $e) { toVersion } }",
                                               variables: JSON.object(["e": events]).text, headers: [("x-tenant", tenant)])
                #expect(a.json?["data"]?["appendEvents"]?["toVersion"] == 8, "\(a.text.prefix(300))")
            }
            for query in [#"{ stream(streamId: "big") { events { version data } } }"#, #"{ events(first: 1000) { events { data } } }"#] {
                let refused = try await client.query(query, headers: [("x-tenant", "acme")])
                #expect(refused.status == 200)
                #expect(refused.json?["data"] == .null || refused.json?["data"]?["stream"] == .null, "\(refused.text.prefix(300))")
                #expect(refused.json?["errors"]?[0]?["extensions"]?["code"] == "RESPONSE_TOO_LARGE", "\(refused.text.prefix(300))")
            }
            // Several reads of one round trip past the limit: what the round trip still runs is
            // cancelled on the server; every field says why (none an internal error).
            let aliases = (0..<8).map { "s\($0): stream(streamId: \"big\") { events { data } }" }.joined(separator: " ")
            let many = try await client.query("{ \(aliases) }", headers: [("x-tenant", "acme")])
            let codes = many.json?["errors"]?.arrayValue?.map { $0["extensions"]?["code"]?.stringValue ?? "?" } ?? []
            #expect(!codes.isEmpty && codes.allSatisfy { $0 == "RESPONSE_TOO_LARGE" }, "\(many.text.prefix(600))")
            // Within the limit: the same events without their payloads, or a few with them.
            let versions = try await client.query(#"{ stream(streamId: "big") { events { version } } }"#, headers: [("x-tenant", "acme")])
            #expect(versions.json?["errors"] == nil, "\(versions.text.prefix(300))")
            #expect(versions.json?["data"]?["stream"]?["events"]?.arrayValue?.count == 8)
            let few = try await client.query(#"{ few: stream(streamId: "big", first: 2) { events { data } } }"#, headers: [("x-tenant", "acme")])
            #expect(few.json?["errors"] == nil, "\(few.text.prefix(300))")
            #expect(few.json?["data"]?["few"]?["events"]?[1]?["data"]?.stringValue?.contains(big) == true)
            // Off for globex.
            let lifted = try await client.query(#"{ stream(streamId: "big") { events { version data } } }"#, headers: [("x-tenant", "globex")])
            #expect(lifted.json?["errors"] == nil, "\(lifted.text.prefix(300))")
            #expect(lifted.json?["data"]?["stream"]?["events"]?.arrayValue?.count == 8)
        }
    }

    @Test func refreshedProductIsNeverServedStale() async throws {
        try await withPlatform { fixture, client, server in
            let search = #"{ searchDataProducts(query: "orders") { results { id name refreshedAt } } }"#
            let first = try await client.query(search, headers: [("x-tenant", "acme")])
            let product = try #require(first.json?["data"]?["searchDataProducts"]?["results"]?[0])
            let id = try #require(product["id"]?.stringValue)
            let cachedAgain = try await client.query(search, headers: [("x-tenant", "acme")])
            #expect(cachedAgain.text == first.text)
            // Looked up twice: read from PostgreSQL into Redis, then from Redis (and decoded once, kept in memory).
            for _ in 0..<2 {
                let before = try await client.query(#"{ dataProduct(id: "\#(id)") { refreshedAt } }"#, headers: [("x-tenant", "acme")])
                #expect(before.json?["data"]?["dataProduct"]?["refreshedAt"] == product["refreshedAt"])
            }
            // Without a tenant: refused as every platform mutation is (not a NOT_FOUND for a product that exists).
            let anonymous = try await client.query(#"mutation { refreshDataProduct(id: "\#(id)") { refreshedAt } }"#)
            #expect(anonymous.json?["errors"]?[0]?["extensions"]?["code"] == "UNAUTHENTICATED", "\(anonymous.text)")
            let refreshed = try await client.query(#"mutation { refreshDataProduct(id: "\#(id)") { refreshedAt } }"#, headers: [("x-tenant", "acme")])
            let at = try #require(refreshed.json?["data"]?["refreshDataProduct"]?["refreshedAt"])
            #expect(at != product["refreshedAt"])
            let after = try await client.query(search, headers: [("x-tenant", "acme")])
            #expect(after.json?["data"]?["searchDataProducts"]?["results"]?[0]?["refreshedAt"] == at)
            // After the refresh: from PostgreSQL, then from Redis's new bytes (never the product decoded before).
            for _ in 0..<2 {
                let lookup = try await client.query(#"{ dataProduct(id: "\#(id)") { refreshedAt } }"#, headers: [("x-tenant", "acme")])
                #expect(lookup.json?["data"]?["dataProduct"]?["refreshedAt"] == at)
            }
        }
    }

    /// A product read on a request's snapshot taken before a refresh committed is not written to
    /// the cache after the refresh (probe 52C): the request reads its products' list first (its
    /// snapshot), waits for the lineage (a lock the test holds) while a refresh of a product of that
    /// lineage commits, then looks the product up — the cache lost the refreshed copy, and the
    /// look-up's older read must not take its place (it did for the cache's whole life).
    @Test(.timeLimit(.minutes(2))) func aReadOnASnapshotOlderThanARefreshIsNotCached() async throws {
        try await withPlatform { fixture, client, _ in
            let acme = [("x-tenant", "acme")]
            let query = "{ currentTenant { dataProducts(first: 20) { id lineage { id refreshedAt } } } }"
            let listed = try await client.query(query, headers: acme)
            let products = listed.json?["data"]?["currentTenant"]?["dataProducts"]?.arrayValue ?? []
            let linked = products.compactMap { $0["lineage"]?[0]?["id"]?.stringValue }
            let target = try #require(linked.first, "\(listed.text.prefix(300))")
            // The lineage table locked: the request takes its snapshot with the products' list and
            // then waits at the lineage's read.
            let holder = try await fixture.owner.checkOut()
            try await holder.query("BEGIN")
            try await holder.query("LOCK TABLE data_product_lineage IN ACCESS EXCLUSIVE MODE")
            let held = Task { try await client.query(query, headers: acme, timeout: .minutes(1)) }
            var waiting = 0
            for _ in 0..<2_000 where waiting == 0 {
                waiting = try await fixture.owner.query("""
                    SELECT count(*)::int8 AS n FROM pg_locks WHERE NOT granted AND relation = 'data_product_lineage'::regclass
                    """).first?.decode("n", as: Int.self) ?? 0
                if waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            let refreshed = try await client.query(#"mutation { refreshDataProduct(id: "\#(target)") { refreshedAt } }"#, headers: acme)
            let at = try #require(refreshed.json?["data"]?["refreshDataProduct"]?["refreshedAt"], "\(refreshed.text)")
            try await holder.query("ROLLBACK")
            await fixture.owner.checkIn(holder)
            #expect(waiting == 1, "the request waited for the lineage")
            // The held request answers from its snapshot (before the refresh) ...
            let old = try await held.value
            let seen = old.json?["data"]?["currentTenant"]?["dataProducts"]?.arrayValue?.flatMap { $0["lineage"]?.arrayValue ?? [] }
                .first { $0["id"]?.stringValue == target }
            #expect(seen?["refreshedAt"] != nil && seen?["refreshedAt"] != at, "\(old.text.prefix(300))")
            // ... and every look-up after it sees the refresh (twice: the second from the cache).
            for _ in 0..<2 {
                let lookup = try await client.query(#"{ dataProduct(id: "\#(target)") { refreshedAt } }"#, headers: acme)
                #expect(lookup.json?["data"]?["dataProduct"]?["refreshedAt"] == at, "\(lookup.text)")
            }
        }
    }

    /// A mutation under way when the request's deadline passes is not cut short (probe 52C: its
    /// client got 504 while what it wrote was committed, and could not tell): the running field
    /// ends, the fields after it do not begin, and the answer says which ran — for fields of one
    /// subgraph (run one after another by its executor) and of two (one plan step each). Here the
    /// first append waits for the event store's lock (held by the test) past a 1.5 s deadline.
    @Test(.timeLimit(.minutes(2))) func aMutationUnderWayIsNotCutShortByTheRequestDeadline() async throws {
        try await withPlatform(configure: {
            $0.limits.requestTimeoutMs = 1_500
            $0.postgres?.statementTimeoutMs = 60_000
        }) { fixture, client, _ in
            let acme = [("x-tenant", "acme")]
            // (The deadline is short: on a machine busy with other tests a first, cold read may
            // pass it — read again until one answers.)
            var first: JSON?
            for _ in 0..<20 where first == nil {
                first = try await client.query("{ currentTenant { dataProducts(first: 1) { id refreshedAt } } }", headers: acme)
                    .json?["data"]?["currentTenant"]?["dataProducts"]?[0]
            }
            let product = try #require(first)
            let productID = try #require(product["id"]?.stringValue)
            /// Runs `mutation` while the append lock is held past the deadline, then lets it go.
            func heldPastTheDeadline(_ mutation: String) async throws -> GatewayResponse {
                let holder = try await fixture.owner.checkOut()
                try await holder.query("SELECT pg_advisory_lock(7242002)")
                let running = Task { try await client.query(mutation, headers: acme, timeout: .minutes(1)) }
                let waiting = try await fixture.advisoryLockWaiters()
                // The request's 1.5 s pass while the append waits (not an assertion on time: what
                // follows holds once the deadline has passed, and it has by far).
                try await Task.sleep(for: .seconds(4))
                try await holder.query("SELECT pg_advisory_unlock(7242002)")
                await fixture.owner.checkIn(holder)
                #expect(waiting >= 1, "the first append waited for the lock")
                return try await running.value
            }
            func check(_ r: GatewayResponse) {
                #expect(r.status == 200, "\(r.text)")
                // Both fields are non-null: `b` not run makes `data` null (§6.4.4); its error says
                // that the fields before it ran.
                #expect(r.json?["data"] == .null, "\(r.text)")
                let errors = r.json?["errors"]?.arrayValue ?? []
                #expect(errors.count == 1 && errors[0]["extensions"]?["code"] == "GATEWAY_TIMEOUT" && errors[0]["path"] == [.string("b")]
                        && errors[0]["message"]?.stringValue?.contains("the fields before it ran") == true, "\(r.text)")
            }
            // One subgraph's two fields.
            check(try await heldPastTheDeadline(#"""
                mutation { a: appendEvents(streamId: "deadline-a", expectedVersion: 0, events: [{type: "E"}]) { toVersion }
                           b: appendEvents(streamId: "deadline-b", expectedVersion: 0, events: [{type: "E"}]) { toVersion } }
                """#))
            // Two subgraphs' (events, then data products).
            check(try await heldPastTheDeadline(#"""
                mutation { a: appendEvents(streamId: "deadline-c", expectedVersion: 0, events: [{type: "E"}]) { toVersion }
                           b: refreshDataProduct(id: "\#(productID)") { refreshedAt } }
                """#))
            // What the answers say is what was written.
            let after = try await client.query(#"""
                { a: stream(streamId: "deadline-a") { version } b: stream(streamId: "deadline-b") { version }
                  c: stream(streamId: "deadline-c") { version } p: dataProduct(id: "\#(productID)") { refreshedAt } }
                """#, headers: acme)
            let data = after.json?["data"]
            #expect(data?["a"]?["version"] == 1 && data?["c"]?["version"] == 1, "\(after.text)")
            #expect(data?["b"]?["version"] != 1 && data?["p"]?["refreshedAt"] == product["refreshedAt"], "\(after.text)")
        }
    }

    @Test func projectionsEqualAFromScratchRebuild() async throws {
        try await withPlatform { fixture, _, _ in
            // Rebuilding is administrative: tokens carry the tenant and, for the rebuild, the scope.
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rebuild-\(UUID())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let secret = "a-rebuild-test-secret-of-enough-length-0123"
            try secret.write(to: dir.appendingPathComponent("hs256.key"), atomically: true, encoding: .utf8)
            var config = fixture.config
            var jwt = AuthConfiguration.JWT()
            jwt.hs256SecretFile = dir.appendingPathComponent("hs256.key").path
            config.auth.jwt = jwt
            let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            func bearer(_ scope: String) async throws -> [(String, String)] {
                [("authorization", "Bearer " + (try await keys.sign(TestClaims(exp: .init(value: Date().addingTimeInterval(600)), tenant: "globex", scope: scope))))]
            }
            try await withConfiguredGateway(config) { client, _ in
                let t = try await bearer("read")
                let agents = try await client.query("{ agents(first: 5) { id } }", headers: t).json?["data"]?["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                var generator = SystemRandomNumberGenerator()
                for i in 0..<30 {
                    let agent = agents[Int.random(in: 0..<agents.count, using: &generator)]
                    let task = try await client.query(#"mutation { assignTask(input: {agentId: "\#(agent)", title: "t\#(i)"}) { id } }"#, headers: t)
                    let id = task.json?["data"]?["assignTask"]?["id"]?.stringValue ?? ""
                    let verb = Bool.random(using: &generator) ? "completeTask" : "failTask"
                    _ = try await client.query(#"mutation { \#(verb)(taskId: "\#(id)") { status } }"#, headers: t)
                }
                // Caught up first, then read: the stats come from another subgraph than the lag, so
                // one query could see them from before the last batch was applied.
                func settled() async throws -> JSON? {
                    for _ in 0..<300 {
                        let r = try await client.query("{ projections { lag status } }", headers: t).json
                        if r?["data"]?["projections"]?.arrayValue?.allSatisfy({ $0["lag"] == 0 && $0["status"] == "RUNNING" }) == true {
                            return try await client.query("{ agents(first: 5) { id stats { tasksCompleted tasksFailed tasksAssigned } } }", headers: t)
                                .json?["data"]?["agents"]
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    return nil
                }
                let live = try await settled()
                // Without the scope the rebuild is refused (and nothing is rewound).
                let refused = try await client.query(#"mutation { rebuildProjection(name: "agent_stats") { status } }"#, headers: t)
                #expect(refused.json?["errors"]?[0]?["extensions"]?["code"] == "UNAUTHORIZED_FIELD_OR_TYPE")
                #expect(refused.json?["data"]?["rebuildProjection"] == .null)
                // With it, the request returns at once and the replay runs in the background.
                let rebuilt = try await client.query(#"mutation { rebuildProjection(name: "agent_stats") { position status } }"#, headers: try await bearer("platform:admin"))
                #expect(rebuilt.json?["data"]?["rebuildProjection"]?["status"] == "REBUILDING", "\(rebuilt.text)")
                // REBUILDING until the replay has caught up (the seed's events take several batches):
                // never RUNNING while events are left to replay.
                var runningBehind: [String] = []
                for _ in 0..<600 {
                    let p = try await client.query("{ projections { name lag status } }", headers: t).json?["data"]?["projections"]?.arrayValue ?? []
                    runningBehind += p.filter { $0["status"] == "RUNNING" && $0["lag"] != 0 }.map(\.text)
                    if !p.isEmpty && p.allSatisfy({ $0["status"] == "RUNNING" }) { break }
                    try await Task.sleep(for: .milliseconds(5))
                }
                #expect(runningBehind.isEmpty, "RUNNING while behind: \(runningBehind)")
                let after = try await settled()
                #expect(live != nil)
                #expect(after == live, "the live read model equals one rebuilt from zero")
            }
        }
    }
}

/// Serves one platform module alone (as `switchyard subgraph NAME` does).
func withConfiguredSubgraph<T: Sendable>(_ name: String, _ config: GatewayConfiguration, _ body: (GatewayClient) async throws -> T) async throws -> T {
    let clients = GatewayServer.clients(config)
    let module = try #require(try SubgraphModules.all()[name])
    let service = try module.service(ModuleDependencies(postgres: clients.postgres, redis: clients.redis))
    var c = config
    c.tenancy.developmentHeader = true
    return try await withGateway(c, executor: service, body)
}

/// Runs `switchyard serve` (the debug build beside the tests) on the demo gateway.yaml, pointed
/// at the fixture's database and Redis through the environment, for the duration of `body`.
func withGatewayProcess<T: Sendable>(_ fixture: PlatformFixture, _ body: (GatewayClient) async throws -> T) async throws -> T {
    try await withGatewayProcess(fixture) { client, _ in try await body(client) }
}

/// `switchyard serve` as a process of its own; the body gets the process too (to signal it).
func withGatewayProcess<T: Sendable>(_ fixture: PlatformFixture, environment overrides: [String: String] = [:], config: String? = nil,
                                    _ body: (GatewayClient, ChildProcess) async throws -> T) async throws -> T {
    let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        throw TestSetupError(message: "\(binary) is missing: run swift build --build-tests (scripts/test does)")
    }
    var env = ProcessInfo.processInfo.environment
    env["SWITCHYARD_LISTEN"] = "127.0.0.1:0" // it prints the port the kernel chose
    env["SWITCHYARD_POSTGRES_URL"] = fixture.db.appURL
    env["SWITCHYARD_POSTGRES_OWNER_URL"] = fixture.db.ownerURL
    env["SWITCHYARD_REDIS_URL"] = fixture.redis.url
    env["LOG_LEVEL"] = "error"
    env.merge(overrides) { _, new in new }
    let child = try ChildProcess(binary, ["serve", "--config", config ?? TestEnvironment.repositoryRoot.appendingPathComponent("gateway.yaml").path],
                                 environment: env, outputIsStderr: true)
    defer { child.stop() }
    // "switchyard listening on http://127.0.0.1:PORT/graphql"
    let port: Int = try await child.firstLine { line in
        guard let r = line.range(of: "listening on http://127.0.0.1:") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }
    let client = GatewayClient(base: "http://127.0.0.1:\(port)")
    for _ in 0..<600 {
        if (try? await client.send(.GET, "/ready"))?.status == 200 { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await body(client, child)
}

@Suite("Per-tenant rate limits")
struct RateLimitTests {
    /// Readiness waits for the tenant quotas' first read — unless the database has no tenants
    /// schema at all (then there is nothing to wait for, and the gateway must not stay unready).
    @Test func readinessDoesNotWaitForQuotasADatabaseCannotHave() async throws {
        let db = try await TestDatabase.create("noquota")
        var config = GatewayConfiguration()
        config.subgraphs = [SubgraphConfiguration(name: "accounts", module: "bench_accounts")]
        var postgres = PostgresSettings()
        postgres.url = db.appURL
        config.postgres = postgres
        var redis = RedisSettings()
        redis.url = TestEnvironment.redisURL
        config.redis = redis
        config.rateLimits.enabled = true
        do {
            try await withConfiguredGateway(config) { client, _ in
                let ready = try await client.readyStatus(attempts: 400, every: .milliseconds(25))
                #expect(ready == 200)
                #expect(try await client.query("{ me { name } }").json?["data"]?["me"]?["name"] == "Uri Goldshtein")
            }
        } catch {
            await db.drop()
            throw error
        }
        await db.drop()
    }

    /// A reload of the quotas that fails (here: the gateway's role may not run `tenant_quotas()`
    /// when `tenants_changed` arrives) is tried again until it succeeds — not only at the next
    /// change or the minute's safety-net reload — so a new tenant gets its own quota soon after
    /// the database can be read again, with no further notification.
    @Test func aFailedQuotaReloadIsRetried() async throws {
        try await withPlatform(configure: { $0.rateLimits.enabled = true }) { fixture, client, server in
            for _ in 0..<600 where try await client.send(.GET, "/ready").status != 200 { try await Task.sleep(for: .milliseconds(20)) }
            try await fixture.owner.query("REVOKE EXECUTE ON FUNCTION tenant_quotas() FROM PUBLIC, switchyard_app")
            let id = UUID()
            try await fixture.owner.withTenant(id.uuidString) { c in
                try await c.query("INSERT INTO tenants (id, slug, name, requests_per_minute) VALUES (\(id), 'retried', 'Retried', 0)")
            }
            // The notification's reload is refused; nothing is known of the tenant yet.
            for _ in 0..<50 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.tenantRequestsPerMinute("retried") == nil)
            try await fixture.owner.query("GRANT EXECUTE ON FUNCTION tenant_quotas() TO switchyard_app")
            var quota: Int?
            for _ in 0..<1_000 where quota == nil {
                try await Task.sleep(for: .milliseconds(10))
                quota = server.tenantRequestsPerMinute("retried")
            }
            #expect(quota == 0, "the quota read once the function could run again (the safety-net reload is a minute away)")
            #expect(try await client.query("{ __typename }", headers: [("x-tenant", "retried")]).status == 429)
        }
    }

    /// A tenant's `maxQueryCost` is one of its quotas: it applies with rate limits on, and not
    /// with them off (it was applied whenever the tenants module was mounted).
    @Test func aTenantsCostQuotaAppliesWithRateLimitsOn() async throws {
        let fixture = try await PlatformFixture.make()
        do {
            let updated = try await fixture.owner.withTenant(DemoData.tenantID("acme").uuidString) { c in
                try await c.query("UPDATE tenants SET max_query_cost = 1 WHERE slug = 'acme'").affectedRows
            }
            #expect(updated == 1)
            let query = "{ currentTenant { slug } agents(first: 5) { name } }"
            for limited in [false, true] {
                var config = fixture.config
                config.rateLimits.enabled = limited
                try await withConfiguredGateway(config) { client, _ in
                    for _ in 0..<600 where try await client.send(.GET, "/ready").status != 200 { try await Task.sleep(for: .milliseconds(20)) }
                    let r = try await client.query(query, headers: [("x-tenant", "acme")])
                    if limited {
                        #expect(r.status == 400 && r.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE", "\(r.text)")
                    } else {
                        #expect(r.status == 200 && r.json?["errors"] == nil, "\(r.text)")
                    }
                }
            }
        } catch {
            await fixture.destroy()
            throw error
        }
        await fixture.destroy()
    }

    /// Two tenants whose slugs differ only in Unicode normalization ("café" with "é" as one code
    /// point, and as "e" + U+0301) are two tenants, as PostgreSQL compares them: each reads its
    /// own rows whichever was looked up first, and each has its own quota (probe 38A: Swift's
    /// `String` keys took them for one — the slug cache served one's id to the other, and one's
    /// quota row overwrote the other's).
    @Test func slugsThatDifferOnlyInUnicodeNormalizationAreTwoTenants() async throws {
        let fixture = try await PlatformFixture.make()
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        do {
            for (slug, name, perMinute) in [(nfc, "Composed", 1), (nfd, "Decomposed", 1_000)] {
                let id = UUID()
                try await fixture.owner.withTenant(id.uuidString) { c in
                    try await c.query("INSERT INTO tenants (id, slug, name, requests_per_minute) VALUES (\(id), \(slug), \(name), \(perMinute))")
                }
            }
            var config = fixture.config
            config.rateLimits.enabled = true
            try await withConfiguredGateway(config) { client, _ in
                for _ in 0..<600 where try await client.send(.GET, "/ready").status != 200 { try await Task.sleep(for: .milliseconds(20)) }
                // The decomposed slug first: its id was cached for both.
                var names: [String] = []
                for slug in [nfd, nfc, nfd] {
                    let r = try await client.query("{ currentTenant { name } }", headers: [("x-tenant", slug)])
                    names.append(r.json?["data"]?["currentTenant"]?["name"]?.stringValue ?? r.text)
                }
                #expect(names == ["Decomposed", "Composed", "Decomposed"])
                // One request a minute for "café" composed (it has had its one), a thousand for the other.
                var statuses: [Int] = []
                for slug in [nfc, nfd, nfd] { statuses.append(try await client.query("{ __typename }", headers: [("x-tenant", slug)]).status) }
                #expect(statuses == [429, 200, 200], "\(statuses)")
            }
        } catch {
            await fixture.destroy()
            throw error
        }
        await fixture.destroy()
    }

    /// A large budget is taken from Redis in leases (a thousandth of it: 3 for 3,000 a minute):
    /// every script call records a whole lease in the window, and at the budget's edge only
    /// what is left — the window never holds more than the budget.
    @Test func largeBudgetsAreTakenInLeasesAndNeverExceeded() async throws {
        let fixture = try await PlatformFixture.make()
        let updated = try await fixture.owner.withTenant(DemoData.tenantID("acme").uuidString) { c in
            try await c.query("UPDATE tenants SET requests_per_minute = 3000 WHERE slug = 'acme'").affectedRows
        }
        #expect(updated == 1)
        var config = fixture.config
        config.rateLimits.enabled = true
        do {
            try await withConfiguredGateway(config) { client, _ in
                for _ in 0..<600 where try await client.send(.GET, "/ready").status != 200 { try await Task.sleep(for: .milliseconds(20)) }
                let redis = RedisClient(configuration: try .init(url: fixture.redis.url, connections: 1))
                let key = "tenant:acme:ratelimit:rpm"
                func recorded() async throws -> Int { try await redis.send(["ZCARD", RedisArgument(key)]).integer ?? -1 }
                for _ in 0..<7 {
                    #expect(try await client.query("{ currentTenant { slug } }", headers: [("x-tenant", "acme")]).status == 200)
                }
                let taken = try await recorded()
                #expect(taken >= 7 && taken % 3 == 0, "whole leases of 3 recorded: \(taken)")
                // Fill the window to two short of the budget, at Redis's own clock.
                let filled = try await redis.eval("""
                    local t = redis.call('TIME')
                    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
                    for i = 1, tonumber(ARGV[1]) do redis.call('ZADD', KEYS[1], now, 'filler-' .. i) end
                    return redis.call('ZCARD', KEYS[1])
                    """, keys: [key], args: [RedisArgument(3000 - 2 - taken)])
                #expect(filled.integer == 2998)
                // Admitted now: what this gateway's lease has left (at most 2), then the 2 left in
                // the window; then refused.
                var statuses: [Int] = []
                while statuses.count < 6, statuses.last != 429 {
                    statuses.append(try await client.query("{ currentTenant { slug } }", headers: [("x-tenant", "acme")]).status)
                }
                #expect(statuses.last == 429 && statuses.dropLast().allSatisfy { $0 == 200 } && statuses.count >= 3, "\(statuses)")
                #expect(try await recorded() == 3000, "the lease at the edge is what was left")
            }
        } catch {
            await fixture.destroy()
            throw error
        }
        await fixture.destroy()
    }

    /// Requests without a known tenant (none, or a slug no tenant has) are limited per client
    /// address; a tenant's requests keep its own quota.
    @Test func anonymousRequestsAreLimitedPerClientAddress() async throws {
        try await withPlatform(configure: { config in
            config.rateLimits.enabled = true
            config.rateLimits.anonymousPerMinute = 5
        }) { _, client, _ in
            try await waitUntilReady(client)
            var statuses: [Int] = []
            for i in 0..<6 {
                let headers = i % 2 == 0 ? [] : [("x-tenant", "no-such-tenant")]
                statuses.append(try await client.query("{ currentTenant { slug } }", headers: headers).status)
            }
            #expect(statuses == [200, 200, 200, 200, 200, 429], "\(statuses)")
            let limited = try await client.query("{ currentTenant { slug } }")
            #expect(limited.json?["errors"]?[0]?["extensions"]?["code"] == "RATE_LIMITED")
            #expect(limited.headers.first(name: "retry-after") != nil)
            let acme = try await client.query("{ currentTenant { slug } }", headers: [("x-tenant", "acme")])
            #expect(acme.text == #"{"data":{"currentTenant":{"slug":"acme"}}}"#)
        }
    }

    /// While Redis does not answer, rate limits let requests through (`fail_open`, the default:
    /// availability over the quota) — or, with `rate_limits.fail_open: false`, refuse them: 503
    /// `RATE_LIMIT_UNAVAILABLE` with `Retry-After`, never a request past the quota unchecked
    /// (probe 54C: a tenant of 300 a minute got 400 through in 1.8 s while Redis was down).
    @Test(.timeLimit(.minutes(2))) func rateLimitsFailOpenOrClosedWhileRedisIsDown() async throws {
        for failOpen in [true, false] {
            try await withPlatform(configure: { config in
                config.rateLimits.enabled = true
                config.rateLimits.anonymousPerMinute = 100
                config.rateLimits.failOpen = failOpen
            }) { fixture, client, _ in
                try await waitUntilReady(client)
                #expect(try await client.query("{ __typename }").status == 200)
                try await fixture.redis.stop()
                let down = try await client.query("{ __typename }")
                if failOpen {
                    #expect(down.status == 200, "\(down.text)")
                } else {
                    #expect(down.status == 503 && down.json?["errors"]?[0]?["extensions"]?["code"] == "RATE_LIMIT_UNAVAILABLE", "\(down.text)")
                    #expect(down.headers.first(name: "retry-after") == "1")
                }
            }
        }
    }

    /// Over a WebSocket each operation takes one request from the rate limit (`connection_init`
    /// none): past it, an operation gets an `error` with `RATE_LIMITED` and the connection stays
    /// open. A message larger than `max_body_bytes` is refused as a POST body would be.
    @Test func everyWebSocketOperationCountsAgainstTheRateLimit() async throws {
        try await withPlatform(configure: { config in
            config.rateLimits.enabled = true
            config.rateLimits.anonymousPerMinute = 5
            config.limits.maxBodyBytes = 2_000
        }) { _, client, _ in
            try await waitUntilReady(client)
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import json, websockets.sync.client as c
                with c.connect("ws://127.0.0.1:\(port)/graphql", subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:
                    ws.send(json.dumps({"type": "connection_init"}))
                    print(json.loads(ws.recv(timeout=10))["type"])
                    big = "{ __typename " + " " * 3000 + "}"
                    for i, q in enumerate(["{ __typename }"] * 7 + [big]):
                        ws.send(json.dumps({"id": str(i), "type": "subscribe", "payload": {"query": q}}))
                        m = json.loads(ws.recv(timeout=10))
                        if m["type"] == "next": ws.recv(timeout=10)   # its complete
                        print(m["type"] if m["type"] != "error" else "error " + m["payload"][0]["extensions"]["code"])
                    ws.send(json.dumps({"type": "ping"}))
                    print(json.loads(ws.recv(timeout=10))["type"])
                """
            let r = try await runProcess("/usr/bin/env", ["python3", "-c", script])
            #expect(r.output.split(separator: "\n").map(String.init)
                    == ["connection_ack", "next", "next", "next", "next", "next", "error RATE_LIMITED", "error RATE_LIMITED",
                        "error PAYLOAD_TOO_LARGE", "pong"], "\(r.output)")
        }
    }

    /// Each operation of a batch counts against the budget: `max_batch` does not multiply it.
    @Test func everyOperationOfABatchCountsAgainstTheRateLimit() async throws {
        try await withPlatform(configure: { config in
            config.rateLimits.enabled = true
            config.rateLimits.anonymousPerMinute = 5
            config.limits.maxBatch = 3
        }) { _, client, _ in
            try await waitUntilReady(client)
            let batch = #"[{"query":"{ __typename }"},{"query":"{ __typename }"},{"query":"{ __typename }"}]"#
            let first = try await client.post(batch, accept: "application/json")
            #expect(first.status == 200, "\(first.text)")
            let second = try await client.post(batch, accept: "application/json")
            #expect(second.status == 429, "three more would be six of five: \(second.text)")
            #expect(second.json?["errors"]?[0]?["extensions"]?["code"] == "RATE_LIMITED")
        }
    }

    @Test func twoGatewayProcessesSharingOneRedisShareTheTenantsBudget() async throws {
        try await withPlatform { fixture, first, _ in
            // The second gateway is a process of its own: `switchyard serve` on the demo gateway.yaml.
            try await withGatewayProcess(fixture) { second in
                try await fixture.owner.withTenant(DemoData.tenantID("initech").uuidString) { c in
                    try await c.query("UPDATE tenants SET requests_per_minute = 6 WHERE slug = 'initech'")
                }
                // Wait until both gateways limit (quotas reloaded on the tenants_changed notification).
                let headers = [("x-tenant", "initech")]
                var statuses: [Int] = []
                for _ in 0..<100 {
                    let a = try await first.query("{ currentTenant { slug } }", headers: headers).status
                    let b = try await second.query("{ currentTenant { slug } }", headers: headers).status
                    statuses = [a, b]
                    if a == 429 && b == 429 { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(statuses == [429, 429])
                let limited = try await first.query("{ currentTenant { slug } }", headers: headers)
                #expect(limited.json?["errors"]?[0]?["extensions"]?["code"] == "RATE_LIMITED")
                let retryAfter = Int(limited.headers.first(name: "retry-after") ?? "") ?? 0
                #expect((1...60).contains(retryAfter))
                // Other tenants are not affected.
                let acme = try await second.query("{ currentTenant { slug } }", headers: [("x-tenant", "acme")])
                #expect(acme.text == #"{"data":{"currentTenant":{"slug":"acme"}}}"#)
            }
        }
    }

    @Test func theBudgetIsSharedExactly() async throws {
        try await withPlatform { fixture, first, firstServer in
            try await withConfiguredGateway(fixture.config) { second, secondServer in
                // A tenant of its own, created with a budget of 0 (every request refused, none
                // recorded) until both gateways have its quota: no request passes on a budget that
                // is not the tenant's (an unknown quota falls back to the per-address one).
                let id = UUID()
                try await fixture.owner.withTenant(id.uuidString) { c in
                    try await c.query("INSERT INTO tenants (id, slug, name, requests_per_minute) VALUES (\(id), 'tiny', 'Tiny', 0)")
                }
                let headers = [("x-tenant", "tiny")]
                var known = false, last = (0, 0)
                for _ in 0..<250 where !known {
                    let a = try await first.query("{ __typename }", headers: headers).status
                    let b = try await second.query("{ __typename }", headers: headers).status
                    known = a == 429 && b == 429
                    last = (a, b)
                    if !known { try await Task.sleep(for: .milliseconds(20)) }
                }
                // Said on failure: whether each gateway had loaded the quota (a reload missed) or
                // had it and still let the request through (the rate limiter's Redis call failed).
                #expect(known, """
                    both gateways refuse the tenant on its budget of 0; last statuses \(last), quotas held: \
                    \(String(describing: firstServer.tenantRequestsPerMinute("tiny"))), \(String(describing: secondServer.tenantRequestsPerMinute("tiny")))
                    """)
                try await fixture.owner.withTenant(id.uuidString) { c in
                    try await c.query("UPDATE tenants SET requests_per_minute = 10 WHERE id = \(id)")
                }
                // Now 10: until ten have passed (a gateway that has not reloaded yet refuses), then
                // ten more — each refused.
                var passed = [0, 0], i = 0
                while passed[0] + passed[1] < 10 && i < 2_000 {
                    let r = try await (i % 2 == 0 ? first : second).query("{ __typename }", headers: headers)
                    if r.status == 200 { passed[i % 2] += 1 } else { try await Task.sleep(for: .milliseconds(5)) }
                    i += 1
                }
                #expect(passed[0] + passed[1] == 10)
                #expect(passed[0] > 0 && passed[1] > 0, "both gateways spent from the one budget: \(passed)")
                var ok = 0, limited = 0
                for j in 0..<10 {
                    let r = try await (j % 2 == 0 ? first : second).query("{ __typename }", headers: headers)
                    if r.status == 200 { ok += 1 } else if r.status == 429 { limited += 1 }
                }
                #expect(ok == 0, "exactly the budget passes across both gateways")
                #expect(limited == 10)
            }
        }
    }
}

@Suite("The request's read transaction beside remote subgraphs")
struct ReadTransactionBesideRemoteSubgraphsTests {
    /// A query that reads the platform subgraphs and waits for a remote subgraph that does not
    /// answer gives its pooled connection back once its in-process reads are done, not when the
    /// remote answers or times out (probe 54A: eight such requests held every connection of the
    /// pool, and every tenant's queries waited seconds for one).
    @Test(.timeLimit(.minutes(2))) func aQueryWaitingOnARemoteSubgraphHoldsNoPooledConnection() async throws {
        let path = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/python-subgraph/silent_subgraph.py").path
        let silent = try ChildProcess("/usr/bin/env", ["python3", path, "0"])
        defer { silent.stop() }
        let port = try await silent.firstLine { Int($0) }
        let sdl = FileManager.default.temporaryDirectory.appendingPathComponent("silent-\(UUID().uuidString).graphql")
        // A field of the tenant: fetched after the platform subgraphs' reads are done.
        try #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"]) type Tenant @key(fields: "id") { id: ID! wait: String }"#
            .write(to: sdl, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: sdl) }
        try await withPlatform(configure: { config in
            config.subgraphs.append(SubgraphConfiguration(name: "silent", url: "http://127.0.0.1:\(port)/graphql", schema: sdl.path, timeoutMs: 100_000))
            config.limits.requestTimeoutMs = 100_000
        }) { fixture, client, _ in
            // The request's transaction, held, is a session of the gateway's idle in a transaction
            // (seen by a superuser: other roles' sessions show no state).
            let admin = PostgresPool(configuration: .init(url: fixture.db.adminURL, minConnections: 0, maxConnections: 1))
            defer { admin.close() }
            func inUse() async throws -> Int {
                try await admin.query("""
                    SELECT count(*)::int8 AS n FROM pg_stat_activity
                    WHERE datname = current_database() AND usename = 'switchyard_app' AND state LIKE 'idle in transaction%'
                    """).first?.decode("n", as: Int.self) ?? -1
            }
            let query = Task { try await client.query(#"{ tenant(slug: "acme") { name agents(first: 3) { name } wait } }"#, headers: [("x-tenant", "acme")]) }
            defer { query.cancel() }
            _ = try await silent.firstLine { $0 == "request" ? true : nil }
            // The entity fetch is sent once the in-process reads are done (their transaction
            // committed before it, or still open while it waits).
            var held = try await inUse()
            for _ in 0..<400 where held > 0 {
                try await Task.sleep(for: .milliseconds(50))
                held = try await inUse()
            }
            #expect(held == 0, "the query waiting on the silent subgraph still holds its read transaction")
            #expect(!silent.lines.contains("closed"), "the remote request was still waited for")
        }
    }
}
