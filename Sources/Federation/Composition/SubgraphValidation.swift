import GraphQLCore
import OrderedCollections

/// The rules one subgraph must follow on its own, checked before anything is merged (Apollo
/// Federation's subgraph validation): every applied directive is known (a GraphQL built-in,
/// `@link`, a federation directive under its imported or `federation__` name, one defined in the
/// SDL, or one another `@link` brings in), used where its definition allows and at most once
/// where it is not repeatable; arguments are named once; and the field sets of `@key`,
/// `@requires` and `@provides` select fields this subgraph has, under the federation rules of
/// each (no arguments in a key, no abstract-typed key field, `@provides` on composite fields
/// only, provided and required fields `@external` in a Federation 2 subgraph).
extension SubgraphSchema {
    /// Every rule broken, in document order (empty when the subgraph is valid on its own).
    public func validationErrors() -> [CompositionError] {
        var v = SubgraphValidator(self)
        v.run()
        return v.errors
    }
}

private struct SubgraphValidator {
    let sg: SubgraphSchema
    var errors: [CompositionError] = []
    /// Each type's kind and fields (its definition and extensions together).
    var kinds: [String: TypeDefinitionKind] = [:]
    var fields: [String: OrderedDictionary<String, (def: FieldDefinition, typeIsExternal: Bool)>] = [:]
    /// Directives defined in the SDL, and names another `@link` imports or namespaces.
    var defined: [String: DirectiveDefinition] = [:]
    var linkedNames: Set<String> = []
    var linkedPrefixes: Set<String> = []
    /// Context names the subgraph's types set (`@context(name:)`).
    var contexts: Set<String> = []
    /// The types setting each context.
    var contextSetters: [String: [String]] = [:]
    /// The fields (`Type.field`) a `@key`, `@requires` or `@provides` of this subgraph selects.
    var selected: Set<String> = []
    /// Names of the fields `@fromContext` selections pick.
    var contextFieldNames: Set<String> = []
    /// The object types implementing each interface here.
    var implementations: [String: Set<String>] = [:]

    init(_ sg: SubgraphSchema) {
        self.sg = sg
        for case .type(let t) in sg.document.definitions {
            let name = t.name.value
            if kinds[name] == nil || !t.isExtension { kinds[name] = t.kind }
            let typeIsExternal = t.directives.contains { sg.federationName($0) == "external" }
            for d in t.directives where sg.federationName(d) == "context" {
                if let n = d.string("name") { contexts.insert(n); contextSetters[n, default: []].append(name) }
            }
            for f in t.fields where fields[name]?[f.name.value] == nil {
                fields[name, default: [:]][f.name.value] = (f, typeIsExternal)
            }
            for i in t.interfaces { implementations[i.value, default: []].insert(name) }
        }
        for case .directive(let d) in sg.document.definitions { defined[d.name.value] = d }
        for case .schema(let s) in sg.document.definitions {
            for d in s.directives where d.name.value == "link" {
                guard let url = d.string("url"), !url.contains("specs.apollo.dev/federation/") else { continue }
                // `https://host/spec-name/v1.0`: its directives are `@spec-name__x` unless renamed by `as:`.
                let parts = url.split(separator: "/").map(String.init)
                let specName = parts.count >= 2 && parts.last!.hasPrefix("v") ? parts[parts.count - 2] : (parts.last ?? "")
                linkedPrefixes.insert((d.string("as") ?? specName) + "__")
                if let asName = d.string("as") { linkedNames.insert(asName) } else { linkedNames.insert(specName) }
                if case .list(let imports)? = d.argument("import") {
                    for imp in imports {
                        switch imp {
                        case .string(let n, _): linkedNames.insert(n.hasPrefix("@") ? String(n.dropFirst()) : n)
                        case .object(let members):
                            for m in members where m.name.value == "as" || m.name.value == "name" {
                                if case .string(let n, _) = m.value { linkedNames.insert(n.hasPrefix("@") ? String(n.dropFirst()) : n) }
                            }
                        default: break
                        }
                    }
                }
            }
        }
    }

    mutating func fail(_ code: CompositionError.Code, _ message: String) {
        errors.append(CompositionError(code, "[\(sg.name)] \(message)"))
    }

    mutating func run() {
        if sg.name == "_" { fail(.invalidSubgraphName, "Invalid name _ for a subgraph: this name is reserved.") }
        for definition in sg.document.definitions {
            switch definition {
            case .schema(let s):
                applied(s.directives, at: "SCHEMA", on: "the schema")
            case .directive(let d):
                for a in d.arguments { applied(a.directives, at: "ARGUMENT_DEFINITION", on: "@\(d.name.value)(\(a.name.value):)") }
                for a in d.arguments where a.directives.contains(where: { sg.federationName($0) == "fromContext" }) {
                    fail(.contextNotSet, "@fromContext argument cannot be used on a directive definition \"@\(d.name.value)(\(a.name.value):)\".")
                }
                uniqueArguments(d.arguments.map(\.name.value), of: "directive @\(d.name.value)")
                if let fed = sg.directiveNames[d.name.value] {
                    if sg.isFederation2 || fed == "override" {
                        // (A Federation 1 subgraph's own `@override` is federation's only as
                        // federation defines it.)
                        federationDefinition(d, fed)
                    } else {
                        // Federation 1 definitions vary in locations and repetition; an argument
                        // the directive does not have is still refused.
                        for a in d.arguments where !(Self.federationArguments[fed] ?? []).contains(where: { $0.name == a.name.value }) {
                            fail(.directiveDefinitionMismatch, "Invalid definition for directive \"@\(d.name.value)\": unknown/unsupported argument \"\(a.name.value)\".")
                        }
                    }
                }
            case .type(let t):
                check(t)
                references(t)
                linkSpecType(t)
            default:
                continue
            }
        }
        if sg.isFederation2 { unusedExternals() }
    }

