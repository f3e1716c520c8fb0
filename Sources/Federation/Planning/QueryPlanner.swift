#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GraphQLCore
import OrderedCollections

/// Plans an operation over a supergraph's query graph, as a pipeline of stages:
/// 1. the operation: fragments expanded, root fragments flattened (`OperationStage`);
/// 2. the fetch graph: each selection walked over the query graph, staying in a subgraph while
///    it can and jumping through a key where it cannot, with `@requires` inputs fetched first
///    (`FetchGraphBuilder`);
/// 3. plan nodes: fetch groups in dependency order as `sequence`/`parallel`/`flatten`/
///    `condition` nodes (`PlanAssembly`).
/// Work is bounded (`maxSelections`, `maxFetches`): a plan over budget fails with a clear error.
///
/// ```swift
/// let plan = try QueryPlanner(supergraph: sg).plan(document, operationName: "TenantOverview")
/// print(plan.text)
/// ```
public struct QueryPlanner: Sendable {
    public let supergraph: Supergraph
    public let queryGraph: QueryGraph
    /// Maximum selections processed and fetches created for one operation.
    public var maxSelections = 50_000
    public var maxFetches = 500

    public init(supergraph: Supergraph) {
        self.supergraph = supergraph
        self.queryGraph = QueryGraph(supergraph: supergraph)
    }

    public init(queryGraph: QueryGraph) {
        self.supergraph = queryGraph.supergraph
        self.queryGraph = queryGraph
    }

    /// - Parameter enabledLabels: the progressive `@override` labels on for this plan (a request's
    ///   roll, `QueryGraph.rollLabels()`); nil decides each label by its percentage (from 50 % up).
    /// - Parameter stop: when planning gives up (its time, its caller cancelled): a plan's cost
    ///   grows with the subgraphs that share what it asks for, which no count of selections bounds.
    public func plan(_ document: Document, operationName: String?, enabledLabels: Set<String>? = nil, stop: PlanningStop? = nil) throws -> QueryPlan {
        do {
            return try planOnce(document, operationName: operationName, enabledLabels: enabledLabels, stop: stop)
        } catch let e as PlanningError where e.code == .planningFailed && Self.hasDefer(document) {
            // `@defer` never turns an operation that can be planned into an error: where its
            // fragments cannot be fetched apart (fields of a value type several subgraphs answer,
            // say), the fetches are planned as without it and the fragments delivered from them.
            return try planOnce(Self.withoutDefer(document), operationName: operationName, enabledLabels: enabledLabels, stop: stop)
        }
    }

    /// Whether a document has a `@defer` anywhere.
    static func hasDefer(_ document: Document) -> Bool {
        func has(_ selections: [Selection]) -> Bool {
            selections.contains { selection in
                if selection.directives.contains(where: { $0.name.value == "defer" }) { return true }
                switch selection {
                case .field(let f): return f.selectionSet.map { has($0.selections) } ?? false
                case .inlineFragment(let i): return has(i.selectionSet.selections)
                case .fragmentSpread: return false
                }
            }
        }
        return document.operations.contains { has($0.selectionSet.selections) } || document.fragments.contains { has($0.selectionSet.selections) }
    }

    /// The document with every `@defer` taken off (for planning only).
    static func withoutDefer(_ document: Document) -> Document {
        func strip(_ set: SelectionSet) -> SelectionSet {
            var out = set
            out.selections = set.selections.map { selection in
                switch selection {
                case .field(var f):
                    f.selectionSet = f.selectionSet.map(strip)
                    return .field(f)
                case .inlineFragment(var i):
                    i.directives.removeAll { $0.name.value == "defer" }
                    i.selectionSet = strip(i.selectionSet)
                    return .inlineFragment(i)
                case .fragmentSpread(var s):
                    s.directives.removeAll { $0.name.value == "defer" }
                    return .fragmentSpread(s)
                }
            }
            return out
        }
        return document.mappingSelectionSets(strip)
    }

    func planOnce(_ document: Document, operationName: String?, enabledLabels: Set<String>?, stop: PlanningStop? = nil) throws -> QueryPlan {
        var ops = document.operations
        if let operationName { ops = ops.filter { $0.name?.value == operationName } }
        guard ops.count == 1, let op = ops.first else {
            throw PlanningError(.operation, .planningFailed, operationName.map { "Unknown operation named \"\($0)\"." } ?? "Must provide operation name if query contains multiple operations.")
        }
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments { fragments[f.name.value] = f }
        let stage = OperationStage(schema: supergraph.schema, operation: op, fragments: fragments, maxSelections: maxSelections)
        let roots = try stage.rootSelections()
        var graph = queryGraph
        if let enabledLabels { graph.enabledLabels = enabledLabels }
        let builder = FetchGraphBuilder(graph: graph, maxSelections: maxSelections, maxFetches: maxFetches)
        builder.stop = stop
        builder.clientVariableDefinitions = Dictionary(op.variableDefinitions.map { ($0.variable.value, $0) }, uniquingKeysWith: { a, _ in a })
        // A field's large arguments (a literal list of events) are printed once for the plan,
        // not once per identity and operation that holds them.
        return try Compact.$printed.withValue(Compact.Printed()) {
            // Estimates cut short once planning stopped: no plan, and no error of theirs.
            do { try builder.buildRoots(roots.selections, rootType: roots.rootType, operation: op.operation) } catch { throw builder.stopped ?? error }
            if let stopped = builder.stopped { throw stopped }
            let assembly = PlanAssembly(builder: builder, operation: op, defers: DeferOrdinals(document, operationName: op.name?.value))
            return QueryPlan(root: try assembly.root(), usesIntrospection: roots.usesIntrospection)
        }
    }
}

