import GraphQLCore
import OrderedCollections

/// A query plan: what to fetch from which subgraph, in what order, and where to merge it.
public indirect enum PlanNode: Sendable {
    case fetch(FetchNode)
    case sequence([PlanNode])
    case parallel([PlanNode])
    /// An entity fetch whose representations are collected at `path` (and merged back there).
    case flatten(path: [PathSegment], FetchNode)
    /// A part of the plan that runs only when a Boolean variable is true (`ifTrue`) or false
    /// (`ifFalse`): every field it fetches carries `@include(if: $v)` or `@skip(if: $v)`.
    case condition(Condition)
}

/// `@include(if: $variable)` (`include`) or `@skip(if: $variable)`, with the variable's default
/// in the operation.
public struct VariableCondition: Sendable, Hashable {
    public let variable: String
    public let include: Bool
    public let defaultValue: Bool?

    func holds(_ variables: OrderedDictionary<String, JSON>) -> Bool {
        (variables[variable]?.boolValue ?? defaultValue ?? false) == include
    }
}

public struct Condition: Sendable {
    public let variable: String
    /// The variable's default in the operation, used when the request does not give it.
    public let defaultValue: Bool?
    public let ifTrue: PlanNode?
    public let ifFalse: PlanNode?
}

public enum PathSegment: Sendable, Hashable, CustomStringConvertible {
    case field(String)
    /// Every item of a list.
    case list
    /// Only objects whose `__typename` is one of these.
    case typeCondition([String])
    /// The response key of a `.field` segment.
    var fieldKey: String? {
        if case .field(let k) = self { return k }
        return nil
    }
    public var description: String {
        switch self {
        case .field(let k): return k
        case .list: return "@"
        case .typeCondition(let types): return "|[\(types.joined(separator: ","))]"
        }
    }
}

/// One request to one subgraph, prepared once with its plan and shared by every run of it (an
/// object: a plan run's steps hold it by reference, not copied field by field).
public final class FetchNode: Sendable {
    public let subgraph: String
    /// The operation sent to the subgraph.
    public let operation: String
    /// Prepared once with the plan: the operation parsed (what an in-process subgraph executes,
    /// no parsing per request) and as a JSON string literal (what a remote request body carries).
    public let document: Document?
    /// The field plans an in-process subgraph's executor keeps between runs of `document`.
    public let compiled: CompiledOperation?
    public let operationJSON: [UInt8]
    public let operationKind: OperationType
    /// Client variables the operation uses (passed through).
    public let variables: [String]
    /// Those of `variables` the operation reads only as a `@skip`/`@include` condition: sent as
    /// true when the client's is null, for the gateway reports that null itself where the
    /// client's fields are collected (the shaper), at the client's location; the subgraph would
    /// null the object there first and report it at its own.
    public let conditionOnlyVariables: Set<String>
    /// Variables of the operation that stand for a client variable of another name (the
    /// conditions' copy of one also used as an argument: `QueryPlanner.separateConditionVariables`).
    public let conditionAliases: [String: String]
    /// Aliases of fields the planner asks for itself (a key or `@requires` input under a name of
    /// its own, `_id_44256`), which the client's response does not have.
    public let plannerAliases: Set<String>
    /// For entity fetches: how representations are written, per type condition.
    public let entities: [EntityRepresentation]
    /// Fields of one response key with different shapes were aliased: alias → the client's
    /// response key, restored in the answer before it is merged.
    public let internalAliases: [String: String]
    /// Variables the executor fills per entity from an ancestor's context (`@fromContext`);
    /// entities with different values go in separate requests.
    public let contextInputs: [ContextInput]
    /// Every client selection it is for sits in a `@defer` fragment: the first payload of an
    /// incremental response does not wait for it.
    public let deferredOnly: Bool
    /// The deferred fragment it is for (`DeferOrdinals`), when it is for one only: its errors
    /// go with that fragment's entry, and nowhere when that fragment is not delivered.
    public let deferredFor: Int?
    /// An entity fetch with fields that need `@requires` inputs: the same operation without
    /// those fields, for the entities a non-null input could not be had for (their other fields
    /// are still fetched, with representations of their keys alone). Parsed and as a JSON
    /// string literal, as `document` and `operationJSON`.
    public let withoutRequires: (operation: String, document: Document?, json: [UInt8], compiled: CompiledOperation?)?
    /// When every client selection it is for sits under variable conditions that no one
    /// `Include` around it covers (`a @include(if: $x) b @skip(if: $y)`): it runs only when one
    /// of these holds (each a conjunction). Empty: whenever the plan reaches it.
    public let runsWhen: [[VariableCondition]]

