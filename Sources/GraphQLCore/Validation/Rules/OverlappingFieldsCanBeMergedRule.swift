import OrderedCollections

/// Fields that share a response key can be merged: same shape, and where their parents could
/// be the same object, the same field with the same arguments — recursively for subfields.
/// https://spec.graphql.org/October2021/#sec-Field-Selection-Merging
///
/// Every selection set is checked once. A fragment's fields are collected once (memoised) and
/// deduplicated by node, so fragment fan-out stays linear. Within a response key, fields are
/// compared by distinct signature (name, arguments, parent, type) rather than pairwise, so
/// many identical fields (10,000 × `__typename`) cost O(n). Subfields are compared only
/// across different parent fields (their conflicts within one field are that set's own).
public final class OverlappingFieldsCanBeMergedRule: ValidationRule {
    let context: ValidationContext
    public init(_ context: ValidationContext) { self.context = context }

    /// A field node of the document with its definition under one parent type, shared by every
    /// entry of it (an entry is copied wherever its fragment is spread: a reference, not the
    /// node's arrays, keeps the copies cheap), with what its signatures have in common.
    final class Node {
        let field: Field
        let def: FieldDef?
        /// Name, arguments and type, as `signature` writes them after the parents.
        lazy var arguments = ExactText(OverlappingFieldsCanBeMergedRule.argumentsKey(field.arguments))
        lazy var tail: String = "\(field.name.value)|\(arguments.text)|\(def?.type.description ?? "?")"
        /// The signature of an entry whose chain is its parent alone (every entry a selection set's
        /// own comparison gathers, fragments expanded): made once.
        let parentName: String
        lazy var parentSignature = ExactText("\(parentName)|\(tail)")
        init(field: Field, def: FieldDef?, parent: NamedType?) {
            self.field = field
            self.def = def
            self.parentName = parent?.name ?? "?"
        }
    }

    struct Entry {
        let parent: NamedType?
        let node: Node
        var field: Field { node.field }
        var def: FieldDef? { node.def }
        /// Which top-level field of the comparison this one descends from.
        var origin: Int
        /// The parent types from the compared selection set down to this field's own parent: two
        /// fields whose parents differ as object types at some level are mutually exclusive (§5.3.2:
        /// only their shapes must agree, down through their subfields).
        var chain: [NamedType?] = []
        /// The fragment the field came through, spread in the compared selection set itself (nil:
        /// a field of that set or of an inline fragment in it; a fragment's own fields: that
        /// fragment). Two fields that came through one fragment are compared where that fragment's
        /// own selection set is, never again where it is spread (graphql-js: a fragment is not
        /// compared with itself).
        var fragment: String?

        /// Both in one fragment definition: not compared here.
        func sameFragment(_ other: Entry) -> Bool { fragment != nil && fragment == other.fragment }
    }
    typealias FieldMap = OrderedDictionary<String, [Entry]>

    private var fragmentMemo: [String: FieldMap] = [:]
    private var inProgress = Set<String>()
    private var reported = Set<String>()
    /// Selection sets made of fragment spreads alone, by their spreads: their fields (the
    /// fragments', each with its own parent) are the same wherever they stand, so they are
    /// compared once — a thousand operations spreading one fragment tree compare it once.
    private var spreadsCompared = Set<[String]>()
    /// Fields gathered for comparison (fragments expanded) over the whole document, and the most
    /// it may take: a selection set is compared with everything below it through its fragments,
    /// so a chain of fragments each spreading the next with a few fields of its own costs the
    /// square of its length (probe 53C: 190 fragments within every other limit, seconds). Past
    /// the budget the document is refused with an error that says why — far past what the
    /// largest real documents need (a 3,500-field operation ten levels deep gathers ~70,000).
    private var gathered = 0
    static let gatherBudget = 250_000
    private var overBudget = false
    private var budgetReported = false

