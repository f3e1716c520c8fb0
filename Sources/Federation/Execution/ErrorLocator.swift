import GraphQLCore
import OrderedCollections

/// The place in the client's document of the field a response path leads to, for errors that
/// come with a path only (a subgraph's: its locations were in the subgraph's operation, not the
/// client's). Spec §7.1.2: an error tied to a field should say where the field is. A path walks
/// response keys through the operation (list indices stay on the same field, fragments are
/// looked into); an error's locations are those of every field merged under its last key (as
/// graphql-js gives a field error its field nodes), the first of each key is followed above.
struct ErrorLocator {
    /// Where paths start: the operation's selection set (or a deferred fragment's).
    let root: SelectionSet
    let fragments: [String: FragmentDefinition]
    let source: Source?
    /// By path: the location of the field it leads to (nil when it leaves the selection), and
    /// where in the path it leaves the selection (the element of the first key not selected).
    private var found: [String: (locations: [SourceLocation], leavesAt: Int?, deepest: SourceLocation?, name: String?)] = [:]
    /// The runtime type of the object at a response path, when known (the run's merged answers),
    /// and the schema that says which type conditions apply to it: a fragment whose condition
    /// does not apply is not looked into.
    var runtimeType: (([PathElement]) -> String?)?
    var schema: Schema?
    /// The request's variables: a selection its `@skip`/`@include` leave out is not looked into
    /// (an error's locations are those of the fields merged under its key that ran, §6.3.2).
    var variables: OrderedDictionary<String, JSON>?

    private func included(_ directives: [Directive]) -> Bool {
        guard let variables, !directives.isEmpty else { return true }
        if case .excluded = FieldCollector.inclusion(directives, variables: variables) { return false }
        return true
    }

    /// For the client's request: its own document when the gateway rewrote the one it planned
    /// (the spans are the client's text's).
    init(_ request: ExecutionRequest, _ planned: OperationDefinition) {
        let document = request.clientDocument ?? request.document
        let operation = request.clientDocument.flatMap { d in d.operations.first { $0.name?.value == planned.name?.value } } ?? planned
        self.init(operation: operation, document: document, source: request.source)
    }

    init(operation: OperationDefinition, document: Document, source: Source?) {
        var fragments: [String: FragmentDefinition] = [:]
        for f in document.fragments where fragments[f.name.value] == nil { fragments[f.name.value] = f }
        self.init(root: operation.selectionSet, fragments: fragments, source: source)
    }

    /// Paths from `root` (a deferred fragment's selection set: paths after its object's).
    init(root: SelectionSet, fragments: [String: FragmentDefinition], source: Source?) {
        self.root = root
        self.fragments = fragments
        self.source = source
    }

    /// Where the field `path` leads to from the root is (each of its merged nodes), if it is there.
    mutating func locationsOf(_ path: [PathElement]) -> [SourceLocation] {
        source == nil || path.isEmpty ? [] : walk(path).locations
    }

