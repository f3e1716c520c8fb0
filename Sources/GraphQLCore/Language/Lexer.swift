/// The lexer of spec §2.1 (Source Text): turns UTF-8 bytes into tokens on demand, skipping
/// ignored tokens (BOM, white space, line terminators, comments, commas). It counts tokens as
/// it goes so that a token limit stops a flood before the parser builds anything for it.
struct Lexer {
    let source: Source
    private let bytes: [UInt8]
    private(set) var position = 0
    private(set) var tokenCount = 0
    let maxTokens: Int?

    init(source: Source, maxTokens: Int?) {
        self.source = source
        self.bytes = source.bytes
        self.maxTokens = maxTokens
        // UnicodeBOM is ignored (§2.1.1).
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    }

    /// A lexer that starts at `offset` of a document already parsed (to find a part of it again).
    init(source: Source, at offset: Int) {
        self.init(source: source, maxTokens: nil)
        position = max(position, min(offset, bytes.count))
    }

    func error(_ message: String, at offset: Int) -> GraphQLError {
        GraphQLError("Syntax Error: \(message)", locations: [source.location(of: offset)], code: "GRAPHQL_PARSE_FAILED")
    }

    mutating func next() throws -> Token {
        skipIgnored()
        let start = position
        guard position < bytes.count else { return Token(kind: .eof, start: start, end: start) }
        tokenCount += 1
        if let maxTokens, tokenCount > maxTokens {
            throw GraphQLError("Syntax Error: Document contains more than \(maxTokens) tokens. Parsing aborted.",
                               locations: [source.location(of: start)], code: "MAX_TOKENS_EXCEEDED")
        }
        let c = bytes[position]
        func punct(_ k: TokenKind) -> Token {
            position += 1
            return Token(kind: k, start: start, end: position)
        }
        switch c {
        case UInt8(ascii: "!"): return punct(.bang)
        case UInt8(ascii: "$"): return punct(.dollar)
        case UInt8(ascii: "&"): return punct(.amp)
        case UInt8(ascii: "("): return punct(.parenL)
        case UInt8(ascii: ")"): return punct(.parenR)
        case UInt8(ascii: ":"): return punct(.colon)
        case UInt8(ascii: "="): return punct(.equals)
        case UInt8(ascii: "@"): return punct(.at)
        case UInt8(ascii: "["): return punct(.bracketL)
        case UInt8(ascii: "]"): return punct(.bracketR)
        case UInt8(ascii: "{"): return punct(.braceL)
        case UInt8(ascii: "|"): return punct(.pipe)
        case UInt8(ascii: "}"): return punct(.braceR)
        case UInt8(ascii: "."):
            if position + 2 < bytes.count,
               bytes[position + 1] == UInt8(ascii: "."), bytes[position + 2] == UInt8(ascii: ".") {
                position += 3
                return Token(kind: .spread, start: start, end: position)
            }
            throw error("Unexpected character: \".\".", at: start)
        case UInt8(ascii: "\""):
            if position + 2 < bytes.count, bytes[position + 1] == UInt8(ascii: "\""), bytes[position + 2] == UInt8(ascii: "\"") {
                return try readBlockString(start)
            }
            return try readString(start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try readNumber(start)
        default:
            if isNameStart(c) {
                position += 1
                while position < bytes.count, isNameContinue(bytes[position]) { position += 1 }
                return Token(kind: .name, start: start, end: position)
            }
            throw error("Unexpected character: \(describe(at: start)).", at: start)
        }
    }

    /// The name that starts at `offset` (empty if none does).
    func name(at offset: Int) -> String {
        var end = offset
        guard end < bytes.count, isNameStart(bytes[end]) else { return "" }
        while end < bytes.count, isNameContinue(bytes[end]) { end += 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }

    /// A source character as graphql-js prints it: printable ASCII quoted (`'"'` for the quote),
    /// any other code point as `U+XXXX`.
    private func describe(at offset: Int) -> String {
        let c = bytes[offset]
        if c >= 0x20 && c <= 0x7E { return c == UInt8(ascii: "\"") ? "'\"'" : "\"\(Character(Unicode.Scalar(c)))\"" }
        var decoder = UTF8()
        var it = bytes[offset...].makeIterator()
        if case .scalarValue(let s) = decoder.decode(&it) { return "U+" + hex4(s.value) }
        return "byte 0x\(String(c, radix: 16))"
    }

    private func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    @inline(__always) private func isNameStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F
    }
    @inline(__always) private func isNameContinue(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= 0x30 && c <= 0x39)
    }

