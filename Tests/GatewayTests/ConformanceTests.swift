import Federation
import Foundation
import Logging
import Gateway
import GraphQLCore
import SubgraphKit
import TestSupport
import Synchronization
import Testing

@Suite("GraphQL conformance through the gateway")
struct ConformanceTests {
    @Test func aGetQueryStringIsDecodedAsAForm() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            // `+` is a space in a form-encoded query string, as browsers and many clients send it.
            let plus = try await client.send(.GET, "/graphql?query=%7B+hello%28name%3A+%22a%2Bb+c%22%29+%7D", headers: [("accept", "application/json")])
            #expect(plus.status == 200, "\(plus.text)")
            #expect(plus.text == #"{"data":{"hello":"hello a+b c"}}"#)
            // The first of repeated parameters wins; bytes are UTF-8.
            let repeated = try await client.send(.GET, "/graphql?query=%7Bhello%28name%3A%22%C3%A9%22%29%7D&query=%7Bnope%7D",
                                                 headers: [("accept", "application/json")])
            #expect(repeated.text == #"{"data":{"hello":"hello é"}}"#)
        }
    }
}

@Suite("Introspection depth")
struct IntrospectionDepthTests {
    @Test func nestedIntrospectionListsAreRefusedBeforeExecution() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            // Each level of fields/interfaces/possibleTypes/inputFields multiplies the answer.
            let deep = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
            let r = try await client.query(deep)
            #expect(r.status == 422)
            #expect(r.json?["errors"]?[0]?["message"] == "Maximum introspection depth exceeded")
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "GRAPHQL_VALIDATION_FAILED")
            // Through fragments too.
            let viaFragments = try await client.query("""
                { __type(name: "Query") { ...F } }
                fragment F on __Type { fields { type { interfaces { possibleTypes { name } } } } }
                """)
            #expect(viaFragments.json?["errors"]?[0]?["message"] == "Maximum introspection depth exceeded")
            // The standard introspection query (graphql-js's getIntrospectionQuery) passes.
            let standard = try await client.query(IntrospectionDepthTests.standardQuery)
            #expect(standard.status == 200, "\(standard.text.prefix(300))")
            #expect(standard.json?["data"]?["__schema"]?["queryType"]?["name"] == "Query")
        }
    }

    static let standardQuery = """
        query IntrospectionQuery {
          __schema {
            queryType { name } mutationType { name } subscriptionType { name }
            types { ...FullType }
            directives { name description locations args(includeDeprecated: true) { ...InputValue } }
          }
        }
        fragment FullType on __Type {
          kind name description
          fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
          inputFields(includeDeprecated: true) { ...InputValue }
          interfaces { ...TypeRef }
          enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
          possibleTypes { ...TypeRef }
        }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
        fragment TypeRef on __Type {
          kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
        }
        """
}

