import GraphQLCore
import OrderedCollections

/// Runs a query plan: fetches in parallel or in sequence, entity representations collected
/// and deduplicated per fetch, results merged into one response tree, then the client's
/// operation is executed over that tree (field order, aliases, @skip/@include, null
/// propagation exactly as a single GraphQL server would).
public final class PlanExecutor: Sendable {
    public let supergraph: Supergraph
    let transports: [String: any SubgraphTransport]
    let shaping: ExecutableSchema<ShapeContext>

    public init(supergraph: Supergraph, transports: [String: any SubgraphTransport]) {
        self.supergraph = supergraph
        self.transports = transports
        self.shaping = Shaping.executable(supergraph.apiSchema)
    }

    /// - Parameter headers: the headers each subgraph's requests carry, by subgraph name.
    public func execute(_ plan: QueryPlan, request: ExecutionRequest,
                        headers: @escaping @Sendable (String) -> [(String, String)] = { _ in [] }) async -> ExecutionResult {
        let ops = request.document.operations.filter { request.operationName == nil || $0.name?.value == request.operationName }
        guard let operation = ops.first else {
            return ExecutionResult(data: nil, errors: [GraphQLError("Unknown operation.", code: "OPERATION_NOT_FOUND")])
        }
        let variables: OrderedDictionary<String, JSON>
        switch Executor.coerceVariables(supergraph.apiSchema, operation: operation, variables: request.variables, source: request.source) {
        case .success(let v): variables = v
        case .failure(let e): return ExecutionResult(data: nil, errors: e.errors)
        }
        let run = PlanRun(executor: self, variables: variables, headers: headers)
        if let root = plan.root { await run.execute(root) }
        var shaped: ExecutionResult
        if plan.usesIntrospection {
            // The executor answers __schema/__type from the API schema.
            shaped = await Executor.execute(shaping, request: ExecutionRequest(document: request.document, operationName: operation.name?.value,
                                                                                variables: variables, source: request.source),
                                            context: ShapeContext(root: run.snapshot()))
        } else {
            var fragments: [String: FragmentDefinition] = [:]
            for f in request.document.fragments where fragments[f.name.value] == nil { fragments[f.name.value] = f }
            var shaper = Shaper(schema: supergraph.apiSchema, fragments: fragments, variables: variables, source: request.source)
            let data = shaper.shape(operation, root: run.root)
            shaped = ExecutionResult(data: data, errors: shaper.errors)
        }
        // Nulls caused by a failed fetch are already explained by that fetch's error.
        let upstream = run.errors
        shaped.errors = upstream + shaped.errors.filter { e in
            guard e.message.hasPrefix("Cannot return null"), let p = e.path else { return true }
            return !upstream.contains { u in u.path.map { p.starts(with: $0) || $0.starts(with: p) } ?? false }
        }
        return shaped
    }
}

/// The response tree of one plan run (owned by the task running it; never shared).
final class ObjectNode {
    var fields = OrderedDictionary<String, TreeValue>()
}

enum TreeValue {
    case leaf(JSON)
    case object(ObjectNode)
    case list([TreeValue])

    init(_ json: JSON) {
        switch json {
        case .object(let o):
            let n = ObjectNode()
            for (k, v) in o { n.fields[k] = TreeValue(v) }
            self = .object(n)
        case .array(let a): self = .list(a.map(TreeValue.init))
        default: self = .leaf(json)
        }
    }

    var json: JSON {
        switch self {
        case .leaf(let j): return j
        case .object(let n): return .object(n.fields.mapValues(\.json))
        case .list(let a): return .array(a.map(\.json))
        }
    }
}

extension ObjectNode {
    /// Deep merge of a JSON object into this node.
    func merge(_ json: OrderedDictionary<String, JSON>) {
        for (k, v) in json {
            switch (fields[k], v) {
            case (.object(let n)?, .object(let o)): n.merge(o)
            case (.list(let items)?, .array(let arr)) where items.count == arr.count:
                fields[k] = .list(zip(items, arr).map { TreeValue.merged($0, $1) })
            default: fields[k] = TreeValue(v)
            }
        }
    }
}

