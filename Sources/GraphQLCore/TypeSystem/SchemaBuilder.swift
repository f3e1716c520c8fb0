import OrderedCollections

/// Builds the type map from type-system documents: definitions first, then extensions merged
/// in, with the built-in scalars, directives and introspection types added (§3, §4).
enum SchemaBuilder {
    struct Built {
        var types: OrderedDictionary<String, NamedType>
        var directives: OrderedDictionary<String, DirectiveDef>
        var query: String
        var mutation: String?
        var subscription: String?
        var description: String?
        var schemaDirectives: [Directive]
    }

    static let builtInSDL = """
    "The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent values between -(2^31) and 2^31 - 1."
    scalar Int
    "The `Float` scalar type represents signed double-precision fractional values as specified by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point)."
    scalar Float
    "The `String` scalar type represents textual data, represented as UTF-8 character sequences. The String type is most often used by GraphQL to represent free-form human-readable text."
    scalar String
    "The `Boolean` scalar type represents `true` or `false`."
    scalar Boolean
    "The `ID` scalar type represents a unique identifier, often used to refetch an object or as key for a cache. The ID type appears in a JSON response as a String; however, it is not intended to be human-readable. When expected as an input type, any string (such as `\\"4\\"`) or integer (such as `4`) input value will be accepted as an ID."
    scalar ID

    "Directs the executor to include this field or fragment only when the `if` argument is true."
    directive @include("Included when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
    "Directs the executor to skip this field or fragment when the `if` argument is true."
    directive @skip("Skipped when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
    "Marks an element of a GraphQL schema as no longer supported."
    directive @deprecated("Explains why this element was deprecated, usually also including a suggestion for how to access supported similar data. Formatted using the Markdown syntax, as specified by [CommonMark](https://commonmark.org/)." reason: String = "No longer supported") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
    "Exposes a URL that specifies the behavior of this scalar."
    directive @specifiedBy("The URL that specifies the behavior of this scalar." url: String!) on SCALAR
    "Indicates exactly one field must be supplied and this field must not be `null`."
    directive @oneOf on INPUT_OBJECT

    "A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available types and directives on the server, as well as the entry points for query, mutation, and subscription operations."
    type __Schema {
      description: String
      "A list of all types supported by this server."
      types: [__Type!]!
      "The type that query operations will be rooted at."
      queryType: __Type!
      "If this server supports mutation, the type that mutation operations will be rooted at."
      mutationType: __Type
      "If this server support subscription, the type that subscription operations will be rooted at."
      subscriptionType: __Type
      "A list of all directives supported by this server."
      directives: [__Directive!]!
    }
    \"""
    The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in GraphQL as represented by the `__TypeKind` enum.

    Depending on the kind of a type, certain fields describe information about that type. Scalar types provide no information beyond a name, description and optional `specifiedByURL`, while Enum types provide their values. Object and Interface types provide the fields they describe. Abstract types, Union and Interface, provide the Object types possible at runtime. List and NonNull types compose other types.
    \"""
    type __Type {
      kind: __TypeKind!
      name: String
      description: String
      specifiedByURL: String
      fields(includeDeprecated: Boolean = false): [__Field!]
      interfaces: [__Type!]
      possibleTypes: [__Type!]
      enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
      inputFields(includeDeprecated: Boolean = false): [__InputValue!]
      ofType: __Type
      isOneOf: Boolean
    }
    "An enum describing what kind of type a given `__Type` is."
    enum __TypeKind {
      "Indicates this type is a scalar."
      SCALAR
      "Indicates this type is an object. `fields` and `interfaces` are valid fields."
      OBJECT
      "Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are valid fields."
      INTERFACE
      "Indicates this type is a union. `possibleTypes` is a valid field."
      UNION
      "Indicates this type is an enum. `enumValues` is a valid field."
      ENUM
      "Indicates this type is an input object. `inputFields` is a valid field."
      INPUT_OBJECT
      "Indicates this type is a list. `ofType` is a valid field."
      LIST
      "Indicates this type is a non-null. `ofType` is a valid field."
      NON_NULL
    }
    "Object and Interface types are described by a list of Fields, each of which has a name, potentially a list of arguments, and a return type."
    type __Field {
      name: String!
      description: String
      args(includeDeprecated: Boolean = false): [__InputValue!]!
      type: __Type!
      isDeprecated: Boolean!
      deprecationReason: String
    }
    "Arguments provided to Fields or Directives and the input fields of an InputObject are represented as Input Values which describe their type and optionally a default value."
    type __InputValue {
      name: String!
      description: String
      type: __Type!
      "A GraphQL-formatted string representing the default value for this input value."
      defaultValue: String
      isDeprecated: Boolean!
      deprecationReason: String
    }
    "One possible value for a given Enum. Enum values are unique values, not a placeholder for a string or numeric value. However an Enum value is returned in a JSON response as a string."
    type __EnumValue {
      name: String!
      description: String
      isDeprecated: Boolean!
      deprecationReason: String
    }
    \"""
    A Directive provides a way to describe alternate runtime execution and type validation behavior in a GraphQL document.

    In some cases, you need to provide options to alter GraphQL's execution behavior in ways field arguments will not suffice, such as conditionally including or skipping a field. Directives provide this by describing additional information to the executor.
    \"""
    type __Directive {
      name: String!
      description: String
      isRepeatable: Boolean!
      locations: [__DirectiveLocation!]!
      args(includeDeprecated: Boolean = false): [__InputValue!]!
    }
    "A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation describes one such possible adjacencies."
    enum __DirectiveLocation {
      "Location adjacent to a query operation."
      QUERY
      "Location adjacent to a mutation operation."
      MUTATION
      "Location adjacent to a subscription operation."
      SUBSCRIPTION
      "Location adjacent to a field."
      FIELD
      "Location adjacent to a fragment definition."
      FRAGMENT_DEFINITION
      "Location adjacent to a fragment spread."
      FRAGMENT_SPREAD
      "Location adjacent to an inline fragment."
      INLINE_FRAGMENT
      "Location adjacent to a variable definition."
      VARIABLE_DEFINITION
      "Location adjacent to a schema definition."
      SCHEMA
      "Location adjacent to a scalar definition."
      SCALAR
      "Location adjacent to an object type definition."
      OBJECT
      "Location adjacent to a field definition."
      FIELD_DEFINITION
      "Location adjacent to an argument definition."
      ARGUMENT_DEFINITION
      "Location adjacent to an interface definition."
      INTERFACE
      "Location adjacent to a union definition."
      UNION
      "Location adjacent to an enum definition."
      ENUM
      "Location adjacent to an enum value definition."
      ENUM_VALUE
      "Location adjacent to an input object type definition."
      INPUT_OBJECT
      "Location adjacent to an input object field definition."
      INPUT_FIELD_DEFINITION
    }
    """

