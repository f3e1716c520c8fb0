#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrderedCollections

/// Whether `n` bytes at `a` and at `b` are equal.
@inline(__always)
package func sameBytes(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>?, _ n: Int) -> Bool {
    n == 0 || memcmp(a!, b!, n) == 0
}

/// A response tree in flat storage: every value a 16-byte record with no reference count, an
/// object's members and a list's items each one run of records, the strings' bytes in one array.
/// A remote subgraph's body is read into one (`parseResponse`), the executor writes its response
/// into one as its resolvers complete (an in-process subgraph's answer is that buffer, handed
/// over as is); a plan run absorbs each answer into
/// its own buffer (the records appended with their indices moved, the keys renumbered) and
/// merges entity answers by linking runs, never moving a value. The shaper, the representation
/// writer and the merge read values by index: walking the tree costs no allocation and no
/// retain or release, and freeing it is freeing five arrays.
///
/// An object is a chain of runs (`Object`): its own members, then the runs merged into it after.
/// A key is looked up run by run and its first occurrence wins; a merge writes merged values
/// into the first occurrence, so a later run only ever adds keys.
public struct ResponseBuffer: Sendable {
    /// One value. Scalars inline, short strings too (`short`); a longer string is a range of
    /// `text`; a list a run of `values`; an object an index into `objects`.
    public struct Value: Sendable {
        public enum Kind: UInt8, Sendable {
            case null, bool, int, double
            /// A string whose bytes need no escaping in JSON (written as they are).
            case string
            /// A string whose bytes must be escaped when written.
            case escaped
            case object, list
            /// A string of at most 8 ASCII bytes that need no escaping, held in the value itself
            /// (ids, codes, type names): read, hashed and compared without touching `text`.
            /// Every such string is kept this way, so equal ones are equal values.
            case short
            /// An integer too large for 64 bits (a custom scalar's), its digits kept in `text` as
            /// they came and written so (read as a double, it lost its last digits).
            case number
        }
        /// The kind in the low byte; above it, the record's key id in its object as a signed
        /// 24-bit number (-1: a list item, or no record). The record stays 16 bytes, and looking
        /// a member up reads one array with one load and one compare per record.
        @usableFromInline var tag: UInt32
        /// String: offset in `text`; short string: length; list: first item in `values`; object:
        /// index in `objects`; bool: 0 or 1.
        package var a: UInt32
        /// String: length; short string: its bytes (the first in the low byte, zeros after);
        /// list: count; int and double: the bits.
        package var b: UInt64

        @inline(__always) package init(_ kind: Kind, _ a: UInt32 = 0, _ b: UInt64 = 0) {
            tag = 0xFFFF_FF00 | UInt32(kind.rawValue)
            self.a = a
            self.b = b
        }
        public var kind: Kind {
            // The low byte only ever holds a `Kind`'s raw value, which is its case's index.
            @inline(__always) get { unsafeBitCast(UInt8(truncatingIfNeeded: tag), to: Kind.self) }
            @inline(__always) set { tag = (tag & 0xFFFF_FF00) | UInt32(newValue.rawValue) }
        }
        /// The key id of this record in its object (-1: a list item, or no record).
        @inline(__always) package var key: Int32 {
            get { Int32(bitPattern: tag) >> 8 }
            set { tag = UInt32(bitPattern: newValue << 8) | (tag & 0xFF) }
        }
        /// The same value under key `k`.
        @inline(__always) package func withKey(_ k: Int32) -> Value {
            var v = self
            v.key = k
            return v
        }
        public static let null = Value(.null)
        /// Object `o` as a value.
        public init(object o: Int32) { self.init(.object, UInt32(bitPattern: o)) }
        @inline(__always) public var isNull: Bool { kind == .null }
        @inline(__always) public var isObject: Bool { kind == .object }
        @inline(__always) public var isList: Bool { kind == .list }
        @inline(__always) public var isString: Bool { kind == .string || kind == .escaped || kind == .short }
        /// An object's index (for `member`, `merge`), meaningful when `isObject`.
        @inline(__always) public var object: Int32 { Int32(bitPattern: a) }
        /// A list's items, meaningful when `isList`.
        @inline(__always) public var items: Range<Int> { Int(a)..<(Int(a) + Int(b)) }
        /// The same string record (the same bytes of `text`): strings with equal bytes that are
        /// not the same record compare false here (compare their bytes).
        @inline(__always) public func isSameRecord(as other: Value) -> Bool { kind == other.kind && a == other.a && b == other.b }
        public var int: Int { Int(bitPattern: UInt(b)) }
        public var double: Double { Double(bitPattern: b) }
        public var bool: Bool { a != 0 }
    }

    /// A run of an object's members (`values` from `first`), and the next run of the
    /// same object (-1: none).
    package struct Object: Sendable {
        package var first: Int32
        package var count: Int32
        package var next: Int32
    }

