import GraphQLCore

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
    public var description: String {
        switch self {
        case .field(let k): return k
        case .list: return "@"
        }
    }
}

/// One request to one subgraph.
public struct FetchNode: Sendable {
    public let subgraph: String
    /// The operation sent to the subgraph.
    public let operation: String
    public let operationKind: OperationType
    /// Client variables the operation uses (passed through).
    public let variables: [String]
    /// For entity fetches: the type and the selection that builds each representation.
    public let entityType: String?
    public let representation: SelectionSet?
    /// The target knows `entityType` as an `@interfaceObject`: representations carry the
    /// interface's name as `__typename` instead of the object's own.
    public var representsInterfaceObject = false
}

public struct QueryPlan: Sendable {
    public let root: PlanNode?
    /// The operation asks for `__schema` or `__type` (answered by the gateway from the API schema).
    public var usesIntrospection = false

    public init(root: PlanNode?, usesIntrospection: Bool = false) {
        self.root = root
        self.usesIntrospection = usesIntrospection
    }

    /// Number of subgraph requests the plan makes.
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
        Self.write(root, indent: "  ", into: &out)
        return out + "}\n"
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
            out += indent + "Flatten(path: \"\(path.map(\.description).joined(separator: "."))\") {\n"
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

    static func writeFetch(_ f: FetchNode, indent: String, into out: inout String) {
        out += indent + "Fetch(service: \"\(f.subgraph)\") {\n"
        if let rep = f.representation, let t = f.entityType {
            out += indent + "  {\n" + indent + "    ... on \(t) " + compact(rep) + "\n" + indent + "  } =>\n"
        }
        out += indent + "  " + f.operation + "\n"
        out += indent + "},\n"
    }

    static func compact(_ set: SelectionSet) -> String {
        "{ " + set.selections.map { sel -> String in
            switch sel {
            case .field(let f): return f.name.value + (f.selectionSet.map { " " + compact($0) } ?? "")
            case .inlineFragment(let i): return "... on \(i.typeCondition?.value ?? "") " + compact(i.selectionSet)
            case .fragmentSpread(let s): return "..." + s.name.value
            }
        }.joined(separator: " ") + " }"
    }
}
