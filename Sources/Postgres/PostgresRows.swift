import Foundation

/// The rows of one result, in text format, with each column's name and type OID.
public struct PostgresRows: Sendable, Sequence {
    public let columns: [PostgresColumn]
    let values: [[String?]]
    /// Rows touched by an INSERT/UPDATE/DELETE (`PQcmdTuples`), 0 otherwise.
    public let affectedRows: Int

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    public subscript(index: Int) -> PostgresRow { PostgresRow(columns: columns, values: values[index]) }
    public var first: PostgresRow? { values.isEmpty ? nil : self[0] }

    public func makeIterator() -> AnyIterator<PostgresRow> {
        var i = 0
        return AnyIterator {
            guard i < values.count else { return nil }
            defer { i += 1 }
            return self[i]
        }
    }
}

public struct PostgresColumn: Sendable, Equatable {
    public let name: String
    public let oid: UInt32
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
    let values: [String?]

    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = columns.firstIndex(where: { $0.name == column }) else {
            throw PostgresError(.decoding, "no column named '\(column)'")
        }
        return try decode(index, as: type)
    }

    public func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard index >= 0, index < columns.count else {
            throw PostgresError(.decoding, "column index \(index) out of range")
        }
        let column = columns[index]
        return try T.decode(postgresText: values[index], oid: column.oid, column: column.name)
    }

    /// The raw text of a column, nil for NULL.
    public func text(_ column: String) -> String? {
        guard let i = columns.firstIndex(where: { $0.name == column }) else { return nil }
        return values[i]
    }
}

/// A Swift type that can be decoded from a column's text.
public protocol PostgresDecodable: Sendable {
    static func decode(postgresText text: String?, oid: UInt32, column: String) throws -> Self
}

/// Non-optional scalar decoding: NULL is an error, and the column type must fit.
public protocol PostgresScalarDecodable: PostgresDecodable {
    static var acceptedOIDs: Set<UInt32> { get }
    static var postgresTypeName: String { get }
    init?(postgresText: String)
}

extension PostgresScalarDecodable {
    public static func decode(postgresText text: String?, oid: UInt32, column: String) throws -> Self {
        guard acceptedOIDs.contains(oid) else {
            throw PostgresError(.decoding, "column '\(column)' has type oid \(oid), which cannot decode as \(postgresTypeName)")
        }
        guard let text else {
            throw PostgresError(.decoding, "column '\(column)' is NULL; decode as \(postgresTypeName)? to accept NULL")
        }
        guard let value = Self(postgresText: text) else {
            throw PostgresError(.decoding, "column '\(column)' holds a value that is not a valid \(postgresTypeName)")
        }
        return value
    }
}

private let textOIDs: Set<UInt32> = [PostgresOID.text, PostgresOID.varchar, PostgresOID.bpchar, PostgresOID.name,
                                     PostgresOID.json, PostgresOID.jsonb, PostgresOID.uuid, 705 /* unknown */]
private let intOIDs: Set<UInt32> = [PostgresOID.int2, PostgresOID.int4, PostgresOID.int8, PostgresOID.oid]

extension String: PostgresScalarDecodable {
    public static let acceptedOIDs: Set<UInt32> = textOIDs.union([PostgresOID.timestamptz, PostgresOID.timestamp, PostgresOID.numeric])
    public static var postgresTypeName: String { "String" }
    public init?(postgresText: String) { self = postgresText }
}
extension Int: PostgresScalarDecodable {
    public static let acceptedOIDs: Set<UInt32> = intOIDs
    public static var postgresTypeName: String { "Int" }
    public init?(postgresText: String) { self.init(postgresText, radix: 10) }
}
extension Int64: PostgresScalarDecodable {
    public static let acceptedOIDs: Set<UInt32> = intOIDs
    public static var postgresTypeName: String { "Int64" }
    public init?(postgresText: String) { self.init(postgresText, radix: 10) }
}
extension Int32: PostgresScalarDecodable {
    public static let acceptedOIDs: Set<UInt32> = [PostgresOID.int2, PostgresOID.int4]
    public static var postgresTypeName: String { "Int32" }
    public init?(postgresText: String) { self.init(postgresText, radix: 10) }
}
extension Bool: PostgresScalarDecodable {
    public static let acceptedOIDs: Set<UInt32> = [PostgresOID.bool]
    public static var postgresTypeName: String { "Bool" }
    public init?(postgresText: String) {
        switch postgresText { case "t": self = true; case "f": self = false; default: return nil }
    }
}
extension Double: PostgresScalarDecodable {
    public static let acceptedOIDs: Set<UInt32> = intOIDs.union([PostgresOID.float4, PostgresOID.float8, PostgresOID.numeric])
    public static var postgresTypeName: String { "Double" }
    public init?(postgresText: String) { self.init(postgresText) }
}
extension UUID: PostgresScalarDecodable {
    public static let acceptedOIDs: Set<UInt32> = [PostgresOID.uuid]
    public static var postgresTypeName: String { "UUID" }
    public init?(postgresText: String) {
        guard let uuid = PostgresUUID.parse(postgresText) else { return nil }
        self = uuid
    }
}

/// UUID text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, either case) read by hand: Foundation's
/// `UUID(uuidString:)` goes through `sscanf` on Linux, which was a few percent of the gateway's
/// CPU on TenantOverview (every id of every row).
public enum PostgresUUID {
    public static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { p -> UUID? in
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
    public static let acceptedOIDs: Set<UInt32> = [PostgresOID.timestamptz, PostgresOID.timestamp]
    public static var postgresTypeName: String { "Date" }
    public init?(postgresText: String) {
        guard let d = PostgresTimestamp.parse(postgresText) else { return nil }
        self = d
    }
}
extension PostgresJSON: PostgresScalarDecodable {
    public static let acceptedOIDs: Set<UInt32> = [PostgresOID.json, PostgresOID.jsonb]
    public static var postgresTypeName: String { "JSON" }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgresText text: String?, oid: UInt32, column: String) throws -> Wrapped? {
        guard text != nil else { return nil }
        return try Wrapped.decode(postgresText: text, oid: oid, column: column)
    }
}

private let arrayElementOID: [UInt32: UInt32] = [
    PostgresOID.textArray: PostgresOID.text, PostgresOID.varcharArray: PostgresOID.varchar,
    PostgresOID.int8Array: PostgresOID.int8, PostgresOID.int4Array: PostgresOID.int4,
    PostgresOID.boolArray: PostgresOID.bool, PostgresOID.float8Array: PostgresOID.float8,
    PostgresOID.uuidArray: PostgresOID.uuid, PostgresOID.jsonbArray: PostgresOID.jsonb,
    1005: PostgresOID.int2, 1185: PostgresOID.timestamptz,
]

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public static func decode(postgresText text: String?, oid: UInt32, column: String) throws -> [Element] {
        guard let elementOID = arrayElementOID[oid] else {
            throw PostgresError(.decoding, "column '\(column)' has type oid \(oid), which is not a supported array")
        }
        guard let text else { throw PostgresError(.decoding, "column '\(column)' is NULL; decode as an optional array") }
        guard let parts = PostgresArrayText.decode(text) else {
            throw PostgresError(.decoding, "column '\(column)' holds a malformed array literal")
        }
        return try parts.map { try Element.decode(postgresText: $0, oid: elementOID, column: column) }
    }
}
