import GraphQLCore

/// Stage: validation against the API schema (once per document text: a valid document is
/// remembered), then GetOperation (§6.1) and what the HTTP method allows.
enum ValidationStage {
    static func validate(_ parsed: DocumentStage.Parsed, schema: Schema, documents: DocumentStage) throws(PipelineError) {
        guard !parsed.validated else { return }
        let errors = Validator.validate(schema: schema, document: parsed.document, source: parsed.source)
        if !errors.isEmpty { throw PipelineError(.validation, errors: errors) }
        documents.remember(parsed)
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
        if method == .get, operation.operation != .query {
            throw PipelineError(.methodNotAllowed, "Can only perform a \(operation.operation.rawValue) operation from a POST request.")
        }
        return operation
    }
}