extension TreeValue {
    static func merged(_ a: TreeValue, _ b: JSON) -> TreeValue {
        switch (a, b) {
        case (.object(let n), .object(let o)): n.merge(o); return a
        case (.list(let items), .array(let arr)) where items.count == arr.count:
            return .list(zip(items, arr).map { merged($0, $1) })
        default: return TreeValue(b)
        }
    }
}

/// One run of a plan, owned by the task that executes it. Fetches whose dependencies are done
/// start together; each takes with it what it needs from the response tree (its representations),
/// collected here, and comes back with its answer, merged here — the tree is never touched by two
/// tasks, so it needs no lock.
final class PlanRun {
    let executor: PlanExecutor
    let variables: OrderedDictionary<String, JSON>
    let headers: @Sendable (String) -> [(String, String)]
    let root = ObjectNode()
    private(set) var errors: [GraphQLError] = []

    init(executor: PlanExecutor, variables: OrderedDictionary<String, JSON>, headers: @escaping @Sendable (String) -> [(String, String)]) {
        self.executor = executor
        self.variables = variables
        self.headers = headers
    }

    func snapshot() -> OrderedDictionary<String, JSON> { root.fields.mapValues(\.json) }

    func addErrors(_ e: [GraphQLError]) { errors += e }

    /// A fetch of the plan and the fetches that must be done before it.
    struct Step {
        let path: [PathSegment]?       // nil: a root fetch
        let fetch: FetchNode
        let after: Set<Int>
    }

    /// The requests of one step, and (kept here) where their answers go.
    struct Outgoing {
        var requests: [OrderedDictionary<String, JSON>] = []
        var targets: [[[(ObjectNode, [Int])]]] = []   // per request: per representation
    }

    /// The plan's fetches in dependency order (`sequence` orders, `parallel` does not; a
    /// `condition` is decided now, from the request's variables).
    func steps(_ node: PlanNode) -> [Step] {
        var steps: [Step] = []
        func add(_ node: PlanNode, after: Set<Int>) -> Set<Int> {
            switch node {
            case .fetch(let f):
                steps.append(Step(path: nil, fetch: f, after: after))
                return [steps.count - 1]
            case .flatten(let path, let f):
                steps.append(Step(path: path, fetch: f, after: after))
                return [steps.count - 1]
            case .sequence(let nodes):
                var previous = after
                for n in nodes { previous = add(n, after: previous) }
                return previous
            case .parallel(let nodes):
                return nodes.reduce(into: Set<Int>()) { $0.formUnion(add($1, after: after)) }
            case .condition(let c):
                let value = variables[c.variable]?.boolValue ?? c.defaultValue ?? false
                guard let next = value ? c.ifTrue : c.ifFalse else { return after }
                return add(next, after: after)
            }
        }
        _ = add(node, after: [])
        return steps
    }

    func execute(_ node: PlanNode) async {
        let steps = steps(node)
        var done = Set<Int>(), started = Set<Int>()
        var outgoing: [Int: Outgoing] = [:]
        let executor = self.executor, headers = self.headers
        await withTaskGroup(of: (Int, [Result<JSON, GraphQLError>]).self) { group in
            // Start every step whose dependencies are done (a step with nothing to send is done at once).
            func startReady() {
                var progressed = true
                while progressed {
                    progressed = false
                    for (id, step) in steps.enumerated() where !started.contains(id) && step.after.isSubset(of: done) {
                        started.insert(id)
                        let out = prepare(step)
                        if out.requests.isEmpty { done.insert(id); progressed = true; continue }
                        outgoing[id] = out
                        let fetch = step.fetch, requests = out.requests
                        group.addTask {
                            var results: [Result<JSON, GraphQLError>] = []
                            for vars in requests { results.append(await Self.send(fetch, vars, executor: executor, headers: headers)) }
                            return (id, results)
                        }
                    }
                }
            }
            startReady()
            while let (id, results) = await group.next() {
                if let out = outgoing.removeValue(forKey: id) { merge(steps[id], out, results) }
                done.insert(id)
                startReady()
            }
        }
    }

