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
///
/// Not generic over the request context: the executor's core is compiled once, in this module,
/// and runs without the Swift runtime looking up generic type metadata per value (which it did
/// while `Output`, the executor and the boxes were generic over a context from another module:
/// about 10 % of the platform subgraphs' CPU). The context is typed again where the resolver
/// closures are made (`ObjectResolvers.field`, inlined into the module that defines them).
public enum Output: Sendable {
    case null
    case leaf(JSON)
    case object(AnyObjectBox)
    case list([Output])
    case async(@Sendable () async throws -> Output)
    /// The field of `source` resolved by a batch resolver, together with the same field of every
    /// other object the executor has pending when it launches work (`ObjectResolvers.batchField`).
    case batched(BatchResolver, AnyObjectBox)
    case error(GraphQLError)
    /// A subscription field's source stream (§6.2.3.1), made with `.stream(_:)`.
    case events(SourceStream)

    /// `null`, or a leaf whose value is null.
    @inlinable public var isNull: Bool {
        switch self {
        case .null, .leaf(.null): return true
        default: return false
        }
    }

    /// A subscription field's source stream (§6.2.3.1): each element is the field's value for
    /// one event. Only a root field of a subscription may return it.
    public static func stream(_ source: AsyncThrowingStream<Output, any Error>) -> Output {
        .events(SourceStream(source))
    }

    /// An object whose fields resolve with `resolvers` (which also names its GraphQL type).
    @inlinable
    public static func object<Context: Sendable, Source: Sendable>(_ source: Source, _ resolvers: ObjectResolvers<Context, Source>) -> Output {
        .object(ObjectBox(source, resolvers.table))
    }
}

/// A subscription field's source stream, boxed: every other payload of `Output` is a value whose
/// layout this module knows, so copying an `Output` needs no run-time type lookups (the stream
/// type comes from a library built for evolution, whose layout is looked up where it is used).
public final class SourceStream: Sendable {
    public let source: AsyncThrowingStream<Output, any Error>
    public init(_ source: AsyncThrowingStream<Output, any Error>) { self.source = source }
}

/// A request's context with its type erased, as the executor carries it. Resolvers get it back
/// typed (`ContextBox<Context>.value`) in the closures `ObjectResolvers` makes.
public class AnyContextBox: @unchecked Sendable {
    @usableFromInline init() {}
}

@usableFromInline
final class ContextBox<Context: Sendable>: AnyContextBox, @unchecked Sendable {
    @usableFromInline let value: Context
    @usableFromInline init(_ value: Context) { self.value = value }
}

/// The context of resolvers that use none (introspection's): whatever the request's context is,
/// they are handed this one.
@usableFromInline struct NoContext: Sendable {
    @usableFromInline init() {}
}

/// A field resolver that takes the objects of a level together: one call (one task) for the
/// field of every object that reached it, instead of one per object.
public final class BatchResolver: Sendable {
    @usableFromInline let run: @Sendable ([AnyObjectBox], Arguments, AnyContextBox, ResolveInfo) async throws -> [Output]
    @usableFromInline init(_ run: @escaping @Sendable ([AnyObjectBox], Arguments, AnyContextBox, ResolveInfo) async throws -> [Output]) {
        self.run = run
    }
}

/// A runtime object: a Swift value together with the resolvers of its GraphQL type.
public class AnyObjectBox: @unchecked Sendable {
    @usableFromInline let table: ResolverTable
    public var typeName: String { table.typeName }
    @usableFromInline init(table: ResolverTable) { self.table = table }
}

@usableFromInline
final class ObjectBox<Source: Sendable>: AnyObjectBox, @unchecked Sendable {
    @usableFromInline let source: Source
    @usableFromInline init(_ source: Source, _ table: ResolverTable) {
        self.source = source
        super.init(table: table)
    }
}

/// The resolvers of one object type with their source and context types erased: what the
/// executor calls. Each closure knows the types it was made for; the executor hands it only
/// boxes of its table and a context of its table's context type (checked per field plan).
@usableFromInline
final class ResolverTable: @unchecked Sendable {
    @usableFromInline typealias Resolver = @Sendable (AnyObjectBox, Arguments, AnyContextBox, ResolveInfo) throws -> Output
    @usableFromInline typealias Fallback = @Sendable (AnyObjectBox, String, Arguments, AnyContextBox, ResolveInfo) throws -> Output

    let typeName: String
    /// The context type the resolvers were written for.
    let contextType: ObjectIdentifier
    private(set) var fields: [String: Resolver] = [:]
    private(set) var fallback: Fallback?

    init(typeName: String, contextType: ObjectIdentifier) {
        self.typeName = typeName
        self.contextType = contextType
    }

    @usableFromInline func set(_ field: String, _ resolver: @escaping Resolver) { fields[field] = resolver }
    @usableFromInline func setFallback(_ resolver: @escaping Fallback) { fallback = resolver }

