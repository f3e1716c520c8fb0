/// Where the parts of a literal value start in its document. The AST keeps the span of an
/// argument's whole value; an error about a list's item or an input object field's value is
/// located at that part (as graphql-js does), found again by lexing the value from its start —
/// done only when such an error is reported.
public enum LiteralLayout {
    /// Where each item of the list, or each field's value of the input object, that starts at
    /// `offset` starts, in the order written (empty for any other value).
    public static func partStarts(in source: Source, at offset: Int) -> [Int] {
        var lexer = Lexer(source: source, at: offset)
        guard let open = try? lexer.next() else { return [] }
        var starts: [Int] = []
        switch open.kind {
        case .bracketL:
            while let t = try? lexer.next(), t.kind != .bracketR, t.kind != .eof {
                starts.append(t.start)
                guard skipValue(from: t, &lexer) else { return starts }
            }
        case .braceL:
            while let name = try? lexer.next(), name.kind == .name {
                guard let colon = try? lexer.next(), colon.kind == .colon, let value = try? lexer.next(), value.kind != .eof else { return starts }
                starts.append(value.start)
                guard skipValue(from: value, &lexer) else { return starts }
            }
        default: break
        }
        return starts
    }

    /// Where the type (after its `:`) and the default value (after its `=`, nil when it has none)
    /// of the variable definition that starts at `offset` start.
    public static func variableDefinitionStarts(in source: Source, at offset: Int) -> (type: Int, defaultValue: Int?)? {
        var lexer = Lexer(source: source, at: offset)
        guard (try? lexer.next())?.kind == .dollar, (try? lexer.next())?.kind == .name, (try? lexer.next())?.kind == .colon,
              let type = try? lexer.next(), type.kind == .name || type.kind == .bracketL else { return nil }
        var t = type
        while t.kind == .name || t.kind == .bracketL || t.kind == .bracketR || t.kind == .bang {
            guard let next = try? lexer.next() else { return (type.start, nil) }
            t = next
        }
        guard t.kind == .equals, let value = try? lexer.next(), value.kind != .eof else { return (type.start, nil) }
        return (type.start, value.start)
    }

    /// The start of each `$name` in the value that starts at `offset`, by name, in the order
    /// written (one lexing for every variable of the value).
    public static func variableStarts(in source: Source, at offset: Int) -> [String: [Int]] {
        var lexer = Lexer(source: source, at: offset)
        guard let first = try? lexer.next() else { return [:] }
        var starts: [String: [Int]] = [:]
        var depth = 0
        var t = first
        while true {
            switch t.kind {
            case .bracketL, .braceL: depth += 1
            case .bracketR, .braceR: depth -= 1
            case .dollar:
                if let n = try? lexer.next(), n.kind == .name { starts[lexer.text(n), default: []].append(t.start) }
            case .eof: return starts
            default: break
            }
            if depth <= 0 { return starts }
            guard let next = try? lexer.next() else { return starts }
            t = next
        }
    }

    /// Moves past the value whose first token is `first`; false if the value does not end.
    private static func skipValue(from first: Token, _ lexer: inout Lexer) -> Bool {
        switch first.kind {
        case .dollar: return (try? lexer.next())?.kind == .name
        case .bracketL, .braceL:
            var depth = 1
            while depth > 0 {
                guard let t = try? lexer.next(), t.kind != .eof else { return false }
                if t.kind == .bracketL || t.kind == .braceL { depth += 1 }
                if t.kind == .bracketR || t.kind == .braceR { depth -= 1 }
            }
            return true
        default: return true
        }
    }
}
