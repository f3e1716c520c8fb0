import Foundation
import CLibPQ

/// A result as libpq keeps it (`PGresult`), freed when the last rows or row referring to it
/// goes: rows are read in place, never copied into strings per cell. A `PGresult` is not changed
/// after it is made, so reading it from any thread is safe.
final class PostgresResult: @unchecked Sendable {
    let res: OpaquePointer
    init(_ res: OpaquePointer) { self.res = res }
    deinit { PQclear(res) }
}

/// The rows of one result, with each column's name and type OID.
public struct PostgresRows: Sendable, Sequence {
    public let columns: [PostgresColumn]
    let result: PostgresResult?
    public let count: Int
    /// Rows touched by an INSERT/UPDATE/DELETE (`PQcmdTuples`), 0 otherwise.
    public let affectedRows: Int

    public static let empty = PostgresRows(columns: [], result: nil, count: 0, affectedRows: 0)

    public var isEmpty: Bool { count == 0 }
    public subscript(index: Int) -> PostgresRow {
        precondition(index >= 0 && index < count, "row index out of range")
        return PostgresRow(columns: columns, result: result!, row: Int32(index))
    }
    public var first: PostgresRow? { isEmpty ? nil : self[0] }

    public func makeIterator() -> Iterator { Iterator(rows: self) }

    public struct Iterator: IteratorProtocol {
        let rows: PostgresRows
        var index = 0
        public mutating func next() -> PostgresRow? {
            guard index < rows.count else { return nil }
            defer { index += 1 }
            return rows[index]
        }
    }
}

public struct PostgresColumn: Sendable, Equatable {
    public let name: String
    public let oid: UInt32
    /// Whether the server sent this column in binary format.
    public let isBinary: Bool

    public static func == (a: PostgresColumn, b: PostgresColumn) -> Bool { a.name == b.name && a.oid == b.oid }
}

/// One column of one row as the server sent it: text, or binary for the types the client reads
/// in binary (see `PostgresBinary`). Valid while the row it came from is.
public struct PostgresCell {
    /// nil for NULL.
    public let bytes: UnsafeRawBufferPointer?
    public let isBinary: Bool
    public var isNull: Bool { bytes == nil }
    /// The bytes as text (for text-format cells).
    public var text: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
}

/// One row. Decode a column by name or index:
///
/// ```swift
/// let id = try row.decode("id", as: UUID.self)
/// let tags = try row.decode("tags", as: [String].self)
/// let note = try row.decode("note", as: String?.self)
/// ```
public struct PostgresRow: Sendable {
    public let columns: [PostgresColumn]
    let result: PostgresResult
    let row: Int32

