/// Every named operation has a name no other operation in the document has.
/// https://spec.graphql.org/October2021/#sec-Operation-Name-Uniqueness
public final class UniqueOperationNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func finish() {
        var seen: [String: Span] = [:]
        for op in context.document.operations {
            guard let name = op.name else { continue }
            if let first = seen[name.value] {
                context.report("There can be only one operation named \"\(name.value)\".", [first, name.span])
            } else {
                seen[name.value] = name.span
            }
        }
    }
}
