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
    /// Subgraphs whose errors' `extensions` reach clients whole; from the others only `code`
    /// is kept (a subgraph's stack trace or internals must not leak).
    let errorExtensionsFrom: Set<String>

    public init(supergraph: Supergraph, transports: [String: any SubgraphTransport], errorExtensionsFrom: Set<String> = []) {
        self.supergraph = supergraph
        self.transports = transports
        self.shaping = Shaping.executable(supergraph.apiSchema)
        self.errorExtensionsFrom = errorExtensionsFrom
    }

    /// - Parameter headers: the headers each subgraph's requests carry, by subgraph name.
    public func execute(_ plan: QueryPlan, request: ExecutionRequest,
                        headers: @escaping @Sendable (String) -> [(String, String)] = { _ in [] }) async -> ExecutionResult {
        let operation: OperationDefinition, variables: OrderedDictionary<String, JSON>
        switch prepare(request) {
        case .success(let p): (operation, variables) = p
        case .failure(let e): return e.result
        }
        let run = makeRun(request, operation, variables, headers: headers, deferring: false)
        plan.shaping.reserveTree(&run.tree)
        if let root = plan.root { await run.execute(run.steps(root)) }
        plan.shaping.recordTree(run.tree)
        return await shape(run, plan, request, operation, variables).initial
    }

    /// The payloads of an incremental response, in order.
    public enum IncrementalPayload: Sendable {
        /// The first: the response without the deferred fragments (more follow when `hasNext`).
        case initial(ExecutionResult, hasNext: Bool)
        /// `{"incremental":[…],"hasNext":false}`: every deferred fragment at its object's path.
        case later([UInt8])
    }

    /// An operation with `@defer` for a client that takes an incremental response. The first
    /// payload goes to `emit` as soon as every fetch not only for deferred fragments is done
    /// (those go on meanwhile); the deferred fragments follow when the rest is. When a `@defer`
    /// is switched off by a variable, or the operation asks for introspection, the first payload
    /// waits for every fetch.
    /// `placing`: errors found before the run (authorization's), each delivered with the payload
    /// that holds its field — the first, or the deferred fragment that writes it — ahead of that
    /// payload's own.
    public func executeIncrementally(_ plan: QueryPlan, request: ExecutionRequest,
                                     headers: @escaping @Sendable (String) -> [(String, String)] = { _ in [] },
                                     placing: [GraphQLError] = [],
                                     emit: @escaping (IncrementalPayload) -> Void) async {
        let operation: OperationDefinition, variables: OrderedDictionary<String, JSON>
        switch prepare(request) {
        case .success(let p): (operation, variables) = p
        case .failure(let e):
            emit(.initial(e.result, hasNext: false))
            return
        }
        let run = makeRun(request, operation, variables, headers: headers, deferring: true)
        plan.shaping.reserveTree(&run.tree)
        let early = !plan.usesIntrospection && operation.defers(in: request.clientDocument ?? request.document, variables: variables).allOn
        // Errors of fetches only deferred fragments need are kept apart for the fragments'
        // payload (when the first payload waits for every fetch too: see below).
        run.deferredErrors = []
        var later: DeferredLater?
        var sent = false
        var errorsSent = 0
        var placedLater: [PlanRun.HeldError] = []
        func deliver(_ shaped: (initial: ExecutionResult, later: DeferredLater?)) {
            var initial = shaped.initial
            later = shaped.later
            if !placing.isEmpty {
                let pending = later?.pendingWrites() ?? []
                var first: [GraphQLError] = []
                for e in placing {
                    if DeferredLater.writes(e.path, pending) { placedLater.append(PlanRun.HeldError(error: e, fragment: nil)) } else { first.append(e) }
                }
                initial.errors = first + initial.errors
            }
            errorsSent = run.errors.count
            sent = true
            emit(.initial(initial, hasNext: later != nil))
        }
        if let root = plan.root {
            // On this task, with the tree as it is then (no introspection: shaped synchronously).
            await run.execute(run.steps(root), primaryReady: early ? { deliver(self.shapeTree(run, plan, request, operation, variables, deferring: true)) } : nil)
        }
        plan.shaping.recordTree(run.tree)
        if !sent {
            var shaped = await shape(run, plan, request, operation, variables, deferring: true)
            // The first payload waited for every fetch (a `@defer` switched off by a variable, whose
            // fragment is then inline, though its fetches are marked for deferred fragments): a
            // deferred fetch's error goes with a fragment delivered later when its path is in one,
            // else with the first payload (shaped again with it).
            if let held = run.deferredErrors, !held.isEmpty {
                let pending = shaped.later?.pendingWrites() ?? []
                // Later: an error at a field a fragment delivered later writes (at its path).
                // An error of a fetch for one fragment goes where that fragment's fields are: the
                // first payload when its `@defer` and every one around it are switched off.
                let defers = DeferOrdinals(request.clientDocument ?? request.document, operationName: operation.name?.value)
                let active = request.clientDocument == nil ? defers.active(variables) : nil
                // Nothing delivered later (an operation with introspection is answered in one
                // payload): every held error goes with the first.
                let isFirst = held.map { h in
                    if shaped.later == nil { return true }
                    if let o = h.fragment, let active { return defers.home(o, active: active) == nil }
                    guard h.error.path != nil else { return pending.isEmpty }
                    return !DeferredLater.writes(h.error.path, pending)
                }
                if isFirst.contains(true) {
                    run.deferredErrors = zip(held, isFirst).filter { !$0.1 }.map(\.0)
                    run.adopt(zip(held, isFirst).filter { $0.1 }.map(\.0.error))
                    shaped = await shape(run, plan, request, operation, variables, deferring: true)
                }
            }
            deliver(shaped)
        }
        if let later {
            let upstream = placedLater + (run.deferredErrors ?? []) + run.errors.dropFirst(errorsSent).map { PlanRun.HeldError(error: $0, fragment: nil) }
            emit(.later(laterPayload(run, later, request: request, operation: operation, variables: variables, upstream: upstream)))
        }
    }

    /// What the later payload of an incremental response is shaped from: the first payload's
    /// program, and the deferred fragments it met with their paths.
    struct DeferredLater {
        let program: ShapingProgram
        let pending: [Shaper.Pending]

        /// Each pending fragment's path and the response keys it writes there.
        func pendingWrites() -> [(path: [PathElement], keys: Set<String>)] { pending.map { ($0.path, writes($0)) } }

        /// Whether a field at `path` is one a pending fragment writes (a path below such a field too).
        static func writes(_ path: [PathElement]?, _ pending: [(path: [PathElement], keys: Set<String>)]) -> Bool {
            guard let p = path else { return false }
            return pending.contains { at, keys in
                guard let j = position(after: at, in: p), j < p.count, case .key(let k) = p[j] else { return false }
                return keys.contains(k)
            }
        }

        /// Where `path` goes on below `at` (nil when it does not lead through it). A list index of
        /// `at` that `path` has no index for is passed over: an authorization error's path names
        /// fields only.
        static func position(after at: [PathElement], in path: [PathElement]) -> Int? {
            var j = 0
            for element in at {
                switch element {
                case .index(let i):
                    if j < path.count, case .index(let given) = path[j] {
                        guard given == i else { return nil }
                        j += 1
                    }
                case .key(let k):
                    guard j < path.count, case .key(let given) = path[j], given == k else { return nil }
                    j += 1
                }
            }
            return j
        }

        /// The response keys a pending fragment writes at its path (its own fields, through the
        /// fragments in it).
        func writes(_ p: Shaper.Pending) -> Set<String> {
            var keys = Set<String>(), seen = Set<String>()
            func walk(_ set: SelectionSet) {
                for sel in set.selections {
                    switch sel {
                    case .field(let f): keys.insert(f.responseKey)
                    case .inlineFragment(let i): walk(i.selectionSet)
                    case .fragmentSpread(let s):
                        if seen.insert(s.name.value).inserted, let d = program.collector.fragments[s.name.value] { walk(d.selectionSet) }
                    }
                }
            }
            walk(program.deferredLists[Int(p.instance.list)][Int(p.instance.item)].selectionSet)
            return keys
        }
    }

    /// The deferred fragments, shaped from the run's tree as it is at the end (errors of fetches
    /// that came back after the first payload go with the fragment whose path holds them).
    func laterPayload(_ run: PlanRun, _ later: DeferredLater, request: ExecutionRequest, operation: OperationDefinition,
                      variables: OrderedDictionary<String, JSON>, upstream: [PlanRun.HeldError]) -> [UInt8] {
        var shaper = Shaper(tree: run.tree, program: later.program, source: request.source)
        // As for the first payload: a missing value is explained only by a failure without a place
        // for its error (or a root fetch without data); others by the errors at or around it (the payload
        // leaves out its own error where one of those is).
        shaper.missingIsExplained = run.failedUnplaced
        shaper.explainedRoots = run.missingRoots
        shaper.nulledUntyped = run.nulledUntyped
        // A fetch's fragment is found in the client's document by its number; when the gateway
        // planned a rewritten document with other fragments (authorization took some out), by
        // the error's path alone.
        let defers = DeferOrdinals(request.clientDocument ?? request.document, operationName: operation.name?.value)
        let sameFragments = request.clientDocument == nil
            || DeferOrdinals(request.document, operationName: operation.name?.value).entries.count == defers.entries.count
        var locator = run.locator(request, operation)
        return shaper.incrementalPayload(later.pending, upstream: upstream, defers: sameFragments ? defers : nil,
                                         active: sameFragments ? defers.active(variables) : [], locator: &locator)
    }

    /// A subscription: the plan's first fetch subscribes to the subgraph that owns the field;
    /// each event it sends becomes the root of a run of the rest of the plan (entity fetches to
    /// other subgraphs, as for a query), shaped into one response. The stream ends when the
    /// subgraph's does; its consumer going away cancels the subscription at the subgraph.
    public func subscribe(_ plan: QueryPlan, request: ExecutionRequest,
                          headers: @escaping @Sendable (String) -> [(String, String)] = { _ in [] }) async -> SubscriptionStart {
        let operation: OperationDefinition, variables: OrderedDictionary<String, JSON>
        switch prepare(request) {
        case .success(let p): (operation, variables) = p
        case .failure(let e): return .failed(e.result)
        }
        let steps = plan.root.map { PlanRun(executor: self, variables: variables, headers: headers).steps($0) } ?? []
        guard let first = steps.first, first.path == nil, first.after.isEmpty,
              !steps.dropFirst().contains(where: { $0.path == nil }), let transport = transports[first.fetch.subgraph] else {
            return .failed(ExecutionResult(data: nil, errors: [GraphQLError("A subscription must be answered by one subgraph's subscription field.",
                                                                            code: "SUBSCRIPTION_NOT_SUPPORTED")]))
        }
        let f = first.fetch
        // A subgraph's errors with a path get the client's field's location (§7.1.2), as a
        // query's do when its run is shaped.
        let supergraph = self.supergraph
        let located: @Sendable ([GraphQLError]) -> [GraphQLError] = { errors in
            var locator = ErrorLocator(request, operation)
            locator.schema = supergraph.apiSchema
            locator.variables = variables
            return locator.locate(errors)
        }
        // The subgraph's subscription is in place before this returns: events after it are seen.
        let events: AsyncThrowingStream<SubgraphResponse, any Error>
        do {
            events = try await transport.subscribe(SubgraphRequest(
                query: f.operation, variables: PlanRun.variables(for: f, from: variables), headers: headers(f.subgraph),
                document: f.document, queryJSON: f.operationJSON.isEmpty ? nil : f.operationJSON))
        } catch let refused as SubscriptionRefused {
            // A request error: the errors, and no `data`.
            return .failed(ExecutionResult(data: nil, errors: located(refused.errors.map { PlanRun.subgraphError($0, f) })))
        } catch {
            return .failed(ExecutionResult(data: nil, errors: [PlanRun.subgraphError(error, f)]))
        }
        // Each event runs the rest of the plan when the consumer asks for its response (pulled,
        // not pumped into a buffer): a consumer that falls behind holds the subgraph's stream back.
        return .stream(PullStream.map(events, onError: { (error: any Error) -> ExecutionResult? in
            if let refused = error as? SubscriptionRefused {
                return ExecutionResult(data: nil, errors: located(refused.errors.map { PlanRun.subgraphError($0, f) }))
            }
            return error is CancellationError ? nil : ExecutionResult(data: nil, errors: [PlanRun.subgraphError(error, f)])
        }) { (event: SubgraphResponse) -> ExecutionResult? in
            let run = PlanRun(executor: self, variables: variables, headers: headers)
            run.reusesAnswers = true
            run.mergeRoot(f, .success(event))
            await run.execute(steps, done: [0])
            return await self.shape(run, plan, request, operation, variables).initial
        })
    }

    struct Refused: Error { let result: ExecutionResult }

    /// Whether the client's root fields `keys` (a mutation's, run so far), shaped from the run's
    /// tree as the response will be, make `data` null. The operation's root selections are cut
    /// to those fields (fragments kept, as inline fragments with their conditions); deferred
    /// fragments do not count (their nulls stop at their own paths).
    /// A run of a plan's fetches for `operation`. A mutation's next root field runs only while
    /// `data` is not null — shaped as the client gets it: with `deferring`, a deferred fragment's
    /// null stays in its own payload; without, it is inline and reaches `data` as any field's.
    func makeRun(_ request: ExecutionRequest, _ operation: OperationDefinition, _ variables: OrderedDictionary<String, JSON>,
                 headers: @escaping @Sendable (String) -> [(String, String)], deferring: Bool) -> PlanRun {
        let run = PlanRun(executor: self, variables: variables, headers: headers)
        run.reusesAnswers = operation.operation != .mutation
        if operation.operation == .mutation {
            run.mutationNullsData = { run, keys in self.nullsData(run, keys, request, operation, variables, deferring: deferring) }
        }
        return run
    }

    func nullsData(_ run: PlanRun, _ keys: Set<String>, _ request: ExecutionRequest, _ operation: OperationDefinition,
                   _ variables: OrderedDictionary<String, JSON>, deferring: Bool) -> Bool {
        let document = request.clientDocument ?? request.document
        var cut = request.clientDocument.flatMap { d in d.operations.first { $0.name?.value == operation.name?.value } } ?? operation
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments where fragments[f.name.value] == nil { fragments[f.name.value] = f }
        func only(_ selections: [Selection], _ seen: Set<String>) -> [Selection] {
            selections.compactMap { s in
                switch s {
                case .field(let f):
                    return keys.contains(f.responseKey) ? s : nil
                case .inlineFragment(var i):
                    i.selectionSet.selections = only(i.selectionSet.selections, seen)
                    return i.selectionSet.selections.isEmpty ? nil : .inlineFragment(i)
                case .fragmentSpread(let spread):
                    guard !seen.contains(spread.name.value), let d = fragments[spread.name.value] else { return nil }
                    let inner = only(d.selectionSet.selections, seen.union([spread.name.value]))
                    return inner.isEmpty ? nil : .inlineFragment(InlineFragment(typeCondition: d.typeCondition, directives: spread.directives,
                                                                                 selectionSet: SelectionSet(selections: inner)))
                }
            }
        }
        cut.selectionSet.selections = only(cut.selectionSet.selections, [])
        guard !cut.selectionSet.selections.isEmpty else { return false }
        var shaper = Shaper(schema: supergraph.apiSchema, tree: run.tree, fragments: fragments, variables: variables,
                            source: request.source, nulled: request.nulledFields, hiddenEnumValues: supergraph.hiddenEnumValues,
                            hiddenTypes: supergraph.hiddenTypes, interfaceObjects: supergraph.interfaceObjects, deferring: deferring)
        shaper.missingIsExplained = run.failedUnplaced
        shaper.explainedRoots = run.missingRoots
        shaper.nulledUntyped = run.nulledUntyped
        shaper.nullConditionsPossible = variables.values.contains { if case .null = $0 { return true } else { return false } }
        let data = shaper.shape(cut, root: run.root, capacity: 256)
        return data.count >= ExecutionResult.dataOpening.count + 4
            && data[ExecutionResult.dataOpening.count..<(ExecutionResult.dataOpening.count + 4)].elementsEqual("null".utf8)
    }

    /// The operation to run and its coerced variables, or the request error.
    func prepare(_ request: ExecutionRequest) -> Result<(OperationDefinition, OrderedDictionary<String, JSON>), Refused> {
        let ops = request.document.operations.filter { request.operationName == nil || $0.name?.value == request.operationName }
        guard let operation = ops.first else {
            return .failure(Refused(result: ExecutionResult(data: nil, errors: [GraphQLError("Unknown operation.", code: "OPERATION_NOT_FOUND")])))
        }
        // The client's variables are coerced; those made of its literals were valid already.
        var own = operation
        if !request.literalValues.isEmpty { own.variableDefinitions.removeAll { request.literalValues[$0.variable.value] != nil } }
        switch Executor.coerceVariables(supergraph.apiSchema, operation: own, variables: request.variables, source: request.source) {
        case .success(var v):
            for (name, value) in request.literalValues { v[name] = value }
            // A nullable variable with a default may fill `@skip`/`@include`'s `if: Boolean!`;
            // sent as null it is a field error where the fields are collected (§6.4.1), which
            // at the root leaves no data (graphql-js raises it the same way); deeper, the
            // shaper reports it at the field whose objects it is in.
            // The client's own operation: authorization may have taken fields (and their
            // conditions) out of the one planned.
            let clientOperation = request.clientDocument.flatMap { d in d.operations.first { $0.name?.value == operation.name?.value } } ?? operation
            if let e = Executor.nullDirectiveCondition(supergraph.apiSchema, request.clientDocument ?? request.document, clientOperation, v, request.source) {
                return .failure(Refused(result: ExecutionResult(data: .null, errors: [e])))
            }
            return .success((operation, v))
        case .failure(let e): return .failure(Refused(result: ExecutionResult(data: nil, errors: e.errors)))
        }
    }

    /// The client's response from a finished run (with `deferring`, without its deferred
    /// fragments, and what the payload that delivers them is shaped from).
    func shape(_ run: PlanRun, _ plan: QueryPlan, _ request: ExecutionRequest, _ operation: OperationDefinition,
               _ variables: OrderedDictionary<String, JSON>, deferring: Bool = false) async -> (initial: ExecutionResult, later: DeferredLater?) {
        guard plan.usesIntrospection else { return shapeTree(run, plan, request, operation, variables, deferring: deferring) }
        // The executor answers __schema/__type from the API schema (`@defer` inline).
        let root = run.tree.json(run.rootValue).objectValue ?? [:]
        var shaped = await Executor.execute(shaping, request: ExecutionRequest(document: request.document, operationName: operation.name?.value,
                                                                               variables: variables, source: request.source),
                                            context: ShapeContext(root: root))
        // As `shapeTree` does: a value missing from the tree (not null there) where a root fetch
        // came back without data, or a fetch failed with nowhere to place its error, is explained
        // by that error; the executor read it as null and said it cannot be.
        let pathless = run.failedUnplaced
        if pathless || !run.missingRoots.isEmpty {
            shaped.errors.removeAll { e in
                guard e.message.hasPrefix("Cannot return null"), let path = e.path else { return false }
                guard pathless || { if case .key(let k)? = path.first { return run.missingRoots.contains(k) } else { return false } }() else { return false }
                return Self.isMissing(path, in: .object(root))
            }
        }
        return (withUpstreamErrors(shaped, run, request, operation), nil)
    }

    /// Whether the value at `path` is absent from `value` (a key not there on the way; null is there).
    static func isMissing(_ path: [PathElement], in value: JSON) -> Bool {
        var at = value
        for element in path {
            switch (element, at) {
            case (.key(let k), .object(let o)):
                guard let next = o[k] else { return true }
                at = next
            case (.index(let i), .array(let items)):
                guard items.indices.contains(i) else { return true }
                at = items[i]
            default:
                return false
            }
        }
        return false
    }

    /// The client's response written from the run's tree by the shaper.
    func shapeTree(_ run: PlanRun, _ plan: QueryPlan, _ request: ExecutionRequest, _ operation: OperationDefinition,
                   _ variables: OrderedDictionary<String, JSON>, deferring: Bool = false) -> (initial: ExecutionResult, later: DeferredLater?) {
        // Written from the client's own document (fields authorization removed answer null).
        let document = request.clientDocument ?? request.document
        let clientOperation = request.clientDocument.flatMap { d in
            d.operations.first { $0.name?.value == operation.name?.value }
        } ?? operation
        // The plan's program when the client's document is the planned one.
        let reusable = request.clientDocument == nil && request.nulledFields.isEmpty && !deferring && !request.planMadeForAnotherText
        let kept = reusable ? plan.shaping.program(clientOperation, document.fragments, variables) : nil
        var shaper: Shaper
        if let program = kept?.program {
            shaper = Shaper(tree: run.tree, program: program, source: request.source)
        } else {
            var fragments: [String: FragmentDefinition] = [:]
            for f in document.fragments where fragments[f.name.value] == nil { fragments[f.name.value] = f }
            shaper = Shaper(schema: supergraph.apiSchema, tree: run.tree, fragments: fragments, variables: variables,
                            source: request.source, nulled: request.nulledFields, hiddenEnumValues: supergraph.hiddenEnumValues,
                            hiddenTypes: supergraph.hiddenTypes, interfaceObjects: supergraph.interfaceObjects,
                            deferring: deferring)
        }
        // A value missing from the tree gets its own error; `withUpstreamErrors` leaves it out
        // where a subgraph's error explains it (its path, or one without a path). Taking every
        // missing value as explained once any fetch had an error lost the error of a null the
        // gateway made itself (an entity not found) beside an unrelated field's error.
        shaper.missingIsExplained = run.failedUnplaced
        shaper.explainedRoots = run.missingRoots
        shaper.nulledUntyped = run.nulledUntyped
        shaper.nullConditionsPossible = variables.values.contains { if case .null = $0 { return true } else { return false } }
        let data = shaper.shape(clientOperation, root: run.root, capacity: plan.shaping.answerCapacity(run.tree))
        plan.shaping.recordAnswer(size: data.count)
        if let kept, shaper.program.steps.count != kept.program?.steps.count { plan.shaping.store(kept.key, shaper.program) }
        let shaped = ExecutionResult(writtenData: data, dataStart: ExecutionResult.dataOpening.count, errors: shaper.errors)
        let pending = deferring ? shaper.pendingDeferred() : []
        return (withUpstreamErrors(shaped, run, request, operation, conditions: shaper.conditionErrors),
                pending.isEmpty ? nil : DeferredLater(program: shaper.program, pending: pending))
    }

    /// The run's upstream errors first; nulls caused by a failed fetch are already explained by that fetch's error.
    func withUpstreamErrors(_ result: ExecutionResult, _ run: PlanRun, _ request: ExecutionRequest, _ operation: OperationDefinition,
                            conditions: [(index: Int, tentative: Bool)] = []) -> ExecutionResult {
        var shaped = result
        var locator = run.locator(request, operation)
        var upstream = locator.locate(run.errors)
        if upstream.count > 1 {
            // Two fetches that asked the same thing of one subgraph (a field selected on an
            // interface and in a fragment on its object, say) report its failure twice: one
            // field, one error, as for a client of one schema. So do two subgraphs that each
            // served part of one list item they both answered null: the same error at the same
            // path, told apart only by the service that reported it.
            var seen = Set<GraphQLError>()
            upstream = upstream.filter { e in
                var same = e
                // (An error without a path is the subgraph's own: told apart by its service.)
                if e.path != nil { same.extensions?.removeValue(forKey: "serviceName") }
                return seen.insert(same).inserted
            }
        }
        // Below an object whose fields could not be collected (a null condition) nothing ran for
        // a client of one schema: the subgraph's errors from there are not reported. A tentative
        // condition error (the subgraph nulled the object) stands only when such errors show the
        // object had been there.
        if !conditions.isEmpty {
            var dropUpstream = Set<Int>(), dropShaped = Set<Int>()
            for (i, tentative) in conditions where shaped.errors.indices.contains(i) {
                guard let p = shaped.errors[i].path, !p.isEmpty else { continue }
                let below = upstream.indices.filter { u in upstream[u].path.map { $0.count > p.count && $0.starts(with: p) } ?? false }
                if below.isEmpty, tentative { dropShaped.insert(i) }
                dropUpstream.formUnion(below)
            }
            if !dropUpstream.isEmpty { upstream = upstream.enumerated().filter { !dropUpstream.contains($0.offset) }.map(\.element) }
            if !dropShaped.isEmpty { shaped.errors = shaped.errors.enumerated().filter { !dropShaped.contains($0.offset) }.map(\.element) }
        }
        if run.errorsLeftOut > 0 {
            upstream.append(GraphQLError("At least \(run.errorsLeftOut) more errors from subgraphs were left out: at most \(PlanRun.maxErrors) are reported.",
                                         code: "TOO_MANY_ERRORS"))
        }
        shaped.errors = upstream + shaped.errors.filter { e in
            guard e.message.hasPrefix("Cannot return null"), let p = e.path else { return true }
            // Explained by an error on it, above it or below it (an entity answered null with an
            // error of its own leaves its fields missing without an error of theirs: see
            // `mergeEntities`; an error on a sibling from another subgraph explains nothing here).
            return !upstream.contains { u in u.path.map { p.starts(with: $0) || $0.starts(with: p) } ?? false }
        }
        return shaped
    }
}