    private mutating func skipIgnored() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D, 0x2C: position += 1
            case 0xEF where position + 2 < bytes.count && bytes[position + 1] == 0xBB && bytes[position + 2] == 0xBF:
                position += 3
            case UInt8(ascii: "#"):
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            default: return
            }
        }
    }

    /// IntValue and FloatValue (§2.9.1, §2.9.2).
    private mutating func readNumber(_ start: Int) throws -> Token {
        var isFloat = false
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw error("Invalid number, expected digit but got: \(position < bytes.count ? describe(at: position) : "<EOF>").", at: position)
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw error("Invalid number, unexpected digit after 0: \(describe(at: position)).", at: position)
            }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isFloat = true
            position += 1
            try readDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isFloat = true
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            try readDigits()
        }
        // Numbers must not be followed by a name start or a dot (§2.9.1 lookahead restriction).
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") || isNameStart(bytes[position]) {
            throw error("Invalid number, expected digit but got: \(describe(at: position)).", at: position)
        }
        return Token(kind: isFloat ? .float : .int, start: start, end: position)
    }

    private mutating func readDigits() throws {
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw error("Invalid number, expected digit but got: \(position < bytes.count ? describe(at: position) : "<EOF>").", at: position)
        }
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    @inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// StringValue with escapes (§2.9.4); lone surrogates are rejected, pairs combined. Any Unicode
    /// scalar value but a line terminator may stand in a string as it is, control characters too
    /// (StringCharacter, SourceCharacter of the current draft).
    private mutating func readString(_ start: Int) throws -> Token {
        position += 1
        var chunkStart = position
        var value = [UInt8]()
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                value.append(contentsOf: bytes[chunkStart..<position])
                position += 1
                return Token(kind: .string, start: start, end: position, value: String(decoding: value, as: UTF8.self))
            }
            if c == 0x0A || c == 0x0D { throw error("Unterminated string.", at: position) }
            if c == UInt8(ascii: "\\") {
                value.append(contentsOf: bytes[chunkStart..<position])
                let escStart = position
                position += 1
                guard position < bytes.count else { throw error("Unterminated string.", at: position) }
                let e = bytes[position]
                position += 1
                if let simple = JSONBytes.simpleEscape(e) {
                    value.append(simple)
                } else if e == UInt8(ascii: "u") {
                    let scalar = try readEscapedUnicode(escStart)
                    value.append(contentsOf: Array(String(Character(scalar)).utf8))
                } else {
                    throw error("Invalid character escape sequence: \"\\\(String(decoding: [e], as: UTF8.self))\".", at: escStart)
                }
                chunkStart = position
                continue
            }
            if c >= 0x80 {
                // Validate the UTF-8 sequence; bytes are copied in chunks.
                let len = try utf8Length(at: position)
                position += len
                continue
            }
            position += 1
        }
        throw error("Unterminated string.", at: position)
    }

    private func utf8Length(at i: Int) throws -> Int {
        var decoder = UTF8()
        var it = bytes[i...].makeIterator()
        switch decoder.decode(&it) {
        case .scalarValue(let s): return String(s).utf8.count
        default: throw error("Invalid UTF-8 in source.", at: i)
        }
    }

    /// After `\u`: `XXXX` or `{X...}`; a leading surrogate must be followed by `\uXXXX` trailing one.
    private mutating func readEscapedUnicode(_ escStart: Int) throws -> Unicode.Scalar {
        /// The sequence quoted as graphql-js quotes it: `\uXXXX`, or `\u{…` up to the character
        /// that made it invalid.
        func invalid(through end: Int? = nil) -> GraphQLError {
            let end = min(bytes.count, end ?? escStart + 6)
            return error("Invalid Unicode escape sequence: \"\(String(decoding: bytes[escStart..<end], as: UTF8.self))\".", at: escStart)
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "{") {
            position += 1
            var v: UInt32 = 0
            var digits = 0
            while position < bytes.count, bytes[position] != UInt8(ascii: "}") {
                guard let d = hexValue(bytes[position]), digits < 8 else { throw invalid(through: position + 1) }
                v = v << 4 | d
                digits += 1
                position += 1
            }
            guard position < bytes.count, digits > 0 else { throw invalid(through: position + 1) }
            position += 1
            guard let s = Unicode.Scalar(v) else { throw invalid(through: position) }
            return s
        }
        guard let lead = readHex4() else { throw invalid() }
        if (0xD800...0xDBFF).contains(lead) {
            // A surrogate pair written as two escapes.
            if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                let save = position
                position += 2
                if let trail = readHex4(), (0xDC00...0xDFFF).contains(trail) {
                    return Unicode.Scalar(0x10000 + ((lead - 0xD800) << 10) + (trail - 0xDC00))!
                }
                position = save
            }
            throw invalid()
        }
        guard let s = Unicode.Scalar(lead) else { throw invalid() } // lone trailing surrogate
        return s
    }

    private mutating func readHex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = hexValue(bytes[position + k]) else { return nil }
            v = v << 4 | d
        }
        position += 4
        return v
    }

    private func hexValue(_ c: UInt8) -> UInt32? { hexDigitValue(c) }

    /// BlockString (§2.9.4): raw text up to `"""`, `\"""` escaped, then BlockStringValue().
    private mutating func readBlockString(_ start: Int) throws -> Token {
        position += 3
        var raw = [UInt8]()
        var chunkStart = position
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\""), position + 2 < bytes.count,
               bytes[position + 1] == UInt8(ascii: "\""), bytes[position + 2] == UInt8(ascii: "\"") {
                raw.append(contentsOf: bytes[chunkStart..<position])
                position += 3
                return Token(kind: .blockString, start: start, end: position, value: Self.blockStringValue(raw))
            }
            if c == UInt8(ascii: "\\"), position + 3 < bytes.count, bytes[position + 1] == UInt8(ascii: "\""),
               bytes[position + 2] == UInt8(ascii: "\""), bytes[position + 3] == UInt8(ascii: "\"") {
                raw.append(contentsOf: bytes[chunkStart..<position])
                raw.append(contentsOf: [0x22, 0x22, 0x22])
                position += 4
                chunkStart = position
                continue
            }
            if c >= 0x80 { position += try utf8Length(at: position); continue }
            position += 1
        }
        throw error("Unterminated string.", at: position)
    }

    /// BlockStringValue(rawValue): split lines, remove common indentation, trim blank first/last lines.
    static func blockStringValue(_ raw: [UInt8]) -> String {
        var lines: [ArraySlice<UInt8>] = []
        var i = 0, lineStart = 0
        while i < raw.count {
            if raw[i] == 0x0A { lines.append(raw[lineStart..<i]); lineStart = i + 1 }
            else if raw[i] == 0x0D {
                lines.append(raw[lineStart..<i])
                if i + 1 < raw.count, raw[i + 1] == 0x0A { i += 1 }
                lineStart = i + 1
            }
            i += 1
        }
        lines.append(raw[lineStart..<raw.count])
        func indent(_ l: ArraySlice<UInt8>) -> Int { l.prefix { $0 == 0x20 || $0 == 0x09 }.count }
        var common: Int?
        for l in lines.dropFirst() {
            let ind = indent(l)
            if ind < l.count, common == nil || ind < common! { common = ind }
        }
        if let common {
            for k in 1..<lines.count {
                let l = lines[k]
                lines[k] = l.dropFirst(min(common, l.count))
            }
        }
        func isBlank(_ l: ArraySlice<UInt8>) -> Bool { l.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        // Leading and trailing blank lines dropped by index (removing the first one at a time
        // moved every line after it: quadratic in a literal of blank lines, probe 53C).
        let first = lines.firstIndex { !isBlank($0) } ?? lines.count
        let last = lines.lastIndex { !isBlank($0) } ?? -1
        var out = [UInt8]()
        if first <= last {
            for k in first...last {
                if k > first { out.append(0x0A) }
                out.append(contentsOf: lines[k])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func text(_ t: Token) -> String { String(decoding: bytes[t.start..<t.end], as: UTF8.self) }
}

/// The value of an ASCII hex digit (GraphQL and JSON escapes share it).
func hexDigitValue(_ c: UInt8) -> UInt32? {
    switch c {
    case 0x30...0x39: return UInt32(c - 0x30)
    case 0x41...0x46: return UInt32(c - 0x41 + 10)
    case 0x61...0x66: return UInt32(c - 0x61 + 10)
    default: return nil
    }
}
