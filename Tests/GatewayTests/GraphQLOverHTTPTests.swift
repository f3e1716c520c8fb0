import Foundation
import Gateway
import GraphQLCore
import Testing
import TestSupport

/// GraphQL over HTTP against a real server on loopback: status codes and media types.
@Suite("GraphQL over HTTP")
struct GraphQLOverHTTPTests {
    @Test func postQueryAnswers200WithTheRequestedMediaType() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let r = try await client.query("{ hello }")
            #expect(r.status == 200)
            #expect(r.contentType == "application/graphql-response+json; charset=utf-8")
            #expect(r.text == #"{"data":{"hello":"hello world"}}"#)
            let legacy = try await client.post(#"{"query":"query Q($n: String) { hello(name: $n) }","variables":{"n":"you"},"operationName":"Q"}"#, accept: "application/json")
            #expect(legacy.status == 200)
            #expect(legacy.contentType == "application/json; charset=utf-8")
            #expect(legacy.text == #"{"data":{"hello":"hello you"}}"#)
        }
    }

    /// A query written with a lone UTF-16 surrogate escape is not a document (GraphQL §2.1: Unicode
    /// scalar values only): refused as one that does not parse, not run with U+FFFD in its place.
    /// A pair is one scalar and runs; a lone one anywhere else in the request (a variable's value
    /// or member name, the operation name, extensions; POST or GET) is refused 400 — read as
    /// U+FFFD it reached the resolver as another value, and two member names became one (probe 54B).
    @Test func aLoneSurrogateInTheQueryIsAParseError() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            for body in [#"{"query":"{ hello(name: \"\ud800\") }"}"#, #"{"query":"{ hello } # \udc00"}"#] {
                let r = try await client.post(body)
                #expect(r.status == 400, "\(body): \(r.text)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "GRAPHQL_PARSE_FAILED", "\(body): \(r.text)")
            }
            let pair = try await client.post(#"{"query":"{ hello(name: \"\ud83d\ude00\") }"}"#)
            #expect(pair.text == #"{"data":{"hello":"hello \#u{1F600}"}}"#, "\(pair.text)")
            for body in [#"{"query":"query($n: String) { hello(name: $n) }","variables":{"n":"\ud800"}}"#,
                         #"{"query":"query($n: JSON) { hello }","variables":{"n":{"\ud800":1,"\udbff":2}}}"#,
                         #"{"query":"query Q { hello }","operationName":"Q\udc00"}"#,
                         #"{"query":"{ hello }","extensions":{"x":"\ud800 "}}"#] {
                let r = try await client.post(body)
                #expect(r.status == 400 && r.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_REQUEST", "\(body): \(r.text)")
                #expect(r.json?["errors"]?[0]?["message"]?.stringValue?.contains("lone UTF-16 surrogate") == true, "\(r.text)")
            }
            let get = try await client.send(.GET, "/graphql?query=" + "query($n: String) { hello(name: $n) }".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                                            + "&variables=" + #"{"n":"\ud800"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(get.status == 400 && get.text.contains("lone UTF-16 surrogate"), "\(get.text)")
            // An escaped backslash before `u` is no escape: runs.
            let text = try await client.post(#"{"query":"query($n: String) { hello(name: $n) }","variables":{"n":"\\ud800"}}"#)
            #expect(text.text == #"{"data":{"hello":"hello \\ud800"}}"#, "\(text.text)")
        }
    }

    /// `introspection: false` refuses `__schema`/`__type` whatever the executor's schema allows
    /// (a subgraph served alone executes its own, introspectable schema).
    @Test func introspectionOffIsRefusedForAnyExecutor() async throws {
        var config = GatewayConfiguration()
        config.introspection = false
        try await withGateway(config, executor: try echoExecutor()) { client in
            for q in ["{ __schema { queryType { name } } }", #"{ __type(name: "Query") { name } }"#] {
                let r = try await client.query(q)
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "INTROSPECTION_DISABLED", "\(r.text)")
            }
            #expect(try await client.query("{ hello }").text == #"{"data":{"hello":"hello world"}}"#)
            // Nor do its error messages suggest the schema's names.
            for q in ["{ helo }", #"{ hello(nam: "x") }"#, "query($n: Strin) { hello(name: $n) }"] {
                let r = try await client.query(q)
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "GRAPHQL_VALIDATION_FAILED", "\(r.text)")
                #expect(!r.text.contains("Did you mean"), "\(r.text)")
            }
        }
        try await withGateway(executor: try echoExecutor()) { client in
            let r = try await client.query("{ helo }")
            #expect(r.text.contains(#"Did you mean \"hello\"?"#), "\(r.text)")
        }
    }

    @Test func fieldErrorsArePartialSuccessWith200() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let r = try await client.query("{ hello fail }")
            #expect(r.status == 200)
            #expect(r.text == #"{"errors":[{"message":"it failed","locations":[{"line":1,"column":9}],"path":["fail"],"extensions":{"code":"FAILED"}}],"data":{"hello":"hello world","fail":null}}"#)
        }
    }

    /// HEAD is GET without the body (RFC 9110: every general-purpose server supports both).
    @Test func headIsAnsweredAsGetWithoutABody() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let health = try await client.send(.HEAD, "/health")
            #expect(health.status == 200 && health.body.isEmpty)
            let query = try await client.send(.HEAD, "/graphql?query=%7Bhello%7D", headers: [("accept", "application/json")])
            #expect(query.status == 200 && query.body.isEmpty)
            #expect(query.headers.first(name: "content-type")?.hasPrefix("application/json") == true)
        }
    }

    @Test func requestErrorsGetTheirStatusCodes() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let badJSON = try await client.post(#"{"query":"#)
            #expect(badJSON.status == 400)
            #expect(badJSON.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_REQUEST")
            #expect(badJSON.json?["data"] == nil)

            let parse = try await client.query("{ hello")
            #expect(parse.status == 400)
            #expect(parse.json?["errors"]?[0]?["message"] == "Syntax Error: Expected Name, found <EOF>.")
            #expect(parse.json?["errors"]?[0]?["extensions"]?["code"] == "GRAPHQL_PARSE_FAILED")
            let empty = try await client.post(#"{"query":""}"#)
            #expect(empty.status == 400)
            #expect(empty.json?["errors"]?[0]?["extensions"]?["code"] == "GRAPHQL_PARSE_FAILED")

            let invalid = try await client.query("{ nope }")
            #expect(invalid.status == 422)
            #expect(invalid.json?["errors"]?[0]?["message"] == "Cannot query field \"nope\" on type \"Query\".")
            #expect(invalid.json?["errors"]?[0]?["locations"]?[0]?["column"] == 3)
            #expect(invalid.json?["errors"]?[0]?["extensions"]?["code"] == "GRAPHQL_VALIDATION_FAILED")

            let noQuery = try await client.post(#"{"qeury":"{ hello }"}"#)
            #expect(noQuery.status == 422)
            let badVariablesShape = try await client.post(#"{"query":"{ hello }","variables":[7]}"#)
            #expect(badVariablesShape.status == 422)

            let coercion = try await client.query("query($n: Int!) { count(n: $n) }", variables: #"{"n":"seven"}"#)
            #expect(coercion.status == 422)
            #expect(coercion.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_USER_INPUT")

            let ambiguous = try await client.query("query A { hello } query B { hello }")
            #expect(ambiguous.status == 422)
        }
    }

    @Test func mediaTypesAndMethods() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let text = try await client.send(.POST, "/graphql", body: Array(#"{"query":"{ hello }"}"#.utf8), headers: [("content-type", "text/plain")])
            #expect(text.status == 415)
            // UTF-8 only: another charset would be read wrong, so it is refused.
            for (charset, status) in [("iso-8859-1", 415), ("\"latin1\"", 415), ("utf-8", 200), ("UTF-8", 200), ("\"utf-8\"", 200)] {
                let r = try await client.send(.POST, "/graphql", body: Array(#"{"query":"{ hello }"}"#.utf8),
                                              headers: [("content-type", "application/json; charset=\(charset)")])
                #expect(r.status == status, "\(charset)")
            }
            let noAcceptable = try await client.post(#"{"query":"{ hello }"}"#, accept: "text/xml")
            #expect(noAcceptable.status == 406)
            // A type's quality is its most specific range's (RFC 9110 §12.5.1): a wildcard does not
            // bring back a type refused with q=0, nor raise one named with a lower q.
            for (accept, type) in [("application/graphql-response+json;q=0, */*", "application/json"),
                                   ("application/json;q=0, */*", "application/graphql-response+json"),
                                   ("application/graphql-response+json;q=0.1, application/*", "application/json"),
                                   ("*/*", "application/json"), ("application/*", "application/json"),
                                   ("application/graphql-response+json, */*", "application/graphql-response+json"),
                                   ("application/json, */*;q=0.5", "application/json")] {
                let r = try await client.post(#"{"query":"{ hello }"}"#, accept: accept)
                #expect(r.status == 200 && r.contentType?.hasPrefix(type + ";") == true, "\(accept): \(r.contentType ?? "-")")
            }
            let bothRefused = try await client.post(#"{"query":"{ hello }"}"#, accept: "application/graphql-response+json;q=0, application/json;q=0, */*")
            #expect(bothRefused.status == 406)
            let put = try await client.send(.PUT, "/graphql", body: Array("{}".utf8), headers: [("content-type", "application/json")])
            #expect(put.status == 405)
            // The stream's path names its own methods (it takes PUT and DELETE too).
            let patch = try await client.send(.PATCH, "/graphql/stream", body: Array("{}".utf8), headers: [("content-type", "application/json")])
            #expect(patch.status == 405 && patch.headers.first(name: "allow") == "GET, HEAD, POST, PUT, DELETE, OPTIONS")
            let options = try await client.send(.OPTIONS, "/graphql/stream")
            #expect(options.status == 204 && options.headers.first(name: "allow") == "GET, HEAD, POST, PUT, DELETE, OPTIONS")
        }
    }

    @Test func getRunsQueriesButNotMutations() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let r = try await client.get([("query", "query Q($n: String) { hello(name: $n) }"), ("variables", #"{"n":"get"}"#), ("operationName", "Q")])
            #expect(r.status == 200)
            #expect(r.text == #"{"data":{"hello":"hello get"}}"#)
            // An empty optional parameter is one left out (GraphQL over HTTP, GET); null variables too.
            let empty = try await client.get([("query", "{ hello }"), ("operationName", ""), ("variables", ""), ("extensions", "")])
            #expect(empty.text == #"{"data":{"hello":"hello world"}}"#, "\(empty.text)")
            let null = try await client.get([("query", "{ hello }"), ("variables", "null"), ("extensions", "null")])
            #expect(null.text == #"{"data":{"hello":"hello world"}}"#, "\(null.text)")
            let m = try await client.get([("query", "mutation { bump }")])
            #expect(m.status == 405)
            #expect(m.headers.first(name: "allow") == "POST")
            // Percent escapes that are not UTF-8 are refused (a POST body that is not is too).
            let bad = try await client.send(.GET, "/graphql?query=%7B%20hello%FF%20%7D", headers: [("accept", "application/graphql-response+json")])
            #expect(bad.status == 400 && bad.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_REQUEST", "\(bad.text)")
            let html = try await client.send(.GET, "/graphql", headers: [("accept", "text/html")])
            #expect(html.status == 200)
            #expect(html.text.contains("GraphiQL"))
            // A client that takes HTML only below JSON (or at q=0) is a GraphQL client: no page.
            for accept in ["application/graphql-response+json, text/html;q=0.1", "text/html;q=0, application/json"] {
                let r = try await client.send(.GET, "/graphql", headers: [("accept", accept)])
                #expect(!r.text.contains("GraphiQL") && r.status >= 400, "\(accept): \(r.status)")
            }
        }
    }

    /// A declared length past what an Int holds (2^63 to 2^64 − 1, which the HTTP parser takes)
    /// is over the body limit: it read as no length, and the request waited for its body until
    /// the request timeout, without an answer.
    @Test(.timeLimit(.minutes(1))) func aDeclaredLengthPastIntsRangeIs413() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let port = client.base.split(separator: ":").last.map(String.init)!
            let script = """
                import socket
                for length in ["9223372036854775808", "18446744073709551615"]:
                    s = socket.create_connection(("127.0.0.1", \(port)))
                    s.sendall(("POST /graphql HTTP/1.1\\r\\nHost: x\\r\\ncontent-type: application/json\\r\\ncontent-length: " + length + "\\r\\n\\r\\n").encode() + b'{"query":"{hello}"}')
                    s.settimeout(20)
                    try:
                        print(s.recv(200).split(b"\\r\\n")[0].decode())
                    except socket.timeout:
                        print("no answer")
                    s.close()
                """
            let r = try await runProcess("/usr/bin/env", ["python3", "-c", script])
            #expect(r.output.split(separator: "\n").map(String.init) == ["HTTP/1.1 413 Payload Too Large", "HTTP/1.1 413 Payload Too Large"], "\(r.output)")
        }
    }

    /// Every answer to a GET says it varies by Accept — refusals before the pipeline (variables
    /// that are not JSON, 406) and GraphiQL's page too: a shared cache could hand one to another
    /// client (probe 51F).
    @Test func everyAnswerToAGetVariesByAccept() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            func vary(_ r: GatewayResponse) -> [String] { r.headers[canonicalForm: "vary"].map { $0.lowercased() } }
            let badVariables = try await client.get([("query", "{ hello }"), ("variables", "{bad")])
            #expect(badVariables.status == 422 && vary(badVariables).contains("accept"), "\(badVariables.headers)")
            let png = try await client.get([("query", "{ hello }")], accept: "image/png")
            #expect(png.status == 406 && vary(png).contains("accept"), "\(png.headers)")
            let page = try await client.send(.GET, "/graphql", headers: [("accept", "text/html")])
            #expect(page.status == 200 && vary(page) == ["accept"], "\(page.headers)")
            let ok = try await client.get([("query", "{ hello }")])
            #expect(ok.status == 200 && vary(ok) == ["accept"], "one Vary, not two: \(ok.headers)")
        }
    }

    /// Responses of 1 KiB and more are gzip-compressed for a client whose `Accept-Encoding` takes
    /// it (httpx, a real client, decodes them), and vary by it; smaller ones, clients that do not
    /// take gzip and `compression: false` get them as they are.
    @Test func largeResponsesAreCompressedForClientsThatTakeGzip() async throws {
        for compression in [true, false] {
            var config = GatewayConfiguration()
            config.compression = compression
            try await withGateway(config, executor: try echoExecutor()) { client in
                let script = """
                    import httpx, json, sys
                    base = sys.argv[1]
                    long = "x" * 3000
                    out = {}
                    for name, query, encoding in [("big", '{ hello(name: "%s") }' % long, "gzip, deflate"), ("small", "{ hello }", "gzip"),
                                                  ("refused", '{ hello(name: "%s") }' % long, "gzip;q=0, identity"),
                                                  ("get", '{ hello(name: "%s") }' % long, "br;q=1, *;q=0.5")]:
                        if name == "get":
                            r = httpx.get(base + "/graphql", params={"query": query}, headers={"accept-encoding": encoding}, timeout=60)
                        else:
                            r = httpx.post(base + "/graphql", json={"query": query}, headers={"accept-encoding": encoding}, timeout=60)
                        out[name] = [r.status_code, r.headers.get("content-encoding"), r.headers.get_list("vary"), len(r.json()["data"]["hello"])]
                    print(json.dumps(out))
                    """
                let r = try await runProcess("/usr/bin/env", ["python3", "-c", script, client.base])
                let seen = try JSONReader.parse(Array(r.output.utf8))
                let vary: JSON = compression ? ["accept-encoding"] : []
                let gzip: JSON = compression ? "gzip" : .null
                #expect(seen["big"] == [200, gzip, vary, 3006], "\(r.output)")
                #expect(seen["small"] == [200, .null, vary, 11], "\(r.output)")
                #expect(seen["refused"] == [200, .null, vary, 3006], "\(r.output)")
                #expect(seen["get"]?[0] == 200 && seen["get"]?[1] == gzip && seen["get"]?[3] == 3006, "\(r.output)")
            }
        }
    }

    @Test func bodyLimitAndBatching() async throws {
        var config = GatewayConfiguration()
        config.limits.maxBodyBytes = 1_000
        try await withGateway(config, executor: try echoExecutor()) { client in
            let big = #"{"query":"{ hello }","variables":{"pad":""# + String(repeating: "x", count: 5_000) + #""}}"#
            let r = try await client.post(big)
            #expect(r.status == 413)
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "PAYLOAD_TOO_LARGE")
            // A GET's query string is bounded alike (only the head's size bounded it).
            let longGet = try await client.get([("query", "{ hello }"), ("variables", #"{"pad":"\#(String(repeating: "x", count: 5_000))"}"#)])
            #expect(longGet.status == 413 && longGet.json?["errors"]?[0]?["extensions"]?["code"] == "PAYLOAD_TOO_LARGE", "\(longGet.text)")
            #expect(try await client.get([("query", "{ hello }")]).status == 200)
            let batch = try await client.post(#"[{"query":"{ hello }"},{"query":"{ hello }"}]"#)
            #expect(batch.status == 422)
            #expect(batch.json?["errors"]?[0]?["extensions"]?["code"] == "BATCHING_DISABLED")
            // The gateway keeps answering normal queries.
            #expect(try await client.query("{ hello }").status == 200)
        }
        config.limits.maxBatch = 2
        try await withGateway(config, executor: try echoExecutor()) { client in
            let batch = try await client.post(#"[{"query":"{ hello }"},{"query":"{ count(n: 3) }"}]"#)
            #expect(batch.status == 200)
            #expect(batch.text == #"[{"data":{"hello":"hello world"}},{"data":{"count":3}}]"#)
            let tooMany = try await client.post(#"[{"query":"{ hello }"},{"query":"{ hello }"},{"query":"{ hello }"}]"#)
            #expect(tooMany.status == 400)
            #expect(tooMany.json?["errors"]?[0]?["extensions"]?["code"] == "BATCH_LIMIT_EXCEEDED")
        }
    }

    @Test func tenantHeaderOnlyWhenEnabled() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let r = try await client.query("{ tenant }", headers: [("x-tenant", "acme")])
            #expect(r.text == #"{"data":{"tenant":null}}"#)
        }
        var config = GatewayConfiguration()
        config.tenancy.developmentHeader = true
        try await withGateway(config, executor: try echoExecutor()) { client in
            let r = try await client.query("{ tenant }", headers: [("x-tenant", "acme")])
            #expect(r.text == #"{"data":{"tenant":"acme"}}"#)
        }
    }

    @Test func healthReadyAndNoSchema() async throws {
        try await withGateway(executor: nil) { client in
            #expect(try await client.send(.GET, "/health").status == 200)
            let ready = try await client.send(.GET, "/ready")
            #expect(ready.status == 503 && ready.text == #"{"ready":false,"waiting":["schema"]}"#, "\(ready.text)")
            let r = try await client.query("{ hello }")
            #expect(r.status == 503)
        }
        try await withGateway(executor: try echoExecutor()) { client in
            let r = try await client.send(.GET, "/ready")
            #expect(r.status == 200 && r.text == #"{"ready":true}"#)
        }
    }

    @Test func tokenAndDepthLimitsFailFastAsParseErrors() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let flood = "{ " + String(repeating: "hello ", count: 20_000) + "}"
            let r = try await client.query(flood)
            #expect(r.status == 400)
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "MAX_TOKENS_EXCEEDED")
            let deep = String(repeating: "{ a ", count: 300) + String(repeating: "}", count: 300)
            let d = try await client.query(deep)
            #expect(d.status == 400)
            #expect(d.json?["errors"]?[0]?["extensions"]?["code"] == "MAX_DEPTH_EXCEEDED")
        }
    }
}
