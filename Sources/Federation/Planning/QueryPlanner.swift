import GraphQLCore
import OrderedCollections

/// Plans an operation over a supergraph: a pipeline of small stages — operation and fragment
/// resolution, root field grouping, per-subgraph selection building with entity jumps, and
/// plan assembly — each with bounded work (a plan over budget fails with a clear error).
///
/// ```swift
/// let plan = try QueryPlanner(supergraph: sg).plan(document, operationName: "TenantOverview")
/// print(plan.text)
/// ```
public struct QueryPlanner: Sendable {
    public let supergraph: Supergraph
    /// Maximum selections processed and fetches created for one operation.
    public var maxSelections = 50_000
    public var maxFetches = 500

    public init(supergraph: Supergraph) { self.supergraph = supergraph }

    public func plan(_ document: Document, operationName: String?) throws -> QueryPlan {
        var ops = document.operations
        if let operationName { ops = ops.filter { $0.name?.value == operationName } }
        guard ops.count == 1, let op = ops.first else {
            throw FederationError(.planningFailed, operationName.map { "Unknown operation named \"\($0)\"." } ?? "Must provide operation name if query contains multiple operations.")
        }
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments { fragments[f.name.value] = f }
        let builder = PlanBuilder(planner: self, operation: op, fragments: fragments)
        let root = try builder.build()
        return QueryPlan(root: root, usesIntrospection: builder.usesIntrospection)
    }
}

/// A dependent entity fetch discovered while building a fetch's selections.
final class Dependent {
    let path: [PathSegment]
    let typeName: String
    let graph: String
    var selections: [Selection] = []
    /// Indices (in the same parent's list) of dependents that must run first (they fetch @requires inputs).
    var after = Set<Int>()
    var requires: [SelectionSet] = []
    let key: SelectionSet
    init(path: [PathSegment], typeName: String, graph: String, key: SelectionSet) {
        self.path = path
        self.typeName = typeName
        self.graph = graph
        self.key = key
    }
}

final class PlanBuilder {
    let planner: QueryPlanner
    let supergraph: Supergraph
    let operation: OperationDefinition
    let fragments: [String: FragmentDefinition]
    let variableTypes: [String: TypeReference]
    var selectionsProcessed = 0
    var fetches = 0
    /// Set when a root field is `__schema` or `__type`.
    var usesIntrospection = false

    init(planner: QueryPlanner, operation: OperationDefinition, fragments: [String: FragmentDefinition]) {
        self.planner = planner
        self.supergraph = planner.supergraph
        self.operation = operation
        self.fragments = fragments
        var vt: [String: TypeReference] = [:]
        for v in operation.variableDefinitions { vt[v.variable.value] = v.type }
        self.variableTypes = vt
    }

    var schema: Schema { supergraph.schema }

    func budget() throws {
        selectionsProcessed += 1
        if selectionsProcessed > planner.maxSelections {
            throw FederationError(.planTooLarge, "The operation is too large to plan (over \(planner.maxSelections) selections after fragment expansion).")
        }
    }

    // MARK: stage 1: root fields → subgraph groups

    func build() throws -> PlanNode? {
        guard let rootName = schema.rootTypeName(operation.operation) else {
            throw FederationError(.planningFailed, "The supergraph has no \(operation.operation.rawValue) type.")
        }
        let rootSelections = flattenRoot(try expand(operation.selectionSet.selections, rootName, fragmentStack: []), rootName, conditions: [])
        var groups: [(graph: String, selections: [Selection])] = []
        for sel in rootSelections {
            let graph: String
            switch sel {
            case .field(let f) where f.name.value == "__schema" || f.name.value == "__type":
                usesIntrospection = true
                continue // introspection is the gateway's own: the shaping pass answers it from the API schema
            case .field(let f) where f.name.value == "__typename":
                continue // likewise: the root type's name needs no subgraph
            case .field(let f):
                let candidates = supergraph.resolvingGraphs(rootName, f.name.value)
                guard let first = candidates.first else {
                    throw FederationError(.planningFailed, "No subgraph resolves \(rootName).\(f.name.value).")
                }
                // Prefer a subgraph already queried (fewer fetches); mutations keep document order.
                if operation.operation != .mutation, let reuse = groups.first(where: { candidates.contains($0.graph) }) {
                    graph = reuse.graph
                } else {
                    graph = first
                }
            default:
                // expand() turned unconditional root fragments into fields; a conditional one may
                // still hold introspection.
                if containsIntrospection(sel) { usesIntrospection = true }
                continue
            }
            if operation.operation == .mutation {
                if groups.last?.graph == graph { groups[groups.count - 1].selections.append(sel) } else { groups.append((graph, [sel])) }
            } else if let i = groups.firstIndex(where: { $0.graph == graph }) {
                groups[i].selections.append(sel)
            } else {
                groups.append((graph, [sel]))
            }
        }
        let nodes = try groups.map { g in
            conditioned(try fetchTree(graph: g.graph, typeName: rootName, selections: g.selections, path: [], entity: nil), g.selections)
        }
        if nodes.isEmpty { return nil }
        if nodes.count == 1 { return nodes[0] }
        return operation.operation == .mutation ? .sequence(nodes) : .parallel(nodes)
    }

