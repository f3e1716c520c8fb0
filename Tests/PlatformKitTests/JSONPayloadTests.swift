import PlatformKit
import Postgres
import Testing
import TestSupport

/// A JSON object's size as stored (`jsonb`) against what PostgreSQL really writes back.
@Suite("JSON payloads bounded as stored")
struct JSONPayloadTests {
    static let samples = [
        #"{}"#, #"{"a":1}"#, #"{ "a" : [1,2, 3], "b": {"c": null, "d": true} }"#,
        #"{"n":1e3,"m":-0.5e2,"k":12.500,"z":0.000,"t":-0}"#, #"{"big":1e100,"small":1E-100,"x":123.456e-2,"y":0.05e3}"#,
        #"{"s":"caf\u00e9 \"quoted\" \\ \/ \n","u":"ünïcødé"}"#, #"{"deep":[[[[{"a":[1.5e1,2.25E+2]}]]]]}"#,
        #"{"a":10000000000000000000000000000.0000000000000001}"#, #"{"e":5e-1,"f":0.0e5}"#,
    ]

    /// The bound is never below the size PostgreSQL writes, and numbers are counted at their size
    /// written out (exactly, for these).
    @Test func theBoundHoldsAgainstPostgreSQLsOwnOutput() async throws {
        let db = try await TestDatabase.create("jsonpayload")
        let pool = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        defer { pool.close() }
        for sample in Self.samples {
            let bound = try #require(JSONPayload.storedBytes(sample))
            let stored = try #require(try await pool.query("SELECT octet_length(\(sample)::jsonb::text)::int8 AS n").first).decode("n", as: Int.self)
            #expect(bound >= stored, "\(sample): \(bound) < \(stored)")
            #expect(bound <= max(stored, sample.utf8.count) + 8, "\(sample): \(bound) far above \(stored)")
        }
        // A number written out in full: 1e4000 is 4,001 digits.
        let big = #"{"n":1e4000}"#
        let stored = try #require(try await pool.query("SELECT octet_length(\(big)::jsonb::text)::int8 AS n").first).decode("n", as: Int.self)
        #expect(JSONPayload.storedBytes(big) == stored)
        let tiny = #"{"n":-1E-4000}"#
        let storedTiny = try #require(try await pool.query("SELECT octet_length(\(tiny)::jsonb::text)::int8 AS n").first).decode("n", as: Int.self)
        #expect(JSONPayload.storedBytes(tiny) == storedTiny)
    }

    @Test func aValueLargeOnlyAsStoredIsRefused() throws {
        #expect(throws: Never.self) { try JSONPayload.check(#"{"n":1e100}"#, "data", maxBytes: 1_000) }
        let error = #expect(throws: (any Error).self) { try JSONPayload.check(#"{"n":1e100000}"#, "events[0].data", maxBytes: 65_536) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("as stored"))
        #expect(throws: (any Error).self) { try JSONPayload.check("[1]", "data", maxBytes: 1_000) }
        #expect(throws: (any Error).self) { try JSONPayload.check(#"{"a":1"#, "data", maxBytes: 1_000) }
        #expect(JSONPayload.storedBytes("[1]") == nil)
    }
}
