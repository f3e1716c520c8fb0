/// Every fragment has a name no other fragment in the document has.
/// https://spec.graphql.org/October2021/#sec-Fragment-Name-Uniqueness
public final class UniqueFragmentNamesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func finish() {
        var seen: [String: Span] = [:]
        for f in context.document.fragments {
            if let first = seen[f.name.value] {
                context.report("There can be only one fragment named \"\(f.name.value)\".", [first, f.name.span])
            } else {
                seen[f.name.value] = f.name.span
            }
        }
    }
}
