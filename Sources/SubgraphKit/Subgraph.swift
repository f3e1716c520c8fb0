import GraphQLCore
import OrderedCollections

/// An Apollo Federation v2 subgraph built on our engine: its SDL, resolvers, and entity
/// resolvers. `_service { sdl }` and `_entities(representations:)` are added per the
/// subgraph specification.
///
/// ```swift
/// let tenants = try Subgraph<Ctx>(name: "tenants", sdl: sdl)
/// tenants.query.field("tenant") { _, args, ctx, _ in ... }
/// tenants.entity("Tenant") { representations, ctx in
///     let rows = try await ctx.loadTenants(representations.compactMap { $0["id"]?.stringValue })
///     return representations.map { rep in rows[rep["id"]!.stringValue!].map { .object($0, tenantType) } ?? .null }
/// }
/// ```
public final class Subgraph<Context: Sendable>: @unchecked Sendable {
    /// Resolves every representation of one type at once (one batch per type and request).
    public typealias EntityResolver = @Sendable ([OrderedDictionary<String, JSON>], Context) async throws -> [Output]

    public let name: String
    /// The SDL as written (what `_service { sdl }` returns).
    public let sdl: String
    /// The subgraph's schema with the federation additions.
    public let schema: Schema
    public let query: ObjectResolvers<Context, Void>
    public private(set) var mutation: ObjectResolvers<Context, Void>?
    /// Root resolvers of `Subscription` (each field returns `.stream`), when the SDL has one.
    public private(set) var subscription: ObjectResolvers<Context, Void>?
    public let executable: ExecutableSchema<Context>
    /// Observes resolver work of a request (a batch scheduler for its DataLoaders).
    public var observer: (@Sendable (Context) -> (any ExecutionObserver)?)?
    /// Wraps the execution of one request (e.g. in one database transaction for a query).
    public var around: (@Sendable (Context, OperationType, @Sendable () async -> ExecutionResult) async -> ExecutionResult)?

    /// Executes one request on this subgraph with its observer and `around` hook.
    public func execute(_ request: ExecutionRequest, context: Context) async -> ExecutionResult {
        let executable = self.executable, observer = self.observer
        let run: @Sendable () async -> ExecutionResult = {
            await Executor.execute(executable, request: request, context: context, observer: observer?(context))
        }
        guard let around else { return await run() }
        let kind = request.document.operations.first { request.operationName == nil || $0.name?.value == request.operationName }?.operation ?? .query
        return await around(context, kind, run)
    }
    /// Starts a subscription on this subgraph: one response per event of its source stream.
    public func subscribe(_ request: ExecutionRequest, context: Context) async -> SubscriptionStart {
        await Executor.subscribe(executable, request: request, context: context)
    }

    /// Entity resolvers by type; the `_entities` resolver holds this (not the subgraph), so
    /// the executable schema works on its own.
    private let entities: EntityRegistry

