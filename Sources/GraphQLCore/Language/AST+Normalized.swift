/// The same AST with every span zeroed, so two parses of different text compare equal when
/// they mean the same document (the parse → print → parse check).
extension Document {
    public var withoutSpans: Document {
        Document(definitions: definitions.map(\.withoutSpans))
    }
}

extension Definition {
    var withoutSpans: Definition {
        switch self {
        case .operation(var o):
            o.span = .none
            o.name = o.name?.withoutSpans
            o.variableDefinitions = o.variableDefinitions.map { v in
                var v = v
                v.span = .none
                v.variable = v.variable.withoutSpans
                v.type = v.type.withoutSpans
                v.directives = v.directives.map(\.withoutSpans)
                return v
            }
            o.directives = o.directives.map(\.withoutSpans)
            o.selectionSet = o.selectionSet.normalized
            return .operation(o)
        case .fragment(var f):
            f.span = .none
            f.name = f.name.withoutSpans
            f.typeCondition = f.typeCondition.withoutSpans
            f.directives = f.directives.map(\.withoutSpans)
            f.selectionSet = f.selectionSet.normalized
            return .fragment(f)
        case .schema(var s):
            s.span = .none
            s.directives = s.directives.map(\.withoutSpans)
            s.operationTypes = s.operationTypes.map { OperationTypeDefinition(operation: $0.operation, type: $0.type.withoutSpans) }
            return .schema(s)
        case .type(var t):
            t.span = .none
            t.name = t.name.withoutSpans
            t.interfaces = t.interfaces.map(\.withoutSpans)
            t.directives = t.directives.map(\.withoutSpans)
            t.fields = t.fields.map { f in
                var f = f
                f.span = .none
                f.name = f.name.withoutSpans
                f.arguments = f.arguments.map(\.withoutSpans)
                f.type = f.type.withoutSpans
                f.directives = f.directives.map(\.withoutSpans)
                return f
            }
            t.unionMembers = t.unionMembers.map(\.withoutSpans)
            t.enumValues = t.enumValues.map { v in
                var v = v
                v.span = .none
                v.name = v.name.withoutSpans
                v.directives = v.directives.map(\.withoutSpans)
                return v
            }
            t.inputFields = t.inputFields.map(\.withoutSpans)
            return .type(t)
        case .directive(var d):
            d.span = .none
            d.name = d.name.withoutSpans
            d.arguments = d.arguments.map(\.withoutSpans)
            d.locations = d.locations.map(\.withoutSpans)
            return .directive(d)
        }
    }
}

extension Name {
    var withoutSpans: Name { Name(value) }
}

extension InputValueDefinition {
    var withoutSpans: InputValueDefinition {
        var a = self
        a.span = .none
        a.name = a.name.withoutSpans
        a.type = a.type.withoutSpans
        a.defaultValue = a.defaultValue?.withoutSpans
        a.directives = a.directives.map(\.withoutSpans)
        return a
    }
}

extension Directive {
    var withoutSpans: Directive {
        Directive(name: name.withoutSpans, arguments: arguments.map(\.withoutSpans), span: .none)
    }
}

extension Argument {
    var withoutSpans: Argument {
        Argument(name: name.withoutSpans, value: value.withoutSpans, span: .none, valueSpan: .none)
    }
}

extension Value {
    var withoutSpans: Value {
        switch self {
        case .list(let items): return .list(items.map(\.withoutSpans))
        case .object(let fields): return .object(fields.map { ObjectField(name: $0.name.withoutSpans, value: $0.value.withoutSpans, span: .none) })
        default: return self
        }
    }
}

extension SelectionSet {
    var normalized: SelectionSet {
        SelectionSet(selections: selections.map { sel in
            switch sel {
            case .field(var f):
                f.span = .none
                f.alias = f.alias?.withoutSpans
                f.name = f.name.withoutSpans
                f.arguments = f.arguments.map(\.withoutSpans)
                f.directives = f.directives.map(\.withoutSpans)
                f.selectionSet = f.selectionSet?.normalized
                return .field(f)
            case .fragmentSpread(var s):
                s.span = .none
                s.name = s.name.withoutSpans
                s.directives = s.directives.map(\.withoutSpans)
                return .fragmentSpread(s)
            case .inlineFragment(var i):
                i.span = .none
                i.typeCondition = i.typeCondition?.withoutSpans
                i.directives = i.directives.map(\.withoutSpans)
                i.selectionSet = i.selectionSet.normalized
                return .inlineFragment(i)
            }
        }, span: .none)
    }
}
