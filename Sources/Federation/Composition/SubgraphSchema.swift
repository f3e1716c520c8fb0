import GraphQLCore
import OrderedCollections

/// One subgraph's SDL read with its federation directives resolved: `@link` imports
/// (including renames like `{ name: "@key", as: "@primaryKey" }`), the `federation__` prefix
/// for what is not imported, and Federation 1 style (`extend type ... @key`, no `@link`).
public struct SubgraphSchema: Sendable {
    public let name: String
    public let url: String
    public let document: Document
    public let isFederation2: Bool
    /// The federation spec version linked (v2.x: x), nil for a Federation 1 subgraph.
    let federationMinor: Int?
    /// Local directive name → federation directive name (`key`, `external`, ...).
    let directiveNames: [String: String]
    /// The names the linked specs' own types have here (`FieldSet` imported, `federation__Scope`,
    /// `link__Import`, a Federation 1 `_FieldSet`): machinery, not the subgraph's types. A type
    /// of the subgraph's own that happens to be called `FieldSet` (not imported) is its own.
    let specTypeNames: Set<String>

    static let federationDirectives = ["key", "external", "requires", "provides", "shareable", "override", "inaccessible",
                                       "tag", "interfaceObject", "extends", "composeDirective", "authenticated", "requiresScopes", "policy", "cost", "listSize",
                                       "context", "fromContext"]
    /// What a Federation 1 subgraph (no federation `@link`) means by its directives: the rest
    /// are its own (an `@authenticated(scope:)` it defines is not federation's).
    static let federation1Directives = ["key", "external", "requires", "provides", "extends", "tag", "inaccessible"]
    /// Specs a subgraph may `@link` whose directives composition reads, with those directives.
    static let linkedSpecs: [(spec: String, directives: [String])] = [
        ("federation", federationDirectives), ("cost", ["cost", "listSize"]), ("listSize", ["listSize"]), ("authenticated", ["authenticated"]),
        ("requiresScopes", ["requiresScopes"]), ("policy", ["policy"]), ("tag", ["tag"]), ("inaccessible", ["inaccessible"]),
    ]