    // Inlinable, so that a caller's `decode` is specialized for the type it asks for (unspecialized,
    // every column read went through the generic entry point and the runtime's metadata lookups).
    @inlinable
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try decode(try index(of: column), as: type)
    }

    @inlinable
    public func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard index >= 0, index < columns.count else { throw Self.outOfRange(index) }
        let column = columns[index]
        return try withExtendedLifetime(self) {
            try T.decode(cell(index), oid: column.oid, column: column.name)
        }
    }

    /// The index of the column named `column`.
    @usableFromInline
    func index(of column: String) throws -> Int {
        let length = column.utf8.count   // most names differ in length: compared first
        guard let index = columns.firstIndex(where: { $0.name.utf8.count == length && $0.name == column }) else {
            throw PostgresError(.decoding, "no column named '\(column)'")
        }
        return index
    }

    @usableFromInline
    static func outOfRange(_ index: Int) -> PostgresError { PostgresError(.decoding, "column index \(index) out of range") }

    /// Column `index` of this row (its bytes valid while the row is).
    @usableFromInline
    func cell(_ index: Int) -> PostgresCell {
        let res = result.res, f = Int32(index)
        guard PQgetisnull(res, row, f) == 0 else { return PostgresCell(bytes: nil, isBinary: columns[index].isBinary) }
        let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(PQgetvalue(res, row, f)), count: Int(PQgetlength(res, row, f)))
        return PostgresCell(bytes: bytes, isBinary: columns[index].isBinary)
    }

    /// A column as text (as the server writes the value), nil for NULL. For a column sent in
    /// binary: the text of a scalar; nil for an array.
    public func text(_ column: String) -> String? {
        guard let i = try? index(of: column) else { return nil }
        return withExtendedLifetime(result) {
            let c = cell(i)
            guard let bytes = c.bytes else { return nil }
            return c.isBinary ? PostgresBinary.scalarText(bytes, oid: columns[i].oid) : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// This row on its own: a copy that keeps only its own values alive, not the whole result it
    /// came from (for a row kept long after its result, e.g. in a subscriber's buffer).
    public func detached() -> PostgresRow {
        guard let copy = PQcopyResult(result.res, PG_COPYRES_ATTRS) else { return self }
        for f in 0..<Int32(columns.count) {
            if PQgetisnull(result.res, row, f) == 1 {
                PQsetvalue(copy, 0, f, nil, -1)
            } else {
                PQsetvalue(copy, 0, f, PQgetvalue(result.res, row, f), PQgetlength(result.res, row, f))
            }
        }
        return PostgresRow(columns: columns, result: PostgresResult(copy), row: 0)
    }
}

/// A Swift type that can be decoded from a column.
public protocol PostgresDecodable: Sendable {
    static func decode(_ cell: PostgresCell, oid: UInt32, column: String) throws -> Self
}

/// Non-optional scalar decoding: NULL is an error, and the column type must fit.
public protocol PostgresScalarDecodable: PostgresDecodable {
    /// Whether a column of this type OID decodes as this type.
    static func accepts(oid: UInt32) -> Bool
    static var postgresTypeName: String { get }
    /// From a value in text format.
    init?(postgresText: UnsafeRawBufferPointer, oid: UInt32)
    /// From a value in binary format, of a type it accepts that `PostgresBinary` reads.
    init?(postgresBinary: UnsafeRawBufferPointer, oid: UInt32)
}

extension PostgresScalarDecodable {
    public static func decode(_ cell: PostgresCell, oid: UInt32, column: String) throws -> Self {
        guard accepts(oid: oid) else {
            throw PostgresError(.decoding, "column '\(column)' has type oid \(oid), which cannot decode as \(postgresTypeName)")
        }
        guard let bytes = cell.bytes else {
            throw PostgresError(.decoding, "column '\(column)' is NULL; decode as \(postgresTypeName)? to accept NULL")
        }
        guard let value = cell.isBinary ? Self(postgresBinary: bytes, oid: oid) : Self(postgresText: bytes, oid: oid) else {
            throw PostgresError(.decoding, "column '\(column)' holds a value that is not a valid \(postgresTypeName)")
        }
        return value
    }
}

// The types each scalar accepts, as switches: a `Set` was a lazy global's check and a hash per
// column read.
private func isTextOID(_ oid: UInt32) -> Bool {
    switch oid {
    case PostgresOID.text, PostgresOID.varchar, PostgresOID.bpchar, PostgresOID.name, PostgresOID.json, PostgresOID.jsonb,
         PostgresOID.uuid, 705 /* unknown */: return true
    default: return false
    }
}
private func isIntOID(_ oid: UInt32) -> Bool {
    switch oid {
    case PostgresOID.int2, PostgresOID.int4, PostgresOID.int8, PostgresOID.oid: return true
    default: return false
    }
}

extension String: PostgresScalarDecodable {
    public static func accepts(oid: UInt32) -> Bool {
        isTextOID(oid) || oid == PostgresOID.timestamptz || oid == PostgresOID.timestamp || oid == PostgresOID.numeric
    }
    public static var postgresTypeName: String { "String" }
    public init?(postgresText: UnsafeRawBufferPointer, oid: UInt32) { self = String(decoding: postgresText, as: UTF8.self) }
    public init?(postgresBinary b: UnsafeRawBufferPointer, oid: UInt32) {
        guard let text = PostgresBinary.text(b, oid: oid) else { return nil }
        self = text
    }
}
extension Int: PostgresScalarDecodable {
    public static func accepts(oid: UInt32) -> Bool { isIntOID(oid) }
    public static var postgresTypeName: String { "Int" }
    public init?(postgresText: UnsafeRawBufferPointer, oid: UInt32) {
        guard let v = PostgresBinary.parseInt(postgresText) else { return nil }
        self = v
    }
    public init?(postgresBinary b: UnsafeRawBufferPointer, oid: UInt32) {
        guard let v = PostgresBinary.int(b, oid: oid) else { return nil }
        self = v
    }
}
extension Int64: PostgresScalarDecodable {
    public static func accepts(oid: UInt32) -> Bool { isIntOID(oid) }
    public static var postgresTypeName: String { "Int64" }
    public init?(postgresText: UnsafeRawBufferPointer, oid: UInt32) {
        guard let v = PostgresBinary.parseInt(postgresText) else { return nil }
        self = Int64(v)
    }
    public init?(postgresBinary b: UnsafeRawBufferPointer, oid: UInt32) {
        guard let v = PostgresBinary.int(b, oid: oid) else { return nil }
        self = Int64(v)
    }
}
extension Int32: PostgresScalarDecodable {
    public static func accepts(oid: UInt32) -> Bool { oid == PostgresOID.int2 || oid == PostgresOID.int4 }
    public static var postgresTypeName: String { "Int32" }
    public init?(postgresText: UnsafeRawBufferPointer, oid: UInt32) {
        guard let v = PostgresBinary.parseInt(postgresText), let i = Int32(exactly: v) else { return nil }
        self = i
    }
    public init?(postgresBinary b: UnsafeRawBufferPointer, oid: UInt32) {
        guard let v = PostgresBinary.int(b, oid: oid), let i = Int32(exactly: v) else { return nil }
        self = i
    }
}
extension Bool: PostgresScalarDecodable {
    public static func accepts(oid: UInt32) -> Bool { oid == PostgresOID.bool }
    public static var postgresTypeName: String { "Bool" }
    public init?(postgresText b: UnsafeRawBufferPointer, oid: UInt32) {
        guard b.count == 1 else { return nil }
        switch b[0] { case UInt8(ascii: "t"): self = true; case UInt8(ascii: "f"): self = false; default: return nil }
    }
    public init?(postgresBinary b: UnsafeRawBufferPointer, oid: UInt32) {
        guard b.count == 1 else { return nil }
        self = b[0] != 0
    }
}
extension Double: PostgresScalarDecodable {
    public static func accepts(oid: UInt32) -> Bool {
        isIntOID(oid) || oid == PostgresOID.float4 || oid == PostgresOID.float8 || oid == PostgresOID.numeric
    }
    public static var postgresTypeName: String { "Double" }
    public init?(postgresText: UnsafeRawBufferPointer, oid: UInt32) { self.init(String(decoding: postgresText, as: UTF8.self)) }
    public init?(postgresBinary b: UnsafeRawBufferPointer, oid: UInt32) {
        switch oid {
        case PostgresOID.float8:
            guard b.count == 8 else { return nil }
            self = Double(bitPattern: PostgresBinary.uint64(b))
        case PostgresOID.float4:
            guard b.count == 4 else { return nil }
            self = Double(Float(bitPattern: PostgresBinary.uint32(b)))
        default:
            guard let v = PostgresBinary.int(b, oid: oid) else { return nil }
            self = Double(v)
        }
    }
}
extension UUID: PostgresScalarDecodable {
    public static func accepts(oid: UInt32) -> Bool { oid == PostgresOID.uuid }
    public static var postgresTypeName: String { "UUID" }
    public init?(postgresText: UnsafeRawBufferPointer, oid: UInt32) {
        guard let uuid = PostgresUUID.parse(postgresText) else { return nil }
        self = uuid
    }
    public init?(postgresBinary b: UnsafeRawBufferPointer, oid: UInt32) {
        guard b.count == 16 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { $0.copyMemory(from: b) }
        self = UUID(uuid: bytes)
    }
}

/// UUID text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, either case) read by hand: Foundation's
/// `UUID(uuidString:)` goes through `sscanf` on Linux, which was a few percent of the gateway's
/// CPU on TenantOverview (every id of every row).
public enum PostgresUUID {
    public static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    static func parse(_ p: UnsafeRawBufferPointer) -> UUID? {
        guard p.count == 36, p[8] == 45, p[13] == 45, p[18] == 45, p[23] == 45 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var i = 0, o = 0
            while i < 36 {
                if i == 8 || i == 13 || i == 18 || i == 23 { i += 1; continue }
                guard let hi = hex(p[i]), let lo = hex(p[i + 1]) else { return false }
                out[o] = hi << 4 | lo
                o += 1
                i += 2
            }
            return true
        }
        return ok ? UUID(uuid: bytes) : nil
    }

    /// The UUID's text in lowercase, as PostgreSQL writes it (Foundation's `uuidString` goes
    /// through `snprintf` on Linux and is uppercase).
    public static func text(_ uuid: UUID) -> String {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                digits.withUTF8Buffer { hex in
                    var o = 0
                    for (i, b) in bytes.enumerated() {
                        if i == 4 || i == 6 || i == 8 || i == 10 { out[o] = 45; o += 1 }
                        out[o] = hex[Int(b >> 4)]
                        out[o + 1] = hex[Int(b & 15)]
                        o += 2
                    }
                }
                return 36
            }
        }
    }

    @inline(__always) static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
