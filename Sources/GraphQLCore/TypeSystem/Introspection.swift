import OrderedCollections

/// Introspection (spec §4): `__schema`, `__type` and the `__*` types, resolved from the schema
/// itself with the ordinary resolver machinery. Built once per executable schema.
final class Introspection: @unchecked Sendable {
    /// What a `__Type` is: a named type or a wrapper.
    enum TypeRef: Sendable {
        case named(NamedType)
        case list(TypeReference)
        case nonNull(TypeReference)
    }

    let schemaType = ObjectResolvers<NoContext, Schema>("__Schema")
    let typeType = ObjectResolvers<NoContext, TypeRef>("__Type")
    let fieldType = ObjectResolvers<NoContext, FieldDef>("__Field")
    let inputValueType = ObjectResolvers<NoContext, InputValueDef>("__InputValue")
    let enumValueType = ObjectResolvers<NoContext, EnumValueDef>("__EnumValue")
    let directiveType = ObjectResolvers<NoContext, DirectiveDef>("__Directive")
    unowned(unsafe) let schema: Schema

    /// The order of `__schema.types` that graphql-js gives: the schema's own types in the order
    /// they were written, each followed by the types it references that were not seen yet
    /// (depth first: union members, interfaces, field types and argument types, input field
    /// types), then the directives' argument types, then the introspection types.
    static func typeOrder(_ schema: Schema) -> [String] {
        var seen = OrderedSet<String>()
        func collect(_ name: String) {
            guard let t = schema.types[name], seen.append(name).inserted else { return }
            if t.kind == .union { t.possibleTypes.forEach(collect) }
            if t.kind == .object || t.kind == .interface {
                t.interfaces.forEach(collect)
                for f in t.fields.values {
                    collect(f.type.namedType.value)
                    for a in f.arguments.values { collect(a.type.namedType.value) }
                }
            }
            if t.kind == .inputObject { for f in t.inputFields.values { collect(f.type.namedType.value) } }
        }
        // Each written type counts as seen from the start (a reference to it is not followed
        // from another type); in turn it is taken out, appended, and its references collected.
        let written = schema.types.keys.filter { !$0.hasPrefix("__") && !Schema.builtInScalars.contains($0) }
        seen.append(contentsOf: written)
        for name in written {
            seen.remove(name)
            collect(name)
        }
        for root in [schema.queryType, schema.mutationType, schema.subscriptionType].compactMap({ $0 }) { collect(root) }
        for d in schema.directives.values { for a in d.arguments.values { collect(a.type.namedType.value) } }
        collect("__Schema")
        return Array(seen)
    }

