import GraphQLCore

/// Composition's satisfiability check, on the query graph. A query may start in any subgraph
/// that resolves its root field, so what is checked is every path of the API schema (fields and
/// type conditions) against the set of (type, subgraph) places it can be in: each field must be
/// answerable from at least one of them — resolved there, or through a key edge to a subgraph
/// that resolves it (keys may themselves come through one more hop) — as the planner would.
enum Satisfiability {
    /// A type in a subgraph, with what a `@provides` above gives that subgraph there.
    struct Place: Hashable {
        let type: String
        let graph: String
        var provided: SelectionSet? = nil
    }

    /// Readable errors naming the field, the subgraphs it cannot be reached from, and the query path.
    /// Also: a field answered by several subgraphs from one place of a query must answer with
    /// objects of some type they have in common — a shared field whose abstract type has no
    /// runtime type in common across them (A returns only `I1`, B only `I2`) answers differently
    /// by which subgraph the plan picks (Apollo: SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES).
    static func check(_ graph: QueryGraph, maxStates: Int = 400_000) -> [CompositionError] {
        let supergraph = graph.supergraph
        let schema = supergraph.apiSchema
        struct Visit: Hashable { let type: String; let places: Set<Place> }
        var seen = Set<Visit>()
        // Each state keeps the step that reached it and the state it came from: the query path
        // is spelled out only for an error (a path string per state grew with the depth: a chain
        // of 20,000 types took 3 GB).
        var queue: [(type: String, places: Set<Place>, from: Int, step: String)] = []
        func path(_ state: Int) -> String {
            var steps: [String] = []
            var at = state
            while at >= 0 { steps.append(queue[at].step); at = queue[at].from }
            return steps.reversed().joined()
        }
        var errors: [CompositionError] = []
        var reported = Set<String>()
        // More (type, places) states than `maxStates`: the check could not look at every path.
        var cutShort = false

        func fieldType(_ type: String, _ field: String, _ g: String) -> String? {
            if let t = supergraph.fieldGraph(type, field, in: g)?.type { return t.namedType.value }
            return supergraph.schema.types[type].flatMap { supergraph.schema.field($0, field) }?.type.namedType.value
        }
        func enqueue(_ apiType: String, _ places: Set<Place>, from: Int, _ step: String) {
            guard !places.isEmpty, schema.types[apiType]?.kind.isComposite == true else { return }
            let visit = Visit(type: apiType, places: places)
            guard !seen.contains(visit) else { return }
            guard seen.count < maxStates else { cutShort = true; return }   // a state not looked at
            seen.insert(visit)
            queue.append((apiType, places, from, step))
        }
        /// The places objects of type `object` can be in, coming from `places` (a type condition).
        func downcast(_ places: Set<Place>, to object: String) -> Set<Place> {
            var out = Set<Place>()
            for p in places {
                if p.type == object { out.insert(p); continue }
                guard let node = graph.node(p.type, p.graph) else { continue }
                if node.isInterfaceObject {
                    // Only a subgraph with the interface itself knows the object's type.
                    for h in graph.graphs(of: p.type) where h != p.graph {
                        guard let owner = graph.node(p.type, h), !owner.isInterfaceObject, owner.possibleTypes.contains(object) else { continue }
                        if owner.keys.contains(where: { graph.canProvide($0.selections, on: p.type, from: p.graph, hops: 1) }) {
                            out.insert(Place(type: object, graph: h))
                        }
                    }
                } else if node.possibleTypes.contains(object) {
                    // What a @provides gives on the abstract type, narrowed to the object.
                    out.insert(Place(type: object, graph: p.graph, provided: graph.providedSubset(p.provided, for: object)))
                }
            }
            return out
        }
        /// Where `type.field` can be answered from `place`, and the field's type there.
        func next(_ place: Place, _ field: String) -> [Place] {
            var out: [Place] = []
            if let e = graph.field(place.type, field, in: place.graph), e.requires == nil,
               let t = fieldType(place.type, field, place.graph) {
                out.append(Place(type: t, graph: place.graph, provided: e.provides))
            } else if let p = place.provided?.fieldNamed(field), supergraph.fieldGraph(place.type, field, in: place.graph) != nil,
                      let t = fieldType(place.type, field, place.graph) {
                // An external field the `@provides` above gives this subgraph here.
                out.append(Place(type: t, graph: place.graph, provided: p.selectionSet))
            }
            // The same field through a key elsewhere (what it leads to may differ there).
            for h in graph.reachableGraphs(for: place.type, field, from: place.graph, insideAnswer: true, provided: place.provided)
            where out.isEmpty || h != place.graph {
                if let t = fieldType(place.type, field, h) { out.append(Place(type: t, graph: h)) }
            }
            return out
        }

        for op in [OperationType.query, .mutation, .subscription] {
            guard let root = schema.rootTypeName(op), let rootType = schema.types[root] else { continue }
            for fname in rootType.fields.keys where !fname.hasPrefix("__") {
                let places = Set(graph.graphs(resolving: root, fname).compactMap { g in
                    fieldType(root, fname, g).map { Place(type: $0, graph: g, provided: graph.field(root, fname, in: g)?.provides) }
                })
                guard let type = rootType.fields[fname]?.type else { continue }
                enqueue(type.namedType.value, places, from: -1, "\(root).\(fname)")
                if let mismatch = mismatchedRuntimeTypes(type.namedType.value, places) {
                    errors.append(mismatchedError(root, fname, type, "\(root).\(fname)", mismatch))
                }
            }
        }
        var i = 0
        while i < queue.count {
            let (apiType, places, _, _) = queue[i]
            let state = i
            i += 1
            guard let named = schema.types[apiType] else { continue }
            if named.kind.isAbstract {
                for object in named.possibleTypes {
                    enqueue(object, downcast(places, to: object), from: state, " ... on \(object)")
                }
                // Fields asked on the interface itself where a subgraph sees it as an object.
                let asObjects = places.filter { graph.node($0.type, $0.graph)?.isInterfaceObject == true }
                if !asObjects.isEmpty { check(named, asObjects, state) }
                continue
            }
            check(named, places, state)
        }

        func check(_ named: NamedType, _ places: Set<Place>, _ state: Int) {
            for (fname, def) in named.fields where !fname.hasPrefix("__") {
                var reached = Set<Place>()
                for p in places { reached.formUnion(next(p, fname)) }
                if reached.isEmpty {
                    let key = "\(named.name).\(fname)"
                    if reported.insert(key).inserted {
                        let from = places.map { "\"\(supergraph.graph(id: $0.graph)?.name ?? $0.graph)\"" }.sorted().joined(separator: ", ")
                        let resolving = graph.graphs(resolving: named.name, fname).map { "\"\(supergraph.graph(id: $0)?.name ?? $0)\"" }
                        errors.append(CompositionError(.satisfiability, "The field \"\(named.name).\(fname)\" cannot be reached from subgraph(s) \(from) (query path \(path(state))): "
                                      + (resolving.isEmpty ? "no subgraph resolves it." : "it is resolved only by \(resolving.joined(separator: ", ")), and no key of \"\(named.name)\" there can be provided from \(from).")))
                    }
                    continue
                }
                if let mismatch = mismatchedRuntimeTypes(def.type.namedType.value, reached), reported.insert("runtime \(named.name).\(fname)").inserted {
                    errors.append(mismatchedError(named.name, fname, def.type, path(state), mismatch))
                }
                enqueue(def.type.namedType.value, reached, from: state, " → \(named.name).\(fname)")
            }
        }
        /// The runtime types of each subgraph answering an abstract-typed field, when the
        /// subgraphs have none in common (nil when they do, or only one answers).
        func mismatchedRuntimeTypes(_ apiType: String, _ reached: Set<Place>) -> String? {
            guard schema.types[apiType]?.kind.isAbstract == true else { return nil }
            var byGraph: [String: Set<String>] = [:]
            for p in reached where byGraph[p.graph] == nil {
                guard let node = graph.node(p.type, p.graph) else { continue }
                if node.isInterfaceObject { return nil }   // it stands for every implementation
                byGraph[p.graph] = supergraph.schema.types[p.type]?.kind.isAbstract == true ? Set(node.possibleTypes) : [p.type]
            }
            guard byGraph.count > 1, byGraph.values.dropFirst().reduce(byGraph.values.first!, { $0.intersection($1) }).isEmpty else { return nil }
            return byGraph.sorted { $0.key < $1.key }.map { g, types in
                "\"\(types.sorted().joined(separator: ", "))\" in subgraph \"\(supergraph.graph(id: g)?.name ?? g)\""
            }.joined(separator: "; ")
        }
        func mismatchedError(_ type: String, _ field: String, _ returnType: TypeReference, _ path: String, _ mismatch: String) -> CompositionError {
            CompositionError(.shareableHasMismatchedRuntimeTypes, "Shared field \"\(type).\(field)\" return type \"\(returnType)\" has a non-intersecting "
                + "set of possible runtime types across subgraphs (query path \(path)). Runtime types in subgraphs are: \(mismatch). This is not allowed as "
                + "shared fields must resolve the same way in all subgraphs, and that imply at least some common runtime types between the subgraphs.")
        }
        if cutShort {
            // Said, never passed over: a graph whose paths were not all checked may not be plannable
            // (probe 55A: past 20,000 states the check stopped without a word and composition
            // accepted graphs whose fields no plan could reach).
            errors.append(CompositionError(.satisfiability, "The satisfiability check stopped after \(maxStates) states (a type reached from one set of subgraphs): the graph's paths could not all be checked."))
        }
        return errors + requiresErrors(graph).map { CompositionError(.satisfiability, $0) }
    }

