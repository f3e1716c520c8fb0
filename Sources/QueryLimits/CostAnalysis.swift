import GraphQLCore
import OrderedCollections

/// Static cost of an operation per the IBM GraphQL cost directive specification (as Apollo's
/// demand control applies it): `@cost(weight:)` on fields, arguments, types and enums;
/// `@listSize(assumedSize:, slicingArguments:, sizedFields:, requireOneSlicingArgument:)` on
/// list fields; composite fields cost 1 and leaves 0 unless weighted; a list multiplies what
/// is under it by its size (the slicing argument's value, else `assumedSize`, else the default).
public struct CostAnalyzer: Sendable {
    public let schema: Schema
    public let defaultListSize: Int
    /// The selections each field's `@requires` needs (by `Type.field`; one per subgraph that
    /// requires something): fetched for the field whether or not the client selects them, so
    /// costed with it (as Apollo's demand control does).
    public let requirements: [String: [SelectionSet]]
    /// Whether a list whose `@listSize` requires one slicing argument and is not given exactly
    /// one is refused (`COST_SLICING_ARGUMENT_REQUIRED`); without, it is sized as the rest are
    /// (measuring only: nothing is refused).
    public let requireSlicing: Bool

    public init(schema: Schema, defaultListSize: Int = 10, requirements: [String: [SelectionSet]] = [:], requireSlicing: Bool = true) {
        self.schema = schema
        self.defaultListSize = defaultListSize
        self.requirements = requirements
        self.requireSlicing = requireSlicing
    }

    /// An operation's own cost before its fields': 10 for a mutation, 0 for a query or a
    /// subscription (Apollo's demand control).
    static func base(_ operation: OperationDefinition) -> Int { operation.operation == .mutation ? 10 : 0 }

    /// Whether `@skip`/`@include` keep a selection (a literal, or a variable's value; a value
    /// not known keeps it).
    static func included(_ directives: [Directive], _ variables: OrderedDictionary<String, JSON>) -> Bool {
        for d in directives where d.name.value == "skip" || d.name.value == "include" {
            guard let arg = d.arguments.first(where: { $0.name.value == "if" }) else { continue }
            let flag: Bool?
            switch arg.value {
            case .boolean(let b): flag = b
            case .variable(let v): flag = variables[v]?.boolValue
            default: flag = nil
            }
            guard let flag else { continue }
            if d.name.value == "skip" ? flag : !flag { return false }
        }
        return true
    }

    /// The deepest nesting of selection sets (fields, inline fragments, spreads) costed.
    public static let maxNesting = 256

    public struct Failure: Error, Sendable {
        public let error: GraphQLError
    }

    /// The estimated cost (saturating); fragments are costed once per type and reused per spread.
    public func estimate(_ operation: OperationDefinition, fragments: [String: FragmentDefinition],
                         variables: OrderedDictionary<String, JSON>) throws(Failure) -> Int {
        guard let root = schema.rootTypeName(operation.operation).flatMap({ schema.types[$0] }) else { return 0 }
        // A variable the request leaves out takes its default value, whatever it is, which
        // costs and sizes as a value sent would (`query($n: Int = 1000)` is costed with 1000,
        // `$n: Int = null` as an explicit null, `$f: Filter = {…}` as that input object).
        var variables = variables
        for d in operation.variableDefinitions where variables[d.variable.value] == nil {
            if let dv = d.defaultValue { variables[d.variable.value] = dv.plainJSON }
        }
        var memo: [String: Int] = [:]
        return Self.base(operation) &+? (try cost(operation.selectionSet, root, fragments, variables, &memo, depth: 0, sized: [:]))
    }

    func weight(_ directives: [Directive]) -> Int? {
        guard let d = directives.first(where: { $0.name.value == "cost" }),
              let arg = d.arguments.first(where: { $0.name.value == "weight" }) else { return nil }
        switch arg.value {
        // Never negative: a negative weight (a supergraph composed elsewhere) would let one part
        // of an operation pay for another under the limit.
        case .int(let s), .float(let s), .string(let s, _):
            let d = Double(s) ?? 0
            return d.isFinite ? Int(min(max(d, 0), 1e15)) : 0
        default: return nil
        }
    }