    /// A number as JavaScript's `Number#toString` spells it (ECMA-262 Number::toString): the
    /// shortest digits that read back as it (Swift's), written out without an exponent from
    /// 1e-6 up to 1e21, with one (`1e-7`, `1.5e+21`) beyond; zero (either sign) is `0`.
    static func javaScriptNumber(_ d: Double) -> String {
        guard d.isFinite else { return String(d) }
        if d == 0 { return "0" }
        let text = String(d.magnitude)   // "123.45", "1e-07", "1.5e+22", "12345678.0"
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1)
        var digits = Array(mantissa[0]) + (mantissa.count > 1 ? Array(mantissa[1]) : [])
        var point = mantissa[0].count + exponent   // value = 0.digits × 10^point
        while digits.first == "0" { digits.removeFirst(); point -= 1 }
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count, n = point
        let body: String
        if k <= n && n <= 21 {
            body = String(digits) + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            body = String(digits[..<n]) + "." + String(digits[n...])
        } else if -6 < n && n <= 0 {
            body = "0." + String(repeating: "0", count: -n) + String(digits)
        } else {
            let e = n - 1
            body = String(digits[0]) + (k > 1 ? "." + String(digits[1...]) : "") + "e" + (e >= 0 ? "+" : "-") + String(e.magnitude)
        }
        return d < 0 ? "-" + body : body
    }

    /// A coerced input value as a literal of its type (graphql-js's `astFromValue`).
    /// Whether every number of `value` is finite.
    static func allFinite(_ value: JSON) -> Bool {
        switch value {
        case .double(let d): return d.isFinite
        case .array(let items): return items.allSatisfy(allFinite)
        case .object(let fields): return fields.values.allSatisfy(allFinite)
        default: return true
        }
    }

    static func literal(_ value: JSON, _ type: TypeReference, _ schema: Schema) -> Value {
        switch type {
        case .nonNull(let inner): return literal(value, inner, schema)
        case .list(let inner):
            if value.isNull { return .null }
            if case .array(let items) = value { return .list(items.map { literal($0, inner, schema) }) }
            return literal(value, inner, schema)
        case .named(let n):
            let t = schema.types[n.value]
            switch value {
            case .null: return .null
            case .bool(let b): return .boolean(b)
            case .int(let i): return .int(String(i))
            case .double(let d):
                // As graphql-js writes a number (JavaScript's Number#toString): an integral one
                // as an Int literal (`1`, not `1.0`), others as JavaScript spells them (`1e-7`).
                let text = Self.javaScriptNumber(d)
                return text.wholeMatch(of: /-?(?:0|[1-9][0-9]*)/) != nil ? .int(text) : .float(text)
            case .string(let str):
                if t?.kind == .enumType { return .enumValue(str) }
                if t?.name == "ID", str.wholeMatch(of: /-?(?:0|[1-9][0-9]*)/) != nil { return .int(str) }
                return .string(str, block: false)
            case .array(let items): return .list(items.map { literal($0, .named(n), schema) })
            case .object(let fields):
                return .object(fields.map { k, v in
                    ObjectField(name: Name(k), value: literal(v, t?.inputFields[k]?.type ?? .named(Name("")), schema), span: .none)
                })
            }
        }
    }

    init(schema: Schema) {
        self.schema = schema
        // The resolvers' closures live in the tables of these same objects and are called only
        // while the executable schema that owns them (and its schema) is: unowned, else each
        // table held itself and the schema in a cycle (every schema a reload replaced stayed).
        unowned let s = schema
        unowned let typeType = self.typeType
        unowned let fieldType = self.fieldType
        unowned let inputValueType = self.inputValueType
        unowned let enumValueType = self.enumValueType
        unowned let directiveType = self.directiveType

        @Sendable func str(_ v: String?) -> Output { v.map { .leaf(.string($0)) } ?? .null }
        @Sendable func ref(_ r: TypeReference) -> Output {
            switch r {
            case .named(let n): return s.types[n.value].map { .object(TypeRef.named($0), typeType) } ?? .null
            case .list(let inner): return .object(TypeRef.list(inner), typeType)
            case .nonNull(let inner): return .object(TypeRef.nonNull(inner), typeType)
            }
        }
        @Sendable func named(_ name: String) -> Output {
            s.types[name].map { .object(TypeRef.named($0), typeType) } ?? .null
        }
        @Sendable func includeDeprecated(_ a: Arguments) -> Bool { a.bool("includeDeprecated") ?? false }

        schemaType
            .field("description") { s, _, _, _ in str(s.description) }
            .field("types") { s, _, _, _ in .list(Self.typeOrder(s).compactMap { s.types[$0] }.map { .object(TypeRef.named($0), typeType) }) }
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
            .field("defaultValue") { v, _, _, _ in
                // As graphql-js gives it: the default coerced (nested input defaults filled in),
                // printed as a literal of the type.
                guard let d = v.defaultValue else { return .null }
                // A number no double holds (`1e400` for a custom scalar) is printed as written:
                // "inf" is no GraphQL value (a client's schema builder fails on it).
                guard let coerced = try? Values.literal(s, d, v.type, variables: [:]), Self.allFinite(coerced) else { return str(Printer.print(d)) }
                return str(Printer.print(Self.literal(coerced, v.type, s)))
            }
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
    func resolveRoot(_ field: String, _ args: Arguments) -> Output {
        guard schema.introspectionEnabled else {
            return .error(GraphQLError("GraphQL introspection is not allowed, but the query contained __schema or __type.",
                                       code: "INTROSPECTION_DISABLED"))
        }
        if field == "__schema" { return .object(schema, schemaType) }
        guard let name = args.string("name"), let t = schema.types[name] else { return .null }
        return .object(TypeRef.named(t), typeType)
    }
}
