import GraphQLCore
import OrderedCollections
import QueryLimits
import Synchronization

/// What the pipeline runs a validated operation on: an in-process schema today, the
/// federation plan executor once subgraphs are composed.
public protocol OperationExecutor: Sendable {
    /// The schema clients see (validation runs against it).
    var apiSchema: Schema { get }
    func execute(_ request: ExecutionRequest, context: RequestContext) async -> ExecutionResult
    /// Whether what it depends on answers (for `/ready`).
    func isReady() async -> Bool
}

extension OperationExecutor {
    public func isReady() async -> Bool { true }
}

/// Per-request facts the executor and subgraphs may use.
public struct RequestContext: Sendable {
    /// Tenant slug from verified credentials or, when enabled, the development header.
    public var tenant: String?
    public var headers: [(String, String)]
    /// Put the query plan in the response's `extensions.queryPlan`.
    public var includeQueryPlan = false
    /// The tenant's own cost ceiling (its `maxQueryCost` quota), if any.
    public var tenantMaxCost: Int?
    /// A verified token came with the request; its scopes.
    public var authenticated = false
    public var scopes: [String] = []
    /// What the authorization pass removed (part of the plan cache key: the same text can plan differently).
    public var removedFields: String?
    public init(tenant: String? = nil, headers: [(String, String)] = [], includeQueryPlan: Bool = false) {
        self.tenant = tenant
        self.headers = headers
        self.includeQueryPlan = includeQueryPlan
    }
}

/// Parse → (limits) → validate → execute, each stage failing with its own request error.
///
/// ```swift
/// let pipeline = RequestPipeline(executor: executor, limits: config.limits)
/// let outcome = await pipeline.run(request, method: .post, context: ctx)
/// ```
public struct RequestPipeline: Sendable {
    public enum Method: Sendable { case get, post }

    public let executor: any OperationExecutor
    public let parserOptions: ParserOptions
    public let limits: OperationLimits
    public let cost: CostSettings
    /// Parsed documents that passed validation against this pipeline's schema, by text.
    let documents = DocumentCache(capacity: 1_000)
    /// Whether the schema has @authenticated/@requiresScopes anywhere (else no filtering pass).
    let usesAuthorization: Bool

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

    public init(executor: any OperationExecutor, maxTokens: Int? = 15_000, maxParserDepth: Int = 200,
                limits: OperationLimits = OperationLimits(), cost: CostSettings = CostSettings()) {
        self.cost = cost
        self.executor = executor
        self.usesAuthorization = FieldAuthorization.schemaUsesAuthorization(executor.apiSchema)
        self.parserOptions = ParserOptions(maxTokens: maxTokens, maxDepth: maxParserDepth, allowTypeSystem: true)
        self.limits = limits
    }

    public struct Outcome: Sendable {
        public var status: Int
        public var body: [UInt8]
        /// Extra response headers (e.g. `Allow` with 405).
        public var headers: [(String, String)] = []
    }

    public func run(_ request: GraphQLRequest, method: Method, context: RequestContext) async -> Outcome {
        do {
            let result = try await execute(request, method: method, context: context)
            return Outcome(status: 200, body: result.jsonBytes)
        } catch {
            var outcome = Outcome(status: error.status, body: ExecutionResult(data: nil, errors: error.errors).jsonBytes)
            if error.kind == .methodNotAllowed { outcome.headers.append(("Allow", "POST")) }
            return outcome
        }
    }

    func execute(_ request: GraphQLRequest, method: Method, context: RequestContext) async throws(PipelineError) -> ExecutionResult {
        guard let query = request.query, !query.isEmpty else {
            throw PipelineError(.invalidRequest, "A GraphQL request must include a \"query\" string.")
        }
        if let cached = documents.get(query) {
            return try await run(cached.document, cached.source, request, method: method, context: context, validated: true)
        }
        let source = Source(query)
        let document: Document
        do {
            document = try Parser.parse(source, options: parserOptions)
        } catch let e as GraphQLError {
            throw PipelineError(.parse, errors: [e])
        } catch {
            throw PipelineError(.parse, "\(error)")
        }
        return try await run(document, source, request, method: method, context: context, validated: false)
    }