    /// Fragments on the root type become their fields; a fragment's `@skip`/`@include` go onto
    /// each of them (`... @include(if: $x) { a b }` is `a @include(if: $x) b @include(if: $x)`),
    /// so that every root field is planned with the subgraph that resolves it.
    func flattenRoot(_ selections: [Selection], _ rootName: String, conditions: [Directive]) -> [Selection] {
        var out: [Selection] = []
        for sel in selections {
            switch sel {
            case .field(var f):
                f.directives += conditions
                out.append(.field(f))
            case .inlineFragment(let i) where i.typeCondition == nil || i.typeCondition?.value == rootName:
                let kept = i.directives.filter { $0.name.value == "skip" || $0.name.value == "include" }
                out += flattenRoot(i.selectionSet.selections, rootName, conditions: conditions + kept)
            default:
                out.append(sel)
            }
        }
        return out
    }

    func containsIntrospection(_ sel: Selection) -> Bool {
        switch sel {
        case .field(let f): return f.name.value == "__schema" || f.name.value == "__type"
        case .inlineFragment(let i): return i.selectionSet.selections.contains(where: containsIntrospection)
        case .fragmentSpread: return false // expanded earlier
        }
    }

    /// Fragment spreads become inline fragments; root-level fragments flatten into fields.
    func expand(_ selections: [Selection], _ typeName: String, fragmentStack: [String]) throws -> [Selection] {
        var out: [Selection] = []
        var seenSpreads = Set<String>()
        for sel in selections {
            try budget()
            switch sel {
            case .field(var f):
                if let ss = f.selectionSet {
                    let inner = schema.namedType(schema.types[typeName].flatMap { schema.field($0, f.name.value) }?.type ?? .named(Name("")))?.name ?? typeName
                    f.selectionSet = SelectionSet(selections: try expand(ss.selections, inner, fragmentStack: fragmentStack))
                }
                out.append(.field(f))
            case .fragmentSpread(let s):
                guard let frag = fragments[s.name.value], !fragmentStack.contains(s.name.value), seenSpreads.insert(s.name.value).inserted else { continue }
                let inner = try expand(frag.selectionSet.selections, frag.typeCondition.value, fragmentStack: fragmentStack + [s.name.value])
                out.append(.inlineFragment(InlineFragment(typeCondition: frag.typeCondition, directives: s.directives,
                                                          selectionSet: SelectionSet(selections: inner), span: .none)))
            case .inlineFragment(var i):
                let inner = i.typeCondition?.value ?? typeName
                i.selectionSet = SelectionSet(selections: try expand(i.selectionSet.selections, inner, fragmentStack: fragmentStack))
                out.append(.inlineFragment(i))
            }
        }
        // At the root, an unconditional fragment on the root type is just its fields.
        if typeName == schema.rootTypeName(operation.operation), fragmentStack.isEmpty {
            return out.flatMap { sel -> [Selection] in
                if case .inlineFragment(let i) = sel, i.directives.isEmpty, i.typeCondition == nil || i.typeCondition?.value == typeName {
                    return i.selectionSet.selections
                }
                return [sel]
            }
        }
        return out
    }

    // MARK: stage 2: one fetch and its dependents