    /// `errors` with the location of their path's field where they have none. A path that
    /// leaves the client's selection (a subgraph's error at a field the planner fetched for a
    /// `@requires`, which the response does not have) is cut to where it leaves it, at the
    /// deepest field the client selected (§7.1.2: a path names a field of the response).
    /// A cut error whose field the client also selected (under an alias: `wt: weight` beside a
    /// `@requires(fields: "weight")`) has its copy at the client's field from the same subgraph: one
    /// field, one error, as for a client of one schema — the cut one is left out.
    mutating func locate(_ errors: [GraphQLError]) -> [GraphQLError] {
        guard source != nil, errors.contains(where: { $0.locations.isEmpty && $0.path?.isEmpty == false }) else { return errors }
        var cut: [Int: String] = [:]   // a cut error → the field it was at (the planner's key, its alias taken off)
        var located = errors
        for (i, e) in errors.enumerated() {
            guard e.locations.isEmpty, let path = e.path, !path.isEmpty else { continue }
            let (locations, leavesAt, deepest, _) = walk(path)
            if !locations.isEmpty {
                located[i].locations = locations
            } else if let leavesAt, leavesAt > 0, let deepest {
                located[i].path = Array(path[..<leavesAt])
                located[i].locations = [deepest]
                if case .key(let k) = path[leavesAt] { cut[i] = k.firstRange(of: "__sy").map { String(k[..<$0.lowerBound]) } ?? k }
            }
        }
        guard !cut.isEmpty else { return located }
        // Its copy: the same message from the same subgraph at (or under) a field of the object the
        // client selected with the same name (`wt: weight` for the planner's `weight`; `d: dims { hh: h }`
        // for the planner's `dims { h }`) — an error at another field is no copy.
        var copies = Set<Int>()
        for (i, name) in cut {
            let e = located[i], p = e.path!, service = e.extensions?["serviceName"]
            for (j, o) in located.enumerated() where cut[j] == nil && o.message == e.message && o.extensions?["serviceName"] == service {
                guard let op = o.path, op.count > p.count, op.starts(with: p), walk(Array(op.prefix(p.count + 1))).name == name else { continue }
                copies.insert(i)
                break
            }
        }
        return located.enumerated().filter { !copies.contains($0.offset) }.map(\.element)
    }

    private mutating func walk(_ path: [PathElement]) -> (locations: [SourceLocation], leavesAt: Int?, deepest: SourceLocation?, name: String?) {
        let keys = path.compactMap { if case .key(let k) = $0 { return k } else { return nil } }
        // With runtime types, objects at one key path may differ: cached by the whole path
        // (without, by its keys and where its indices are: `leavesAt` counts them).
        let id = runtimeType == nil ? path.map { if case .key(let k) = $0 { k } else { "#" } }.joined(separator: "\u{0}")
            : path.map(\.description).joined(separator: "\u{0}")
        if let known = found[id] { return known }
        var sets = [root]
        var field: Field?
        var merged: [Field] = []   // every node of the current key
        var deepest: Field?
        var leavesAt: Int?
        var at = 0   // where in `path` the objects of the current key are
        for key in keys {
            field = nil
            merged = []
            var next: [SelectionSet] = []
            var spreads = 0
            while at < path.count, case .index = path[at] { at += 1 }
            let type = runtimeType?(Array(path[..<at]))
            let keyAt = at
            at += 1
            func applies(_ condition: Name?) -> Bool {
                // (An object known only by its interface, or untyped, may be any: looked into.)
                guard let condition, let type, let schema, schema.types[type]?.kind == .object else { return true }
                return condition.value == type || schema.types[condition.value]?.possibleTypes.contains(type) == true
                    || schema.types[condition.value] == nil
            }
            func scan(_ set: SelectionSet) {
                for selection in set.selections {
                    switch selection {
                    case .field(let f) where f.responseKey == key && included(f.directives):
                        if field == nil { field = f }
                        if merged.count < 100, !merged.contains(where: { $0.span.start == f.span.start }) { merged.append(f) }
                        if let sub = f.selectionSet { next.append(sub) }
                    case .inlineFragment(let i):
                        if applies(i.typeCondition), included(i.directives) { scan(i.selectionSet) }
                    case .fragmentSpread(let s):
                        spreads += 1
                        if spreads <= 1_000, included(s.directives), let fragment = fragments[s.name.value], applies(fragment.typeCondition) { scan(fragment.selectionSet) }
                    default:
                        continue
                    }
                }
            }
            sets.forEach(scan)
            guard field != nil else { leavesAt = keyAt; break }
            deepest = field
            sets = next
        }
        func located(_ f: Field?) -> SourceLocation? { f.flatMap { f in source.map { $0.location(of: Int(f.span.start)) } } }
        let walked = (locations: field == nil ? [] : merged.compactMap(located), leavesAt: leavesAt, deepest: located(deepest), name: field?.name.value)
        found[id] = walked
        return walked
    }
}
