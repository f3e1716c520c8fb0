import AsyncHTTPClient
import Foundation
import Logging
import Gateway
import GraphQLCore
import NIOCore
import NIOHTTP1
import Synchronization

/// Runs a gateway on a free loopback port for the duration of `body`.
func withGateway<T: Sendable>(_ config: GatewayConfiguration = GatewayConfiguration(), executor: (any OperationExecutor)?,
                              _ body: (GatewayClient) async throws -> T) async throws -> T {
    var config = config
    config.listen = "127.0.0.1:0"
    return try await withServer(try await GatewayServer(configuration: config, executor: executor, logger: testLogger), body)
}

/// Warnings and errors only: the access log's line per operation would drown the test output.
let testLogger: Logger = {
    var l = Logger(label: "switchyard")
    l.logLevel = .warning
    return l
}()

/// Runs a gateway built from its configuration (composition, modules, clients).
func withConfiguredGateway<T: Sendable>(_ config: GatewayConfiguration, _ body: (GatewayClient, GatewayServer) async throws -> T) async throws -> T {
    var config = config
    config.listen = "127.0.0.1:0"
    let server = try await GatewayServer.fromConfiguration(config, logger: testLogger)
    return try await withServer(server) { try await body($0, server) }
}

func withServer<T: Sendable>(_ server: GatewayServer, _ body: (GatewayClient) async throws -> T) async throws -> T {
    let port = Mutex<Int?>(nil)
    let task = Task { try await server.run { p in port.withLock { $0 = p } } }
    var bound: Int?
    for _ in 0..<500 {
        bound = port.withLock { $0 }
        if bound != nil { break }
        try await Task.sleep(for: .milliseconds(10))
    }
    guard let bound else { task.cancel(); throw CancellationError() }
    let client = GatewayClient(base: "http://127.0.0.1:\(bound)")
    do {
        let r = try await body(client)
        task.cancel()
        _ = await task.result
        return r
    } catch {
        task.cancel()
        _ = await task.result
        throw error
    }
}

struct GatewayResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSON? { try? JSONReader.parse(body) }
    var contentType: String? { headers.first(name: "content-type") }
}

struct GatewayClient: Sendable {
    let base: String
    /// The HTTP client the requests go through (one that trusts a test's certificates, for HTTPS).
    var http: HTTPClient = .shared

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
              timeout: TimeAmount = .seconds(30)) async throws -> GatewayResponse {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: timeout)
        var buffer = try await response.body.collect(upTo: 64 << 20)
        return GatewayResponse(status: Int(response.status.code), headers: response.headers,
                               body: buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    /// POST a JSON body with the usual GraphQL headers.
    func post(_ json: String, accept: String = "application/graphql-response+json", headers: [(String, String)] = [],
              timeout: TimeAmount = .seconds(30)) async throws -> GatewayResponse {
        try await send(.POST, "/graphql", body: Array(json.utf8),
                       headers: [("content-type", "application/json"), ("accept", accept)] + headers, timeout: timeout)
    }

    /// `/ready`'s status once it is 200, or its last after `attempts` tries `every` apart (a
    /// gateway's probes of its subgraphs may need more than one on a loaded machine).
    func readyStatus(attempts: Int = 200, every interval: Duration = .milliseconds(100)) async throws -> Int {
        var status = 0
        for _ in 0..<attempts {
            status = try await send(.GET, "/ready").status
            if status == 200 { break }
            try await Task.sleep(for: interval)
        }
        return status
    }

    func query(_ q: String, variables: String? = nil, headers: [(String, String)] = [],
               timeout: TimeAmount = .seconds(30)) async throws -> GatewayResponse {
        var body = #"{"query":\#(JSON.string(q).text)"#
        if let variables { body += #","variables":\#(variables)"# }
        return try await post(body + "}", headers: headers, timeout: timeout)
    }

    func get(_ query: [(String, String)], accept: String = "application/graphql-response+json") async throws -> GatewayResponse {
        var comps = URLComponents()
        comps.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        let q = comps.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        return try await send(.GET, "/graphql?" + q, headers: [("accept", accept)])
    }
}

/// A small schema served in-process, for HTTP-level tests.
func echoExecutor() throws -> LocalExecutor<RequestContext> {
    let schema = try Schema(sdl: """
        type Query { hello(name: String = "world"): String! tenant: String fail: String count(n: Int!): Int }
        type Mutation { bump: Int! }
        """)
    let query = ObjectResolvers<RequestContext, Void>("Query")
        .field("hello") { _, a, _, _ in .leaf(.string("hello \(a.string("name")!)")) }
        .field("tenant") { _, _, ctx, _ in ctx.tenant.map { .leaf(.string($0)) } ?? .null }
        .field("fail") { _, _, _, _ in throw GraphQLError("it failed", code: "FAILED") }
        .field("count") { _, a, _, _ in .leaf(.int(a.int("n")!)) }
    let mutation = ObjectResolvers<RequestContext, Void>("Mutation").field("bump") { _, _, _, _ in .leaf(1) }
    let exec = ExecutableSchema<RequestContext>(schema: schema).root(.query, (), query).root(.mutation, (), mutation)
    return LocalExecutor(executable: exec) { $0 }
}
