import GraphQLCore
import OrderedCollections

/// One request to one subgraph while a plan is being built: a root fetch, or an entity fetch of
/// the objects found at `path` (one `_entities` request for every type it resolves there).
final class FetchGroup {
    let id: Int
    let graph: String
    let parent: FetchGroup?
    let path: [PathSegment]
    /// The operation's root type for a root fetch; nil for an entity fetch.
    let rootType: String?
    let output = SelectionTree()
    /// Type condition → how its representations are built.
    var entities = OrderedDictionary<String, EntityInput>()
    /// Groups (besides the parent) whose answers this one's representations need.
    var dependsOn = Set<Int>()
    /// For each client selection that made this group, the variable `@skip`/`@include` it sits
    /// under (a group all of whose origins share one runs under that condition).
    var origins: [[Directive]] = []
    /// The variable conditions under which the parent's objects got this group's key inputs:
    /// a field planned into it later must be asked only where one of them holds.
    var keyOrigins: [[Directive]] = []
    var children: [FetchGroup] = []
    /// Context values (`@fromContext`) the executor puts in this fetch's variables.
    var contextInputs: [ContextInput] = []

    init(id: Int, graph: String, parent: FetchGroup?, path: [PathSegment], rootType: String?) {
        self.id = id
        self.graph = graph
        self.parent = parent
        self.path = path
        self.rootType = rootType
    }
}

/// How the representations of one type of an entity fetch are written from the response tree.
struct EntityInput {
    /// Read from the tree by response key, written under the field's name.
    var selection = SelectionTree()
    /// Response keys of key fields: an object without them (or with null) is not sent.
    var keyFields: [String] = []
    /// The target sees the type as an `@interfaceObject`: `__typename` is the interface's name.
    var asInterfaceObject = false
    /// Fields whose `@requires` inputs this representation carries.
    var satisfiedRequires = Set<String>()
    /// `@requires` inputs (by path: `maker`, `maker.rank`) some field needs whatever the variables say.
    var inputsAlwaysNeeded = Set<String>()
    /// The others: for each, the variable `@skip`/`@include` of each field that needs it (all of
    /// one set must hold for that field to be asked).
    var inputsNeededUnder: [String: [[Directive]]] = [:]

    /// The field names of the key fields (one key asked under its name and under an alias of
    /// the planner's is one key: the representation writes it once, from either).
    var keyNames: Set<String> {
        var names = Set<String>()
        for e in selection.entries {
            if case .field(let f) = e.kind, keyFields.contains(f.responseKey) { names.insert(f.name.value) }
        }
        return names
    }

    /// `@requires` inputs needed only while some conditions hold: without them (their fields
    /// skipped, so the fetches or fragments that give them did not run) an object is still sent.
    var conditionalInputs: [String: [[Directive]]] { inputsNeededUnder.filter { !inputsAlwaysNeeded.contains($0.key) } }
}

/// A planning error: the stage that failed, a stable code (`QUERY_PLANNING_FAILED`,
/// `QUERY_PLAN_TOO_LARGE`) and a readable message.
public struct PlanningError: Error, Sendable, CustomStringConvertible {
    public enum Stage: String, Sendable { case operation, fetchGraph = "fetch graph", assembly }
    public let stage: Stage
    public let code: FederationError.Code
    public let message: String
    public init(_ stage: Stage, _ code: FederationError.Code, _ message: String) {
        self.stage = stage
        self.code = code
        self.message = message
    }
    public var description: String { "[\(code.rawValue)] \(message) (planning: \(stage.rawValue))" }
}

/// Stage 2 of planning: walks the operation over the query graph and builds the fetch graph —
/// for each selection, the subgraph that answers it (staying in the current one when it can),
/// the key edge to jump through when it cannot, and the `@requires` inputs each entity fetch
/// needs first.
final class FetchGraphBuilder {
    let graph: QueryGraph
    let supergraph: Supergraph
    let schema: Schema
    let maxSelections: Int
    let maxFetches: Int
    private(set) var groups: [FetchGroup] = []
    private var work = 0
    /// (type, field, graph) jumps in progress: a key or requirement that needs itself fails instead of looping.
    private var inProgress = Set<String>()
    /// The fields being fetched (by `jump`, for their keys or @requires inputs, innermost last) for
    /// an object of a type at a place, from a subgraph: "Type.graph@path" → field names.
    private var fetching: [String: [String]] = [:]
    /// The client's fields by response path (type conditions aside): response key → field identity.
    /// A key or `@requires` input the planner adds never takes a response key the client uses for
    /// something else at that place.
    private(set) var clientFields: [String: [String: String]] = [:]
    /// Every response key the client uses anywhere (internal aliases avoid them all).
    private(set) var clientResponseKeys = Set<String>()
    /// Deferred fields of an entity are asked by entity fetches of their own even where the
    /// parent's subgraph answers them (not in a subscription).
    var defersApart = true
    /// While root fields are planned: the root object as the ancestor of a context the root
    /// type sets (`type Query @context(name:)`), planned into a root fetch of the subgraph that
    /// sets it.
    var rootContextAncestor: ((String) throws -> Ancestor?)?
    /// The client operation's variable definitions, by name: a variable the planner adds (a
    /// `@fromContext` input's, a `@requires` binding's) never takes one of their names.
    var clientVariableDefinitions: [String: VariableDefinition] = [:]
    /// Variables the planner adds for `@requires` bindings (`weight(unit: $unit)` of a field
    /// the client asks as `cost(unit: $u)`), by name: the client's variable they take the value
    /// of when the request gives one, and the default they have when it does not — the
    /// requiring argument's, as the requiring field's own resolver gets it (§6.4.1: an omitted
    /// variable leaves the argument to its default), or null.
    private(set) var defaultedVariables: [String: DefaultedVariable] = [:]
    struct DefaultedVariable {
        let client: String
        let type: TypeReference
        let defaultValue: Value
    }
    private var costs: [CostKey: Int] = [:]
    /// An estimate under way reached its depth bound (and counted what lies past it as
    /// reachable): it is not kept — kept, the same selections asked from nearer the top, where the
    /// bound lies deeper, would get the cut-short answer (a value type split 12 levels down was
    /// planned as if all of it were here, and the plan failed).
    private var cutShort = false

    struct Context {
        /// `@provides` of the field above: external fields this subgraph can answer here.
        var provided: SelectionSet?
        /// At the top of an entity fetch: fields whose `@requires` inputs the representation carries.
        var satisfiedRequires = Set<String>()
        /// Variable `@skip`/`@include` of the client selections above.
        var conditions: [Directive] = []
        /// The nearest object above setting each `@context`.
        var ancestors: [String: Ancestor] = [:]

        /// The context below a field carrying `directives`.
        func under(_ directives: [Directive], provided: SelectionSet?) -> Context {
            Context(provided: provided, conditions: conditions + fragmentConditions(directives), ancestors: ancestors)
        }
    }

    /// Objects that set a context: where they are fetched and planned.
    struct Ancestor {
        let group: FetchGroup
        let node: SelectionTree
        let path: [PathSegment]
        let type: String
    }

    init(graph: QueryGraph, maxSelections: Int, maxFetches: Int) {
        self.graph = graph
        self.supergraph = graph.supergraph
        self.schema = graph.supergraph.schema
        self.maxSelections = maxSelections
        self.maxFetches = maxFetches
    }

    /// Records the client's fields at every response path of `selections` (on `type` at `path`).
    func registerClientFields(_ selections: [Selection], type: String, path: [PathSegment]) {
        let key = Self.pathKey(path)
        for sel in selections {
            switch sel {
            case .field(let f):
                // With its directives, as a selection tree tells fields apart: a key or `@requires`
                // input of the same name beside a client field under `@skip`/`@include` is asked
                // under an alias of its own from the start — every part of it (an input divided
                // among subgraphs) under the same one. Two client fields of one response key that
                // differ so are marked as differing from any.
                var bare = f
                bare.selectionSet = nil
                let identity = SelectionTree.identity(of: bare)
                if let known = clientFields[key]?[f.responseKey], known != identity {
                    clientFields[key]![f.responseKey] = "\u{0}several"
                } else {
                    clientFields[key, default: [:]][f.responseKey] = identity
                }
                clientResponseKeys.insert(f.responseKey)
                if let sub = f.selectionSet, let def = schema.types[type].flatMap({ schema.field($0, f.name.value) }) {
                    registerClientFields(sub.selections, type: def.type.namedType.value,
                                         path: path + [.field(f.responseKey)] + Array(repeating: PathSegment.list, count: def.type.listDepth))
                }
            case .inlineFragment(let i):
                registerClientFields(i.selectionSet.selections, type: i.typeCondition?.value ?? type, path: path)
            case .fragmentSpread:
                continue
            }
        }
    }

    /// A path's key in the client's response keys: planning paths name a field by the key it has
    /// in the subgraph's answer (`__typename__sy` for the client's `__typename: stores`).
    static func pathKey(_ path: [PathSegment]) -> String {
        var out = ""
        for seg in path {
            switch seg {
            case .field(let k): out += "." + SelectionTree.clientKey(k)
            case .list: out += ".@"
            case .typeCondition: continue
            }
        }
        return out
    }

    /// A key or `@requires` input as the planner asks for it at `path`: under an alias of its own
    /// when it has arguments or when the client uses its response key there for another field.
    func internalField(_ f: Field, at path: [PathSegment]) -> Field {
        guard f.alias == nil else { return f }
        var bare = f
        bare.selectionSet = nil
        bare.directives = []
        let identity = SelectionTree.identity(of: bare)
        let client = clientFields[Self.pathKey(path)]?[f.name.value]
        guard !f.arguments.isEmpty || (client != nil && client != identity) else { return f }
        var aliased = f
        var alias = "_\(f.name.value)_\(SelectionTree.stableHash(identity))"
        while clientResponseKeys.contains(alias) { alias += "_" }
        aliased.alias = Name(alias)
        return aliased
    }