/// One run of a plan, owned by the task that executes it. Fetches whose dependencies are done
/// start together; each takes with it what it needs from the response buffer (its
/// representations), collected here, and comes back with its answer, absorbed and merged here —
/// the buffer is never touched by two tasks, so it needs no lock.
final class PlanRun {
    let executor: PlanExecutor
    let variables: OrderedDictionary<String, JSON>
    let headers: @Sendable (String) -> [(String, String)]
    /// Every answer of the run, merged into the object `root`.
    var tree = ResponseBuffer()
    let root: Int32
    private(set) var errors: [GraphQLError] = []
    /// When set (an incremental response that delivers its first payload early), the errors of
    /// fetches only deferred fragments need, kept apart for the payload that delivers them.
    var deferredErrors: [HeldError]?
    /// An error kept for the deferred fragments, with the fragment its fetch was for (nil: any).
    struct HeldError {
        var error: GraphQLError
        let fragment: Int?
    }
    /// Errors kept apart for deferred fragments that belong with the first payload after all.
    func adopt(_ more: [GraphQLError]) { errors += more }
    /// Later steps may take the answers of earlier ones (`AnswerMemo`): not in a mutation, whose
    /// later fields may change what an earlier answer said.
    /// For a mutation: whether its root fields run so far (the client's response keys), each
    /// completed from the tree with what the fetches after it brought (entities, `@requires`),
    /// leave `data` null — a non-null field whose fetch failed, or whose value a null under it
    /// reached. Then the mutation fields after them are not run (serial execution ends there,
    /// §6.2.2); a nullable field's null is that field's alone, and the fields after it run (§6.4.4).
    var mutationNullsData: ((PlanRun, Set<String>) -> Bool)?
    /// `mutationNullsData` said so: no more mutation fields run.
    private var mutationEnded = false
    /// A mutation root field was sent (the request's deadline no longer cuts it short).
    private var mutationBegan = false
    /// Root fields already found not to leave `data` null: complete since (what comes after a
    /// root field's own fetches is for the fields after it), so not shaped again at each step —
    /// which made N root fields N² shapings.
    private var mutationChecked = Set<String>()