    public init(name: String, url: String, sdl: String) throws {
        self.name = name
        self.url = url
        do {
            document = Self.upgradingFederation1(try Self.renamingRoots(try Parser.parse(sdl, options: .schema), subgraph: name))
        } catch let e as GraphQLError {
            throw CompositionError(.invalidSubgraph, "Subgraph \"\(name)\" has invalid SDL: \(e.message) (\(e.locations.first?.description ?? ""))")
        }
        // What no schema may hold (GraphQL's type system rules): a type defined twice, a field or
        // input field or enum value named twice in one type (its extensions included), a name
        // starting with `__` (reserved for introspection).
        var defined = Set<String>(), members: [String: Set<String>] = [:]
        for case .type(let t) in document.definitions {
            let type = t.name.value
            guard !type.hasPrefix("__") else {
                throw CompositionError(.invalidSubgraph, "Subgraph \"\(name)\": the name \"\(type)\" is reserved (names starting with \"__\" are introspection's).")
            }
            if !t.isExtension, !defined.insert(type).inserted {
                throw CompositionError(.invalidSubgraph, "Subgraph \"\(name)\": type \"\(type)\" is defined more than once.")
            }
            for member in t.fields.map(\.name.value) + t.inputFields.map(\.name.value) + t.enumValues.map(\.name.value) {
                guard members[type, default: []].insert(member).inserted else {
                    throw CompositionError(.invalidSubgraph, "Subgraph \"\(name)\": \"\(type).\(member)\" is defined more than once.")
                }
            }
        }
        var names: [String: String] = [:]
        var specTypes: Set<String> = []
        var fed2 = false
        var federationVersion: (major: Int, minor: Int)?
        for case .schema(let s) in document.definitions {
            for d in s.directives where d.name.value == "link" {
                guard let url = d.string("url") else { continue }
                guard let version = Self.featureVersion(url) else {
                    throw CompositionError(.invalidLinkIdentifier, "Subgraph \"\(name)\": invalid @link url \"\(url)\": a feature url ends with its version (\"…/name/vX.Y\").")
                }
                if url.contains("specs.apollo.dev/federation/") {
                    guard federationVersion == nil else {
                        throw CompositionError(.invalidLinkDirectiveUsage, "Subgraph \"\(name)\": the federation spec is linked more than once.")
                    }
                    guard version.major == 2, version.minor <= Self.latestFederationMinor else {
                        throw CompositionError(.unknownFederationLinkVersion, "Subgraph \"\(name)\": invalid version v\(version.major).\(version.minor) for the federation feature in @link directive on schema (known versions: v2.0 to v2.\(Self.latestFederationMinor)).")
                    }
                    federationVersion = version
                    try Self.checkImports(d, version: version.minor, subgraph: name)
                }
                // The types of the specs linked, by the names they have here.
                if let spec = Self.specTypes.first(where: { url.contains("specs.apollo.dev/\($0.spec)/") }) {
                    let namespace = d.string("as") ?? spec.spec
                    for t in spec.types { specTypes.insert(namespace + "__" + t) }
                    for (from, to) in Self.linkImports(d) where spec.types.contains(from) { specTypes.insert(to) }
                }
                // Federation's own spec, and the specs of directives it also defines (a subgraph
                // may link `https://specs.apollo.dev/cost/v0.1` for @cost and @listSize).
                guard let spec = Self.linkedSpecs.first(where: { url.contains("specs.apollo.dev/\($0.spec)/") }) else { continue }
                if spec.spec == "federation" { fed2 = true }
                let namespace = d.string("as") ?? spec.spec
                for f in spec.directives { names[f == namespace ? f : namespace + "__" + f] = f }
                for (from, to) in Self.linkImports(d) {
                    let bareFrom = from.hasPrefix("@") ? String(from.dropFirst()) : from
                    let bareTo = to.hasPrefix("@") ? String(to.dropFirst()) : to
                    if spec.directives.contains(bareFrom) { names[bareTo] = bareFrom }
                }
            }
        }
        if !fed2 {
            for f in Self.federation1Directives { names[f] = f }
            // A Federation 1 subgraph that defines `@override` itself means federation's (Apollo's
            // composition takes it so, and checks the definition as it checks federation's).
            for case .directive(let d) in document.definitions where d.name.value == "override" { names["override"] = "override" }
            // Federation 1's field set scalar (`_FieldSet`; some libraries printed `FieldSet`).
            specTypes.insert("_FieldSet")
            for case .type(let t) in document.definitions where t.kind == .scalar && t.name.value == "FieldSet" { specTypes.insert("FieldSet") }
        }
        // A scalar a federation directive's definition here takes (`directive @key(fields:
        // FieldSet!)` with `scalar FieldSet`, as some libraries print) is that machinery too.
        var scalars = Set<String>()
        for case .type(let t) in document.definitions where t.kind == .scalar { scalars.insert(t.name.value) }
        for case .directive(let d) in document.definitions where names[d.name.value] != nil {
            for a in d.arguments where scalars.contains(a.type.namedType.value) { specTypes.insert(a.type.namedType.value) }
        }
        directiveNames = names
        specTypeNames = specTypes
        isFederation2 = fed2
        federationMinor = federationVersion?.minor
    }

    /// The types of the specs a subgraph may link (by their names in the spec).
    static let specTypes: [(spec: String, types: [String])] = [
        ("federation", ["FieldSet", "Scope", "Policy", "ContextFieldValue"]), ("requiresScopes", ["Scope"]), ("policy", ["Policy"]),
        ("link", ["Import", "Purpose"]),
    ]

    /// A `@link`'s imports as (name in the spec, name here): `"@key"` and `{ name: "@key", as: "@k" }`.
    static func linkImports(_ link: Directive) -> [(name: String, local: String)] {
        guard case .list(let imports)? = link.argument("import") else { return [] }
        return imports.compactMap { item in
            switch item {
            case .string(let n, _): return (n, n)
            case .object(let fields):
                var from: String?, to: String?
                for f in fields {
                    guard case .string(let v, _) = f.value else { continue }
                    if f.name.value == "name" { from = v } else if f.name.value == "as" { to = v }
                }
                return from.map { ($0, to ?? $0) }
            default: return nil
            }
        }
    }

