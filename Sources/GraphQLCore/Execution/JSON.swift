import OrderedCollections

/// A JSON value with ordered objects: the one representation of results, variables and
/// extensions. Written straight to bytes by `JSONWriter`, read by `JSONReader`.
///
/// Scalars are held inline (16 bytes, no allocation of their own: a response tree's leaves are
/// most of its values); only an object is boxed, which keeps the enum that small.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    indirect case object(OrderedDictionary<String, JSON>)

    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public subscript(index: Int) -> JSON? {
        if case .array(let a) = self, index >= 0, index < a.count { return a[index] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.007e15: return Int(d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: OrderedDictionary<String, JSON>? { if case .object(let o) = self { return o } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// Serialised bytes.
    public var bytes: [UInt8] {
        var w = JSONWriter()
        w.write(self)
        return w.bytes
    }

    /// Serialised text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(OrderedDictionary(elements, uniquingKeysWith: { $1 }))
    }
}

/// Where JSON is written: a sink of bytes. What JSON looks like is written once, in this
/// protocol's extension, for both sinks: `JSONWriter` (an array, for most writing) and
/// `RawJSONWriter` (a raw buffer, for the shaper's one long answer per request, where the array's
/// per-append checks were a measurable part of the request).
public protocol JSONOutput {
    mutating func put(_ byte: UInt8)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension JSONOutput {
    @inlinable public mutating func write(_ value: JSON) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): writeInt(i)
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let a):
            put(UInt8(ascii: "["))
            var first = true
            for v in a {
                if !first { put(UInt8(ascii: ",")) }
                first = false
                write(v)
            }
            put(UInt8(ascii: "]"))
        case .object(let o):
            put(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { put(UInt8(ascii: ",")) }
                first = false
                writeString(k)
                put(UInt8(ascii: ":"))
                write(v)
            }
            put(UInt8(ascii: "}"))
        }
    }

    @inlinable @inline(__always) public mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { put($0) }
    }

    @inlinable public mutating func appendRaw(_ b: [UInt8]) { b.withUnsafeBufferPointer { put($0) } }

    @inlinable public mutating func writeInt(_ i: Int) {
        if i >= 0 && i < 10 { put(UInt8(48 + i)); return }
        var v = i.magnitude
        var buf: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &buf) { p in
            while v > 0 { p[19 - n] = UInt8(48 + v % 10); v /= 10; n += 1 }
            if i < 0 { n += 1; p[20 - n] = UInt8(ascii: "-") }
            put(UnsafeBufferPointer(start: p.baseAddress!.assumingMemoryBound(to: UInt8.self) + (20 - n), count: n))
        }
    }

    @inlinable public mutating func writeDouble(_ d: Double) {
        guard d.isFinite else { append("null"); return }
        if d == d.rounded(), abs(d) < 1e15 { writeInt(Int(d)); return }
        var text = d.description
        text.withUTF8 { put($0) }
    }

    @inlinable public mutating func writeString(_ s: String) {
        var s = s
        s.withUTF8 { writeString(utf8: $0) }
    }

    /// A string given as UTF-8 bytes, quoted and escaped.
    @inlinable public mutating func writeString(utf8 u: UnsafeBufferPointer<UInt8>) {
        put(UInt8(ascii: "\""))
        var chunk = 0
        var i = 0
        let n = u.count
        while i < n {
            // Eight bytes at a time while none needs escaping (most text).
            if i + 8 <= n, !JSONBytes.anyQuoteBackslashOrControl(UnsafeRawPointer(u.baseAddress! + i).loadUnaligned(as: UInt64.self)) {
                i += 8
                continue
            }
            let c = u[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C { i += 1; continue }
            put(UnsafeBufferPointer(rebasing: u[chunk..<i]))
            chunk = i + 1
            switch c {
            case 0x22: append("\\\"")
            case 0x5C: append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            default:
                append("\\u00")
                let hex: StaticString = "0123456789abcdef"
                put(hex.utf8Start[Int(c >> 4)])
                put(hex.utf8Start[Int(c & 0xF)])
            }
            i += 1
        }
        put(UnsafeBufferPointer(rebasing: u[chunk..<n]))
        put(UInt8(ascii: "\""))
    }
}

