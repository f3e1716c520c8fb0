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
        /// `"name":`
        let nameBytes: [UInt8]
        var sources: [Source]
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
        var byType: [(type: String?, writer: RepresentationWriter)] = []
        init(_ selection: SelectionSet) {
            self.selection = selection
            writesTypenameFirst = selection.selections.contains { if case .inlineFragment = $0 { return true } else { return false } }
        }
    }

    private(set) var members: [Member] = []
    /// Whether `__typename` is among the selected names, and where.
    private var typenameAt: Int?

    /// The members `selections` give an object of runtime type `runtime` (fragments apply by it).
    init(_ selections: [Selection], runtime: String?, schema: Schema, keys: KeyTable) {
        add(selections, runtime: runtime, schema: schema, keys: keys)
    }

    private func add(_ selections: [Selection], runtime: String?, schema: Schema, keys: KeyTable) {
        for sel in selections {
            switch sel {
            case .field(let f):
                let name = f.name.value
                if name == "__typename" {
                    if typenameAt == nil { typenameAt = members.count; members.append(Member(nameBytes: Self.nameBytes(name), sources: [])) }
                    continue
                }
                let source = Source(key: keys.find(f.responseKey) ?? -2, nested: f.selectionSet.map(Nested.init))
                let bytes = Self.nameBytes(name)
                if let i = members.firstIndex(where: { $0.nameBytes == bytes }) {
                    members[i].sources.append(source)
                } else {
                    members.append(Member(nameBytes: bytes, sources: [source]))
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

    static func nameBytes(_ name: String) -> [UInt8] {
        var w = JSONWriter(capacity: name.utf8.count + 3)
        w.writeString(name)
        w.bytes.append(UInt8(ascii: ":"))
        return w.bytes
    }

    /// The members of object `node`, between braces, at the end of `w`. `typename` is what
    /// `__typename` is written as (nothing when nil: the member is then left out).
    func write(_ tree: ResponseBuffer, _ node: Int32, typename: String?, schema: Schema, into w: inout JSONWriter, typenameWritten: Bool = false) {
        var first = !typenameWritten
        for m in members.indices {
            if m == typenameAt {
                guard let typename, !typenameWritten else { continue }
                if !first { w.bytes.append(UInt8(ascii: ",")) }
                first = false
                w.bytes.append(contentsOf: members[m].nameBytes)
                w.writeString(typename)
                continue
            }
            for s in members[m].sources.indices {
                guard let value = tree.member(node, members[m].sources[s].key) else { continue }
                if !first { w.bytes.append(UInt8(ascii: ",")) }
                first = false
                w.bytes.append(contentsOf: members[m].nameBytes)
                if let nested = members[m].sources[s].nested { Self.write(tree, value, nested, schema: schema, into: &w) } else { tree.write(value, &w) }
                break
            }
        }
    }

    /// A field's value under a nested selection: objects by their own `__typename`, lists item by item.
    static func write(_ tree: ResponseBuffer, _ value: ResponseBuffer.Value, _ nested: Nested, schema: Schema, into w: inout JSONWriter) {
        switch value.kind {
        case .object:
            let t = tree.typename(value.object)
            let writer: RepresentationWriter
            if let found = nested.byType.first(where: { $0.type == t }) { writer = found.writer } else {
                writer = RepresentationWriter(nested.selection.selections, runtime: t, schema: schema, keys: tree.keys)
                nested.byType.append((t, writer))
            }
            w.bytes.append(UInt8(ascii: "{"))
            var typenameWritten = false
            if let t, nested.writesTypenameFirst {
                w.append(#""__typename":"#)
                w.writeString(t)
                typenameWritten = true
            }
            writer.write(tree, value.object, typename: t, schema: schema, into: &w, typenameWritten: typenameWritten)
            w.bytes.append(UInt8(ascii: "}"))
        case .list:
            w.bytes.append(UInt8(ascii: "["))
            for s in value.items {
                if s != value.items.lowerBound { w.bytes.append(UInt8(ascii: ",")) }
                write(tree, tree.values[s], nested, schema: schema, into: &w)
            }
            w.bytes.append(UInt8(ascii: "]"))
        default:
            tree.write(value, &w)
        }
    }
}