/// When planning gives up: past its own time (`QUERY_PLAN_TOO_LARGE`), or when its caller says so (the
/// request was cancelled or its deadline passed). Looked at every few hundred steps of the fetch
/// graph's search.
///
/// Its time is the planning thread's CPU time, not the clock's: a plan's work is the same whether
/// the machine is idle or busy, so an operation past the limit is past it every time — which
/// lets the gateway remember it — and a burst of load cannot push an operation that fits over
/// it (review 56: a refusal remembered from a busy minute would have refused a valid operation
/// for everyone). Made on the thread that plans.
public struct PlanningStop: Sendable {
    public let limitMs: Int
    public let cancelled: @Sendable () -> Bool
    private let startNanoseconds: Int64

    public init(milliseconds: Int, cancelled: @escaping @Sendable () -> Bool = { false }) {
        self.limitMs = milliseconds
        self.cancelled = cancelled
        self.startNanoseconds = Self.threadCPUNanoseconds()
    }

    /// The calling thread's CPU time.
    static func threadCPUNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// The error planning stops with, nil while it may go on.
    func reason() -> PlanningError? {
        // (Not `planningFailed`: that one is planned again without `@defer`.)
        if cancelled() { return PlanningError(.fetchGraph, .planTooLarge, "Planning was stopped: the request was cancelled or timed out.") }
        if Self.threadCPUNanoseconds() - startNanoseconds >= Int64(limitMs) * 1_000_000 {
            return PlanningError(.fetchGraph, .planTooLarge, "The operation took longer than \(limitMs) ms to plan.")
        }
        return nil
    }
}

/// Stage 1: the operation's root selections with fragment spreads expanded into inline
/// fragments (each fragment once per selection set, cycles cut) and root fragments flattened.
struct OperationStage {
    let schema: Schema
    let operation: OperationDefinition
    let fragments: [String: FragmentDefinition]
    let maxSelections: Int
    private let counter = Counter()

    final class Counter { var value = 0 }

    init(schema: Schema, operation: OperationDefinition, fragments: [String: FragmentDefinition], maxSelections: Int) {
        self.schema = schema
        self.operation = operation
        self.fragments = fragments
        self.maxSelections = maxSelections
    }

    func budget() throws {
        counter.value += 1
        if counter.value > maxSelections {
            throw PlanningError(.operation, .planTooLarge, "The operation is too large to plan (over \(maxSelections) selections after fragment expansion).")
        }
    }

    /// The selection without literal `@skip`/`@include`, or nil when one of them excludes it.
    static func settlingLiteralConditions(_ sel: Selection) -> Selection? {
        var kept: [Directive] = []
        for d in sel.directives {
            let name = d.name.value
            guard name == "skip" || name == "include", case .boolean(let b)? = d.arguments.first(where: { $0.name.value == "if" })?.value else {
                kept.append(d)
                continue
            }
            if (name == "skip") == b { return nil }
        }
        if kept.count == sel.directives.count { return sel }
        switch sel {
        case .field(var f): f.directives = kept; return .field(f)
        case .inlineFragment(var i): i.directives = kept; return .inlineFragment(i)
        case .fragmentSpread(var s): s.directives = kept; return .fragmentSpread(s)
        }
    }

    /// A custom directive is forwarded with the arguments its supergraph definition gives a
    /// default (a subgraph whose own definition has no default would refuse it otherwise).
    func withDefaults(_ directives: [Directive]) -> [Directive] {
        directives.map { d in
            let name = d.name.value
            guard name != "skip", name != "include", let def = schema.directives[name] else { return d }
            var d = d
            for (argName, arg) in def.arguments where arg.defaultValue != nil && !d.arguments.contains(where: { $0.name.value == argName }) {
                d.arguments.append(Argument(name: Name(argName), value: arg.defaultValue!, span: .none, valueSpan: .none))
            }
            return d
        }
    }

    func rootSelections() throws -> (rootType: String, selections: [Selection], usesIntrospection: Bool) {
        guard let rootName = schema.rootTypeName(operation.operation) else {
            throw PlanningError(.operation, .planningFailed, "The supergraph has no \(operation.operation.rawValue) type.")
        }
        var out: [Selection] = []
        var introspection = false
        for sel in flattenRoot(try expand(operation.selectionSet.selections, rootName, fragmentStack: []), rootName, conditions: []) {
            switch sel {
            case .field(let f) where f.name.value == "__schema" || f.name.value == "__type":
                introspection = true   // the gateway's own: answered from the API schema
            case .field(let f) where f.name.value == "__typename":
                continue               // the root type's name needs no subgraph
            case .field:
                out.append(sel)
            default:
                if containsIntrospection(sel) { introspection = true }
            }
        }
        return (rootName, out, introspection)
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
                var kept = i.directives.filter { $0.name.value == "skip" || $0.name.value == "include" }
                // A deferred root fragment's fields carry the defer marker to `buildRoots` (which
                // takes it off: subgraphs never see it) so that their fetches are deferred ones.
                if operation.operation == .query, let marker = fragmentConditions(i.directives).last(where: isDeferMarker) {
                    kept.append(marker)   // with the `@defer`'s place: which fragment it is for
                }
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
        for original in selections {
            try budget()
            // Literal conditions are settled here: `@skip(if: true)` drops the selection (and any
            // fetch it would need), `@include(if: true)` is just dropped itself.
            guard let sel = Self.settlingLiteralConditions(original) else { continue }
            switch sel {
            case .field(var f):
                if let ss = f.selectionSet {
                    let inner = schema.namedType(schema.types[typeName].flatMap { schema.field($0, f.name.value) }?.type ?? .named(Name("")))?.name ?? typeName
                    f.selectionSet = SelectionSet(selections: try expand(ss.selections, inner, fragmentStack: fragmentStack))
                }
                f.directives = withDefaults(f.directives)
                out.append(.field(f))
            case .fragmentSpread(let s):
                // A repeated spread adds nothing, unless a condition of its own (or of the earlier
                // one) decides whether it applies: `...P @include(if: $a) ...P` is P either way.
                guard let frag = fragments[s.name.value], !fragmentStack.contains(s.name.value),
                      !s.directives.isEmpty || seenSpreads.insert(s.name.value).inserted else { continue }
                let inner = try expand(frag.selectionSet.selections, frag.typeCondition.value, fragmentStack: fragmentStack + [s.name.value])
                out.append(.inlineFragment(InlineFragment(typeCondition: frag.typeCondition, directives: s.directives,
                                                          selectionSet: SelectionSet(selections: inner), span: .none)))
            case .inlineFragment(var i):
                let inner = i.typeCondition?.value ?? typeName
                i.selectionSet = SelectionSet(selections: try expand(i.selectionSet.selections, inner, fragmentStack: fragmentStack))
                out.append(.inlineFragment(i))
            }
        }
        // An unconditional fragment on the type it stands in (or on none) is just its fields
        // (§6.3.2): planned as they would be bare — split among subgraphs, merged with siblings.
        let flat = out.flatMap { sel -> [Selection] in
            if case .inlineFragment(let i) = sel, i.directives.isEmpty, i.typeCondition == nil || i.typeCondition?.value == typeName {
                return i.selectionSet.selections
            }
            return [sel]
        }
        return Self.mergingFields(flat)
    }

