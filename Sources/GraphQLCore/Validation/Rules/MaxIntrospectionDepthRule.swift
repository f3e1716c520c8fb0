/// Introspection that nests the list fields `fields`, `interfaces`, `possibleTypes` or
/// `inputFields` three levels deep (through fragments too) is refused: each level multiplies the
/// answer by the size of the schema, so a short document could ask for megabytes. The standard
/// introspection query nests them one level deep. (graphql-js's `MaxIntrospectionDepthRule`.)
public final class MaxIntrospectionDepthRule: ValidationRule {
    static let maxListsDepth = 3
    static let listFields: Set<String> = ["fields", "interfaces", "possibleTypes", "inputFields"]
    let context: ValidationContext
    /// Whether a fragment spread at a depth (`"depth:name"`) nests too deep.
    private var settled: [String: Bool] = [:]
    public init(_ context: ValidationContext) { self.context = context }

    public func finish() {
        var sets: [SelectionSet] = context.document.operations.map(\.selectionSet)
        sets += context.document.fragments.map(\.selectionSet)
        for set in sets { findIntrospection(set) }
    }

    /// Reports each `__schema` / `__type` field whose selection nests the list fields too deep.
    private func findIntrospection(_ set: SelectionSet) {
        for sel in set.selections {
            switch sel {
            case .field(let f):
                if f.name.value == "__schema" || f.name.value == "__type" {
                    var visiting = Set<String>()
                    if tooDeep(f.selectionSet, depth: 0, visiting: &visiting) {
                        context.report("Maximum introspection depth exceeded", [f.span])
                    }
                } else if let ss = f.selectionSet {
                    findIntrospection(ss)
                }
            case .inlineFragment(let i): findIntrospection(i.selectionSet)
            case .fragmentSpread: continue   // fragment definitions are searched on their own
            }
        }
    }

    private func tooDeep(_ set: SelectionSet?, depth: Int, visiting: inout Set<String>) -> Bool {
        guard let set else { return false }
        for sel in set.selections {
            switch sel {
            case .field(let f):
                var d = depth
                if Self.listFields.contains(f.name.value) {
                    d += 1
                    if d >= Self.maxListsDepth { return true }
                }
                if tooDeep(f.selectionSet, depth: d, visiting: &visiting) { return true }
            case .inlineFragment(let i):
                if tooDeep(i.selectionSet, depth: depth, visiting: &visiting) { return true }
            case .fragmentSpread(let s):
                let name = s.name.value
                // A fragment's answer at a depth is known once found: a fragment spread twice
                // at every level was walked 2^levels times.
                let key = "\(depth):\(name)"
                if let known = settled[key] {
                    if known { return true }
                    continue
                }
                guard !visiting.contains(name), let fragment = context.fragments[name] else { continue }
                visiting.insert(name)
                let deep = tooDeep(fragment.selectionSet, depth: depth, visiting: &visiting)
                visiting.remove(name)
                settled[key] = deep
                if deep { return true }
            }
        }
        return false
    }
}
