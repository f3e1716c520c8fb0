import AsyncHTTPClient
import BenchSubgraphs
import Crypto
import Federation
import Foundation
import Gateway
import GraphQLCore
import NIOCore
import NIOHTTP1

/// The gateway CPU time it takes to turn away each attack of issue 6, next to the cost of
/// answering a normal query. The gateway runs in a child process (this binary with `--serve`),
/// the requests come from this one, and the child's CPU time is read from
/// /proc/<pid>/task/*/schedstat (nanoseconds, all threads) around each batch of requests.
///   cd Benchmarks && swift run -c release RejectionBenchmarks [iterations]
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/guild-federation")
let secret = "rejection-benchmark-secret-of-32-bytes!"

if CommandLine.arguments.dropFirst().first == "--serve" {
    let portFile = CommandLine.arguments[2]
    let directory = URL(fileURLWithPath: portFile).deletingLastPathComponent().path
    try secret.write(toFile: directory + "/secret", atomically: true, encoding: .utf8)
    var config = try GatewayConfiguration.parse(yaml: """
        listen: "127.0.0.1:0"
        introspection: false
        limits: { max_cost: 50000, max_batch: 10 }
        auth: { jwt: { hs256_secret_file: "\(directory)/secret" } }
        """)
    config.baseDirectory = directory
    let supergraph = try Supergraph(sdl: try String(contentsOf: fixtures.appendingPathComponent("supergraph.graphql"), encoding: .utf8),
                                    introspection: false)
    var transports: [String: any SubgraphTransport] = [:]
    for (name, s) in try BenchSubgraphs.all() { transports[name] = InProcessTransport(subgraph: s) { _ in BenchSubgraphs.Context() } }
    let server = try await GatewayServer(configuration: config, executor: FederatedExecutor(supergraph: supergraph, transports: transports))
    try await server.run { port in try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
    exit(0)
}

let iterations = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200
let work = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-rejections-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
let portFile = work.appendingPathComponent("port").path
let child = Process()
child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
child.arguments = ["--serve", portFile]
try child.run()
defer { child.terminate(); try? FileManager.default.removeItem(at: work) }
var port: Int?
for _ in 0..<500 where port == nil {
    port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
    if port == nil { usleep(10_000) }
}
guard let port else { fail("the gateway did not start") }
let base = "http://127.0.0.1:\(port)"

/// CPU nanoseconds the child has used, all threads.
func childCPU() -> UInt64 {
    let dir = "/proc/\(child.processIdentifier)/task"
    var total: UInt64 = 0
    for task in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
        if let s = try? String(contentsOfFile: "\(dir)/\(task)/schedstat", encoding: .utf8), let ns = UInt64(s.split(separator: " ")[0]) {
            total += ns
        }
    }
    return total
}

struct Attack {
    let name: String
    var method: HTTPMethod = .POST
    var path = "/graphql"
    var body: [UInt8] = []
    var headers: [(String, String)] = []
    let expect: Int
    var iterations: Int? = nil
}

