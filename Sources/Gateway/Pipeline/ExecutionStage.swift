import Foundation
import Federation
import GraphQLCore
import Tracing

/// Stage: planning and execution, by the executor (a federated plan, or an in-process schema).
/// A query or mutation gives one payload; a subscription gives one payload per event.
extension RequestPipeline {
    func execute(_ request: ExecutionRequest, _ operation: OperationDefinition, _ authorized: AuthorizationStage.Authorized,
                 cost: CostStage.Estimate, document: Document) async throws(PipelineError) -> Outcome {
        if operation.operation == .subscription {
            guard authorized.context.acceptsStream else {
                throw PipelineError(.notAcceptable, "A subscription needs a streaming response: send Accept: text/event-stream (or multipart/mixed), or use the WebSocket endpoint.")
            }
            // `@defer(if: $var)` passes validation in a subscription; turned on, it is refused
            // (graphql-js 17 does the same when it collects the fields).
            if operation.defers(in: document).any,
               case .success(let variables) = Executor.coerceVariables(executor.apiSchema, operation: operation, variables: request.variables),
               operation.defers(in: document, variables: variables).anyOn {
                throw PipelineError(.variables, "Defer directive not supported on subscription operations. Disable `@defer` by setting the `if` argument to `false`.",
                                    code: "BAD_REQUEST")
            }
            // Its field is one the request may not see: nothing to subscribe to (a request error).
            if authorized.nothingLeft { throw PipelineError(.forbidden, errors: authorized.errors) }
            let gate = subscriptions, tenant = authorized.context.tenant
            guard gate?.enter(tenant) ?? true else {
                throw PipelineError(.limit, "The tenant runs its maximum of \(gate?.maxPerTenant ?? 0) subscriptions.", code: "SUBSCRIPTION_LIMIT_EXCEEDED")
            }
            // The subscription's start (its subgraph's `fetch` span under it; each event's
            // resolution follows the source stream, under that span too).
            let executor = self.executor
            var start = await span("graphql.execute") { span in
                Self.describe(span, operation)
                return await executor.subscribe(request, context: authorized.context)
            }
            if case .failed(let result) = start, !authorized.context.overWebSocket {
                // Over HTTP, a subscription that cannot start is still a stream: its errors and
                // no `data`, then its end (what GraphQL over SSE servers answer).
                start = .stream(AsyncStream { c in
                    c.yield(result)
                    c.finish()
                })
            }
            switch start {
            case .failed(let result):
                gate?.leave(tenant)
                // Cancelled by the client while starting: its errors (the subgraph's read cut
                // short) are no request error of the client's, nor the gateway's.
                if Task.isCancelled { throw PipelineError(.cancelled, "The client cancelled the subscription before it started.") }
                // Variable coercion or the source stream failing to start: a request error
                // (graphql-transport-ws: an `error` message).
                throw PipelineError(.variables, errors: authorized.errors + result.errors)
            case .stream(let results):
                // A bounded buffer between the subscription and its client: the producer waits
                // for room (bursts are fine for a client that reads); a client that leaves no
                // room for `subscriptionGrace` is too slow: a last error payload, then the end
                // (the transport closes it). It never holds the source or other subscribers back.
                let limit = subscriptionBuffer
                let channel = PayloadChannel(capacity: limit, grace: subscriptionGrace)
                let end = StreamEnd()
                gate?.started()
                let costStage = self.costStage, apiSchema = executor.apiSchema
                let pump = Task {
                    for await var result in results {
                        // Each event is a response of its own: the fields authorization removed are
                        // null in every one, each with its error.
                        result.errors = authorized.errors + result.errors
                        // With cost reporting on, every event says what it cost (`extensions.cost`).
                        if result.hasData { costStage.report(&result, operation, document, schema: apiSchema, cost) }
                        switch await channel.send(result.jsonBytes) {
                        case .sent: continue
                        case .closed: break
                        case .tooSlow:
                            end.markFellBehind()
                            gate?.fellBehind()
                            channel.forceLast(ExecutionResult(data: nil, errors: [GraphQLError(
                                "The subscriber fell \(limit) events behind; the subscription is ended.", code: "SUBSCRIBER_TOO_SLOW")]).jsonBytes)
                        }
                        break
                    }
                    channel.finish()
                }
                // The token the subscription was started with expires: its stream ends then, with
                // a last payload saying so (a request error: an `error` message over WebSocket, a
                // transport-level error in multipart) — a key removed from the JWKS or a tenant
                // let go stops what runs at the token's end at the latest (probe 54C: events went
                // on for as long as the client held the connection).
                let expiry = authorized.context.credentialsExpire.map { expires in
                    Task {
                        // (Clamped: a signed `exp` far in the future is a number of seconds past
                        // Int64's milliseconds — converting it trapped, review of session 54.)
                        let seconds = min(max(0, expires.timeIntervalSinceNow), 10 * 365 * 86_400)
                        try? await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
                        // (A subscriber found too slow has its last payload already.)
                        guard !Task.isCancelled, !end.fellBehind else { return }
                        channel.finish(last: ExecutionResult(data: nil, errors: [GraphQLError(
                            "The token this subscription was started with has expired; subscribe again with a fresh one.", code: "UNAUTHENTICATED")]).jsonBytes)
                        pump.cancel()
                    }
                }
                let id = UUID()
                channel.onTermination {
                    pump.cancel()
                    expiry?.cancel()
                    gate?.unregister(id)
                    gate?.ended()
                    gate?.leave(tenant)
                }
                // On shutdown the stream ends as going away: the transport does not say it
                // completed (a client that saw `complete` would not subscribe again).
                let goAway: @Sendable () -> Void = { channel.finishIfOpen { end.markGoingAway() } }
                if gate?.register(id, goAway) == false { goAway() }
                var outcome = Outcome(stream: channel)
                outcome.streamEnd = end
                return outcome
            }
        }
        let executor = self.executor
        if authorized.context.acceptsIncremental, operation.defers(in: document).any {
            // `graphql.execute` lasts until the last payload is written: the deferred fragments'
            // fetches run under it, after the first payload has gone.
            let (incremental, execution) = await openSpan("graphql.execute") { span in
                Self.describe(span, operation)
                return await executor.executeIncrementally(request, context: authorized.context, placing: authorized.errors)
            }
            guard let incremental else { execution?.end(); return try await executeWhole(request, operation, authorized, cost: cost, document: document) }
            do { return try incrementalOutcome(incremental, operation, authorized, cost: cost, document: document, span: execution) } catch {
                execution?.end()
                throw error
            }
        }
        return try await executeWhole(request, operation, authorized, cost: cost, document: document)
    }