    /// Members' and items' values, in runs (each member's key id in its record).
    public internal(set) var values: [Value] = []
    package internal(set) var objects: [Object] = []
    /// The bytes of every string.
    package internal(set) var text: [UInt8] = []
    public internal(set) var keys = KeyTable()
    /// The tree's root (a subgraph answer's `data`).
    public var root: Value = .null
    /// How many times a merge put a value where an object or list was, or an object or list
    /// where another value was: what lies below some objects changed (records can be shared by
    /// several objects, so a walk of the tree made before may no longer hold).
    public private(set) var compositesReplaced = 0
    /// Objects a later answer gave as null (its subgraph nulled it for a field of its own that
    /// failed): kept for what other answers put in them, and known as failed for the fields they
    /// lack (a non-null one of them nulls the object where it is asked, without an error of its
    /// own: the subgraph's error is the reason).
    public private(set) var nulledObjects = Set<Int32>()

    public init() {}

    /// About how many bytes the tree's values take written as JSON (their strings, and a key,
    /// quotes and punctuation per value): room to make before writing an answer from it.
    public var writtenSizeEstimate: Int { text.count + values.count * 16 }

    /// At least how many bytes the whole tree takes written as JSON (in the tree's own keys): each value's
    /// key with its quotes and colon, a comma, and the widest its scalar can be written. An
    /// answer is a part of the tree, so room for this is room for it (pages of the room that
    /// are never written are never touched, so a generous bound costs little memory).
    public var writtenSizeBound: Int {
        var n = text.count + 64
        keys.lengths { keyLength in
            do {
                values.withUnsafeBufferPointer { values in
                    for i in 0..<values.count {
                        let k = Int(values[i].key)
                        if k >= 0 { n += keyLength[k] + 3 }
                        switch values[i].kind {
                        case .null: n += 5
                        case .bool: n += 6
                        case .int: n += 21
                        case .double: n += 25
                        case .string, .object, .list: n += 3
                        case .escaped: n += 3 + Int(values[i].b)   // room for its escapes
                        case .short: n += 3 + Int(values[i].a)
                        case .number: n += Int(values[i].b)
                        }
                    }
                }
            }
        }
        return n
    }

    // MARK: Short strings

    /// The short-string value of `u`, when it is one: at most 8 bytes, ASCII, nothing to escape.
    @inline(__always)
    static func short(_ u: UnsafeBufferPointer<UInt8>) -> Value? {
        guard u.count <= 8 else { return nil }
        var packed: UInt64 = 0
        for i in 0..<u.count {
            let c = u[i]
            guard c >= 0x20, c < 0x80, c != 0x22, c != 0x5C else { return nil }
            packed |= UInt64(c) << UInt64(8 * i)
        }
        return Value(.short, UInt32(u.count), packed)
    }

    /// `u`'s bytes packed as a short string's (meaningful when `u` is at most 8 bytes).
    @inline(__always)
    static func packed(_ u: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var packed: UInt64 = 0
        for i in 0..<Swift.min(u.count, 8) { packed |= UInt64(u[i]) << UInt64(8 * i) }
        return packed
    }

    /// A short string's bytes, for the time of `body`.
    @inline(__always)
    static func withShort<T>(_ v: Value, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var bytes = v.b.littleEndian
        return withUnsafeBytes(of: &bytes) { body(UnsafeBufferPointer(start: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: Int(v.a))) }
    }

    // MARK: Reading

    /// The record of `key` in object `o` (its first occurrence along the object's runs).
    @inline(__always)
    public func slot(_ o: Int32, _ key: Int32) -> Int? {
        var o = Int(o)
        while o >= 0 {
            let run = objects[o]
            var s = Int(run.first)
            let end = s + Int(run.count)
            while s < end {
                if values[s].key == key { return s }
                s += 1
            }
            o = Int(run.next)
        }
        return nil
    }

    /// The records of object `o`'s first run (its own members, before any merged into it).
    @inline(__always)
    public func firstRun(_ o: Int32) -> Range<Int> {
        let run = objects[Int(o)]
        return Int(run.first)..<(Int(run.first) + Int(run.count))
    }

    /// The value of `key` in object `o`, if it has the key.
    @inline(__always)
    public func member(_ o: Int32, _ key: Int32) -> Value? {
        slot(o, key).map { values[$0] }
    }

    /// The value of `key` in `value` when it is an object that has the key.
    public func member(_ value: Value, _ key: String) -> Value? {
        guard value.isObject, let k = keys.find(key) else { return nil }
        return member(value.object, k)
    }

    /// Object `o`'s `__typename`, when it has one.
    public func typename(_ o: Int32) -> String? {
        typenameValue(o).map(string)
    }

    /// Object `o`'s `__typename` as a string value (compared by its bytes, no `String` made).
    @inline(__always)
    public func typenameValue(_ o: Int32) -> Value? {
        guard keys.typename >= 0, let v = member(o, keys.typename), v.isString else { return nil }
        return v
    }

    /// Whether object `o`'s `__typename` is `name` (nil: it has none).
    @inline(__always)
    public func typename(_ o: Int32, is name: String?) -> Bool {
        guard let v = typenameValue(o) else { return name == nil }
        guard let name else { return false }
        return string(v, equals: name)
    }