    /// Every `@requires` of an object type's field can be met: each field it reads is resolved
    /// by a subgraph reachable from the requiring one (itself, or through a key it can provide),
    /// without a `@requires` there, or with one that can be met in turn without going back to a
    /// field whose conditions are being met (a cycle: `x` requires `y` where `y` requires `x`).
    /// The planner could never fetch such a field: every query reaching it would fail.
    static func requiresErrors(_ graph: QueryGraph) -> [String] {
        let supergraph = graph.supergraph
        var errors: [String] = []
        func name(_ g: String) -> String { "\"\(supergraph.graph(id: g)?.name ?? g)\"" }
        /// Whether `selections` of `type` can be had for a subgraph at `from`, with `chain` the
        /// fields whose conditions are being met.
        func met(_ selections: [Selection], on type: String, from: String, chain: Set<String>) -> Bool {
            for case .field(let f) in selections where f.name.value != "__typename" {
                let field = f.name.value, coordinate = "\(type).\(field)"
                let found = graph.graphs(resolving: type, field).contains { k in
                    guard k == from || (graph.node(type, k)?.keys ?? []).contains(where: { graph.canProvideThroughKeys($0.selections, on: type, from: from) }) else {
                        return false
                    }
                    guard let requires = graph.field(type, field, in: k)?.requires else { return true }
                    return !chain.contains(coordinate) && met(requires.selections, on: type, from: k, chain: chain.union([coordinate]))
                }
                // An `@interfaceObject` subgraph answers the field for every implementation.
                let throughInterface = !found && (supergraph.schema.types[type]?.interfaces ?? []).contains { i in
                    graph.graphs(resolving: i, field).contains { graph.node(i, $0)?.isInterfaceObject == true }
                }
                if !found && !throughInterface { return false }
            }
            return true
        }
        for (type, nodes) in graph.nodes where supergraph.schema.types[type]?.kind == .object {
            for (g, node) in nodes {
                for (field, edge) in node.fields.sorted(by: { $0.key < $1.key }) {
                    guard let requires = edge.requires, graph.field(type, field, in: g) != nil else { continue }
                    if !met(requires.selections, on: type, from: g, chain: ["\(type).\(field)"]) {
                        errors.append("Cannot satisfy @requires conditions on field \"\(type).\(field)\" in subgraph \(name(g)): the fields it requires cannot all be had there (one cannot be reached, or needs this field itself through other @requires).")
                    }
                }
            }
        }
        return errors.sorted()
    }
}

