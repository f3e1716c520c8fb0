/// An anonymous operation must be the only operation of its document.
/// https://spec.graphql.org/October2021/#sec-Lone-Anonymous-Operation
public final class LoneAnonymousOperationRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    /// Reported where the walk enters the operation (graphql-js's order).
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .enterOperation(let op) = event, op.name == nil, context.document.operations.count > 1 else { return }
        context.report("This anonymous operation must be the only defined operation.", [op.span])
    }
}
