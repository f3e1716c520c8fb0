import Federation
import Foundation
import Gateway
import GraphQLCore
import SubgraphKit
import Synchronization
import Testing

/// A remote subgraph that reports the headers it received, and a slow field.
func echoSubgraph(_ calls: Calls) throws -> LocalExecutor<RequestContext> {
    let s = try Subgraph<RequestContext>(name: "echo", sdl: """
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
        type Query { headers: String slow: String }
        """)
    s.query
        .field("headers") { _, _, ctx, _ in
            let wanted = ["authorization", "x-request-id", "x-gateway", "x-team", "cookie", "x-tenant"]
            let seen = ctx.headers.filter { wanted.contains($0.0.lowercased()) }.map { "\($0.0.lowercased())=\($0.1)" }.sorted()
            return .leaf(.string(seen.joined(separator: ";")))
        }
        .asyncField("slow") { _, _, _, _ in
            calls.add()
            try await Task.sleep(for: .milliseconds(300))
            return .leaf("done")
        }
    return LocalExecutor(executable: s.executable) { $0 }
}

final class Calls: Sendable {
    private let n = Atomic<Int>(0)
    func add() { n.wrappingAdd(1, ordering: .relaxed) }
    var count: Int { n.load(ordering: .relaxed) }
}

@Suite("Header propagation and in-flight deduplication")
struct HeaderAndDedupTests {
    @Test func headerRulesDecideWhatReachesASubgraph() async throws {
        let calls = Calls()
        try await withGateway(executor: try echoSubgraph(calls)) { remote in
            var config = try GatewayConfiguration.parse(yaml: """
                headers:
                  propagate: [authorization, x-request-id]
                  insert: { x-gateway: switchyard }
                  subgraphs:
                    echo: { insert: { x-team: echo } }
                tenancy: { development_header: true }
                """)
            config.subgraphs = [SubgraphConfiguration(name: "echo", url: remote.base + "/graphql")]
            try await withConfiguredGateway(config) { client, _ in
                let r = try await client.query("{ headers }", headers: [("authorization", "Bearer t"), ("x-request-id", "r1"),
                                                                       ("cookie", "secret"), ("x-tenant", "acme")])
                #expect(r.json?["data"]?["headers"] == "authorization=Bearer t;x-gateway=switchyard;x-request-id=r1;x-team=echo;x-tenant=acme")
            }
        }
    }

    @Test func identicalQueriesInFlightShareOneRequest() async throws {
        let calls = Calls()
        try await withGateway(executor: try echoSubgraph(calls)) { remote in
            let sdl = try await SchemaLoaderProbe.sdl(remote.base + "/graphql")
            let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "echo", url: remote.base + "/graphql", sdl: sdl)]))
            let transport = HTTPTransport(name: "echo", url: remote.base + "/graphql")
            try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: ["echo": transport])) { client in
                let answers = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<8 { group.addTask { try await client.query("{ slow }").text } }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                #expect(Set(answers) == [#"{"data":{"slow":"done"}}"#])
                #expect(calls.count < 8, "identical in-flight queries were merged (\(calls.count) subgraph executions for 8 requests)")
                #expect(transport.requestCount == calls.count)
            }
            // A request that may not share (every fetch of a mutation's plan: its reads must see
            // the mutation's writes, not another client's answer read before them) is sent itself.
            let answers = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await transport.fetch(SubgraphRequest(query: "{ slow }", variables: [:], mayShare: false)).data?.rootJSON["slow"]?.stringValue }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(answers == Array(repeating: "done", count: 8))
            #expect(transport.requestCount == calls.count)
        }
    }
}

enum SchemaLoaderProbe {
    static func sdl(_ url: String) async throws -> String {
        // As the gateway fetches a schema at start: a loaded machine may take seconds.
        let r = try await HTTPTransport(name: "probe", url: url, timeoutMs: 60_000).fetch(SubgraphRequest(query: "{ _service { sdl } }", variables: [:]))
        return try #require(r.data?.rootJSON["_service"]?["sdl"]?.stringValue)
    }
}

@Suite("Misbehaving subgraphs")
struct MisbehavingSubgraphTests {
    @Test func aSubgraphSlowerThanItsTimeoutGivesANamedTimeout() async throws {
        let calls = Calls()
        try await withGateway(executor: try echoSubgraph(calls)) { remote in
            var config = GatewayConfiguration()
            config.subgraphs = [SubgraphConfiguration(name: "echo", url: remote.base + "/graphql", timeoutMs: 100)]
            try await withConfiguredGateway(config) { client, _ in
                let r = try await client.query("{ slow headers }")
                #expect(r.status == 200)
                let error = try #require(r.json?["errors"]?[0])
                #expect(error["extensions"]?["code"] == "SUBREQUEST_TIMEOUT")
                #expect(error["extensions"]?["serviceName"] == "echo")
                #expect(r.json?["data"]?.text == #"{"slow":null,"headers":null}"#)
            }
        }
    }

    @Test func aSubgraphAnsweringGarbageGivesANamedError() async throws {
        let calls = Calls()
        try await withGateway(executor: try echoSubgraph(calls)) { remote in
            let sdl = try await SchemaLoaderProbe.sdl(remote.base + "/graphql")
            let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "echo", url: "x", sdl: sdl)]))
            // /health answers POST with a failure status and a body that is not a GraphQL
            // response: the status is the error (as Apollo's router says it), not the body.
            let transport = HTTPTransport(name: "echo", url: remote.base + "/health")
            try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: ["echo": transport])) { client in
                let r = try await client.query("{ headers }")
                #expect(r.status == 200)
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "SUBREQUEST_HTTP_ERROR", "\(r.text)")
                #expect(r.json?["errors"]?[0]?["message"]?.stringValue?.contains("answered with status 4") == true, "\(r.text)")
                #expect(r.json?["errors"]?[0]?["path"] == ["headers"], "\(r.text)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["serviceName"] == "echo")
                #expect(r.json?["data"]?.text == #"{"headers":null}"#)
            }
        }
    }
}

@Suite("Mutations across subgraphs")
struct MutationOrderTests {
    @Test func rootMutationFieldsRunInDocumentOrderAcrossSubgraphs() async throws {
        try await withPlatform { fixture, client, _ in
            // c can only succeed if a ran before it; b is in another subgraph in between.
            let r = try await client.query("""
                mutation {
                  a: appendEvents(streamId: "order", expectedVersion: 0, events: [{type: "First"}]) { toVersion }
                  b: spawnAgent(input: {name: "in-between", kind: "coder"}) { name }
                  c: appendEvents(streamId: "order", expectedVersion: 1, events: [{type: "Third"}]) { toVersion }
                }
                """, headers: [("x-tenant", "globex")])
            #expect(r.json?["errors"] == nil, "\(r.text)")
            #expect(r.json?["data"]?.text == #"{"a":{"toVersion":1},"b":{"name":"in-between"},"c":{"toVersion":2}}"#)
        }
    }
}
