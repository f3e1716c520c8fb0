import AsyncHTTPClient
import Federation
import Foundation
import Gateway
import GraphQLCore
import SubgraphKit
import Synchronization
import Testing
import TestSupport

/// A subgraph whose `slow` field takes `ms` milliseconds and says on `cancellations` when its
/// work was cancelled.
/// A gateway over one remote subgraph, `Query { <field>: String }`, served by a Python script of
/// `Tests/Fixtures/python-subgraph` that prints its port first (the script runs for the body).
func withScriptedSubgraph(_ script: String, _ arguments: [String], field: String, timeoutMs: Int? = nil, requestTimeoutMs: Int? = 30_000,
                          configure: (inout GatewayConfiguration) -> Void = { _ in },
                          _ body: (GatewayClient, ChildProcess) async throws -> Void) async throws {
    let path = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/python-subgraph/\(script)").path
    let subgraph = try ChildProcess("/usr/bin/env", ["python3", path] + arguments)
    defer { subgraph.stop() }
    let port = try await subgraph.firstLine { Int($0) }
    let sdl = FileManager.default.temporaryDirectory.appendingPathComponent("scripted-\(UUID().uuidString).graphql")
    try #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"]) type Query { \#(field): String }"#
        .write(to: sdl, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: sdl) }
    var config = GatewayConfiguration()
    config.subgraphs = [SubgraphConfiguration(name: "scripted", url: "http://127.0.0.1:\(port)/graphql", schema: sdl.path, timeoutMs: timeoutMs)]
    config.limits.requestTimeoutMs = requestTimeoutMs
    configure(&config)
    try await withConfiguredGateway(config) { client, _ in try await body(client, subgraph) }
}

/// A client that posts `query` to the gateway on `port`, and once the file `release` exists leaves
/// before its answer: resetting the connection, or closing its side of it (a half-close).
func leavingClient(port: String, query: String, release: String, resetting: Bool) throws -> ChildProcess {
    let script = """
        import json, os, socket, struct, sys, time
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        body = json.dumps({"query": sys.argv[2]}).encode()
        s.sendall(b"POST /graphql HTTP/1.1\\r\\nHost: x\\r\\ncontent-type: application/json\\r\\ncontent-length: %d\\r\\n\\r\\n" % len(body) + body)
        while not os.path.exists(sys.argv[3]): time.sleep(0.02)
        if sys.argv[4] == "rst": s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()
        else: s.shutdown(socket.SHUT_WR); time.sleep(5)
        print("closed", flush=True)
        """
    return try ChildProcess("/usr/bin/env", ["python3", "-c", script, port, query, release, resetting ? "rst" : "fin"])
}

func slowSubgraph(cancellations: AsyncStream<Void>.Continuation) throws -> Subgraph<RequestContext> {
    let s = try Subgraph<RequestContext>(name: "slow", sdl: """
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
        type Query { slow(ms: Int!): String fast: String }
        """)
    s.query.asyncField("slow") { _, a, _, _ in
        do { try await Task.sleep(for: .milliseconds(a.int("ms")!)) } catch {
            cancellations.yield()
            throw error
        }
        return .leaf("done")
    }
    .field("fast") { _, _, _, _ in .leaf("fast") }
    return s
}

@Suite("Request limits: headers, timeout, per-tenant overrides")
struct RequestLimitsTests {
    @Test func tooManyOrTooLargeHeadersGet431() async throws {
        try await AttackTests().withBenchGateway { client, counting in
            let many = (0..<150).map { ("x-h\($0)", "v") }
            try await AttackTests().expectRejected(client, counting, try await client.query("{ me { name } }", headers: many),
                                                   status: 431, code: "HEADERS_TOO_LARGE")
        }
        try await AttackTests().withBenchGateway { client, counting in
            let large = [("x-large", String(repeating: "a", count: 20_000))]
            try await AttackTests().expectRejected(client, counting, try await client.query("{ me { name } }", headers: large),
                                                   status: 431, code: "HEADERS_TOO_LARGE")
        }
    }

