import Foundation

/// A parameterised SQL statement. Every interpolated value becomes a `$n` bind:
///
/// ```swift
/// let rows = try await pool.query("SELECT name FROM agents WHERE id = ANY(\(ids)) AND tenant_id = \(tenant)")
/// ```
///
/// SQL text that must be spliced in (identifiers chosen by the program) needs `PostgresQuery(unsafeSQL:)`.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    public internal(set) var sql: String
    public internal(set) var binds: [PostgresBind]
    /// A text parameter holds a NUL byte, which PostgreSQL's text never does: the statement is
    /// refused here as the server would refuse it (22021), without being sent — sent, it would
    /// abort the transaction it runs in, and with it the statements of other fields sharing it.
    public internal(set) var holdsNUL = false

    /// Raw SQL with no binds. Never build the string from user input.
    public init(unsafeSQL sql: String, binds: [PostgresBind] = []) {
        self.sql = sql
        self.binds = binds
        holdsNUL = binds.contains(where: \.holdsNUL)
    }

    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.holdsNUL = stringInterpolation.holdsNUL
        self.binds = stringInterpolation.binds
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresBind] = []
        var holdsNUL = false

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { sql += literal }

        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T) {
            binds.append(value.postgresBind)
            if value.holdsNUL { holdsNUL = true }
            sql += "$\(binds.count)"
        }

        /// Splices SQL text chosen by the program (a column list, an identifier) — never user input.
        public mutating func appendInterpolation(unsafeRaw sql: String) { self.sql += sql }

        public mutating func appendInterpolation<T: PostgresEncodable>(_ value: T?) {
            binds.append(value?.postgresBind ?? PostgresBind(oid: 0, text: nil))
            if value?.holdsNUL == true { holdsNUL = true }
            sql += "$\(binds.count)"
        }
    }
}

/// One bound parameter: a type OID (0 lets the server infer) and its value in text or binary
/// format, or nil for NULL. Integers, floats, booleans, UUIDs, timestamps, text and arrays of
/// them go in binary (nothing to format on our side or to parse on the server's).
public struct PostgresBind: Sendable, Equatable {
    public var oid: UInt32
    /// The value's bytes (text format: NUL-terminated, as libpq reads it); nil for NULL.
    public var bytes: [UInt8]?
    public var isBinary: Bool

    /// A parameter in text format.
    public init(oid: UInt32, text: String?) {
        self.oid = oid
        self.bytes = text.map { Array($0.utf8) + [0] }
        self.isBinary = false
    }

    /// A parameter in PostgreSQL's binary format for `oid`.
    public init(oid: UInt32, binary: [UInt8]) {
        self.oid = oid
        self.bytes = binary
        self.isBinary = true
    }

    /// A text (or text array) parameter holding a NUL byte, which no PostgreSQL text can.
    var holdsNUL: Bool {
        guard let bytes else { return false }
        switch oid {
        case PostgresOID.text, PostgresOID.varchar:
            return isBinary ? bytes.contains(0) : bytes.dropLast().contains(0)
        case PostgresOID.textArray, PostgresOID.varcharArray:
            // Text format: NUL ends the text early (a NUL-terminated string) — it cannot appear
            // inside. Binary: dimensions, then each element's length and bytes (-1: NULL).
            guard isBinary else { return bytes.dropLast().contains(0) }
            func int32(_ at: Int) -> Int? {
                guard at >= 0, at + 4 <= bytes.count else { return nil }
                return Int(Int32(bitPattern: UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])))
            }
            guard let dimensions = int32(0), dimensions >= 0 else { return false }
            var at = 12 + 8 * dimensions
            while let length = int32(at) {
                at += 4
                guard length > 0 else { continue }
                if at + length <= bytes.count, bytes[at..<(at + length)].contains(0) { return true }
                at += length
            }
            return false
        default:
            return false
        }
    }

    /// The value as text (text-format parameters only).
    public var text: String? {
        guard !isBinary, let bytes else { return nil }
        return String(decoding: bytes.dropLast(), as: UTF8.self)
    }
}