@Suite("Subgraph error extensions")
struct SubgraphErrorExtensionTests {
    func leaky() throws -> Subgraph<RequestContext> {
        let s = try Subgraph<RequestContext>(name: "leaky", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
            type Query { boom: String }
            """)
        s.query.field("boom") { _, _, _, _ in
            throw GraphQLError("it broke", extensions: ["code": "BROKEN", "stacktrace": ["at db.query (db.js:12)"], "sql": "SELECT secret"])
        }
        return s
    }

    @Test func areRedactedToTheirCodeUnlessTheSubgraphIsTrusted() async throws {
        let s = try leaky()
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "leaky", url: "in-process:leaky", sdl: s.sdl)]))
        let transports: [String: any SubgraphTransport] = ["leaky": InProcessTransport(subgraph: s) { _ in RequestContext() }]
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query("{ boom }")
            #expect(r.json?["errors"]?[0]?["message"] == "it broke")
            #expect(r.json?["errors"]?[0]?["extensions"] == ["code": "BROKEN", "serviceName": "leaky"])
        }
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports, errorExtensionsFrom: ["leaky"])) { client in
            let r = try await client.query("{ boom }")
            #expect(r.json?["errors"]?[0]?["extensions"]?["stacktrace"] == ["at db.query (db.js:12)"])
            #expect(r.json?["errors"]?[0]?["extensions"]?["sql"] == "SELECT secret")
        }
    }
}

/// The differential test: 1,000 generated operations (fixed seed; valid, invalid and
/// introspection) sent to a graphql-core server and to the same schema behind the gateway as a
/// remote subgraph; data (key order included), errors' paths and refusals must agree.
/// `Tests/Fixtures/conformance/README.md` tells how to run a larger sample.
@Suite("Differential conformance against graphql-core", .serialized)
struct DifferentialConformanceTests {
    @Test(.timeLimit(.minutes(5))) func aThousandGeneratedOperationsAnswerAsGraphQLCoreDoes() async throws {
        let root = TestEnvironment.repositoryRoot
        let binary = root.appendingPathComponent(".build/debug/switchyard").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSetupError(message: "\(binary) is missing: run swift build --build-tests (scripts/test does)")
        }
        let script = root.appendingPathComponent("Tests/Fixtures/conformance/diff.py").path
        let r = try await runProcess("/usr/bin/env", ["python3", script, "--count", "1000", "--seed", "1", "--no-minimize", "--bin", binary])
        #expect(r.status == 0, "\(r.output.suffix(4_000))")
    }
}

@Suite("Literal size limit")
struct LiteralSizeTests {
    @Test func aHugeStringLiteralIsRefusedBeforeAnySubgraphIsCalled() async throws {
        try await AttackTests().withBenchGateway { client, counting in
            let huge = String(repeating: "a", count: 70_000)
            let r = try await client.query("{ me(note: \"\(huge)\") { name } }")
            try await AttackTests().expectRejected(client, counting, r, status: 400, code: "MAX_LITERAL_SIZE_EXCEEDED")
            // Names and numbers have the bound too (an error naming them would echo them whole).
            for long in ["{ \(String(repeating: "n", count: 70_000)) }", "{ me(note: \(String(repeating: "9", count: 70_000))) { name } }"] {
                let r = try await client.query(long)
                #expect(r.status == 400 && r.json?["errors"]?[0]?["extensions"]?["code"] == "MAX_LITERAL_SIZE_EXCEEDED", "\(r.text.prefix(300))")
                #expect(r.body.count < 1_000, "not echoed")
            }
            // The limit is the literal's own text: 65,536 bytes between the quotes pass it.
            let atLimit = try await client.query("{ me(note: \"\(String(repeating: "a", count: 65_536))\") { name } }")
            #expect(atLimit.json?["errors"]?[0]?["extensions"]?["code"] != "MAX_LITERAL_SIZE_EXCEEDED", "\(atLimit.text.prefix(300))")
            // The same value as a variable is bounded by the body size only.
            let fine = try await client.query("query($n: Int) { topProducts(first: $n) { name } }", variables: #"{"n":1}"#)
            #expect(fine.status == 200)
        }
    }
}

@Suite("CORS")
struct CORSTests {
    @Test func onlyListedOriginsGetCORSHeaders() async throws {
        let config = try GatewayConfiguration.parse(yaml: """
            cors: { allow_origins: ["https://app.example"] }
            """)
        try await withGateway(config, executor: try echoExecutor()) { client in
            let allowed = try await client.query("{ hello }", headers: [("origin", "https://app.example")])
            #expect(allowed.headers.first(name: "access-control-allow-origin") == "https://app.example")
            #expect(allowed.headers["vary"] == ["Origin"])
            let other = try await client.query("{ hello }", headers: [("origin", "https://evil.example")])
            #expect(other.headers.first(name: "access-control-allow-origin") == nil)
            // Every answer varies by Origin (a shared cache must not give an allowed site one
            // without the CORS headers), and a GET's `Vary: accept` stays beside it.
            func vary(_ r: GatewayResponse) -> [String] {
                r.headers["vary"].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.sorted()
            }
            #expect(vary(other) == ["origin"])
            #expect(vary(try await client.query("{ hello }")) == ["origin"])
            let get = try await client.send(.GET, "/graphql?query=%7Bhello%7D", headers: [("origin", "https://app.example")])
            #expect(get.status == 200 && get.headers.first(name: "access-control-allow-origin") == "https://app.example")
            #expect(vary(get) == ["accept", "origin"], "\(get.headers)")
            #expect(vary(try await client.send(.GET, "/graphql?query=%7Bhello%7D")) == ["accept", "origin"])
            let preflight = try await client.send(.OPTIONS, "/graphql", headers: [("origin", "https://app.example"),
                                                                                ("access-control-request-method", "POST"),
                                                                                ("access-control-request-headers", "content-type")])
            #expect(preflight.status == 204)
            #expect(preflight.headers.first(name: "access-control-allow-methods") == "GET, POST, OPTIONS")
            #expect(preflight.headers.first(name: "access-control-allow-headers") == "content-type")
            // Single connection mode (GraphQL over SSE) reserves with PUT and stops with DELETE.
            let stream = try await client.send(.OPTIONS, "/graphql/stream", headers: [("origin", "https://app.example"),
                                                                                    ("access-control-request-method", "PUT")])
            #expect(stream.headers.first(name: "access-control-allow-methods") == "GET, POST, PUT, DELETE, OPTIONS")
            #expect(stream.headers.first(name: "access-control-allow-headers")?.contains("x-graphql-event-stream-token") == true)
            let refused = try await client.send(.OPTIONS, "/graphql", headers: [("origin", "https://evil.example"),
                                                                              ("access-control-request-method", "POST")])
            #expect(refused.status == 403)
            #expect(refused.headers.first(name: "access-control-allow-origin") == nil)
            #expect(vary(refused) == ["origin"])
            #expect(vary(preflight) == ["origin"])
        }
        // Off by default: no CORS headers for anyone.
        try await withGateway(executor: try echoExecutor()) { client in
            let r = try await client.query("{ hello }", headers: [("origin", "https://app.example")])
            #expect(r.headers.first(name: "access-control-allow-origin") == nil)
        }
    }
}

@Suite("Slow connections")
struct SlowConnectionTests {
    /// A client that trickles a request head (or sends nothing) is closed once
    /// `request_header_timeout_ms` passes; a normal client on the same gateway is served.
    @Test(.timeLimit(.minutes(1))) func aTricklingRequestHeadIsClosed() async throws {
        let config = try GatewayConfiguration.parse(yaml: "limits: { request_header_timeout_ms: 300 }")
        try await withGateway(config, executor: try echoExecutor()) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import socket, sys, time
                def trickle(first_request):
                    s = socket.create_connection(("127.0.0.1", \(port)))
                    s.settimeout(30)
                    if first_request:
                        s.sendall(b"POST /graphql HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: 19\\r\\n\\r\\n{\\"query\\":\\"{hello}\\"}")
                        data = b""
                        while b"hello world" not in data:
                            data += s.recv(4096)
                    for b in b"GET /graphql?query=%7Bhello%7D HTTP/1.1\\r\\nHost: x":
                        try:
                            s.sendall(bytes([b]))
                        except OSError:
                            return "closed"
                        time.sleep(0.1)
                        s.setblocking(False)
                        try:
                            if s.recv(1) == b"":
                                return "closed"
                        except BlockingIOError:
                            pass
                        except OSError:
                            return "closed"
                        s.setblocking(True)
                    s.settimeout(30)
                    try:
                        return "closed" if s.recv(1) == b"" else "open"
                    except OSError:
                        return "closed"
                print(trickle(False))
                """
            let r = try await runProcess("/usr/bin/env", ["python3", "-c", script])
            // A new connection that trickles its request head is closed.
            #expect(r.output.trimmingCharacters(in: .whitespacesAndNewlines) == "closed", "\(r.output)")
            let fine = try await client.query("{ hello }")
            #expect(fine.text == #"{"data":{"hello":"hello world"}}"#)
        }
    }