extension QueryGraph {
    /// What a `@provides` gives on objects of `type`: its fields, and those of its fragments on
    /// `type` (or on an abstract type `type` belongs to, or one of `type`'s possible types).
    func providedSubset(_ provided: SelectionSet?, for type: String) -> SelectionSet? {
        guard let provided else { return nil }
        let schema = supergraph.schema
        var out: [Selection] = []
        for sel in provided.selections {
            switch sel {
            case .field: out.append(sel)
            case .inlineFragment(let i):
                let c = i.typeCondition?.value ?? type
                if c == type || schema.types[c]?.possibleTypes.contains(type) == true || schema.types[type]?.possibleTypes.contains(c) == true,
                   let inner = providedSubset(i.selectionSet, for: type) {
                    out += inner.selections
                }
            case .fragmentSpread: continue
            }
        }
        return SelectionSet(selections: out)
    }

    /// Subgraphs that resolve `type.field` and can be jumped to from `g` through a key whose
    /// fields `g` provides (directly or through one more key hop); `@interfaceObject` subgraphs
    /// through the interface's key.
    /// - Parameter insideAnswer: `type` is reached through a field (not the operation's root): a
    ///   `Query` there reaches every subgraph's root fields, without a key.
    func reachableGraphs(for type: String, _ field: String, from g: String, insideAnswer: Bool = false, provided: SelectionSet? = nil) -> [String] {
        if insideAnswer, type == supergraph.schema.queryType { return graphs(resolving: type, field).filter { $0 != g } }
        var out: [String] = []
        var entityTypes = [type]
        if let t = supergraph.schema.types[type], t.kind == .object { entityTypes += t.interfaces }
        for entity in entityTypes {
            for h in graphs(resolving: entity, field) where h != g || self.field(entity, field, in: h)?.requires != nil {
                if entity != type && node(entity, h)?.isInterfaceObject != true { continue }
                guard let keys = node(entity, h)?.keys else { continue }
                if keys.contains(where: { canProvideThroughKeys($0.selections, on: type, from: g, provided: provided) }) { out.append(h) }
            }
        }
        return out
    }

