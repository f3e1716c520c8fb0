/// Fragment spreads form no cycle (a fragment never spreads itself, directly or through others).
/// https://spec.graphql.org/October2021/#sec-Fragment-spreads-must-not-form-cycles
public final class NoFragmentCyclesRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }

    public func finish() {
        // Depth-first search over the spread graph, each fragment visited once (Tarjan-style stack).
        var visited = Set<String>()
        var stack: [(name: String, span: Span)] = []
        var onStack: [String: Int] = [:]
        var spreadsOf: [String: [FragmentSpread]] = [:]
        func spreads(_ name: String) -> [FragmentSpread] {
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
        func dfs(_ name: String) {
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
        for f in context.document.fragments where !visited.contains(f.name.value) {
            stack = [(f.name.value, f.name.span)]
            dfs(f.name.value)
        }
    }
}
