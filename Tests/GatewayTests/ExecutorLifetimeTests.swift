import BenchSubgraphs
import Federation
import Foundation
import Gateway
import GraphQLCore
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
