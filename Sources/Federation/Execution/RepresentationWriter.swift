import GraphQLCore

/// Writes entity representations from the response tree: the selection of an entity input
/// (`EntityRepresentation.selection`), resolved for one runtime type into a flat list of members
/// once, then applied to every object of that type — no selection walk, fragment test or key
/// search per object. A member's fields are read by response key (a position remembered per
/// object shape) and written under their field names; `__typename` is written as the name the
/// target expects (the interface's for an @interfaceObject).
///
/// Made per plan run (it remembers shapes of that run's tree), used by one task.
final class RepresentationWriter {
    /// One name written in the representation: the response keys that may give it, in selection
    /// order (the first one present wins, as each name is written once).
    struct Member {
        /// `"name":`
        let nameBytes: [UInt8]
        var sources: [Source]
    }

    struct Source {
        var lookup: ResultShape.Lookup
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
    init(_ selections: [Selection], runtime: String?, schema: Schema) {
        add(selections, runtime: runtime, schema: schema)
    }

    private func add(_ selections: [Selection], runtime: String?, schema: Schema) {
        for sel in selections {
            switch sel {
            case .field(let f):
                let name = f.name.value
                if name == "__typename" {
                    if typenameAt == nil { typenameAt = members.count; members.append(Member(nameBytes: Self.nameBytes(name), sources: [])) }
                    continue
                }
                let source = Source(lookup: ResultShape.Lookup(f.responseKey), nested: f.selectionSet.map(Nested.init))
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
                add(i.selectionSet.selections, runtime: runtime, schema: schema)
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

    /// The object's members, between braces, at the end of `w`. `typename` is what `__typename`
    /// is written as (nothing when nil: the member is then left out).
    func write(_ node: ResultNode, typename: String?, schema: Schema, into w: inout JSONWriter, typenameWritten: Bool = false) {
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
                guard let value = members[m].sources[s].lookup.cell(in: node) else { continue }
                if !first { w.bytes.append(UInt8(ascii: ",")) }
                first = false
                w.bytes.append(contentsOf: members[m].nameBytes)
                if let nested = members[m].sources[s].nested { Self.write(value, nested, schema: schema, into: &w) } else { ResultNode.write(value, &w) }
                break
            }
        }
    }

    /// A field's value under a nested selection: objects by their own `__typename`, lists item by item.
    static func write(_ value: ResultNode.Cell, _ nested: Nested, schema: Schema, into w: inout JSONWriter) {
        guard case .node(let child) = value else { ResultNode.write(value, &w); return }
        if child.isObject {
            let t = child.typename
            let writer: RepresentationWriter
            if let found = nested.byType.first(where: { $0.type == t }) { writer = found.writer } else {
                writer = RepresentationWriter(nested.selection.selections, runtime: t, schema: schema)
                nested.byType.append((t, writer))
            }
            w.bytes.append(UInt8(ascii: "{"))
            var typenameWritten = false
            if let t, nested.writesTypenameFirst {
                w.append(#""__typename":"#)
                w.writeString(t)
                typenameWritten = true
            }
            writer.write(child, typename: t, schema: schema, into: &w, typenameWritten: typenameWritten)
            w.bytes.append(UInt8(ascii: "}"))
        } else {
            w.bytes.append(UInt8(ascii: "["))
            for (i, item) in child.cells.enumerated() {
                if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
                write(item, nested, schema: schema, into: &w)
            }
            w.bytes.append(UInt8(ascii: "]"))
        }
    }
}
