import Foundation
import GraphQLCore
import OrderedCollections
import QueryLimits

/// What the pipeline runs a validated operation on: an in-process schema, or the federation
/// plan executor over composed subgraphs.
public protocol OperationExecutor: Sendable {
    /// The schema clients see (validation runs against it).
    var apiSchema: Schema { get }
    func execute(_ request: ExecutionRequest, context: RequestContext) async -> ExecutionResult
    /// A subscription: one result per event.
    func subscribe(_ request: ExecutionRequest, context: RequestContext) async -> SubscriptionStart
    /// Whether what it depends on answers (for `/ready`).
    func isReady() async -> Bool
    /// An operation with `@defer` for a client that takes an incremental response: the first
    /// payload without the deferred fragments, then the payloads that deliver them; nil when
    /// this executor answers `@defer` inline only. `placing`: errors found before execution
    /// (authorization's), each to go with the payload that holds its field.
    func executeIncrementally(_ request: ExecutionRequest, context: RequestContext, placing: [GraphQLError]) async -> IncrementalExecution?
    /// What each field's `@requires` fetches for it (`Type.field`), for cost analysis.
    var costRequirements: [String: [SelectionSet]] { get }
}

extension OperationExecutor {
    public var costRequirements: [String: [SelectionSet]] { [:] }
}

/// An incremental response: the first payload as a result (more follow when `hasNext`), the
/// later ones as they come (each a whole `{"incremental":[…],"hasNext":…}` payload).
public struct IncrementalExecution: Sendable {
    public var initial: ExecutionResult
    public var hasNext: Bool
    public var later: AsyncStream<[UInt8]>
    public init(initial: ExecutionResult, hasNext: Bool, later: AsyncStream<[UInt8]>) {
        self.initial = initial
        self.hasNext = hasNext
        self.later = later
    }
}

extension OperationExecutor {
    public func isReady() async -> Bool { true }
    public func executeIncrementally(_ request: ExecutionRequest, context: RequestContext, placing: [GraphQLError]) async -> IncrementalExecution? { nil }
    public func subscribe(_ request: ExecutionRequest, context: RequestContext) async -> SubscriptionStart {
        .failed(ExecutionResult(data: nil, errors: [GraphQLError("Subscriptions are not supported here.", code: "OPERATION_NOT_SUPPORTED")]))
    }
}

/// Per-request facts the executor and subgraphs may use.
public struct RequestContext: Sendable {
    /// Tenant slug from verified credentials or, when enabled, the development header.
    public var tenant: String?
    public var headers: [(String, String)]
    /// Put the query plan in the response's `extensions.queryPlan`.
    public var includeQueryPlan = false
    /// Put the trace id in the response's `extensions.traceId` (when tracing records one).
    public var includeTraceID = false
    /// The tenant's own cost ceiling (its `maxQueryCost` quota), if any.
    public var tenantMaxCost: Int?
    /// Most bytes the request's in-process subgraphs may read from PostgreSQL (`max_read_bytes`).
    public var maxReadBytes: Int?
    /// A verified token came with the request; its scopes and the `@policy` policies it satisfies.
    public var authenticated = false
    /// When the request's token expires (a WebSocket admitted with it starts no operation after).
    public var credentialsExpire: Date?
    public var scopes: [String] = []
    public var policies: [String] = []
    /// What the authorization pass removed (part of the plan cache key: the same text can plan differently).
    public var removedFields: String?
    /// The client takes a stream of payloads (Server-Sent Events or multipart), so a
    /// subscription may start.
    public var acceptsStream = false
    /// The client takes an incremental response (`@defer`) as a stream of payloads.
    public var acceptsIncremental = false
    /// The request is an operation of a graphql-transport-ws connection: a subscription that
    /// cannot start is an `error` message there (over HTTP, a stream of its errors).
    public var overWebSocket = false
    public init(tenant: String? = nil, headers: [(String, String)] = [], includeQueryPlan: Bool = false) {
        self.tenant = tenant
        self.headers = headers
        self.includeQueryPlan = includeQueryPlan
    }
}

/// One GraphQL request from its parameters to its outcome, stage by stage — each stage in its
/// own file, each failing with its own request error:
/// document (parse or cache) → limits → validation and operation → cost → authorization →
/// planning and execution (one payload, or a stream of them for a subscription).
///
/// ```swift
/// let pipeline = RequestPipeline(executor: executor, limits: config.limits)
/// let outcome = await pipeline.run(request, method: .post, context: ctx)
/// for await payload in outcome.payloads { ... }
/// ```
public struct RequestPipeline: Sendable {
    public enum Method: Sendable { case get, post }

    public let executor: any OperationExecutor
    let documents: DocumentStage
    let limitsStage: LimitsStage
    let costStage: CostStage
    /// Whether the schema has @authenticated/@requiresScopes anywhere (else no filtering pass).
    let usesAuthorization: Bool
    /// Live subscriptions and their per-tenant limit (shared by every pipeline of a gateway).
    var subscriptions: SubscriptionGate?
    /// Payloads a subscriber may be behind, and how long a full buffer may stay full, before
    /// its stream is ended.
    var subscriptionBuffer = 256
    var subscriptionGrace: Duration = .seconds(5)
    /// `introspection` of the configuration: off, `__schema`/`__type` are refused whatever the
    /// executor's schema allows (a subgraph served alone has its own schema, introspectable).
    var introspection = true