extension Date: PostgresScalarDecodable {
    public static func accepts(oid: UInt32) -> Bool { oid == PostgresOID.timestamptz || oid == PostgresOID.timestamp }
    public static var postgresTypeName: String { "Date" }
    public init?(postgresText: UnsafeRawBufferPointer, oid: UInt32) {
        guard let d = PostgresTimestamp.parse(postgresText) else { return nil }
        self = d
    }
    public init?(postgresBinary b: UnsafeRawBufferPointer, oid: UInt32) {
        guard let micros = PostgresBinary.timestampMicros(b) else { return nil }
        self = PostgresBinary.date(micros)
    }
}
extension PostgresJSON: PostgresScalarDecodable {
    public static func accepts(oid: UInt32) -> Bool { oid == PostgresOID.json || oid == PostgresOID.jsonb }
    public static var postgresTypeName: String { "JSON" }
    public init?(postgresText: UnsafeRawBufferPointer, oid: UInt32) { self.init(String(decoding: postgresText, as: UTF8.self)) }
    public init?(postgresBinary b: UnsafeRawBufferPointer, oid: UInt32) {
        guard let text = PostgresBinary.text(b, oid: oid) else { return nil }
        self.init(text)
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(_ cell: PostgresCell, oid: UInt32, column: String) throws -> Wrapped? {
        guard !cell.isNull else { return nil }
        return try Wrapped.decode(cell, oid: oid, column: column)
    }
}

let arrayElementOID: [UInt32: UInt32] = [
    PostgresOID.textArray: PostgresOID.text, PostgresOID.varcharArray: PostgresOID.varchar,
    PostgresOID.int8Array: PostgresOID.int8, PostgresOID.int4Array: PostgresOID.int4,
    PostgresOID.boolArray: PostgresOID.bool, PostgresOID.float8Array: PostgresOID.float8,
    PostgresOID.uuidArray: PostgresOID.uuid, PostgresOID.jsonbArray: PostgresOID.jsonb,
    1005: PostgresOID.int2, 1185: PostgresOID.timestamptz,
]

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public static func decode(_ cell: PostgresCell, oid: UInt32, column: String) throws -> [Element] {
        guard let elementOID = arrayElementOID[oid] else {
            throw PostgresError(.decoding, "column '\(column)' has type oid \(oid), which is not a supported array")
        }
        guard let bytes = cell.bytes else { throw PostgresError(.decoding, "column '\(column)' is NULL; decode as an optional array") }
        if cell.isBinary {
            guard let elements = PostgresBinary.arrayElements(bytes) else {
                throw PostgresError(.decoding, "column '\(column)' holds a malformed binary array")
            }
            return try elements.map { try Element.decode(PostgresCell(bytes: $0, isBinary: true), oid: elementOID, column: column) }
        }
        guard let parts = PostgresArrayText.decode(String(decoding: bytes, as: UTF8.self)) else {
            throw PostgresError(.decoding, "column '\(column)' holds a malformed array literal")
        }
        return try parts.map { part in
            guard var part else { return try Element.decode(PostgresCell(bytes: nil, isBinary: false), oid: elementOID, column: column) }
            return try part.withUTF8 { try Element.decode(PostgresCell(bytes: UnsafeRawBufferPointer($0), isBinary: false), oid: elementOID, column: column) }
        }
    }
}