func graphql(_ query: String, variables: String? = nil, extensions: String? = nil) -> [UInt8] {
    var body = #"{"query":\#(JSON.string(query).text)"#
    if let variables { body += #","variables":\#(variables)"# }
    if let extensions { body += #","extensions":\#(extensions)"# }
    return Array((body + "}").utf8)
}

func base64url(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func token(_ claims: String, key: String) -> String {
    let signingInput = base64url(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + base64url(Array(claims.utf8))
    let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: Array(key.utf8)))
    return signingInput + "." + base64url(Array(mac))
}

func gzip(_ bytes: [UInt8]) -> [UInt8] {
    // Compressed by the system's gzip: 100 MB of one byte becomes about 100 KB.
    let input = work.appendingPathComponent("bomb").path
    FileManager.default.createFile(atPath: input, contents: Data(bytes))
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-f", "-9", input]
    try? p.run()
    p.waitUntilExit()
    return Array((try? Data(contentsOf: URL(fileURLWithPath: input + ".gz"))) ?? Data())
}

let guildQuery = try String(contentsOf: fixtures.appendingPathComponent("query.graphql"), encoding: .utf8)
let json = [("content-type", "application/json")]
var fanOut = "{ me { ...F0 } }\n"
for i in 0..<30 { fanOut += "fragment F\(i) on User { name ...F\(i + 1) ...F\(i + 1) }\n" }
fanOut += "fragment F30 on User { name }\n"
var deepFragments = "{ me { ...F0 } }\n"
for i in 0..<10 { deepFragments += "fragment F\(i) on User { reviews { author { ...F\(i + 1) } } }\n" }
deepFragments += "fragment F10 on User { name }\n"
let now = Int(Date().timeIntervalSince1970)

let attacks: [Attack] = [
    Attack(name: "normal query `{ me { name } }` (answered)", body: graphql("{ me { name } }"), headers: json, expect: 200),
    Attack(name: "the guild benchmark query (answered)", body: graphql(guildQuery), headers: json, expect: 200),
    Attack(name: "deep nesting (depth 22)", body: graphql("{ me { " + String(repeating: "reviews { author { ", count: 10) + "name" + String(repeating: " } }", count: 10) + " } }"), headers: json, expect: 400),
    Attack(name: "deep nesting through fragments", body: graphql(deepFragments), headers: json, expect: 400),
    Attack(name: "alias overloading (100 aliases)", body: graphql("{ " + (0..<100).map { "a\($0): me { name }" }.joined(separator: " ") + " }"), headers: json, expect: 400),
    Attack(name: "10,000 duplicated fields", body: graphql("{ me { " + String(repeating: "name ", count: 10_000) + "} }"), headers: json, expect: 400),
    Attack(name: "1,000 directives on one field", body: graphql("{ me { name " + String(repeating: "@skip(if: false) ", count: 1_000) + "} }"), headers: json, expect: 400),
    Attack(name: "fragment fan-out 30 levels deep (2^30 fields)", body: graphql(fanOut), headers: json, expect: 400),
    Attack(name: "token flood (20,000 tokens)", body: graphql("{ me { " + String(repeating: "name ", count: 20_000) + "} }"), headers: json, expect: 400),
    Attack(name: "100 MB body (refused at 1 MiB)", body: graphql("{ me { name } }", variables: #"{"x":""# + String(repeating: "x", count: 100_000_000) + #""}"#),
           headers: json, expect: 413, iterations: 10),
    Attack(name: "gzip bomb (100 MB inflated)", body: gzip(graphql("{ me { name } }", variables: #"{"x":""# + String(repeating: "a", count: 100_000_000) + #""}"#)),
           headers: json + [("content-encoding", "gzip")], expect: 413, iterations: 20),
    Attack(name: "deeply nested JSON variables (10,000 levels)", body: graphql("{ me { name } }", variables: #"{"v":\#(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))}"#), headers: json, expect: 400),
    Attack(name: "1,000 batched operations", body: Array(("[" + Array(repeating: #"{"query":"{ me { name } }"}"#, count: 1_000).joined(separator: ",") + "]").utf8), headers: json, expect: 400),
    Attack(name: "cost bomb (nested lists, max_cost 50,000)", body: graphql("{ topProducts(first: 100000) { reviews { author { reviews { product { reviews { author { reviews { body } } } } } } } } }"), headers: json, expect: 400),
    Attack(name: "introspection when disabled", body: graphql("{ __schema { types { name } } }"), headers: json, expect: 400),
    Attack(name: "misspelt field, suggestions hidden", body: graphql("{ me { nam } }"), headers: json, expect: 422),
    Attack(name: "GET mutation", method: .GET, path: "/graphql?query=mutation%20%7B%20x%20%7D", headers: [], expect: 405),
    Attack(name: "expired JWT", body: graphql("{ me { name } }"), headers: json + [("authorization", "Bearer " + token(#"{"tenant":"acme","exp":\#(now - 60)}"#, key: secret))], expect: 401),
    Attack(name: "forged JWT (wrong key)", body: graphql("{ me { name } }"), headers: json + [("authorization", "Bearer " + token(#"{"tenant":"acme","exp":\#(now + 600)}"#, key: "not-the-secret-at-all-not-the-secret"))], expect: 401),
    Attack(name: "APQ hash that does not match its query", body: graphql("{ me { name } }", extensions: #"{"persistedQuery":{"version":1,"sha256Hash":"\#(String(repeating: "ab", count: 32))"}}"#), headers: json, expect: 400),
    Attack(name: "header flood (150 headers)", body: graphql("{ me { name } }"), headers: json + (0..<150).map { ("x-h\($0)", "v") }, expect: 431),
]

let client = HTTPClient(eventLoopGroupProvider: .singleton)
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
func fail(_ message: String) -> Never {
    child.terminate()
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}
func send(_ a: Attack) async throws -> (status: Int, body: String) {
    var request = HTTPClientRequest(url: base + a.path)
    request.method = a.method
    for (k, v) in a.headers { request.headers.add(name: k, value: v) }
    if a.method == .POST { request.body = .bytes(ByteBuffer(bytes: a.body)) }
    do {
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), String(buffer: body))
    } catch {
        return (-1, "\(error)") // the gateway closed a connection it would not read further
    }
}

say("| request | status | gateway CPU per request |")
say("|---|---|---|")
for attack in attacks {
    let n = attack.iterations ?? iterations
    let first = try await send(attack)
    guard first.status == attack.expect else { fail("\(attack.name): expected \(attack.expect), got \(first.status): \(first.body.prefix(300))") }
    for _ in 0..<5 { _ = try await send(attack) }
    let before = childCPU()
    for _ in 0..<n { _ = try await send(attack) }
    let perRequest = Double(childCPU() - before) / Double(n) / 1_000
    let shown = perRequest >= 1_000 ? String(format: "%.2f ms", perRequest / 1_000) : String(format: "%.0f µs", perRequest)
    say("| \(attack.name) | \(first.status) | \(shown) |")
}
try await client.shutdown()
