import GraphQLCore

/// Limits on the shape of one operation, checked after parsing and before validation and
/// planning. `nil` turns a limit off.
public struct OperationLimits: Sendable, Equatable {
    public var maxDepth: Int?
    public var maxAliases: Int?
    public var maxRootFields: Int?
    public var maxDirectives: Int?
    public var maxFields: Int?

    public init(maxDepth: Int? = 15, maxAliases: Int? = 30, maxRootFields: Int? = 20, maxDirectives: Int? = 50, maxFields: Int? = 3_500) {
        self.maxDepth = maxDepth
        self.maxAliases = maxAliases
        self.maxRootFields = maxRootFields
        self.maxDirectives = maxDirectives
        self.maxFields = maxFields
    }
}

/// Measurements of an operation with fragments expanded: each fragment is measured once and
/// its figures reused for every spread (saturating), so fragment fan-out costs linear time.
public struct OperationMeasure: Sendable, Equatable {
    public var depth = 0
    public var aliases = 0
    public var rootFields = 0
    public var directives = 0
    public var fields = 0

    public init(depth: Int = 0, aliases: Int = 0, rootFields: Int = 0, directives: Int = 0, fields: Int = 0) {
        self.depth = depth
        self.aliases = aliases
        self.rootFields = rootFields
        self.directives = directives
        self.fields = fields
    }

    /// Measures `operation`; fragments that form a cycle count as empty (validation reports the cycle).
    public static func of(_ operation: OperationDefinition, fragments: [String: FragmentDefinition]) -> OperationMeasure {
        var m = Measurer(fragments: fragments)
        var total = m.selectionSet(operation.selectionSet)
        total.directives = total.directives &+? operation.directives.count
        total.rootFields = m.rootFieldCount(operation.selectionSet)
        return total
    }

    /// The first limit exceeded, as an error with its code.
    public func violation(of limits: OperationLimits) -> GraphQLError? {
        func check(_ value: Int, _ limit: Int?, _ what: String, _ code: String) -> GraphQLError? {
            guard let limit, value > limit else { return nil }
            return GraphQLError("The operation \(what) \(value == Int.max ? "more than \(limit)" : String(value)), over the limit of \(limit).",
                                code: code, extensions: ["limit": .int(limit)])
        }
        return check(depth, limits.maxDepth, "is nested", "MAX_DEPTH_EXCEEDED")
            ?? check(aliases, limits.maxAliases, "uses aliases", "MAX_ALIASES_EXCEEDED")
            ?? check(rootFields, limits.maxRootFields, "selects root fields", "MAX_ROOT_FIELDS_EXCEEDED")
            ?? check(directives, limits.maxDirectives, "applies directives", "MAX_DIRECTIVES_EXCEEDED")
            ?? check(fields, limits.maxFields, "selects fields", "MAX_FIELDS_EXCEEDED")
    }
}

infix operator &+? : AdditionPrecedence
extension Int {
    /// Saturating addition (counts of expanded fragments can exceed Int).
    static func &+? (a: Int, b: Int) -> Int {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : r
    }
}

struct Measurer {
    let fragments: [String: FragmentDefinition]
    var memo: [String: OperationMeasure] = [:]
    var inProgress = Set<String>()

    mutating func fragment(_ name: String) -> OperationMeasure {
        if let m = memo[name] { return m }
        guard let f = fragments[name], !inProgress.contains(name) else { return OperationMeasure() }
        inProgress.insert(name)
        var m = selectionSet(f.selectionSet)
        m.directives = m.directives &+? f.directives.count
        inProgress.remove(name)
        memo[name] = m
        return m
    }

    /// Depth counts the fields of the longest path; a fragment adds no level of its own.
    mutating func selectionSet(_ set: SelectionSet) -> OperationMeasure {
        var out = OperationMeasure()
        for sel in set.selections {
            out.directives = out.directives &+? sel.directives.count
            switch sel {
            case .field(let f):
                out.fields = out.fields &+? 1
                if f.alias != nil { out.aliases = out.aliases &+? 1 }
                var childDepth = 0
                if let ss = f.selectionSet {
                    let inner = selectionSet(ss)
                    out.fields = out.fields &+? inner.fields
                    out.aliases = out.aliases &+? inner.aliases
                    out.directives = out.directives &+? inner.directives
                    childDepth = inner.depth   // introspection counts like any field
                }
                out.depth = Swift.max(out.depth, 1 &+? childDepth)
            case .inlineFragment(let i):
                let inner = selectionSet(i.selectionSet)
                out.merge(inner)
            case .fragmentSpread(let s):
                out.merge(fragment(s.name.value))
            }
        }
        return out
    }

    /// Root fields after inlining fragments on the root (distinct response keys).
    mutating func rootFieldCount(_ set: SelectionSet) -> Int {
        var keys = Set<String>()
        var seen = Set<String>()
        func walk(_ s: SelectionSet) {
            for sel in s.selections {
                switch sel {
                case .field(let f): keys.insert(f.responseKey)
                case .inlineFragment(let i): walk(i.selectionSet)
                case .fragmentSpread(let sp):
                    guard seen.insert(sp.name.value).inserted, let f = fragments[sp.name.value] else { continue }
                    walk(f.selectionSet)
                }
            }
        }
        walk(set)
        return keys.count
    }
}

extension OperationMeasure {
    mutating func merge(_ o: OperationMeasure) {
        depth = Swift.max(depth, o.depth)
        aliases = aliases &+? o.aliases
        directives = directives &+? o.directives
        fields = fields &+? o.fields
    }
}
