/// Every variable an operation defines is used, directly or through its fragments.
/// https://spec.graphql.org/October2021/#sec-All-Variables-Used
public final class NoUnusedVariablesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    /// Reported when the walk leaves the operation (graphql-js's order).
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .leaveOperation(let op) = event else { return }
        do {
            let used = Set(context.recursiveVariableUsages(op).map(\.name))
            for v in op.variableDefinitions where !used.contains(v.variable.value) {
                let message = op.name.map { "Variable \"$\(v.variable.value)\" is never used in operation \"\($0.value)\"." }
                    ?? "Variable \"$\(v.variable.value)\" is never used."
                context.report(message, [v.span])
            }
        }
    }
}
