import OrderedCollections
import Synchronization

/// A request to execute: a parsed document, the operation to run, and raw variables.
public struct ExecutionRequest: Sendable {
    public var document: Document
    public var operationName: String?
    public var variables: OrderedDictionary<String, JSON>
    /// The source, for error locations.
    public var source: Source?
    /// The client's document when `document` is a copy with fields removed (authorization):
    /// the response is written from the client's document, each field whose source offset is
    /// in `nulledFields` answered `null` (its error is reported by whoever removed it).
    public var clientDocument: Document?
    public var nulledFields: Set<Int32> = []
    /// Values of variables that `document` declares for literals of the client's own
    /// (`LiteralExtraction`): validated with the document, so taken as they are, not coerced.
    public var literalValues: OrderedDictionary<String, JSON> = [:]
    /// "Did you mean" suggestions in error messages (off where introspection is, whatever the
    /// schema says: a subgraph served alone with `introspection: false`).
    public var suggestions = true
    /// The plan run was made for another document of the same shape: what a plan keeps per
    /// document (response shaping programs, which point into that document's source) is not used.
    public var planMadeForAnotherText = false
    /// The operation's field plans kept between executions (`CompiledOperation`): given by a
    /// caller that runs one document again and again; not used with `clientDocument`.
    public var compiled: CompiledOperation?

    /// This request with its literals made variables: the extraction's document is run, with its values.
    public func runningExtracted(_ extraction: LiteralExtraction) -> ExecutionRequest {
        var r = self
        r.document = extraction.document
        r.literalValues = extraction.values
        return r
    }

    public init(document: Document, operationName: String? = nil, variables: OrderedDictionary<String, JSON> = [:], source: Source? = nil) {
        self.document = document
        self.operationName = operationName
        self.variables = variables
        self.source = source
    }
}

/// The outcome of execution (spec §7.1): `data` absent when a request error stopped it.
public struct ExecutionResult: Sendable {
    /// Where `data` is kept: a JSON value, the executor's response buffer, or bytes already written.
    private enum Data: Sendable {
        case none
        case json(JSON)
        case buffer(ResponseBuffer)
        /// `data` is `bytes[start...]`; what is before it is room the writer left for the
        /// response's own opening (`{"data":`), so that the response is these bytes, not a copy.
        case written([UInt8], start: Int)
    }
    private var dataStore: Data
    public var errors: [GraphQLError]
    public var extensions: OrderedDictionary<String, JSON>?

    public init(data: JSON?, errors: [GraphQLError] = [], extensions: OrderedDictionary<String, JSON>? = nil) {
        self.dataStore = data.map { .json($0) } ?? .none
        self.errors = errors
        self.extensions = extensions
    }

    init(buffer: ResponseBuffer, errors: [GraphQLError]) {
        self.dataStore = .buffer(buffer)
        self.errors = errors
        self.extensions = nil
    }

    /// A result whose `data` was written to bytes already (a JSON value, e.g. by a writer that
    /// walks another tree): `bytes[dataStart...]`. A writer that starts its bytes with
    /// `{"data":` (`dataStart` 8) lets `serialized()` answer them without a copy.
    public init(writtenData: [UInt8], dataStart: Int = 0, errors: [GraphQLError] = [], extensions: OrderedDictionary<String, JSON>? = nil) {
        self.dataStore = .written(writtenData, start: dataStart)
        self.errors = errors
        self.extensions = extensions
    }

    /// The data as a JSON value (built on demand).
    public var data: JSON? {
        switch dataStore {
        case .none: return nil
        case .json(let j): return j
        case .buffer(let b): return b.rootJSON
        case .written(let b, let start): return try? JSONReader.parse(Array(b[start...]), maxDepth: .max)
        }
    }

    /// The executor's response buffer, its root the `data` object, handed over as is (nil when
    /// `data` is null or kept otherwise): what a plan run absorbs from an in-process subgraph.
    public var dataBuffer: ResponseBuffer? {
        if case .buffer(let b) = dataStore { return b }
        return nil
    }

    /// Whether the response has a `data` entry (without building it).
    public var hasData: Bool {
        if case .none = dataStore { return false }
        return true
    }

    /// The response map: `errors` first when present, then `data`, then `extensions`.
    public var json: JSON {
        var o = OrderedDictionary<String, JSON>()
        if !errors.isEmpty { o["errors"] = .array(errors.map(\.json)) }
        if let data { o["data"] = data }
        if let extensions, !extensions.isEmpty { o["extensions"] = .object(extensions) }
        return .object(o)
    }

    /// The response map as JSON bytes, written straight from where `data` is kept.
    public var jsonBytes: [UInt8] {
        // Written data is copied once into room made for all of it (not grown by doubling).
        var w = JSONWriter(capacity: 4096 + {
            switch dataStore {
            case .written(let b, _): return b.count
            case .buffer(let b): return b.writtenSizeEstimate
            default: return 0
            }
        }())
        w.bytes.append(UInt8(ascii: "{"))
        var first = true
        if !errors.isEmpty {
            w.append("\"errors\":")
            w.write(.array(errors.map(\.json)))
            first = false
        }
        if hasData {
            if !first { w.bytes.append(UInt8(ascii: ",")) }
            w.append("\"data\":")
            switch dataStore {
            case .none: break
            case .json(let j): w.write(j)
            case .buffer(let b): b.write(b.root, &w)
            case .written(let b, let start): w.bytes.append(contentsOf: b[start...])
            }
            first = false
        }
        if let extensions, !extensions.isEmpty {
            if !first { w.bytes.append(UInt8(ascii: ",")) }
            w.append("\"extensions\":")
            w.write(.object(extensions))
        }
        w.bytes.append(UInt8(ascii: "}"))
        return w.bytes
    }

