import BenchSubgraphs
import Federation
import Foundation
import Gateway
import GraphQLCore

/// Runs the federation benchmark's query through the gateway's federated executor with
/// in-process subgraphs (no HTTP), for profiling (e.g. under valgrind --tool=callgrind).
///   swift run -c release FederationProfile [iterations]
///   swift run -c release FederationProfile scale N [iterations]   (responses N times the workload's)
let arguments = Array(CommandLine.arguments.dropFirst())
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/guild-federation")
let supergraph = try Supergraph(sdl: try String(contentsOf: fixtures.appendingPathComponent("supergraph.graphql"), encoding: .utf8))
let query = try String(contentsOf: fixtures.appendingPathComponent("query.graphql"), encoding: .utf8)
var transports: [String: any SubgraphTransport] = [:]
for (name, s) in try BenchSubgraphs.all() { transports[name] = InProcessTransport(subgraph: s) { _ in BenchSubgraphs.Context() } }
let pipeline = RequestPipeline(executor: FederatedExecutor(supergraph: supergraph, transports: transports))
let clock = ContinuousClock()

/// This process's resident and peak resident memory, in bytes.
func memory() -> (rss: Int, peak: Int) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func kB(_ key: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
        return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) * 1024
    }
    return (kB("VmRSS:"), kB("VmHWM:"))
}

if arguments.first == "scale" {
    // The benchmark query's root fields N times under aliases: the response is N times the
    // workload's (entity fetches deduplicate, so the subgraphs' work grows less); run one scale
    // per process so that the peak memory is this scale's.
    let n = Int(arguments.dropFirst().first ?? "") ?? 10
    let iterations = Int(arguments.dropFirst(2).first ?? "") ?? 20
    let fragments = query[..<query.range(of: "query TestQuery")!.lowerBound]
    let body = query[query.range(of: "query TestQuery")!.upperBound...]
    let users = body[body.range(of: "users {")!.upperBound..<body.range(of: "topProducts {")!.lowerBound]
    let usersSelection = String(users[..<users.lastIndex(of: "}")!])
    let top = body[body.range(of: "topProducts {")!.upperBound...]
    let topSelection = String(top[..<top.lastIndex(of: "}")!].dropLast().trimmingCharacters(in: .whitespacesAndNewlines).dropLast())
    var scaled = String(fragments) + "query Scaled {\n"
    for i in 0..<n { scaled += "u\(i): users {\(usersSelection)}\nt\(i): topProducts {\(topSelection)}\n" }
    scaled += "}\n"
    let request = GraphQLRequest(query: scaled)
    let warm = await pipeline.run(request, method: .post, context: RequestContext())
    let size = warm.body?.count ?? 0
    guard let check = try? JSONReader.parse(warm.body ?? []), check["errors"] == nil, check["data"]?["u\(n - 1)"] != nil else {
        fatalError("the scaled query failed: \(String(decoding: (warm.body ?? []).prefix(500), as: UTF8.self))")
    }
    let before = memory()
    let start = clock.now
    for _ in 0..<iterations { _ = await pipeline.run(request, method: .post, context: RequestContext()) }
    let per = (clock.now - start) / iterations
    let after = memory()
    print("scale \(n): response \(size) bytes, \(per) per request, peak memory \(after.peak / 1_048_576) MB "
          + "(\(String(format: "%.2f", Double(after.peak - before.rss) / Double(max(size, 1))))× the response above the resident memory before the loop)")
    exit(0)
}
let iterations = Int(arguments.first ?? "") ?? 200
let start = clock.now
var bytes = 0
for _ in 0..<iterations {
    let outcome = await pipeline.run(GraphQLRequest(query: query), method: .post, context: RequestContext())
    bytes += outcome.body?.count ?? 0
}
let elapsed = clock.now - start
print("\(iterations) requests, \(bytes / iterations) bytes each, \(elapsed / iterations) per request (gateway + in-process subgraphs)")