    /// Whether `name` is a type this subgraph can refer to: its own, a built-in scalar, one of
    /// federation's or a linked spec's (imported, or in a spec's namespace).
    func isKnownType(_ name: String) -> Bool {
        kinds[name] != nil || ["Int", "Float", "String", "Boolean", "ID"].contains(name) || name.hasPrefix("_") || name.contains("__")
            || linkedNames.contains(name) || ["FieldSet", "Import", "Purpose", "Scope", "Policy", "ContextFieldValue"].contains(name)
    }

    /// A subgraph is a valid GraphQL schema on its own: the types it refers to are defined in it
    /// (not only in another subgraph), and an object or interface has every field of each interface
    /// it implements here (Apollo: INVALID_GRAPHQL).
    mutating func references(_ t: TypeDefinition) {
        let type = t.name.value
        for f in t.fields {
            if !isKnownType(f.type.namedType.value) { fail(.invalidSubgraph, "Unknown type \"\(f.type.namedType.value)\" (the type of \"\(type).\(f.name.value)\").") }
            for a in f.arguments where !isKnownType(a.type.namedType.value) {
                fail(.invalidSubgraph, "Unknown type \"\(a.type.namedType.value)\" (argument \"\(type).\(f.name.value)(\(a.name.value):)\").")
            }
        }
        for f in t.inputFields where !isKnownType(f.type.namedType.value) {
            fail(.invalidSubgraph, "Unknown type \"\(f.type.namedType.value)\" (input field \"\(type).\(f.name.value)\").")
        }
        for m in t.unionMembers where !isKnownType(m.value) { fail(.invalidSubgraph, "Unknown type \"\(m.value)\" (member of union \"\(type)\").") }
        for i in t.interfaces {
            guard kinds[i.value] != nil else {
                fail(.invalidSubgraph, "Unknown type \"\(i.value)\" (an interface \"\(type)\" implements).")
                continue
            }
            guard !t.isExtension || kinds[type] == t.kind, let own = fields[type] else { continue }
            for (name, field) in fields[i.value] ?? [:] {
                guard let mine = own[name] else {
                    fail(.invalidSubgraph, "Interface field \"\(i.value).\(name)\" expected but \"\(type)\" does not provide it.")
                    continue
                }
                // Arguments beyond the interface field's may not be required (GraphQL's rule).
                for a in mine.def.arguments where !field.def.arguments.contains(where: { $0.name.value == a.name.value }) && a.defaultValue == nil {
                    if case .nonNull = a.type {
                        fail(.invalidSubgraph, "Object field \"\(type).\(name)\" includes required argument \"\(a.name.value)\" that is missing from the Interface field \"\(i.value).\(name)\".")
                    }
                }
            }
        }
    }

    /// The link spec's own types, when a subgraph defines them, as the spec has them.
    mutating func linkSpecType(_ t: TypeDefinition) {
        switch t.name.value {
        case "link__Purpose":
            let values = t.enumValues.map(\.name.value)
            if t.kind != .enumType || Set(values) != ["SECURITY", "EXECUTION"] {
                fail(.typeDefinitionInvalid, "Invalid definition for type \"link__Purpose\": it should be the enum of SECURITY and EXECUTION (found \(t.kind == .enumType ? values.joined(separator: ", ") : "another kind")).")
            }
        case "link__Import":
            if t.kind != .scalar { fail(.typeDefinitionInvalid, "Invalid definition for type \"link__Import\": it should be a scalar.") }
        default:
            return
        }
    }

    /// `@listSize` sizes a list: the field's own, or with `sizedFields` lists of the object the
    /// field returns (a cursor page's `edges`).
    mutating func listSize(_ d: Directive, field f: FieldDefinition, coordinate: String) {
        /// A `[String!]` argument's names: a list, or one string for a list of one (input coercion,
        /// §3.11: `sizedFields: "edges"` was refused as no `sizedFields` at all).
        func names(_ value: Value?) -> [String]? {
            switch value {
            case .list(let items)?: return items.compactMap { if case .string(let s, _) = $0 { return s } else { return nil } }
            case .string(let s, _)?: return [s]
            default: return nil
            }
        }
        // Slicing arguments are the field's, of type Int (the size they give).
        if let slicing = names(d.argument("slicingArguments")) {
            for name in slicing {
                let argument = f.arguments.first { $0.name.value == name }
                if argument.map({ $0.type.listDepth != 0 || $0.type.namedType.value != "Int" }) ?? true {
                    fail(.listSizeInvalidSlicingArgument, "Slicing argument \"\(name)\" of @listSize on \"\(coordinate)\" is not an argument of type Int of the field.")
                }
            }
        }
        guard let sized = names(d.argument("sizedFields")) else {
            if f.type.listDepth == 0 {
                fail(.listSizeAppliedToNonList, "\"\(coordinate)\" is not a list: @listSize without sizedFields cannot apply to it.")
            }
            return
        }
        let target = f.type.namedType.value
        guard kinds[target] == .object || kinds[target] == .interface else {
            return fail(.listSizeInvalidSizedField, "@listSize(sizedFields:) on \"\(coordinate)\" needs an object or interface type, not \"\(target)\".")
        }
        for name in sized {
            guard let def = fields[target]?[name]?.def else {
                fail(.listSizeInvalidSizedField, "Sized field \"\(name)\" of @listSize on \"\(coordinate)\" is not a field of \"\(target)\".")
                continue
            }
            if def.type.listDepth == 0 {
                fail(.listSizeAppliedToNonList, "Sized field \"\(target).\(name)\" of @listSize on \"\(coordinate)\" is not a list.")
            }
        }
    }

