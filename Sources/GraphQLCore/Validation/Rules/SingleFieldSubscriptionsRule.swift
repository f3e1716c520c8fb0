/// A subscription selects exactly one root field, not an introspection field, and no selection
/// of its top level carries `@skip` or `@include` (the draft's CollectSubscriptionFields; the
/// messages are graphql-js 17's).
public final class SingleFieldSubscriptionsRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }
    public func finish() {
        let schema = context.schema
        for op in context.document.operations where op.operation == .subscription {
            guard let rootName = schema.subscriptionType, let root = schema.types[rootName] else { continue }
            // CollectFields without variables: @skip/@include are not allowed to hide the count.
            var fields: [Field] = []
            var visited = Set<String>()
            var conditional: [Span] = []
            func collect(_ set: SelectionSet, _ type: NamedType) {
                for sel in set.selections {
                    if sel.directives.contains(where: { $0.name.value == "skip" || $0.name.value == "include" }) { conditional.append(sel.span) }
                    switch sel {
                    case .field(let f): fields.append(f)
                    case .fragmentSpread(let s):
                        guard visited.insert(s.name.value).inserted, let frag = context.fragments[s.name.value] else { continue }
                        collect(frag.selectionSet, type)
                    case .inlineFragment(let i): collect(i.selectionSet, type)
                    }
                }
            }
            collect(op.selectionSet, root)
            var keys: [String] = []
            for f in fields where !keys.contains(f.responseKey) { keys.append(f.responseKey) }
            let name = op.name.map { "Subscription \"\($0.value)\"" } ?? "Anonymous Subscription"
            if keys.count > 1 {
                let extra = fields.filter { $0.responseKey != keys[0] }
                context.report("\(name) must select only one top level field.", extra.map(\.span))
            }
            if !conditional.isEmpty {
                context.report("\(name) must not use `@skip` or `@include` directives in the top level selection.", conditional)
            }
            for f in fields where f.name.value.hasPrefix("__") {
                context.report("\(name) must not select an introspection top level field.", [f.span])
            }
        }
    }
}
