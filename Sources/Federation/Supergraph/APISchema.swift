import GraphQLCore

/// The API schema of a supergraph (join spec § API schema): the supergraph without the
/// join/link machinery and without anything marked `@inaccessible`.
enum APISchema {
    /// Kept on API schema elements: the built-ins clients see, and demand control (@cost, @listSize) for the gateway's cost analysis.
    static let keptDirectives: Set<String> = ["deprecated", "specifiedBy", "oneOf", "cost", "listSize", "authenticated", "requiresScopes", "policy"]

    static let deferDefinition = """
    "Delivers the fragment's fields in a later payload of an incremental response (when the client accepts one)."
    directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT
    """

    static func isInternal(_ name: String) -> Bool {
        name.hasPrefix("join__") || name.hasPrefix("link__") || name == "link" || name.hasPrefix("federation__")
            || name.hasPrefix("core__") || name == "core"   // the core spec of join v0.1 supergraphs
    }

    /// The types of the specs the supergraph links (`@link`, or `@core` in join v0.1 supergraphs):
    /// each spec's namespace prefix (`requiresScopes__Scope`, `context__ContextFieldValue`) and the
    /// types it imports by name. None of them is the clients' (Apollo's API schema removes them too).
    struct LinkedElements {
        var namespaces: Set<String> = []
        var importedTypes: Set<String> = []
        func isElement(_ name: String) -> Bool {
            if importedTypes.contains(name) { return true }
            guard let separator = name.firstRange(of: "__"), separator.lowerBound > name.startIndex else { return false }
            return namespaces.contains(String(name[..<separator.lowerBound]))
        }
    }

    static func linkedElements(_ document: Document) -> LinkedElements {
        var out = LinkedElements()
        for case .schema(let s) in document.definitions {
            for d in s.directives where ["link", "core"].contains(d.name.value) || d.name.value.hasSuffix("__link") {
                guard case .string(let url, _)? = d.argument("url") ?? d.argument("feature") else { continue }
                // `https://specs.apollo.dev/requiresScopes/v0.1` → `requiresScopes`
                let parts = url.split(separator: "/").map(String.init)
                guard parts.count >= 2 else { continue }
                let name = parts[parts.count - 1].hasPrefix("v") ? parts[parts.count - 2] : parts[parts.count - 1]
                if case .string(let alias, _)? = d.argument("as") { out.namespaces.insert(alias) } else { out.namespaces.insert(name) }
                guard case .list(let imports)? = d.argument("import") else { continue }
                for item in imports {
                    switch item {
                    case .string(let n, _) where !n.hasPrefix("@"):
                        out.importedTypes.insert(n)
                    case .object(let fields):
                        guard case .string(let n, _)? = fields.first(where: { $0.name.value == "name" })?.value, !n.hasPrefix("@") else { continue }
                        if case .string(let alias, _)? = fields.first(where: { $0.name.value == "as" })?.value { out.importedTypes.insert(alias) } else { out.importedTypes.insert(n) }
                    default: continue
                    }
                }
            }
        }
        return out
    }

    static func inaccessible(_ directives: [Directive]) -> Bool {
        directives.contains { $0.name.value == "inaccessible" || $0.name.value.hasSuffix("__inaccessible") }
    }

    static func clean(_ directives: [Directive]) -> [Directive] {
        directives.filter { keptDirectives.contains($0.name.value) }
    }