    /// Blank lines before a request line are skipped by the HTTP parser (RFC 9112 §2.2): they end
    /// no request head. A connection sending only `CR LF CR LF` kept its connection past the
    /// head timeout for good (thousands of them used up the gateway's file descriptors).
    @Test(.timeLimit(.minutes(1))) func blankLinesAloneDoNotEndTheFirstHead() async throws {
        let config = try GatewayConfiguration.parse(yaml: "limits: { request_header_timeout_ms: 300 }")
        try await withGateway(config, executor: try echoExecutor()) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import socket
                s = socket.create_connection(("127.0.0.1", \(port)))
                s.sendall(b"\\r\\n\\r\\n\\r\\n")
                s.settimeout(20)
                try:
                    print("closed" if s.recv(1) == b"" else "answered")
                except socket.timeout:
                    print("still open")
                except OSError:
                    print("closed")
                """
            let r = try await runProcess("/usr/bin/env", ["python3", "-c", script])
            #expect(r.output.trimmingCharacters(in: .whitespacesAndNewlines) == "closed", "\(r.output)")
            // Blank lines before a request are still allowed.
            let raw = """
                import socket
                s = socket.create_connection(("127.0.0.1", \(port)))
                s.sendall(b"\\r\\n\\r\\nGET /graphql?query=%7Bhello%7D HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
                s.settimeout(30)
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk: break
                    data += chunk
                print("hello world" in data.decode())
                """
            #expect(try await runProcess("/usr/bin/env", ["python3", "-c", raw]).output.contains("True"))
        }
    }

    /// A connection closed before its first request head is not an error of the gateway's: the
    /// WebSocket library's "Error handling upgrade result" for it is logged at debug (any
    /// client could write error lines at will by opening connections and sending nothing).
    @Test(.timeLimit(.minutes(1))) func aConnectionThatSendsNothingLogsNoError() async throws {
        let lines = CapturedLog()
        var logger = Logger(label: "switchyard") { _ in CapturingLogHandler(log: lines) }
        logger.logLevel = .debug
        var config = try GatewayConfiguration.parse(yaml: "limits: { request_header_timeout_ms: 200 }")
        config.listen = "127.0.0.1:0"
        try await withServer(try await GatewayServer(configuration: config, executor: try echoExecutor(), logger: logger)) { (client: GatewayClient) async throws -> Void in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import socket
                s = socket.create_connection(("127.0.0.1", \(port))); s.settimeout(20)
                try:
                    print("closed" if s.recv(1) == b"" else "answered")
                except socket.timeout:
                    print("still open")
                """
            #expect(try await runProcess("/usr/bin/env", ["python3", "-c", script]).output.contains("closed"))
            #expect(try await client.query("{ hello }").status == 200)
            // (Looked at before the test's server is cancelled: its shutdown logs errors of its own.)
            let errors = lines.entries.filter { $0.level >= .error }
            #expect(errors.isEmpty, "\(errors)")
            #expect(lines.entries.contains { $0.level == .debug && $0.message == "Error handling upgrade result" })
        }
    }

