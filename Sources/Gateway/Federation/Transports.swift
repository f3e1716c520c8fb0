import AsyncHTTPClient
import Federation
import Foundation
import GraphQLCore
import NIOCore
import OrderedCollections
import SubgraphKit
import Synchronization

/// An in-package subgraph called in-process: its operation is executed on our engine and the
/// result handed over as a JSON value (no serialisation, no HTTP). Parsed operations are cached.
public final class InProcessTransport<Context: Sendable>: SubgraphTransport {
    let subgraph: Subgraph<Context>
    let makeContext: @Sendable ([(String, String)]) -> Context
    private let documents = Mutex<[String: Document]>([:])

    public init(subgraph: Subgraph<Context>, makeContext: @escaping @Sendable ([(String, String)]) -> Context) {
        self.subgraph = subgraph
        self.makeContext = makeContext
    }

    public func fetch(_ request: SubgraphRequest) async throws -> JSON {
        let document: Document
        if let prepared = request.document {
            document = prepared   // parsed once with the plan
        } else if let cached = documents.withLock({ $0[request.query] }) {
            document = cached
        } else {
            document = try Parser.parse(request.query, options: ParserOptions(maxTokens: nil))
            documents.withLock { d in
                if d.count > 2_000 { d.removeAll() } // plans are cached upstream; this stays small
                d[request.query] = document
            }
        }
        let result = await subgraph.execute(ExecutionRequest(document: document, variables: request.variables),
                                            context: makeContext(request.headers))
        return result.json
    }
}

/// A remote Federation v2 subgraph over HTTP (AsyncHTTPClient: pooled connections, a timeout per request).
public final class HTTPTransport: SubgraphTransport {
    let url: String
    let timeout: TimeAmount
    let client: HTTPClient
    let name: String

    public init(name: String, url: String, timeoutMs: Int = 10_000, client: HTTPClient = .shared) {
        self.name = name
        self.url = url
        self.timeout = .milliseconds(Int64(timeoutMs))
        self.client = client
    }

    /// A request in flight and how many fetches wait for it.
    final class Shared: Sendable {
        let task: Task<JSON, Error>
        let waiters = Atomic<Int>(1)
        init(_ task: Task<JSON, Error>) { self.task = task }
    }

    /// Identical queries in flight (same text, variables and headers) share one request.
    private let inFlight = Mutex<[String: Shared]>([:])

    public func fetch(_ request: SubgraphRequest) async throws -> JSON {
        // Never merge mutations: each must run.
        guard !request.query.hasPrefix("mutation") else { return try await send(request) }
        let key = request.query + "\u{0}" + JSON.object(request.variables).text + "\u{0}"
            + request.headers.map { "\($0.0.lowercased()):\($0.1)" }.joined(separator: "\u{1}")
        let (shared, owner): (Shared, Bool) = inFlight.withLock { d in
            if let s = d[key] {
                s.waiters.wrappingAdd(1, ordering: .relaxed)
                return (s, false)
            }
            let s = Shared(Task { try await self.send(request) })
            d[key] = s
            return (s, true)
        }
        defer { if owner { inFlight.withLock { if $0[key] === shared { $0[key] = nil } } } }
        // The shared request is cancelled (and its connection closed) when every fetch waiting
        // for it is: a request that timed out or whose client went away stops its subgraph calls.
        return try await withTaskCancellationHandler {
            try await shared.task.value
        } onCancel: {
            if shared.waiters.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 { shared.task.cancel() }
        }
    }

    /// Number of HTTP requests sent (for tests and metrics).
    private let sent = Atomic<Int>(0)
    public var requestCount: Int { sent.load(ordering: .relaxed) }

    func send(_ request: SubgraphRequest) async throws -> JSON {
        sent.wrappingAdd(1, ordering: .relaxed)
        // {"query":<the plan's prepared literal>,"variables":{...}}
        var body: [UInt8] = Array(#"{"query":"#.utf8)
        body += request.queryJSON ?? JSON.string(request.query).bytes
        if !request.variables.isEmpty {
            body += Array(#","variables":"#.utf8)
            body += JSON.object(request.variables).bytes
        }
        body.append(UInt8(ascii: "}"))
        var http = HTTPClientRequest(url: url)
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        http.headers.add(name: "accept", value: "application/graphql-response+json, application/json")
        for (k, v) in request.headers { http.headers.add(name: k, value: v) }
        http.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(http, timeout: timeout)
        } catch let e as HTTPClientError where e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
            throw GraphQLError("Subgraph \"\(name)\" did not answer within \(timeout.nanoseconds / 1_000_000) ms.", code: "SUBREQUEST_TIMEOUT")
        } catch {
            throw GraphQLError("Subgraph \"\(name)\" could not be reached.", code: "SUBREQUEST_HTTP_ERROR")
        }
        var buffer = try await response.body.collect(upTo: 64 << 20)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        guard let json = try? JSONReader.parse(bytes, maxDepth: 512), case .object = json else {
            throw GraphQLError("Subgraph \"\(name)\" answered with status \(response.status.code) and a body that is not a GraphQL response.",
                               code: "SUBREQUEST_MALFORMED_RESPONSE")
        }
        return json
    }
}