    /// Sibling fields of one response key without directives of their own, merged into the first
    /// (their selections together, merged in turn: CollectFields and MergeSelectionSets, §6.3.2):
    /// `media { id } media { animals }` is planned, and fetched, once.
    static func mergingFields(_ selections: [Selection]) -> [Selection] {
        var first: [String: Int] = [:]
        var out: [Selection] = []
        var merged = false
        for sel in selections {
            guard case .field(let f) = sel, f.directives.isEmpty else { out.append(sel); continue }
            guard let at = first[f.responseKey], case .field(var kept) = out[at] else {
                first[f.responseKey] = out.count
                out.append(sel)
                continue
            }
            if let more = f.selectionSet?.selections {
                kept.selectionSet = SelectionSet(selections: (kept.selectionSet?.selections ?? []) + more, span: kept.selectionSet?.span ?? .none)
                out[at] = .field(kept)
            }
            merged = true
        }
        guard merged else { return selections }
        return out.map { sel in
            guard case .field(var f) = sel, let inner = f.selectionSet else { return sel }
            f.selectionSet = SelectionSet(selections: mergingFields(inner.selections), span: inner.span)
            return .field(f)
        }
    }

}

extension FetchGraphBuilder {
    /// Root fields grouped by subgraph: a field several subgraphs resolve goes where the rest of
    /// its selection needs the fewest jumps, preferring a subgraph already asked; mutation fields
    /// keep document order (consecutive fields of one subgraph share a fetch while nothing else
    /// has to be fetched for the earlier ones).
    func buildRoots(_ selections: [Selection], rootType: String, operation: OperationType) throws {
        // A subscription's events are never incremental (a `@defer` in one is off or refused).
        defersApart = operation != .subscription
        let merged = operation == .mutation ? Self.mergingMutationFields(selections) : selections
        // Root fields of a deferred root fragment: marked by `flattenRoot`, asked in root fetches
        // of their own (the first payload does not wait for them).
        // Each with its fragment's marker (the innermost `@defer` around it).
        var deferredRoots: [Int: Directive] = [:]
        let selections = merged.enumerated().map { index, sel -> Selection in
            guard case .field(var f) = sel, let marker = f.directives.last(where: isDeferMarker) else { return sel }
            f.directives.removeAll(where: isDeferMarker)
            deferredRoots[index] = marker
            return .field(f)
        }
        registerClientFields(selections, type: rootType, path: [])
        // Root fetches per subgraph, and per deferred fragment (siblings fail apart).
        var rootGroups: [(group: FetchGroup, deferred: Bool, fragment: Span?)] = []
        // Whether the mutation field planned last is non-null: the gateway may still null it once
        // its answer is in (a value the API schema hides, a null `@include` condition), and then no
        // later field may run (§6.2.2) — so nothing after it goes in its request.
        var lastMutationFieldNonNull = false   // (and may be nulled by the gateway: `gatewayMayNull`)
        func rootGroup(_ g: String, deferred: Bool, fragment: Span? = nil) throws -> FetchGroup {
            if operation == .mutation {
                // Consecutive mutation fields of one subgraph share a request only while the earlier
                // ones need no further fetch (each field's answer is complete before the next runs)
                // and are nullable.
                if !lastMutationFieldNonNull, let last = rootGroups.last?.group, last.graph == g, last.children.isEmpty { return last }
            } else if let existing = rootGroups.first(where: { $0.group.graph == g && $0.deferred == deferred && $0.fragment == fragment }) {
                return existing.group
            }
            let group = try newGroup(graph: g, parent: nil, path: [], rootType: rootType)
            rootGroups.append((group, deferred, fragment))
            return group
        }
        let rootContexts = supergraph.types[rootType]?.contexts ?? []
        if !rootContexts.isEmpty, operation == .query {
            let graphs = supergraph.graphs
            rootContextAncestor = { [unowned self] name in
                guard rootContexts.contains(name), let g = graphs.first(where: { name.hasPrefix($0.name + "__") }) else { return nil }
                let group = try rootGroup(g.id, deferred: false)
                return Ancestor(group: group, node: group.output, path: [], type: rootType)
            }
        }
        defer { rootContextAncestor = nil }
        for (index, sel) in selections.enumerated() {
            guard case .field(let f) = sel else { continue }
            let rootMarker = deferredRoots[index]
            let deferredRoot = rootMarker != nil
            let candidates = graph.graphs(resolving: rootType, f.name.value)
            guard !candidates.isEmpty else {
                throw PlanningError(.fetchGraph, .planningFailed, "No subgraph resolves \(rootType).\(f.name.value).")
            }
            let used = Set(rootGroups.map(\.group.graph))
            func cost(_ g: String) -> Int {
                unreachable([sel], type: rootType, in: g, depth: 0) * 1000 + localMisses([sel], type: rootType, in: g, depth: 0) * 2 + (used.contains(g) ? 0 : 1)
            }
            let chosen = candidates.min { cost($0) < cost($1) }!
            // A shareable root field whose selection no one subgraph can answer (a value type each
            // subgraph adds fields to): each part of it from a subgraph that can, merged by the tree.
            var parts: [(String, [Selection])] = [(chosen, f.selectionSet?.selections ?? [])]
            if operation != .mutation, candidates.count > 1, let sub = f.selectionSet,
               unreachable([sel], type: rootType, in: chosen, depth: 0) > 0 {
                let byGraph = partition(sub.selections, among: [chosen] + candidates.filter { $0 != chosen }) { g in
                    fieldTypeName(rootType, f.name.value, in: g)
                }
                parts = byGraph.map { ($0.key, $0.value) }
            }
            // A part made only of `@defer` fragments is there only for them — unless every part
            // is (then the first payload needs the root field from one of them).
            let deferredParts = parts.map { _, subSelections in
                parts.count > 1 && !subSelections.isEmpty && subSelections.allSatisfy { s in
                    guard case .inlineFragment(let i) = s else { return false }
                    return fragmentConditions(i.directives).contains(where: isDeferMarker)
                }
            }
            let allDeferred = !deferredParts.contains(false)
            for (p, (g, subSelections)) in parts.enumerated() {
                var part = f
                if f.selectionSet != nil, parts.count > 1 {
                    part.span = .none   // a new field: cost estimates are not shared with the whole
                    part.selectionSet = SelectionSet(selections: subSelections)
                }
                let deferred = deferredRoot || (deferredParts[p] && !allDeferred)
                let group = try rootGroup(g, deferred: deferredRoot, fragment: rootMarker?.span)
                group.origins.append(variableConditions(part.directives) + (deferred ? [rootMarker ?? deferMarker] : []))
                var touched = Set<Int>()
                try plan([.field(part)], type: rootType, group: group, node: group.output, path: [],
                         context: Context(conditions: rootMarker.map { [$0] } ?? []), touched: &touched)
            }
            if operation == .mutation {
                let def = schema.types[rootType].flatMap { schema.field($0, f.name.value) }
                lastMutationFieldNonNull = (def?.type.isNonNull ?? true)
                    && gatewayMayNull(f.selectionSet?.selections ?? [], type: def?.type.namedType.value ?? "", depth: 0)
            }
        }
    }
}