    /// The newest federation spec version known (v2.0 to v2.this).
    static let latestFederationMinor = 12

    /// The federation spec's elements, with the version each came with (v2.x: x); versions
    /// after v2.9 may define more than these.
    static let federationElements: [String: Int] = [
        "@key": 0, "@requires": 0, "@provides": 0, "@external": 0, "@tag": 0, "@extends": 0, "@shareable": 0,
        "@inaccessible": 0, "@override": 0, "FieldSet": 0, "@composeDirective": 1, "@interfaceObject": 3,
        "@authenticated": 5, "@requiresScopes": 5, "Scope": 5, "@policy": 6, "Policy": 6,
        "@context": 8, "@fromContext": 8, "ContextFieldValue": 8, "@cost": 9, "@listSize": 9,
    ]

    /// The version a feature url ends with (`…/federation/v2.5`), nil when it is not a feature url.
    static func featureVersion(_ url: String) -> (major: Int, minor: Int)? {
        guard let scheme = url.firstRange(of: "://"), !url[..<scheme.lowerBound].isEmpty else { return nil }
        let path = url[scheme.upperBound...].split(separator: "?", maxSplits: 1).first ?? ""
        let parts = path.split(separator: "/")
        guard parts.count >= 3, let last = parts.last, last.hasPrefix("v") else { return nil }
        let numbers = last.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 2, let major = Int(numbers[0]), let minor = Int(numbers[1]) else { return nil }
        return (major, minor)
    }

    /// The federation link's imports: each an element of the spec.
    static func checkImports(_ link: Directive, version minor: Int, subgraph: String) throws {
        for (element, _) in linkImports(link) {
            // An element the linked version does not have yet (`@listSize` came with v2.9) is
            // unknown to it; versions after v2.9 may have elements not listed here.
            if let since = federationElements[element] {
                if since > minor {
                    throw CompositionError(.invalidLinkDirectiveUsage, "Subgraph \"\(subgraph)\": cannot import unknown element \"\(element)\" from federation v2.\(minor) (it came with v2.\(since)).")
                }
            } else if minor <= 9 {
                throw CompositionError(.invalidLinkDirectiveUsage, "Subgraph \"\(subgraph)\": cannot import unknown element \"\(element)\" from federation v2.\(minor).")
            }
        }
    }

    /// A Federation 1 subgraph (no federation `@link`) read as Apollo's composition upgrades it:
    /// what Federation 1 let pass but means nothing is dropped — `@provides`/`@requires` on
    /// interface fields, `@provides` on a field of a leaf type, `@external` on an object type —
    /// and a `@key(fields:)` given as a list of names is one selection.
    static func upgradingFederation1(_ document: Document) -> Document {
        let linksFederation = document.definitions.contains { d in
            guard case .schema(let s) = d else { return false }
            return s.directives.contains { $0.name.value == "link" && ($0.string("url")?.contains("specs.apollo.dev/federation/") ?? false) }
        }
        guard !linksFederation else { return document }
        var composite = Set<String>()
        for case .type(let t) in document.definitions where [.object, .interface, .union].contains(t.kind) { composite.insert(t.name.value) }
        var out = document
        out.definitions = document.definitions.map { definition in
            guard case .type(var t) = definition else { return definition }
            t.directives = t.directives.compactMap { d in
                if d.name.value == "external", t.kind == .object { return nil }
                guard d.name.value == "key", case .list(let names)? = d.argument("fields") else { return d }
                var d = d
                let joined = names.compactMap { if case .string(let s, _) = $0 { return s } else { return nil } }.joined(separator: " ")
                d.arguments = d.arguments.map { a in a.name.value == "fields" ? Argument(name: a.name, value: .string(joined, block: false)) : a }
                return d
            }
            t.fields = t.fields.map { f in
                var f = f
                f.directives = f.directives.filter { d in
                    if t.kind == .interface, d.name.value == "provides" || d.name.value == "requires" { return false }
                    if d.name.value == "provides", !composite.contains(f.type.namedType.value) { return false }
                    return true
                }
                return f
            }
            return .type(t)
        }
        return out
    }