    /// A string value's text.
    public func string(_ v: Value) -> String {
        if v.kind == .short { return Self.withShort(v) { String(decoding: $0, as: UTF8.self) } }
        return text.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[Int(v.a)..<(Int(v.a) + Int(v.b))]), as: UTF8.self) }
    }

    /// Whether a string value's text is `s`.
    public func string(_ v: Value, equals s: String) -> Bool {
        var s = s
        return s.withUTF8 { string(v, equalsUTF8: $0) }
    }

    /// Whether a string value's text is `bytes`.
    public func string(_ v: Value, equals bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { string(v, equalsUTF8: $0) }
    }

    private func string(_ v: Value, equalsUTF8 u: UnsafeBufferPointer<UInt8>) -> Bool {
        if v.kind == .short { return Int(v.a) == u.count && v.b == Self.packed(u) }
        guard v.isString, Int(v.b) == u.count else { return false }
        return text.withUnsafeBufferPointer { sameBytes($0.baseAddress.map { $0 + Int(v.a) }, u.baseAddress, u.count) }
    }

    /// Whether two scalars are written as the same JSON (false for objects and lists: compare
    /// those by what is written). Equal values of different kinds (an int and a whole double)
    /// count as different.
    @inline(__always)
    public func sameScalar(_ x: Value, _ y: Value) -> Bool {
        guard x.kind == y.kind else { return false }
        switch x.kind {
        case .null: return true
        case .bool: return x.a == y.a
        case .int, .double: return x.b == y.b
        case .string, .escaped, .number:
            guard x.b == y.b else { return false }
            if x.a == y.a { return true }
            return text.withUnsafeBufferPointer { sameBytes($0.baseAddress! + Int(x.a), $0.baseAddress! + Int(y.a), Int(x.b)) }
        case .short: return x.b == y.b   // no NUL in it: the bytes say the length
        case .object, .list: return false
        }
    }

    /// Feeds a scalar's kind and content to `h` (equal for values `sameScalar` finds the same);
    /// false, and nothing fed, for an object or a list.
    @inline(__always)
    public func hashScalar(_ v: Value, into h: inout QuickHasher) -> Bool {
        switch v.kind {
        // Words no short string packs to (its bytes are ASCII: the top byte is below 0x80).
        case .null: h.combine(UInt64(0xFFFF_FFFF_FFFF_FF00)); return true
        case .bool: h.combine(UInt64(0xFFFF_FFFF_FFFF_FF01) &+ UInt64(v.a)); return true
        case .int, .double: h.combine(UInt64(v.kind.rawValue)); h.combine(v.b); return true
        case .string, .escaped, .number:
            text.withUnsafeBytes { h.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[Int(v.a)..<(Int(v.a) + Int(v.b))])) }
            return true
        case .short: h.combine(v.b); return true
        case .object, .list: return false
        }
    }

    /// Every member of object `o` once (the first occurrence of each key), in order; `all`:
    /// every record of its first run, repeated keys included (what a reader of the raw object sees).
    public func members(_ o: Int32, all: Bool = false, _ body: (_ key: Int32, _ value: Value) -> Void) {
        if all {
            let run = objects[Int(o)]
            for s in Int(run.first)..<(Int(run.first) + Int(run.count)) { body(values[s].key, values[s]) }
            return
        }
        var run = objects[Int(o)]
        if run.next < 0 {   // one run (the executor's objects, most of a subgraph's): nothing to skip
            for s in Int(run.first)..<(Int(run.first) + Int(run.count)) { body(values[s].key, values[s]) }
            return
        }
        var seen: [Int32] = []
        var firstRun = true
        while true {
            for s in Int(run.first)..<(Int(run.first) + Int(run.count)) {
                let k = values[s].key
                if !firstRun, seen.contains(k) { continue }
                seen.append(k)
                body(k, values[s])
            }
            guard run.next >= 0 else { return }
            run = objects[Int(run.next)]
            firstRun = false
        }
    }

    /// A value as bytes (objects' members once each, in order) at the end of `w`.
    public func write(_ v: Value, _ w: inout JSONWriter) { writeValue(v, &w) }

    /// Value `v` as JSON at the end of `w`.
    public func write(_ v: Value, _ w: inout RawJSONWriter) { writeValue(v, &w) }

    @inline(__always) private func writeValue<W: JSONOutput>(_ v: Value, _ w: inout W) {
        switch v.kind {
        case .null: w.append("null")
        case .bool: w.append(v.bool ? "true" : "false")
        case .int: w.writeInt(v.int)
        case .double: w.writeDouble(v.double)
        case .string:
            w.put(UInt8(ascii: "\""))
            text.withUnsafeBufferPointer { w.put(UnsafeBufferPointer(rebasing: $0[Int(v.a)..<(Int(v.a) + Int(v.b))])) }
            w.put(UInt8(ascii: "\""))
        case .escaped:
            text.withUnsafeBufferPointer { w.writeString(utf8: UnsafeBufferPointer(rebasing: $0[Int(v.a)..<(Int(v.a) + Int(v.b))])) }
        case .number:
            text.withUnsafeBufferPointer { w.put(UnsafeBufferPointer(rebasing: $0[Int(v.a)..<(Int(v.a) + Int(v.b))])) }
        case .short:
            w.put(UInt8(ascii: "\""))
            Self.withShort(v) { w.put($0) }
            w.put(UInt8(ascii: "\""))
        case .list:
            w.put(UInt8(ascii: "["))
            for s in v.items {
                if s != v.items.lowerBound { w.put(UInt8(ascii: ",")) }
                writeValue(values[s], &w)
            }
            w.put(UInt8(ascii: "]"))
        case .object:
            w.put(UInt8(ascii: "{"))
            var first = true
            members(v.object) { k, value in
                if !first { w.put(UInt8(ascii: ",")) }
                first = false
                w.writeString(keys.names[Int(k)])
                w.put(UInt8(ascii: ":"))
                writeValue(value, &w)
            }
            w.put(UInt8(ascii: "}"))
        }
    }

    /// The root as JSON.
    public var rootJSON: JSON { json(root) }

    /// A value as JSON.
    public func json(_ v: Value) -> JSON {
        switch v.kind {
        case .null: return .null
        case .bool: return .bool(v.bool)
        case .int: return .int(v.int)
        case .double: return .double(v.double)
        case .string, .escaped, .short: return .string(string(v))
        case .number:
            // JSON values hold 64-bit integers and doubles: the nearest double.
            let digits = text.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[Int(v.a)..<(Int(v.a) + Int(v.b))]), as: UTF8.self) }
            return .double(Double(digits) ?? 0)
        case .list: return .array(v.items.map { json(values[$0]) })
        case .object:
            var o = OrderedDictionary<String, JSON>()
            members(v.object) { k, value in o[keys.names[Int(k)]] = json(value) }
            return .object(o)
        }
    }

    // MARK: Building

    /// A new empty object.
    public mutating func newObject() -> Value {
        objects.append(Object(first: Int32(values.count), count: 0, next: -1))
        return Value(.object, UInt32(objects.count - 1))
    }

    /// The text from `start` on as valid UTF-8: a subgraph's invalid bytes become U+FFFD (as
    /// reading them into a `String` does), so that no client or subgraph is sent invalid JSON.
    package mutating func repairUTF8(from start: Int) {
        let valid = text.withUnsafeBufferPointer { t -> String? in
            let bytes = UnsafeBufferPointer(rebasing: t[start...])
            guard JSONBytes.anyNonASCII(bytes) else { return nil }
            let s = String(decoding: bytes, as: UTF8.self)
            return s.utf8.elementsEqual(bytes) ? nil : s
        }
        guard let valid else { return }
        text.removeSubrange(start...)
        text.append(contentsOf: valid.utf8)
    }

    /// A string as a value: in the value when it is short and plain ASCII, else its bytes
    /// appended to `text`.
    package mutating func string(utf8 u: UnsafeBufferPointer<UInt8>) -> Value {
        if let short = Self.short(u) { return short }
        let start = text.count
        text.append(contentsOf: u)
        let plain = JSONBytes.plainEnd(u, from: 0) == u.count
        return Value(plain ? .string : .escaped, UInt32(start), UInt64(u.count))
    }

    public mutating func string(_ s: String) -> Value {
        var s = s
        return s.withUTF8 { string(utf8: $0) }
    }

    /// A scalar of a JSON value (objects and lists go through `append(json:)`).
    package mutating func append(json: JSON) -> Value {
        switch json {
        case .null: return .null
        case .bool(let b): return Value(.bool, b ? 1 : 0)
        case .int(let i): return Value(.int, 0, UInt64(UInt(bitPattern: i)))
        case .double(let d): return Value(.double, 0, d.bitPattern)
        case .string(let s): return string(s)
        case .array(let items):
            let first = reserve(items.count)
            for (j, item) in items.enumerated() { values[first + j] = append(json: item) }
            return Value(.list, UInt32(first), UInt64(items.count))
        case .object(let o):
            let first = reserve(o.count)
            for (j, (k, value)) in o.enumerated() {
                let id = keys.id(k)
                values[first + j] = append(json: value).withKey(id)
            }
            objects.append(Object(first: Int32(first), count: Int32(o.count), next: -1))
            return Value(.object, UInt32(objects.count - 1))
        }
    }

    /// Value `v` into record `index`, which keeps its key.
    @inline(__always)
    package mutating func put(_ v: Value, at index: Int) {
        values[index] = v.withKey(values[index].key)
    }

    /// `n` records at the end of `values`, to be filled in (their children go after them).
    package mutating func reserve(_ n: Int) -> Int {
        let first = values.count
        values.append(contentsOf: repeatElement(.null, count: n))
        return first
    }

    /// Room for `values` records, `objects` objects and `text` bytes of strings in all, made
    /// at once (a tree whose size is known from an earlier one is not grown by doubling).
    package mutating func reserveCapacity(values n: Int, objects o: Int, text t: Int) {
        values.reserveCapacity(n)
        objects.reserveCapacity(o)
        text.reserveCapacity(t)
    }

    /// Room for `more` elements after `count`: at least double the capacity when it must grow
    /// (an exact reserve per absorbed answer would copy the array once per answer).
    @inline(__always)
    private static func grow<T>(_ a: inout [T], by more: Int) {
        let needed = a.count + more
        if needed > a.capacity { a.reserveCapacity(max(needed, a.capacity * 2)) }
    }

    // MARK: Absorbing and merging

    /// Whether `other` can be absorbed with every key keeping its own id (a record holds its key
    /// id in 24 bits: answers that bring more than `KeyTable.maxKeys` distinct keys in all cannot).
    public func hasRoomForKeys(of other: ResponseBuffer) -> Bool {
        let limit = KeyTable.maxKeys - 1
        if keys.names.count + other.keys.names.count < limit { return true }
        var added = 0
        for name in other.keys.names where keys.find(name) == nil { added += 1 }
        return keys.names.count + added < limit
    }

    /// Appends another buffer's records (their indices moved, their keys renumbered, keys in
    /// `renames` renamed first) and returns its root as a value of this buffer.
    public mutating func absorb(_ other: ResponseBuffer, renames: [String: String] = [:]) -> Value {
        let valueBase = UInt32(values.count), objectBase = UInt32(objects.count), textBase = UInt32(text.count)
        let ids = other.keys.names.map { keys.id(renames.isEmpty ? $0 : renames[$0] ?? $0) }
        func moved(_ v: Value) -> Value {
            var v = v
            switch v.kind {
            case .string, .escaped, .number: v.a += textBase
            case .list: v.a += valueBase
            case .object: v.a += objectBase
            default: break
            }
            let k = v.key
            if k >= 0 { v.key = ids.withUnsafeBufferPointer { $0[Int(k)] } }
            return v
        }
        Self.grow(&values, by: other.values.count)
        let n = other.values.count, start = values.count
        values.append(contentsOf: repeatElement(.null, count: n))
        values.withUnsafeMutableBufferPointer { target in
            other.values.withUnsafeBufferPointer { source in
                var i = 0
                while i < n { target[start + i] = moved(source[i]); i += 1 }
            }
        }
        Self.grow(&objects, by: other.objects.count)
        for o in other.objects {
            objects.append(Object(first: o.first + Int32(valueBase), count: o.count, next: o.next < 0 ? -1 : o.next + Int32(objectBase)))
        }
        Self.grow(&text, by: other.text.count)
        text.append(contentsOf: other.text)
        return moved(other.root)
    }

    /// Deep merge of object `b` into object `a`: members both have merge (objects member by
    /// member, lists of equal length item by item, anything else takes `b`'s value); `b`'s run
    /// joins `a`'s chain when it brings keys `a` lacks. `keepTypename`: `a` keeps its own
    /// `__typename` (an @interfaceObject answer names the interface, not the object).
    public mutating func merge(_ a: Int32, _ b: Int32, keepTypename: Bool = false) {
        let run = objects[Int(b)]
        var adds = false
        var o = b
        while o >= 0 {
            let r = objects[Int(o)]
            for s in Int(r.first)..<(Int(r.first) + Int(r.count)) {
                let k = values[s].key
                if let t = slot(a, k) {
                    if keepTypename, k == keys.typename { continue }
                    values[t] = merged(values[t], values[s]).withKey(k)
                } else {
                    adds = true
                }
            }
            o = r.next
        }
        guard adds else { return }
        // Every run of `b` joins (copied, so that `b`'s own chain is never shared).
        var tail = Int(a)
        while objects[tail].next >= 0 { tail = Int(objects[tail].next) }
        o = b
        var r = run
        while true {
            objects.append(Object(first: r.first, count: r.count, next: -1))
            objects[tail].next = Int32(objects.count - 1)
            tail = objects.count - 1
            guard r.next >= 0 else { break }
            o = r.next
            r = objects[Int(o)]
        }
    }

    /// A copy of object `o` whose objects and lists are its own (strings share `text`): merged
    /// into one place, it cannot change what another place holds — one answer merged into
    /// several objects is merged as a copy into all but the first (a later answer for one of them,
    /// a null that propagated in it say, must not reach the others).
    public mutating func copy(object o: Int32) -> Int32 { copied(Value(object: o)).object }

    /// Whether object `o` has an object or a list among its members (an object of leaves shared
    /// by several places is only ever given the same values again: no copy is needed for it).
    public func hasComposite(object o: Int32) -> Bool {
        var o = o
        while o >= 0 {
            let r = objects[Int(o)]
            for s in Int(r.first)..<(Int(r.first) + Int(r.count)) where values[s].kind == .object || values[s].kind == .list { return true }
            o = r.next
        }
        return false
    }

    private mutating func copied(_ v: Value) -> Value {
        switch v.kind {
        case .object:
            var records: [Value] = []
            var o = v.object
            while o >= 0 {
                let r = objects[Int(o)]
                records.append(contentsOf: values[Int(r.first)..<(Int(r.first) + Int(r.count))])
                o = r.next
            }
            let first = reserve(records.count)
            for (j, record) in records.enumerated() { values[first + j] = copied(record).withKey(record.key) }
            objects.append(Object(first: Int32(first), count: Int32(records.count), next: -1))
            return Value(object: Int32(objects.count - 1)).withKey(v.key)
        case .list:
            let items = v.items
            let first = reserve(items.count)
            for (j, s) in items.enumerated() { values[first + j] = copied(values[s]).withKey(-1) }
            return Value(.list, UInt32(first), v.b).withKey(v.key)
        default:
            return v
        }
    }

    /// Object `object` known as failed for the members it lacks (an entity its subgraph answered
    /// null with an error of its own: the fields that answer would have brought are explained).
    package mutating func markNulled(_ object: Int32) { nulledObjects.insert(object) }

    package mutating func merged(_ x: Value, _ y: Value) -> Value {
        if x.kind == .object, y.kind == .object {
            merge(x.object, y.object)
            return x
        }
        if x.kind == .object, y.isNull {
            nulledObjects.insert(x.object)
            return x
        }
        if x.kind == .list, y.kind == .list, x.b == y.b {
            for j in 0..<Int(x.b) {
                values[Int(x.a) + j] = merged(values[Int(x.a) + j], values[Int(y.a) + j]).withKey(-1)
            }
            return x
        }
        if x.kind == .object || x.kind == .list || y.kind == .object || y.kind == .list { compositesReplaced += 1 }
        return y
    }
}

