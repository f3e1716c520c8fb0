/// Leaf fields (scalars, enums) have no selection set; composite fields must have one.
/// https://spec.graphql.org/October2021/#sec-Leaf-Field-Selections
public final class ScalarLeafsRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .field(let f, let def) = event, let def, let t = context.schema.namedType(def.type) else { return }
        if t.kind.isLeaf, let ss = f.selectionSet {
            context.report("Field \"\(f.name.value)\" must not have a selection since type \"\(def.type)\" has no subfields.", [ss.span])
        } else if !t.kind.isLeaf, f.selectionSet == nil {
            context.report("Field \"\(f.name.value)\" of type \"\(def.type)\" must have a selection of subfields. Did you mean \"\(f.name.value) { ... }\"?", [f.span])
        }
    }
}
