import GraphQLCore

/// Writes entity representations from the response buffer: the selection of an entity input
/// (`EntityRepresentation.selection`), resolved for one runtime type into a flat list of members
/// once, then applied to every object of that type — no selection walk, fragment test or key
/// search per object. A member's fields are read by response key (its id in the buffer, found
/// once) and written under their field names; `__typename` is written as the name the
/// target expects (the interface's for an @interfaceObject).
///
/// Made per plan run (key ids are the run's buffer's), used by one task.
final class RepresentationWriter {
    /// One name written in the representation: the response keys that may give it, in selection
    /// order (the first one present wins, as each name is written once).
    struct Member {
        let name: String
        /// `"name":`
        let nameBytes: [UInt8]
        var sources: [Source]
        /// The field's type (on the runtime type) may be null: inside an input's nested object,
        /// no answer giving it (an entity its subgraph did not know) writes it as null.
        var nullable = false
        /// A `@requires` input of the representation (a top-level member that is no key field):
        /// nullable and given by no answer (the entity unknown to that input's subgraph, or its
        /// fetch failed), it is written as null, as inside nested objects — the entity is still
        /// sent for the other fields of its fetch.
        var input = false
    }

    struct Source {
        /// The response key's id (-2: no answer has it).
        let key: Int32
        /// The field's selection, for an object or list value (nil for a leaf).
        let nested: Nested?
    }

    /// A nested selection, resolved per runtime type of the objects it meets.
    final class Nested {
        let selection: SelectionSet
        let writesTypenameFirst: Bool
        /// A writer per runtime type met, with the type's name as a JSON string.
        var byType: [(type: String?, name: [UInt8]?, writer: RepresentationWriter)] = []
        init(_ selection: SelectionSet) {
            self.selection = selection
            writesTypenameFirst = selection.selections.contains { if case .inlineFragment = $0 { return true } else { return false } }
        }
    }

    private(set) var members: [Member] = []
    /// Whether `__typename` is among the selected names, and where.
    private var typenameAt: Int?
    /// Every member a leaf read from the object itself (no nested selection): two objects are
    /// written the same exactly when their members' values are the same, so a duplicate is found
    /// by its values (`hashValues`, `sameValues`) without being written.
    private(set) var flat = true

    /// Marks the top-level members that are no key field as `@requires` inputs.
    func markInputs(keyFields: Set<String>) {
        for m in members.indices where m != typenameAt && !keyFields.contains(members[m].name) { members[m].input = true }
    }

    /// The members `selections` give an object of runtime type `runtime` (fragments apply by it).
    init(_ selections: [Selection], runtime: String?, schema: Schema, keys: KeyTable) {
        add(selections, runtime: runtime, schema: schema, keys: keys)
        flat = members.allSatisfy { $0.sources.allSatisfy { $0.nested == nil } }
    }

    private func add(_ selections: [Selection], runtime: String?, schema: Schema, keys: KeyTable) {
        for sel in selections {
            switch sel {
            case .field(let f):
                let name = f.name.value
                if name == "__typename" {
                    if typenameAt == nil { typenameAt = members.count; members.append(Member(name: name, nameBytes: Self.nameBytes(name), sources: [])) }
                    continue
                }
                let source = Source(key: keys.find(f.responseKey) ?? -2, nested: f.selectionSet.map(Nested.init))
                let bytes = Self.nameBytes(name)
                if let i = members.firstIndex(where: { $0.nameBytes == bytes }) {
                    members[i].sources.append(source)
                } else {
                    var member = Member(name: name, nameBytes: bytes, sources: [source])
                    if let runtime, let type = schema.types[runtime].flatMap({ schema.field($0, name) })?.type, !type.isNonNull { member.nullable = true }
                    members.append(member)
                }
            case .inlineFragment(let i):
                if let condition = i.typeCondition?.value, let runtime, condition != runtime {
                    guard let t = schema.types[condition], t.kind.isAbstract, t.possibleTypes.contains(runtime) else { continue }
                }
                add(i.selectionSet.selections, runtime: runtime, schema: schema, keys: keys)
            case .fragmentSpread:
                continue
            }
        }
    }

    /// `name` as a JSON string.
    static func jsonString(_ name: String) -> [UInt8] {
        var w = JSONWriter(capacity: name.utf8.count + 2)
        w.writeString(name)
        return w.bytes
    }