/// Writes JSON bytes directly (no Foundation, no Codable), keys in their given order, into an array.
public struct JSONWriter: JSONOutput {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    @inlinable @inline(__always) public mutating func put(_ byte: UInt8) { bytes.append(byte) }
    @inlinable @inline(__always) public mutating func put(_ b: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: b) }
}

/// Writes JSON into one raw buffer it owns (grown by doubling): a byte costs a compare and a
/// store, a run a compare and a copy — no uniqueness or bounds checks per append. Its bytes
/// become an array once, at the end (`finish`). A value of it is not to be copied while written
/// (copies share the buffer).
public struct RawJSONWriter: JSONOutput {
    /// Frees the buffer when the last writer holding it goes.
    @usableFromInline final class Storage {
        @usableFromInline var base: UnsafeMutablePointer<UInt8>
        @usableFromInline var capacity: Int
        /// The buffer is the writer's (else it is lent: see `init(lent:)`).
        @usableFromInline var owned: Bool
        @usableFromInline init(capacity: Int) {
            self.capacity = Swift.max(capacity, 16)
            base = .allocate(capacity: self.capacity)
            owned = true
        }
        @usableFromInline init(lent: UnsafeMutableBufferPointer<UInt8>) {
            base = lent.baseAddress!
            capacity = lent.count
            owned = false
        }
        deinit { if owned { base.deallocate() } }
    }

    @usableFromInline var storage: Storage
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    /// How many bytes are written.
    @usableFromInline var written = 0
    public var count: Int { written }

    public init(capacity: Int = 1_024) {
        storage = Storage(capacity: capacity)
        base = storage.base
        self.capacity = storage.capacity
    }

    /// A writer into memory lent for as long as it writes (an array's storage being made: what
    /// it writes needs no copy), that moves to a buffer of its own when it must grow. Neither it
    /// nor a copy of it may be used once the lender takes its memory back.
    package init(lent: UnsafeMutableBufferPointer<UInt8>) {
        precondition(lent.count > 0 && lent.baseAddress != nil)
        storage = Storage(lent: lent)
        base = storage.base
        capacity = storage.capacity
    }

    /// Whether everything written is still in the lent memory.
    package var isInLentMemory: Bool { !storage.owned }

    /// Makes room for `n` more bytes (moving what is written to a buffer at least twice as large).
    @usableFromInline mutating func grow(_ n: Int) {
        let capacity = Swift.max(self.capacity * 2, written + n)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        moved.update(from: base, count: written)
        if storage.owned { storage.base.deallocate() }
        storage.owned = true
        storage.base = moved
        storage.capacity = capacity
        base = moved
        self.capacity = capacity
    }

    @inlinable @inline(__always) public mutating func put(_ byte: UInt8) {
        if written == capacity { grow(1) }
        base[written] = byte
        written += 1
    }

    @inlinable @inline(__always) public mutating func put(_ b: UnsafeBufferPointer<UInt8>) {
        let n = b.count
        if written + n > capacity { grow(n) }
        if n <= 16 {
            // Short runs (keys, punctuation, small numbers): a loop the compiler keeps inline.
            var i = 0
            while i < n { base[written + i] = b[i]; i += 1 }
        } else {
            (base + written).update(from: b.baseAddress!, count: n)
        }
        written += n
    }

    public mutating func put(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { put($0) } }

    /// Takes back everything written from `mark` on.
    @inlinable public mutating func truncate(_ mark: Int) { written = Swift.min(written, mark) }

    /// The bytes written, as an array with room for `room` more (what completes a response
    /// after them: appended without moving the bytes again).
    public func finish(room: Int = 0) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count + room) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.update(from: base, count: count) }
            initialized = count
        }
    }
}