    func fetchTree(graph: String, typeName: String, selections: [Selection], path: [PathSegment], entity: Dependent?) throws -> PlanNode {
        fetches += 1
        if fetches > planner.maxFetches {
            throw FederationError(.planTooLarge, "The operation needs more than \(planner.maxFetches) subgraph fetches.")
        }
        var dependents: [Dependent] = []
        // At the top of an entity fetch, @requires inputs arrive in the representations.
        isEntityRoot = entity != nil
        var built = try buildSelections(graph: graph, typeName: typeName, selections: selections, path: path,
                                        provided: nil, dependents: &dependents)
        if entity != nil, supergraph.types[typeName]?.graphs[graph]?.isInterfaceObject == true {
            // That subgraph only knows the interface's name; the object keeps its own __typename.
            built.removeAll { if case .field(let f) = $0 { return f.alias == nil && f.name.value == "__typename" } else { return false } }
        }
        let fetch = makeFetch(graph: graph, typeName: typeName, selections: built, entity: entity)
        let node: PlanNode = entity.map { .flatten(path: $0.path, fetch) } ?? .fetch(fetch)
        guard !dependents.isEmpty else { return node }
        // Children run after the fetch; among them, those feeding @requires run first.
        var levels: [[Int]] = []
        var placed = [Int: Int]()
        var remaining = Array(dependents.indices)
        while !remaining.isEmpty {
            let ready = remaining.filter { i in dependents[i].after.allSatisfy { placed[$0] != nil } }
            guard !ready.isEmpty else { throw FederationError(.planningFailed, "Circular @requires between entity fetches.") }
            for i in ready { placed[i] = levels.count }
            levels.append(ready)
            remaining.removeAll { ready.contains($0) }
        }
        var stages: [PlanNode] = []
        for level in levels {
            let nodes = try level.map { i -> PlanNode in
                let d = dependents[i]
                return conditioned(try fetchTree(graph: d.graph, typeName: d.typeName, selections: d.selections, path: d.path, entity: d),
                                   d.selections)
            }
            stages.append(nodes.count == 1 ? nodes[0] : .parallel(nodes))
        }
        return .sequence([node] + stages)
    }

    /// When every selection a fetch exists for carries the same `@include(if: $v)` (or
    /// `@skip(if: $v)`), the fetch (and what depends on it) runs only when that holds.
    func conditioned(_ node: PlanNode, _ selections: [Selection]) -> PlanNode {
        func condition(_ sel: Selection) -> (variable: String, include: Bool)? {
            var found: (String, Bool)?
            for d in sel.directives where d.name.value == "include" || d.name.value == "skip" {
                guard case .variable(let v)? = d.arguments.first(where: { $0.name.value == "if" })?.value, found == nil else { return nil }
                found = (v, d.name.value == "include")
            }
            return found
        }
        guard let first = selections.first.flatMap(condition),
              selections.dropFirst().allSatisfy({ condition($0).map { $0 == first } ?? false }) else { return node }
        var defaultValue: Bool?
        if let def = operation.variableDefinitions.first(where: { $0.variable.value == first.variable }), case .boolean(let b)? = def.defaultValue {
            defaultValue = b
        }
        return .condition(Condition(variable: first.variable, defaultValue: defaultValue,
                                    ifTrue: first.include ? node : nil, ifFalse: first.include ? nil : node))
    }

    func canResolve(_ graph: String, _ typeName: String, _ field: String, provided: SelectionSet?) -> Bool {
        if field == "__typename" { return true }
        if let provided, provided.selections.contains(where: { if case .field(let f) = $0 { return f.name.value == field } else { return false } }),
           supergraph.fieldGraph(typeName, field, in: graph) != nil {
            return true
        }
        guard let fg = supergraph.fieldGraph(typeName, field, in: graph), !fg.external else { return false }
        return fg.requires == nil || isEntityRoot
    }

    /// Set while building the top level of an entity fetch, where `@requires` inputs arrive in the representation.
    var isEntityRoot = false

    func providedSubset(_ provided: SelectionSet?, _ field: String) -> SelectionSet? {
        guard let provided else { return nil }
        for case .field(let f) in provided.selections where f.name.value == field { return f.selectionSet }
        return nil
    }