    static func nameBytes(_ name: String) -> [UInt8] {
        var w = JSONWriter(capacity: name.utf8.count + 3)
        w.writeString(name)
        w.bytes.append(UInt8(ascii: ":"))
        return w.bytes
    }

    /// The value of member `m` in object `node`: its first source the object has, a non-null one
    /// before a null (one key asked under its name and under an alias: either may give it).
    @inline(__always)
    private func value(_ tree: ResponseBuffer, _ node: Int32, _ m: Int) -> ResponseBuffer.Value? {
        source(tree, node, m)?.value
    }

    @inline(__always)
    private func source(_ tree: ResponseBuffer, _ node: Int32, _ m: Int) -> (value: ResponseBuffer.Value, source: Int)? {
        var null: (ResponseBuffer.Value, Int)?
        for s in members[m].sources.indices {
            guard let v = tree.member(node, members[m].sources[s].key) else { continue }
            if !v.isNull { return (v, s) }
            if null == nil { null = (v, s) }
        }
        return null
    }

    /// Whether object `node` has a value for every name the representation writes (a value that
    /// is null counts; a field no answer gave does not), but those in `unneeded` (`"name":`:
    /// `@requires` inputs no field asked in this request needs).
    /// Nested selections are looked into: an object in a list a fetch for a deferred fragment
    /// filled with fewer fields than the input names (`lines { item }` beside `lines { qty item }`)
    /// is not complete either. Nested inputs no field asked needs are in `unneededPaths`, by
    /// their dotted path from the representation (`maker.rank`); `prefix` is this object's.
    /// A nested object (`nested`) may lack a nullable member: it is written as null (the object
    /// is there, the answer that would fill it had nothing for it).
    func hasEveryMember(_ tree: ResponseBuffer, _ node: Int32, unless unneeded: Set<[UInt8]> = [], unneededPaths: Set<String> = [],
                        prefix: String = "", nested inside: Bool = false, schema: Schema) -> Bool {
        for m in members.indices where m != typenameAt {
            if !unneeded.isEmpty, unneeded.contains(members[m].nameBytes) { continue }
            if !unneededPaths.isEmpty, !prefix.isEmpty, unneededPaths.contains(prefix + members[m].name) { continue }
            guard let (v, s) = source(tree, node, m) else {
                if members[m].nullable, inside || members[m].input { continue }
                return false
            }
            if !flat, let nested = members[m].sources[s].nested,
               !Self.isComplete(tree, v, nested, schema: schema, unneededPaths: unneededPaths, prefix: unneededPaths.isEmpty ? "" : prefix + members[m].name + ".") {
                return false
            }
        }
        return true
    }

    /// Whether a field's value has everything its nested selection names (objects by their own
    /// `__typename`, lists item by item; null is complete).
    static func isComplete(_ tree: ResponseBuffer, _ value: ResponseBuffer.Value, _ nested: Nested, schema: Schema,
                           unneededPaths: Set<String> = [], prefix: String = "") -> Bool {
        switch value.kind {
        case .object:
            let w = writer(tree, value.object, nested, schema: schema)
            // An object of unknown type under type conditions: which of them apply is not known.
            if w.type == nil, nested.writesTypenameFirst { return true }
            return w.writer.hasEveryMember(tree, value.object, unneededPaths: unneededPaths, prefix: prefix, nested: true, schema: schema)
        case .list:
            return value.items.allSatisfy { isComplete(tree, tree.values[$0], nested, schema: schema, unneededPaths: unneededPaths, prefix: prefix) }
        default:
            return true
        }
    }

    /// The writer for an object under a nested selection (made for its runtime type once).
    private static func writer(_ tree: ResponseBuffer, _ object: Int32, _ nested: Nested, schema: Schema) -> (type: String?, name: [UInt8]?, writer: RepresentationWriter) {
        if let found = nested.byType.firstIndex(where: { tree.typename(object, is: $0.type) }) { return nested.byType[found] }
        let t = tree.typename(object)
        nested.byType.append((t, t.map(jsonString), RepresentationWriter(nested.selection.selections, runtime: t, schema: schema, keys: tree.keys)))
        return nested.byType[nested.byType.count - 1]
    }

