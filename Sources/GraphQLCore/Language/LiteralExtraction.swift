import OrderedCollections

/// An operation whose field arguments given as literals were made variables: `agent(id: "a1")`
/// becomes `agent(id: $_v0)` with `$_v0: ID!` declared and `"a1"` its value. Operations that
/// differ only in such literals then have the same text — a gateway plans them once, whatever
/// the values (a client writing its values into the document would otherwise cost a plan per
/// request and fill the plan cache with one-off entries).
///
/// ```swift
/// if let extracted = LiteralExtraction.extract(document, operationName: nil, schema: schema) {
///     plan(extracted.document); run(with: extracted.values)
/// }
/// ```
///
/// What stays a literal: directive arguments (`@skip(if: true)` decides what is planned), values
/// holding a variable, and values of custom scalars anywhere inside (their literal form is the
/// subgraph's to read). Spans are kept, so errors still point into the client's source. The
/// values were validated with the document: they are passed on as they are, never coerced again.
public struct LiteralExtraction: Sendable {
    /// The operation (literals as variables, declared after its own) and the fragments it uses.
    public let document: Document
    /// The new variables' values, in order.
    public let values: OrderedDictionary<String, JSON>

    /// About how many bytes the values hold (for a cache's bound).
    public var estimatedBytes: Int {
        func size(_ j: JSON) -> Int {
            switch j {
            case .string(let s): return 16 + s.utf8.count
            case .array(let a): return 16 + a.reduce(0) { $0 + size($1) }
            case .object(let o): return 16 + o.reduce(0) { $0 + $1.key.utf8.count + size($1.value) }
            default: return 16
            }
        }
        return values.reduce(0) { $0 + $1.key.utf8.count + size($1.value) }
    }

    /// Nil when the operation has no field argument to extract (or is a subscription, or is not
    /// in the document).
    public static func extract(_ document: Document, operationName: String?, schema: Schema) -> LiteralExtraction? {
        guard let operation = document.operations.first(where: { operationName == nil || $0.name?.value == operationName }),
              operation.operation != .subscription,
              let root = schema.rootTypeName(operation.operation).flatMap({ schema.types[$0] }) else { return nil }
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments where fragments[f.name.value] == nil { fragments[f.name.value] = f }
        var extractor = Extractor(schema: schema, fragments: fragments, taken: Set(operation.variableDefinitions.map(\.variable.value)))
        var surveyed: Set<String> = []
        extractor.survey(operation.selectionSet, root, &surveyed)
        var op = operation
        op.selectionSet = extractor.selectionSet(operation.selectionSet, root)
        guard !extractor.values.isEmpty else { return nil }
        op.variableDefinitions += extractor.definitions
        var definitions: [Definition] = [.operation(op)]
        for name in extractor.order { if let f = extractor.done[name] { definitions.append(.fragment(f)) } }
        return LiteralExtraction(document: Document(definitions: definitions), values: extractor.values)
    }

    private struct Extractor {
        let schema: Schema
        let fragments: [String: FragmentDefinition]
        var taken: Set<String>
        var values: OrderedDictionary<String, JSON> = [:]
        var definitions: [VariableDefinition] = []
        /// Fragments rewritten (each once, wherever it is spread), in the order first spread.
        var done: [String: FragmentDefinition] = [:]
        var order: [String] = []
        var next = 0
        var reused: [Reused: [String]] = [:]
        /// The argument types each response key's arguments have, by `key.argument`: fields of
        /// one response key that merge must keep identical arguments, so an argument of a key
        /// met with arguments of different types (an interface's `f(x: Int)` and another
        /// type's `f(x: [Int])`, both written `f(x: 1)`) stays a literal everywhere.
        var argumentTypes: [String: Set<String>] = [:]

        struct Reused: Hashable {
            let type: String
            let size: Int
        }