    /// Whether the mutation ends before root step `next` (every step before it is done).
    func mutationEnds(before next: Int, _ steps: [Step], done: StepSet) -> Bool {
        if mutationEnded { return true }
        guard let nullsData = mutationNullsData else { return false }
        var keys = Set<String>(), seen = [String: Int]()
        for i in steps.indices where steps[i].path == nil && steps[i].fetch.operationKind == .mutation {
            for case .key(let k)? in Self.rootPaths(steps[i].fetch, variables: variables(for: steps[i].fetch)).map(\.first) {
                seen[k, default: 0] += 1
                if i != next, done.contains(i), !mutationChecked.contains(k) { keys.insert(k) }
            }
        }
        guard !keys.isEmpty else { return false }
        mutationEnded = nullsData(self, keys)
        // A key another root step writes too (a field written twice under other conditions) may
        // change yet: checked again each time.
        mutationChecked.formUnion(keys.filter { seen[$0] == 1 })
        return mutationEnded
    }
    /// The root fields (client response keys) of root fetches that came back without data (the
    /// subgraph's null reached its `data`, or the fetch failed): missing, and what is missing
    /// under them is explained by that fetch's errors — not what is missing under other root
    /// fields (an entity another subgraph did not find still gets its own error).
    private(set) var missingRoots = Set<String>()
    var reusesAnswers = false
    var answers = AnswerMemo()
    /// What `collect` found at each path it walked, while still what it would find: a merge into
    /// the objects at a path adds members to them, so only what lies below them may change
    /// (`mergedBelow`); the objects themselves stay. A later step at the same path (another
    /// subgraph's fields of the same objects) or below it starts from here.
    private var collected: [(path: [PathSegment], found: Found)] = []
    /// `tree.compositesReplaced` when `collected` was last known to hold: a merge that replaced
    /// an object or list (an answer that disagrees with an earlier one: null, or a list of another
    /// length) may have changed records other paths share, and everything is walked again.
    private var collectedAtReplacements = 0

    init(executor: PlanExecutor, variables: OrderedDictionary<String, JSON>, headers: @escaping @Sendable (String) -> [(String, String)]) {
        self.executor = executor
        self.variables = variables
        self.headers = headers
        root = tree.newObject().object
    }

    var rootValue: ResponseBuffer.Value { ResponseBuffer.Value(object: root) }

    /// The `__typename` of the merged object at a response path (client response keys), if there.
    func typename(at path: [PathElement]) -> String? {
        var at = rootValue
        for element in path {
            switch element {
            case .key(let k):
                guard let v = tree.member(at, k) else { return nil }
                at = v
            case .index(let i):
                guard at.kind == .list, at.items.count > i else { return nil }
                at = tree.values[at.items.lowerBound + i]
            }
        }
        return at.isObject ? tree.typename(at.object) : nil
    }

    /// Locates errors in the client's operation, looking only into fragments that apply to the
    /// objects the run's answers have at the errors' paths.
    func locator(_ request: ExecutionRequest, _ operation: OperationDefinition) -> ErrorLocator {
        var locator = ErrorLocator(request, operation)
        locator.schema = executor.supergraph.apiSchema
        locator.variables = variables
        locator.runtimeType = { [unowned self] path in self.typename(at: path) }
        return locator
    }

    /// At most this many errors of a run are reported (a subgraph's errors at entities are
    /// repeated for every object they were for: they must not grow the answer without bound).
    static let maxErrors = 1_000
    /// Errors past `maxErrors`, counted.
    private(set) var errorsLeftOut = 0
    var errorRoom: Int { max(0, Self.maxErrors - errors.count) }

    func addErrors(_ e: [GraphQLError]) {
        let room = errorRoom
        if e.count <= room { errors += e } else {
            errors += e.prefix(room)
            errorsLeftOut += e.count - room
        }
    }

    /// A fetch failed (or answered without data) with no place for its error: a value missing
    /// anywhere may be its doing (`Shaper.missingIsExplained`). A subgraph's own error without a
    /// path beside its data (a warning), or one whose path names nothing asked, explains nothing.
    private(set) var failedUnplaced = false

    /// Error `e` at each of `paths` (a failed fetch's, at every position it leaves null); once
    /// without a path when there are none and `orPathless`.
    func addError(_ e: GraphQLError, at paths: [[PathElement]], orPathless: Bool = true) {
        if paths.isEmpty, orPathless {
            var pathless = e
            pathless.path = nil
            addErrors([pathless])
            failedUnplaced = true
        }
        for path in paths {
            var each = e
            each.path = path
            addErrors([each])
        }
    }

    /// A fetch of the plan and the fetches that must be done before it.
    struct Step {
        let path: [PathSegment]?       // nil: a root fetch
        let fetch: FetchNode
        let after: StepSet
    }

    /// Step indices as bits: a plan has few steps, and a run asks which are done at every turn
    /// (a `Set<Int>` hashed each index each time). The first 64 inline, the rest in words.
    struct StepSet: ExpressibleByArrayLiteral {
        private var low: UInt64 = 0
        private var high: [UInt64] = []

        init() {}
        init(arrayLiteral elements: Int...) { for e in elements { insert(e) } }

        var isEmpty: Bool { low == 0 && high.allSatisfy { $0 == 0 } }

        private func word(_ w: Int) -> UInt64 { w == 0 ? low : (w - 1 < high.count ? high[w - 1] : 0) }

        func contains(_ i: Int) -> Bool { word(i >> 6) & (1 << UInt64(i & 63)) != 0 }

        mutating func insert(_ i: Int) {
            let w = i >> 6, bit: UInt64 = 1 << UInt64(i & 63)
            if w == 0 { low |= bit; return }
            if w > high.count { high.append(contentsOf: repeatElement(0, count: w - high.count)) }
            high[w - 1] |= bit
        }

        mutating func formUnion(_ other: StepSet) {
            low |= other.low
            if high.count < other.high.count { high.append(contentsOf: repeatElement(0, count: other.high.count - high.count)) }
            for (w, bits) in other.high.enumerated() { high[w] |= bits }
        }

        mutating func formUnion(_ indices: [Int]) { for i in indices { insert(i) } }

        func isSubset(of other: StepSet) -> Bool {
            guard low & ~other.low == 0 else { return false }
            for (w, bits) in high.enumerated() where bits & ~other.word(w + 1) != 0 { return false }
            return true
        }
    }

    /// One request of a step: its variables and, for an entity fetch, its representations.
    struct Request {
        var variables: OrderedDictionary<String, JSON>
        var representations: [UInt8]?
        /// Sent with `FetchNode.withoutRequires` (representations of keys alone).
        var withoutRequires = false
    }

    /// The requests of one step (or of several ready together that send the same operation to
    /// the same subgraph), and (kept here) where their answers go.
    struct Outgoing {
        /// The steps whose objects the requests carry (the first names the fetch).
        var steps: [Int] = []
        var requests: [Request] = []
        var targets: [Targets] = []   // per request
        /// Per request: where each representation's bytes are in `representations`, and its
        /// entry in the run's `AnswerMemo` (-1: none; empty: nothing recorded).
        var ranges: [[Range<Int>]] = []
        var memo: [[Int32]] = []
        /// Where the targets were found, per step: a target's `entry` counts on from one step's
        /// objects to the next's.
        var parts: [Part] = []

        struct Part {
            let path: [PathSegment]
            let found: Found
            let first: Int
        }

        /// The step (index in `parts`) whose objects entry `entry` is among.
        func part(of entry: Int) -> Int? { parts.lastIndex { $0.first <= entry } }

        /// The response paths of the objects representations `requests` (all: nil) of `targets`
        /// were for, in order, at most `PlanRun.maxPathsPerError` of them (an error repeated at
        /// each object stays bounded).
        func objectPaths(_ targets: Targets, representations: [Int]? = nil) -> [[PathElement]] {
            var entries = Set<Int>()
            for r in representations ?? Array(0..<targets.count) {
                targets.forEach(r) { t in if entries.count < PlanRun.maxPathsPerError { entries.insert(t.entry) } }
            }
            return entries.sorted().map(responsePath)
        }