    public init(name: String, sdl: String) throws {
        self.name = name
        self.sdl = sdl
        let document = try Parser.parse(sdl, options: .schema)
        let entityTypes = Self.entityTypes(document)
        var additions = """
        scalar _Any
        scalar FieldSet
        scalar link__Import
        scalar federation__FieldSet
        type _Service { sdl: String }
        directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
        directive @requires(fields: FieldSet!) on FIELD_DEFINITION
        directive @provides(fields: FieldSet!) on FIELD_DEFINITION
        directive @external(reason: String) on OBJECT | FIELD_DEFINITION
        directive @shareable repeatable on OBJECT | FIELD_DEFINITION
        directive @extends on OBJECT | INTERFACE
        directive @override(from: String!, label: String) on FIELD_DEFINITION
        directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
        directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
        directive @interfaceObject on OBJECT
        directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
        directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
        directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
        directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
        directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
        directive @composeDirective(name: String!) repeatable on SCHEMA
        directive @link(url: String!, as: String, import: [link__Import], for: String) repeatable on SCHEMA

        """
        let hasQuery = document.definitions.contains { if case .type(let t) = $0 { return t.name.value == "Query" } else { return false } }
        if !entityTypes.isEmpty {
            additions += "union _Entity = \(entityTypes.joined(separator: " | "))\n"
            additions += "\(hasQuery ? "extend type" : "type") Query { _entities(representations: [_Any!]!): [_Entity]! _service: _Service! }\n"
        } else {
            additions += "\(hasQuery ? "extend type" : "type") Query { _service: _Service! }\n"
        }
        // Federation 1 style `extend type X @key` without a base definition becomes a definition.
        var definitions: [Definition] = []
        var defined = Set<String>()
        for def in document.definitions { if case .type(let t) = def, !t.isExtension { defined.insert(t.name.value) } }
        for def in document.definitions {
            if case .type(var t) = def, t.isExtension, !defined.contains(t.name.value) {
                t.isExtension = false
                defined.insert(t.name.value)
                definitions.append(.type(t))
            } else if case .directive(let d) = def, ["key", "requires", "provides", "external", "shareable", "extends", "override",
                                                    "inaccessible", "tag", "interfaceObject", "composeDirective", "link", "cost", "listSize", "authenticated", "requiresScopes",
                                                    "policy"].contains(d.name.value) {
                continue // ours above
            } else {
                definitions.append(def)
            }
        }
        let extra = try Parser.parse(additions, options: .schema)
        schema = try Schema(document: Document(definitions: definitions + extra.definitions))
        query = ObjectResolvers<Context, Void>("Query")
        executable = ExecutableSchema<Context>(schema: schema)
        let entities = EntityRegistry(subgraph: name, keys: Self.entityKeys(document))
        self.entities = entities
        let serviceType = ObjectResolvers<Context, String>("_Service").field("sdl") { sdl, _, _, _ in .leaf(.string(sdl)) }
        query.field("_service") { [sdl] _, _, _, _ in .object(sdl, serviceType) }
        if !entityTypes.isEmpty {
            query.asyncField("_entities") { _, args, ctx, _ in
                try await entities.resolve(args.list("representations") ?? [], ctx)
            }
        }
        executable.root(.query, (), query)
        if schema.mutationType != nil {
            let m = ObjectResolvers<Context, Void>(schema.mutationType!)
            mutation = m
            executable.root(.mutation, (), m)
        }
        if let name = schema.subscriptionType {
            let s = ObjectResolvers<Context, Void>(name)
            subscription = s
            executable.root(.subscription, (), s)
        }
    }

    /// The field sets of each object type's resolvable `@key`s, parsed (a representation must
    /// carry one of them, each leaf non-null).
    static func entityKeys(_ document: Document) -> [String: [SelectionSet]] {
        var out: [String: [SelectionSet]] = [:]
        for case .type(let t) in document.definitions where t.kind == .object {
            for d in t.directives where d.name.value == "key" || d.name.value.hasSuffix("__key") {
                guard !d.arguments.contains(where: { $0.name.value == "resolvable" && $0.value == .boolean(false) }),
                      case .string(let fields, _)? = d.arguments.first(where: { $0.name.value == "fields" })?.value,
                      let parsed = try? Parser.parse("{" + fields + "}"), let op = parsed.operations.first else { continue }
                out[t.name.value, default: []].append(op.selectionSet)
            }
        }
        return out
    }

    /// Object types with a resolvable `@key` (the members of `_Entity`).
    static func entityTypes(_ document: Document) -> [String] {
        var out: [String] = []
        for case .type(let t) in document.definitions where t.kind == .object {
            let keys = t.directives.filter { $0.name.value == "key" || $0.name.value.hasSuffix("__key") }
            guard !keys.isEmpty, !out.contains(t.name.value) else { continue }
            let resolvable = keys.contains { d in
                !d.arguments.contains { $0.name.value == "resolvable" && $0.value == .boolean(false) }
            }
            if resolvable { out.append(t.name.value) }
        }
        return out
    }

    /// Registers how representations of `typeName` become objects (aligned with the input).
    public func entity(_ typeName: String, _ resolver: @escaping EntityResolver) {
        entities.set(typeName, resolver)
    }

    final class EntityRegistry: @unchecked Sendable {
        let subgraph: String
        /// Each entity type's key field sets (`Subgraph.entityKeys`).
        let keys: [String: [SelectionSet]]
        private var resolvers: [String: EntityResolver] = [:]
        init(subgraph: String, keys: [String: [SelectionSet]]) {
            self.subgraph = subgraph
            self.keys = keys
        }