    func run(_ document: Document, _ source: Source, _ request: GraphQLRequest, method: Method, context: RequestContext,
             validated: Bool) async throws(PipelineError) -> ExecutionResult {
        // Operation limits, before validation and planning do work that grows with the document.
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments where fragments[f.name.value] == nil { fragments[f.name.value] = f }
        let measured = document.operations.filter { request.operationName == nil || $0.name?.value == request.operationName }
        for op in measured {
            if let violation = OperationMeasure.of(op, fragments: fragments).violation(of: limits) {
                throw PipelineError(.limit, errors: [violation])
            }
        }
        let schema = executor.apiSchema
        if !schema.introspectionEnabled, let field = IntrospectionFinder.first(in: document) {
            throw PipelineError(.limit, errors: [GraphQLError("GraphQL introspection is not allowed, but the query contained \(field).",
                                                              code: "INTROSPECTION_DISABLED")])
        }
        if !validated {
            let errors = Validator.validate(schema: schema, document: document, source: source)
            if !errors.isEmpty { throw PipelineError(.validation, errors: errors) }
            documents.put(String(decoding: source.bytes, as: UTF8.self), CachedDocument(document: document, source: source))
        }

        // GetOperation (§6.1) here, so that GET mutations and ambiguity fail before execution.
        let operations = document.operations
        let operation: OperationDefinition
        if let name = request.operationName {
            guard let op = operations.first(where: { $0.name?.value == name }) else {
                throw PipelineError(.operation, "Unknown operation named \"\(name)\".")
            }
            operation = op
        } else {
            guard operations.count == 1 else {
                throw PipelineError(.operation, "Must provide operation name if query contains multiple operations.")
            }
            operation = operations[0]
        }
        if method == .get, operation.operation != .query {
            throw PipelineError(.methodNotAllowed, "Can only perform a \(operation.operation.rawValue) operation from a POST request.")
        }
        if operation.operation == .subscription {
            throw PipelineError(.operation, "Subscriptions are not supported over this transport.", code: "OPERATION_NOT_SUPPORTED")
        }
        // Cost analysis (demand control), before planning or any subgraph call.
        let ceiling = [cost.maxCost, context.tenantMaxCost].compactMap { $0 }.min()
        var estimated: Int?
        if ceiling != nil || cost.report {
            do {
                estimated = try CostAnalyzer(schema: schema, defaultListSize: cost.defaultListSize)
                    .estimate(operation, fragments: fragments, variables: request.variables)
            } catch {
                throw PipelineError(.limit, errors: [error.error])
            }
            if let ceiling, let e = estimated, e > ceiling, !cost.measureOnly {
                throw PipelineError(.limit, errors: [GraphQLError("The operation's estimated cost \(e == Int.max ? "overflows" : String(e)) exceeds the limit of \(ceiling).",
                                                                  code: "COST_ESTIMATED_TOO_EXPENSIVE",
                                                                  extensions: ["cost": ["estimated": .int(e), "max": .int(ceiling)]])])
            }
        }
        // @authenticated / @requiresScopes: remove what this request may not see.
        var executed = document
        var authorizationErrors: [GraphQLError] = []
        if usesAuthorization {
            var auth = FieldAuthorization(schema: schema, context: context, document: document, source: source)
            let filtered = auth.filter(operation)
            if !auth.errors.isEmpty {
                executed = Document(definitions: [.operation(filtered)])
                authorizationErrors = auth.errors
            }
        }
        var context = context
        if !authorizationErrors.isEmpty {
            context.removedFields = authorizationErrors.map { ($0.path ?? []).map(\.description).joined(separator: ".") }.joined(separator: ",")
        }
        var result = await executor.execute(
            ExecutionRequest(document: executed, operationName: operation.name?.value, variables: request.variables, source: source),
            context: context)
        result.errors = authorizationErrors + result.errors
        if cost.report, let e = estimated {
            var c: OrderedDictionary<String, JSON> = ["estimated": .int(e)]
            if let data = result.data {
                c["actual"] = .int(CostAnalyzer(schema: schema, defaultListSize: cost.defaultListSize)
                    .actual(operation, fragments: fragments, data: data))
            }
            if let ceiling { c["max"] = .int(ceiling) }
            result.extensions = (result.extensions ?? [:]).merging(["cost": .object(c)]) { _, b in b }
        }
        // Variable coercion failures stop execution: a request error, not a field error.
        if !result.hasData { throw PipelineError(.variables, errors: result.errors) }
        return result
    }
}

/// Runs operations on an in-process executable schema.
public struct LocalExecutor<Context: Sendable>: OperationExecutor {
    public let executable: ExecutableSchema<Context>
    public let makeContext: @Sendable (RequestContext) -> Context
    public var apiSchema: Schema { executable.schema }

    public init(executable: ExecutableSchema<Context>, makeContext: @escaping @Sendable (RequestContext) -> Context) {
        self.executable = executable
        self.makeContext = makeContext
    }

    public func execute(_ request: ExecutionRequest, context: RequestContext) async -> ExecutionResult {
        await Executor.execute(executable, request: request, context: makeContext(context))
    }
}

/// Finds a use of `__schema` or `__type` (introspection) anywhere in a document.
struct IntrospectionFinder: ASTVisitor {
    var found: String?
    mutating func enter(_ node: ASTNode) -> VisitAction {
        if case .field(let f) = node, f.name.value == "__schema" || f.name.value == "__type" {
            found = f.name.value
            return .stop
        }
        return .continue
    }

    static func first(in document: Document) -> String? {
        var finder = IntrospectionFinder()
        walk(document, with: &finder)
        return finder.found
    }
}

struct CachedDocument: Sendable {
    let document: Document
    let source: Source
}

/// A bounded least-recently-used cache of documents that parsed and validated.
final class DocumentCache: Sendable {
    private let state = Mutex(OrderedDictionary<String, CachedDocument>())
    let capacity: Int
    init(capacity: Int) { self.capacity = capacity }

    func get(_ text: String) -> CachedDocument? {
        state.withLock { d in
            guard let v = d.removeValue(forKey: text) else { return nil }
            d[text] = v
            return v
        }
    }

    func put(_ text: String, _ doc: CachedDocument) {
        state.withLock { d in
            d[text] = doc
            if d.count > capacity { d.removeFirst(d.count - capacity) }
        }
    }
}