extension FetchGraphBuilder {
    /// Whether the gateway itself may null what a subgraph answered for `selections` (of `type`):
    /// a `@skip`/`@include` reading a variable (a null one fails the object's fields), an enum
    /// with values the API schema hides, an abstract type with hidden members. A mutation field
    /// without any of these shares its subgraph's request with the next.
    func gatewayMayNull(_ selections: [Selection], type: String, depth: Int) -> Bool {
        guard depth < 32 else { return true }
        for sel in selections {
            let conditional = sel.directives.contains { d in
                (d.name.value == "skip" || d.name.value == "include") && d.arguments.contains { if case .variable = $0.value { return true } else { return false } }
            }
            if conditional { return true }
            switch sel {
            case .field(let f):
                guard let t = schema.types[type], let def = schema.field(t, f.name.value) else { continue }
                let inner = def.type.namedType.value
                if supergraph.hiddenEnumValues[inner]?.isEmpty == false { return true }
                if let named = schema.types[inner], named.kind.isAbstract, named.possibleTypes.contains(where: { supergraph.hiddenTypes.contains($0) }) { return true }
                if let sub = f.selectionSet, gatewayMayNull(sub.selections, type: inner, depth: depth + 1) { return true }
            case .inlineFragment(let i):
                if gatewayMayNull(i.selectionSet.selections, type: i.typeCondition?.value ?? type, depth: depth + 1) { return true }
            case .fragmentSpread:
                return true   // (expanded before planning: not expected here)
            }
        }
        return false
    }
}

extension FetchGraphBuilder {
    /// A mutation's root fields of one response key merged into one (CollectFields, §6.3.2), so
    /// that it runs once, where the first included copy stands (§6.2.2): a later copy's selections
    /// join the first (under the later copy's own conditions); when the first copy has a condition
    /// of its own (`@include(if: $x)`), a later copy with other conditions also joins it under
    /// them, and stays where it is for when the first is left out (under the opposite condition,
    /// `@skip(if: $x)`). Copies whose first has several conditions are left as they are.
    static func mergingMutationFields(_ selections: [Selection]) -> [Selection] {
        func conditions(_ f: Field) -> [String] {
            variableConditions(f.directives).map { d in
                if case .variable(let v)? = d.arguments.first(where: { $0.name.value == "if" })?.value { return d.name.value + ":" + v }
                return d.name.value
            }
        }
        var out: [Selection] = []
        var first: [String: Int] = [:]   // response key → its first copy in `out`
        for sel in selections {
            guard case .field(let f) = sel, let i = first[f.responseKey], case .field(var head) = out[i] else {
                if case .field(let f) = sel { first[f.responseKey] = out.count }
                out.append(sel)
                continue
            }
            let mine = conditions(f), theirs = conditions(head)
            if let sub = f.selectionSet {
                let joined: [Selection] = mine.isEmpty || mine == theirs ? sub.selections
                    : [.inlineFragment(InlineFragment(typeCondition: nil, directives: variableConditions(f.directives), selectionSet: sub))]
                head.selectionSet = SelectionSet(selections: (head.selectionSet?.selections ?? []) + joined)
                out[i] = .field(head)
            }
            if theirs.isEmpty || mine == theirs { continue }   // runs as the first copy, always or alike
            // Where the first copy is left out, this one is the field's first included copy: one
            // copy per condition of the first that fails, the ones before it holding (disjoint, so
            // at most one runs — kept whole, a later copy of a field under two conditions ran the
            // mutation a second time when both held).
            let firstConditions = variableConditions(head.directives)
            for k in firstConditions.indices {
                var copy = f
                copy.directives += firstConditions[..<k]
                var opposite = firstConditions[k]
                opposite.name = Name(opposite.name.value == "include" ? "skip" : "include")
                copy.directives.append(opposite)
                out.append(.field(copy))
            }
        }
        return out
    }
}

