/// The GraphQL AST: value types only, each node with the byte span it came from.
/// Equality ignores nothing, so parse → print → parse can be compared after `withoutSpans()`.

public struct Document: Sendable, Hashable {
    public var definitions: [Definition]
    public init(definitions: [Definition]) { self.definitions = definitions }

    public var operations: [OperationDefinition] {
        definitions.compactMap { if case .operation(let o) = $0 { return o } else { return nil } }
    }
    public var fragments: [FragmentDefinition] {
        definitions.compactMap { if case .fragment(let f) = $0 { return f } else { return nil } }
    }
}

extension Document {
    /// This document with `transform` applied to the selection set of each operation and
    /// fragment (the other definitions as they are).
    public func mappingSelectionSets(_ transform: (SelectionSet) -> SelectionSet) -> Document {
        Document(definitions: definitions.map { definition in
            switch definition {
            case .operation(var o):
                o.selectionSet = transform(o.selectionSet)
                return .operation(o)
            case .fragment(var f):
                f.selectionSet = transform(f.selectionSet)
                return .fragment(f)
            default:
                return definition
            }
        })
    }
}

public enum Definition: Sendable, Hashable {
    case operation(OperationDefinition)
    case fragment(FragmentDefinition)
    case schema(SchemaDefinition)
    case type(TypeDefinition)
    case directive(DirectiveDefinition)

    public var span: Span {
        switch self {
        case .operation(let d): return d.span
        case .fragment(let d): return d.span
        case .schema(let d): return d.span
        case .type(let d): return d.span
        case .directive(let d): return d.span
        }
    }
}

public struct Name: Sendable, Hashable, CustomStringConvertible {
    public var value: String
    public var span: Span
    public init(_ value: String, span: Span = .none) {
        self.value = value
        self.span = span
    }
    public var description: String { value }
}

public enum OperationType: String, Sendable, Hashable {
    case query, mutation, subscription
}

public struct OperationDefinition: Sendable, Hashable {
    public var operation: OperationType
    public var name: Name?
    public var variableDefinitions: [VariableDefinition]
    public var directives: [Directive]
    public var selectionSet: SelectionSet
    public var span: Span
    /// `{ ... }` with no keyword.
    public var isShorthand: Bool
}

public struct VariableDefinition: Sendable, Hashable {
    public var variable: Name
    public var type: TypeReference
    public var defaultValue: Value?
    public var directives: [Directive]
    public var span: Span
}

public struct SelectionSet: Sendable, Hashable {
    public var selections: [Selection]
    public var span: Span
    public init(selections: [Selection], span: Span = .none) {
        self.selections = selections
        self.span = span
    }
}

public enum Selection: Sendable, Hashable {
    case field(Field)
    case fragmentSpread(FragmentSpread)
    case inlineFragment(InlineFragment)

    public var directives: [Directive] {
        switch self {
        case .field(let f): return f.directives
        case .fragmentSpread(let s): return s.directives
        case .inlineFragment(let i): return i.directives
        }
    }
    public var span: Span {
        switch self {
        case .field(let f): return f.span
        case .fragmentSpread(let s): return s.span
        case .inlineFragment(let i): return i.span
        }
    }
}

public struct Field: Sendable, Hashable {
    public var alias: Name?
    public var name: Name
    public var arguments: [Argument]
    public var directives: [Directive]
    public var selectionSet: SelectionSet?
    public var span: Span
    /// The response key: the alias if there is one, else the name.
    public var responseKey: String { alias?.value ?? name.value }

    public init(alias: Name? = nil, name: Name, arguments: [Argument] = [], directives: [Directive] = [],
                selectionSet: SelectionSet? = nil, span: Span = .none) {
        self.alias = alias
        self.name = name
        self.arguments = arguments
        self.directives = directives
        self.selectionSet = selectionSet
        self.span = span
    }
}

public struct FragmentSpread: Sendable, Hashable {
    public var name: Name
    public var directives: [Directive]
    public var span: Span
}

public struct InlineFragment: Sendable, Hashable {
    public var typeCondition: Name?
    public var directives: [Directive]
    public var selectionSet: SelectionSet
    public var span: Span

    public init(typeCondition: Name?, directives: [Directive] = [], selectionSet: SelectionSet, span: Span = .none) {
        self.typeCondition = typeCondition
        self.directives = directives
        self.selectionSet = selectionSet
        self.span = span
    }
}

public struct FragmentDefinition: Sendable, Hashable {
    public var name: Name
    public var typeCondition: Name
    public var directives: [Directive]
    public var selectionSet: SelectionSet
    public var span: Span
}

public struct Argument: Sendable, Hashable {
    public var name: Name
    public var value: Value
    public var span: Span
    /// Span of the value alone (for error locations).
    public var valueSpan: Span

    public init(name: Name, value: Value, span: Span = .none, valueSpan: Span = .none) {
        self.name = name
        self.value = value
        self.span = span
        self.valueSpan = valueSpan
    }
}

public struct Directive: Sendable, Hashable {
    public var name: Name
    public var arguments: [Argument]
    public var span: Span

    public init(name: Name, arguments: [Argument] = [], span: Span = .none) {
        self.name = name
        self.arguments = arguments
        self.span = span
    }
}