    /// A query or mutation answered in one payload.
    private func executeWhole(_ request: ExecutionRequest, _ operation: OperationDefinition, _ authorized: AuthorizationStage.Authorized,
                              cost: CostStage.Estimate, document: Document) async throws(PipelineError) -> Outcome {
        let executor = self.executor
        var result = await span("graphql.execute") { span in
            Self.describe(span, operation)
            return await executor.execute(request, context: authorized.context)
        }
        let report = try complete(&result, operation, authorized, cost: cost, document: document)
        var outcome = Outcome(status: 200, consume result)   // its bytes handed over, not copied
        outcome.report.hadErrors = report.hadErrors
        outcome.report.code = report.code
        return outcome
    }

    /// A result as the client gets it: authorization's errors first, the trace id and the cost
    /// report in `extensions`; what the operation report says of it.
    /// `placed`: the executor put authorization's errors in the result itself.
    func complete(_ result: inout ExecutionResult, _ operation: OperationDefinition, _ authorized: AuthorizationStage.Authorized,
                  cost: CostStage.Estimate, document: Document, placed: Bool = false) throws(PipelineError) -> (hadErrors: Bool, code: String?) {
        if !placed { result.errors = authorized.errors + result.errors }
        if authorized.context.includeTraceID, let id = GatewayTracing.currentTraceID() {
            result.extensions = (result.extensions ?? [:]).merging(["traceId": .string(id)]) { _, b in b }
        }
        costStage.report(&result, operation, document, schema: executor.apiSchema, cost)
        // Variable coercion failures stop execution: a request error, not a field error. So does
        // an operation that cannot be planned: too large to plan is a limit the request went past
        // (400), one no plan reaches is the gateway's failure (500) — neither answers `data`.
        if !result.hasData {
            let codes = Set(result.errors.compactMap { $0.extensions?["code"]?.stringValue })
            let kind: PipelineError.Kind = codes.contains("QUERY_PLANNING_FAILED") ? .internal : codes.contains("QUERY_PLAN_TOO_LARGE") ? .limit : .variables
            throw PipelineError(kind, errors: result.errors)
        }
        return (!result.errors.isEmpty, result.errors.first?.extensions?["code"]?.stringValue)
    }
}

extension RequestPipeline {
    /// The operation's type and name on a `graphql.execute` span that is recorded.
    static func describe(_ span: any Tracing.Span, _ operation: OperationDefinition) {
        guard span.isRecording else { return }
        span.attributes["graphql.operation.type"] = operation.operation.rawValue
        if let name = operation.name?.value { span.attributes["graphql.operation.name"] = name }
    }

    /// The payloads of an incremental response, in order: the first with `hasNext`, then the
    /// later one (its `hasNext` false). Written by the transport as multipart parts (the
    /// 2022-08-24 `deferSpec`), Server-Sent Events or WebSocket `next` messages.
    /// `span` (the operation's `graphql.execute`) ends with the last payload.
    func incrementalOutcome(_ incremental: IncrementalExecution, _ operation: OperationDefinition, _ authorized: AuthorizationStage.Authorized,
                            cost: CostStage.Estimate, document: Document, span: (any Tracing.Span)?) throws(PipelineError) -> Outcome {
        var initial = incremental.initial
        // Authorization's errors are in the payloads already, each with its field's.
        let report = try complete(&initial, operation, authorized, cost: cost, document: document, placed: true)
        var first = initial.serialized()
        // `{…}` → `{…,"hasNext":…}`
        if first.last == UInt8(ascii: "}") { first.removeLast() }
        first.append(contentsOf: Array((incremental.hasNext ? #","hasNext":true}"# : #","hasNext":false}"#).utf8))
        let channel = PayloadChannel(capacity: 4, grace: subscriptionGrace)
        channel.push(first)
        let record = IncrementalRecord()
        if incremental.hasNext {
            let later = incremental.later
            let pump = Task {
                for await payload in later {
                    record.saw(payload)
                    if case .closed = await channel.send(payload) { break }
                }
                channel.finish()
                record.finish()
                span?.end()
            }
            channel.onTermination { pump.cancel() }
        } else {
            channel.finish()
            record.finish()
            span?.end()
        }
        var outcome = Outcome(stream: channel)
        outcome.incremental = true
        outcome.incrementalRecord = record
        outcome.report.hadErrors = report.hadErrors
        outcome.report.code = report.code
        return outcome
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

    public func subscribe(_ request: ExecutionRequest, context: RequestContext) async -> SubscriptionStart {
        await Executor.subscribe(executable, request: request, context: makeContext(context))
    }
}
