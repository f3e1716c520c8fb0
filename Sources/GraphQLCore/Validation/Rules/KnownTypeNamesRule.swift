/// Every type named in a variable definition, fragment or inline fragment exists in the schema.
/// https://spec.graphql.org/October2021/#sec-Fragment-Spread-Type-Existence
public final class KnownTypeNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    func check(_ name: Name) {
        guard context.schema.types[name.value] == nil else { return }
        let hint = context.suggests ? Suggestions.didYouMean(Suggestions.list(name.value, Array(context.schema.types.keys))) : ""
        context.report("Unknown type \"\(name.value)\".\(hint)", [name.span])
    }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .variableDefinition(let v): check(v.type.namedType)
        case .enterFragment(let f): check(f.typeCondition)
        case .inlineFragment(let i): if let t = i.typeCondition { check(t) }
        default: break
        }
    }
}
