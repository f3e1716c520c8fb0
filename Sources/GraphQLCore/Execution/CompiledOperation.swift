import Synchronization

/// The field plans of one operation, kept between its executions: an operation run again and
/// again (a federated plan's subgraph fetch) collects its fields, looks up their definitions and
/// coerces its constant arguments once, not per execution.
///
/// Plans hold per-execution state (the response key's id in that execution's buffer, resolver
/// look-ups), so an execution takes a set of its own and gives it back when it is done: sets
/// are made as executions overlap (at most `keep` kept idle). An argument that reads a variable
/// is coerced again by each execution; an operation whose selection a variable can change
/// (`@skip`/`@include(if: $v)`, any directive reading one) is collected anew each time.
///
/// ```swift
/// let compiled = CompiledOperation(document)          // once, with the document
/// var request = ExecutionRequest(document: document, variables: v)
/// request.compiled = compiled                          // on every execution
/// ```
public final class CompiledOperation: Sendable {
    /// Whether the operation's plans may be reused: one operation, and no directive reads a variable.
    public let reusable: Bool
    let keep: Int
    /// Idle plan sets, with the executable they were collected on and the response keys their
    /// ids are in (a run that takes them starts its buffer with those keys).
    private let idle = Mutex<[(executable: ObjectIdentifier, plans: [FieldPlan], keys: KeyTable)]>([])

    public init(_ document: Document, keep: Int = 16) {
        self.keep = keep
        reusable = document.operations.count == 1
            && !document.operations.contains { Self.directivesReadVariables($0.selectionSet.selections) }
            && !document.fragments.contains { Self.directivesReadVariables($0.selectionSet.selections) }
    }

    /// A set collected on `executable`, no other execution's any more.
    func take(_ executable: ExecutableCore) -> (plans: [FieldPlan], keys: KeyTable)? {
        guard reusable else { return nil }
        let id = ObjectIdentifier(executable)
        return idle.withLock { sets in
            guard let i = sets.lastIndex(where: { $0.executable == id }) else { return nil }
            let set = sets.remove(at: i)
            return (set.plans, set.keys)
        }
    }

    /// Gives a set back once its execution has finished with it.
    func give(_ plans: [FieldPlan], _ keys: KeyTable, _ executable: ExecutableCore) {
        guard reusable else { return }
        // A table grown past what the operation's own fields could name is not kept.
        guard keys.names.count < 4_096 else { return }
        idle.withLock { sets in
            if sets.count < keep { sets.append((ObjectIdentifier(executable), plans, keys)) }
        }
    }

    static func directivesReadVariables(_ selections: [Selection]) -> Bool {
        selections.contains { selection in
            if selection.directives.contains(where: { $0.arguments.contains { $0.value.readsVariable } }) { return true }
            switch selection {
            case .field(let f): return f.selectionSet.map { directivesReadVariables($0.selections) } ?? false
            case .inlineFragment(let i): return directivesReadVariables(i.selectionSet.selections)
            case .fragmentSpread: return false
            }
        }
    }
}

extension Value {
    /// Whether a variable is in this value (itself, or in a list or input object).
    public var readsVariable: Bool {
        switch self {
        case .variable: return true
        case .list(let items): return items.contains { $0.readsVariable }
        case .object(let fields): return fields.contains { $0.value.readsVariable }
        default: return false
        }
    }
}
