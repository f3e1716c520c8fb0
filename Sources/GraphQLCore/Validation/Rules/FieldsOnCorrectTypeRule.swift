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
                hint = Suggestions.didYouMean(suggestedTypes(parent, f.name.value), subMessage: "to use an inline fragment on")
            }
            if hint.isEmpty { hint = Suggestions.didYouMean(Suggestions.list(f.name.value, Array(parent.fields.keys))) }
        }
        context.report("Cannot query field \"\(f.name.value)\" on type \"\(parent.name)\".\(hint)", [f.span])
    }

    /// The possible types of `abstract` that have `field`, and their interfaces that have it, as
    /// graphql-js ranks them: by how many of those object types each is (or is implemented by),
    /// an interface before the types implementing it, then by name.
    func suggestedTypes(_ abstract: NamedType, _ field: String) -> [String] {
        let schema = context.schema
        var suggested: [String] = [], usage: [String: Int] = [:]
        for name in abstract.possibleTypes {
            guard let object = schema.types[name], object.fields[field] != nil else { continue }
            if usage[name] == nil { suggested.append(name) }
            usage[name] = 1
            for i in object.interfaces where schema.types[i]?.fields[field] != nil {
                if usage[i] == nil { suggested.append(i) }
                usage[i, default: 0] += 1
            }
        }
        func implements(_ sub: String, _ interface: String) -> Bool { schema.types[sub]?.interfaces.contains(interface) == true }
        return suggested.sorted { a, b in
            let (ua, ub) = (usage[a] ?? 0, usage[b] ?? 0)
            if ua != ub { return ua > ub }
            if schema.types[a]?.kind == .interface, implements(b, a) { return true }
            if schema.types[b]?.kind == .interface, implements(a, b) { return false }
            return Suggestions.naturalCompare(a, b) < 0
        }
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        replacing(target, with: replacement)
    }
}
