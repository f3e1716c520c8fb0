/// How deep a document nests selection sets once its fragment spreads are followed. The parser
/// bounds the nesting of each definition on its own; a chain of fragments (`fragment F0 { ...F1 }`,
/// `fragment F1 { ... { ...F2 } }`, …) nests without that bound, and every walk of the operation
/// that follows spreads (validation, limits, cost, planning, execution) is recursive: a document of
/// a few dozen kilobytes could overflow a thread's stack. The same bound is applied through the
/// spreads, without recursion from one fragment into another (a chain may be thousands long).
/// A spread counts as a level of its own: the walks recurse into it even where it adds no
/// selection set (`fragment F0 on T { ...F1 }`, repeated, nests nothing and recursed as deep).
enum SpreadNesting {
    /// What one definition nests on its own: its deepest selection set, and each spread with the
    /// number of selection sets around it.
    private struct Local {
        var depth = 0
        var spreads: [(name: String, level: Int)] = []
    }

    private static func local(_ set: SelectionSet) -> Local {
        var out = Local()
        // Recursive within one definition only: the parser bounded its nesting.
        func walk(_ set: SelectionSet, _ level: Int) {
            out.depth = max(out.depth, level)
            for selection in set.selections {
                switch selection {
                case .field(let f): if let sub = f.selectionSet { walk(sub, level + 1) }
                case .inlineFragment(let i): walk(i.selectionSet, level + 1)
                case .fragmentSpread(let s): out.spreads.append((s.name.value, level))
                }
            }
        }
        walk(set, 1)
        return out
    }

    /// The first definition (an operation, or a fragment) that nests deeper than `maxDepth`
    /// through its spreads, or nil. A spread of an unknown fragment or one that closes a cycle
    /// adds nothing here (validation reports those).
    static func tooDeep(_ document: Document, maxDepth: Int) -> Span? {
        var fragments: [String: (local: Local, span: Span)] = [:]
        for f in document.fragments where fragments[f.name.value] == nil {
            fragments[f.name.value] = (local(f.selectionSet), f.span)
        }
        guard !fragments.isEmpty else { return nil }
        var depth: [String: Int] = [:]   // fragments resolved
        var open = Set<String>()         // on the stack now

        /// The depth of fragment `root` through its spreads, resolved with an explicit stack.
        func resolve(_ root: String) -> Int {
            if let d = depth[root] { return d }
            var stack: [(name: String, next: Int, best: Int)] = [(root, 0, fragments[root]!.local.depth)]
            open.insert(root)
            while let top = stack.last {
                let spreads = fragments[top.name]!.local.spreads
                if top.next == spreads.count {
                    stack.removeLast()
                    open.remove(top.name)
                    depth[top.name] = top.best
                    continue
                }
                let spread = spreads[top.next]
                if let d = depth[spread.name] {
                    stack[stack.count - 1].best = max(top.best, spread.level + d)
                    stack[stack.count - 1].next += 1
                } else if fragments[spread.name] == nil || open.contains(spread.name) {
                    stack[stack.count - 1].next += 1
                } else {
                    open.insert(spread.name)
                    stack.append((spread.name, 0, fragments[spread.name]!.local.depth))
                }
            }
            return depth[root]!
        }

        for definition in document.definitions {
            let (own, span): (Local, Span)
            switch definition {
            case .operation(let o): (own, span) = (local(o.selectionSet), o.span)
            case .fragment(let f): (own, span) = (fragments[f.name.value]!.local, f.span)
            default: continue
            }
            var d = own.depth
            for spread in own.spreads where fragments[spread.name] != nil {
                d = max(d, spread.level + resolve(spread.name))
            }
            if d > maxDepth { return span }
        }
        return nil
    }
}