    public func visit(_ event: TypeInfoWalker.Event, _ info: TypeInfoWalker.Info) {
        guard case .enterSelectionSet(let set) = event, !budgetReported else { return }
        defer {
            // Past the budget (checked as each field is gathered, so that one comparison cannot
            // run on past it), one error and no more work.
            if overBudget, !budgetReported {
                budgetReported = true
                context.report("The document is too complex to check that its fields can be merged: comparing them would gather more than \(Self.gatherBudget) fields through its fragments. Spread fewer fragments in one another, or split the document.", [set.span])
            }
        }
        var spreadsOnly: [String]? = []
        for sel in set.selections {
            guard case .fragmentSpread(let s) = sel else { spreadsOnly = nil; break }
            spreadsOnly?.append(s.name.value)
        }
        if let spreadsOnly, !spreadsCompared.insert(spreadsOnly).inserted { return }
        var map = fieldMap([set], [info.parentType], origins: [0])
        // In one selection set every field is its own origin: all pairs are compared.
        var n = 0
        for key in map.keys {
            for i in map[key]!.indices { map[key]![i].origin = n; n += 1 }
        }
        for (key, entries) in map where entries.count > 1 {
            if context.isFull || overBudget { return }
            // Pairs that conflict by themselves, and pairs of the same field whose subfields
            // conflict (both: a direct conflict of two fields hid the subfields' conflict of two
            // others, probe 53E); a pair reported by both is reported once (`reported`).
            let found = pairConflicts(entries) + subfieldConflicts(entries)
            for (reason, spans) in found {
                // (By the set of its locations: the pair found both ways round is one error.)
                let id = "\(key)@\(spans.map(\.start).sorted().map(String.init).joined(separator: ","))"
                guard reported.insert(id).inserted else { continue }
                context.report("Fields \"\(key)\" conflict because \(reason). Use different aliases on the fields to fetch both if this was intentional.", spans)
                if context.isFull { return }
            }
        }
    }

    /// Every pair of fields of one selection set (under one response key) that conflict by
    /// themselves — different fields, arguments or types —, one error each, the pairs in the
    /// fields' order (first with second, first with third, …, second with third) as graphql-js
    /// reports them. Fields with one signature are compared once as a group, so many identical
    /// fields cost nothing; what is listed stops at the error limit. Empty when no pair
    /// conflicts by itself (their subfields may: `conflict`).
    func pairConflicts(_ entries: [Entry]) -> [(String, [Span])] {
        var groupOf: [Int] = [], signatures: [ExactText: Int] = [:], representative: [Entry] = []
        for e in entries {
            let sig = signature(e)
            if let g = signatures[sig] { groupOf.append(g) } else {
                signatures[sig] = representative.count
                groupOf.append(representative.count)
                representative.append(e)
            }
        }
        guard representative.count > 1 else { return [] }
        let all = representative
        // Bounded work on hostile input: 64 groups compared pairwise. Those whose parents are the
        // fewest object types first: fields under type conditions on distinct object types never
        // conflict with each other, and 65 of them (a `Node` with that many types) hid a conflict
        // of two fields written on the interface after them (probe 51C).
        let order = Self.compared(representative)
        let groups = order.count
        var rank = [Int](repeating: -1, count: representative.count)
        for (i, g) in order.enumerated() { rank[g] = i }
        representative = order.map { representative[$0] }
        var members = [[Int]](repeating: [], count: groups)
        for (a, g) in groupOf.enumerated() where rank[g] >= 0 { members[rank[g]].append(a) }
        // The fragment every member of a group is in, if one is: two such groups of one fragment
        // are that fragment's own conflict, reported where it is defined (looping over their
        // members in every set that spreads it was quadratic, probe 51E).
        let fragmentOf: [String?] = members.map { m in
            guard let f = entries[m[0]].fragment, m.allSatisfy({ entries[$0].fragment == f }) else { return nil }
            return f
        }
        // At most the room left for errors from each pair of groups: the work is bounded by
        // the error limit, not by how many fields there are.
        let room = context.maxErrors - context.errors.count
        var pairs: [(a: Int, b: Int, reason: String)] = []
        for i in 0..<groups {
            for j in (i + 1)..<max(i + 1, groups) {
                if let f = fragmentOf[i], f == fragmentOf[j] { continue }
                guard let reason = directConflict(representative[i], representative[j]) else { continue }
                var taken = 0, tried = 0
                outer: for a in members[i] {
                    for b in members[j] {
                        tried += 1
                        if tried > 16 * max(room, 1) { break outer }
                        if entries[a].sameFragment(entries[b]) { continue }
                        pairs.append((min(a, b), max(a, b), reason))
                        taken += 1
                        if taken >= room { break outer }
                    }
                }
            }
        }
        pairs.sort { ($0.a, $0.b) < ($1.a, $1.b) }
        // Past the 64 compared, one conflict among all of them, if there is one.
        if pairs.isEmpty, all.count > groups, let (i, j, reason) = anyConflict(all),
           let a = groupOf.firstIndex(of: i), let b = groupOf.firstIndex(of: j) {
            return [(reason, [entries[min(a, b)].field.span, entries[max(a, b)].field.span])]
        }
        return pairs.prefix(room).map { ($0.reason, [entries[$0.a].field.span, entries[$0.b].field.span]) }
    }