        /// Whether `value` has every field of `set`, none null (a list's items each).
        static func carries(_ value: JSON, _ set: SelectionSet) -> Bool {
            switch value {
            case .array(let items): return items.allSatisfy { carries($0, set) }
            case .object(let o):
                return set.selections.allSatisfy { selection in
                    switch selection {
                    case .field(let f):
                        guard let v = o[f.name.value], v != .null else { return false }
                        // A leaf of a key is a scalar or an enum value: an object or a list (no key
                        // field is a list, Federation refuses it) names no entity — refused, not
                        // answered null as one not found (probe 53F).
                        guard let sub = f.selectionSet else {
                            switch v { case .object, .array: return false; default: return true }
                        }
                        return carries(v, sub)
                    case .inlineFragment(let i): return carries(value, i.selectionSet)
                    case .fragmentSpread: return true
                    }
                }
            default: return false
            }
        }

        /// Registration happens while the subgraph is set up, before it serves requests.
        func set(_ type: String, _ resolver: @escaping EntityResolver) { resolvers[type] = resolver }

        func resolve(_ representations: [JSON], _ context: Context) async throws -> Output {
            // Group by type, keeping each representation's index: one call per type.
            var byType = OrderedDictionary<String, [(Int, OrderedDictionary<String, JSON>)]>()
            for (i, r) in representations.enumerated() {
                guard case .object(let o) = r, let t = o["__typename"]?.stringValue else {
                    throw GraphQLError("Each representation needs a __typename.", code: "BAD_USER_INPUT")
                }
                byType[t, default: []].append((i, o))
            }
            var results = [Output](repeating: .null, count: representations.count)
            // A representation without the fields of any of its type's keys names no entity:
            // its item is an error (not a silent null), and it is not handed to the resolver.
            for (type, reps) in byType {
                guard let sets = keys[type], !sets.isEmpty else { continue }
                func named(_ o: OrderedDictionary<String, JSON>) -> Bool { sets.contains { Self.carries(.object(o), $0) } }
                guard !reps.allSatisfy({ named($0.1) }) else { continue }
                var kept: [(Int, OrderedDictionary<String, JSON>)] = []
                for (i, o) in reps {
                    if named(o) { kept.append((i, o)); continue }
                    results[i] = .error(GraphQLError("The representation of \(type) at index \(i) does not carry the fields of any of its keys.",
                                                     code: "BAD_USER_INPUT"))
                }
                byType[type] = kept.isEmpty ? nil : kept
            }
            let resolvers = self.resolvers
            let subgraph = self.subgraph
            if byType.isEmpty { return .list(results) }
            for type in byType.keys where resolvers[type] == nil {
                throw GraphQLError("The subgraph \(subgraph) cannot resolve entities of type \(type).", code: "BAD_USER_INPUT")
            }
            // A type's resolver that fails fails its own representations, each with the error at
            // its index (the executor reports it as any resolver's): the other types' entities
            // are answered (the whole list, and the response's data, were null).
            @Sendable func outputs(_ resolver: @escaping EntityResolver, _ reps: [(Int, OrderedDictionary<String, JSON>)]) async throws -> [Output] {
                do {
                    return try await resolver(reps.map(\.1), context)
                } catch let error where !(error is CancellationError) {
                    return reps.map { _ in Output.async { throw error } }
                }
            }
            // One type (the common case): its resolver runs on this task.
            if byType.count == 1, let (type, reps) = byType.elements.first {
                let outputs = try await outputs(resolvers[type]!, reps)
                for ((index, _), out) in zip(reps, outputs) { results[index] = out }
                return .list(results)
            }
            try await withThrowingTaskGroup(of: (String, [Output]).self) { group in
                for (type, reps) in byType {
                    let resolver = resolvers[type]!
                    group.addTask { (type, try await outputs(resolver, reps)) }
                }
                for try await (type, outputs) in group {
                    for ((index, _), out) in zip(byType[type]!, outputs) { results[index] = out }
                }
            }
            return .list(results)
        }
    }
}