    /// What a step sends: a root fetch's variables, or an entity fetch's representations collected
    /// from the tree (one request per set of context values).
    func prepare(_ step: Step) -> Outgoing {
        guard let path = step.path else { return Outgoing(requests: [variables(for: step.fetch)], targets: [[]]) }
        var out = Outgoing()
        for batch in batches(path, step.fetch) where !batch.reps.isEmpty {
            var vars = variables(for: step.fetch)
            for (input, value) in zip(step.fetch.contextInputs, batch.context) { vars[input.variable] = value }
            vars["representations"] = .array(batch.reps)
            out.requests.append(vars)
            out.targets.append(batch.targets)
        }
        return out
    }

    /// Answers into the tree, errors with their paths.
    func merge(_ step: Step, _ out: Outgoing, _ results: [Result<JSON, GraphQLError>]) {
        for (i, result) in results.enumerated() {
            guard let path = step.path else { mergeRoot(step.fetch, result); continue }
            mergeEntities(path, step.fetch, out.targets[i], result)
        }
    }

    func variables(for f: FetchNode) -> OrderedDictionary<String, JSON> {
        var v = OrderedDictionary<String, JSON>()
        for name in f.variables { if let value = variables[name] { v[name] = value } }
        return v
    }

    static func send(_ f: FetchNode, _ vars: OrderedDictionary<String, JSON>, executor: PlanExecutor,
                     headers: @Sendable (String) -> [(String, String)]) async -> Result<JSON, GraphQLError> {
        guard let transport = executor.transports[f.subgraph] else {
            return .failure(GraphQLError("No transport for subgraph \"\(f.subgraph)\".", code: "SUBGRAPH_UNAVAILABLE",
                                         extensions: ["serviceName": .string(f.subgraph)]))
        }
        do {
            let response = try await transport.fetch(SubgraphRequest(query: f.operation, variables: vars, headers: headers(f.subgraph),
                                                                     document: f.document, queryJSON: f.operationJSON.isEmpty ? nil : f.operationJSON))
            guard case .object = response else {
                return .failure(GraphQLError("Subgraph \"\(f.subgraph)\" returned an invalid response.", code: "SUBREQUEST_MALFORMED_RESPONSE",
                                             extensions: ["serviceName": .string(f.subgraph)]))
            }
            return .success(response)
        } catch let e as GraphQLError {
            var e = e
            if e.extensions?["serviceName"] == nil { e.extensions = (e.extensions ?? [:]).merging(["serviceName": .string(f.subgraph)]) { a, _ in a } }
            return .failure(e)
        } catch {
            return .failure(GraphQLError("Subgraph \"\(f.subgraph)\" could not be reached: \(error)", code: "SUBREQUEST_HTTP_ERROR",
                                         extensions: ["serviceName": .string(f.subgraph)]))
        }
    }

    /// The answer with the planner's internal aliases taken off its keys.
    static func unaliased(_ object: OrderedDictionary<String, JSON>, _ renames: [String: String]) -> OrderedDictionary<String, JSON> {
        func value(_ v: JSON) -> JSON {
            switch v {
            case .object(let o): return .object(unaliased(o, renames))
            case .array(let a): return .array(a.map(value))
            default: return v
            }
        }
        var out = OrderedDictionary<String, JSON>()
        for (k, v) in object { out[renames[k] ?? k] = value(v) }
        return out
    }