/// Stage 3: fetch groups → plan nodes. Groups run in dependency order (a group after its parent
/// and after every group its representations read from), level by level, the groups of one
/// level in parallel; mutation root fetches run in document order, each with what follows it.
struct PlanAssembly {
    let builder: FetchGraphBuilder
    let operation: OperationDefinition
    /// The document's deferred fragments, numbered (`FetchNode.deferredFor`).
    var defers: DeferOrdinals? = nil
    var groups: [FetchGroup] { builder.groups }

    func root() throws -> PlanNode? {
        let roots = groups.filter { $0.parent == nil }
        // A tree of fetches where each group's dependencies lie in its own branch nests like the
        // answer (a slow branch does not hold up the others); otherwise level by level.
        if let nested = try? roots.map({ try subtree($0) }), nested.allSatisfy({ $0 != nil }) {
            let nodes = nested.compactMap { $0 }
            if nodes.isEmpty { return nil }
            if nodes.count == 1 { return nodes[0] }
            return operation.operation == .mutation ? .sequence(nodes) : .parallel(nodes)
        }
        if operation.operation == .mutation {
            let nodes = try roots.map { r -> PlanNode in
                let members = groups.filter { topRoot($0) === r }
                return try levels(members) ?? .sequence([])
            }
            if nodes.isEmpty { return nil }
            return nodes.count == 1 ? nodes[0] : .sequence(nodes)
        }
        return try levels(groups)
    }

    struct NotATree: Error {}

    /// The group's fetch, then its children in dependency order (siblings in parallel); nil
    /// when a dependency reaches outside the branch.
    func subtree(_ g: FetchGroup) throws -> PlanNode? {
        let kids = g.children.filter { !$0.output.isEmpty || !$0.children.isEmpty }
        var branch: [Int: Set<Int>] = [:]   // kid → ids in its subtree
        func collect(_ x: FetchGroup, into set: inout Set<Int>) { set.insert(x.id); x.children.forEach { collect($0, into: &set) } }
        for k in kids { var set = Set<Int>(); collect(k, into: &set); branch[k.id] = set }
        var ancestors = Set<Int>()
        var a: FetchGroup? = g
        while let x = a { ancestors.insert(x.id); a = x.parent }
        // Every dependency of a group below must be an ancestor or inside this group's subtree.
        var inside = Set<Int>(); collect(g, into: &inside)
        var after: [Int: Set<Int>] = [:]
        for k in kids {
            for d in allDependencies(branch[k.id]!) where !branch[k.id]!.contains(d) {
                if ancestors.contains(d) { continue }
                guard inside.contains(d), let j = kids.first(where: { branch[$0.id]!.contains(d) }) else { throw NotATree() }
                after[k.id, default: []].insert(j.id)
            }
        }
        // Kids that depend on one another, directly or through others, form a component run
        // level by level; components run side by side, so a branch waits only for what it reads
        // (a fetch for a deferred fragment never holds up one the first payload needs).
        var component: [Int: Int] = [:]
        func find(_ x: Int) -> Int { var x = x; while let up = component[x], up != x { x = up }; return x }
        for k in kids { component[k.id] = k.id }
        for (k, deps) in after { for d in deps { component[find(k)] = find(d) } }
        var components: [[FetchGroup]] = []
        var slot: [Int: Int] = [:]
        for k in kids {
            let c = find(k.id)
            if let i = slot[c] { components[i].append(k) } else { slot[c] = components.count; components.append([k]) }
        }
        var branches: [PlanNode] = []
        for members in components {
            var stages: [PlanNode] = []
            var placed = Set<Int>()
            var remaining = members
            while !remaining.isEmpty {
                let ready = remaining.filter { (after[$0.id] ?? []).isSubset(of: placed) }
                guard !ready.isEmpty else { throw PlanningError(.assembly, .planningFailed, "Circular dependency between entity fetches.") }
                let nodes = try ready.compactMap { try subtree($0) }
                if !nodes.isEmpty { stages.append(nodes.count == 1 ? nodes[0] : .parallel(nodes)) }
                placed.formUnion(ready.map(\.id))
                remaining.removeAll { placed.contains($0.id) }
            }
            let flat = stages.flatMap { n -> [PlanNode] in if case .sequence(let inner) = n { return inner } else { return [n] } }
            if !flat.isEmpty { branches.append(flat.count == 1 ? flat[0] : .sequence(flat)) }
        }
        let stages: [PlanNode] = branches.count > 1 ? [.parallel(branches.flatMap { b -> [PlanNode] in
            if case .parallel(let inner) = b { return inner } else { return [b] }
        })] : branches
        let own: PlanNode? = g.output.isEmpty ? nil : node(g)
        let all = ((own.map { [$0] } ?? []) + stages).flatMap { n -> [PlanNode] in
            if case .sequence(let inner) = n { return inner } else { return [n] }
        }
        if all.isEmpty { return nil }
        return all.count == 1 ? all[0] : .sequence(all)
    }

    func allDependencies(_ ids: Set<Int>) -> Set<Int> {
        var out = Set<Int>()
        for id in ids { out.formUnion(groups[id].dependsOn) }
        return out
    }

    func topRoot(_ g: FetchGroup) -> FetchGroup {
        var g = g
        while let p = g.parent { g = p }
        return g
    }

