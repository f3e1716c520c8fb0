import GraphQLCore
import OrderedCollections

/// One request to a subgraph.
public struct SubgraphRequest: Sendable {
    public var query: String
    public var variables: OrderedDictionary<String, JSON>
    /// Headers to forward (already filtered by the propagation rules).
    public var headers: [(String, String)]
    /// The query parsed, when the plan prepared it (in-process subgraphs execute it as is).
    public var document: Document?
    /// The query as a JSON string literal, when the plan prepared it (remote request bodies).
    public var queryJSON: [UInt8]?
    public init(query: String, variables: OrderedDictionary<String, JSON>, headers: [(String, String)] = [],
                document: Document? = nil, queryJSON: [UInt8]? = nil) {
        self.query = query
        self.variables = variables
        self.headers = headers
        self.document = document
        self.queryJSON = queryJSON
    }
}

/// How the plan executor reaches a subgraph: in-process (our own engine, no JSON round trip)
/// or over HTTP. Returns the GraphQL response map (`data`, `errors`).
public protocol SubgraphTransport: Sendable {
    func fetch(_ request: SubgraphRequest) async throws -> JSON
}