/// Word-at-a-time tests on eight bytes of JSON text (each tells whether any byte matches), and
/// the pieces of reading JSON that every reader of it shares (numbers, escaped strings).
public enum JSONBytes {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte is zero.
    @inlinable @inline(__always) static func anyZero(_ w: UInt64) -> Bool { (w &- ones) & ~w & highs != 0 }

    /// Whether any byte is `"`, `\` or below 0x20 (what a JSON string must escape, and where
    /// reading one must stop and look).
    @inlinable @inline(__always) public static func anyQuoteBackslashOrControl(_ w: UInt64) -> Bool {
        let below20 = (w &- ones &* 0x20) & ~w & highs
        return below20 != 0 || anyZero(w ^ (ones &* 0x22)) || anyZero(w ^ (ones &* 0x5C))
    }

    /// The end of a string's plain run from `start`: the first quote, backslash or control byte
    /// (or the end of the bytes).
    @inlinable public static func plainEnd(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var j = start
        let count = b.count
        if let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            while j + 8 <= count, !anyQuoteBackslashOrControl(raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) { j += 8 }
        }
        while j < count {
            let c = b[j]
            if c == 0x22 || c == 0x5C || c < 0x20 { break }
            j += 1
        }
        return j
    }

    /// Whether any byte is 0x80 or above (not ASCII).
    @inlinable public static func anyNonASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var j = 0
        let count = b.count
        if let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            while j + 8 <= count {
                if raw.loadUnaligned(fromByteOffset: j, as: UInt64.self) & highs != 0 { return true }
                j += 8
            }
        }
        while j < count {
            if b[j] >= 0x80 { return true }
            j += 1
        }
        return false
    }

    /// The byte a one-character escape (`\\n`, `\\"`, …) stands for; the same set in JSON strings and
    /// GraphQL string values. Nil for `u` and anything that is not an escape.
    @inlinable public static func simpleEscape(_ e: UInt8) -> UInt8? {
        switch e {
        case UInt8(ascii: "\""): return 0x22
        case UInt8(ascii: "\\"): return 0x5C
        case UInt8(ascii: "/"): return 0x2F
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }

    /// A JSON number read from `i` (moved past it): an `Int` when it is an integer that fits,
    /// else a `Double`; nil when it is not a number.
    public static func number(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> JSON? {
        let start = i
        let count = b.count
        func digit(_ j: Int) -> Bool { j < count && b[j] >= 0x30 && b[j] <= 0x39 }
        if i < count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { return nil }
        if b[i] == 0x30 { i += 1 } else { while digit(i) { i += 1 } }
        var isFloat = false
        if i < count, b[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            guard digit(i) else { return nil }
            while digit(i) { i += 1 }
        }
        if i < count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            if i < count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digit(i) else { return nil }
            while digit(i) { i += 1 }
        }
        if !isFloat, i - start <= 18 {
            // Integers that fit are read from the bytes (no text in between).
            var v = 0
            let negative = b[start] == UInt8(ascii: "-")
            for j in (negative ? start + 1 : start)..<i { v = v * 10 + Int(b[j] - 0x30) }
            return .int(negative ? -v : v)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        if !isFloat, let v = Int(text) { return .int(v) }
        return Double(text).map { .double($0) }
    }

    /// The rest of a string with escapes, from `i` (inside the string) to its closing quote
    /// (`i` moved past it), unescaped onto `out`. Returns what is wrong, or nil.
    public static func unescape(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, into out: inout [UInt8]) -> String? {
        let count = b.count
        var chunk = i
        func hex4() -> UInt32? {
            guard i + 4 <= count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let d = hexDigitValue(b[i]) else { return nil }
                v = v << 4 | d
                i += 1
            }
            return v
        }
        while i < count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[chunk..<i]))
                i += 1
                return nil
            }
            if c < 0x20 { return "control character in string" }
            if c == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[chunk..<i]))
                i += 1
                guard i < count else { return "unterminated string" }
                let e = b[i]
                i += 1
                if let simple = simpleEscape(e) {
                    out.append(simple)
                } else if e == UInt8(ascii: "u") {
                    guard var v = hex4() else { return "invalid unicode escape" }
                    if (0xD800...0xDBFF).contains(v) {
                        // A high surrogate and the low one after it are one scalar. Alone (what
                        // `JSON.stringify` and Python's `json.dumps` write for a string cut inside a
                        // pair), it is U+FFFD, as invalid UTF-8 is, not the end of the whole text.
                        var paired = false
                        if i + 1 < count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                            let next = i
                            i += 2
                            if let lo = hex4(), (0xDC00...0xDFFF).contains(lo) {
                                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                                paired = true
                            } else {
                                i = next   // that escape is read on its own
                            }
                        }
                        if !paired { v = 0xFFFD }
                    } else if (0xDC00...0xDFFF).contains(v) {
                        v = 0xFFFD
                    }
                    guard let s = Unicode.Scalar(v) else { return "invalid unicode escape" }
                    out.append(contentsOf: Array(String(Character(s)).utf8))
                } else {
                    return "invalid escape"
                }
                chunk = i
                continue
            }
            i += 1
        }
        return "unterminated string"
    }
}