    /// One pair of distinct fields that conflict by themselves, among any number of them, in
    /// linear time (what is past the 64 compared pairwise): every field of a known shape must
    /// have the first one's shape, and fields whose parents can be one object — their parents
    /// alike level by level, an abstract parent alike with any — must be one field with one set
    /// of arguments. (65 fields under conditions on as many object types hid a conflict after
    /// them, review of session 51.)
    func anyConflict(_ reps: [Entry]) -> (Int, Int, String)? {
        func shape(_ t: TypeReference) -> String? {
            switch t {
            case .nonNull(let x): return shape(x).map { $0 + "!" }
            case .list(let x): return shape(x).map { "[" + $0 + "]" }
            case .named(let n):
                guard let nt = context.schema.types[n.value] else { return nil }   // unknown: any shape
                return nt.kind.isLeaf ? n.value : "{}"
            }
        }
        var firstShape: (index: Int, shape: String)?
        for (i, e) in reps.enumerated() {
            guard let s = e.def.flatMap({ shape($0.type) }) else { continue }
            guard let first = firstShape else { firstShape = (i, s); continue }
            if s != first.shape, let reason = directConflict(reps[first.index], e) { return (first.index, i, reason) }
        }
        let field = reps.map { ExactText("\($0.field.name.value)|\($0.node.arguments.text)") }
        // One field with one set of arguments throughout: nothing to tell apart by parents.
        if field.allSatisfy({ $0 == field[0] }) { return nil }
        var firstOf: [String: Int] = [:], buckets: [(levels: [String], first: Int)] = []
        for (i, e) in reps.enumerated() {
            let levels = e.chain.map { t in t.map { $0.kind == .object ? $0.name : "*" } ?? "*" }
            let key = levels.joined(separator: "/")
            if let first = firstOf[key] {
                if field[first] != field[i], let reason = directConflict(reps[first], e) { return (first, i, reason) }
            } else {
                firstOf[key] = i
                buckets.append((levels, i))
            }
        }
        // Buckets with an abstract level meet those that agree on their object levels; those of
        // other fields among them conflict. (At most a million bucket pairs: bounded work on
        // hostile input, far past what `max_fields` lets a document have.)
        var budget = 1_000_000
        for star in buckets where star.levels.contains("*") {
            for other in buckets where other.first != star.first && field[star.first] != field[other.first] {
                budget -= 1
                if budget < 0 { return nil }
                guard zip(star.levels, other.levels).allSatisfy({ $0 == $1 || $0 == "*" || $1 == "*" }),
                      let reason = directConflict(reps[star.first], reps[other.first]) else { continue }
                return (min(star.first, other.first), max(star.first, other.first), reason)
            }
        }
        return nil
    }

    /// The distinct fields compared pairwise (bounded work on hostile input: 64), those whose
    /// parents are the fewest object types first — fields under conditions on distinct object
    /// types never conflict by name or arguments, and 65 of them (a `Node` with that many types)
    /// hid two conflicting fields written on the interface after them (probe 51C).
    static func compared(_ distinct: [Entry]) -> [Int] {
        guard distinct.count > 64 else { return Array(distinct.indices) }
        let objects = distinct.map { e in e.chain.count { $0?.kind == .object } }
        return distinct.indices.sorted { (objects[$0], $0) < (objects[$1], $1) }.prefix(64).map { $0 }
    }