    /// Whether a run with `variables` needs this fetch (`runsWhen`).
    func runs(with variables: OrderedDictionary<String, JSON>) -> Bool {
        runsWhen.isEmpty || runsWhen.contains { all in all.allSatisfy { $0.holds(variables) } }
    }

    public init(subgraph: String, operation: String, operationKind: OperationType, variables: [String], entities: [EntityRepresentation],
                internalAliases: [String: String] = [:], contextInputs: [ContextInput] = [], deferredOnly: Bool = false,
                deferredFor: Int? = nil, conditionAliases: [String: String] = [:], plannerAliases: Set<String> = [],
                withoutRequires: String? = nil, runsWhen: [[VariableCondition]] = []) {
        self.runsWhen = runsWhen
        self.withoutRequires = withoutRequires.map {
            let document = try? Parser.parse($0, options: ParserOptions(maxTokens: nil))
            return ($0, document, JSON.string($0).bytes, document.map { CompiledOperation($0) })
        }
        self.deferredOnly = deferredOnly
        self.deferredFor = deferredOnly ? deferredFor : nil
        self.conditionAliases = conditionAliases
        self.plannerAliases = plannerAliases
        self.subgraph = subgraph
        self.operation = operation
        self.operationKind = operationKind
        self.variables = variables
        self.entities = entities
        self.internalAliases = internalAliases
        self.contextInputs = contextInputs
        document = try? Parser.parse(operation, options: ParserOptions(maxTokens: nil))
        compiled = document.map { CompiledOperation($0) }
        operationJSON = JSON.string(operation).bytes
        var conditions = Set<String>(), others = Set<String>()
        for op in document?.operations ?? [] { VariableUses.note(op.selectionSet.selections, conditions: &conditions, others: &others) }
        for f in document?.fragments ?? [] { VariableUses.note(f.selectionSet.selections, conditions: &conditions, others: &others) }
        conditionOnlyVariables = conditions.subtracting(others)
        func leavesOnly(_ set: SelectionSet) -> Bool {
            set.selections.allSatisfy { sel in
                switch sel {
                case .field(let f): return f.selectionSet == nil
                case .inlineFragment(let i): return leavesOnly(i.selectionSet)
                case .fragmentSpread: return false
                }
            }
        }
        var flat = false
        if !entities.isEmpty, contextInputs.isEmpty, internalAliases.isEmpty, let op = document?.operations.first {
            for case .field(let f) in op.selectionSet.selections where f.name.value == "_entities" {
                flat = f.selectionSet.map(leavesOnly) ?? false
            }
        }
        answersAreFlat = flat
        if contextInputs.isEmpty, !entities.isEmpty {
            // A fetch for deferred fragments reports to them, another to the first payload: the
            // two never go as one request (nor take each other's answers).
            var key = (deferredOnly ? "deferred\(deferredFor.map(String.init) ?? "")\u{0}" : "") + subgraph + "\u{0}" + operation
            for e in entities {
                key += "\u{0}" + e.typeCondition + (e.asInterfaceObject ? "!" : "") + QueryPlan.compact(e.selection) + e.keyFields.joined(separator: ",")
            }
            for (alias, name) in internalAliases.sorted(by: { $0.key < $1.key }) { key += "\u{0}" + alias + ":" + name }
            sameRequest = key
        } else {
            sameRequest = nil
        }
    }

