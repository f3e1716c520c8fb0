import GraphQLCore
import OrderedCollections

/// One request to a subgraph.
public struct SubgraphRequest: Sendable {
    public var query: String
    public var variables: OrderedDictionary<String, JSON>
    /// Headers to forward (already filtered by the propagation rules).
    public var headers: [(String, String)]
    public init(query: String, variables: OrderedDictionary<String, JSON>, headers: [(String, String)] = []) {
        self.query = query
        self.variables = variables
        self.headers = headers
    }
}

/// How the plan executor reaches a subgraph: in-process (our own engine, no JSON round trip)
/// or over HTTP. Returns the GraphQL response map (`data`, `errors`).
public protocol SubgraphTransport: Sendable {
    func fetch(_ request: SubgraphRequest) async throws -> JSON
}