        /// The response path of the object of entry `entry` (for errors).
        func responsePath(_ entry: Int) -> [PathElement] {
            guard let p = part(of: entry) else { return [] }
            return PlanRun.responsePath(parts[p].path, parts[p].found.indices(of: entry - parts[p].first))
        }
    }

    /// An object an entity answer is merged into: the object, and its entry in `Found`.
    typealias Target = (node: Int32, entry: Int)

    /// The objects each representation of a request is merged into, in the order found (several
    /// when equal representations were sent once), kept flat: a list per representation cost an
    /// allocation per entity.
    struct Targets {
        private var all: [Target] = []
        /// The next target of the same representation (-1: the last).
        private var next: [Int32] = []
        /// Each representation's first and last target.
        private var head: [Int32] = []
        private var tail: [Int32] = []

        var count: Int { head.count }

        mutating func reserve(_ n: Int) {
            all.reserveCapacity(n)
            next.reserveCapacity(n)
            head.reserveCapacity(n)
            tail.reserveCapacity(n)
        }

        /// A new representation, merged into `target`.
        mutating func append(_ target: Target) {
            head.append(Int32(all.count))
            tail.append(Int32(all.count))
            all.append(target)
            next.append(-1)
        }

        /// One more object for representation `r`.
        mutating func add(_ target: Target, to r: Int) {
            let i = Int32(all.count)
            all.append(target)
            next.append(-1)
            next[Int(tail[r])] = i
            tail[r] = i
        }

        func first(_ r: Int) -> Target { all[Int(head[r])] }

        func forEach(_ r: Int, _ body: (Target) -> Void) {
            for t in of(r) { body(t) }
        }

        /// Representation `r`'s targets, for a loop (a closure that captures an `inout` response
        /// buffer makes each of the buffer's calls copy it).
        func of(_ r: Int) -> Of { Of(targets: self, i: head[r]) }

        struct Of: Sequence, IteratorProtocol {
            let targets: Targets
            var i: Int32
            mutating func next() -> Target? {
                guard i >= 0 else { return nil }
                defer { i = targets.next[Int(i)] }
                return targets.all[Int(i)]
            }
        }
    }

    /// Values found at a path (objects at the end), with the list indices on the way to each,
    /// kept flat (`stride` per value) so that no value costs an array of its own.
    struct Found {
        var nodes: [ResponseBuffer.Value] = []
        var indices: [Int] = []
        var stride = 0
        func indices(of entry: Int) -> ArraySlice<Int> { indices[(entry * stride)..<((entry + 1) * stride)] }

        /// Adds `node`, found under entry `entry` of `from` (its list indices copied, plus `index`
        /// when the step went into a list).
        @inline(__always)
        mutating func add(_ node: ResponseBuffer.Value, from: Found, entry: Int, index: Int? = nil) {
            nodes.append(node)
            let n = from.stride
            if n > 0 {
                from.indices.withUnsafeBufferPointer { all in
                    for j in (entry * n)..<((entry + 1) * n) { indices.append(all[j]) }
                }
            }
            if let index { indices.append(index) }
        }
    }

    /// The plan's fetches in dependency order (`sequence` orders, `parallel` does not; a
    /// `condition` is decided now, from the request's variables).
    func steps(_ node: PlanNode) -> [Step] {
        var steps: [Step] = []
        func add(_ node: PlanNode, after: StepSet) -> StepSet {
            switch node {
            case .fetch(let f):
                guard f.runs(with: variables) else { return after }
                steps.append(Step(path: nil, fetch: f, after: after))
                return [steps.count - 1]
            case .flatten(let path, let f):
                guard f.runs(with: variables) else { return after }
                steps.append(Step(path: path, fetch: f, after: after))
                return [steps.count - 1]
            case .sequence(let nodes):
                var previous = after
                for n in nodes { previous = add(n, after: previous) }
                return previous
            case .parallel(let nodes):
                return nodes.reduce(into: StepSet()) { $0.formUnion(add($1, after: after)) }
            case .condition(let c):
                let value = variables[c.variable]?.boolValue ?? c.defaultValue ?? false
                guard let next = value ? c.ifTrue : c.ifFalse else { return after }
                return add(next, after: after)
            }
        }
        _ = add(node, after: [])
        return steps
    }

    /// Runs the steps not `done` yet, each when the steps before it are. `primaryReady` runs
    /// once, on this task, as soon as every step not `deferredOnly` is done (the first payload
    /// of an incremental response needs no more), while the others go on.
    func execute(_ steps: [Step], done: StepSet = [], primaryReady: (() -> Void)? = nil) async {
        var done = done, started = done
        var primary = StepSet()
        for (i, step) in steps.enumerated() where !step.fetch.deferredOnly { primary.insert(i) }
        // Nothing but deferred fetches: the first payload still waits for the root fetches.
        if primary.isEmpty { for (i, step) in steps.enumerated() where step.path == nil { primary.insert(i) } }
        var primaryDelivered = primaryReady == nil
        func deliverPrimaryIfReady() {
            guard !primaryDelivered, primary.isSubset(of: done) else { return }
            primaryDelivered = true
            primaryReady?()
        }
        // Until the first payload is shaped, a deferred fetch's answer waits to be merged (its
        // failure would null objects the first payload shows): unless a fetch the first payload
        // needs comes after it.
        var neededByPrimary = StepSet()
        if primaryReady != nil {
            var stack = steps.indices.filter { primary.contains($0) }
            var seen = StepSet()
            while let i = stack.popLast() {
                for j in steps.indices where steps[i].after.contains(j) && !seen.contains(j) {
                    seen.insert(j)
                    neededByPrimary.insert(j)
                    stack.append(j)
                }
            }
        }
        var held: [(Int, [Result<SubgraphResponse, GraphQLError>])] = []
        var outgoing: [Int: Outgoing] = [:]
        let executor = self.executor, headers = self.headers
        // A mutation's fetches never take an identical request's answer in flight (another
        // client's query read before this mutation's writes).
        let mayShare = reusesAnswers
        // An in-process fetch counts as the request's running work from its start until its
        // answer is merged and the fetches after it have started: the request's statements to
        // a database wait until all of a level's fetches have sent theirs (`RequestWork`).
        let work = RequestWork.observer
        func counted(_ step: Step) -> Bool { work != nil && executor.transports[step.fetch.subgraph]?.runsInProcess == true }
        // Once no in-process fetch is left to run, the observer hears it once: the request's
        // read transaction is given back then, not held while remote subgraphs answer (probe
        // 54A: requests waiting on a hanging subgraph held every pooled connection).
        var inProcessOver = work == nil
        func noteInProcessWork() {
            guard !inProcessOver, !steps.indices.contains(where: { !done.contains($0) && counted(steps[$0]) }) else { return }
            inProcessOver = true
            work?.inProcessWorkOver()
        }
        await withTaskGroup(of: (Int, [Result<SubgraphResponse, GraphQLError>]).self) { group in
            /// Every step whose dependencies are done, with what it sends (a step with nothing
            /// to send is done at once); each counted from here when it runs in-process.
            func ready() -> [(Int, Outgoing)] {
                var out: [(Int, Outgoing)] = []
                var progressed = true
                while progressed {
                    progressed = false
                    for (id, step) in steps.enumerated() where !started.contains(id) && step.after.isSubset(of: done) {
                        started.insert(id)
                        if step.path == nil, step.fetch.operationKind == .mutation, mutationEnds(before: id, steps, done: done) {
                            done.insert(id)   // not sent: the response's data is null already
                            progressed = true
                            continue
                        }
                        if step.path == nil, step.fetch.operationKind == .mutation, let deadline = RequestDeadline.current {
                            // The first root field sent makes the mutation one the deadline no longer
                            // cuts short; past it, the next ones do not begin, each saying so. (One
                            // whose deadline passed before it began runs nothing: its client is
                            // answered 504.)
                            let began = mutationBegan
                            if began ? deadline.expired : !deadline.protect() {
                                done.insert(id)
                                progressed = true
                                adopt(Self.rootPaths(step.fetch, variables: variables(for: step.fetch)).map { deadline.notRun($0, first: !began) })
                                continue
                            }
                            mutationBegan = true
                        }
                        var together = [id]
                        if let same = step.fetch.sameRequest {
                            for j in (id + 1)..<steps.count where !started.contains(j) && steps[j].fetch.sameRequest == same
                                && steps[j].after.isSubset(of: done) {
                                started.insert(j)
                                together.append(j)
                            }
                        }
                        var o = prepare(together, steps)
                        if o.requests.isEmpty { done.formUnion(together); progressed = true; continue }
                        if reusesAnswers, step.fetch.answersAreFlat, let key = step.fetch.sameRequest, o.requests.count == 1,
                           !o.requests[0].withoutRequires {
                            switch reuse(&o, id: id, key: key, steps: steps, outgoing: &outgoing) {
                            case .send: break
                            case .answered: done.formUnion(together); progressed = true; continue
                            case .joined: continue   // done when the request it joined is
                            }
                        }
                        if counted(step) { work?.asyncResolverStarted() }
                        outgoing[id] = o
                        out.append((id, o))
                    }
                }
                return out
            }
            /// Merges a step's answers and collects the steps that become ready (`released`: an
            /// answer held for the first payload until now, its work counted done already).
            func finished(_ id: Int, _ results: [Result<SubgraphResponse, GraphQLError>], released: Bool = false) -> [(Int, Outgoing)] {
                if !released, !primaryDelivered, steps[id].fetch.deferredOnly, !primary.contains(id), !neededByPrimary.contains(id) {
                    held.append((id, results))
                    if counted(steps[id]) { work?.asyncResolverFinished() }
                    return []
                }
                if let out = outgoing.removeValue(forKey: id) {
                    merge(steps[id], out, results)
                    done.formUnion(out.steps)
                }
                done.insert(id)
                let next = ready()
                if !released, counted(steps[id]) { work?.asyncResolverFinished() }
                noteInProcessWork()
                return next
            }
            /// The first payload when it is ready, then the deferred answers held for it.
            func deliver() -> [(Int, Outgoing)] {
                deliverPrimaryIfReady()
                guard primaryDelivered, !held.isEmpty else { return [] }
                let answers = held
                held = []
                return answers.flatMap { finished($0.0, $0.1, released: true) }
            }
            var next = ready()
            noteInProcessWork()
            while true {
                if next.count == 1, group.isEmpty {
                    let more = deliver()
                    if more.isEmpty {
                        // The only fetch that can run (the root fetch, a chain's next link): on this task.
                        let (id, out) = next[0]
                        next = finished(id, await Self.send(steps[id].fetch, out.requests, executor: executor, headers: headers, mayShare: mayShare))
                        continue
                    }
                    next += more
                }
                for (id, out) in next {
                    let fetch = steps[id].fetch, requests = out.requests
                    group.addTask { (id, await Self.send(fetch, requests, executor: executor, headers: headers, mayShare: mayShare)) }
                }
                // Sent first: the fetches that became ready do not wait for the first payload's shaping.
                next = deliver()
                if !next.isEmpty { continue }
                guard let (id, results) = await group.next() else {
                    // Nothing runs, and the first payload is not out: the answers held are merged
                    // (nothing the first payload waits for can come any more).
                    guard !held.isEmpty else { break }
                    let answers = held
                    held = []
                    next = answers.flatMap { finished($0.0, $0.1, released: true) }
                    continue
                }
                next = finished(id, results)
            }
            deliverPrimaryIfReady()
        }
    }

