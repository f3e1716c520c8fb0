import GraphQLCore
import OrderedCollections

/// One GraphQL-over-HTTP request's parameters, from a JSON body or a GET query string.
public struct GraphQLRequest: Sendable {
    public var query: String?
    /// The document came from persisted queries (a known document: its name may label metrics).
    public var persisted = false
    /// An automatic persisted query to register under this hash once its document is known to
    /// be valid (parsed, validated, within the limits): a document refused is never stored.
    public var registers: String?
    public var operationName: String?
    public var variables: OrderedDictionary<String, JSON>
    public var extensions: OrderedDictionary<String, JSON>

    public init(query: String?, operationName: String? = nil, variables: OrderedDictionary<String, JSON> = [:],
                extensions: OrderedDictionary<String, JSON> = [:]) {
        self.query = query
        self.operationName = operationName
        self.variables = variables
        self.extensions = extensions
    }

    /// Reads the request map (§ Request Parameters); a malformed one is a request error (422).
    static func from(_ json: JSON) throws(PipelineError) -> GraphQLRequest {
        guard case .object(let o) = json else {
            throw PipelineError(.invalidRequest, "The request body must be a JSON object with a \"query\" string.")
        }
        var request = GraphQLRequest(query: nil)
        switch o["query"] {
        case .string(let q)?: request.query = q
        case nil, .null?: break
        default: throw PipelineError(.invalidRequest, "The \"query\" parameter must be a string.")
        }
        switch o["operationName"] {
        case .string(let n)?: request.operationName = n   // "" names an operation (none has that name: §6.1)
        case nil, .null?: break
        default: throw PipelineError(.invalidRequest, "The \"operationName\" parameter must be a string.")
        }
        switch o["variables"] {
        case .object(let v)?: request.variables = v
        case nil, .null?: break
        default: throw PipelineError(.invalidRequest, "The \"variables\" parameter must be a JSON object.")
        }
        switch o["extensions"] {
        case .object(let e)?: request.extensions = e
        case nil, .null?: break
        default: throw PipelineError(.invalidRequest, "The \"extensions\" parameter must be a JSON object.")
        }
        return request
    }
}

/// A request error that stops the pipeline before execution, with its HTTP status and code.
public struct PipelineError: Error, Sendable {
    public enum Kind: Sendable {
        case badJSON, invalidRequest, parse, validation, operation, variables, methodNotAllowed, notAcceptable, limit, tooLarge, forbidden, `internal`
        /// The client cancelled the operation while it was starting (a WebSocket's `complete`
        /// before the subscription was in place): nobody reads the answer; counted and logged as
        /// the client's doing (499, nginx's "client closed request"), not as the gateway's error.
        case cancelled
    }
    public let kind: Kind
    public var errors: [GraphQLError]

    init(_ kind: Kind, _ message: String, code: String? = nil) {
        self.kind = kind
        self.errors = [GraphQLError(message, code: code ?? Self.defaultCode(kind))]
    }

    init(_ kind: Kind, errors: [GraphQLError]) {
        self.kind = kind
        self.errors = errors
    }

    static func defaultCode(_ kind: Kind) -> String {
        switch kind {
        case .badJSON: return "BAD_REQUEST"
        case .invalidRequest: return "BAD_REQUEST"
        case .parse: return "GRAPHQL_PARSE_FAILED"
        case .validation: return "GRAPHQL_VALIDATION_FAILED"
        case .operation: return "OPERATION_NOT_FOUND"
        case .variables: return "BAD_USER_INPUT"
        case .methodNotAllowed: return "METHOD_NOT_ALLOWED"
        case .notAcceptable: return "NOT_ACCEPTABLE"
        case .limit: return "LIMIT_EXCEEDED"
        case .tooLarge: return "PAYLOAD_TOO_LARGE"
        case .forbidden: return "FORBIDDEN"
        case .internal: return "INTERNAL_SERVER_ERROR"
        case .cancelled: return "CLIENT_CLOSED_REQUEST"
        }
    }

    /// The HTTP status (GraphQL over HTTP, § Status Codes).
    public var status: Int {
        switch kind {
        case .badJSON, .parse: return 400
        case .invalidRequest, .validation, .operation, .variables: return 422
        case .methodNotAllowed: return 405
        case .notAcceptable: return 406
        case .limit: return 400
        case .tooLarge: return 413
        case .forbidden: return 403
        case .internal: return 500
        case .cancelled: return 499
        }
    }
}