    /// `g` can produce these fields of `type`: it resolves them, or reaches a subgraph that does
    /// through at most `hops` key jumps.
    /// - Parameter provided: what a `@provides` above gives `g` here (external fields it answers);
    ///   it holds for every jump made from `g` (a key read there may take a provided field).
    /// - Parameter without: fields of `type` that may not be used on the way (those being fetched
    ///   there: a key reached only through one of them would need it to get it — probes 56E, 56G).
    func canProvide(_ selections: [Selection], on type: String, from g: String, hops: Int, provided: SelectionSet? = nil,
                    without: Set<String> = []) -> Bool {
        func keyHolds(_ key: SelectionSet, _ name: String) -> Bool {
            key.selections.contains { if case .field(let kf) = $0 { return kf.name.value == name || without.contains(kf.name.value) } else { return false } }
        }
        // Field `f` with its whole selection from another subgraph, reached through a key of `type`.
        func elsewhere(_ f: Field) -> Bool {
            let name = f.name.value
            return hops > 0 && graphs(resolving: type, name).contains { h in
                guard h != g, let keys = node(type, h)?.keys, keys.indices.contains(where: { i in
                    !keyHolds(keys[i], name) && canProvideKey(i, of: type, in: h, from: g, hops: hops - 1, provided: provided, without: without)
                }) else { return false }
                guard let sub = f.selectionSet else { return true }
                let inner = supergraph.fieldGraph(type, name, in: h)?.type?.namedType.value
                    ?? supergraph.schema.types[type].flatMap { supergraph.schema.field($0, name) }?.type.namedType.value ?? ""
                return canProvide(sub.selections, on: inner, from: h, hops: hops - 1)
            }
        }
        for sel in selections {
            guard case .field(let f) = sel else { continue }
            let name = f.name.value
            if name == "__typename" { continue }
            if without.contains(name) { return false }
            if let p = provided?.fieldNamed(name), supergraph.fieldGraph(type, name, in: g) != nil {
                if let sub = f.selectionSet {
                    let inner = supergraph.schema.types[type].flatMap { supergraph.schema.field($0, name) }?.type.namedType.value ?? ""
                    // What the @provides leaves out: the field can still be had whole elsewhere.
                    if !canProvide(sub.selections, on: inner, from: g, hops: hops, provided: p.selectionSet) && !elsewhere(f) { return false }
                }
                continue
            }
            if let e = field(type, name, in: g), e.requires == nil {
                if let sub = f.selectionSet {
                    let inner = supergraph.fieldGraph(type, name, in: g)?.type?.namedType.value
                        ?? supergraph.schema.types[type].flatMap { supergraph.schema.field($0, name) }?.type.namedType.value ?? ""
                    // Part of its selection only elsewhere: the field can still be had whole there.
                    if !canProvide(sub.selections, on: inner, from: g, hops: hops) && !elsewhere(f) { return false }
                }
                continue
            }
            // Elsewhere, with its selection from there (probe 56F: a key `o { id }` was taken as
            // provided through a subgraph whose `o` has no `id` — composition accepted a graph
            // whose `T.x` no plan could reach).
            if !elsewhere(f) { return false }
        }
        return true
    }

