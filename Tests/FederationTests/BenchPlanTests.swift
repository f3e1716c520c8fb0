import Federation
import Foundation
import GraphQLCore
import Testing

/// The benchmark workload's inputs, kept in the repository (Tests/Fixtures/guild-federation).
let benchDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/guild-federation")

@Suite("Planning the benchmark workload")
struct BenchPlanTests {
    @Test func plansTheBenchmarkQueryFromApollosSupergraph() throws {
        let sdl = try String(contentsOf: benchDirectory.appendingPathComponent("supergraph.graphql"), encoding: .utf8)
        let supergraph = try Supergraph(sdl: sdl)
        #expect(supergraph.graphs.map(\.name) == ["accounts", "inventory", "products", "reviews"])
        let query = try String(contentsOf: benchDirectory.appendingPathComponent("query.graphql"), encoding: .utf8)
        let doc = try Parser.parse(query)
        #expect(Validator.validate(schema: supergraph.apiSchema, document: doc).isEmpty)
        let plan = try QueryPlanner(supergraph: supergraph).plan(doc, operationName: nil)
        try expectSnapshot(plan.text, "bench-plan.txt")
        #expect(plan.fetchCount == 13)
    }

    /// Large arguments are printed once per planning and reused where the same field is met
    /// again: the plan is the one the same arguments written short give.
    @Test func largeArgumentsPlanAsTheirShortForm() throws {
        let sdl = try String(contentsOf: benchDirectory.appendingPathComponent("supergraph.graphql"), encoding: .utf8)
        let planner = QueryPlanner(supergraph: try Supergraph(sdl: sdl))
        let pad = String(repeating: " ", count: 150)
        func text(_ query: String) throws -> String { try planner.plan(try Parser.parse(query), operationName: nil).text }
        let long = try text("{ a: topProducts(first:\(pad)2) { upc inStock } b: topProducts(first:\(pad)3) { name reviews { body } } ...F }"
                            + " fragment F on Query { a: topProducts(first:\(pad)2) { name } }")
        let short = try text("{ a: topProducts(first: 2) { upc inStock } b: topProducts(first: 3) { name reviews { body } } ...F }"
                             + " fragment F on Query { a: topProducts(first: 2) { name } }")
        #expect(long == short)
        #expect(short.contains("a:topProducts(first:2){__typename upc name price weight}") || short.contains("a:topProducts(first:2)"), "\(short)")
        #expect(short.contains("b:topProducts(first:3)"), "\(short)")
    }
}

@Suite("Subscription plans")
struct SubscriptionPlanTests {
    /// The subscription field is the primary fetch (subscribed to); the rest runs per event.
    @Test func aSubscriptionPlanHasAPrimaryFetchAndTheRestPerEvent() throws {
        let tasks = try SubgraphSchema(name: "tasks", url: "http://t", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
            type Query { task(id: ID!): Task }
            type Subscription { taskUpdated(id: ID!): Task! }
            type Task @key(fields: "id") { id: ID! status: String! agent: Agent }
            type Agent @key(fields: "id") { id: ID! }
            """)
        let stats = try SubgraphSchema(name: "stats", url: "http://s", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
            type Agent @key(fields: "id") { id: ID! completed: Int! }
            """)
        let supergraph = try Supergraph(sdl: try Composer.compose([tasks, stats]))
        let doc = try Parser.parse(#"subscription { taskUpdated(id: "1") { status agent { completed } } }"#)
        let plan = try QueryPlanner(supergraph: supergraph).plan(doc, operationName: nil)
        #expect(plan.subscriptionParts?.primary.subgraph == "tasks")
        #expect(plan.text == """
            QueryPlan {
              Subscription {
                Primary: {
                  Fetch(service: "tasks") {
                    subscription{taskUpdated(id:"1"){status agent{__typename id}}}
                  },
                },
                Rest: {
                  Flatten(path: "taskUpdated.agent") {
                    Fetch(service: "stats") {
                      {
                        ... on Agent { __typename id }
                      } =>
                      query($representations:[_Any!]!){_entities(representations:$representations){...on Agent{completed}}}
                    },
                  },
                },
              },
            }

            """)
    }
}
