import GraphQLCore

/// `@authenticated`, `@requiresScopes` and `@policy` (from the subgraphs, kept in the API schema;
/// a policy is satisfied when the token's policies claim names it): fields
/// the request may not see are removed from the plan, each with an error at its path, and
/// answered `null` in the response (without null propagation, as Apollo's and Hive's routers
/// do); the rest is served.
struct FieldAuthorization {
    let schema: Schema
    let authenticated: Bool
    /// Compared byte for byte (a scope "é" is not "e" + U+0301, as a token's issuer wrote it).
    let scopes: Set<ExactText>
    let policies: Set<ExactText>
    let fragments: [String: FragmentDefinition]
    var errors: [GraphQLError] = []
    /// The removed fields (source offsets): the response answers them `null`.
    var nulled: Set<Int32> = []
    /// The fragments left out (source offsets).
    var refused: Set<Int32> = []
    let source: Source

    init(schema: Schema, context: RequestContext, document: Document, source: Source) {
        self.schema = schema
        self.authenticated = context.authenticated
        self.scopes = Set(context.scopes.map(ExactText.init))
        self.policies = Set(context.policies.map(ExactText.init))
        var f: [String: FragmentDefinition] = [:]
        for frag in document.fragments { f[frag.name.value] = frag }
        self.fragments = f
        self.source = source
    }

    /// Whether the directives allow this request.
    func allowed(_ directives: [Directive]) -> Bool {
        if directives.contains(where: { $0.name.value == "authenticated" }) && !authenticated { return false }
        for d in directives {
            let held: Set<ExactText>, argument: String
            switch d.name.value {
            case "requiresScopes": (held, argument) = (scopes, "scopes")
            case "policy": (held, argument) = (policies, "policies")
            default: continue
            }
            // OR of ANDs: one inner list fully held is enough (coerced as its `[[…!]!]!` type
            // takes it: `["a"]` requires `a`; an argument that is no such value allows nothing,
            // nor does an empty requirement).
            guard let alternatives = d.arguments.first(where: { $0.name.value == argument })?.value.stringListsCoerced else { return false }
            let ok = alternatives.contains { needed in !needed.isEmpty && needed.allSatisfy { held.contains(ExactText($0)) } }
            if !ok { return false }
        }
        return true
    }

    /// Whether the request may not see field `def` selected on `parent`: its own directives (and
    /// those of the interface fields it implements), its type's, its parent type's (a protected
    /// root type protects every root field) and, on an abstract parent, those of every object
    /// type it may be read from and of their field (one protected implementation protects the
    /// field asked of the interface or union, since the plan cannot tell the objects apart).
    /// Meta fields (`__typename`, introspection) are open.
    func denied(_ parent: NamedType, _ def: FieldDef, _ named: NamedType?) -> Bool {
        if def.name.hasPrefix("__") { return false }
        if fieldDenied(parent, def.name) || (named.map(typeDenied) ?? false) || typeDenied(parent) { return true }
        guard parent.kind.isAbstract else { return false }
        for name in schema.possibleTypes(parent) {
            guard let t = schema.types[name] else { continue }
            if typeDenied(t) || fieldDenied(t, def.name) { return true }
        }
        return false
    }

    /// A type the request may not see (its own directives): a fragment on it is left out too.
    func typeDenied(_ t: NamedType) -> Bool { !allowed(t.directives) }

    /// Field `name` of `t` by its directives, or by those of an interface of `t` that declares
    /// it (the field or the whole interface): an interface's protection holds however its field
    /// is reached, through the interface or through an object implementing it.
    func fieldDenied(_ t: NamedType, _ name: String) -> Bool {
        if let f = t.fields[name], !allowed(f.directives) { return true }
        return t.interfaces.contains { i in
            guard let it = schema.types[i], let f = it.fields[name] else { return false }
            return !allowed(f.directives) || !allowed(it.directives)
        }
    }

    static let accessDirectives: Set<String> = ["authenticated", "requiresScopes", "policy"]

    /// True when nothing needs filtering (the common case: no such directive anywhere).
    static func schemaUsesAuthorization(_ schema: Schema) -> Bool {
        schema.types.values.contains { t in
            t.directives.contains { accessDirectives.contains($0.name.value) }
                || t.fields.values.contains { f in f.directives.contains { accessDirectives.contains($0.name.value) } }
        }
    }