/// Response keys by id, and ids by key (a small open-addressed table over the keys' bytes).
public struct KeyTable: Sendable {
    public private(set) var names: [String] = []
    /// The keys' bytes, one after another (`starts[id]..<starts[id + 1]`).
    private var bytes: [UInt8] = []
    private var starts: [Int32] = [0]
    /// Ids by hash (-1: empty); a power of two long.
    private var table: [Int32] = Array(repeating: -1, count: 64)
    /// The id of `__typename` (-1 until it appears).
    public private(set) var typename: Int32 = -1

    public init() {}

    /// The keys' lengths in bytes, by id.
    package func lengths<T>(_ body: (UnsafeBufferPointer<Int>) -> T) -> T {
        var lengths = [Int](repeating: 0, count: names.count)
        for id in 0..<names.count { lengths[id] = Int(starts[id + 1] - starts[id]) }
        return lengths.withUnsafeBufferPointer(body)
    }

    @inline(__always)
    package static func hash(_ u: UnsafeBufferPointer<UInt8>) -> Int {
        // Seeded per process (keys can come from data a client wrote: no collisions made ahead).
        var h = QuickHasher()
        h.combine(bytes: UnsafeRawBufferPointer(u))
        return h.finalize()
    }

    /// The id of the key with these bytes, if it has one.
    @inline(__always)
    package func find(utf8 u: UnsafeBufferPointer<UInt8>, hash h: Int) -> Int32? {
        let mask = table.count - 1
        var i = h & mask
        while true {
            let id = table[i]
            if id < 0 { return nil }
            let s = Int(starts[Int(id)]), e = Int(starts[Int(id) + 1])
            if e - s == u.count, bytes.withUnsafeBufferPointer({ sameBytes($0.baseAddress.map { $0 + s }, u.baseAddress, u.count) }) { return id }
            i = (i + 1) & mask
        }
    }

