/// Each operation's type has a root in the schema: no mutation without a mutation type, no
/// subscription without a subscription type (the whole document is invalid, whichever operation
/// is run).
/// https://spec.graphql.org/draft/#sec-Operation-Type-Existence
public final class OperationTypeExistenceRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func finish() {
        for op in context.document.operations where context.schema.rootTypeName(op.operation).flatMap({ context.schema.types[$0] }) == nil {
            context.report("The \(op.operation.rawValue) operation is not supported by the schema.", [op.span])
        }
    }
}
