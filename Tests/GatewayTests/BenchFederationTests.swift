import BenchSubgraphs
import Federation
import Foundation
import Gateway
import GraphQLCore
import SubgraphKit
import Testing

/// The benchmark workload's inputs, kept in the repository (Tests/Fixtures/guild-federation).
let benchDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/guild-federation")

func benchFile(_ name: String) throws -> String {
    try String(contentsOf: benchDirectory.appendingPathComponent(name), encoding: .utf8)
}

/// The benchmark's four subgraphs called in-process, by name.
func benchInProcessTransports() throws -> [String: any SubgraphTransport] {
    var transports: [String: any SubgraphTransport] = [:]
    for (name, s) in try BenchSubgraphs.all() { transports[name] = InProcessTransport(subgraph: s) { _ in BenchSubgraphs.Context() } }
    return transports
}

/// Serves each subgraph on its own loopback server (as a remote Federation v2 subgraph would be).
func withSubgraphServers<T: Sendable>(_ subgraphs: [String: Subgraph<BenchSubgraphs.Context>], index: Int = 0,
                                      urls: [String: String] = [:], _ body: ([String: String]) async throws -> T) async throws -> T {
    let names = subgraphs.keys.sorted()
    guard index < names.count else { return try await body(urls) }
    let name = names[index]
    let executor = LocalExecutor(executable: subgraphs[name]!.executable) { _ in BenchSubgraphs.Context() }
    return try await withGateway(executor: executor) { client in
        var next = urls
        next[name] = client.base + "/graphql"
        return try await withSubgraphServers(subgraphs, index: index + 1, urls: next, body)
    }
}

@Suite("Federation end to end: the benchmark workload")
struct BenchFederationTests {
    @Test func precomposedSupergraphWithRemoteSubgraphsAnswersExactlyTheExpectedResponse() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        let subgraphs = try BenchSubgraphs.all()
        try await withSubgraphServers(subgraphs) { urls in
            var transports: [String: any SubgraphTransport] = [:]
            for (name, url) in urls { transports[name] = HTTPTransport(name: name, url: url) }
            let counting = CountingTransports(transports)
            let federated = FederatedExecutor(supergraph: supergraph, transports: counting.wrapped)
            let query = try benchFile("query.graphql")
            let plan = try federated.plan(ExecutionRequest(document: try Parser.parse(query)))
            try await withGateway(executor: federated) { client in
                let body = try benchFile("request-body.json")
                let r = try await client.post(body)
                #expect(r.status == 200)
                let expected = try JSONReader.parse(try benchFile("expected-response.json"))
                #expect(r.json == expected)
                #expect(r.text == expected.text, "byte-identical in field order")
                // Entity fetches are batched per plan step: 65 users, 189 reviews and 135 products
                // arrive in one request per step of the plan; steps ready together that send the
                // same operation to the same subgraph share one (products' name, price and weight
                // at two paths; inventory's at two); and a step whose representations an earlier
                // step of the run sent with the same operation takes that step's answers (the
                // users branch and the top products branch ask accounts for the same user's name
                // and products for the same product's fields; inventory is asked for every top
                // product first): 13 fetches, 7 requests. Inventory is asked twice only if the
                // users branch's third level were ready before the top products came back.
                #expect(plan.fetchCount == 13)
                #expect(counting.counts["accounts"] == 2 && counting.counts["reviews"] == 2 && counting.counts["products"] == 2,
                        "requests per subgraph: \(counting.counts)")
                #expect((1...2).contains(counting.counts["inventory"] ?? 0), "requests per subgraph: \(counting.counts)")
            }
        }
    }

    @Test func inProcessSubgraphsGiveTheSameAnswer() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports: [String: any SubgraphTransport] = [:]
        for (name, s) in try BenchSubgraphs.all() {
            transports[name] = InProcessTransport(subgraph: s) { _ in BenchSubgraphs.Context() }
        }
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.post(try benchFile("request-body.json"))
            #expect(r.status == 200)
            #expect(r.text == (try JSONReader.parse(try benchFile("expected-response.json"))).text)
        }
    }

    /// An answer of several hundred KB (the workload's query four times over, by aliases) goes
    /// out in slices, completed in the bytes it was written in: each request of the plan gets
    /// all of it, byte for byte, with its length announced.
    @Test func aLargeAnswerArrivesWhole() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        var config = GatewayConfiguration()
        config.limits.maxCost = nil
        // The workload's query with its two root fields asked four times each, under aliases.
        let query = try benchFile("query.graphql")
        let operation = try #require(query.range(of: "query TestQuery {"))
        let products = try #require(query.range(of: "topProducts {"))
        let usersField = query[operation.upperBound..<products.lowerBound]
        let rest = query[products.lowerBound...]
        let productsField = rest[..<(try #require(rest.lastIndex(of: "}")))]   // without the operation's closing brace
        let aliased = String(query[..<operation.lowerBound]) + "query Large {\n"
            + (0..<4).map { "u\($0): \(usersField)\np\($0): \(productsField)" }.joined(separator: "\n") + "\n}"
        let expected = try JSONReader.parse(try benchFile("expected-response.json"))
        try await withGateway(config, executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            for _ in 0..<2 {
                let r = try await client.query(aliased)
                #expect(r.status == 200)
                #expect(r.text.utf8.count > 300_000, "\(r.text.utf8.count) bytes")
                #expect(r.headers.first(name: "content-length").flatMap(Int.init) == r.text.utf8.count)
                for i in 0..<4 {
                    #expect(r.json?["data"]?["u\(i)"] == expected["data"]?["users"])
                    #expect(r.json?["data"]?["p\(i)"] == expected["data"]?["topProducts"])
                }
            }
        }
    }
}

/// Wraps transports to count requests per subgraph.
final class CountingTransports: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var counts: [String: Int] = [:]
    var wrapped: [String: any SubgraphTransport] = [:]
    var total: Int { lock.withLock { counts.values.reduce(0, +) } }

    init(_ inner: [String: any SubgraphTransport]) {
        for (name, t) in inner { wrapped[name] = Counting(name: name, inner: t, owner: self) }
    }

    func count(_ name: String) { lock.withLock { counts[name, default: 0] += 1 } }

    struct Counting: SubgraphTransport {
        let name: String
        let inner: any SubgraphTransport
        let owner: CountingTransports
        func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
            owner.count(name)
            return try await inner.fetch(request)
        }
    }
}

@Suite("Introspection through the federated gateway")
struct FederatedIntrospectionTests {
    @Test func introspectionIsAnsweredByTheGatewayFromTheAPISchema() async throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        var transports = try benchInProcessTransports()
        try await withGateway(executor: FederatedExecutor(supergraph: supergraph, transports: transports)) { client in
            let r = try await client.query("{ __typename __schema { queryType { name } types { name } } product: __type(name: \"Product\") { fields { name } } me { __typename name } }")
            #expect(r.status == 200)
            #expect(r.json?["errors"] == nil, "\(r.text)")
            #expect(r.json?["data"]?["__typename"] == "Query")
            let types = r.json?["data"]?["__schema"]?["types"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(types.contains("Product") && types.contains("Review"))
            #expect(!types.contains { $0.hasPrefix("join__") || $0.hasPrefix("link__") }, "federation machinery stays out of the API schema")
            #expect(r.json?["data"]?["product"]?["fields"]?.arrayValue?.count == 7)
            #expect(r.json?["data"]?["me"]?.text == #"{"__typename":"User","name":"Uri Goldshtein"}"#)
        }
    }
}