    /// Whether key `id` has these bytes.
    @inline(__always)
    package func `is`(_ id: Int32, _ u: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = Int(starts[Int(id)]), e = Int(starts[Int(id) + 1])
        return e - s == u.count && bytes.withUnsafeBufferPointer { sameBytes($0.baseAddress.map { $0 + s }, u.baseAddress, u.count) }
    }

    public func find(_ name: String) -> Int32? {
        var name = name
        return name.withUTF8 { find(utf8: $0, hash: Self.hash($0)) }
    }

    /// The id of the key with these bytes (a new one when it has none).
    package mutating func id(utf8 u: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = Self.hash(u)
        if let found = find(utf8: u, hash: h) { return found }
        // A record holds its key id in 24 bits: past that many keys, one id stands for the
        // rest (readers refuse such bodies first: `ResponseBuffer.Reader.key`).
        if names.count >= Self.maxKeys { return Int32(Self.maxKeys - 1) }
        let id = Int32(names.count)
        names.append(String(decoding: u, as: UTF8.self))
        bytes.append(contentsOf: u)
        starts.append(Int32(bytes.count))
        if names[Int(id)] == "__typename" { typename = id }
        if names.count * 2 > table.count {
            table = Array(repeating: -1, count: table.count * 2)
            for k in 0..<names.count { place(Int32(k)) }
        } else {
            place(id)
        }
        return id
    }

