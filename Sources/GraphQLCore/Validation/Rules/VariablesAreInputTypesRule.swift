/// Variables are of input types (scalars, enums, input objects, and lists/non-nulls of them).
/// https://spec.graphql.org/October2021/#sec-Variables-Are-Input-Types
public final class VariablesAreInputTypesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .variableDefinition(let v) = event, let t = context.schema.namedType(v.type), !t.kind.isInput else { return }
        // Located at the whole type (`[Animal!]`, not `Animal`), as graphql-js does.
        let start = context.source.flatMap { LiteralLayout.variableDefinitionStarts(in: $0, at: Int(v.span.start))?.type }
        context.report("Variable \"$\(v.variable.value)\" cannot be non-input type \"\(v.type)\".", [start.map { Span($0, $0) } ?? v.type.namedType.span])
    }
}
