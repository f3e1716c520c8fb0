/// Limits of one parse, counted while parsing so a hostile document fails before work grows.
public struct ParserOptions: Sendable {
    /// Maximum number of tokens (default 15,000), counted by the lexer.
    public var maxTokens: Int?
    /// Maximum nesting of selection sets, list/object values and type wrappers.
    ///
    /// The parser is recursive: every nesting level costs three or four stack frames of a few
    /// hundred bytes. 200 levels stay below ~300 KB, far under the smallest stack a Swift
    /// concurrency thread gets (512 KB), so a deeply nested document is refused with an error
    /// long before it could overflow the stack.
    public var maxDepth: Int
    /// Reject type-system definitions while parsing (for request documents).
    public var allowTypeSystem: Bool
    /// Largest string literal in a value, in bytes as written (nil: no limit).
    public var maxStringLiteralBytes: Int?

    public init(maxTokens: Int? = 15_000, maxDepth: Int = 200, allowTypeSystem: Bool = true, maxStringLiteralBytes: Int? = nil) {
        self.maxTokens = maxTokens
        self.maxDepth = maxDepth
        self.allowTypeSystem = allowTypeSystem
        self.maxStringLiteralBytes = maxStringLiteralBytes
    }

    /// For SDL files written by the project or an operator: no token limit.
    public static let schema = ParserOptions(maxTokens: nil, maxDepth: 200)
}

/// A recursive-descent parser for the grammar of spec Appendix C.
///
/// ```swift
/// let document = try Parser.parse("query Q($id: ID!) { node(id: $id) { id } }")
/// ```
public struct Parser {
    private var lexer: Lexer
    private var token: Token
    private var previousEnd = 0
    private let options: ParserOptions
    /// Current nesting and its high-water mark.
    private var depth = 0
    public private(set) var maxDepthSeen = 0

    public init(source: Source, options: ParserOptions = ParserOptions()) throws {
        self.options = options
        self.lexer = Lexer(source: source, maxTokens: options.maxTokens)
        self.token = try lexer.next()
    }

    public static func parse(_ text: String, options: ParserOptions = ParserOptions()) throws -> Document {
        try parse(Source(text), options: options)
    }

    public static func parse(_ source: Source, options: ParserOptions = ParserOptions()) throws -> Document {
        // A document longer than the token limit in bytes may hold too many tokens: count them
        // first with the lexer alone, so that a token flood is refused before any tree is built
        // (building one costs several times what lexing does).
        if let max = options.maxTokens, source.bytes.count > max {
            var lexer = Lexer(source: source, maxTokens: max)
            do {
                while try lexer.next().kind != .eof {}
            } catch let e as GraphQLError where e.code == "MAX_TOKENS_EXCEEDED" {
                throw e
            } catch {
                // Another syntax error: the parser reports whichever error comes first.
            }
        }
        var p = try Parser(source: source, options: options)
        let document = try p.parseDocument()
        if let at = SpreadNesting.tooDeep(document, maxDepth: options.maxDepth) {
            throw GraphQLError("Syntax Error: Document nesting exceeds the maximum depth of \(options.maxDepth) through its fragment spreads.",
                               locations: [source.location(of: Int(at.start))], code: "MAX_DEPTH_EXCEEDED")
        }
        return document
    }

    /// Parses a single value such as `{a: [1, 2]}` (constant unless `allowVariables`).
    public static func parseValue(_ text: String) throws -> Value {
        var p = try Parser(source: Source(text))
        let v = try p.parseValue(isConst: false)
        try p.expect(.eof)
        return v
    }

    /// Parses a type reference such as `[String!]!`.
    public static func parseType(_ text: String) throws -> TypeReference {
        var p = try Parser(source: Source(text))
        let t = try p.parseTypeReference()
        try p.expect(.eof)
        return t
    }

    /// Number of tokens read so far.
    public var tokenCount: Int { lexer.tokenCount }

    // MARK: helpers