    func levels(_ members: [FetchGroup]) throws -> PlanNode? {
        let ids = Set(members.map(\.id))
        var level: [Int: Int] = [:]
        func depth(_ g: FetchGroup, _ stack: Set<Int>) throws -> Int {
            if let l = level[g.id] { return l }
            guard !stack.contains(g.id) else { throw PlanningError(.assembly, .planningFailed, "Circular dependency between entity fetches.") }
            var d = 0
            var deps = Array(g.dependsOn)
            if let p = g.parent { deps.append(p.id) }
            for dep in deps where ids.contains(dep) {
                d = max(d, try depth(groups[dep], stack.union([g.id])) + 1)
            }
            level[g.id] = d
            return d
        }
        var byLevel: [[FetchGroup]] = []
        for g in members where !g.output.isEmpty {
            let d = try depth(g, [])
            while byLevel.count <= d { byLevel.append([]) }
            byLevel[d].append(g)
        }
        let stages = byLevel.filter { !$0.isEmpty }.map { lvl -> PlanNode in
            let nodes = lvl.map(node)
            return nodes.count == 1 ? nodes[0] : .parallel(nodes)
        }
        if stages.isEmpty { return nil }
        return stages.count == 1 ? stages[0] : .sequence(stages)
    }

    func node(_ g: FetchGroup) -> PlanNode {
        let deferredOnly = !g.origins.isEmpty && g.origins.allSatisfy { $0.contains(where: isDeferMarker) }
        // The one fragment every client selection it is for sits in (the innermost `@defer`).
        let ids = Set(g.origins.map(deferID))
        let deferredFor = deferredOnly && ids.count == 1 ? ids.first!.flatMap { defers?.ordinal(directive: $0) } : nil
        let (shared, runsWhen) = conditions(g.origins)
        let fetch = makeFetch(g, deferredOnly: deferredOnly, deferredFor: deferredFor, runsWhen: runsWhen)
        let n: PlanNode = g.rootType == nil || !g.path.isEmpty ? .flatten(path: g.path, fetch) : .fetch(fetch)
        return shared.reduce(n) { result, c in
            .condition(Condition(variable: c.variable, defaultValue: c.defaultValue,
                                 ifTrue: c.include ? result : nil, ifFalse: c.include ? nil : result))
        }
    }

    /// When every client selection a fetch exists for sits under the same `@include(if: $v)` (or
    /// `@skip(if: $v)`), the fetch runs only when that holds (`shared`: an `Include` node around
    /// it). When each sits under variable conditions but they differ (`a @include(if: $x)` and
    /// `b @skip(if: $y)`), it runs only when one selection's hold (`runsWhen`, decided when the
    /// run's steps are: a fetch for fields the variables all leave out is not sent).
    func conditions(_ origins: [[Directive]]) -> (shared: [VariableCondition], runsWhen: [[VariableCondition]]) {
        func parse(_ d: Directive) -> VariableCondition? {
            guard d.name.value == "include" || d.name.value == "skip",
                  case .variable(let v)? = d.arguments.first(where: { $0.name.value == "if" })?.value else { return nil }
            var defaultValue: Bool?
            if let def = operation.variableDefinitions.first(where: { $0.variable.value == v }), case .boolean(let b)? = def.defaultValue {
                defaultValue = b
            }
            return VariableCondition(variable: v, include: d.name.value == "include", defaultValue: defaultValue)
        }
        let each = origins.map { $0.compactMap(parse) }
        guard let first = each.first else { return ([], []) }
        var shared: [VariableCondition] = []
        for c in first where !shared.contains(c) && each.dropFirst().allSatisfy({ $0.contains(c) }) { shared.append(c) }
        // What each selection needs beyond the shared conditions; one that needs nothing more
        // holds whenever they do.
        var rest: [[VariableCondition]] = []
        for conditions in each {
            var own: [VariableCondition] = []
            for c in conditions where !shared.contains(c) && !own.contains(c) { own.append(c) }
            if own.isEmpty { return (shared, []) }
            if !rest.contains(own) { rest.append(own) }
        }
        return (shared, rest)
    }