/// Input values as written (§2.9).
public indirect enum Value: Sendable, Hashable {
    case variable(String)
    case int(String)
    case float(String)
    case string(String, block: Bool)
    case boolean(Bool)
    case null
    case enumValue(String)
    case list([Value])
    case object([ObjectField])

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The value as a `[[S!]!]!` of a string-valued scalar takes it (§3.11 list input coercion):
    /// a string alone is a list of one list of it, a string in the outer list a list of one —
    /// `["a", "b"]` is `[["a"], ["b"]]`. Nil when it is no such value. (`@requiresScopes(scopes:)`
    /// and `@policy(policies:)` are of that type: written `["a"]`, a scope list still requires `a`.)
    public var stringListsCoerced: [[String]]? {
        switch self {
        case .string(let s, _): return [[s]]
        case .list(let outer):
            var lists: [[String]] = []
            for item in outer {
                switch item {
                case .string(let s, _): lists.append([s])
                case .list(let inner):
                    var names: [String] = []
                    for v in inner {
                        guard case .string(let s, _) = v else { return nil }
                        names.append(s)
                    }
                    lists.append(names)
                default: return nil
                }
            }
            return lists
        default: return nil
        }
    }
}

public struct ObjectField: Sendable, Hashable {
    public var name: Name
    public var value: Value
    public var span: Span
}

/// A type reference unwrapped once, for code that completes many values of it: how many lists
/// deep its named type is, whether each level is non-null (level 0 is the field's own type,
/// level `listDepth` the named type), and the named type's name — no matching on the indirect
/// `TypeReference` per value.
public struct TypeLevels: Sendable {
    /// Whether each list level (0: the value itself, then each list's items) is non-null.
    public let nonNullAt: NonNullLevels
    public let listDepth: Int
    public let namedTypeName: String

    public init(_ type: TypeReference) {
        var nonNullAt = NonNullLevels()
        var t = type
        var level = 0
        while true {
            var nonNull = false
            if case .nonNull(let inner) = t { nonNull = true; t = inner }
            nonNullAt.set(level, nonNull)
            guard case .list(let inner) = t else { break }
            t = inner
            level += 1
        }
        self.nonNullAt = nonNullAt
        listDepth = level
        namedTypeName = t.namedType.value
    }
}

/// Non-null flags by list level, in a word (no allocation for a field plan's type); levels past
/// 63, which no real schema has, in an array.
public struct NonNullLevels: Sendable {
    private var bits: UInt64 = 0
    private var beyond: [Bool] = []
    public init() {}

    public subscript(level: Int) -> Bool {
        level < 64 ? (bits >> UInt64(level)) & 1 == 1 : beyond[level - 64]
    }

    mutating func set(_ level: Int, _ nonNull: Bool) {
        if level < 64 {
            if nonNull { bits |= 1 << UInt64(level) }
        } else {
            beyond.append(nonNull)
        }
    }
}

/// Type references (§2.11).
public indirect enum TypeReference: Sendable, Hashable, CustomStringConvertible {
    case named(Name)
    case list(TypeReference)
    case nonNull(TypeReference)

    /// `T!`.
    public var isNonNull: Bool { if case .nonNull = self { return true } else { return false } }

    public var namedType: Name {
        switch self {
        case .named(let n): return n
        case .list(let t), .nonNull(let t): return t.namedType
        }
    }

    public var description: String {
        switch self {
        case .named(let n): return n.value
        case .list(let t): return "[\(t)]"
        case .nonNull(let t): return "\(t)!"
        }
    }
}

// MARK: Type system definitions (§3)

public struct SchemaDefinition: Sendable, Hashable {
    public var description: String?
    public var directives: [Directive]
    public var operationTypes: [OperationTypeDefinition]
    public var isExtension: Bool
    public var span: Span
}

public struct OperationTypeDefinition: Sendable, Hashable {
    public var operation: OperationType
    public var type: Name
}

public enum TypeDefinitionKind: String, Sendable, Hashable {
    case scalar, object = "type", interface, union, enumType = "enum", inputObject = "input"
}

/// One type definition or extension; which lists are used depends on `kind`
/// (fields for objects and interfaces, members for unions, values for enums, input fields for inputs).
public struct TypeDefinition: Sendable, Hashable {
    public var kind: TypeDefinitionKind
    public var description: String?
    public var name: Name
    public var interfaces: [Name] = []
    public var directives: [Directive] = []
    public var fields: [FieldDefinition] = []
    public var unionMembers: [Name] = []
    public var enumValues: [EnumValueDefinition] = []
    public var inputFields: [InputValueDefinition] = []
    public var isExtension = false
    public var span: Span = .none
}

public struct FieldDefinition: Sendable, Hashable {
    public var description: String?
    public var name: Name
    public var arguments: [InputValueDefinition]
    public var type: TypeReference
    public var directives: [Directive]
    public var span: Span
}

public struct InputValueDefinition: Sendable, Hashable {
    public var description: String?
    public var name: Name
    public var type: TypeReference
    public var defaultValue: Value?
    public var directives: [Directive]
    public var span: Span
}

public struct EnumValueDefinition: Sendable, Hashable {
    public var description: String?
    public var name: Name
    public var directives: [Directive]
    public var span: Span
}

public struct DirectiveDefinition: Sendable, Hashable {
    public var description: String?
    public var name: Name
    public var arguments: [InputValueDefinition]
    public var isRepeatable: Bool
    public var locations: [Name]
    public var span: Span
}
