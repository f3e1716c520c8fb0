extension Document {
    /// About how many bytes the parsed document holds in memory, and what is built from it for
    /// a cached plan (a shaping program and hoisted literals mirror its selections): a few
    /// hundred bytes per selection, argument and directive, plus its names and values. Caches
    /// budget by it: 4 bytes per byte of source counted 18 KB of `me { name }` repeated as
    /// 72 KB, where a cached plan of it held about 650 KB.
    public var estimatedBytes: Int {
        var total = 0
        func value(_ v: Value) {
            total += 48
            switch v {
            case .variable(let s), .int(let s), .float(let s), .enumValue(let s): total += s.utf8.count
            case .string(let s, _): total += s.utf8.count
            case .list(let items): items.forEach(value)
            case .object(let fields): for f in fields { total += 64 + f.name.value.utf8.count; value(f.value) }
            case .boolean, .null: break
            }
        }
        func directives(_ ds: [Directive]) {
            for d in ds { total += 128 + d.name.value.utf8.count; for a in d.arguments { total += 96 + a.name.value.utf8.count; value(a.value) } }
        }
        // Recursive within a definition only (the parser bounded its nesting).
        func selections(_ set: SelectionSet) {
            total += 64
            for selection in set.selections {
                total += 256
                switch selection {
                case .field(let f):
                    total += f.name.value.utf8.count + (f.alias?.value.utf8.count ?? 0)
                    for a in f.arguments { total += 96 + a.name.value.utf8.count; value(a.value) }
                    directives(f.directives)
                    if let sub = f.selectionSet { selections(sub) }
                case .inlineFragment(let i):
                    directives(i.directives)
                    selections(i.selectionSet)
                case .fragmentSpread(let s):
                    total += s.name.value.utf8.count
                    directives(s.directives)
                }
            }
        }
        for definition in definitions {
            total += 128
            switch definition {
            case .operation(let o):
                for v in o.variableDefinitions { total += 128 + v.variable.value.utf8.count; if let d = v.defaultValue { value(d) } }
                directives(o.directives)
                selections(o.selectionSet)
            case .fragment(let f):
                directives(f.directives)
                selections(f.selectionSet)
            default:
                break
            }
        }
        return total
    }
}
