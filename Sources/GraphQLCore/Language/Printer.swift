/// Prints ASTs back to GraphQL text. parse(print(doc)) gives the same AST (spans aside).
public enum Printer {
    public static func print(_ document: Document) -> String {
        document.definitions.map(print).joined(separator: "\n\n") + "\n"
    }

    public static func print(_ def: Definition) -> String {
        switch def {
        case .operation(let o): return print(o)
        case .fragment(let f):
            return "fragment \(f.name.value) on \(f.typeCondition.value)\(directives(f.directives)) \(print(f.selectionSet, indent: ""))"
        case .schema(let s):
            var out = description(s.description, "")
            out += s.isExtension ? "extend schema" : "schema"
            out += directives(s.directives)
            if !s.operationTypes.isEmpty {
                out += " {\n" + s.operationTypes.map { "  \($0.operation.rawValue): \($0.type.value)" }.joined(separator: "\n") + "\n}"
            }
            return out
        case .type(let t): return print(t)
        case .directive(let d):
            return description(d.description, "") + "directive @\(d.name.value)\(argumentDefinitions(d.arguments, ""))"
                + (d.isRepeatable ? " repeatable" : "") + " on " + d.locations.map(\.value).joined(separator: " | ")
        }
    }

    public static func print(_ o: OperationDefinition) -> String {
        if o.isShorthand && o.name == nil && o.variableDefinitions.isEmpty && o.directives.isEmpty {
            return print(o.selectionSet, indent: "")
        }
        var out = o.operation.rawValue
        if let n = o.name { out += " " + n.value }
        if !o.variableDefinitions.isEmpty {
            out += "(" + o.variableDefinitions.map { v in
                "$\(v.variable.value): \(v.type)" + (v.defaultValue.map { " = " + print($0) } ?? "") + directives(v.directives)
            }.joined(separator: ", ") + ")"
        }
        out += directives(o.directives)
        return out + " " + print(o.selectionSet, indent: "")
    }

    public static func print(_ set: SelectionSet, indent: String) -> String {
        let inner = indent + "  "
        var out = "{\n"
        for s in set.selections {
            out += inner + print(s, indent: inner) + "\n"
        }
        return out + indent + "}"
    }

    static func print(_ s: Selection, indent: String) -> String {
        switch s {
        case .field(let f):
            var out = ""
            if let a = f.alias { out += a.value + ": " }
            out += f.name.value + arguments(f.arguments) + directives(f.directives)
            if let set = f.selectionSet { out += " " + print(set, indent: indent) }
            return out
        case .fragmentSpread(let s):
            return "..." + s.name.value + directives(s.directives)
        case .inlineFragment(let i):
            return "..." + (i.typeCondition.map { " on " + $0.value } ?? "") + directives(i.directives) + " " + print(i.selectionSet, indent: indent)
        }
    }

    static func arguments(_ args: [Argument]) -> String {
        args.isEmpty ? "" : "(" + args.map { "\($0.name.value): \(print($0.value))" }.joined(separator: ", ") + ")"
    }

    static func directives(_ ds: [Directive]) -> String {
        ds.map { " @" + $0.name.value + arguments($0.arguments) }.joined()
    }

    public static func print(_ v: Value) -> String {
        switch v {
        case .variable(let n): return "$" + n
        case .int(let s), .float(let s), .enumValue(let s): return s
        case .boolean(let b): return b ? "true" : "false"
        case .null: return "null"
        default:
            var out = ""
            write(v, into: &out)
            return out
        }
    }

