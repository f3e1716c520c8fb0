/// Every fragment spread names a fragment defined in the document.
/// https://spec.graphql.org/October2021/#sec-Fragment-spread-target-defined
public final class KnownFragmentNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .fragmentSpread(let s) = event, context.fragments[s.name.value] == nil else { return }
        context.report("Unknown fragment \"\(s.name.value)\".", [s.name.span])
    }
}