    /// The blank line that ends a connection's first request head counts when it arrives split
    /// across reads (at every place it can split): the first-head timeout stops there, and the
    /// connection keeps serving requests well past it.
    @Test(.timeLimit(.minutes(3))) func aBlankLineSplitAcrossReadsEndsTheFirstHead() async throws {
        let config = try GatewayConfiguration.parse(yaml: "limits: { request_header_timeout_ms: 2500 }")
        try await withGateway(config, executor: try echoExecutor()) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import socket, time
                head = b"GET /graphql?query=%7Bhello%7D HTTP/1.1\\r\\nHost: x\\r\\nAccept: application/json\\r\\n\\r\\n"
                def answered(s, n, data):
                    while data.count(b"hello world") < n:
                        chunk = s.recv(4096)
                        if not chunk:
                            return False, data
                        data += chunk
                    return True, data
                for cut in (1, 2, 3):
                    s = socket.create_connection(("127.0.0.1", \(port)))
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    s.settimeout(10)
                    s.sendall(head[:-cut])
                    time.sleep(0.2)
                    s.sendall(head[-cut:])
                    ok, data = answered(s, 1, b"")
                    # Past the first head's timeout (2.5 s from connecting: room for a loaded machine's first read), on the same connection, each
                    # head split the same way (a head that arrives whole would end the first-head check).
                    for n in range(2, 14):
                        if not ok:
                            break
                        time.sleep(0.2)
                        try:
                            s.sendall(head[:-cut])
                            time.sleep(0.05)
                            s.sendall(head[-cut:])
                            ok, data = answered(s, n, data)
                        except OSError:
                            ok = False
                    print("answered" if ok else "closed")
                    s.close()
                """
            let r = try await runProcess("/usr/bin/env", ["python3", "-c", script])
            #expect(r.output.split(separator: "\n") == ["answered", "answered", "answered"], "\(r.output)")
        }
    }
}

@Suite("Requests HTTP cannot read")
struct UnreadableRequestTests {
    /// Runs `script` (Python, with `PORT` set to the gateway's port) and returns its output lines.
    func run(_ script: String, port: String) async throws -> [String] {
        let r = try await runProcess("/usr/bin/env", ["python3", "-c", "PORT = \(port)\n" + script])
        return r.output.split(separator: "\n").map(String.init)
    }

    /// What the server answers a connection that sends `raw` (its status line, or `no answer`),
    /// and whether it then closes the connection (`closed`) or keeps it (`open`, after 5 s of
    /// silence once something came: a connection left open is the failure; the client gives up
    /// rather than hang). The answer itself may take up to 30 s (a loaded machine's first request).
    static let probe = """
        import socket
        def probe(raw):
            s = socket.create_connection(("127.0.0.1", PORT))
            s.sendall(raw)
            s.settimeout(30)
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        end = "closed"
                        break
                    data += chunk
                    s.settimeout(5)
            except socket.timeout:
                end = "open"
            except ConnectionResetError:
                end = "closed"
            status = data.split(b"\\r\\n", 1)[0].decode() if data else "no answer"
            return status + " " + end

        """

    /// A connection's first request that the HTTP parser refuses (while the WebSocket upgrade
    /// check holds the connection) gets 400 (431 for a head over the parser's size, 414 when that
    /// is its request line) and is
    /// closed — with or without the head timeout, which is not what closes it.
    @Test(.timeLimit(.minutes(1)), arguments: ["limits: { request_header_timeout_ms: 60000 }", "limits: { request_header_timeout_ms: null }"])
    func aFirstRequestTheParserRefusesIsAnsweredAndClosed(_ yaml: String) async throws {
        try await withGateway(try GatewayConfiguration.parse(yaml: yaml), executor: try echoExecutor()) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let lines = try await run(Self.probe + """
                cases = [
                    b"GARBAGE\\r\\n\\r\\n",
                    b"GET /graphql HTTP/1.1\\r\\nHost: x\\r\\nno colon here\\r\\n\\r\\n",
                    b"POST /graphql HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -5\\r\\n\\r\\n",
                    b"POST /graphql HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
                    b"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n",
                    b"GET /graphql?query=%7Bhello%7D HTTP/1.1\\r\\nHost: x\\r\\nX-A: " + b"a" * 85000 + b"\\r\\n\\r\\n",
                    b"GET /graphql?query=%7Bhello%7D HTTP/1.1\\r\\nAccept: application/json\\r\\n\\r\\n",
                    b"GET /graphql?query=%7Bhello%7D&x=" + b"a" * 85000 + b" HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
                    b"GET /graphql?query=%7Bhello%7D HTTP/1.1\\r\\nHost: x\\r\\nHost: y\\r\\n\\r\\n",
                ]
                for raw in cases:
                    print(probe(raw))
                """, port: port)
            #expect(lines == ["HTTP/1.1 400 Bad Request closed", "HTTP/1.1 400 Bad Request closed", "HTTP/1.1 400 Bad Request closed",
                              "HTTP/1.1 400 Bad Request closed", "HTTP/1.1 400 Bad Request closed",
                              "HTTP/1.1 431 Request Header Fields Too Large closed",
                              "HTTP/1.1 400 Bad Request closed", "HTTP/1.1 414 URI Too Long closed",   // no Host; a request line over the parser's size (RFC 9110 §15.5.15)
                              "HTTP/1.1 400 Bad Request closed"])   // two Hosts (RFC 9112 §3.2)
            let fine = try await client.query("{ hello }")
            #expect(fine.text == #"{"data":{"hello":"hello world"}}"#)
        }
    }

    /// An upgrade the gateway does not make (`h2c`, as curl --http2 and Java's HttpClient ask on
    /// `http://`) is answered over HTTP/1.1 as if not asked (RFC 9110 §7.8), then closed; a
    /// WebSocket handshake without a key is 400, one of another version 426 (RFC 6455 §4.2.2);
    /// CONNECT and TRACE are 405 at once (a CONNECT answer has no length: the client would wait);
    /// `Expect: 100-continue` gets its go before the body.
    @Test(.timeLimit(.minutes(1))) func upgradesTheGatewayDoesNotMakeAreAnsweredOverHTTP1() async throws {
        try await withGateway(try GatewayConfiguration.parse(yaml: "{}"), executor: try echoExecutor()) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let lines = try await run(Self.probe + """
                ws = b"GET /graphql HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
                cases = [
                    b"GET /graphql?query=%7Bhello%7D HTTP/1.1\\r\\nHost: x\\r\\nAccept: application/json\\r\\nConnection: Upgrade, HTTP2-Settings\\r\\nUpgrade: h2c\\r\\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\\r\\n\\r\\n",
                    b"GET /health HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: foo\\r\\nConnection: Upgrade\\r\\n\\r\\n",
                    ws + b"Sec-WebSocket-Version: 13\\r\\n\\r\\n",
                    ws + b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 8\\r\\n\\r\\n",
                    b"CONNECT /graphql HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
                    b"TRACE /graphql HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
                ]
                for raw in cases:
                    print(probe(raw))
                # Expect: 100-continue: the go comes before the body is sent, then the answer.
                s = socket.create_connection(("127.0.0.1", PORT))
                s.settimeout(20)
                body = b'{"query":"{hello}"}'
                s.sendall(b"POST /graphql HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nExpect: 100-continue\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body))
                first = s.recv(65536)
                s.sendall(body)
                rest = b""
                while b"hello world" not in rest:
                    chunk = s.recv(65536)
                    if not chunk: break
                    rest += chunk
                print(first.split(b"\\r\\n", 1)[0].decode(), rest.split(b"\\r\\n", 1)[0].decode())
                """, port: port)
            #expect(lines.last == "HTTP/1.1 100 Continue HTTP/1.1 200 OK", "\(lines)")
            #expect(lines.dropLast() == ["HTTP/1.1 200 OK closed", "HTTP/1.1 200 OK closed", "HTTP/1.1 400 Bad Request closed",
                              "HTTP/1.1 426 Upgrade Required closed", "HTTP/1.1 405 Method Not Allowed closed",
                              "HTTP/1.1 405 Method Not Allowed closed"])
            let fine = try await client.query("{ hello }")
            #expect(fine.text == #"{"data":{"hello":"hello world"}}"#)
        }
    }

    /// An HTTP/1.0 request without `keep-alive` (and any `Connection: close`) gets its answer and
    /// then the connection is closed; HTTP/1.0 with `keep-alive` and HTTP/1.1 stay open.
    @Test(.timeLimit(.minutes(1))) func aConnectionNotKeptAliveIsClosedAfterItsAnswer() async throws {
        try await withGateway(try GatewayConfiguration.parse(yaml: "{}"), executor: try echoExecutor()) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let lines = try await run(Self.probe + """
                def get(version, header):
                    return b"GET /graphql?query=%7Bhello%7D HTTP/" + version + b"\\r\\nHost: x\\r\\nAccept: application/json\\r\\n" + header + b"\\r\\n"
                print(probe(get(b"1.0", b"")))
                print(probe(get(b"1.0", b"Connection: Keep-Alive\\r\\n")))
                print(probe(get(b"1.1", b"Connection: Close\\r\\n")))
                print(probe(get(b"1.1", b"")))
                """, port: port)
            #expect(lines == ["HTTP/1.1 200 OK closed", "HTTP/1.1 200 OK open", "HTTP/1.1 200 OK closed", "HTTP/1.1 200 OK open"])
        }
    }

    /// A streamed answer (multipart `@defer`, an event stream) to an HTTP/1.0 request is not
    /// chunked (RFC 9112 §6.1: no Transfer-Encoding to a client that did not send HTTP/1.1): an
    /// HTTP/1.0 response whose body ends with the connection — kept alive or not. (Probe 34A:
    /// `HTTP/1.1 200` with `transfer-encoding: chunked`, which an HTTP/1.0 client cannot read.)
    @Test(.timeLimit(.minutes(1))) func aStreamToAnHTTP10ClientEndsWithTheConnection() async throws {
        let executor = FederatedExecutor(supergraph: try Supergraph(sdl: try benchFile("supergraph.graphql")), transports: try benchInProcessTransports())
        try await withGateway(try GatewayConfiguration.parse(yaml: "{}"), executor: executor) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = #"""
                import socket, sys
                def ask(accept, keep):
                    body = b'{"query":"{ me { id ... @defer { name } } }"}'
                    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                    s.sendall(b"POST /graphql HTTP/1.0\r\nContent-Type: application/json\r\nAccept: " + accept + b"\r\n" + keep
                              + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                    s.settimeout(30)
                    data = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk: break
                        data += chunk
                    head, _, answer = data.partition(b"\r\n\r\n")
                    lines = head.decode().split("\r\n")
                    chunked = any(l.lower().startswith("transfer-encoding") for l in lines)
                    print(lines[0], "chunked" if chunked else "plain", b'"Uri Goldshtein"' in answer and b'"hasNext":false' in answer, flush=True)
                ask(b"multipart/mixed;deferSpec=20220824", b"")
                ask(b"multipart/mixed;deferSpec=20220824", b"Connection: keep-alive\r\n")
                ask(b"text/event-stream", b"")
                """#
            let child = try ChildProcess("/usr/bin/env", ["python3", "-c", script, port])
            defer { child.stop() }
            var lines: [String] = []
            for _ in 0..<3 { lines.append(try await child.firstLine { $0 }) }
            #expect(lines == ["HTTP/1.0 200 OK plain True", "HTTP/1.0 200 OK plain True", "HTTP/1.0 200 OK plain True"], "\(lines)")
        }
    }

    /// Documents that differ only in canonically equivalent text ("é" as U+00E9, then as "e" and
    /// U+0301) are two documents: the cached one's literal was served to the other (probe 36B).
    @Test func documentsThatDifferOnlyInUnicodeNormalizationAreTwo() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            for name in ["\u{E9}", "e\u{301}", "\u{E9}"] {
                let r = try await client.post(JSON.object(["query": .string("{ hello(name: \"\(name)\") }")]).text)
                #expect(r.json?["data"]?["hello"]?.stringValue.map { Array($0.unicodeScalars) } == Array("hello \(name)".unicodeScalars), "\(r.text)")
            }
        }
    }

    /// A variable's object with two names that differ only in Unicode normalization is refused
    /// (400, saying why): read into one Swift dictionary, one of its members was dropped and the
    /// subgraph got the other alone (probe 37B).
    @Test func aVariableWhoseNamesDifferOnlyInUnicodeNormalizationIsRefused() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let r = try await client.post(#"{"query":"query($v: String) { hello(name: $v) }","variables":{"v":"x","o":{"\u00e9":1,"e\u0301":2}}}"#)
            #expect(r.status == 400, "\(r.text)")
            #expect(r.json?["errors"]?[0]?["message"]?.stringValue?.contains("differ only in Unicode normalization") == true, "\(r.text)")
        }
    }

    /// A body chunked a byte at a time is read as any other (its parts go on as one per read:
    /// each byte was a part through the handlers and the body's sequence, 400 times the CPU).
    @Test(.timeLimit(.minutes(1))) func aBodyChunkedAByteAtATimeIsAnswered() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import socket, sys
                body = b'{"query":"{ hello(name: \\\\"' + b"x" * 5000 + b'\\\\") }"}'
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                wire = b"POST /graphql HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nConnection: close\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
                wire += b"".join(b"1\\r\\n" + body[i:i + 1] + b"\\r\\n" for i in range(len(body))) + b"0\\r\\n\\r\\n"
                for i in range(0, len(wire), 999): s.sendall(wire[i:i + 999])
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk: break
                    data += chunk
                head, _, answer = data.partition(b"\\r\\n\\r\\n")
                print(head.split(b"\\r\\n")[0].decode(), len(answer), answer.endswith(b'"}}'), flush=True)
                """
            let child = try ChildProcess("/usr/bin/env", ["python3", "-c", script, port])
            defer { child.stop() }
            let line = try await child.firstLine { $0 }
            #expect(line.hasPrefix("HTTP/1.1 200 OK ") && line.hasSuffix(" True"), "\(line)")
        }
    }

    /// A request whose body stops arriving is answered 408 and closed once `request_timeout_ms`
    /// has passed since its head; a malformed chunked body is answered 400 (on a gateway without the timeout, so
    /// that the two cannot race).
    @Test(.timeLimit(.minutes(1)), arguments: [(true, "limits: { request_timeout_ms: 300 }"), (false, "limits: { request_timeout_ms: null }")])
    func aBodyThatStopsArrivingOrIsMalformedEnds(_ stalled: Bool, _ yaml: String) async throws {
        try await withGateway(try GatewayConfiguration.parse(yaml: yaml), executor: try echoExecutor()) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let lines = try await run(Self.probe + """
                head = b"POST /graphql HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\n"
                if \(stalled ? "True" : "False"):
                    print(probe(head + b"Content-Length: 100\\r\\n\\r\\n{\\"q"))
                else:
                    print(probe(head + b"Transfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n{}\\r\\n0\\r\\n\\r\\n"))
                """, port: port)
            if stalled {
                // Answered 408 (GraphQL over HTTP: SHOULD), then closed.
                #expect(lines == ["HTTP/1.1 408 Request Timeout closed"], "\(lines)")
            } else {
                #expect(lines == ["HTTP/1.1 400 Bad Request closed"])
                // The gateway serves on (not checked under the short request timeout, which a
                // loaded machine may exceed).
                let fine = try await client.query("{ hello }")
                #expect(fine.text == #"{"data":{"hello":"hello world"}}"#)
            }
        }
    }
}

