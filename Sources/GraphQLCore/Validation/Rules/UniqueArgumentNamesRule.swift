/// A field or directive is given each argument at most once.
/// https://spec.graphql.org/October2021/#sec-Argument-Uniqueness
public final class UniqueArgumentNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    func check(_ args: [Argument]) {
        guard args.count > 1 else { return }
        var seen: [String: Span] = [:]
        for a in args {
            if let first = seen[a.name.value] {
                context.report("There can be only one argument named \"\(a.name.value)\".", [first, a.name.span])
            } else {
                seen[a.name.value] = a.name.span
            }
        }
    }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .field(let f, _): check(f.arguments)
        case .directive(let d, _): check(d.arguments)
        default: break
        }
    }
}
