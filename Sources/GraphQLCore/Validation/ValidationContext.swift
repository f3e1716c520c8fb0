import OrderedCollections

/// What a validation rule sees: the schema, the document, the error list, and memoised facts
/// about fragments so that no rule walks a fragment once per spread.
public final class ValidationContext {
    public let schema: Schema
    public let document: Document
    let source: Source?
    public private(set) var errors: [GraphQLError] = []
    /// Validation stops after this many errors (like graphql-js).
    public let maxErrors: Int
    var isFull: Bool { errors.count >= maxErrors }

    public let fragments: [String: FragmentDefinition]
    private var spreadsMemo: [String: [String]] = [:]
    private var variableUsagesMemo: [String: [VariableUsage]] = [:]
    /// An operation's usages by its span (three rules ask; a large literal is walked once).
    private var operationUsagesMemo: [Span: [VariableUsage]] = [:]
    /// A source without a `$` references no variable: its operations need no walk for usages (a
    /// mutation of 100 events written in walked them all again).
    private lazy var mayReferenceVariables: Bool = source.map { $0.bytes.contains(UInt8(ascii: "$")) } ?? true

    /// Whether messages carry "Did you mean" suggestions: only where the schema can be
    /// introspected (they would tell its names).
    public let suggests: Bool

    init(schema: Schema, document: Document, source: Source?, maxErrors: Int, suggestions: Bool = true) {
        self.schema = schema
        self.suggests = suggestions && schema.introspectionEnabled
        self.document = document
        self.source = source
        self.maxErrors = maxErrors
        var f: [String: FragmentDefinition] = [:]
        for frag in document.fragments where f[frag.name.value] == nil { f[frag.name.value] = frag }
        fragments = f
    }

    public func report(_ message: String, _ spans: [Span]) {
        guard !isFull else { return }
        let locations = source.map { s in spans.map { s.location(of: Int($0.start)) } } ?? []
        errors.append(GraphQLError(message, locations: locations, code: "GRAPHQL_VALIDATION_FAILED"))
        if errors.count == maxErrors {
            errors.append(GraphQLError("Too many validation errors, error limit reached. Validation aborted.", code: "GRAPHQL_VALIDATION_FAILED"))
        }
    }

    /// Names of fragments spread directly in a selection set (not following spreads).
    public func directSpreads(_ set: SelectionSet) -> [String] {
        var out: [String] = []
        func walk(_ s: SelectionSet) {
            for sel in s.selections {
                switch sel {
                case .field(let f): if let ss = f.selectionSet { walk(ss) }
                case .fragmentSpread(let sp): out.append(sp.name.value)
                case .inlineFragment(let i): walk(i.selectionSet)
                }
            }
        }
        walk(set)
        return out
    }

    /// The fragments on a cycle of spreads (a fragment spreading itself, directly or through
    /// others, at any depth of its fields): strongly connected components of the spread graph
    /// with more than one fragment, or one that spreads itself. Rules that expand fragments
    /// through fields leave these unexpanded (NoFragmentCycles reports them): following one
    /// never ended (probe 53E: `A { f { ...B } }`, `B { f { ...A } }` overflowed the stack).
    public private(set) lazy var cyclicFragments: Set<String> = {
        var index: [String: Int] = [:], low: [String: Int] = [:], onStack = Set<String>()
        var stack: [String] = [], next = 0, cyclic = Set<String>()
        func connect(_ v: String) {
            index[v] = next; low[v] = next; next += 1
            stack.append(v); onStack.insert(v)
            for w in spreads(ofFragment: v) where fragments[w] != nil {
                if index[w] == nil {
                    connect(w)
                    low[v] = min(low[v]!, low[w]!)
                } else if onStack.contains(w) {
                    low[v] = min(low[v]!, index[w]!)
                }
            }
            guard low[v] == index[v] else { return }
            var component: [String] = []
            while let w = stack.popLast() {
                onStack.remove(w)
                component.append(w)
                if w == v { break }
            }
            if component.count > 1 || spreads(ofFragment: v).contains(v) { cyclic.formUnion(component) }
        }
        for name in fragments.keys.sorted() where index[name] == nil { connect(name) }
        return cyclic
    }()

