import Synchronization
import GraphQLCore
import OrderedCollections

/// The federated query graph of a supergraph: one node per (type, subgraph) pair, with the
/// edges a plan can follow from it — fields that subgraph resolves (with their `@requires`
/// conditions and `@provides` shortcuts), `@key` edges to the same type in other subgraphs,
/// downcasts to the object types the subgraph knows as members of an abstract type, and
/// `@interfaceObject` edges between an interface and the subgraphs that see it as an object.
///
/// Built once per supergraph from its join directives, so a supergraph composed by Apollo's
/// tools and one composed by Switchyard give the same graph.
///
/// ```swift
/// let graph = QueryGraph(supergraph: supergraph)
/// graph.field("Product", "price", in: "INVENTORY")   // nil when that subgraph cannot resolve it
/// ```
public struct QueryGraph: Sendable {
    /// One (type, subgraph) node.
    public struct Node: Sendable {
        public let type: String
        public let graph: String
        /// Keys other subgraphs can reach this node by (`@key` without `resolvable: false`).
        public var keys: [SelectionSet] = []
        /// The subgraph declares this interface as an object type with `@interfaceObject`.
        public var isInterfaceObject = false
        /// For an abstract type: the object types this subgraph knows as its members.
        public var possibleTypes: [String] = []
        /// Fields resolvable here (not `@external`, not overridden away).
        public var fields: [String: FieldEdge] = [:]
    }

    /// A field edge: the subgraph resolves the field, perhaps under conditions.
    public struct FieldEdge: Sendable {
        public var requires: SelectionSet?
        public var provides: SelectionSet?
        /// Progressive `@override` label (`percent(N)`) the edge depends on, and on which side.
        public var overrideLabel: String?
        public var activeWhenLabelEnabled = true
    }

    public let supergraph: Supergraph
    /// type → graph id → node.
    public private(set) var nodes: [String: OrderedDictionary<String, Node>] = [:]
    /// Progressive `@override` labels of the supergraph and the share of requests (0–100) each moves.
    public private(set) var overrideLabels: [String: Double] = [:]
    /// The fields (by name) each progressive `@override` label moves.
    private var labelFields: [String: Set<String>] = [:]
    /// Field names some key, `@requires` or `@provides` selects: a label moving one of them may
    /// change how any operation's entities are reached.
    private var fieldSetNames: Set<String> = []
    /// The labels on for one plan (a request rolls them); nil: a label is on from 50 % up.
    public var enabledLabels: Set<String>? { didSet { keyReach = KeyReach(); keyClosures = KeyClosures() } }
    /// Whether a subgraph can provide a key's fields, as found (`canProvide`): the same key is asked
    /// about from every subgraph that shares a field, and each answer may need further keys.
    var keyReach = KeyReach()

    /// The subgraphs an entity of a type can be taken to from one subgraph, by any number of key
    /// jumps (`keyClosure`), as found.
    var keyClosures = KeyClosures()

    final class KeyClosures: Sendable {
        struct Question: Hashable { let type: String; let from: String; let without: [String]; let provided: String? }
        private let answers = Mutex<[Question: Set<String>]>([:])
        func answer(_ q: Question, _ find: () -> Set<String>) -> Set<String> {
            if let known = answers.withLock({ $0[q] }) { return known }
            let found = find()
            answers.withLock { a in
                if a.count >= 100_000 { a.removeAll() }
                a[q] = found
            }
            return found
        }
    }

    /// Answers of `canProvide` for keys: (type, key's subgraph, key's index, from, hops) → can.
    final class KeyReach: Sendable {
        struct Question: Hashable { let type: String; let owner: String; let key: Int; let from: String; let hops: Int; let without: [String]; let provided: String? }
        private let answers = Mutex<[Question: Bool]>([:])
        func answer(_ q: Question, _ find: () -> Bool) -> Bool {
            if let known = answers.withLock({ $0[q] }) { return known }
            let found = find()
            answers.withLock { a in
                if a.count >= 1_000_000 { a.removeAll() }   // (bounded: a huge graph asks again rather than grow)
                a[q] = found
            }
            return found
        }
    }