    /// - Parameter sized: list sizes a parent's `@listSize(sizedFields:)` sets for child fields by name.
    func cost(_ set: SelectionSet, _ type: NamedType, _ fragments: [String: FragmentDefinition],
              _ variables: OrderedDictionary<String, JSON>, _ memo: inout [String: Int], depth: Int,
              sized: [String: Int]) throws(Failure) -> Int {
        // Selections nested deeper than this (fragments count: the depth limit counts fields only)
        // are refused, never costed as nothing: 101 empty `... {` around a costly field made it
        // free. The parser's nesting limit keeps every real document well under it.
        if depth > Self.maxNesting {
            throw Failure(error: GraphQLError("The operation nests selections and fragments more than \(Self.maxNesting) levels deep.",
                                              code: "MAX_DEPTH_EXCEEDED"))
        }
        var total = 0
        // What runs once however often it is written at this level (§6.3.2: fields are collected
        // by response key, a fragment spread once): a field written again identically, and a
        // fragment spread again, are not counted again. (Fields of one key with different
        // selections still count each: an estimate above what runs, never below.)
        var fieldsByKey: [String: [Field]] = [:], spreads = Set<String>()
        for sel in set.selections where Self.included(sel.directives, variables) {
            switch sel {
            case .field(let f):
                if let earlier = fieldsByKey[f.responseKey] {
                    func text(_ f: Field) -> String { Printer.print(SelectionSet(selections: [.field(f)]), indent: "") }
                    let own = text(f)
                    if earlier.contains(where: { text($0).utf8.elementsEqual(own.utf8) }) { continue }
                }
                fieldsByKey[f.responseKey, default: []].append(f)
                total = total &+? (try fieldCost(f, type, fragments, variables, &memo, depth: depth, size: sized[f.name.value]))
            case .inlineFragment(let i):
                let t = i.typeCondition.flatMap { schema.types[$0.value] } ?? type
                total = total &+? (try cost(i.selectionSet, t, fragments, variables, &memo, depth: depth + 1, sized: sized))
            case .fragmentSpread(let s):
                guard spreads.insert(s.name.value).inserted else { continue }
                guard let frag = fragments[s.name.value], let t = schema.types[frag.typeCondition.value] else { continue }
                let key = sized.isEmpty ? s.name.value : s.name.value + "|" + sized.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                if let m = memo[key] { total = total &+? m; continue }
                memo[key] = 0 // a cycle costs nothing more (validation refuses it)
                let c = try cost(frag.selectionSet, t, fragments, variables, &memo, depth: depth + 1, sized: sized)
                memo[key] = c
                total = total &+? c
            }
        }
        return total
    }

    func fieldCost(_ f: Field, _ parent: NamedType, _ fragments: [String: FragmentDefinition],
                   _ variables: OrderedDictionary<String, JSON>, _ memo: inout [String: Int], depth: Int,
                   size parentSize: Int?) throws(Failure) -> Int {
        guard let def = schema.field(parent, f.name.value), let named = schema.namedType(def.type) else { return 0 }
        if f.name.value.hasPrefix("__") { return 0 }
        let own = typeWeight(def, named)
        // Given once for the field, whatever the size of the list it returns.
        var once = argumentsWeight(f, def, variables)
        // What its `@requires` fetches for it (on the parent, or on any object it may be).
        var required = 0
        for t in requirements.isEmpty ? [] : parent.kind.isAbstract ? schema.possibleTypes(parent).compactMap({ schema.types[$0] }) : [parent] {
            for set in requirements["\(t.name).\(f.name.value)"] ?? [] {
                required = max(required, try cost(set, t, fragments, variables, &memo, depth: depth + 1, sized: [:]))
            }
        }
        once = once &+? required
        // `@listSize(sizedFields:)`: the size from this field's slicing arguments applies to
        // the named child lists (a connection's `edges`), not to this field.
        var sizedChildren: [String: Int] = [:]
        if let d = def.directives.first(where: { $0.name.value == "listSize" }), case .list(let names)? = Self.argument(d, "sizedFields") {
            let size = try listSize(f, def, variables)
            for case .string(let n, _) in names { sizedChildren[n] = size }
        }
        var children = 0
        if let ss = f.selectionSet {
            children = try cost(ss, named, fragments, variables, &memo, depth: depth + 1, sized: sizedChildren)
        }
        guard def.type.listDepthForCost > 0 else { return own &+? children &+? once }
        let size: Int
        if let parentSize { size = parentSize } else if sizedChildren.isEmpty { size = try listSize(f, def, variables) } else { size = defaultListSize }
        return (own &+? children).multipliedSaturating(by: size) &+? once
    }

