/// Fragments condition only on object, interface or union types.
/// https://spec.graphql.org/October2021/#sec-Fragments-On-Composite-Types
public final class FragmentsOnCompositeTypesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .enterFragment(let f):
            if let t = context.schema.types[f.typeCondition.value], !t.kind.isComposite {
                context.report("Fragment \"\(f.name.value)\" cannot condition on non composite type \"\(t.name)\".", [f.typeCondition.span])
            }
        case .inlineFragment(let i):
            if let tc = i.typeCondition, let t = context.schema.types[tc.value], !t.kind.isComposite {
                context.report("Fragment cannot condition on non composite type \"\(t.name)\".", [tc.span])
            }
        default: break
        }
    }
}