// Stage by stage.
final class Timed: SubgraphTransport, @unchecked Sendable {
    let inner: any SubgraphTransport
    var total: Duration = .zero
    let lock = NSLock()
    init(_ inner: any SubgraphTransport) { self.inner = inner }
    func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse {
        let s = ContinuousClock.now
        let r = try await inner.fetch(request)
        let d = ContinuousClock.now - s
        lock.withLock { total += d }
        return r
    }
}
var timed: [String: Timed] = [:]
for (k, t) in transports { timed[k] = Timed(t) }
let federated = FederatedExecutor(supergraph: supergraph, transports: timed)
var parseValidate: Duration = .zero, plan: Duration = .zero, execute: Duration = .zero, write: Duration = .zero
for _ in 0..<iterations {
    var s = clock.now
    let source = Source(query)
    let doc = try Parser.parse(source)
    _ = Validator.validate(schema: supergraph.apiSchema, document: doc, source: source)
    parseValidate += clock.now - s
    s = clock.now
    let request = ExecutionRequest(document: doc, source: source)
    _ = try federated.plan(request)
    plan += clock.now - s
    s = clock.now
    let result = await federated.execute(request, context: RequestContext())
    execute += clock.now - s
    s = clock.now
    _ = result.jsonBytes
    write += clock.now - s
}
let subgraphs = timed.values.reduce(Duration.zero) { $0 + $1.total }
print("per request: parse+validate \(parseValidate / iterations), plan (cached) \(plan / iterations), "
      + "fetch (the in-process subgraphs) \(subgraphs / iterations), merge + shape \((execute - subgraphs) / iterations), "
      + "write \(write / iterations)")

// Cold planning: the planner itself, no cache (what the first request of an operation pays);
// the query graph is built once per supergraph (at start and on reload).
let coldDoc = try Parser.parse(query)
var coldStart = clock.now
for _ in 0..<iterations { _ = QueryGraph(supergraph: supergraph) }
print("query graph of the benchmark supergraph: \((clock.now - coldStart) / iterations)")
let benchPlanner = QueryPlanner(queryGraph: QueryGraph(supergraph: supergraph))
coldStart = clock.now
for _ in 0..<iterations { _ = try benchPlanner.plan(coldDoc, operationName: nil) }
print("cold planning of the benchmark query: \((clock.now - coldStart) / iterations)")

// A wide @shareable graph: 30 subgraphs resolve the same entity's fields and root field, one of
// them a field of its own, nested three levels; planning must stay bounded.
var wide: [SubgraphSchema] = []
for i in 0..<30 {
    wide.append(try SubgraphSchema(name: "s\(i)", url: "http://s\(i).invalid/graphql", sdl: """
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable"])
        type Query { items: [Item!]! @shareable }
        type Item @key(fields: "id") {
          id: ID!
          name: String! @shareable
          price: Int! @shareable
          related: [Item!]! @shareable
          only\(i): String!
        }
        """))
}
let wideSupergraph = try Supergraph(sdl: try Composer.compose(wide))
let widePlanner = QueryPlanner(queryGraph: QueryGraph(supergraph: wideSupergraph))
let wideDoc = try Parser.parse("{ items { id name price only7 related { name only12 related { price only29 only3 } } } }")
coldStart = clock.now
var widePlan: QueryPlan?
for _ in 0..<iterations { widePlan = try widePlanner.plan(wideDoc, operationName: nil) }
print("cold planning on 30 subgraphs sharing one type: \((clock.now - coldStart) / iterations), \(widePlan?.fetchCount ?? 0) fetches")

// The JSON reader on the benchmark's 87 KB response (what every HTTP subgraph answer goes through).
let responseBytes = Array(try Data(contentsOf: fixtures.appendingPathComponent("expected-response.json")))
var s = clock.now
for _ in 0..<iterations { _ = try JSONReader.parse(responseBytes) }
let readTime = (clock.now - s) / iterations
let parsed = try JSONReader.parse(responseBytes)
s = clock.now
for _ in 0..<iterations { _ = parsed.bytes }
print("JSONReader: \(readTime) per 87 KB (\(Double(responseBytes.count) / (Double(readTime.components.attoseconds) / 1e18 + Double(readTime.components.seconds)) / 1e6) MB/s); writer \((clock.now - s) / iterations)")
