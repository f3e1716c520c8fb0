import GraphQLCore
import QueryLimits

/// Stage: operation limits (depth, aliases, root fields, directives, fields) and the
/// introspection policy, checked on the document before validation and planning do work that
/// grows with it. (Token and nesting bounds are the parser's, body size the decoder's.)
struct LimitsStage: Sendable {
    let limits: OperationLimits

    func check(_ document: Document, operationName: String?, schema: Schema, introspection: Bool = true) throws(PipelineError) {
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments where fragments[f.name.value] == nil { fragments[f.name.value] = f }
        // Only the operation that would run is measured: without a name, a document of several
        // runs none (it is refused for that), and measuring each of a thousand cost seconds.
        let measured = operationName == nil && document.operations.count > 1 ? [] : document.operations
        for op in measured where operationName == nil || op.name?.value == operationName {
            if let violation = OperationMeasure.of(op, fragments: fragments).violation(of: limits) {
                throw PipelineError(.limit, errors: [violation])
            }
        }
        if !schema.introspectionEnabled || !introspection, let field = IntrospectionFinder.first(in: document) {
            throw PipelineError(.limit, errors: [GraphQLError("GraphQL introspection is not allowed, but the query contained \(field).",
                                                              code: "INTROSPECTION_DISABLED")])
        }
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
