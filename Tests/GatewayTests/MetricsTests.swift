import AsyncHTTPClient
import Foundation
import Federation
import Gateway
import GraphQLCore
import SubgraphKit
import NIOCore
import Testing
import TestSupport

/// A Prometheus text exposition read into `series → value` (a series is the metric name with
/// its labels sorted: `name{a="1",b="2"}`).
struct Scrape: Sendable {
    var values: [String: Double] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { values[String(series)] = value; continue }
            let name = series[..<brace]
            let labels = series[series.index(after: brace)..<series.index(before: series.endIndex)]
            values[Self.key(String(name), Self.labels(String(labels)))] = value
        }
    }

    /// `a="1",b="x,y"` into pairs (values may hold commas).
    static func labels(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var rest = Substring(text)
        while let eq = rest.firstIndex(of: "=") {
            let name = rest[..<eq].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            var i = rest.index(eq, offsetBy: 2)
            var value = ""
            while i < rest.endIndex, rest[i] != "\"" {
                if rest[i] == "\\" { i = rest.index(after: i) }
                value.append(rest[i]); i = rest.index(after: i)
            }
            out[name] = value
            rest = i < rest.endIndex ? rest[rest.index(after: i)...] : ""
        }
        return out
    }

    static func key(_ name: String, _ labels: [String: String]) -> String {
        labels.isEmpty ? name : name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double { values[Self.key(name, labels)] ?? 0 }

    /// Whether any series of this metric exists.
    func has(_ name: String) -> Bool { values.keys.contains { $0 == name || $0.hasPrefix(name + "{") } }
}

extension GatewayClient {
    func scrape() async throws -> Scrape {
        let r = try await send(.GET, "/metrics")
        #expect(r.status == 200)
        #expect(r.headers.first(name: "content-type")?.hasPrefix("text/plain") == true)
        return Scrape(r.text)
    }
}

