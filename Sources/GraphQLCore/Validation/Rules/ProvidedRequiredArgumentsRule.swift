/// Every required argument (non-null, no default) of a field or directive is given. Reported
/// when the walk leaves the field or directive (after what its arguments and selections
/// reported), in graphql-js's order.
/// https://spec.graphql.org/October2021/#sec-Required-Arguments
public final class ProvidedRequiredArgumentsRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .leaveField(let f, let def?):
            for (name, a) in def.arguments {
                guard case .nonNull = a.type, a.defaultValue == nil, !f.arguments.contains(where: { $0.name.value == name }) else { continue }
                context.report("Field \"\(f.name.value)\" argument \"\(name)\" of type \"\(a.type)\" is required, but it was not provided.", [f.span])
            }
        case .leaveDirective(let d, _):
            guard let def = context.schema.directives[d.name.value] else { return }
            for (name, a) in def.arguments {
                guard case .nonNull = a.type, a.defaultValue == nil, !d.arguments.contains(where: { $0.name.value == name }) else { continue }
                context.report("Directive \"@\(d.name.value)\" argument \"\(name)\" of type \"\(a.type)\" is required, but it was not provided.", [d.span])
            }
        default: break
        }
    }
}
