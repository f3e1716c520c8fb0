import CoreMetrics
import Dispatch
import Federation
import GraphQLCore
import OrderedCollections
import PlatformKit
import Synchronization

/// Plans (with an LRU cache keyed by document and operation name, never by variable values)
/// and executes operations over a supergraph. An operation's field arguments given as literals
/// are planned as variables (`LiteralExtraction`): documents that differ only in such values
/// share one plan.
public final class FederatedExecutor: OperationExecutor {
    public let supergraph: Supergraph
    let planner: QueryPlanner
    let executor: PlanExecutor
    let transports: [String: any SubgraphTransport]
    /// Plans by document, operation and labels: 1,000 at most and 32 MiB of their text. Under
    /// a client's text, the plan with what its literals became; under an operation's text with
    /// literals made variables (its shape), the plan alone.
    let cache: BoundedCache<CachedPlan>

    struct CachedPlan: Sendable {
        let plan: QueryPlan
        let extraction: LiteralExtraction?
    }

    public var apiSchema: Schema { supergraph.apiSchema }

    /// Each field's `@requires` selections, one per subgraph that requires something.
    public var costRequirements: [String: [SelectionSet]] {
        var out: [String: [SelectionSet]] = [:]
        for (typeName, info) in supergraph.types {
            for (field, graphs) in info.fields {
                for g in graphs.values { if let r = g.requires { out["\(typeName).\(field)", default: []].append(r) } }
            }
        }
        return out
    }

    let headerRules: HeaderRules
    let compiledHeaderRules: HeaderRules.Compiled
    /// How long one operation may take to plan (`limits.max_planning_ms`).
    public let planningTimeoutMs: Int

    /// - Parameter errorExtensionsFrom: subgraphs whose error extensions reach clients whole
    ///   (others keep only `code`).
    public init(supergraph: Supergraph, transports: [String: any SubgraphTransport], planCacheSize: Int = 1_000,
                headers: HeaderRules = HeaderRules(), errorExtensionsFrom: Set<String> = [], planningTimeoutMs: Int = 3_000) {
        self.planningTimeoutMs = planningTimeoutMs
        self.headerRules = headers
        self.compiledHeaderRules = headers.compiled()
        self.supergraph = supergraph
        self.planner = QueryPlanner(supergraph: supergraph)
        let measured = Dictionary(uniqueKeysWithValues: transports.map { name, t in (name, MeasuredTransport(t, subgraph: name) as any SubgraphTransport) })
        self.executor = PlanExecutor(supergraph: supergraph, transports: measured, errorExtensionsFrom: errorExtensionsFrom)
        self.transports = transports
        self.cache = BoundedCache(maxEntries: planCacheSize, maxBytes: 32 << 20)
        self.refusals = BoundedCache(maxEntries: planCacheSize, maxBytes: 4 << 20)
    }

    /// Operations this supergraph cannot plan (QUERY_PLANNING_FAILED), or not within
    /// `planningTimeoutMs` (QUERY_PLAN_TOO_LARGE), under the plan cache's key: refused at once
    /// when asked again — planning them again would end the same way, and an operation given up
    /// after its time limit would cost each request that time (probe 55A). Planning stopped
    /// because its request left or ran out of time is not remembered.
    let refusals: BoundedCache<GraphQLError>
    /// Plans being made: identical operations arriving meanwhile wait for that plan instead of
    /// making it again, each on a planning thread of its own.
    let planning = PlansInProgress()

    /// Entries in the plan cache (under a client's text, or under a shape).
    public var cachedPlans: Int { cache.count }

    /// How many times an operation was planned (a plan-cache miss each, whatever came of it).
    public var plansMade: Int { planningRuns.load(ordering: .relaxed) }
    private let planningRuns = Atomic<Int>(0)

    /// The plan cache's entries and the bytes they are counted as (its budget is 32 MiB).
    public var planCacheUse: (entries: Int, bytes: Int) { (cache.count, cache.bytes) }

    /// The plan of a request's operation.
    public func plan(_ request: ExecutionRequest, variant: String? = nil) throws -> QueryPlan {
        try prepared(request, variant: variant).plan
    }

    /// The plan, and the request to run it with: the client's, or its copy with literals made
    /// variables (`LiteralExtraction`) when that is what was planned.
    func prepared(_ request: ExecutionRequest, variant: String? = nil, stop: PlanningStop? = nil) throws -> (plan: QueryPlan, request: ExecutionRequest) {
        let key = planKey(request, variant: variant)
        if let hit = cached(request, key) { return hit }
        switch shaped(request, key) {
        case .cached(let plan, let request): return (plan, request)
        case .unplanned(let unplanned): return try plan(request, key, unplanned, stop: stop)
        }
    }

