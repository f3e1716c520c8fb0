import OrderedCollections

/// CollectFields (§6.3.2): the fields of selection sets for one object type, grouped by
/// response key in document order, with fragments applied by type condition (each named
/// fragment once) and `@skip`/`@include` evaluated against coerced variables.
public struct FieldCollector: Sendable {
    public let schema: Schema
    public let fragments: [String: FragmentDefinition]
    public let variables: OrderedDictionary<String, JSON>
    /// Fragments under an active `@defer` are left out and listed apart (incremental delivery);
    /// when false, `@defer` is ignored and they are collected like any fragment (delivered inline).
    public let deferring: Bool

    /// A fragment left out for later delivery: its selections, for the object it applied to.
    public struct Deferred: Sendable {
        public let label: String?
        public let selectionSet: SelectionSet
        /// Where the fragment is in the document (tells two deferred fragments apart).
        public let span: Span
    }

    public init(schema: Schema, fragments: [String: FragmentDefinition], variables: OrderedDictionary<String, JSON>, deferring: Bool = false) {
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.deferring = deferring
    }

    /// CollectFields (a null `@skip`/`@include` condition stops it: see
    /// `collect(_:_:deferred:nullCondition:)`, which says so).
    public func collect(_ type: NamedType, _ sets: [SelectionSet]) -> OrderedDictionary<String, [Field]> {
        var deferred: [Deferred] = []
        var nullCondition: Argument?
        return collect(type, sets, deferred: &deferred, nullCondition: &nullCondition)
    }

    /// The fields, and (when `deferring`) the deferred fragments that apply to `type`, in document order.
    public func collect(_ type: NamedType, _ sets: [SelectionSet], deferred: inout [Deferred]) -> OrderedDictionary<String, [Field]> {
        var nullCondition: Argument?
        return collect(type, sets, deferred: &deferred, nullCondition: &nullCondition)
    }

    /// CollectFields that stops at a `@skip`/`@include` whose `if` reads a variable that is null
    /// (a nullable variable with a default may fill `if: Boolean!`, and be sent as null): that
    /// argument is set in `nullCondition`, and what was collected is incomplete. Collecting there
    /// is a field error (§6.4.1's CoerceArgumentValues), raised where the fields are collected:
    /// at the field whose object this is (graphql-js raises it the same way), at the root a
    /// request without data. `@skip` is read before `@include`, and a fragment spread already
    /// applied is passed before its directives are read, as graphql-js 16 does.
    public func collect(_ type: NamedType, _ sets: [SelectionSet], deferred: inout [Deferred],
                        nullCondition: inout Argument?) -> OrderedDictionary<String, [Field]> {
        var grouped = OrderedDictionary<String, [Field]>()
        var visited = Set<String>()
        for set in sets where nullCondition == nil { collect(type, set, &grouped, &visited, &deferred, &nullCondition) }
        return grouped
    }

    /// The `@skip`/`@include` of the operation's root selections (and the fragments applied
    /// there) whose `if` reads a null variable: the request fails without data.
    public func rootNullCondition(_ type: NamedType, _ operation: OperationDefinition) -> Argument? {
        var deferred: [Deferred] = []
        var nullCondition: Argument?
        _ = collect(type, [operation.selectionSet], deferred: &deferred, nullCondition: &nullCondition)
        return nullCondition
    }

    private func collect(_ type: NamedType, _ set: SelectionSet, _ grouped: inout OrderedDictionary<String, [Field]>, _ visited: inout Set<String>,
                         _ deferred: inout [Deferred], _ nullCondition: inout Argument?) {
        for selection in set.selections {
            // A fragment applied already is passed before its directives are read (graphql-js 16).
            if !deferring, case .fragmentSpread(let s) = selection, visited.contains(s.name.value) { continue }
            if !selection.directives.isEmpty {
                switch inclusion(selection.directives) {
                case .included: break
                case .excluded: continue
                case .nullCondition(let argument):
                    nullCondition = argument
                    return
                }
            }
            switch selection {
            case .field(let f):
                grouped[f.responseKey, default: []].append(f)
            case .fragmentSpread(let s):
                let name = s.name.value
                guard let frag = fragments[name], doesFragmentApply(type, frag.typeCondition.value) else { continue }
                if deferring, let d = activeDefer(s.directives) {
                    if !deferred.contains(where: { $0.span == s.span }) { deferred.append(Deferred(label: d.label, selectionSet: frag.selectionSet, span: s.span)) }
                    continue
                }
                guard !visited.contains(name) else { continue }
                visited.insert(name)
                collect(type, frag.selectionSet, &grouped, &visited, &deferred, &nullCondition)
            case .inlineFragment(let i):
                if let tc = i.typeCondition, !doesFragmentApply(type, tc.value) { continue }
                if deferring, let d = activeDefer(i.directives) {
                    if !deferred.contains(where: { $0.span == i.span }) { deferred.append(Deferred(label: d.label, selectionSet: i.selectionSet, span: i.span)) }
                    continue
                }
                collect(type, i.selectionSet, &grouped, &visited, &deferred, &nullCondition)
            }
            if nullCondition != nil { return }
        }
    }

    /// An active `@defer`: its label, if given.
    public struct ActiveDefer { public let label: String? }