        /// Values and string bytes in `j` (a cheap fingerprint).
        static func size(_ j: JSON) -> Int {
            switch j {
            case .string(let s): return 1 + s.utf8.count
            case .array(let a): return a.reduce(1) { $0 + size($1) }
            case .object(let o): return o.values.reduce(1) { $0 + size($1) }
            default: return 1
            }
        }

        init(schema: Schema, fragments: [String: FragmentDefinition], taken: Set<String>) {
            self.schema = schema
            self.fragments = fragments
            self.taken = taken
        }

        /// Records `argumentTypes` over the selections (fragments once each).
        mutating func survey(_ set: SelectionSet, _ parent: NamedType?, _ seen: inout Set<String>) {
            for selection in set.selections {
                switch selection {
                case .field(let f):
                    guard let parent, let definition = parent.fields[f.name.value] else { continue }
                    for a in f.arguments {
                        guard let argument = definition.arguments[a.name.value] else { continue }
                        argumentTypes[f.responseKey + "." + a.name.value, default: []].insert(argument.type.description)
                    }
                    if let sub = f.selectionSet { survey(sub, schema.types[definition.type.namedType.value], &seen) }
                case .inlineFragment(let inline):
                    survey(inline.selectionSet, inline.typeCondition.map { schema.types[$0.value] } ?? parent, &seen)
                case .fragmentSpread(let spread):
                    guard seen.insert(spread.name.value).inserted, let fragment = fragments[spread.name.value] else { continue }
                    survey(fragment.selectionSet, schema.types[fragment.typeCondition.value], &seen)
                }
            }
        }

        mutating func selectionSet(_ set: SelectionSet, _ parent: NamedType?) -> SelectionSet {
            var out = set
            for i in set.selections.indices {
                switch set.selections[i] {
                case .field(let f):
                    if let changed = field(f, parent) { out.selections[i] = .field(changed) }
                case .inlineFragment(var inline):
                    let type = inline.typeCondition.map { schema.types[$0.value] } ?? parent
                    inline.selectionSet = selectionSet(inline.selectionSet, type)
                    out.selections[i] = .inlineFragment(inline)
                case .fragmentSpread(let spread):
                    let name = spread.name.value
                    guard done[name] == nil, var fragment = fragments[name] else { continue }
                    done[name] = fragment   // in progress (a cycle was refused by validation)
                    order.append(name)
                    fragment.selectionSet = selectionSet(fragment.selectionSet, schema.types[fragment.typeCondition.value])
                    done[name] = fragment
                }
            }
            return out
        }

        /// The field with its literal arguments made variables and its selections rewritten.
        mutating func field(_ f: Field, _ parent: NamedType?) -> Field? {
            guard let parent, let definition = parent.fields[f.name.value] else {
                // __typename, meta fields (`__schema`, `__type`): their arguments stay; the
                // fragments spread under them are still the operation's.
                guard let set = f.selectionSet else { return nil }
                var f = f
                f.selectionSet = selectionSet(set, f.name.value == "__schema" ? schema.types["__Schema"]
                                                   : f.name.value == "__type" ? schema.types["__Type"] : nil)
                return f
            }
            var f = f
            for i in f.arguments.indices {
                guard let argument = definition.arguments[f.arguments[i].name.value],
                      argumentTypes[f.responseKey + "." + f.arguments[i].name.value].map({ $0.count == 1 }) ?? true,
                      let value = json(f.arguments[i].value, argument.type) else { continue }
                // Equal literals of one type share a variable: fields that merge (the same
                // response key twice, `hello(name: "Ada") hello(name: "Ada")`) must still
                // have equal arguments.
                // (Looked up by type and size first: a large value is compared whole only
                // with another of its type and size.)
                let key = Reused(type: argument.type.description, size: Self.size(value))
                if let name = reused[key, default: []].first(where: { values[$0].map { Self.sameInput($0, value) } ?? false }) {
                    f.arguments[i].value = .variable(name)
                    continue
                }
                let name = variableName()
                reused[key, default: []].append(name)
                values[name] = value
                definitions.append(VariableDefinition(variable: Name(name), type: argument.type, defaultValue: nil, directives: [], span: .none))
                f.arguments[i].value = .variable(name)
            }
            if let set = f.selectionSet { f.selectionSet = selectionSet(set, schema.types[definition.type.namedType.value]) }
            return f
        }