    /// Where a request's plan is cached, and the progressive `@override` labels it was rolled
    /// (each request rolls its labels; plans are cached per outcome).
    struct PlanKey: Sendable {
        let text: String
        let suffix: String
        let labels: Set<String>?
    }

    func planKey(_ request: ExecutionRequest, variant: String?) -> PlanKey {
        var suffix = "\u{0}" + (request.operationName ?? "") + "\u{0}" + (variant ?? "")
        var labels: Set<String>?
        if !planner.queryGraph.overrideLabels.isEmpty {
            let rolled = planner.queryGraph.rollLabels()
            labels = rolled
            // Only the labels that can change this operation's plan tell its plans apart.
            var names = Set<String>()
            for definition in request.document.definitions {
                switch definition {
                case .operation(let o): QueryGraph.collectNames(o.selectionSet.selections, into: &names)
                case .fragment(let f): QueryGraph.collectNames(f.selectionSet.selections, into: &names)
                default: continue
                }
            }
            suffix += "\u{0}" + planner.queryGraph.labels(relevantTo: names).sorted().map { rolled.contains($0) ? $0 + "+" : $0 + "-" }.joined(separator: ",")
        }
        return PlanKey(text: "T" + (request.source.map { String(decoding: $0.bytes, as: UTF8.self) } ?? Printer.print(request.document)) + suffix,
                       suffix: suffix, labels: labels)
    }

    /// The plan cached under the request's text, if any.
    func cached(_ request: ExecutionRequest, _ key: PlanKey) -> (plan: QueryPlan, request: ExecutionRequest)? {
        guard let cached = cache.get(key.text) else { return nil }
        Counter(label: "switchyard_query_plan_cache_hits_total").increment()
        return (cached.plan, cached.extraction.map { request.runningExtracted($0) } ?? request)
    }

    /// A request whose text has no plan cached: its operation with literals made variables (when
    /// it has any), and where plans of that shape are cached.
    struct Unplanned: Sendable {
        let extraction: LiteralExtraction?
        let request: ExecutionRequest
        let shapeKey: String?
    }

    /// The plan cached under the operation's shape (another text of the same shape was planned),
    /// or what planning it needs.
    enum Shaped {
        case cached(plan: QueryPlan, request: ExecutionRequest)
        case unplanned(Unplanned)
    }

    func shaped(_ request: ExecutionRequest, _ key: PlanKey) -> Shaped {
        let extraction = LiteralExtraction.extract(request.document, operationName: request.operationName, schema: supergraph.apiSchema)
        let planned = extraction.map { request.runningExtracted($0) } ?? request
        let shapeKey = extraction.map { "S" + Printer.print($0.document) + key.suffix }
        if let shapeKey, let shared = cache.get(shapeKey) {
            // Another document of this shape was planned: kept under the shape only (the
            // values are what changes from one such request to the next).
            Counter(label: "switchyard_query_plan_cache_hits_total").increment()
            var shaped = planned
            shaped.planMadeForAnotherText = true
            return .cached(plan: shared.plan, request: shaped)
        }
        return .unplanned(Unplanned(extraction: extraction, request: planned, shapeKey: shapeKey))
    }

    /// Plans an operation no cached plan answers, and caches the plan under its text and shape.
    func plan(_ request: ExecutionRequest, _ key: PlanKey, _ unplanned: Unplanned, stop: PlanningStop?) throws -> (plan: QueryPlan, request: ExecutionRequest) {
        Counter(label: "switchyard_query_plan_cache_misses_total").increment()
        planningRuns.add(1, ordering: .relaxed)
        let start = ContinuousClock.now
        // (Timed whether it succeeds or not: a plan given up after seconds is planning's time too.)
        defer { GatewayMetrics.record(Timer(label: "switchyard_query_planning_duration_seconds"), since: start) }
        let planned = unplanned.request, extraction = unplanned.extraction
        let plan = try planner.plan(planned.document, operationName: request.operationName, enabledLabels: key.labels, stop: stop)
        // A plan keeps what mirrors the client's operation (its shaping program, the document
        // with hoisted literals): counted by the document's size in memory, not only its fetches
        // (1,000 plans of 18 KB documents held 650 MB within a 32 MB budget).
        let bytes = plan.estimatedBytes + planned.document.estimatedBytes
        if let shapeKey = unplanned.shapeKey { cache.put(shapeKey, CachedPlan(plan: plan, extraction: nil), bytes: bytes) }
        cache.put(key.text, CachedPlan(plan: plan, extraction: extraction), bytes: bytes + (extraction?.estimatedBytes ?? 0))
        return (plan, planned)
    }

