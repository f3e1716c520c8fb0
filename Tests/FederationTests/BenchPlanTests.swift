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
