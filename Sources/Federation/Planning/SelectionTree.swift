import GraphQLCore

/// A subgraph operation's selection set while it is being built: fields and inline fragments
/// merge in place (the same field asked twice is asked once), and a field the planner adds for
/// itself (a key or a `@requires` input) that collides with a client field of the same response
/// name but other arguments gets an alias of its own.
final class SelectionTree {
    enum Kind {
        case field(Field)                                  // without its selection set
        case fragment(typeCondition: String?, directives: [Directive])
    }

    final class Entry {
        var kind: Kind
        let identity: String
        var children: SelectionTree?
        /// A field's type in the subgraph (for response-shape conflicts between fragments).
        var type: TypeReference?
        init(kind: Kind, identity: String, children: SelectionTree?, type: TypeReference? = nil) {
            self.kind = kind
            self.identity = identity
            self.children = children
            self.type = type
        }
    }

    /// The subgraph response key of a client field aliased `__typename` that is not `__typename`.
    static let clientTypenameKey = "__typename__sy"

    /// The key a client's response key has in a subgraph's answer: a field other than
    /// `__typename` under the key `__typename` is asked as `__typename__sy`, and a client's own key
    /// that starts so gets `_sy` added (no client key is taken for another: `clientKey` reverses it).
    @inline(__always)
    static func subgraphKey(_ clientKey: String) -> String {
        guard clientKey.utf8.first == UInt8(ascii: "_"), clientKey.hasPrefix("__typename") else { return clientKey }
        if clientKey == "__typename" { return clientTypenameKey }
        return clientKey.hasPrefix(clientTypenameKey) ? clientKey + "_sy" : clientKey
    }

    /// The client's response key of a subgraph answer's key (`subgraphKey` reversed).
    @inline(__always)
    static func clientKey(_ subgraphKey: String) -> String {
        guard subgraphKey.utf8.first == UInt8(ascii: "_"), subgraphKey.hasPrefix(clientTypenameKey) else { return subgraphKey }
        return subgraphKey == clientTypenameKey ? "__typename" : String(subgraphKey.dropLast(3))
    }

    private(set) var entries: [Entry] = []
    private var byIdentity: [String: Int] = [:]
    private var responseKeys: [String: String] = [:]   // response key → identity of the field holding it

    var isEmpty: Bool { entries.isEmpty }

    /// Adds `field` (its selection set is not copied) and returns the tree for its selections,
    /// plus the response key it has in the subgraph's answer.
    @discardableResult
    func add(_ field: Field, isInternal: Bool = false, type: TypeReference? = nil) -> (children: SelectionTree?, responseKey: String) {
        var f = field
        f.selectionSet = nil
        // A client's other field under the response key `__typename` (`__typename: name`) would
        // collide with the `__typename` the gateway asks for itself: it is asked under a key of its
        // own, which the shaper reads it from (and a client key that is that key, under another).
        if !isInternal, !(f.name.value == "__typename" && f.responseKey == "__typename") {
            let key = Self.subgraphKey(f.responseKey)
            if key != f.responseKey { f.alias = Name(key) }
        }
        let hasChildren = field.selectionSet != nil
        var identity = Self.identity(of: f)
        if let i = byIdentity[identity] {
            if hasChildren, entries[i].children == nil { entries[i].children = SelectionTree() }
            return (entries[i].children, f.responseKey)
        }
        if let holder = responseKeys[f.responseKey], holder != identity {
            // Same response key, different field or arguments.
            if isInternal {
                // Reuse an alias made for this exact field earlier, else make one.
                var aliased = f
                aliased.alias = Name("_\(f.name.value)_\(Self.stableHash(identity))")
                let aliasedIdentity = Self.identity(of: aliased)
                if let i = byIdentity[aliasedIdentity] {
                    if hasChildren, entries[i].children == nil { entries[i].children = SelectionTree() }
                    return (entries[i].children, aliased.responseKey)
                }
                f = aliased
                identity = aliasedIdentity
            }
            // Client fields with one response key are mergeable by validation; differing only in
            // directives, both stay (each is asked under its own condition).
        }
        let entry = Entry(kind: .field(f), identity: identity, children: hasChildren ? SelectionTree() : nil, type: type)
        byIdentity[identity] = entries.count
        responseKeys[f.responseKey] = responseKeys[f.responseKey] ?? identity
        entries.append(entry)
        return (entry.children, f.responseKey)
    }

    /// Adds `selections` with everything under them.
    func addDeep(_ selections: [Selection]) {
        for sel in selections {
            switch sel {
            case .field(let f):
                let (children, _) = add(f)
                if let sub = f.selectionSet, let children { children.addDeep(sub.selections) }
            case .inlineFragment(let i):
                fragment(i.typeCondition?.value, i.directives).addDeep(i.selectionSet.selections)
            case .fragmentSpread:
                continue
            }
        }
    }

    func addTypename() {
        add(Field(name: Name("__typename")))
    }

    var hasTypename: Bool { byIdentity["__typename"] != nil }

    /// A client's `@defer` is the gateway's to answer: subgraphs never see it.
    static func forwarded(_ directives: [Directive]) -> [Directive] {
        directives.contains { $0.name.value == "defer" } ? directives.filter { $0.name.value != "defer" } : directives
    }