        /// Whether two input values are the same value: an input object's fields in any order
        /// (`{a: 1, b: 2}` and `{b: 2, a: 1}` are one value, and fields that merge must get one
        /// variable for them).
        static func sameInput(_ a: JSON, _ b: JSON) -> Bool {
            switch (a, b) {
            case (.object(let x), .object(let y)):
                return x.count == y.count && x.allSatisfy { k, v in y[k].map { sameInput(v, $0) } ?? false }
            case (.array(let x), .array(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { sameInput($0, $1) }
            case (.string(let x), .string(let y)):
                // By their bytes: Swift's `==` is canonical equivalence ("\u{F900}" == "\u{8C48}"),
                // and two such literals are two values for the resolver.
                return x.utf8.elementsEqual(y.utf8)
            case (.double(let x), .double(let y)):
                return x.bitPattern == y.bitPattern   // -0.0 is not 0.0
            default:
                return a == b
            }
        }

        /// `_v0`, `_v1`, …: none the operation declares already.
        mutating func variableName() -> String {
            while true {
                let name = "_v\(next)"
                next += 1
                if taken.insert(name).inserted { return name }
            }
        }

        /// A literal as the JSON a variable of `type` takes (nil: it stays a literal).
        func json(_ value: Value, _ type: TypeReference) -> JSON? {
            if case .variable = value { return nil }
            switch type {
            case .nonNull(let inner):
                if case .null = value { return nil }
                return json(value, inner)
            case .list(let item):
                if case .null = value { return .null }
                guard case .list(let items) = value else { return json(value, item) }   // one value for a list: coerced alike
                var out: [JSON] = []
                out.reserveCapacity(items.count)
                for v in items {
                    guard let j = json(v, item) else { return nil }
                    out.append(j)
                }
                return .array(out)
            case .named(let name):
                if case .null = value { return .null }
                // The commonest literals without a schema lookup.
                switch (name.value, value) {
                case ("String", .string(let s, _)), ("ID", .string(let s, _)): return .string(s)
                case ("Boolean", .boolean(let b)): return .bool(b)
                default: break
                }
                guard let named = schema.types[name.value] else { return nil }
                switch named.kind {
                case .enumType:
                    if case .enumValue(let s) = value { return .string(s) }
                case .inputObject:
                    guard case .object(let fields) = value else { return nil }
                    var out = OrderedDictionary<String, JSON>(minimumCapacity: fields.count)
                    for field in fields {
                        guard let definition = named.inputFields[field.name.value], let j = json(field.value, definition.type) else { return nil }
                        out[field.name.value] = j
                    }
                    return .object(out)
                case .scalar:
                    switch (named.builtInScalar, value) {
                    case (.string?, .string(let s, _)), (.id?, .string(let s, _)): return .string(s)
                    // An ID written as an integer is the string of its digits (§3.5.5): as a JSON
                    // number, a subgraph reading numbers as doubles would lose digits past 2^53.
                    case (.id?, .int(let s)): return .string(s)
                    case (.int?, .int(let s)): return Int(s).map { .int($0) }
                    // A Float written as an integer: a JSON integer while a double holds it
                    // exactly; beyond 2^53 a double (a subgraph may refuse an integer that a
                    // double cannot hold, where it took the literal).
                    case (.float?, .int(let s)):
                        guard let i = Int(s) else { return nil }
                        return i.magnitude <= 1 << 53 ? .int(i) : .double(Double(i))
                    case (.float?, .float(let s)): return Double(s).flatMap { $0.isFinite ? .double($0) : nil }
                    case (.boolean?, .boolean(let b)): return .bool(b)
                    default: return nil   // a custom scalar's literal is the subgraph's to read
                    }
                default:
                    return nil
                }
                return nil
            }
        }
    }
}