    /// Subgraph errors, with paths made absolute.
    func upstreamErrors(_ response: JSON, _ f: FetchNode, mapPath: ([JSON]) -> [PathElement]?) -> [GraphQLError] {
        guard let list = response["errors"]?.arrayValue else { return [] }
        return list.map { e in
            var ext = e["extensions"]?.objectValue ?? [:]
            ext["serviceName"] = .string(f.subgraph)
            if ext["code"] == nil { ext["code"] = "DOWNSTREAM_SERVICE_ERROR" }
            let path = e["path"]?.arrayValue.flatMap(mapPath)
            return GraphQLError(e["message"]?.stringValue ?? "Unknown subgraph error", path: path, extensions: ext)
        }
    }

    static func pathElements(_ json: [JSON]) -> [PathElement] {
        json.compactMap { j in
            if let s = j.stringValue { return .key(s) }
            if let i = j.intValue { return .index(i) }
            return nil
        }
    }

    func mergeRoot(_ f: FetchNode, _ result: Result<JSON, GraphQLError>) {
        switch result {
        case .failure(var e):
            e.path = nil
            addErrors([e])
        case .success(let response):
            if case .object(let data)? = response["data"] {
                root.merge(f.internalAliases.isEmpty ? data : Self.unaliased(data, f.internalAliases))
            }
            errors += upstreamErrors(response, f) { Self.pathElements($0) }
        }
    }

    /// Objects at `path` (lists flattened, type conditions applied), each with the list indices
    /// on its way (one per `.list` segment): its response path is built only when an error needs it.
    func collect(_ path: [PathSegment]) -> [(ObjectNode, [Int])] {
        var current: [(TreeValue, [Int])] = [(.object(root), [])]
        for seg in path {
            var next: [(TreeValue, [Int])] = []
            next.reserveCapacity(current.count)
            for (value, p) in current {
                switch (seg, value) {
                case (.field(let k), .object(let n)):
                    if let v = n.fields[k] { next.append((v, p)) }
                case (.list, .list(let items)):
                    for (i, item) in items.enumerated() { next.append((item, p + [i])) }
                case (.typeCondition(let types), .object(let n)):
                    if let t = n.fields["__typename"]?.json.stringValue, !types.contains(t) { continue }
                    next.append((value, p))
                default: break
                }
            }
            current = next
        }
        return current.compactMap { v, p in if case .object(let n) = v { return (n, p) } else { return nil } }
    }

    /// The response path of an object `collect(path)` found with these list indices.
    static func responsePath(_ path: [PathSegment], _ indices: [Int]) -> [PathElement] {
        var out: [PathElement] = []
        var next = indices.makeIterator()
        for seg in path {
            switch seg {
            case .field(let k): out.append(.key(k))
            case .list: if let i = next.next() { out.append(.index(i)) }
            case .typeCondition: break
            }
        }
        return out
    }

    /// The representation of an object: the selection's fields read by response key and written
    /// under their names; fragments apply by the object's `__typename`.
    func representation(_ node: ObjectNode, _ set: SelectionSet, typename: String?) -> JSON {
        var out = OrderedDictionary<String, JSON>()
        // Fragments apply by the object's own type; `__typename` is what the target expects
        // (the interface's name for an @interfaceObject).
        let runtime = node.fields["__typename"]?.json.stringValue ?? typename
        write(node, set.selections, typename: runtime, into: &out)
        if let typename, out["__typename"] != nil { out["__typename"] = .string(typename) }
        return .object(out)
    }

    private func write(_ node: ObjectNode, _ selections: [Selection], typename: String?, into out: inout OrderedDictionary<String, JSON>) {
        let schema = executor.supergraph.schema
        for sel in selections {
            switch sel {
            case .field(let f):
                let name = f.name.value
                if name == "__typename" {
                    if let typename { out["__typename"] = .string(typename) }
                    continue
                }
                guard let v = node.fields[f.responseKey] else { continue }
                if let sub = f.selectionSet {
                    out[name] = nested(v, sub)
                } else {
                    out[name] = v.json
                }
            case .inlineFragment(let i):
                if let condition = i.typeCondition?.value, let typename, condition != typename {
                    guard let t = schema.types[condition], t.kind.isAbstract, t.possibleTypes.contains(typename) else { continue }
                }
                write(node, i.selectionSet.selections, typename: typename, into: &out)
            case .fragmentSpread:
                continue
            }
        }
    }