    /// A field's weight per value: `@cost` on the field, else on its type, else 1 for composites
    /// and 0 for leaves.
    func typeWeight(_ def: FieldDef, _ named: NamedType) -> Int {
        if let w = weight(def.directives) ?? weight(named.directives) { return w }
        // An interface or union costs what its costliest possible type does (at least 1).
        if named.kind.isAbstract {
            return schema.possibleTypes(named).reduce(1) { m, name in max(m, schema.types[name].flatMap { weight($0.directives) } ?? 1) }
        }
        return named.kind.isComposite ? 1 : 0
    }

    /// The weights of the arguments given (Apollo's demand control): a value costs its
    /// argument's or input field's `@cost`, else its type's, else 1 for an input object and 0 for
    /// anything else; an input object adds its fields' costs; a list adds its items' (each costed
    /// as the argument); null costs nothing.
    func argumentsWeight(_ f: Field, _ def: FieldDef, _ variables: OrderedDictionary<String, JSON>) -> Int {
        var total = 0
        for (argName, arg) in def.arguments {
            guard let given = f.arguments.first(where: { $0.name.value == argName }) else { continue }
            total = total &+? score(given.value, arg.directives, arg.type, variables, depth: 0)
        }
        return total
    }

    /// Input values deeper than this cost everything (the parser and the JSON reader stop well
    /// before it): a cap that costed what lies below it as nothing let a list of costly input
    /// objects wrapped in 16 levels of `{and: [...]}` pass for free (probe 40B).
    static let maxValueDepth = 256

    func score(_ value: Value, _ directives: [Directive], _ type: TypeReference, _ variables: OrderedDictionary<String, JSON>, depth: Int) -> Int {
        guard depth < Self.maxValueDepth else { return .max }
        switch value {
        case .null: return 0
        case .variable(let v): return variables[v].map { score($0, directives, type, depth: depth) } ?? 0
        case .list(let items):
            return items.reduce(weight(directives) ?? 0) { $0 &+? score($1, directives, type.itemType, variables, depth: depth + 1) }
        case .object(let fields):
            guard let t = schema.types[type.namedType.value], t.kind == .inputObject else { return 0 }
            var total = weight(directives) ?? weight(t.directives) ?? 1
            for field in fields {
                guard let def = t.inputFields[field.name.value] else { continue }
                total = total &+? score(field.value, def.directives, def.type, variables, depth: depth + 1)
            }
            return total
        default:
            return weight(directives) ?? schema.types[type.namedType.value].flatMap { weight($0.directives) } ?? 0
        }
    }

    func score(_ value: JSON, _ directives: [Directive], _ type: TypeReference, depth: Int) -> Int {
        guard depth < Self.maxValueDepth else { return .max }
        switch value {
        case .null: return 0
        case .array(let items):
            return items.reduce(weight(directives) ?? 0) { $0 &+? score($1, directives, type.itemType, depth: depth + 1) }
        case .object(let fields):
            guard let t = schema.types[type.namedType.value], t.kind == .inputObject else { return 0 }
            var total = weight(directives) ?? weight(t.directives) ?? 1
            for (name, v) in fields {
                guard let def = t.inputFields[name] else { continue }
                total = total &+? score(v, def.directives, def.type, depth: depth + 1)
            }
            return total
        default:
            return weight(directives) ?? schema.types[type.namedType.value].flatMap { weight($0.directives) } ?? 0
        }
    }