    /// The selections `graph` can answer for objects of `typeName`; anything else becomes a dependent fetch.
    func buildSelections(graph: String, typeName: String, selections: [Selection], path: [PathSegment],
                         provided: SelectionSet?, dependents: inout [Dependent]) throws -> [Selection] {
        guard let type = schema.types[typeName] else { return [] }
        var out: [Selection] = []
        let entityRoot = isEntityRoot
        isEntityRoot = false
        defer { isEntityRoot = false }
        // This subgraph knows the interface only as an @interfaceObject: the object's real type,
        // fields it does not resolve and fragments on implementations come from a subgraph that
        // has the interface itself.
        let asInterfaceObject = supergraph.types[typeName]?.graphs[graph]?.isInterfaceObject == true
        if type.kind.isAbstract, !asInterfaceObject { addTypename(&out) }
        for sel in selections {
            try budget()
            if asInterfaceObject {
                var delegated = false
                switch sel {
                case .field(let f) where f.name.value == "__typename": delegated = true
                case .field(let f): delegated = !canResolve(graph, typeName, f.name.value, provided: provided) && interfaceObjectGraph(typeName, f.name.value) == nil
                case .inlineFragment(let i): delegated = (i.typeCondition?.value ?? typeName) != typeName
                case .fragmentSpread: break
                }
                if delegated {
                    try delegateToInterfaceOwner(from: graph, typeName: typeName, selection: sel, path: path, out: &out, dependents: &dependents)
                    continue
                }
            }
            switch sel {
            case .field(let f):
                let name = f.name.value
                if name == "__typename" { merge([sel], into: &out); continue }
                isEntityRoot = entityRoot
                let direct = canResolve(graph, typeName, name, provided: provided)
                isEntityRoot = false
                if direct {
                    var copy = f
                    if let ss = f.selectionSet, let def = schema.field(type, name), let inner = schema.namedType(def.type) {
                        let fg = supergraph.fieldGraph(typeName, name, in: graph)
                        let innerProvided = fg?.provides ?? providedSubset(provided, name)
                        let innerPath = path + [.field(f.responseKey)] + Array(repeating: .list, count: def.type.listDepth)
                        copy.selectionSet = SelectionSet(selections: try buildSelections(
                            graph: graph, typeName: inner.name, selections: ss.selections, path: innerPath,
                            provided: innerProvided, dependents: &dependents))
                    }
                    merge([.field(copy)], into: &out)
                } else if type.kind.isAbstract, interfaceObjectGraph(typeName, name) == nil {
                    // Ask each possible object type separately.
                    for possible in type.possibleTypes where supergraph.typeIsIn(possible, graph: graph) {
                        let frag = InlineFragment(typeCondition: Name(possible), directives: [], selectionSet: SelectionSet(selections: [sel]), span: .none)
                        out += try buildSelections(graph: graph, typeName: possible, selections: [.inlineFragment(frag)], path: path,
                                                   provided: nil, dependents: &dependents).dropFirst(0)
                    }
                } else {
                    try jump(from: graph, typeName: typeName, field: f, path: path, out: &out, dependents: &dependents)
                }
            case .inlineFragment(let i):
                let condition = i.typeCondition?.value ?? typeName
                if condition != typeName, !supergraph.typeIsIn(condition, graph: graph) {
                    // The subgraph cannot return objects of that type here; nothing to ask it.
                    continue
                }
                let inner = try buildSelections(graph: graph, typeName: condition, selections: i.selectionSet.selections, path: path,
                                                provided: condition == typeName ? provided : nil, dependents: &dependents)
                if inner.isEmpty { continue }
                if condition == typeName, i.directives.isEmpty {
                    // A fragment on the type itself adds nothing but nesting: merge its fields here.
                    for sel in inner {
                        if case .field = sel { merge([sel], into: &out) } else { out.append(sel) }
                    }
                    continue
                }
                out.append(.inlineFragment(InlineFragment(typeCondition: i.typeCondition, directives: i.directives,
                                                          selectionSet: SelectionSet(selections: inner), span: .none)))
            case .fragmentSpread:
                continue // expanded earlier
            }
        }
        return out
    }

    func addTypename(_ out: inout [Selection]) {
        if !out.contains(where: { if case .field(let f) = $0 { return f.alias == nil && f.name.value == "__typename" } else { return false } }) {
            out.insert(.field(Field(name: Name("__typename"))), at: 0)
        }
    }

    /// Sends `selection` (on an interface this graph sees as an `@interfaceObject`) to a subgraph
    /// that has the interface itself, through one of its keys; the representation carries the
    /// interface's name and that subgraph answers with the object's real `__typename`.
    func delegateToInterfaceOwner(from graph: String, typeName: String, selection: Selection, path: [PathSegment],
                                  out: inout [Selection], dependents: inout [Dependent]) throws {
        guard let info = supergraph.types[typeName] else { throw FederationError(.planningFailed, "Unknown type \(typeName).") }
        for (target, tg) in info.graphs where target != graph && !tg.isInterfaceObject {
            guard let key = providableKey(tg, typeName, from: graph) else { continue }
            merge(key.selections, into: &out)
            dependent(path: path, typeName: typeName, graph: target, key: key, in: &dependents).selections.append(selection)
            return
        }
        throw FederationError(.planningFailed, "Cannot plan \(typeName) from \(supergraph.graph(id: graph)?.name ?? graph): no subgraph defines the interface with a key it can provide.")
    }