    func existingFragment(_ typeCondition: String?, _ directives: [Directive] = []) -> SelectionTree? {
        let directives = Self.forwarded(directives)
        if typeCondition == nil && directives.isEmpty { return self }
        let identity = "...\(typeCondition ?? "")" + Compact.directives(directives)
        return byIdentity[identity].flatMap { entries[$0].children }
    }

    /// The tree of `... on typeCondition @directives { }`, created when missing.
    func fragment(_ typeCondition: String?, _ directives: [Directive] = []) -> SelectionTree {
        let directives = Self.forwarded(directives)
        // `... { }` with nothing left on it (a client's `... @defer { }`) is its selections.
        if typeCondition == nil && directives.isEmpty { return self }
        let identity = "...\(typeCondition ?? "")" + Compact.directives(directives)
        if let i = byIdentity[identity], let c = entries[i].children { return c }
        let entry = Entry(kind: .fragment(typeCondition: typeCondition, directives: directives), identity: identity, children: SelectionTree())
        byIdentity[identity] = entries.count
        entries.append(entry)
        return entry.children!
    }

    /// The selections, with empty fragments dropped and an empty field selection given `__typename`.
    var selections: [Selection] {
        entries.compactMap { e -> Selection? in
            switch e.kind {
            case .field(var f):
                if let c = e.children {
                    let inner = c.selections
                    f.selectionSet = SelectionSet(selections: inner.isEmpty ? [.field(Field(name: Name("__typename")))] : inner)
                }
                return .field(f)
            case .fragment(let t, let d):
                let inner = e.children?.selections ?? []
                if inner.isEmpty { return nil }
                return .inlineFragment(InlineFragment(typeCondition: t.map { Name($0) }, directives: d, selectionSet: SelectionSet(selections: inner)))
            }
        }
    }

    /// Fields of one response key under fragments on different types must have the same
    /// response shape in the subgraph (same nullability and list wrappers, same leaf type); where
    /// they do not, the later ones get an alias `<key>__sy<n>` (recorded in `renames`) that the
    /// executor takes off again.
    /// Returns whether any alias was given.
    @discardableResult
    static func aliasConflicts(_ trees: [SelectionTree], schema: Schema, reserved: Set<String>, renames: inout [String: String]) -> Bool {
        var byKey = OrderedDictionaryLite<String, Entry>()
        func gather(_ t: SelectionTree) {
            for e in t.entries {
                switch e.kind {
                case .field(let f): byKey.append(f.responseKey, e)
                case .fragment: if let c = e.children { gather(c) }
                }
            }
        }
        trees.forEach(gather)
        var aliased = false
        for (key, entries) in byKey.items {
            var shapes: [(TypeReference?, String)] = []   // shape → response key used for it
            var groups: [String: [Entry]] = [:]
            for e in entries {
                guard case .field(var f) = e.kind else { continue }
                if let i = shapes.firstIndex(where: { sameShape($0.0, e.type, schema) }) {
                    if shapes[i].1 != key { f.alias = Name(shapes[i].1); e.kind = .field(f); aliased = true }
                    groups[shapes[i].1, default: []].append(e)
                } else {
                    var newKey = key
                    if !shapes.isEmpty {
                        // A name the client uses nowhere, so taking it off again touches nothing else.
                        var n = renames.count
                        repeat { newKey = "\(key)__sy\(n)"; n += 1 } while reserved.contains(newKey) || renames[newKey] != nil
                        renames[newKey] = key
                        f.alias = Name(newKey); e.kind = .field(f); aliased = true
                    }
                    shapes.append((e.type, newKey))
                    groups[newKey, default: []].append(e)
                }
            }
            for (_, es) in groups {
                let children = es.compactMap(\.children)
                if !children.isEmpty, aliasConflicts(children, schema: schema, reserved: reserved, renames: &renames) { aliased = true }
            }
        }
        return aliased
    }

    static func sameShape(_ a: TypeReference?, _ b: TypeReference?, _ schema: Schema) -> Bool {
        guard let a, let b else { return true }
        switch (a, b) {
        case (.nonNull(let x), .nonNull(let y)), (.list(let x), .list(let y)): return sameShape(x, y, schema)
        case (.named(let x), .named(let y)):
            if x.value == y.value { return true }
            let leafX = schema.types[x.value]?.kind.isLeaf ?? true, leafY = schema.types[y.value]?.kind.isLeaf ?? true
            return !leafX && !leafY
        default: return false
        }
    }

    static func identity(of f: Field) -> String {
        var s = (f.alias.map { $0.value + ":" } ?? "") + f.name.value
        Compact.arguments(f.arguments, into: &s)
        s += Compact.directives(f.directives)
        return s
    }

    static func stableHash(_ s: String) -> String {
        var h: UInt32 = 2166136261
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
        return String(h % 100_000)
    }
}

/// An insertion-ordered multimap (small; planning only).
struct OrderedDictionaryLite<Key: Hashable, Value> {
    private(set) var items: [(Key, [Value])] = []
    private var index: [Key: Int] = [:]
    mutating func append(_ key: Key, _ value: Value) {
        if let i = index[key] { items[i].1.append(value) } else { index[key] = items.count; items.append((key, [value])) }
    }
}