    @Test(.timeLimit(.minutes(1))) func aRequestPastItsTimeoutGets504AndItsWorkIsCancelled() async throws {
        let (cancellations, cancelled) = AsyncStream<Void>.makeStream()
        let s = try slowSubgraph(cancellations: cancelled)
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "slow", url: "x", sdl: s.sdl)]))
        // The default profile times out after 300 ms; tenant `patient` has no timeout, so the
        // request that shows the gateway still serving is not itself bound by a clock.
        let config = try GatewayConfiguration.parse(yaml: """
            tenancy: { development_header: true }
            limits:
              request_timeout_ms: 300
              tenants: { patient: { request_timeout_ms: null } }
            """)
        let executor = FederatedExecutor(supergraph: supergraph, transports: ["slow": InProcessTransport(subgraph: s) { _ in RequestContext() }])
        try await withGateway(config, executor: executor) { client in
            func timeouts() async throws -> Double {
                try await client.scrape().values.filter { $0.key.hasPrefix("switchyard_operations_total{") && $0.key.contains(#"code="GATEWAY_TIMEOUT""#) }
                    .values.reduce(0, +)
            }
            let before = try await timeouts()
            let r = try await client.query("{ slow(ms: 60000) }")
            #expect(r.status == 504, "\(r.text)")
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "GATEWAY_TIMEOUT")
            // The metrics (and the access line) record the 504 the client got, not what the
            // cancelled work made of itself later. (The registry is the test process's: other
            // tests' timeouts may count beside this one.)
            #expect(try await timeouts() >= before + 1)
            // The subgraph work was told to stop rather than left running for a minute (the
            // test's time limit fails it otherwise).
            var stops = cancellations.makeAsyncIterator()
            #expect(await stops.next() != nil)
            let fine = try await client.query("{ fast slow(ms: 1) }", headers: [("X-Tenant", "patient")])
            #expect(fine.text == #"{"data":{"fast":"fast","slow":"done"}}"#)
        }
    }

    /// Each entry of a batch has the request timeout of its own: one past it is a
    /// GATEWAY_TIMEOUT in its place while the others keep their answers (queries run together),
    /// and a batch is one JSON array even for a client that also takes streams.
    @Test(.timeLimit(.minutes(1))) func aBatchEntryPastItsTimeoutLeavesTheOthersTheirAnswers() async throws {
        let (_, cancelled) = AsyncStream<Void>.makeStream()
        let s = try slowSubgraph(cancellations: cancelled)
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "slow", url: "x", sdl: s.sdl)]))
        let config = try GatewayConfiguration.parse(yaml: "limits: { request_timeout_ms: 3000, max_batch: 3 }")
        let executor = FederatedExecutor(supergraph: supergraph, transports: ["slow": InProcessTransport(subgraph: s) { _ in RequestContext() }])
        try await withGateway(config, executor: executor) { client in
            let r = try await client.post(#"[{"query":"{ slow(ms: 60000) }"},{"query":"{ fast }"},{"query":"{ other: fast }"}]"#,
                                          accept: "text/event-stream, application/json")
            #expect(r.status == 200 && r.contentType?.hasPrefix("application/json") == true, "\(r.text)")
            let entries = r.json?.arrayValue ?? []
            #expect(entries.count == 3, "\(r.text)")
            #expect(entries.first?["errors"]?[0]?["extensions"]?["code"] == "GATEWAY_TIMEOUT" && entries.first?["data"] == nil, "\(r.text)")
            #expect(entries.dropFirst().map(\.text) == [#"{"data":{"fast":"fast"}}"#, #"{"data":{"other":"fast"}}"#], "\(r.text)")
        }
    }

    /// A client that goes away takes its request with it: closing its connection (RST) or its
    /// side of it (FIN) while its query runs cancels the query (probe 30A: thousands of requests
    /// of clients that had left ran to their end, holding connections from others and a
    /// shutdown past its timeout).
    @Test(.timeLimit(.minutes(1))) func aClientThatLeavesCancelsItsRequest() async throws {
        let (started, startedNow) = AsyncStream<Void>.makeStream()
        let (cancelled, cancelledNow) = AsyncStream<Void>.makeStream()
        let s = try Subgraph<RequestContext>(name: "slow", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
            type Query { slow: String fast: String }
            """)
        s.query.asyncField("slow") { _, _, _, _ in
            startedNow.yield()
            do { try await Task.sleep(for: .seconds(120)) } catch {
                cancelledNow.yield()
                throw error
            }
            return .leaf("done")
        }
        .field("fast") { _, _, _, _ in .leaf("fast") }
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "slow", url: "x", sdl: s.sdl)]))
        let executor = FederatedExecutor(supergraph: supergraph, transports: ["slow": InProcessTransport(subgraph: s) { _ in RequestContext() }])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("leaving-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withGateway(GatewayConfiguration(), executor: executor) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            var startedAt = started.makeAsyncIterator(), cancelledAt = cancelled.makeAsyncIterator()
            for (n, how) in ["fin", "rst"].enumerated() {
                let release = dir.appendingPathComponent("release-\(n)").path
                let leaving = try leavingClient(port: port, query: "{ slow }", release: release, resetting: how == "rst")
                defer { leaving.stop() }
                await startedAt.next()
                #expect(FileManager.default.createFile(atPath: release, contents: Data()))
                await cancelledAt.next()
            }
            #expect(try await client.query("{ fast }").text == #"{"data":{"fast":"fast"}}"#)
        }
    }

    /// A plan's work grows with the subgraphs that share what it asks for (a root field and a value
    /// type all 25 subgraphs answer, each with a field of its own): planning gives up past
    /// `max_planning_ms` with QUERY_PLAN_TOO_LARGE, and nothing is cached (probe 55A: 100
    /// subgraphs took 22 s to plan, unbounded, on the threads every request runs on).
    /// A graph whose `n` subgraphs all share the root field and a value type: planning an
    /// operation asking for every subgraph's fields takes long (about a second at 40).
    static func slowToPlan(_ n: Int = 25) throws -> (supergraph: Supergraph, transports: [String: any SubgraphTransport], query: String) {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])"#
        let subgraphs = try (0..<n).map { i in
            try SubgraphSchema(name: "s\(i)", url: "http://s\(i)", sdl: """
                \(link)
                type Query { products: [Product!]! @shareable }
                type Product @key(fields: "id") { id: ID! f\(i): Int v: V @shareable }
                type V @shareable { common: Int x\(i): Int }
                """)
        }
        let supergraph = try Supergraph(sdl: try Composer.compose(subgraphs))
        let transports = Dictionary(uniqueKeysWithValues: (0..<n).map { i in
            ("s\(i)", RemoteSubgraphTests.Scripted { _ in #"{"data":{"products":[]}}"# } as any SubgraphTransport)
        })
        let query = "{ products { id " + (0..<n).map { "f\($0)" }.joined(separator: " ") + " v { common " + (0..<n).map { "x\($0)" }.joined(separator: " ") + " } } }"
        return (supergraph, transports, query)
    }

    @Test(.timeLimit(.minutes(2))) func aPlanThatTakesTooLongIsGivenUp() async throws {
        let (supergraph, transports, query) = try Self.slowToPlan()
        let executor = FederatedExecutor(supergraph: supergraph, transports: transports, planningTimeoutMs: 1)
        try await withGateway(executor: executor) { client in
            // A limit the request went past: no `data`, 400 (as any other limit).
            let r = try await client.query(query)
            #expect(r.status == 400 && r.json?["data"] == nil, "\(r.status) \(r.text)")
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "QUERY_PLAN_TOO_LARGE", "\(r.text)")
            #expect(r.json?["errors"]?[0]?["message"] == "The operation took longer than 1 ms to plan.", "\(r.text)")
            #expect(executor.cachedPlans == 0 && executor.plansMade == 1)
            // Asked again: refused at once, not planned for another millisecond-bound try.
            let again = try await client.query(query)
            #expect(again.text == r.text && executor.plansMade == 1, "\(again.text)")
            // A small operation of the same graph still plans within the bound.
            #expect(try await client.query("{ products { id } }").text == #"{"data":{"products":[]}}"#)
        }
    }

    /// Identical operations arriving while the first is planned wait for its plan (probe 55A:
    /// each planned it again, on a thread of its own, for as long).
    @Test(.timeLimit(.minutes(2))) func identicalOperationsArrivingTogetherArePlannedOnce() async throws {
        let (supergraph, transports, query) = try Self.slowToPlan(40)
        let executor = FederatedExecutor(supergraph: supergraph, transports: transports, planningTimeoutMs: 60_000)
        try await withGateway(executor: executor) { client in
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await client.query(query).text } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(answers).count == 1, "\(Set(answers))")
            #expect(executor.plansMade == 1)
        }
    }

    /// An operation no plan reaches is the gateway's failure: 500, no `data`, and not planned again.
    @Test func anOperationThatCannotBePlannedIsAServerErrorRememberedAsSuch() async throws {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])"#
        // Composed by hand: `T.b` only in b, which keys T by a field nothing else resolves.
        let sdl = try Composer.compose([
            try SubgraphSchema(name: "a", url: "http://a", sdl: "\(link) type Query { t: T } type T @key(fields: \"id\") { id: ID! }"),
            try SubgraphSchema(name: "b", url: "http://b", sdl: "\(link) type T @key(fields: \"id\") { id: ID! b: Int }"),
        ]).replacingOccurrences(of: "@join__type(graph: B, key: \"id\")", with: "@join__type(graph: B, key: \"b\")")
        let executor = FederatedExecutor(supergraph: try Supergraph(sdl: sdl), transports: [
            "a": RemoteSubgraphTests.Scripted { _ in #"{"data":{"t":{"__typename":"T","id":"1"}}}"# },
            "b": RemoteSubgraphTests.Scripted { _ in #"{"data":{"_entities":[]}}"# },
        ])
        try await withGateway(executor: executor) { client in
            for _ in 0..<2 {
                let r = try await client.query("{ t { b } }")
                #expect(r.status == 500 && r.json?["data"] == nil, "\(r.status) \(r.text)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "QUERY_PLANNING_FAILED", "\(r.text)")
            }
            #expect(executor.plansMade == 1)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aTimedOutRequestClosesItsRemoteSubgraphConnection() async throws {
        // A remote subgraph that reads the request and never answers; it says when the gateway
        // closes the connection.
        try await withScriptedSubgraph("silent_subgraph.py", ["0"], field: "wait", timeoutMs: 60_000, requestTimeoutMs: 300) { client, silent in
            let r = try await client.query("{ wait }")
            #expect(r.status == 504, "\(r.text)")
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "GATEWAY_TIMEOUT")
            // The subgraph request was cancelled with the client's request: its connection is
            // closed now, not when the subgraph's own 60-second timeout would have ended it.
            let closed = try await silent.firstLine { $0 == "closed" ? true : nil }
            #expect(closed)
        }
    }

    /// A subgraph that answers a failure status with a GraphQL body without errors: its data is
    /// used and the status is the error (a 500 with `{"data": null}` is no silent null).
    @Test func aFailureStatusWithoutErrorsIsAnError() async throws {
        for (status, body, data) in [(500, #"{"data":null}"#, #"{"value":null}"#), (503, #"{"data":{"value":"stale"}}"#, #"{"value":"stale"}"#)] {
            try await withScriptedSubgraph("status_subgraph.py", [String(status), body], field: "value") { client, _ in
                let r = try await client.query("{ value }")
                #expect(r.json?["data"]?.text == data, "\(r.text)")
                #expect(r.json?["errors"]?[0]?["message"] == .string("Subgraph \"scripted\" answered with status \(status)."), "\(r.text)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "SUBREQUEST_HTTP_ERROR")
            }
        }
    }

    /// A subgraph's redirect is not followed: the client's operation goes to no other host, and
    /// the redirect is a failure status (a 307 re-sent the request, variables and all, where
    /// `Location` said; a 302 turned it into a GET).
    @Test func aSubgraphsRedirectIsNotFollowed() async throws {
        let target = try ChildProcess("/usr/bin/env", ["python3", TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/python-subgraph/status_subgraph.py").path,
                                                        "200", #"{"data":{"value":"elsewhere"}}"#])
        defer { target.stop() }
        let targetPort = try await target.firstLine { Int($0) }
        for status in [301, 302, 307, 308] {
            try await withScriptedSubgraph("status_subgraph.py", [String(status), "", "location", "http://127.0.0.1:\(targetPort)/graphql"], field: "value") { client, _ in
                let r = try await client.query("{ value }")
                #expect(r.json?["data"]?.text == #"{"value":null}"#, "\(status): \(r.text)")
                #expect(r.json?["errors"]?[0]?["message"] == .string("Subgraph \"scripted\" answered with status \(status)."), "\(r.text)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "SUBREQUEST_HTTP_ERROR")
                #expect(r.json?["errors"]?[0]?["path"]?.text == #"["value"]"#, "\(r.text)")
            }
        }
        #expect(!target.lines.contains("request"), "the redirect's target got a request: \(target.lines)")
    }

    /// More requests than AsyncHTTPClient's default of 8 connections are in flight to one
    /// subgraph at once: the subgraph here answers none until 24 have arrived together (with
    /// the cap, the ninth and later waited for a connection and every request timed out).
    @Test(.timeLimit(.minutes(1))) func manyRequestsAreInFlightToOneSubgraphAtOnce() async throws {
        // The test's own client keeps more than 8 connections to the gateway too.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        try await withScriptedSubgraph("status_subgraph.py", ["200", #"{"data":{"value":"together"}}"#, "barrier", "24"], field: "value", timeoutMs: 20_000,
                                     configure: { $0.headers.propagate = ["x-n"] }) { gateway, subgraph in
            var many = gateway
            many.http = http
            let client = many
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                // Distinct requests (identical ones in flight would share one subgraph request).
                for i in 0..<24 { group.addTask { try await client.query("{ value }", headers: [("x-n", "\(i)")]).text } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 24)
            #expect(answers.allSatisfy { $0.contains(#""value":"together""#) && !$0.contains("errors") }, "\(subgraph.lines.filter { $0 == "request" }.count) requests arrived: \(answers.first { $0.contains("errors") } ?? "")")
        }
        try await http.shutdown()
    }

    /// A subgraph's `timeout_ms` covers its whole answer: a body sent a byte at a time is cut off
    /// there (SUBREQUEST_TIMEOUT, the request goes on), not at the request's timeout.
    @Test(.timeLimit(.minutes(1))) func aSubgraphTricklingItsAnswerTimesOut() async throws {
        let body = #"{"data":{"value":"\#(String(repeating: "x", count: 600))"}}"#
        try await withScriptedSubgraph("status_subgraph.py", ["200", body, "trickle"], field: "value", timeoutMs: 500, requestTimeoutMs: 50_000) { client, _ in
            let r = try await client.query("{ value }")
            #expect(r.status == 200, "\(r.text)")
            #expect(r.json?["data"]?.text == #"{"value":null}"#)
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "SUBREQUEST_TIMEOUT", "\(r.text)")
        }
    }

    @Test func limitsCanBeOverriddenPerTenant() async throws {
        let config = try GatewayConfiguration.parse(yaml: """
            tenancy: { development_header: true }
            limits:
              max_depth: 4
              max_aliases: 1
              tenants:
                deep: { max_depth: 12 }
                strict: { max_depth: 2, max_body_bytes: 30 }
                free: { max_aliases: null }
            """)
        #expect(config.limits.effective(for: "deep").maxDepth == 12)
        #expect(config.limits.effective(for: "deep").maxAliases == 1)
        #expect(config.limits.effective(for: "free").maxAliases == nil)
        #expect(config.limits.effective(for: "nobody") == config.limits)
        // A slug is the text given, byte for byte: "caf\u{E9}" is not "cafe\u{301}" (probe 38A).
        let composed = try GatewayConfiguration.parse(yaml: "limits: { max_depth: 4, tenants: { \"caf\u{E9}\": { max_depth: 2 } } }")
        #expect(composed.limits.effective(for: "caf\u{E9}").maxDepth == 2)
        #expect(composed.limits.effective(for: "cafe\u{301}").maxDepth == 4)
        try await AttackTests().withBenchGateway(config) { client, counting in
            let deep = "{ me { reviews { author { reviews { author { name } } } } } }"
            let refused = try await client.query(deep)
            #expect(refused.json?["errors"]?[0]?["extensions"]?["code"] == "MAX_DEPTH_EXCEEDED")
            #expect(counting.total == 0)
            let allowed = try await client.query(deep, headers: [("x-tenant", "deep")])
            #expect(allowed.status == 200)
            #expect(allowed.json?["data"]?["me"]?["reviews"]?[0]?["author"]?["reviews"] != nil)
            // The operation that runs is the one measured: in a document of two without a name
            // none runs (refused for that), by name the deep one is refused and the other runs.
            let two = "query Deep \(deep) query Name { me { name } }"
            func post(_ name: String?) async throws -> GatewayResponse {
                try await client.post(#"{"query":\#(JSON.string(two).text)\#(name.map { #","operationName":"\#($0)""# } ?? "")}"#)
            }
            let unnamed = try await post(nil)
            #expect(unnamed.status == 422 && unnamed.json?["errors"]?[0]?["message"] == "Must provide operation name if query contains multiple operations.", "\(unnamed.text)")
            #expect(try await post("Deep").json?["errors"]?[0]?["extensions"]?["code"] == "MAX_DEPTH_EXCEEDED")
            #expect(try await post("Name").text == #"{"data":{"me":{"name":"Uri Goldshtein"}}}"#)
            // A stricter tenant: its depth and body limits apply to it alone.
            let strict = try await client.query("{ me { reviews { body } } }", headers: [("x-tenant", "strict")])
            #expect(strict.status == 413, "\(strict.text)")
            #expect(strict.json?["errors"]?[0]?["extensions"]?["code"] == "PAYLOAD_TOO_LARGE")
            // `null` turns a limit off for one tenant.
            let aliases = "{ a: me { name } b: me { name } }"
            #expect(try await client.query(aliases).json?["errors"]?[0]?["extensions"]?["code"] == "MAX_ALIASES_EXCEEDED")
            #expect(try await client.query(aliases, headers: [("x-tenant", "free")]).text
                    == #"{"data":{"a":{"name":"Uri Goldshtein"},"b":{"name":"Uri Goldshtein"}}}"#)
        }
    }

    @Test func headerLimitsCannotBeSetPerTenant() {
        #expect(throws: ConfigurationError.self) {
            try GatewayConfiguration.parse(yaml: "limits: { tenants: { acme: { max_header_count: 5 } } }")
        }
    }

    /// Keys the gateway does not read are reported (`switchyard check` and `serve` warn of them):
    /// a typo in a limit would otherwise leave it unapplied without a word.
    @Test func unknownConfigurationKeysAreReported() throws {
        let yaml = """
            limts: { max_depth: 3 }
            limits: { max_dept: 2, max_cost: null, tenants: { acme: { max_aliases: 4 } } }
            subgraphs: [{ name: a, url: "http://127.0.0.1:9/graphql", timeout: 5 }]
            tls: null
            """
        #expect(GatewayConfiguration.unknownKeys(yaml: yaml) == ["limits.max_dept", "limts", "subgraphs[0].timeout"])
        let demo = try String(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("gateway.yaml"), encoding: .utf8)
        #expect(GatewayConfiguration.unknownKeys(yaml: demo) == [])
    }

    /// A negative limit (or a zero timeout) is refused when the configuration is read (and so on
    /// a reload, which keeps the running configuration): it would refuse every request.
    @Test func aNegativeLimitIsAConfigurationError() throws {
        for yaml in ["limits: { max_depth: -1 }", "limits: { max_cost: -5 }", "limits: { request_timeout_ms: 0 }",
                     "limits: { request_header_timeout_ms: -1 }", "limits: { default_list_size: -1 }",
                     "limits: { tenants: { acme: { max_aliases: -2 } } }"] {
            let error = #expect(throws: ConfigurationError.self, "\(yaml)") { try GatewayConfiguration.parse(yaml: yaml) }
            #expect(error.map { "\($0)" }?.contains("or null for no limit") == true, "\(String(describing: error))")
        }
        for t in [0, -5] {
            let subgraph = try GatewayConfiguration.parse(yaml: "subgraphs: [{ name: a, url: \"http://127.0.0.1:9/graphql\", timeout_ms: \(t) }]")
            #expect(throws: ConfigurationError.self) { try subgraph.validate() }
        }
        // Subgraph URLs and inserted headers that no request could use; YAML errors say where.
        for yaml in [#"subgraphs: [{ name: a, url: "ftp://127.0.0.1/graphql" }]"#, #"subgraphs: [{ name: a, url: "http://" }]"#,
                     #"headers: { insert: { "x bad": "v" } }"#, #"cors: { allow_origins: ["*"], allow_credentials: true }"#,
                     #"cors: { allow_origins: ["a.example"] }"#, #"cors: { allow_origins: ["https://a.example/app"] }"#, #"headers: { subgraphs: { a: { insert: { x-ok: "line\nbreak" } } } }"#] {
            let config = try GatewayConfiguration.parse(yaml: yaml)
            #expect(throws: ConfigurationError.self, "\(yaml)") { try config.validate() }
        }
        // The limits outside `limits:` too (a negative init timeout closed every WebSocket at once).
        for yaml in ["subscriptions: { connection_init_timeout_ms: -5 }", "subscriptions: { connection_init_timeout_ms: 0 }",
                     "subscriptions: { max_per_connection: -1 }", "subscriptions: { max_per_tenant: -1 }", "subscriptions: { max_message_bytes: -1 }",
                     "subscriptions: { buffer_size: 0 }", "subscriptions: { slow_consumer_grace_ms: -1 }", "subscriptions: { slow_close_timeout_ms: -1 }", "subscriptions: { stream_reservation_lapse_ms: 0 }",
                     "subscriptions: { keep_alive_ms: 50 }", "shutdown_timeout_ms: -1", "rate_limits: { anonymous_per_minute: -1 }",
                     "cors: { max_age_seconds: -1 }", "subscriptions: { slow_close_timeout_ms: 0 }",
                     // (Probe 56C: a negative statement timeout was none at all, a pool of 0 one of 1.)
                     "postgres: { url: \"postgres://x@127.0.0.1/db\", statement_timeout_ms: -5 }",
                     "postgres: { url: \"postgres://x@127.0.0.1/db\", max_connections: 0 }",
                     "postgres: { url: \"postgres://x@127.0.0.1/db\", min_connections: -1 }",
                     "postgres: { url: \"postgres://x@127.0.0.1/db\", acquire_timeout_ms: 0 }",
                     "auth: { jwt: { hs256_secret_file: k, jwks_refresh_seconds: 0 } }", "auth: { jwt: { hs256_secret_file: k, leeway_seconds: -1 } }"] {
            let config = try GatewayConfiguration.parse(yaml: yaml)
            let error = #expect(throws: ConfigurationError.self, "\(yaml)") { try config.validate() }
            #expect(error.map { "\($0)" }?.contains("or more") == true, "\(String(describing: error))")
        }
        // Settings no request could pass, refused at once (probe 56C: accepted, then every
        // request was 401, or a pool that could never hold its minimum).
        for (yaml, said) in [("auth: { required: true }", "auth.required needs auth.jwt"),
                             ("auth: { jwt: { issuer: \"https://id.example\" } }", "auth.jwt needs at least one of"),
                             ("postgres: { url: \"postgres://x@127.0.0.1/db\", min_connections: 10, max_connections: 2 }", "must not be more than max_connections")] {
            let config = try GatewayConfiguration.parse(yaml: yaml)
            let error = #expect(throws: ConfigurationError.self, "\(yaml)") { try config.validate() }
            #expect(error.map { "\($0)" }?.contains(said) == true, "\(String(describing: error))")
        }
        // A Redis URL the client cannot read, and rate limits without their stores, were taken
        // as no Redis and no limits, without a word.
        for (yaml, said) in [("redis: { url: \"redis//127.0.0.1:6379\" }", "redis.url: a Redis URL starts with redis://"),
                             ("redis: { url: \"redis://127.0.0.1:6379/x\" }", "redis.url: the database in a Redis URL is a number"),
                             ("rate_limits: { enabled: true }", "rate_limits.enabled needs postgres.url"),
                             ("rate_limits: { enabled: true }\nredis: { url: \"redis://127.0.0.1:6379\" }", "rate_limits.enabled needs postgres.url"),
                             ("rate_limits: { enabled: true }\npostgres: { url: \"postgres://a@127.0.0.1/b\" }", "rate_limits.enabled needs postgres.url")] {
            let config = try GatewayConfiguration.parse(yaml: yaml)
            let error = #expect(throws: ConfigurationError.self, "\(yaml)") { try config.validate() }
            #expect(error.map { "\($0)" }?.contains(said) == true, "\(String(describing: error))")
        }
        // A value of the wrong kind says what the key takes.
        for (yaml, said) in [("limits: { max_depth: 1.5 }", "limits.max_depth must be an integer"), ("limits: { max_depth: abc }", "limits.max_depth must be an integer"),
                             ("limits: { max_depth: 123456789012345678901 }", "limits.max_depth must be an integer"),
                             ("just a scalar", "the file must be a mapping of keys"), ("subgraphs: { a: 1 }", "subgraphs must be a list"),
                             ("introspection: maybe", "introspection must be true or false")] {
            let error = #expect(throws: ConfigurationError.self, "\(yaml)") { try GatewayConfiguration.parse(yaml: yaml) }
            #expect(error.map { "\($0)" }?.contains(said) == true, "\(yaml): \(String(describing: error))")
        }
        let subscriptions = try GatewayConfiguration.parse(yaml: "subscriptions: { max_per_tenant: null, max_per_connection: 0, keep_alive_ms: 100 }")
        #expect(throws: Never.self) { try subscriptions.validate() }
        let broken = #expect(throws: ConfigurationError.self) { try GatewayConfiguration.parse(yaml: "limits:\n  max_depth: [1\n") }
        #expect(broken.map { "\($0)" }?.contains("line") == true, "\(String(describing: broken))")
        let fine = try GatewayConfiguration.parse(yaml: "limits: { max_depth: 0, max_cost: null, request_timeout_ms: 1 }")
        #expect(fine.limits.maxDepth == 0 && fine.limits.maxCost == nil && fine.limits.requestTimeoutMs == 1)
    }
}