    /// What steps `ids` send (one step, or several with the same `sameRequest`): a root fetch's
    /// variables, or an entity fetch's representations collected from the tree at each step's
    /// path (one request per set of context values).
    func prepare(_ ids: [Int], _ steps: [Step]) -> Outgoing {
        let step = steps[ids[0]]
        guard step.path != nil else {
            return Outgoing(steps: ids, requests: [Request(variables: variables(for: step.fetch))], targets: [Targets()])
        }
        var out = Outgoing(steps: ids)
        if step.fetch.entities.isEmpty {
            // Root fields of a `Query` inside the answer: one root query, its answer merged into
            // every object at the path.
            var targets = Targets()
            var first = 0
            for id in ids {
                let path = steps[id].path ?? []
                let found = collect(path)
                out.parts.append(Outgoing.Part(path: path, found: found, first: first))
                for (i, node) in found.nodes.enumerated() where node.isObject {
                    let t: Target = (node.object, first + i)
                    if targets.count == 0 { targets.append(t) } else { targets.add(t, to: 0) }
                }
                first += found.nodes.count
            }
            guard targets.count > 0 else { return out }
            out.requests.append(Request(variables: variables(for: step.fetch)))
            out.targets.append(targets)
            return out
        }
        let all = batches(ids.map { steps[$0].path ?? [] }, step.fetch, parts: &out.parts)
        for batch in all where batch.count > 0 {
            var vars = variables(for: step.fetch)
            for (input, value) in zip(step.fetch.contextInputs, batch.context) { vars[input.variable] = value }
            var list = batch.list.bytes
            list.append(UInt8(ascii: "]"))
            out.requests.append(Request(variables: vars, representations: list, withoutRequires: batch.withoutRequires))
            out.targets.append(batch.targets)
            out.ranges.append(batch.compared.map(\.bytes))
        }
        return out
    }

    /// Answers into the tree, errors with their paths.
    func merge(_ step: Step, _ out: Outgoing, _ results: [Result<SubgraphResponse, GraphQLError>]) {
        let before = errors.count
        defer {
            // An incremental response's deferred fetches report with the deferred fragments.
            if deferredErrors != nil, step.fetch.deferredOnly, errors.count > before {
                deferredErrors! += errors[before...].map { HeldError(error: $0, fragment: step.fetch.deferredFor) }
                errors.removeSubrange(before...)
            }
        }
        for (i, result) in results.enumerated() {
            guard step.path != nil else { mergeRoot(step.fetch, result); continue }
            guard !step.fetch.entities.isEmpty else { mergeRootAt(step.fetch, out, result); continue }
            mergeEntities(step.fetch, out, request: i, result)
        }
        if step.path != nil { mergedBelow(out.parts.map(\.path)) }
    }

    func variables(for f: FetchNode) -> OrderedDictionary<String, JSON> { Self.variables(for: f, from: variables) }

    /// The request's variables that a fetch's operation uses (a null one that it reads only as
    /// a `@skip`/`@include` condition as true: `FetchNode.conditionOnlyVariables`).
    static func variables(for f: FetchNode, from variables: OrderedDictionary<String, JSON>) -> OrderedDictionary<String, JSON> {
        var v = OrderedDictionary<String, JSON>()
        for name in f.variables {
            guard let value = variables[f.conditionAliases.isEmpty ? name : f.conditionAliases[name] ?? name] else { continue }
            if case .null = value, f.conditionOnlyVariables.contains(name) { v[name] = .bool(true) } else { v[name] = value }
        }
        return v
    }

    /// A step's requests (one per set of context values), sent together; answers in their order.
    static func send(_ f: FetchNode, _ requests: [Request], executor: PlanExecutor,
                     headers: @escaping @Sendable (String) -> [(String, String)], mayShare: Bool) async -> [Result<SubgraphResponse, GraphQLError>] {
        if requests.count == 1 { return [await send(f, requests[0], executor: executor, headers: headers, mayShare: mayShare)] }
        return await withTaskGroup(of: (Int, Result<SubgraphResponse, GraphQLError>).self) { group in
            for (i, r) in requests.enumerated() {
                group.addTask { (i, await send(f, r, executor: executor, headers: headers, mayShare: mayShare)) }
            }
            var results = [Result<SubgraphResponse, GraphQLError>?](repeating: nil, count: requests.count)
            for await (i, result) in group { results[i] = result }
            return results.map { $0! }
        }
    }

    static func send(_ f: FetchNode, _ r: Request, executor: PlanExecutor,
                     headers: @Sendable (String) -> [(String, String)], mayShare: Bool) async -> Result<SubgraphResponse, GraphQLError> {
        guard let transport = executor.transports[f.subgraph] else {
            return .failure(GraphQLError("No transport for subgraph \"\(f.subgraph)\".", code: "SUBGRAPH_UNAVAILABLE",
                                         extensions: ["serviceName": .string(f.subgraph)]))
        }
        do {
            if r.withoutRequires, let v = f.withoutRequires {
                return .success(try await transport.fetch(SubgraphRequest(
                    query: v.operation, variables: r.variables, representations: r.representations, headers: headers(f.subgraph),
                    document: v.document, queryJSON: v.json, compiled: v.compiled, mayShare: mayShare)))
            }
            return .success(try await transport.fetch(SubgraphRequest(
                query: f.operation, variables: r.variables, representations: r.representations, headers: headers(f.subgraph),
                document: f.document, queryJSON: f.operationJSON.isEmpty ? nil : f.operationJSON, compiled: f.compiled,
                mayShare: mayShare && f.operationKind != .mutation)))
        } catch {
            return .failure(subgraphError(error, f))
        }
    }

    /// A failed subgraph call as the error the client sees (naming the subgraph).
    static func subgraphError(_ error: any Error, _ f: FetchNode) -> GraphQLError {
        if var e = error as? GraphQLError {
            if e.extensions?["serviceName"] == nil { e.extensions = (e.extensions ?? [:]).merging(["serviceName": .string(f.subgraph)]) { a, _ in a } }
            return e
        }
        // What failed (addresses, errno) is the operator's to read in the log, not the client's.
        return GraphQLError("Subgraph \"\(f.subgraph)\" could not be reached.", code: "SUBREQUEST_HTTP_ERROR",
                            extensions: ["serviceName": .string(f.subgraph)])
    }

    /// Subgraph errors, with paths made absolute: `mapPaths` gives the client's paths of a
    /// subgraph path (several when one answer went to several objects; none: no path).
    /// - Parameter unplaced: the paths of an error that names none (an entity fetch's: every object it was for).
    func upstreamErrors(_ response: SubgraphResponse, _ f: FetchNode, unplaced: () -> [[PathElement]] = { [] },
                        mapPaths: ([JSON]) -> [[PathElement]]) -> [GraphQLError] {
        var out: [GraphQLError] = []
        let room = errorRoom
        for e in response.errors {
            guard out.count < room else { errorsLeftOut += 1; continue }   // `addErrors` counts what passes the room
            var ext = e["extensions"]?.objectValue ?? [:]
            // (The transport's own error for a failure status that came with a GraphQL body keeps
            // the status, as it does without one.)
            if !executor.errorExtensionsFrom.contains(f.subgraph) {
                let httpError = ext["code"]?.stringValue == "SUBREQUEST_HTTP_ERROR"
                ext = ext.filter { $0.key == "code" || (httpError && $0.key == "status") }
            }
            ext["serviceName"] = .string(f.subgraph)
            // A code is a string: anything else (an object of connection details, say) is not
            // passed on under its name.
            if ext["code"]?.stringValue == nil { ext["code"] = "DOWNSTREAM_SERVICE_ERROR" }
            let message = e["message"]?.stringValue ?? "Unknown subgraph error"
            let paths = e["path"]?.arrayValue.map(mapPaths) ?? unplaced()
            if paths.isEmpty { out.append(GraphQLError(message, path: nil, extensions: ext)) }
            for path in paths { out.append(GraphQLError(message, path: path, extensions: ext)) }
        }
        return out
    }

    static func pathElements(_ json: [JSON]) -> [PathElement] {
        json.compactMap { j in
            if let s = j.stringValue { return .key(s) }
            if let i = j.intValue { return .index(i) }
            return nil
        }
    }

    /// A subgraph path in the client's response keys: the fetch's internal aliases (`code__sy0`)
    /// taken off, and cut before a field the planner asked for itself (a key or `@requires`
    /// input under an alias of its own, `_id_44256`), which the client's response does not have.
    static func clientPath(_ elements: [PathElement], _ f: FetchNode) -> [PathElement] {
        var out: [PathElement] = []
        out.reserveCapacity(elements.count)
        for e in elements {
            guard case .key(let k) = e else { out.append(e); continue }
            if let original = f.internalAliases[k] { out.append(.key(original)); continue }
            if k.hasPrefix(SelectionTree.clientTypenameKey) { out.append(.key(SelectionTree.clientKey(k))); continue }
            if f.plannerAliases.contains(k) { break }
            out.append(e)
        }
        return out
    }

    func mergeRoot(_ f: FetchNode, _ result: Result<SubgraphResponse, GraphQLError>) {
        /// The fetch's root fields have no answer: the response's values missing under them are
        /// explained by its errors (`missingRoots`).
        func unanswered() -> [[PathElement]] {
            let paths = Self.rootPaths(f, variables: variables(for: f))
            for case .key(let k)? in paths.map(\.first) { missingRoots.insert(k) }
            return paths
        }
        switch roomChecked(result, f) {
        case .failure(let e):
            // An error at each root field the fetch was for (§7.1.2: it can be associated with them).
            addError(e, at: unanswered())
        case .success(let response):
            if let data = response.data {
                let answer = tree.absorb(data, renames: f.internalAliases)
                if answer.isObject {
                    tree.merge(root, answer.object)
                    collected.removeAll()
                    addErrors(upstreamErrors(response, f, unplaced: { [] }) { [Self.clientPath(Self.pathElements($0), f)] })
                    return
                }
            }
            let paths = unanswered()
            // No data and no error is not a GraphQL response (§7: a null `data` comes with errors):
            // an error at each root field the fetch was for, as for a fetch that failed whole.
            if response.errors.isEmpty {
                addError(GraphQLError("Subgraph \"\(f.subgraph)\" answered without data and without errors.",
                                      code: "SUBREQUEST_MALFORMED_RESPONSE", extensions: ["serviceName": .string(f.subgraph)]),
                         at: paths)
            }
            // Without data, an error that names no path stands at each root field of the fetch.
            if paths.isEmpty { failedUnplaced = true }
            addErrors(upstreamErrors(response, f, unplaced: { paths }) { [Self.clientPath(Self.pathElements($0), f)] })
        }
    }

    /// The client's paths of a root fetch's fields that its `@skip`/`@include` conditions keep
    /// with the request's variables, `__typename` left out.
    static func rootPaths(_ f: FetchNode, variables: OrderedDictionary<String, JSON>) -> [[PathElement]] {
        guard let operation = (f.document ?? (try? Parser.parse(f.operation, options: ParserOptions(maxTokens: nil))))?.operations.first else { return [] }
        var keys: [String] = []
        // Whether `@skip`/`@include` keep a selection, with the fetch's variables (§3.13.1).
        func included(_ directives: [Directive]) -> Bool {
            if case .included = FieldCollector.inclusion(directives, variables: variables) { return true }
            return false
        }
        func collect(_ selections: [Selection]) {
            for s in selections {
                switch s {
                case .field(let field) where field.name.value != "__typename" && included(field.directives):
                    let key = f.internalAliases[field.responseKey] ?? SelectionTree.clientKey(field.responseKey)
                    if !f.plannerAliases.contains(field.responseKey), !keys.contains(key) { keys.append(key) }
                case .inlineFragment(let i) where included(i.directives):
                    collect(i.selectionSet.selections)
                default:
                    continue
                }
            }
        }
        collect(operation.selectionSet.selections)
        return keys.map { [.key($0)] }
    }