    /// Feeds what object `node` writes to `h` (a `flat` writer's, whose `__typename` is the same
    /// for every object it writes); false when a member's value is an object or a list (a custom
    /// scalar's): such an object is compared by its bytes.
    func hashValues(_ tree: ResponseBuffer, _ node: Int32, into h: inout QuickHasher) -> Bool {
        for m in members.indices where m != typenameAt {
            guard let v = value(tree, node, m) else { h.combine(UInt64(0xFF)); continue }
            guard tree.hashScalar(v, into: &h) else { return false }
        }
        return true
    }

    /// Whether objects `a` and `b` are written the same (for objects `hashValues` took).
    func sameValues(_ tree: ResponseBuffer, _ a: Int32, _ b: Int32) -> Bool {
        for m in members.indices where m != typenameAt {
            switch (value(tree, a, m), value(tree, b, m)) {
            case (nil, nil): continue
            case (let x?, let y?): if !tree.sameScalar(x, y) { return false }
            default: return false
            }
        }
        return true
    }

    /// The members of object `node`, between braces, at the end of `w`. `typename` is what
    /// `__typename` is written as, as a JSON string (nothing when nil: the member is then left out).
    /// The inputs no field asked in this request needs (`unneeded` at the top, `unneededPaths`
    /// nested, as in `hasEveryMember`) are left out: what the buffer has of them may be partial
    /// (the fetches that complete them were skipped with their field), and a partial input (a
    /// non-null member missing, a null standing for a value) is no input at all.
    func write(_ tree: ResponseBuffer, _ node: Int32, typename: [UInt8]?, schema: Schema, into w: inout JSONWriter, typenameWritten: Bool = false,
               nested inside: Bool = false, leavingOut unneeded: Set<[UInt8]> = [], unneededPaths: Set<String> = [], prefix: String = "") {
        var first = !typenameWritten
        for m in members.indices {
            if m == typenameAt {
                guard let typename, !typenameWritten else { continue }
                if !first { w.bytes.append(UInt8(ascii: ",")) }
                first = false
                w.bytes.append(contentsOf: members[m].nameBytes)
                w.bytes.append(contentsOf: typename)
                continue
            }
            if !unneeded.isEmpty, unneeded.contains(members[m].nameBytes) { continue }
            if !unneededPaths.isEmpty, !prefix.isEmpty, unneededPaths.contains(prefix + members[m].name) { continue }
            guard let (value, s) = source(tree, node, m) else {
                if members[m].nullable, inside || members[m].input {
                    if !first { w.bytes.append(UInt8(ascii: ",")) }
                    first = false
                    w.bytes.append(contentsOf: members[m].nameBytes)
                    w.append("null")
                }
                continue
            }
            if !first { w.bytes.append(UInt8(ascii: ",")) }
            first = false
            w.bytes.append(contentsOf: members[m].nameBytes)
            if let nested = members[m].sources[s].nested {
                Self.write(tree, value, nested, schema: schema, into: &w, unneededPaths: unneededPaths,
                           prefix: unneededPaths.isEmpty ? "" : prefix + members[m].name + ".")
            } else {
                tree.write(value, &w)
            }
        }
    }

    /// A field's value under a nested selection: objects by their own `__typename`, lists item by item.
    static func write(_ tree: ResponseBuffer, _ value: ResponseBuffer.Value, _ nested: Nested, schema: Schema, into w: inout JSONWriter,
                      unneededPaths: Set<String> = [], prefix: String = "") {
        switch value.kind {
        case .object:
            let (_, name, writer) = writer(tree, value.object, nested, schema: schema)
            w.bytes.append(UInt8(ascii: "{"))
            var typenameWritten = false
            if let name, nested.writesTypenameFirst {
                w.append(#""__typename":"#)
                w.bytes.append(contentsOf: name)
                typenameWritten = true
            }
            writer.write(tree, value.object, typename: name, schema: schema, into: &w, typenameWritten: typenameWritten, nested: true,
                         unneededPaths: unneededPaths, prefix: prefix)
            w.bytes.append(UInt8(ascii: "}"))
        case .list:
            w.bytes.append(UInt8(ascii: "["))
            for s in value.items {
                if s != value.items.lowerBound { w.bytes.append(UInt8(ascii: ",")) }
                write(tree, tree.values[s], nested, schema: schema, into: &w, unneededPaths: unneededPaths, prefix: prefix)
            }
            w.bytes.append(UInt8(ascii: "]"))
        default:
            tree.write(value, &w)
        }
    }
}