/// Type OIDs the client encodes and decodes.
public enum PostgresOID {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let varchar: UInt32 = 1043
    public static let bpchar: UInt32 = 1042
    public static let name: UInt32 = 19
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let boolArray: UInt32 = 1000
    public static let int4Array: UInt32 = 1007
    public static let textArray: UInt32 = 1009
    public static let varcharArray: UInt32 = 1015
    public static let int8Array: UInt32 = 1016
    public static let float8Array: UInt32 = 1022
    public static let uuidArray: UInt32 = 2951
    public static let jsonbArray: UInt32 = 3807
}

/// A Swift value that can be sent as a parameter.
public protocol PostgresEncodable: Sendable {
    static var postgresOID: UInt32 { get }
    /// The value in PostgreSQL's text input format.
    var postgresText: String { get }
    /// Appends the value in PostgreSQL's binary format for `postgresOID`; false (and nothing
    /// appended) for types sent as text.
    func writePostgresBinary(_ out: inout [UInt8]) -> Bool
    /// Text holding a NUL byte (which no PostgreSQL text can).
    var holdsNUL: Bool { get }
}

extension PostgresEncodable {
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool { false }
    public var holdsNUL: Bool { false }

    public var postgresBind: PostgresBind {
        var out: [UInt8] = []
        if writePostgresBinary(&out) { return PostgresBind(oid: Self.postgresOID, binary: out) }
        return PostgresBind(oid: Self.postgresOID, text: postgresText)
    }
}

extension FixedWidthInteger {
    /// Big-endian, as PostgreSQL's binary formats write integers.
    func appendBigEndian(_ out: inout [UInt8]) {
        var v = bigEndian
        withUnsafeBytes(of: &v) { out.append(contentsOf: $0) }
    }
}

extension String: PostgresEncodable {
    public static var postgresOID: UInt32 { PostgresOID.text }
    public var postgresText: String { self }
    public var holdsNUL: Bool { utf8.contains(0) }
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool {
        out.append(contentsOf: utf8)
        return true
    }
}
extension Substring: PostgresEncodable {
    public var holdsNUL: Bool { utf8.contains(0) }
    public static var postgresOID: UInt32 { PostgresOID.text }
    public var postgresText: String { String(self) }
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool {
        out.append(contentsOf: utf8)
        return true
    }
}
extension Int: PostgresEncodable {
    public static var postgresOID: UInt32 { PostgresOID.int8 }
    public var postgresText: String { String(self) }
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool { Int64(self).appendBigEndian(&out); return true }
}
extension Int64: PostgresEncodable {
    public static var postgresOID: UInt32 { PostgresOID.int8 }
    public var postgresText: String { String(self) }
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool { appendBigEndian(&out); return true }
}
extension Int32: PostgresEncodable {
    public static var postgresOID: UInt32 { PostgresOID.int4 }
    public var postgresText: String { String(self) }
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool { appendBigEndian(&out); return true }
}
extension Bool: PostgresEncodable {
    public static var postgresOID: UInt32 { PostgresOID.bool }
    public var postgresText: String { self ? "t" : "f" }
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool { out.append(self ? 1 : 0); return true }
}
extension Double: PostgresEncodable {
    public static var postgresOID: UInt32 { PostgresOID.float8 }
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return "\(self)"
    }
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool { bitPattern.appendBigEndian(&out); return true }
}
extension UUID: PostgresEncodable {
    public static var postgresOID: UInt32 { PostgresOID.uuid }
    public var postgresText: String { PostgresUUID.text(self) }
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool {
        withUnsafeBytes(of: uuid) { out.append(contentsOf: $0) }
        return true
    }
}
extension Date: PostgresEncodable {
    public static var postgresOID: UInt32 { PostgresOID.timestamptz }
    public var postgresText: String { PostgresTimestamp.format(self) }
    /// Microseconds since 2000-01-01 UTC (rounded to the nearest, as the text format is).
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool {
        let micros = ((timeIntervalSince1970 - Double(PostgresBinary.epoch2000)) * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 9.2e18 else { return false }
        Int64(micros).appendBigEndian(&out)
        return true
    }
}

/// JSON text sent as `jsonb` (and decoded from `json`/`jsonb` columns).
public struct PostgresJSON: PostgresEncodable, Hashable {
    public var text: String
    public init(_ text: String) { self.text = text }
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self.text = String(decoding: data, as: UTF8.self)
    }
    public static var postgresOID: UInt32 { PostgresOID.jsonb }
    public var postgresText: String { text }
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}

