/// Walks an executable document in order, calling `enter` before a node's children and `leave`
/// after them. Return `.skip` from `enter` to skip a node's children, `.stop` to end the walk.
///
/// ```swift
/// struct CountFields: ASTVisitor {
///     var count = 0
///     mutating func enter(_ node: ASTNode) -> VisitAction {
///         if case .field = node { count += 1 }
///         return .continue
///     }
/// }
/// var v = CountFields()
/// walk(document, with: &v)
/// ```
public protocol ASTVisitor {
    mutating func enter(_ node: ASTNode) -> VisitAction
    mutating func leave(_ node: ASTNode)
}

extension ASTVisitor {
    public mutating func enter(_ node: ASTNode) -> VisitAction { .continue }
    public mutating func leave(_ node: ASTNode) {}
}

public enum VisitAction: Sendable { case `continue`, skip, stop }

/// The nodes a visitor sees.
public enum ASTNode {
    case operation(OperationDefinition)
    case fragmentDefinition(FragmentDefinition)
    case variableDefinition(VariableDefinition)
    case selectionSet(SelectionSet)
    case field(Field)
    case fragmentSpread(FragmentSpread)
    case inlineFragment(InlineFragment)
    case argument(Argument)
    case directive(Directive)
    case value(Value)
    case typeDefinition(TypeDefinition)
    case directiveDefinition(DirectiveDefinition)
    case schemaDefinition(SchemaDefinition)
}

/// Visits every node of `document` in document order.
@discardableResult
public func walk<V: ASTVisitor>(_ document: Document, with visitor: inout V) -> Bool {
    let w = Walker(visitor: visitor)
    defer { visitor = w.visitor }
    for def in document.definitions {
        let keepGoing: Bool
        switch def {
        case .operation(let o): keepGoing = w.visit(.operation(o)) {
            for v in o.variableDefinitions {
                guard w.visit(.variableDefinition(v), { w.directives(v.directives) && (v.defaultValue.map { w.value($0) } ?? true) }) else { return false }
            }
            return w.directives(o.directives) && w.selectionSet(o.selectionSet)
        }
        case .fragment(let f): keepGoing = w.visit(.fragmentDefinition(f)) { w.directives(f.directives) && w.selectionSet(f.selectionSet) }
        case .type(let t): keepGoing = w.visit(.typeDefinition(t)) { w.directives(t.directives) }
        case .directive(let d): keepGoing = w.visit(.directiveDefinition(d)) { true }
        case .schema(let s): keepGoing = w.visit(.schemaDefinition(s)) { w.directives(s.directives) }
        }
        if !keepGoing { return false }
    }
    return true
}

/// A class so that the closures describing a node's children can call back into it.
private final class Walker<V: ASTVisitor> {
    var visitor: V
    init(visitor: V) { self.visitor = visitor }

    /// Enters `node`, walks its children unless skipped, leaves it. False when the walk must stop.
    func visit(_ node: ASTNode, _ children: () -> Bool) -> Bool {
        switch visitor.enter(node) {
        case .stop: return false
        case .skip: visitor.leave(node); return true
        case .continue:
            guard children() else { return false }
            visitor.leave(node)
            return true
        }
    }

    func selectionSet(_ set: SelectionSet) -> Bool {
        visit(.selectionSet(set)) {
            for sel in set.selections {
                let ok: Bool
                switch sel {
                case .field(let f):
                    ok = visit(.field(f)) {
                        for a in f.arguments { guard visit(.argument(a), { value(a.value) }) else { return false } }
                        guard directives(f.directives) else { return false }
                        return f.selectionSet.map { selectionSet($0) } ?? true
                    }
                case .fragmentSpread(let s):
                    ok = visit(.fragmentSpread(s)) { directives(s.directives) }
                case .inlineFragment(let i):
                    ok = visit(.inlineFragment(i)) { directives(i.directives) && selectionSet(i.selectionSet) }
                }
                if !ok { return false }
            }
            return true
        }
    }

    func directives(_ ds: [Directive]) -> Bool {
        for d in ds {
            guard visit(.directive(d), {
                for a in d.arguments { guard visit(.argument(a), { value(a.value) }) else { return false } }
                return true
            }) else { return false }
        }
        return true
    }

    func value(_ v: Value) -> Bool {
        visit(.value(v)) {
            switch v {
            case .list(let items): return items.allSatisfy { value($0) }
            case .object(let fields): return fields.allSatisfy { value($0.value) }
            default: return true
            }
        }
    }
}