    /// A root query's answer for the `Query` objects at a path: merged into each.
    func mergeRootAt(_ f: FetchNode, _ out: Outgoing, _ result: Result<SubgraphResponse, GraphQLError>) {
        let targets = out.targets.first ?? Targets()
        func paths() -> [[PathElement]] { out.objectPaths(targets) }
        switch roomChecked(result, f) {
        case .failure(let e):
            addError(e, at: paths(), orPathless: false)
        case .success(let response):
            if let data = response.data, targets.count > 0 {
                let answer = tree.absorb(data, renames: f.internalAliases)
                if answer.isObject {
                    // One answer for every object there: a copy for all but the first (see `mergeEntity`).
                    var first = true
                    withTree { tree in
                        for t in targets.of(0) {
                            tree.merge(t.node, first || !tree.hasComposite(object: answer.object) ? answer.object : tree.copy(object: answer.object))
                            first = false
                        }
                    }
                }
            }
            let bases = paths()
            addErrors(upstreamErrors(response, f, unplaced: { bases }) { p in
                let rest = Self.clientPath(Self.pathElements(p), f)
                return bases.map { $0 + rest }
            })
        }
    }

    /// An answer whose keys would not fit the run's key table (more than `KeyTable.maxKeys`
    /// distinct keys over all of the request's answers) as a failed fetch.
    func roomChecked(_ result: Result<SubgraphResponse, GraphQLError>, _ f: FetchNode) -> Result<SubgraphResponse, GraphQLError> {
        guard case .success(let response) = result, let data = response.data, !withTree({ $0.hasRoomForKeys(of: data) }) else { return result }
        return .failure(GraphQLError("Subgraph \"\(f.subgraph)\" answered with more distinct response keys than one request may hold (\(KeyTable.maxKeys - 1)).",
                                     code: "SUBREQUEST_MALFORMED_RESPONSE", extensions: ["serviceName": .string(f.subgraph)]))
    }

    /// Objects at `path` (lists flattened, type conditions applied), each with the list indices
    /// on its way (one per `.list` segment): its response path is built only when an error needs it.
    func collect(_ path: [PathSegment]) -> Found {
        if tree.compositesReplaced != collectedAtReplacements {
            collected.removeAll()
            collectedAtReplacements = tree.compositesReplaced
        }
        var found: Found?
        var start: (index: Int, length: Int)?
        for (i, entry) in collected.enumerated() where entry.path.count <= path.count && entry.path.count > (start?.length ?? -1) {
            guard path.starts(with: entry.path) else { continue }
            if entry.path.count == path.count { found = entry.found; break }
            start = (i, entry.path.count)
        }
        if found == nil {
            let walked = start.map { walk(path[$0.length...], from: collected[$0.index].found) }
                ?? walk(path[...], from: Found(nodes: [rootValue], indices: [], stride: 0))
            if collected.count < 32 { collected.append((path, walked)) }
            found = walked
        }
        let current = found!
        if current.nodes.allSatisfy(\.isObject) { return current }
        var out = Found(nodes: [], indices: [], stride: current.stride)
        for e in current.nodes.indices where current.nodes[e].isObject { out.add(current.nodes[e], from: current, entry: e) }
        return out
    }

    /// Merges into the objects at `paths` happened: what was collected below them is walked again.
    func mergedBelow(_ paths: [[PathSegment]]) {
        collected.removeAll { entry in paths.contains { entry.path.count > $0.count && entry.path.starts(with: $0) } }
    }

    /// The objects and lists at the end of `path`, from those of `start`.
    private func walk(_ path: ArraySlice<PathSegment>, from start: Found) -> Found {
        let tree = self.tree   // read only here: one copy of the buffer's arrays, not one per access
        var current = start
        for seg in path {
            var next = Found(nodes: [], indices: [], stride: current.stride)
            next.nodes.reserveCapacity(current.nodes.count)
            switch seg {
            case .field(let key):
                guard let k = tree.keys.find(key) else { return next }
                next.indices.reserveCapacity(current.indices.count)
                for e in current.nodes.indices where current.nodes[e].isObject {
                    if let v = tree.member(current.nodes[e].object, k), v.isObject || v.isList { next.add(v, from: current, entry: e) }
                }
            case .list:
                next.stride = current.stride + 1
                for e in current.nodes.indices {
                    let list = current.nodes[e]
                    guard list.isList else { continue }
                    next.nodes.reserveCapacity(next.nodes.count + list.items.count)
                    next.indices.reserveCapacity(next.indices.count + list.items.count * next.stride)
                    for s in list.items {
                        let item = tree.values[s]
                        guard item.isObject || item.isList else { continue }
                        next.add(item, from: current, entry: e, index: s - list.items.lowerBound)
                    }
                }
            case .typeCondition(let types):
                for e in current.nodes.indices {
                    let node = current.nodes[e]
                    guard node.isObject else { continue }
                    if let t = tree.typenameValue(node.object), !types.contains(where: { tree.string(t, equals: $0) }) { continue }
                    next.add(node, from: current, entry: e)
                }
            }
            current = next
        }
        return current
    }

