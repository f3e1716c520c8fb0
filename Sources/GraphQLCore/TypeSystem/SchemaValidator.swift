/// The type-system rules of spec §3 that a built schema must satisfy: referenced types exist
/// and are of the right kind for input or output positions, root types are objects, objects
/// implement their interfaces correctly, unions have object members, enums and inputs are
/// non-empty, names do not start with `__`, and `@oneOf` fields are nullable without defaults.
public enum SchemaValidator {
    /// - Parameter requiredInputsMayBeDeprecated: leave out `deprecatedRequiredInputs` (a
    ///   supergraph composed elsewhere: Apollo's router serves one that has them).
    static func validate(_ schema: Schema, requiredInputsMayBeDeprecated: Bool = false) -> [GraphQLError] {
        var errors: [GraphQLError] = requiredInputsMayBeDeprecated ? [] : deprecatedRequiredInputs(schema)
        func err(_ m: String) { errors.append(GraphQLError(m)) }

        for op in [OperationType.query, .mutation, .subscription] {
            guard let name = schema.rootTypeName(op) else { continue }
            guard let t = schema.types[name] else { err("\(op.title) root type \"\(name)\" is not defined."); continue }
            if t.kind != .object { err("\(op.title) root type must be Object type, it cannot be \(name).") }
        }

        func checkRef(_ ref: TypeReference, input: Bool, _ context: String) {
            let n = ref.namedType.value
            guard let t = schema.types[n] else { err("Unknown type \"\(n)\" referenced by \(context)."); return }
            if input && !t.kind.isInput { err("The type of \(context) must be Input Type but got: \(ref).") }
            if !input && !t.kind.isOutput { err("The type of \(context) must be Output Type but got: \(ref).") }
        }

        for (name, t) in schema.types {
            let isIntrospection = name.hasPrefix("__")
            if !isIntrospection && name.hasPrefix("__") { err("Name \"\(name)\" must not begin with \"__\".") }
            switch t.kind {
            case .object, .interface:
                if t.fields.isEmpty { err("Type \(name) must define one or more fields.") }
                for (fname, f) in t.fields {
                    if fname.hasPrefix("__") && !isIntrospection { err("Name \"\(fname)\" must not begin with \"__\", which is reserved by GraphQL introspection.") }
                    checkRef(f.type, input: false, "\(name).\(fname)")
                    for (aname, a) in f.arguments {
                        checkRef(a.type, input: true, "\(name).\(fname)(\(aname):)")
                    }
                }
                for iname in t.interfaces {
                    guard let i = schema.types[iname] else { err("Unknown type \"\(iname)\" implemented by \(name)."); continue }
                    guard i.kind == .interface else { err("Type \(name) must only implement Interface types, it cannot implement \(iname)."); continue }
                    if iname == name { err("Type \(name) cannot implement itself because it would create a circular reference.") }
                    for (fname, ifield) in i.fields {
                        guard let f = t.fields[fname] else {
                            err("Interface field \(iname).\(fname) expected but \(name) does not provide it.")
                            continue
                        }
                        if !isValidImplementationType(schema, f.type, ifield.type) {
                            err("Interface field \(iname).\(fname) expects type \(ifield.type) but \(name).\(fname) is type \(f.type).")
                        }
                        for (aname, iarg) in ifield.arguments {
                            guard let a = f.arguments[aname] else {
                                err("Interface field argument \(iname).\(fname)(\(aname):) expected but \(name).\(fname) does not provide it.")
                                continue
                            }
                            if a.type != iarg.type.withoutSpans {
                                if a.type.withoutSpans != iarg.type.withoutSpans {
                                    err("Interface field argument \(iname).\(fname)(\(aname):) expects type \(iarg.type) but \(name).\(fname)(\(aname):) is type \(a.type).")
                                }
                            }
                        }
                        for (aname, a) in f.arguments where ifield.arguments[aname] == nil {
                            if case .nonNull = a.type, a.defaultValue == nil {
                                err("Argument \"\(name).\(fname)(\(aname):)\" must not be required type \"\(a.type)\" if not provided by the Interface field \"\(iname).\(fname)\".")
                            }
                        }
                    }
                    // Transitive interfaces must be declared too.
                    for ii in i.interfaces where !t.interfaces.contains(ii) && ii != name {
                        err("Type \(name) must implement \(ii) because it is implemented by \(iname).")
                    }
                }
            case .union:
                if t.possibleTypes.isEmpty { err("Union type \(name) must define one or more member types.") }
                var seen = Set<String>()
                for m in t.possibleTypes {
                    if !seen.insert(m).inserted { err("Union type \(name) can only include type \(m) once.") }
                    guard let mt = schema.types[m] else { err("Unknown type \"\(m)\" in union \(name)."); continue }
                    if mt.kind != .object { err("Union type \(name) can only include Object types, it cannot include \(m).") }
                }
            case .enumType:
                if t.enumValues.isEmpty { err("Enum type \(name) must define one or more values.") }
            case .inputObject:
                if t.inputFields.isEmpty { err("Input Object type \(name) must define one or more fields.") }
                for (fname, f) in t.inputFields {
                    checkRef(f.type, input: true, "\(name).\(fname)")
                    if t.isOneOf {
                        if case .nonNull = f.type { err("OneOf input field \(name).\(fname) must be nullable.") }
                        if f.defaultValue != nil { err("OneOf input field \(name).\(fname) cannot have a default value.") }
                    }
                }
            case .scalar:
                break
            }
        }
        // Input objects must not reference themselves through non-null fields only (§3.10).
        for (name, t) in schema.types where t.kind == .inputObject {
            var visiting = Set<String>()
            func cycle(_ n: String) -> Bool {
                guard let it = schema.types[n], it.kind == .inputObject else { return false }
                if visiting.contains(n) { return n == name }
                visiting.insert(n)
                for f in it.inputFields.values {
                    if case .nonNull(.named(let inner)) = f.type, cycle(inner.value) { return true }
                }
                return false
            }
            if cycle(name) { err("Cannot reference Input Object \"\(name)\" within itself through a series of non-null fields.") }
        }
        for (dname, d) in schema.directives {
            for (aname, a) in d.arguments { checkRef(a.type, input: true, "@\(dname)(\(aname):)") }
        }
        return errors
    }