    private mutating func advance() throws {
        previousEnd = token.end
        token = try lexer.next()
        // Names and numbers have the literal bound too (a 1 MB name would be echoed whole by
        // every error that names it).
        if let max = options.maxStringLiteralBytes, token.end - token.start > max, token.kind == .name || token.kind == .int || token.kind == .float {
            throw GraphQLError("A \(token.kind == .name ? "name" : "number") of \(token.end - token.start) bytes is over the limit of \(max) bytes.",
                               locations: [lexer.source.location(of: token.start)], code: "MAX_LITERAL_SIZE_EXCEEDED")
        }
    }

    private func unexpected(_ t: Token? = nil) -> GraphQLError {
        let t = t ?? token
        return lexer.error("Unexpected \(describe(t)).", at: t.start)
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .name: return "Name \"\(lexer.text(t))\""
        case .int, .float: return "\(t.kind.description) \"\(lexer.text(t))\""
        case .string, .blockString: return "\(t.kind.description) \"\(t.value ?? "")\""
        default: return t.kind.description
        }
    }

    @discardableResult
    private mutating func expect(_ kind: TokenKind) throws -> Token {
        guard token.kind == kind else {
            throw lexer.error("Expected \(kind.description), found \(describe(token)).", at: token.start)
        }
        let t = token
        try advance()
        return t
    }

    private mutating func skip(_ kind: TokenKind) throws -> Bool {
        guard token.kind == kind else { return false }
        try advance()
        return true
    }

    private func peekKeyword(_ k: String) -> Bool {
        token.kind == .name && lexer.text(token) == k
    }

    private mutating func expectKeyword(_ k: String) throws {
        guard peekKeyword(k) else {
            throw lexer.error("Expected \"\(k)\", found \(describe(token)).", at: token.start)
        }
        try advance()
    }

    private mutating func enter() throws {
        depth += 1
        if depth > maxDepthSeen { maxDepthSeen = depth }
        if depth > options.maxDepth {
            throw GraphQLError("Syntax Error: Document nesting exceeds the maximum depth of \(options.maxDepth).",
                               locations: [lexer.source.location(of: token.start)], code: "MAX_DEPTH_EXCEEDED")
        }
    }
    private mutating func leave() { depth -= 1 }

    private func span(from start: Int) -> Span { Span(start, previousEnd) }

    /// Name :: /[_A-Za-z][_0-9A-Za-z]*/
    private mutating func parseName() throws -> Name {
        let t = try expect(.name)
        return Name(lexer.text(t), span: Span(t.start, t.end))
    }

    /// `list(open, parse, close)`: one or more items between delimiters.
    private mutating func many<T>(_ open: TokenKind, _ parse: (inout Parser) throws -> T, _ close: TokenKind) throws -> [T] {
        try expect(open)
        var items: [T] = []
        repeat { items.append(try parse(&self)) } while try !skip(close)
        return items
    }

    /// Zero or more items, if the open token is present.
    private mutating func optionalMany<T>(_ open: TokenKind, _ parse: (inout Parser) throws -> T, _ close: TokenKind) throws -> [T] {
        guard token.kind == open else { return [] }
        try advance()
        var items: [T] = []
        while try !skip(close) { items.append(try parse(&self)) }
        return items
    }

    // MARK: Document

    /// Document : Definition+
    public mutating func parseDocument() throws -> Document {
        var definitions: [Definition] = []
        repeat { definitions.append(try parseDefinition()) } while token.kind != .eof
        return Document(definitions: definitions)
    }

    /// Definition : ExecutableDefinition | TypeSystemDefinitionOrExtension
    private mutating func parseDefinition() throws -> Definition {
        if token.kind == .braceL { return .operation(try parseOperationDefinition()) }
        let hasDescription = token.kind == .string || token.kind == .blockString
        let keywordToken: Token
        if hasDescription {
            var look = lexer
            keywordToken = try look.next()
        } else {
            keywordToken = token
        }
        guard keywordToken.kind == .name else { throw unexpected(keywordToken) }
        let keyword = lexer.text(keywordToken)
        if !hasDescription {
            switch keyword {
            case "query", "mutation", "subscription": return .operation(try parseOperationDefinition())
            case "fragment": return .fragment(try parseFragmentDefinition())
            case "extend": return try parseTypeSystemExtension()
            default: break
            }
        }
        if hasDescription, ["query", "mutation", "subscription", "fragment"].contains(keyword) {
            // Description? on an operation or fragment (current draft, §2.3, §2.8): documentation only.
            try advance()
            return keyword == "fragment" ? .fragment(try parseFragmentDefinition()) : .operation(try parseOperationDefinition())
        }
        switch keyword {
        case "schema", "scalar", "type", "interface", "union", "enum", "input", "directive":
            guard options.allowTypeSystem else {
                throw lexer.error("Unexpected \(describe(keywordToken)): type system definitions are not allowed here.", at: keywordToken.start)
            }
            return try parseTypeSystemDefinition()
        default:
            throw unexpected(keywordToken)
        }
    }

    // MARK: Operations

    /// OperationDefinition : OperationType Name? VariablesDefinition? Directives? SelectionSet | SelectionSet
    private mutating func parseOperationDefinition() throws -> OperationDefinition {
        let start = token.start
        if token.kind == .braceL {
            let set = try parseSelectionSet()
            return OperationDefinition(operation: .query, name: nil, variableDefinitions: [], directives: [],
                                       selectionSet: set, span: span(from: start), isShorthand: true)
        }
        let opToken = try expect(.name)
        guard let op = OperationType(rawValue: lexer.text(opToken)) else { throw unexpected(opToken) }
        let name = token.kind == .name ? try parseName() : nil
        // VariablesDefinition : ( VariableDefinition+ ): `query()` is not a document.
        let vars = token.kind == .parenL ? try many(.parenL, { try $0.parseVariableDefinition() }, .parenR) : []
        let directives = try parseDirectives(isConst: false)
        let set = try parseSelectionSet()
        return OperationDefinition(operation: op, name: name, variableDefinitions: vars, directives: directives,
                                   selectionSet: set, span: span(from: start), isShorthand: false)
    }

    /// VariableDefinition : Description? Variable : Type DefaultValue? Directives[Const]?
    private mutating func parseVariableDefinition() throws -> VariableDefinition {
        // Description? (current draft, §2.10): documentation only.
        if token.kind == .string || token.kind == .blockString { try advance() }
        let start = token.start
        try expect(.dollar)
        let name = try parseName()
        try expect(.colon)
        let type = try parseTypeReference()
        let defaultValue = try skip(.equals) ? try parseValue(isConst: true) : nil
        let directives = try parseDirectives(isConst: true)
        return VariableDefinition(variable: name, type: type, defaultValue: defaultValue, directives: directives, span: span(from: start))
    }

    /// SelectionSet : { Selection+ }
    private mutating func parseSelectionSet() throws -> SelectionSet {
        let start = token.start
        try enter()
        defer { leave() }
        let selections = try many(.braceL, { try $0.parseSelection() }, .braceR)
        return SelectionSet(selections: selections, span: span(from: start))
    }

    /// Selection : Field | FragmentSpread | InlineFragment
    private mutating func parseSelection() throws -> Selection {
        if token.kind == .spread { return try parseFragment() }
        return .field(try parseField())
    }

    /// Field : Alias? Name Arguments? Directives? SelectionSet?
    private mutating func parseField() throws -> Field {
        let start = token.start
        let nameOrAlias = try parseName()
        var alias: Name?
        var name = nameOrAlias
        if try skip(.colon) {
            alias = nameOrAlias
            name = try parseName()
        }
        let arguments = try parseArguments(isConst: false)
        let directives = try parseDirectives(isConst: false)
        let set = token.kind == .braceL ? try parseSelectionSet() : nil
        return Field(alias: alias, name: name, arguments: arguments, directives: directives, selectionSet: set, span: span(from: start))
    }

    /// Arguments : ( Argument+ )
    private mutating func parseArguments(isConst: Bool) throws -> [Argument] {
        guard token.kind == .parenL else { return [] }
        return try many(.parenL, { try $0.parseArgument(isConst: isConst) }, .parenR)
    }

    /// Argument : Name : Value
    private mutating func parseArgument(isConst: Bool) throws -> Argument {
        let start = token.start
        let name = try parseName()
        try expect(.colon)
        let valueStart = token.start
        let value = try parseValue(isConst: isConst)
        return Argument(name: name, value: value, span: span(from: start), valueSpan: Span(valueStart, previousEnd))
    }

    /// FragmentSpread : ... FragmentName Directives?
    /// InlineFragment : ... TypeCondition? Directives? SelectionSet
    private mutating func parseFragment() throws -> Selection {
        let start = token.start
        try expect(.spread)
        let hasTypeCondition = peekKeyword("on")
        if !hasTypeCondition, token.kind == .name {
            let name = try parseName()
            let directives = try parseDirectives(isConst: false)
            return .fragmentSpread(FragmentSpread(name: name, directives: directives, span: span(from: start)))
        }
        var typeCondition: Name?
        if hasTypeCondition {
            try advance()
            typeCondition = try parseName()
        }
        let directives = try parseDirectives(isConst: false)
        let set = try parseSelectionSet()
        return .inlineFragment(InlineFragment(typeCondition: typeCondition, directives: directives, selectionSet: set, span: span(from: start)))
    }

    /// FragmentDefinition : fragment FragmentName TypeCondition Directives? SelectionSet
    private mutating func parseFragmentDefinition() throws -> FragmentDefinition {
        let start = token.start
        try expectKeyword("fragment")
        if peekKeyword("on") { throw unexpected() }
        let name = try parseName()
        try expectKeyword("on")
        let typeCondition = try parseName()
        let directives = try parseDirectives(isConst: false)
        let set = try parseSelectionSet()
        return FragmentDefinition(name: name, typeCondition: typeCondition, directives: directives, selectionSet: set, span: span(from: start))
    }

    // MARK: Values

    /// Value[Const] : Variable | IntValue | FloatValue | StringValue | BooleanValue | NullValue | EnumValue | ListValue | ObjectValue
    mutating func parseValue(isConst: Bool) throws -> Value {
        switch token.kind {
        case .bracketL:
            try enter()
            defer { leave() }
            try advance()
            var items: [Value] = []
            while try !skip(.bracketR) { items.append(try parseValue(isConst: isConst)) }
            return .list(items)
        case .braceL:
            try enter()
            defer { leave() }
            try advance()
            var fields: [ObjectField] = []
            while try !skip(.braceR) {
                let start = token.start
                let name = try parseName()
                try expect(.colon)
                let v = try parseValue(isConst: isConst)
                fields.append(ObjectField(name: name, value: v, span: span(from: start)))
            }
            return .object(fields)
        case .int:
            let t = token
            try advance()
            return .int(lexer.text(t))
        case .float:
            let t = token
            try advance()
            return .float(lexer.text(t))
        case .string, .blockString:
            let t = token
            // The literal's own text, its quotes (`"…"`, `"""…"""`) aside.
            let size = t.end - t.start - (t.kind == .blockString ? 6 : 2)
            if let max = options.maxStringLiteralBytes, size > max {
                throw GraphQLError("A string literal of \(size) bytes is over the limit of \(max) bytes; pass large values as variables.",
                                   locations: [lexer.source.location(of: t.start)], code: "MAX_LITERAL_SIZE_EXCEEDED")
            }
            try advance()
            return .string(t.value ?? "", block: t.kind == .blockString)
        case .name:
            let t = token
            try advance()
            switch lexer.text(t) {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            case "null": return .null
            case let other: return .enumValue(other)
            }
        case .dollar:
            if isConst {
                throw lexer.error("Unexpected variable \"$\(lexer.name(at: token.end))\" in constant value.", at: token.start)
            }
            try advance()
            return .variable(try parseName().value)
        default:
            throw unexpected()
        }
    }

    // MARK: Directives and types

    /// Directives : Directive+ ; Directive : @ Name Arguments?
    private mutating func parseDirectives(isConst: Bool) throws -> [Directive] {
        var directives: [Directive] = []
        while token.kind == .at {
            let start = token.start
            try advance()
            let name = try parseName()
            let args = try parseArguments(isConst: isConst)
            directives.append(Directive(name: name, arguments: args, span: span(from: start)))
        }
        return directives
    }

    /// Type : NamedType | ListType | NonNullType
    mutating func parseTypeReference() throws -> TypeReference {
        try enter()
        defer { leave() }
        var type: TypeReference
        if try skip(.bracketL) {
            let inner = try parseTypeReference()
            try expect(.bracketR)
            type = .list(inner)
        } else {
            type = .named(try parseName())
        }
        if try skip(.bang) { type = .nonNull(type) }
        return type
    }

    // MARK: Type system (§3)

    private mutating func parseDescription() throws -> String? {
        guard token.kind == .string || token.kind == .blockString else { return nil }
        let v = token.value
        try advance()
        return v
    }

    /// TypeSystemDefinition : SchemaDefinition | TypeDefinition | DirectiveDefinition
    private mutating func parseTypeSystemDefinition() throws -> Definition {
        let start = token.start
        let description = try parseDescription()
        let keyword = lexer.text(token)
        switch keyword {
        case "schema":
            try advance()
            let directives = try parseDirectives(isConst: true)
            let ops = try many(.braceL, { try $0.parseOperationTypeDefinition() }, .braceR)
            return .schema(SchemaDefinition(description: description, directives: directives, operationTypes: ops,
                                            isExtension: false, span: span(from: start)))
        case "directive":
            return .directive(try parseDirectiveDefinition(description: description, start: start))
        default:
            return .type(try parseTypeDefinition(description: description, isExtension: false, start: start))
        }
    }

    /// OperationTypeDefinition : OperationType : NamedType
    private mutating func parseOperationTypeDefinition() throws -> OperationTypeDefinition {
        let t = try expect(.name)
        guard let op = OperationType(rawValue: lexer.text(t)) else { throw unexpected(t) }
        try expect(.colon)
        return OperationTypeDefinition(operation: op, type: try parseName())
    }

    /// ScalarTypeDefinition, ObjectTypeDefinition, InterfaceTypeDefinition, UnionTypeDefinition,
    /// EnumTypeDefinition, InputObjectTypeDefinition (and their extensions, which need at least one part).
    private mutating func parseTypeDefinition(description: String?, isExtension: Bool, start: Int) throws -> TypeDefinition {
        let keywordToken = try expect(.name)
        guard let kind = TypeDefinitionKind(rawValue: lexer.text(keywordToken)) else { throw unexpected(keywordToken) }
        var def = TypeDefinition(kind: kind, description: description, name: try parseName())
        def.isExtension = isExtension
        switch kind {
        case .scalar:
            def.directives = try parseDirectives(isConst: true)
        case .object, .interface:
            def.interfaces = try parseImplementsInterfaces()
            def.directives = try parseDirectives(isConst: true)
            def.fields = try optionalMany(.braceL, { try $0.parseFieldDefinition() }, .braceR)
        case .union:
            def.directives = try parseDirectives(isConst: true)
            if try skip(.equals) {
                _ = try skip(.pipe)
                repeat { def.unionMembers.append(try parseName()) } while try skip(.pipe)
            }
        case .enumType:
            def.directives = try parseDirectives(isConst: true)
            def.enumValues = try optionalMany(.braceL, { p in
                let s = p.token.start
                let d = try p.parseDescription()
                let n = try p.parseName()
                if ["true", "false", "null"].contains(n.value) {
                    throw p.lexer.error("Name \"\(n.value)\" is reserved and cannot be used for an enum value.", at: n.span.start.int)
                }
                return EnumValueDefinition(description: d, name: n, directives: try p.parseDirectives(isConst: true), span: p.span(from: s))
            }, .braceR)
        case .inputObject:
            def.directives = try parseDirectives(isConst: true)
            def.inputFields = try optionalMany(.braceL, { try $0.parseInputValueDefinition() }, .braceR)
        }
        if isExtension, def.interfaces.isEmpty, def.directives.isEmpty, def.fields.isEmpty, def.unionMembers.isEmpty,
           def.enumValues.isEmpty, def.inputFields.isEmpty {
            throw unexpected()
        }
        def.span = span(from: start)
        return def
    }

    /// ImplementsInterfaces : implements &? NamedType | ImplementsInterfaces & NamedType
    private mutating func parseImplementsInterfaces() throws -> [Name] {
        guard peekKeyword("implements") else { return [] }
        try advance()
        _ = try skip(.amp)
        var names: [Name] = []
        repeat { names.append(try parseName()) } while try skip(.amp)
        return names
    }

    /// FieldDefinition : Description? Name ArgumentsDefinition? : Type Directives[Const]?
    private mutating func parseFieldDefinition() throws -> FieldDefinition {
        let start = token.start
        let description = try parseDescription()
        let name = try parseName()
        let args = try optionalMany(.parenL, { try $0.parseInputValueDefinition() }, .parenR)
        try expect(.colon)
        let type = try parseTypeReference()
        let directives = try parseDirectives(isConst: true)
        return FieldDefinition(description: description, name: name, arguments: args, type: type, directives: directives, span: span(from: start))
    }

    /// InputValueDefinition : Description? Name : Type DefaultValue? Directives[Const]?
    private mutating func parseInputValueDefinition() throws -> InputValueDefinition {
        let start = token.start
        let description = try parseDescription()
        let name = try parseName()
        try expect(.colon)
        let type = try parseTypeReference()
        let defaultValue = try skip(.equals) ? try parseValue(isConst: true) : nil
        let directives = try parseDirectives(isConst: true)
        return InputValueDefinition(description: description, name: name, type: type, defaultValue: defaultValue,
                                    directives: directives, span: span(from: start))
    }

    /// DirectiveDefinition : Description? directive @ Name ArgumentsDefinition? repeatable? on DirectiveLocations
    private mutating func parseDirectiveDefinition(description: String?, start: Int) throws -> DirectiveDefinition {
        try expectKeyword("directive")
        try expect(.at)
        let name = try parseName()
        let args = try optionalMany(.parenL, { try $0.parseInputValueDefinition() }, .parenR)
        let repeatable = peekKeyword("repeatable")
        if repeatable { try advance() }
        try expectKeyword("on")
        _ = try skip(.pipe)
        var locations: [Name] = []
        repeat {
            let loc = try parseName()
            guard DirectiveLocation(rawValue: loc.value) != nil else {
                throw lexer.error("Unexpected Name \"\(loc.value)\".", at: Int(loc.span.start))
            }
            locations.append(loc)
        } while try skip(.pipe)
        return DirectiveDefinition(description: description, name: name, arguments: args, isRepeatable: repeatable,
                                   locations: locations, span: span(from: start))
    }

    /// TypeSystemExtension : SchemaExtension | TypeExtension
    private mutating func parseTypeSystemExtension() throws -> Definition {
        let start = token.start
        guard options.allowTypeSystem else {
            throw lexer.error("Unexpected Name \"extend\": type system definitions are not allowed here.", at: start)
        }
        try expectKeyword("extend")
        if peekKeyword("schema") {
            try advance()
            let directives = try parseDirectives(isConst: true)
            let ops = try optionalMany(.braceL, { try $0.parseOperationTypeDefinition() }, .braceR)
            if directives.isEmpty && ops.isEmpty { throw unexpected() }
            return .schema(SchemaDefinition(description: nil, directives: directives, operationTypes: ops, isExtension: true, span: span(from: start)))
        }
        return .type(try parseTypeDefinition(description: nil, isExtension: true, start: start))
    }
}

extension Int32 {
    var int: Int { Int(self) }
}

/// Directive locations (§3.13).
public enum DirectiveLocation: String, Sendable, Hashable, CaseIterable {
    case query = "QUERY", mutation = "MUTATION", subscription = "SUBSCRIPTION", field = "FIELD"
    case fragmentDefinition = "FRAGMENT_DEFINITION", fragmentSpread = "FRAGMENT_SPREAD", inlineFragment = "INLINE_FRAGMENT"
    case variableDefinition = "VARIABLE_DEFINITION"
    case schema = "SCHEMA", scalar = "SCALAR", object = "OBJECT", fieldDefinition = "FIELD_DEFINITION"
    case argumentDefinition = "ARGUMENT_DEFINITION", interface = "INTERFACE", union = "UNION", enumType = "ENUM"
    case enumValue = "ENUM_VALUE", inputObject = "INPUT_OBJECT", inputFieldDefinition = "INPUT_FIELD_DEFINITION"
}