    /// `canProvide`, or else through a chain of key jumps of any length: each field of
    /// `selections` that `g` cannot have within three jumps is resolved by a subgraph of
    /// `keyClosure(type, from: g)` (its selection from there). A chain of subgraphs each keyed by
    /// a field the one before resolves (`k0 → k1 → … → k5`) is a graph Apollo's composition
    /// accepts and its planner follows, one fetch per jump (probe 55A: four jumps and more were
    /// refused).
    /// - Parameter near: what `canProvide` within three jumps answered already, if the caller asked.
    func canProvideThroughKeys(_ selections: [Selection], on type: String, from g: String, provided: SelectionSet? = nil,
                               without: Set<String> = [], near: Bool? = nil) -> Bool {
        if near ?? canProvide(selections, on: type, from: g, hops: 3, provided: provided, without: without) { return true }
        let reach = keyClosure(type, from: g, provided: provided, without: without)
        guard reach.count > 1 else { return false }
        for sel in selections {
            guard case .field(let f) = sel, f.name.value != "__typename" else { continue }
            if without.contains(f.name.value) { return false }
            if canProvide([sel], on: type, from: g, hops: 3, provided: provided, without: without) { continue }
            let name = f.name.value
            let found = reach.contains { h in
                guard h != g, let e = field(type, name, in: h), e.requires == nil else { return false }
                guard let sub = f.selectionSet else { return true }
                let inner = supergraph.fieldGraph(type, name, in: h)?.type?.namedType.value
                    ?? supergraph.schema.types[type].flatMap { supergraph.schema.field($0, name) }?.type.namedType.value ?? ""
                return canProvide(sub.selections, on: inner, from: h, hops: 3)
            }
            if !found { return false }
        }
        return true
    }

    /// The subgraphs an object of `type` at `g` can be taken to through keys, any number of jumps
    /// apart: `g`, then every subgraph with a key whose fields those reached so far resolve
    /// (without `@requires`; at `g` also what `provided` gives; never `without`), until none is
    /// added. Found once per type, subgraph and excluded field (when nothing is provided); work
    /// grows as the subgraphs of the type squared per question, not as a power of the jumps.
    func keyClosure(_ type: String, from g: String, provided: SelectionSet? = nil, without: Set<String> = []) -> Set<String> {
        func find() -> Set<String> {
            var reached: Set<String> = [g]
            var waiting = graphs(of: type).filter { $0 != g && !(node(type, $0)?.keys.isEmpty ?? true) }
            func covered(_ selections: [Selection]) -> Bool {
                selections.allSatisfy { sel in
                    guard case .field(let f) = sel, f.name.value != "__typename" else { return true }
                    let name = f.name.value
                    if without.contains(name) { return false }
                    if let p = provided?.fieldNamed(name), supergraph.fieldGraph(type, name, in: g) != nil {
                        let inner = supergraph.schema.types[type].flatMap { supergraph.schema.field($0, name) }?.type.namedType.value ?? ""
                        if f.selectionSet.map({ canProvide($0.selections, on: inner, from: g, hops: 1, provided: p.selectionSet) }) ?? true { return true }
                    }
                    return reached.contains { r in
                        guard let e = field(type, name, in: r), e.requires == nil else { return false }
                        guard let sub = f.selectionSet else { return true }
                        let inner = supergraph.fieldGraph(type, name, in: r)?.type?.namedType.value
                            ?? supergraph.schema.types[type].flatMap { supergraph.schema.field($0, name) }?.type.namedType.value ?? ""
                        return canProvide(sub.selections, on: inner, from: r, hops: 1)
                    }
                }
            }
            var grew = true
            while grew {
                grew = false
                waiting.removeAll { h in
                    guard (node(type, h)?.keys ?? []).contains(where: { covered($0.selections) }) else { return false }
                    reached.insert(h)
                    grew = true
                    return true
                }
            }
            return reached
        }
        return keyClosures.answer(.init(type: type, from: g, without: without.sorted(), provided: provided.map { Printer.print($0, indent: "") }), find)
    }

    /// `canProvide` for key `index` of `type` in subgraph `owner`, found once per question (what
    /// is provided is part of it, as printed): without it a key asked about from every subgraph
    /// that shares a field, each answer asking about the others' keys, made composition's work
    /// grow as the subgraphs to the power of the hops (probe 55A: a key of its own in each of 40
    /// subgraphs took over 5 minutes).
    func canProvideKey(_ index: Int, of type: String, in owner: String, from g: String, hops: Int, provided: SelectionSet? = nil,
                       without: Set<String> = []) -> Bool {
        guard let key = node(type, owner)?.keys[index] else { return false }
        return keyReach.answer(.init(type: type, owner: owner, key: index, from: g, hops: hops, without: without.sorted(), provided: provided.map { Printer.print($0, indent: "") })) {
            canProvide(key.selections, on: type, from: g, hops: hops, provided: provided, without: without)
        }
    }
}
