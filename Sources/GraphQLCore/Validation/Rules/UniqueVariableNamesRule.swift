/// An operation defines each variable once.
/// https://spec.graphql.org/October2021/#sec-Variable-Uniqueness
public final class UniqueVariableNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .enterOperation(let op) = event else { return }
        var seen: [String: Span] = [:]
        for v in op.variableDefinitions {
            if let first = seen[v.variable.value] {
                context.report("There can be only one variable named \"$\(v.variable.value)\".", [first, v.variable.span])
            } else {
                seen[v.variable.value] = v.variable.span
            }
        }
    }
}