    /// How many distinct keys a buffer holds at most (a record keeps its key id in 24 bits).
    public static let maxKeys = 0x7F_FFFE

    public mutating func id(_ name: String) -> Int32 {
        var name = name
        return name.withUTF8 { id(utf8: $0) }
    }

    private mutating func place(_ id: Int32) {
        let s = Int(starts[Int(id)]), e = Int(starts[Int(id) + 1])
        let h = bytes.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[s..<e])) }
        let mask = table.count - 1
        var i = h & mask
        while table[i] >= 0 { i = (i + 1) & mask }
        table[i] = id
    }
}

// MARK: Reading JSON bytes into a buffer

extension ResponseBuffer {
    /// What is wrong with bytes that are not the JSON expected.
    public struct Malformed: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// A GraphQL response body read into a buffer: `root` is its `data` (null when absent or
    /// null), `errors` its errors as JSON; `hasData` and `hasErrors` say whether the members are
    /// there at all (null included). Fails unless the body is one JSON object whose `data`
    /// is an object or null and whose `errors`, if any, is a list.
    public static func parseResponse(_ bytes: [UInt8], maxDepth: Int = 128) throws -> (buffer: ResponseBuffer, hasData: Bool, hasErrors: Bool, errors: [JSON]) {
        try bytes.withUnsafeBufferPointer { try parseResponse($0, maxDepth: maxDepth) }
    }

