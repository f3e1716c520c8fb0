import OrderedCollections

/// Introspection (spec §4): `__schema`, `__type` and the `__*` types, resolved from the schema
/// itself with the ordinary resolver machinery. Built once per executable schema.
final class Introspection<Context: Sendable>: @unchecked Sendable {
    /// What a `__Type` is: a named type or a wrapper.
    enum TypeRef: Sendable {
        case named(NamedType)
        case list(TypeReference)
        case nonNull(TypeReference)
    }

    let schemaType = ObjectResolvers<Context, Schema>("__Schema")
    let typeType = ObjectResolvers<Context, TypeRef>("__Type")
    let fieldType = ObjectResolvers<Context, FieldDef>("__Field")
    let inputValueType = ObjectResolvers<Context, InputValueDef>("__InputValue")
    let enumValueType = ObjectResolvers<Context, EnumValueDef>("__EnumValue")
    let directiveType = ObjectResolvers<Context, DirectiveDef>("__Directive")
    unowned(unsafe) let schema: Schema

    init(schema: Schema) {
        self.schema = schema
        let s = schema
        let typeType = self.typeType, fieldType = self.fieldType, inputValueType = self.inputValueType
        let enumValueType = self.enumValueType, directiveType = self.directiveType

        @Sendable func str(_ v: String?) -> Output<Context> { v.map { .leaf(.string($0)) } ?? .null }
        @Sendable func ref(_ r: TypeReference) -> Output<Context> {
            switch r {
            case .named(let n): return s.types[n.value].map { .object(TypeRef.named($0), typeType) } ?? .null
            case .list(let inner): return .object(TypeRef.list(inner), typeType)
            case .nonNull(let inner): return .object(TypeRef.nonNull(inner), typeType)
            }
        }
        @Sendable func named(_ name: String) -> Output<Context> {
            s.types[name].map { .object(TypeRef.named($0), typeType) } ?? .null
        }
        @Sendable func includeDeprecated(_ a: Arguments) -> Bool { a.bool("includeDeprecated") ?? false }

        schemaType
            .field("description") { s, _, _, _ in str(s.description) }
            .field("types") { s, _, _, _ in .list(s.types.values.map { .object(TypeRef.named($0), typeType) }) }
            .field("queryType") { s, _, _, _ in named(s.queryType) }
            .field("mutationType") { s, _, _, _ in s.mutationType.map(named) ?? .null }
            .field("subscriptionType") { s, _, _, _ in s.subscriptionType.map(named) ?? .null }
            .field("directives") { s, _, _, _ in .list(s.directives.values.map { .object($0, directiveType) }) }

        typeType
            .field("kind") { t, _, _, _ in
                switch t {
                case .named(let n): return .leaf(.string(n.kind.rawValue))
                case .list: return .leaf("LIST")
                case .nonNull: return .leaf("NON_NULL")
                }
            }
            .field("name") { t, _, _, _ in if case .named(let n) = t { return .leaf(.string(n.name)) } else { return .null } }
            .field("description") { t, _, _, _ in if case .named(let n) = t { return str(n.description) } else { return .null } }
            .field("specifiedByURL") { t, _, _, _ in if case .named(let n) = t { return str(n.specifiedByURL) } else { return .null } }
            .field("fields") { t, a, _, _ in
                guard case .named(let n) = t, n.kind == .object || n.kind == .interface else { return .null }
                let all = includeDeprecated(a)
                return .list(n.fields.values.filter { all || !$0.isDeprecated }.map { .object($0, fieldType) })
            }
            .field("interfaces") { t, _, _, _ in
                guard case .named(let n) = t, n.kind == .object || n.kind == .interface else { return .null }
                return .list(n.interfaces.map(named))
            }
            .field("possibleTypes") { t, _, _, _ in
                guard case .named(let n) = t, n.kind.isAbstract else { return .null }
                return .list(n.possibleTypes.map(named))
            }
            .field("enumValues") { t, a, _, _ in
                guard case .named(let n) = t, n.kind == .enumType else { return .null }
                let all = includeDeprecated(a)
                return .list(n.enumValues.values.filter { all || !$0.isDeprecated }.map { .object($0, enumValueType) })
            }
            .field("inputFields") { t, a, _, _ in
                guard case .named(let n) = t, n.kind == .inputObject else { return .null }
                let all = includeDeprecated(a)
                return .list(n.inputFields.values.filter { all || !$0.isDeprecated }.map { .object($0, inputValueType) })
            }
            .field("ofType") { t, _, _, _ in
                switch t {
                case .named: return .null
                case .list(let inner), .nonNull(let inner): return ref(inner)
                }
            }
            .field("isOneOf") { t, _, _, _ in
                guard case .named(let n) = t, n.kind == .inputObject else { return .null }
                return .leaf(.bool(n.isOneOf))
            }

        fieldType
            .field("name") { f, _, _, _ in .leaf(.string(f.name)) }
            .field("description") { f, _, _, _ in str(f.description) }
            .field("args") { f, a, _, _ in
                let all = includeDeprecated(a)
                return .list(f.arguments.values.filter { all || !$0.isDeprecated }.map { .object($0, inputValueType) })
            }
            .field("type") { f, _, _, _ in ref(f.type) }
            .field("isDeprecated") { f, _, _, _ in .leaf(.bool(f.isDeprecated)) }
            .field("deprecationReason") { f, _, _, _ in str(f.deprecationReason) }

        inputValueType
            .field("name") { v, _, _, _ in .leaf(.string(v.name)) }
            .field("description") { v, _, _, _ in str(v.description) }
            .field("type") { v, _, _, _ in ref(v.type) }
            .field("defaultValue") { v, _, _, _ in str(v.defaultValue.map { Printer.print($0) }) }
            .field("isDeprecated") { v, _, _, _ in .leaf(.bool(v.isDeprecated)) }
            .field("deprecationReason") { v, _, _, _ in str(v.deprecationReason) }

        enumValueType
            .field("name") { v, _, _, _ in .leaf(.string(v.name)) }
            .field("description") { v, _, _, _ in str(v.description) }
            .field("isDeprecated") { v, _, _, _ in .leaf(.bool(v.isDeprecated)) }
            .field("deprecationReason") { v, _, _, _ in str(v.deprecationReason) }

        directiveType
            .field("name") { d, _, _, _ in .leaf(.string(d.name)) }
            .field("description") { d, _, _, _ in str(d.description) }
            .field("isRepeatable") { d, _, _, _ in .leaf(.bool(d.isRepeatable)) }
            .field("locations") { d, _, _, _ in .list(d.locations.map { .leaf(.string($0.rawValue)) }) }
            .field("args") { d, a, _, _ in
                let all = includeDeprecated(a)
                return .list(d.arguments.values.filter { all || !$0.isDeprecated }.map { .object($0, inputValueType) })
            }
    }

    /// `__schema` and `__type(name:)` on the query root.
    func resolveRoot(_ field: String, _ args: Arguments) -> Output<Context> {
        guard schema.introspectionEnabled else {
            return .error(GraphQLError("GraphQL introspection is not allowed, but the query contained __schema or __type.",
                                       code: "INTROSPECTION_DISABLED"))
        }
        if field == "__schema" { return .object(schema, schemaType) }
        guard let name = args.string("name"), let t = schema.types[name] else { return .null }
        return .object(TypeRef.named(t), typeType)
    }
}
