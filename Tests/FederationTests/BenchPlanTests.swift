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
