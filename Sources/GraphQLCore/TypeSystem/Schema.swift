import OrderedCollections

public enum TypeKind: String, Sendable, Hashable {
    case scalar = "SCALAR", object = "OBJECT", interface = "INTERFACE", union = "UNION"
    case enumType = "ENUM", inputObject = "INPUT_OBJECT"

    public var isComposite: Bool { self == .object || self == .interface || self == .union }
    public var isAbstract: Bool { self == .interface || self == .union }
    public var isLeaf: Bool { self == .scalar || self == .enumType }
    public var isInput: Bool { self == .scalar || self == .enumType || self == .inputObject }
    public var isOutput: Bool { self != .inputObject }
}

/// A named type of a schema. Immutable once the schema is built.
public final class NamedType: Sendable {
    public let kind: TypeKind
    public let name: String
    public let description: String?
    public let fields: OrderedDictionary<String, FieldDef>
    public let interfaces: [String]
    /// Union members, or for interfaces the object types implementing them.
    public let possibleTypes: [String]
    public let enumValues: OrderedDictionary<String, EnumValueDef>
    public let inputFields: OrderedDictionary<String, InputValueDef>
    public let directives: [Directive]
    public let specifiedByURL: String?
    public let isOneOf: Bool
    /// Interfaces implementing this interface.
    public let implementingInterfaces: [String]
    /// Which built-in scalar this is (nil for every other type): leaf serialisation switches on
    /// it rather than comparing names.
    public let builtInScalar: BuiltInScalar?

    public enum BuiltInScalar: Sendable {
        case int, float, string, boolean, id
    }

    init(kind: TypeKind, name: String, description: String?, fields: OrderedDictionary<String, FieldDef>, interfaces: [String],
         possibleTypes: [String], enumValues: OrderedDictionary<String, EnumValueDef>, inputFields: OrderedDictionary<String, InputValueDef>,
         directives: [Directive], implementingInterfaces: [String]) {
        self.kind = kind
        self.name = name
        self.description = description
        self.fields = fields
        self.interfaces = interfaces
        self.possibleTypes = possibleTypes
        self.enumValues = enumValues
        self.inputFields = inputFields
        self.directives = directives
        self.implementingInterfaces = implementingInterfaces
        self.specifiedByURL = directives.first { $0.name.value == "specifiedBy" }?.arguments.first { $0.name.value == "url" }
            .flatMap { if case .string(let s, _) = $0.value { return s } else { return nil } }
        self.isOneOf = directives.contains { $0.name.value == "oneOf" }
        switch (kind, name) {
        case (.scalar, "Int"): builtInScalar = .int
        case (.scalar, "Float"): builtInScalar = .float
        case (.scalar, "String"): builtInScalar = .string
        case (.scalar, "Boolean"): builtInScalar = .boolean
        case (.scalar, "ID"): builtInScalar = .id
        default: builtInScalar = nil
        }
    }
}

public struct FieldDef: Sendable {
    public let name: String
    public let description: String?
    public let arguments: OrderedDictionary<String, InputValueDef>
    public let type: TypeReference
    public let directives: [Directive]
    public var deprecationReason: String? { deprecation(directives) }
    public var isDeprecated: Bool { deprecationReason != nil }
}

public struct InputValueDef: Sendable {
    public let name: String
    public let description: String?
    public let type: TypeReference
    public let defaultValue: Value?
    public let directives: [Directive]
    public var deprecationReason: String? { deprecation(directives) }
    public var isDeprecated: Bool { deprecationReason != nil }
    /// Non-null without a default: a request must give it.
    public var isRequired: Bool {
        if case .nonNull = type { return defaultValue == nil }
        return false
    }
}

public struct EnumValueDef: Sendable {
    public let name: String
    public let description: String?
    public let directives: [Directive]
    public var deprecationReason: String? { deprecation(directives) }
    public var isDeprecated: Bool { deprecationReason != nil }
}

public struct DirectiveDef: Sendable {
    public let name: String
    public let description: String?
    public let arguments: OrderedDictionary<String, InputValueDef>
    public let locations: [DirectiveLocation]
    public let isRepeatable: Bool
}

func deprecation(_ directives: [Directive]) -> String? {
    guard let d = directives.first(where: { $0.name.value == "deprecated" }) else { return nil }
    guard let arg = d.arguments.first(where: { $0.name.value == "reason" }) else { return "No longer supported" }
    // `reason: null` leaves no reason, and so nothing deprecated (graphql-js reads it the same way).
    if case .string(let s, _) = arg.value { return s }
    return nil
}

/// A GraphQL schema built from SDL (spec §3).
///
/// ```swift
/// let schema = try Schema(sdl: "type Query { hello: String }")
/// ```
public final class Schema: Sendable {
    public let types: OrderedDictionary<String, NamedType>
    public let directives: OrderedDictionary<String, DirectiveDef>
    public let queryType: String
    public let mutationType: String?
    public let subscriptionType: String?
    public let description: String?
    /// Directives applied to the schema definition and its extensions.
    public let schemaDirectives: [Directive]
    /// Whether `__schema` and `__type` answer.
    public let introspectionEnabled: Bool
    /// The type-system documents it was built from (for printing and federation).
    public let document: Document