    /// The selection's `@defer` when it is active (its `if` true or absent); nil otherwise.
    public func activeDefer(_ directives: [Directive]) -> ActiveDefer? {
        guard let d = directives.first(where: { $0.name.value == "defer" }) else { return nil }
        if let arg = d.arguments.first(where: { $0.name.value == "if" }) {
            switch arg.value {
            case .boolean(let b): if !b { return nil }
            case .variable(let v): if variables[v]?.boolValue == false { return nil }
            default: break
            }
        }
        var label: String?
        if case .string(let l, _)? = d.arguments.first(where: { $0.name.value == "label" })?.value { label = l }
        return ActiveDefer(label: label)
    }

    public func doesFragmentApply(_ object: NamedType, _ condition: String) -> Bool {
        guard let t = schema.types[condition] else { return false }
        switch t.kind {
        case .object: return t.name == object.name
        case .interface: return t.name == object.name || object.interfaces.contains(t.name)
        case .union: return t.possibleTypes.contains(object.name)
        default: return false
        }
    }

    /// What a selection's `@skip(if:)` and `@include(if:)` say.
    public enum Inclusion {
        case included
        case excluded
        /// The `if` argument reads a variable that is null (see `collect(_:_:deferred:nullCondition:)`).
        case nullCondition(Argument)
    }

    /// `@skip(if:)`, then `@include(if:)`, on a selection (graphql-js's order: a skip that holds
    /// decides before an include is read); then a `@defer(if:)` whose variable is null (its `if`
    /// is `Boolean! = true`: a null given is the same error, raised as the fragment is collected).
    public func inclusion(_ directives: [Directive]) -> Inclusion { Self.inclusion(directives, variables: variables) }

    /// `inclusion` with the variables given (of the request, or of a subgraph operation).
    public static func inclusion(_ directives: [Directive], variables: OrderedDictionary<String, JSON>) -> Inclusion {
        if directives.isEmpty { return .included }
        func condition(_ d: Directive) -> Condition { Self.condition(d, variables) }
        var include: Directive?, deferring: Directive?
        for d in directives {
            switch d.name.value {
            case "skip":
                switch condition(d) {
                case .value(true): return .excluded
                case .null(let arg): return .nullCondition(arg)
                case .value(false): break
                }
            case "include": include = d
            case "defer": deferring = d
            default: break
            }
        }
        if let include {
            switch condition(include) {
            case .value(true): break
            case .value(false): return .excluded
            case .null(let arg): return .nullCondition(arg)
            }
        }
        if let deferring, case .null(let arg) = condition(deferring) { return .nullCondition(arg) }
        return .included
    }

    private enum Condition {
        case value(Bool)
        case null(Argument)
    }

    /// A `@skip`/`@include`'s `if` (a variable not given reads as false, as validation leaves
    /// no such variable that has no default).
    private static func condition(_ d: Directive, _ variables: OrderedDictionary<String, JSON>) -> Condition {
        guard let arg = d.arguments.first(where: { $0.name.value == "if" }) else { return .value(d.name.value == "include") }
        switch arg.value {
        case .boolean(let b): return .value(b)
        case .variable(let v):
            guard let value = variables[v] else { return .value(false) }
            if case .null = value { return .null(arg) }
            return .value(value.boolValue ?? false)
        default: return .value(false)
        }
    }
}

extension Directive {
    /// `@defer(if: false)`, a literal false: never deferred, whatever the variables.
    public var isSwitchedOffLiterally: Bool {
        guard let arg = arguments.first(where: { $0.name.value == "if" }) else { return false }
        if case .boolean(false) = arg.value { return true }
        return false
    }

    /// `@defer` whose `if` is a literal false or a variable: what a subscription may carry.
    public var canBeSwitchedOff: Bool {
        guard let arg = arguments.first(where: { $0.name.value == "if" }) else { return false }
        switch arg.value {
        case .boolean(false), .variable: return true
        default: return false
        }
    }
}

extension OperationDefinition {
    /// The operation's `@defer`s (and those of the fragments it spreads): whether any may defer
    /// (one not switched off by a literal), whether every one is on for `variables` (coerced), and
    /// whether one is.
    public func defers(in document: Document, variables: OrderedDictionary<String, JSON> = [:]) -> (any: Bool, allOn: Bool, anyOn: Bool) {
        var any = false, allOn = true, anyOn = false
        var seen = Set<String>()
        func walk(_ set: SelectionSet) {
            for selection in set.selections {
                if let d = selection.directives.first(where: { $0.name.value == "defer" }) {
                    if !d.isSwitchedOffLiterally { any = true }
                    var on = true
                    if let arg = d.arguments.first(where: { $0.name.value == "if" }) {
                        switch arg.value {
                        case .boolean(let b): on = b
                        case .variable(let v): on = variables[v]?.boolValue == true
                        default: break
                        }
                    }
                    if on { anyOn = true } else { allOn = false }
                }
                switch selection {
                case .field(let f): if let sub = f.selectionSet { walk(sub) }
                case .inlineFragment(let i): walk(i.selectionSet)
                case .fragmentSpread(let spread):
                    if seen.insert(spread.name.value).inserted, let f = document.fragments.first(where: { $0.name.value == spread.name.value }) {
                        walk(f.selectionSet)
                    }
                }
            }
        }
        walk(selectionSet)
        return (any, allOn, anyOn)
    }
}

extension Schema {
    /// Result coercion of a leaf value (§3.5): nil when it cannot be represented.
    public func serializeLeaf(_ type: NamedType, _ value: JSON) -> JSON? { Values.serializeLeaf(type, value) }
}
