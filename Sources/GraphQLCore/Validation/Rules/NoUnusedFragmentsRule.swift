/// Every fragment defined is reached from some operation.
/// https://spec.graphql.org/October2021/#sec-Fragments-Must-Be-Used
public final class NoUnusedFragmentsRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func finish() {
        let used = context.fragmentsReachedByOperations()
        for f in context.document.fragments where !used.contains(f.name.value) {
            context.report("Fragment \"\(f.name.value)\" is never used.", [f.span])
        }
    }
}