    nonisolated(unsafe) static let builtInDocument: Document = try! Parser.parse(builtInSDL, options: .schema)

    private struct Partial {
        var def: TypeDefinition
        var extensions: [TypeDefinition] = []
    }

    static func build(document: Document) throws -> Built {
        var partials = OrderedDictionary<String, Partial>()
        var orphanExtensions: [TypeDefinition] = []
        var directiveDefs = OrderedDictionary<String, DirectiveDefinition>()
        var schemaDefs: [SchemaDefinition] = []
        var errors: [GraphQLError] = []

        // Built-ins first; a user may redefine a built-in scalar (as some SDL printers emit it).
        for def in builtInDocument.definitions {
            switch def {
            case .type(let t): partials[t.name.value] = Partial(def: t)
            case .directive(let d): directiveDefs[d.name.value] = d
            default: break
            }
        }
        let builtInNames = Set(partials.keys)
        let builtInDirectives = Set(directiveDefs.keys)
        var userDefined = Set<String>()
        var userDirectives = Set<String>()
        for def in document.definitions {
            switch def {
            case .type(let t) where !t.isExtension:
                let name = t.name.value
                if builtInNames.contains(name) && !userDefined.contains(name) {
                    if name.hasPrefix("__") {
                        errors.append(GraphQLError("Name \"\(name)\" must not begin with \"__\", which is reserved by GraphQL introspection.", locations: []))
                    }
                    userDefined.insert(name)
                    continue // identical re-declaration of a built-in scalar
                }
                if userDefined.contains(name) {
                    errors.append(GraphQLError("There can be only one type named \"\(name)\"."))
                    continue
                }
                userDefined.insert(name)
                partials[name] = Partial(def: t)
            case .type(let t):
                orphanExtensions.append(t)
            case .directive(let d):
                let name = d.name.value
                if builtInDirectives.contains(name) && !userDirectives.contains(name) { userDirectives.insert(name); continue }
                if userDirectives.contains(name) {
                    errors.append(GraphQLError("There can be only one directive named \"@\(name)\"."))
                    continue
                }
                userDirectives.insert(name)
                directiveDefs[name] = d
            case .schema(let s):
                schemaDefs.append(s)
            case .operation, .fragment:
                errors.append(GraphQLError("A schema document must not contain operations or fragments."))
            }
        }
        for ext in orphanExtensions {
            guard var p = partials[ext.name.value] else {
                errors.append(GraphQLError("Cannot extend type \"\(ext.name.value)\" because it is not defined."))
                continue
            }
            if p.def.kind != ext.kind {
                errors.append(GraphQLError("Cannot extend non-\(p.def.kind.rawValue) type \"\(ext.name.value)\"."))
                continue
            }
            p.extensions.append(ext)
            partials[ext.name.value] = p
        }
        if !errors.isEmpty { throw GraphQLErrors(errors) }

        var query: String?, mutation: String?, subscription: String?
        var description: String?
        var schemaDirectives: [Directive] = []
        let definitions = schemaDefs.filter { !$0.isExtension }
        if definitions.count > 1 { throw GraphQLErrors([GraphQLError("Must provide only one schema definition.")]) }
        for s in schemaDefs {
            if !s.isExtension { description = s.description }
            schemaDirectives += s.directives
            for op in s.operationTypes {
                switch op.operation {
                case .query: query = op.type.value
                case .mutation: mutation = op.type.value
                case .subscription: subscription = op.type.value
                }
            }
        }
        if definitions.isEmpty {
            if query == nil, partials["Query"] != nil { query = "Query" }
            if mutation == nil, partials["Mutation"] != nil { mutation = "Mutation" }
            if subscription == nil, partials["Subscription"] != nil { subscription = "Subscription" }
        }
        guard let queryName = query else {
            throw GraphQLErrors([GraphQLError("Query root type must be provided.")])
        }

        // Interface implementations (objects and interfaces), in definition order.
        var implementations: [String: [String]] = [:]
        var implementingInterfaces: [String: [String]] = [:]
        for (name, p) in partials {
            let interfaces = p.def.interfaces + p.extensions.flatMap(\.interfaces)
            for i in interfaces {
                if p.def.kind == .object { implementations[i.value, default: []].append(name) }
                else if p.def.kind == .interface { implementingInterfaces[i.value, default: []].append(name) }
            }
        }

        var types = OrderedDictionary<String, NamedType>()
        for (name, p) in partials {
            let all = [p.def] + p.extensions
            let kind: TypeKind
            switch p.def.kind {
            case .scalar: kind = .scalar
            case .object: kind = .object
            case .interface: kind = .interface
            case .union: kind = .union
            case .enumType: kind = .enumType
            case .inputObject: kind = .inputObject
            }
            var fields = OrderedDictionary<String, FieldDef>()
            for f in all.flatMap(\.fields) {
                fields[f.name.value] = FieldDef(name: f.name.value, description: f.description,
                                                arguments: inputValues(f.arguments), type: f.type, directives: f.directives)
            }
            var enumValues = OrderedDictionary<String, EnumValueDef>()
            for v in all.flatMap(\.enumValues) {
                enumValues[v.name.value] = EnumValueDef(name: v.name.value, description: v.description, directives: v.directives)
            }
            let possible: [String]
            switch kind {
            case .union: possible = all.flatMap(\.unionMembers).map(\.value)
            case .interface: possible = implementations[name] ?? []
            default: possible = []
            }
            var seenInterfaces = Set<String>()
            let interfaces = all.flatMap(\.interfaces).map(\.value).filter { seenInterfaces.insert($0).inserted }
            types[name] = NamedType(kind: kind, name: name, description: p.def.description, fields: fields, interfaces: interfaces,
                                    possibleTypes: possible, enumValues: enumValues,
                                    inputFields: inputValues(all.flatMap(\.inputFields)), directives: all.flatMap(\.directives),
                                    implementingInterfaces: implementingInterfaces[name] ?? [])
        }
        var directives = OrderedDictionary<String, DirectiveDef>()
        for (name, d) in directiveDefs {
            directives[name] = DirectiveDef(name: name, description: d.description, arguments: inputValues(d.arguments),
                                            locations: d.locations.compactMap { DirectiveLocation(rawValue: $0.value) },
                                            isRepeatable: d.isRepeatable)
        }
        return Built(types: types, directives: directives, query: queryName, mutation: mutation, subscription: subscription,
                     description: description, schemaDirectives: schemaDirectives)
    }

    static func inputValues(_ defs: [InputValueDefinition]) -> OrderedDictionary<String, InputValueDef> {
        var out = OrderedDictionary<String, InputValueDef>()
        for a in defs {
            out[a.name.value] = InputValueDef(name: a.name.value, description: a.description, type: a.type,
                                              defaultValue: a.defaultValue, directives: a.directives)
        }
        return out
    }
}
