import BenchSubgraphs
import Federation
import Foundation
import Gateway
import GraphQLCore
import SubgraphKit
import Testing
import TestSupport

/// A schema a reload replaced is freed once nothing runs on it: nothing it made (the query
/// graph, the shaping pass's resolvers, the subgraphs' executable schemas) keeps it alive. (The
/// shaping pass's resolvers held each other in a cycle: every reload kept the old supergraph's
/// schema, 0.2–0.6 MB a reload.)
@Suite("Executor lifetime")
struct ExecutorLifetimeTests {
    @Test func aSchemaNoLongerUsedIsFreed() async throws {
        weak var weakExecutor: FederatedExecutor?
        weak var weakSupergraph: Supergraph?
        weak var weakSchema: Schema?
        do {
            // As a reload loads it: the configuration's modules, composed.
            var config = GatewayConfiguration()
            config.subgraphs = ["accounts", "inventory", "products", "reviews"].map { SubgraphConfiguration(name: $0, module: "bench_" + $0) }
            let loaded = try await SchemaLoader.load(config, modules: try SubgraphModules.all(), dependencies: ModuleDependencies())
            let executor = FederatedExecutor(supergraph: loaded.supergraph, transports: loaded.transports)
            let r = await executor.execute(ExecutionRequest(document: try Parser.parse("{ topProducts { name inStock reviews { body author { name } } } }")),
                                           context: RequestContext())
            #expect(r.errors.isEmpty, "\(r.errors)")
            weakExecutor = executor
            weakSupergraph = loaded.supergraph
            weakSchema = loaded.supergraph.apiSchema
        }
        #expect(weakExecutor == nil, "the executor")
        #expect(weakSupergraph == nil, "the supergraph")
        #expect(weakSchema == nil, "the API schema")
    }

    /// An executable schema (a subgraph's, introspection's resolvers with it) does not keep its
    /// schema once it is gone.
    @Test func anExecutableSchemaDoesNotKeepItsSchema() throws {
        weak var weakSchema: Schema?
        do {
            let schema = try Schema(sdl: "type Query { hello: String }")
            let executable = ExecutableSchema<Int>(schema: schema)
            #expect(executable.schema === schema)
            weakSchema = schema
        }
        #expect(weakSchema == nil)
    }
}

@Suite("Subgraph entities")
struct SubgraphEntityTests {
    /// A type's entity resolver that fails fails its own representations, each with its error
    /// at its index; the other types' entities are answered (the whole answer was null).
    @Test func aFailingEntityResolverFailsOnlyItsRepresentations() async throws {
        let sdl = """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
            type Query { ping: Int }
            type A @key(fields: "id") { id: ID! }
            type B @key(fields: "id") { id: ID! name: String }
            """
        let s = try Subgraph<Int>(name: "ab", sdl: sdl)
        let b = ObjectResolvers<Int, String>("B").field("id") { id, _, _, _ in .leaf(.string(id)) }.field("name") { id, _, _, _ in .leaf(.string("b" + id)) }
        s.entity("A") { _, _ in throw GraphQLError("A is down", code: "A_DOWN") }
        s.entity("B") { reps, _ in reps.map { .object($0["id"]?.stringValue ?? "", b) } }
        let query = #"{ _entities(representations: [{__typename: "A", id: "1"}, {__typename: "B", id: "2"}, {__typename: "A", id: "3"}]) { ... on B { name } } }"#
        let r = await s.execute(ExecutionRequest(document: try Parser.parse(query)), context: 0)
        #expect(r.json.text.contains(#""data":{"_entities":[null,{"name":"b2"},null]}"#), "\(r.json.text)")
        #expect(r.errors.map(\.path) == [[.key("_entities"), .index(0)], [.key("_entities"), .index(2)]], "\(r.errors)")
        #expect(r.errors.allSatisfy { $0.code == "A_DOWN" })
    }
}