    /// The client's response path of an object `collect(path)` found with these list indices.
    static func responsePath(_ path: [PathSegment], _ indices: ArraySlice<Int>) -> [PathElement] {
        var out: [PathElement] = []
        var next = indices.makeIterator()
        for seg in path {
            switch seg {
            case .field(let k): out.append(.key(SelectionTree.clientKey(k)))
            case .list: if let i = next.next() { out.append(.index(i)) }
            case .typeCondition: break
            }
        }
        return out
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

    /// What an entity fetch knows of the objects of one runtime type at its path: the input that
    /// applies (none: such objects are not sent), the representation's writer, the key's fields.
    /// A class: read several times per object, a struct of this many references was copied each time.
    final class EntityKind {
        let typename: String?
        /// `typename`'s UTF-8 bytes (objects are matched to their kind by them).
        let typenameBytes: [UInt8]
        let writer: RepresentationWriter?
        /// The key fields' ids (-2: no answer has it), by field: each field's response keys (a
        /// key asked under the field's name in one copy of an object and under an alias of the
        /// planner's in another, conditional one: either gives it).
        let keys: [[Int32]]
        /// What the representation's `__typename` says (the interface for an @interfaceObject),
        /// as a JSON string.
        let written: [UInt8]?

        /// `@requires` inputs (as `"name":`) none of whose fields are asked in this request.
        let unneeded: Set<[UInt8]>
        /// Nested ones, by dotted path (`maker.rank`).
        let unneededPaths: Set<String>
        /// The writer of `__typename` and the key alone, when the fetch has a variant without its
        /// fields that need `@requires` inputs (`FetchNode.withoutRequires`): for the entities a
        /// non-null input could not be had for.
        private(set) lazy var keyWriter: RepresentationWriter? = keyOnly ? input.map { i in
            RepresentationWriter(i.selection.selections.filter { sel in
                guard case .field(let f) = sel else { return false }
                return f.name.value == "__typename" || i.keyFields.contains(f.responseKey)
            }, runtime: runtimeName, schema: schema, keys: table)
        } : nil
        private let keyOnly: Bool
        private let runtimeName: String?
        private let input: EntityRepresentation?
        private let schema: Schema
        private let table: KeyTable

        init(typename: String?, input: EntityRepresentation?, schema: Schema, keys table: KeyTable,
             variables: OrderedDictionary<String, JSON> = [:], keyOnly: Bool = false) {
            self.typename = typename
            var unneeded = Set<[UInt8]>(), unneededPaths = Set<String>()
            for (name, sets) in input?.conditionalInputs ?? [:] where !sets.contains(where: { Self.holds($0, variables) }) {
                if name.contains(".") { unneededPaths.insert(name) } else { unneeded.insert(RepresentationWriter.nameBytes(name)) }
            }
            self.unneeded = unneeded
            self.unneededPaths = unneededPaths
            typenameBytes = Array((typename ?? "").utf8)
            let written = input.map { $0.asInterfaceObject ? $0.typeCondition : (typename ?? $0.typeCondition) }
            self.written = written.map(RepresentationWriter.jsonString)
            writer = input.map { RepresentationWriter($0.selection.selections, runtime: typename ?? written, schema: schema, keys: table) }
            self.keyOnly = keyOnly
            self.runtimeName = typename ?? written
            self.input = input
            self.schema = schema
            self.table = table
            var names: [String: String] = [:]   // response key → field name
            func note(_ selections: [Selection]) {
                for s in selections {
                    switch s {
                    case .field(let f): names[f.responseKey] = f.name.value
                    case .inlineFragment(let i): note(i.selectionSet.selections)
                    case .fragmentSpread: break
                    }
                }
            }
            note(input?.selection.selections ?? [])
            writer?.markInputs(keyFields: Set((input?.keyFields ?? []).map { names[$0] ?? $0 }))
            var byName = OrderedDictionary<String, [Int32]>()
            for k in input?.keyFields ?? [] { byName[names[k] ?? k, default: []].append(table.find(k) ?? -2) }
            keys = Array(byName.values)
        }

        /// Whether object `node` has a non-null value for every key field.
        @inline(__always)
        func hasKey(_ tree: ResponseBuffer, _ node: Int32) -> Bool {
            keys.allSatisfy { ids in ids.contains { tree.member(node, $0).map { !$0.isNull } ?? false } }
        }

        /// Whether every `@skip`/`@include` of a set lets its field be asked.
        static func holds(_ conditions: [Directive], _ variables: OrderedDictionary<String, JSON>) -> Bool {
            conditions.allSatisfy { d in
                guard case .variable(let v)? = d.arguments.first(where: { $0.name.value == "if" })?.value else { return true }
                let value = variables[v]?.boolValue ?? false
                return d.name.value == "include" ? value : !value
            }
        }
    }

    /// Entities with different context values (`@fromContext`) go in separate requests.
    /// Representations are written one after another into `list` (the items of the JSON array
    /// sent as `representations`), each once: an object whose representation is there already
    /// joins that one's targets. Objects a `flat` writer writes are compared by their values
    /// before anything is written (a duplicate costs a hash and a comparison); others are
    /// written, and taken back when an equal one is there.
    struct Batch {
        var context: [JSON]
        /// Sent with the fetch's operation without its fields that need `@requires` inputs.
        var withoutRequires = false
        var list = JSONWriter(capacity: 1024)
        /// Representations so far.
        var count = 0
        var targets = Targets()
        /// Per representation: its hash, and what it is compared by — the kind and the object
        /// it was written from (by values), or its bytes in `list` (kind -1).
        var hashes: [Int] = []
        var compared: [(kind: Int32, node: Int32, bytes: Range<Int>)] = []
        /// Representations by hash, open-addressed (-1: empty; a power of two long, under half full).
        var table = [Int32](repeating: -1, count: 16)

        init(context: [JSON], expected: Int, withoutRequires: Bool = false) {
            self.context = context
            self.withoutRequires = withoutRequires
            list.bytes.append(UInt8(ascii: "["))
            targets.reserve(expected)
            hashes.reserveCapacity(expected)
            compared.reserveCapacity(expected)
            var size = 16
            while size < 2 * expected { size *= 2 }
            table = [Int32](repeating: -1, count: size)
        }

        /// The representation with hash `hash` for which `same` holds, if there is one.
        @inline(__always)
        func find(_ hash: Int, _ same: (Int) -> Bool) -> Int? {
            let mask = table.count - 1
            var i = hash & mask
            while true {
                let r = Int(table[i])
                if r < 0 { return nil }
                if hashes[r] == hash, same(r) { return r }
                i = (i + 1) & mask
            }
        }

        /// A new representation, merged into `target`.
        mutating func append(_ hash: Int, kind: Int32, node: Int32, bytes: Range<Int>, target: Target) {
            if (count + 1) * 2 > table.count {
                table = [Int32](repeating: -1, count: table.count * 2)
                for (r, h) in hashes.enumerated() { insert(h, Int32(r)) }
            }
            insert(hash, Int32(count))
            hashes.append(hash)
            compared.append((kind, node, bytes))
            targets.append(target)
            count += 1
        }

        private mutating func insert(_ hash: Int, _ r: Int32) {
            let mask = table.count - 1
            var i = hash & mask
            while table[i] >= 0 { i = (i + 1) & mask }
            table[i] = r
        }

        /// Writes object `node`'s representation at the end of `list` (after a comma unless it
        /// is the first) and returns where its bytes are, and where the comma is.
        @inline(__always)
        mutating func write(_ tree: ResponseBuffer, _ node: Int32, _ kind: EntityKind, _ writer: RepresentationWriter, schema: Schema) -> (Range<Int>, comma: Int) {
            let comma = list.bytes.count
            if count > 0 { list.bytes.append(UInt8(ascii: ",")) }
            let start = list.bytes.count
            list.bytes.append(UInt8(ascii: "{"))
            writer.write(tree, node, typename: kind.written, schema: schema, into: &list, leavingOut: kind.unneeded, unneededPaths: kind.unneededPaths)
            list.bytes.append(UInt8(ascii: "}"))
            return (start..<list.bytes.count, comma)
        }

        /// Adds object `node` (of kind `k`) for `target`: to the targets of an equal
        /// representation, or as a new one.
        mutating func add(_ tree: ResponseBuffer, _ node: Int32, kind k: Int, of kinds: [EntityKind], _ writer: RepresentationWriter,
                          schema: Schema, target: Target) {
            if writer.flat {
                var h = QuickHasher()
                h.combine(k)
                if writer.hashValues(tree, node, into: &h) {
                    let hash = h.finalize()
                    if let r = find(hash, { compared[$0].kind == Int32(k) && writer.sameValues(tree, compared[$0].node, node) }) {
                        targets.add(target, to: r)
                    } else {
                        let (range, _) = write(tree, node, kinds[k], writer, schema: schema)
                        append(hash, kind: Int32(k), node: node, bytes: range, target: target)
                    }
                    return
                }
            }
            let (range, comma) = write(tree, node, kinds[k], writer, schema: schema)
            let hash = list.bytes.withUnsafeBytes { b in
                var h = QuickHasher()
                h.combine(bytes: UnsafeRawBufferPointer(rebasing: b[range]))
                return h.finalize()
            }
            let same = find(hash) { r in
                let other = compared[r].bytes
                return compared[r].kind == -1 && other.count == range.count
                    && list.bytes.withUnsafeBufferPointer { sameBytes($0.baseAddress! + other.lowerBound, $0.baseAddress! + range.lowerBound, range.count) }
            }
            if let r = same {
                list.bytes.removeSubrange(comma...)
                targets.add(target, to: r)
            } else {
                append(hash, kind: -1, node: node, bytes: range, target: target)
            }
        }
    }

    /// The representations of the objects at `paths`, deduplicated, by context values; where
    /// each path's objects were found goes to `parts`.
    func batches(_ paths: [[PathSegment]], _ f: FetchNode, parts: inout [Outgoing.Part]) -> [Batch] {
        guard !f.entities.isEmpty else { return [] }
        var batches: [Batch] = []
        var byContext: [JSON: Int] = [:]
        let schema = executor.supergraph.schema
        let tree = self.tree
        var kinds: [EntityKind] = []
        var seen: [(name: ResponseBuffer.Value, kind: Int)] = []
        var first = 0
        /// Entities sent by their key alone, with `FetchNode.withoutRequires`.
        var fallback: Batch?
        let founds = paths.map(collect)
        // Room for every object found (a batch grows to at most that many representations).
        let expected = founds.reduce(0) { $0 + $1.nodes.count }
        for (path, found) in zip(paths, founds) {
            parts.append(Outgoing.Part(path: path, found: found, first: first))
            defer { first += found.nodes.count }
            for (entry, value) in found.nodes.enumerated() {
                let node = value.object
                let k: Int
                let name = tree.typenameValue(node)
                // Objects of one answer share their typename's record (`ResponseBuffer` reads a
                // name once): matched by record first, by bytes when it is another record.
                if let t = name, let i = seen.firstIndex(where: { $0.name.isSameRecord(as: t) }) {
                    k = seen[i].kind
                } else {
                    if let i = kinds.firstIndex(where: { kind in name.map { kind.typename != nil && tree.string($0, equals: kind.typenameBytes) } ?? (kind.typename == nil) }) {
                        k = i
                    } else {
                        let typename = name.map(tree.string)
                        kinds.append(EntityKind(typename: typename, input: input(for: typename, in: f), schema: schema, keys: tree.keys,
                                                variables: variables, keyOnly: f.withoutRequires != nil))
                        k = kinds.count - 1
                    }
                    if let t = name, seen.count < 16 { seen.append((t, k)) }
                }
                guard let writer = kinds[k].writer else { continue }
                // An object whose key is missing or null is not an entity this fetch can resolve;
                // one missing a non-null `@requires` input (the fetch that gives it failed) is not
                // sent without it (a nullable one is sent as null, `RepresentationWriter.Member.input`).
                guard kinds[k].hasKey(tree, node) else { continue }
                guard writer.hasEveryMember(tree, node, unless: kinds[k].unneeded, unneededPaths: kinds[k].unneededPaths, schema: schema) else {
                    // Its other fields are still asked, by its key alone, in the fetch's variant
                    // without the fields that need the inputs (they stay unanswered, as before).
                    if let keyWriter = kinds[k].keyWriter {
                        if fallback == nil { fallback = Batch(context: [], expected: 0, withoutRequires: true) }
                        fallback!.add(tree, node, kind: k, of: kinds, keyWriter, schema: schema, target: (node, first + entry))
                    }
                    continue
                }
                let b: Int
                if f.contextInputs.isEmpty {
                    // No @fromContext: one batch.
                    if batches.isEmpty { batches.append(Batch(context: [], expected: expected)) }
                    b = 0
                } else {
                    let values = f.contextInputs.map { contextValue($0, indices: found.indices(of: entry)) }
                    if let i = byContext[.array(values)] { b = i } else {
                        b = batches.count
                        byContext[.array(values)] = b
                        batches.append(Batch(context: values, expected: 0))   // many batches: each grows as it needs
                    }
                }
                batches[b].add(tree, node, kind: k, of: kinds, writer, schema: schema, target: (node, first + entry))
            }
        }
        if let fallback { batches.append(fallback) }
        return batches
    }

    /// The value an entity's `@fromContext` argument takes: picked from its ancestor at the
    /// input's path (found again by the entity's own list indices).
    func contextValue(_ input: ContextInput, indices: ArraySlice<Int>) -> JSON {
        let tree = self.tree
        var current = rootValue
        var next = indices.makeIterator()
        for seg in input.ancestorPath {
            switch seg {
            case .field(let k) where current.isObject:
                current = tree.member(current, k) ?? .null
            case .list where current.isList:
                guard let i = next.next(), i < current.items.count else { return .null }
                current = tree.values[current.items.lowerBound + i]
            case .typeCondition:
                continue
            default:
                return .null
            }
        }
        let schema = executor.supergraph.schema
        /// The one field the selection picks for this object: `__typename` (asked for type
        /// conditions) passed over, a fragment only where its condition holds.
        func pick(_ v: ResponseBuffer.Value, _ selections: [Selection]) -> ResponseBuffer.Value? {
            guard v.isObject else { return v }
            for sel in selections {
                switch sel {
                case .field(let field):
                    if field.name.value == "__typename", selections.count > 1 { continue }
                    guard let m = tree.member(v, field.responseKey) else { continue }
                    guard let sub = field.selectionSet, m.isObject else { return m }
                    return pick(m, sub.selections) ?? .null
                case .inlineFragment(let i):
                    if let condition = i.typeCondition?.value, let t = tree.member(v, "__typename").map({ tree.string($0) }),
                       condition != t, !(schema.types[condition].map { $0.kind.isAbstract && $0.possibleTypes.contains(t) } ?? false) {
                        continue
                    }
                    if let found = pick(v, i.selectionSet.selections) { return found }
                case .fragmentSpread:
                    continue
                }
            }
            return nil
        }
        return tree.json(pick(current, input.selection.selections) ?? .null)
    }

    /// An error at one entity is repeated for at most this many of the objects it was sent for
    /// (a shared entity can stand for thousands: the answer must not grow with them).
    static let maxPathsPerError = 100

    func mergeEntities(_ f: FetchNode, _ out: Outgoing, request q: Int, _ result: Result<SubgraphResponse, GraphQLError>) {
        let targets = out.targets[q]
        // Answers later steps may take: those that came back as objects, from a response without errors.
        let memo = q < out.memo.count ? out.memo[q] : []
        for e in memo where e >= 0 { answers.states[Int(e)] = .unusable }
        /// The error at each object the failed request was for (each position it leaves null has
        /// its error, §6.4.4, as Apollo's router reports it), at most `maxPathsPerError` of them.
        /// An object still known only by its interface is no object of any type then (its
        /// `__typename` would be the interface's): null, as when the answer was null for it.
        func failed(_ e: GraphQLError, only r: Int? = nil) {
            addError(e, at: out.objectPaths(targets, representations: r.map { [$0] }))
            if let r { untypedUnanswered(targets, r) } else { for r in 0..<targets.count { untypedUnanswered(targets, r) } }
        }
        switch roomChecked(result, f) {
        case .failure(let e):
            failed(e)
        case .success(let response):
            /// Every object the request was for (an error at no entity in particular).
            func everyObject() -> [[PathElement]] { out.objectPaths(targets) }
            addErrors(upstreamErrors(response, f, unplaced: everyObject) { p in
                // ["_entities", i, ...rest] → the paths of the objects representation i was for.
                if p.count == 1, p[0].stringValue == "_entities" { return everyObject() }
                guard p.count >= 2, p[0].stringValue == "_entities", let i = p[1].intValue, i >= 0, i < targets.count else { return [] }
                let rest = Self.clientPath(Self.pathElements(Array(p.dropFirst(2))), f)
                var paths: [[PathElement]] = []
                targets.forEach(i) { if paths.count < Self.maxPathsPerError { paths.append(out.responsePath($0.entry) + rest) } }
                return paths
            })
            // `_entities` must be a list of one answer per representation, in their order; anything
            // else cannot be matched to the objects (a subgraph's own errors explain a missing one).
            func malformed(_ what: String) {
                // No entity of the request was answered.
                for r in 0..<targets.count { untypedUnanswered(targets, r) }
                let e = GraphQLError("Subgraph \"\(f.subgraph)\" answered \(what) for \(targets.count) representations.",
                                     code: "SUBREQUEST_MALFORMED_RESPONSE", extensions: ["serviceName": .string(f.subgraph)])
                guard !response.errors.isEmpty else { return failed(e) }
                // Its errors explain the representations they name (an error without a path, all
                // of them); each other one gets this error.
                var named = Set<Int>()
                for error in response.errors {
                    guard let p = error["path"]?.arrayValue else { return }
                    if p.count >= 2, p[0].stringValue == "_entities", let i = p[1].intValue { named.insert(i) } else { return }
                }
                for r in 0..<targets.count where !named.contains(r) { failed(e, only: r) }
            }
            guard let data = response.data else { return malformed("no data") }
            let answer = tree.absorb(data, renames: f.internalAliases)
            guard let list = tree.member(answer, "_entities"), list.isList else { return malformed("no _entities list") }
            guard list.items.count == targets.count else { return malformed("_entities with \(list.items.count) entries") }
            // Representations the subgraph's errors name (`["_entities", i, …]`).
            var named = Set<Int>()
            for error in response.errors {
                if let p = error["path"]?.arrayValue, p.count >= 2, p[0].stringValue == "_entities", let i = p[1].intValue { named.insert(i) }
            }
            for (i, s) in list.items.enumerated() {
                let entity = tree.values[s]
                guard entity.isObject else {
                    // null: no such entity; anything else is not an answer for it.
                    if entity.isNull { untypedUnanswered(targets, i) }
                    // Answered null with an error of its own (a non-null field of it failed): the
                    // fields this fetch was for are missing from the objects for that error's
                    // reason — not those other subgraphs should have brought.
                    if entity.isNull, named.contains(i) { withTree { tree in targets.forEach(i) { tree.markNulled($0.node) } } }
                    if !entity.isNull, response.errors.isEmpty {
                        failed(GraphQLError("Subgraph \"\(f.subgraph)\" answered an _entities entry that is not an object.",
                                            code: "SUBREQUEST_MALFORMED_RESPONSE", extensions: ["serviceName": .string(f.subgraph)]), only: i)
                    }
                    continue
                }
                if i < memo.count, memo[i] >= 0, response.errors.isEmpty { answers.states[Int(memo[i])] = .answered(entity.object) }
                mergeEntity(entity.object, targets, i)
            }
        }
    }

    /// Objects known only by their interface (an @interfaceObject subgraph's) that the entity
    /// fetch which would have told their object type answered null for, or failed for: no
    /// object of any type (the client gets null there, propagated as a null is), not the
    /// interface's own fields with the interface's name as `__typename`.
    private(set) var nulledUntyped = Set<Int32>()

    func untypedUnanswered(_ targets: Targets, _ r: Int) {
        let schema = executor.supergraph.schema
        targets.forEach(r) { target in
            // No `__typename` at all: an @interfaceObject subgraph's object (others give theirs).
            let name = tree.typename(target.node)
            if name == nil || schema.types[name!]?.kind == .interface { nulledUntyped.insert(target.node) }
        }
    }

    /// Entity `entity` merged into every object representation `r` was sent for: into the first
    /// as it is, into any other as a copy (`ResponseBuffer.copy`) when it holds objects or lists.
    /// The objects hold the same entity at different places of the answer, and later fetches
    /// may say different things about what lies below it at each (a null that propagated in one
    /// place's selection is not the other's).
    /// `fresh`: the answer was just read (merged nowhere yet); else (an earlier step's, taken
    /// again) it is copied for every object.
    func mergeEntity(_ entity: Int32, _ targets: Targets, _ r: Int, fresh: Bool = true) {
        // An @interfaceObject answer names the interface; the object keeps its own type.
        let schema = executor.supergraph.schema
        withTree { tree in
            let theirs = tree.typename(entity)
            let namesInterface = theirs.map { schema.types[$0]?.kind != .object } ?? false
            var unshared = fresh
            for target in targets.of(r) {
                let node = target.node
                let keep = namesInterface && tree.typenameValue(node) != nil && !tree.typename(node, is: theirs)
                let source = unshared || !tree.hasComposite(object: entity) ? entity : tree.copy(object: entity)
                unshared = false
                tree.merge(node, source, keepTypename: keep)
            }
        }
    }

    /// `body` with the response buffer borrowed for its length: the buffer's methods (another
    /// module's, opaque here) are called on it in place. Read through `self.tree` each such call
    /// copies the buffer's struct (a retain and a release of each of its arrays).
    @inline(__always) func withTree<R>(_ body: (inout ResponseBuffer) throws -> R) rethrows -> R {
        try body(&tree)
    }

    enum Reuse { case send, answered, joined }

    /// Step request `o`'s objects become more targets of request `q` of `joined`, which is on
    /// its way with every representation `o` has not had answered (`entries`: their records).
    func join(_ o: Outgoing, _ entries: [Int32], into joined: inout Outgoing, request q: Int) {
        let base = joined.parts.last.map { $0.first + $0.found.nodes.count } ?? 0
        for r in entries.indices {
            guard entries[r] >= 0, case .pending(_, _, let i) = answers.states[Int(entries[r])] else { continue }
            o.targets[0].forEach(r) { joined.targets[q].add(($0.node, $0.entry + base), to: i) }
        }
        for p in o.parts { joined.parts.append(Outgoing.Part(path: p.path, found: p.found, first: p.first + base)) }
        joined.steps += o.steps
    }

    /// Takes what earlier steps of the run asked with the same operation (`AnswerMemo`) for the
    /// one request of step `id`: representations answered already are merged at once; when
    /// every other one is on its way in one request still out, the step joins that request
    /// (its objects become more targets of it; done when it is); else the request goes out
    /// without the answered ones, its representations recorded for the steps after.
    func reuse(_ o: inout Outgoing, id: Int, key: String, steps: [Step], outgoing: inout [Int: Outgoing]) -> Reuse {
        guard let bytes = o.requests[0].representations else { return .send }
        let ranges = o.ranges[0], targets = o.targets[0]
        let g = answers.group(key)
        var entries = [Int32](repeating: -1, count: ranges.count)
        var hashes = [Int](repeating: 0, count: ranges.count)
        var answered = 0, fresh = 0
        var joins: (step: Int, request: Int)?
        var oneRequest = true
        bytes.withUnsafeBytes { b in
            for r in ranges.indices {
                let rep = UnsafeRawBufferPointer(rebasing: b[ranges[r]])
                hashes[r] = AnswerMemo.hash(g, rep)
                guard let e = answers.find(g, rep, hash: hashes[r]) else { fresh += 1; continue }
                entries[r] = Int32(e)
                switch answers.states[e] {
                case .answered(let entity):
                    mergeEntity(entity, targets, r, fresh: false)
                    answered += 1
                case .pending(let step, let request, _):
                    if let j = joins, j != (step, request) { oneRequest = false }
                    joins = (step, request)
                case .unusable:
                    fresh += 1   // asked again (its record, kept in `entries`, is reused below)
                }
            }
        }
        if answered > 0 { mergedBelow(o.parts.map(\.path)) }
        if answered == ranges.count { return .answered }
        let deferredOnly = steps[id].fetch.deferredOnly
        if fresh == 0, oneRequest, let j = joins, outgoing[j.step] != nil, steps[j.step].fetch.deferredOnly == deferredOnly {
            join(o, entries, into: &outgoing[j.step]!, request: j.request)
            return .joined
        }
        // Sent: every representation not answered; those not recorded yet are, as on their way.
        var keep = Array(ranges.indices)
        if answered > 0 {
            keep = ranges.indices.filter { entries[$0] < 0 || !answers.isAnswered(Int(entries[$0])) }
            var list: [UInt8] = [UInt8(ascii: "[")]
            list.reserveCapacity(bytes.count)
            var kept = Targets(), keptRanges: [Range<Int>] = []
            for r in keep {
                if list.count > 1 { list.append(UInt8(ascii: ",")) }
                let start = list.count
                list.append(contentsOf: bytes[ranges[r]])
                keptRanges.append(start..<list.count)
                var first = true
                targets.forEach(r) { t in
                    if first { kept.append(t); first = false } else { kept.add(t, to: kept.count - 1) }
                }
            }
            list.append(UInt8(ascii: "]"))
            o.requests[0].representations = list
            o.targets[0] = kept
            o.ranges[0] = keptRanges
        }
        var memo = [Int32](repeating: -1, count: keep.count)
        bytes.withUnsafeBytes { b in
            for (i, r) in keep.enumerated() {
                let pending = AnswerMemo.State.pending(step: id, request: 0, index: i)
                if entries[r] >= 0 {
                    // Asked again after an answer with errors: this request's now. (One on its
                    // way in another request is sent again and stays that request's.)
                    if case .unusable = answers.states[Int(entries[r])] {
                        answers.states[Int(entries[r])] = pending
                        memo[i] = entries[r]
                    }
                    continue
                }
                let rep = UnsafeRawBufferPointer(rebasing: b[ranges[r]])
                // Twice in this request (equal bytes from objects of two kinds): recorded once.
                guard answers.find(g, rep, hash: hashes[r]) == nil else { continue }
                memo[i] = Int32(answers.add(g, rep, hash: hashes[r], pending))
            }
        }
        o.memo = [memo]
        return .send
    }
}

/// Answers of a plan run's flat entity fetches (`FetchNode.answersAreFlat`) by operation
/// (`sameRequest`) and representation: a read's answer cannot change within one run, so a
/// later step that would send the same representation with the same operation takes the
/// answer instead — merged at once when it is back, or waited for with its request.
struct AnswerMemo {
    enum State {
        /// On its way: representation `index` of request `request` of the step `step` sent.
        case pending(step: Int, request: Int, index: Int)
        /// Came back as this object, in a response without errors.
        case answered(Int32)
        /// Came back otherwise (an error, null): a later step asks again.
        case unusable
    }