    /// Whether the request may not see some field of the operation (a walk that copies nothing:
    /// most requests are allowed everything, and need no filtered copy of their operation).
    func deniesAny(_ op: OperationDefinition) -> Bool {
        guard let root = schema.rootTypeName(op.operation).flatMap({ schema.types[$0] }) else { return false }
        return deniesAny(op.selectionSet, root, visiting: [])
    }

    func deniesAny(_ set: SelectionSet, _ type: NamedType, visiting: Set<String>) -> Bool {
        for sel in set.selections {
            switch sel {
            case .field(let f):
                guard let def = schema.field(type, f.name.value) else { continue }
                let named = schema.namedType(def.type)
                if denied(type, def, named) { return true }
                if let ss = f.selectionSet, let named, deniesAny(ss, named, visiting: visiting) { return true }
            case .inlineFragment(let i):
                let t = i.typeCondition.flatMap { schema.types[$0.value] } ?? type
                if typeDenied(t) || deniesAny(i.selectionSet, t, visiting: visiting) { return true }
            case .fragmentSpread(let s):
                guard let frag = fragments[s.name.value], !visiting.contains(s.name.value), let t = schema.types[frag.typeCondition.value] else { continue }
                if typeDenied(t) || deniesAny(frag.selectionSet, t, visiting: visiting.union([s.name.value])) { return true }
            }
        }
        return false
    }

    /// The operation with unauthorized fields removed (fragment spreads inlined where needed).
    mutating func filter(_ op: OperationDefinition) -> OperationDefinition {
        guard let root = schema.rootTypeName(op.operation).flatMap({ schema.types[$0] }) else { return op }
        var copy = op
        copy.selectionSet = filter(op.selectionSet, root, path: [], visiting: [])
        return copy
    }

    mutating func filter(_ set: SelectionSet, _ type: NamedType, path: [PathElement], visiting: Set<String>) -> SelectionSet {
        var out: [Selection] = []
        for sel in set.selections {
            switch sel {
            case .field(var f):
                guard let def = schema.field(type, f.name.value) else { out.append(sel); continue }
                let named = schema.namedType(def.type)
                let fieldPath = path + [.key(f.responseKey)]
                if denied(type, def, named) {
                    errors.append(GraphQLError("Unauthorized field or type", locations: [source.location(of: Int(f.span.start))],
                                               path: fieldPath, code: "UNAUTHORIZED_FIELD_OR_TYPE"))
                    // Where another node of the same response key is allowed (a fragment's), the
                    // two merge and what only this node selects answers null (`ShapingProgram`).
                    nulled.insert(f.span.start)
                    continue
                }
                if let ss = f.selectionSet, let named {
                    f.selectionSet = filter(ss, named, path: fieldPath, visiting: visiting)
                }
                out.append(.field(f))
            case .inlineFragment(var i):
                let t = i.typeCondition.flatMap { schema.types[$0.value] } ?? type
                // A fragment on the parent's own type (or none) is the same selection as its
                // fields bare (§6.3.2): they are judged one by one, not the fragment whole.
                if t.name != type.name, typeDenied(t) {
                    refuseFragment(at: i.span.start, path: path)
                    continue
                }
                i.selectionSet = filter(i.selectionSet, t, path: path, visiting: visiting)
                out.append(.inlineFragment(i))
            case .fragmentSpread(let s):
                guard let frag = fragments[s.name.value], !visiting.contains(s.name.value), let t = schema.types[frag.typeCondition.value] else { continue }
                if t.name != type.name, typeDenied(t) {
                    refuseFragment(at: s.span.start, path: path)
                    continue
                }
                // Inline it: the same fragment may need different filtering at different places.
                out.append(.inlineFragment(InlineFragment(typeCondition: frag.typeCondition, directives: s.directives,
                                                          selectionSet: filter(frag.selectionSet, t, path: path, visiting: visiting.union([s.name.value])))))
            }
        }
        // A selection set emptied by the filter still needs a field.
        if out.isEmpty { out = [.field(Field(name: Name("__typename")))] }
        return SelectionSet(selections: out, span: set.span)
    }