    /// `f` (already as `internalField` makes it) with every field under it as `internalField`
    /// makes it at its own path.
    func internalSelections(_ f: Field, on type: String, at path: [PathSegment]) -> Field {
        guard let sub = f.selectionSet, let def = schema.types[type].flatMap({ schema.field($0, f.name.value) }) else { return f }
        let inner = path + [.field(f.responseKey)] + Array(repeating: PathSegment.list, count: def.type.listDepth)
        func map(_ selections: [Selection], on type: String) -> [Selection] {
            selections.map { sel in
                switch sel {
                case .field(let child):
                    return .field(internalSelections(internalField(child, at: inner), on: type, at: inner))
                case .inlineFragment(var i):
                    i.selectionSet = SelectionSet(selections: map(i.selectionSet.selections, on: i.typeCondition?.value ?? type))
                    return .inlineFragment(i)
                case .fragmentSpread:
                    return sel
                }
            }
        }
        var out = f
        out.selectionSet = SelectionSet(selections: map(sub.selections, on: def.type.namedType.value))
        return out
    }

    func newGroup(graph g: String, parent: FetchGroup?, path: [PathSegment], rootType: String?) throws -> FetchGroup {
        if groups.count >= maxFetches {
            throw PlanningError(.fetchGraph, .planTooLarge, "The operation needs more than \(maxFetches) subgraph fetches.")
        }
        let group = FetchGroup(id: groups.count, graph: g, parent: parent, path: path, rootType: rootType)
        groups.append(group)
        parent?.children.append(group)
        return group
    }

    /// When to give up (nil: never), and why it did.
    var stop: PlanningStop?
    private(set) var stopped: PlanningError?
    private var ticks = 0

    /// One step of the search (an estimate, a candidate weighed): true once planning must stop —
    /// the estimates then answer at once, and the next `budget()` throws.
    @inline(__always) func tick() -> Bool {
        if stopped != nil { return true }
        ticks &+= 1
        if ticks & 255 == 0, let stop { stopped = stop.reason() }
        return stopped != nil
    }

    func budget() throws {
        if let stopped { throw stopped }
        _ = tick()
        work += 1
        if work > maxSelections {
            throw PlanningError(.fetchGraph, .planTooLarge, "The operation is too large to plan (over \(maxSelections) selections after fragment expansion).")
        }
    }

    func graphName(_ id: String) -> String { supergraph.graph(id: id)?.name ?? id }

    func isInterfaceObject(_ type: String, _ g: String) -> Bool { graph.node(type, g)?.isInterfaceObject == true }

    /// Object types `g` can return for the abstract `type`.
    func possibleTypes(_ type: String, in g: String) -> [String] {
        guard let t = schema.types[type] else { return [] }
        if t.kind == .object { return [type] }
        return graph.node(type, g)?.possibleTypes ?? []
    }

    // MARK: selections

    /// Plans `selections` on `type` to be answered by `group` into `node` (objects at `path`);
    /// `touched` collects every group a field landed in.
    func plan(_ selections: [Selection], type: String, group: FetchGroup, node: SelectionTree, path: [PathSegment],
              context: Context, touched: inout Set<Int>) throws {
        guard let named = schema.types[type] else { return }
        // An object of a type that sets a context is the nearest one for what is below it —
        // reached by a field of its type, or by a fragment on it (`one { ... on Shop { item } }`,
        // `units { ... on Team { member } }` inside an Org that sets it too). The same object seen
        // earlier (by its field's type, or in the fetch that found it) stays the source.
        var context = context
        for name in supergraph.types[type]?.contexts ?? [] {
            if let known = context.ancestors[name], Self.pathKey(known.path) == Self.pathKey(path) { continue }
            context.ancestors[name] = Ancestor(group: group, node: node, path: path, type: type)
        }
        let g = group.graph
        let asObject = isInterfaceObject(type, g)
        let abstract = named.kind.isAbstract && !asObject
        if abstract { node.addTypename() }
        // Fields this subgraph resolves but whose selections would need another fetch go last: by
        // then an entity fetch of this object may exist that can take them whole.
        var deferred: [Selection] = []
        var ordered: [Selection] = []
        for sel in selections {
            if !abstract, case .field(let f) = sel, let sub = f.selectionSet, let edge = resolvable(type, f.name.value, in: g, context),
               localMisses(sub.selections, type: fieldTypeName(type, f.name.value, in: g), in: g, depth: 0,
                           provided: edge.provides ?? context.provided?.fieldNamed(f.name.value)?.selectionSet) > 0 {
                deferred.append(sel)
            } else {
                ordered.append(sel)
            }
        }
        // Fields only other subgraphs answer go in order of how few can: a field several could
        // answer then joins a fetch a sibling needs anyway (`{ t { f1 f3 } }` with f1 in S2 and
        // S3 and f3 only in S3: one fetch, to S3, whatever the order in the document).
        if !abstract {
            let counts = ordered.map { sel -> Int in
                guard case .field(let f) = sel, f.name.value != "__typename", resolvable(type, f.name.value, in: g, context) == nil else { return 0 }
                return graph.graphs(resolving: type, f.name.value).count
            }
            let jumps = counts.filter { $0 > 0 }
            if zip(jumps, jumps.dropFirst()).contains(where: { $0 > $1 }) {
                ordered = zip(ordered, counts).enumerated()
                    .sorted { a, b in a.element.1 == b.element.1 ? a.offset < b.offset : a.element.1 < b.element.1 }
                    .map(\.element.0)
            }
        }
        let firstDeferred = ordered.count
        for (index, sel) in (ordered + deferred).enumerated() {
            try budget()
            switch sel {
            case .field(let f):
                let name = f.name.value
                let selConditions = context.conditions + variableConditions(sel.directives)
                if index >= firstDeferred, let taker = group.children.first(where: { child in
                    child.path == path && child.entities[type] != nil
                        && Self.isDeferred(child) == selConditions.contains(where: isDeferMarker)
                        && (!Self.isDeferred(child) || Self.deferIDs(child) == [deferID(selConditions)])
                        && child.keyOrigins.contains(where: { Self.holds($0, whenever: selConditions) })
                        && resolvable(type, name, in: child.graph, Context()) != nil
                        && localMisses(f.selectionSet?.selections ?? [], type: fieldTypeName(type, name, in: child.graph), in: child.graph, depth: 0) == 0
                }) {
                    // That entity fetch answers the field and all below it: one request instead of two.
                    taker.origins.append(context.conditions + variableConditions(sel.directives))
                    var inner = Set<Int>()
                    try plan([sel], type: type, group: taker, node: Self.underConditions(taker.output.fragment(type), context), path: path,
                             context: Context(satisfiedRequires: taker.entities[type]?.satisfiedRequires ?? [], conditions: context.conditions),
                             touched: &inner)
                    touched.formUnion(inner)
                    continue
                }
                if name == "__typename" {
                    if asObject {
                        try jump(sel, on: type, from: group, node: node, path: path, context: context, touched: &touched, toInterfaceOwner: true)
                    } else {
                        node.add(f)
                        touched.insert(group.id)
                    }
                    continue
                }
                if abstract {
                    if answersOnInterface(type, name, g), !betterByObjects(sel, on: type, in: g) {
                        try addField(f, on: type, edge: graph.field(type, name, in: g), group: group, node: node, path: path, context: context, touched: &touched)
                    } else if named.kind == .interface, graph.field(type, name, in: g) == nil,
                              possibleTypes(type, in: g).isEmpty || graph.graphs(resolving: type, name).contains(where: { isInterfaceObject(type, $0) }) {
                        // A field of the interface itself that an @interfaceObject subgraph resolves (or, with
                        // no object of it known here, only such a subgraph can answer): asked once for every
                        // object through the interface's key, or the operation cannot be planned.
                        try jump(sel, on: type, from: group, node: node, path: path, context: context, touched: &touched, toInterfaceOwner: false)
                    } else {
                        for object in possibleTypes(type, in: g) {
                            try plan([sel], type: object, group: group, node: node.fragment(object), path: path.narrowed(to: [object]),
                                     context: context.under([], provided: providedSubset(context.provided, for: object)), touched: &touched)
                        }
                    }
                    continue
                }
                if defersApart, !path.isEmpty, selConditions.contains(where: isDeferMarker),
                   !Self.isDeferred(group) || Self.deferIDs(group) != [deferID(selConditions)],
                   graph.field(type, name, in: g) != nil, resolvable(type, name, in: g, context) != nil,
                   named.kind == .object || asObject, graph.node(type, g)?.keys.isEmpty == false {
                    // A deferred field this subgraph answers, of an entity it has a key of (an
                    // @interfaceObject's too): asked by an entity fetch of its own after the first
                    // payload's (fetched with its parent, its error or non-null failure would land
                    // in the first payload, and the first payload would wait for it). Not a field
                    // this subgraph has only where its parent provides it: an entity fetch of it
                    // would go to another subgraph (which the `@provides` was there to spare), so
                    // it is fetched with its parent and delivered with its fragment.
                    try jump(sel, on: type, from: group, node: node, path: path, context: context, touched: &touched, toInterfaceOwner: false, again: true)
                    continue
                }
                if let edge = resolvable(type, name, in: g, context),
                   let contextual = supergraph.fieldGraph(type, name, in: g)?.contextArguments, !contextual.isEmpty {
                    try planContextual(f, on: type, arguments: contextual, edge: edge, group: group, node: node, path: path,
                                       context: context, touched: &touched)
                    continue
                }
                if let edge = resolvable(type, name, in: g, context) {
                    if let sub = f.selectionSet, let split = splitSelections(f, sub.selections, on: type, edge: edge, in: g, context: context) {
                        // Part of the selection cannot be had from here (a value type other subgraphs
                        // extend): ask that part of the field where it can.
                        // (The parts are new fields: no span, so cost estimates are not shared with the whole.)
                        if !split.here.isEmpty {
                            var local = f
                            local.span = .none
                            local.selectionSet = SelectionSet(selections: split.here)
                            try addField(local, on: type, edge: edge, group: group, node: node, path: path, context: context, touched: &touched)
                        }
                        var rest = f
                        rest.span = .none
                        rest.selectionSet = SelectionSet(selections: split.elsewhere)
                        try jump(.field(rest), on: type, from: group, node: node, path: path, context: context, touched: &touched, toInterfaceOwner: false)
                        continue
                    }
                    try addField(f, on: type, edge: edge, group: group, node: node, path: path, context: context, touched: &touched)
                } else {
                    try jump(sel, on: type, from: group, node: node, path: path, context: context, touched: &touched, toInterfaceOwner: false)
                }
            case .inlineFragment(let i):
                let condition = i.typeCondition?.value ?? type
                let inner = i.selectionSet.selections
                if condition == type || (named.kind == .object && schema.types[condition]?.kind.isAbstract == true && schema.types[condition]?.possibleTypes.contains(type) == true) {
                    if i.directives.isEmpty {
                        try plan(inner, type: type, group: group, node: node, path: path, context: context, touched: &touched)
                    } else {
                        var below = context
                        below.conditions += fragmentConditions(i.directives)
                        try plan(inner, type: type, group: group, node: node.fragment(nil, i.directives), path: path, context: below, touched: &touched)
                    }
                    continue
                }
                if asObject {
                    // An implementation's fragment: only a subgraph with the interface itself knows the object's type.
                    try jump(sel, on: type, from: group, node: node, path: path, context: context, touched: &touched, toInterfaceOwner: true)
                    continue
                }
                guard abstract, let conditionType = schema.types[condition] else { continue }
                var known = possibleTypes(type, in: g)
                // Conditions around this one narrowed the objects here already (`... on Media {
                // ... on Result { ... on Creator } }`: no Creator is a Media): only those remain.
                var narrowedAway = false
                if case .typeCondition(let around)? = path.last {
                    narrowedAway = known.contains(condition) && !around.contains(condition)
                    known = known.filter(around.contains)
                }
                if conditionType.kind == .object {
                    if narrowedAway { continue }
                    guard known.contains(condition) else {
                        // This subgraph does not know the type (a Federation 1 node resolver, say), yet it
                        // may return such objects: fetch their fields by key from a subgraph that has them.
                        try planUnknownRuntimeType(condition, inner, directives: i.directives, under: type, group: group, node: node,
                                                   path: path, context: context, touched: &touched)
                        continue
                    }
                    try plan(inner, type: condition, group: group, node: node.fragment(condition, i.directives),
                             path: path.narrowed(to: [condition]), context: context.under(i.directives, provided: providedSubset(context.provided, for: condition)), touched: &touched)
                } else {
                    let objects = known.filter { conditionType.possibleTypes.contains($0) }
                    if objects.isEmpty { continue }
                    if let n = graph.node(condition, g), !n.isInterfaceObject, objects.allSatisfy(n.possibleTypes.contains) {
                        try plan(inner, type: condition, group: group, node: node.fragment(condition, i.directives),
                                 path: path.narrowed(to: objects), context: context.under(i.directives, provided: context.provided), touched: &touched)
                    } else {
                        for object in objects {
                            try plan(inner, type: object, group: group, node: node.fragment(object, i.directives),
                                     path: path.narrowed(to: [object]), context: context.under(i.directives, provided: providedSubset(context.provided, for: object)), touched: &touched)
                        }
                    }
                }
            case .fragmentSpread:
                continue // expanded by the operation stage
            }
        }
    }

