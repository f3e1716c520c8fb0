import Foundation
import Gateway
import GraphQLCore
import Postgres
import Testing
import TestSupport

/// The event store's bounds and integrity, and tenant resolution that follows the tenants table
/// (issue 13: #5, #8), through the gateway.
@Suite("Event store integrity")
struct EventStoreIntegrityTests {
    let acme = [("x-tenant", "acme")]

    @Test func appendsAndSnapshotsAreBoundedWithClearErrors() async throws {
        try await withPlatform { _, client, _ in
            func code(_ r: GatewayResponse) -> String? { r.json?["errors"]?[0]?["extensions"]?["code"]?.stringValue }
            let tooMany = "[" + (0..<1_001).map { _ in "{type: \"E\"}" }.joined(separator: ",") + "]"
            let many = try await client.query(#"mutation { appendEvents(streamId: "bounds", expectedVersion: 0, events: \#(tooMany)) { toVersion } }"#, headers: acme)
            #expect(code(many) == "BAD_USER_INPUT")
            #expect(many.json?["errors"]?[0]?["message"]?.stringValue?.contains("at most 1000 events") == true)
            let big = String(repeating: "x", count: 70_000)
            let large = try await client.query(#"mutation($d: String!) { appendEvents(streamId: "bounds", expectedVersion: 0, events: [{type: "E", data: $d}]) { toVersion } }"#,
                                               variables: #"{"d": "{\"blob\": \"\#(big)\"}"}"#, headers: acme)
            #expect(code(large) == "BAD_USER_INPUT")
            #expect(large.json?["errors"]?[0]?["extensions"]?["maxBytes"] == 65_536)
            // Nothing of either was written: the stream is still new.
            let ok = try await client.query(#"mutation { appendEvents(streamId: "bounds", expectedVersion: 0, events: [{type: "E"}]) { toVersion } }"#, headers: acme)
            #expect(ok.json?["data"]?["appendEvents"]?["toVersion"] == 1)
            // A snapshot only of a version the stream has.
            let ghost = try await client.query(#"mutation { saveSnapshot(streamId: "bounds", version: 7, state: "{}") { version } }"#, headers: acme)
            #expect(code(ghost) == "BAD_USER_INPUT")
            let real = try await client.query(#"mutation { saveSnapshot(streamId: "bounds", version: 1, state: "{\"n\":1}") { version } }"#, headers: acme)
            #expect(real.json?["data"]?["saveSnapshot"]?["version"] == 1)
        }
    }

    /// Reads by type, by time window and by stream id (types and stream ids compare byte by byte,
    /// times through a block-range index since migration 0013): exact matches only, any UTF-8.
    @Test func eventsAreReadByTypeTimeWindowAndStream() async throws {
        try await withPlatform { _, client, _ in
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let before = iso.string(from: Date().addingTimeInterval(-60))
            let stream = "fenêtre-ß-\u{1F600}"
            let appended = try await client.query(#"mutation($s: String!) { appendEvents(streamId: $s, expectedVersion: 0, events: [{type: "Alpha"}, {type: "alpha"}, {type: "Alpha "}, {type: "Älpha"}]) { firstPosition lastPosition } }"#,
                                                  variables: #"{"s": "\#(stream)"}"#, headers: acme)
            let first = try #require(appended.json?["data"]?["appendEvents"]?["firstPosition"]?.intValue)
            let after = iso.string(from: Date().addingTimeInterval(60))
            func types(_ args: String) async throws -> [String] {
                let r = try await client.query("{ events(after: \(first - 1), \(args)) { events { type streamId } } }", headers: acme)
                #expect(r.json?["errors"] == nil, "\(r.text)")
                let events = try #require(r.json?["data"]?["events"]?["events"]?.arrayValue, "\(r.text)")
                #expect(events.allSatisfy { $0["streamId"]?.stringValue == stream }, "\(r.text)")
                return events.compactMap { $0["type"]?.stringValue }
            }
            #expect(try await types(#"type: "Alpha""#) == ["Alpha"])
            #expect(try await types(#"type: "Älpha""#) == ["Älpha"])
            #expect(try await types(#"since: "\#(before)""#) == ["Alpha", "alpha", "Alpha ", "Älpha"])
            #expect(try await types(#"since: "\#(before)", until: "\#(after)", type: "alpha""#) == ["alpha"])
            #expect(try await types(#"since: "\#(after)""#) == [])
            #expect(try await types(#"until: "\#(before)""#) == [])
            let read = try await client.query(#"query($s: String!) { stream(streamId: $s) { events { version type } } }"#, variables: #"{"s": "\#(stream)"}"#, headers: acme)
            #expect(read.json?["data"]?["stream"]?["events"]?.arrayValue?.compactMap { $0["type"]?.stringValue } == ["Alpha", "alpha", "Alpha ", "Älpha"], "\(read.text)")
            let other = try await client.query(#"{ stream(streamId: "fenetre-ss") { events { version } } }"#, headers: acme)
            #expect(other.json?["errors"] == nil, "\(other.text)")
            #expect(other.json?["data"]?["stream"]?["events"]?.arrayValue?.isEmpty != false, "\(other.text)")
        }
    }

    @Test func theEventLogIsAppendOnlyForEveryRole() async throws {
        try await withPlatform { fixture, _, _ in
            for url in [fixture.db.appURL, fixture.db.ownerURL] {
                let pool = PostgresPool(configuration: .init(url: url, minConnections: 0, maxConnections: 1))
                defer { pool.close() }
                for statement in ["UPDATE events SET type = 'Forged'", "DELETE FROM events", "TRUNCATE events"] {
                    await #expect(throws: (any Error).self, "\(statement) as \(url.contains("owner") ? "owner" : "app")") {
                        try await pool.withTenant(DemoData.tenantID("acme").uuidString) { c in try await c.query(PostgresQuery(unsafeSQL: statement)) }
                    }
                }
                let count = try await pool.withTenant(DemoData.tenantID("acme").uuidString) { c in
                    try await c.query("SELECT count(*)::int8 AS n FROM events WHERE type = 'Forged'").first!.decode("n", as: Int.self)
                }
                #expect(count == 0)
            }
        }
    }

    @Test func concurrentMutationsOfOneAgentNeverFailInternally() async throws {
        try await withPlatform { _, client, _ in
            let agent = try #require(try await client.query("{ agents(first: 1) { id } }", headers: acme).json?["data"]?["agents"]?[0]?["id"]?.stringValue)
            let results: [String] = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<30 {
                    group.addTask {
                        let r = try await client.query(#"mutation { assignTask(input: {agentId: "\#(agent)", title: "race \#(i)"}) { id } }"#, headers: acme)
                        return r.json?["errors"]?[0]?["extensions"]?["code"]?.stringValue ?? "ok"
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0 == "ok" }, "\(results)")
            let history = try await client.query(#"{ agent(id: "\#(agent)") { history(last: 100) { type version } } }"#, headers: acme)
            let versions = history.json?["data"]?["agent"]?["history"]?.arrayValue?.compactMap { $0["version"]?.intValue } ?? []
            #expect(Set(versions).count == versions.count, "every event at its own version")
        }
    }

    /// A slug reassigned to another tenant is read as that tenant from the next change on
    /// (the slug → id cache follows `tenants_changed`), never as the old one.
    @Test func aReassignedSlugIsFollowed() async throws {
        try await withPlatform { fixture, client, _ in
            let before = try await client.query("{ currentTenant { name } }", headers: acme)
            #expect(before.json?["data"]?["currentTenant"]?["name"] == "Acme Corporation")
            // Each tenant's row is changed under its own tenant scope (row-level security applies to the owner too).
            try await fixture.owner.withTenant(DemoData.tenantID("acme").uuidString) { c in
                try await c.query("UPDATE tenants SET slug = 'acme-old' WHERE slug = 'acme'")
            }
            try await fixture.owner.withTenant(DemoData.tenantID("globex").uuidString) { c in
                try await c.query("UPDATE tenants SET slug = 'acme' WHERE slug = 'globex'")
            }
            var name: JSON?
            for _ in 0..<200 {
                name = try await client.query("{ currentTenant { name } }", headers: acme).json?["data"]?["currentTenant"]?["name"]
                if name != "Acme Corporation" { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(name != nil && name != "Acme Corporation" && name != .null, "\(String(describing: name))")
        }
    }

    /// An event a projection cannot apply (its agentId is not a UUID) is parked — kept, visible to
    /// its tenant with the error — and the projection goes on with the events after it (#7).
    @Test(.timeLimit(.minutes(2))) func anEventAProjectionCannotApplyIsParkedAndTheRestIsApplied() async throws {
        try await withPlatform { _, client, _ in
            let agent = try await client.query("{ agents(first: 1) { id stats { tasksCompleted } } }", headers: acme)
            let agentID = try #require(agent.json?["data"]?["agents"]?[0]?["id"]?.stringValue)
            let before = agent.json?["data"]?["agents"]?[0]?["stats"]?["tasksCompleted"]?.intValue ?? -1
            let appended = try await client.query("""
                mutation { appendEvents(streamId: "parking-probe", expectedVersion: 0, events: [
                  {type: "TaskCompleted", data: "{\\"agentId\\": \\"not-a-uuid\\"}"},
                  {type: "TaskCompleted", data: "{\\"agentId\\": \\"\(agentID)\\"}"}]) { toVersion } }
                """, headers: acme)
            #expect(appended.json?["data"]?["appendEvents"]?["toVersion"] == 2, "\(appended.text)")
            var state: JSON?
            for _ in 0..<400 {
                state = try await client.query(#"{ projection(name: "agent_stats") { lag status lastError parked { eventId error } } }"#, headers: acme).json?["data"]?["projection"]
                if state?["lag"] == 0 { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(state?["lag"] == 0 && state?["status"] == "RUNNING" && state?["lastError"] == .null, "\(String(describing: state))")
            let parked = state?["parked"]?.arrayValue ?? []
            #expect(parked.count == 1 && (parked.first?["error"]?.stringValue ?? "").contains("not a UUID"), "\(parked)")
            let after = try await client.query(#"{ agent(id: "\#(agentID)") { stats { tasksCompleted } } }"#, headers: acme)
            #expect(after.json?["data"]?["agent"]?["stats"]?["tasksCompleted"]?.intValue == before + 1, "\(after.text)")
            // Another tenant does not see acme's parked event.
            let globex = try await client.query(#"{ projection(name: "agent_stats") { parked { eventId } } }"#, headers: [("x-tenant", "globex")])
            #expect(globex.json?["data"]?["projection"]?["parked"]?.arrayValue?.isEmpty == true, "\(globex.text)")
        }
    }
}