/// An element type of array parameters.
public protocol PostgresArrayElement: PostgresEncodable {
    static var postgresArrayOID: UInt32 { get }
}
extension String: PostgresArrayElement { public static var postgresArrayOID: UInt32 { PostgresOID.textArray } }
extension Int: PostgresArrayElement { public static var postgresArrayOID: UInt32 { PostgresOID.int8Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayOID: UInt32 { PostgresOID.int8Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayOID: UInt32 { PostgresOID.int4Array } }
extension Bool: PostgresArrayElement { public static var postgresArrayOID: UInt32 { PostgresOID.boolArray } }
extension Double: PostgresArrayElement { public static var postgresArrayOID: UInt32 { PostgresOID.float8Array } }
extension UUID: PostgresArrayElement { public static var postgresArrayOID: UInt32 { PostgresOID.uuidArray } }
extension PostgresJSON: PostgresArrayElement { public static var postgresArrayOID: UInt32 { PostgresOID.jsonbArray } }

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresOID: UInt32 { Element.postgresArrayOID }
    public var holdsNUL: Bool { contains { $0.holdsNUL } }
    public var postgresText: String { PostgresArrayText.encode(map(\.postgresText)) }
    /// One dimension, no NULLs, lower bound 1; each element in its binary format.
    public func writePostgresBinary(_ out: inout [UInt8]) -> Bool {
        let start = out.count
        Int32(isEmpty ? 0 : 1).appendBigEndian(&out)
        Int32(0).appendBigEndian(&out)
        Element.postgresOID.appendBigEndian(&out)
        guard !isEmpty else { return true }
        Int32(count).appendBigEndian(&out)
        Int32(1).appendBigEndian(&out)
        out.reserveCapacity(out.count + count * 12)   // a length and (at least) a small value each
        for element in self {
            let lengthAt = out.count
            out.append(contentsOf: repeatElement(0, count: 4))
            guard element.writePostgresBinary(&out) else {
                out.removeSubrange(start...)
                return false
            }
            // The element's length, written over the four bytes kept for it (big-endian).
            let length = UInt32(out.count - lengthAt - 4)
            out.withUnsafeMutableBufferPointer { b in
                b[lengthAt] = UInt8(truncatingIfNeeded: length >> 24)
                b[lengthAt + 1] = UInt8(truncatingIfNeeded: length >> 16)
                b[lengthAt + 2] = UInt8(truncatingIfNeeded: length >> 8)
                b[lengthAt + 3] = UInt8(truncatingIfNeeded: length)
            }
        }
        return true
    }
}

enum PostgresArrayText {
    /// `{"a","b \"c\""}`: every element quoted, `"` and `\` escaped.
    static func encode(_ elements: [String?]) -> String {
        var out = "{"
        for (i, e) in elements.enumerated() {
            if i > 0 { out += "," }
            guard let e else { out += "NULL"; continue }
            out += "\""
            for ch in e.unicodeScalars {
                if ch == "\"" || ch == "\\" { out += "\\" }
                out.unicodeScalars.append(ch)
            }
            out += "\""
        }
        return out + "}"
    }