    /// A fragment on `condition` applies to objects of the object type `type`.
    func applies(_ condition: String, to type: String) -> Bool {
        condition == type || schema.types[condition]?.possibleTypes.contains(type) == true
    }

    /// What a `@provides` selection provides for objects of `type`: its fields, and those of its
    /// fragments whose type condition applies to `type`.
    func providedSubset(_ provided: SelectionSet?, for type: String) -> SelectionSet? {
        graph.providedSubset(provided, for: type)
    }

    /// `type.name` is answered in `g` here: resolved there without conditions, provided by the
    /// field above, or its `@requires` inputs are in the representation.
    func resolvable(_ type: String, _ name: String, in g: String, _ context: Context) -> QueryGraph.FieldEdge? {
        if let edge = graph.field(type, name, in: g) {
            if edge.requires == nil || context.satisfiedRequires.contains(name) { return edge }
            return nil
        }
        if let provided = context.provided, provided.fieldNamed(name) != nil, supergraph.fieldGraph(type, name, in: g) != nil {
            return QueryGraph.FieldEdge()
        }
        return nil
    }

    /// The field can be asked on the abstract type itself in `g`: `g` resolves it on the
    /// interface and on every implementation it knows, without conditions.
    /// A field `g` answers on the interface whose selection would leave fields out of reach from
    /// there, which asking it on each implementation reaches (an implementation's key leads to a
    /// subgraph where the field's value type has them): asked per implementation.
    func betterByObjects(_ sel: Selection, on type: String, in g: String) -> Bool {
        guard case .field(let f) = sel, let sub = f.selectionSet else { return false }
        let onInterface = unreachable(sub.selections, type: fieldTypeName(type, f.name.value, in: g), in: g, depth: 0)
        guard onInterface > 0 else { return false }
        return possibleTypes(type, in: g).reduce(0) { $0 + unreachable([sel], type: $1, in: g, depth: 0) } < onInterface
    }

    /// `g` answers field `name` of `type` for every object there is: an object type's field, or
    /// an interface's that each of its objects in `g` answers alike (what may be divided among
    /// subgraphs as a value type's field).
    func answersWhole(_ type: String, _ name: String, _ g: String) -> Bool {
        guard let kind = schema.types[type]?.kind else { return false }
        return !kind.isAbstract || isInterfaceObject(type, g) || answersOnInterface(type, name, g)
    }

    func answersOnInterface(_ type: String, _ name: String, _ g: String) -> Bool {
        guard schema.types[type]?.kind == .interface, let edge = graph.field(type, name, in: g), edge.requires == nil else { return false }
        for object in possibleTypes(type, in: g) {
            guard let e = graph.field(object, name, in: g), e.requires == nil else { return false }
        }
        return true
    }

    func addField(_ f: Field, on type: String, edge: QueryGraph.FieldEdge?, group: FetchGroup, node: SelectionTree, path: [PathSegment],
                  context: Context, touched: inout Set<Int>, isInternal: Bool = false) throws {
        guard let def = schema.types[type].flatMap({ schema.field($0, f.name.value) }) else { return }
        let fieldType = supergraph.fieldGraph(type, f.name.value, in: group.graph)?.type ?? def.type
        let (children, responseKey) = node.add(f, isInternal: isInternal, type: fieldType)
        touched.insert(group.id)
        guard let sub = f.selectionSet, let children else { return }
        // An object type here where the supergraph's is abstract (`book: Book` in this subgraph,
        // `book: Media` in the supergraph): the answer still says which object it is.
        if fieldType.namedType.value != def.type.namedType.value, schema.types[def.type.namedType.value]?.kind.isAbstract == true {
            children.addTypename()
        }
        let innerPath = path + [.field(responseKey)] + Array(repeating: PathSegment.list, count: fieldType.listDepth)
        let provided = edge?.provides ?? context.provided?.fieldNamed(f.name.value)?.selectionSet
        try plan(sub.selections, type: fieldType.namedType.value, group: group, node: children, path: innerPath,
                 context: context.under(f.directives, provided: provided), touched: &touched)
    }

    // MARK: key edges