    /// The `@inaccessible` values of each enum clients see.
    static func hiddenEnumValues(_ document: Document) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for case .type(let t) in document.definitions where t.kind == .enumType && !inaccessible(t.directives) {
            let hidden = Set(t.enumValues.filter { inaccessible($0.directives) }.map(\.name.value))
            if !hidden.isEmpty { out[t.name.value, default: []].formUnion(hidden) }
        }
        return out
    }

    /// A default value clients see names only what they see: an `@inaccessible` enum value or
    /// input field in one would either show clients a name the API schema hides, or be dropped
    /// from the default (changing what an omitted argument means). Such a supergraph is refused,
    /// as Apollo's composition refuses it (`DEFAULT_VALUE_USES_INACCESSIBLE`).
    static func checkDefaults(_ document: Document, hidden: Set<String>) throws {
        var enumHidden: [String: Set<String>] = [:]
        var inputFields: [String: [String: InputValueDefinition]] = [:]
        for case .type(let t) in document.definitions {
            if t.kind == .enumType {
                enumHidden[t.name.value, default: []].formUnion(t.enumValues.filter { inaccessible($0.directives) }.map(\.name.value))
            } else if t.kind == .inputObject {
                for f in t.inputFields { inputFields[t.name.value, default: [:]][f.name.value] = f }
            }
        }
        func check(_ value: Value, _ type: TypeReference, _ coordinate: String, depth: Int = 0) throws {
            guard depth < 64 else { return }
            switch type {
            case .nonNull(let inner):
                try check(value, inner, coordinate, depth: depth + 1)
            case .list(let inner):
                if case .list(let items) = value {
                    for item in items { try check(item, inner, coordinate, depth: depth + 1) }
                } else {
                    try check(value, inner, coordinate, depth: depth + 1)
                }
            case .named(let n):
                let name = n.value
                if case .enumValue(let e) = value, enumHidden[name]?.contains(e) == true {
                    throw FederationError(.invalidSupergraph, "The default value of \(coordinate) uses \"\(name).\(e)\", which is @inaccessible: clients could not see the value they are given.")
                }
                if case .object(let fields) = value, let defs = inputFields[name] {
                    for f in fields {
                        guard let def = defs[f.name.value] else { continue }
                        if inaccessible(def.directives) {
                            throw FederationError(.invalidSupergraph, "The default value of \(coordinate) uses \"\(name).\(f.name.value)\", which is @inaccessible: clients could not see the value they are given.")
                        }
                        try check(f.value, def.type, coordinate, depth: depth + 1)
                    }
                }
            }
        }
        for definition in document.definitions {
            switch definition {
            case .type(let t) where !hidden.contains(t.name.value):
                for f in t.fields where !inaccessible(f.directives) {
                    for a in f.arguments where !inaccessible(a.directives) {
                        if let d = a.defaultValue { try check(d, a.type, "\"\(t.name.value).\(f.name.value)(\(a.name.value):)\"") }
                    }
                }
                for f in t.inputFields where !inaccessible(f.directives) {
                    if let d = f.defaultValue { try check(d, f.type, "\"\(t.name.value).\(f.name.value)\"") }
                }
            case .directive(let d) where !isInternal(d.name.value):
                for a in d.arguments where !inaccessible(a.directives) {
                    if let v = a.defaultValue { try check(v, a.type, "\"@\(d.name.value)(\(a.name.value):)\"") }
                }
            default:
                continue
            }
        }
    }

    static func build(from document: Document, introspection: Bool, deferSupport: Bool = true) throws -> Schema {
        var hidden = Set<String>()
        let linked = linkedElements(document)
        for case .type(let t) in document.definitions
        where inaccessible(t.directives) || isInternal(t.name.value) || linked.isElement(t.name.value) {
            hidden.insert(t.name.value)
        }
        func visible(_ ref: TypeReference) -> Bool { !hidden.contains(ref.namedType.value) }
        try checkDefaults(document, hidden: hidden)
        var definitions: [Definition] = []
        for def in document.definitions {
            switch def {
            case .schema(var s):
                s.directives = []
                s.operationTypes = s.operationTypes.filter { !hidden.contains($0.type.value) }
                definitions.append(.schema(s))
            case .directive(let d):
                // Directives clients can use in operations stay; schema-only machinery goes.
                let executable: Set<String> = ["QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION",
                                               "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "VARIABLE_DEFINITION"]
                if !isInternal(d.name.value), d.name.value != "inaccessible", d.name.value != "tag",
                   d.locations.contains(where: { executable.contains($0.value) }) {
                    var copy = d
                    copy.locations = d.locations.filter { executable.contains($0.value) }
                    definitions.append(.directive(copy))
                }
            case .type(var t):
                guard !hidden.contains(t.name.value) else { continue }
                t.directives = clean(t.directives)
                t.fields = t.fields.filter { !inaccessible($0.directives) && visible($0.type) }.map { f in
                    var f = f
                    // Arguments the gateway fills from a context (`@fromContext`) are not the client's.
                    let contextual = Set(f.directives.filter { $0.name.value == "join__field" }.flatMap { d -> [String] in
                        guard case .list(let items)? = d.argument("contextArguments") else { return [] }
                        return items.compactMap { item in
                            guard case .object(let fields) = item, case .string(let n, _)? = fields.first(where: { $0.name.value == "name" })?.value else { return nil }
                            return n
                        }
                    })
                    f.directives = clean(f.directives)
                    f.arguments = f.arguments.filter { !inaccessible($0.directives) && !contextual.contains($0.name.value) }
                        .map { var a = $0; a.directives = clean(a.directives); return a }
                    return f
                }
                t.inputFields = t.inputFields.filter { !inaccessible($0.directives) }.map { var a = $0; a.directives = clean(a.directives); return a }
                t.enumValues = t.enumValues.filter { !inaccessible($0.directives) }.map { var v = $0; v.directives = clean(v.directives); return v }
                t.unionMembers = t.unionMembers.filter { !hidden.contains($0.value) }
                t.interfaces = t.interfaces.filter { !hidden.contains($0.value) }
                definitions.append(.type(t))
            default:
                break
            }
        }
        // Incremental delivery: `@defer` is the gateway's own (answered by the shaper, never
        // sent to a subgraph), unless the supergraph defines it.
        if deferSupport, !definitions.contains(where: { if case .directive(let d) = $0 { return d.name.value == "defer" } else { return false } }) {
            definitions += try Parser.parse(deferDefinition, options: .schema).definitions
        }
        // A deprecated required argument or input field is served: the supergraph was composed
        // elsewhere, and Apollo's router serves one that has them (its fixture
        // `supergraph_with_deprecated_required_input_values`); our own composition refuses them.
        return try Schema(document: Document(definitions: definitions), introspection: introspection, requiredInputsMayBeDeprecated: true)
    }
}