    func makeFetch(_ g: FetchGroup, deferredOnly: Bool = false, deferredFor: Int? = nil, runsWhen: [[VariableCondition]] = []) -> FetchNode {
        let name = builder.graphName(g.graph)
        var renames: [String: String] = [:]
        SelectionTree.aliasConflicts([g.output], schema: builder.schema, reserved: builder.clientResponseKeys, renames: &renames)
        let reserved = Set(operation.variableDefinitions.map(\.variable.value) + g.contextInputs.map(\.variable))
        var (selections, conditionAliases) = Self.separateConditionVariables(Self.oneConditionPerLocation(g.output.selections), reserved: reserved)
        var used = OrderedSet<String>()
        collectVariables(selections, &used)
        // A `@requires` binding's variable takes the client's value when the request has one.
        for v in used { if let d = builder.defaultedVariables[v] { conditionAliases[v] = d.client } }
        // A client's `$representations` in an entity fetch is asked under a name of its own: the
        // fetch's `$representations` is the planner's.
        if g.rootType == nil, used.contains("representations") {
            var n = "_representations"
            while reserved.contains(n) || conditionAliases[n] != nil { n = "_" + n }
            selections = Self.renamingVariables(selections, ["representations": n])
            conditionAliases[n] = conditionAliases["representations"] ?? "representations"
            conditionAliases["representations"] = nil
            used = []
            collectVariables(selections, &used)
        }
        // The aliases of fields the planner asks for itself: those the client's operation does not
        // use (a client's field aliased `__typename` is asked as `__typename__sy`: the client's).
        var plannerAliases = Set<String>()
        func aliases(_ selections: [Selection]) {
            for sel in selections {
                switch sel {
                case .field(let f):
                    if let a = f.alias?.value, !builder.clientResponseKeys.contains(SelectionTree.clientKey(a)), renames[a] == nil { plannerAliases.insert(a) }
                    if let ss = f.selectionSet { aliases(ss.selections) }
                case .inlineFragment(let i): aliases(i.selectionSet.selections)
                case .fragmentSpread: break
                }
            }
        }
        aliases(selections)
        func definitions(_ used: OrderedSet<String>) -> [String] {
            used.compactMap { v -> String? in
                if let d = builder.defaultedVariables[v] { return "$\(v):\(d.type)=\(Printer.print(d.defaultValue))" }
                let client = conditionAliases[v] ?? v
                guard let def = operation.variableDefinitions.first(where: { $0.variable.value == client }) else { return nil }
                return "$\(v):\(def.type)" + (def.defaultValue.map { "=" + Printer.print($0) } ?? "")
            }
        }
        let varDefs = definitions(used) + g.contextInputs.map { "$\($0.variable):\($0.type)" }
        used.removeAll { v in g.contextInputs.contains { $0.variable == v } }
        if g.rootType == nil {
            let defs = (["$representations:[_Any!]!"] + varDefs).joined(separator: ",")
            let op = "query(\(defs)){_entities(representations:$representations)\(Compact.selectionSet(selections))}"
            let inputs = g.entities.map { type, input in
                var r = EntityRepresentation(typeCondition: type, selection: SelectionSet(selections: input.selection.selections),
                                             keyFields: input.keyFields, asInterfaceObject: input.asInterfaceObject)
                r.conditionalInputs = input.conditionalInputs
                r.requiringFields = input.satisfiedRequires
                return r
            }
            // The same fetch without its fields that need `@requires` inputs: for entities an input
            // could not be had for (not with `@fromContext` inputs, which are per request).
            var variant: String?
            let requiring = Dictionary(uniqueKeysWithValues: g.entities.map { ($0.key, $0.value.satisfiedRequires) })
            if g.contextInputs.isEmpty, requiring.values.contains(where: { !$0.isEmpty }),
               let stripped = Self.removing(requiring, from: selections) {
                var usedBy = OrderedSet<String>()
                collectVariables(stripped, &usedBy)
                let defs = (["$representations:[_Any!]!"] + definitions(usedBy)).joined(separator: ",")
                variant = "query(\(defs)){_entities(representations:$representations)\(Compact.selectionSet(stripped))}"
            }
            return FetchNode(subgraph: name, operation: op, operationKind: .query, variables: Array(used), entities: inputs,
                             internalAliases: renames, contextInputs: g.contextInputs, deferredOnly: deferredOnly, deferredFor: deferredFor,
                             conditionAliases: conditionAliases, plannerAliases: plannerAliases, withoutRequires: variant, runsWhen: runsWhen)
        }
        // The root fields of a `Query` inside the answer (a mutation payload's `query`) are a query.
        let kind = g.path.isEmpty ? operation.operation : .query
        let head = kind == .query && varDefs.isEmpty ? "" : kind.rawValue + (varDefs.isEmpty ? "" : "(\(varDefs.joined(separator: ",")))")
        return FetchNode(subgraph: name, operation: head + Compact.selectionSet(selections), operationKind: kind,
                         variables: Array(used), entities: [], internalAliases: renames, deferredOnly: deferredOnly, deferredFor: deferredFor,
                         conditionAliases: conditionAliases, plannerAliases: plannerAliases, runsWhen: runsWhen)
    }

    /// An entity fetch's selections (a fragment per type condition) without the fields named in
    /// `fields` for that type (at the fragment's top, through fragments without a type
    /// condition); a fragment left empty asks `__typename`.
    /// Nil when a type with such fields has no fragment of its own there, or when nothing but
    /// `__typename` would be left (no variant is made).
    static func removing(_ fields: [String: Set<String>], from selections: [Selection]) -> [Selection]? {
        let named = Set(selections.compactMap { sel -> String? in
            if case .inlineFragment(let i) = sel { return i.typeCondition?.value } else { return nil }
        })
        guard fields.allSatisfy({ $0.value.isEmpty || named.contains($0.key) }) else { return nil }
        func strip(_ selections: [Selection], _ names: Set<String>) -> [Selection] {
            selections.compactMap { sel -> Selection? in
                switch sel {
                case .field(let f): return names.contains(f.name.value) ? nil : sel
                case .inlineFragment(var i) where i.typeCondition == nil:
                    i.selectionSet.selections = strip(i.selectionSet.selections, names)
                    return i.selectionSet.selections.isEmpty ? nil : .inlineFragment(i)
                default: return sel
                }
            }
        }
        var asksSomething = false
        let stripped = selections.map { sel -> Selection in
            guard case .inlineFragment(var i) = sel, let type = i.typeCondition?.value, let names = fields[type], !names.isEmpty else {
                asksSomething = true
                return sel
            }
            i.selectionSet.selections = strip(i.selectionSet.selections, names)
            if i.selectionSet.selections.contains(where: { if case .field(let f) = $0 { f.name.value != "__typename" } else { true } }) { asksSomething = true }
            if i.selectionSet.selections.isEmpty { i.selectionSet.selections = [.field(Field(name: Name("__typename")))] }
            return .inlineFragment(i)
        }
        // Nothing left but `__typename`: no variant (the entities would be sent for nothing).
        return asksSomething ? stripped : nil
    }