    /// Fetches `selection` (a field `g` cannot answer, or what only the interface's own subgraph
    /// knows) from another subgraph through a key, in an entity fetch after `group`.
    /// - Parameter again: the field may be asked of this group's own subgraph again, through an
    ///   entity fetch of its own (a deferred field the first payload must not wait for).
    func jump(_ selection: Selection, on type: String, from group: FetchGroup, node: SelectionTree, path: [PathSegment],
              context: Context, touched: inout Set<Int>, toInterfaceOwner: Bool, again: Bool = false) throws {
        let g = group.graph
        if type == schema.queryType, !path.isEmpty, case .field(let f) = selection {
            // A field of type Query inside the answer (`next: Query`, a mutation payload's
            // `query`): another subgraph's root fields are asked by a root query of their own,
            // its answer merged into each object there (no key needed: every subgraph has Query).
            guard let target = graph.graphs(resolving: type, f.name.value).first(where: { $0 != g }) else {
                throw PlanningError(.fetchGraph, .planningFailed, "No subgraph resolves Query.\(f.name.value).")
            }
            let child = try group.children.first { $0.graph == target && $0.path == path && $0.rootType != nil }
                ?? newGroup(graph: target, parent: group, path: path, rootType: type)
            child.origins.append(context.conditions + variableConditions(selection.directives))
            var inner = Set<Int>()
            try plan([selection], type: type, group: child, node: Self.underConditions(child.output, context), path: path,
                     context: Context(conditions: context.conditions), touched: &inner)
            touched.formUnion(inner)
            touched.insert(group.id)
            return
        }
        var entityType = type
        var candidates: [String] = []
        var fieldName: String?
        if case .field(let f) = selection, f.name.value != "__typename", !toInterfaceOwner {
            let name = f.name.value
            fieldName = name
            candidates = graph.graphs(resolving: type, name).filter { h in h != g || again || graph.field(type, name, in: h)?.requires != nil }
            // Asked again of the same subgraph: that one only (any other would do as well, but
            // this one answers the deferred fragment's fields of it together).
            if again, candidates.contains(g) { candidates = [g] }
            // Asked for the interface of an @interfaceObject subgraph instead: when only such a
            // subgraph resolves it, or when the subgraphs with the object's field answer only part of
            // this selection and one of them answers it whole (`meta { b }` with `Meta.b` only
            // there, beside a third subgraph's `Book.meta { c }`).
            let wholeOnly = !candidates.isEmpty
            if schema.types[type]?.kind == .object, !wholeOnly || candidates.allSatisfy({ localMisses([selection], type: type, in: $0, depth: 0) > 0 }) {
                for iface in schema.types[type]?.interfaces ?? [] {
                    let hs = graph.graphs(resolving: iface, name).filter { isInterfaceObject(iface, $0) && $0 != g }
                    if wholeOnly ? hs.contains(where: { localMisses([selection], type: iface, in: $0, depth: 0) == 0 }) : !hs.isEmpty {
                        entityType = iface
                        candidates = hs
                        break
                    }
                }
            }
        } else {
            candidates = graph.graphs(of: type).filter { h in
                h != g && !(graph.node(type, h)?.isInterfaceObject ?? true) && !(graph.node(type, h)?.keys.isEmpty ?? true)
            }
        }
        // A field no one target can answer whole (a value type several subgraphs add fields to):
        // each part of its selection through the target that can.
        if case .field(let f) = selection, let sub = f.selectionSet, candidates.count > 1, fieldName != nil,
           let parts = splitAcrossTargets(f, sub.selections, candidates, entityType: entityType), parts.count > 1 {
            for part in parts {
                var partial = f
                partial.span = .none
                partial.selectionSet = SelectionSet(selections: part)
                try jump(.field(partial), on: type, from: group, node: node, path: path, context: context, touched: &touched, toInterfaceOwner: false)
            }
            return
        }
        // A jump that needs itself (its key or @requires inputs lead back to it, at this object)
        // is a cycle; the same jump at another object further down (a path that goes back and
        // forth between two subgraphs, say through an @interfaceObject) is not.
        let jumpID = "\(entityType).\(fieldName ?? "…").\(g)@" + path.map(\.description).joined(separator: ".")
        guard !inProgress.contains(jumpID) else {
            throw PlanningError(.fetchGraph, .planningFailed, "Cannot plan \(type).\(fieldName ?? "__typename") from \(graphName(g)): its key or @requires inputs need the field itself.")
        }
        inProgress.insert(jumpID)
        let place = "\(entityType).\(g)@" + Self.pathKey(path)
        if let fieldName { fetching[place, default: []].append(fieldName) }
        defer {
            inProgress.remove(jumpID)
            if fieldName != nil { fetching[place]?.removeLast() }
        }

        guard let (target, key) = chooseTarget(candidates, entityType: entityType, objectType: type, from: group, path: path, selection: selection, context: context) else {
            if let stopped { throw stopped }
            throw PlanningError(.fetchGraph, .planningFailed, "Cannot plan \(type).\(fieldName ?? "__typename") from subgraph \"\(graphName(g))\": no subgraph can resolve it through a key whose fields \"\(graphName(g))\" can provide.")
        }
        if let fieldName, case .field(let f) = selection,
           let contextual = supergraph.fieldGraph(entityType, fieldName, in: target)?.contextArguments, !contextual.isEmpty {
            // The entity fetch that answers it carries the context values itself.
            try planContextual(f, on: entityType, arguments: contextual, edge: graph.field(entityType, fieldName, in: target), group: group,
                               node: node, path: path, context: context, touched: &touched, target: target, key: key)
            return
        }
        let targetIsInterfaceObject = isInterfaceObject(entityType, target)
        // The key (and @requires inputs) into this fetch, from wherever they come.
        var inputs = Set<Int>()
        if !isInterfaceObject(type, g) { node.addTypename() }
        var input = EntityInput()
        input.asInterfaceObject = targetIsInterfaceObject
        input.selection.addTypename()
        // Fetches made only for these inputs run under the field's own conditions.
        let conditions = context.conditions + variableConditions(selection.directives)
        try planInputs(key, on: type, group: group, node: node, path: path, into: input.selection, keyFields: &input.keyFields, touched: &inputs,
                       provided: context.provided, conditions: conditions)
        var requires: SelectionSet?
        if let fieldName, case .field(let requiring) = selection, let declared = graph.field(entityType, fieldName, in: target)?.requires {
            let r = bound(declared, for: requiring, on: entityType)
            requires = r
            var ignored: [String] = []
            try planInputs(r, on: type, group: group, node: node, path: path, into: input.selection, keyFields: &ignored, touched: &inputs,
                           provided: context.provided, conditions: conditions)
        }
        inputs.remove(group.id)
        touched.formUnion(inputs)

        let groupPath = path.entityPath(for: entityType)
        // A representation carries one key (probe 56F: two keys' fields in one, which a subgraph
        // matching representations to a key refuses, and which waited for both keys' inputs): a
        // fetch of the same key, or one of its own.
        var child = try entityGroup(target: target, from: group, path: groupPath, inputs: inputs,
                                    deferred: conditions.contains(where: isDeferMarker), deferID: deferID(conditions),
                                    entityType: entityType, keyNames: input.keyNames)
        if let existing = child.entities[entityType], existing.selection.conflicts(with: input.selection) {
            // One representation cannot carry one field with two sets of arguments: a fetch of its own.
            child = try newGroup(graph: target, parent: group, path: groupPath, rootType: nil)
        }
        child.dependsOn.formUnion(inputs)
        var merged = child.entities[entityType] ?? EntityInput(asInterfaceObject: targetIsInterfaceObject)
        merged.selection.merge(input.selection)
        for k in input.keyFields where !merged.keyFields.contains(k) { merged.keyFields.append(k) }
        if let requires, let fieldName {
            merged.satisfiedRequires.insert(fieldName)
            // Each input by its path (`maker`, `maker.rank`): a nested one may be needed only under
            // conditions its parent is not (`tax @skip(if: $b)` needs `maker { rank }`, `shipping`
            // needs `maker { country }`).
            func paths(_ selections: [Selection], _ prefix: String) -> [String] {
                selections.flatMap { sel -> [String] in
                    switch sel {
                    case .field(let f):
                        let p = prefix + f.name.value
                        return [p] + (f.selectionSet.map { paths($0.selections, p + ".") } ?? [])
                    case .inlineFragment(let i): return paths(i.selectionSet.selections, prefix)
                    case .fragmentSpread: return []
                    }
                }
            }
            let variable = conditions.filter { !isDeferMarker($0) }
            for n in paths(requires.selections, "") {
                if variable.isEmpty { merged.inputsAlwaysNeeded.insert(n) } else { merged.inputsNeededUnder[n, default: []].append(variable) }
            }
        }
        child.entities[entityType] = merged
        child.origins.append(conditions)
        // The conditions its key inputs were fetched under: the field's own too (probe 56E: an
        // unconditional field fetched by key `id` shared the fetch — and the representation — of
        // one under `@include(if: $v)` by key `c6`, whose `c6` was fetched only under `$v`; with
        // `$v` false every entity was left out and the field answered null).
        child.keyOrigins.append(conditions)
        var inner = Set<Int>()
        var below = Context(satisfiedRequires: merged.satisfiedRequires, conditions: context.conditions, ancestors: context.ancestors)
        for name in supergraph.types[entityType]?.contexts ?? [] {
            // The same object seen earlier (in the fetch that found it) stays the context's source.
            if let known = below.ancestors[name], Self.pathKey(known.path) == Self.pathKey(path) { continue }
            below.ancestors[name] = Ancestor(group: child, node: child.output.fragment(entityType), path: path, type: entityType)
        }
        try plan([selection], type: entityType, group: child, node: Self.underConditions(child.output.fragment(entityType), context), path: path,
                 context: below, touched: &inner)
        touched.formUnion(inner)
    }

    /// Where a selection planned into another group's fetch goes there: under the variable
    /// `@skip`/`@include` of the client's selections above it, which the fetch's other
    /// selections (of the same objects, reached by another path or for a `@requires`) may not
    /// share — or the subgraph would answer it whatever they say, its errors and nulls with it.
    static func underConditions(_ node: SelectionTree, _ context: Context) -> SelectionTree {
        // One fragment per condition (`@skip` and `@include` are not repeatable), each once.
        var seen = Set<String>()
        var at = node
        for d in context.conditions where !isDeferMarker(d) && seen.insert(Compact.directives([d])).inserted {
            at = at.fragment(nil, [d])
        }
        return at
    }

