import AsyncHTTPClient
import Foundation
import Synchronization
import Gateway
import GraphQLCore
import Postgres
import Testing
import TestSupport

/// The task queue workflow and live events, through the gateway, observed by real
/// subscription clients (gql over graphql-transport-ws).
@Suite("Task queue and live events")
struct TaskQueueTests {
    static func gql(_ client: GatewayClient, _ query: String, tenant: String) throws -> ChildProcess {
        let url = client.base.replacingOccurrences(of: "http://", with: "ws://") + "/graphql"
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/websocket-clients/gql_subscribe.py").path
        return try ChildProcess("/usr/bin/env", ["python3", script, url, query, #"{"x-tenant":"\#(tenant)"}"#])
    }

    /// Waits until the gateway runs `n` subscriptions (their source streams registered).
    static func waitForSubscriptions(_ n: Int, _ live: @Sendable () async throws -> Int) async throws {
        for _ in 0..<400 {
            if try await live() >= n { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("the gateway never ran \(n) subscriptions")
    }

    static func data(_ r: GatewayResponse, _ field: String) -> JSON? { r.json?["data"]?[field] }

    /// A subscription whose source stream cannot be made (an id that is not one) is a request
    /// error: its errors and no `data`, then the end of the stream.
    @Test(.timeLimit(.minutes(2))) func aSubscriptionThatCannotStartIsARequestError() async throws {
        try await withPlatform { _, client, _ in
            let r = try await client.post(#"{"query":"subscription { taskUpdated(taskId: \"nope\") { status } }"}"#, accept: "text/event-stream",
                                          headers: [("x-tenant", "acme")])
            #expect(r.status == 200)
            let events = r.text.components(separatedBy: "\n\n")
            #expect(events.count == 3 && events[1] == "event: complete\ndata:", "\(r.text)")
            let payload = try JSONReader.parse(Array(events[0].dropFirst("event: next\ndata: ".count).utf8))
            #expect(payload["data"] == nil, "\(r.text)")
            #expect(payload["errors"]?[0]?["extensions"]?["code"] == "BAD_USER_INPUT")
            // An id of no task of the tenant's: the same, NOT_FOUND (it opened a stream that never spoke).
            let unknown = try await client.post(#"{"query":"subscription { taskUpdated(taskId: \"0190a3f2-0000-7000-8000-000000000000\") { status } }"}"#,
                                                accept: "text/event-stream", headers: [("x-tenant", "acme")])
            #expect(unknown.text.contains(#""code":"NOT_FOUND""#) && unknown.text.contains("event: complete"), "\(unknown.text)")
        }
    }

    @Test(.timeLimit(.minutes(2))) func submitClaimFailRetryClaimCompleteIsSeenInOrderBySubscribers() async throws {
        try await withPlatform { _, client, server in
            let acme = [("x-tenant", "acme")]
            let agent = try #require(Self.data(try await client.query("{ agents(first: 1) { id } }", headers: acme), "agents")?[0]?["id"]?.stringValue)
            // One subscriber for every transition of the tenant's tasks, the agent's stats from
            // the projections subgraph (an entity fetch per event).
            let all = try Self.gql(client, "subscription { tasks { title status attempts agent { id stats { tasksAssigned } } } }", tenant: "acme")
            defer { all.stop() }
            try await Self.waitForSubscriptions(1) { server.liveSubscriptions }

            let submitted = try await client.query(#"mutation { submitTask(input: {title: "nightly build", priority: 5, maxAttempts: 3, retryBackoffMs: 300, payload: "{\"ref\":\"main\"}"}) { id status attempts maxAttempts payload } }"#, headers: acme)
            let task = try #require(Self.data(submitted, "submitTask")?["id"]?.stringValue, "\(submitted.text)")
            #expect(Self.data(submitted, "submitTask")?["status"] == "PENDING")
            #expect(Self.data(submitted, "submitTask")?["payload"] == #"{"ref": "main"}"#)
            // A subscriber of this one task, from now on.
            let one = try Self.gql(client, #"subscription { taskUpdated(taskId: "\#(task)") { status attempts lastError result leaseExpiresAt } }"#, tenant: "acme")
            defer { one.stop() }
            try await Self.waitForSubscriptions(2) { server.liveSubscriptions }

            func claim() async throws -> GatewayResponse {
                try await client.query(#"mutation { claimTask(agentId: "\#(agent)", leaseSeconds: 60) { id status attempts leaseExpiresAt } }"#, headers: acme)
            }
            let first = try await claim()
            #expect(Self.data(first, "claimTask")?["id"]?.stringValue == task, "\(first.text)")
            #expect(Self.data(first, "claimTask")?["status"] == "CLAIMED")
            let failed = try await client.query(#"mutation { failTask(taskId: "\#(task)", reason: "flaky network") { status attempts availableAt lastError } }"#, headers: acme)
            #expect(Self.data(failed, "failTask")?["status"] == "PENDING", "retried after its backoff: \(failed.text)")
            #expect(Self.data(failed, "failTask")?["lastError"] == "flaky network")
            // Retried only after its backoff: available 300 ms (or more) after the claim began, by the
            // database's clock (the claim's lease started then).
            func date(_ j: JSON?) -> Date? {
                guard let text = j?.stringValue else { return nil }
                let f = ISO8601DateFormatter()
                f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                return f.date(from: text) ?? ISO8601DateFormatter().date(from: text)
            }
            let claimedAt = date(Self.data(first, "claimTask")?["leaseExpiresAt"]).map { $0.addingTimeInterval(-60) }
            let availableAt = date(Self.data(failed, "failTask")?["availableAt"])
            #expect(claimedAt != nil && availableAt != nil && availableAt!.timeIntervalSince(claimedAt!) >= 0.298,
                    "\(String(describing: claimedAt)) → \(String(describing: availableAt))")
            var second: GatewayResponse?
            for _ in 0..<200 {
                let r = try await claim()
                if Self.data(r, "claimTask") != .null { second = r; break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(second.flatMap { Self.data($0, "claimTask")?["attempts"] } == 2)
            let done = try await client.query(#"mutation { completeTask(taskId: "\#(task)", result: "green") { status result } }"#, headers: acme)
            #expect(Self.data(done, "completeTask")?["status"] == "COMPLETED")

            let expected = ["PENDING 0", "CLAIMED 1", "FAILED 1", "PENDING 1", "CLAIMED 2", "COMPLETED 2"]
            let seen = try await all.lines(6) { $0.contains("nightly build") }.map { line -> String in
                let t = (try? JSONReader.parse(line))?["tasks"]
                #expect(t?["agent"] != nil)
                return "\(t?["status"]?.stringValue ?? "?") \(t?["attempts"]?.intValue ?? -1)"
            }
            #expect(seen == expected)
            let mine = try await one.lines(5) { $0.hasPrefix("{") }.map { line -> String in
                let t = (try? JSONReader.parse(line))?["taskUpdated"]
                return "\(t?["status"]?.stringValue ?? "?") \(t?["attempts"]?.intValue ?? -1)"
            }
            #expect(mine == Array(expected.dropFirst()), "the task's own subscriber: every transition after it subscribed")
            // Each payload is the task as of its transition, not as it is when delivered.
            let states = one.lines.filter { $0.hasPrefix("{") }.prefix(5).map { line -> String in
                let t = (try? JSONReader.parse(line))?["taskUpdated"]
                return "\(t?["status"]?.stringValue ?? "?") lease:\(t?["leaseExpiresAt"] != .null) error:\(t?["lastError"]?.stringValue ?? "-") result:\(t?["result"]?.stringValue ?? "-")"
            }
            #expect(states == ["CLAIMED lease:true error:- result:-", "FAILED lease:false error:flaky network result:-",
                               "PENDING lease:false error:flaky network result:-", "CLAIMED lease:true error:flaky network result:-",
                               "COMPLETED lease:false error:flaky network result:green"], "\(states)")
            #expect(!all.lines.contains { $0.hasPrefix("error") } && !one.lines.contains { $0.hasPrefix("error") })
        }
    }

    /// Subscribers of a tenant's task transitions share one read of a task's row (what its events
    /// do not say: title, payload, priority): three subscribers of three transitions read it once,
    /// not nine times (50 subscribers of a queue's 884 transitions fell ~20 s behind, probe 40A-2).
    /// Counted by `pg_stat_statements` in this test's database.
    @Test(.timeLimit(.minutes(2))) func subscribersOfATasksTransitionsShareOneReadOfItsRow() async throws {
        try await withPlatform { fixture, client, server in
            _ = try await psql(fixture.db.adminURL, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            let acme = [("x-tenant", "acme")]
            let agent = try #require(Self.data(try await client.query("{ agents(first: 1) { id } }", headers: acme), "agents")?[0]?["id"]?.stringValue)
            let subscribers = try (0..<3).map { _ in try Self.gql(client, "subscription { tasks { title payload status } }", tenant: "acme") }
            defer { subscribers.forEach { $0.stop() } }
            try await Self.waitForSubscriptions(3) { server.liveSubscriptions }
            let submitted = try await client.query(#"mutation { submitTask(input: {title: "shared read", payload: "{\"n\":1}"}) { id } }"#, headers: acme)
            let task = try #require(Self.data(submitted, "submitTask")?["id"]?.stringValue, "\(submitted.text)")
            let claimed = try await client.query(#"mutation { claimTask(agentId: "\#(agent)", leaseSeconds: 60) { id } }"#, headers: acme)
            #expect(Self.data(claimed, "claimTask")?["id"]?.stringValue == task, "\(claimed.text)")
            let done = try await client.query(#"mutation { completeTask(taskId: "\#(task)", result: "ok") { status } }"#, headers: acme)
            #expect(Self.data(done, "completeTask")?["status"] == "COMPLETED", "\(done.text)")
            for s in subscribers {
                let seen = try await s.lines(3) { $0.contains("shared read") }.map { line -> String in
                    let t = (try? JSONReader.parse(line))?["tasks"]
                    return "\(t?["status"]?.stringValue ?? "?") \(t?["payload"]?.stringValue ?? "?")"
                }
                #expect(seen == [#"PENDING {"n": 1}"#, #"CLAIMED {"n": 1}"#, #"COMPLETED {"n": 1}"#], "\(s.lines)")
            }
            let reads = try await psql(fixture.db.adminURL, """
                SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND query LIKE 'SELECT id, title, priority%FROM tasks WHERE id = $1' AND query NOT LIKE '%FOR UPDATE%'
                """).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(reads == "1", "the task's row read \(reads) times for 3 subscribers of 3 transitions")
        }
    }

    /// The platform's facts cannot be forged: the agents subgraph's streams refuse clients'
    /// appends, and a client's `TaskCompleted` or `AgentSpawned` on a stream of its own moves no
    /// agent's stats, no usage, and reaches no task subscriber. A worker that says who it is
    /// completes a task only while it holds it; a pending task is not completed. Text inputs are
    /// bounded and counts are not negative.
    @Test(.timeLimit(.minutes(2))) func platformFactsCannotBeForgedAndTasksCompleteOnlyWhileHeld() async throws {
        try await withPlatform { fixture, client, server in
            let acme = [("x-tenant", "acme")]
            func code(_ r: GatewayResponse) -> String? { r.json?["errors"]?[0]?["extensions"]?["code"]?.stringValue }
            let ids = Self.data(try await client.query("{ agents(first: 2, status: IDLE) { id } }", headers: acme), "agents")?.arrayValue?
                .compactMap { $0["id"]?.stringValue } ?? []
            try #require(ids.count == 2)
            let (a, b) = (ids[0], ids[1])
            let reserved = try await client.query(#"mutation { appendEvents(streamId: "agent-\#(a.lowercased())", expectedVersion: 0, events: [{type: "TaskCompleted"}]) { toVersion } }"#, headers: acme)
            #expect(code(reserved) == "BAD_USER_INPUT", "\(reserved.text)")
            // The read models tell the streams apart by bytes: so does the refusal (`agent-`
            // and a combining mark is not the character `-` to `String.hasPrefix`).
            for stream in ["agent-\u{301}\(a.lowercased())", "task-\u{200D}forge"] {
                let lookalike = try await client.query(#"mutation($s: String!) { appendEvents(streamId: $s, expectedVersion: 0, events: [{type: "AgentSpawned"}]) { toVersion } }"#,
                                                       variables: JSON.object(["s": .string(stream)]).text, headers: acme)
                #expect(code(lookalike) == "BAD_USER_INPUT", "\(lookalike.text)")
            }

            let submitted = try await client.query(#"mutation { submitTask(input: {title: "held", priority: 100}) { id } }"#, headers: acme)
            let task = try #require(Self.data(submitted, "submitTask")?["id"]?.stringValue, "\(submitted.text)")
            let one = try Self.gql(client, #"subscription { taskUpdated(taskId: "\#(task)") { status agent { id } } }"#, tenant: "acme")
            defer { one.stop() }
            try await Self.waitForSubscriptions(1) { server.liveSubscriptions }
            #expect(code(try await client.query(#"mutation { completeTask(taskId: "\#(task)") { status } }"#, headers: acme)) == "NOT_FOUND",
                    "a pending task is not completed")

            // The projections caught up with everything so far; then a client forges.
            func caughtUp() async throws {
                for _ in 0..<400 {
                    let ok: Bool = try await fixture.owner.query("SELECT min(position) >= events_head() AS ok FROM projection_checkpoints").first!.decode("ok")
                    if ok { return }
                    try await Task.sleep(for: .milliseconds(25))
                }
            }
            func facts() async throws -> JSON? {
                try await client.query(#"{ agent(id: "\#(a)") { stats { tasksCompleted } } tenant(slug: "acme") { usage { activeAgents } } }"#, headers: acme).json?["data"]
            }
            try await caughtUp()
            let before = try await facts()
            let forged = try await client.query(#"""
                mutation($d: String!) { appendEvents(streamId: "forge-1", expectedVersion: 0,
                  events: [{type: "TaskCompleted", data: $d}, {type: "AgentSpawned", data: "{}"}]) { toVersion } }
                """#, variables: JSON.object(["d": .string(#"{"taskId":"\#(task)","status":"COMPLETED","agentId":"\#(a)"}"#)]).text, headers: acme)
            #expect(Self.data(forged, "appendEvents")?["toVersion"] == 2, "a client's own facts are stored: \(forged.text)")
            try await caughtUp()
            #expect(try await facts() == before, "no stat or usage moved")

            // b claims the task; a cannot complete it, b can.
            let claimed = try await client.query(#"mutation { claimTask(agentId: "\#(b)", leaseSeconds: 60) { id } }"#, headers: acme)
            #expect(Self.data(claimed, "claimTask")?["id"]?.stringValue == task, "\(claimed.text)")
            let notHolder = try await client.query(#"mutation { completeTask(taskId: "\#(task)", agentId: "\#(a)", result: "stale") { status } }"#, headers: acme)
            #expect(code(notHolder) == "NOT_FOUND", "\(notHolder.text)")
            let done = try await client.query(#"mutation { completeTask(taskId: "\#(task)", agentId: "\#(b)", result: "ok") { status result } }"#, headers: acme)
            #expect(Self.data(done, "completeTask")?["status"] == "COMPLETED", "\(done.text)")
            let lines = try await one.lines(2) { $0.hasPrefix("{") }
            #expect(lines == [#"{"taskUpdated":{"status":"CLAIMED","agent":{"id":"\#(b)"}}}"#, #"{"taskUpdated":{"status":"COMPLETED","agent":{"id":"\#(b)"}}}"#],
                    "the subscriber saw the holder's transitions only")

            // Bounds and counts.
            let long = String(repeating: "r", count: 70_000)
            let bounded = [
                try await client.query(#"mutation { submitTask(input: {title: "   "}) { id } }"#, headers: acme),
                try await client.query(#"mutation($r: String) { failTask(taskId: "\#(task)", reason: $r) { id } }"#, variables: JSON.object(["r": .string(long)]).text, headers: acme),
                try await client.query(#"mutation { appendEvents(streamId: "typed", expectedVersion: 0, events: [{type: ""}]) { toVersion } }"#, headers: acme),
                try await client.query(#"mutation { appendEvents(streamId: "  ", expectedVersion: 0, events: [{type: "T"}]) { toVersion } }"#, headers: acme),
                try await client.query("{ agents(first: -1) { id } }", headers: acme),
                try await client.query(#"mutation { claimTask(agentId: "\#(a)", leaseSeconds: -100) { id } }"#, headers: acme),
            ]
            for r in bounded { #expect(code(r) == "BAD_USER_INPUT", "\(r.text)") }

            // A task of a capability goes only to an agent that has it: naming the capability
            // in the claim does not give it to the agent.
            let spawned = try await client.query(#"mutation { spawnAgent(input: {name: "texter", kind: "worker", capabilities: ["text"]}) { id } }"#, headers: acme)
            let texter = try #require(Self.data(spawned, "spawnAgent")?["id"]?.stringValue, "\(spawned.text)")
            let gpu = try await client.query(#"mutation { submitTask(input: {title: "render", capability: "gpu", priority: 1000}) { id } }"#, headers: acme)
            let gpuTask = try #require(Self.data(gpu, "submitTask")?["id"]?.stringValue, "\(gpu.text)")
            for claim in [#"claimTask(agentId: "\#(texter)", capabilities: ["gpu"])"#, #"claimTask(agentId: "\#(texter)", capabilities: ["gpu", "text"])"#,
                          #"claimTask(agentId: "\#(texter)")"#] {
                let r = try await client.query("mutation { \(claim) { id capability } }", headers: acme)
                #expect(r.json?["errors"] == nil && Self.data(r, "claimTask")?["id"]?.stringValue != gpuTask, "\(claim): \(r.text)")
            }
            let stillPending = try await client.query(#"{ task(id: "\#(gpuTask)") { status } }"#, headers: acme)
            #expect(Self.data(stillPending, "task")?["status"] == "PENDING", "\(stillPending.text)")
        }
    }

    /// A lease that ran out is still its agent's until another claim takes the task: a late
    /// heartbeat renews it, as completing it would go through (probe 55E: the heartbeat was
    /// refused); a task queued again by `retryTask` has no result of its last attempt.
    @Test(.timeLimit(.minutes(2))) func aLateHeartbeatRenewsAndARetriedTaskHasNoResult() async throws {
        try await withPlatform { _, client, _ in
            let acme = [("x-tenant", "acme")]
            let spawned = try await client.query(#"mutation { spawnAgent(input: {name: "beater", kind: "worker", capabilities: ["hb55"]}) { id } }"#, headers: acme)
            let agent = try #require(Self.data(spawned, "spawnAgent")?["id"]?.stringValue, "\(spawned.text)")
            let submitted = try await client.query(#"mutation { submitTask(input: {title: "beat", capability: "hb55", maxAttempts: 1}) { id } }"#, headers: acme)
            let task = try #require(Self.data(submitted, "submitTask")?["id"]?.stringValue, "\(submitted.text)")
            let claimed = try await client.query(#"mutation { claimTask(agentId: "\#(agent)", capabilities: ["hb55"], leaseSeconds: 1) { id } }"#, headers: acme)
            #expect(Self.data(claimed, "claimTask")?["id"]?.stringValue == task, "\(claimed.text)")
            try await Task.sleep(for: .milliseconds(1_500))   // the lease runs out; nobody claims
            let beat = try await client.query(#"mutation { heartbeatTask(taskId: "\#(task)", agentId: "\#(agent)", leaseSeconds: 60) { status } }"#, headers: acme)
            #expect(Self.data(beat, "heartbeatTask")?["status"] == "CLAIMED", "\(beat.text)")
            let failed = try await client.query(#"mutation { failTask(taskId: "\#(task)", agentId: "\#(agent)", reason: "disk full") { status } }"#, headers: acme)
            #expect(Self.data(failed, "failTask")?["status"] == "DEAD", "\(failed.text)")
            let retried = try await client.query(#"mutation { retryTask(taskId: "\#(task)") { status result attempts } }"#, headers: acme)
            #expect(Self.data(retried, "retryTask")?.text == #"{"status":"PENDING","result":null,"attempts":0}"#, "\(retried.text)")
            // An assigned task that failed holds its reason as its result, until it is queued again.
            let assigned = try await client.query(#"mutation { assignTask(input: {agentId: "\#(agent)", title: "direct"}) { id } }"#, headers: acme)
            let direct = try #require(Self.data(assigned, "assignTask")?["id"]?.stringValue, "\(assigned.text)")
            let failedDirect = try await client.query(#"mutation { failTask(taskId: "\#(direct)", reason: "disk full") { status result } }"#, headers: acme)
            #expect(Self.data(failedDirect, "failTask")?.text == #"{"status":"FAILED","result":"disk full"}"#, "\(failedDirect.text)")
            let again = try await client.query(#"mutation { retryTask(taskId: "\#(direct)") { status result } }"#, headers: acme)
            #expect(Self.data(again, "retryTask")?.text == #"{"status":"PENDING","result":null}"#, "\(again.text)")
        }
    }

    /// The tenant's tasks are listed page by page, by status and capability — the queue, the
    /// dead letters — and its agents too (probe 55E: a PENDING or DEAD task could be found only by
    /// its id, and no list went past its first 1,000).
    @Test(.timeLimit(.minutes(2))) func theQueueAndItsDeadLettersAreListedPageByPage() async throws {
        try await withPlatform { _, client, _ in
            let acme = [("x-tenant", "acme")]
            let cap = "list-\(UUID().uuidString.prefix(8))"
            var ids: [String] = []
            for i in 0..<5 {
                let r = try await client.query(#"mutation { submitTask(input: {title: "t\#(i)", priority: \#(i % 2), capability: "\#(cap)", maxAttempts: 1}) { id } }"#, headers: acme)
                ids.append(try #require(Self.data(r, "submitTask")?["id"]?.stringValue, "\(r.text)"))
            }
            func page(_ args: String, _ headers: [(String, String)] = [("x-tenant", "acme")]) async throws -> [String] {
                let r = try await client.query("{ tasks(capability: \"\(cap)\", \(args)) { id } }", headers: headers)
                return try #require(Self.data(r, "tasks")?.arrayValue, "\(r.text)").compactMap { $0["id"]?.stringValue }
            }
            // Oldest first, each page from the last id of the one before.
            let first = try await page("status: PENDING, first: 2")
            let second = try await page("status: PENDING, first: 2, after: \"\(first.last ?? "")\"")
            let third = try await page("status: PENDING, first: 2, after: \"\(second.last ?? "")\"")
            #expect(first + second + third == ids, "\(first) \(second) \(third)")
            #expect(try await page("first: 5, after: \"\(ids[4])\"") == [])
            // One fails for good: a dead letter, listed apart from the queue.
            let spawned = try await client.query(#"mutation { spawnAgent(input: {name: "lister", kind: "worker", capabilities: ["\#(cap)"]}) { id } }"#, headers: acme)
            let agent = try #require(Self.data(spawned, "spawnAgent")?["id"]?.stringValue, "\(spawned.text)")
            let claimed = try await client.query(#"mutation { claimTask(agentId: "\#(agent)") { id } }"#, headers: acme)
            let dead = try #require(Self.data(claimed, "claimTask")?["id"]?.stringValue, "\(claimed.text)")
            let failed = try await client.query(#"mutation { failTask(taskId: "\#(dead)", agentId: "\#(agent)", reason: "no disk") { status } }"#, headers: acme)
            #expect(Self.data(failed, "failTask")?["status"] == "DEAD", "\(failed.text)")
            #expect(try await page("status: DEAD") == [dead])
            #expect(try await page("status: PENDING, first: 10") == ids.filter { $0 != dead })
            // Another tenant's tasks are not listed, nor is its id a cursor here; nor is a made-up one.
            #expect(try await page("first: 10", [("x-tenant", "initech")]) == [])
            for cursor in [ids[0], "not-an-id", "0190a3f2-0000-7000-8000-000000000000"] {
                let r = try await client.query("{ tasks(first: 1, after: \"\(cursor)\") { id } }", headers: cursor == ids[0] ? [("x-tenant", "initech")] : acme)
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_USER_INPUT", "\(cursor): \(r.text)")
            }
            // Agents page the same way.
            let agents = try #require(Self.data(try await client.query("{ agents(first: 3) { id } }", headers: acme), "agents")?.arrayValue).compactMap { $0["id"]?.stringValue }
            let next = try #require(Self.data(try await client.query("{ agents(first: 2, after: \"\(agents[0])\") { id } }", headers: acme), "agents")?.arrayValue).compactMap { $0["id"]?.stringValue }
            #expect(Array(agents.dropFirst()) == next, "\(agents) \(next)")
            _ = try await client.query(#"mutation { retireAgent(id: "\#(agent)") { status } }"#, headers: acme)
        }
    }

    /// A submission retried with its idempotency key queues nothing more — also when the retries
    /// arrive at once — and the key with another submission is refused.
    @Test(.timeLimit(.minutes(2))) func aRetriedSubmissionWithItsKeyQueuesOneTask() async throws {
        try await withPlatform { _, client, _ in
            let acme = [("x-tenant", "acme")]
            let cap = "idem-\(UUID().uuidString.prefix(8))", key = "order-\(UUID().uuidString)"
            let submit = #"mutation { submitTask(input: {title: "ship", capability: "\#(cap)", payload: "{\"n\": 1}", idempotencyKey: "\#(key)"}) { id status } }"#
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<6 { group.addTask { Self.data(try await client.query(submit, headers: acme), "submitTask")?["id"]?.stringValue } }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(ids.count == 6 && Set(ids).count == 1 && ids[0] != nil, "\(ids)")
            let listed = try await client.query("{ tasks(capability: \"\(cap)\") { id } }", headers: acme)
            #expect(Self.data(listed, "tasks")?.arrayValue?.count == 1, "\(listed.text)")
            // The same payload written otherwise is the same submission; another title is not.
            let respaced = try await client.query(#"mutation { submitTask(input: {title: "ship", capability: "\#(cap)", payload: "{\"n\":1}", idempotencyKey: "\#(key)"}) { id } }"#, headers: acme)
            #expect(Self.data(respaced, "submitTask")?["id"]?.stringValue == ids[0], "\(respaced.text)")
            let other = try await client.query(#"mutation { submitTask(input: {title: "ship twice", capability: "\#(cap)", idempotencyKey: "\#(key)"}) { id } }"#, headers: acme)
            #expect(other.json?["errors"]?[0]?["extensions"]?["code"] == "CONFLICT", "\(other.text)")
            // Keys are the tenant's own.
            let elsewhere = try await client.query(submit, headers: [("x-tenant", "initech")])
            #expect(Self.data(elsewhere, "submitTask")?["id"]?.stringValue.map { $0 != ids[0] } == true, "\(elsewhere.text)")
        }
    }

    /// A subscription to one stream and some types gets those exactly, by bytes as the store
    /// keeps them: a stream or type that is only canonically equivalent (`é` as one code point
    /// or as `e` and U+0301) is another one.
    @Test(.timeLimit(.minutes(2))) func eventSubscriptionsFilterByTheBytesTheStoreKeeps() async throws {
        try await withPlatform { _, client, server in
            let acme = [("x-tenant", "acme")]
            let subscriber = try Self.gql(client, "subscription { events(streamId: \"caf\u{E9}-1\", types: [\"R\u{E9}sum\u{E9}\"]) { streamId type version } }", tenant: "acme")
            defer { subscriber.stop() }
            try await Self.waitForSubscriptions(1) { server.liveSubscriptions }
            let append = #"mutation($s: String!, $t: String!) { appendEvents(streamId: $s, expectedVersion: 0, events: [{type: $t}]) { toVersion } }"#
            // Another stream of the type, then the stream with another type: neither is delivered.
            for (stream, type) in [("cafe\u{301}-1", "R\u{E9}sum\u{E9}"), ("caf\u{E9}-1", "Re\u{301}sume\u{301}")] {
                let r = try await client.query(append, variables: JSON.object(["s": .string(stream), "t": .string(type)]).text, headers: acme)
                #expect(r.json?["errors"] == nil, "\(r.text)")
            }
            let late = try await client.query(#"mutation($t: String!) { appendEvents(streamId: "caf\#u{E9}-1", expectedVersion: 1, events: [{type: $t}]) { toVersion } }"#,
                                              variables: JSON.object(["t": .string("R\u{E9}sum\u{E9}")]).text, headers: acme)
            #expect(late.json?["errors"] == nil, "\(late.text)")
            let lines = try await subscriber.lines(1) { $0.hasPrefix("{") }
            let event = try JSONReader.parse(lines[0])["events"]
            #expect(event?["version"] == 2, "the first event delivered is the one of that stream and type: \(lines)")
            #expect(event?["streamId"]?.stringValue.map { Array($0.utf8) } == Array("caf\u{E9}-1".utf8))
        }
    }

    @Test func concurrentClaimersNeverGetTheSameTask() async throws {
        try await withPlatform { _, client, _ in
            let acme = [("x-tenant", "acme")]
            let agents = try #require(Self.data(try await client.query("{ agents(first: 10) { id } }", headers: acme), "agents")?.arrayValue)
                .compactMap { $0["id"]?.stringValue }
            #expect(agents.count == 10)
            var ids = Set<String>()
            for batch in 0..<5 {   // 20 aliases per request (max_aliases is 30)
                let ops = (0..<20).map { i in "t\(i): submitTask(input: {title: \"job \(batch * 20 + i)\", priority: \(i % 3)}) { id }" }.joined(separator: " ")
                let submitted = try await client.query("mutation { \(ops) }", headers: acme)
                ids.formUnion((0..<20).compactMap { Self.data(submitted, "t\($0)")?["id"]?.stringValue })
            }
            #expect(ids.count == 100)
            let claimed: [[String]] = try await withThrowingTaskGroup(of: [String].self) { group in
                for agent in agents {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let r = try await client.query(#"mutation { claimTask(agentId: "\#(agent)", leaseSeconds: 300) { id priority } }"#, headers: acme)
                            guard let id = Self.data(r, "claimTask")?["id"]?.stringValue else { break }
                            mine.append(id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let all = claimed.flatMap { $0 }
            #expect(all.count == 100, "every task claimed once")
            #expect(Set(all) == ids, "no task claimed twice")
            #expect(claimed.filter { !$0.isEmpty }.count > 1, "the claimers shared the work")
        }
    }

    @Test(.timeLimit(.minutes(2))) func subscribersSeeOnlyTheirTenantsEventsFromEitherGatewayProcess() async throws {
        try await withPlatform { fixture, client, server in
            try await withGatewayProcess(fixture) { second in
                let query = "subscription { events { streamId type } }"
                let here = try Self.gql(client, query, tenant: "acme")
                defer { here.stop() }
                let there = try Self.gql(second, query, tenant: "acme")
                defer { there.stop() }
                try await Self.waitForSubscriptions(1) { server.liveSubscriptions }
                try await Self.waitForSubscriptions(1) { try await second.scrape()["switchyard_subscriptions_active"].rounded() >= 1 ? 1 : 0 }
                // Another tenant's event first (through the second process), then acme's (through this one).
                let globex = try await second.query(#"mutation { appendEvents(streamId: "iso-globex", expectedVersion: 0, events: [{type: "Secret"}]) { toVersion } }"#,
                                                    headers: [("x-tenant", "globex")])
                #expect(Self.data(globex, "appendEvents")?["toVersion"] == 1)
                let acme = try await client.query(#"mutation { appendEvents(streamId: "iso-acme", expectedVersion: 0, events: [{type: "Visible"}, {type: "AlsoVisible"}]) { toVersion } }"#,
                                                  headers: [("x-tenant", "acme")])
                #expect(Self.data(acme, "appendEvents")?["toVersion"] == 2)
                for subscriber in [here, there] {
                    let lines = try await subscriber.lines(2) { $0.hasPrefix("{") }
                    #expect(lines == [#"{"events":{"streamId":"iso-acme","type":"Visible"}}"#, #"{"events":{"streamId":"iso-acme","type":"AlsoVisible"}}"#])
                    #expect(!subscriber.lines.contains { $0.contains("globex") || $0.contains("Secret") })
                }
            }
        }
    }

    /// Appends run side by side, so one may commit after another that drew later positions.
    /// Held open here (a transaction of the app role's that inserted an event and has not ended),
    /// such an append is not skipped by anything that follows positions: a page of
    /// `events(after:)` waits for it rather than answering the later event alone, the live feed
    /// delivers both in order, and the projections count both. (Reading past the first position
    /// still in flight, each would have moved on past it for good.)
    @Test(.timeLimit(.minutes(2))) func anAppendStillInFlightIsNotSkippedByWhatFollowsPositions() async throws {
        try await withPlatform { fixture, client, server in
            let acme = [("x-tenant", "acme")]
            let tenant = try await fixture.owner.query("SELECT id FROM tenants WHERE slug = 'acme'").first!.decode("id", as: UUID.self)
            let agent = try await fixture.owner.withTenant(PostgresUUID.text(tenant)) {
                try await $0.query("SELECT id FROM agents ORDER BY id LIMIT 1").first!.decode("id", as: UUID.self)
            }
            func completed() async throws -> Int {
                try await fixture.owner.query("SELECT coalesce(sum(tasks_completed), 0)::int8 AS n FROM agent_stats WHERE agent_id = \(agent)").first!.decode("n")
            }
            let subscriber = try Self.gql(client, #"subscription { events { streamId type } }"#, tenant: "acme")
            defer { subscriber.stop() }
            try await Self.waitForSubscriptions(1) { server.liveSubscriptions }
            // The projections caught up with the seed first (then the count is theirs).
            for _ in 0..<400 {
                let caughtUp: Bool = try await fixture.owner.query(
                    "SELECT min(position) >= events_head() AS ok FROM projection_checkpoints").first!.decode("ok")
                if caughtUp { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            let before = try await completed()

            // The append held open: it drew its position first.
            let app = PostgresPool(configuration: .init(url: fixture.db.appURL, minConnections: 0, maxConnections: 1))
            defer { app.close() }
            let held = try await app.checkOut()
            let data = #"{"agentId": "\#(PostgresUUID.text(agent))"}"#
            try await held.query("BEGIN")
            try await held.query("SELECT set_config('app.tenant_id', \(PostgresUUID.text(tenant)), true)")
            let first = try await held.query("""
                INSERT INTO events (tenant_id, event_id, stream_id, stream_version, type, data)
                VALUES (\(tenant), \(UUID()), 'task-inflight-a', 1, 'TaskCompleted', \(data)::jsonb) RETURNING global_position
                """).first!.decode("global_position", as: Int.self)
            // A later append through the gateway commits meanwhile (it does not wait for the first).
            let later = try await client.query(#"mutation($d: String!) { appendEvents(streamId: "inflight-b", expectedVersion: 0, events: [{type: "TaskCompleted", data: $d}]) { lastPosition } }"#,
                                               variables: #"{"d": \#(JSON.string(data).text)}"#, headers: acme)
            let second = try #require(Self.data(later, "appendEvents")?["lastPosition"]?.intValue, "\(later.text)")
            #expect(second > first)

            // A page after the position before both, asked while the first is in flight.
            let page = Task {
                try await client.query("{ events(after: \(first - 1), first: 10) { events { streamId position } } }", headers: acme)
            }
            // It waits for the horizon, and so do the live feed's read and the projection runner
            // (three waits for the lock in exclusive mode) — or, had it not waited, it answers.
            func horizonsWaiting() async throws -> Int {
                try await fixture.owner.query("""
                    SELECT count(*)::int8 AS n FROM pg_locks
                    WHERE locktype = 'advisory' AND NOT granted AND mode = 'ExclusiveLock'
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """).first!.decode("n")
            }
            let answered = AnsweredFlag()
            let watch = Task { _ = try? await page.value; answered.set() }
            while try await horizonsWaiting() < 3, !answered.isSet { try await Task.sleep(for: .milliseconds(10)) }
            #expect(!answered.isSet, "the page answered while an append below its last event was in flight")
            try await held.query("COMMIT")
            await app.checkIn(held)
            _ = await watch.value

            let events = try await page.value.json?["data"]?["events"]?["events"]?.arrayValue ?? []
            let streams = events.compactMap { $0["streamId"]?.stringValue }.filter { $0.contains("inflight-") }
            #expect(streams == ["task-inflight-a", "inflight-b"], "the page after \(first - 1): \(events)")
            let lines = try await subscriber.lines(2) { $0.hasPrefix("{") }
            #expect(lines == [#"{"events":{"streamId":"task-inflight-a","type":"TaskCompleted"}}"#, #"{"events":{"streamId":"inflight-b","type":"TaskCompleted"}}"#])
            // The projection counted the one in flight (on a stream of the agents subgraph's); the
            // client's own `TaskCompleted` on a stream of its own is not an agent's stat.
            var after = try await completed()
            for _ in 0..<400 where after < before + 1 { try await Task.sleep(for: .milliseconds(25)); after = try await completed() }
            #expect(after == before + 1, "the projection counted the append in flight")
        }
    }

    /// SIGTERM: readiness goes off, every subscription ends without saying it completed — its
    /// source did not end, the gateway did, and a client that saw `complete` would not subscribe
    /// again (graphql-ws's, graphql-sse's and Apollo's clients retry an end that is not one):
    /// over WebSocket (gql) the connection closes with 1001 and no `complete`, over SSE (httpx-sse)
    /// the stream ends with no `complete` event, over multipart (gql) a transport-level error
    /// says `SHUTTING_DOWN`. Requests in flight finish, and the process exits 0.
    @Test(.timeLimit(.minutes(2))) func sigtermEndsEveryStreamWithoutCompletingItAndExitsCleanly() async throws {
        try await withPlatform { fixture, _, _ in
            try await withGatewayProcess(fixture) { gateway, process in
                let query = "subscription { events { type } }", acme = #"{"x-tenant":"acme"}"#
                let ws = try Self.gql(gateway, query, tenant: "acme")
                let sse = try ChildProcess("/usr/bin/env", ["python3", Self.script("sse_subscribe.py"), gateway.base + "/graphql", query, acme])
                let multipart = try ChildProcess("/usr/bin/env", ["python3", Self.script("gql_multipart_subscribe.py"), gateway.base + "/graphql", query, acme])
                let subscribers = [ws, sse, multipart]
                defer { subscribers.forEach { $0.stop() } }
                try await Self.waitForSubscriptions(3) { Int(try await gateway.scrape()["switchyard_subscriptions_active"]) }
                // Queries in flight while the signal arrives all answer.
                let queries = Task {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<20 { group.addTask { try await gateway.query("{ currentTenant { slug } }", headers: [("x-tenant", "acme")]).status } }
                        return try await group.reduce(into: [Int]()) { $0.append($1) }
                    }
                }
                try await Task.sleep(for: .milliseconds(5))
                #expect(process.terminateAndWait() == 0)
                var ends: [String] = []
                for s in subscribers { ends.append(try await s.firstLine { $0 == "done" || $0.hasPrefix("error") ? $0 : nil }) }
                #expect(ends[0].hasSuffix("(close 1001)"), "WebSocket: \(ws.lines.suffix(5))")
                #expect(ends[1] == "error: RuntimeError: the stream ended without a complete event", "SSE: \(sse.lines.suffix(5))")
                #expect(ends[2].contains("SHUTTING_DOWN") || ends[2].contains("shutting down"), "multipart: \(multipart.lines.suffix(5))")
                if case .success(let statuses) = await queries.result {
                    #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
                }
            }
        }
    }

    /// SIGTERM while a mutation posted to a single-connection SSE stream still runs (its append
    /// waits for the event store's lock, held here): the stream stays open until the mutation's
    /// result and `complete` are written, the POST is answered 202 — not 404 for a stream the
    /// drain had ended (review of session 52: the client could not tell the write happened) —,
    /// a new reservation is refused with 503, and the process exits 0.
    @Test(.timeLimit(.minutes(2))) func sigtermLetsAMutationOnASingleConnectionStreamDeliverItsResult() async throws {
        try await withPlatform { fixture, _, _ in
            try await withGatewayProcess(fixture) { gateway, process in
                let acme = [("x-tenant", "acme")]
                let token = try await gateway.send(.PUT, "/graphql/stream", headers: acme).text
                var open = HTTPClientRequest(url: gateway.base + "/graphql/stream?token=" + token)
                open.headers.add(name: "accept", value: "text/event-stream")
                let stream = try await HTTPClient.shared.execute(open, timeout: .seconds(60))
                #expect(stream.status.code == 200)
                var reader = StreamReader(chunks: stream.body.makeAsyncIterator())
                let holder = try await fixture.owner.checkOut()
                try await holder.query("SELECT pg_advisory_lock(7242002)")
                let mutation = #"mutation { appendEvents(streamId: "drain-sse", expectedVersion: 0, events: [{type: "E"}]) { toVersion } }"#
                let body = #"{"query":\#(JSON.string(mutation).text),"extensions":{"operationId":"m1"}}"#
                let post = Task {
                    try await gateway.send(.POST, "/graphql/stream", body: Array(body.utf8),
                                           headers: acme + [("content-type", "application/json"), ("x-graphql-event-stream-token", token)], timeout: .seconds(60))
                }
                let waiting = try await fixture.advisoryLockWaiters()
                process.send(signal: SIGTERM)
                // Draining (readiness off, or the listener already closed): a new reservation is refused.
                var ready = 200
                for _ in 0..<500 where ready == 200 {
                    ready = (try? await gateway.send(.GET, "/ready").status) ?? 0
                    if ready == 200 { try await Task.sleep(for: .milliseconds(10)) }
                }
                if let refused = try? await gateway.send(.PUT, "/graphql/stream", headers: acme) {
                    #expect(refused.status == 503, "\(refused.text)")
                }
                try await holder.query("SELECT pg_advisory_unlock(7242002)")
                await fixture.owner.checkIn(holder)
                #expect(waiting >= 1, "the append waited for the lock")
                let posted = try await post.value
                #expect(posted.status == 202, "\(posted.text)")
                var events: [String] = []
                while let event = try await reader.next(upTo: "\n\n") { if !event.hasPrefix(":") { events.append(event) } }
                #expect(events == [#"event: next\#ndata: {"id":"m1","payload":{"data":{"appendEvents":{"toVersion":1}}}}"#,
                                   #"event: complete\#ndata: {"id":"m1"}"#], "\(events)")
                #expect(process.terminateAndWait() == 0)
            }
        }
    }

    /// With `shutdown_delay_ms`, SIGTERM first turns readiness off while the gateway still
    /// serves (a load balancer's time to send traffic elsewhere), then drains and exits 0.
    @Test(.timeLimit(.minutes(2))) func sigtermWithADelayAnswersNotReadyWhileStillServing() async throws {
        try await withPlatform { fixture, _, _ in
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("delay-\(UUID().uuidString).yaml").path
            let demo = try String(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("gateway.yaml"), encoding: .utf8)
            try (demo + "\nshutdown_delay_ms: 2000\n").write(toFile: config, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: config) }
            try await withGatewayProcess(fixture, config: config) { gateway, process in
                for _ in 0..<600 where try await gateway.send(.GET, "/ready").status != 200 { try await Task.sleep(for: .milliseconds(20)) }
                process.send(signal: SIGTERM)
                var ready = 200
                for _ in 0..<200 where ready == 200 {
                    ready = try await gateway.send(.GET, "/ready").status
                    if ready == 200 { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(ready == 503, "readiness off first")
                let served = try await gateway.query("{ currentTenant { slug } }", headers: [("x-tenant", "acme")])
                #expect(served.text == #"{"data":{"currentTenant":{"slug":"acme"}}}"#, "still serving during the delay")
                #expect(process.terminateAndWait() == 0)
            }
        }
    }

    static func script(_ name: String) -> String {
        TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/websocket-clients/\(name)").path
    }

    /// A subscriber that stops reading is ended (its last payload says SUBSCRIBER_TOO_SLOW and its
    /// WebSocket is closed with 1008) while subscribers that read — over WebSocket (gql) and over
    /// SSE (httpx-sse) — receive every event.
    @Test(.timeLimit(.minutes(3))) func aSlowSubscriberIsClosedWhileFastOnesGetEveryEvent() async throws {
        try await withPlatform { fixture, _, _ in
            var config = fixture.config
            config.subscriptions.bufferSize = 8
            config.subscriptions.slowConsumerGraceMs = 1_000
            config.subscriptions.slowCloseTimeoutMs = 120_000
            try await withConfiguredGateway(config) { client, server in
                let ws = client.base.replacingOccurrences(of: "http://", with: "ws://") + "/graphql"
                let query = #"subscription { events(streamId: "firehose") { version data } }"#
                let release = FileManager.default.temporaryDirectory.appendingPathComponent("slow-\(UUID())").path
                defer { try? FileManager.default.removeItem(atPath: release) }
                let slow = try ChildProcess("/usr/bin/env", ["python3", Self.script("slow_subscriber.py"), ws, query, "acme", release])
                defer { slow.stop() }
                let fast = try Self.gql(client, query, tenant: "acme")
                defer { fast.stop() }
                let sse = try ChildProcess("/usr/bin/env", ["python3", Self.script("sse_subscribe.py"), client.base + "/graphql", query, #"{"x-tenant":"acme"}"#])
                defer { sse.stop() }
                _ = try await slow.firstLine { $0 == "subscribed" || $0.hasPrefix("error") ? $0 : nil }
                _ = try await sse.firstLine { $0 == "ready" || $0.hasPrefix("error") ? $0 : nil }
                try await Self.waitForSubscriptions(3) { server.liveSubscriptions }
                // 150 events of ~50 KB in appends of 15: far more than the slow client's socket and buffer hold.
                let pad = String(repeating: "x", count: 50_000)
                for batch in 0..<10 {
                    let events = (0..<15).map { i in #"{type: "Bulk", data: "{\"i\": \#(batch * 15 + i), \"pad\": \"\#(pad)\"}"}"# }.joined(separator: ", ")
                    let r = try await client.query(#"mutation { appendEvents(streamId: "firehose", expectedVersion: \#(batch * 15), events: [\#(events)]) { toVersion } }"#,
                                                   headers: [("x-tenant", "acme")])
                    #expect(r.json?["data"]?["appendEvents"]?["toVersion"]?.intValue == (batch + 1) * 15, "\(r.text.prefix(200))")
                }
                let fastLines = try await fast.lines(150) { $0.hasPrefix("{") }
                #expect(fastLines.count == 150)
                let sseLines = try await sse.lines(150) { $0.hasPrefix("{") }
                #expect(sseLines.count == 150)
                #expect(!fast.lines.contains { $0.hasPrefix("error") } && !sse.lines.contains { $0.hasPrefix("error") })
                // The slow one is released once the gateway has ended it (after its grace with no
                // room): released earlier, it would read everything in time and never be too slow.
                for _ in 0..<2_400 where server.tooSlowSubscribers == 0 { try await Task.sleep(for: .milliseconds(25)) }
                #expect(server.tooSlowSubscribers == 1, "the gateway ended the slow subscriber (and only it)")
                #expect(FileManager.default.createFile(atPath: release, contents: Data()))
                let closed = try await slow.firstLine { $0.hasPrefix("closed") || $0 == "timeout" || $0.hasPrefix("error") ? $0 : nil }
                #expect(closed.hasPrefix("closed 1008"), "\(slow.lines.suffix(5))")
                let received = try await slow.firstLine { $0.hasPrefix("next ") ? Int($0.dropFirst(5)) : nil }
                #expect(received < 150, "the slow subscriber was ended before the end of the stream")
            }
        }
    }

    /// A burst of appends (three of 1,000 events, the most one append takes) reaches a subscriber
    /// that reads, whole and in order: the feed reads a page only when its subscribers have room
    /// for it (it used to fill their buffers in one go and end them as too slow).
    @Test(.timeLimit(.minutes(3))) func aBurstOfAppendsReachesASubscriberThatReads() async throws {
        try await withPlatform { _, client, server in
            let query = #"subscription { events(types: ["Burst"]) { position } }"#
            let sse = try ChildProcess("/usr/bin/env", ["python3", Self.script("sse_subscribe.py"), client.base + "/graphql", query, #"{"x-tenant":"globex"}"#])
            defer { sse.stop() }
            _ = try await sse.firstLine { $0 == "ready" || $0.hasPrefix("error") ? $0 : nil }
            try await Self.waitForSubscriptions(1) { server.liveSubscriptions }
            let events = (0..<1_000).map { _ in #"{type: "Burst"}"# }.joined(separator: ", ")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<3 {
                    group.addTask {
                        let r = try await client.query(#"mutation { appendEvents(streamId: "burst-\#(n)", expectedVersion: 0, events: [\#(events)]) { toVersion } }"#,
                                                       headers: [("x-tenant", "globex")])
                        #expect(r.json?["data"]?["appendEvents"]?["toVersion"] == 1_000, "\(r.text.prefix(200))")
                    }
                }
                try await group.waitForAll()
            }
            let lines = try await sse.lines(3_000, matching: { $0.hasPrefix("{") }, attempts: 2_400)
            let positions = lines.compactMap { (try? JSONReader.parse($0))?["events"]?["position"]?.intValue }
            #expect(positions.count == 3_000, "\(sse.lines.suffix(3))")
            #expect(positions == positions.sorted(), "in order")
            #expect(!sse.lines.contains { $0.hasPrefix("error") || $0.contains("SUBSCRIBER_TOO_SLOW") || $0.contains("INTERNAL_SERVER_ERROR") })
        }
    }

    /// A subscriber that takes nothing holds back its own tenant's reads of the event store only:
    /// another tenant's event reaches its subscriber while the slow one still runs (its tenant's
    /// reader waits for its room, here up to a minute). Each tenant is read on its own — the feed
    /// awaited every tenant's read before the next wake-up, so globex's event waited for acme's
    /// slow subscriber (probe 54F: 31 s).
    @Test(.timeLimit(.minutes(3))) func aSlowSubscriberDoesNotHoldBackAnotherTenantsEvents() async throws {
        try await withPlatform { fixture, _, _ in
            var config = fixture.config
            config.subscriptions.bufferSize = 8
            config.subscriptions.slowConsumerGraceMs = 120_000
            config.subscriptions.slowCloseTimeoutMs = 120_000
            try await withConfiguredGateway(config) { client, server in
                let ws = client.base.replacingOccurrences(of: "http://", with: "ws://") + "/graphql"
                let release = FileManager.default.temporaryDirectory.appendingPathComponent("hol-\(UUID())").path
                defer { try? FileManager.default.removeItem(atPath: release) }
                let slow = try ChildProcess("/usr/bin/env", ["python3", Self.script("slow_subscriber.py"), ws,
                                                             #"subscription { events(streamId: "hol-a") { version data } }"#, "acme", release])
                defer { slow.stop() }
                let other = try Self.gql(client, #"subscription { events(streamId: "hol-b") { version } }"#, tenant: "globex")
                defer { other.stop() }
                _ = try await slow.firstLine { $0 == "subscribed" || $0.hasPrefix("error") ? $0 : nil }
                try await Self.waitForSubscriptions(2) { server.liveSubscriptions }
                // 1,600 events of 10 KB for acme: past what its subscriber's socket and buffers take,
                // so acme's reader waits for room for a page.
                let pad = String(repeating: "x", count: 10_000)
                for batch in 0..<16 {
                    let events = (0..<100).map { _ in #"{type: "Tick", data: "{\"pad\": \"\#(pad)\"}"}"# }.joined(separator: ", ")
                    let r = try await client.query(#"mutation { appendEvents(streamId: "hol-a", expectedVersion: \#(batch * 100), events: [\#(events)]) { toVersion } }"#,
                                                   headers: [("x-tenant", "acme")])
                    #expect(r.json?["data"]?["appendEvents"]?["toVersion"]?.intValue == (batch + 1) * 100, "\(r.text.prefix(200))")
                }
                try await Task.sleep(for: .seconds(1))   // (acme's reader on its third page by now; not needed for the fix)
                let appended = try await client.query(#"mutation { appendEvents(streamId: "hol-b", expectedVersion: 0, events: [{type: "Other"}]) { toVersion } }"#,
                                                      headers: [("x-tenant", "globex")])
                #expect(appended.json?["data"]?["appendEvents"]?["toVersion"]?.intValue == 1, "\(appended.text)")
                let line = try await other.firstLine { $0.hasPrefix("{") || $0.hasPrefix("error") ? $0 : nil }
                #expect(line.contains("\"version\": 1") || line.contains("\"version\":1"), "\(line)")
                // Released now, acme's subscriber gets all of its events: its tenant's reader was
                // still waiting for its room (a minute at most) when globex's event went out — with
                // one reader for all tenants, globex's event waited until acme's was given up.
                #expect(FileManager.default.createFile(atPath: release, contents: Data()))
                let received = try await slow.firstLine { $0.hasPrefix("next ") ? Int($0.dropFirst(5)) : nil }
                #expect(received == 1_600, "\(slow.lines.suffix(4))")
            }
        }
    }

    /// A subscriber over SSE that stops reading is ended as too slow; when it has not taken its
    /// last payload `slow_close_timeout_ms` later, its connection is dropped (what the gateway
    /// held for it goes). With a long timeout, the client that reads again gets that payload
    /// (`SUBSCRIBER_TOO_SLOW`) and the stream's end.
    @Test(.timeLimit(.minutes(3))) func aSlowSSESubscriberIsDroppedWhenItDoesNotTakeItsLastPayload() async throws {
        try await withPlatform { fixture, _, _ in
            for (n, dropAfterMs) in [300, 120_000].enumerated() {
                var config = fixture.config
                config.subscriptions.bufferSize = 8
                config.subscriptions.slowConsumerGraceMs = 500
                config.subscriptions.slowCloseTimeoutMs = dropAfterMs
                try await withConfiguredGateway(config) { client, server in
                    let stream = "sse-firehose-\(n)"
                    let release = FileManager.default.temporaryDirectory.appendingPathComponent("slow-sse-\(UUID())").path
                    defer { try? FileManager.default.removeItem(atPath: release) }
                    let slow = try ChildProcess("/usr/bin/env", ["python3", Self.script("slow_sse_subscriber.py"), client.base + "/graphql",
                                                                 #"subscription { events(streamId: "\#(stream)") { version data } }"#, "acme", release])
                    defer { slow.stop() }
                    _ = try await slow.firstLine { $0 == "subscribed" || $0.hasPrefix("error") ? $0 : nil }
                    try await Self.waitForSubscriptions(1) { server.liveSubscriptions }
                    // 150 events of ~50 KB: far more than the client's socket and its buffer of 8 hold.
                    let pad = String(repeating: "x", count: 50_000)
                    for batch in 0..<10 {
                        let events = (0..<15).map { i in #"{type: "Bulk", data: "{\"i\": \#(batch * 15 + i), \"pad\": \"\#(pad)\"}"}"# }.joined(separator: ", ")
                        let r = try await client.query(#"mutation { appendEvents(streamId: "\#(stream)", expectedVersion: \#(batch * 15), events: [\#(events)]) { toVersion } }"#,
                                                       headers: [("x-tenant", "acme")])
                        #expect(r.json?["data"]?["appendEvents"]?["toVersion"]?.intValue == (batch + 1) * 15, "\(r.text.prefix(200))")
                    }
                    for _ in 0..<2_400 where server.tooSlowSubscribers == 0 { try await Task.sleep(for: .milliseconds(25)) }
                    #expect(server.tooSlowSubscribers == 1, "the gateway ended the slow subscriber")
                    if dropAfterMs < 1_000 {
                        for _ in 0..<2_400 where server.droppedSubscribers == 0 { try await Task.sleep(for: .milliseconds(25)) }
                        #expect(server.droppedSubscribers == 1, "its connection was dropped")
                    }
                    #expect(FileManager.default.createFile(atPath: release, contents: Data()))
                    _ = try await slow.firstLine { $0 == "finished" || $0.hasPrefix("error") ? $0 : nil }
                    let said = slow.lines
                    #expect(!said.contains { $0.hasPrefix("error") }, "\(said)")
                    if dropAfterMs < 1_000 {
                        #expect(said.contains("too-slow no") && said.contains("complete no"), "\(said)")
                        #expect(said.contains("ended eof") || said.contains("ended reset"), "\(said)")
                    } else {
                        #expect(said.contains("too-slow yes") && said.contains("complete yes"), "\(said)")
                        #expect(server.droppedSubscribers == 0)
                    }
                    let received = try await slow.firstLine { $0.hasPrefix("next ") ? Int($0.dropFirst(5)) : nil }
                    #expect(received < 150, "the slow subscriber was ended before the end of the stream")
                }
            }
        }
    }

    /// A client that leaves an SSE subscription on which nothing happens is noticed by the
    /// keep-alive, and its subscription ends.
    @Test(.timeLimit(.minutes(3))) func aDepartedSSESubscriberIsNoticedByTheKeepAlive() async throws {
        try await withPlatform { fixture, _, _ in
            var config = fixture.config
            config.subscriptions.keepAliveMs = 200
            try await withConfiguredGateway(config) { client, server in
                let sse = try ChildProcess("/usr/bin/env", ["python3", Self.script("sse_subscribe.py"), client.base + "/graphql",
                                                            #"subscription { events(streamId: "quiet") { type } }"#, #"{"x-tenant":"acme"}"#])
                _ = try await sse.firstLine { $0 == "ready" || $0.hasPrefix("error") ? $0 : nil }
                try await Self.waitForSubscriptions(1) { server.liveSubscriptions }
                sse.stop()
                var live = server.liveSubscriptions
                for _ in 0..<200 where live > 0 {
                    try await Task.sleep(for: .milliseconds(25))
                    live = server.liveSubscriptions
                }
                #expect(live == 0)
            }
        }
    }
}

/// Set once, read from any task.
final class AnsweredFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
