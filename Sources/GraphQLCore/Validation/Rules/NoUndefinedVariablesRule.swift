/// Every variable used in an operation, directly or through its fragments, is defined by it.
/// Each use of an undefined variable is an error of its own (graphql-js).
/// https://spec.graphql.org/October2021/#sec-All-Variable-Uses-Defined
public final class NoUndefinedVariablesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    /// Reported when the walk leaves the operation (graphql-js's order).
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .leaveOperation(let op) = event else { return }
        do {
            let defined = Set(op.variableDefinitions.map(\.variable.value))
            for u in context.recursiveVariableUsages(op) where !defined.contains(u.name) {
                let message = op.name.map { "Variable \"$\(u.name)\" is not defined by operation \"\($0.value)\"." } ?? "Variable \"$\(u.name)\" is not defined."
                context.report(message, [u.span, op.span])
            }
        }
    }
}
