/// An anonymous operation must be the only operation of its document.
/// https://spec.graphql.org/October2021/#sec-Lone-Anonymous-Operation
public final class LoneAnonymousOperationRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func finish() {
        let ops = context.document.operations
        guard ops.count > 1 else { return }
        for op in ops where op.name == nil {
            context.report("This anonymous operation must be the only defined operation.", [op.span])
        }
    }
}