    /// A Federation 2 subgraph's `@external` field is there for a `@key`, `@requires` or
    /// `@provides` of its own, or for an interface its type implements here: one for none of
    /// them is EXTERNAL_UNUSED (Federation 1 subgraphs drop such fields instead).
    mutating func unusedExternals() {
        var interfaces: [String: Set<String>] = [:]
        for case .type(let t) in sg.document.definitions { interfaces[t.name.value, default: []].formUnion(t.interfaces.map(\.value)) }
        for (type, members) in fields where kinds[type] == .object {
            for (name, (def, typeIsExternal)) in members {
                guard isExternal(def, typeIsExternal) else { continue }
                if selected.contains("\(type).\(name)") || contextFieldNames.contains(name) { continue }
                if interfaces[type, default: []].contains(where: { fields[$0]?[name] != nil }) { continue }
                fail(.externalUnused, "Field \"\(type).\(name)\" is marked @external but is not used in any federation directive (@key, @provides, @requires) or to satisfy an interface; the field declaration has no use and should be removed (or the field should not be @external).")
            }
        }
    }

    mutating func check(_ t: TypeDefinition) {
        let type = t.name.value
        let location = switch t.kind {
        case .scalar: "SCALAR"
        case .object: "OBJECT"
        case .interface: "INTERFACE"
        case .union: "UNION"
        case .enumType: "ENUM"
        case .inputObject: "INPUT_OBJECT"
        }
        applied(t.directives, at: location, on: "type \"\(type)\"")
        // What every schema has (built-in scalars) cannot be hidden from clients.
        if ["String", "Int", "Float", "Boolean", "ID"].contains(type), t.directives.contains(where: { sg.federationName($0) == "inaccessible" }) {
            fail(.disallowedInaccessible, "Built-in type \"\(type)\" cannot use @inaccessible.")
        }
        for d in t.directives where sg.federationName(d) == "context" {
            if let n = d.string("name"), n.first?.isLetter != true || !n.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                fail(.contextNameInvalid, "Context name \"\(n)\" is invalid: it should start with a letter and have only letters and digits (no underscore).")
            }
        }
        // @shareable repeats only across a type's definition and its extensions, once on each.
        if t.directives.filter({ sg.federationName($0) == "shareable" }).count > 1 {
            fail(.invalidShareableUsage, "Invalid duplicate application of @shareable on the same type declaration of \"\(type)\": @shareable is only repeatable on types so it can be used simultaneously on a type definition and its extensions, but it should not be duplicated on the same definition/extension declaration.")
        }
        for f in t.fields where f.directives.filter({ sg.federationName($0) == "shareable" }).count > 1 {
            fail(.invalidShareableUsage, "Invalid duplicate application of @shareable on field \"\(type).\(f.name.value)\": @shareable is only repeatable on types so it can be used simultaneously on a type definition and its extensions, but it should not be duplicated on the same definition/extension declaration.")
        }
        // An interface's key is one every implementation here has, resolvable: entities of the
        // interface are resolved here through it whatever their type.
        // Authorization on an interface, its fields, or an @interfaceObject type says nothing about
        // the objects answering them: Apollo's composition refuses it since v2.9 (an
        // @interfaceObject's own fields may have it); subgraphs linking an earlier version keep the
        // earlier meaning (the interface's requirement applies to its fields).
        if let minor = sg.federationMinor, minor >= 9,
           t.kind == .interface || t.directives.contains(where: { sg.federationName($0) == "interfaceObject" }) {
            let access: Set<String> = ["authenticated", "requiresScopes", "policy"]
            let schema = sg
            let on = t.directives.first { access.contains(schema.federationName($0) ?? "") }.map { ("type \"\(type)\"", $0) }
                ?? (t.kind != .interface ? [] : t.fields).compactMap { f in f.directives.first { access.contains(schema.federationName($0) ?? "") }.map { ("field \"\(type).\(f.name.value)\"", $0) } }.first
            if let (what, d) = on {
                fail(.authRequirementsAppliedOnInterface, "Invalid use of @\(sg.federationName(d) ?? d.name.value) on \(what): @\(sg.federationName(d) ?? d.name.value) cannot be applied on interfaces, interface objects or their fields.")
            }
        }
        // Entity interfaces came with federation v2.3.
        if t.kind == .interface, let minor = sg.federationMinor, minor < 3, t.directives.contains(where: { sg.federationName($0) == "key" }) {
            fail(.keyUnsupportedOnInterface, "Cannot use @key on interface \"\(type)\": @key is not yet supported on interfaces (it is from federation v2.3 on; this subgraph links v2.\(minor)).")
        }
        if t.kind == .interface, sg.isFederation2 {
            // The same fields in any order are the same key.
            func normalized(_ fields: String) -> String {
                func canonical(_ set: SelectionSet) -> String {
                    set.selections.map { sel -> String in
                        switch sel {
                        case .field(let f): return f.name.value + (f.selectionSet.map { "{" + canonical($0) + "}" } ?? "")
                        case .inlineFragment(let i): return "...on " + (i.typeCondition?.value ?? "") + "{" + canonical(i.selectionSet) + "}"
                        case .fragmentSpread(let s): return "..." + s.name.value
                        }
                    }.sorted().joined(separator: " ")
                }
                guard let set = (try? Parser.parse("{ \(fields) }", options: .schema))?.operations.first?.selectionSet else { return fields }
                return canonical(set)
            }
            func keys(of name: String, resolvableOnly: Bool) -> Set<String> {
                var out = Set<String>()
                for case .type(let other) in sg.document.definitions where other.name.value == name {
                    for d in other.directives where sg.federationName(d) == "key" {
                        if resolvableOnly, case .boolean(false)? = d.argument("resolvable") { continue }
                        if let f = d.string("fields") { out.insert(normalized(f)) }
                    }
                }
                return out
            }
            let own = t.directives.filter { sg.federationName($0) == "key" }.compactMap { $0.string("fields") }.map(normalized)
            if !own.isEmpty {
                for object in (implementations[type] ?? []).sorted() where kinds[object] == .object {
                    let theirs = keys(of: object, resolvableOnly: true)
                    for key in own where !theirs.contains(key) {
                        fail(.interfaceKeyNotOnImplementation, "Key @key(fields: \"\(key)\") on interface type \"\(type)\" is missing on implementation type \"\(object)\" (or it is not resolvable there).")
                    }
                }
            }
        }
        // An @interfaceObject stands for entities of the interface: it needs a key to reach them.
        if t.kind == .object, t.directives.contains(where: { sg.federationName($0) == "interfaceObject" }),
           !sg.document.definitions.contains(where: { d in
               guard case .type(let other) = d, other.name.value == type else { return false }
               return other.directives.contains { sg.federationName($0) == "key" }
           }) {
            fail(.interfaceObjectWithoutInterface, "The @interfaceObject directive can only be applied to entity types but type \"\(type)\" has no @key in subgraph \"\(sg.name)\".")
        }
        for f in t.fields {
            let coordinate = "\(type).\(f.name.value)"
            applied(f.directives, at: "FIELD_DEFINITION", on: "field \"\(coordinate)\"")
            // @tag and @inaccessible are merged into the supergraph from where a field is
            // resolved: on an @external one (not a key field of a Federation 1 style type) they
            // would say nothing.
            if f.directives.contains(where: { sg.federationName($0) == "external" }), !isKeyField(f.name.value, of: type),
               let merged = f.directives.first(where: { ["tag", "inaccessible"].contains(sg.federationName($0) ?? "") }) {
                fail(.mergedDirectiveApplicationOnExternal, "Cannot apply merged directive @\(merged.name.value) to external field \"\(coordinate)\".")
            }
            for a in f.arguments {
                applied(a.directives, at: "ARGUMENT_DEFINITION", on: "argument \"\(coordinate)(\(a.name.value):)\"")
                inaccessibleInput(a, at: "argument \"\(coordinate)(\(a.name.value):)\"",
                                  ownerHidden: (f.directives + t.directives).contains { sg.federationName($0) == "inaccessible" })
                // A context is set and read in one subgraph: a @fromContext of one no type here
                // sets could never have a value.
                if let from = a.directives.first(where: { sg.federationName($0) == "fromContext" }), let spec = from.string("field") {
                    let location = "\(coordinate)(\(a.name.value):)"
                    guard spec.drop(while: { $0 == " " }).first == "$" else {
                        fail(.noContextReferenced, "@fromContext argument does not reference a context \"\(spec)\" (at \"\(location)\").")
                        continue
                    }
                    if t.kind == .interface {
                        fail(.contextNotSet, "@fromContext argument cannot be used on a field that exists on an interface \"\(location)\".")
                        continue
                    }
                    if a.defaultValue != nil {
                        fail(.contextNotSet, "@fromContext arguments may not have a default value: \"\(location)\".")
                        continue
                    }
                    let name = String(spec.drop { $0 == " " }.dropFirst().prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                    // The fields it picks (on whichever types set the context) are used.
                    var word = ""
                    for c in spec.drop(while: { $0 == " " }).dropFirst().drop(while: { $0.isLetter || $0.isNumber || $0 == "_" }) + " " {
                        if c.isLetter || c.isNumber || c == "_" { word.append(c) } else if !word.isEmpty { contextFieldNames.insert(word); word = "" }
                    }
                    if !contexts.contains(name) {
                        fail(.contextNotSet, "Context \"\(name)\" is used at location \"\(coordinate)(\(a.name.value):)\" but is never set.")
                    } else {
                        contextSelection(spec, context: name, argument: a, at: "\(coordinate)(\(a.name.value):)")
                    }
                    // The field's entities are reached by key to pass the context's value in.
                    if t.kind == .object, !sg.document.definitions.contains(where: { d in
                        guard case .type(let other) = d, other.name.value == type else { return false }
                        return other.directives.contains { k in
                            guard sg.federationName(k) == "key" else { return false }
                            if case .boolean(false)? = k.argument("resolvable") { return false }
                            return true
                        }
                    }) {
                        fail(.contextNoResolvableKey, "Object \"\(type)\" has no resolvable key but has a field with a contextual argument (\"\(coordinate)(\(a.name.value):)\").")
                    }
                }
            }
            uniqueArguments(f.arguments.map(\.name.value), of: "field \"\(coordinate)\"")
            for d in f.directives {
                switch sg.federationName(d) {
                case "requires"?: requires(d, field: f, type: t)
                case "provides"?: provides(d, field: f, type: t)
                case "external"? where t.kind == .interface && sg.isFederation2:
                    fail(.externalOnInterface, "Interface type field \"\(coordinate)\" is marked @external but @external is not allowed on interface fields.")
                case "override"? where t.kind == .interface:
                    fail(.overrideOnInterface, "@override cannot be used on field \"\(coordinate)\" on subgraph \"\(sg.name)\": @override is not supported on interface type fields.")
                case "override"? where f.directives.contains(where: { sg.federationName($0) == "external" }):
                    fail(.overrideCollision, "@override cannot be used on field \"\(coordinate)\" on subgraph \"\(sg.name)\" since \"\(coordinate)\" on \"\(sg.name)\" is marked with directive \"@external\"")
                case "override"? where d.argument("label") != nil && (sg.federationMinor ?? 0) < 7:
                    fail(.invalidSubgraph, "Unknown argument \"label\" found on directive \"@override\": progressive override came with federation v2.7 (subgraph \"\(sg.name)\" links v2.\(sg.federationMinor ?? 0)).")
                case "override"? where d.string("label").map({ !Self.validOverrideLabel($0) }) ?? false:
                    fail(.overrideLabelInvalid, "Invalid @override label \"\(d.string("label") ?? "")\" on field \"\(coordinate)\" on subgraph \"\(sg.name)\": labels must start with a letter and contain only letters, digits, _ - : . /, or be percent(N) with N from 0 to 100.")
                case "cost"? where t.kind == .interface:
                    fail(.costAppliedToInterfaceField, "@cost cannot be applied to interface \"\(coordinate)\" (in subgraph \"\(sg.name)\"): its cost is that of the implementation answering it.")
                case "listSize"?:
                    listSize(d, field: f, coordinate: coordinate)
                case "shareable"? where t.kind == .interface:
                    fail(.invalidShareableUsage, "Invalid use of @shareable on field \"\(coordinate)\": only object type fields can be marked with @shareable")
                default: break
                }
            }
        }
        for v in t.enumValues { applied(v.directives, at: "ENUM_VALUE", on: "enum value \"\(type).\(v.name.value)\"") }
        for i in t.inputFields {
            applied(i.directives, at: "INPUT_FIELD_DEFINITION", on: "input field \"\(type).\(i.name.value)\"")
            inaccessibleInput(i, at: "input field \"\(type).\(i.name.value)\"", ownerHidden: t.directives.contains { sg.federationName($0) == "inaccessible" })
        }
        for d in t.directives where sg.federationName(d) == "key" { key(d, type: t) }
    }

