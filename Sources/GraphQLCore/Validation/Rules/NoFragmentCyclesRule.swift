/// Fragment spreads form no cycle (a fragment never spreads itself, directly or through others).
/// https://spec.graphql.org/October2021/#sec-Fragment-spreads-must-not-form-cycles
public final class NoFragmentCyclesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }

    // Depth-first search over the spread graph, each fragment visited once (Tarjan-style stack).
    private var visited = Set<String>()
    private var stack: [(name: String, span: Span)] = []
    private var onStack: [String: Int] = [:]
    private var spreadsOf: [String: [FragmentSpread]] = [:]

    /// Reported where the walk enters a fragment definition not reached yet (graphql-js's order).
    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .enterFragment(let f) = event, !visited.contains(f.name.value) else { return }
        stack = [(f.name.value, f.name.span)]
        dfs(f.name.value)
    }

    private func spreads(_ name: String) -> [FragmentSpread] {
        if let s = spreadsOf[name] { return s }
        var out: [FragmentSpread] = []
        func walk(_ set: SelectionSet) {
            for sel in set.selections {
                switch sel {
                case .field(let f): if let ss = f.selectionSet { walk(ss) }
                case .fragmentSpread(let s): out.append(s)
                case .inlineFragment(let i): walk(i.selectionSet)
                }
            }
        }
        if let f = context.fragments[name] { walk(f.selectionSet) }
        spreadsOf[name] = out
        return out
    }

    private func dfs(_ name: String) {
        if visited.contains(name) { return }
        visited.insert(name)
        onStack[name] = stack.count - 1
        for s in spreads(name) {
            let target = s.name.value
            if let index = onStack[target] {
                let path = Array(stack[index...]) + [(target, s.span)]
                let via = path.dropFirst().dropLast().map { "\"\($0.name)\"" }
                let message = "Cannot spread fragment \"\(target)\" within itself" + (via.isEmpty ? "." : " via \(via.joined(separator: ", ")).")
                context.report(message, path.dropFirst().map(\.span) + [])
                continue
            }
            if context.fragments[target] != nil {
                stack.append((target, s.span))
                dfs(target)
                stack.removeLast()
            }
        }
        onStack[name] = nil
    }
}