    /// Fields of one response key that are the same field but whose subfields conflict: each
    /// pair that does is an error of its own (graphql-js compares them pair by pair). Past 16
    /// fields, only the first conflict (bounded work on hostile input).
    func subfieldConflicts(_ entries: [Entry]) -> [(String, [Span])] {
        guard entries.count <= 16 else { return conflict(entries).map { [$0] } ?? [] }
        var out: [(String, [Span])] = []
        for i in entries.indices {
            for j in entries.indices where j > i && entries[i].origin != entries[j].origin && !entries[i].sameFragment(entries[j]) {
                if let c = conflict([entries[i], entries[j]]) { out.append(c) }
            }
        }
        return out
    }

    /// What makes two fields the same for merging: their parents down from the compared set,
    /// name, arguments and type. Compared as text byte for byte: two strings that differ only in
    /// Unicode normalization are two argument values. Not the fragment a field is in: identical
    /// fields never conflict with each other wherever they come from, and one group per fragment
    /// let 64 fragments spreading `name` fill the groups compared and hide a `name: nickname`
    /// after them (review of session 50).
    func signature(_ e: Entry) -> ExactText {
        if e.chain.count == 1, e.chain[0] === e.parent { return e.node.parentSignature }
        return ExactText("\(e.chain.map { $0?.name ?? "?" }.joined(separator: "/"))|\(e.node.tail)")
    }

    /// Why two fields conflict by themselves (not by their subfields), if they do.
    func directConflict(_ a: Entry, _ b: Entry) -> String? {
        if !mutuallyExclusive(a.chain, b.chain) {
            if a.field.name.value != b.field.name.value {
                return "\"\(a.field.name.value)\" and \"\(b.field.name.value)\" are different fields"
            }
            if a.node.arguments != b.node.arguments { return "they have differing arguments" }
        }
        if let ta = a.def?.type, let tb = b.def?.type, !sameShape(ta, tb) {
            return "they return conflicting types \"\(ta)\" and \"\(tb)\""
        }
        return nil
    }

    /// Fields of selection sets by response key, fragments expanded (memoised), each node once.
    func fieldMap(_ sets: [SelectionSet], _ parents: [NamedType?], origins: [Int], chains: [[NamedType?]]? = nil, fragment: String? = nil) -> FieldMap {
        var map = FieldMap()
        var seenNodes = Set<Int32>()
        // Across the sets of one origin, a node under the same parents is one entry: two fields
        // of one origin spreading one fragment (`reviews { author { ...F } } reviews { author
        // { ...F } }`, F doing the same a level down) otherwise doubled the entries compared at
        // every level — exponential in the depth (probe 53C).
        var seenAcross = Set<String>()
        let acrossSets = sets.count > 1
        func add(_ key: String, _ e: Entry) {
            guard !overBudget, seenNodes.insert(e.field.span.start).inserted else { return }
            gathered &+= 1
            if gathered > Self.gatherBudget { overBudget = true }
            if acrossSets {
                let id = "\(e.field.span.start)|\(e.origin)|" + e.chain.map { $0?.name ?? "?" }.joined(separator: "/")
                guard seenAcross.insert(id).inserted else { return }
            }
            map[key, default: []].append(e)
        }
        func walk(_ set: SelectionSet, _ parent: NamedType?, _ origin: Int, _ above: [NamedType?], _ spreadSeen: inout Set<String>) {
            for sel in set.selections where !overBudget {
                switch sel {
                case .field(let f):
                    add(f.responseKey, Entry(parent: parent, node: node(f, parent), origin: origin,
                                             chain: above + [parent], fragment: fragment))
                case .inlineFragment(let i):
                    walk(i.selectionSet, i.typeCondition.flatMap { context.schema.types[$0.value] } ?? parent, origin, above, &spreadSeen)
                case .fragmentSpread(let s):
                    // A fragment on a cycle is not expanded: its subfields' comparison would
                    // follow the cycle through fields without end (NoFragmentCycles reports it).
                    guard !context.cyclicFragments.contains(s.name.value), spreadSeen.insert(s.name.value).inserted else { continue }
                    for (k, entries) in fragmentFields(s.name.value) {
                        for var e in entries {
                            e.origin = origin
                            e.chain = above + [e.parent]
                            // The fragment spread here, not the one the field is written in: two
                            // fields that both came through it are that fragment's own pair,
                            // compared where it is defined (graphql-js never compares a fragment
                            // with itself) — else one conflict deep in it was reported again at
                            // every fragment spreading it twice (probe 53E: 30 levels, 30 errors).
                            e.fragment = s.name.value
                            add(k, e)
                        }
                    }
                }
            }
        }
        for (i, set) in sets.enumerated() {
            var spreadSeen = Set<String>()
            seenNodes.removeAll(keepingCapacity: true) // the same node under two parents is compared across them
            walk(set, parents[i], origins[i], chains?[i] ?? [], &spreadSeen)
        }
        return map
    }

