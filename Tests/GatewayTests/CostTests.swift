import Federation
import Foundation
import Gateway
import GraphQLCore
import SubgraphKit
import Testing

func catalogSubgraph() throws -> Subgraph<RequestContext> {
    let s = try Subgraph<RequestContext>(name: "catalog", sdl: """
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
        type Query { items(first: Int = 10): [Item!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) }
        type Item {
          id: ID!
          expensive: Int @cost(weight: 50)
          children(first: Int = 5): [Item!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
        }
        """)
    let item = ObjectResolvers<RequestContext, Int>("Item")
    item.field("id") { i, _, _, _ in .leaf(.string(String(i))) }
        .field("expensive") { i, _, _, _ in .leaf(.int(i * 100)) }
        .field("children") { i, a, _, _ in .list((0..<min(a.int("first") ?? 5, 3)).map { .object(i * 10 + $0, item) }) }
    s.query.field("items") { _, a, _, _ in .list((0..<min(a.int("first") ?? 10, 3)).map { .object($0, item) }) }
    return s
}

@Suite("Cost analysis")
struct CostTests {
    func withCatalog(_ limits: (inout LimitsConfiguration) -> Void, _ body: (GatewayClient, CountingTransports) async throws -> Void) async throws {
        let s = try catalogSubgraph()
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "catalog", url: "x", sdl: s.sdl)]))
        let counting = CountingTransports(["catalog": InProcessTransport(subgraph: s) { _ in RequestContext() }])
        var config = GatewayConfiguration()
        limits(&config.limits)
        try await withGateway(config, executor: FederatedExecutor(supergraph: supergraph, transports: counting.wrapped)) { try await body($0, counting) }
    }

    @Test func aCostBombIsRefusedBeforeAnySubgraphIsCalled() async throws {
        try await withCatalog({ $0.maxCost = 1_000 }) { client, counting in
            let bomb = try await client.query("{ items(first: 100000) { children(first: 100000) { children(first: 100000) { id } } } }")
            #expect(bomb.status == 400)
            #expect(bomb.json?["errors"]?[0]?["extensions"]?["code"] == "COST_ESTIMATED_TOO_EXPENSIVE")
            #expect(counting.total == 0)
            let fine = try await client.query("{ items(first: 2) { id expensive } }")
            #expect(fine.text == #"{"data":{"items":[{"id":"0","expensive":0},{"id":"1","expensive":100}]}}"#)
        }
    }

    @Test func weightsAndListSizesAddUp() async throws {
        try await withCatalog({ $0.costMode = "measure"; $0.maxCost = 100 }) { client, _ in
            // 3 items × (1 for the object + 50 for expensive) = 153: over 100, reported but not refused.
            let r = try await client.query("query($n: Int) { items(first: $n) { expensive } }", variables: #"{"n":3}"#)
            #expect(r.status == 200)
            #expect(r.json?["extensions"]?["cost"]?.text == #"{"estimated":153,"max":100}"#)
            #expect(r.json?["data"]?["items"]?.arrayValue?.count == 3)
            // The slicing argument's default applies when the client gives none: 10 × (1 + 5 × 1).
            let d = try await client.query("{ items { children { id } } }")
            #expect(d.json?["extensions"]?["cost"]?["estimated"] == 60)
        }
    }
}