    public struct CostSettings: Sendable {
        public var maxCost: Int?
        public var measureOnly: Bool
        public var defaultListSize: Int
        /// Report the estimate and the actual cost in `extensions.cost` (implied by measure mode).
        public var report: Bool
        public init(maxCost: Int? = nil, measureOnly: Bool = false, defaultListSize: Int = 10, report: Bool = false) {
            self.maxCost = maxCost
            self.measureOnly = measureOnly
            self.defaultListSize = defaultListSize
            self.report = report || measureOnly
        }
    }

    public init(executor: any OperationExecutor, maxTokens: Int? = 15_000, maxParserDepth: Int = 200, maxLiteralBytes: Int? = 65_536,
                limits: OperationLimits = OperationLimits(), cost: CostSettings = CostSettings()) {
        self.executor = executor
        self.usesAuthorization = FieldAuthorization.schemaUsesAuthorization(executor.apiSchema)
        self.documents = DocumentStage(parserOptions: ParserOptions(maxTokens: maxTokens, maxDepth: maxParserDepth, allowTypeSystem: true,
                                                                    maxStringLiteralBytes: maxLiteralBytes))
        self.limitsStage = LimitsStage(limits: limits)
        self.costStage = CostStage(settings: cost, requirements: executor.costRequirements)
    }

    public var limits: OperationLimits { limitsStage.limits }
    public var cost: CostSettings { costStage.settings }

    public func run(_ request: GraphQLRequest, method: Method, context: RequestContext) async -> Outcome {
        var report = OperationReport()
        do {
            var outcome = try await stages(request, method: method, context: context, report: &report)
            report.hadErrors = outcome.report.hadErrors
            report.code = outcome.report.code
            outcome.report = report
            return outcome
        } catch {
            var result = ExecutionResult(data: nil, errors: error.errors)
            // A request error is traced too: the client that asked gets its trace id.
            if context.includeTraceID, let id = GatewayTracing.currentTraceID() { result.extensions = ["traceId": .string(id)] }
            var outcome = Outcome(status: error.status, result)
            if error.kind == .methodNotAllowed { outcome.headers.append(("Allow", "POST")) }
            switch error.kind {
            case .parse, .validation, .operation, .variables, .limit: outcome.refusedBeforeExecution = true
            default: break
            }
            if error.kind == .cancelled { report.cancelled = true } else { report.rejected = true }
            report.code = error.errors.first?.extensions?["code"]?.stringValue ?? PipelineError.defaultCode(error.kind)
            outcome.report = report
            return outcome
        }
    }

    func stages(_ request: GraphQLRequest, method: Method, context: RequestContext,
                report: inout OperationReport) async throws(PipelineError) -> Outcome {
        let schema = executor.apiSchema
        let documents = self.documents
        let parsed = try leafSpan("graphql.parse") { () throws(PipelineError) in try documents.document(request) }
        let key = DocumentChecks.key(request.operationName)
        if !parsed.checks.withinLimits(key) {
            try limitsStage.check(parsed.document, operationName: request.operationName, schema: schema, introspection: introspection)
            parsed.checks.passedLimits(key)
        }
        let known = try leafSpan("graphql.validate") { () throws(PipelineError) in try ValidationStage.validate(parsed, schema: schema, documents: documents, suggestions: introspection) }
        let operation = try ValidationStage.operation(parsed.document, named: request.operationName, method: method)
        report.type = operation.operation.rawValue
        // Only a known document names its series: a persisted one, or one validated before.
        if known || request.persisted { report.name = operation.name?.value ?? "anonymous" }
        // An operation costs what it cost the last time with the same variables (a dashboard
        // asks again and again with the same ones; an estimate walks the whole operation).
        let costKey = DocumentChecks.costKey(key, operation, request.variables)
        let cost = try costStage.estimate(operation, parsed.document, schema: schema, variables: request.variables, context: context,
                                          known: costKey.flatMap { parsed.checks.cost($0) })
        if let costKey, let estimated = cost.estimated { parsed.checks.estimated(costKey, estimated) }
        // A document authorization left whole for these credentials is not walked again.
        let authKey = usesAuthorization ? AuthorizationStage.key(key, context) : ""
        let walk = usesAuthorization && !parsed.checks.allowsWhole(authKey)
        let authorized = AuthorizationStage.apply(parsed.document, operation, source: parsed.source, schema: schema,
                                                  context: context, schemaUsesAuthorization: walk)
        if walk, authorized.errors.isEmpty { parsed.checks.allowedWhole(authKey) }
        var execution = ExecutionRequest(document: authorized.document, operationName: operation.name?.value,
                                         variables: request.variables, source: parsed.source)
        execution.suggestions = introspection
        // Shaped by the client's document whenever something was taken out: a fragment left
        // out whole leaves the planned document a `__typename` the client did not ask for.
        if !authorized.errors.isEmpty {
            execution.clientDocument = authorized.clientDocument
            execution.nulledFields = authorized.nulledFields
        }
        return try await execute(execution, operation, authorized, cost: cost, document: parsed.document)
    }
}