    /// The response map as JSON bytes, like `jsonBytes`; when `data` was written behind room
    /// for `{"data":` and there are no errors, those bytes are completed in place and handed
    /// over (a large answer is not held twice).
    public consuming func serialized() -> [UInt8] {
        guard errors.isEmpty, case .written(var bytes, let start) = dataStore, start == Self.dataOpening.count,
              bytes.starts(with: Self.dataOpening) else { return jsonBytes }
        dataStore = .none   // the bytes' only owner is now `bytes`: completed without a copy
        if let extensions, !extensions.isEmpty {
            var w = JSONWriter(capacity: 64)
            w.append(",\"extensions\":")
            w.write(.object(extensions))
            bytes.append(contentsOf: w.bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// What a writer puts ahead of `data` for `serialized()` to complete in place.
    public static let dataOpening: [UInt8] = Array(#"{"data":"#.utf8)
}

/// Notified when the executor starts and finishes an asynchronous resolver (on a task of its
/// own, or on the executor's when it is the only work left): a batch scheduler uses this to know
/// when every running resolver waits on a loader.
public protocol ExecutionObserver: Sendable {
    func asyncResolverStarted()
    func asyncResolverFinished()
    /// The executor's own task waits for its resolvers (or runs the only one itself, which then
    /// counts as the resolver's work, not the executor's). An observer whose caller counts
    /// that task as running work (see `RequestWork`) stops counting it until `executorResumes`;
    /// the executor resumes while the task that woke it still counts, so no idle moment is seen
    /// between a resolver's answer and the work it starts.
    func executorWaits()
    func executorResumes()
    /// A federated plan has no in-process fetch left to run (those left, if any, go to remote
    /// subgraphs): what the in-process work shares (a read transaction) can end now.
    func inProcessWorkOver()
}

extension ExecutionObserver {
    public func executorWaits() {}
    public func executorResumes() {}
    public func inProcessWorkOver() {}
}

/// The running work of the request being executed, for what batches on its idle moments (one
/// request-wide batch scheduler): a federated plan counts each in-process fetch as running from
/// its start until its answer is merged and the fetches after it have started; a subgraph's
/// executor in it counts its resolver tasks and releases the fetch's count while it waits.
public enum RequestWork {
    @TaskLocal public static var observer: (any ExecutionObserver)?
}

extension Executor {
    /// CoerceVariableValues (§6.4.1) for an operation, as the executor does before running it.
    public static func coerceVariables(_ schema: Schema, operation: OperationDefinition, variables: OrderedDictionary<String, JSON>,
                                       source: Source? = nil, hints: Bool = true) -> Result<OrderedDictionary<String, JSON>, GraphQLErrors> {
        Values.coerceVariables(schema, operation.variableDefinitions, variables, source: source, hints: hints)
    }
}

/// Executes operations (spec §6) over an `ExecutableSchema`.
///
/// ```swift
/// let result = await Executor.execute(executable, request: ExecutionRequest(document: doc), context: ctx)
/// let bytes = result.json.bytes
/// ```
public enum Executor {
    public static func execute<Context: Sendable>(_ executable: ExecutableSchema<Context>, request: ExecutionRequest,
                                                  context: Context, observer: ExecutionObserver? = nil) async -> ExecutionResult {
        await execute(executable.core, request: request, context: ContextBox(context), observer: observer)
    }

    /// The executor itself, compiled once for every context type.
    static func execute(_ executable: ExecutableCore, request: ExecutionRequest, context: AnyContextBox,
                        observer: ExecutionObserver?) async -> ExecutionResult {
        let schema = executable.schema
        // Fields authorization removed are answered null where the client's document has them.
        let document = request.clientDocument ?? request.document
        // GetOperation (§6.1)
        let operations = document.operations
        let operation: OperationDefinition
        if let name = request.operationName {
            guard let op = operations.first(where: { $0.name?.value == name }) else {
                return ExecutionResult(data: nil, errors: [GraphQLError("Unknown operation named \"\(name)\".", code: "OPERATION_NOT_FOUND")])
            }
            operation = op
        } else {
            guard operations.count == 1 else {
                return ExecutionResult(data: nil, errors: [GraphQLError(operations.isEmpty ? "Must provide an operation."
                    : "Must provide operation name if query contains multiple operations.", code: "OPERATION_NOT_FOUND")])
            }
            operation = operations[0]
        }
        let variables: OrderedDictionary<String, JSON>
        switch Values.coerceVariables(schema, operation.variableDefinitions, request.variables, source: request.source, hints: request.suggestions) {
        case .success(let v): variables = v
        case .failure(let e): return ExecutionResult(data: nil, errors: e.errors)
        }
        guard let rootName = schema.rootTypeName(operation.operation), let rootType = schema.types[rootName] else {
            return ExecutionResult(data: nil, errors: [GraphQLError("Schema is not configured for \(operation.operation.rawValue)s.",
                                                                    code: "OPERATION_NOT_SUPPORTED")])
        }
        guard let rootValue = executable.rootValues[operation.operation] else {
            return ExecutionResult(data: nil, errors: [GraphQLError("No root resolvers for \(operation.operation.rawValue).")])
        }
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments { fragments[f.name.value] = f }
        let state = ExecutionState(executable: executable, operation: operation, fragments: fragments,
                                   variables: variables, context: context, source: request.source, observer: observer,
                                   nulled: request.clientDocument == nil ? [] : request.nulledFields,
                                   compiled: request.clientDocument == nil ? request.compiled : nil)
        return await state.run(rootType: rootType, rootValue: rootValue)
    }

    /// The error of a `@skip`/`@include` among the operation's root selections (or in a fragment
    /// applied there) whose `if` reads a variable that is null: a nullable variable with a default
    /// may fill `if: Boolean!`, and sent as null it is a field error where the fields are
    /// collected (§6.4.1) — at the root, a request without data (graphql-js raises it the same
    /// way). Nested ones are errors of the field whose object they are in, found as it completes.
    public static func nullDirectiveCondition(_ schema: Schema, _ document: Document, _ operation: OperationDefinition,
                                              _ variables: OrderedDictionary<String, JSON>, _ source: Source?) -> GraphQLError? {
        guard variables.values.contains(where: { $0 == .null }),
              let rootName = schema.rootTypeName(operation.operation), let rootType = schema.types[rootName] else { return nil }
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments { fragments[f.name.value] = f }
        let collector = FieldCollector(schema: schema, fragments: fragments, variables: variables)
        return collector.rootNullCondition(rootType, operation).map { nullConditionError($0, source) }
    }

    /// The field error of a `@skip`/`@include` whose `if` reads a null variable, at that argument's value.
    public static func nullConditionError(_ argument: Argument, _ source: Source?) -> GraphQLError {
        GraphQLError("Argument \"if\" of non-null type \"Boolean!\" must not be null.",
                     locations: source.map { [$0.location(of: Int(argument.valueSpan.start))] } ?? [])
    }

}

/// A subscription's start (§6.2.3): its response stream, or the request error that stopped it.
public enum SubscriptionStart: Sendable {
    case stream(AsyncStream<ExecutionResult>)
    case failed(ExecutionResult)
}

extension Executor {
    /// Subscribe (§6.2.3): CreateSourceEventStream resolves the one root field to its source
    /// stream, then each event is executed as the field's value (MapSourceToResponseEvent) into
    /// one response. The response stream ends when the source does; a source error ends it with
    /// a last response carrying the error. Cancelling the consumer cancels the source.
    public static func subscribe<Context: Sendable>(_ executable: ExecutableSchema<Context>, request: ExecutionRequest,
                                                    context: Context) async -> SubscriptionStart {
        await subscribe(executable.core, request: request, context: ContextBox(context))
    }

    static func subscribe(_ executable: ExecutableCore, request: ExecutionRequest, context: AnyContextBox) async -> SubscriptionStart {
        let schema = executable.schema
        let document = request.clientDocument ?? request.document
        let operations = document.operations.filter { request.operationName == nil || $0.name?.value == request.operationName }
        guard operations.count == 1, let operation = operations.first, operation.operation == .subscription else {
            return .failed(ExecutionResult(data: nil, errors: [GraphQLError("Must provide exactly one subscription operation.", code: "OPERATION_NOT_FOUND")]))
        }
        let variables: OrderedDictionary<String, JSON>
        switch Values.coerceVariables(schema, operation.variableDefinitions, request.variables, source: request.source, hints: request.suggestions) {
        case .success(let v): variables = v
        case .failure(let e): return .failed(ExecutionResult(data: nil, errors: e.errors))
        }
        guard let rootName = schema.subscriptionType, let rootType = schema.types[rootName],
              let rootValue = executable.rootValues[.subscription] else {
            return .failed(ExecutionResult(data: nil, errors: [GraphQLError("Schema is not configured for subscriptions.", code: "OPERATION_NOT_SUPPORTED")]))
        }
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments { fragments[f.name.value] = f }
        let nulled = request.clientDocument == nil ? [] : request.nulledFields
        let state = ExecutionState(executable: executable, operation: operation, fragments: fragments,
                                   variables: variables, context: context, source: request.source, observer: nil, nulled: nulled)
        let plans: [FieldPlan]
        switch state.collectPlans(rootType, [operation.selectionSet]) {
        case .success(let p): plans = p
        case .failure(let e): return .failed(ExecutionResult(data: nil, errors: [e]))
        }
        guard plans.count == 1, let plan = plans.first else {
            return .failed(ExecutionResult(data: nil, errors: [GraphQLError("A subscription must select exactly one root field.", code: "GRAPHQL_VALIDATION_FAILED")]))
        }
        // CreateSourceEventStream: the field's resolver gives the source stream.
        var output: Output
        switch plan.arguments {
        case .failure(let e): output = .error(e)
        case .success(let args): output = state.resolve(rootValue, plan, args)
        }
        while case .async(let thunk) = output {
            do { output = try await thunk() } catch { output = .error(state.asGraphQLError(error)) }
        }
        let source: AsyncThrowingStream<Output, any Error>
        switch output {
        case .events(let s): source = s.source
        case .error(var e):
            e.path = [.key(plan.responseKey)]
            if e.locations.isEmpty { e.locations = state.locations(plan.fieldNodes) }
            return .failed(ExecutionResult(data: nil, errors: [e]))
        default:
            return .failed(ExecutionResult(data: nil, errors: [GraphQLError("Subscription field \(rootName).\(plan.fieldName) did not return an event stream.",
                                                                        locations: state.locations(plan.fieldNodes), path: [.key(plan.responseKey)])]))
        }
        // Each event is executed when the consumer asks for its response (pulled, not pumped
        // into a buffer): a consumer that falls behind holds the source back.
        let requestSource = request.source, eventFragments = fragments
        let responses = PullStream.map(source, onError: { (error: any Error) -> ExecutionResult? in
            guard !(error is CancellationError) else { return nil }
            var e = state.asGraphQLError(error)
            e.path = [.key(plan.responseKey)]
            return ExecutionResult(data: nil, errors: [e])
        }) { (event: Output) -> ExecutionResult? in
            // MapSourceToResponseEvent: a fresh execution of the selection per event.
            let run = ExecutionState(executable: executable, operation: operation, fragments: eventFragments,
                                     variables: variables, context: context, source: requestSource, observer: nil, nulled: nulled)
            return await run.runEvent(rootType: rootType, plan: plan, value: event)
        }
        return .stream(responses)
    }
}

/// One field to resolve on objects of one type: collected, looked up and with arguments coerced once.
final class FieldPlan: @unchecked Sendable {
    let responseKey: String
    let fieldName: String
    let definition: FieldDef
    let fieldNodes: [Field]
    /// Coerced when the plan is collected; again by each execution that reuses the plan when
    /// they read a variable (`argumentsReadVariables`, `CompiledOperation`).
    var arguments: Result<Arguments, GraphQLError>
    let argumentsReadVariables: Bool
    /// The execution `arguments` were coerced for (when they read variables).
    var argumentsGeneration: UInt64 = 0
    let returnType: TypeReference
    /// `returnType` unwrapped once: values are completed by list level, not by matching the type.
    let levels: TypeLevels
    let isTypename: Bool
    let parentType: String
    /// Sub-plans by runtime object type (for composite return types).
    var subPlans: [String: [FieldPlan]] = [:]
    /// The resolver last looked up for this field, the table it came from, and the context it
    /// is called with (objects of one type share a table: found once per plan, not per object).
    var resolverTable: ResolverTable?
    var resolver: ResolverTable.Resolver?
    var resolverContext: AnyContextBox?
    /// The schema's type for the named type at the bottom of `returnType` (found once per plan,
    /// not once per value), and the runtime object type last completed with its sub-plans (the
    /// objects of a list are nearly always of one type).
    var namedType: NamedType?
    var lastRuntime: (name: String, type: NamedType, subPlans: [FieldPlan])?
    /// The execution whose response buffer `keyID` and `lastTypename` belong to (the plans of a
    /// subscription's field are shared by the executions of its events, each with a buffer).
    var generation: UInt64 = 0
    /// The response key's id in that buffer's keys.
    var keyID: Int32 = -1
    /// Authorization removed this field: it answers null, unresolved and without propagation.
    var isNulled = false
    /// The `__typename` last written for this field, reused (a string's bytes are written once
    /// per type, not once per object).
    var lastTypename: (name: String, value: ResponseBuffer.Value)?

    init(responseKey: String, fieldName: String, definition: FieldDef, fieldNodes: [Field],
         arguments: Result<Arguments, GraphQLError>, parentType: String) {
        self.responseKey = responseKey
        self.fieldName = fieldName
        self.definition = definition
        self.fieldNodes = fieldNodes
        self.arguments = arguments
        self.argumentsReadVariables = fieldNodes.first?.arguments.contains { $0.value.readsVariable } ?? false
        self.returnType = definition.type
        self.levels = TypeLevels(definition.type)
        self.isTypename = fieldName == "__typename"
        self.parentType = parentType
    }
}

final class ExecutionState: @unchecked Sendable {
    let executable: ExecutableCore
    let schema: Schema
    let operation: OperationDefinition
    let fragments: [String: FragmentDefinition]
    let variables: OrderedDictionary<String, JSON>
    let context: AnyContextBox
    let source: Source?
    let observer: ExecutionObserver?
    /// Fields (source offsets) authorization removed: answered null, not resolved, their errors
    /// reported by whoever removed them (`ExecutionRequest.nulledFields`).
    let nulled: Set<Int32>
    /// Where the root plans come from and go back to when this execution is done with them.
    let compiled: CompiledOperation?
    /// `out.keys` came with reused plans: a plan's `keyID` is an id in it (unless -1, a plan
    /// made by this execution).
    var keysSeeded = false
    var errors: [GraphQLError] = []
    var dataIsNull = false
    let facts: RequestFacts
    /// The response, written as it completes: an object's members are one run of records
    /// (made when the object is, its keys those of its collected fields), a list's items one
    /// run; a value that comes later (an asynchronous resolver) fills its record when it comes.
    var out = ResponseBuffer()
    /// Where each object and list of the response sits (`containers[0]` the root): its parent's
    /// container and record, its own first record, whether its position is non-null and whether
    /// it was nulled — for null propagation (§6.4.4), and an error's path read back from the
    /// buffer (no path is built for a value that does not fail).
    struct Container {
        let parent: Int32
        let slot: Int32
        let first: Int32
        let nonNull: Bool
        var isNull = false
    }
    var containers: [Container] = []
    /// This execution among all (see `FieldPlan.generation`).
    let generation = ExecutionState.generations.add(1, ordering: .relaxed).newValue
    static let generations = Atomic<UInt64>(0)

    /// Where a value that is not there yet goes: its record, the object or list that holds
    /// it, and its field plan.
    struct Slot {
        let container: Int32
        let index: Int
        let plan: FieldPlan
        /// The list level of the plan's type the value is at.
        let level: Int
    }
    /// A value an asynchronous resolver will give.
    struct Pending {
        let thunk: @Sendable () async throws -> Output
        let slot: Slot
    }
    var pending: [Pending] = []

    /// A field of one object waiting for its batch resolver (see `Output.batched`).
    struct BatchItem {
        let resolver: BatchResolver
        let source: AnyObjectBox
        let slot: Slot
    }
    var batched: [BatchItem] = []

    init(executable: ExecutableCore, operation: OperationDefinition, fragments: [String: FragmentDefinition],
         variables: OrderedDictionary<String, JSON>, context: AnyContextBox, source: Source?, observer: ExecutionObserver?,
         nulled: Set<Int32> = [], compiled: CompiledOperation? = nil) {
        self.nulled = nulled
        self.compiled = compiled
        self.executable = executable
        self.schema = executable.schema
        self.operation = operation
        self.fragments = fragments
        self.variables = variables
        self.context = context
        self.source = source
        self.observer = observer
        self.facts = RequestFacts(operation: operation, fragments: fragments, variables: variables, schema: executable.schema)
    }

    func locations(_ nodes: [Field]) -> [SourceLocation] {
        guard let source, let f = nodes.first else { return [] }
        return [source.location(of: Int(f.span.start))]
    }

    // MARK: running

    func run(rootType: NamedType, rootValue: AnyObjectBox) async -> ExecutionResult {
        let plans: [FieldPlan]
        if let reused = compiled?.take(executable) {
            plans = reused.plans
            // The buffer starts with the keys the plans were given ids in: those ids stand.
            out.keys = reused.keys
            keysSeeded = true
        } else {
            switch collectPlans(rootType, [operation.selectionSet]) {
            case .success(let p): plans = p
            case .failure(let e): return ExecutionResult(data: .null, errors: [e])
            }
        }
        let (root, first) = objectRun(plans)
        out.root = root
        containers.append(Container(parent: -1, slot: -1, first: Int32(first), nonNull: true))
        if operation.operation == .mutation {
            // Root fields of a mutation run serially, in document order (§6.2.2).
            for (i, plan) in plans.enumerated() {
                // The first field run makes the mutation one the request's deadline no longer cuts
                // short (`RequestDeadline`); past it, the rest do not begin, each null with its error.
                // (Past it before the first, nothing runs: the client is answered 504.)
                if let deadline = RequestDeadline.current, i > 0 ? deadline.expired : !deadline.protect() {
                    for (j, rest) in plans.enumerated().dropFirst(i) {
                        var e = deadline.notRun(path(0, first + j), first: i == 0)
                        e.locations = locations(rest.fieldNodes)
                        errors.append(e)
                        if rest.levels.nonNullAt[0] { dataIsNull = true } else { setNull(first + j) }
                    }
                    break
                }
                let ok = executeFields(rootType, rootValue, [plan], 0, first + i)
                if !ok { dataIsNull = true; break }
                await drain()
                if dataIsNull || containers[0].isNull { break }
            }
        } else {
            if !executeFields(rootType, rootValue, plans, 0, first) { dataIsNull = true }
            await drain()
        }
        // Every resolver of this execution has finished: the plans are free, with the keys
        // their ids are in.
        let keys = out.keys
        let done = result()
        compiled?.give(plans, keys, executable)
        return done
    }

    /// One subscription event: the root field completed with the event as its value.
    func runEvent(rootType: NamedType, plan: FieldPlan, value: Output) async -> ExecutionResult {
        let (root, first) = objectRun([plan])
        out.root = root
        containers.append(Container(parent: -1, slot: -1, first: Int32(first), nonNull: true))
        if !complete(value, 0, plan, 0, first) {
            if plan.levels.nonNullAt[0] { dataIsNull = true } else { setNull(first) }
        }
        await drain()
        return result()
    }

    /// The outcome once nothing is pending: the buffer handed over (this execution is done with it).
    private func result() -> ExecutionResult {
        if dataIsNull || containers[0].isNull { return ExecutionResult(data: .null, errors: errors) }
        let buffer = out
        out = ResponseBuffer()
        return ExecutionResult(buffer: buffer, errors: errors)
    }

    /// A new object's run of records, one per plan (keys set, values null until completed), and
    /// the object as a value.
    func objectRun(_ plans: [FieldPlan]) -> (ResponseBuffer.Value, first: Int) {
        let first = out.reserve(plans.count)
        for (i, plan) in plans.enumerated() {
            if plan.generation != generation {
                plan.generation = generation
                if !keysSeeded || plan.keyID < 0 { plan.keyID = out.keys.id(plan.responseKey) }
                plan.lastTypename = nil
                // A plan an earlier execution used: its resolver is looked up again (for this
                // execution's context), its arguments coerced again when they read variables.
                plan.resolverContext = nil
                if plan.argumentsReadVariables, plan.argumentsGeneration != generation { plan.arguments = coercedArguments(plan.definition, plan.fieldNodes) }
            }
            out.values[first + i].key = plan.keyID
        }
        out.objects.append(ResponseBuffer.Object(first: Int32(first), count: Int32(plans.count), next: -1))
        return (ResponseBuffer.Value(object: Int32(out.objects.count - 1)), first)
    }

    /// Runs every pending asynchronous resolver concurrently; completions (and any new pending
    /// work they produce) are handled here, on this one task. A resolver (or batch) that is the
    /// only work left runs on this task itself: nothing could run beside it, and a child task
    /// would cost a task, its scheduling and a wake-up for nothing.
    func drain() async {
        guard !pending.isEmpty || !batched.isEmpty else { return }
        let observer = self.observer
        /// What a task was launched for: one resolver, or one batch resolver's objects.
        enum Launched {
            case one(Pending)
            case batch([BatchItem])
        }
        typealias Work = @Sendable () async throws -> Output
        await withTaskGroup(of: (Int, Result<Output, Error>).self) { group in
            var inFlight: [Int: Launched] = [:]
            var nextID = 0
            /// The pending work as units (one resolver, or one batch resolver's objects), each
            /// counted as running from here until its result is completed.
            func collect() -> [(Launched, Work)] {
                var units: [(Launched, Work)] = []
                let work = pending
                pending.removeAll(keepingCapacity: true)
                for p in work {
                    observer?.asyncResolverStarted()
                    units.append((.one(p), p.thunk))
                }
                guard !batched.isEmpty else { return units }
                // One unit per batch resolver and selection: the objects of one field plan.
                struct Key: Hashable { let plan: ObjectIdentifier, resolver: ObjectIdentifier }
                var groups: [[BatchItem]] = []
                var groupOf: [Key: Int] = [:]
                for item in batched {
                    let key = Key(plan: ObjectIdentifier(item.slot.plan), resolver: ObjectIdentifier(item.resolver))
                    if let g = groupOf[key] { groups[g].append(item) } else {
                        groupOf[key] = groups.count
                        groups.append([item])
                    }
                }
                batched.removeAll(keepingCapacity: true)
                for items in groups {
                    let plan = items[0].slot.plan, run = items[0].resolver.run, sources = items.map(\.source)
                    // Both were settled when the objects' resolver was looked up (`resolve`).
                    let args: Arguments? = if case .success(let a) = plan.arguments { a } else { nil }
                    let context = plan.resolverContext
                    let info = ResolveInfo(plan: plan, request: facts)
                    observer?.asyncResolverStarted()
                    units.append((.batch(items), {
                        guard let args, let context else { throw GraphQLError("No arguments or context for a batch resolver.") }
                        return .list(try await run(sources, args, context, info))
                    }))
                }
                return units
            }
            /// Completes what a unit was launched for with its result.
            func finish(_ launched: Launched, _ result: Result<Output, Error>) {
                switch launched {
                case .one(let p):
                    let output: Output
                    switch result {
                    case .success(let o): output = o
                    case .failure(let e): output = .error(asGraphQLError(e))
                    }
                    fill(p.slot, output)
                case .batch(let items):
                    var outputs: [Output]
                    switch result {
                    case .success(.list(let o)) where o.count == items.count:
                        outputs = o
                    case .success(let o):
                        let count = if case .list(let l) = o { l.count } else { 1 }
                        let plan = items[0].slot.plan
                        let e = GraphQLError("The batch resolver of \(plan.parentType).\(plan.fieldName) returned \(count) values for \(items.count) objects.")
                        outputs = Array(repeating: .error(e), count: items.count)
                    case .failure(let e):
                        outputs = Array(repeating: .error(asGraphQLError(e)), count: items.count)
                    }
                    for (item, output) in zip(items, outputs) { fill(item.slot, output) }
                    outputs.removeAll()
                }
            }
            // The executor counts as running work while it collects and completes, so a
            // scheduler never dispatches a half-collected batch. A unit counts as running from
            // its collection until the executor has completed its result (which may collect the
            // next level's units), so a batch scheduler never sees "all idle" between a resolver
            // returning and its children starting.
            observer?.asyncResolverStarted()
            var units = collect()
            observer?.asyncResolverFinished()
            while true {
                if units.count == 1, group.isEmpty {
                    // The only work: run it here. The executor waits for it as it would for a task.
                    let (launched, work) = units.removeLast()
                    observer?.executorWaits()
                    let result: Result<Output, Error>
                    do { result = .success(try await work()) } catch { result = .failure(error) }
                    observer?.executorResumes()
                    finish(launched, result)
                    if !pending.isEmpty || !batched.isEmpty { units = collect() }
                    observer?.asyncResolverFinished()
                    continue
                }
                for (launched, work) in units {
                    let id = nextID
                    nextID += 1
                    inFlight[id] = launched
                    group.addTask {
                        let r: Result<Output, Error>
                        do { r = .success(try await work()) } catch { r = .failure(error) }
                        return (id, r)
                    }
                }
                units.removeAll()
                if group.isEmpty { break }
                observer?.executorWaits()
                guard let (id, result) = await group.next() else { observer?.executorResumes(); break }
                observer?.executorResumes()
                defer { observer?.asyncResolverFinished() }
                guard let launched = inFlight.removeValue(forKey: id) else { continue }
                finish(launched, result)
                if !pending.isEmpty || !batched.isEmpty { units = collect() }
            }
        }
    }

    /// Completes a value that arrived late into its slot (a failure nulls up to the nearest
    /// nullable position).
    func fill(_ slot: Slot, _ output: Output) {
        if !complete(output, slot.level, slot.plan, slot.container, slot.index) {
            nullOut(slot.container, slot.index, nonNull: slot.plan.levels.nonNullAt[slot.level])
        }
    }

    /// A resolver's error as a field error. Errors that are not `GraphQLError`s are internal
    /// (a database or network failure): clients see a generic message unless the schema
    /// exposes details, so SQL, hosts or stack traces never leak.
    func asGraphQLError(_ e: Error) -> GraphQLError {
        if let g = e as? GraphQLError { return g }
        if let c = e as? GraphQLErrorConvertible, let g = c.graphQLError { return g }
        if executable.exposeInternalErrors { return GraphQLError(String(describing: e), code: "INTERNAL_SERVER_ERROR") }
        executable.internalErrorHandler?(e)
        return GraphQLError("Internal server error", code: "INTERNAL_SERVER_ERROR")
    }

    /// A failed non-null position nulls its nearest nullable ancestor (§6.4.4). A position
    /// already inside a nulled object or list changes nothing above it.
    func nullOut(_ container: Int32, _ index: Int, nonNull: Bool) {
        guard nonNull else { setNull(index); return }
        var n = Int(container)
        while true {
            if containers[n].isNull { return }
            containers[n].isNull = true
            let c = containers[n]
            guard c.parent >= 0 else { dataIsNull = true; return }
            if !c.nonNull {
                setNull(Int(c.slot))
                return
            }
            n = Int(c.parent)
        }
    }

    /// Sets a record to null. An object or list it held stays in the buffer, unreachable:
    /// resolvers still running below it complete into its records, and a failure among them
    /// walks up its containers to a position already null (the same nullable one, or a nulled
    /// container), changing nothing that is written.
    @inline(__always) func setNull(_ index: Int) {
        out.put(.null, at: index)
    }

    // MARK: fields

    /// Resolves `plans` on one object into its run (`first`: the record of `plans[0]`, in
    /// `container`); false when a non-null field failed (the object is null).
    func executeFields(_ type: NamedType, _ object: AnyObjectBox, _ plans: [FieldPlan], _ container: Int32, _ first: Int) -> Bool {
        for (i, plan) in plans.enumerated() {
            let index = first + i
            if plan.isTypename {
                out.put(typename(plan, object.typeName), at: index)
                continue
            }
            if plan.isNulled {
                setNull(index)
                continue
            }
            let output: Output
            switch plan.arguments {
            case .failure(let e):
                output = .error(e)
            case .success(let args):
                if plan.fieldName == "__schema" || plan.fieldName == "__type", type.name == schema.queryType,
                   type.fields[plan.fieldName] == nil {
                    output = executable.introspection.resolveRoot(plan.fieldName, args)
                } else {
                    output = resolve(object, plan, args)
                }
            }
            if !complete(output, 0, plan, container, index) {
                if plan.levels.nonNullAt[0] { return false }
                setNull(index)
            }
        }
        return true
    }

    /// The response path of record `index` of `container`, read back from the buffer: a
    /// member's key, an item's position, up to the root.
    func path(_ container: Int32, _ index: Int) -> [PathElement] {
        var elements: [PathElement] = []
        var c = Int(container), r = index
        while c >= 0 {
            let k = out.values[r].key
            elements.append(k >= 0 ? .key(out.keys.names[Int(k)]) : .index(r - Int(containers[c].first)))
            r = Int(containers[c].slot)
            c = Int(containers[c].parent)
        }
        return elements.reversed()
    }

    /// An object's `__typename` as a value: the string written once per type and field.
    @inline(__always) func typename(_ plan: FieldPlan, _ name: String) -> ResponseBuffer.Value {
        if let last = plan.lastTypename, last.name == name { return last.value }
        let v = out.string(name)
        plan.lastTypename = (name, v)
        return v
    }

    /// Calls the resolver of `plan`'s field on `object` (found through the plan's cache).
    func resolve(_ object: AnyObjectBox, _ plan: FieldPlan, _ args: Arguments) -> Output {
        let table = object.table
        let resolver: ResolverTable.Resolver, context: AnyContextBox
        if plan.resolverTable === table, let r = plan.resolver, let c = plan.resolverContext {
            resolver = r
            context = c
        } else {
            // A table's closures read the context as the type they were written for: they get
            // the request's context only when that is the type (introspection's take none).
            if table.contextType == executable.contextType {
                context = self.context
            } else if table.contextType == ObjectIdentifier(NoContext.self) {
                context = ExecutionState.noContext
            } else {
                return .error(GraphQLError("The resolvers of \(table.typeName) were written for another context type than the schema's."))
            }
            guard let r = table.resolver(plan.fieldName) else {
                return .error(GraphQLError("No resolver for field \(table.typeName).\(plan.fieldName)."))
            }
            resolver = r
            plan.resolverTable = table
            plan.resolver = r
            plan.resolverContext = context
        }
        do { return try resolver(object, args, context, ResolveInfo(plan: plan, request: facts)) } catch { return .error(asGraphQLError(error)) }
    }

    static let noContext = ContextBox(NoContext())

    /// The schema's type named `n` (the named type at the bottom of the plan's return type).
    @inline(__always) func namedType(_ plan: FieldPlan, _ n: String) -> NamedType? {
        if let t = plan.namedType { return t }
        let t = schema.types[n]
        plan.namedType = t
        return t
    }

    /// CompleteValue (§6.4.3) of the value at list level `level` of the plan's type into
    /// record `index` (in `container`); false when it is null or failed where that level is non-null (the
    /// caller propagates).
    func complete(_ output: Output, _ level: Int, _ plan: FieldPlan, _ container: Int32, _ index: Int) -> Bool {
        switch output {
        case .async(let thunk):
            pending.append(Pending(thunk: thunk, slot: Slot(container: container, index: index, plan: plan, level: level)))
            return true
        case .batched(let resolver, let source):
            batched.append(BatchItem(resolver: resolver, source: source, slot: Slot(container: container, index: index, plan: plan, level: level)))
            return true
        case .error(var e):
            if e.locations.isEmpty { e.locations = locations(plan.fieldNodes) }
            e.path = path(container, index)
            errors.append(e)
            return false
        default:
            break
        }
        let levels = plan.levels
        if levels.nonNullAt[level] {
            if output.isNull {
                errors.append(GraphQLError("Cannot return null for non-nullable field \(plan.parentType).\(plan.fieldName).",
                                           locations: locations(plan.fieldNodes), path: path(container, index)))
                return false
            }
            let ok = completeValue(output, level, plan, container, index)
            if ok, out.values[index].isNull { return false }
            return ok
        }
        return completeValue(output, level, plan, container, index)
    }

    /// `complete` once the value's own null check is done: a list (level above the named type)
    /// or a value of the named type.
    func completeValue(_ output: Output, _ level: Int, _ plan: FieldPlan, _ container: Int32, _ index: Int) -> Bool {
        let levels = plan.levels
        if level < levels.listDepth {
            switch output {
            case .null:
                setNull(index)
                return true
            case .list(let items):
                let first = out.reserve(items.count)
                out.put(ResponseBuffer.Value(.list, UInt32(first), UInt64(items.count)), at: index)
                containers.append(Container(parent: container, slot: Int32(index), first: Int32(first), nonNull: levels.nonNullAt[level]))
                let list = Int32(containers.count - 1)
                let itemNonNull = levels.nonNullAt[level + 1]
                for (i, item) in items.enumerated() {
                    if !complete(item, level + 1, plan, list, first + i) {
                        if itemNonNull {
                            containers[Int(list)].isNull = true
                            return false
                        }
                        setNull(first + i)
                    }
                }
                return true
            default:
                errors.append(GraphQLError("Expected Iterable, but did not find one for field \"\(plan.parentType).\(plan.fieldName)\".",
                                           locations: locations(plan.fieldNodes), path: path(container, index)))
                return false
            }
        }
        let n = levels.namedTypeName
        switch output {
        case .null, .leaf(.null):   // a leaf resolver's null is null, as a resolver's `null` is in graphql-js
            setNull(index)
            return true
        case .leaf(let value):
            guard let t = namedType(plan, n), t.kind.isLeaf, let v = Values.serializeLeaf(t, value) else {
                let what = schema.types[n]?.kind == .enumType ? "Enum \"\(n)\" cannot represent value: \(value.text)"
                    : "\(n) cannot represent value: \(value.text)"
                errors.append(GraphQLError(what, locations: locations(plan.fieldNodes), path: path(container, index)))
                return false
            }
            let written = out.append(json: v)
            out.put(written, at: index)
            return true
        case .object(let box):
            let runtime: NamedType, subPlans: [FieldPlan]
            if let last = plan.lastRuntime, last.name == box.typeName {
                (runtime, subPlans) = (last.type, last.subPlans)
            } else {
                guard let declared = namedType(plan, n), declared.kind.isComposite else {
                    errors.append(GraphQLError("Field \(plan.parentType).\(plan.fieldName) returned an object for non-object type \(n).",
                                               locations: locations(plan.fieldNodes), path: path(container, index)))
                    return false
                }
                guard let found = schema.types[box.typeName], found.kind == .object, schema.isPossibleType(declared, box.typeName) else {
                    // graphql-js's words for each way a runtime type is not one (ensureValidRuntimeType).
                    let message = switch schema.types[box.typeName]?.kind {
                    case nil: "Abstract type \"\(n)\" was resolved to a type \"\(box.typeName)\" that does not exist inside the schema."
                    case .object?: "Runtime Object type \"\(box.typeName)\" is not a possible type for \"\(n)\"."
                    default: "Abstract type \"\(n)\" was resolved to a non-object type \"\(box.typeName)\"."
                    }
                    errors.append(GraphQLError(message, locations: locations(plan.fieldNodes), path: path(container, index)))
                    return false
                }
                runtime = found
                if let cached = plan.subPlans[runtime.name] { subPlans = cached } else {
                    switch collectPlans(runtime, plan.fieldNodes.compactMap(\.selectionSet)) {
                    case .success(let p): subPlans = p
                    case .failure(var e):
                        // A null `@skip`/`@include` condition: this value's error (not kept: each
                        // object of the type meets it again, as each would in graphql-js).
                        e.path = path(container, index)
                        errors.append(e)
                        return false
                    }
                    plan.subPlans[runtime.name] = subPlans
                }
                plan.lastRuntime = (box.typeName, runtime, subPlans)
            }
            let (object, first) = objectRun(subPlans)
            out.put(object, at: index)
            containers.append(Container(parent: container, slot: Int32(index), first: Int32(first), nonNull: levels.nonNullAt[level]))
            let child = Int32(containers.count - 1)
            if !executeFields(runtime, box, subPlans, child, first) {
                containers[Int(child)].isNull = true
                setNull(index)
                return false
            }
            return true
        default:
            errors.append(GraphQLError("Field \(plan.parentType).\(plan.fieldName) returned a value of the wrong shape for \(n).",
                                       locations: locations(plan.fieldNodes), path: path(container, index)))
            return false
        }
    }

    // MARK: field collection (§6.3.2)

    /// The fields' plans, or the error of a `@skip`/`@include` whose `if` reads a null variable.
    func collectPlans(_ type: NamedType, _ sets: [SelectionSet]) -> Result<[FieldPlan], GraphQLError> {
        var deferred: [FieldCollector.Deferred] = []
        var nullCondition: Argument?
        let grouped = FieldCollector(schema: schema, fragments: fragments, variables: variables)
            .collect(type, sets, deferred: &deferred, nullCondition: &nullCondition)
        if let nullCondition { return .failure(Executor.nullConditionError(nullCondition, source)) }
        var plans: [FieldPlan] = []
        plans.reserveCapacity(grouped.count)
        for (key, nodes) in grouped {
            let name = nodes[0].name.value
            guard let def = schema.field(type, name) else { continue }
            let plan = FieldPlan(responseKey: key, fieldName: name, definition: def, fieldNodes: nodes,
                                 arguments: coercedArguments(def, nodes), parentType: type.name)
            plan.argumentsGeneration = generation
            plan.isNulled = !nulled.isEmpty && nodes.contains { nulled.contains($0.span.start) }
            plans.append(plan)
        }
        return .success(plans)
    }

    /// A field's arguments coerced, or the field error that says why they cannot be.
    func coercedArguments(_ def: FieldDef, _ nodes: [Field]) -> Result<Arguments, GraphQLError> {
        do {
            return .success(try coerceArguments(def, nodes[0]))
        } catch let e as Values.CoercionError {
            let at = e.at.flatMap { span in source.map { [$0.location(of: Int(span.start))] } } ?? locations([nodes[0]])
            return .failure(GraphQLError(e.message, locations: at, code: "BAD_USER_INPUT"))
        } catch {
            return .failure(GraphQLError("\(error)"))
        }
    }

    /// CoerceArgumentValues (§6.4.2), with graphql-js's messages; an error about a given value
    /// is located at that value.
    func coerceArguments(_ def: FieldDef, _ field: Field) throws -> Arguments {
        if def.arguments.isEmpty { return Arguments() }
        var out = OrderedDictionary<String, JSON>()
        for (name, arg) in def.arguments {
            if let given = field.arguments.first(where: { $0.name.value == name }) {
                let at = given.valueSpan == .none ? nil : given.valueSpan
                var isNull = given.value.isNull
                if case .variable(let v) = given.value {
                    guard let value = variables[v] else {
                        if let d = arg.defaultValue { out[name] = try Values.literal(schema, d, arg.type, variables: [:]) }
                        else if case .nonNull = arg.type {
                            throw Values.CoercionError(message: "Argument \"\(name)\" of required type \"\(arg.type)\" was provided the variable \"$\(v)\" which was not provided a runtime value.", at: at)
                        }
                        continue
                    }
                    isNull = value.isNull
                }
                if isNull, case .nonNull = arg.type {
                    throw Values.CoercionError(message: "Argument \"\(name)\" of non-null type \"\(arg.type)\" must not be null.", at: at)
                }
                do {
                    out[name] = try Values.literal(schema, given.value, arg.type, variables: variables)
                } catch is Values.CoercionError {
                    throw Values.CoercionError(message: "Argument \"\(name)\" has invalid value \(Printer.print(given.value)).", at: at)
                }
            } else if let d = arg.defaultValue {
                out[name] = try Values.literal(schema, d, arg.type, variables: [:])
            } else if case .nonNull = arg.type {
                throw Values.CoercionError(message: "Argument \"\(name)\" of required type \"\(arg.type)\" was not provided.")
            }
        }
        return Arguments(out)
    }
}