    /// Root types named otherwise (`schema { query: RootQuery }`) renamed `Query`, `Mutation`,
    /// `Subscription` everywhere in the document, as composition merges roots by operation, not
    /// by name; another type already called so is `ROOT_QUERY_USED` (…`MUTATION`, …`SUBSCRIPTION`).
    static func renamingRoots(_ document: Document, subgraph: String) throws -> Document {
        var renames: [String: String] = [:]
        for case .schema(let schema) in document.definitions {
            for op in schema.operationTypes {
                let standard = op.operation == .query ? "Query" : op.operation == .mutation ? "Mutation" : "Subscription"
                if op.type.value != standard { renames[op.type.value] = standard }
            }
        }
        guard !renames.isEmpty else { return document }
        for case .type(let t) in document.definitions {
            if let taken = renames.values.first(where: { $0 == t.name.value }), renames[t.name.value] == nil {
                let code: CompositionError.Code = taken == "Query" ? .rootQueryUsed : taken == "Mutation" ? .rootMutationUsed : .rootSubscriptionUsed
                throw CompositionError(code, "Subgraph \"\(subgraph)\": the schema's \(taken.lowercased()) root is another type, so no type may be named \"\(taken)\".")
            }
        }
        func renamed(_ n: Name) -> Name { renames[n.value].map { Name($0, span: n.span) } ?? n }
        func renamed(_ t: TypeReference) -> TypeReference {
            switch t {
            case .named(let n): return .named(renamed(n))
            case .list(let inner): return .list(renamed(inner))
            case .nonNull(let inner): return .nonNull(renamed(inner))
            }
        }
        var out = document
        out.definitions = document.definitions.map { definition in
            switch definition {
            case .type(var t):
                t.name = renamed(t.name)
                t.fields = t.fields.map { f in var f = f; f.type = renamed(f.type); return f }
                t.unionMembers = t.unionMembers.map(renamed)
                return .type(t)
            case .schema(var schema):
                schema.operationTypes = schema.operationTypes.map { op in var op = op; op.type = renamed(op.type); return op }
                return .schema(schema)
            default:
                return definition
            }
        }
        return out
    }

    /// Custom directives kept in the supergraph (`@composeDirective(name: "@x")`): name → the
    /// definition here and the `@link` url that imports it (if any).
    var composedDirectives: OrderedDictionary<String, (definition: DirectiveDefinition, linkURL: String?)> {
        var out = OrderedDictionary<String, (definition: DirectiveDefinition, linkURL: String?)>()
        var definitions: [String: DirectiveDefinition] = [:]
        for case .directive(let d) in document.definitions { definitions[d.name.value] = d }
        for case .schema(let schema) in document.definitions {
            for d in schema.directives where federationName(d) == "composeDirective" {
                guard let raw = d.string("name") else { continue }
                let name = raw.hasPrefix("@") ? String(raw.dropFirst()) : raw
                // Federation's own directives reach the supergraph their own way.
                guard let def = definitions[name], directiveNames[name] == nil else { continue }
                let link = schema.directives.first { l in
                    guard l.name.value == "link", case .list(let imports)? = l.argument("import") else { return false }
                    return imports.contains { if case .string(let s, _) = $0 { return s == "@" + name } else { return false } }
                }
                out[name] = (def, link?.string("url"))
            }
        }
        return out
    }

    /// The federation meaning of an applied directive, if it is one.
    func federationName(_ d: Directive) -> String? { directiveNames[d.name.value] }

    func has(_ directives: [Directive], _ fed: String) -> Bool { directives.contains { federationName($0) == fed } }
    func first(_ directives: [Directive], _ fed: String) -> Directive? { directives.first { federationName($0) == fed } }
    func all(_ directives: [Directive], _ fed: String) -> [Directive] { directives.filter { federationName($0) == fed } }

