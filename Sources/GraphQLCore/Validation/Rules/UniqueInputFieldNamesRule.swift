/// An input object value names each field at most once.
/// https://spec.graphql.org/October2021/#sec-Input-Object-Field-Uniqueness
public final class UniqueInputFieldNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    func check(_ v: Value) {
        switch v {
        case .object(let fields):
            // Few fields (the usual input object) are compared pairwise, without a dictionary.
            var seen: [String: Span] = [:]
            for (i, f) in fields.enumerated() {
                let first: Span?
                if fields.count <= 8 {
                    first = fields[..<i].first(where: { $0.name.value == f.name.value })?.name.span
                } else {
                    first = seen[f.name.value]
                    if first == nil { seen[f.name.value] = f.name.span }
                }
                if let first { context.report("There can be only one input field named \"\(f.name.value)\".", [first, f.name.span]) }
                check(f.value)
            }
        case .list(let items): items.forEach(check)
        default: break
        }
    }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .argument(let a, _), .directiveArgument(let a, _): check(a.value)
        case .variableDefinition(let v): if let d = v.defaultValue { check(d) }
        default: break
        }
    }
}
