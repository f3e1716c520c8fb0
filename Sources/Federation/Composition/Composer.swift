import GraphQLCore
import OrderedCollections

/// Composes Federation subgraph schemas into a supergraph in Apollo's join-spec format
/// (join v0.3), which `Supergraph` reads like one composed by any other tool.
///
/// ```swift
/// let sdl = try Composer.compose([
///     SubgraphSchema(name: "tenants", url: "http://127.0.0.1:4101/graphql", sdl: tenantsSDL), ...
/// ])
/// ```
public enum Composer {
    struct TypeInGraph {
        var keys: [(fields: String, resolvable: Bool)] = []
        var isExtension = false
        var interfaceObject = false
        var shareable = false
    }
    struct FieldInGraph {
        var external = false
        var requires: String?
        var provides: String?
        var override: String?
        /// Progressive override (`@override(from:, label:)`): on the overriding graph and on the
        /// source, which keeps the field while the label is off.
        var overrideLabel: String?
        var shareable = false
        /// Overridden away from this subgraph, which still needs the field itself (in a key, a
        /// `@requires` or `@provides`, or an interface it implements there): kept, not resolving
        /// (`usedOverridden: true`), as Apollo's composition keeps it.
        var usedOverridden = false
        var type: TypeReference
        /// Arguments filled from an ancestor's `@context` (`@fromContext`), hidden from clients.
        var contextArguments: [(name: String, type: String, context: String, selection: String)] = []
    }
    struct MergedField {
        var name: String
        var description: String?
        var type: TypeReference
        var arguments = OrderedDictionary<String, InputValueDefinition>()
        /// Graphs defining each argument (arguments are intersected across subgraphs).
        var argumentGraphs: [String: Set<String>] = [:]
        var inaccessibleArguments = Set<String>()
        /// Each argument's `@tag` names, of every subgraph (in order, once each).
        var argumentTags: [String: [String]] = [:]
        var graphs = OrderedDictionary<String, FieldInGraph>()
        var otherDirectives: [String] = []
    }
    struct MergedType {
        var name: String
        var kind: TypeDefinitionKind
        var description: String?
        var graphs = OrderedDictionary<String, TypeInGraph>()
        var fields = OrderedDictionary<String, MergedField>()
        var interfaces = OrderedDictionary<String, [String]>()
        var unionMembers = OrderedDictionary<String, [String]>()
        var enumValues = OrderedDictionary<String, [String]>()
        var enumValueDirectives: [String: [String]] = [:]
        var enumValueDescriptions: [String: String] = [:]
        /// `@context(name:)` set by objects of this type, as `<subgraph>__<name>`.
        var contexts: [String] = []
        var inputFields = OrderedDictionary<String, (def: InputValueDefinition, graphs: [String])>()
        var otherDirectives: [String] = []
    }

    /// `@deprecated` as written (with its reason), if present.
    /// `@deprecated(reason: null)` deprecates nothing (graphql-js reads its reason, null).
    static func deprecated(_ directives: [Directive]) -> String? {
        guard let dep = directives.first(where: { $0.name.value == "deprecated" }), dep.argument("reason") != .null else { return nil }
        return "@deprecated" + (dep.string("reason").map { "(reason: \(Printer.string($0)))" } ?? "")
    }

    /// A subgraph's `join__Graph` value: its name in upper case, with `_` for anything but ASCII
    /// letters and digits, and `_` first when it would start with a digit (an enum value is a Name).
    public static func graphID(_ name: String) -> String {
        let id = String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        return id.first.map { $0.isNumber } ?? true ? "_" + id : id
    }

    /// Every subgraph's `join__Graph` value: names that would share one (`a-b`, `a_b`) get `_1`,
    /// `_2`, … after the first, in the order listed — never one value for two subgraphs.
    public static func graphIDs(_ names: [String]) -> [String: String] {
        var ids: [String: String] = [:], taken = Set<String>()
        for name in names where ids[name] == nil {
            let base = graphID(name)
            var id = base, n = 0
            while taken.contains(id) { n += 1; id = "\(base)_\(n)" }
            taken.insert(id)
            ids[name] = id
        }
        return ids
    }