    /// A field with `@fromContext` arguments: its values are picked by the executor from the
    /// nearest ancestor setting each context (planned into the ancestor's fetch), so the field is
    /// asked in an entity fetch of its own after them, with those values as variables.
    func planContextual(_ f: Field, on type: String, arguments: [Supergraph.ContextArgument], edge: QueryGraph.FieldEdge?,
                        group: FetchGroup, node: SelectionTree, path: [PathSegment], context: Context, touched: inout Set<Int>,
                        target: String? = nil, key chosenKey: SelectionSet? = nil) throws {
        let g = target ?? group.graph
        let name = f.name.value
        guard let key = chosenKey ?? graph.node(type, g)?.keys.first else {
            throw PlanningError(.fetchGraph, .planningFailed, "\(type).\(name) takes arguments from a context, but \(type) has no key in \(graphName(g)) to fetch it by.")
        }
        var inputs = Set<Int>()
        node.addTypename()
        var input = EntityInput()
        input.selection.addTypename()
        let conditions = context.conditions + variableConditions(f.directives)
        try planInputs(key, on: type, group: group, node: node, path: path, into: input.selection, keyFields: &input.keyFields, touched: &inputs,
                       conditions: conditions)
        var contextInputs: [ContextInput] = []
        var withValues = f
        for (i, argument) in arguments.enumerated() {
            guard let ancestor = try context.ancestors[argument.context] ?? rootContextAncestor?(argument.context) else {
                // Reached where no object above sets the context (composition lets a type that
                // some paths give the context be reached by others too): a nullable argument is
                // left out, as a client leaving it out would (null, or its default).
                if !argument.type.hasSuffix("!") { continue }
                throw PlanningError(.fetchGraph, .planningFailed, "\(type).\(name) takes \"\(argument.name)\" from context \"\(argument.context)\", but no object above it in this operation sets that context.")
            }
            let picked = SelectionTree()
            var ignored: [String] = []
            try planInputs(argument.selection, on: ancestor.type, group: ancestor.group, node: ancestor.node, path: ancestor.path,
                           into: picked, keyFields: &ignored, touched: &inputs)
            var variable = "__context_\(groups.count)_\(i)"
            while clientVariableDefinitions[variable] != nil { variable += "_" }
            contextInputs.append(ContextInput(variable: variable, type: argument.type, ancestorPath: ancestor.path,
                                              selection: SelectionSet(selections: picked.selections)))
            withValues.arguments.append(Argument(name: Name(argument.name), value: .variable(variable)))
        }
        inputs.remove(group.id)
        let child = try newGroup(graph: g, parent: group, path: path.entityPath(for: type), rootType: nil)
        child.dependsOn.formUnion(inputs)
        child.entities[type] = input
        child.contextInputs = contextInputs
        child.origins.append(conditions)
        child.keyOrigins.append(conditions)   // (as `jump`'s: its key inputs were planned under these)
        var inner = Set<Int>()
        try addField(withValues, on: type, edge: edge, group: child, node: child.output.fragment(type), path: path,
                     context: Context(conditions: context.conditions, ancestors: context.ancestors), touched: &inner)
        touched.formUnion(inner)
        touched.formUnion(inputs)
    }

    /// `... on object` under `abstract` in a subgraph that does not know `object` at all: when
    /// a key of `object` consists of the interface's own fields, objects reporting that type are
    /// fetched by key from a subgraph that has it.
    func planUnknownRuntimeType(_ object: String, _ selections: [Selection], directives: [Directive], under abstract: String,
                                group: FetchGroup, node: SelectionTree, path: [PathSegment], context: Context, touched: inout Set<Int>) throws {
        let g = group.graph
        guard graph.node(object, g) == nil, schema.types[abstract]?.kind == .interface,
              schema.types[abstract]?.possibleTypes.contains(object) == true else { return }
        for h in graph.graphs(of: object) where h != g {
            guard let key = graph.node(object, h)?.keys.first(where: { k in
                k.selections.allSatisfy { sel in
                    guard case .field(let kf) = sel, kf.selectionSet == nil else { return false }
                    return graph.field(abstract, kf.name.value, in: g) != nil
                }
            }) else { continue }
            var input = EntityInput()
            input.selection.addTypename()
            var inputs = Set<Int>()
            try planInputs(key, on: abstract, group: group, node: node, path: path, into: input.selection, keyFields: &input.keyFields, touched: &inputs)
            inputs.remove(group.id)
            let typedPath = path.narrowed(to: [object])
            let child = try entityGroup(target: h, from: group, path: typedPath.entityPath(for: object), inputs: inputs)
            child.dependsOn.formUnion(inputs)
            var merged = child.entities[object] ?? EntityInput()
            merged.selection.merge(input.selection)
            for k in input.keyFields where !merged.keyFields.contains(k) { merged.keyFields.append(k) }
            child.entities[object] = merged
            let conditions = context.conditions + fragmentConditions(directives)
            child.origins.append(conditions)
            child.keyOrigins.append(context.conditions)
            var inner = Set<Int>()
            try plan(selections, type: object, group: child, node: child.output.fragment(object, directives), path: typedPath,
                     context: Context(conditions: conditions), touched: &inner)
            touched.formUnion(inner)
            return
        }
    }

    /// The selections of `f` grouped by the first candidate that can have each of them; nil when
    /// one candidate can have them all.
    func splitAcrossTargets(_ f: Field, _ selections: [Selection], _ candidates: [String], entityType: String) -> [[Selection]]? {
        let type = { (h: String) in self.fieldTypeName(entityType, f.name.value, in: h) }
        if candidates.contains(where: { unreachable(selections, type: type($0), in: $0, depth: 0) == 0 }) { return nil }
        let parts = partition(selections, among: candidates, on: type)
        return parts.count > 1 ? Array(parts.values) : nil
    }

    /// Selections grouped by the first of `homes` that can have each whole, the first home for one
    /// none can; an inline fragment none can have whole (`... { price name }`, `... @defer { … }`)
    /// is split the same way, a copy of it (its condition and directives) around each part; and so
    /// is a field of a value type several homes resolve (`deep { y z }`, `Deep.y` in one and `Deep.z`
    /// in another), at any depth: a copy of the field around each part, merged again in the answer.
    /// - Parameter type: the selections' parent type in each home (a field's type may differ by subgraph).
    func partition(_ selections: [Selection], among homes: [String], on type: (String) -> String) -> OrderedDictionary<String, [Selection]> {
        var parts = OrderedDictionary<String, [Selection]>()
        for sel in selections {
            if let home = homes.first(where: { unreachable([sel], type: type($0), in: $0, depth: 0) == 0 }) {
                parts[home, default: []].append(sel)
                continue
            }
            if case .field(let inner) = sel, let sub = inner.selectionSet {
                let name = inner.name.value
                let holders = homes.filter { h in answersWhole(type(h), name, h) && graph.field(type(h), name, in: h) != nil }
                if holders.count > 1 {
                    let innerParts = partition(sub.selections, among: holders) { h in self.fieldTypeName(type(h), name, in: h) }
                    if innerParts.count > 1 {
                        for (home, part) in innerParts { parts[home, default: []].append(sel.around(part)) }
                        continue
                    }
                }
            }
            if case .inlineFragment(let i) = sel {
                let inner = partition(i.selectionSet.selections, among: homes) { h in i.typeCondition?.value ?? type(h) }
                if inner.count > 1 {
                    for (home, part) in inner { parts[home, default: []].append(sel.around(part)) }
                    continue
                }
            }
            parts[homes[0], default: []].append(sel)
        }
        return parts
    }

    /// Plans key or requirement fields into `group` at `node` and mirrors them in the
    /// representation selection (read by the response key they got).
    /// - Parameter conditions: the variable `@skip`/`@include` of the field the inputs are for: a
    ///   fetch made only for them runs under them too.
    func planInputs(_ set: SelectionSet, on type: String, group: FetchGroup, node: SelectionTree, path: [PathSegment],
                    into rep: SelectionTree, keyFields: inout [String], touched: inout Set<Int>, provided: SelectionSet? = nil,
                    conditions: [Directive] = []) throws {
        try planInputs(set.selections, on: type, group: group, node: node, path: path, into: rep, top: true, keyFields: &keyFields,
                       touched: &touched, provided: provided, conditions: conditions)
    }