    private func nested(_ value: TreeValue, _ sub: SelectionSet) -> JSON {
        switch value {
        case .object(let child):
            var o = OrderedDictionary<String, JSON>()
            let t = child.fields["__typename"]?.json.stringValue
            if let t, sub.selections.contains(where: { if case .inlineFragment = $0 { return true } else { return false } }) {
                o["__typename"] = .string(t)
            }
            write(child, sub.selections, typename: t, into: &o)
            return .object(o)
        case .list(let items):
            return .array(items.map { nested($0, sub) })
        case .leaf(let j):
            return j
        }
    }

    /// The representation input that applies to an object of runtime type `typename`.
    func input(for typename: String?, in f: FetchNode) -> EntityRepresentation? {
        let schema = executor.supergraph.schema
        if let typename, let exact = f.entities.first(where: { $0.typeCondition == typename }) { return exact }
        for e in f.entities {
            guard let typename else { return e }
            if let t = schema.types[e.typeCondition], t.kind.isAbstract, t.possibleTypes.contains(typename) { return e }
        }
        return nil
    }

    /// Entities with different context values (`@fromContext`) go in separate requests.
    struct Batch {
        var context: [JSON]
        var reps: [JSON] = []
        var targets: [[(ObjectNode, [Int])]] = []
        var index: [JSON: Int] = [:]
    }

    /// The representations of the objects at `path`, deduplicated, by context values.
    func batches(_ path: [PathSegment], _ f: FetchNode) -> [Batch] {
        guard !f.entities.isEmpty else { return [] }
        var batches: [Batch] = []
        var byContext: [JSON: Int] = [:]
        for (node, p) in collect(path) {
            let typename = node.fields["__typename"]?.json.stringValue
            guard let input = input(for: typename, in: f) else { continue }
            // An object whose key is missing or null is not an entity this fetch can resolve.
            let hasKey = input.keyFields.allSatisfy { k in
                guard let v = node.fields[k] else { return false }
                if case .leaf(.null) = v { return false }
                return true
            }
            guard hasKey else { continue }
            let values = f.contextInputs.map { contextValue($0, indices: p) }
            let b: Int
            if let i = byContext[.array(values)] { b = i } else {
                b = batches.count
                byContext[.array(values)] = b
                batches.append(Batch(context: values))
            }
            let rep = representation(node, input.selection,
                                     typename: input.asInterfaceObject ? input.typeCondition : (typename ?? input.typeCondition))
            if let i = batches[b].index[rep] { batches[b].targets[i].append((node, p)) } else {
                batches[b].index[rep] = batches[b].reps.count
                batches[b].reps.append(rep)
                batches[b].targets.append([(node, p)])
            }
        }
        return batches
    }

    /// The value an entity's `@fromContext` argument takes: picked from its ancestor at the
    /// input's path (found again by the entity's own list indices).
    func contextValue(_ input: ContextInput, indices: [Int]) -> JSON {
        var current: TreeValue = .object(root)
        var next = indices.makeIterator()
        for seg in input.ancestorPath {
            switch (seg, current) {
            case (.field(let k), .object(let n)): current = n.fields[k] ?? .leaf(.null)
            case (.list, .list(let items)):
                guard let i = next.next(), i < items.count else { return .null }
                current = items[i]
            case (.typeCondition, _): continue
            default: return .null
            }
        }
        var selections = input.selection.selections
        while case .object(let n) = current, let first = selections.first, case .field(let field) = first {
            current = n.fields[field.responseKey] ?? .leaf(.null)
            guard let sub = field.selectionSet else { break }
            selections = sub.selections
        }
        return current.json
    }