/// PostgreSQL's binary formats for the types the client reads in binary: big-endian integers and
/// float8 (not float4: its text is the float's shortest form, which a Double of its bits is not), 16 bytes of UUID, timestamps as microseconds since 2000-01-01 UTC, text as its
/// bytes (`jsonb` after a version byte), and one-dimensional arrays of those. A prepared
/// statement whose result columns are all of these types is run with binary results.
enum PostgresBinary {
    static let resultOIDs: Set<UInt32> = Set<UInt32>([
        PostgresOID.bool, PostgresOID.int2, PostgresOID.int4, PostgresOID.int8, PostgresOID.oid,
        PostgresOID.float8, PostgresOID.text, PostgresOID.varchar, PostgresOID.bpchar,
        PostgresOID.name, PostgresOID.json, PostgresOID.jsonb, PostgresOID.uuid, PostgresOID.timestamptz,
        PostgresOID.timestamp,
    ]).union(arrayElementOID.keys)

    static func uint32(_ b: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(b[offset + i]) }
        return v
    }
    static func uint64(_ b: UnsafeRawBufferPointer) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(b[i]) }
        return v
    }

    static func int(_ b: UnsafeRawBufferPointer, oid: UInt32) -> Int? {
        switch (oid, b.count) {
        case (PostgresOID.int2, 2): return Int(Int16(bitPattern: UInt16(b[0]) << 8 | UInt16(b[1])))
        case (PostgresOID.int4, 4): return Int(Int32(bitPattern: uint32(b)))
        case (PostgresOID.oid, 4): return Int(uint32(b))
        case (PostgresOID.int8, 8): return Int(Int64(bitPattern: uint64(b)))
        default: return nil
        }
    }

    /// A decimal integer in text (`-42`), without going through `String`.
    static func parseInt(_ b: UnsafeRawBufferPointer) -> Int? {
        guard !b.isEmpty else { return nil }
        var i = 0, negative = false
        if b[0] == UInt8(ascii: "-") { negative = true; i = 1 } else if b[0] == UInt8(ascii: "+") { i = 1 }
        guard i < b.count else { return nil }
        var v = 0
        while i < b.count {
            let d = Int(b[i]) - 48
            guard d >= 0, d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (n, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            v = n
            i += 1
        }
        return v
    }

    /// Microseconds since 2000-01-01 00:00:00 UTC; nil for ±infinity.
    static func timestampMicros(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count == 8 else { return nil }
        let v = Int64(bitPattern: uint64(b))
        return v == .max || v == .min ? nil : v
    }

    /// 2000-01-01 00:00:00 UTC in seconds since 1970.
    static let epoch2000: Int64 = 946_684_800

    static func date(_ micros: Int64) -> Date {
        let seconds = micros.quotientAndRemainder(dividingBy: 1_000_000)
        return Date(timeIntervalSince1970: Double(seconds.quotient + epoch2000) + Double(seconds.remainder) / 1_000_000)
    }

    /// The text of a binary scalar (`PostgresRow.text`): numbers and booleans as the server writes
    /// them, and the types read as strings.
    static func scalarText(_ b: UnsafeRawBufferPointer, oid: UInt32) -> String? {
        switch oid {
        case PostgresOID.int2, PostgresOID.int4, PostgresOID.int8, PostgresOID.oid: return int(b, oid: oid).map { String($0) }
        case PostgresOID.bool: return b.count == 1 ? (b[0] != 0 ? "t" : "f") : nil
        case PostgresOID.float8: return Double(postgresBinary: b, oid: oid)?.postgresText
        default: return text(b, oid: oid)
        }
    }

    /// The value as the server would have written it in text, for the types read as strings.
    static func text(_ b: UnsafeRawBufferPointer, oid: UInt32) -> String? {
        switch oid {
        case PostgresOID.jsonb:
            guard b.count >= 1, b[0] == 1 else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: b[1...]), as: UTF8.self)
        case PostgresOID.uuid:
            guard let uuid = UUID(postgresBinary: b, oid: oid) else { return nil }
            return PostgresUUID.text(uuid)
        case PostgresOID.timestamptz, PostgresOID.timestamp:
            guard let micros = timestampMicros(b) else {
                return b.count == 8 ? (Int64(bitPattern: uint64(b)) == .max ? "infinity" : "-infinity") : nil
            }
            return PostgresTimestamp.text(micros: micros, zone: oid == PostgresOID.timestamptz)
        case PostgresOID.text, PostgresOID.varchar, PostgresOID.bpchar, PostgresOID.name, PostgresOID.json:
            return String(decoding: b, as: UTF8.self)
        default:
            return nil
        }
    }

    /// The elements of a one-dimensional binary array (nil elements for NULL).
    static func arrayElements(_ b: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer?]? {
        guard b.count >= 12 else { return nil }
        let dimensions = Int32(bitPattern: uint32(b, at: 0))
        if dimensions == 0 { return [] }
        guard dimensions == 1, b.count >= 20 else { return nil }
        let count = Int(Int32(bitPattern: uint32(b, at: 12)))
        guard count >= 0 else { return nil }
        var out: [UnsafeRawBufferPointer?] = []
        out.reserveCapacity(count)
        var at = 20
        for _ in 0..<count {
            guard at + 4 <= b.count else { return nil }
            let length = Int(Int32(bitPattern: uint32(b, at: at)))
            at += 4
            if length < 0 { out.append(nil); continue }
            guard at + length <= b.count else { return nil }
            out.append(UnsafeRawBufferPointer(rebasing: b[at..<(at + length)]))
            at += length
        }
        return out
    }
}