    /// Required arguments and input fields (non-null, no default) that are `@deprecated`: a client
    /// cannot stop giving them (§3.6.1, §3.10 "must not be deprecated"), directives' arguments too.
    public static func deprecatedRequiredInputs(_ schema: Schema) -> [GraphQLError] {
        var errors: [GraphQLError] = []
        for (name, t) in schema.types where !name.hasPrefix("__") {
            for (fname, f) in t.fields {
                for (aname, a) in f.arguments where a.isRequired && a.isDeprecated {
                    errors.append(GraphQLError("Required argument \(name).\(fname)(\(aname):) cannot be deprecated."))
                }
            }
            for (fname, f) in t.inputFields where f.isRequired && f.isDeprecated {
                errors.append(GraphQLError("Required input field \(name).\(fname) cannot be deprecated."))
            }
        }
        for (dname, d) in schema.directives {
            for (aname, a) in d.arguments where a.isRequired && a.isDeprecated {
                errors.append(GraphQLError("Required argument @\(dname)(\(aname):) cannot be deprecated."))
            }
        }
        return errors
    }

    /// IsValidImplementationFieldType (§3.6.1).
    static func isValidImplementationType(_ schema: Schema, _ field: TypeReference, _ iface: TypeReference) -> Bool {
        switch (field, iface) {
        case (.nonNull(let f), .nonNull(let i)): return isValidImplementationType(schema, f, i)
        case (.nonNull(let f), _): return isValidImplementationType(schema, f, iface)
        case (.list(let f), .list(let i)): return isValidImplementationType(schema, f, i)
        case (.named(let f), .named(let i)):
            if f.value == i.value { return true }
            guard let ft = schema.types[f.value], let it = schema.types[i.value] else { return false }
            return it.kind.isAbstract && schema.isSubType(it, ft)
        default: return false
        }
    }
}

extension TypeReference {
    /// The same reference with every span zeroed (for structural comparison).
    public var withoutSpans: TypeReference {
        switch self {
        case .named(let n): return .named(Name(n.value))
        case .list(let t): return .list(t.withoutSpans)
        case .nonNull(let t): return .nonNull(t.withoutSpans)
        }
    }
}

extension OperationType {
    var title: String {
        switch self {
        case .query: return "Query"
        case .mutation: return "Mutation"
        case .subscription: return "Subscription"
        }
    }
}
