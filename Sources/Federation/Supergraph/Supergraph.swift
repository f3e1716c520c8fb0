import GraphQLCore
import OrderedCollections

/// A supergraph in Apollo's join-spec format (join v0.2+): which subgraph resolves which type
/// and field, entity keys, `@requires`/`@provides`, and the API schema clients see.
///
/// ```swift
/// let supergraph = try Supergraph(sdl: text)
/// let plan = try QueryPlanner(supergraph: supergraph).plan(document, operationName: nil)
/// ```
public final class Supergraph: Sendable {
    public struct Graph: Sendable, Hashable {
        /// The `join__Graph` enum value (e.g. `ACCOUNTS`).
        public let id: String
        /// The subgraph's name (e.g. `accounts`).
        public let name: String
        public let url: String
    }

    public struct TypeGraph: Sendable {
        public var keys: [SelectionSet] = []
        public var resolvableKeys: [SelectionSet] = []
        public var isInterfaceObject = false
        public var isExtension = false
    }

    public struct FieldGraph: Sendable {
        public var external = false
        public var requires: SelectionSet?
        public var provides: SelectionSet?
        public var override: String?
        /// `@override(label:)` of this graph's definition (progressive override, e.g. `percent(25)`).
        public var overrideLabel: String?
        /// The field moved to another graph by `@override`; this graph keeps it only for keys and `@requires`.
        public var usedOverridden = false
        /// The field's type in this graph when it differs from the supergraph's (`@join__field(type:)`).
        public var type: TypeReference?
        /// Arguments the gateway fills from an ancestor's context (`@fromContext`).
        public var contextArguments: [ContextArgument] = []
    }

    /// An argument whose value comes from the nearest ancestor object that sets `context`
    /// (`@context` on its type): the value `selection` picks from that object.
    public struct ContextArgument: Sendable, Hashable {
        public let name: String
        public let type: String
        public let context: String
        public let selection: SelectionSet
    }

    public struct TypeInfo: Sendable {
        public let name: String
        public let kind: TypeKind
        /// Graph id → membership (keys etc.).
        public var graphs: OrderedDictionary<String, TypeGraph> = [:]
        /// Field name → graph id → join info. A field without `@join__field` is in every graph of its type.
        public var fields: [String: OrderedDictionary<String, FieldGraph>] = [:]
        /// Interfaces implemented per graph (`@join__implements`); union members per graph.
        public var implementsByGraph: [String: [String]] = [:]
        public var unionMembersByGraph: [String: [String]] = [:]
        /// Contexts objects of this type set for their descendants (`@context(name:)`).
        public var contexts: [String] = []
    }

    public let graphs: [Graph]
    public let types: [String: TypeInfo]
    /// The full supergraph schema (with join directives).
    public let schema: Schema
    /// The schema clients see: no join/link machinery, no `@inaccessible` elements.
    public let apiSchema: Schema
    /// Enum values `@inaccessible` hides from clients, by enum: a subgraph may still answer one
    /// (it is in the supergraph's enum), and the client then sees null, not an error.
    public let hiddenEnumValues: [String: Set<String>]
    /// Types of the supergraph `@inaccessible` hides from clients: a subgraph may still answer an
    /// object of one (answered null without an error), unlike a type no subgraph has.
    public let hiddenTypes: Set<String>
    /// Interfaces some subgraph has as an `@interfaceObject`: an object of one may be known without
    /// its object type (that subgraph's answer); at any other interface's place it is no answer.
    public let interfaceObjects: Set<String>
    /// Clients may use `@defer` (the API schema has it).
    public let deferSupport: Bool
    public let sdl: String

    public func graph(id: String) -> Graph? { graphs.first { $0.id == id } }
    public func graph(named name: String) -> Graph? { graphs.first { $0.name == name } }