    /// A value's text appended to `out` (one string grown in place: a list of a hundred objects
    /// is not a few hundred strings joined).
    public static func write(_ v: Value, into out: inout String) {
        switch v {
        case .variable(let n):
            out += "$"
            out += n
        case .int(let s), .float(let s), .enumValue(let s): out += s
        case .string(let s, let block):
            if block { out += blockString(s) } else { writeString(s, into: &out) }
        case .boolean(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                write(item, into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, field) in fields.enumerated() {
                if i > 0 { out += ", " }
                out += field.name.value
                out += ": "
                write(field.value, into: &out)
            }
            out += "}"
        }
    }

    /// A string literal with the escapes the lexer reads back.
    public static func string(_ s: String) -> String {
        var out = ""
        writeString(s, into: &out)
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// A string literal appended to `out`: at once when nothing in it needs an escape.
    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        // (0xC2 starts U+0080–U+00BF: the C1 controls among them are escaped, as graphql-js's
        // printString escapes U+007F–U+009F.)
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xC2 }) {
            out += s
            out += "\""
            return
        }
        // Escaped into bytes, then one append (a scalar at a time into a String is slow).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 16)
        var c1 = false   // the byte before was 0xC2
        for b in s.utf8 {
            if c1 {
                c1 = false
                if b < 0xA0 {
                    bytes.removeLast()   // the 0xC2
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xF)]])
                    continue
                }
            }
            if b == 0xC2 { c1 = true }
            switch b {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(0x5C); bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(0x5C); bytes.append(UInt8(ascii: "f"))
            case ..<0x20, 0x7F:
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xF)]])
            default:
                bytes.append(b)
            }
        }
        out += String(decoding: bytes, as: UTF8.self)
        out += "\""
    }

    /// A block string when it reads back to the same value; otherwise a plain string.
    static func blockString(_ s: String) -> String {
        let escaped = s.replacing("\"\"\"", with: "\\\"\"\"")
        let candidate = "\"\"\"\n" + escaped + "\n\"\"\""
        if let t = try? Parser.parseValue(candidate), case .string(let back, _) = t, back == s { return candidate }
        return string(s)
    }

    static func description(_ d: String?, _ indent: String) -> String {
        guard let d else { return "" }
        return indent + blockString(d).split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0) }.joined(separator: "\n" + indent) + "\n"
    }

    static func argumentDefinitions(_ args: [InputValueDefinition], _ indent: String) -> String {
        if args.isEmpty { return "" }
        if args.allSatisfy({ $0.description == nil }) {
            return "(" + args.map { inputValue($0, "") }.joined(separator: ", ") + ")"
        }
        return "(\n" + args.map { description($0.description, indent + "  ") + indent + "  " + inputValue($0, indent + "  ") }
            .joined(separator: "\n") + "\n" + indent + ")"
    }

    static func inputValue(_ a: InputValueDefinition, _ indent: String) -> String {
        "\(a.name.value): \(a.type)" + (a.defaultValue.map { " = " + print($0) } ?? "") + directives(a.directives)
    }

    public static func print(_ t: TypeDefinition) -> String {
        var out = t.isExtension ? "extend " : description(t.description, "")
        out += t.kind.rawValue + " " + t.name.value
        switch t.kind {
        case .scalar:
            out += directives(t.directives)
        case .object, .interface:
            if !t.interfaces.isEmpty { out += " implements " + t.interfaces.map(\.value).joined(separator: " & ") }
            out += directives(t.directives)
            if !t.fields.isEmpty {
                out += " {\n" + t.fields.map { f in
                    description(f.description, "  ") + "  " + f.name.value + argumentDefinitions(f.arguments, "  ") + ": \(f.type)" + directives(f.directives)
                }.joined(separator: "\n") + "\n}"
            }
        case .union:
            out += directives(t.directives)
            if !t.unionMembers.isEmpty { out += " = " + t.unionMembers.map(\.value).joined(separator: " | ") }
        case .enumType:
            out += directives(t.directives)
            if !t.enumValues.isEmpty {
                out += " {\n" + t.enumValues.map { description($0.description, "  ") + "  " + $0.name.value + directives($0.directives) }
                    .joined(separator: "\n") + "\n}"
            }
        case .inputObject:
            out += directives(t.directives)
            if !t.inputFields.isEmpty {
                out += " {\n" + t.inputFields.map { description($0.description, "  ") + "  " + inputValue($0, "  ") }.joined(separator: "\n") + "\n}"
            }
        }
        return out
    }
}