    static func argument(_ d: Directive, _ name: String) -> Value? { d.arguments.first { $0.name.value == name }?.value }

    func listSize(_ f: Field, _ def: FieldDef, _ variables: OrderedDictionary<String, JSON>) throws(Failure) -> Int {
        // A subgraph's `_entities` answers one entry per representation: sized by them (a
        // gateway's fetch of one entity is not ten).
        if def.name == "_entities", let a = f.arguments.first(where: { $0.name.value == "representations" }) {
            switch a.value {
            case .list(let items): return items.count
            case .variable(let v): if let n = variables[v]?.arrayValue?.count { return n }
            default: break
            }
        }
        guard let d = def.directives.first(where: { $0.name.value == "listSize" }) else { return defaultListSize }
        func arg(_ name: String) -> Value? { Self.argument(d, name) }
        var slicing: [String] = []
        if case .list(let names)? = arg("slicingArguments") {
            slicing = names.compactMap { if case .string(let s, _) = $0 { return s } else { return nil } }
        }
        var sizes: [Int] = []
        /// Sizes of slicing arguments that are null (given so, or a variable left out): they
        /// size the list but are not "given" for `requireOneSlicingArgument`.
        var nullSizes: [Int] = []
        /// A slicing argument's default value, as a size.
        func byDefault(_ name: String) -> Int? {
            if case .int(let s)? = def.arguments[name]?.defaultValue { return Int(s) }
            return nil
        }
        let assumed: Int? = { if case .int(let s)? = arg("assumedSize") { return Int(s) } else { return nil } }()
        /// An explicit null: what the resolver makes of it is its own — the platform's read it as
        /// the default, others as "all" — so the larger of the default and the assumed size.
        func nullSize(_ name: String) -> Int { max(byDefault(name) ?? 0, assumed ?? defaultListSize) }
        for name in slicing {
            guard let a = f.arguments.first(where: { $0.name.value == name }) else { continue }
            switch a.value {
            case .int(let s): sizes.append(Int(s) ?? 0)
            case .null: nullSizes.append(nullSize(name))
            case .variable(let v):
                // A variable left out (no default of its own) gives the argument its default
                // value (§6.4.1 CoerceArgumentValues); one sent null is an explicit null.
                guard let value = variables[v] else {
                    if let n = byDefault(name) { nullSizes.append(n) }
                    break
                }
                if case .null = value {
                    nullSizes.append(nullSize(name))
                    break
                }
                guard let n = value.intValue else { break }
                // An `Int` out of its 32-bit range is refused when the variables are coerced
                // (BAD_USER_INPUT): it sizes nothing here, rather than refusing the request as
                // too expensive first.
                if Int32(exactly: n) == nil, def.arguments[name]?.type.namedType.value == "Int" { sizes.append(0) } else { sizes.append(n) }
            default: break
            }
        }
        // requireOneSlicingArgument defaults to true; an argument's default value counts as given.
        var given = sizes.count
        for name in slicing where !f.arguments.contains(where: { $0.name.value == name }) && def.arguments[name]?.defaultValue != nil {
            given += 1
        }
        var required = true
        if case .boolean(let b)? = arg("requireOneSlicingArgument") { required = b }
        if required, requireSlicing, !slicing.isEmpty, given != 1 {
            throw Failure(error: GraphQLError("Exactly one slicing argument (\(slicing.joined(separator: ", "))) is required on \(def.name).",
                                              code: "COST_SLICING_ARGUMENT_REQUIRED"))
        }
        // A slicing argument's default counts as given (the subgraph applies it), before
        // `assumedSize`; the largest of them sizes the list.
        for name in slicing where !f.arguments.contains(where: { $0.name.value == name }) {
            if let dv = def.arguments[name]?.defaultValue, case .int(let s) = dv, let n = Int(s) { sizes.append(n) }
        }
        sizes += nullSizes
        if let m = sizes.max() { return max(0, m) }
        if let assumed { return max(0, assumed) }
        return defaultListSize
    }
}