    mutating func uniqueArguments(_ names: [String], of owner: String) {
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            fail(.invalidSubgraph, "The argument \"\(n)\" of \(owner) is defined more than once.")
        }
    }

    // MARK: directive applications

    /// Locations and repeatability of the directives every schema knows.
    static let builtIn: [String: (locations: Set<String>, repeatable: Bool)] = [
        "deprecated": (["FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"], false),
        "specifiedBy": (["SCALAR"], false),
        "oneOf": (["INPUT_OBJECT"], false),
        "skip": (["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], false),
        "include": (["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], false),
    ]

    /// The federation directives' locations and repeatability (Federation v2 subgraph spec).
    static let federation: [String: (locations: Set<String>, repeatable: Bool)] = {
        let everywhere: Set<String> = ["FIELD_DEFINITION", "OBJECT", "INTERFACE", "UNION", "ARGUMENT_DEFINITION", "SCALAR", "ENUM",
                                       "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"]
        let access: Set<String> = ["FIELD_DEFINITION", "OBJECT", "INTERFACE", "SCALAR", "ENUM"]
        return [
            "key": (["OBJECT", "INTERFACE"], true),
            "external": (["OBJECT", "FIELD_DEFINITION"], false),
            "requires": (["FIELD_DEFINITION"], false),
            "provides": (["FIELD_DEFINITION"], false),
            "shareable": (["OBJECT", "FIELD_DEFINITION"], true),
            "override": (["FIELD_DEFINITION"], false),
            "inaccessible": (everywhere, false),
            "tag": (everywhere.union(["SCHEMA"]), true),
            "interfaceObject": (["OBJECT"], false),
            "extends": (["OBJECT", "INTERFACE"], false),
            "composeDirective": (["SCHEMA"], true),
            "authenticated": (access, false),
            "requiresScopes": (access, false),
            "policy": (access, false),
            "cost": (["ARGUMENT_DEFINITION", "ENUM", "FIELD_DEFINITION", "INPUT_FIELD_DEFINITION", "OBJECT", "SCALAR"], false),
            "listSize": (["FIELD_DEFINITION"], false),
            "context": (["OBJECT", "INTERFACE", "UNION"], true),
            "fromContext": (["ARGUMENT_DEFINITION"], false),
        ]
    }()

    /// Whether `field` is in a `@key` of `type` here (Federation 1 style types mark them @external).
    func isKeyField(_ field: String, of type: String) -> Bool {
        for case .type(let t) in sg.document.definitions where t.name.value == type {
            for d in t.directives where sg.federationName(d) == "key" {
                if let fields = d.string("fields"), fields.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).contains(where: { $0 == field }) { return true }
            }
        }
        return false
    }

    /// An argument or input field the API schema hides cannot be one a client must give
    /// (`REQUIRED_INACCESSIBLE`; unless what it belongs to is hidden too); a default cannot be an
    /// enum value it hides (`DEFAULT_VALUE_USES_INACCESSIBLE`).
    mutating func inaccessibleInput(_ v: InputValueDefinition, at coordinate: String, ownerHidden: Bool) {
        let hidden = v.directives.contains { sg.federationName($0) == "inaccessible" }
        if !ownerHidden, hidden, case .nonNull = v.type, v.defaultValue == nil {
            fail(.requiredInaccessible, "The \(coordinate) is @inaccessible but required: a client could not give it.")
        }
        guard !ownerHidden, !hidden, let value = v.defaultValue else { return }
        let enumName = v.type.namedType.value
        var hiddenValues = Set<String>()
        for case .type(let e) in sg.document.definitions where e.name.value == enumName && e.kind == .enumType {
            for ev in e.enumValues where ev.directives.contains(where: { sg.federationName($0) == "inaccessible" }) { hiddenValues.insert(ev.name.value) }
        }
        guard !hiddenValues.isEmpty else { return }
        func uses(_ value: Value) -> Bool {
            switch value {
            case .enumValue(let name): return hiddenValues.contains(name)
            case .list(let items): return items.contains(where: uses)
            default: return false
            }
        }
        if uses(value) {
            fail(.defaultValueUsesInaccessible, "The default value of \(coordinate) uses an @inaccessible enum value of \"\(enumName)\".")
        }
    }

    /// A `@fromContext(field:)` selection (`$name { field }` or `$name ... on T { field }`) picks
    /// one field, unaliased and without directives, from every type that sets the context (one
    /// of its type conditions applying to each), whose type fits the argument's.
    mutating func contextSelection(_ spec: String, context: String, argument a: InputValueDefinition, at location: String) {
        let rest = spec.drop { $0 == " " }.dropFirst().drop { $0.isLetter || $0.isNumber || $0 == "_" }.drop { $0 == " " || $0 == "\n" }
        let text = rest.hasPrefix("{") ? String(rest) : "{ " + rest + " }"
        func invalid(_ why: String) {
            fail(.contextInvalidSelection, "Context \"\(context)\" is used in \"\(location)\" but the selection is invalid: \(why)")
        }
        guard let set = (try? Parser.parse(text, options: .schema))?.operations.first?.selectionSet else { return invalid("it does not parse.") }
        func applies(_ condition: String, to type: String) -> Bool {
            condition == type || implementations[condition]?.contains(type) == true
                || sg.document.definitions.contains { d in
                    guard case .type(let u) = d, u.name.value == condition, u.kind == .union else { return false }
                    return u.unionMembers.contains { $0.value == type }
                }
        }
        func fits(_ field: TypeReference, _ arg: TypeReference) -> Bool {
            switch (field, arg) {
            case (.nonNull(let f), .nonNull(let x)): return fits(f, x)
            case (_, .nonNull): return false
            case (.nonNull(let f), _): return fits(f, arg)
            case (.list(let f), .list(let x)): return fits(f, x)
            case (.named(let f), .named(let x)): return f.value == x.value
            default: return false
            }
        }
        // A union sets it for each of its members (a field selected on it directly is theirs).
        let setters = (contextSetters[context] ?? []).flatMap { name -> [String] in
            for case .type(let u) in sg.document.definitions where u.name.value == name && u.kind == .union { return u.unionMembers.map(\.value) }
            return [name]
        }
        var anyFragmentApplies = false, hasFragments = false
        for setter in setters {
            if sg.document.definitions.contains(where: { d in
                guard case .type(let u) = d, u.name.value == setter else { return false }
                return u.directives.contains { sg.federationName($0) == "interfaceObject" }
            }) {
                return invalid("one of the types in the selection is an @interfaceObject: \"\(setter)\".")
            }
            var picked: [Field] = []
            for sel in set.selections {
                switch sel {
                case .field(let f): picked.append(f)
                case .inlineFragment(let i):
                    hasFragments = true
                    if !i.directives.isEmpty { return invalid("directives are not allowed in the selection.") }
                    guard let c = i.typeCondition?.value, applies(c, to: setter) else { continue }
                    anyFragmentApplies = true
                    for case .field(let f) in i.selectionSet.selections { picked.append(f) }
                case .fragmentSpread:
                    return invalid("fragment spreads are not allowed in the selection.")
                }
            }
            if hasFragments && picked.isEmpty { continue }
            guard picked.count == 1, let f = picked.first else { return invalid("multiple fields could be selected from \"\(setter)\"; exactly one is.") }
            if f.alias != nil { return invalid("aliases are not allowed in the selection.") }
            if !f.directives.isEmpty { return invalid("directives are not allowed in the selection.") }
            guard let def = fields[setter]?[f.name.value]?.def else { return invalid("\"\(setter)\" has no field \"\(f.name.value)\".") }
            if f.selectionSet == nil, !fits(def.type, a.type) {
                return invalid("the type of the selection \"\(def.type)\" does not match the expected type \"\(a.type)\".")
            }
        }
        if hasFragments && !anyFragmentApplies { invalid("no type condition matches a type setting the context.") }
    }

    /// The arguments of the federation directives (Federation v2 subgraph spec), their types as
    /// printed with the spec's own scalars under their bare names.
    static let federationArguments: [String: [(name: String, type: String)]] = [
        "key": [("fields", "FieldSet!"), ("resolvable", "Boolean")],
        "requires": [("fields", "FieldSet!")], "provides": [("fields", "FieldSet!")],
        "external": [("reason", "String")], "tag": [("name", "String!")],
        "override": [("from", "String!"), ("label", "String")], "composeDirective": [("name", "String")],
        "requiresScopes": [("scopes", "[[Scope!]!]!")], "policy": [("policies", "[[Policy!]!]!")],
        "context": [("name", "String!")], "fromContext": [("field", "ContextFieldValue")],
        "cost": [("weight", "Int!")],
        "listSize": [("assumedSize", "Int"), ("slicingArguments", "[String!]"), ("sizedFields", "[String!]"),
                     ("requireOneSlicingArgument", "Boolean")],
    ]

    /// A subgraph's own definition of a federation directive must be one the spec's applications
    /// fit: no location, argument or repetition the spec does not have, each argument of its type
    /// (a required one required), every required one there.
    mutating func federationDefinition(_ d: DirectiveDefinition, _ fed: String) {
        guard let rule = Self.federation[fed] else { return }
        let name = "@\(d.name.value)"
        let extra = d.locations.map(\.value).filter { !rule.locations.contains($0) }
        if !extra.isEmpty {
            fail(.directiveDefinitionMismatch, "Invalid definition for directive \"\(name)\": it may not be used on \(extra.joined(separator: ", ")) (federation's @\(fed) is on \(rule.locations.sorted().joined(separator: " | "))).")
        }
        if d.isRepeatable, !rule.repeatable {
            fail(.directiveDefinitionMismatch, "Invalid definition for directive \"\(name)\": it should not be repeatable.")
        }
        let spec = Self.federationArguments[fed] ?? []
        func bare(_ t: TypeReference) -> String {
            switch t {
            case .named(let n):
                for own in ["FieldSet", "Scope", "Policy", "ContextFieldValue"] where n.value == own || n.value.hasSuffix("__" + own) || n.value == "_" + own { return own }
                return n.value
            case .list(let inner): return "[" + bare(inner) + "]"
            case .nonNull(let inner): return bare(inner) + "!"
            }
        }
        for a in d.arguments {
            guard let wanted = spec.first(where: { $0.name == a.name.value }) else {
                fail(.directiveDefinitionMismatch, "Invalid definition for directive \"\(name)\": unknown/unsupported argument \"\(a.name.value)\".")
                continue
            }
            var got = bare(a.type)
            // Where the spec has a scalar of its own, any type of that shape will do (`fields: String!`).
            func shape(_ t: TypeReference) -> String {
                switch t {
                case .named: return "_"
                case .list(let inner): return "[" + shape(inner) + "]"
                case .nonNull(let inner): return shape(inner) + "!"
                }
            }
            for own in ["FieldSet", "Scope", "Policy", "ContextFieldValue"] where wanted.type.contains(own) {
                if shape(a.type) == wanted.type.replacing(own, with: "_") { got = wanted.type }
            }
            // A required argument where the spec's is optional is as good (every application
            // the definition allows, the spec's allows too).
            if got != wanted.type, got != wanted.type + "!" {
                fail(.directiveDefinitionMismatch, "Invalid definition for directive \"\(name)\": argument \"\(a.name.value)\" should have type \"\(wanted.type)\" but found type \"\(got)\".")
            }
        }
        for wanted in spec where wanted.type.hasSuffix("!") && !d.arguments.contains(where: { $0.name.value == wanted.name }) {
            fail(.directiveDefinitionMismatch, "Invalid definition for directive \"\(name)\": missing required argument \"\(wanted.name)\".")
        }
    }

    /// Each directive of one element: known, allowed at `location`, once unless repeatable.
    mutating func applied(_ directives: [Directive], at location: String, on owner: String) {
        var seen = Set<String>()
        for d in directives {
            let name = d.name.value
            let rule: (locations: Set<String>, repeatable: Bool)?
            if let def = defined[name] {
                rule = (Set(def.locations.map(\.value)), def.isRepeatable)
            } else if let fed = sg.federationName(d) {
                rule = Self.federation[fed]
            } else if let b = Self.builtIn[name] {
                rule = b
            } else if name == "link" {
                rule = (["SCHEMA"], true)
            } else if linkedNames.contains(name) || linkedPrefixes.contains(where: { name.hasPrefix($0) }) {
                rule = nil   // another specification's: its rules are its own
            } else {
                var message = "Unknown directive \"@\(name)\" on \(owner)."
                if sg.isFederation2, Self.federation[name] != nil {
                    message += " If you meant the \"@\(name)\" federation directive, you should use fully-qualified name \"@federation__\(name)\" or add \"@\(name)\" to the `import` argument of the @link to the federation specification."
                }
                fail(.invalidSubgraph, message)
                continue
            }
            var argumentNames = Set<String>()
            for a in d.arguments where !argumentNames.insert(a.name.value).inserted {
                fail(.invalidSubgraph, "The directive \"@\(name)\" on \(owner) is given the argument \"\(a.name.value)\" more than once.")
            }
            guard let rule else { continue }
            if !rule.locations.contains(location) {
                fail(.invalidSubgraph, "Directive \"@\(name)\" may not be used on \(location) (\(owner)).")
            } else if !rule.repeatable, !seen.insert(name).inserted {
                fail(.invalidSubgraph, "The directive \"@\(name)\" can only be used once at this location (\(owner)).")
            }
        }
    }

    // MARK: field sets

    /// The selection of a `fields:` argument, or nil (an error recorded) when it is not a string
    /// or not a selection.
    mutating func selection(_ d: Directive, _ invalidType: CompositionError.Code, _ invalid: CompositionError.Code, _ context: String) -> SelectionSet? {
        guard let text = d.string("fields") else {
            fail(invalidType, "\(context): Invalid value for argument \"fields\": must be a string.")
            return nil
        }
        guard let set = try? FieldSet.parse(text), !set.selections.isEmpty else {
            fail(invalid, "\(context): \"\(text)\" is not a valid selection.")
            return nil
        }
        return set
    }

    struct FieldSetRules {
        let directive: String
        let invalid: CompositionError.Code
        let directiveInFields: CompositionError.Code
        /// The code for a field with arguments (nil: allowed).
        let hasArgs: CompositionError.Code?
        /// The code for an interface- or union-typed field (nil: allowed).
        let abstractField: CompositionError.Code?
        /// The code for a leaf that is neither `@external` nor below an external field (nil: not checked).
        let missingExternal: CompositionError.Code?
    }

    /// Checks `set` as a selection on `type`; `underExternal` when a field above it in the set is
    /// `@external` (a local field may lead to external ones: only a leaf that is neither external
    /// nor below an external field is provided by this subgraph already).
    mutating func walk(_ set: SelectionSet, on type: String, _ rules: FieldSetRules, _ context: String, underExternal: Bool) {
        for selection in set.selections {
            if let d = selection.directives.first {
                fail(rules.directiveInFields, "\(context): cannot have directive applications in the @\(rules.directive)(fields:) argument but found @\(d.name.value).")
                continue
            }
            switch selection {
            case .field(let f):
                let name = f.name.value
                if let alias = f.alias {
                    fail(rules.invalid, "\(context): Cannot use alias \"\(alias.value)\" in \"\(alias.value): \(name)\": aliases are not currently supported in @\(rules.directive)")
                    continue
                }
                if name == "__typename" { continue }
                guard let (def, typeIsExternal) = fields[type]?[name] else {
                    fail(rules.invalid, "\(context): Cannot query field \"\(name)\" on type \"\(type)\" (if the field is defined in another subgraph, you need to add it to this subgraph with @external).")
                    continue
                }
                selected.insert("\(type).\(name)")
                if let code = rules.hasArgs, !def.arguments.isEmpty {
                    fail(code, "\(context): field \"\(type).\(name)\" cannot be included because it has arguments (fields with argument are not allowed in @\(rules.directive))")
                }
                let named = def.type.namedType.value
                let kind = kinds[named]
                let composite = kind == .object || kind == .interface || kind == .union
                // An interface's field is external where an implementation's is (what Apollo's
                // composition takes: `@provides(fields: "v { a }")` on a field of interface type).
                let external = underExternal || isExternal(def, typeIsExternal)
                    || kinds[type] == .interface && implementations[type, default: []].contains { t in
                        fields[t]?[name].map { isExternal($0.def, $0.typeIsExternal) } ?? false }
                if let code = rules.missingExternal, !external, !composite, kinds[type] == .object {
                    fail(code, "\(context): field \"\(type).\(name)\" should not be part of a @\(rules.directive) since it is already provided by this subgraph (it is not marked @external)")
                }
                if let code = rules.abstractField, kind == .interface || kind == .union {
                    fail(code, "\(context): field \"\(type).\(name)\" is a\(kind == .interface ? "n Interface" : " Union") type which is not allowed in @\(rules.directive)")
                    continue
                }
                if composite {
                    guard let sub = f.selectionSet, !sub.selections.isEmpty else {
                        fail(rules.invalid, "\(context): Invalid empty selection set for field \"\(type).\(name)\" of non-leaf type \"\(named)\"")
                        continue
                    }
                    walk(sub, on: named, rules, context, underExternal: external)
                } else if f.selectionSet != nil {
                    fail(rules.invalid, "\(context): Field \"\(type).\(name)\" must not have a selection since type \"\(named)\" has no subfields.")
                }
            case .inlineFragment(let i):
                let target = i.typeCondition?.value ?? type
                guard let kind = kinds[target], kind == .object || kind == .interface || kind == .union else {
                    fail(rules.invalid, "\(context): Unknown type \"\(target)\" in a type condition.")
                    continue
                }
                walk(i.selectionSet, on: target, rules, context, underExternal: underExternal)
            case .fragmentSpread(let s):
                fail(rules.invalid, "\(context): named fragments (\"...\(s.name.value)\") cannot be used in a field set.")
            }
        }
    }

    func isExternal(_ def: FieldDefinition, _ typeIsExternal: Bool) -> Bool {
        typeIsExternal || def.directives.contains { sg.federationName($0) == "external" }
    }

    mutating func key(_ d: Directive, type t: TypeDefinition) {
        let context = "On type \"\(t.name.value)\", for @key(fields: \(d.argument("fields").map { Printer.print($0) } ?? "–"))"
        guard let set = selection(d, .keyInvalidFieldsType, .keyInvalidFields, context) else { return }
        walk(set, on: t.name.value, FieldSetRules(directive: "key", invalid: .keyInvalidFields, directiveInFields: .keyDirectiveInFieldsArg,
                                                   hasArgs: .keyFieldsHasArgs, abstractField: .keyFieldsSelectInvalidType, missingExternal: nil),
             context, underExternal: false)
    }

    mutating func requires(_ d: Directive, field f: FieldDefinition, type t: TypeDefinition) {
        let coordinate = "\(t.name.value).\(f.name.value)"
        if t.kind == .interface {
            fail(.requiresUnsupportedOnInterface, "Cannot use @requires on field \"\(coordinate)\" of parent type \"\(t.name.value)\": @requires is not yet supported within interfaces.")
            return
        }
        let context = "On field \"\(coordinate)\", for @requires(fields: \(d.argument("fields").map { Printer.print($0) } ?? "–"))"
        guard let set = selection(d, .requiresInvalidFieldsType, .requiresInvalidFields, context) else { return }
        walk(set, on: t.name.value, FieldSetRules(directive: "requires", invalid: .requiresInvalidFields, directiveInFields: .requiresDirectiveInFieldsArg,
                                                   hasArgs: nil, abstractField: nil, missingExternal: sg.isFederation2 ? .requiresFieldsMissingExternal : nil),
             context, underExternal: false)
    }

    mutating func provides(_ d: Directive, field f: FieldDefinition, type t: TypeDefinition) {
        let coordinate = "\(t.name.value).\(f.name.value)"
        let named = f.type.namedType.value
        // A leaf field is named first (Apollo checks the field's type before its parent's kind).
        if t.kind == .interface, kinds[named].map({ $0 == .object || $0 == .interface || $0 == .union }) ?? !["String", "Int", "Float", "Boolean", "ID"].contains(named) {
            fail(.providesUnsupportedOnInterface, "Cannot use @provides on field \"\(coordinate)\" of parent type \"\(t.name.value)\": @provides is not yet supported within interfaces")
            return
        }
        guard let kind = kinds[named] else {
            if ["String", "Int", "Float", "Boolean", "ID"].contains(named) {
                fail(.providesOnNonObjectField, "Invalid @provides directive on field \"\(coordinate)\": field has type \"\(f.type)\" which is not a Composite Type")
            }
            return   // an unknown type: the schema's own validation names it
        }
        guard kind == .object || kind == .interface || kind == .union else {
            fail(.providesOnNonObjectField, "Invalid @provides directive on field \"\(coordinate)\": field has type \"\(f.type)\" which is not a Composite Type")
            return
        }
        let context = "On field \"\(coordinate)\", for @provides(fields: \(d.argument("fields").map { Printer.print($0) } ?? "–"))"
        guard let set = selection(d, .providesInvalidFieldsType, .providesInvalidFields, context) else { return }
        walk(set, on: named, FieldSetRules(directive: "provides", invalid: .providesInvalidFields, directiveInFields: .providesDirectiveInFieldsArg,
                                            hasArgs: .providesFieldsHasArgs, abstractField: nil, missingExternal: sg.isFederation2 ? .providesFieldsMissingExternal : nil),
             context, underExternal: false)
    }

    /// An `@override` label: a name (`[A-Za-z][A-Za-z0-9_\-:./]*`) or `percent(N)`, N from 0 to
    /// 100 with at most 8 decimals.
    static func validOverrideLabel(_ label: String) -> Bool {
        let bytes = Array(label.utf8)
        func letter(_ b: UInt8) -> Bool { (65...90).contains(b) || (97...122).contains(b) }
        func digit(_ b: UInt8) -> Bool { (48...57).contains(b) }
        if label.hasPrefix("percent("), label.hasSuffix(")") {
            let number = Array(bytes.dropFirst(8).dropLast())
            let parts = number.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(digit),
                  parts.count == 1 || (!parts[1].isEmpty && parts[1].count <= 8 && parts[1].allSatisfy(digit)),
                  let value = Double(String(decoding: number, as: UTF8.self)) else { return false }
            return value >= 0 && value <= 100
        }
        guard let first = bytes.first, letter(first) else { return false }
        return bytes.allSatisfy { letter($0) || digit($0) || [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "/")].contains($0) }
    }
}
