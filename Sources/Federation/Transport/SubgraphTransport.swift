import GraphQLCore
import OrderedCollections

/// One request to a subgraph.
public struct SubgraphRequest: Sendable {
    public var query: String
    public var variables: OrderedDictionary<String, JSON>
    /// An entity fetch's `representations` variable, written as a JSON array from the response
    /// tree (remote subgraphs send these bytes as they are).
    public var representations: [UInt8]?
    /// Headers to forward (already filtered by the propagation rules).
    public var headers: [(String, String)]
    /// The query parsed, when the plan prepared it (in-process subgraphs execute it as is).
    public var document: Document?
    /// The query as a JSON string literal, when the plan prepared it (remote request bodies).
    public var queryJSON: [UInt8]?
    /// `document`'s field plans kept between runs (in-process subgraphs), when the plan prepared it.
    public var compiled: CompiledOperation?
    /// Whether an identical request already in flight may answer it (a transport that shares
    /// requests): false for a mutation and for every fetch of a mutation's plan, whose reads must
    /// see that mutation's writes.
    public var mayShare: Bool
    public init(query: String, variables: OrderedDictionary<String, JSON>, representations: [UInt8]? = nil,
                headers: [(String, String)] = [], document: Document? = nil, queryJSON: [UInt8]? = nil, compiled: CompiledOperation? = nil,
                mayShare: Bool = true) {
        self.compiled = compiled
        self.query = query
        self.variables = variables
        self.representations = representations
        self.headers = headers
        self.document = document
        self.queryJSON = queryJSON
        self.mayShare = mayShare
    }

    /// The variables with the representations read back into JSON (for subgraphs that take
    /// input values rather than bytes).
    public func allVariables() throws -> OrderedDictionary<String, JSON> {
        guard let representations else { return variables }
        var v = variables
        v["representations"] = try JSONReader.parse(representations, maxDepth: 512)
        return v
    }

    /// The request body: `{"query":…,"variables":{…}}`, the query from the plan's prepared literal.
    public var body: [UInt8] {
        var body: [UInt8] = Array(#"{"query":"#.utf8)
        body += queryJSON ?? JSON.string(query).bytes
        if !variables.isEmpty || representations != nil {
            var w = JSONWriter(capacity: 64 + (representations?.count ?? 0))
            w.append(#","variables":{"#)
            var first = true
            for (k, v) in variables {
                if !first { w.bytes.append(UInt8(ascii: ",")) }
                first = false
                w.writeString(k)
                w.bytes.append(UInt8(ascii: ":"))
                w.write(v)
            }
            if let representations {
                if !first { w.bytes.append(UInt8(ascii: ",")) }
                w.append(#""representations":"#)
                w.appendRaw(representations)
            }
            w.bytes.append(UInt8(ascii: "}"))
            body += w.bytes
        }
        body.append(UInt8(ascii: "}"))
        return body
    }
}

/// A subgraph refused to start a subscription (its source stream could not be made: a request
/// error, answered with `errors` and no `data`).
public struct SubscriptionRefused: Error, Sendable {
    public let errors: [GraphQLError]
    public init(errors: [GraphQLError]) { self.errors = errors }
}

/// A subgraph's answer: `data` in flat storage (`ResponseBuffer`, its root the `data` object),
/// and its errors. Built by the fetching task and handed once to the plan run that absorbs it.
public struct SubgraphResponse: Sendable {
    /// The answer; nil when `data` is absent or null.
    public var data: ResponseBuffer?
    /// The `errors` entries as sent.
    public var errors: [JSON]
    /// The HTTP status of an answer that came with a failure status and a GraphQL body (its
    /// data and errors are used; the status marks the fetch failed for the operator).
    public var failureStatus: Int? = nil
    public init(data: ResponseBuffer?, errors: [JSON] = []) {
        self.data = data
        self.errors = errors
    }

    /// Reads an HTTP body straight into flat storage; nil when it is not a GraphQL response.
    public static func parse(_ bytes: [UInt8]) -> SubgraphResponse? {
        bytes.withUnsafeBytes { parse($0) }
    }

    /// The same, from bytes where they are (an HTTP client's buffer).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> SubgraphResponse? {
        guard let (buffer, hasData, hasErrors, errors) = try? ResponseBuffer.parseResponse(bytes.bindMemory(to: UInt8.self), maxDepth: 512) else { return nil }
        if !hasData, !hasErrors { return nil }
        return SubgraphResponse(data: buffer.root.isObject ? buffer : nil, errors: errors)
    }
}

/// How the plan executor reaches a subgraph: in-process (our own engine, no JSON round trip)
/// or over HTTP.
public protocol SubgraphTransport: Sendable {
    func fetch(_ request: SubgraphRequest) async throws -> SubgraphResponse
    /// A subscription: one response per event, until the subgraph ends it or the consumer
    /// stops (which cancels it at the subgraph).
    func subscribe(_ request: SubgraphRequest) async throws -> AsyncThrowingStream<SubgraphResponse, any Error>
    /// The subgraph runs in this process: a fetch counts as the request's running work
    /// (`RequestWork`) until its answer is merged.
    var runsInProcess: Bool { get }
}

extension SubgraphTransport {
    public var runsInProcess: Bool { false }
    public func subscribe(_ request: SubgraphRequest) async throws -> AsyncThrowingStream<SubgraphResponse, any Error> {
        throw GraphQLError("This subgraph cannot be subscribed to.", code: "SUBSCRIPTION_NOT_SUPPORTED")
    }
}
