import Foundation
import Gateway
import GraphQLCore
import Testing
import TestSupport

/// OpenTelemetry traces, end to end: `switchyard serve` exports over OTLP/HTTP to a collector
/// written with opentelemetry-proto (Tests/Fixtures/otlp/collector.py), in front of in-package
/// subgraphs on PostgreSQL and a remote graphql-core subgraph.
@Suite("Traces")
struct TracingTests {
    /// A client's traceparent is continued: the request's span is its child, the stages and every
    /// subgraph fetch, DataLoader batch and SQL statement are spans of the same trace, the remote
    /// subgraph receives the fetch span as its parent, the trace id comes back in extensions when
    /// asked, and the JSON access log line carries it.
    @Test(.timeLimit(.minutes(3))) func aClientsTraceIsContinuedThroughEveryStageFetchAndStatement() async throws {
        let collector = try ChildProcess("/usr/bin/env", ["python3", TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/otlp/collector.py").path])
        defer { collector.stop() }
        let collectorPort = try await collector.firstLine { Int($0) }
        let spansURL = GatewayClient(base: "http://127.0.0.1:\(collectorPort)")
        let fixture = try await PlatformFixture.make()
        do { try await traced(fixture, collectorPort, spansURL) } catch {
            await fixture.destroy()
            throw error
        }
        await fixture.destroy()
    }

    func traced(_ fixture: PlatformFixture, _ collectorPort: Int, _ spansURL: GatewayClient) async throws {
        // A remote subgraph that fails with a GraphQL body (a 500 and its own error).
        let failing = try ChildProcess("/usr/bin/env", ["python3", TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/python-subgraph/status_subgraph.py").path,
                                                        "500", #"{"errors":[{"message":"database is on fire"}]}"#])
        defer { failing.stop() }
        let failingPort = try await failing.firstLine { Int($0) }
        let failingSDL = FileManager.default.temporaryDirectory.appendingPathComponent("failing-\(UUID().uuidString).graphql")
        try #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"]) type Query { burning: String }"#
            .write(to: failingSDL, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: failingSDL) }
        // A remote subgraph with subscriptions (over WebSocket).
        let strawberry = try ChildProcess("/usr/bin/env", ["python3", TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/python-subgraph/strawberry_subscriptions.py").path])
        defer { strawberry.stop() }
        let strawberryPort = try await strawberry.firstLine { Int($0) }
        try await withPythonSubgraph { notesURL in
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("tracing-\(UUID().uuidString).yaml").path
            try """
            listen: "127.0.0.1:0"
            subgraphs:
              - { name: tenants, module: tenants }
              - { name: agents, module: agents }
              - { name: projections, module: projections }
              - { name: accounts, module: bench_accounts }
              - { name: notes, url: "\(notesURL)" }
              - { name: failing, url: "http://127.0.0.1:\(failingPort)/graphql", schema: "\(failingSDL.path)" }
              - { name: reviews, url: "http://127.0.0.1:\(strawberryPort)/graphql" }
            tenancy: { development_header: true }
            rate_limits: { enabled: true }
            limits: { max_body_bytes: 4000 }
            tracing:
              enabled: true
              endpoint: "http://127.0.0.1:\(collectorPort)/v1/traces"
              service_name: switchyard-test
              export_interval_ms: 50
            """.write(toFile: config, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: config) }
            try await withGatewayProcess(fixture, environment: ["LOG_LEVEL": "info", "LOG_FORMAT": "json",
                                                                "SWITCHYARD_SCHEMA_DIR": TestEnvironment.repositoryRoot.appendingPathComponent("Schema").path],
                                         config: config) { gateway, child in
                try await checkTrace(gateway, child, notesURL: notesURL, spansURL: spansURL)
                try await checkFailuresAndStreams(gateway, child, spansURL: spansURL)
            }
        }
    }

    func checkTrace(_ gateway: GatewayClient, _ child: ChildProcess, notesURL: String, spansURL: GatewayClient) async throws {
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736", clientSpan = "00f067aa0ba902b7"
        let query = """
        query Traced { tenant(slug: "acme") { name agents(first: 3) { name stats { tasksCompleted } } } users { id name notes } }
        """
        let r = try await gateway.query(query, headers: [("x-tenant", "acme"), ("traceparent", "00-\(traceID)-\(clientSpan)-01"),
                                                        ("x-switchyard-trace-id", "true")])
        #expect(r.status == 200)
        #expect(r.json?["errors"] == nil, "\(r.text)")
        #expect(r.json?["data"]?["users"]?.arrayValue?.count == 6)
        #expect(r.json?["extensions"]?["traceId"] == .string(traceID))

        // Wait for the last span of the request to be exported (it is sent every 50 ms).
        var trace: [JSON] = []
        for _ in 0..<400 {
            trace = (try await spansURL.send(.GET, "/spans")).json?.arrayValue?.filter { $0["traceId"] == .string(traceID) } ?? []
            if trace.contains(where: { $0["kind"] == 2 }) && trace.contains(where: { $0["name"] == "fetch notes" }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let names = trace.compactMap { $0["name"]?.stringValue }
        #expect(trace.allSatisfy { $0["service"] == "switchyard-test" })
        // The request's span (kind SERVER) is the client span's child.
        let server = try #require(trace.first { $0["kind"] == 2 }, "\(names)")
        #expect(server["parentSpanId"] == .string(clientSpan))
        #expect(server["attributes"]?["http.request.method"] == "POST")
        #expect(server["name"] == "POST /graphql")
        // Every other span has its parent in the trace: one tree under the request.
        let ids = Set(trace.compactMap { $0["spanId"]?.stringValue })
        #expect(trace.filter { $0["kind"] != 2 }.allSatisfy { ids.contains($0["parentSpanId"]?.stringValue ?? "") }, "\(names)")
        for stage in ["graphql.parse", "graphql.validate", "graphql.plan", "graphql.execute"] { #expect(names.contains(stage), "\(names)") }
        let execute = try #require(trace.first { $0["name"] == "graphql.execute" })
        #expect(execute["attributes"]?["graphql.operation.name"] == "Traced")
        // One client span per subgraph fetch, under the execution.
        for subgraph in ["tenants", "agents", "projections", "accounts", "notes"] {
            let fetch = trace.first { $0["name"] == .string("fetch \(subgraph)") }
            #expect(fetch?["attributes"]?["switchyard.subgraph.name"] == .string(subgraph), "\(names)")
            #expect(fetch?["kind"] == 3)
        }
        #expect(trace.first { $0["name"] == "fetch notes" }?["attributes"]?["switchyard.subgraph.transport"] == "http")
        // SQL statements: db.system and the text with placeholders, never the values.
        let sql = trace.filter { $0["attributes"]?["db.system"] == "postgresql" }
        #expect(sql.count >= 3)
        #expect(sql.contains { $0["name"] == "SELECT" && ($0["attributes"]?["db.statement"]?.stringValue ?? "").contains("$1") })
        #expect(!sql.contains { ($0["attributes"]?["db.statement"]?.stringValue ?? "").contains("acme") })
        // Redis commands (the rate limiter's): the command's name, never its arguments.
        let redis = trace.filter { $0["attributes"]?["db.system"] == "redis" }
        #expect(!redis.isEmpty, "\(names)")
        #expect(redis.allSatisfy { $0["attributes"]?["db.statement"] == $0["name"] })
        // In-process DataLoader batches, each under its own subgraph's fetch (they run at idle
        // moments shared by the subgraphs, whatever span is current then).
        #expect(names.contains { $0.hasPrefix("batch ") }, "\(names)")
        let byID = Dictionary(trace.compactMap { s in s["spanId"]?.stringValue.map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
        for batch in trace where batch["name"]?.stringValue?.hasPrefix("batch ") == true {
            let parent = batch["parentSpanId"]?.stringValue.flatMap { byID[$0] }
            #expect(parent?["name"]?.stringValue?.hasPrefix("fetch ") == true, "\(batch["name"]?.stringValue ?? "") under \(parent?["name"]?.stringValue ?? "nothing")")
        }

        // The remote subgraph got the trace: its parent is the gateway's fetch span.
        let fetchNotes = try #require(trace.first { $0["name"] == "fetch notes" })
        let seen = try await GatewayClient(base: String(notesURL.dropLast("/graphql".count))).send(.GET, "/")
        let parents = seen.json?["traceparents"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(parents.contains { $0.hasPrefix("00-\(traceID)-") }, "\(parents)")
        let notesParent = parents.first { $0.hasPrefix("00-\(traceID)-") }?.split(separator: "-").dropFirst(2).first.map(String.init)
        // (The fetch span is the request's client span: no span of the HTTP client's own, which
        // exported the subgraph's URL with its query.)
        #expect(notesParent == fetchNotes["spanId"]?.stringValue, "\(String(describing: notesParent))")
        #expect(!trace.contains { $0["attributes"]?["url.full"] != nil || $0["attributes"]?["url.query"] != nil }, "\(names)")

        // The access log line carries the trace id.
        let access = try await child.lines(1) { $0.contains(#""message":"operation""#) }
        #expect(access.first.flatMap { try? JSONReader.parse($0) }?["trace_id"] == .string(traceID), "\(access)")

        // A client's decision not to sample is kept: no spans, but the subgraph still gets the
        // trace (flags 00).
        let unsampled = "0af7651916cd43dd8448eb211c80319c"
        let quiet = try await gateway.query("{ users { id notes } }", headers: [("traceparent", "00-\(unsampled)-b7ad6b7169203331-00")])
        #expect(quiet.status == 200)
        let quietParents = try await GatewayClient(base: String(notesURL.dropLast("/graphql".count))).send(.GET, "/").json?["traceparents"]?
            .arrayValue?.compactMap(\.stringValue) ?? []
        #expect(quietParents.contains { $0.hasPrefix("00-\(unsampled)-") && $0.hasSuffix("-00") }, "\(quietParents)")
        // Without a traceparent a new trace starts (sampling ratio 1).
        let fresh = try await gateway.query("{ users { id } }", headers: [("x-switchyard-trace-id", "true")])
        let freshID = fresh.json?["extensions"]?["traceId"]?.stringValue ?? ""
        #expect(freshID.count == 32 && freshID != traceID && freshID != String(repeating: "0", count: 32))
        // Spans are exported in the order they end: once the new trace's request span is there,
        // any span of the unsampled request would be too.
        var exported: [JSON] = []
        for _ in 0..<400 {
            exported = (try await spansURL.send(.GET, "/spans")).json?.arrayValue ?? []
            if exported.contains(where: { $0["traceId"] == .string(freshID) && $0["kind"] == 2 }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(exported.contains { $0["traceId"] == .string(freshID) && $0["kind"] == 2 })
        #expect(!exported.contains { $0["traceId"] == .string(unsampled) })
        // Without the header, no trace id in the answer.
        let plain = try await gateway.query("{ users { id } }")
        #expect(plain.json?["extensions"] == nil)
        // A request error carries it too (the failed requests are the ones a client looks up).
        let parseError = try await gateway.query("{ users {", headers: [("x-switchyard-trace-id", "true")])
        #expect(parseError.status == 400)
        #expect(parseError.json?["extensions"]?["traceId"]?.stringValue?.count == 32, "\(parseError.text)")
        // A request turned away before the pipeline (a body that is not JSON) has its access line.
        #expect(try await gateway.post(#"{"query":"#).status == 400)
        let refused = try await child.lines(1) { $0.contains(#""message":"operation""#) && $0.contains(#""code":"BAD_REQUEST""#) }
        #expect(refused.first?.contains(#""outcome":"rejected""#) == true, "\(refused)")
        // A malformed traceparent starts a new trace and is not logged with the request's
        // headers (the propagator's warning printed them all, a bearer token included).
        for bad in ["garbage", "00-\(traceID.uppercased())-\(clientSpan)-01", "00-\(String(repeating: "0", count: 32))-\(clientSpan)-01"] {
            let r = try await gateway.query("{ users { id } }", headers: [("traceparent", bad), ("authorization-probe", "Bearer SECRET-PROBE"),
                                                                          ("x-switchyard-trace-id", "true")])
            #expect(r.status == 200)
            let id = r.json?["extensions"]?["traceId"]?.stringValue ?? ""
            #expect(id.count == 32 && id != traceID.lowercased(), "\(bad): \(id)")
        }
        // An operation over a WebSocket is one trace, continuing the upgrade's traceparent: a
        // server span with the stages under it.
        let wsTrace = "5bf92f3577b34da6a3ce929d0e0e4736", wsParent = "10f067aa0ba902b7"
        let wsURL = gateway.base.replacingOccurrences(of: "http://", with: "ws://") + "/graphql"
        let wsClient = try ChildProcess("/usr/bin/env", [TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/websocket-clients/ws_query.py").path,
                                                         wsURL, "{ users { id } }", #"{"traceparent":"00-\#(wsTrace)-\#(wsParent)-01","x-tenant":"acme"}"#].reduce(into: ["python3"]) { $0.append($1) })
        defer { wsClient.stop() }
        #expect(try await wsClient.firstLine { $0 == "done" || $0.hasPrefix("error") ? $0 : nil } == "done")
        var wsSpans: [JSON] = []
        for _ in 0..<400 {
            wsSpans = (try await spansURL.send(.GET, "/spans")).json?.arrayValue?.filter { $0["traceId"] == .string(wsTrace) } ?? []
            if wsSpans.contains(where: { $0["kind"] == 2 }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let wsServer = wsSpans.first { $0["kind"] == 2 }
        #expect(wsServer?["name"] == "WebSocket /graphql" && wsServer?["parentSpanId"] == .string(wsParent), "\(wsSpans.compactMap { $0["name"]?.stringValue })")
        for stage in ["graphql.parse", "graphql.validate", "graphql.execute"] {
            #expect(wsSpans.contains { $0["name"]?.stringValue == stage }, "\(stage) in the WebSocket operation's trace")
        }
        // GET keeps its query string (the operation's variables) out of the server span.
        let viaGet = try await gateway.send(.GET, "/graphql?query=%7B%20users%20%7B%20id%20%7D%20%7D&variables=%7B%22secret%22%3A%22VARSECRET%22%7D",
                                            headers: [("x-switchyard-trace-id", "true")])
        let getID = viaGet.json?["extensions"]?["traceId"]?.stringValue ?? ""
        var getSpans: [JSON] = []
        for _ in 0..<400 {
            getSpans = (try await spansURL.send(.GET, "/spans")).json?.arrayValue?.filter { $0["traceId"] == .string(getID) } ?? []
            if getSpans.contains(where: { $0["kind"] == 2 }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(getSpans.first { $0["kind"] == 2 }?["name"] == "GET /graphql")
        #expect(!getSpans.contains { $0.text.contains("VARSECRET") }, "\(getSpans)")
        // A path that is no route's: a server span named by its method alone (a scanner's paths
        // would make its names unbounded), with its status, not an error (4xx on a server span).
        let stray = "00-6bf92f3577b34da6a3ce929d0e0e4736-20f067aa0ba902b7-01"
        #expect(try await gateway.send(.GET, "/wp-admin/x7", headers: [("traceparent", stray)]).status == 404)
        var strays: [JSON] = []
        for _ in 0..<400 {
            strays = (try await spansURL.send(.GET, "/spans")).json?.arrayValue?.filter { $0["traceId"] == "6bf92f3577b34da6a3ce929d0e0e4736" } ?? []
            if !strays.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let strayServer = strays.first { $0["kind"] == 2 }
        #expect(strayServer?["name"] == "GET", "\(strays)")
        #expect(strayServer?["attributes"]?["http.response.status_code"] == 404, "\(strays)")
        #expect(strayServer?["status"] != "error" && strayServer?["status"] != 2, "\(strays)")
        let logged = child.lines.joined(separator: "\n")
        #expect(!logged.contains("SECRET-PROBE") && !logged.contains("Failed to extract"), "\(logged.suffix(2_000))")
        // `logging.format: json`: every line is a JSON object, the one that says where it listens too.
        #expect(child.lines.filter { !$0.isEmpty }.allSatisfy { $0.hasPrefix("{") }, "\(logged.prefix(2_000))")
        #expect(child.lines.contains { $0.hasPrefix("{") && $0.contains("listening on http://127.0.0.1:") })
    }

    /// The spans of one trace, once one of them passes `until` (they are exported every 50 ms).
    func spans(_ traceID: String, _ spansURL: GatewayClient, until: (JSON) -> Bool) async throws -> [JSON] {
        var trace: [JSON] = []
        for _ in 0..<400 {
            trace = (try await spansURL.send(.GET, "/spans")).json?.arrayValue?.filter { $0["traceId"] == .string(traceID) } ?? []
            if trace.contains(where: until) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return trace
    }

    /// What the operator sees of failures and streams: a subgraph's failure status with a GraphQL
    /// body (a warning, an ERROR fetch span), a request refused before the pipeline (its trace id
    /// for the client, its tenant in the access line), a subscription's execution and fetch spans,
    /// and no background statement as a trace of its own.
    func checkFailuresAndStreams(_ gateway: GatewayClient, _ child: ChildProcess, spansURL: GatewayClient) async throws {
        let failingTrace = "7bf92f3577b34da6a3ce929d0e0e4736"
        let burning = try await gateway.query("{ burning }", headers: [("traceparent", "00-\(failingTrace)-30f067aa0ba902b7-01")])
        #expect(burning.json?["errors"]?.arrayValue?.map { $0["message"] } == ["database is on fire", "Subgraph \"failing\" answered with status 500."],
                "\(burning.text)")
        let fetch = try await spans(failingTrace, spansURL) { $0["name"] == "fetch failing" }.first { $0["name"] == "fetch failing" }
        #expect(fetch?["status"] == 2 && fetch?["attributes"]?["http.response.status_code"] == 500, "\(String(describing: fetch))")
        let warning = try await child.lines(1) { $0.contains(#""message":"subgraph request failed""#) && $0.contains(#""subgraph":"failing""#) }
        #expect(warning.first?.contains(#""cause":"database is on fire""#) == true, "\(warning)")
        #expect(warning.first?.contains(#""code":"SUBREQUEST_HTTP_ERROR""#) == true, "\(warning)")

        // Refused before the pipeline: the trace id is there for a client that asks.
        let asking = [("x-switchyard-trace-id", "true"), ("x-tenant", "acme")]
        let tooLarge = try await gateway.post(#"{"query":"{ users { id } }","x":"\#(String(repeating: "x", count: 5_000))"}"#, headers: asking)
        #expect(tooLarge.status == 413 && tooLarge.json?["extensions"]?["traceId"]?.stringValue?.count == 32, "\(tooLarge.text)")
        let notJSON = try await gateway.post(#"{"query":"#, headers: asking)
        #expect(notJSON.status == 400 && notJSON.json?["extensions"]?["traceId"]?.stringValue?.count == 32, "\(notJSON.text)")
        #expect(try await gateway.post(#"{"query":"#).json?["extensions"] == nil)
        // A 415 is counted and logged for its tenant.
        let plainText = try await gateway.send(.POST, "/graphql", body: Array(#"{"query":"{ users { id } }"}"#.utf8),
                                               headers: [("content-type", "text/plain"), ("x-tenant", "acme")])
        #expect(plainText.status == 415)
        let access = try await child.lines(1) { $0.contains(#""message":"operation""#) && $0.contains(#""status":415"#) }
        #expect(access.first?.contains(#""tenant":"acme""#) == true, "\(access)")

        // A subscription's trace has its execution and its subgraph's fetch.
        let subscriptionTrace = "8bf92f3577b34da6a3ce929d0e0e4736"
        let sse = try ChildProcess("/usr/bin/env", ["python3", TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/websocket-clients/sse_subscribe.py").path,
                                                    gateway.base + "/graphql", "subscription Watched { tasks { title } }",
                                                    #"{"x-tenant":"acme","traceparent":"00-\#(subscriptionTrace)-40f067aa0ba902b7-01"}"#])
        defer { sse.stop() }
        #expect(try await sse.firstLine { $0 == "ready" || $0.hasPrefix("error") ? $0 : nil } == "ready")
        let streamed = try await spans(subscriptionTrace, spansURL) { $0["name"] == "fetch agents" }
        let execute = streamed.first { $0["name"] == "graphql.execute" }
        #expect(execute?["attributes"]?["graphql.operation.type"] == "subscription", "\(streamed.compactMap { $0["name"]?.stringValue })")
        let subscribed = streamed.first { $0["name"] == "fetch agents" }
        #expect(subscribed?["kind"] == 3 && subscribed?["parentSpanId"] == execute?["spanId"], "\(streamed)")
        sse.stop()

        // A remote subgraph's subscription (over WebSocket) carries the trace in its handshake,
        // under its fetch span, as its HTTP requests do (probe 55B: nothing, or with the client's
        // traceparent propagated the client's own, which skipped the gateway's spans).
        let remoteTrace = "abf92f3577b34da6a3ce929d0e0e4736"
        let handshake = try await gateway.post(#"{"query":"subscription { handshake { traceparent } }"}"#, accept: "text/event-stream",
                                               headers: [("x-tenant", "acme"), ("traceparent", "00-\(remoteTrace)-60f067aa0ba902b7-01")])
        let sent = handshake.text.components(separatedBy: "\n").first { $0.hasPrefix("data: {") }
            .flatMap { try? JSONReader.parse(Array($0.dropFirst(6).utf8)) }?["data"]?["handshake"]?["traceparent"]?.stringValue
        let fetchReviews = try await spans(remoteTrace, spansURL) { $0["name"] == "fetch reviews" }.first { $0["name"] == "fetch reviews" }
        let fetchSpanID = try #require(fetchReviews?["spanId"]?.stringValue, "\(handshake.text)")
        #expect(sent == "00-\(remoteTrace)-\(fetchSpanID)-01", "\(handshake.text)")

        // A later version of traceparent is continued from its first 55 characters (W3C Trace
        // Context, versioning): its trace id, its parent, its sampling.
        let laterTrace = "bbf92f3577b34da6a3ce929d0e0e4736"
        #expect(try await gateway.query("{ users { id } }", headers: [("traceparent", "01-\(laterTrace)-70f067aa0ba902b7-01-what-comes-next")]).status == 200)
        let later = try await spans(laterTrace, spansURL) { $0["kind"] == 2 }
        #expect(later.first { $0["kind"] == 2 }?["parentSpanId"] == "70f067aa0ba902b7", "\(later)")

        // A deferred operation's execution, and the request's span, last until its last payload:
        // the deferred fragment's fetches (agents, then projections for the stats) are children of
        // the execution and end within both.
        let deferredTrace = "9bf92f3577b34da6a3ce929d0e0e4736"
        let deferred = try await gateway.post(#"{"query":"query Deferred { tenant(slug: \"acme\") { name ... @defer { agents(first: 2) { name stats { tasksCompleted } } } } }"}"#,
                                              accept: "multipart/mixed;deferSpec=20220824,application/json",
                                              headers: [("x-tenant", "acme"), ("traceparent", "00-\(deferredTrace)-50f067aa0ba902b7-01")])
        #expect(deferred.status == 200 && deferred.text.contains(#""hasNext":true"#) && deferred.text.contains("tasksCompleted"), "\(deferred.text)")
        let deferSpans = try await spans(deferredTrace, spansURL) { $0["kind"] == 2 }
        let deferServer = try #require(deferSpans.first { $0["kind"] == 2 }, "\(deferSpans.compactMap { $0["name"]?.stringValue })")
        let deferExecute = try #require(deferSpans.first { $0["name"] == "graphql.execute" }, "\(deferSpans.compactMap { $0["name"]?.stringValue })")
        let laterFetches = deferSpans.filter { $0["name"] == "fetch agents" || $0["name"] == "fetch projections" }
        #expect(laterFetches.count == 2, "\(deferSpans.compactMap { $0["name"]?.stringValue })")
        for fetch in laterFetches {
            #expect(fetch["parentSpanId"] == deferExecute["spanId"], "\(fetch)")
            #expect((fetch["end"]?.intValue ?? .max) <= (deferExecute["end"]?.intValue ?? 0), "\(fetch) after \(deferExecute)")
            #expect((fetch["end"]?.intValue ?? .max) <= (deferServer["end"]?.intValue ?? 0), "\(fetch) after \(deferServer)")
        }

        // Statements and commands are spans of a request's trace only: none is a trace of its own
        // (the projections' poller, the quota reloads, LISTEN run in the background).
        let all = (try await spansURL.send(.GET, "/spans")).json?.arrayValue ?? []
        let orphans = all.filter { $0["attributes"]?["db.system"] != nil && ($0["parentSpanId"]?.stringValue ?? "").isEmpty }
        #expect(orphans.isEmpty, "\(orphans.prefix(5))")
    }

    /// A failure every request meets while a database is down is logged once per period per kind,
    /// and the next line says how many like it were left out (probe 55B: one line per request).
    @Test func repeatedFailuresAreLoggedOncePerPeriod() async throws {
        let hourly = LogThrottle(every: .seconds(3_600))
        #expect(hourly.admit("PostgresError 08006") == 0)
        #expect((0..<50).allSatisfy { _ in hourly.admit("PostgresError 08006") == nil })
        #expect(hourly.admit("PostgresError 57014") == 0)   // another kind has a line of its own
        let brief = LogThrottle(every: .seconds(2))
        #expect(brief.admit("store") == 0)
        #expect(brief.admit("store") == nil && brief.admit("store") == nil)
        try await Task.sleep(for: .milliseconds(2_100))
        #expect(brief.admit("store") == 2)
    }

    /// A misspelt log level or format is refused (it ran at info / text without a word);
    /// `warn` is `warning`, case aside.
    @Test func loggingSettingsAreChecked() throws {
        for bad in ["logging: { level: bogus }", "logging: { format: xml }", "logging: { format: JSON }"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { _ = try GatewayConfiguration.parse(yaml: bad).validate() }
        }
        for good in ["logging: { level: warn }", "logging: { level: WARNING, format: json }", "logging: { level: debug, format: text }"] {
            #expect(throws: Never.self, "\(good)") { _ = try GatewayConfiguration.parse(yaml: good).validate() }
        }
        #expect(LoggingConfiguration.level("warn") == .warning && LoggingConfiguration.level("Error") == .error)
    }

    /// A YAML error says where it is, never what is written there (a token on that line reached the log).
    @Test func aYAMLErrorDoesNotQuoteTheLine() throws {
        do {
            _ = try GatewayConfiguration.parse(yaml: "headers:\n  insert:\n    authorization: \"Bearer SUPERSECRETTOKEN\" oops\n")
            Issue.record("a YAML syntax error was read")
        } catch let e as ConfigurationError {
            #expect(!"\(e)".contains("SUPERSECRETTOKEN"), "\(e)")
            #expect("\(e)".contains("line 3"), "\(e)")
        }
        // A key given twice: where and which key, not the file (the library's message quotes it whole).
        do {
            _ = try GatewayConfiguration.parse(yaml: "postgres:\n  url: postgres://app:PASSWORD-SECRET@db/x\nlisten: \"127.0.0.1:4000\"\npostgres:\n  url: postgres://b\n")
            Issue.record("a mapping with a key twice was read")
        } catch let e as ConfigurationError {
            #expect(!"\(e)".contains("PASSWORD-SECRET"), "\(e)")
            #expect("\(e)".contains("'postgres'") && "\(e)".contains("line 1"), "\(e)")
        }
    }

    @Test func tracingSettingsAreChecked() throws {
        #expect(throws: ConfigurationError.self) { _ = try GatewayConfiguration.parse(yaml: "tracing: { enabled: true, sampling_ratio: 2 }").validate() }
        #expect(throws: ConfigurationError.self) { _ = try GatewayConfiguration.parse(yaml: "tracing: { enabled: true, endpoint: 'collector:4318' }").validate() }
        let config = try GatewayConfiguration.parse(yaml: "tracing: { enabled: true, sampling_ratio: 0.25 }")
        #expect(config.tracing.samplingRatio == 0.25 && config.tracing.endpoint == "http://127.0.0.1:4318/v1/traces")
    }
}