    /// Entity fetches with equal keys send the same operation to the same subgraph with
    /// representations written the same way: when several are ready at once, a plan run sends
    /// them as one request (their representations deduplicated across their paths). Nil for a
    /// root fetch and for one with `@fromContext` inputs.
    public let sameRequest: String?

    /// An entity fetch whose answers hold leaves only (no object in them: nothing a later fetch
    /// merges into, shared by every object an answer goes to), with no `@fromContext` input and
    /// no internal alias: a plan run may give an answer to later steps that send the same
    /// representation with the same operation (`sameRequest`) instead of asking again.
    public let answersAreFlat: Bool
}

/// A variable of an entity fetch whose value is picked from the nearest ancestor setting a context.
public struct ContextInput: Sendable {
    public let variable: String
    public let type: String
    /// Where the ancestor objects are (a prefix of the fetch's path).
    public let ancestorPath: [PathSegment]
    /// The value to pick from the ancestor (by response key).
    public let selection: SelectionSet
}

/// How the representations of one type of an entity fetch are written from the response tree.
public struct EntityRepresentation: Sendable {
    /// Objects of this type (or implementing this interface) at the fetch's path.
    public let typeCondition: String
    /// Fields read by response key (an alias when the planner had to give one) and written
    /// under their names; inline fragments apply by the nested object's `__typename`.
    public let selection: SelectionSet
    /// Response keys of the key's fields: an object where one is missing or null is not sent.
    public let keyFields: [String]
    /// The target knows the type as an `@interfaceObject`: `__typename` is the interface's name.
    public let asInterfaceObject: Bool
    /// `@requires` inputs only fields under variable `@skip`/`@include` need: for each, the
    /// conditions of each such field (all of a set hold: the field is asked). An object without
    /// one is sent when none of its fields is asked; otherwise it is not (the fetch that gives
    /// it failed, and the subgraph would compute from nothing).
    public var conditionalInputs: [String: [[Directive]]] = [:]
    /// Fields whose `@requires` inputs the representation carries.
    public var requiringFields: Set<String> = []
}

public struct QueryPlan: Sendable {
    public let root: PlanNode?
    /// The operation asks for `__schema` or `__type` (answered by the gateway from the API schema).
    public var usesIntrospection = false
    /// The programs that write its responses, kept with the plan (shared by its copies).
    public let shaping = ShapingCache()

    public init(root: PlanNode?, usesIntrospection: Bool = false) {
        self.root = root
        self.usesIntrospection = usesIntrospection
    }

    /// Number of subgraph requests the plan makes.
    /// Roughly what the plan holds in memory: its operations' text, twice over (the text, and the
    /// parsed document or JSON literal prepared from it), plus a little per node. For caches
    /// bounded by bytes.
    public var estimatedBytes: Int {
        func size(_ n: PlanNode) -> Int {
            switch n {
            case .fetch(let f): return 256 + f.operation.utf8.count * 3
            case .flatten(_, let f): return 256 + f.operation.utf8.count * 3
            case .sequence(let ns), .parallel(let ns): return 64 + ns.map(size).reduce(0, +)
            case .condition(let c): return 64 + (c.ifTrue.map(size) ?? 0) + (c.ifFalse.map(size) ?? 0)
            }
        }
        return root.map(size) ?? 0
    }

    public var fetchCount: Int {
        func count(_ n: PlanNode) -> Int {
            switch n {
            case .fetch, .flatten: return 1
            case .sequence(let ns), .parallel(let ns): return ns.map(count).reduce(0, +)
            case .condition(let c): return max(c.ifTrue.map(count) ?? 0, c.ifFalse.map(count) ?? 0)
            }
        }
        return root.map(count) ?? 0
    }

    /// Readable text, stable for snapshot tests (`switchyard plan` prints this).
    public var text: String {
        guard let root else { return "QueryPlan {}\n" }
        var out = "QueryPlan {\n"
        if let (primary, rest) = subscriptionParts {
            // The primary fetch is subscribed to; the rest runs once per event.
            out += "  Subscription {\n    Primary: {\n"
            Self.writeFetch(primary, indent: "      ", into: &out)
            out += "    },\n"
            if let rest {
                out += "    Rest: {\n"
                Self.write(rest, indent: "      ", into: &out)
                out += "    },\n"
            }
            out += "  },\n"
        } else {
            Self.write(root, indent: "  ", into: &out)
        }
        return out + "}\n"
    }