    /// The resolver of `field` (the fallback bound to the name when it has none of its own).
    func resolver(_ field: String) -> Resolver? {
        if let r = fields[field] { return r }
        if let fallback { return { box, args, context, info in try fallback(box, field, args, context, info) } }
        return nil
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
    public typealias Resolver = @Sendable (Source, Arguments, Context, ResolveInfo) throws -> Output
    public typealias Fallback = @Sendable (Source, String, Arguments, Context, ResolveInfo) throws -> Output

    public var typeName: String { table.typeName }
    @usableFromInline let table: ResolverTable

    public init(_ typeName: String) {
        table = ResolverTable(typeName: typeName, contextType: ObjectIdentifier(Context.self))
    }

    /// Adds a resolver (configure before the first request; resolvers are not changed later).
    @inlinable @discardableResult
    public func field(_ name: String, _ resolver: @escaping Resolver) -> Self {
        table.set(name) { box, args, context, info in
            try resolver(unsafeDowncast(box, to: ObjectBox<Source>.self).source, args,
                         unsafeDowncast(context, to: ContextBox<Context>.self).value, info)
        }
        return self
    }

    /// An asynchronous resolver.
    @inlinable @discardableResult
    public func asyncField(_ name: String, _ resolver: @escaping @Sendable (Source, Arguments, Context, ResolveInfo) async throws -> Output) -> Self {
        table.set(name) { box, args, context, info in
            let source = unsafeDowncast(box, to: ObjectBox<Source>.self).source
            let context = unsafeDowncast(context, to: ContextBox<Context>.self).value
            return .async { try await resolver(source, args, context, info) }
        }
        return self
    }

    /// A resolver for the field of many objects at once: the executor gathers the objects that
    /// reach this field (through the same selection) while it completes a level — the 20 agents
    /// of a list, say — and calls it once with all of them, on one task. It returns one output
    /// per source, in order; an error it throws is each object's error. What a `DataLoader`
    /// does for keys, without a task, a wait and a wake-up per object.
    ///
    /// ```swift
    /// .batchField("stats") { agents, _, ctx, _ in
    ///     let rows = try await ctx.db { try await $0.query("… WHERE agent_id = ANY(\(agents.map(\.id)))") }
    ///     return agents.map { a in rows[a.id].map { .object($0, statsType) } ?? .null }
    /// }
    /// ```
    @inlinable @discardableResult
    public func batchField(_ name: String, _ resolver: @escaping @Sendable ([Source], Arguments, Context, ResolveInfo) async throws -> [Output]) -> Self {
        let batch = BatchResolver { boxes, args, context, info in
            try await resolver(boxes.map { unsafeDowncast($0, to: ObjectBox<Source>.self).source }, args,
                               unsafeDowncast(context, to: ContextBox<Context>.self).value, info)
        }
        table.set(name) { box, _, _, _ in .batched(batch, box) }
        return self
    }

    /// Resolves fields without a resolver of their own (e.g. reading a dictionary by field name).
    @inlinable @discardableResult
    public func fallback(_ resolver: @escaping Fallback) -> Self {
        table.setFallback { box, field, args, context, info in
            try resolver(unsafeDowncast(box, to: ObjectBox<Source>.self).source, field, args,
                         unsafeDowncast(context, to: ContextBox<Context>.self).value, info)
        }
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

    /// Whether this field's selection asks, directly or through fragments, for a field named
    /// one of `names` (for look-ahead: a resolver that reads only the columns asked for). A
    /// field under `@skip`/`@include` counts as asked: the answer may read more, never less.
    /// `depth` 2 looks into the selected fields' own selections as well (and so on).
    public func selects(anyOf names: Set<String>, depth: Int = 1) -> Bool {
        var seenFragments: Set<String> = []
        func scan(_ set: SelectionSet, _ depth: Int) -> Bool {
            for selection in set.selections {
                switch selection {
                case .field(let f):
                    if names.contains(f.name.value) { return true }
                    if depth > 1, let sub = f.selectionSet, scan(sub, depth - 1) { return true }
                case .inlineFragment(let i): if scan(i.selectionSet, depth) { return true }
                case .fragmentSpread(let s):
                    // A fragment is looked into once per depth left (met again deeper, it may see more).
                    guard seenFragments.insert(s.name.value + "#\(depth)").inserted, let d = fragments[s.name.value] else { continue }
                    if scan(d.selectionSet, depth) { return true }
                }
            }
            return false
        }
        return fieldNodes.contains { $0.selectionSet.map { scan($0, depth) } ?? false }
    }
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
///     .root(.query, (), queryResolvers)
/// ```
public final class ExecutableSchema<Context: Sendable>: @unchecked Sendable {
    /// What the executor needs, without the context's type.
    let core: ExecutableCore
    public var schema: Schema { core.schema }
    /// Show internal errors' descriptions to clients (development only; off by default).
    public var exposeInternalErrors: Bool {
        get { core.exposeInternalErrors }
        set { core.exposeInternalErrors = newValue }
    }
    /// Sees every internal error that is redacted for clients (for logging).
    public var internalErrorHandler: (@Sendable (any Error) -> Void)? {
        get { core.internalErrorHandler }
        set { core.internalErrorHandler = newValue }
    }

    public init(schema: Schema) {
        core = ExecutableCore(schema: schema, contextType: ObjectIdentifier(Context.self))
    }

    /// Sets the root object of an operation type.
    @discardableResult
    public func root<Source: Sendable>(_ op: OperationType, _ source: Source, _ resolvers: ObjectResolvers<Context, Source>) -> Self {
        core.rootValues[op] = ObjectBox(source, resolvers.table)
        return self
    }
}

/// An executable schema as the executor sees it: the same for every context type.
final class ExecutableCore: @unchecked Sendable {
    let schema: Schema
    let contextType: ObjectIdentifier
    var rootValues: [OperationType: AnyObjectBox] = [:]
    let introspection: Introspection
    var exposeInternalErrors = false
    var internalErrorHandler: (@Sendable (any Error) -> Void)?

    init(schema: Schema, contextType: ObjectIdentifier) {
        self.schema = schema
        self.contextType = contextType
        self.introspection = Introspection(schema: schema)
    }
}
