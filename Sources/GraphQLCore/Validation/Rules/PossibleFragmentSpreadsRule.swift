/// A fragment is spread only where its type could apply: the two types' possible types intersect.
/// https://spec.graphql.org/October2021/#sec-Fragment-spread-is-possible
public final class PossibleFragmentSpreadsRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }

    func overlap(_ a: NamedType, _ b: NamedType) -> Bool {
        let schema = context.schema
        let pa = Set(schema.possibleTypes(a)), pb = schema.possibleTypes(b)
        return pb.contains { pa.contains($0) }
    }

    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .fragmentSpread(let s):
            guard let parent = info.parentType, let frag = context.fragments[s.name.value],
                  let t = context.schema.types[frag.typeCondition.value], t.kind.isComposite, parent.kind.isComposite else { return }
            if !overlap(parent, t) {
                context.report("Fragment \"\(s.name.value)\" cannot be spread here as objects of type \"\(parent.name)\" can never be of type \"\(t.name)\".", [s.span])
            }
        case .inlineFragment(let i):
            guard let parent = info.parentType, let tc = i.typeCondition, let t = context.schema.types[tc.value],
                  t.kind.isComposite, parent.kind.isComposite else { return }
            if !overlap(parent, t) {
                context.report("Fragment cannot be spread here as objects of type \"\(parent.name)\" can never be of type \"\(t.name)\".", [i.span])
            }
        default: break
        }
    }
}