    /// The stricter of two input types that differ only in nullability (at any list level), or
    /// nil when they differ otherwise.
    /// Two defaults are one value however they are written (Apollo compares values): `1` and
    /// `1.0`, `{a: 1, b: 2}` and `{b: 2, a: 1}` (probe 55H: refused as a mismatch).
    static func sameValue(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)), (.float(let x), .float(let y)), (.int(let x), .float(let y)), (.float(let x), .int(let y)):
            if x == y { return true }
            // (As numbers only while a double holds them exactly enough: not past 2^53, not `1e400`.)
            guard let dx = Double(x), let dy = Double(y), dx.isFinite, dy.isFinite, abs(dx) < 9.007e15 else { return false }
            return dx == dy
        case (.string(let x, _), .string(let y, _)): return x == y
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            let theirs = Dictionary(y.map { ($0.name.value, $0.value) }, uniquingKeysWith: { a, _ in a })
            return x.allSatisfy { f in theirs[f.name.value].map { sameValue(f.value, $0) } ?? false }
        default: return a == b
        }
    }

    static func stricterInput(_ a: TypeReference, _ b: TypeReference) -> TypeReference? {
        switch (a, b) {
        case (.nonNull(let x), .nonNull(let y)): return stricterInput(x, y).map { .nonNull($0) }
        case (.nonNull(let x), _): return stricterInput(x, b).map { .nonNull($0) }
        case (_, .nonNull(let y)): return stricterInput(a, y).map { .nonNull($0) }
        case (.list(let x), .list(let y)): return stricterInput(x, y).map { .list($0) }
        case (.named(let x), .named(let y)): return x.value == y.value ? a : nil
        default: return nil
        }
    }

    /// What the supergraph says of an element where subgraphs say different things: its
    /// description and its `@deprecated` (with reason) — the one most subgraphs give, the first of
    /// those on a tie; an empty description only when no subgraph has another. Keyed by schema
    /// coordinate (`T`, `T.f`, `T.f(a:)`, an input field `T.f`, an enum value `E.V`; `""` the schema).
    struct Consensus {
        var descriptions: [String: String] = [:]
        var deprecations: [String: Directive] = [:]

        init(_ subgraphs: [SubgraphSchema]) {
            var descriptionVotes: [String: [(String, Int)]] = [:], deprecationVotes: [String: [(String, Directive, Int)]] = [:]
            func vote(_ coordinate: String, _ description: String?, _ directives: [Directive]) {
                if let d = description {
                    if let i = descriptionVotes[coordinate]?.firstIndex(where: { $0.0 == d }) { descriptionVotes[coordinate]![i].1 += 1 }
                    else { descriptionVotes[coordinate, default: []].append((d, 1)) }
                }
                if let dep = directives.first(where: { $0.name.value == "deprecated" }), let printed = Composer.deprecated([dep]) {
                    if let i = deprecationVotes[coordinate]?.firstIndex(where: { $0.0 == printed }) { deprecationVotes[coordinate]![i].2 += 1 }
                    else { deprecationVotes[coordinate, default: []].append((printed, dep, 1)) }
                }
            }
            for sg in subgraphs {
                for case .schema(let schema) in sg.document.definitions where schema.description != nil {
                    vote("", schema.description, [])   // the schema's own
                    break
                }
                for (name, defs) in sg.types {
                    vote(name, defs.first { !$0.isExtension && $0.description != nil }?.description, [])
                    for d in defs {
                        for f in d.fields {
                            vote("\(name).\(f.name.value)", f.description, f.directives)
                            for a in f.arguments { vote("\(name).\(f.name.value)(\(a.name.value):)", a.description, a.directives) }
                        }
                        for f in d.inputFields { vote("\(name).\(f.name.value)", f.description, f.directives) }
                        for v in d.enumValues { vote("\(name).\(v.name.value)", v.description, v.directives) }
                    }
                }
            }
            for (coordinate, votes) in descriptionVotes {
                let written = votes.filter { !$0.0.allSatisfy(\.isWhitespace) }
                let pool = written.isEmpty ? votes : written
                var best = pool[0]
                for v in pool.dropFirst() where v.1 > best.1 { best = v }
                descriptions[coordinate] = best.0
            }
            for (coordinate, votes) in deprecationVotes {
                var best = votes[0]
                for v in votes.dropFirst() where v.2 > best.2 { best = v }
                deprecations[coordinate] = best.1
            }
        }

        /// `directives` with `@deprecated` as the consensus has it for `coordinate`.
        func deprecating(_ directives: [Directive], _ coordinate: String) -> [Directive] {
            directives.filter { $0.name.value != "deprecated" } + (deprecations[coordinate].map { [$0] } ?? [])
        }
    }

    public static func compose(_ subgraphs: [SubgraphSchema]) throws -> String {
        // Subgraphs in the order of their names, as Apollo's composition takes them: where they
        // tie (a description, a deprecation reason) or merge (a type's fields), the supergraph
        // does not depend on the order a configuration lists them in.
        let subgraphs = subgraphs.sorted { $0.name < $1.name }
        // Each subgraph valid on its own first: nothing is merged from one that is not.
        var errors: [CompositionError] = subgraphs.flatMap { $0.validationErrors() } + importNameMismatches(subgraphs)
            + composeDirectiveErrors(subgraphs)
        if !errors.isEmpty { throw CompositionErrors(errors: errors) }
        var pendingSubtypes: [PendingSubtype] = []
        // @external definitions (checked against the field's merged type), the fields only such
        // definitions have so far, and arguments first seen on one.
        var externals: [(type: String, field: String, ref: TypeReference, subgraph: String, arguments: [InputValueDefinition])] = []
        // The arguments of each field as its first definition that is not @external has them
        // (name → default value printed, nil for none): what an @external declaration must match.
        var definedArguments: [String: OrderedDictionary<String, String?>] = [:]
        var externalOnly = Set<String>(), externalArguments = Set<String>()
        var types = OrderedDictionary<String, MergedType>()
        var usesInaccessible = false, usesTag = false, usesContext = false
        // @composeDirective: custom directives carried into the supergraph, with their definitions.
        var composed = OrderedDictionary<String, (definition: DirectiveDefinition, linkURL: String?)>()
        for sg in subgraphs {
            for (name, c) in sg.composedDirectives {
                guard let existing = composed[name] else { composed[name] = c; continue }
                if let merged = mergeDirectiveDefinitions(existing.definition, c.definition) {
                    composed[name] = (merged, existing.linkURL ?? c.linkURL)
                } else {
                    errors.append(CompositionError(.directiveDefinitionMismatch, "Directive \"@\(name)\" is composed (@composeDirective) but its definition in subgraph \"\(sg.name)\" is incompatible with another subgraph's (argument types differ)."))
                }
            }
        }
        let composedOriginals = Self.newestFeatureDefinitions(subgraphs, &composed)
        func composedApplications(_ directives: [Directive]) -> [String] {
            directives.filter { composed[$0.name.value] != nil }.map { d in
                "@" + d.name.value + (d.arguments.isEmpty ? "" : "(" + d.arguments.map { "\($0.name.value): \(Printer.print($0.value))" }.joined(separator: ", ") + ")")
            }
        }

        let graphIDs = Self.graphIDs(subgraphs.map(\.name))
        // Errors name subgraphs as they are configured, not by their `join__Graph` value.
        let subgraphNames = Dictionary(graphIDs.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        func named(_ g: String) -> String { subgraphNames[g] ?? g }
        let federation2Graphs = Set(subgraphs.filter(\.isFederation2).compactMap { graphIDs[$0.name] })
        let consensus = Consensus(subgraphs)
        // A Federation 1 subgraph's `extend type` extends a type some subgraph defines.
        var defined = Set<String>(), extendedBy = OrderedDictionary<String, String>()
        for sg in subgraphs {
            let g = graphIDs[sg.name]!
            for (name, defs) in sg.types {
                if sg.isFederation2 || defs.contains(where: { !$0.isExtension && !sg.has($0.directives, "extends") }) {
                    defined.insert(name)
                } else if extendedBy[name] == nil {
                    extendedBy[name] = sg.name
                }
                // An @interfaceObject is the subgraph's view of an interface that other subgraphs implement.
                let kind = defs[0].kind == .object && defs.contains(where: { sg.has($0.directives, "interfaceObject") }) ? .interface : defs[0].kind
                if let existing = types[name] {
                    if existing.kind != kind {
                        errors.append(CompositionError(.typeKindMismatch, "Type \"\(name)\" is a \(existing.kind.rawValue) in some subgraphs but a \(kind.rawValue) in subgraph \"\(sg.name)\"."))
                        continue
                    }
                } else {
                    types[name] = MergedType(name: name, kind: kind, description: consensus.descriptions[name])
                }
                var t = types[name]!
                var tig = t.graphs[g] ?? TypeInGraph()
                tig.isExtension = defs.allSatisfy { $0.isExtension } || defs.contains { sg.has($0.directives, "extends") }
                for d in defs {
                    for k in sg.all(d.directives, "key") {
                        guard let fields = k.string("fields") else { continue }
                        tig.keys.append((fields, k.bool("resolvable") ?? true))
                    }
                    if sg.has(d.directives, "interfaceObject") { tig.interfaceObject = true }
                    for c in sg.all(d.directives, "context") {
                        if let n = c.string("name"), !t.contexts.contains("\(sg.name)__\(n)") {
                            t.contexts.append("\(sg.name)__\(n)")
                            t.otherDirectives.append("@context(name: \(Printer.string("\(sg.name)__\(n)")))")
                            usesContext = true
                        }
                    }
                    if sg.has(d.directives, "shareable") { tig.shareable = true }
                    if sg.has(d.directives, "inaccessible") { usesInaccessible = true; if !t.otherDirectives.contains("@inaccessible") { t.otherDirectives.append("@inaccessible") } }
                    for tag in sg.all(d.directives, "tag") {
                        usesTag = true
                        let printed = "@tag(name: \(Printer.string(tag.string("name") ?? "")))"
                        if !t.otherDirectives.contains(printed) { t.otherDirectives.append(printed) }
                    }
                    // An @interfaceObject's access directives protect what this subgraph adds to the
                    // interface (its fields), not the interface every other subgraph defines.
                    for dd in d.directives where !(tig.interfaceObject && Self.accessDirectives.contains(sg.federationName(dd) ?? "")) {
                        Self.addDemandControl(sg, dd, to: &t.otherDirectives)
                    }
                    for printed in composedApplications(d.directives) where !t.otherDirectives.contains(printed) { t.otherDirectives.append(printed) }
                    for i in d.interfaces { t.interfaces[i.value, default: []].append(g) }
                    for m in d.unionMembers { t.unionMembers[m.value, default: []].append(g) }
                    // What clients see through introspection goes into the supergraph as written:
                    // @oneOf, @specifiedBy, descriptions and @deprecated of enum values, input
                    // fields and arguments.
                    if d.directives.contains(where: { $0.name.value == "oneOf" }), !t.otherDirectives.contains("@oneOf") { t.otherDirectives.append("@oneOf") }
                    if let url = d.directives.first(where: { $0.name.value == "specifiedBy" })?.string("url"),
                       !t.otherDirectives.contains(where: { $0.hasPrefix("@specifiedBy") }) {
                        t.otherDirectives.append("@specifiedBy(url: \(Printer.string(url)))")
                    }
                    for v in d.enumValues {
                        let name = v.name.value
                        t.enumValues[name, default: []].append(g)
                        if let description = consensus.descriptions["\(t.name).\(name)"] { t.enumValueDescriptions[name] = description }
                        if sg.has(v.directives, "inaccessible"), !(t.enumValueDirectives[name]?.contains("@inaccessible") ?? false) {
                            usesInaccessible = true
                            t.enumValueDirectives[name, default: []].append("@inaccessible")
                        }
                        for tag in Self.tagNames(sg, v.directives) {
                            let printed = "@tag(name: \(Printer.string(tag)))"
                            usesTag = true
                            if !(t.enumValueDirectives[name]?.contains(printed) ?? false) { t.enumValueDirectives[name, default: []].append(printed) }
                        }
                        if let dep = consensus.deprecations["\(t.name).\(name)"].flatMap({ Self.deprecated([$0]) }),
                           !(t.enumValueDirectives[name]?.contains(where: { $0.hasPrefix("@deprecated") }) ?? false) {
                            t.enumValueDirectives[name, default: []].append(dep)
                        }
                    }
                    for f in d.inputFields {
                        if var existing = t.inputFields[f.name.value] {
                            existing.graphs.append(g)
                            // Input positions merge to the stricter type (a value every subgraph takes).
                            if existing.def.type != f.type {
                                if let stricter = Self.stricterInput(existing.def.type, f.type) {
                                    existing.def.type = stricter
                                } else {
                                    errors.append(CompositionError(.fieldTypeMismatch, "Type of input field \"\(t.name).\(f.name.value)\" is incompatible across subgraphs: it has type \"\(existing.def.type)\" in some and \"\(f.type)\" in subgraph \"\(sg.name)\"."))
                                }
                            }
                            if let mine = existing.def.defaultValue, let theirs = f.defaultValue, !Self.sameValue(mine, theirs) {
                                errors.append(CompositionError(.inputFieldDefaultMismatch, "Input field \"\(t.name).\(f.name.value)\" has incompatible default values across subgraphs: it has default value \(Printer.print(mine)) in some and \(Printer.print(theirs)) in subgraph \"\(sg.name)\"."))
                            } else if (existing.def.defaultValue == nil) != (f.defaultValue == nil) {
                                // A default some subgraphs do not have is not the supergraph's.
                                existing.def.defaultValue = nil
                            }
                            if !existing.def.directives.contains(where: { $0.name.value == "cost" }) { existing.def.directives += Self.costDirectives(sg, f.directives) }
                            if sg.has(f.directives, "inaccessible") { existing.def.directives.append(Directive(name: Name("inaccessible"), arguments: [], span: .none)) }
                            for tag in Self.tagNames(sg, f.directives) where !Self.tagNames(existing.def.directives).contains(tag) {
                                usesTag = true
                                existing.def.directives.append(Self.tag(tag))
                            }
                            t.inputFields[f.name.value] = existing
                        } else {
                            var clean = f
                            clean.description = consensus.descriptions["\(t.name).\(f.name.value)"]
                            clean.directives = consensus.deprecating([], "\(t.name).\(f.name.value)") + Self.costDirectives(sg, f.directives)
                            if sg.has(f.directives, "inaccessible") {
                                usesInaccessible = true
                                clean.directives.append(Directive(name: Name("inaccessible"), arguments: [], span: .none))
                            }
                            for tag in Self.tagNames(sg, f.directives) where !Self.tagNames(clean.directives).contains(tag) {
                                usesTag = true
                                clean.directives.append(Self.tag(tag))
                            }
                            t.inputFields[f.name.value] = (clean, [g])
                        }
                    }
                }
                let keyFieldNames = Set(tig.keys.flatMap { k in (try? FieldSet.parse(k.fields))?.selections.compactMap { s -> String? in
                    if case .field(let f) = s { return f.name.value } else { return nil } } ?? [] })
                for d in defs {
                    for f in d.fields {
                        if name == "Query", f.name.value == "_entities" || f.name.value == "_service" { continue }
                        var fig = FieldInGraph(type: f.type)
                        // A key field is known to the subgraph (it arrives in representations) even when
                        // marked @external, as in Federation 1 style extensions.
                        // Federation 2 takes @external at its word on a type definition (the field comes
                        // from another subgraph), but not on a key field of `extend type`.
                        let extendsType = d.isExtension || sg.has(d.directives, "extends")
                        fig.external = (sg.has(f.directives, "external") || sg.has(d.directives, "external"))
                            && !(keyFieldNames.contains(f.name.value) && (extendsType || !sg.isFederation2))
                        fig.requires = sg.first(f.directives, "requires")?.string("fields")
                        fig.provides = sg.first(f.directives, "provides")?.string("fields")
                        fig.override = sg.first(f.directives, "override")?.string("from")
                        fig.overrideLabel = sg.first(f.directives, "override")?.string("label")
                        fig.shareable = !sg.isFederation2 || sg.has(d.directives, "shareable") || sg.has(f.directives, "shareable") || keyFieldNames.contains(f.name.value)
                        let coordinate = "\(t.name).\(f.name.value)"
                        var mf = t.fields[f.name.value] ?? MergedField(name: f.name.value, description: consensus.descriptions[coordinate], type: f.type)
                        if !fig.external {
                            // An @external definition's type is not the field's: checked against it below.
                            if definedArguments[coordinate] == nil {
                                definedArguments[coordinate] = OrderedDictionary(uniqueKeysWithValues: f.arguments.map { ($0.name.value, $0.defaultValue.map(Printer.print)) })
                            }
                            if t.fields[f.name.value] == nil || externalOnly.remove(coordinate) != nil { mf.type = f.type } else {
                                mf.type = mergeOutputType(mf.type, f.type, t.name, f.name.value, sg.name, &pendingSubtypes, &errors)
                            }
                        } else {
                            if t.fields[f.name.value] == nil { externalOnly.insert(coordinate) }
                            externals.append((t.name, f.name.value, f.type, sg.name, f.arguments))
                        }
                        for a in f.arguments {
                            if let from = sg.first(a.directives, "fromContext"), let spec = from.string("field") {
                                // "$name selection": the value the nearest ancestor setting that context has.
                                let trimmed = spec.drop { $0 == " " }
                                guard trimmed.first == "$" else { continue }
                                let name = String(trimmed.dropFirst().prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                                let selection = String(trimmed.dropFirst(1 + name.count))
                                fig.contextArguments.append((a.name.value, a.type.description, "\(sg.name)__\(name)", selection))
                                usesContext = true
                                continue
                            }
                            mf.argumentGraphs[a.name.value, default: []].insert(g)
                            if sg.has(a.directives, "inaccessible") { usesInaccessible = true; mf.inaccessibleArguments.insert(a.name.value) }
                            for tag in Self.tagNames(sg, a.directives) where !(mf.argumentTags[a.name.value] ?? []).contains(tag) {
                                usesTag = true
                                mf.argumentTags[a.name.value, default: []].append(tag)
                            }
                            if var existing = mf.arguments[a.name.value] {
                                // Input positions merge to the stricter type (`String` and `String!`
                                // give `String!`: a value every subgraph takes); other types differ.
                                if existing.type != a.type {
                                    if let stricter = Self.stricterInput(existing.type, a.type) {
                                        existing.type = stricter
                                        mf.arguments[a.name.value] = existing
                                    } else {
                                        let external = fig.external || externalArguments.contains("\(coordinate)(\(a.name.value):)")
                                        errors.append(CompositionError(external ? .externalArgumentTypeMismatch : .fieldArgumentTypeMismatch, "Type of argument \"\(t.name).\(f.name.value)(\(a.name.value):)\" is incompatible across subgraphs: it has type \"\(existing.type)\" in some and \"\(a.type)\" in subgraph \"\(sg.name)\"."))
                                    }
                                }
                                if let mine = existing.defaultValue, let theirs = a.defaultValue, !Self.sameValue(mine, theirs) {
                                    errors.append(CompositionError(.fieldArgumentDefaultMismatch, "Argument \"\(t.name).\(f.name.value)(\(a.name.value):)\" has incompatible default values across subgraphs: it has default value \(Printer.print(mine)) in some and \(Printer.print(theirs)) in subgraph \"\(sg.name)\"."))
                                } else if (existing.defaultValue == nil) != (a.defaultValue == nil) {
                                    // A default some subgraphs do not have is not the supergraph's.
                                    existing.defaultValue = nil
                                    mf.arguments[a.name.value] = existing
                                }
                                continue
                            }
                            if fig.external { externalArguments.insert("\(coordinate)(\(a.name.value):)") }
                            var clean = a
                            clean.description = consensus.descriptions["\(coordinate)(\(a.name.value):)"]
                            clean.directives = consensus.deprecating([], "\(coordinate)(\(a.name.value):)") + Self.costDirectives(sg, a.directives)
                            mf.arguments[a.name.value] = clean
                        }
                        if sg.has(f.directives, "inaccessible") { usesInaccessible = true; if !mf.otherDirectives.contains("@inaccessible") { mf.otherDirectives.append("@inaccessible") } }
                        for tag in sg.all(f.directives, "tag") {
                            usesTag = true
                            let printed = "@tag(name: \(Printer.string(tag.string("name") ?? "")))"
                            if !mf.otherDirectives.contains(printed) { mf.otherDirectives.append(printed) }
                        }
                        for d in f.directives { Self.addDemandControl(sg, d, to: &mf.otherDirectives) }
                        if tig.interfaceObject, !keyFieldNames.contains(f.name.value), let owner = defs.first(where: { sg.has($0.directives, "interfaceObject") }) {
                            for d in owner.directives where Self.accessDirectives.contains(sg.federationName(d) ?? "") {
                                Self.addDemandControl(sg, d, to: &mf.otherDirectives)
                            }
                        }
                        for printed in composedApplications(f.directives) where !mf.otherDirectives.contains(printed) { mf.otherDirectives.append(printed) }
                        if let dep = consensus.deprecations[coordinate].flatMap({ Self.deprecated([$0]) }), !mf.otherDirectives.contains(where: { $0.hasPrefix("@deprecated") }) {
                            mf.otherDirectives.append(dep)
                        }
                        mf.graphs[g] = fig
                        t.fields[f.name.value] = mf
                    }
                }
                t.graphs[g] = tig
                types[name] = t
            }
        }

        // An interface with a resolvable key in a subgraph is resolved there for every
        // implementation: each must be there too, implementing it. A subgraph that sees the
        // interface as an @interfaceObject defines none of them.
        for (iname, t) in types where t.kind == .interface {
            let implementations = types.values.filter { $0.kind == .object && $0.interfaces[iname] != nil }.map(\.name).sorted()
            for (g, tig) in t.graphs {
                if tig.interfaceObject {
                    for o in implementations where types[o]?.graphs[g] != nil {
                        errors.append(CompositionError(.interfaceObjectWithoutInterface, "Interface type \"\(iname)\" is an @interfaceObject in subgraph \"\(named(g))\", so that subgraph should not define any of its implementation types, but it defines \"\(o)\"."))
                    }
                } else if tig.keys.contains(where: { $0.resolvable }) {
                    for o in implementations where !(types[o]?.interfaces[iname]?.contains(g) ?? false) {
                        errors.append(CompositionError(.interfaceKeyMissingImplementationType, "Interface type \"\(iname)\" has a resolvable key in subgraph \"\(named(g))\" but that subgraph is missing some of its implementation types: it should define \"\(o)\" (and have it implement \"\(iname)\")."))
                    }
                }
            }
        }

        // @interfaceObject: fields a subgraph adds to an interface through its object view belong
        // to every implementation too; no subgraph resolves them on the object itself (`@join__field`
        // without a graph), so the planner reaches them through the interface's key.
        for (iname, t) in types where t.kind == .interface {
            let objectGraphs = Set(t.graphs.filter { $0.value.interfaceObject }.keys)
            guard !objectGraphs.isEmpty else { continue }
            if !t.graphs.contains(where: { !$0.value.interfaceObject }) {
                errors.append(CompositionError(.interfaceObjectWithoutInterface, "Type \"\(iname)\" is an @interfaceObject in \(objectGraphs.sorted().map { "\"\(named($0))\"" }.joined(separator: ", ")) but no subgraph defines the interface itself."))
                continue
            }
            for (fname, f) in t.fields where !f.graphs.isEmpty && f.graphs.keys.allSatisfy({ objectGraphs.contains($0) }) {
                for (oname, o) in types where o.kind == .object && o.interfaces[iname] != nil && o.fields[fname] == nil {
                    var added = MergedField(name: fname, description: f.description, type: f.type)
                    added.arguments = f.arguments
                    added.otherDirectives = f.otherDirectives
                    types[oname]!.fields[fname] = added
                }
            }
        }

        resolveSubtypes(pendingSubtypes, &types, &errors)
        // An @external field's type is the field's as other subgraphs define it (nullability and
        // a subtype aside).
        for (type, field, external, subgraph, arguments) in externals {
            guard let merged = types[type]?.fields[field]?.type, !externalOnly.contains("\(type).\(field)") else { continue }
            // Its arguments are the definition's, defaults included.
            for (argument, defaultValue) in definedArguments["\(type).\(field)"] ?? [:] {
                guard let mine = arguments.first(where: { $0.name.value == argument }) else {
                    errors.append(CompositionError(.externalArgumentMissing, "Field \"\(type).\(field)\" is missing argument \"\(type).\(field)(\(argument):)\" in some subgraphs where it is marked @external: the field is declared without it in subgraph \"\(subgraph)\"."))
                    continue
                }
                let printed = mine.defaultValue.map(Printer.print)
                if printed != defaultValue {
                    errors.append(CompositionError(.externalArgumentDefaultMismatch, "Argument \"\(type).\(field)(\(argument):)\" has incompatible defaults across subgraphs (where \"\(type).\(field)\" is marked @external): it has default value \(defaultValue ?? "none") in some subgraphs but \(printed ?? "none") in subgraph \"\(subgraph)\"."))
                }
            }
            func fits(_ x: TypeReference, _ y: TypeReference) -> Bool {
                switch (x, y) {
                case (.nonNull(let i), _): return fits(i, y)
                case (_, .nonNull(let j)): return fits(x, j)
                case (.list(let i), .list(let j)): return fits(i, j)
                case (.named(let n), .named(let m)):
                    guard n.value != m.value else { return true }
                    func sub(_ a: String, _ b: String) -> Bool { types[b]?.unionMembers[a] != nil || types[a]?.interfaces[b] != nil }
                    return sub(n.value, m.value) || sub(m.value, n.value)
                default: return false
                }
            }
            if !fits(external, merged) {
                errors.append(CompositionError(.externalTypeMismatch, "Type of field \"\(type).\(field)\" is incompatible across subgraphs (where marked @external): it has type \"\(merged)\" in some subgraphs but type \"\(external)\" in subgraph \"\(subgraph)\"."))
            }
        }
        for (name, subgraph) in extendedBy where !defined.contains(name) && !["Query", "Mutation", "Subscription"].contains(name) {
            errors.append(CompositionError(.extensionWithNoBase, "[\(subgraph)] Type \"\(name)\" is an extension type, but there is no type definition for \"\(name)\" in any subgraph."))
        }

        // Fields inside a key's nested selections (a value type used as a key) are shareable.
        for (tname, t) in types {
            for (g, tig) in t.graphs {
                for key in tig.keys {
                    guard let set = try? FieldSet.parse(key.fields) else { continue }
                    func mark(_ typeName: String, _ selections: [Selection]) {
                        for case .field(let kf) in selections {
                            guard let sub = kf.selectionSet, let inner = types[typeName]?.fields[kf.name.value]?.type.namedType.value else { continue }
                            for case .field(let nf) in sub.selections { types[inner]?.fields[nf.name.value]?.graphs[g]?.shareable = true }
                            mark(inner, sub.selections)
                        }
                    }
                    mark(tname, set.selections)
                }
            }
        }

        // Arguments are intersected: one that some subgraph resolving the field lacks is dropped
        // (a required one is an error).
        for (tname, t) in types where t.kind == .object || t.kind == .interface {
            for (fname, f) in t.fields {
                let defining = Set(f.graphs.filter { !$0.value.external }.keys)
                // An argument contextual in one subgraph is left out of the supergraph: where it is
                // not contextual, it may not be required.
                let contextual = Set(f.graphs.values.flatMap { $0.contextArguments.map { $0.name } })
                for aname in contextual.sorted() {
                    guard let a = f.arguments[aname] else { continue }
                    types[tname]!.fields[fname]!.arguments.removeValue(forKey: aname)
                    guard case .nonNull = a.type, a.defaultValue == nil else { continue }
                    errors.append(CompositionError(.contextualArgumentNotContextualInAllSubgraphs, "Argument \"\(tname).\(fname)(\(aname):)\" is contextual in at least one subgraph but not in all subgraphs that define the field."))
                }
                for (aname, a) in types[tname]!.fields[fname]!.arguments where !(defining.isSubset(of: f.argumentGraphs[aname] ?? [])) {
                    if case .nonNull = a.type, a.defaultValue == nil {
                        errors.append(CompositionError(.requiredArgumentMissing, "Argument \"\(tname).\(fname)(\(aname):)\" is required in some subgraphs but does not appear in all subgraphs that define the field."))
                    }
                    types[tname]!.fields[fname]!.arguments.removeValue(forKey: aname)
                }
            }
        }

        // A @requires selection passes each field it reads the arguments the supergraph's field
        // takes: those it names exist there, and those that are required are given.
        for (tname, t) in types {
            for (fname, f) in t.fields {
                for (g, fig) in f.graphs {
                    guard let fields = fig.requires, let set = try? FieldSet.parse(fields) else { continue }
                    func check(_ selections: [Selection], on typeName: String) {
                        for selection in selections {
                            switch selection {
                            case .field(let field):
                                guard let merged = types[typeName]?.fields[field.name.value] else { continue }
                                let coordinate = "\(typeName).\(field.name.value)"
                                for a in field.arguments where merged.arguments[a.name.value] == nil {
                                    errors.append(CompositionError(.requiresInvalidFields, "On field \"\(tname).\(fname)\", for @requires(fields: \(Printer.string(fields))) in subgraph \"\(named(g))\": cannot provide a value for argument \"\(a.name.value)\" of field \"\(coordinate)\" as argument \"\(a.name.value)\" is not defined in the supergraph."))
                                }
                                for (aname, a) in merged.arguments where a.defaultValue == nil && !field.arguments.contains(where: { $0.name.value == aname }) {
                                    if case .nonNull = a.type {
                                        errors.append(CompositionError(.requiresInvalidFields, "On field \"\(tname).\(fname)\", for @requires(fields: \(Printer.string(fields))) in subgraph \"\(named(g))\": no value provided for argument \"\(aname)\" of field \"\(coordinate)\" but a value is mandatory as \"\(aname)\" is required in the supergraph."))
                                    }
                                }
                                // A variable stands for an argument of the requiring field, of a
                                // type that fits where it is used (the planner puts that argument's
                                // value in its place).
                                for a in field.arguments {
                                    let expected = merged.arguments[a.name.value]?.type
                                    for (variable, at) in Self.variableUses(a.value, expected) {
                                        guard let bound = f.arguments[variable] else {
                                            errors.append(CompositionError(.requiresInvalidFields, "On field \"\(tname).\(fname)\", for @requires(fields: \(Printer.string(fields))) in subgraph \"\(named(g))\": variable \"$\(variable)\" is not defined; a variable in a @requires field set must reference an argument of \"\(tname).\(fname)\"."))
                                            continue
                                        }
                                        if let at, !Self.fits(bound.type, hasDefault: bound.defaultValue != nil, at) {
                                            errors.append(CompositionError(.requiresInvalidFields, "On field \"\(tname).\(fname)\", for @requires(fields: \(Printer.string(fields))) in subgraph \"\(named(g))\": variable \"$\(variable)\" cannot be used for argument \"\(a.name.value)\" of field \"\(field.name.value)\": it is bound to argument \"\(variable)\" of type \"\(bound.type)\", which is not compatible with the expected type \"\(at)\"."))
                                        }
                                    }
                                }
                                if let sub = field.selectionSet { check(sub.selections, on: merged.type.namedType.value) }
                            case .inlineFragment(let i):
                                check(i.selectionSet.selections, on: i.typeCondition?.value ?? typeName)
                            case .fragmentSpread:
                                continue
                            }
                        }
                    }
                    check(set.selections, on: tname)
                }
            }
        }

        // @override: the overridden subgraph no longer resolves the field.
        for (tname, t) in types {
            for (fname, f) in t.fields {
                for (g, fig) in f.graphs {
                    guard let from = fig.override else { continue }
                    let fromID = graphIDs[from] ?? graphID(from)
                    if fromID == g {
                        errors.append(CompositionError(.overrideFromSelf, "Source and destination subgraphs \"\(from)\" are the same for overridden field \"\(tname).\(fname)\"."))
                        continue
                    }
                    if f.graphs[fromID]?.override != nil {
                        errors.append(CompositionError(.overrideSourceHasOverride, "Field \"\(tname).\(fname)\" in subgraph \"\(from)\" is overridden by \"\(named(g))\" but itself overrides another subgraph."))
                    }
                    // What the overridden field needs or promises there (its @requires inputs, its
                    // @provides) would be lost with it; an @interfaceObject's field on either side
                    // belongs to every implementation at once.
                    if let source = f.graphs[fromID], source.requires != nil || source.provides != nil {
                        errors.append(CompositionError(.overrideCollision, "@override cannot be used on field \"\(tname).\(fname)\" on subgraph \"\(named(g))\" since \"\(tname).\(fname)\" on \"\(from)\" is marked with directive \"@\(source.requires != nil ? "requires" : "provides")\"."))
                    } else if let abstracting = t.interfaces.keys.sorted().first(where: { i in
                        types[i]?.graphs[fromID]?.interfaceObject == true && types[i]?.fields[fname]?.graphs[fromID] != nil && f.graphs[fromID] == nil
                    }) {
                        errors.append(CompositionError(.overrideCollision, "Invalid @override on field \"\(tname).\(fname)\" of subgraph \"\(named(g))\": source subgraph \"\(from)\" does not have field \"\(tname).\(fname)\" but abstracts it in type \"\(abstracting)\" and overriding abstracted fields is not supported."))
                    } else if t.graphs[g]?.interfaceObject == true || t.graphs[fromID]?.interfaceObject == true {
                        errors.append(CompositionError(.overrideCollision, "@override cannot be used on field \"\(tname).\(fname)\" on subgraph \"\(named(g))\": @override is not supported on the fields of an @interfaceObject, on either side."))
                    }
                    if let label = fig.overrideLabel {
                        // Progressive: both keep the field; the label decides which resolves it.
                        types[tname]!.fields[fname]!.graphs[fromID]?.overrideLabel = label
                    } else if Self.stillUses(types, tname, fname, in: fromID) {
                        types[tname]!.fields[fname]!.graphs[fromID]?.usedOverridden = true
                        types[tname]!.fields[fname]!.graphs[fromID]?.external = true
                    } else {
                        types[tname]!.fields[fname]!.graphs.removeValue(forKey: fromID)
                    }
                }
            }
        }

        // (A field another subgraph `@provides` need not be @shareable in its owner: Apollo's
        // composition asks for it, The Guild's does not — the field's own benchmark graph, in
        // ../shared/bench, provides `User.username` that way — and refusing a graph one of them
        // serves is worse than serving it.)
        // Shareability: a field resolved by several subgraphs must be shareable in each.
        for (tname, t) in types where t.kind == .object {
            for (fname, f) in t.fields {
                // A progressive override's source and target never resolve the field at once.
                let labelled = f.graphs.filter { $0.value.overrideLabel != nil && $0.value.override == nil }.keys
                let resolving = f.graphs.filter { !$0.value.external && !labelled.contains($0.key) }
                // A Federation 2 value type is no exception: defined in several subgraphs, its
                // fields are @shareable in each (Federation 1 subgraphs' fields all are).
                // (A Federation 1 subgraph's fields are shareable without saying so: only a
                // Federation 2 subgraph's `@shareable` on one is refused alone.)
                if tname == "Subscription", resolving.count > 1 || resolving.contains(where: { $0.value.shareable && federation2Graphs.contains($0.key) }) {
                    // One subgraph's event stream per subscription field (Apollo: root subscription
                    // fields cannot be shared).
                    errors.append(CompositionError(.invalidFieldSharing, "Fields on root level subscription object cannot be marked as shareable: \"Subscription.\(fname)\" is resolved from subgraphs \(resolving.keys.map { "\"\(named($0))\"" }.joined(separator: " and "))."))
                } else {
                    // An @interfaceObject resolves the field for every implementation: one more
                    // subgraph resolving it (or the same one again, through another interface).
                    var sources = resolving.map { (name: named($0.key), shareable: $0.value.shareable) }
                    for iname in t.interfaces.keys {
                        guard let i = types[iname], let inf = i.fields[fname] else { continue }
                        for (g, fig) in inf.graphs where !fig.external && i.graphs[g]?.interfaceObject == true {
                            sources.append(("\(named(g)) (through @interfaceObject \(iname))", fig.shareable))
                        }
                    }
                    if sources.count > 1, sources.contains(where: { !$0.shareable }) {
                        let unshared = sources.filter { !$0.shareable }.map { "\"\($0.name)\"" }
                        errors.append(CompositionError(.invalidFieldSharing, "Non-shareable field \"\(tname).\(fname)\" is resolved from multiple subgraphs: it is resolved from subgraphs \(sources.map { "\"\($0.name)\"" }.joined(separator: " and ")) and defined as non-shareable in subgraph(s) \(unshared.joined(separator: ", "))."))
                    }
                }
                // An implementation's field that only an @interfaceObject resolves, re-declared
                // @external (to be used in a @requires): resolved through the interface.
                let throughInterfaceObject = t.interfaces.keys.contains { iname in
                    guard let i = types[iname], let inf = i.fields[fname] else { return false }
                    return inf.graphs.contains { g, fig in !fig.external && i.graphs[g]?.interfaceObject == true }
                }
                if resolving.isEmpty, !f.graphs.isEmpty, !throughInterfaceObject {
                    errors.append(CompositionError(.externalMissingOnBase, "Field \"\(tname).\(fname)\" is marked @external in every subgraph that defines it (\(f.graphs.keys.map { named($0) }.joined(separator: ", "))); no subgraph resolves it."))
                }
            }
        }
        // Enums used as input and output need the same values everywhere; input-only enums take
        // the values every subgraph has (a client may send only those), output-only ones the union.
        var inputTypes = Set<String>(), outputTypes = Set<String>()
        for t in types.values {
            for f in t.fields.values {
                outputTypes.insert(f.type.namedType.value)
                for a in f.arguments.values { inputTypes.insert(a.type.namedType.value) }
            }
            for f in t.inputFields.values { inputTypes.insert(f.def.type.namedType.value) }
        }
        for (name, t) in types where t.kind == .enumType && inputTypes.contains(name) {
            let graphsOfType = Set(t.graphs.keys)
            let partial = t.enumValues.filter { v, gs in Set(gs) != graphsOfType && t.enumValueDirectives[v]?.contains("@inaccessible") != true }
            if !outputTypes.contains(name) {
                for v in partial.keys { types[name]!.enumValues.removeValue(forKey: v) }
                if types[name]!.enumValues.isEmpty {
                    errors.append(CompositionError(.emptyMergedEnumType, "None of the values of enum type \"\(name)\" are defined consistently in all the subgraphs defining that type. As only consistent values can be merged, this lead to an empty type."))
                }
                continue
            }
            for (v, gs) in partial {
                errors.append(CompositionError(.enumValueMismatch, "Enum type \"\(name)\" is used as both input type and output type, but value \"\(v)\" is not defined in every subgraph that defines \"\(name)\" (missing in \(graphsOfType.subtracting(gs).sorted().map { named($0) }.joined(separator: ", ")))."))
            }
        }
        // Input objects take the intersection of their fields; a required field must be everywhere.
        for (name, t) in types where t.kind == .inputObject {
            let all = Set(t.graphs.keys)
            for (fname, f) in t.inputFields where Set(f.graphs) != all {
                if case .nonNull = f.def.type, f.def.defaultValue == nil {
                    errors.append(CompositionError(.requiredInputFieldMissing, "Input object field \"\(name).\(fname)\" is required in some subgraphs but does not appear in all subgraphs: it is required in \(f.graphs.map { named($0) }.joined(separator: ", ")) but missing in \(all.subtracting(f.graphs).sorted().map { named($0) }.joined(separator: ", "))."))
                }
                types[name]!.inputFields.removeValue(forKey: fname)
            }
        }
        // Key fields must exist on the type.
        for (tname, t) in types {
            for (g, tig) in t.graphs {
                for key in tig.keys {
                    guard let set = try? FieldSet.parse(key.fields) else {
                        errors.append(CompositionError(.keyInvalidFields, "On type \"\(tname)\", the @key(fields: \"\(key.fields)\") in subgraph \"\(named(g))\" is not a valid selection."))
                        continue
                    }
                    for case .field(let f) in set.selections where t.fields[f.name.value] == nil {
                        errors.append(CompositionError(.keyInvalidFields, "On type \"\(tname)\", the @key(fields: \"\(key.fields)\") in subgraph \"\(named(g))\" selects \"\(f.name.value)\", which is not a field of \"\(tname)\"."))
                    }
                }
            }
        }
        if types["Query"] == nil { errors.append(CompositionError(.noQueries, "No subgraph defines a Query type with at least one field.")) }
        if !errors.isEmpty { throw CompositionErrors(errors: errors) }
        let sdl = print(subgraphs, types, usesInaccessible: usesInaccessible, usesTag: usesTag, usesContext: usesContext, composed: composed, composedOriginals: composedOriginals,
                        executable: Self.sharedExecutableDirectives(subgraphs, composed: Set(composed.keys)),
                        schemaDescription: consensus.descriptions[""])
        // Satisfiability on the query graph the planner walks: what composes can be planned.
        let supergraph: Supergraph
        do { supergraph = try Supergraph(sdl: sdl) } catch {
            // An @inaccessible type still referenced leaves its API schema invalid: say so.
            if let full = try? Schema(sdl: sdl), case let referenced = Self.inaccessibleReferences(full), !referenced.isEmpty {
                throw CompositionErrors(errors: referenced)
            }
            let full = try? Parser.parse(sdl, options: .schema)
            throw CompositionErrors(errors: "\(error)".split(separator: "\n").map { line in
                CompositionError(Self.classify(String(line), full), "The composed supergraph is invalid: \(line)")
            })
        }
        // (Reading a supergraph composed elsewhere serves these; composing refuses them, as §3.6.1 asks.)
        let deprecated = SchemaValidator.deprecatedRequiredInputs(supergraph.schema).map {
            CompositionError(.invalidSubgraph, "The composed supergraph is invalid: \($0.message)")
        }
        let checked = deprecated + Self.invalidDefaults(supergraph.schema) + Self.transitiveAuthErrors(supergraph) + Self.demandControlErrors(supergraph)
            + Self.inaccessibleReferences(supergraph.schema)
        if !checked.isEmpty { throw CompositionErrors(errors: checked) }
        let unsatisfiable = Satisfiability.check(QueryGraph(supergraph: supergraph))
        if !unsatisfiable.isEmpty { throw CompositionErrors(errors: unsatisfiable) }
        return sdl
    }

    /// A default that is no value of its type (`x: Int = "foo"`, an enum value the enum lacks,
    /// `String! = null`, an Int past 32 bits) is refused, as Apollo's composition refuses it
    /// (probe 55H: served, and clients' schema builders dropped it without a word).
    static func invalidDefaults(_ schema: Schema) -> [CompositionError] {
        var errors: [CompositionError] = []
        /// False only when the value is surely none of the type: an input object's fields and an
        /// input enum's values are the subgraphs' intersection here, so a field or value the
        /// supergraph lacks may be one of the subgraph's own (refused there, not here).
        func surelyInvalid(_ v: Value, _ t: TypeReference) -> Bool {
            switch t {
            case .nonNull(let inner): return v.isNull || surelyInvalid(v, inner)
            case .list(let inner):
                if case .list(let items) = v { return items.contains { surelyInvalid($0, inner) } }
                return surelyInvalid(v, inner)
            case .named(let n):
                if v.isNull { return false }
                guard let named = schema.types[n.value] else { return false }
                switch named.kind {
                case .enumType:
                    if case .enumValue = v { return false }
                    return true
                case .inputObject:
                    guard case .object(let fields) = v else { return true }
                    return fields.contains { f in named.inputFields[f.name.value].map { surelyInvalid(f.value, $0.type) } ?? false }
                case .scalar where named.builtInScalar != nil:
                    return !schema.accepts(v, as: .named(n))
                default:
                    return false
                }
            }
        }
        func check(_ value: InputValueDef, _ what: String) {
            guard let d = value.defaultValue, surelyInvalid(d, value.type) else { return }
            errors.append(CompositionError(.invalidSubgraph, "Invalid default value (got: \(Printer.print(d))) provided for \(what) of type \(value.type)."))
        }
        for (name, t) in schema.types where !name.hasPrefix("__") && !name.hasPrefix("join__") && !name.hasPrefix("link__") {
            for (fname, f) in t.fields { for (aname, a) in f.arguments { check(a, "argument \(name).\(fname)(\(aname):)") } }
            for (fname, f) in t.inputFields { check(f, "input field \(name).\(fname)") }
        }
        for (dname, d) in schema.directives where !dname.hasPrefix("join__") && !dname.hasPrefix("link__") {
            for (aname, a) in d.arguments { check(a, "argument @\(dname)(\(aname):)") }
        }
        return errors
    }

    /// A field whose `@requires` reads fields protected by `@authenticated`, `@requiresScopes` or
    /// `@policy` must be protected at least as much itself: the gateway fetches the inputs for the
    /// subgraph whatever the client may see, so the field would hand derived protected data to
    /// anyone (Apollo: MISSING_TRANSITIVE_AUTH_REQUIREMENTS).
    static func transitiveAuthErrors(_ supergraph: Supergraph) -> [CompositionError] {
        let schema = supergraph.schema
        /// Every access directive on the fields `selections` reads on `type` and on their types.
        func requirements(_ selections: [Selection], on type: String, depth: Int = 0) -> [(Directive, String)] {
            guard depth < 16, let t = schema.types[type] else { return [] }
            var out: [(Directive, String)] = []
            for sel in selections {
                switch sel {
                case .field(let f):
                    guard let def = schema.field(t, f.name.value) else { continue }
                    let named = schema.types[def.type.namedType.value]
                    var directives = def.directives + (named?.directives ?? [])
                    // Read on an abstract type: what any object it may be, and its field, requires.
                    for object in t.kind.isAbstract ? schema.possibleTypes(t) : [] {
                        guard let o = schema.types[object] else { continue }
                        directives += o.directives + (o.fields[f.name.value]?.directives ?? [])
                    }
                    for d in directives where accessDirectives.contains(d.name.value) {
                        out.append((d, "\(type).\(f.name.value)"))
                    }
                    if let sub = f.selectionSet { out += requirements(sub.selections, on: def.type.namedType.value, depth: depth + 1) }
                case .inlineFragment(let i):
                    let condition = i.typeCondition?.value ?? type
                    for d in schema.types[condition]?.directives ?? [] where accessDirectives.contains(d.name.value) {
                        out.append((d, condition))
                    }
                    out += requirements(i.selectionSet.selections, on: condition, depth: depth + 1)
                case .fragmentSpread:
                    continue
                }
            }
            return out
        }
        /// The alternatives (lists of names) of a `@requiresScopes` / `@policy`.
        func alternatives(_ d: Directive) -> [Set<String>] {
            (d.arguments.first?.value.stringListsCoerced ?? []).map(Set.init)
        }
        /// `have` covers `need`, as Apollo's composition judges it: some alternative of the
        /// field's own `@requiresScopes`/`@policy` holds an alternative of what is read. (Not
        /// every alternative: a field open to `S1` or `S2` may read one field needing `S1` and
        /// another needing `S2` — Apollo composes that, and so must a graph built for it.)
        func implies(_ have: [Directive], _ need: Directive) -> Bool {
            let mine = have.filter { $0.name.value == need.name.value }
            if need.name.value == "authenticated" {
                return !mine.isEmpty || have.contains { $0.name.value == "requiresScopes" || $0.name.value == "policy" }
            }
            let needed = alternatives(need)
            return mine.contains { d in alternatives(d).contains { alt in needed.contains { $0.isSubset(of: alt) } } }
        }
        var errors: [CompositionError] = []
        for (typeName, info) in supergraph.types.sorted(by: { $0.key < $1.key }) {
            guard let t = schema.types[typeName] else { continue }
            for (fieldName, graphs) in info.fields.sorted(by: { $0.key < $1.key }) {
                guard let def = t.fields[fieldName] else { continue }
                // Its own requirements and its type's (a protected type protects its fields).
                let have = (def.directives + t.directives).filter { accessDirectives.contains($0.name.value) }
                for (_, fg) in graphs {
                    // What its @requires reads, and what its @fromContext arguments read on the
                    // types that set their context.
                    var read = fg.requires.map { requirements($0.selections, on: typeName) } ?? []
                    for argument in fg.contextArguments {
                        for (setter, setting) in supergraph.types where setting.contexts.contains(argument.context) {
                            for d in schema.types[setter]?.directives ?? [] where accessDirectives.contains(d.name.value) { read.append((d, setter)) }
                            read += requirements(argument.selection.selections, on: setter)
                        }
                    }
                    for (need, source) in read where !implies(have, need) {
                        errors.append(CompositionError(.missingTransitiveAuthRequirements,
                            "Field \"\(typeName).\(fieldName)\" does not specify the @\(need.name.value) requirements needed to read \"\(source)\", which its @requires or @fromContext selects."))
                        break
                    }
                }
            }
        }
        return errors
    }

    /// An `@inaccessible` type may be referenced only by elements that are `@inaccessible` too:
    /// a visible field, argument or input field of that type would have to disappear with it
    /// (Apollo: REFERENCED_INACCESSIBLE).
    /// Directives merged into the supergraph under one name: subgraphs that apply one of them
    /// under different imported names (`@tag` here, `@apolloTag` there) cannot be composed.
    static func importNameMismatches(_ subgraphs: [SubgraphSchema]) -> [CompositionError] {
        var usedAs: [String: OrderedDictionary<String, String>] = [:]   // directive → local name → first subgraph
        for sg in subgraphs {
            var applied = Set<String>()
            func note(_ directives: [Directive]) { for d in directives { applied.insert(d.name.value) } }
            for definition in sg.document.definitions {
                switch definition {
                case .schema(let s): note(s.directives)
                case .type(let t):
                    note(t.directives)
                    for f in t.fields { note(f.directives); for a in f.arguments { note(a.directives) } }
                    for v in t.enumValues { note(v.directives) }
                    for i in t.inputFields { note(i.directives) }
                default: continue
                }
            }
            for name in applied.sorted() where !name.contains("__") {
                guard let fed = sg.directiveNames[name], ["tag", "inaccessible", "cost", "listSize", "authenticated", "requiresScopes", "policy"].contains(fed) else { continue }
                if usedAs[fed]?[name] == nil { usedAs[fed, default: [:]][name] = sg.name }
            }
        }
        return usedAs.sorted { $0.key < $1.key }.compactMap { fed, names in
            guard names.count > 1 else { return nil }
            let list = names.map { "@\($0.key) in subgraph \"\($0.value)\"" }.joined(separator: ", ")
            return CompositionError(.linkImportNameMismatch, "The \"@\(fed)\" directive is imported with mismatched names between subgraphs: it is imported as \(list).")
        }
    }

    /// The code Apollo's composition gives what makes a merged supergraph's API schema invalid
    /// (`full`: the supergraph's SDL read as it is, its `@inaccessible` elements in it).
    static func classify(_ message: String, _ full: Document?) -> CompositionError.Code {
        func hidden(_ directives: [Directive]) -> Bool { directives.contains { $0.name.value == "inaccessible" } }
        func type(_ name: String) -> TypeDefinition? {
            for case .type(let t) in full?.definitions ?? [] where t.name.value == name && !t.isExtension { return t }
            return nil
        }
        // The message's words without quotes and closing punctuation: `Interface field I.a expected but B does not provide it.`
        let words = message.split(separator: " ").map { w in String(w.drop { $0 == "\"" }.reversed().drop { $0 == "." || $0 == "\"" || $0 == "," }.reversed()) }
        if message.hasPrefix("Interface field"), message.contains("expected but"), words.count > 5 {
            let object = words[5], field = words[2].split(separator: ".").last.map(String.init) ?? ""
            if let f = type(object)?.fields.first(where: { $0.name.value == field }), hidden(f.directives) { return .implementedByInaccessible }
            return .interfaceFieldNoImplem
        }
        if message.hasPrefix("Interface field"), message.contains("expects type") { return .interfaceFieldImplemTypeMismatch }
        if message.contains("The default value of"), message.contains("which is @inaccessible") { return .defaultValueUsesInaccessible }
        if message.hasPrefix("Query root type must be provided"), let q = type("Query"), hidden(q.directives) { return .queryRootTypeInaccessible }
        if message.contains("must define one or more"), let i = words.firstIndex(of: "must"), i > 0, let t = type(words[i - 1]) {
            // `Type O must define…`, `Enum type E must…`, `Union type U must…`, `Input Object type In must…`
            let children = t.fields.map(\.directives) + t.inputFields.map(\.directives) + t.enumValues.map(\.directives)
            if !children.isEmpty || !t.unionMembers.isEmpty { return .onlyInaccessibleChildren }
            if t.kind == .inputObject { return .emptyMergedInputType }
        }
        return .invalidSubgraph
    }

    static func inaccessibleReferences(_ schema: Schema) -> [CompositionError] {
        func hidden(_ directives: [Directive]) -> Bool { directives.contains { $0.name.value == "inaccessible" } }
        let hiddenTypes = Set(schema.types.values.filter { hidden($0.directives) }.map(\.name))
        guard !hiddenTypes.isEmpty else { return [] }
        var errors: [CompositionError] = []
        func check(_ type: TypeReference, _ directives: [Directive], _ coordinate: String) {
            let named = type.namedType.value
            guard hiddenTypes.contains(named), !hidden(directives) else { return }
            errors.append(CompositionError(.referencedInaccessible,
                "Type \"\(named)\" is @inaccessible but is referenced by \"\(coordinate)\", which is in the API schema."))
        }
        for (name, t) in schema.types.sorted(by: { $0.key < $1.key }) where !hiddenTypes.contains(name) && !name.hasPrefix("join__") && !name.hasPrefix("link__") {
            for (f, def) in t.fields where !hidden(def.directives) {
                check(def.type, def.directives, "\(name).\(f)")
                for (a, arg) in def.arguments { check(arg.type, arg.directives, "\(name).\(f)(\(a):)") }
            }
            for (f, def) in t.inputFields { check(def.type, def.directives, "\(name).\(f)") }
        }
        return errors
    }

    /// `@cost` weights and `@listSize` assumed sizes are 0 or more: a negative one would let a
    /// costly operation pay for another under the cost limit.
    static func demandControlErrors(_ supergraph: Supergraph) -> [CompositionError] {
        var errors: [CompositionError] = []
        func check(_ directives: [Directive], _ coordinate: String) {
            for d in directives {
                if d.name.value == "listSize", case .int(let v)? = d.arguments.first(where: { $0.name.value == "assumedSize" })?.value, (Int(v) ?? 0) < 0 {
                    errors.append(CompositionError(.listSizeInvalidAssumedSize, "@listSize(assumedSize:) on \"\(coordinate)\" is negative: it must be 0 or more."))
                }
                if d.name.value == "cost", case .int(let v)? = d.arguments.first(where: { $0.name.value == "weight" })?.value, (Int(v) ?? 0) < 0 {
                    errors.append(CompositionError(.costInvalidWeight, "@cost(weight:) on \"\(coordinate)\" is negative: it must be 0 or more."))
                }
            }
        }
        for (name, t) in supergraph.schema.types.sorted(by: { $0.key < $1.key }) {
            check(t.directives, name)
            for (f, def) in t.fields {
                check(def.directives, "\(name).\(f)")
                for (a, arg) in def.arguments { check(arg.directives, "\(name).\(f)(\(a):)") }
            }
            for (f, def) in t.inputFields { check(def.directives, "\(name).\(f)") }
        }
        return errors
    }

    /// Directives every subgraph defines for operations (not federation's, not built in, not
    /// composed with @composeDirective): in the supergraph, so clients may use them and the
    /// subgraphs get them, with the executable locations and the arguments (of one type) every
    /// definition has, repeatable only when every one is. One that disagrees on an argument's type
    /// or shares no location is left out.
    static func sharedExecutableDirectives(_ subgraphs: [SubgraphSchema], composed: Set<String>) -> [DirectiveDefinition] {
        let executable: Set<String> = ["QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
                                       "INLINE_FRAGMENT", "VARIABLE_DEFINITION"]
        let builtIn: Set<String> = ["skip", "include", "deprecated", "specifiedBy", "oneOf", "defer", "stream", "link"]
        var merged = OrderedDictionary<String, DirectiveDefinition?>()
        for (n, sg) in subgraphs.enumerated() {
            var mine: [String: DirectiveDefinition] = [:]
            for case .directive(let d) in sg.document.definitions {
                let name = d.name.value
                guard !builtIn.contains(name), !composed.contains(name), sg.directiveNames[name] == nil, !name.contains("__") else { continue }
                mine[name] = d
            }
            if n == 0 {
                for (name, d) in mine.sorted(by: { $0.key < $1.key }) {
                    var d = d
                    d.locations = d.locations.filter { executable.contains($0.value) }
                    merged[name] = d
                }
                continue
            }
            for (name, existing) in merged {
                guard let existing, let other = mine[name] else { merged[name] = .some(nil); continue }
                var d = existing
                let locations = Set(other.locations.map(\.value))
                d.locations = d.locations.filter { locations.contains($0.value) }
                d.isRepeatable = d.isRepeatable && other.isRepeatable
                // An argument every subgraph has, of the stricter of their input types (Apollo's
                // rule for arguments), with a default only where every subgraph gives that one.
                var agree = true
                d.arguments = d.arguments.compactMap { a in
                    guard let b = other.arguments.first(where: { $0.name.value == a.name.value }) else { return nil }
                    var a = a
                    guard let type = stricterInput(a.type, b.type) else { agree = false; return a }
                    a.type = type
                    if a.defaultValue != b.defaultValue { a.defaultValue = nil }
                    return a
                }
                merged[name] = agree ? d : .some(nil)
            }
        }
        return merged.values.compactMap { $0 }.filter { !$0.locations.isEmpty }
    }

    /// One definition of a directive several subgraphs compose: arguments by name (their types
    /// must agree; a default given anywhere is kept), repeatable only if it is everywhere, and
    /// the locations every subgraph allows. Nil when argument types disagree.
    static func mergeDirectiveDefinitions(_ a: DirectiveDefinition, _ b: DirectiveDefinition) -> DirectiveDefinition? {
        var merged = a
        var arguments = a.arguments
        for arg in b.arguments {
            if let i = arguments.firstIndex(where: { $0.name.value == arg.name.value }) {
                guard arguments[i].type.description == arg.type.description else { return nil }
                if arguments[i].defaultValue == nil { arguments[i].defaultValue = arg.defaultValue }
            } else {
                arguments.append(arg)
            }
        }
        merged.arguments = arguments
        merged.isRepeatable = a.isRepeatable && b.isRepeatable
        let other = Set(b.locations.map(\.value))
        merged.locations = a.locations.filter { other.contains($0.value) }
        return merged.locations.isEmpty ? nil : merged
    }

    /// An argument's or input field's `@cost`, under its own name (it counts where the argument
    /// or field is given).
    /// The names of a subgraph's `@tag` applications (under whatever name it imports `@tag`).
    static func tagNames(_ sg: SubgraphSchema, _ directives: [Directive]) -> [String] {
        sg.all(directives, "tag").compactMap { $0.string("name") }
    }

    /// The names of the supergraph's own `@tag` applications (`tag(_:)`).
    static func tagNames(_ directives: [Directive]) -> [String] {
        directives.filter { $0.name.value == "tag" }.compactMap { $0.string("name") }
    }

    static func tag(_ name: String) -> Directive {
        Directive(name: Name("tag"), arguments: [Argument(name: Name("name"), value: .string(name, block: false), span: .none)], span: .none)
    }

    static func costDirectives(_ sg: SubgraphSchema, _ directives: [Directive]) -> [Directive] {
        directives.compactMap { d in
            guard sg.federationName(d) == "cost" else { return nil }
            var d = d
            d.name = Name("cost")
            return d
        }
    }

    static func printedCost(_ directives: [Directive]) -> String {
        directives.first { $0.name.value == "cost" }.map { d in
            " @cost(" + d.arguments.map { "\($0.name.value): \(Printer.print($0.value))" }.joined(separator: ", ") + ")"
        } ?? ""
    }

    /// `@cost` and `@listSize` (demand control) carried into the supergraph under their own names.
    static func demandControl(_ sg: SubgraphSchema, _ d: Directive) -> String? {
        guard let fed = sg.federationName(d), ["cost", "listSize", "authenticated", "requiresScopes", "policy"].contains(fed) else { return nil }
        return "@\(fed)" + (d.arguments.isEmpty ? "" : "(" + d.arguments.map { "\($0.name.value): \(Printer.print($0.value))" }.joined(separator: ", ") + ")")
    }

    static let accessDirectives: Set<String> = ["authenticated", "requiresScopes", "policy"]

    /// The lists of names a printed `@requiresScopes(scopes:)` / `@policy(policies:)` gives.
    static func alternatives(_ printed: String, _ argument: String) -> [[String]]? {
        guard let doc = try? Parser.parse("scalar S " + printed, options: .schema), case .type(let t)? = doc.definitions.first else { return nil }
        return t.directives.first?.argument(argument)?.stringListsCoerced
    }

    /// A demand-control or access directive of one subgraph added to an element's: `@cost` and
    /// `@listSize` are one per element, the highest weight (and assumed size) of the subgraphs
    /// defining it kept, as a shared field costs what its dearest subgraph says.
    static func addDemandControl(_ sg: SubgraphSchema, _ d: Directive, to directives: inout [String]) {
        guard var printed = demandControl(sg, d) else { return }
        let fed = sg.federationName(d) ?? ""
        // Scope and policy lists as their type takes them (`["a"]` is `[["a"]]`): merged, and
        // read by the gateway, in one form (probe 56A: `["a"]` and `["b"]` merged into `[[]]`,
        // a requirement any request met).
        if fed == "requiresScopes" || fed == "policy" {
            let argument = fed == "requiresScopes" ? "scopes" : "policies"
            // (One that is no such value is kept as written: the gateway lets no one through it.)
            if let lists = alternatives(printed, argument) { printed = "@\(fed)(\(argument): \(Printer.print(Value.list(lists.map { .list($0.map { .string($0, block: false) }) }))))" }
        }
        guard !directives.contains(printed) else { return }
        let number = fed == "cost" ? "weight" : "assumedSize"
        // `@requiresScopes` / `@policy` of several subgraphs: one application, each subgraph's
        // alternatives required together (the conjunction of their disjunctions, as Apollo's 2.9
        // composition merges them; the directives are not repeatable).
        if fed == "requiresScopes" || fed == "policy", let i = directives.firstIndex(where: { $0.hasPrefix("@\(fed)(") }) {
            let argument = fed == "requiresScopes" ? "scopes" : "policies"
            if let a = alternatives(directives[i], argument), let b = alternatives(printed, argument) {
                var merged: [[String]] = []
                for x in a {
                    for y in b {
                        var both: [String] = []
                        for name in x + y where !both.contains(name) { both.append(name) }
                        if !merged.contains(both) { merged.append(both) }
                    }
                }
                let value = Value.list(merged.map { .list($0.map { .string($0, block: false) }) })
                directives[i] = "@\(fed)(\(argument): \(Printer.print(value)))"
                return
            }
        }
        guard fed == "cost" || fed == "listSize", let i = directives.firstIndex(where: { $0.hasPrefix("@\(fed)(") || $0 == "@\(fed)" }) else {
            directives.append(printed)
            return
        }
        func value(_ printed: String) -> Int? {
            let key = Array((number + ": ").utf8), bytes = Array(printed.utf8)
            guard let at = (0...max(0, bytes.count - key.count)).first(where: { bytes[$0...].starts(with: key) }) else { return nil }
            return Int(String(decoding: bytes[(at + key.count)...].prefix { $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }, as: UTF8.self))
        }
        if let new = value(printed), value(directives[i]).map({ new > $0 }) ?? true { directives[i] = printed }
    }

    /// Two subgraphs' types of one field whose named types differ: valid when one is a supertype
    /// of the other (a union and its member, an interface and its implementation), checked once
    /// every type is merged.
    struct PendingSubtype {
        let type: String, field: String, a: String, b: String, subgraph: String
    }

    /// Output field types may differ in nullability (the supergraph takes the nullable one) and
    /// in the named type when one is a subtype of the other (recorded in `pending`).
    static func mergeOutputType(_ a: TypeReference, _ b: TypeReference, _ type: String, _ field: String, _ subgraph: String,
                                _ pending: inout [PendingSubtype], _ errors: inout [CompositionError]) -> TypeReference {
        func same(_ x: TypeReference, _ y: TypeReference) -> TypeReference? {
            switch (x, y) {
            case (.named(let n), .named(let m)):
                if n.value != m.value { pending.append(PendingSubtype(type: type, field: field, a: n.value, b: m.value, subgraph: subgraph)) }
                return .named(Name(n.value))
            case (.list(let i), .list(let j)): return same(i, j).map { .list($0) }
            case (.nonNull(let i), .nonNull(let j)): return same(i, j).map { .nonNull($0) }
            case (.nonNull(let i), _): return same(i, y)
            case (_, .nonNull(let j)): return same(x, j)
            default: return nil
            }
        }
        if let merged = same(a, b) { return merged }
        errors.append(CompositionError(.fieldTypeMismatch, "Type of field \"\(type).\(field)\" is incompatible across subgraphs: it has type \"\(a)\" in some subgraphs but type \"\(b)\" in subgraph \"\(subgraph)\"."))
        return a
    }

    /// Settles the recorded named-type differences: the field takes the supertype.
    static func resolveSubtypes(_ pending: [PendingSubtype], _ types: inout OrderedDictionary<String, MergedType>, _ errors: inout [CompositionError]) {
        func isSubtype(_ sub: String, of sup: String) -> Bool {
            guard let t = types[sup] else { return false }
            switch t.kind {
            case .union: return t.unionMembers[sub] != nil
            case .interface: return types[sub]?.interfaces[sup] != nil
            default: return false
            }
        }
        func rename(_ ref: TypeReference, to name: String) -> TypeReference {
            switch ref {
            case .named: return .named(Name(name))
            case .list(let i): return .list(rename(i, to: name))
            case .nonNull(let i): return .nonNull(rename(i, to: name))
            }
        }
        for p in pending {
            guard let current = types[p.type]?.fields[p.field]?.type.namedType.value else { continue }
            let other = current == p.a ? p.b : p.a
            if current == other || isSubtype(other, of: current) { continue }
            if isSubtype(current, of: other) {
                types[p.type]!.fields[p.field]!.type = rename(types[p.type]!.fields[p.field]!.type, to: other)
            } else {
                errors.append(CompositionError(.fieldTypeMismatch, "Type of field \"\(p.type).\(p.field)\" is incompatible across subgraphs: it has type \"\(p.a)\" in some subgraphs but type \"\(p.b)\" in subgraph \"\(p.subgraph)\"."))
            }
        }
    }

    /// Whether subgraph `g` uses `type.field` itself: in one of the type's keys there, a
    /// `@requires` of another of its fields there, a `@provides` of a field returning the type
    /// there, or an interface the type implements there that has the field.
    /// The variables a value uses, each with the type expected where it stands (nil where it
    /// cannot be told: inside an input object).
    static func variableUses(_ value: Value, _ expected: TypeReference?) -> [(String, TypeReference?)] {
        switch value {
        case .variable(let name): return [(name, expected)]
        case .list(let items):
            var item: TypeReference? = nil
            switch expected {
            case .list(let inner)?, .nonNull(.list(let inner))?: item = inner
            default: break
            }
            return items.flatMap { variableUses($0, item) }
        case .object(let fields): return fields.flatMap { variableUses($0.value, nil) }
        default: return []
        }
    }

    /// A variable of `type` may stand where `expected` is (GraphQL's variable usage rule: the
    /// same types, a non-null variable anywhere its nullable type goes, a nullable one where a
    /// non-null is expected only with a default).
    static func fits(_ type: TypeReference, hasDefault: Bool, _ expected: TypeReference) -> Bool {
        if case .nonNull(let inner) = expected {
            if case .nonNull = type {} else { return hasDefault && fits(type, hasDefault: false, inner) }
        }
        switch (type, expected) {
        case (.nonNull(let t), .nonNull(let e)): return fits(t, hasDefault: false, e)
        case (.nonNull(let t), _): return fits(t, hasDefault: false, expected)
        case (.list(let t), .list(let e)): return fits(t, hasDefault: false, e)
        case (.named(let t), .named(let e)): return t.value == e.value
        default: return false
        }
    }

    static func stillUses(_ types: OrderedDictionary<String, MergedType>, _ type: String, _ field: String, in g: String) -> Bool {
        /// Whether a field set on `parent` selects `type.field`, at any depth (`e { k }`).
        func selects(_ fields: String?, on parent: String) -> Bool {
            guard let fields, let set = try? FieldSet.parse(fields) else { return false }
            return selects(set.selections, on: parent, depth: 0)
        }
        func selects(_ selections: [Selection], on parent: String, depth: Int) -> Bool {
            guard depth < 32 else { return false }
            for selection in selections {
                switch selection {
                case .field(let f):
                    if parent == type, f.name.value == field { return true }
                    if let sub = f.selectionSet, let next = types[parent]?.fields[f.name.value]?.type.namedType.value,
                       selects(sub.selections, on: next, depth: depth + 1) { return true }
                case .inlineFragment(let i):
                    if selects(i.selectionSet.selections, on: i.typeCondition?.value ?? parent, depth: depth + 1) { return true }
                case .fragmentSpread:
                    continue
                }
            }
            return false
        }
        guard let t = types[type] else { return false }
        for (name, other) in types {
            if other.graphs[g]?.keys.contains(where: { selects($0.fields, on: name) }) == true { return true }
            for f in other.fields.values {
                if selects(f.graphs[g]?.requires, on: name) || selects(f.graphs[g]?.provides, on: f.type.namedType.value) { return true }
            }
        }
        return t.interfaces.contains { i, graphs in graphs.contains(g) && types[i]?.fields[field]?.graphs[g] != nil }
    }

    // MARK: printing the supergraph

    static func print(_ subgraphs: [SubgraphSchema], _ types: OrderedDictionary<String, MergedType>, usesInaccessible: Bool, usesTag: Bool,
                      usesContext: Bool = false,
                      composed: OrderedDictionary<String, (definition: DirectiveDefinition, linkURL: String?)> = [:],
                      composedOriginals: [String: String] = [:],
                      executable: [DirectiveDefinition] = [], schemaDescription: String? = nil) -> String {
        var out = schemaDescription.map { Printer.print(Value.string($0, block: true)) + "\n" } ?? ""
        out += "schema\n  @link(url: \"https://specs.apollo.dev/link/v1.0\")\n  @link(url: \"https://specs.apollo.dev/join/v0.4\", for: EXECUTION)\n"
        if usesInaccessible { out += "  @link(url: \"https://specs.apollo.dev/inaccessible/v0.2\", for: SECURITY)\n" }
        if usesTag { out += "  @link(url: \"https://specs.apollo.dev/tag/v0.3\")\n" }
        if usesContext { out += "  @link(url: \"https://specs.apollo.dev/context/v0.1\", for: SECURITY)\n" }
        // One link per feature (a core schema may include a feature once), at the newest
        // version any composed directive of it comes from.
        var linked = OrderedDictionary<String, (url: String, names: [String])>()
        for (name, c) in composed {
            guard let url = c.linkURL else { continue }
            let identity = String(url[..<(url.lastIndex(of: "/") ?? url.endIndex)])
            var entry = linked[identity] ?? (url, [])
            if let v = SubgraphSchema.featureVersion(url), let w = SubgraphSchema.featureVersion(entry.url), (v.major, v.minor) > (w.major, w.minor) { entry.url = url }
            // Imported by the feature's own name, or renamed (`as:`) where the supergraph calls it otherwise.
            let original = composedOriginals[name] ?? name
            entry.names.append(original == name ? Printer.string("@" + name) : "{ name: \(Printer.string("@" + original)), as: \(Printer.string("@" + name)) }")
            linked[identity] = entry
        }
        for (url, names) in linked.values { out += "  @link(url: \(Printer.string(url)), import: [\(names.joined(separator: ", "))])\n" }
        out += "{\n  query: Query\n"
        if types["Mutation"] != nil { out += "  mutation: Mutation\n" }
        if types["Subscription"] != nil { out += "  subscription: Subscription\n" }
        out += "}\n\n"
        out += """
        directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

        directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String\(usesContext ? ", contextArguments: [join__ContextArgument!]" : "")) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

        directive @join__graph(name: String!, url: String!) on ENUM_VALUE

        directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

        directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

        directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

        directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA


        """
        if usesInaccessible {
            out += "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION\n\n"
        }
        if usesContext {
            out += "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION\n\n"
            out += "input join__ContextArgument {\n  name: String!\n  type: String!\n  context: String!\n  selection: join__FieldValue!\n}\n\n"
            out += "scalar join__FieldValue\n\n"
        }
        if usesTag {
            out += "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA\n\n"
        }
        for definition in composed.values.map(\.definition) + executable {
            var printed = Printer.print(Document(definitions: [.directive(definition)]))
            while printed.last?.isNewline == true { printed.removeLast() }
            out += printed + "\n\n"
        }
        out += "scalar join__FieldSet\n\nenum join__Graph {\n"
        let graphIDs = Self.graphIDs(subgraphs.map(\.name))
        for sg in subgraphs {
            out += "  \(graphIDs[sg.name]!) @join__graph(name: \(Printer.string(sg.name)), url: \(Printer.string(sg.url)))\n"
        }
        out += "}\n\nscalar link__Import\n\nenum link__Purpose {\n  SECURITY\n  EXECUTION\n}\n"

        for t in types.values {
            out += "\n"
            if let d = t.description { out += Printer.print(Value.string(d, block: true)) + "\n" }
            var head = "\(t.kind.rawValue) \(t.name)"
            if !t.interfaces.isEmpty, t.kind == .object || t.kind == .interface { head += " implements " + t.interfaces.keys.joined(separator: " & ") }
            out += head
            // Every subgraph has a query type (`_service`, `_entities`), fields or not: Apollo's
            // composition lists each on `Query`, and so do we.
            var graphs = t.graphs
            if t.name == "Query" {
                graphs = [:]
                for sg in subgraphs { let g = graphIDs[sg.name]!; graphs[g] = t.graphs[g] ?? TypeInGraph() }
            }
            for (g, tig) in graphs {
                if tig.keys.isEmpty {
                    out += "\n  @join__type(graph: \(g)\(tig.isExtension ? ", extension: true" : "")\(tig.interfaceObject ? ", isInterfaceObject: true" : ""))"
                }
                for k in tig.keys {
                    out += "\n  @join__type(graph: \(g), key: \(Printer.string(k.fields))\(tig.isExtension ? ", extension: true" : "")\(k.resolvable ? "" : ", resolvable: false")\(tig.interfaceObject ? ", isInterfaceObject: true" : ""))"
                }
            }
            for (i, gs) in t.interfaces { for g in gs { out += "\n  @join__implements(graph: \(g), interface: \(Printer.string(i)))" } }
            for (m, gs) in t.unionMembers { for g in gs { out += "\n  @join__unionMember(graph: \(g), member: \(Printer.string(m)))" } }
            for d in t.otherDirectives { out += "\n  " + d }
            switch t.kind {
            case .scalar:
                out += "\n"
            case .union:
                out += "\n  = " + t.unionMembers.keys.joined(separator: " | ") + "\n"
            case .enumType:
                out += "\n{\n"
                for (v, gs) in t.enumValues {
                    if let d = t.enumValueDescriptions[v] { out += "  " + Printer.print(Value.string(d, block: false)) + "\n" }
                    out += "  \(v)" + gs.map { " @join__enumValue(graph: \($0))" }.joined() + (t.enumValueDirectives[v]?.map { " " + $0 }.joined() ?? "") + "\n"
                }
                out += "}\n"
            case .inputObject:
                out += "\n{\n"
                for (name, f) in t.inputFields {
                    if let d = f.def.description { out += "  " + Printer.print(Value.string(d, block: false)) + "\n" }
                    out += "  \(name): \(f.def.type)" + (f.def.defaultValue.map { " = " + Printer.print($0) } ?? "")
                        + (Self.deprecated(f.def.directives).map { " " + $0 } ?? "")
                        + Self.printedCost(f.def.directives)
                        + (f.def.directives.contains { $0.name.value == "inaccessible" } ? " @inaccessible" : "")
                        + Self.tagNames(f.def.directives).map { " @tag(name: \(Printer.string($0)))" }.joined() + "\n"
                }
                out += "}\n"
            case .object, .interface:
                out += "\n{\n"
                let typeGraphs = Set(graphs.keys)
                for f in t.fields.values {
                    if let d = f.description { out += "  " + Printer.print(Value.string(d, block: false)) + "\n" }
                    var line = "  \(f.name)"
                    if !f.arguments.isEmpty {
                        line += "(" + f.arguments.values.map { a in
                            (a.description.map { Printer.print(Value.string($0, block: false)) + " " } ?? "")
                                + "\(a.name.value): \(a.type)" + (a.defaultValue.map { " = " + Printer.print($0) } ?? "")
                                + (Self.deprecated(a.directives).map { " " + $0 } ?? "")
                                + Self.printedCost(a.directives)
                                + (f.inaccessibleArguments.contains(a.name.value) ? " @inaccessible" : "")
                                + (f.argumentTags[a.name.value] ?? []).map { " @tag(name: \(Printer.string($0)))" }.joined()
                        }.joined(separator: ", ") + ")"
                    }
                    line += ": \(f.type)"
                    let plain = Set(f.graphs.keys) == typeGraphs && f.graphs.values.allSatisfy {
                        !$0.external && !$0.usedOverridden && $0.requires == nil && $0.provides == nil && $0.override == nil && $0.overrideLabel == nil
                            && $0.contextArguments.isEmpty
                            && $0.type.description == f.type.description
                    }
                    if f.graphs.isEmpty {
                        line += " @join__field" // resolved through an @interfaceObject, not on this type
                    } else if !plain {
                        for (g, fig) in f.graphs {
                            if fig.usedOverridden {
                                line += " @join__field(graph: \(g), usedOverridden: true)"
                                continue
                            }
                            var args = ["graph: \(g)"]
                            if fig.type.description != f.type.description { args.append("type: \(Printer.string(fig.type.description))") }
                            if let r = fig.requires { args.append("requires: \(Printer.string(r))") }
                            if let p = fig.provides { args.append("provides: \(Printer.string(p))") }
                            if fig.external { args.append("external: true") }
                            if let o = fig.override { args.append("override: \(Printer.string(o))") }
                            if let l = fig.overrideLabel { args.append("overrideLabel: \(Printer.string(l))") }
                            if !fig.contextArguments.isEmpty {
                                args.append("contextArguments: [" + fig.contextArguments.map { c in
                                    "{context: \(Printer.string(c.context)), name: \(Printer.string(c.name)), type: \(Printer.string(c.type)), selection: \(Printer.string(c.selection))}"
                                }.joined(separator: ", ") + "]")
                            }
                            line += " @join__field(\(args.joined(separator: ", ")))"
                        }
                    }
                    for d in f.otherDirectives { line += " " + d }
                    out += line + "\n"
                }
                out += "}\n"
            }
        }
        return Self.linkingUsedSpecs(out, usesContext: usesContext, taken: Set(composed.keys))
    }

    /// The supergraph links the specs of the access and demand-control directives its elements
    /// use, as Apollo's does (a router knows `@authenticated`, `@requiresScopes`, `@policy` as
    /// security features by their links, not their names), and join v0.5 where it uses what only
    /// v0.5 has (`contextArguments`, `@cost`).
    /// The access-control and demand-control specs the supergraph uses, linked and defined —
    /// only those it uses (as Apollo's composition adds them), and none whose name a composed
    /// directive of a subgraph's own already has.
    static func linkingUsedSpecs(_ printed: String, usesContext: Bool, taken: Set<String> = []) -> String {
        let marker = "enum link__Purpose {\n  SECURITY\n  EXECUTION\n}\n"
        guard let end = printed.firstRange(of: marker)?.upperBound, let schemaEnd = printed.firstRange(of: "{\n  query: Query\n"),
              let definitionsAt = printed.firstRange(of: "scalar join__FieldSet\n") else { return printed }
        let elements = printed[end...]
        func uses(_ name: String) -> Bool {
            !taken.contains(name) && (elements.contains(" @\(name)(") || elements.contains(" @\(name)\n") || elements.contains(" @\(name) "))
        }
        var links = "", definitions = ""
        let security: [(String, String)] = [
            ("authenticated", "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"),
            ("requiresScopes", "directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"),
            ("policy", "directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"),
        ]
        for (spec, definition) in security where uses(spec) {
            links += "  @link(url: \"https://specs.apollo.dev/\(spec)/v0.1\", for: SECURITY)\n"
            definitions += definition + "\n\n"
        }
        let cost = uses("cost") || uses("listSize")
        if cost {
            links += "  @link(url: \"https://specs.apollo.dev/cost/v0.1\", import: [\"@cost\", \"@listSize\"])\n"
            definitions = "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR\n\n"
                + "directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION\n\n"
                + definitions
        }
        var out = printed
        out.insert(contentsOf: definitions, at: definitionsAt.lowerBound)
        out.insert(contentsOf: links, at: schemaEnd.lowerBound)
        if usesContext || cost, let join = out.firstRange(of: "https://specs.apollo.dev/join/v0.4") {
            out.replaceSubrange(join, with: "https://specs.apollo.dev/join/v0.5")
        }
        return out
    }
}