    public func execute(_ client: ExecutionRequest, context: RequestContext) async -> ExecutionResult {
        let plan: QueryPlan, request: ExecutionRequest
        switch await planned(client, context) {
        case .success(let p): (plan, request) = p
        case .failure(let e): return ExecutionResult(data: nil, errors: [e])
        }
        // A query's in-process platform subgraphs read in one transaction (one snapshot, one
        // BEGIN/COMMIT per request); mutations keep one per subgraph request.
        let executor = self.executor, headers = self.headers(context)
        let isQuery = request.document.operations.first { request.operationName == nil || $0.name?.value == request.operationName }?.operation == .query
        let readLimit = context.maxReadBytes
        var result = isQuery ? await RequestTransaction.run(readLimit: readLimit) { await executor.execute(plan, request: request, headers: headers) }
                             : await executor.execute(plan, request: request, headers: headers)
        if context.includeQueryPlan {
            result.extensions = (result.extensions ?? [:]).merging(["queryPlan": .string(plan.text)]) { _, b in b }
        }
        return result
    }

    public func executeIncrementally(_ client: ExecutionRequest, context: RequestContext, placing: [GraphQLError]) async -> IncrementalExecution? {
        guard supergraph.deferSupport else { return nil }
        let plan: QueryPlan, request: ExecutionRequest
        switch await planned(client, context) {
        case .success(let p): (plan, request) = p
        case .failure(let e): return IncrementalExecution(initial: ExecutionResult(data: nil, errors: placing + [e]), hasNext: false, later: AsyncStream { $0.finish() })
        }
        let executor = self.executor, headers = self.headers(context), includePlan = context.includeQueryPlan, readLimit = context.maxReadBytes
        let isQuery = request.document.operations.first { request.operationName == nil || $0.name?.value == request.operationName }?.operation == .query
        // The plan runs in a task of its own: the first payload comes back here as soon as it is
        // written, the rest go on into `later`; the consumer of `later` leaving cancels the run.
        let (later, feed) = AsyncStream<[UInt8]>.makeStream()
        let first = FirstPayload()
        let run = Task {
            let body = {
                await executor.executeIncrementally(plan, request: request, headers: headers, placing: placing) { payload in
                    switch payload {
                    case .initial(var result, let hasNext):
                        if includePlan { result.extensions = (result.extensions ?? [:]).merging(["queryPlan": .string(plan.text)]) { _, b in b } }
                        first.resume((result, hasNext))
                    case .later(let bytes):
                        feed.yield(bytes)
                    }
                }
            }
            if isQuery { await RequestTransaction.run(readLimit: readLimit, body) } else { await body() }
            feed.finish()
        }
        feed.onTermination = { _ in run.cancel() }
        let (initial, hasNext) = await withTaskCancellationHandler {
            await first.value()
        } onCancel: {
            run.cancel()
        }
        return IncrementalExecution(initial: initial, hasNext: hasNext, later: later)
    }

    /// The first payload of an incremental response, handed from the run's task to the request's.
    final class FirstPayload: Sendable {
        private let state = Mutex<(value: (ExecutionResult, Bool)?, waiter: CheckedContinuation<(ExecutionResult, Bool), Never>?)>((nil, nil))

        func resume(_ value: (ExecutionResult, Bool)) {
            let waiter = state.withLock { s -> CheckedContinuation<(ExecutionResult, Bool), Never>? in
                guard s.value == nil else { return nil }
                s.value = value
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: value)
        }

        func value() async -> (ExecutionResult, Bool) {
            await withCheckedContinuation { c in
                let ready = state.withLock { s -> (ExecutionResult, Bool)? in
                    if let v = s.value { return v }
                    s.waiter = c
                    return nil
                }
                if let ready { c.resume(returning: ready) }
            }
        }
    }

    /// A subscription: its plan's first fetch subscribes to the subgraph owning the field; each
    /// event runs the rest of the plan.
    public func subscribe(_ request: ExecutionRequest, context: RequestContext) async -> SubscriptionStart {
        switch await planned(request, context) {
        case .success(let (plan, request)): return await executor.subscribe(plan, request: request, headers: headers(context))
        case .failure(let e): return .failed(ExecutionResult(data: nil, errors: [e]))
        }
    }