@Suite("Prometheus metrics at /metrics")
struct MetricsTests {
    /// A subscription its client cancels while it starts (`complete` while the event feed waits
    /// for the append lock to read where it begins) is the client's doing: counted as
    /// CLIENT_CLOSED_REQUEST, never as the gateway's INTERNAL_SERVER_ERROR (probe 40A: 69 of 100
    /// quick cancels were counted and logged as internal errors, status 422).
    @Test(.timeLimit(.minutes(2))) func aSubscriptionCancelledWhileStartingIsNotAServerError() async throws {
        try await withPlatform { fixture, _, _ in
            try await withGatewayProcess(fixture) { gateway in
                let before = try await gateway.scrape()
                // The append lock, held: the subscription's start waits for it.
                let holder = try await fixture.owner.checkOut()
                try await holder.query("SELECT pg_advisory_lock(7242002)")
                let go = FileManager.default.temporaryDirectory.appendingPathComponent("cancel-\(UUID())").path
                let port = gateway.base.split(separator: ":").last.map(String.init)!
                let script = """
                    import json, os, time, websockets.sync.client as c
                    with c.connect("ws://127.0.0.1:\(port)/graphql", subprotocols=["graphql-transport-ws"], additional_headers={"x-tenant": "acme"}, open_timeout=10) as ws:
                        ws.send(json.dumps({"type": "connection_init"}))
                        ws.recv(timeout=10)
                        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "subscription { events { position } }"}}))
                        print("subscribed", flush=True)
                        while not os.path.exists("\(go)"): time.sleep(0.02)
                        ws.send(json.dumps({"id": "1", "type": "complete"}))
                        ws.send(json.dumps({"type": "ping"}))
                        print(json.loads(ws.recv(timeout=30))["type"], flush=True)
                    """
                let ws = try ChildProcess("/usr/bin/env", ["python3", "-c", script])
                defer { ws.stop(); try? FileManager.default.removeItem(atPath: go) }
                #expect(try await ws.firstLine { $0 } == "subscribed")
                // Until the start waits for the lock (then the cancel comes while it starts).
                func waiting() async throws -> Int {
                    try await fixture.owner.query("""
                        SELECT count(*)::int8 AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND mode = 'ExclusiveLock'
                          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                        """).first?.decode("n", as: Int.self) ?? 0
                }
                while try await waiting() == 0 { try await Task.sleep(for: .milliseconds(20)) }
                FileManager.default.createFile(atPath: go, contents: nil)
                let answer = try await ws.firstLine { $0 == "subscribed" ? nil : $0 }
                #expect(answer == "pong", "\(answer)")
                try await holder.query("SELECT pg_advisory_unlock(7242002)")
                await fixture.owner.checkIn(holder)
                // Counted once its start has ended.
                let cancelled = ["type": "subscription", "name": "unknown", "outcome": "cancelled", "tenant": "acme", "code": "CLIENT_CLOSED_REQUEST"]
                var after = try await gateway.scrape()
                for _ in 0..<500 where after["switchyard_operations_total", cancelled] - before["switchyard_operations_total", cancelled] < 1 {
                    try await Task.sleep(for: .milliseconds(20))
                    after = try await gateway.scrape()
                }
                #expect(after["switchyard_operations_total", cancelled] - before["switchyard_operations_total", cancelled] == 1,
                        "\(after.values.filter { $0.key.hasPrefix("switchyard_operations_total") })")
                #expect(!after.values.keys.contains { $0.hasPrefix("switchyard_operations_total") && $0.contains("INTERNAL_SERVER_ERROR") },
                        "\(after.values.filter { $0.key.hasPrefix("switchyard_operations_total") })")
            }
        }
    }

    /// A gateway process over one remote subgraph that reads requests and never answers
    /// (`silent_subgraph.py`, which says "request" and "closed"); `extra` is more configuration.
    func withSilentSubgraphGateway(_ name: String, extra: String = "", environment: [String: String] = [:],
                                   _ body: (GatewayClient, ChildProcess, ChildProcess, URL) async throws -> Void) async throws {
        let silent = try ChildProcess("/usr/bin/env", ["python3", TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/python-subgraph/silent_subgraph.py").path, "0"])
        defer { silent.stop() }
        let silentPort = try await silent.firstLine { Int($0) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sdl = dir.appendingPathComponent("silent.graphql").path, config = dir.appendingPathComponent("gateway.yaml").path
        try #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"]) type Query { wait: String }"#
            .write(toFile: sdl, atomically: true, encoding: .utf8)
        try """
            listen: "127.0.0.1:0"
            \(extra)
            subgraphs:
              - { name: silent, url: "http://127.0.0.1:\(silentPort)/graphql", schema: "\(sdl)", timeout_ms: 60000 }
            limits: { request_timeout_ms: 60000 }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let fixture = try await PlatformFixture.make()
        do {
            try await withGatewayProcess(fixture, environment: environment, config: config) { gateway, process in
                try await body(gateway, process, silent, dir)
            }
        } catch {
            await fixture.destroy()
            throw error
        }
        await fixture.destroy()
    }

    /// A client that goes away before its answer is ready cancels its request and its subgraph
    /// fetch: that is its doing — `outcome="cancelled"`, `CLIENT_CLOSED_REQUEST`, 499 — and no
    /// subgraph's error (probe 55B: it was counted as a failed fetch, SUBREQUEST_HTTP_ERROR, 200).
    @Test(.timeLimit(.minutes(2))) func aClientThatLeavesIsCountedAsItsOwnDoing() async throws {
        try await withSilentSubgraphGateway("leaving") { gateway, _, silent, dir in
            let port = gateway.base.split(separator: ":").last.map(String.init)!
            let go = dir.appendingPathComponent("go").path
            let leaving = try leavingClient(port: port, query: "query Leaving { wait }", release: go, resetting: true)
            defer { leaving.stop() }
            #expect(try await silent.firstLine { $0 == "request" ? true : nil })
            #expect(FileManager.default.createFile(atPath: go, contents: Data()))
            // The gateway cancelled the fetch: it closed its connection to the subgraph.
            #expect(try await silent.firstLine { $0 == "closed" ? true : nil })
            func operations(_ scrape: Scrape, _ match: String) -> Double {
                scrape.values.filter { $0.key.hasPrefix("switchyard_operations_total{") && $0.key.contains(match) }.values.reduce(0, +)
            }
            let status499 = ["method": "POST", "route": "/graphql", "status": "499"]
            var after = try await gateway.scrape()
            for _ in 0..<500 where operations(after, #"outcome="cancelled""#) < 1 || after["http_server_request_duration_seconds_count", status499] < 1 {
                try await Task.sleep(for: .milliseconds(20))
                after = try await gateway.scrape()
            }
            let series = after.values.filter { $0.key.hasPrefix("switchyard_operations_total") || $0.key.hasPrefix("switchyard_subgraph") }
            #expect(operations(after, #"code="CLIENT_CLOSED_REQUEST""#) == 1 && operations(after, #"outcome="cancelled""#) == 1, "\(series)")
            #expect(operations(after, #"outcome="errors""#) == 0, "\(series)")
            #expect(after["switchyard_subgraph_errors_total", ["subgraph": "silent", "transport": "http"]] == 0, "\(series)")
            #expect(after["switchyard_subgraph_request_duration_seconds_count", ["subgraph": "silent", "transport": "http"]] == 1, "\(series)")
            #expect(after["http_server_request_duration_seconds_count", status499] == 1)
        }
    }

    /// A request the gateway's shutdown cuts off (`shutdown_timeout_ms` passed while it ran) is
    /// logged as the gateway's doing — 503 `SHUTTING_DOWN` —, not as a client that left (probe 56C).
    @Test(.timeLimit(.minutes(2))) func aRequestCutOffByShutdownIsNotTheClientsDoing() async throws {
        try await withSilentSubgraphGateway("cutoff", extra: "shutdown_timeout_ms: 300", environment: ["LOG_LEVEL": "info"]) { gateway, process, silent, dir in
            let port = gateway.base.split(separator: ":").last.map(String.init)!
            let waiting = try leavingClient(port: port, query: "query CutOff { wait }", release: dir.appendingPathComponent("never").path, resetting: true)
            defer { waiting.stop() }
            #expect(try await silent.firstLine { $0 == "request" ? true : nil })
            process.send(signal: SIGTERM)
            let line = try await process.firstLine { $0.contains("[Gateway] operation") ? $0 : nil }
            #expect(line.contains("SHUTTING_DOWN") && line.contains("503") && !line.contains("CLIENT_CLOSED_REQUEST"), "\(line)")
            #expect(process.terminateAndWait() == 0)
        }
    }

    /// A streamed answer's request lasts until its last payload is written: an `@defer` whose
    /// deferred part takes 400 ms is timed so in `http_server_request_duration_seconds` (probe 55B:
    /// the handler's return, before the body was written, ended it — 8 ms).
    @Test(.timeLimit(.minutes(2))) func aStreamedAnswerIsTimedToItsLastPayload() async throws {
        let (_, cancellations) = AsyncStream<Void>.makeStream()
        let s = try slowSubgraph(cancellations: cancellations)
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "slow", url: "x", sdl: s.sdl)]))
        let executor = FederatedExecutor(supergraph: supergraph, transports: ["slow": InProcessTransport(subgraph: s) { _ in RequestContext() }])
        try await withGateway(GatewayConfiguration(), executor: executor) { client in
            let streamed = ["method": "POST", "route": "/graphql", "status": "200"]
            let before = try await client.scrape()
            let r = try await client.post(#"{"query":"{ fast ... @defer { slow(ms: 400) } }"}"#, accept: "multipart/mixed;deferSpec=20220824")
            #expect(r.status == 200 && r.text.contains(#""slow":"done""#), "\(r.text)")
            // (Recorded as the last payload's write ends; other tests' requests only add to the sum:
            // what this one adds is at least its 400 ms.)
            func added(_ after: Scrape) -> Double {
                after["http_server_request_duration_seconds_sum", streamed] - before["http_server_request_duration_seconds_sum", streamed]
            }
            var after = try await client.scrape()
            for _ in 0..<500 where added(after) < 0.4 {
                try await Task.sleep(for: .milliseconds(20))
                after = try await client.scrape()
            }
            #expect(added(after) >= 0.4, "\(added(after))")
        }
    }

    /// A `switchyard serve` process of its own (its registry counts only this test's requests).
    @Test func countersMoveByWhatRequestsDid() async throws {
        try await withPlatform { fixture, _, _ in
            try await withGatewayProcess(fixture) { gateway in
                let acme = [("x-tenant", "acme")]
                let before = try await gateway.scrape()
                // The same named query twice: the first document is new (its name is not a label
                // yet), the second is known (validated before) and planned from the cache.
                let probe = "query MetricsProbe { currentTenant { slug } }"
                for _ in 0..<2 {
                    let r = try await gateway.query(probe, headers: acme)
                    #expect(r.text == #"{"data":{"currentTenant":{"slug":"acme"}}}"#)
                }
                // Refused by validation, and by a limit (max_depth 15 in gateway.yaml).
                #expect(try await gateway.query("{ nope }", headers: acme).status == 422)
                // (Limits are checked before validation: the fields need not exist.)
                let deep = String(repeating: "{ a ", count: 20) + String(repeating: "}", count: 20)
                let refused = try await gateway.query(deep, headers: acme)
                #expect(refused.json?["errors"]?[0]?["extensions"]?["code"] == "MAX_DEPTH_EXCEEDED")
                // Two events appended; a tenant the tenants table does not know.
                let appended = try await gateway.query(#"mutation { appendEvents(streamId: "metrics-probe", expectedVersion: 0, events: [{type: "MetricsProbed"}, {type: "MetricsProbed"}]) { toVersion } }"#, headers: acme)
                #expect(appended.json?["data"]?["appendEvents"]?["toVersion"] == 2)
                _ = try await gateway.query(probe, headers: [("x-tenant", "no-such-tenant")])
                // An operation name longer than 64 bytes is not a label of its own (names are the
                // clients': each new one would add series for good).
                let longName = "query " + String(repeating: "L", count: 65) + " { currentTenant { slug } }"
                for _ in 0..<2 { _ = try await gateway.query(longName, headers: acme) }
                // Refused while decoding, for a known tenant: labelled with it.
                _ = try await gateway.send(.POST, "/graphql", body: Array("{bad json".utf8), headers: acme + [("content-type", "application/json")])

                let after = try await gateway.scrape()
                func delta(_ name: String, _ labels: [String: String] = [:]) -> Double { after[name, labels] - before[name, labels] }
                let ops = "switchyard_operations_total"
                #expect(delta(ops, ["type": "query", "name": "unknown", "outcome": "ok", "tenant": "acme", "code": ""]) == 2, "the probe and the long name, each new once")
                #expect(delta(ops, ["type": "query", "name": "MetricsProbe", "outcome": "ok", "tenant": "acme", "code": ""]) == 1)
                #expect(delta(ops, ["type": "unknown", "name": "unknown", "outcome": "rejected", "tenant": "acme", "code": "GRAPHQL_VALIDATION_FAILED"]) == 1)
                #expect(delta(ops, ["type": "unknown", "name": "unknown", "outcome": "rejected", "tenant": "acme", "code": "MAX_DEPTH_EXCEEDED"]) == 1)
                #expect(delta(ops, ["type": "mutation", "name": "unknown", "outcome": "ok", "tenant": "acme", "code": ""]) == 1)
                #expect(delta(ops, ["type": "query", "name": "MetricsProbe", "outcome": "ok", "tenant": "unknown", "code": ""]) == 1)
                #expect(delta("switchyard_operation_duration_seconds_count", ["type": "query", "name": "MetricsProbe", "outcome": "ok", "tenant": "acme", "code": ""]) == 1)
                // A request turned away before the pipeline is in the histogram too (its count is the operations').
                #expect(delta("switchyard_operation_duration_seconds_count", ["type": "unknown", "name": "unknown", "outcome": "rejected", "tenant": "acme", "code": "BAD_REQUEST"]) == 1)
                #expect(delta(ops, ["type": "query", "name": "other", "outcome": "ok", "tenant": "acme", "code": ""]) == 1)
                #expect(!after.values.keys.contains { $0.contains(String(repeating: "L", count: 65)) })
                #expect(delta(ops, ["type": "unknown", "name": "unknown", "outcome": "rejected", "tenant": "acme", "code": "BAD_REQUEST"]) == 1)
                #expect(delta("switchyard_limit_rejections_total", ["code": "MAX_DEPTH_EXCEEDED"]) == 1)
                // Every POST above answered: 6 × 200, 1 × 422, 2 × 400 (the depth limit, the bad JSON).
                #expect(delta("http_server_request_duration_seconds_count", ["method": "POST", "route": "/graphql", "status": "200"]) == 6)
                #expect(delta("http_server_request_duration_seconds_count", ["method": "POST", "route": "/graphql", "status": "422"]) == 1)
                // currentTenant is one fetch to the in-process tenants subgraph per planned query
                // (the probe three times, the long-named query twice).
                #expect(delta("switchyard_subgraph_request_duration_seconds_count", ["subgraph": "tenants", "transport": "in-process"]) == 5)
                #expect(delta("switchyard_subgraph_request_duration_seconds_count", ["subgraph": "events", "transport": "in-process"]) == 1)
                #expect(delta("switchyard_query_plan_cache_misses_total") == 3, "the probe, the mutation, the long-named query")
                #expect(delta("switchyard_query_plan_cache_hits_total") == 3, "the probe again, for acme and the unknown tenant; the long-named query again")
                #expect(delta("switchyard_query_planning_duration_seconds_count") == 3)
                #expect(delta("switchyard_events_appended_total", ["tenant": "acme", "type": "MetricsProbed"]) == 2)
                #expect(delta("switchyard_db_query_duration_seconds_count") > 0)
                #expect(after.has("switchyard_db_pool_connections"))
                #expect(after["switchyard_db_pool_connections", ["state": "waiting"]] == 0)

                // The projection runner catches up with the appended events and reports where it is.
                var caughtUp = false
                for _ in 0..<200 where !caughtUp {
                    let s = try await gateway.scrape()
                    caughtUp = s.has("switchyard_projection_position")
                        && s["switchyard_projection_lag_events", ["projection": "agent_stats"]] == 0
                    if !caughtUp { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(caughtUp)
            }
        }
    }

    /// Label values tenants choose (event types, operation names) are bounded per tenant as well
    /// as in all: one tenant's sixty new event types take fifty labels and count the rest as
    /// `other`; another tenant's new type still has a label of its own.
    @Test func oneTenantsNewLabelValuesDoNotUseUpTheOthers() async throws {
        try await withPlatform { fixture, _, _ in
            try await withGatewayProcess(fixture) { gateway in
                let events = (0..<60).map { #"{type: "Flood\#($0)"}"# }.joined(separator: ", ")
                let flood = try await gateway.query(#"mutation { appendEvents(streamId: "label-flood", expectedVersion: 0, events: [\#(events)]) { toVersion } }"#,
                                                    headers: [("x-tenant", "acme")])
                #expect(flood.json?["data"]?["appendEvents"]?["toVersion"] == 60, "\(flood.text)")
                let own = try await gateway.query(#"mutation { appendEvents(streamId: "label-own", expectedVersion: 0, events: [{type: "GlobexOwn"}]) { toVersion } }"#,
                                                  headers: [("x-tenant", "globex")])
                #expect(own.json?["data"]?["appendEvents"]?["toVersion"] == 1, "\(own.text)")
                let scrape = try await gateway.scrape()
                let appended = "switchyard_events_appended_total"
                let labelled = (0..<60).filter { scrape[appended, ["tenant": "acme", "type": "Flood\($0)"]] == 1 }
                #expect(labelled.count == 50, "\(labelled)")
                #expect(scrape[appended, ["tenant": "acme", "type": "other"]] == 10)
                #expect(scrape[appended, ["tenant": "globex", "type": "GlobexOwn"]] == 1)
            }
        }
    }

    /// A WebSocket operation turned away before the pipeline (its message over the tenant's
    /// `max_body_bytes`) is counted, observed and limited as an HTTP request turned away is; a
    /// path the router matches as `/graphql` (a trailing slash) is labelled so.
    @Test(.timeLimit(.minutes(2))) func webSocketRefusalsAndRouteVariantsAreCounted() async throws {
        try await withPlatform { fixture, _, _ in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-ws-\(UUID())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let demo = try String(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("gateway.yaml"), encoding: .utf8)
            let yaml = demo.replacingOccurrences(of: "  max_body_bytes: 1048576\n", with: "  max_body_bytes: 1048576\n  tenants:\n    acme: { max_body_bytes: 2000 }\n")
            #expect(yaml != demo)
            let configFile = dir.appendingPathComponent("gateway.yaml")
            try yaml.write(to: configFile, atomically: true, encoding: .utf8)
            for name in ["Schema", "subgraphs"] {
                try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(name), withDestinationURL: TestEnvironment.repositoryRoot.appendingPathComponent(name))
            }
            try await withGatewayProcess(fixture, config: configFile.path) { gateway, _ in
                let before = try await gateway.scrape()
                let port = gateway.base.split(separator: ":").last.map(String.init)!
                let script = """
                    import json, websockets.sync.client as c
                    with c.connect("ws://127.0.0.1:\(port)/graphql", subprotocols=["graphql-transport-ws"], additional_headers={"x-tenant": "acme"}, open_timeout=10) as ws:
                        ws.send(json.dumps({"type": "connection_init"}))
                        ws.recv(timeout=10)
                        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ currentTenant { slug } }", "extensions": {"pad": "x" * 5000}}}))
                        m = json.loads(ws.recv(timeout=10))
                        print(m["type"], m["payload"][0]["extensions"]["code"], flush=True)
                    """
                let ws = try ChildProcess("/usr/bin/env", ["python3", "-c", script])
                defer { ws.stop() }
                #expect(try await ws.firstLine { $0 } == "error PAYLOAD_TOO_LARGE")
                // A deferred part that fails: the operation is counted when its last payload is out,
                // with that part's error (its first payload had none).
                var deferred = HTTPClientRequest(url: gateway.base + "/graphql")
                deferred.method = .POST
                deferred.headers.add(name: "content-type", value: "application/json")
                deferred.headers.add(name: "accept", value: "multipart/mixed;deferSpec=20220824")
                deferred.headers.add(name: "x-tenant", value: "globex")
                deferred.body = .bytes(ByteBuffer(string: #"{"query":"query DeferProbe { currentTenant { slug } ... @defer { agents(first: -1) { name } } }"}"#))
                let streamed = try await HTTPClient.shared.execute(deferred, timeout: .seconds(30))
                let body = String(buffer: try await streamed.body.collect(upTo: 1 << 20))
                #expect(body.contains("BAD_USER_INPUT"), "\(body)")
                let slash = try await gateway.send(.POST, "/graphql/", body: Array(#"{"query":"{ currentTenant { slug } }"}"#.utf8),
                                                   headers: [("content-type", "application/json"), ("x-tenant", "globex")])
                #expect(slash.status == 200, "\(slash.text)")
                let after = try await gateway.scrape()
                func delta(_ name: String, _ labels: [String: String] = [:]) -> Double { after[name, labels] - before[name, labels] }
                let refused = ["type": "unknown", "name": "unknown", "outcome": "rejected", "tenant": "acme", "code": "PAYLOAD_TOO_LARGE"]
                #expect(delta("switchyard_operations_total", refused) == 1)
                #expect(delta("switchyard_operation_duration_seconds_count", refused) == 1)
                #expect(delta("switchyard_limit_rejections_total", ["code": "PAYLOAD_TOO_LARGE"]) == 1)
                #expect(delta("http_server_request_duration_seconds_count", ["method": "POST", "route": "/graphql", "status": "200"]) == 2)
                #expect(delta("switchyard_operations_total", ["type": "query", "name": "unknown", "outcome": "errors", "tenant": "globex", "code": "BAD_USER_INPUT"]) == 1,
                        "\(after.values.filter { $0.key.contains("globex") })")
            }
        }
    }

    /// Every PromQL expression of deploy/grafana/switchyard.json and deploy/prometheus/alerts.yml,
    /// evaluated by a real Prometheus (Debian's) scraping a gateway process after real traffic,
    /// answers with data (Tests/Fixtures/prometheus/check_queries.py).
    @Test(.timeLimit(.minutes(3))) func everyDashboardAndAlertQueryAnswersFromARealPrometheus() async throws {
        try await withPlatform { fixture, _, _ in
            try await withGatewayProcess(fixture) { gateway in
                let acme = [("x-tenant", "acme")]
                let unique = UUID().uuidString.prefix(8)
                for _ in 0..<3 { _ = try await gateway.query("{ currentTenant { slug } }", headers: acme) }
                _ = try await gateway.query("{ nope }", headers: acme)
                _ = try await gateway.query("{ " + (1...31).map { "a\($0): __typename" }.joined(separator: " ") + " }", headers: acme)
                let append = #"mutation { appendEvents(streamId: "dash-\#(unique)", expectedVersion: 0, events: [{type: "DashboardProbe"}]) { toVersion } }"#
                _ = try await gateway.query(append, headers: acme)
                _ = try await gateway.query(append, headers: acme)   // CONFLICT: an operation with errors
                _ = try await gateway.query(#"mutation { submitTask(input: {title: "dashboard probe"}) { id } }"#, headers: acme)
                for _ in 0..<2 { _ = try await gateway.query(#"{ searchDataProducts(query: "orders \#(unique)") { total } }"#, headers: acme) }
                let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/prometheus/check_queries.py").path
                let check = try ChildProcess("/usr/bin/env", ["python3", script, gateway.base])
                defer { check.stop() }
                _ = try await check.firstLine { $0 == "finished" ? $0 : nil }
                let lines = check.lines
                let results = lines.filter { $0.hasPrefix("ok ") || $0.hasPrefix("EMPTY ") || $0.hasPrefix("FAIL ") }
                #expect(results.count > 40, "\(lines.joined(separator: "\n"))")
                #expect(results.allSatisfy { $0.hasPrefix("ok ") }, "\(results.filter { !$0.hasPrefix("ok ") }.joined(separator: "\n"))")
                #expect(lines.contains("ok promtool") || !FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"))
            }
        }
    }

    /// LOG_FORMAT=json: every line is one JSON object; each operation has an access log line.
    @Test func jsonLogsWithOneAccessLineperOperation() async throws {
        try await withPlatform { fixture, _, _ in
          try await withGatewayProcess(fixture, environment: ["LOG_LEVEL": "info", "LOG_FORMAT": "json"]) { gateway, child in
            for _ in 0..<2 { _ = try await gateway.query("query Probe { currentTenant { slug } }", headers: [("x-tenant", "acme")]) }
            _ = try await gateway.query("{ nope }", headers: [("x-tenant", "acme")])
            // Refused before execution to a client of GraphQL over SSE: a 200 stream with the
            // errors as its event, and that status on the access line (it said 422).
            let sse = try await gateway.post(#"{"query":"{ nope }"}"#, accept: "text/event-stream", headers: [("x-tenant", "acme")])
            #expect(sse.status == 200 && sse.text.hasPrefix("event: next"), "\(sse.text)")
            let access = try await child.lines(4) { $0.contains(#""message":"operation""#) }
            let objects = access.compactMap { try? JSONReader.parse($0) }
            #expect(objects.count == 4)
            #expect(objects.map { $0["tenant"] } == ["acme", "acme", "acme", "acme"])
            #expect(objects.map { $0["outcome"] } == ["ok", "ok", "rejected", "rejected"])
            #expect(objects.map { $0["status"] } == [200, 200, 422, 200])
            #expect(objects[1]["operation_name"] == "Probe")
            #expect(objects[2]["code"] == "GRAPHQL_VALIDATION_FAILED")
            #expect(objects.allSatisfy { $0["level"] == "info" && $0["time"]?.stringValue != nil && $0["duration_ms"] != nil })
            // Every line the process wrote is JSON (the listening banner aside).
            #expect(child.lines.filter { !$0.hasPrefix("switchyard listening") }.allSatisfy { (try? JSONReader.parse($0)) != nil })
          }
        }
    }

    /// Text logs (the default): swift-log's layout, `<time> <level> <label> : <key=value …> [<module>] <message>`,
    /// one access line per operation with its metadata sorted by key.
    @Test func textLogsWithOneAccessLinePerOperation() async throws {
        try await withPlatform { fixture, _, _ in
          try await withGatewayProcess(fixture, environment: ["LOG_LEVEL": "info", "LOG_FORMAT": "text"]) { gateway, child in
            _ = try await gateway.query("query Probe { currentTenant { slug } }", headers: [("x-tenant", "acme")])
            _ = try await gateway.query("query Probe { currentTenant { slug } }", headers: [("x-tenant", "acme")])
            _ = try await gateway.query("{ nope }", headers: [("x-tenant", "acme")])
            let access = try await child.lines(3) { $0.hasSuffix("] operation") }
            #expect(access.count == 3)
            let time = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} info "#)
            #expect(access.allSatisfy { $0.contains(time) }, "\(access)")
            func pairs(_ line: String) -> [String] {
                guard let colon = line.range(of: " : "), let end = line.range(of: " [", options: .backwards) else { return [] }
                return line[colon.upperBound..<end.lowerBound].split(separator: " ").map(String.init)
            }
            #expect(pairs(access[1]).filter { !$0.hasPrefix("duration_ms=") }
                    == ["operation_name=Probe", "operation_type=query", "outcome=ok", "status=200", "tenant=acme"], "\(access[1])")
            #expect(pairs(access[2]).contains("code=GRAPHQL_VALIDATION_FAILED") && pairs(access[2]).contains("outcome=rejected"), "\(access[2])")
            #expect(access.allSatisfy { pairs($0).map { $0.split(separator: "=")[0] } == pairs($0).map { $0.split(separator: "=")[0] }.sorted() })
            // A value that is not one plain word (a client's header, a subgraph's code) is quoted
            // and escaped: it cannot forge pairs or lines of its own.
            _ = try await gateway.query("query Odd { __typename }", headers: [("x-tenant", "no such=\"tenant\"")])
            let odd = try await child.lines(1) { $0.hasSuffix("] operation") && $0.contains("no such") }
            #expect(odd.first?.contains(#"tenant="no such=\"tenant\"""#) == true, "\(odd)")
            var out: [UInt8] = []
            LineLogHandler.appendValue("FORGED\n2099-01-01T00:00:00+0000 info x", to: &out)
            #expect(!out.contains(10) && String(decoding: out, as: UTF8.self).hasPrefix("\"FORGED\\n"))
            out = []
            LineLogHandler.appendMessage("two\nlines", to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "two\\nlines")
          }
        }
    }
}