    /// Types defined here (definitions and extensions merged), federation machinery left out.
    var types: OrderedDictionary<String, [TypeDefinition]> {
        var out = OrderedDictionary<String, [TypeDefinition]>()
        for case .type(let t) in document.definitions {
            let n = t.name.value
            if ["_Any", "_Entity", "_Service", "link__Import", "link__Purpose"].contains(n) || specTypeNames.contains(n) || n.hasPrefix("federation__") { continue }
            out[n, default: []].append(t)
        }
        return out
    }
}

/// A composition error with a stable code, naming the subgraphs, types and fields involved.
public struct CompositionError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        case invalidSubgraph = "INVALID_GRAPHQL"
        case typeKindMismatch = "TYPE_KIND_MISMATCH"
        case fieldTypeMismatch = "FIELD_TYPE_MISMATCH"
        case invalidFieldSharing = "INVALID_FIELD_SHARING"
        case keyInvalidFields = "KEY_INVALID_FIELDS"
        case keyInvalidFieldsType = "KEY_INVALID_FIELDS_TYPE"
        case keyFieldsHasArgs = "KEY_FIELDS_HAS_ARGS"
        case keyFieldsSelectInvalidType = "KEY_FIELDS_SELECT_INVALID_TYPE"
        case keyDirectiveInFieldsArg = "KEY_DIRECTIVE_IN_FIELDS_ARG"
        case requiresInvalidFields = "REQUIRES_INVALID_FIELDS"
        case requiresInvalidFieldsType = "REQUIRES_INVALID_FIELDS_TYPE"
        case requiresFieldsMissingExternal = "REQUIRES_FIELDS_MISSING_EXTERNAL"
        case requiresUnsupportedOnInterface = "REQUIRES_UNSUPPORTED_ON_INTERFACE"
        case requiresDirectiveInFieldsArg = "REQUIRES_DIRECTIVE_IN_FIELDS_ARG"
        case providesInvalidFields = "PROVIDES_INVALID_FIELDS"
        case providesInvalidFieldsType = "PROVIDES_INVALID_FIELDS_TYPE"
        case providesFieldsMissingExternal = "PROVIDES_FIELDS_MISSING_EXTERNAL"
        case providesFieldsHasArgs = "PROVIDES_FIELDS_HAS_ARGS"
        case providesOnNonObjectField = "PROVIDES_ON_NON_OBJECT_FIELD"
        case providesUnsupportedOnInterface = "PROVIDES_UNSUPPORTED_ON_INTERFACE"
        case providesDirectiveInFieldsArg = "PROVIDES_DIRECTIVE_IN_FIELDS_ARG"
        case invalidShareableUsage = "INVALID_SHAREABLE_USAGE"
        case contextNotSet = "CONTEXT_NOT_SET"
        case contextualArgumentNotContextualInAllSubgraphs = "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS"
        case noContextReferenced = "NO_CONTEXT_REFERENCED"
        case contextInvalidSelection = "CONTEXT_INVALID_SELECTION"
        case contextNoResolvableKey = "CONTEXT_NO_RESOLVABLE_KEY"
        case contextNameInvalid = "CONTEXT_NAME_INVALID"
        case rootQueryUsed = "ROOT_QUERY_USED"
        case fieldArgumentTypeMismatch = "FIELD_ARGUMENT_TYPE_MISMATCH"
        case rootMutationUsed = "ROOT_MUTATION_USED"
        case rootSubscriptionUsed = "ROOT_SUBSCRIPTION_USED"
        case enumValueMismatch = "ENUM_VALUE_MISMATCH"
        case requiredInputFieldMissing = "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH"
        case requiredArgumentMissing = "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH"
        case satisfiability = "SATISFIABILITY_ERROR"
        case shareableHasMismatchedRuntimeTypes = "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES"
        case interfaceObjectWithoutInterface = "INTERFACE_OBJECT_USAGE_ERROR"
        case directiveDefinitionMismatch = "DIRECTIVE_DEFINITION_INVALID"
        case directiveCompositionError = "DIRECTIVE_COMPOSITION_ERROR"
        case noQueries = "NO_QUERIES"
        case externalMissingOnBase = "EXTERNAL_MISSING_ON_BASE"
        case externalUnused = "EXTERNAL_UNUSED"
        case emptyMergedEnumType = "EMPTY_MERGED_ENUM_TYPE"
        case overrideFromSelf = "OVERRIDE_FROM_SELF_ERROR"
        case overrideCollision = "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE"
        case fieldArgumentDefaultMismatch = "FIELD_ARGUMENT_DEFAULT_MISMATCH"
        case inputFieldDefaultMismatch = "INPUT_FIELD_DEFAULT_MISMATCH"
        case overrideSourceHasOverride = "OVERRIDE_SOURCE_HAS_OVERRIDE"
        case missingTransitiveAuthRequirements = "MISSING_TRANSITIVE_AUTH_REQUIREMENTS"
        case authRequirementsAppliedOnInterface = "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE"
        case listSizeInvalidAssumedSize = "LIST_SIZE_INVALID_ASSUMED_SIZE"
        case costInvalidWeight = "COST_INVALID_WEIGHT"
        case referencedInaccessible = "REFERENCED_INACCESSIBLE"
        case overrideOnInterface = "OVERRIDE_ON_INTERFACE"
        case overrideLabelInvalid = "OVERRIDE_LABEL_INVALID"
        case costAppliedToInterfaceField = "COST_APPLIED_TO_INTERFACE_FIELD"
        case listSizeAppliedToNonList = "LIST_SIZE_APPLIED_TO_NON_LIST"
        case listSizeInvalidSlicingArgument = "LIST_SIZE_INVALID_SLICING_ARGUMENT"
        case listSizeInvalidSizedField = "LIST_SIZE_INVALID_SIZED_FIELD"
        case interfaceKeyMissingImplementationType = "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE"
        case invalidLinkIdentifier = "INVALID_LINK_IDENTIFIER"
        case mergedDirectiveApplicationOnExternal = "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL"
        case requiredInaccessible = "REQUIRED_INACCESSIBLE"
        case defaultValueUsesInaccessible = "DEFAULT_VALUE_USES_INACCESSIBLE"
        case invalidSubgraphName = "INVALID_SUBGRAPH_NAME"
        case linkImportNameMismatch = "LINK_IMPORT_NAME_MISMATCH"
        case externalTypeMismatch = "EXTERNAL_TYPE_MISMATCH"
        case externalArgumentTypeMismatch = "EXTERNAL_ARGUMENT_TYPE_MISMATCH"
        case externalArgumentMissing = "EXTERNAL_ARGUMENT_MISSING"
        case typeDefinitionInvalid = "TYPE_DEFINITION_INVALID"
        case extensionWithNoBase = "EXTENSION_WITH_NO_BASE"
        case keyUnsupportedOnInterface = "KEY_UNSUPPORTED_ON_INTERFACE"
        case externalOnInterface = "EXTERNAL_ON_INTERFACE"
        case externalArgumentDefaultMismatch = "EXTERNAL_ARGUMENT_DEFAULT_MISMATCH"
        case interfaceFieldNoImplem = "INTERFACE_FIELD_NO_IMPLEM"
        case implementedByInaccessible = "IMPLEMENTED_BY_INACCESSIBLE"
        case interfaceFieldImplemTypeMismatch = "INTERFACE_FIELD_IMPLEM_TYPE_MISMATCH"
        case queryRootTypeInaccessible = "QUERY_ROOT_TYPE_INACCESSIBLE"
        case onlyInaccessibleChildren = "ONLY_INACCESSIBLE_CHILDREN"
        case emptyMergedInputType = "EMPTY_MERGED_INPUT_TYPE"
        case disallowedInaccessible = "DISALLOWED_INACCESSIBLE"
        case interfaceKeyNotOnImplementation = "INTERFACE_KEY_NOT_ON_IMPLEMENTATION"
        case invalidLinkDirectiveUsage = "INVALID_LINK_DIRECTIVE_USAGE"
        case unknownFederationLinkVersion = "UNKNOWN_FEDERATION_LINK_VERSION"
    }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "[\(code.rawValue)] \(message)" }
}

public struct CompositionErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [CompositionError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