    private var groups: [String: Int32] = [:]
    /// The representations' bytes, one after another.
    private var bytes: [UInt8] = []
    private var entries: [(group: Int32, range: Range<Int>, hash: Int)] = []
    var states: [State] = []
    /// Entries by hash, open-addressed (-1: empty; a power of two long, under half full).
    private var table = [Int32](repeating: -1, count: 32)

    /// The group of the operation `key` names.
    mutating func group(_ key: String) -> Int32 {
        if let g = groups[key] { return g }
        let g = Int32(groups.count)
        groups[key] = g
        return g
    }

    static func hash(_ group: Int32, _ rep: UnsafeRawBufferPointer) -> Int {
        var h = QuickHasher()
        h.combine(group)
        h.combine(bytes: rep)
        return h.finalize()
    }

    func isAnswered(_ e: Int) -> Bool {
        if case .answered = states[e] { return true }
        return false
    }

    func find(_ group: Int32, _ rep: UnsafeRawBufferPointer, hash: Int) -> Int? {
        let mask = table.count - 1
        var i = hash & mask
        while true {
            let e = Int(table[i])
            if e < 0 { return nil }
            let entry = entries[e]
            if entry.hash == hash, entry.group == group, entry.range.count == rep.count,
               bytes.withUnsafeBufferPointer({ sameBytes($0.baseAddress! + entry.range.lowerBound, rep.baseAddress?.assumingMemoryBound(to: UInt8.self), rep.count) }) {
                return e
            }
            i = (i + 1) & mask
        }
    }

    /// Records a representation (not recorded yet) and returns its entry.
    mutating func add(_ group: Int32, _ rep: UnsafeRawBufferPointer, hash: Int, _ state: State) -> Int {
        if (entries.count + 1) * 2 > table.count {
            table = [Int32](repeating: -1, count: table.count * 2)
            for e in entries.indices { insert(entries[e].hash, Int32(e)) }
        }
        let start = bytes.count
        bytes.append(contentsOf: rep)
        entries.append((group, start..<bytes.count, hash))
        states.append(state)
        insert(hash, Int32(entries.count - 1))
        return entries.count - 1
    }

    private mutating func insert(_ hash: Int, _ e: Int32) {
        let mask = table.count - 1
        var i = hash & mask
        while table[i] >= 0 { i = (i + 1) & mask }
        table[i] = e
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
        // The registry holds these resolvers: theirs is a weak reference back (a strong one was a
        // cycle, and every schema a reload replaced stayed in memory). The root resolvers, which
        // the executable schema holds, keep the registry.
        for (_, r) in registry.resolvers {
            r.fallback { [weak registry] obj, _, _, _, info in
                guard let registry else { return .null }
                return convert(obj[info.fieldNodes[0].responseKey], info.returnType, schema, registry)
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

    static func convert(_ value: JSON?, _ type: TypeReference, _ schema: Schema, _ registry: ResolverRegistry) -> Output {
        guard let value else { return .null }
        switch type {
        case .nonNull(let inner): return convert(value, inner, schema, registry)
        case .list(let inner):
            guard case .array(let items) = value else { return value.isNull ? .null : .list([convert(value, inner, schema, registry)]) }
            return .list(items.map { convert($0, inner, schema, registry) })
        case .named(let n):
            switch value {
            case .null: return .null
            case .object where schema.types[n.value]?.kind.isLeaf == true:
                return .leaf(value)   // a custom scalar's object value passes through
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
