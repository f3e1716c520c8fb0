import BenchSubgraphs
import Federation
import Foundation
import Gateway
import GraphQLCore
import Testing
import TestSupport

/// One test per attack: the status, the error code, that no subgraph was called, and that the
/// gateway answers a normal query right after.
@Suite("Hostile requests")
struct AttackTests {
    func withBenchGateway(_ config: GatewayConfiguration = GatewayConfiguration(),
                          _ body: (GatewayClient, CountingTransports) async throws -> Void) async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        let counting = CountingTransports(transports)
        try await withGateway(config, executor: FederatedExecutor(supergraph: supergraph, transports: counting.wrapped)) { client in
            try await body(client, counting)
        }
    }

    func expectRejected(_ client: GatewayClient, _ counting: CountingTransports, _ r: GatewayResponse, status: Int, code: String,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        #expect(r.status == status, "\(r.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(r.json?["errors"]?[0]?["extensions"]?["code"]?.stringValue == code, "\(r.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(r.json?["data"] == nil, sourceLocation: sourceLocation)
        #expect(counting.total == 0, "no subgraph was called", sourceLocation: sourceLocation)
        let normal = try await client.query("{ me { name } }")
        #expect(normal.text == #"{"data":{"me":{"name":"Uri Goldshtein"}}}"#, sourceLocation: sourceLocation)
    }

    /// What the limits found for one operation of a cached document is kept with it; another
    /// operation of the same document is still checked (and refused) on its own.
    @Test func aCachedDocumentsOtherOperationIsStillChecked() async throws {
        try await withBenchGateway { client, counting in
            let deep = "query Deep { me { " + String(repeating: "reviews { author { ", count: 10) + "name" + String(repeating: " } }", count: 10) + " } }"
            let text = "query Small { me { name } } " + deep
            for _ in 0..<2 {
                let r = try await client.post(#"{"query":\#(JSON.string(text).text),"operationName":"Small"}"#)
                #expect(r.text == #"{"data":{"me":{"name":"Uri Goldshtein"}}}"#)
            }
            let before = counting.total
            let r = try await client.post(#"{"query":\#(JSON.string(text).text),"operationName":"Deep"}"#)
            #expect(r.status == 400, "\(r.text.prefix(300))")
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"]?.stringValue == "MAX_DEPTH_EXCEEDED", "\(r.text.prefix(300))")
            #expect(counting.total == before, "no subgraph was called")
        }
    }

    @Test func deepNesting() async throws {
        try await withBenchGateway { client, counting in
            let deep = "{ me { " + String(repeating: "reviews { author { ", count: 10) + "name" + String(repeating: " } }", count: 10) + " } }"
            try await expectRejected(client, counting, try await client.query(deep), status: 400, code: "MAX_DEPTH_EXCEEDED")
        }
    }

    @Test func deepNestingThroughFragments() async throws {
        try await withBenchGateway { client, counting in
            var q = "{ me { ...F0 } }\n"
            for i in 0..<10 { q += "fragment F\(i) on User { reviews { author { ...F\(i + 1) } } }\n" }
            q += "fragment F10 on User { name }\n"
            try await expectRejected(client, counting, try await client.query(q), status: 400, code: "MAX_DEPTH_EXCEEDED")
        }
    }

    /// A chain of fragments nests without the parser's per-definition bound; every walk that
    /// follows spreads is recursive, so a chain of 1,800 (about 60 KB) overflowed a thread's stack
    /// in validation when the limits that would catch it were off. It is refused as it is parsed.
    @Test func aFragmentChainIsBoundedEvenWithTheLimitsOff() async throws {
        var config = GatewayConfiguration()
        config.limits.maxDepth = nil
        config.limits.maxTokens = nil
        config.limits.maxFields = nil
        config.limits.maxCost = nil
        try await withBenchGateway(config) { client, counting in
            var q = "{ me { ...F0 } }\n"
            for i in 0..<1_800 { q += "fragment F\(i) on User { ... on User { ...F\(i + 1) } }\n" }
            q += "fragment F1800 on User { name }\n"
            try await expectRejected(client, counting, try await client.query(q), status: 400, code: "MAX_DEPTH_EXCEEDED")
            let e = try await client.query(q).json?["errors"]?[0]?["message"]?.stringValue
            #expect(e == "Syntax Error: Document nesting exceeds the maximum depth of 200 through its fragment spreads.")
            // A chain within the bound answers.
            var ok = "{ me { ...F0 } }\n"
            for i in 0..<50 { ok += "fragment F\(i) on User { ... on User { ...F\(i + 1) } }\n" }
            ok += "fragment F50 on User { name }\n"
            #expect(try await client.query(ok).text == #"{"data":{"me":{"name":"Uri Goldshtein"}}}"#)
        }
    }

    /// Validation walks every operation of the document, also those not run: introspection whose
    /// fragments spread the next one twice at each of 40 levels was walked 2^40 times (4.7 s of CPU
    /// at 22 levels, more than doubling with each).
    @Test(.timeLimit(.minutes(1))) func fragmentsSpreadTwiceAtEveryLevelAreWalkedOnce() async throws {
        try await withBenchGateway { client, counting in
            var q = "query A { me { name } }\nquery B { __schema { ...F0 } }\n"
            for i in 0..<40 { q += "fragment F\(i) on __Schema { ...F\(i + 1) ...F\(i + 1) }\n" }
            q += "fragment F40 on __Schema { types { name } }\n"
            let r = try await client.post(#"{"query":\#(JSON.string(q).text),"operationName":"A"}"#)
            #expect(r.text == #"{"data":{"me":{"name":"Uri Goldshtein"}}}"#)
        }
    }

    /// Two fields spreading one fragment, in an operation not run (not measured by the limits),
    /// each fragment doing the same a level down: their fields were gathered for the merge check
    /// once per path, doubling with each level (probe 53C: 13 levels, 1 KB, cost 1.6 s of CPU, and
    /// the work went on after the client's 504).
    @Test(.timeLimit(.minutes(1))) func fieldsSpreadingOneFragmentTwicePerLevelAreComparedOnce() async throws {
        try await withBenchGateway { client, counting in
            var q = "query A { me { name } }\nquery B { me { ...F0 } }\n"
            for i in 0..<40 { q += "fragment F\(i) on User { reviews { author { ...F\(i + 1) } } reviews { author { ...F\(i + 1) } } }\n" }
            q += "fragment F40 on User { name }\n"
            let r = try await client.post(#"{"query":\#(JSON.string(q).text),"operationName":"A"}"#)
            #expect(r.text == #"{"data":{"me":{"name":"Uri Goldshtein"}}}"#)
        }
    }

    /// Fragments spreading each other through fields (a cycle, refused) crashed the gateway: the
    /// merge check compared their subfields without end and overflowed the stack (probe 53E).
    @Test(.timeLimit(.minutes(1))) func fragmentsSpreadingEachOtherThroughFieldsAreRefused() async throws {
        try await withBenchGateway { client, counting in
            let q = "{ me { ...A ...B } } fragment A on User { reviews { author { ...B } } } fragment B on User { reviews { author { ...A } } }"
            let r = try await client.query(q)
            #expect(r.status == 422, "\(r.text.prefix(300))")
            #expect(r.json?["errors"]?[0]?["message"]?.stringValue?.hasPrefix("Cannot spread fragment") == true, "\(r.text.prefix(300))")
            #expect(try await client.query("{ me { name } }").text == #"{"data":{"me":{"name":"Uri Goldshtein"}}}"#)
            #expect(counting.total == 1)
        }
    }

    @Test func introspectionNamesGetNoExemption() async throws {
        try await withBenchGateway { client, counting in
            // An operation and fragments named like introspection are measured like any other.
            var q = "query __schema { me { ...__type0 } }\n"
            for i in 0..<10 { q += "fragment __type\(i) on User { reviews { author { ...__type\(i + 1) } } }\n" }
            q += "fragment __type10 on User { name }\n"
            try await expectRejected(client, counting, try await client.query(q), status: 400, code: "MAX_DEPTH_EXCEEDED")
            // The real introspection query passes.
            let r = try await client.query("{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }")
            #expect(r.status == 200)
        }
    }

    @Test func aliasOverloading() async throws {
        try await withBenchGateway { client, counting in
            let q = "{ " + (0..<100).map { "a\($0): me { name }" }.joined(separator: " ") + " }"
            try await expectRejected(client, counting, try await client.query(q), status: 400, code: "MAX_ALIASES_EXCEEDED")
        }
    }

    @Test func tenThousandDuplicatedFields() async throws {
        try await withBenchGateway { client, counting in
            let q = "{ me { " + String(repeating: "name ", count: 10_000) + "} }"
            let r = try await client.query(q)
            // 10,000 fields exceed both max_fields (3,500) and the token limit would not: 10,005 tokens.
            try await expectRejected(client, counting, r, status: 400, code: "MAX_FIELDS_EXCEEDED")
        }
    }

    @Test func thousandDirectivesOnOneField() async throws {
        try await withBenchGateway { client, counting in
            let q = "{ me { name " + String(repeating: "@skip(if: false) ", count: 1_000) + "} }"
            try await expectRejected(client, counting, try await client.query(q), status: 400, code: "MAX_DIRECTIVES_EXCEEDED")
        }
    }

    @Test func fragmentFanOutThirtyLevelsDeep() async throws {
        try await withBenchGateway { client, counting in
            var q = "{ me { ...F0 } }\n"
            for i in 0..<30 { q += "fragment F\(i) on User { name ...F\(i + 1) ...F\(i + 1) }\n" }
            q += "fragment F30 on User { name }\n"
            let start = ContinuousClock.now
            let r = try await client.query(q)
            _ = start
            try await expectRejected(client, counting, r, status: 400, code: "MAX_FIELDS_EXCEEDED")
        }
    }

    @Test func tooManyRootFields() async throws {
        try await withBenchGateway { client, counting in
            let q = "{ " + (0..<25).map { "r\($0): __typename" }.joined(separator: " ") + " }"
            var config = GatewayConfiguration()
            config.limits.maxAliases = nil
            try await withBenchGateway(config) { client2, counting2 in
                try await expectRejected(client2, counting2, try await client2.query(q), status: 400, code: "MAX_ROOT_FIELDS_EXCEEDED")
            }
            _ = (client, counting)
        }
    }

    @Test func tokenFlood() async throws {
        try await withBenchGateway { client, counting in
            let q = "{ me { " + String(repeating: "name ", count: 20_000) + "} }"
            try await expectRejected(client, counting, try await client.query(q), status: 400, code: "MAX_TOKENS_EXCEEDED")
        }
    }

    @Test func hugeBodyIsRefusedWhileReading() async throws {
        try await withBenchGateway { client, counting in
            // 16 times the 1 MiB limit. (The server drains what it refused so the connection stays
            // usable: beside the whole suite on 2 cores, draining 100 MB took longer than a deadline.)
            let body = #"{"query":"{ me { name } }","variables":{"x":""# + String(repeating: "x", count: 16_000_000) + #""}}"#
            let r = try await client.send(.POST, "/graphql", body: Array(body.utf8),
                                          headers: [("content-type", "application/json"), ("accept", "application/graphql-response+json")],
                                          timeout: .seconds(180))
            try await expectRejected(client, counting, r, status: 413, code: "PAYLOAD_TOO_LARGE")
        }
    }

    @Test func deeplyNestedJSONVariables() async throws {
        try await withBenchGateway { client, counting in
            let nested = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            try await expectRejected(client, counting, try await client.post(#"{"query":"{ me { name } }","variables":{"v":\#(nested)}}"#),
                                     status: 400, code: "MAX_JSON_DEPTH_EXCEEDED")
            // In a GET's query string alike (variables and extensions).
            let deep = (String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            for key in ["variables", "extensions"] {
                let before = counting.total
                let r = try await client.send(.GET, "/graphql?query=%7B%20me%20%7B%20name%20%7D%20%7D&\(key)=%7B%22v%22%3A\(deep)%7D",
                                              headers: [("accept", "application/graphql-response+json")])
                #expect(r.status == 400, "\(r.text.prefix(300))")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "MAX_JSON_DEPTH_EXCEEDED", "\(r.text.prefix(300))")
                #expect(counting.total == before, "no subgraph was called")
            }
        }
    }

    @Test func thousandBatchedOperations() async throws {
        var config = GatewayConfiguration()
        config.limits.maxBatch = 10
        try await withBenchGateway(config) { client, counting in
            let batch = "[" + Array(repeating: #"{"query":"{ me { name } }"}"#, count: 1_000).joined(separator: ",") + "]"
            try await expectRejected(client, counting, try await client.post(batch), status: 400, code: "BATCH_LIMIT_EXCEEDED")
        }
    }

    @Test func getMutation() async throws {
        try await withBenchGateway { client, counting in
            let r = try await client.get([("query", "mutation { x }")])
            #expect(r.status == 405 || r.status == 422) // no Mutation type here: validation answers first
            #expect(counting.total == 0)
        }
    }

    @Test func introspectionWhenDisabled() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"), introspection: false)
        var transports = try benchInProcessTransports()
        let counting = CountingTransports(transports)
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: counting.wrapped)) { client in
            let r = try await client.query("{ __schema { types { name } } }")
            #expect(r.status == 400)
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "INTROSPECTION_DISABLED")
            #expect(counting.total == 0)
            let hidden = try await client.query("{ me { ... on User { t: __type(name: \"User\") { name } } } }")
            #expect(hidden.json?["errors"]?[0]?["extensions"]?["code"] == "INTROSPECTION_DISABLED")
            let suggestion = try await client.query("{ me { nam } }")
            #expect(suggestion.json?["errors"]?[0]?["message"] == "Cannot query field \"nam\" on type \"User\".", "no suggestions when introspection is off")
        }
    }

    /// With `csrf.enabled`, what a browser can send cross-site without a preflight is refused
    /// before anything runs: a GET without a custom header (a link, an image), and form or
    /// text/plain POSTs; a JSON POST, a GET with a required header, or one with a non-simple
    /// Content-Type goes through. Off (the default), a plain GET query runs.
    /// With CSRF prevention on, a browser's WebSocket upgrade from another site is refused (it
    /// carries the user's cookies without a preflight); no `Origin`, the server's own origin and
    /// the CORS origins connect.
    @Test func crossSiteWebSocketUpgradesAreRefusedWhenCSRFPreventionIsOn() async throws {
        var config = try GatewayConfiguration.parse(yaml: #"cors: { allow_origins: ["https://app.example"] }"#)
        config.csrf.enabled = true
        try await withBenchGateway(config) { client, _ in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import json, websockets.sync.client as c
                def attempt(origin):
                    try:
                        with c.connect("ws://127.0.0.1:\(port)/graphql", subprotocols=["graphql-transport-ws"], origin=origin, open_timeout=10) as ws:
                            ws.send(json.dumps({"type": "connection_init"}))
                            return json.loads(ws.recv(timeout=10))["type"]
                    except Exception as e:
                        return type(e).__name__ + " " + str(getattr(getattr(e, "response", None), "status_code", ""))
                for origin in [None, "https://evil.example", "http://127.0.0.1:\(port)", "https://app.example", "null"]:
                    print(attempt(origin))
                """
            let r = try await runProcess("/usr/bin/env", ["python3", "-c", script])
            #expect(r.output.split(separator: "\n").map(String.init)
                    == ["connection_ack", "InvalidStatus 400", "connection_ack", "connection_ack", "InvalidStatus 400"], "\(r.output)")
        }
    }

    /// The header limits bound a WebSocket's upgrade request (not switched: 400) and the headers
    /// its `connection_init` payload carries (closed with 4400), as they bound any request.
    @Test func webSocketHeadersAreUnderTheHeaderLimits() async throws {
        try await withBenchGateway { client, _ in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import json, websockets.sync.client as c
                def attempt(extra, payload_headers):
                    try:
                        with c.connect("ws://127.0.0.1:\(port)/graphql", subprotocols=["graphql-transport-ws"], additional_headers=extra, open_timeout=10) as ws:
                            ws.send(json.dumps({"type": "connection_init", "payload": {"headers": payload_headers}}))
                            try:
                                return json.loads(ws.recv(timeout=10))["type"]
                            except Exception as e:
                                return "closed " + str(getattr(getattr(e, "rcvd", None), "code", ""))
                    except Exception as e:
                        return type(e).__name__ + " " + str(getattr(getattr(e, "response", None), "status_code", ""))
                many = [("x-h%d" % i, "v") for i in range(150)]
                print(attempt([], {}))
                print(attempt(many, {}))
                print(attempt([("x-big", "v" * 20000)], {}))
                print(attempt([], {("x-p%d" % i): "v" for i in range(150)}))
                """
            let r = try await runProcess("/usr/bin/env", ["python3", "-c", script])
            #expect(r.output.split(separator: "\n").map(String.init)
                    == ["connection_ack", "InvalidStatus 400", "InvalidStatus 400", "closed 4400"], "\(r.output)")
        }
    }

    @Test func crossSiteRequestsAreRefusedWhenCSRFPreventionIsOn() async throws {
        var config = GatewayConfiguration()
        config.csrf.enabled = true
        try await withBenchGateway(config) { client, counting in
            let q = "/graphql?query=%7B%20me%20%7B%20name%20%7D%20%7D"
            func refused(_ r: GatewayResponse, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
                #expect(r.status == 400, "\(r.text)", sourceLocation: sourceLocation)
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"]?.stringValue == "CSRF_ERROR", "\(r.text)", sourceLocation: sourceLocation)
                #expect(r.json?["data"] == nil, sourceLocation: sourceLocation)
                #expect(counting.total == 0, "no subgraph was called", sourceLocation: sourceLocation)
            }
            refused(try await client.send(.GET, q))
            refused(try await client.send(.GET, q, headers: [("accept", "application/json")]))
            for simple in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "Text/Plain; charset=utf-8"] {
                refused(try await client.send(.POST, "/graphql", body: Array(#"{"query":"mutation { x }"}"#.utf8), headers: [("content-type", simple)]))
            }
            let expected = #"{"data":{"me":{"name":"Uri Goldshtein"}}}"#
            #expect(try await client.send(.GET, q, headers: [("apollo-require-preflight", "true")]).text == expected)
            #expect(try await client.send(.GET, q, headers: [("x-apollo-operation-name", "Me")]).text == expected)
            #expect(try await client.send(.GET, q, headers: [("content-type", "application/json")]).text == expected)
            #expect(try await client.send(.GET, q, headers: [("apollo-require-preflight", "")]).status == 400, "an empty value is no header")
        }
        try await withBenchGateway { client, _ in
            let r = try await client.send(.GET, "/graphql?query=%7B%20me%20%7B%20name%20%7D%20%7D")
            #expect(r.status == 200, "off by default")
        }
        #expect(throws: (any Error).self) { try GatewayConfiguration.parse(yaml: "csrf: { enabled: true, required_headers: [] }") }
    }
}

@Suite("Compressed bodies")
struct CompressedBodyTests {
    func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        var out = try buffer.compress(with: .gzip())
        return out.readBytes(length: out.readableBytes) ?? []
    }

    @Test func gzipBodiesAreReadAndAGzipBombIsRefused() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let ok = try await client.send(.POST, "/graphql", body: try gzip(Array(#"{"query":"{ hello }"}"#.utf8)),
                                           headers: [("content-type", "application/json"), ("content-encoding", "gzip")])
            #expect(ok.text == #"{"data":{"hello":"hello world"}}"#)
            // 100 MB of the same byte compresses to about 100 KB: under the limit compressed, far over it inflated.
            let bomb = try gzip(Array(#"{"query":"{ hello }","variables":{"x":""#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 100_000_000))
            #expect(bomb.count < 1_048_576)
            let r = try await client.send(.POST, "/graphql", body: bomb, headers: [("content-type", "application/json"), ("content-encoding", "gzip")])
            #expect(r.status == 413)
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "PAYLOAD_TOO_LARGE")
            // Exactly at the limit: one byte over it inflated is refused, the limit itself is read.
            func padded(_ size: Int) -> [UInt8] {
                let head = Array(#"{"query":"{ hello }","variables":{"x":""#.utf8), tail = Array(#""}}"#.utf8)
                return head + [UInt8](repeating: UInt8(ascii: "a"), count: size - head.count - tail.count) + tail
            }
            for (size, status) in [(1_048_576, 200), (1_048_577, 413)] {
                let r = try await client.send(.POST, "/graphql", body: try gzip(padded(size)),
                                              headers: [("content-type", "application/json"), ("content-encoding", "gzip")])
                #expect(r.status == status, "\(size) bytes inflated")
            }
            // A stream cut short (its trailer, or more, missing) is refused, not read as far as it goes.
            let whole = try gzip(Array(#"{"query":"{ hello }"}"#.utf8))
            for cut in [4, 8, whole.count / 2] {
                let r = try await client.send(.POST, "/graphql", body: Array(whole.dropLast(cut)),
                                              headers: [("content-type", "application/json"), ("content-encoding", "gzip")])
                #expect(r.status == 400, "\(cut) bytes cut: \(r.text)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_REQUEST")
            }
            var zlibBody = ByteBuffer(bytes: Array(#"{"query":"{ hello }"}"#.utf8))
            var deflated = try zlibBody.compress(with: .zlib())
            let zlibBytes = deflated.readBytes(length: deflated.readableBytes) ?? []
            let deflate = try await client.send(.POST, "/graphql", body: zlibBytes,
                                                headers: [("content-type", "application/json"), ("content-encoding", "deflate")])
            #expect(deflate.text == #"{"data":{"hello":"hello world"}}"#)
            let cutDeflate = try await client.send(.POST, "/graphql", body: Array(zlibBytes.dropLast(4)),
                                                   headers: [("content-type", "application/json"), ("content-encoding", "deflate")])
            #expect(cutDeflate.status == 400, "\(cutDeflate.text)")
            let garbage = try await client.send(.POST, "/graphql", body: Array("not gzip".utf8),
                                                headers: [("content-type", "application/json"), ("content-encoding", "gzip")])
            #expect(garbage.status == 400)
            let brotli = try await client.send(.POST, "/graphql", body: Array("{}".utf8),
                                               headers: [("content-type", "application/json"), ("content-encoding", "br")])
            #expect(brotli.status == 415)
            let normal = try await client.query("{ hello }")
            #expect(normal.status == 200)
        }
    }

    /// JSON text is UTF-8: a body with bytes that are not is refused (it was read with U+FFFD in
    /// their place); UTF-8 beyond ASCII is read as sent.
    @Test func aBodyThatIsNotUTF8IsRefused() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            for bad: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
                let body = Array(#"{"query":"{ hello }","variables":{"x":""#.utf8) + bad + Array(#""}}"#.utf8)
                let r = try await client.send(.POST, "/graphql", body: body, headers: [("content-type", "application/json")])
                #expect(r.status == 400, "\(bad)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_REQUEST")
            }
            let accented = try await client.send(.POST, "/graphql", body: Array(#"{"query":"{ hello } # café ☕"}"#.utf8),
                                                 headers: [("content-type", "application/json")])
            #expect(accented.text == #"{"data":{"hello":"hello world"}}"#)
        }
    }
}

import CompressNIO
import NIOCore