    /// A key the target can resolve `typeName` by, whose fields `graph` can supply.
    func providableKey(_ target: Supergraph.TypeGraph, _ typeName: String, from graph: String) -> SelectionSet? {
        target.resolvableKeys.first { key in
            key.selections.allSatisfy { sel in
                if case .field(let kf) = sel { return supergraph.resolvingGraphs(typeName, kf.name.value).contains(graph) }
                return false
            }
        }
    }

    /// The entity fetch of `typeName` objects at `path` from `graph` (one per path, type and graph).
    func dependent(path: [PathSegment], typeName: String, graph: String, key: SelectionSet, in dependents: inout [Dependent]) -> Dependent {
        if let existing = dependents.first(where: { $0.path == path && $0.typeName == typeName && $0.graph == graph }) { return existing }
        let d = Dependent(path: path, typeName: typeName, graph: graph, key: key)
        dependents.append(d)
        return d
    }

    /// A subgraph that resolves `interfaceName.field` through its `@interfaceObject` view of the interface.
    func interfaceObjectGraph(_ interfaceName: String, _ field: String) -> String? {
        guard let info = supergraph.types[interfaceName], info.kind == .interface else { return nil }
        return info.graphs.first { g, tg in
            tg.isInterfaceObject && info.fields[field]?[g].map { !$0.external } == true
        }?.key
    }

    /// `typeName.field` is not resolvable in `graph`: fetch it from another subgraph through an entity key.
    func jump(from graph: String, typeName objectTypeName: String, field f: Field, path: [PathSegment], out: inout [Selection],
              dependents: inout [Dependent]) throws {
        let name = f.name.value
        var typeName = objectTypeName
        // A field only an @interfaceObject resolves: fetch it for the interface (the representation
        // carries the interface's name, which is all that subgraph knows).
        if supergraph.resolvingGraphs(typeName, name).isEmpty,
           let iface = schema.types[typeName]?.interfaces.first(where: { interfaceObjectGraph($0, name) != nil }) {
            typeName = iface
        }
        let candidates = supergraph.resolvingGraphs(typeName, name)
        guard let info = supergraph.types[typeName] else { throw FederationError(.planningFailed, "Unknown type \(typeName).") }
        for target in candidates where target != graph || supergraph.fieldGraph(typeName, name, in: graph)?.requires != nil {
            guard let tg = info.graphs[target] else { continue }
            guard let key = providableKey(tg, typeName, from: graph) else { continue }
            addTypename(&out)
            merge(key.selections, into: &out)
            let requires = supergraph.fieldGraph(typeName, name, in: target)?.requires
            var after = Set<Int>()
            if let requires {
                for case .field(let rf) in requires.selections {
                    if supergraph.resolvingGraphs(typeName, rf.name.value).contains(graph) && supergraph.fieldGraph(typeName, rf.name.value, in: graph)?.requires == nil {
                        merge([.field(rf)], into: &out)
                    } else {
                        // Fetch the required field first, from wherever it lives.
                        let before = dependents.count
                        try jump(from: graph, typeName: typeName, field: rf, path: path, out: &out, dependents: &dependents)
                        if let i = dependents.indices.last, dependents.count > before || dependents[i].selections.contains(where: { if case .field(let x) = $0 { return x.name.value == rf.name.value } else { return false } }) {
                            after.insert(dependents.firstIndex { $0.path == path && $0.typeName == typeName && $0.selections.contains(where: { if case .field(let x) = $0 { return x.name.value == rf.name.value } else { return false } }) } ?? i)
                        }
                    }
                }
            }
            let d = dependent(path: path, typeName: typeName, graph: target, key: key, in: &dependents)
            d.selections.append(.field(f))
            if let requires, !d.requires.contains(requires) { d.requires.append(requires) }
            d.after.formUnion(after.filter { dependents[$0] !== d })
            return
        }
        throw FederationError(.planningFailed, "Cannot plan \(typeName).\(name): no subgraph can resolve it from \(supergraph.graph(id: graph)?.name ?? graph) through an entity key.")
    }