    /// A subscription's plan: the fetch subscribed to, and what runs for each of its events.
    public var subscriptionParts: (primary: FetchNode, rest: PlanNode?)? {
        switch root {
        case .fetch(let f)? where f.operation.hasPrefix("subscription"):
            return (f, nil)
        case .sequence(let nodes)? where !nodes.isEmpty:
            guard case .fetch(let f) = nodes[0], f.operation.hasPrefix("subscription") else { return nil }
            let rest = Array(nodes.dropFirst())
            return (f, rest.count == 1 ? rest[0] : .sequence(rest))
        default:
            return nil
        }
    }

    static func write(_ node: PlanNode, indent: String, into out: inout String) {
        switch node {
        case .fetch(let f):
            writeFetch(f, indent: indent, into: &out)
        case .sequence(let nodes):
            out += indent + "Sequence {\n"
            for n in nodes { write(n, indent: indent + "  ", into: &out) }
            out += indent + "},\n"
        case .parallel(let nodes):
            out += indent + "Parallel {\n"
            for n in nodes { write(n, indent: indent + "  ", into: &out) }
            out += indent + "},\n"
        case .flatten(let path, let f):
            out += indent + "Flatten(path: \"\(pathText(path))\") {\n"
            writeFetch(f, indent: indent + "  ", into: &out)
            out += indent + "},\n"
        case .condition(let c):
            out += indent + "Include(if: $\(c.variable)) {\n"
            if let t = c.ifTrue { write(t, indent: indent + "  ", into: &out) }
            if let f = c.ifFalse {
                out += indent + "} Else {\n"
                write(f, indent: indent + "  ", into: &out)
            }
            out += indent + "},\n"
        }
    }

    static func pathText(_ path: [PathSegment]) -> String {
        var out = ""
        for seg in path {
            if case .typeCondition = seg { out += seg.description; continue }
            if !out.isEmpty { out += "." }
            out += seg.description
        }
        return out
    }

    static func writeFetch(_ f: FetchNode, indent: String, into out: inout String) {
        out += indent + "Fetch(service: \"\(f.subgraph)\"\(f.deferredOnly ? ", deferred" : "")) {\n"
        if !f.runsWhen.isEmpty {
            out += indent + "  when " + f.runsWhen.map { all in
                all.map { ($0.include ? "" : "!") + "$" + $0.variable }.joined(separator: " && ")
            }.joined(separator: " || ") + "\n"
        }
        if !f.entities.isEmpty {
            out += indent + "  {\n"
            for e in f.entities { out += indent + "    ... on \(e.typeCondition) " + compact(e.selection) + "\n" }
            out += indent + "  } =>\n"
            for c in f.contextInputs {
                out += indent + "  $\(c.variable) from \(pathText(c.ancestorPath)) " + compact(c.selection) + "\n"
            }
        }
        out += indent + "  " + f.operation + "\n"
        out += indent + "},\n"
    }

    static func compact(_ set: SelectionSet) -> String {
        "{ " + set.selections.map { sel -> String in
            switch sel {
            case .field(let f): return (f.alias.map { $0.value + ": " } ?? "") + f.name.value + (f.selectionSet.map { " " + compact($0) } ?? "")
            case .inlineFragment(let i): return "... on \(i.typeCondition?.value ?? "") " + compact(i.selectionSet)
            case .fragmentSpread(let s): return "..." + s.name.value
            }
        }.joined(separator: " ") + " }"
    }
}