    /// A fragment on a type the request may not see is left out (the objects of that type answer
    /// none of its fields), with an error at the field the fragment is in.
    mutating func refuseFragment(at offset: Int32, path: [PathElement]) {
        refused.insert(offset)
        errors.append(GraphQLError("Unauthorized field or type", locations: [source.location(of: Int(offset))],
                                   path: path.isEmpty ? nil : path, code: "UNAUTHORIZED_FIELD_OR_TYPE"))
    }
}

extension Document {
    /// This document without the fragments at `offsets` (inline fragments and spreads, by where
    /// they start): the client's document a response is shaped by once authorization left some
    /// fragments out (their objects answer none of their fields).
    func leavingOut(fragmentsAt offsets: Set<Int32>) -> Document {
        func strip(_ set: SelectionSet) -> SelectionSet {
            var out = set
            out.selections = set.selections.compactMap { selection in
                switch selection {
                case .field(var f):
                    f.selectionSet = f.selectionSet.map(strip)
                    return .field(f)
                case .inlineFragment(var i):
                    guard !offsets.contains(i.span.start) else { return nil }
                    i.selectionSet = strip(i.selectionSet)
                    return .inlineFragment(i)
                case .fragmentSpread(let s):
                    return offsets.contains(s.span.start) ? nil : selection
                }
            }
            return out
        }
        return mappingSelectionSets(strip)
    }
}

/// Stage: `@authenticated` / `@requiresScopes`. What this request may not see is removed from
/// the operation (each with an error at its path); the context records what was removed, since
/// the same text then plans differently.
enum AuthorizationStage {
    struct Authorized {
        var document: Document
        /// Fields removed (source offsets), answered null.
        var nulledFields: Set<Int32> = []
        /// The client's document the response is shaped by when fields were removed: the fragments
        /// left out are not in it.
        var clientDocument: Document
        var errors: [GraphQLError] = []
        var context: RequestContext
        /// Every root field was removed (a subscription has nothing left to subscribe to).
        var nothingLeft = false
    }

    /// What an operation's authorization depends on besides its text: the credentials, each
    /// scope and policy written with its length (joined by a separator, the scope "a b" and the
    /// scopes "a" and "b" made one key, and one's result served to the other — probe 41A).
    static func key(_ operationKey: String, _ context: RequestContext) -> String {
        func encoded(_ names: [String]) -> String {
            Set(names.map(ExactText.init)).map(\.text).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { "\($0.utf8.count):\($0)" }.joined()
        }
        return operationKey + (context.authenticated ? "|a|" : "|-|") + encoded(context.scopes) + "|" + encoded(context.policies)
    }

    static func apply(_ document: Document, _ operation: OperationDefinition, source: Source, schema: Schema,
                      context: RequestContext, schemaUsesAuthorization: Bool) -> Authorized {
        var out = Authorized(document: document, clientDocument: document, context: context)
        guard schemaUsesAuthorization else { return out }
        var auth = FieldAuthorization(schema: schema, context: context, document: document, source: source)
        guard auth.deniesAny(operation) else { return out }
        let filtered = auth.filter(operation)
        guard !auth.errors.isEmpty else { return out }
        out.document = Document(definitions: [.operation(filtered)])
        out.nulledFields = auth.nulled
        if !auth.refused.isEmpty { out.clientDocument = document.leavingOut(fragmentsAt: auth.refused) }
        // One error per field and place: a fragment spread twice where it is refused is one.
        var seen = Set<GraphQLError>()
        out.errors = auth.errors.filter { seen.insert($0).inserted }
        // A root field left, in a fragment too (an emptied fragment leaves nothing).
        func leavesAField(_ set: SelectionSet) -> Bool {
            set.selections.contains { selection in
                switch selection {
                case .field(let f): return f.name.value != "__typename"
                case .inlineFragment(let i): return leavesAField(i.selectionSet)
                case .fragmentSpread: return true
                }
            }
        }
        out.nothingLeft = !leavesAField(filtered.selectionSet)
        // The plan's variant: what was removed, by place in the text (two requests whose tokens
        // remove different fields or fragments at one path must not share a plan).
        out.context.removedFields = auth.nulled.sorted().map(String.init).joined(separator: ",") + "|"
            + auth.refused.sorted().map(String.init).joined(separator: ",")
        return out
    }
}