    private func planInputs(_ selections: [Selection], on type: String, group: FetchGroup, node: SelectionTree, path: [PathSegment],
                            into rep: SelectionTree, top: Bool, keyFields: inout [String], touched: inout Set<Int>,
                            provided: SelectionSet? = nil, conditions: [Directive] = []) throws {
        let g = group.graph
        guard let named = schema.types[type] else { return }
        let abstract = named.kind.isAbstract && !isInterfaceObject(type, g)
        if abstract { node.addTypename(); rep.addTypename() }
        for sel in selections {
            switch sel {
            case .field(let clientForm):
                let name = clientForm.name.value
                if name == "__typename" { node.addTypename(); rep.addTypename(); continue }
                let f = internalField(clientForm, at: path)
                var bare = f
                bare.selectionSet = nil
                let edge = resolvable(type, name, in: g, Context(provided: provided))
                if let edge, !abstract, let sub = clientForm.selectionSet, !movesWhole(f, on: type, edge: edge, from: g, provided: provided),
                   let split = splitSelections(clientForm, sub.selections, on: type, edge: edge, in: g, context: Context(provided: provided)),
                   !split.here.isEmpty, !split.elsewhere.isEmpty {
                    // A value type input only partly here (`spec { unit { symbol name } }` with
                    // `Unit.name` only in another subgraph with the entity): what is here from
                    // here, the rest through the entity's key, merged in the representation.
                    try planInputs([.field(clientForm.around(split.here))], on: type, group: group, node: node, path: path, into: rep, top: top,
                                   keyFields: &keyFields, touched: &touched, provided: provided, conditions: conditions)
                    let input = internalSelections(f.around(split.elsewhere), on: type, at: path)
                    try jump(.field(input), on: type, from: group, node: node, path: path, context: Context(provided: provided, conditions: conditions),
                             touched: &touched, toInterfaceOwner: false)
                    rep.addDeep([.field(input)])
                    continue
                }
                if let edge, !abstract || answersOnInterface(type, name, g), !movesWhole(f, on: type, edge: edge, from: g, provided: provided) {
                    // Its type in this subgraph: inputs of one response key under fragments on
                    // different types (`f: Int!` and `f: Int`) are told apart like client fields.
                    let inputType = supergraph.fieldGraph(type, name, in: g)?.type ?? schema.types[type].flatMap { schema.field($0, name) }?.type
                    let (children, responseKey) = node.add(f, isInternal: true, type: inputType)
                    touched.insert(group.id)
                    var repField = bare
                    repField.alias = responseKey == name ? nil : Name(responseKey)
                    let (repChildren, _) = rep.add(f.selectionSet == nil ? repField : Field(alias: repField.alias, name: repField.name, arguments: repField.arguments, selectionSet: SelectionSet(selections: [])), isInternal: false)
                    if top { keyFields.append(responseKey) }
                    if let sub = f.selectionSet, let children, let repChildren,
                       let def = schema.types[type].flatMap({ schema.field($0, name) }) {
                        let fieldType = supergraph.fieldGraph(type, name, in: g)?.type ?? def.type
                        let innerPath = path + [.field(responseKey)] + Array(repeating: PathSegment.list, count: fieldType.listDepth)
                        var ignored: [String] = []
                        try planInputs(sub.selections, on: fieldType.namedType.value, group: group, node: children, path: innerPath,
                                       into: repChildren, top: false, keyFields: &ignored, touched: &touched,
                                       provided: edge.provides ?? provided?.fieldNamed(name)?.selectionSet, conditions: conditions)
                    }
                } else if abstract, !(named.kind == .interface && graph.graphs(resolving: type, name).contains(where: { isInterfaceObject(type, $0) })) {
                    for object in possibleTypes(type, in: g) {
                        var ignored: [String] = []
                        try planInputs([sel], on: object, group: group, node: node.fragment(object), path: path.narrowed(to: [object]),
                                       into: rep.fragment(object), top: false, keyFields: &ignored, touched: &touched, conditions: conditions)
                    }
                } else {
                    // Not here: fetch it first from a subgraph that has it (under an alias of its own
                    // when it has arguments, so a client field with other arguments cannot collide;
                    // its nested fields too: `maker { rank(scope: "eu") }` beside the client's `rank`).
                    let input = internalSelections(f, on: type, at: path)
                    try jump(.field(input), on: type, from: group, node: node, path: path, context: Context(provided: provided, conditions: conditions), touched: &touched, toInterfaceOwner: false)
                    rep.addDeep([.field(input)])
                    if top { keyFields.append(input.responseKey) }
                }
            case .inlineFragment(let i):
                let condition = i.typeCondition?.value ?? type
                if condition == type {
                    try planInputs(i.selectionSet.selections, on: type, group: group, node: node, path: path, into: rep, top: top, keyFields: &keyFields, touched: &touched, conditions: conditions)
                    continue
                }
                guard let conditionType = schema.types[condition] else { continue }
                let known = abstract ? possibleTypes(type, in: g) : [type]
                let objects = conditionType.kind == .object ? known.filter { $0 == condition } : known.filter { conditionType.possibleTypes.contains($0) }
                if objects.isEmpty { continue }
                if named.kind == .object {
                    try planInputs(i.selectionSet.selections, on: type, group: group, node: node, path: path, into: rep.fragment(condition), top: false, keyFields: &keyFields, touched: &touched, conditions: conditions)
                } else if conditionType.kind == .object || (graph.node(condition, g).map { n in objects.allSatisfy(n.possibleTypes.contains) } ?? false) {
                    var ignored: [String] = []
                    try planInputs(i.selectionSet.selections, on: condition, group: group, node: node.fragment(condition),
                                   path: path.narrowed(to: objects), into: rep.fragment(condition), top: false, keyFields: &ignored, touched: &touched, conditions: conditions)
                } else {
                    for object in objects {
                        var ignored: [String] = []
                        try planInputs(i.selectionSet.selections, on: object, group: group, node: node.fragment(object),
                                       path: path.narrowed(to: [object]), into: rep.fragment(condition), top: false, keyFields: &ignored, touched: &touched, conditions: conditions)
                    }
                }
            case .fragmentSpread:
                continue
            }
        }
    }

    /// An input field `g` resolves but part of whose selection only another subgraph reached
    /// through a key of `type` has: the whole field is fetched there (`c { cid cm }` where `g`
    /// knows `c { cid }` only).
    func movesWhole(_ f: Field, on type: String, edge: QueryGraph.FieldEdge, from g: String, provided: SelectionSet?) -> Bool {
        guard let sub = f.selectionSet else { return false }
        let name = f.name.value
        let inner = edge.provides ?? provided?.fieldNamed(name)?.selectionSet
        guard unreachable(sub.selections, type: fieldTypeName(type, name, in: g), in: g, depth: 0, provided: inner) > 0 else { return false }
        return graph.reachableGraphs(for: type, name, from: g).contains { h in
            h != g && unreachable(sub.selections, type: fieldTypeName(type, name, in: h), in: h, depth: 0) == 0
        }
    }

    /// The entity fetch of `target` at `path` below `group`: an existing one when no cycle
    /// follows (one `_entities` request for every type there), else a new one.
    /// - Parameter deferred: the selection is under a client's `@defer`: it joins only fetches
    ///   made for deferred fragments, and they only it (a deferred field asked in the first
    ///   payload's fetch would bring its errors — and a non-null failure's null — into the first
    ///   payload; Apollo's planner fetches it apart the same way).
    ///   A deferred fragment's fetch is its own: two fragments at one path do not share one (a
    ///   non-null failure of one would null the entity the other's fields come from).
    func entityGroup(target: String, from group: FetchGroup, path: [PathSegment], inputs: Set<Int>, deferred: Bool = false,
                     deferID id: Span? = nil, entityType: String? = nil, keyNames: Set<String>? = nil) throws -> FetchGroup {
        for child in group.children where child.graph == target && child.path == path && Self.isDeferred(child) == deferred
            && (!deferred || Self.deferIDs(child) == [id])
            && (keyNames == nil || entityType.flatMap { child.entities[$0]?.keyNames }.map { $0 == keyNames } ?? true) {
            if !inputs.contains(where: { reaches($0, child.id) }) { return child }
        }
        return try newGroup(graph: target, parent: group, path: path, rootType: nil)
    }

    /// A group made only for deferred fragments (so far).
    /// Every variable condition of `origin` is among `conditions`: where those hold, it does.
    static func holds(_ origin: [Directive], whenever conditions: [Directive]) -> Bool {
        func text(_ d: Directive) -> String { d.name.value + d.arguments.map { "\($0.name.value):\(Printer.print($0.value))" }.joined(separator: ",") }
        let have = Set(conditions.filter { !isDeferMarker($0) }.map(text))
        return origin.allSatisfy { isDeferMarker($0) || have.contains(text($0)) }
    }

    static func isDeferred(_ group: FetchGroup) -> Bool {
        !group.origins.isEmpty && group.origins.allSatisfy { $0.contains(where: isDeferMarker) }
    }

    /// The deferred fragments a group's selections are for.
    static func deferIDs(_ group: FetchGroup) -> Set<Span?> { Set(group.origins.map(deferID)) }

    /// Group `from` runs after group `to` (through parents and dependencies), or is it.
    func reaches(_ from: Int, _ to: Int) -> Bool {
        var seen = Set<Int>()
        var stack = [from]
        while let n = stack.popLast() {
            if n == to { return true }
            guard seen.insert(n).inserted else { continue }
            let grp = groups[n]
            if let p = grp.parent { stack.append(p.id) }
            stack.append(contentsOf: grp.dependsOn)
        }
        return false
    }

    /// The subgraph and key to fetch from: keys `g` can provide directly first; among those,
    /// the subgraph that answers most of the selection itself, one already fetched from here next.
    func chooseTarget(_ candidates: [String], entityType: String, objectType: String, from group: FetchGroup, path: [PathSegment],
                      selection: Selection, context: Context) -> (String, SelectionSet)? {
        let g = group.graph
        var best: (graph: String, key: SelectionSet, score: Int)?
        // A key that holds the very field being fetched, which this subgraph does not have at
        // hand, cannot be had before it (`@key(fields: "id sel { id }")` to fetch `sel`):
        // another key, or another subgraph, it is.
        var fetched: String? = nil
        if case .field(let f) = selection, f.name.value != "__typename" { fetched = f.name.value }
        for h in candidates {
            if tick() { return nil }
            guard let keys = graph.node(entityType, h)?.keys, !keys.isEmpty else { continue }
            let existing = group.children.contains { $0.graph == h && $0.path == path.entityPath(for: entityType) }
            for key in keys {
                let direct = available(key.selections, on: objectType, in: g, context: context)
                if let fetched, !direct, key.fieldNamed(fetched) != nil { continue }
                // Within three jumps; else through a longer chain of keys, only where nothing nearer will do.
                // Never through the field being fetched where this subgraph has it not (a key had
                // only through it would need it first); with what a @provides gives here.
                // (Every field being fetched for this object from here, not only this one: a key
                // whose way leads through another of them is a cycle too — probe 56G.)
                let without = Set(([fetched].compactMap { $0 } + (fetching["\(entityType).\(g)@" + Self.pathKey(path)] ?? [])).filter {
                    graph.field(objectType, $0, in: g) == nil && context.provided?.fieldNamed($0) == nil
                })
                let near = direct || graph.canProvide(key.selections, on: objectType, from: g, hops: 3, provided: context.provided, without: without)
                guard near || graph.canProvideThroughKeys(key.selections, on: objectType, from: g, provided: context.provided, without: without, near: false) else { continue }
                let misses = localMisses([selection], type: entityType, in: h, depth: 0)
                let lost = unreachable([selection], type: entityType, in: h, depth: 0)
                let score = (direct ? 0 : 1000) + (near ? 0 : 1_000_000) + lost * 100 + misses * 10 + (existing ? 0 : 1)
                if best == nil || score < best!.score { best = (h, key, score) }
            }
        }
        return best.map { ($0.graph, $0.key) }
    }