    func mergeEntities(_ path: [PathSegment], _ f: FetchNode, _ targets: [[(ObjectNode, [Int])]], _ result: Result<JSON, GraphQLError>) {
        switch result {
        case .failure(var e):
            e.path = targets.first?.first.map { Self.responsePath(path, $0.1) }
            addErrors([e])
        case .success(let response):
            errors += upstreamErrors(response, f) { p in
                // ["_entities", i, ...rest] → the path of the first object with that representation.
                guard p.count >= 2, p[0].stringValue == "_entities", let i = p[1].intValue, i >= 0, i < targets.count,
                      let base = targets[i].first.map({ Self.responsePath(path, $0.1) }) else { return nil }
                return base + Self.pathElements(Array(p.dropFirst(2)))
            }
            guard let entities = response["data"]?["_entities"]?.arrayValue else { return }
            for (i, entity) in entities.enumerated() where i < targets.count {
                guard case .object(var o) = entity else { continue }
                if !f.internalAliases.isEmpty { o = Self.unaliased(o, f.internalAliases) }
                for (node, _) in targets[i] {
                    // An @interfaceObject answer names the interface; the object keeps its own type.
                    if let mine = node.fields["__typename"]?.json.stringValue, let theirs = o["__typename"]?.stringValue, mine != theirs,
                       executor.supergraph.schema.types[theirs]?.kind != .object {
                        o["__typename"] = .string(mine)
                    }
                    node.merge(o)
                }
            }
        }
    }
}

/// Context of the shaping pass: the merged response data.
struct ShapeContext: Sendable {
    let root: OrderedDictionary<String, JSON>
}

/// Resolvers that read the merged JSON by response key, for every type of the API schema.
enum Shaping {
    static func executable(_ schema: Schema) -> ExecutableSchema<ShapeContext> {
        let registry = ResolverRegistry()
        for (name, t) in schema.types where t.kind == .object {
            registry.resolvers[name] = ObjectResolvers<ShapeContext, OrderedDictionary<String, JSON>>(name)
        }
        for (_, r) in registry.resolvers {
            r.fallback { obj, _, _, _, info in
                convert(obj[info.fieldNodes[0].responseKey], info.returnType, schema, registry)
            }
        }
        let exec = ExecutableSchema<ShapeContext>(schema: schema)
        for op in [OperationType.query, .mutation, .subscription] {
            guard let rootName = schema.rootTypeName(op) else { continue }
            let root = ObjectResolvers<ShapeContext, Void>(rootName).fallback { _, _, _, ctx, info in
                convert(ctx.root[info.fieldNodes[0].responseKey], info.returnType, schema, registry)
            }
            exec.root(op, (), root)
        }
        return exec
    }

    final class ResolverRegistry: @unchecked Sendable {
        var resolvers: [String: ObjectResolvers<ShapeContext, OrderedDictionary<String, JSON>>] = [:]
    }

    static func convert(_ value: JSON?, _ type: TypeReference, _ schema: Schema, _ registry: ResolverRegistry) -> Output<ShapeContext> {
        guard let value else { return .null }
        switch type {
        case .nonNull(let inner): return convert(value, inner, schema, registry)
        case .list(let inner):
            guard case .array(let items) = value else { return value.isNull ? .null : .list([convert(value, inner, schema, registry)]) }
            return .list(items.map { convert($0, inner, schema, registry) })
        case .named(let n):
            switch value {
            case .null: return .null
            case .object(let o):
                let runtime = o["__typename"]?.stringValue ?? n.value
                guard let r = registry.resolvers[runtime] ?? registry.resolvers[n.value] else {
                    return .error(GraphQLError("Unknown type \"\(runtime)\" in subgraph response."))
                }
                return .object(o, r)
            default:
                return .leaf(value)
            }
        }
    }
}