    /// The same, read from bytes where they are (an HTTP client's buffer: no copy first).
    public static func parseResponse(_ p: UnsafeBufferPointer<UInt8>, maxDepth: Int = 128) throws -> (buffer: ResponseBuffer, hasData: Bool, hasErrors: Bool, errors: [JSON]) {
        var buffer = ResponseBuffer()
        // About one record per 16 bytes of a typical answer, and its strings' bytes: room made
        // once rather than grown by doubling.
        buffer.values.reserveCapacity(p.count / 16)
        buffer.objects.reserveCapacity(p.count / 64)
        buffer.text.reserveCapacity(p.count / 2)
        var reader = Reader(p: p, maxDepth: maxDepth)
        reader.skipWhitespace()
        guard reader.i < p.count, p[reader.i] == UInt8(ascii: "{") else { throw reader.fail("expected a JSON object") }
        let body = try reader.value(&buffer)
        reader.skipWhitespace()
        guard reader.i == p.count else { throw reader.fail("unexpected data after the JSON value") }
        // A member given twice counts as its last occurrence (as a JSON object read into a map).
        func last(_ key: String) -> Value? {
            guard let k = buffer.keys.find(key) else { return nil }
            var found: Value?
            buffer.members(body.object, all: true) { id, v in if id == k { found = v } }
            return found
        }
        let data = last("data"), errors = last("errors")
        switch data?.kind {
        case nil, .null?: buffer.root = .null
        case .object?: buffer.root = data!
        default: throw Malformed(description: "`data` is neither an object nor null")
        }
        var errorList: [JSON] = []
        switch errors?.kind {
        case nil, .null?: break
        case .list?: errorList = errors!.items.map { buffer.json(buffer.values[$0]) }
        default: throw Malformed(description: "`errors` is not a list")
        }
        return (buffer, data != nil, errors != nil, errorList)
    }

    /// Reads values into a buffer: a container's records (and their keys, -1 for items) are
    /// gathered on a stack while its children are read (they go into the buffer first), then
    /// moved into one run.
    struct Reader {
        let p: UnsafeBufferPointer<UInt8>
        var i = 0
        var depth = 0
        let maxDepth: Int
        var stack: [Value] = []
        /// The key last read at each (depth, member position), tried first: the objects of a
        /// list have their keys in the same order, so most keys are recognised by one compare.
        var recent = [Int32](repeating: -1, count: 256)

        init(p: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
            self.p = p
            self.maxDepth = maxDepth
            stack.reserveCapacity(256)
        }

        func fail(_ m: String) -> Malformed { Malformed(description: "\(m) at byte \(i)") }

        @inline(__always)
        mutating func skipWhitespace() {
            while i < p.count {
                let c = p[i]
                guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
                i += 1
            }
        }

