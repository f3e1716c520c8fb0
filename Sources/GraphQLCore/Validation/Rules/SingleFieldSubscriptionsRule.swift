/// A subscription selects exactly one root field, and not an introspection field.
/// https://spec.graphql.org/October2021/#sec-Single-root-field
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
            func collect(_ set: SelectionSet, _ type: NamedType) {
                for sel in set.selections {
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
            for f in fields where f.name.value.hasPrefix("__") {
                context.report("\(name) must not select an introspection top level field.", [f.span])
            }
        }
    }
}