    /// A `@requires` field set that reads the requiring field's own arguments (`x(arg: $arg)`),
    /// with what this selection of the field gives them in their place: the client's value (a
    /// literal, or a variable of the operation), else the argument's default, else null.
    func bound(_ requires: SelectionSet, for field: Field, on type: String) -> SelectionSet {
        let declared = schema.types[type].flatMap { schema.field($0, field.name.value) }?.arguments ?? [:]
        var usesVariables = false
        func value(_ v: Value) -> Value {
            switch v {
            case .variable(let name):
                usesVariables = true
                guard let given = field.arguments.first(where: { $0.name.value == name })?.value else { return declared[name]?.defaultValue ?? .null }
                // A variable of the client's that the request may leave out (nullable, without a
                // default of its own): the argument's default (or null) in its place then.
                if case .variable(let client) = given, let definition = clientVariableDefinitions[client],
                   definition.defaultValue == nil, !definition.type.isNonNull {
                    return .variable(defaulted(client, type: definition.type, default: declared[name]?.defaultValue ?? .null))
                }
                return given
            case .list(let items): return .list(items.map(value))
            case .object(let fields): return .object(fields.map { var f = $0; f.value = value(f.value); return f })
            default: return v
            }
        }
        func walk(_ selections: [Selection]) -> [Selection] {
            selections.map { selection in
                switch selection {
                case .field(var f):
                    for i in f.arguments.indices { f.arguments[i].value = value(f.arguments[i].value) }
                    if let sub = f.selectionSet { f.selectionSet = SelectionSet(selections: walk(sub.selections)) }
                    return .field(f)
                case .inlineFragment(var i):
                    i.selectionSet = SelectionSet(selections: walk(i.selectionSet.selections))
                    return .inlineFragment(i)
                case .fragmentSpread:
                    return selection
                }
            }
        }
        let substituted = walk(requires.selections)
        return usesVariables ? SelectionSet(selections: substituted) : requires
    }

    /// The variable standing for the client's `client` with `defaultValue` when the request
    /// leaves it out (one per pair).
    func defaulted(_ client: String, type: TypeReference, default defaultValue: Value) -> String {
        if let (name, _) = defaultedVariables.first(where: { $0.value.client == client && $0.value.defaultValue == defaultValue }) { return name }
        var name = "\(client)_or_default"
        var n = 0
        while clientVariableDefinitions[name] != nil || defaultedVariables[name] != nil { n += 1; name = "\(client)_or_default\(n)" }
        defaultedVariables[name] = DefaultedVariable(client: client, type: type, defaultValue: defaultValue)
        return name
    }

    /// Every field of `selections` (a key) is answered by `g` on `type` here.
    func available(_ selections: [Selection], on type: String, in g: String, context: Context) -> Bool {
        for sel in selections {
            switch sel {
            case .field(let f):
                if f.name.value == "__typename" { continue }
                guard let edge = resolvable(type, f.name.value, in: g, context) ?? graph.field(type, f.name.value, in: g).flatMap({ $0.requires == nil ? $0 : nil }) else { return false }
                if let sub = f.selectionSet {
                    guard let def = schema.types[type].flatMap({ schema.field($0, f.name.value) }) else { return false }
                    let provided = edge.provides ?? context.provided?.fieldNamed(f.name.value)?.selectionSet
                    if !available(sub.selections, on: def.type.namedType.value, in: g, context: Context(provided: provided)) { return false }
                }
            case .inlineFragment(let i):
                if !available(i.selectionSet.selections, on: i.typeCondition?.value ?? type, in: g, context: context) { return false }
            case .fragmentSpread:
                return false
            }
        }
        return true
    }

    /// The selections of field `f` split into what `g` can get (itself or through keys) and what
    /// only another subgraph resolving `f` can; nil when nothing needs to move.
    func splitSelections(_ f: Field, _ selections: [Selection], on type: String, edge: QueryGraph.FieldEdge, in g: String,
                         context: Context) -> (here: [Selection], elsewhere: [Selection])? {
        let fieldType = fieldTypeName(type, f.name.value, in: g)
        let provided = edge.provides ?? context.provided?.fieldNamed(f.name.value)?.selectionSet
        guard unreachable(selections, type: fieldType, in: g, depth: 0, provided: provided) > 0 else { return nil }
        // (Another subgraph resolving the field, reached through a key of the type — or of one of
        // its interfaces that an @interfaceObject subgraph resolves the field of.)
        guard !graph.reachableGraphs(for: type, f.name.value, from: g).filter({ $0 != g }).isEmpty else { return nil }
        // A fragment partly reachable from here is divided too, a copy of it (its condition and
        // directives) around each part; and so is a field of a value type this subgraph resolves
        // whose own selection is partly reachable from here (`deep { y z }` with `Deep.z` only
        // elsewhere: `deep { y }` here, `deep { z }` with the rest), at any depth.
        func divide(_ selections: [Selection], on type: String, provided: SelectionSet?) -> (here: [Selection], elsewhere: [Selection]) {
            var here: [Selection] = [], elsewhere: [Selection] = []
            for sel in selections {
                if unreachable([sel], type: type, in: g, depth: 0, provided: provided) == 0 { here.append(sel); continue }
                if case .field(let inner) = sel, let sub = inner.selectionSet, answersWhole(type, inner.name.value, g),
                   let innerEdge = resolvable(type, inner.name.value, in: g, Context(provided: provided)) {
                    let parts = divide(sub.selections, on: fieldTypeName(type, inner.name.value, in: g),
                                       provided: innerEdge.provides ?? provided?.fieldNamed(inner.name.value)?.selectionSet)
                    if !parts.here.isEmpty, !parts.elsewhere.isEmpty {
                        here.append(sel.around(parts.here))
                        elsewhere.append(sel.around(parts.elsewhere))
                        continue
                    }
                }
                if case .inlineFragment(let i) = sel {
                    let parts = divide(i.selectionSet.selections, on: i.typeCondition?.value ?? type, provided: provided)
                    if !parts.here.isEmpty, !parts.elsewhere.isEmpty {
                        here.append(sel.around(parts.here))
                        elsewhere.append(sel.around(parts.elsewhere))
                        continue
                    }
                }
                elsewhere.append(sel)
            }
            return (here, elsewhere)
        }
        return divide(selections, on: fieldType, provided: provided)
    }

    func fieldTypeName(_ type: String, _ field: String, in g: String) -> String {
        if let t = supergraph.fieldGraph(type, field, in: g)?.type { return t.namedType.value }
        return schema.types[type].flatMap { schema.field($0, field) }?.type.namedType.value ?? type
    }

    /// How many fields of `selections` cannot be had at all starting from `g` (neither resolved
    /// there nor through a key jump to a subgraph that resolves them).
    func unreachable(_ selections: [Selection], type: String, in g: String, depth: Int, provided: SelectionSet? = nil) -> Int {
        if tick() { cutShort = true; return 0 }
        guard provided == nil, let key = CostKey(0, selections, type, g) else {
            return unreachableUncached(selections, type: type, in: g, depth: depth, provided: provided)
        }
        if let known = costs[key] { return known }
        let outer = cutShort
        cutShort = false
        let value = unreachableUncached(selections, type: type, in: g, depth: depth, provided: nil)
        if !cutShort { costs[key] = value }
        cutShort = cutShort || outer
        return value
    }

    /// Memoised estimates, by the client selections (their place in the document), type and subgraph.
    struct CostKey: Hashable {
        let kind: Int, first: Span, last: Span, count: Int, type: String, graph: String
        /// Nil (not kept) for selections made by the planner: a part of a field divided among
        /// subgraphs keeps its first and last selections' places and count but not what is under
        /// the ones between (probe 52D: `[h, unit { label }, w]` took the estimate of
        /// `[h, unit { label sym }, w]`, and the plan failed).
        init?(_ kind: Int, _ selections: [Selection], _ type: String, _ graph: String) {
            guard let f = selections.first?.span, let l = selections.last?.span, f != .none, l != .none,
                  selections.allSatisfy({ $0.span != .none }) else { return nil }
            self.kind = kind; first = f; last = l; count = selections.count; self.type = type; self.graph = graph
        }
    }

    private func unreachableUncached(_ selections: [Selection], type: String, in g: String, depth: Int, provided: SelectionSet?) -> Int {
        guard depth < 24 else { cutShort = true; return 0 }
        guard let named = schema.types[type] else { return 0 }
        let asObject = isInterfaceObject(type, g)
        var n = 0
        for sel in selections {
            switch sel {
            case .field(let f):
                let name = f.name.value
                if name == "__typename" { continue }
                if named.kind.isAbstract && !asObject {
                    if answersOnInterface(type, name, g), let sub = f.selectionSet {
                        let onInterface = unreachable(sub.selections, type: fieldTypeName(type, name, in: g), in: g, depth: depth + 1)
                        n += onInterface == 0 ? 0 : min(onInterface, possibleTypes(type, in: g).reduce(0) { $0 + unreachable([sel], type: $1, in: g, depth: depth + 1) })
                    } else if !answersOnInterface(type, name, g) {
                        for o in possibleTypes(type, in: g) { n += unreachable([sel], type: o, in: g, depth: depth + 1) }
                    }
                    continue
                }
                if let edge = resolvable(type, name, in: g, Context(provided: provided)) {
                    if let sub = f.selectionSet {
                        var here = unreachable(sub.selections, type: fieldTypeName(type, name, in: g), in: g, depth: depth + 1,
                                               provided: edge.provides ?? provided?.fieldNamed(name)?.selectionSet)
                        // What is out of reach below may be had by asking the field elsewhere through a
                        // key: each part of it where it can be had (as `splitSelections` divides it).
                        if here > 0 {
                            let others = graph.reachableGraphs(for: type, name, from: g).filter { $0 != g }
                            if !others.isEmpty {
                                here = min(here, splitMisses(sub.selections, among: [g] + others, on: { h in self.fieldTypeName(type, name, in: h) },
                                                             depth: depth + 1))
                            }
                        }
                        n += here
                    }
                    continue
                }
                let targets = graph.reachableGraphs(for: type, name, from: g)
                if targets.isEmpty { n += 1; continue }
                if let sub = f.selectionSet {
                    n += targets.map { h in unreachable(sub.selections, type: fieldTypeName(type, name, in: h), in: h, depth: depth + 1) }.min() ?? 0
                }
            case .inlineFragment(let i):
                let condition = i.typeCondition?.value ?? type
                let inner = i.selectionSet.selections
                if named.kind == .object, !applies(condition, to: type) { continue }   // never matches objects of this type
                if condition == type || named.kind == .object || asObject {
                    n += unreachable(inner, type: named.kind == .object ? type : condition, in: g, depth: depth + 1, provided: provided)
                    continue
                }
                let possible = schema.types[condition]?.kind == .object ? [condition] : (schema.types[condition]?.possibleTypes ?? [])
                for o in possibleTypes(type, in: g) where possible.contains(o) {
                    n += unreachable(inner, type: o, in: g, depth: depth + 1)
                }
            case .fragmentSpread:
                continue
            }
        }
        return n
    }

