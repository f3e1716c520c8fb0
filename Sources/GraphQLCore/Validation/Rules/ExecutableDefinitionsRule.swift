/// A request document holds only operations and fragments.
/// https://spec.graphql.org/October2021/#sec-Executable-Definitions
public final class ExecutableDefinitionsRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func finish() {
        for def in context.document.definitions {
            switch def {
            case .operation, .fragment: continue
            case .schema(let s): context.report("The schema definition is not executable.", [s.span]) // an extension too (graphql-js)
            case .type(let t): context.report("The \"\(t.name.value)\" definition is not executable.", [t.span])
            case .directive(let d): context.report("The \"\(d.name.value)\" definition is not executable.", [d.span])
            }
        }
    }
}
