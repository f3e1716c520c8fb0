/// Every selected field is defined on the type it is selected on (or is `__typename`).
/// https://spec.graphql.org/October2021/#sec-Field-Selections
public final class FieldsOnCorrectTypeRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        // A selection on a leaf type has no parent type to check it against (`ScalarLeafsRule`
        // reports the selection itself, once).
        guard case .field(let f, let def) = event, def == nil, let parent = info.parentType,
              parent.kind == .object || parent.kind.isAbstract else { return }
        var hint = ""
        if context.suggests {
            // Types that do have the field come first, then similar field names.
            if parent.kind.isAbstract {
                let owners = parent.possibleTypes.filter { context.schema.types[$0]?.fields[f.name.value] != nil }
                if !owners.isEmpty {
                    hint = Suggestions.didYouMean(owners.map { "... on \($0)" }).replacingOccurrences(of: "Did you mean", with: "Did you mean to use an inline fragment on")
                        .replacingOccurrences(of: "\"... on ", with: "\"")
                }
            }
            if hint.isEmpty { hint = Suggestions.didYouMean(Suggestions.list(f.name.value, Array(parent.fields.keys))) }
        }
        context.report("Cannot query field \"\(f.name.value)\" on type \"\(parent.name)\".\(hint)", [f.span])
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        replacing(target, with: replacement)
    }
}