    /// How many fields of `selections` none of `homes` can have when each selection goes to the
    /// home that has it, and a field of a value type several homes resolve is divided among them
    /// at any depth (what `partition` and `splitSelections` do).
    func splitMisses(_ selections: [Selection], among homes: [String], on type: (String) -> String, depth: Int) -> Int {
        guard depth < 24, !tick() else { cutShort = true; return 0 }
        var n = 0
        for sel in selections {
            var best = homes.map { unreachable([sel], type: type($0), in: $0, depth: depth) }.min() ?? 0
            if best > 0, case .field(let inner) = sel, let sub = inner.selectionSet {
                let name = inner.name.value
                let holders = homes.filter { h in answersWhole(type(h), name, h) && graph.field(type(h), name, in: h) != nil }
                if holders.count > 1 {
                    best = min(best, splitMisses(sub.selections, among: holders, on: { h in self.fieldTypeName(type(h), name, in: h) }, depth: depth + 1))
                }
            } else if best > 0, case .inlineFragment(let i) = sel {
                // A fragment is divided as its selections are (a copy of it around each part).
                best = min(best, splitMisses(i.selectionSet.selections, among: homes, on: { h in i.typeCondition?.value ?? type(h) }, depth: depth + 1))
            }
            n += best
        }
        return n
    }

    /// How many fields of `selections` `g` cannot answer itself (a cost estimate; bounded depth).
    /// Fields a `@provides` above gives `g` here count as answered.
    func localMisses(_ selections: [Selection], type: String, in g: String, depth: Int, provided: SelectionSet? = nil) -> Int {
        if tick() { cutShort = true; return 0 }
        guard provided == nil, let key = CostKey(1, selections, type, g) else {
            return localMissesUncached(selections, type: type, in: g, depth: depth, provided: provided)
        }
        if let known = costs[key] { return known }
        let outer = cutShort
        cutShort = false
        let value = localMissesUncached(selections, type: type, in: g, depth: depth, provided: nil)
        if !cutShort { costs[key] = value }
        cutShort = cutShort || outer
        return value
    }

    private func localMissesUncached(_ selections: [Selection], type: String, in g: String, depth: Int, provided: SelectionSet?) -> Int {
        guard depth < 24 else { cutShort = true; return 0 }
        guard let named = schema.types[type] else { return 0 }
        var misses = 0
        for sel in selections {
            switch sel {
            case .field(let f):
                let name = f.name.value
                if name == "__typename" { continue }
                if named.kind.isAbstract && !isInterfaceObject(type, g) {
                    if !answersOnInterface(type, name, g) {
                        let objects = possibleTypes(type, in: g)
                        if objects.isEmpty { misses += 1 }
                        for o in objects {
                            misses += localMisses([sel], type: o, in: g, depth: depth + 1, provided: providedSubset(provided, for: o))
                        }
                    }
                    continue
                }
                let providedHere = provided.flatMap { p in p.fieldNamed(name) != nil && supergraph.fieldGraph(type, name, in: g) != nil ? p : nil }
                guard let def = schema.field(named, name) else { misses += 1; continue }
                let edge = graph.field(type, name, in: g)
                guard edge != nil || providedHere != nil else { misses += 1; continue }
                if let sub = f.selectionSet {
                    misses += localMisses(sub.selections, type: def.type.namedType.value, in: g, depth: depth + 1,
                                          provided: edge?.provides ?? providedHere?.fieldNamed(name)?.selectionSet)
                }
            case .inlineFragment(let i):
                let condition = i.typeCondition?.value ?? type
                if named.kind == .object, !applies(condition, to: type) { continue }
                if condition != type, named.kind.isAbstract, !possibleTypes(type, in: g).contains(condition), schema.types[condition]?.kind == .object {
                    // This subgraph never returns that type here: another one that does answers more.
                    misses += 1
                    continue
                }
                misses += localMisses(i.selectionSet.selections, type: condition, in: g, depth: depth + 1,
                                      provided: provided.flatMap { _ in providedSubset(provided, for: condition) })
            case .fragmentSpread: continue
            }
        }
        return misses
    }
}

/// The `@skip(if: $v)` / `@include(if: $v)` among `directives` (literal ones are settled earlier).
/// Marks, among a selection's conditions, that it sits under a client's `@defer` (no `if`
/// argument: never taken for a `@skip`/`@include` condition); a fetch all of whose origins carry
/// it is only for deferred fragments (`FetchNode.deferredOnly`).
let deferMarker = Directive(name: Name("defer"), arguments: [])

extension Selection {
    /// A copy of this field or inline fragment (its name, alias, arguments, condition and
    /// directives) around other selections: a part of it, planned where that part can be had,
    /// merged with the other parts in the answer. A new selection: no span, so the estimates
    /// memoised for the whole are not its.
    func around(_ selections: [Selection]) -> Selection {
        switch self {
        case .field(let f):
            return .field(f.around(selections))
        case .inlineFragment(var i):
            i.span = .none
            i.selectionSet = SelectionSet(selections: selections)
            return .inlineFragment(i)
        case .fragmentSpread:
            return self
        }
    }
}

extension Field {
    /// This field around other selections (`Selection.around`).
    func around(_ selections: [Selection]) -> Field {
        var f = self
        f.span = .none
        f.selectionSet = SelectionSet(selections: selections)
        return f
    }
}

func isDeferMarker(_ d: Directive) -> Bool { d.name.value == "defer" && d.arguments.isEmpty }

/// A fragment's variable `@skip`/`@include`, and the defer marker when it carries a `@defer`
/// that is not `if: false`. The marker has the `@defer`'s place in the document: the innermost
/// marker of a selection's conditions says which deferred fragment it is for (`deferID`).
func fragmentConditions(_ directives: [Directive]) -> [Directive] {
    var out = variableConditions(directives)
    if let d = directives.first(where: { $0.name.value == "defer" }), !d.isSwitchedOffLiterally {
        out.append(Directive(name: deferMarker.name, arguments: [], span: d.span))
    }
    return out
}

/// Which deferred fragment a selection with these conditions is for (its innermost `@defer`'s
/// place in the document); nil when none.
func deferID(_ conditions: [Directive]) -> Span? {
    conditions.last(where: isDeferMarker)?.span
}

func variableConditions(_ directives: [Directive]) -> [Directive] {
    directives.filter { d in
        (d.name.value == "skip" || d.name.value == "include")
            && { if case .variable? = d.arguments.first(where: { $0.name.value == "if" })?.value { return true } else { return false } }()
    }
}

extension SelectionSet {
    func fieldNamed(_ name: String) -> Field? {
        for case .field(let f) in selections where f.name.value == name { return f }
        return nil
    }
}

extension SelectionTree {
    /// The two would write one representation key from fields with different arguments.
    func conflicts(with other: SelectionTree) -> Bool {
        var mine: [String: Entry] = [:]
        for e in entries { if case .field(let f) = e.kind { mine[f.name.value] = e } }
        for e in other.entries {
            switch e.kind {
            case .field(let f):
                guard let m = mine[f.name.value], case .field(let g) = m.kind else { continue }
                if f.arguments != g.arguments { return true }
                if let a = m.children, let b = e.children, a.conflicts(with: b) { return true }
            case .fragment(let t, let d):
                if let c = e.children, let mineFragment = existingFragment(t, d), mineFragment.conflicts(with: c) { return true }
            }
        }
        return false
    }

    /// Adds every entry of `other` (representation selections of two jumps to one fetch).
    func merge(_ other: SelectionTree) {
        for e in other.entries {
            switch e.kind {
            case .field(var f):
                if let c = e.children { f.selectionSet = SelectionSet(selections: []); if let mine = add(f).children { mine.merge(c) } } else { add(f) }
            case .fragment(let t, let d):
                if let c = e.children { fragment(t, d).merge(c) }
            }
        }
    }
}

extension Array where Element == PathSegment {
    /// The path below a type condition: consecutive conditions narrow one another.
    func narrowed(to types: [String]) -> [PathSegment] {
        guard case .typeCondition(let current)? = last else { return self + [.typeCondition(types)] }
        let both = current.filter(types.contains)
        return Array(dropLast()) + [.typeCondition(both.isEmpty ? types : both)]
    }

    /// The path an entity fetch of `entityType` collects at: a type condition naming just that
    /// object type is left to the fetch's representations (one request for every type there);
    /// any other condition stays (an interface's representations would take every implementation).
    func entityPath(for entityType: String) -> [PathSegment] {
        if case .typeCondition(let types)? = last, types == [entityType] { return Array(dropLast()) }
        return self
    }
}