/// Cases of the specification that generated operations rarely meet, through the federated
/// gateway (an in-process subgraph) as a client sends them; graphql-core 3.2 answers the same.
@Suite("Specification edge cases through the gateway")
struct SpecificationEdgeCaseTests {
    func gateway() throws -> FederatedExecutor {
        let s = try Subgraph<RequestContext>(name: "edge", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
            scalar JSON
            type Query {
              echo(j: JSON): JSON
              hello: String!
              boom: String!
              old: String @deprecated(reason: null)
              older: String @deprecated
            }
            """)
        s.query.field("echo") { _, a, _, _ in .leaf(a["j"] ?? .null) }
            .field("hello") { _, _, _, _ in .leaf("hi") }
            .field("boom") { _, _, _, _ in throw GraphQLError("boom") }
            .field("old") { _, _, _, _ in .leaf("o") }
            .field("older") { _, _, _, _ in .leaf("o") }
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "edge", url: "in-process:edge", sdl: s.sdl)]))
        return FederatedExecutor(supergraph: supergraph, transports: ["edge": InProcessTransport(subgraph: s) { _ in RequestContext() }])
    }

    @Test func aNullIfOnSkipOrIncludeIsAnErrorNotFalse() async throws {
        try await withGateway(executor: try gateway()) { client in
            let message = #"Argument "if" of non-null type "Boolean!" must not be null."#
            // A nullable variable with a default may fill `if: Boolean!`; sent as null it is an
            // error (§6.4.1), whether the gateway or the subgraph would evaluate the directive.
            for q in ["query($s: Boolean = true) { __typename @skip(if: $s) }",
                      "query($s: Boolean = true) { hello @include(if: $s) }",
                      "query($s: Boolean = true) { __schema @include(if: $s) { queryType { name } } }",
                      "query($s: Boolean = true) { hello ...F } fragment F on Query { __typename @skip(if: $s) }"] {
                let r = try await client.query(q, variables: #"{"s":null}"#)
                #expect(r.status == 200, "\(q): \(r.text)")
                #expect(r.json?["data"] == .null, "\(q): \(r.text)")
                #expect(r.json?["errors"]?[0]?["message"] == .string(message), "\(q): \(r.text)")
            }
            let located = try await client.query("query($s: Boolean = true) { __typename @skip(if: $s) }", variables: #"{"s":null}"#)
            #expect(located.json?["errors"]?[0]?["locations"] == [["line": 1, "column": 50]])
            // The default, or false, as before.
            let byDefault = try await client.query("query($s: Boolean = true) { hello __typename @skip(if: $s) }")
            #expect(byDefault.text == #"{"data":{"hello":"hi"}}"#)
        }
    }

    /// A subgraph with objects below the root: nested conditions, lists, an interface.
    func nested() throws -> Subgraph<RequestContext> {
        let s = try Subgraph<RequestContext>(name: "nested", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
            type Query { hello: String! item: Item list: [Item] strictList: [Item!] strict: Item! none: Item empty: [Item] pet: Pet }
            type Item { name: String inner: Item }
            interface Pet { name: String }
            type Dog implements Pet { name: String barks: Boolean }
            type Cat implements Pet { name: String }
            """)
        let item = ObjectResolvers<RequestContext, String>("Item")
        item.field("name") { n, _, _, _ in .leaf(.string(n)) }
            .field("inner") { n, _, _, _ in n == "a" ? .object("b", item) : .null }
        let cat = ObjectResolvers<RequestContext, String>("Cat").field("name") { n, _, _, _ in .leaf(.string(n)) }
        s.query.field("hello") { _, _, _, _ in .leaf("hi") }
            .field("item") { _, _, _, _ in .object("a", item) }
            .field("list") { _, _, _, _ in .list([.object("x", item), .object("y", item)]) }
            .field("strictList") { _, _, _, _ in .list([.object("x", item), .object("y", item)]) }
            .field("strict") { _, _, _, _ in .object("s", item) }
            .field("none") { _, _, _, _ in .null }
            .field("empty") { _, _, _, _ in .list([]) }
            .field("pet") { _, _, _, _ in .object("c", cat) }
        return s
    }