    /// Parses a one-dimensional array literal; `NULL` unquoted is nil.
    static func decode(_ text: String) -> [String?]? {
        var scalars = Substring(text).unicodeScalars[...]
        // Optional dimension decoration: [1:3]={...}
        if scalars.first == "[" {
            guard let eq = scalars.firstIndex(of: "=") else { return nil }
            scalars = scalars[scalars.index(after: eq)...]
        }
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        scalars = scalars.dropFirst().dropLast()
        var result: [String?] = []
        if scalars.isEmpty { return result }
        var i = scalars.startIndex
        while i <= scalars.endIndex {
            if i == scalars.endIndex { break }
            if scalars[i] == "\"" {
                var value = String.UnicodeScalarView()
                i = scalars.index(after: i)
                while i < scalars.endIndex, scalars[i] != "\"" {
                    if scalars[i] == "\\" { i = scalars.index(after: i); if i == scalars.endIndex { return nil } }
                    value.append(scalars[i])
                    i = scalars.index(after: i)
                }
                guard i < scalars.endIndex else { return nil }
                i = scalars.index(after: i) // closing quote
                result.append(String(value))
            } else {
                var value = String.UnicodeScalarView()
                while i < scalars.endIndex, scalars[i] != "," {
                    value.append(scalars[i])
                    i = scalars.index(after: i)
                }
                let s = String(value)
                result.append(s == "NULL" ? nil : s)
            }
            if i < scalars.endIndex {
                guard scalars[i] == "," else { return nil }
                i = scalars.index(after: i)
                if i == scalars.endIndex { return nil }
            }
        }
        return result
    }
}

/// `timestamptz` in and out as ISO text; the client sets `TimeZone=UTC` and `DateStyle=ISO` on connect.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = seconds.rounded(.down)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        if micros >= 1_000_000 { whole += 1; micros -= 1_000_000 }
        var t = time_t(whole)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ n: Int) -> String {
            let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        let frac = String(micros)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 6 - frac.count) + frac + "+00"
    }

    /// Microseconds since 2000-01-01 UTC as the server writes a timestamp in text
    /// (`2026-11-21 10:29:51.12+00`: ISO, UTC, the fraction without trailing zeros).
    static func text(micros: Int64, zone: Bool) -> String {
        let (secondsSince2000, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        var seconds = secondsSince2000 + PostgresBinary.epoch2000
        var micro = fraction
        if micro < 0 { micro += 1_000_000; seconds -= 1 }
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        var out = "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2)) "
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
        if micro > 0 {
            var digits = pad(Int(micro), 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            out += "." + digits
        }
        return zone ? out + "+00" : out
    }

    /// Parses `2026-11-21 10:29:51.123456+00` (also `+05:30`, `T` separator, no fraction).
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    static func parse(_ u: UnsafeRawBufferPointer) -> Date? {
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= u.count else { return nil }
            var v = 0
            for k in from..<(from + len) {
                let c = u[k]; guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard u.count >= 19, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2) else { return nil }
        var i = 19
        var frac = 0.0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < u.count, u[i] >= 48, u[i] <= 57 { frac += Double(u[i] - 48) * scale; scale /= 10; i += 1 }
        }
        var offset = 0
        if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            let sign = u[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = num(i + 1, 2) else { return nil }
            var om = 0
            if i + 3 < u.count, u[i + 3] == UInt8(ascii: ":"), let m = num(i + 4, 2) { om = m }
            offset = sign * (oh * 3600 + om * 60)
        } else if i < u.count, u[i] == UInt8(ascii: "Z") {
            offset = 0
        }
        // days from civil (proleptic Gregorian), valid for all years
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (mo + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let secs = Double(days * 86_400 + h * 3600 + mi * 60 + s - offset)
        return Date(timeIntervalSince1970: secs + frac)
    }
}
