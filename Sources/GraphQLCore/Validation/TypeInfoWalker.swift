/// Walks executable definitions keeping track of types (graphql-js's TypeInfo): for each node
/// it reports the parent type, the field definition, and argument definitions. It does not
/// follow fragment spreads; fragments are visited as definitions of their own.
public struct TypeInfoWalker {
    let schema: Schema

    public enum Event {
        case enterOperation(OperationDefinition)
        case leaveOperation(OperationDefinition)
        case enterFragment(FragmentDefinition)
        case leaveFragment(FragmentDefinition)
        case enterSelectionSet(SelectionSet)
        case leaveSelectionSet(SelectionSet)
        case field(Field, FieldDef?)
        case leaveField(Field, FieldDef?)
        case fragmentSpread(FragmentSpread)
        case inlineFragment(InlineFragment)
        case leaveInlineFragment(InlineFragment)
        case argument(Argument, InputValueDef?)
        case directive(Directive, DirectiveLocation)
        case directiveArgument(Argument, InputValueDef?)
        /// After a directive's arguments.
        case leaveDirective(Directive, DirectiveLocation)
        case variableDefinition(VariableDefinition)
    }

    /// Position facts at the moment of an event.
    public struct Info {
        public var parentType: NamedType?
        public var fieldDef: FieldDef?
        /// The type of the current field (for selection sets under it).
        public var type: TypeReference?
        public var directiveDef: DirectiveDef?
    }

    var info = Info()

    init(schema: Schema) { self.schema = schema }

    mutating func walkDocument(_ doc: Document, _ visit: (Event, Info) -> Void) {
        for def in doc.definitions {
            switch def {
            case .operation(let op):
                info = Info()
                visit(.enterOperation(op), info)
                for v in op.variableDefinitions {
                    visit(.variableDefinition(v), info)
                    walkDirectives(v.directives, .variableDefinition, visit)
                }
                let location: DirectiveLocation = op.operation == .query ? .query : (op.operation == .mutation ? .mutation : .subscription)
                walkDirectives(op.directives, location, visit)
                let root = schema.rootTypeName(op.operation).flatMap { schema.types[$0] }
                walkSelectionSet(op.selectionSet, root, visit)
                visit(.leaveOperation(op), info)
            case .fragment(let f):
                info = Info()
                visit(.enterFragment(f), info)
                walkDirectives(f.directives, .fragmentDefinition, visit)
                walkSelectionSet(f.selectionSet, schema.types[f.typeCondition.value], visit)
                visit(.leaveFragment(f), info)
            default:
                break
            }
        }
    }

    mutating func walkSelectionSet(_ set: SelectionSet, _ parent: NamedType?, _ visit: (Event, Info) -> Void) {
        let saved = info
        info.parentType = parent
        visit(.enterSelectionSet(set), info)
        for sel in set.selections {
            switch sel {
            case .field(let f):
                let def = parent.flatMap { schema.field($0, f.name.value) }
                info.parentType = parent
                info.fieldDef = def
                info.type = def?.type
                visit(.field(f, def), info)
                for a in f.arguments { visit(.argument(a, def?.arguments[a.name.value]), info) }
                walkDirectives(f.directives, .field, visit)
                if let ss = f.selectionSet {
                    let inner = def.flatMap { schema.namedType($0.type) }
                    walkSelectionSet(ss, inner, visit)
                    info.parentType = parent
                    info.fieldDef = def
                    info.type = def?.type
                }
                visit(.leaveField(f, def), info)
            case .fragmentSpread(let s):
                info.parentType = parent
                visit(.fragmentSpread(s), info)
                walkDirectives(s.directives, .fragmentSpread, visit)
            case .inlineFragment(let i):
                info.parentType = parent
                visit(.inlineFragment(i), info)
                walkDirectives(i.directives, .inlineFragment, visit)
                let t = i.typeCondition.map { schema.types[$0.value] } ?? parent
                walkSelectionSet(i.selectionSet, t, visit)
                info.parentType = parent
                visit(.leaveInlineFragment(i), info)
            }
        }
        info.parentType = parent
        visit(.leaveSelectionSet(set), info)
        info = saved
    }

    mutating func walkDirectives(_ ds: [Directive], _ location: DirectiveLocation, _ visit: (Event, Info) -> Void) {
        for d in ds {
            let def = schema.directives[d.name.value]
            let saved = info.directiveDef
            info.directiveDef = def
            visit(.directive(d, location), info)
            for a in d.arguments { visit(.directiveArgument(a, def?.arguments[a.name.value]), info) }
            visit(.leaveDirective(d, location), info)
            info.directiveDef = saved
        }
    }
}