    @Test func aNullIfBelowTheRootIsAnErrorOfTheFieldWhoseObjectsItSelects() async throws {
        // What graphql-js (and graphql-core 3.3) answer: the error is raised where the fields are
        // collected, so it is the enclosing field's (each list item's), null propagating from
        // there; no error where no object is collected (a null, an empty list, a fragment whose
        // type does not apply, a field skipped); `@skip` is read before `@include`.
        let m = #""message":"Argument \"if\" of non-null type \"Boolean!\" must not be null.""#
        let cases: [(String, String)] = [
            ("{ hello item { name @include(if: $v) } }",
             #"{"errors":[{\#(m),"locations":[{"line":1,"column":60}],"path":["item"]}],"data":{"hello":"hi","item":null}}"#),
            ("{ hello item { inner { name @skip(if: $v) } } }",
             #"{"errors":[{\#(m),"locations":[{"line":1,"column":65}],"path":["item","inner"]}],"data":{"hello":"hi","item":{"inner":null}}}"#),
            ("{ hello list { name @include(if: $v) } }",
             #"{"errors":[{\#(m),"locations":[{"line":1,"column":60}],"path":["list",0]},{\#(m),"locations":[{"line":1,"column":60}],"path":["list",1]}],"data":{"hello":"hi","list":[null,null]}}"#),
            ("{ hello strictList { name @include(if: $v) } }",
             #"{"errors":[{\#(m),"locations":[{"line":1,"column":66}],"path":["strictList",0]}],"data":{"hello":"hi","strictList":null}}"#),
            ("{ hello strict { name @include(if: $v) } }",
             #"{"errors":[{\#(m),"locations":[{"line":1,"column":62}],"path":["strict"]}],"data":null}"#),
            ("{ hello none { name @include(if: $v) } empty { name @include(if: $v) } }", #"{"data":{"hello":"hi","none":null,"empty":[]}}"#),
            ("{ hello pet { ... on Dog { barks @include(if: $v) } name } }", #"{"data":{"hello":"hi","pet":{"name":"c"}}}"#),
            ("{ hello item @skip(if: true) { name @include(if: $v) } }", #"{"data":{"hello":"hi"}}"#),
            ("{ hello item { name @include(if: false) @skip(if: $v) } }",
             #"{"errors":[{\#(m),"locations":[{"line":1,"column":77}],"path":["item"]}],"data":{"hello":"hi","item":null}}"#),
            ("{ hello item { name @skip(if: true) @include(if: $v) } }", #"{"data":{"hello":"hi","item":{}}}"#),
            // A fragment applied already is passed before its directives are read (graphql-js 16).
            ("{ hello item { ...F ...F @include(if: $v) } } fragment F on Item { name }", #"{"data":{"hello":"hi","item":{"name":"a"}}}"#),
            ("{ hello item { ...F @include(if: $v) ...F } } fragment F on Item { name }",
             #"{"errors":[{\#(m),"locations":[{"line":1,"column":60}],"path":["item"]}],"data":{"hello":"hi","item":null}}"#),
        ]
        let s = try nested()
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "nested", url: "in-process:nested", sdl: s.sdl)]))
        let executor = FederatedExecutor(supergraph: supergraph, transports: ["nested": InProcessTransport(subgraph: s) { _ in RequestContext() }])
        try await withGateway(executor: executor) { client in
            for (selection, expected) in cases {
                // Through the gateway: the shaper raises it, and the subgraph it is sent to too (once in the answer).
                let q = "query($v: Boolean = true) " + selection
                let r = try await client.query(q, variables: #"{"v":null}"#)
                #expect(r.status == 200, "\(q): \(r.text)")
                #expect(r.text == expected, "\(q)")
                // The engine alone (what an in-process subgraph answers).
                let source = Source(q)
                let engine = await s.execute(ExecutionRequest(document: try Parser.parse(source), variables: ["v": .null], source: source),
                                             context: RequestContext())
                #expect(engine.json == (try JSONReader.parse(expected)), "\(q)")
                // The default (true) when the variable is not given.
                let byDefault = try await client.query(q)
                #expect(byDefault.json?["errors"] == nil, "\(q): \(byDefault.text)")
            }
            // A deferred fragment's fields are collected with its object's (delivered later):
            // a null condition among them is the object's error in the first payload.
            let deferred = "query($v: Boolean = true) { hello item { name ... @defer { inner { name } name @include(if: $v) } } }"
            let r = try await client.post(JSON.object(["query": .string(deferred), "variables": ["v": .null]]).text,
                                          accept: "multipart/mixed;deferSpec=20220824,application/json")
            let parts = DeferTests.parts(r.text)
            #expect(parts.count == 1, "\(r.text)")
            #expect(parts.first?["data"] == ["hello": "hi", "item": .null], "\(r.text)")
            #expect(parts.first?["errors"]?[0]?["path"] == ["item"], "\(r.text)")
            #expect(parts.first?["hasNext"] == nil || parts.first?["hasNext"] == false, "\(r.text)")
            // `@defer(if:)` is `Boolean! = true`: a null given is the same error where the fragment
            // is collected (graphql-js 17), never "deferred"; at the root it refuses the request.
            for (q, path) in [("query($v: Boolean = true) { hello item { name ... @defer(if: $v) { inner { name } } } }", JSON.array(["item"])),
                              ("query($v: Boolean = true) { hello ... @defer(if: $v) { item { name } } }", nil)] {
                for accept in ["multipart/mixed;deferSpec=20220824,application/json", "application/json"] {
                    let r = try await client.post(JSON.object(["query": .string(q), "variables": ["v": .null]]).text, accept: accept)
                    let first = accept == "application/json" ? r.json : DeferTests.parts(r.text).first
                    #expect(first?["errors"]?[0]?["message"] == "Argument \"if\" of non-null type \"Boolean!\" must not be null.", "\(q) \(accept): \(r.text)")
                    if let path {
                        #expect(first?["data"] == ["hello": "hi", "item": .null], "\(q) \(accept): \(r.text)")
                        #expect(first?["errors"]?[0]?["path"] == path, "\(q) \(accept): \(r.text)")
                    } else {
                        #expect(first?["data"] == nil || first?["data"] == .null, "\(q) \(accept): \(r.text)")
                    }
                }
                // The same document given true, or left out (`if` then takes its default, true):
                // the null's error is not kept for them (shaping programs are kept per document
                // and per the values of the variables directives read, a null apart from none).
                for variables in [#"{"v":true}"#, "{}"] {
                    let r = try await client.query(q, variables: variables)
                    #expect(r.json?["errors"] == nil, "\(q) \(variables): \(r.text)")
                    #expect(r.json?["data"]?["hello"] == "hi", "\(q) \(variables): \(r.text)")
                }
            }
        }
    }

    @Test func aRootFetchWithoutDataExplainsItsFieldsAlsoBesideIntrospection() async throws {
        try await withGateway(executor: try gateway()) { client in
            // The subgraph's non-null `boom` failed, so its `data` is null and `hello` is missing
            // too: explained by that error (graphql-js over one schema reports `boom`'s only),
            // whether or not introspection (answered by the gateway) is in the operation.
            for q in ["{ hello boom }", #"{ hello boom __type(name: "Query") { name } }"#] {
                let r = try await client.query(q)
                #expect(r.json?["data"] == .null, "\(q): \(r.text)")
                #expect(r.json?["errors"]?.arrayValue?.count == 1, "\(q): \(r.text)")
                #expect(r.json?["errors"]?[0]?["path"] == ["boom"], "\(q): \(r.text)")
            }
        }
    }

    @Test func aNumberBeyondADoubleInACustomScalarIsRefusedNotNulled() async throws {
        try await withGateway(executor: try gateway()) { client in
            // JSON reads `1e400` as infinity, which JSON cannot write: the subgraph would get null.
            for variables in [#"{"j":1e400}"#, #"{"j":{"x":[1,-1e400]}}"#] {
                let r = try await client.query("query($j: JSON) { echo(j: $j) }", variables: variables)
                #expect(r.status == 422, "\(variables): \(r.text)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_USER_INPUT", "\(r.text)")
                #expect(r.json?["data"] == nil, "\(r.text)")
            }
            let finite = try await client.query("query($j: JSON) { echo(j: $j) }", variables: #"{"j":{"x":[1,1.5e300]}}"#)
            #expect(finite.text == #"{"data":{"echo":{"x":[1,1.5e+300]}}}"#)
        }
    }

    @Test func anEmptyOperationNameNamesNoOperation() async throws {
        try await withGateway(executor: try gateway()) { client in
            // "" is not null (§6.1 GetOperation): no operation has that name.
            for body in [#"{"query":"{ hello }","operationName":""}"#, #"{"query":"query A { hello }","operationName":""}"#] {
                let r = try await client.post(body)
                #expect(r.json?["data"] == nil, "\(r.text)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "OPERATION_NOT_FOUND", "\(r.text)")
            }
            let null = try await client.post(#"{"query":"{ hello }","operationName":null}"#)
            #expect(null.text == #"{"data":{"hello":"hi"}}"#)
        }
    }

    @Test func aSelectionOnALeafIsOneError() async throws {
        try await withGateway(executor: try gateway()) { client in
            let r = try await client.query("{ hello { x } }")
            #expect(r.json?["errors"]?.arrayValue?.count == 1, "\(r.text)")
            #expect(r.json?["errors"]?[0]?["message"] == #"Field "hello" must not have a selection since type "String!" has no subfields."#)
        }
    }

    @Test func aDeprecationWithANullReasonIsNone() async throws {
        try await withGateway(executor: try gateway()) { client in
            // graphql-js reads `@deprecated(reason: null)` as no deprecation (its reason is null).
            let r = try await client.query(#"{ __type(name: "Query") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }"#)
            let fields = r.json?["data"]?["__type"]?["fields"]?.arrayValue ?? []
            #expect(fields.first { $0["name"] == "old" }?["isDeprecated"] == false, "\(r.text)")
            #expect(fields.first { $0["name"] == "old" }?["deprecationReason"] == .null, "\(r.text)")
            #expect(fields.first { $0["name"] == "older" }?["deprecationReason"] == "No longer supported", "\(r.text)")
        }
    }
}

/// Log lines a test's gateway wrote.
final class CapturedLog: Sendable {
    private let lines = Mutex<[(level: Logger.Level, message: String)]>([])
    var entries: [(level: Logger.Level, message: String)] { lines.withLock { $0 } }
    func add(_ level: Logger.Level, _ message: String) { lines.withLock { $0.append((level, message)) } }
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var logLevel: Logger.Level = .debug
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { log.add(event.level, event.message.description) }
}