    /// The node of a field under a parent type, made once.
    private var nodes: [NodeKey: Node] = [:]
    struct NodeKey: Hashable {
        let start: Int32
        let parent: ObjectIdentifier?
    }
    func node(_ f: Field, _ parent: NamedType?) -> Node {
        let key = NodeKey(start: f.span.start, parent: parent.map(ObjectIdentifier.init))
        if let n = nodes[key] { return n }
        // Meta-fields (`__typename`) have no definition among the type's fields, so no type to
        // compare (graphql-js: `x: __typename` beside `x: nick` under two object types is valid).
        let def = f.name.value.hasPrefix("__") ? nil : parent.flatMap { context.schema.field($0, f.name.value) }
        let n = Node(field: f, def: def, parent: parent)
        nodes[key] = n
        return n
    }

    func fragmentFields(_ name: String) -> FieldMap {
        if let m = fragmentMemo[name] { return m }
        guard let frag = context.fragments[name], !inProgress.contains(name) else { return [:] } // cycles: another rule
        inProgress.insert(name)
        let m = fieldMap([frag.selectionSet], [context.schema.types[frag.typeCondition.value]], origins: [0], fragment: name)
        inProgress.remove(name)
        fragmentMemo[name] = m
        return m
    }

    /// The first conflict among fields sharing a response key, as (reason, locations): one
    /// side's fields from the top down, then the other's. Below two fields, every subfield key
    /// that conflicts is in the reason, joined by "and", as graphql-js words it.
    func conflict(_ entries: [Entry]) -> (String, [Span])? {
        conflictSides(entries).map { ($0.reason, $0.first + $0.second) }
    }

    func conflictSides(_ entries: [Entry]) -> (reason: String, first: [Span], second: [Span])? {
        // Distinct signatures, each with the set of origins it appears under.
        var distinct: [Entry] = []
        var originsOf: [Set<Int>] = []
        var index: [ExactText: Int] = [:]
        for e in entries {
            let sig = signature(e)
            if let i = index[sig] { originsOf[i].insert(e.origin) } else {
                index[sig] = distinct.count
                distinct.append(e)
                originsOf.append([e.origin])
            }
        }
        let order = Self.compared(distinct)
        for (x, i) in order.enumerated() {
            for j in order.dropFirst(x + 1) {
                // Two signatures from one and the same field cannot conflict with each other.
                if originsOf[i].count == 1, originsOf[i] == originsOf[j] { continue }
                let a = distinct[i], b = distinct[j]
                if a.sameFragment(b) { continue }
                if let reason = directConflict(a, b) { return (reason, [a.field.span], [b.field.span]) }
            }
        }
        if distinct.count > order.count, let (i, j, reason) = anyConflict(distinct) {
            return (reason, [distinct[i].field.span], [distinct[j].field.span])
        }
        // Subfields of fields from different origins must merge too — of those that form a pair
        // to compare: two fields that both came through one fragment are that fragment's own
        // (graphql-js never compares a fragment with itself, at any level), and following their
        // subfields anyway doubled the work at each level where a fragment reaches one field
        // through two type conditions (review of session 53).
        let withSets = Self.paired(entries.filter { $0.field.selectionSet != nil })
        guard Set(withSets.map(\.origin)).count > 1, !overBudget else { return nil }
        let sub = fieldMap(withSets.map { $0.field.selectionSet! },
                           withSets.map { e in e.def.flatMap { context.schema.namedType($0.type) } },
                           origins: withSets.map(\.origin), chains: withSets.map(\.chain))
        var reasons: [String] = [], first: [Span] = [], second: [Span] = []
        for (subKey, subEntries) in sub where Set(subEntries.map(\.origin)).count > 1 {
            if let c = conflictSides(subEntries) {
                reasons.append("subfields \"\(subKey)\" conflict because \(c.reason)")
                first += c.first
                second += c.second
            }
        }
        guard !reasons.isEmpty else { return nil }
        let outer = withSets.first { $0.origin != withSets[0].origin }!
        return (reasons.joined(separator: " and "), [withSets[0].field.span] + first, [outer.field.span] + second)
    }