    private func spreads(ofFragment name: String) -> [String] {
        if let m = spreadsMemo[name] { return m }
        let r = fragments[name].map { directSpreads($0.selectionSet) } ?? []
        spreadsMemo[name] = r
        return r
    }

    /// Every fragment reachable from a selection set, each once, in discovery order (depth
    /// first, as spread). Built from each spread fragment's own reach, found once per document:
    /// a thousand operations spreading one fragment tree walk it once, not a thousand times.
    public func recursivelyReferencedFragments(_ set: SelectionSet) -> [String] {
        let direct = directSpreads(set)
        if direct.count == 1 { return reach(direct[0]) }
        var seen = Set<String>()
        var order: [String] = []
        for name in direct where !seen.contains(name) {
            // A fragment seen already was reached with all it reaches.
            for n in reach(name) where seen.insert(n).inserted { order.append(n) }
        }
        return order
    }

    private var reachMemo: [String: [String]] = [:]

    /// The fragment and every fragment it reaches, each once, depth first (memoised).
    private func reach(_ root: String) -> [String] {
        if let m = reachMemo[root] { return m }
        var seen = Set<String>()
        var order: [String] = []
        var stack = [root]
        while let name = stack.popLast() {
            guard seen.insert(name).inserted, fragments[name] != nil else { continue }
            order.append(name)
            stack.append(contentsOf: spreads(ofFragment: name).reversed())
        }
        reachMemo[root] = order
        return order
    }

    /// Every fragment some operation reaches (one walk for the whole document).
    public func fragmentsReachedByOperations() -> Set<String> {
        var seen = Set<String>()
        for op in document.operations {
            for name in directSpreads(op.selectionSet) where !seen.contains(name) {
                var stack = [name]
                while let n = stack.popLast() {
                    guard seen.insert(n).inserted, fragments[n] != nil else { continue }
                    stack.append(contentsOf: spreads(ofFragment: n))
                }
            }
        }
        return seen
    }

    public struct VariableUsage {
        public let name: String
        public let span: Span
        /// The input type expected where the variable appears (nil when unknown).
        public let type: TypeReference?
        public let defaultValue: Value?
        /// Whether the location has a default (field argument or input field default).
        public let hasLocationDefault: Bool
    }

    /// Variable usages in a selection set itself (not through spreads), with expected types.
    func variableUsages(in set: SelectionSet, parentType: NamedType?) -> [VariableUsage] {
        var usages: [VariableUsage] = []
        var walker = TypeInfoWalker(schema: schema)
        walker.walkSelectionSet(set, parentType) { event, info in
            switch event {
            case .argument(let arg, let def):
                collectArgumentVariables(arg.value, def?.type, hasDefault: def?.defaultValue != nil, span: arg.valueSpan, into: &usages)
            case .directiveArgument(let arg, let def):
                collectArgumentVariables(arg.value, def?.type, hasDefault: def?.defaultValue != nil, span: arg.valueSpan, into: &usages)
            default: break
            }
        }
        return usages
    }

    /// The variables of an argument's value (at `span`); one inside a list or an input object is
    /// located at its own `$` (graphql-js), found again in the source.
    private func collectArgumentVariables(_ value: Value, _ type: TypeReference?, hasDefault: Bool, span: Span, into usages: inout [VariableUsage]) {
        let first = usages.count
        collectVariables(value, type, hasDefault: hasDefault, span: span, into: &usages)
        if case .variable = value { return }
        guard usages.count > first, let source, span != .none else { return }
        let found = LiteralLayout.variableStarts(in: source, at: Int(span.start))
        var next: [String: Int] = [:]
        for i in first..<usages.count {
            let u = usages[i]
            let k = next[u.name, default: 0]
            guard let all = found[u.name], k < all.count else { continue }
            next[u.name] = k + 1
            let at = all[k]
            usages[i] = VariableUsage(name: u.name, span: Span(at, at + 1 + u.name.utf8.count), type: u.type, defaultValue: u.defaultValue,
                                      hasLocationDefault: u.hasLocationDefault)
        }
    }