    /// `@skip` and `@include` are not repeatable: a field that gathered two of one kind (its own
    /// and a fragment's around it) keeps the first and is wrapped in an inline fragment for each
    /// other, which means the same (all must hold).
    static func oneConditionPerLocation(_ selections: [Selection]) -> [Selection] {
        selections.map { sel in
            switch sel {
            case .field(var f):
                if let ss = f.selectionSet { f.selectionSet = SelectionSet(selections: oneConditionPerLocation(ss.selections), span: ss.span) }
                var kept: [Directive] = [], extra: [Directive] = []
                for d in f.directives {
                    if (d.name.value == "skip" || d.name.value == "include"), kept.contains(where: { $0.name.value == d.name.value }) {
                        extra.append(d)
                    } else {
                        kept.append(d)
                    }
                }
                guard !extra.isEmpty else { return .field(f) }
                f.directives = kept
                var wrapped = Selection.field(f)
                for d in extra {
                    wrapped = .inlineFragment(InlineFragment(typeCondition: nil, directives: [d], selectionSet: SelectionSet(selections: [wrapped]), span: .none))
                }
                return wrapped
            case .inlineFragment(var i):
                i.selectionSet = SelectionSet(selections: oneConditionPerLocation(i.selectionSet.selections), span: i.selectionSet.span)
                return .inlineFragment(i)
            case .fragmentSpread:
                return sel
            }
        }
    }

    /// A client variable a fetch reads both as a `@skip`/`@include` condition and elsewhere (an
    /// argument) is given a variable of its own for the conditions (`$__if_v`, the same value):
    /// a null one is then sent as true for the conditions only (`FetchNode.conditionOnlyVariables`,
    /// the gateway reports that null itself) and as null where it is an argument's value.
    /// Returns the selections and the new names → the client's.
    static func separateConditionVariables(_ selections: [Selection], reserved: Set<String>) -> ([Selection], [String: String]) {
        var conditions = Set<String>(), others = Set<String>()
        VariableUses.note(selections, conditions: &conditions, others: &others)
        func isCondition(_ d: Directive) -> Bool { d.name.value == "skip" || d.name.value == "include" }
        let shared = conditions.intersection(others)
        guard !shared.isEmpty else { return (selections, [:]) }
        var names: [String: String] = [:], aliases: [String: String] = [:]
        for v in shared.sorted() {
            var n = "__if_" + v
            while reserved.contains(n) || aliases[n] != nil { n += "_" }
            names[v] = n
            aliases[n] = v
        }
        func renamed(_ directives: [Directive]) -> [Directive] {
            directives.map { d in
                guard isCondition(d) else { return d }
                var d = d
                d.arguments = d.arguments.map { a in
                    guard a.name.value == "if", case .variable(let v) = a.value, let n = names[v] else { return a }
                    var a = a
                    a.value = .variable(n)
                    return a
                }
                return d
            }
        }
        func rewrite(_ selections: [Selection]) -> [Selection] {
            selections.map { sel in
                switch sel {
                case .field(var f):
                    f.directives = renamed(f.directives)
                    if let ss = f.selectionSet { f.selectionSet = SelectionSet(selections: rewrite(ss.selections), span: ss.span) }
                    return .field(f)
                case .inlineFragment(var i):
                    i.directives = renamed(i.directives)
                    i.selectionSet = SelectionSet(selections: rewrite(i.selectionSet.selections), span: i.selectionSet.span)
                    return .inlineFragment(i)
                case .fragmentSpread:
                    return sel
                }
            }
        }
        return (rewrite(selections), aliases)
    }

    /// `selections` with the variables named in `names` renamed, in arguments and directives.
    static func renamingVariables(_ selections: [Selection], _ names: [String: String]) -> [Selection] {
        func value(_ v: Value) -> Value {
            switch v {
            case .variable(let n): return .variable(names[n] ?? n)
            case .list(let items): return .list(items.map(value))
            case .object(let fields): return .object(fields.map { f in var f = f; f.value = value(f.value); return f })
            default: return v
            }
        }
        func arguments(_ args: [Argument]) -> [Argument] { args.map { a in var a = a; a.value = value(a.value); return a } }
        func directives(_ ds: [Directive]) -> [Directive] { ds.map { d in var d = d; d.arguments = arguments(d.arguments); return d } }
        return selections.map { sel in
            switch sel {
            case .field(var f):
                f.arguments = arguments(f.arguments)
                f.directives = directives(f.directives)
                if let ss = f.selectionSet { f.selectionSet = SelectionSet(selections: renamingVariables(ss.selections, names), span: ss.span) }
                return .field(f)
            case .inlineFragment(var i):
                i.directives = directives(i.directives)
                i.selectionSet = SelectionSet(selections: renamingVariables(i.selectionSet.selections, names), span: i.selectionSet.span)
                return .inlineFragment(i)
            case .fragmentSpread(var s):
                s.directives = directives(s.directives)
                return .fragmentSpread(s)
            }
        }
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
                arguments(f.arguments, into: &out)
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

    /// Arguments printed during one planning, by where they are in the client's document.
    final class Printed: @unchecked Sendable {   // one planning's, on its task alone
        var texts: [Span: (arguments: [Argument], text: String)] = [:]
    }
    @TaskLocal static var printed: Printed?

    /// `(name:value,…)` appended to `out` (nothing when there are no arguments).
    static func arguments(_ args: [Argument], into out: inout String) {
        guard !args.isEmpty else { return }
        // Large ones are kept for the rest of the planning (checked equal on reuse: fields the
        // planner parsed itself, keys and requirements, have spans in texts of their own).
        if let first = args.first?.span, let last = args.last?.span, first != .none, Int(last.end) - Int(first.start) >= 128,
           let printed = Compact.printed {
            let at = Span(Int(first.start), Int(last.end))
            if let known = printed.texts[at], known.arguments == args {
                out += known.text
                return
            }
            var text = ""
            write(args, into: &text)
            printed.texts[at] = (args, text)
            out += text
            return
        }
        write(args, into: &out)
    }

    private static func write(_ args: [Argument], into out: inout String) {
        out += "("
        for (j, a) in args.enumerated() {
            if j > 0 { out += "," }
            out += a.name.value
            out += ":"
            Printer.write(a.value, into: &out)
        }
        out += ")"
    }

    static func directives(_ ds: [Directive]) -> String {
        var out = ""
        for d in ds {
            out += "@"
            out += d.name.value
            arguments(d.arguments, into: &out)
        }
        return out
    }
}
