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

    /// Whether a fragment carries `@defer` not switched off by a literal `if: false` (a plan is
    /// made per operation shape — a variable `if` leaves the deferred fetches fetches of their
    /// own; a literal false one the planner merges as if not there).
    static func defers(_ directives: [Directive]) -> Bool {
        directives.contains { $0.name.value == "defer" && !$0.isSwitchedOffLiterally }
    }

    /// The deepest nesting of selection sets (fields, inline fragments, spreads) costed.
    public static let maxNesting = 256

    public struct Failure: Error, Sendable {
        public let error: GraphQLError
    }

    /// What one estimate remembers: each fragment's cost (by name and the sizes its parent set
    /// gives its fields), and the definitions each field of an interface may run as.
    final class Memo {
        var fragments: [String: Int] = [:]
        var variants: [String: [FieldDef]] = [:]
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
        return Self.base(operation) &+? (try cost(operation.selectionSet, root, fragments, variables, Memo(), depth: 0, sized: [:]))
    }

    func weight(_ directives: [Directive]) -> Int? {
        guard let d = directives.first(where: { $0.name.value == "cost" }),
              let arg = d.arguments.first(where: { $0.name.value == "weight" }) else { return nil }
        switch arg.value {
        // Never negative: a negative weight (a supergraph composed elsewhere) would let one part
        // of an operation pay for another under the limit. A fraction counts as the next whole
        // number and a weight past 10^15 (`1e400` too) as 10^15: an upper bound, never less
        // (`"0.5"` cost nothing, and `1e400` too, before).
        case .int(let s), .float(let s), .string(let s, _):
            guard let d = Double(s), !d.isNaN else { return 0 }
            return Int(min(max(d.rounded(.up), 0), 1e15))
        default: return nil
        }
    }

    /// Fields collected from a selection set by response key (§6.3.2 CollectFields), with what is
    /// selected under each merged: what is written twice under one key runs once, so it costs
    /// once, with everything asked of it (`{ items { a } items { b } }` is one list of items with
    /// `a` and `b`; validation has made them one field with one set of arguments).
    struct Collected {
        var fields: OrderedDictionary<String, Field> = [:]
        /// Fragment spreads met at this level: one runs once however often it is spread.
        var spreads = Set<String>()
        /// What the selections not merged into fields cost: fragments on other types, spreads.
        var total = 0
    }

    /// - Parameter sized: list sizes a parent's `@listSize(sizedFields:)` sets for child fields by name.
    func cost(_ set: SelectionSet, _ type: NamedType, _ fragments: [String: FragmentDefinition],
              _ variables: OrderedDictionary<String, JSON>, _ memo: Memo, depth: Int,
              sized: [String: Int]) throws(Failure) -> Int {
        var collected = Collected()
        try collect(set, type, fragments, variables, memo, depth: depth, sized: sized, into: &collected)
        var total = collected.total
        for f in collected.fields.values {
            total = total &+? (try fieldCost(f, type, fragments, variables, memo, depth: depth, size: sized[f.name.value]))
        }
        return total
    }

    func collect(_ set: SelectionSet, _ type: NamedType, _ fragments: [String: FragmentDefinition],
                 _ variables: OrderedDictionary<String, JSON>, _ memo: Memo, depth: Int,
                 sized: [String: Int], into collected: inout Collected) throws(Failure) {
        // Selections nested deeper than this (fragments count: the depth limit counts fields only)
        // are refused, never costed as nothing: 101 empty `... {` around a costly field made it
        // free. The parser's nesting limit keeps every real document well under it.
        if depth > Self.maxNesting {
            throw Failure(error: GraphQLError("The operation nests selections and fragments more than \(Self.maxNesting) levels deep.",
                                              code: "MAX_DEPTH_EXCEEDED"))
        }
        for sel in set.selections where Self.included(sel.directives, variables) {
            switch sel {
            case .field(let f):
                if collected.fields[f.responseKey] == nil {
                    collected.fields[f.responseKey] = f
                } else if let more = f.selectionSet?.selections, !more.isEmpty {
                    collected.fields[f.responseKey]!.selectionSet?.selections.append(contentsOf: more)
                }
            case .inlineFragment(let i):
                // On this type (or none): its fields are this level's, merged with the others —
                // unless it is deferred: the planner fetches each deferred fragment on its own
                // (one of fifty `... @defer { items }` merged was one fiftieth of what ran).
                guard let condition = i.typeCondition?.value, condition != type.name else {
                    if Self.defers(i.directives) {
                        collected.total = collected.total &+? (try cost(i.selectionSet, type, fragments, variables, memo, depth: depth + 1, sized: sized))
                        continue
                    }
                    try collect(i.selectionSet, type, fragments, variables, memo, depth: depth + 1, sized: sized, into: &collected)
                    continue
                }
                let t = schema.types[condition] ?? type
                collected.total = collected.total &+? (try cost(i.selectionSet, t, fragments, variables, memo, depth: depth + 1, sized: sized))
            case .fragmentSpread(let s):
                // A named fragment is costed once per name (and sizes) and reused: fragments
                // spread in fragments stay linear however they fan out. Spread again, it runs once
                // — unless deferred: each deferred spread is fetched on its own.
                guard Self.defers(s.directives) || collected.spreads.insert(s.name.value).inserted else { continue }
                guard let frag = fragments[s.name.value], let t = schema.types[frag.typeCondition.value] else { continue }
                let key = sized.isEmpty ? s.name.value : s.name.value + "|" + sized.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                if let m = memo.fragments[key] { collected.total = collected.total &+? m; continue }
                memo.fragments[key] = 0 // a cycle costs nothing more (validation refuses it)
                let c = try cost(frag.selectionSet, t, fragments, variables, memo, depth: depth + 1, sized: sized)
                memo.fragments[key] = c
                collected.total = collected.total &+? c
            }
        }
    }

    /// The definitions a field may run as: on an interface, its own and those of the object types
    /// implementing it that weigh or size it differently (IBM cost spec §9.1.1: an interface's
    /// field costs what the costliest of its concrete fields does — `{ node { kids(first: 1000) } }`
    /// cost what the interface said of `kids`, not what the type that sizes it does).
    func variants(_ def: FieldDef, _ parent: NamedType, _ memo: Memo) -> [FieldDef] {
        guard parent.kind == .interface else { return [def] }
        let key = parent.name + "." + def.name
        if let known = memo.variants[key] { return known }
        var found = [def]
        for name in schema.possibleTypes(parent) {
            guard let d = schema.types[name]?.fields[def.name] else { continue }
            // One that says nothing of its own costs what the interface's says (its directives
            // are inherited) — unless its arguments' defaults differ (`kids(first: Int = 1000)`
            // under an interface's `= 1`: the subgraph runs it with 1000).
            func defaults(_ f: FieldDef) -> [String] { f.arguments.map { "\($0.key)=\($0.value.defaultValue.map { Printer.print($0) } ?? "")" } }
            if !d.directives.isEmpty || d.arguments.values.contains(where: { !$0.directives.isEmpty })
                || schema.namedType(d.type).map({ !$0.directives.isEmpty && $0.name != schema.namedType(def.type)?.name }) == true
                || defaults(d) != defaults(def) {
                found.append(d)
            }
        }
        memo.variants[key] = found
        return found
    }

    func fieldCost(_ f: Field, _ parent: NamedType, _ fragments: [String: FragmentDefinition],
                   _ variables: OrderedDictionary<String, JSON>, _ memo: Memo, depth: Int,
                   size parentSize: Int?) throws(Failure) -> Int {
        guard let def = schema.field(parent, f.name.value), let named = schema.namedType(def.type) else { return 0 }
        if f.name.value.hasPrefix("__") { return 0 }
        let defs = variants(def, parent, memo)
        // Per value, and given once for the field whatever the size of the list it returns: the
        // greatest of the definitions it may run as.
        var own = 0, once = 0
        for d in defs {
            own = max(own, typeWeight(d, schema.namedType(d.type) ?? named))
            once = max(once, argumentsWeight(f, d, variables))
        }
        // What its `@requires` fetches for it (on the parent, or on any object it may be).
        var required = 0
        for t in requirements.isEmpty ? [] : parent.kind.isAbstract ? schema.possibleTypes(parent).compactMap({ schema.types[$0] }) : [parent] {
            for set in requirements["\(t.name).\(f.name.value)"] ?? [] {
                required = max(required, try cost(set, t, fragments, variables, memo, depth: depth + 1, sized: [:]))
            }
        }
        once = once &+? required
        // `@listSize(sizedFields:)`: the size from this field's slicing arguments applies to
        // the named child lists (a connection's `edges`).
        var sizedChildren: [String: Int] = [:]
        for d in defs {
            guard let ls = d.directives.first(where: { $0.name.value == "listSize" }) ?? def.directives.first(where: { $0.name.value == "listSize" }) else { continue }
            let names = Self.names(Self.argument(ls, "sizedFields"))
            guard !names.isEmpty else { continue }
            let size = try listSize(f, d, variables, inherited: def.directives)
            for n in names { sizedChildren[n] = max(sizedChildren[n] ?? 0, size) }
        }
        var children = 0
        if let ss = f.selectionSet {
            children = try cost(ss, named, fragments, variables, memo, depth: depth + 1, sized: sizedChildren)
        }
        guard def.type.listDepthForCost > 0 else { return own &+? children &+? once }
        // A list is its slicing argument's size (also when it sizes child lists: Apollo's
        // router gives both the size), else its parent's `sizedFields`, else assumed.
        var size = 0
        if let parentSize { size = parentSize } else {
            for d in defs { size = max(size, try listSize(f, d, variables, inherited: def.directives)) }
        }
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

    /// A `[String!]` argument's names: a list, or one string for a list of one (§3.11 input
    /// coercion — `slicingArguments: "first"` was read as no slicing argument at all).
    static func names(_ value: Value?) -> [String] {
        switch value {
        case .list(let items)?: return items.compactMap { if case .string(let s, _) = $0 { return s } else { return nil } }
        case .string(let s, _)?: return [s]
        default: return []
        }
    }

    /// - Parameter inherited: the directives of the interface field `def` implements, which size it
    ///   when it has no `@listSize` of its own.
    func listSize(_ f: Field, _ def: FieldDef, _ variables: OrderedDictionary<String, JSON>, inherited: [Directive] = []) throws(Failure) -> Int {
        // A subgraph's `_entities` answers one entry per representation: sized by them (a
        // gateway's fetch of one entity is not ten).
        if def.name == "_entities", let a = f.arguments.first(where: { $0.name.value == "representations" }) {
            switch a.value {
            case .list(let items): return items.count
            case .variable(let v): if let n = variables[v]?.arrayValue?.count { return n }
            default: break
            }
        }
        guard let d = def.directives.first(where: { $0.name.value == "listSize" }) ?? inherited.first(where: { $0.name.value == "listSize" }) else {
            return defaultListSize
        }
        func arg(_ name: String) -> Value? { Self.argument(d, name) }
        var slicing: [String] = []
        slicing = Self.names(arg("slicingArguments"))
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
        /// A value given: a negative one bounds nothing (a resolver may read it as "all but"),
        /// so it sizes the list as an explicit null does — an upper bound, where 0 made
        /// everything under `first: -1` free (probe 51B).
        func bounded(_ n: Int, _ name: String) -> Int { n < 0 ? nullSize(name) : n }
        for name in slicing {
            guard let a = f.arguments.first(where: { $0.name.value == name }) else { continue }
            switch a.value {
            case .int(let s): sizes.append(bounded(Int(s) ?? Int.max, name))
            case .null: nullSizes.append(nullSize(name))
            case .variable(let v):
                // A variable left out (no default of its own) gives the argument its default
                // value (§6.4.1 CoerceArgumentValues), as leaving the argument out does: given,
                // when there is one. One sent null is an explicit null.
                guard let value = variables[v] else {
                    if let n = byDefault(name) { sizes.append(bounded(n, name)) }
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
                if Int32(exactly: n) == nil, def.arguments[name]?.type.namedType.value == "Int" { sizes.append(0) } else { sizes.append(bounded(n, name)) }
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
            if let n = byDefault(name) { sizes.append(n < 0 ? nullSize(name) : n) }
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
        return actual(operation.selectionSet, root, object, fragments, variables, depth: 0)
    }

    /// What an object's answered fields cost: its fields collected by response key as the
    /// estimate collects them (the selections of one key merged: `{ items { a } items { b } }`
    /// counts every item's `b` as well as its `a`), fragments applying to its `__typename`.
    func actual(_ set: SelectionSet, _ type: NamedType, _ object: OrderedDictionary<String, JSON>,
                _ fragments: [String: FragmentDefinition], _ variables: OrderedDictionary<String, JSON>, depth: Int) -> Int {
        var fields: OrderedDictionary<String, (field: Field, type: NamedType)> = [:]
        var spreads = Set<String>()
        func applies(_ condition: String) -> Bool {
            guard case .string(let runtime)? = object["__typename"], let t = schema.types[condition], t.kind == .object else { return true }
            return runtime == condition
        }
        func gather(_ set: SelectionSet, _ type: NamedType, depth: Int) {
            if depth > Self.maxNesting { return }   // refused by `estimate` before it ran
            for sel in set.selections {
                switch sel {
                case .field(let f):
                    if fields[f.responseKey] == nil {
                        fields[f.responseKey] = (f, type)
                    } else if let more = f.selectionSet?.selections, !more.isEmpty {
                        fields[f.responseKey]!.field.selectionSet?.selections.append(contentsOf: more)
                    }
                case .inlineFragment(let i):
                    let t = i.typeCondition.flatMap { schema.types[$0.value] } ?? type
                    if applies(t.name) { gather(i.selectionSet, t, depth: depth + 1) }
                case .fragmentSpread(let s):
                    guard spreads.insert(s.name.value).inserted, let frag = fragments[s.name.value],
                          let t = schema.types[frag.typeCondition.value], applies(t.name) else { continue }
                    gather(frag.selectionSet, t, depth: depth + 1)
                }
            }
        }
        gather(set, type, depth: depth)
        var total = 0
        // The object's own type when the answer says it: its fields weigh what that type says
        // of them, not what the interface they were selected on says.
        let runtime = object["__typename"]?.stringValue.flatMap { schema.types[$0] }.flatMap { $0.kind == .object ? $0 : nil }
        for (key, entry) in fields {
            let f = entry.field
            let parent = entry.type.kind.isAbstract ? runtime ?? entry.type : entry.type
            guard let value = object[key], let def = schema.field(parent, f.name.value) ?? schema.field(entry.type, f.name.value),
                  let named = schema.namedType(def.type), !f.name.value.hasPrefix("__") else { continue }
            // Its arguments count once, when it answered something.
            if value != .null { total = total &+? argumentsWeight(f, def, variables) }
            total = total &+? actualValue(value, f, def, named, fragments, variables, depth: depth)
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
            let children = f.selectionSet.map { actual($0, named, o, fragments, variables, depth: depth + 1) } ?? 0
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