    /// - Parameter deferSupport: the API schema has `@defer` (the gateway answers it).
    public convenience init(sdl: String, introspection: Bool = true, deferSupport: Bool = true) throws {
        let doc = try Parser.parse(sdl, options: .schema)
        try self.init(document: doc, sdl: sdl, introspection: introspection, deferSupport: deferSupport)
    }

    public init(document: Document, sdl: String, introspection: Bool = true, deferSupport: Bool = true) throws {
        let document = Self.canonicalDirectiveNames(Self.joinDirectivesLifted(document))
        self.sdl = sdl
        schema = try Schema(document: document, validate: false)
        guard let graphEnum = schema.types["join__Graph"], graphEnum.kind == .enumType else {
            for case .schema(let s) in document.definitions {
                for d in s.directives where d.name.value == "link" {
                    guard let url = d.string("url"), url.contains("specs.apollo.dev/join/"), let alias = d.string("as"), alias != "join" else { continue }
                    throw FederationError(.invalidSupergraph, "The supergraph links the join spec as \"\(alias)\": this gateway reads join's elements by their own names (join__Graph, @join__type, …), as Apollo's composition writes them.")
                }
            }
            throw FederationError(.invalidSupergraph, "The supergraph has no join__Graph enum; is it in the join-spec format?")
        }
        try Self.checkFeatures(document)
        var graphs: [Graph] = []
        for (id, value) in graphEnum.enumValues {
            guard let d = value.directives.first(where: { $0.name.value == "join__graph" }) else { continue }
            graphs.append(Graph(id: id, name: d.string("name") ?? id.lowercased(), url: d.string("url") ?? ""))
        }
        var names = Set<String>()
        for g in graphs where !names.insert(g.name).inserted {
            throw FederationError(.invalidSupergraph, "Two values of join__Graph are named \"\(g.name)\" in @join__graph: one graph's fetches would go to the other.")
        }
        try Self.checkGraphArguments(document)
        self.graphs = graphs
        // Every graph a join directive names must be one of join__Graph's (else its fields would
        // be planned to a subgraph with no URL, failing only when a query reaches them).
        let graphIDs = Set(graphs.map(\.id))
        func known(_ g: String?, _ directive: String, _ on: String) throws -> String? {
            guard let g else { return nil }
            guard graphIDs.contains(g) else {
                throw FederationError(.invalidSupergraph, "@\(directive) on \(on) names graph \(g), which is not a value of join__Graph with @join__graph.")
            }
            return g
        }

        // join v0.1: a field without @join__field is its owner's, except where another graph has
        // it too — the fields of that graph's @key (which it returns with its references), and
        // those a @provides of it gives (external there, answered where provided).
        var keyedIn: [String: [String: Set<String>]] = [:], providedIn: [String: [String: Set<String>]] = [:]
        if schema.types.values.contains(where: { t in t.directives.contains { $0.name.value == "join__owner" } }) {
            let schema = self.schema
            func mark(_ set: SelectionSet, on type: String, _ g: String, _ into: inout [String: [String: Set<String>]]) {
                for case .field(let f) in set.selections {
                    into[type, default: [:]][f.name.value, default: []].insert(g)
                    if let sub = f.selectionSet, let inner = schema.types[type]?.fields[f.name.value]?.type.namedType.value {
                        mark(sub, on: inner, g, &into)
                    }
                }
                for case .inlineFragment(let i) in set.selections { mark(i.selectionSet, on: i.typeCondition?.value ?? type, g, &into) }
            }
            for (name, t) in schema.types {
                for d in t.directives where d.name.value == "join__type" {
                    if let g = d.enumValue("graph"), let key = d.string("key"), let set = try? FieldSet.parse(key) { mark(set, on: name, g, &keyedIn) }
                }
                for (_, f) in t.fields {
                    for d in f.directives where d.name.value == "join__field" {
                        if let g = d.enumValue("graph"), let p = d.string("provides"), let set = try? FieldSet.parse(p) {
                            mark(set, on: f.type.namedType.value, g, &providedIn)
                        }
                    }
                }
            }
        }

        var types: [String: TypeInfo] = [:]
        for (name, t) in schema.types where !name.hasPrefix("__") && !name.hasPrefix("join__") && !name.hasPrefix("link__") {
            var info = TypeInfo(name: name, kind: t.kind)
            for d in t.directives where d.name.value == "context" || d.name.value.hasSuffix("__context") {
                if let n = d.string("name") { info.contexts.append(n) }
            }
            for d in t.directives where d.name.value == "join__type" {
                guard let g = try known(d.enumValue("graph"), "join__type", "\"\(name)\"") else { continue }
                var tg = info.graphs[g] ?? TypeGraph()
                if let key = d.string("key") {
                    let set = try FieldSet.parse(key)
                    tg.keys.append(set)
                    if d.bool("resolvable") ?? true { tg.resolvableKeys.append(set) }
                }
                if d.bool("isInterfaceObject") == true { tg.isInterfaceObject = true }
                if d.bool("extension") == true { tg.isExtension = true }
                info.graphs[g] = tg
            }
            for d in t.directives where d.name.value == "join__implements" {
                if let g = try known(d.enumValue("graph"), "join__implements", "\"\(name)\""), let i = d.string("interface") { info.implementsByGraph[g, default: []].append(i) }
            }
            for d in t.directives where d.name.value == "join__unionMember" {
                if let g = try known(d.enumValue("graph"), "join__unionMember", "\"\(name)\""), let m = d.string("member") { info.unionMembersByGraph[g, default: []].append(m) }
            }
            // A type with no @join__type belongs to every graph (join spec).
            if info.graphs.isEmpty { for g in graphs { info.graphs[g.id] = TypeGraph() } }
            // join v0.1 (Federation 1 supergraphs): an entity's fields without @join__field belong to
            // its owner only.
            let owner = try known(t.directives.first { $0.name.value == "join__owner" }?.enumValue("graph"), "join__owner", "\"\(name)\"")
            for (fname, f) in t.fields {
                var byGraph = OrderedDictionary<String, FieldGraph>()
                let joins = f.directives.filter { $0.name.value == "join__field" }
                if joins.isEmpty {
                    if let owner { byGraph[owner] = FieldGraph() } else {
                        for g in info.graphs.keys { byGraph[g] = FieldGraph() }
                    }
                } else {
                    for d in joins {
                        // @join__field with no graph: the field is not resolved by any graph (e.g. context fields).
                        guard let g = try known(d.enumValue("graph"), "join__field", "\"\(name).\(fname)\"") else { continue }
                        var fg = FieldGraph()
                        fg.external = d.bool("external") ?? false
                        if let r = d.string("requires") {
                            let set = try FieldSet.parse(r)
                            // What Apollo's composition never prints: a @requires of the field
                            // itself, or of a field its type does not have (every query reaching
                            // it would fail to plan, one of them past the depth limit).
                            if set.selections.contains(where: { if case .field(let rf) = $0 { return rf.name.value == fname } else { return false } }) {
                                throw FederationError(.invalidSupergraph, "@join__field on \"\(name).\(fname)\" requires the field itself.")
                            }
                            if let missing = Self.unknownField(in: set, on: name, schema) {
                                throw FederationError(.invalidSupergraph, "@join__field on \"\(name).\(fname)\" requires \(missing), which does not exist.")
                            }
                            fg.requires = set
                        }
                        if let p = d.string("provides") { fg.provides = try FieldSet.parse(p) }
                        fg.override = d.string("override")
                        fg.overrideLabel = d.string("overrideLabel")
                        fg.usedOverridden = d.bool("usedOverridden") ?? false
                        if let t = d.string("type") { fg.type = try? Parser.parseType(t) }
                        if case .list(let items)? = d.argument("contextArguments") {
                            for case .object(let fields) in items {
                                func str(_ k: String) -> String? {
                                    if case .string(let v, _)? = fields.first(where: { $0.name.value == k })?.value { return v }
                                    return nil
                                }
                                guard let name = str("name"), let context = str("context"), let sel = str("selection") else { continue }
                                let text = String(sel.drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
                                let inner = text.hasPrefix("{") && text.hasSuffix("}") ? String(text.dropFirst().dropLast()) : text
                                fg.contextArguments.append(ContextArgument(name: name, type: str("type") ?? "String", context: context,
                                                                           selection: try FieldSet.parse(inner)))
                            }
                        }
                        byGraph[g] = fg
                    }
                }
                if owner != nil {
                    for g in keyedIn[name]?[fname] ?? [] where info.graphs[g] != nil && byGraph[g] == nil { byGraph[g] = FieldGraph() }
                    for g in providedIn[name]?[fname] ?? [] where info.graphs[g] != nil && byGraph[g] == nil {
                        var fg = FieldGraph()
                        fg.external = true
                        byGraph[g] = fg
                    }
                }
                info.fields[fname] = byGraph
            }
            types[name] = info
        }
        self.types = types
        apiSchema = try APISchema.build(from: document, introspection: introspection, deferSupport: deferSupport)
        self.deferSupport = deferSupport
        hiddenEnumValues = APISchema.hiddenEnumValues(document)
        hiddenTypes = Set(schema.types.keys).subtracting(apiSchema.types.keys)
        interfaceObjects = Set(types.values.filter { $0.graphs.values.contains { $0.isInterfaceObject } }.map(\.name))
    }

    /// The directives of the specifications the gateway reads (demand control, access control,
    /// `@inaccessible`, `@tag`, `@context`) under their own names, however the supergraph's `@link`
    /// imported them (`import: [{ name: "@cost", as: "@renamedCost" }]`, or unimported as
    /// `@cost__listSize`): what reads them looks for `@cost`, `@listSize`, `@policy`, ….
    static func canonicalDirectiveNames(_ document: Document) -> Document {
        let specs: Set<String> = ["cost", "authenticated", "requiresScopes", "policy", "inaccessible", "tag", "context"]
        var renames: [String: String] = [:]
        for case .schema(let s) in document.definitions {
            // `@core(feature:, as:)` in supergraphs of the core spec (join v0.1) names its spec's
            // directive as `@link(url:, as:)` does.
            for d in s.directives where d.name.value == "link" || d.name.value == "core" {
                guard let url = d.string(d.name.value == "link" ? "url" : "feature") else { continue }
                let parts = url.split(separator: "/").map(String.init)
                let spec = parts.count >= 2 && parts.last!.hasPrefix("v") ? parts[parts.count - 2] : (parts.last ?? url)
                guard specs.contains(spec) else { continue }
                let namespace = d.string("as") ?? spec
                if namespace != spec { renames[namespace] = spec }   // the spec's own directive, renamed by `as:`
                var imported = Set<String>()
                if case .list(let imports)? = d.argument("import") {
                    for item in imports {
                        switch item {
                        case .string(let n, _):
                            imported.insert(String(n.drop { $0 == "@" }))
                        case .object(let fields):
                            func str(_ k: String) -> String? {
                                if case .string(let v, _)? = fields.first(where: { $0.name.value == k })?.value { return String(v.drop { $0 == "@" }) }
                                return nil
                            }
                            guard let name = str("name") else { continue }
                            imported.insert(name)
                            if let local = str("as"), local != name { renames[local] = name }
                        default:
                            continue
                        }
                    }
                }
                // What is not imported keeps the namespace: `@cost__listSize`.
                for name in ["cost", "listSize", "authenticated", "requiresScopes", "policy", "inaccessible", "tag", "context"] where !imported.contains(name) {
                    renames["\(namespace)__\(name)"] = name
                }
                // Renamed, the spec's directive is no longer its own name: a `@inaccessible` there
                // is some other directive (probe 55H: it still hid what it was on).
                if namespace != spec, !imported.contains(spec), renames[spec] == nil { renames[spec] = spec + "__notLinked" }
            }
        }
        guard !renames.isEmpty else { return document }
        func fix(_ ds: [Directive]) -> [Directive] {
            ds.map { d in
                guard let to = renames[d.name.value] else { return d }
                var d = d
                d.name = Name(to, span: d.name.span)
                return d
            }
        }
        func fix(_ values: [InputValueDefinition]) -> [InputValueDefinition] {
            values.map { v in var v = v; v.directives = fix(v.directives); return v }
        }
        let defined = Set(document.definitions.compactMap { if case .directive(let d) = $0 { return d.name.value } else { return nil } })
        var definitions: [Definition] = []
        for def in document.definitions {
            switch def {
            case .type(var t):
                t.directives = fix(t.directives)
                t.fields = t.fields.map { f in var f = f; f.directives = fix(f.directives); f.arguments = fix(f.arguments); return f }
                t.inputFields = fix(t.inputFields)
                t.enumValues = t.enumValues.map { v in var v = v; v.directives = fix(v.directives); return v }
                definitions.append(.type(t))
            case .directive(var d):
                if let to = renames[d.name.value] {
                    // Defined under its own name too: one definition (unless that name is renamed away).
                    if defined.contains(to), renames[to] == nil { continue }
                    d.name = Name(to, span: d.name.span)
                }
                d.arguments = fix(d.arguments)
                definitions.append(.directive(d))
            default:
                definitions.append(def)
            }
        }
        var out = document
        out.definitions = definitions
        return out
    }

    /// Demand control as Apollo's composition (2.9 and later) may write it: a subgraph's `@cost` or
    /// `@listSize` carried in `@join__directive(graphs:, name: "cost", args: {weight: 5})`. Each
    /// becomes the directive itself on its element, as if linked (`@cost(weight: 5)`); for an
    /// element several subgraphs weigh differently, the greatest weight and the first
    /// `@listSize` stand. An element's own `@cost`/`@listSize` is kept as it is.
    static func joinDirectivesLifted(_ document: Document) -> Document {
        let lifted: [String: String] = ["cost": "cost", "listSize": "listSize", "federation__cost": "cost", "federation__listSize": "listSize"]
        func lift(_ ds: [Directive]) -> [Directive] {
            guard ds.contains(where: { $0.name.value == "join__directive" }) else { return ds }
            var out = ds
            var weight: (Int, Directive)?
            var listSize: Directive?
            for d in ds where d.name.value == "join__directive" {
                guard let name = d.string("name"), let to = lifted[name], !ds.contains(where: { $0.name.value == to }) else { continue }
                var arguments: [Argument] = []
                if case .object(let fields)? = d.argument("args") {
                    arguments = fields.map { Argument(name: $0.name, value: $0.value, span: $0.span) }
                }
                let directive = Directive(name: Name(to, span: d.name.span), arguments: arguments, span: d.span)
                if to == "cost" {
                    guard case .int(let text)? = arguments.first(where: { $0.name.value == "weight" })?.value, let w = Int(text) else { continue }
                    if weight == nil || w > weight!.0 { weight = (w, directive) }
                } else if listSize == nil {
                    listSize = directive
                }
            }
            if let weight { out.append(weight.1) }
            if let listSize { out.append(listSize) }
            return out
        }
        func lift(_ values: [InputValueDefinition]) -> [InputValueDefinition] {
            values.map { v in var v = v; v.directives = lift(v.directives); return v }
        }
        var out = document
        out.definitions = document.definitions.map { def in
            guard case .type(var t) = def else { return def }
            t.directives = lift(t.directives)
            t.fields = t.fields.map { f in var f = f; f.directives = lift(f.directives); f.arguments = lift(f.arguments); return f }
            t.inputFields = lift(t.inputFields)
            t.enumValues = t.enumValues.map { v in var v = v; v.directives = lift(v.directives); return v }
            return .type(t)
        }
        return out
    }

    /// Specifications a supergraph may need for its security or its execution that the gateway
    /// implements: `https://specs.apollo.dev/<name>/v<major>.<minor>`, by name with the versions
    /// known (major, highest minor).
    static let supportedFeatures: [String: [(major: Int, minor: Int)]] = [
        "link": [(1, 0)], "core": [(0, 2)], "join": [(0, 5)], "tag": [(0, 3)], "inaccessible": [(0, 2)],
        "authenticated": [(0, 1)], "requiresScopes": [(0, 1)], "policy": [(0, 1)], "context": [(0, 1)], "cost": [(0, 1)],
        "federation": [(2, 12)],
    ]

    /// A feature linked `for: SECURITY` or `for: EXECUTION` that the gateway does not implement
    /// refuses the supergraph (link spec: serving it without the feature would be insecure or
    /// wrong — Apollo Connectors' `@connect`, say, or an unknown authorization spec). A feature is
    /// known by its whole identity (`https://specs.apollo.dev/<name>`, not the name alone) and a
    /// version the gateway knows. Apollo Connectors linked by a subgraph (carried as
    /// `@join__directive(name: "link", args: {url: …/connect/…})`) refuse it too.
    static func checkFeatures(_ document: Document) throws {
        for case .schema(let s) in document.definitions {
            for d in s.directives where d.name.value == "link" || d.name.value == "core" {
                guard let purpose = d.enumValue("for"), purpose == "SECURITY" || purpose == "EXECUTION",
                      let url = d.string(d.name.value == "link" ? "url" : "feature") else { continue }
                guard supports(url) else {
                    throw FederationError(.invalidSupergraph, "The supergraph links \(url) for \(purpose), a feature this gateway does not implement: serving it without the feature would be \(purpose == "SECURITY" ? "insecure" : "wrong").")
                }
            }
            for d in s.directives where d.name.value.hasSuffix("__directive") && d.string("name") == "link" {
                guard case .object(let args)? = d.argument("args"),
                      case .string(let url, _)? = args.first(where: { $0.name.value == "url" })?.value,
                      url.contains("specs.apollo.dev/connect/") else { continue }
                throw FederationError(.invalidSupergraph, "A subgraph of the supergraph links \(url) (Apollo Connectors), a feature this gateway does not implement: its fields would be fetched wrongly.")
            }
        }
    }

    /// The first field of a field set its type does not have (`"Product.nosuch"`), nil when all exist.
    static func unknownField(in set: SelectionSet, on type: String, _ schema: Schema) -> String? {
        guard let t = schema.types[type] else { return nil }
        for sel in set.selections {
            switch sel {
            case .field(let f):
                let name = f.name.value
                if name == "__typename" { continue }
                guard let def = schema.field(t, name) else { return "\"\(type).\(name)\"" }
                if let sub = f.selectionSet, let inner = unknownField(in: sub, on: def.type.namedType.value, schema) { return inner }
            case .inlineFragment(let i):
                if let inner = unknownField(in: i.selectionSet, on: i.typeCondition?.value ?? type, schema) { return inner }
            case .fragmentSpread:
                continue
            }
        }
        return nil
    }

    /// A join directive's `graph:` is a value of `join__Graph` (an enum value): written any
    /// other way (`graph: "ACCOUNTS"`) it would be passed over, and the element planned as if the
    /// directive were not there.
    static func checkGraphArguments(_ document: Document) throws {
        func check(_ directives: [Directive], _ on: String) throws {
            for d in directives where d.name.value.hasPrefix("join__") {
                guard let value = d.argument("graph") else { continue }
                if case .enumValue = value { continue }
                throw FederationError(.invalidSupergraph, "@\(d.name.value) on \(on) gives graph as \(Printer.print(value)), not a value of join__Graph.")
            }
        }
        for case .type(let t) in document.definitions {
            try check(t.directives, "\"\(t.name.value)\"")
            for f in t.fields { try check(f.directives, "\"\(t.name.value).\(f.name.value)\"") }
            for f in t.inputFields { try check(f.directives, "\"\(t.name.value).\(f.name.value)\"") }
            for v in t.enumValues { try check(v.directives, "\"\(t.name.value).\(v.name.value)\"") }
        }
    }

    /// Whether the gateway implements the feature at `url` (`https://specs.apollo.dev/join/v0.3`).
    static func supports(_ url: String) -> Bool {
        var rest = Substring(url)
        for scheme in ["https://", "http://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "specs.apollo.dev", parts[2].hasPrefix("v"),
              let known = supportedFeatures[String(parts[1])] else { return false }
        let numbers = parts[2].dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 2, let major = Int(numbers[0]), let minor = Int(numbers[1]) else { return false }
        return known.contains { $0.major == major && minor <= $0.minor }
    }

    /// Graph ids that can resolve `type.field` themselves (not external).
    public func resolvingGraphs(_ type: String, _ field: String) -> [String] {
        guard let f = types[type]?.fields[field] else { return [] }
        return f.filter { !$0.value.external }.map(\.key)
    }

    public func fieldGraph(_ type: String, _ field: String, in graph: String) -> FieldGraph? {
        types[type]?.fields[field]?[graph]
    }

    public func typeIsIn(_ type: String, graph: String) -> Bool {
        types[type]?.graphs[graph] != nil
    }
}

extension Directive {
    func argument(_ name: String) -> Value? { arguments.first { $0.name.value == name }?.value }
    func string(_ name: String) -> String? {
        if case .string(let s, _)? = argument(name) { return s }
        return nil
    }
    func enumValue(_ name: String) -> String? {
        if case .enumValue(let e)? = argument(name) { return e }
        return nil
    }
    func bool(_ name: String) -> Bool? {
        if case .boolean(let b)? = argument(name) { return b }
        return nil
    }
}

/// `join__FieldSet` / `FieldSet` strings such as `"id"` or `"id organization { id }"`.
public enum FieldSet {
    public static func parse(_ text: String) throws -> SelectionSet {
        do {
            let doc = try Parser.parse("{ \(text) }", options: .schema)
            guard case .operation(let op)? = doc.definitions.first else { throw FederationError(.invalidSupergraph, "bad field set") }
            return op.selectionSet.withoutSpans
        } catch let e as FederationError {
            throw e
        } catch {
            throw FederationError(.invalidFieldSet, "Invalid field set \"\(text)\": \(error)")
        }
    }
}

extension SelectionSet {
    /// The same selections with every span zeroed (field sets from different strings compare equal).
    public var withoutSpans: SelectionSet {
        SelectionSet(selections: selections.map { sel in
            switch sel {
            case .field(var f):
                f.span = .none
                f.name.span = .none
                f.alias?.span = .none
                f.arguments = f.arguments.map { var a = $0; a.span = .none; a.valueSpan = .none; a.name.span = .none; return a }
                f.directives = f.directives.map { var d = $0; d.span = .none; d.name.span = .none; return d }
                f.selectionSet = f.selectionSet?.withoutSpans
                return .field(f)
            case .inlineFragment(var i):
                i.span = .none
                i.typeCondition?.span = .none
                i.selectionSet = i.selectionSet.withoutSpans
                return .inlineFragment(i)
            case .fragmentSpread(var s):
                s.span = .none
                s.name.span = .none
                return .fragmentSpread(s)
            }
        }, span: .none)
    }
}

/// A federation error with a stable code.
public struct FederationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidSupergraph = "INVALID_SUPERGRAPH"
        case invalidFieldSet = "INVALID_FIELD_SET"
        case planningFailed = "QUERY_PLANNING_FAILED"
        case planTooLarge = "QUERY_PLAN_TOO_LARGE"
    }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "[\(code.rawValue)] \(message)" }
}
