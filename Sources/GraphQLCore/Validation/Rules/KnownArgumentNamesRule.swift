/// Every argument given to a field or directive is defined by it.
/// https://spec.graphql.org/October2021/#sec-Argument-Names
public final class KnownArgumentNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .argument(let a, nil):
            guard let field = info.fieldDef, let parent = info.parentType else { return }
            let hint = context.suggests ? Suggestions.didYouMean(Suggestions.list(a.name.value, Array(field.arguments.keys))) : ""
            context.report("Unknown argument \"\(a.name.value)\" on field \"\(parent.name).\(field.name)\".\(hint)", [a.span])
        case .directiveArgument(let a, nil):
            guard let d = info.directiveDef else { return }
            let hint = context.suggests ? Suggestions.didYouMean(Suggestions.list(a.name.value, Array(d.arguments.keys))) : ""
            context.report("Unknown argument \"\(a.name.value)\" on directive \"@\(d.name)\".\(hint)", [a.span])
        default: break
        }
    }
}
