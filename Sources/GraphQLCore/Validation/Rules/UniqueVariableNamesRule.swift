import OrderedCollections

/// An operation defines each variable once.
/// https://spec.graphql.org/October2021/#sec-Variable-Uniqueness
public final class UniqueVariableNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .enterOperation(let op) = event else { return }
        // One error per name defined more than once, at each definition (graphql-js 16).
        var places = OrderedDictionary<String, [Span]>()
        for v in op.variableDefinitions { places[v.variable.value, default: []].append(v.variable.span) }
        for (name, spans) in places where spans.count > 1 {
            context.report("There can be only one variable named \"$\(name)\".", spans)
        }
    }
}