    public init(supergraph: Supergraph) {
        self.supergraph = supergraph
        let schema = supergraph.schema
        // Interfaces each object type implements, per graph (`@join__implements`); an object type
        // without any keeps the supergraph's interfaces wherever both types live.
        var implementers: [String: [String: [String]]] = [:]   // interface → graph → objects
        for (name, info) in supergraph.types where info.kind == .object {
            let declared = info.implementsByGraph
            for g in info.graphs.keys {
                let ifaces = declared.isEmpty ? (schema.types[name]?.interfaces ?? []).filter { supergraph.typeIsIn($0, graph: g) } : (declared[g] ?? [])
                for i in ifaces { implementers[i, default: [:]][g, default: []].append(name) }
            }
        }
        for (name, info) in supergraph.types {
            var byGraph = OrderedDictionary<String, Node>()
            for (g, tg) in info.graphs {
                var node = Node(type: name, graph: g)
                node.keys = tg.resolvableKeys
                node.isInterfaceObject = tg.isInterfaceObject
                switch info.kind {
                case .union:
                    let members = info.unionMembersByGraph.isEmpty ? (schema.types[name]?.possibleTypes ?? []) : (info.unionMembersByGraph[g] ?? [])
                    node.possibleTypes = members.filter { supergraph.typeIsIn($0, graph: g) }
                case .interface where !tg.isInterfaceObject:
                    let known = Set(implementers[name]?[g] ?? [])
                    node.possibleTypes = (schema.types[name]?.possibleTypes ?? []).filter { known.contains($0) }
                default: break
                }
                byGraph[g] = node
            }
            nodes[name] = byGraph
        }
        for (name, info) in supergraph.types {
            for (fname, graphs) in info.fields {
                for (g, fg) in graphs where !fg.external && !fg.usedOverridden {
                    guard nodes[name]?[g] != nil else { continue }
                    var edge = FieldEdge(requires: fg.requires, provides: fg.provides)
                    if let label = fg.overrideLabel {
                        edge.overrideLabel = label
                        edge.activeWhenLabelEnabled = fg.override != nil
                        overrideLabels[label] = Self.percent(label) ?? 0
                        labelFields[label, default: []].insert(fname)
                    }
                    nodes[name]?[g]?.fields[fname] = edge
                    for set in [fg.requires, fg.provides].compactMap({ $0 }) + fg.contextArguments.map(\.selection) {
                        Self.collectNames(set.selections, into: &fieldSetNames)
                    }
                }
            }
            for tg in info.graphs.values {
                for key in tg.resolvableKeys { Self.collectNames(key.selections, into: &fieldSetNames) }
            }
        }
    }

    /// Every field name `selections` hold, at any depth (fragment spreads aside).
    public static func collectNames(_ selections: [Selection], into names: inout Set<String>) {
        for sel in selections {
            switch sel {
            case .field(let f):
                names.insert(f.name.value)
                if let sub = f.selectionSet { collectNames(sub.selections, into: &names) }
            case .inlineFragment(let i): collectNames(i.selectionSet.selections, into: &names)
            case .fragmentSpread: continue
            }
        }
    }

    /// The labels a request's roll can change the plan of an operation selecting these field
    /// names by (any type): those strictly between 0 and 100 % that move one of them, or a field
    /// some key or `@requires`/`@provides` selects. Plans are cached per roll of these only
    /// (probe 55A: with every label in the key, 12 labels made 294 of 300 requests plan again).
    public func labels(relevantTo fieldNames: Set<String>) -> Set<String> {
        Set(overrideLabels.compactMap { label, p in
            guard p > 0, p < 100, let moved = labelFields[label] else { return nil }
            return !moved.isDisjoint(with: fieldNames) || !moved.isDisjoint(with: fieldSetNames) ? label : nil
        })
    }

    public func node(_ type: String, _ graph: String) -> Node? { nodes[type]?[graph] }

    /// The edge of `type.field` in `graph`, if that subgraph resolves it.
    public func field(_ type: String, _ field: String, in graph: String) -> FieldEdge? {
        guard let edge = nodes[type]?[graph]?.fields[field] else { return nil }
        if let label = edge.overrideLabel,
           (enabledLabels.map { $0.contains(label) } ?? Self.labelEnabled(label)) != edge.activeWhenLabelEnabled { return nil }
        return edge
    }

    /// Graphs that resolve `type.field`, in supergraph order.
    public func graphs(resolving type: String, _ field: String) -> [String] {
        (nodes[type] ?? [:]).keys.filter { self.field(type, field, in: $0) != nil }
    }

    /// Graphs that know `type`.
    public func graphs(of type: String) -> [String] { Array((nodes[type] ?? [:]).keys) }

    /// Without a request's roll, a progressive override label is on from 50 % up.
    static func labelEnabled(_ label: String) -> Bool { (percent(label) ?? 0) >= 50 }

    static func percent(_ label: String) -> Double? {
        guard label.hasPrefix("percent("), label.hasSuffix(")") else { return nil }
        return Double(label.dropFirst("percent(".count).dropLast())
    }

    /// The labels on for one request: each `percent(N)` label with probability N %.
    public func rollLabels() -> Set<String> {
        Set(overrideLabels.filter { _, p in p >= 100 || (p > 0 && Double.random(in: 0..<100) < p) }.keys)
    }
}