    /// The entries that form at least one pair to compare: another entry of another origin, not
    /// come through the same fragment (`sameFragment`). Counted by origin and by fragment and
    /// origin, so linear in the entries.
    static func paired(_ entries: [Entry]) -> [Entry] {
        var byOrigin: [Int: Int] = [:], byFragment: [String: Int] = [:], byFragmentOrigin: [String: [Int: Int]] = [:]
        for e in entries {
            byOrigin[e.origin, default: 0] += 1
            if let f = e.fragment {
                byFragment[f, default: 0] += 1
                byFragmentOrigin[f, default: [:]][e.origin, default: 0] += 1
            }
        }
        return entries.filter { e in
            let others = entries.count - byOrigin[e.origin]!
            guard let f = e.fragment else { return others > 0 }
            return others - (byFragment[f]! - byFragmentOrigin[f]![e.origin]!) > 0
        }
    }

    /// Whether two fields' parents are different object types at some level: they can never
    /// be collected for one and the same object.
    func mutuallyExclusive(_ a: [NamedType?], _ b: [NamedType?]) -> Bool {
        for (x, y) in zip(a, b) {
            if let x, let y, x.name != y.name, x.kind == .object, y.kind == .object { return true }
        }
        return false
    }

    /// Arguments as one string, by name, with input objects' fields by name too: `{a: 1, b: 2}`
    /// and `{b: 2, a: 1}` are the same value (§5.3.2 asks for identical arguments).
    static func argumentsKey(_ args: [Argument]) -> String {
        args.sorted { $0.name.value < $1.name.value }.map { "\($0.name.value):\(Self.canonical($0.value))" }.joined(separator: ",")
    }

    static func canonical(_ v: Value) -> String {
        switch v {
        case .object(let fields):
            return "{" + fields.sorted { $0.name.value < $1.name.value }.map { "\($0.name.value):\(canonical($0.value))" }.joined(separator: ",") + "}"
        case .list(let items):
            return "[" + items.map(canonical).joined(separator: ",") + "]"
        case .string(let text, block: true):
            // As graphql-js prints it: a block string is never the same argument as a plain one
            // (`"""  x"""` printed as `"  x"` was taken for it, probe 53E).
            return "B" + Printer.string(text)
        default:
            return Printer.print(v)
        }
    }

    /// SameResponseShape for the types themselves (§5.3.2).
    func sameShape(_ a: TypeReference, _ b: TypeReference) -> Bool {
        switch (a, b) {
        case (.nonNull(let x), .nonNull(let y)): return sameShape(x, y)
        case (.nonNull, _), (_, .nonNull): return false
        case (.list(let x), .list(let y)): return sameShape(x, y)
        case (.list, _), (_, .list): return false
        case (.named(let x), .named(let y)):
            guard let tx = context.schema.types[x.value], let ty = context.schema.types[y.value] else { return true }
            if tx.kind.isLeaf || ty.kind.isLeaf { return tx.name == ty.name }
            return true
        }
    }
}
