/// Where a schema has `@defer` (incremental delivery, an RFC to the specification): its labels are
/// static strings, unique in the document; it is not used on the root type of a mutation or a
/// subscription, and not at all in a subscription unless it can be switched off (`if: false`, or a
/// variable — the gateway refuses a subscription whose variable turns it on). The messages are
/// graphql-js 17's.
public final class DeferDirectiveRule: ValidationRule {
    let context: ValidationContext
    private var labels = Set<String>()
    private var operation: OperationType?
    public init(_ context: ValidationContext) { self.context = context }

    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        switch event {
        case .enterOperation(let op): operation = op.operation
        case .leaveOperation: operation = nil
        case .directive(let d, _) where d.name.value == "defer" && context.schema.directives["defer"] != nil:
            if let label = d.arguments.first(where: { $0.name.value == "label" }) {
                switch label.value {
                case .string(let s, _):
                    if !labels.insert(s).inserted { context.report("Defer/Stream directive label argument must be unique.", [d.span]) }
                case .variable:
                    context.report("Directive \"defer\"'s label argument must be a static string.", [d.span])
                default:
                    break
                }
            }
            let parent = info.parentType?.name
            if let parent, parent == context.schema.mutationType {
                context.report("Defer directive cannot be used on root mutation type \"\(parent)\".", [d.span])
            } else if let parent, parent == context.schema.subscriptionType {
                context.report("Defer directive cannot be used on root subscription type \"\(parent)\".", [d.span])
            } else if operation == .subscription, !d.canBeSwitchedOff {
                context.report("Defer directive not supported on subscription operations. Disable `@defer` by setting the `if` argument to `false`.", [d.span])
            }
        default:
            break
        }
    }
}