/// Where an operation's variables are read: as a `@skip`/`@include` condition, or anywhere else
/// (an argument, another directive's argument).
enum VariableUses {
    static func note(_ selections: [Selection], conditions: inout Set<String>, others: inout Set<String>) {
        func value(_ v: Value, _ into: inout Set<String>) {
            switch v {
            case .variable(let n): into.insert(n)
            case .list(let items): for item in items { value(item, &into) }
            case .object(let fields): for f in fields { value(f.value, &into) }
            default: break
            }
        }
        for selection in selections {
            for d in selection.directives {
                let isCondition = d.name.value == "skip" || d.name.value == "include"
                for a in d.arguments {
                    if isCondition && a.name.value == "if" { value(a.value, &conditions) } else { value(a.value, &others) }
                }
            }
            switch selection {
            case .field(let f):
                for a in f.arguments { value(a.value, &others) }
                if let sub = f.selectionSet { note(sub.selections, conditions: &conditions, others: &others) }
            case .inlineFragment(let i): note(i.selectionSet.selections, conditions: &conditions, others: &others)
            case .fragmentSpread: break
            }
        }
    }
}

/// The `@defer` fragments of an operation, numbered in the order a walk of the operation meets
/// them (a fragment's body where it is first spread): the number a fetch for a deferred fragment
/// carries (`FetchNode.deferredFor`, from its `@defer`'s place in the planned document) names the
/// same fragment in the client's document (found by the fragment's place), even when the plan was
/// made for another text of the same shape (its fragments defined in another order, say).
struct DeferOrdinals {
    struct Entry {
        /// Where the inline fragment or spread starts, and its `@defer`.
        let fragment: Int32
        let directive: Directive
    }
    private(set) var entries: [Entry] = []
    /// The fragment each one is in (the nearest `@defer` around it), if any.
    private(set) var parents: [Int?] = []

    init(_ document: Document, operationName: String?) {
        guard let operation = document.operations.first(where: { operationName == nil || $0.name?.value == operationName }) else { return }
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments where fragments[f.name.value] == nil { fragments[f.name.value] = f }
        var visited = Set<String>()
        /// The fragment the selections of one starting at `start` are in: itself when it has a `@defer`.
        func enter(_ directives: [Directive], at start: Int32, in parent: Int?) -> Int? {
            guard let d = directives.first(where: { $0.name.value == "defer" }) else { return parent }
            entries.append(Entry(fragment: start, directive: d))
            parents.append(parent)
            return entries.count - 1
        }
        func walk(_ set: SelectionSet, in parent: Int?) {
            for sel in set.selections {
                switch sel {
                case .field(let f): if let s = f.selectionSet { walk(s, in: parent) }
                case .inlineFragment(let i):
                    walk(i.selectionSet, in: enter(i.directives, at: i.span.start, in: parent))
                case .fragmentSpread(let s):
                    let inner = enter(s.directives, at: s.span.start, in: parent)
                    if visited.insert(s.name.value).inserted, let f = fragments[s.name.value] { walk(f.selectionSet, in: inner) }
                }
            }
        }
        walk(operation.selectionSet, in: nil)
    }

    /// Where fragment `n`'s fields are delivered: itself when its `@defer` is on, else the
    /// nearest fragment around it that is on (nil: the first payload).
    func home(_ n: Int, active: Set<Int>) -> Int? {
        var at: Int? = n
        while let i = at, i < parents.count {
            if active.contains(i) { return i }
            at = parents[i]
        }
        return nil
    }

    /// The number of the fragment whose `@defer` is at `directive` (a defer marker's span).
    func ordinal(directive: Span) -> Int? { entries.firstIndex { $0.directive.span == directive } }

    /// The number of the fragment that starts at `fragment`.
    func ordinal(fragment: Span) -> Int? { entries.firstIndex { $0.fragment == fragment.start } }

    /// The fragments whose `@defer` is on with these variables (not `if: false`).
    func active(_ variables: OrderedDictionary<String, JSON>) -> Set<Int> {
        Set(entries.indices.filter { n in
            guard let arg = entries[n].directive.arguments.first(where: { $0.name.value == "if" }) else { return true }
            switch arg.value {
            case .boolean(let b): return b
            case .variable(let v): return variables[v]?.boolValue != false
            default: return true
            }
        })
    }
}