    private func collectVariables(_ value: Value, _ type: TypeReference?, hasDefault: Bool, span: Span, into usages: inout [VariableUsage]) {
        switch value {
        case .variable(let name):
            usages.append(VariableUsage(name: name, span: span, type: type, defaultValue: nil, hasLocationDefault: hasDefault))
        case .list(let items):
            var inner: TypeReference?
            if let type {
                var t = type
                if case .nonNull(let i) = t { t = i }
                if case .list(let i) = t { inner = i }
            }
            for item in items { collectVariables(item, inner, hasDefault: false, span: span, into: &usages) }
        case .object(let fields):
            let input = type.flatMap { schema.namedType($0) }
            for f in fields {
                let def = input?.inputFields[f.name.value]
                // A field of a OneOf Input Object is a non-null position (IsNonNullPosition, §5.8.5):
                // a nullable variable there needs a default that is not null.
                var location = def?.type
                if input?.isOneOf == true, let t = location, !t.isNonNull { location = .nonNull(t) }
                collectVariables(f.value, location, hasDefault: def?.defaultValue != nil, span: f.span, into: &usages)
            }
        default: break
        }
    }

    /// Variable usages of a fragment (memoised: computed once however often it is spread).
    public func variableUsages(ofFragment name: String) -> [VariableUsage] {
        if let m = variableUsagesMemo[name] { return m }
        guard let f = fragments[name] else { return [] }
        // Its directives' arguments, then its selections (graphql-js's order).
        var r = directiveUsages(f.directives)
        r += variableUsages(in: f.selectionSet, parentType: schema.types[f.typeCondition.value])
        variableUsagesMemo[name] = r
        return r
    }

    /// Every variable usage of an operation, through all fragments it reaches (each walked once).
    public func recursiveVariableUsages(_ op: OperationDefinition) -> [VariableUsage] {
        guard mayReferenceVariables else { return [] }
        // Operations made without a source all have the span `.none`: not memoised.
        guard op.span != .none else { return operationUsages(op) }
        if let m = operationUsagesMemo[op.span] { return m }
        let r = operationUsages(op)
        operationUsagesMemo[op.span] = r
        return r
    }

    /// The variables of directives' arguments (an operation's or a fragment definition's own).
    private func directiveUsages(_ directives: [Directive]) -> [VariableUsage] {
        var out: [VariableUsage] = []
        for d in directives {
            for a in d.arguments {
                let def = schema.directives[d.name.value]?.arguments[a.name.value]
                collectArgumentVariables(a.value, def?.type, hasDefault: def?.defaultValue != nil, span: a.valueSpan, into: &out)
            }
        }
        return out
    }

    private func operationUsages(_ op: OperationDefinition) -> [VariableUsage] {
        // The operation's directives, then its selections (graphql-js's order).
        var out = directiveUsages(op.directives)
        out += variableUsages(in: op.selectionSet, parentType: schema.rootTypeName(op.operation).flatMap { schema.types[$0] })
        let direct = directSpreads(op.selectionSet)
        if direct.count == 1 {
            out += usagesReached(from: direct[0])
        } else {
            for name in recursivelyReferencedFragments(op.selectionSet) { out += variableUsages(ofFragment: name) }
        }
        return out
    }

    private var reachedUsagesMemo: [String: [VariableUsage]] = [:]

    /// The variable usages of a fragment and of every fragment it reaches (memoised).
    private func usagesReached(from root: String) -> [VariableUsage] {
        if let m = reachedUsagesMemo[root] { return m }
        var r: [VariableUsage] = []
        for name in reach(root) { r += variableUsages(ofFragment: name) }
        reachedUsagesMemo[root] = r
        return r
    }
}
