/// Every directive used is defined by the schema and allowed where it is used.
/// https://spec.graphql.org/October2021/#sec-Directives-Are-Defined
public final class KnownDirectivesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .directive(let d, let location) = event else { return }
        guard let def = context.schema.directives[d.name.value] else {
            context.report("Unknown directive \"@\(d.name.value)\".", [d.span])
            return
        }
        if !def.locations.contains(location) {
            context.report("Directive \"@\(d.name.value)\" may not be used on \(location.rawValue).", [d.span])
        }
    }
}