    public static let builtInScalars = ["Int", "Float", "String", "Boolean", "ID"]

    public convenience init(sdl: String, introspection: Bool = true) throws {
        try self.init(document: Parser.parse(sdl, options: .schema), introspection: introspection)
    }

    /// - Parameter requiredInputsMayBeDeprecated: a deprecated required argument or input field
    ///   is not an error (`SchemaValidator.deprecatedRequiredInputs`).
    public init(document: Document, introspection: Bool = true, validate: Bool = true, requiredInputsMayBeDeprecated: Bool = false) throws {
        self.document = document
        self.introspectionEnabled = introspection
        let built = try SchemaBuilder.build(document: document)
        types = Self.withoutUnreferencedBuiltInScalars(built.types, directives: built.directives)
        directives = built.directives
        queryType = built.query
        mutationType = built.mutation
        subscriptionType = built.subscription
        description = built.description
        schemaDirectives = built.schemaDirectives
        if validate {
            let errors = SchemaValidator.validate(self, requiredInputsMayBeDeprecated: requiredInputsMayBeDeprecated)
            if !errors.isEmpty { throw GraphQLErrors(errors) }
        }
    }

    /// The types without the built-in scalars nothing refers to: no field, argument, input field
    /// or directive argument of the schema — introspection's own included, so `String` and
    /// `Boolean` always stay. As graphql-js builds a schema: such a scalar is not in
    /// `__schema.types` (spec §3.5), `__type(name:)` does not find it and a variable cannot be
    /// declared with it ("Unknown type").
    static func withoutUnreferencedBuiltInScalars(_ types: OrderedDictionary<String, NamedType>,
                                                  directives: OrderedDictionary<String, DirectiveDef>) -> OrderedDictionary<String, NamedType> {
        var referenced = Set<String>()
        for t in types.values {
            for f in t.fields.values {
                referenced.insert(f.type.namedType.value)
                for a in f.arguments.values { referenced.insert(a.type.namedType.value) }
            }
            for f in t.inputFields.values { referenced.insert(f.type.namedType.value) }
        }
        for d in directives.values { for a in d.arguments.values { referenced.insert(a.type.namedType.value) } }
        var kept = types
        for name in builtInScalars where !referenced.contains(name) && name != "String" && name != "Boolean" {
            kept.removeValue(forKey: name)
        }
        return kept
    }

    public subscript(_ name: String) -> NamedType? { types[name] }

    public func rootTypeName(_ op: OperationType) -> String? {
        switch op {
        case .query: return queryType
        case .mutation: return mutationType
        case .subscription: return subscriptionType
        }
    }

    /// Object types a composite type can be at runtime.
    public func possibleTypes(_ t: NamedType) -> [String] {
        switch t.kind {
        case .object: return [t.name]
        case .interface, .union: return t.possibleTypes
        default: return []
        }
    }

    public func isPossibleType(_ abstract: NamedType, _ objectName: String) -> Bool {
        if abstract.kind == .object { return abstract.name == objectName }
        return abstract.possibleTypes.contains(objectName)
    }

    /// Whether type `sub` is `sup` or one of its subtypes (for fragment spreads and interface checks).
    public func isSubType(_ sup: NamedType, _ sub: NamedType) -> Bool {
        if sup.name == sub.name { return true }
        if sup.kind == .union { return sup.possibleTypes.contains(sub.name) }
        if sup.kind == .interface {
            return sub.interfaces.contains(sup.name)
        }
        return false
    }

    /// The field definition of `name` on a composite type, including the introspection meta-fields.
    public func field(_ type: NamedType, _ name: String) -> FieldDef? {
        if let f = type.fields[name] { return f }
        switch name {
        case "__typename": return type.kind.isComposite ? Self.typenameField : nil
        case "__schema": return type.name == queryType ? Self.schemaField : nil
        case "__type": return type.name == queryType ? Self.typeField : nil
        default: return nil
        }
    }

    static let typenameField = FieldDef(name: "__typename", description: "The name of the current Object type at runtime.", arguments: [:],
                                        type: .nonNull(.named(Name("String"))), directives: [])
    static let schemaField = FieldDef(name: "__schema", description: "Access the current type schema of this server.", arguments: [:],
                                      type: .nonNull(.named(Name("__Schema"))), directives: [])
    static let typeField = FieldDef(name: "__type", description: "Request the type information of a single type.",
                                    arguments: ["name": InputValueDef(name: "name", description: nil, type: .nonNull(.named(Name("String"))),
                                                                      defaultValue: nil, directives: [])],
                                    type: .named(Name("__Type")), directives: [])

    /// The named type of a reference, if it exists.
    public func namedType(_ ref: TypeReference) -> NamedType? { types[ref.namedType.value] }
}
