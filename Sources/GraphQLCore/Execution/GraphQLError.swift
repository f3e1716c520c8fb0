import OrderedCollections

/// An error a resolver may throw that knows what a client may be told about it (e.g. a
/// database's rejection of a value the client sent); nil keeps it internal (redacted).
public protocol GraphQLErrorConvertible: Error {
    var graphQLError: GraphQLError? { get }
}

/// An error in a GraphQL response (spec §7.1.2): message, locations, path, extensions.
public struct GraphQLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var locations: [SourceLocation]
    public var path: [PathElement]?
    public var extensions: OrderedDictionary<String, JSON>?

    public init(_ message: String, locations: [SourceLocation] = [], path: [PathElement]? = nil,
                code: String? = nil, extensions: OrderedDictionary<String, JSON>? = nil) {
        self.message = message
        self.locations = locations
        self.path = path
        var ext = extensions
        if let code {
            ext = ext ?? [:]
            ext!["code"] = .string(code)
        }
        self.extensions = ext
    }

    public var code: String? { extensions?["code"]?.stringValue }
    public var description: String { message }

    public var json: JSON {
        var o = OrderedDictionary<String, JSON>()
        o["message"] = .string(message)
        if !locations.isEmpty {
            o["locations"] = .array(locations.map { .object(["line": .int($0.line), "column": .int($0.column)]) })
        }
        if let path { o["path"] = .array(path.map(\.json)) }
        if let extensions, !extensions.isEmpty { o["extensions"] = .object(extensions) }
        return .object(o)
    }
}

public enum PathElement: Sendable, Hashable, CustomStringConvertible {
    case key(String)
    case index(Int)
    var json: JSON {
        switch self {
        case .key(let k): return .string(k)
        case .index(let i): return .int(i)
        }
    }
    public var description: String {
        switch self {
        case .key(let k): return k
        case .index(let i): return String(i)
        }
    }
}

/// Several errors at once (validation, variable coercion).
public struct GraphQLErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [GraphQLError]
    public init(_ errors: [GraphQLError]) { self.errors = errors }
    public var description: String { errors.map(\.message).joined(separator: "\n") }
}