    /// Adds field selections not already present (same response key and name).
    func merge(_ selections: [Selection], into out: inout [Selection]) {
        for sel in selections {
            guard case .field(let f) = sel else { continue }
            if let i = out.firstIndex(where: { if case .field(let g) = $0 { return g.responseKey == f.responseKey && g.name.value == f.name.value } else { return false } }) {
                if let sub = f.selectionSet, case .field(var g) = out[i] {
                    var inner = g.selectionSet?.selections ?? []
                    merge(sub.selections, into: &inner)
                    g.selectionSet = SelectionSet(selections: inner)
                    out[i] = .field(g)
                }
            } else {
                out.append(sel)
            }
        }
    }

    // MARK: stage 3: fetch operations

    func makeFetch(graph: String, typeName: String, selections: [Selection], entity: Dependent?) -> FetchNode {
        let name = supergraph.graph(id: graph)?.name ?? graph
        var used = OrderedSet<String>()
        collectVariables(selections, &used)
        let varDefs = used.compactMap { v in variableTypes[v].map { "$\(v):\($0)" } }
        if let entity {
            var rep: [Selection] = [.field(Field(name: Name("__typename")))]
            merge(entity.key.selections, into: &rep)
            for r in entity.requires { merge(r.selections, into: &rep) }
            let defs = (["$representations:[_Any!]!"] + varDefs).joined(separator: ",")
            let op = "query(\(defs)){_entities(representations:$representations){...on \(typeName)\(Compact.selectionSet(selections))}}"
            var fetch = FetchNode(subgraph: name, operation: op, operationKind: .query, variables: Array(used),
                                  entityType: typeName, representation: SelectionSet(selections: rep))
            fetch.representsInterfaceObject = supergraph.types[typeName]?.graphs[graph]?.isInterfaceObject ?? false
            return fetch
        }
        let kind = operation.operation
        let head = kind == .query && varDefs.isEmpty ? "" : kind.rawValue + (varDefs.isEmpty ? "" : "(\(varDefs.joined(separator: ",")))")
        return FetchNode(subgraph: name, operation: head + Compact.selectionSet(selections), operationKind: kind,
                         variables: Array(used), entityType: nil, representation: nil)
    }

    func collectVariables(_ selections: [Selection], _ used: inout OrderedSet<String>) {
        func value(_ v: Value) {
            switch v {
            case .variable(let n): used.append(n)
            case .list(let items): items.forEach(value)
            case .object(let fields): fields.forEach { value($0.value) }
            default: break
            }
        }
        for sel in selections {
            for d in sel.directives { d.arguments.forEach { value($0.value) } }
            switch sel {
            case .field(let f):
                f.arguments.forEach { value($0.value) }
                if let ss = f.selectionSet { collectVariables(ss.selections, &used) }
            case .inlineFragment(let i): collectVariables(i.selectionSet.selections, &used)
            case .fragmentSpread: break
            }
        }
    }
}

extension TypeReference {
    /// How many list levels wrap the named type.
    var listDepth: Int {
        switch self {
        case .named: return 0
        case .nonNull(let t): return t.listDepth
        case .list(let t): return 1 + t.listDepth
        }
    }
}

/// Compact one-line GraphQL for subgraph operations.
enum Compact {
    static func selectionSet(_ selections: [Selection]) -> String {
        var out = "{"
        for (i, sel) in selections.enumerated() {
            if i > 0 { out += " " }
            switch sel {
            case .field(let f):
                if let a = f.alias { out += a.value + ":" }
                out += f.name.value
                if !f.arguments.isEmpty {
                    out += "(" + f.arguments.map { "\($0.name.value):\(Printer.print($0.value))" }.joined(separator: ",") + ")"
                }
                out += directives(f.directives)
                if let ss = f.selectionSet { out += selectionSet(ss.selections) }
            case .inlineFragment(let frag):
                out += "..." + (frag.typeCondition.map { "on \($0.value)" } ?? "") + directives(frag.directives) + selectionSet(frag.selectionSet.selections)
            case .fragmentSpread(let s):
                out += "..." + s.name.value
            }
        }
        return out + "}"
    }

    static func directives(_ ds: [Directive]) -> String {
        ds.map { d in "@" + d.name.value + (d.arguments.isEmpty ? "" : "(" + d.arguments.map { "\($0.name.value):\(Printer.print($0.value))" }.joined(separator: ",") + ")") }.joined()
    }
}