/// Reads JSON (RFC 8259) from bytes, with a nesting limit counted while reading.
public struct JSONReader {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
        public let isDepthExceeded: Bool
    }

    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0
    private let maxDepth: Int

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 128) throws -> JSON {
        var r = JSONReader(bytes: bytes, maxDepth: maxDepth)
        r.skipWhitespace()
        let v = try r.readValue()
        r.skipWhitespace()
        guard r.i == bytes.count else { throw r.fail("unexpected data after the JSON value") }
        return v
    }

    public static func parse(_ text: String, maxDepth: Int = 128) throws -> JSON {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// As `parse`, but an object that names a member twice is refused (where readers of the same
    /// text could take different values: a JWT's claims, RFC 7519 §4).
    public static func parseRefusingDuplicateNames(_ bytes: [UInt8], maxDepth: Int = 128) throws -> JSON {
        var r = JSONReader(bytes: bytes, maxDepth: maxDepth)
        r.refusesDuplicateNames = true
        r.skipWhitespace()
        let v = try r.readValue()
        r.skipWhitespace()
        guard r.i == bytes.count else { throw r.fail("unexpected data after the JSON value") }
        return v
    }
    private var refusesDuplicateNames = false

    /// Whether `text` is one JSON object, valid throughout (what `parse` would accept as an
    /// object, but for member names that differ only in Unicode normalization: kept as they are
    /// in the text, as `jsonb` keeps them), checked without building its value.
    public static func isObject(_ text: String, maxDepth: Int = 128) -> Bool {
        var r = JSONReader(bytes: Array(text.utf8), maxDepth: maxDepth)
        r.skipWhitespace()
        guard r.i < r.bytes.count, r.bytes[r.i] == UInt8(ascii: "{"), (try? r.skipValue()) != nil else { return false }
        r.skipWhitespace()
        return r.i == r.bytes.count
    }

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private func fail(_ m: String) -> Failure { Failure(description: "\(m) at byte \(i)", isDepthExceeded: false) }

    private mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func enter() throws {
        depth += 1
        if depth > maxDepth { throw Failure(description: "JSON nesting exceeds \(maxDepth) levels", isDepthExceeded: true) }
    }

    private mutating func readValue() throws -> JSON {
        guard i < bytes.count else { throw fail("unexpected end of JSON") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            // Room for a small object at once (most are: representations, input objects), not
            // grown one member at a time.
            var o = OrderedDictionary<String, JSON>(minimumCapacity: 4)
            try readObject { r, key in
                // A name given twice: the last value (as JavaScript reads it). Two names that are
                // different texts but one `String` key (Unicode canonical equivalence: "é" and
                // "e" + U+0301) cannot both be kept: refused, not one of them dropped.
                if o.updateValue(try r.readValue(), forKey: key) != nil {
                    if let at = o.index(forKey: key), !o.keys[at].utf8.elementsEqual(key.utf8) {
                        throw r.fail("two member names of an object differ only in Unicode normalization")
                    }
                    if r.refusesDuplicateNames { throw r.fail("the member name \"\(key)\" is given twice") }
                }
            }
            return .object(o)
        case UInt8(ascii: "["):
            var a: [JSON] = []
            try readArray { r in a.append(try r.readValue()) }
            return .array(a)
        default:
            return try readScalar()
        }
    }

    /// A value read and checked, not kept.
    private mutating func skipValue() throws {
        guard i < bytes.count else { throw fail("unexpected end of JSON") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            try readObject(keepingKeys: false) { r, _ in try r.skipValue() }
        case UInt8(ascii: "["):
            try readArray { r in try r.skipValue() }
        case UInt8(ascii: "\""):
            try skipString()
        default:
            _ = try readScalar()
        }
    }

    /// A string checked (its escapes too), not kept.
    private mutating func skipString() throws {
        i += 1
        i = bytes.withUnsafeBufferPointer { JSONBytes.plainEnd($0, from: i) }
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") { i += 1; return }
        var scratch: [UInt8] = []
        let wrong = bytes.withUnsafeBufferPointer { JSONBytes.unescape($0, &i, into: &scratch) }
        if let wrong { throw fail(wrong) }
    }

    /// An object, each member's value read by `member` (positioned at the value); keys checked
    /// and not kept (passed as "") unless `keepingKeys`.
    private mutating func readObject(keepingKeys: Bool = true, _ member: (inout JSONReader, String) throws -> Void) throws {
        try enter()
        defer { depth -= 1 }
        i += 1
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            var k = ""
            if keepingKeys { k = try readString() } else { try skipString() }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipWhitespace()
            try member(&self, k)
            skipWhitespace()
            guard i < bytes.count else { throw fail("unexpected end of JSON") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            throw fail("expected ',' or '}'")
        }
    }

    /// A list, each item read by `item` (positioned at the item).
    private mutating func readArray(_ item: (inout JSONReader) throws -> Void) throws {
        try enter()
        defer { depth -= 1 }
        i += 1
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipWhitespace()
            try item(&self)
            skipWhitespace()
            guard i < bytes.count else { throw fail("unexpected end of JSON") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func readScalar() throws -> JSON {
        guard i < bytes.count else { throw fail("unexpected end of JSON") }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return try readNumber()
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw fail("invalid literal") }
        let ok = word.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[i + $0] == w[$0] } }
        guard ok else { throw fail("invalid literal") }
        i += n
    }

    private mutating func readNumber() throws -> JSON {
        let digitAt = bytes[i] == UInt8(ascii: "-") ? i + 1 : i
        let found = bytes.withUnsafeBufferPointer { JSONBytes.number($0, &i) }
        // Not a number at all (no digit where one starts), or a number that goes wrong later.
        guard let found else { throw fail(i == digitAt ? "invalid value" : "invalid number") }
        return found
    }

    private mutating func readString() throws -> String {
        i += 1
        // The common case, no escape: the string straight from the bytes.
        let start = i
        i = bytes.withUnsafeBufferPointer { JSONBytes.plainEnd($0, from: start) }
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            i += 1
            return String(decoding: bytes[start..<(i - 1)], as: UTF8.self)
        }
        var out = [UInt8](bytes[start..<i])
        let wrong = bytes.withUnsafeBufferPointer { JSONBytes.unescape($0, &i, into: &out) }
        if let wrong { throw fail(wrong) }
        return String(decoding: out, as: UTF8.self)
    }
}