    /// A request's plan: from the cache at once; else planned on a thread of planning's own
    /// (`PlanningThreads`) — a plan that takes seconds (a graph whose subgraphs all share what the
    /// operation asks for) holds none of the threads every request's async work runs on — within
    /// `planningTimeoutMs`, and given up when the request is cancelled or its deadline passes.
    func planned(_ request: ExecutionRequest, _ context: RequestContext) async -> Result<(plan: QueryPlan, request: ExecutionRequest), GraphQLError> {
        let key = planKey(request, variant: context.removedFields)
        while true {
            if let hit = cached(request, key) { return .success(hit) }
            if let refused = refusals.get(key.text) { return .failure(refused) }
            let unplanned: Unplanned
            switch shaped(request, key) {
            case .cached(let plan, let request): return .success((plan, request))
            case .unplanned(let u): unplanned = u
            }
            // The same operation being planned for another request: its plan (or refusal) is
            // looked for again once that ends; planning given up for that request's own reasons
            // (it left, its deadline passed) is made again here.
            let deadline = RequestDeadline.current
            guard await planning.join(key.text) else {
                // (Waiting ends early for a request that left or ran out of time: planning it would
                // be given up at once.)
                if Task.isCancelled || deadline?.expired == true {
                    return .failure(GraphQLError("Planning was stopped: the request was cancelled or timed out.", code: "QUERY_PLAN_TOO_LARGE"))
                }
                continue
            }
            defer { planning.leave(key.text) }
            let cancelled = CancelFlag(), limit = planningTimeoutMs
            let error: GraphQLError
            do {
                return .success(try await span("graphql.plan") { _ in
                    try await withTaskCancellationHandler {
                        try await PlanningThreads.run {
                            // Its time counts from when it starts: waiting for a planning thread is not planning.
                            let stop = PlanningStop(milliseconds: limit) { cancelled.isSet || deadline?.expired == true }
                            return try self.plan(request, key, unplanned, stop: stop)
                        }
                    } onCancel: { cancelled.set() }
                })
            } catch let e as PlanningError {
                error = GraphQLError(e.message, code: e.code.rawValue)
            } catch let e as FederationError {
                error = GraphQLError(e.message, code: e.code.rawValue)
            } catch {
                return .failure(GraphQLError("\(error)", code: "QUERY_PLANNING_FAILED"))
            }
            if !cancelled.isSet && deadline?.expired != true {
                refusals.put(key.text, error, bytes: key.text.utf8.count + error.message.utf8.count)
            }
            return .failure(error)
        }
    }

    /// The headers each subgraph's requests carry.
    func headers(_ context: RequestContext) -> @Sendable (String) -> [(String, String)] {
        let rules = compiledHeaderRules, client = context.headers, tenant = context.tenant
        return { subgraph in rules.headers(for: subgraph, from: client, tenant: tenant) }
    }

    /// Ready when every remote subgraph answers `{ __typename }` within a second.
    public func isReady() async -> Bool {
        let remote = transports.values.compactMap { $0 as? HTTPTransport }
        let rules = headerRules
        return await withTaskGroup(of: Bool.self) { group in
            for t in remote {
                group.addTask {
                    // With the headers every request to it carries (`headers.insert`).
                    let probe = t.withTimeout(1_000), headers = rules.headers(for: t.name, from: [], tenant: nil)
                    return (try? await probe.fetch(SubgraphRequest(query: "{ __typename }", variables: [:], headers: headers)))?.data != nil
                }
            }
            return await group.allSatisfy { $0 }
        }
    }
}

/// Threads of planning's own: a plan missing from the cache is made on one of them, so that plans
/// taking seconds never hold the threads every request's async work (and `/health`) runs on.
enum PlanningThreads {
    static let queue = DispatchQueue(label: "switchyard.planning", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// Operations being planned, by plan-cache key: the first request to ask plans it, later ones
/// wait until it is done (`leave`) — or until they are cancelled themselves —, then look in the
/// cache again.
final class PlansInProgress: Sendable {
    private let waiting = Mutex<[String: [Int: CheckedContinuation<Void, Never>]]>([:])
    private let nextID = Atomic<Int>(0)

    /// True: the caller plans `key` and must `leave` it when done. False: another request was
    /// planning it and has finished, or the caller was cancelled while it waited.
    func join(_ key: String) async -> Bool {
        if waiting.withLock({ w in
            guard w[key] == nil else { return false }
            w[key] = [:]
            return true
        }) { return true }
        let id = nextID.add(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let go = waiting.withLock { w -> Bool in
                    guard w[key] != nil, !Task.isCancelled else { return true }
                    w[key]![id] = c
                    return false
                }
                if go { c.resume() }
            }
        } onCancel: {
            // Resumed once: by whichever takes it out of the table first (this, or `leave`).
            waiting.withLock { $0[key]?.removeValue(forKey: id) }?.resume()
        }
        return false
    }

    func leave(_ key: String) {
        for c in (waiting.withLock { $0.removeValue(forKey: key) } ?? [:]).values { c.resume() }
    }
}

/// Set once, read from any thread.
final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