extension CostAnalyzer {
    /// The actual cost of an executed operation: the same weights as the estimate, with each
    /// list counted at the size it came back with (null and absent fields cost nothing).
    public func actual(_ operation: OperationDefinition, fragments: [String: FragmentDefinition], data: JSON,
                       variables: OrderedDictionary<String, JSON> = [:]) -> Int {
        guard let root = schema.rootTypeName(operation.operation).flatMap({ schema.types[$0] }),
              case .object(let object) = data else { return 0 }
        var counted = Set<String>()
        return actual(operation.selectionSet, root, object, fragments, variables, &counted, depth: 0)
    }

    func actual(_ set: SelectionSet, _ type: NamedType, _ object: OrderedDictionary<String, JSON>,
                _ fragments: [String: FragmentDefinition], _ variables: OrderedDictionary<String, JSON>,
                _ counted: inout Set<String>, depth: Int) -> Int {
        if depth > Self.maxNesting { return 0 }   // refused by `estimate` before it ran
        var total = 0
        func applies(_ condition: String) -> Bool {
            guard case .string(let runtime)? = object["__typename"], let t = schema.types[condition], t.kind == .object else { return true }
            return runtime == condition
        }
        for sel in set.selections {
            switch sel {
            case .field(let f):
                let key = f.alias?.value ?? f.name.value
                guard let value = object[key], counted.insert(key).inserted,
                      let def = schema.field(type, f.name.value), let named = schema.namedType(def.type),
                      !f.name.value.hasPrefix("__") else { continue }
                // Its arguments count once, when it answered something.
                if value != .null { total = total &+? argumentsWeight(f, def, variables) }
                total = total &+? actualValue(value, f, def, named, fragments, variables, depth: depth)
            case .inlineFragment(let i):
                let t = i.typeCondition.flatMap { schema.types[$0.value] } ?? type
                guard applies(t.name) else { continue }
                total = total &+? actual(i.selectionSet, t, object, fragments, variables, &counted, depth: depth + 1)
            case .fragmentSpread(let s):
                guard let frag = fragments[s.name.value], let t = schema.types[frag.typeCondition.value], applies(t.name) else { continue }
                total = total &+? actual(frag.selectionSet, t, object, fragments, variables, &counted, depth: depth + 1)
            }
        }
        return total
    }

    func actualValue(_ value: JSON, _ f: Field, _ def: FieldDef, _ named: NamedType,
                     _ fragments: [String: FragmentDefinition], _ variables: OrderedDictionary<String, JSON>, depth: Int) -> Int {
        switch value {
        case .null: return 0
        case .array(let items):
            var total = 0
            for item in items { total = total &+? actualValue(item, f, def, named, fragments, variables, depth: depth) }
            return total
        case .object(let o):
            var counted = Set<String>()
            let children = f.selectionSet.map { actual($0, named, o, fragments, variables, &counted, depth: depth + 1) } ?? 0
            return typeWeight(def, named) &+? children
        default:
            return typeWeight(def, named)
        }
    }
}

extension Int {
    func multipliedSaturating(by other: Int) -> Int {
        let (r, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : r
    }
}

extension TypeReference {
    var listDepthForCost: Int {
        switch self {
        case .named: return 0
        case .nonNull(let t): return t.listDepthForCost
        case .list(let t): return 1 + t.listDepthForCost
        }
    }
}

extension TypeReference {
    /// The type of a list's items (a type that is not a list: itself).
    var itemType: TypeReference {
        switch self {
        case .nonNull(let t): return t.itemType
        case .list(let t): return t
        case .named: return self
        }
    }
}
