import OrderedCollections

/// A field or directive is given each argument at most once.
/// https://spec.graphql.org/October2021/#sec-Argument-Uniqueness
public final class UniqueArgumentNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    /// One error per name given more than once, at each place it is given (graphql-js 16).
    func check(_ args: [Argument]) {
        guard args.count > 1 else { return }
        var places = OrderedDictionary<String, [Span]>()
        for a in args { places[a.name.value, default: []].append(a.name.span) }
        for (name, spans) in places where spans.count > 1 {
            context.report("There can be only one argument named \"\(name)\".", spans)
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
