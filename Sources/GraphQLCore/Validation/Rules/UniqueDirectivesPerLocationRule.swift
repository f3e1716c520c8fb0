/// A non-repeatable directive appears at most once at each location.
/// https://spec.graphql.org/October2021/#sec-Directives-Are-Unique-Per-Location
public final class UniqueDirectivesPerLocationRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }

    func check(_ directives: [Directive]) {
        guard directives.count > 1 else { return }
        var seen: [String: Span] = [:]
        for d in directives {
            let name = d.name.value
            // Only directives the schema defines as not repeatable (an unknown one is
            // KnownDirectives' error alone, as graphql-js reports it).
            guard let definition = context.schema.directives[name], !definition.isRepeatable else { continue }
            if let first = seen[name] {
                context.report("The directive \"@\(name)\" can only be used once at this location.", [first, d.span])
            } else {
                seen[name] = d.span
            }
        }
    }

    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .enterOperation(let o): check(o.directives)
        case .enterFragment(let f): check(f.directives)
        case .field(let f, _): check(f.directives)
        case .fragmentSpread(let s): check(s.directives)
        case .inlineFragment(let i): check(i.directives)
        case .variableDefinition(let v): check(v.directives)
        default: break
        }
    }
}
