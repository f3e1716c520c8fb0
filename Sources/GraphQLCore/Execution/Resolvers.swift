import OrderedCollections

/// What a resolver returns. Synchronous values are completed inline; only `.async` suspends
/// (the executor runs those concurrently, one task per truly asynchronous resolver).
///
/// ```swift
/// .leaf("hello")                                  // a scalar or enum value
/// .object(tenant, TenantResolvers.shared)         // an object of a known GraphQL type
/// .list(agents.map { .object($0, agentType) })
/// .async { .leaf(.int(try await store.count())) }
/// ```
public enum Output<Context: Sendable>: Sendable {
    case null
    case leaf(JSON)
    case object(AnyObjectBox<Context>)
    case list([Output<Context>])
    case async(@Sendable () async throws -> Output<Context>)
    case error(GraphQLError)
    /// A subscription field's source stream (§6.2.3.1): each element is the field's value for
    /// one event. Only a root field of a subscription may return it.
    case stream(AsyncThrowingStream<Output<Context>, any Error>)

    /// An object whose fields resolve with `resolvers` (which also names its GraphQL type).
    public static func object<Source: Sendable>(_ source: Source, _ resolvers: ObjectResolvers<Context, Source>) -> Output {
        .object(ObjectBox(source, resolvers))
    }
}

/// A runtime object: a Swift value together with the resolvers of its GraphQL type.
public class AnyObjectBox<Context: Sendable>: @unchecked Sendable {
    public let typeName: String
    init(typeName: String) { self.typeName = typeName }
    func resolve(_ field: String, _ args: Arguments, _ context: Context, _ info: ResolveInfo) throws -> Output<Context> {
        fatalError("abstract")
    }
}

final class ObjectBox<Context: Sendable, Source: Sendable>: AnyObjectBox<Context>, @unchecked Sendable {
    let source: Source
    let resolvers: ObjectResolvers<Context, Source>

    init(_ source: Source, _ resolvers: ObjectResolvers<Context, Source>) {
        self.source = source
        self.resolvers = resolvers
        super.init(typeName: resolvers.typeName)
    }

    override func resolve(_ field: String, _ args: Arguments, _ context: Context, _ info: ResolveInfo) throws -> Output<Context> {
        if let r = resolvers.fields[field] { return try r(source, args, context, info) }
        if let d = resolvers.fallback { return try d(source, field, args, context, info) }
        return .error(GraphQLError("No resolver for field \(typeName).\(field)."))
    }
}

/// The resolvers of one object type, typed by the Swift value behind it.
///
/// ```swift
/// let tenant = ObjectResolvers<RequestContext, Tenant>("Tenant")
///     .field("name") { t, _, _, _ in .leaf(.string(t.name)) }
///     .field("agents") { t, args, ctx, _ in .async { ... } }
/// ```
public final class ObjectResolvers<Context: Sendable, Source: Sendable>: @unchecked Sendable {
    public typealias Resolver = @Sendable (Source, Arguments, Context, ResolveInfo) throws -> Output<Context>
    public typealias Fallback = @Sendable (Source, String, Arguments, Context, ResolveInfo) throws -> Output<Context>

    public let typeName: String
    private(set) var fields: [String: Resolver] = [:]
    private(set) var fallback: Fallback?

    public init(_ typeName: String) { self.typeName = typeName }

    /// Adds a resolver (configure before the first request; resolvers are not changed later).
    @discardableResult
    public func field(_ name: String, _ resolver: @escaping Resolver) -> Self {
        fields[name] = resolver
        return self
    }

    /// An asynchronous resolver.
    @discardableResult
    public func asyncField(_ name: String, _ resolver: @escaping @Sendable (Source, Arguments, Context, ResolveInfo) async throws -> Output<Context>) -> Self {
        fields[name] = { s, a, c, i in .async { try await resolver(s, a, c, i) } }
        return self
    }

    /// Resolves fields without a resolver of their own (e.g. reading a dictionary by field name).
    @discardableResult
    public func fallback(_ resolver: @escaping Fallback) -> Self {
        fallback = resolver
        return self
    }
}

/// Coerced argument values of a field, with typed accessors.
public struct Arguments: Sendable {
    public let values: OrderedDictionary<String, JSON>
    public init(_ values: OrderedDictionary<String, JSON> = [:]) { self.values = values }
    public subscript(_ name: String) -> JSON? { values[name] }
    public func string(_ name: String) -> String? { values[name]?.stringValue }
    public func int(_ name: String) -> Int? { values[name]?.intValue }
    public func bool(_ name: String) -> Bool? { values[name]?.boolValue }
    public func double(_ name: String) -> Double? { values[name]?.doubleValue }
    public func object(_ name: String) -> OrderedDictionary<String, JSON>? { values[name]?.objectValue }
    public func list(_ name: String) -> [JSON]? { values[name]?.arrayValue }
}

/// What a resolver may know about where it is. Two references (the field's plan and the
/// request), so making one per resolver call costs next to nothing.
public struct ResolveInfo: Sendable {
    let plan: FieldPlan
    let request: RequestFacts

    public var fieldName: String { plan.fieldName }
    public var parentType: String { plan.parentType }
    public var returnType: TypeReference { plan.returnType }
    /// The field nodes merged under this response key (for look-ahead).
    public var fieldNodes: [Field] { plan.fieldNodes }
    public var responseKey: String { plan.responseKey }
    public var operation: OperationDefinition { request.operation }
    public var fragments: [String: FragmentDefinition] { request.fragments }
    public var variables: OrderedDictionary<String, JSON> { request.variables }
    public var schema: Schema { request.schema }
}

/// The per-request facts every `ResolveInfo` of a request shares.
final class RequestFacts: Sendable {
    let operation: OperationDefinition
    let fragments: [String: FragmentDefinition]
    let variables: OrderedDictionary<String, JSON>
    let schema: Schema
    init(operation: OperationDefinition, fragments: [String: FragmentDefinition], variables: OrderedDictionary<String, JSON>, schema: Schema) {
        self.operation = operation
        self.fragments = fragments
        self.variables = variables
        self.schema = schema
    }
}

/// A schema with its resolvers: what the executor runs.
///
/// ```swift
/// let executable = ExecutableSchema<Ctx>(schema: schema)
///     .resolvers(query)
///     .typeResolver("Node") { box in box.typeName }
/// ```
public final class ExecutableSchema<Context: Sendable>: @unchecked Sendable {
    public let schema: Schema
    var rootValues: [OperationType: AnyObjectBox<Context>] = [:]
    let introspection: Introspection<Context>
    /// Show internal errors' descriptions to clients (development only; off by default).
    public var exposeInternalErrors = false
    /// Sees every internal error that is redacted for clients (for logging).
    public var internalErrorHandler: (@Sendable (any Error) -> Void)?

    public init(schema: Schema) {
        self.schema = schema
        self.introspection = Introspection(schema: schema)
    }

    /// Sets the root object of an operation type.
    @discardableResult
    public func root<Source: Sendable>(_ op: OperationType, _ source: Source, _ resolvers: ObjectResolvers<Context, Source>) -> Self {
        rootValues[op] = ObjectBox(source, resolvers)
        return self
    }
}