        mutating func value(_ out: inout ResponseBuffer) throws -> Value {
            guard i < p.count else { throw fail("unexpected end of JSON") }
            switch p[i] {
            case UInt8(ascii: "{"): return try object(&out)
            case UInt8(ascii: "["): return try list(&out)
            case UInt8(ascii: "\""): return try string(&out)
            case UInt8(ascii: "t"): try literal("true"); return Value(.bool, 1)
            case UInt8(ascii: "f"): try literal("false"); return Value(.bool, 0)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default:
                let start = i
                switch JSONBytes.number(p, &i) {
                case .int(let n)?: return Value(.int, 0, UInt64(UInt(bitPattern: n)))
                case .double(let d)?:
                    // An integer beyond 64 bits keeps its digits (a custom scalar passes through).
                    if !p[start..<i].contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
                        let at = out.text.count
                        out.text.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i]))
                        return Value(.number, UInt32(at), UInt64(i - start))
                    }
                    return Value(.double, 0, d.bitPattern)
                default: throw fail("invalid value")
                }
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let n = word.utf8CodeUnitCount
            guard i + n <= p.count else { throw fail("invalid literal") }
            let ok = word.withUTF8Buffer { w in (0..<n).allSatisfy { p[i + $0] == w[$0] } }
            guard ok else { throw fail("invalid literal") }
            i += n
        }

        mutating func enter() throws {
            depth += 1
            if depth > maxDepth { throw Malformed(description: "JSON nesting exceeds \(maxDepth) levels") }
        }

        /// A string's bytes: straight from the body when it has no escape, else unescaped.
        mutating func string(_ out: inout ResponseBuffer) throws -> Value {
            i += 1
            let start = i
            i = JSONBytes.plainEnd(p, from: start)
            let at = out.text.count
            if i < p.count, p[i] == UInt8(ascii: "\"") {
                i += 1
                let bytes = UnsafeBufferPointer(rebasing: p[start..<(i - 1)])
                if let short = ResponseBuffer.short(bytes) { return short }
                out.text.append(contentsOf: bytes)
                if JSONBytes.anyNonASCII(bytes) { out.repairUTF8(from: at) }
                return Value(.string, UInt32(at), UInt64(out.text.count - at))
            }
            out.text.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i]))
            if let wrong = JSONBytes.unescape(p, &i, into: &out.text) { throw fail(wrong) }
            out.repairUTF8(from: at)
            // Kept as the same value as the string written without escapes would be.
            if out.text.count - at <= 8, let short = out.text.withUnsafeBufferPointer({ ResponseBuffer.short(UnsafeBufferPointer(rebasing: $0[at...])) }) {
                out.text.removeSubrange(at...)
                return short
            }
            let plain = out.text.withUnsafeBufferPointer { t in
                let decoded = UnsafeBufferPointer(rebasing: t[at...])
                return JSONBytes.plainEnd(decoded, from: 0) == decoded.count
            }
            return Value(plain ? .string : .escaped, UInt32(at), UInt64(out.text.count - at))
        }

        /// The `__typename` values read so far (a few): an answer names few types many times.
        var typenames: [Value] = []

        /// A `__typename` member's value: a name read before is that value again (its bytes are
        /// not kept twice, and objects of one type hold the same string: matched by offset).
        mutating func typename(_ out: inout ResponseBuffer) throws -> Value {
            let v = try value(&out)
            guard v.kind == .string, Int(v.a) + Int(v.b) == out.text.count else { return v }
            let n = Int(v.b), at = Int(v.a)
            for known in typenames where Int(known.b) == n {
                let same = out.text.withUnsafeBufferPointer { t in
                    sameBytes(t.baseAddress.map { $0 + Int(known.a) }, t.baseAddress.map { $0 + at }, n)
                }
                if same {
                    out.text.removeSubrange(at...)
                    return known
                }
            }
            if typenames.count < 8 { typenames.append(v) }
            return v
        }

        /// A key's id: its bytes looked up without making a string when it has no escape
        /// (`position`: the member's position in its object, for the guess from `recent`).
        mutating func key(_ out: inout ResponseBuffer, position: Int) throws -> Int32 {
            guard i < p.count, p[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let start = i + 1
            let end = JSONBytes.plainEnd(p, from: start)
            if end < p.count, p[end] == UInt8(ascii: "\"") {
                i = end + 1
                let bytes = UnsafeBufferPointer(rebasing: p[start..<end])
                let slot = (depth &* 16 &+ position) & 255
                let guess = recent[slot]
                if guess >= 0, out.keys.is(guess, bytes) { return guess }
                let id = out.keys.id(utf8: bytes)
                if id >= KeyTable.maxKeys - 1 { throw fail("more than \(KeyTable.maxKeys - 1) distinct keys") }
                recent[slot] = id
                return id
            }
            i = end
            var bytes = Array(p[start..<end])
            if let wrong = JSONBytes.unescape(p, &i, into: &bytes) { throw fail(wrong) }
            let id = bytes.withUnsafeBufferPointer { out.keys.id(utf8: $0) }
            if id >= KeyTable.maxKeys - 1 { throw fail("more than \(KeyTable.maxKeys - 1) distinct keys") }
            return id
        }

        mutating func object(_ out: inout ResponseBuffer) throws -> Value {
            try enter()
            defer { depth -= 1 }
            i += 1
            let mark = stack.count
            skipWhitespace()
            if i < p.count, p[i] == UInt8(ascii: "}") {
                i += 1
            } else {
                while true {
                    skipWhitespace()
                    let k = try key(&out, position: stack.count - mark)
                    skipWhitespace()
                    guard i < p.count, p[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1
                    skipWhitespace()
                    let v = try k == out.keys.typename ? typename(&out) : value(&out)
                    stack.append(v.withKey(k))
                    skipWhitespace()
                    guard i < p.count else { throw fail("unexpected end of JSON") }
                    if p[i] == UInt8(ascii: ",") { i += 1; continue }
                    if p[i] == UInt8(ascii: "}") { i += 1; break }
                    throw fail("expected ',' or '}'")
                }
            }
            let run = moveRun(from: mark, into: &out)
            out.objects.append(Object(first: Int32(run.lowerBound), count: Int32(run.count), next: -1))
            return Value(.object, UInt32(out.objects.count - 1))
        }

        /// The records gathered since `mark` moved into one run at the end of `out.values`.
        mutating func moveRun(from mark: Int, into out: inout ResponseBuffer) -> Range<Int> {
            let first = out.values.count
            out.values.append(contentsOf: stack[mark...])
            stack.removeLast(stack.count - mark)
            return first..<out.values.count
        }

        mutating func list(_ out: inout ResponseBuffer) throws -> Value {
            try enter()
            defer { depth -= 1 }
            i += 1
            let mark = stack.count
            skipWhitespace()
            if i < p.count, p[i] == UInt8(ascii: "]") {
                i += 1
            } else {
                while true {
                    skipWhitespace()
                    stack.append(try value(&out).withKey(-1))
                    skipWhitespace()
                    guard i < p.count else { throw fail("unexpected end of JSON") }
                    if p[i] == UInt8(ascii: ",") { i += 1; continue }
                    if p[i] == UInt8(ascii: "]") { i += 1; break }
                    throw fail("expected ',' or ']'")
                }
            }
            let run = moveRun(from: mark, into: &out)
            return Value(.list, UInt32(run.lowerBound), UInt64(run.count))
        }
    }
}
