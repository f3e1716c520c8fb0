import OrderedCollections

/// CollectFields (§6.3.2): the fields of selection sets for one object type, grouped by
/// response key in document order, with fragments applied by type condition (each named
/// fragment once) and `@skip`/`@include` evaluated against coerced variables.
public struct FieldCollector: Sendable {
    public let schema: Schema
    public let fragments: [String: FragmentDefinition]
    public let variables: OrderedDictionary<String, JSON>

    public init(schema: Schema, fragments: [String: FragmentDefinition], variables: OrderedDictionary<String, JSON>) {
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
    }

    public func collect(_ type: NamedType, _ sets: [SelectionSet]) -> OrderedDictionary<String, [Field]> {
        var grouped = OrderedDictionary<String, [Field]>()
        var visited = Set<String>()
        for set in sets { collect(type, set, &grouped, &visited) }
        return grouped
    }

    private func collect(_ type: NamedType, _ set: SelectionSet, _ grouped: inout OrderedDictionary<String, [Field]>, _ visited: inout Set<String>) {
        for selection in set.selections {
            if !shouldInclude(selection.directives) { continue }
            switch selection {
            case .field(let f):
                grouped[f.responseKey, default: []].append(f)
            case .fragmentSpread(let s):
                let name = s.name.value
                guard !visited.contains(name), let frag = fragments[name] else { continue }
                visited.insert(name)
                guard doesFragmentApply(type, frag.typeCondition.value) else { continue }
                collect(type, frag.selectionSet, &grouped, &visited)
            case .inlineFragment(let i):
                if let tc = i.typeCondition, !doesFragmentApply(type, tc.value) { continue }
                collect(type, i.selectionSet, &grouped, &visited)
            }
        }
    }

    public func doesFragmentApply(_ object: NamedType, _ condition: String) -> Bool {
        guard let t = schema.types[condition] else { return false }
        switch t.kind {
        case .object: return t.name == object.name
        case .interface: return t.name == object.name || object.interfaces.contains(t.name)
        case .union: return t.possibleTypes.contains(object.name)
        default: return false
        }
    }

    /// `@skip(if:)` / `@include(if:)` on a selection.
    public func shouldInclude(_ directives: [Directive]) -> Bool {
        if directives.isEmpty { return true }
        for d in directives {
            let name = d.name.value
            guard name == "skip" || name == "include", let arg = d.arguments.first(where: { $0.name.value == "if" }) else { continue }
            var flag = false
            switch arg.value {
            case .boolean(let b): flag = b
            case .variable(let v): flag = variables[v]?.boolValue ?? false
            default: break
            }
            if name == "skip" && flag { return false }
            if name == "include" && !flag { return false }
        }
        return true
    }
}

extension Schema {
    /// Result coercion of a leaf value (§3.5): nil when it cannot be represented.
    public func serializeLeaf(_ type: NamedType, _ value: JSON) -> JSON? { Values.serializeLeaf(type, value) }
}
