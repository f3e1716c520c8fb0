import GraphQLCore

/// Stage: validation against the API schema (a valid document is remembered from its second
/// time, then not validated again), then GetOperation (§6.1) and what the HTTP method allows.
enum ValidationStage {
    /// Whether the document is known: it passed validation before.
    /// `suggestions`: "Did you mean" in the messages (off with introspection).
    static func validate(_ parsed: DocumentStage.Parsed, schema: Schema, documents: DocumentStage,
                         suggestions: Bool = true) throws(PipelineError) -> Bool {
        guard !parsed.validated else { return true }
        let errors = Validator.validate(schema: schema, document: parsed.document, source: parsed.source, suggestions: suggestions)
        if !errors.isEmpty { throw PipelineError(.validation, errors: errors) }
        return documents.remember(parsed)
    }

    /// The operation to run; GET runs queries only.
    static func operation(_ document: Document, named name: String?, method: RequestPipeline.Method) throws(PipelineError) -> OperationDefinition {
        let operations = document.operations
        let operation: OperationDefinition
        if let name {
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
        // GET must not change anything (GraphQL over HTTP): no mutation. A subscription may come
        // by GET (GraphQL over SSE's distinct connections, the only way a browser's
        // `EventSource` can ask for one).
        if method == .get, operation.operation == .mutation {
            throw PipelineError(.methodNotAllowed, "Can only perform a \(operation.operation.rawValue) operation from a POST request.")
        }
        return operation
    }
}
