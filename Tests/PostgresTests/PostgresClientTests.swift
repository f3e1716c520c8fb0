import Foundation
import Postgres
import Testing
import TestSupport

/// Against the real PostgreSQL that `scripts/services up` starts; each suite in a database of its own.
@Suite("PostgreSQL client")
struct PostgresClientTests {
    let db: TestDatabase
    let pool: PostgresPool

    init() async throws {
        db = try await TestDatabase.create("pg")
        pool = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 1, maxConnections: 4))
    }

    @Test func roundTripsEverySupportedType() async throws {
        let id = UUID()
        let when = Date(timeIntervalSince1970: 1_763_720_991.123456)
        let json = PostgresJSON(#"{"a": [1, 2, {"b": "c"}], "d": null}"#)
        let rows = try await pool.query("""
            SELECT \(String("héllo \"quoted\" \\ back"))::text AS t, \(Int(-9_007_199_254_740_993))::int8 AS i8,
                   \(Int32(42))::int4 AS i4, \(true)::bool AS b, \(3.25)::float8 AS f, \(id)::uuid AS u,
                   \(when)::timestamptz AS ts, \(json)::jsonb AS j, \(["a", "b,c", "d\"e", "NULL", ""])::text[] AS ta,
                   \([1, 2, 3])::int8[] AS ia, \([id])::uuid[] AS ua, NULL::text AS n, \(Optional<String>.none)::text AS n2
            """)
        let row = try #require(rows.first)
        #expect(try row.decode("t", as: String.self) == "héllo \"quoted\" \\ back")
        #expect(try row.decode("i8", as: Int.self) == -9_007_199_254_740_993)
        #expect(try row.decode("i4", as: Int32.self) == 42)
        #expect(try row.decode("b", as: Bool.self) == true)
        #expect(try row.decode("f", as: Double.self) == 3.25)
        #expect(try row.decode("u", as: UUID.self) == id)
        let ts = try row.decode("ts", as: Date.self)
        #expect(abs(ts.timeIntervalSince1970 - when.timeIntervalSince1970) < 0.000_001)
        let decodedJSON = try row.decode("j", as: PostgresJSON.self)
        struct Shape: Decodable, Equatable { let d: Int? }
        #expect(decodedJSON.text.contains(#""b": "c""#))
        #expect(try decodedJSON.decode(Shape.self) == Shape(d: nil))
        #expect(try row.decode("ta", as: [String].self) == ["a", "b,c", "d\"e", "NULL", ""])
        #expect(try row.decode("ia", as: [Int].self) == [1, 2, 3])
        #expect(try row.decode("ua", as: [UUID].self) == [id])
        #expect(try row.decode("n", as: String?.self) == nil)
        #expect(try row.decode("n2", as: String?.self) == nil)
    }

    /// Prepared statements whose columns are all of the types the client reads in binary get
    /// binary results; the values decode exactly as the same statement's text results do (a
    /// numeric column keeps a statement in text), and a binary timestamp, UUID or jsonb read as a
    /// string is what the server writes as text.
    @Test func binaryResultsDecodeAsTextResultsDo() async throws {
        let select = """
            SELECT u, u::text AS u_text, tz, tz::text AS tz_text, ts, ts::text AS ts_text, j, j::text AS j_text,
                   i2, i4, i8, o, f4::float8 AS f4, f8, b, t, vc, ta, ia, ua, tza, ja, nu
            FROM (VALUES
              ('0f2c8a40-1b2c-4d5e-8f90-a1b2c3d4e5f6'::uuid, '2026-11-21 10:29:51.123456+00'::timestamptz, '1999-12-31 23:59:59.5'::timestamp,
               '{"a": [1, "x"], "b": null}'::jsonb, '-32768'::int2, 2147483647::int4, '-9223372036854775808'::int8, 4000000000::oid,
               1.5::float4, -2.25e-300::float8, true, 'héllo "q" \\ back'::text, 'v'::varchar, ARRAY['a', NULL, 'c,d', '']::text[],
               ARRAY[1, -2]::int8[], ARRAY['0f2c8a40-1b2c-4d5e-8f90-a1b2c3d4e5f6']::uuid[], ARRAY['1970-01-01 00:00:00+00']::timestamptz[],
               ARRAY['{"k": 1}']::jsonb[], NULL::text),
              ('00000000-0000-0000-0000-000000000000'::uuid, '1969-07-20 20:17:40+00'::timestamptz, 'infinity'::timestamp,
               '[]'::jsonb, 0::int2, -1::int4, 0::int8, 0::oid, 0::float4, 0::float8, false, ''::text, ''::varchar,
               ARRAY[]::text[], ARRAY[]::int8[], ARRAY[]::uuid[], ARRAY[]::timestamptz[], ARRAY[]::jsonb[], 'x'::text),
              ('ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid, '2000-01-01 00:00:00.000001+00'::timestamptz, '1900-02-28 12:00:00.1'::timestamp,
               '"s"'::jsonb, 1::int2, 1::int4, 1::int8, 1::oid, -1::float4, 1::float8, true, 'z'::text, 'z'::varchar,
               ARRAY[NULL]::text[], ARRAY[9223372036854775807]::int8[], ARRAY[NULL]::uuid[], ARRAY[NULL]::timestamptz[], ARRAY[NULL]::jsonb[], NULL)
            ) AS v(u, tz, ts, j, i2, i4, i8, o, f4, f8, b, t, vc, ta, ia, ua, tza, ja, nu)
            """
        // A statement's first run prepares it in the same round trip and answers in text; from
        // its second run on, its result comes in binary.
        let first = try await pool.withConnection { c in try await c.query(PostgresQuery(unsafeSQL: select)) }
        #expect(first.columns.allSatisfy { !$0.isBinary })
        let binary = try await pool.withConnection { c in try await c.query(PostgresQuery(unsafeSQL: select)) }
        let text = try await pool.query(PostgresQuery(unsafeSQL: "SELECT *, 1::numeric AS force_text FROM (\(select)) AS q"))
        let inText = binary.columns.filter { !$0.isBinary }.map(\.name)
        #expect(inText.isEmpty, "\(inText)")
        #expect(text.columns.allSatisfy { !$0.isBinary })
        #expect(binary.count == 3 && text.count == 3)
        for (b, t) in zip(binary, text) {
            #expect(try b.decode("u", as: UUID.self) == t.decode("u", as: UUID.self))
            #expect(try b.decode("u", as: String.self) == b.decode("u_text", as: String.self))
            #expect(try b.decode("tz", as: String.self) == b.decode("tz_text", as: String.self))
            #expect(try b.decode("ts", as: String.self) == b.decode("ts_text", as: String.self))
            #expect(try b.decode("j", as: String.self) == b.decode("j_text", as: String.self))
            #expect(try b.decode("j", as: PostgresJSON.self) == t.decode("j", as: PostgresJSON.self))
            #expect(try b.decode("tz", as: Date.self) == t.decode("tz", as: Date.self))
            #expect((try? b.decode("ts", as: Date.self)) == (try? t.decode("ts", as: Date.self)))
            #expect(try b.decode("i2", as: Int.self) == t.decode("i2", as: Int.self))
            #expect(try b.decode("i2", as: Int32.self) == t.decode("i2", as: Int32.self))
            #expect(try b.decode("i4", as: Int.self) == t.decode("i4", as: Int.self))
            #expect(try b.decode("i8", as: Int64.self) == t.decode("i8", as: Int64.self))
            #expect(try b.decode("o", as: Int.self) == t.decode("o", as: Int.self))
            #expect(try b.decode("i4", as: Double.self) == t.decode("i4", as: Double.self))
            #expect(try b.decode("f4", as: Double.self) == t.decode("f4", as: Double.self))
            #expect(try b.decode("f8", as: Double.self) == t.decode("f8", as: Double.self))
            #expect(try b.decode("b", as: Bool.self) == t.decode("b", as: Bool.self))
            #expect(try b.decode("t", as: String.self) == t.decode("t", as: String.self))
            #expect(try b.decode("vc", as: String.self) == t.decode("vc", as: String.self))
            #expect(try b.decode("ta", as: [String?].self) == t.decode("ta", as: [String?].self))
            #expect(try b.decode("ia", as: [Int].self) == t.decode("ia", as: [Int].self))
            #expect(try b.decode("ua", as: [UUID?].self) == t.decode("ua", as: [UUID?].self))
            #expect(try b.decode("tza", as: [Date?].self) == t.decode("tza", as: [Date?].self))
            #expect(try b.decode("ja", as: [PostgresJSON?].self) == t.decode("ja", as: [PostgresJSON?].self))
            #expect(try b.decode("nu", as: String?.self) == t.decode("nu", as: String?.self))
        }
        #expect(try binary[0].decode("tz_text", as: String.self) == "2026-11-21 10:29:51.123456+00")
        // text(): what the server writes, for binary scalars too; a detached row keeps its values.
        for column in ["u", "tz", "i2", "i4", "i8", "o", "f8", "b", "t", "j"] {
            #expect(binary[0].text(column) == text[0].text(column), "\(column)")
        }
        // A float4 keeps its statement in text: the server's text is the float's shortest form.
        let float4 = try await pool.query("SELECT 0.1::float4 AS f")
        #expect(float4.columns.map(\.isBinary) == [false])
        #expect(try float4[0].decode("f", as: Double.self) == 0.1)
        let kept = binary[0].detached()
        #expect(kept.columns == binary.columns)
        #expect(try kept.decode("u", as: UUID.self) == binary[0].decode("u", as: UUID.self))
        #expect(try kept.decode("ta", as: [String?].self) == ["a", nil, "c,d", ""])
        #expect(try kept.decode("nu", as: String?.self) == nil)
        #expect(try binary[2].detached().decode("nu", as: String?.self) == nil)
        #expect(try binary[1].decode("ts", as: String.self) == "infinity")
        #expect(throws: PostgresError.self) { try binary[1].decode("ts", as: Date.self) }
        #expect(throws: PostgresError.self) { try binary[0].decode("i8", as: Int32.self) }
    }

    /// Parameters go in binary (integers, floats, booleans, UUIDs, timestamps, text, arrays):
    /// the server reads back exactly what was sent, edge values included, and a string the server
    /// cannot store (a NUL byte) is an error rather than cut short.
    @Test func binaryParametersArriveExactly() async throws {
        let ids = [UUID(), UUID()]
        let before2000 = Date(timeIntervalSince1970: 946_684_799.000_001)
        let rows = try await pool.query("""
            SELECT \(Int.min)::int8 = '-9223372036854775808'::int8 AS imin, \(Int32.max)::int4 = 2147483647 AS i4,
                   \(Double.nan)::float8 = 'NaN'::float8 AS nan, \(-Double.infinity)::float8 = '-Infinity'::float8 AS ninf,
                   \(before2000)::timestamptz = '1999-12-31 23:59:59.000001+00'::timestamptz AS ts,
                   \(false)::bool = false AS f, \("ünï \\ \"q\" {,}")::text = 'ünï \\ "q" {,}' AS t, \("")::text = '' AS empty,
                   cardinality(\([UUID]())::uuid[]) = 0 AS noids, \(ids)::uuid[] = ARRAY['\(unsafeRaw: ids[0].uuidString)', '\(unsafeRaw: ids[1].uuidString)']::uuid[] AS ids,
                   \(["a", "", "NULL", "x,y"])::text[] = ARRAY['a', '', 'NULL', 'x,y'] AS ta, \([Int]())::int8[] = '{}'::int8[] AS noints,
                   \([3, -1])::int8[] AS ia, \(Optional<Int>.none)::int8 IS NULL AS null,
                   \(["x", String(repeating: "é", count: 150), String(repeating: "y", count: 70_000)])::text[]
                       = ARRAY['x', repeat('é', 150), repeat('y', 70000)] AS long
            """)
        let row = try #require(rows.first)
        for column in ["imin", "i4", "nan", "ninf", "ts", "f", "t", "empty", "noids", "ids", "ta", "noints", "null", "long"] {
            #expect(try row.decode(column, as: Bool.self), "\(column)")
        }
        #expect(try row.decode("ia", as: [Int].self) == [3, -1])
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT \("a\u{0}b")::text AS t") }
        // Refused before it is sent (as the server would: 22021), so the transaction it would
        // have run in goes on: the next statement there is answered (not 25P02), a text array too.
        let after = try await pool.transaction { c -> Int in
            // Binds given to raw SQL are checked the same way (text, and a text array in binary).
            let raw = [PostgresQuery(unsafeSQL: "SELECT $1::text AS t", binds: ["a\u{0}b".postgresBind]),
                       PostgresQuery(unsafeSQL: "SELECT $1::text[] AS t", binds: [["ok", "", "a\u{0}"].postgresBind])]
            for bad in ["SELECT \("a\u{0}b")::text AS t", "SELECT \(["ok", "a\u{0}"])::text[] AS t"] + raw as [PostgresQuery] {
                do {
                    _ = try await c.query(bad)
                    Issue.record("a NUL byte in text was sent")
                } catch let e as PostgresError {
                    #expect(e.sqlState == "22021" && e.isDataOrIntegrityError, "\(e)")
                }
            }
            let fine = PostgresQuery(unsafeSQL: "SELECT cardinality($1::text[]) AS n", binds: [["ok", "", "zero\u{1}"].postgresBind])
            #expect(!fine.holdsNUL)
            #expect(try await c.query(fine).first!.decode("n", as: Int.self) == 3)
            return try await c.query("SELECT 7::int8 AS n").first!.decode("n")
        }
        #expect(after == 7)
    }

    /// UUIDs are read by hand (not Foundation's sscanf): the same answers as Foundation, both
    /// cases, and nil for anything that is not a UUID.
    @Test func uuidTextIsReadAndWrittenLikeFoundation() {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(PostgresUUID.text(id) == id.uuidString.lowercased())
            #expect(PostgresUUID.parse(id.uuidString.lowercased()) == id)
            #expect(PostgresUUID.parse(id.uuidString) == id)
        }
        for bad in ["", "not-a-uuid", "4bf92f35-77b3-4da6-a3ce-929d0e0e473", "4bf92f35-77b3-4da6-a3ce-929d0e0e47366",
                    "4bf92f3577b34da6a3ce929d0e0e4736xxxx", "4bf92f35-77b3-4da6-a3ce-929d0e0e473g", "4bf92f35+77b3-4da6-a3ce-929d0e0e4736"] {
            #expect(PostgresUUID.parse(bad) == nil, "\(bad)")
            #expect(UUID(uuidString: bad) == nil, "Foundation agrees on \(bad)")
        }
        let edges = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                     UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        for id in edges { #expect(PostgresUUID.text(id) == id.uuidString.lowercased()) }
    }

    @Test func typeMismatchIsAClearError() async throws {
        let row = try #require(try await pool.query("SELECT 'abc'::text AS t, NULL::int AS n").first)
        let e1 = #expect(throws: PostgresError.self) { try row.decode("t", as: Int.self) }
        #expect(e1?.code == .decoding)
        #expect(e1?.description.contains("column 't'") == true)
        let e2 = #expect(throws: PostgresError.self) { try row.decode("n", as: Int.self) }
        #expect(e2?.description.contains("NULL") == true)
        #expect(throws: PostgresError.self) { try row.decode("missing", as: Int.self) }
        #expect(throws: PostgresError.self) { try row.decode(2, as: Int.self) }
        // Names of one length are told apart; each type takes the columns it accepts.
        let typed = try #require(try await pool.query("""
            SELECT 1::int8 AS ab, 2::int4 AS ba, gen_random_uuid() AS id, now() AS at, 3::int2 AS sm
            """).first)
        #expect(try typed.decode("ab", as: Int.self) == 1 && typed.decode("ba", as: Int.self) == 2)
        #expect(try typed.decode("id", as: String.self).count == 36)
        #expect(try typed.decode("sm", as: Int32.self) == 3 && typed.decode("ba", as: Int32.self) == 2)
        #expect(throws: PostgresError.self) { try typed.decode("ab", as: Int32.self) }
        #expect(throws: PostgresError.self) { try typed.decode("at", as: UUID.self) }
        #expect(throws: PostgresError.self) { try typed.decode("id", as: Date.self) }
        #expect(try typed.decode("at", as: Date.self).timeIntervalSinceNow < 60)
    }

    @Test func arrayParametersWithAny() async throws {
        try await pool.query("CREATE TABLE items (id int8 PRIMARY KEY, name text)")
        for i in 1...10 { try await pool.query("INSERT INTO items VALUES (\(i), \("item \(i)"))") }
        let rows = try await pool.query("SELECT name FROM items WHERE id = ANY(\([2, 5, 7, 99])) ORDER BY id")
        #expect(try rows.map { try $0.decode("name", as: String.self) } == ["item 2", "item 5", "item 7"])
        let byName = try await pool.query("SELECT id FROM items WHERE name = ANY(\(["item 3", "nope"]))")
        #expect(try byName.map { try $0.decode("id", as: Int.self) } == [3])
    }

    @Test func transactionRollsBackOnError() async throws {
        try await pool.query("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)")
        try await pool.query("INSERT INTO accounts VALUES (1, 100)")
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await pool.transaction { c in
                try await c.query("UPDATE accounts SET balance = balance - 50 WHERE id = 1")
                throw Boom()
            }
        }
        // A failing statement inside the transaction also rolls back.
        await #expect(throws: PostgresError.self) {
            try await pool.transaction { c in
                try await c.query("UPDATE accounts SET balance = 0 WHERE id = 1")
                try await c.query("INSERT INTO accounts VALUES (1, 5)") // duplicate key
            }
        }
        let balance = try await pool.query("SELECT balance FROM accounts WHERE id = 1").first!.decode("balance", as: Int.self)
        #expect(balance == 100)
        let committed = try await pool.transaction { c in
            try await c.query("UPDATE accounts SET balance = 70 WHERE id = 1").affectedRows
        }
        #expect(committed == 1)
        #expect(try await pool.query("SELECT balance FROM accounts").first!.decode("balance", as: Int.self) == 70)
    }

    /// A transaction's opening (`BEGIN`, the tenant setting) costs no round trip: it goes with the
    /// first statement, under its sync. A failure in it is that statement's failure and skips the
    /// statements sent with it (none runs outside the transaction); a body that sends nothing
    /// sends nothing.
    @Test func aTransactionsOpeningTravelsWithItsFirstStatement() async throws {
        // A pool of its own: its counts are this test's alone (the suite's tests run in parallel).
        let pool = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        defer { pool.close() }
        _ = try await pool.query("SELECT 1 AS one")   // connected and set up
        let stats = pool.statistics
        var before = stats.roundTripCount
        let (tenant, first, second) = try await pool.withTenant("tenant-open") { c in
            let a = try await c.query("SELECT current_setting('app.tenant_id', true) AS t, txid_current()::int8 AS x").first!
            let b = try await c.query("SELECT txid_current()::int8 AS x").first!
            return (try a.decode("t", as: String?.self), try a.decode("x", as: Int.self), try b.decode("x", as: Int.self))
        }
        #expect(tenant == "tenant-open")
        #expect(first == second, "both statements ran in the one transaction")
        #expect(stats.roundTripCount - before == 3, "the two statements and COMMIT; BEGIN and set_config went with the first")

        before = stats.roundTripCount
        #expect(try await pool.withTenant("tenant-none") { _ in 7 } == 7)
        #expect(stats.roundTripCount == before, "nothing read, nothing begun, nothing to commit")

        try await pool.withConnection { c in
            c.sendWithNext(["BEGIN", "SELECT (1 / 0)::int8 AS n"])
            let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for i in 0..<3 {
                    group.addTask {
                        do { return (i, .success(try await c.query("SELECT \(i)::int8 AS n").first!.decode("n", as: Int.self))) } catch { return (i, .failure(error)) }
                    }
                }
                var out: [Int: Result<Int, any Error>] = [:]
                for await (i, r) in group { out[i] = r }
                return out
            }
            // The statement that carried the opening fails with its error; any sent with it are skipped.
            var states: [String?] = []
            for (_, r) in outcomes { if case .failure(let e) = r { states.append((e as? PostgresError)?.sqlState) } }
            #expect(states.contains("22012"), "the opening's failure reaches the statement it went with: \(outcomes)")
            #expect(states.allSatisfy { $0 == "22012" || $0 == "25P02" }, "\(outcomes)")
            try await c.query("ROLLBACK")
            #expect(try await c.query("SELECT 8::int8 AS n").first?.decode("n", as: Int.self) == 8)
            c.sendWithNext(["BEGIN"])
            #expect(c.dropUnsent(), "an opening not sent yet is dropped")
            let x1 = try await c.query("SELECT txid_current()::int8 AS x").first!.decode("x", as: Int.self)
            let x2 = try await c.query("SELECT txid_current()::int8 AS x").first!.decode("x", as: Int.self)
            #expect(x1 != x2, "no BEGIN was sent: each statement is a transaction of its own")
        }
    }

    /// A read-only transaction's `COMMIT` sent unanswered: the connection goes back to the pool at
    /// once (kept, not closed as one left in a transaction), the commit takes effect, and the
    /// connection's next statement — extended or simple protocol — reads its answer first and
    /// goes on, on the same session.
    @Test func aCommitSentUnansweredIsReadWithTheNextStatement() async throws {
        let pool = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        defer { pool.close() }
        try await pool.query("CREATE TABLE unanswered_probe (n int)")
        let pid = try await pool.query("SELECT pg_backend_pid()::int8 AS p").first!.decode("p", as: Int.self)
        for round in 1...3 {
            let c = try await pool.checkOut()
            c.sendWithNext(["BEGIN"])
            try await c.query("INSERT INTO unanswered_probe VALUES (\(round))")
            try await c.sendUnanswered("COMMIT")
            if round == 2 { try await c.sendUnanswered("SELECT 1") }   // two answers left unread
            await pool.checkIn(c)
            #expect(pool.counts.open == 1)
            if round == 3 {
                try await pool.withConnection { try await $0.simpleQuery("SELECT 1; SELECT 2") }
            }
            let (n, again) = try await pool.withConnection { c in
                let r = try await c.query("SELECT count(*)::int8 AS n, pg_backend_pid()::int8 AS p FROM unanswered_probe").first!
                return (try r.decode("n", as: Int.self), try r.decode("p", as: Int.self))
            }
            #expect(n == round)
            #expect(again == pid, "the same session: the connection was not reopened")
        }
        let other = try await PostgresConnection.connect(db.ownerURL)
        #expect(try await other.query("SELECT count(*)::int8 AS n FROM unanswered_probe").first!.decode("n", as: Int.self) == 3,
                "committed, as another session sees")
        // A transaction that never sent anything sends nothing at its end.
        let c = try await pool.checkOut()
        c.sendWithNext(["BEGIN"])
        try await c.sendUnanswered("COMMIT")
        await pool.checkIn(c)
        #expect(try await pool.query("SELECT 5::int8 AS n").first!.decode("n", as: Int.self) == 5)
    }

    @Test func tenantSettingNeverLeaksBetweenPooledConnections() async throws {
        // 400 tasks queue for 2 connections by design: waiting long is expected here (acquire
        // timeouts have their own test), under the whole suite on 2 cores too.
        let small = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 2, acquireTimeout: .seconds(120)))
        defer { small.close() }
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<200 {
                let tenant = "tenant-\(i % 7)"
                group.addTask {
                    try await small.withTenant(tenant) { c in
                        let seen = try await c.query("SELECT current_setting('app.tenant_id', true) AS t, pg_sleep(0.001)").first!
                            .decode("t", as: String?.self)
                        return seen == tenant ? 0 : 1
                    }
                }
                // Interleave plain queries: outside a tenant transaction the setting is empty.
                group.addTask {
                    let seen = try await small.query("SELECT current_setting('app.tenant_id', true) AS t").first!.decode("t", as: String?.self)
                    return (seen ?? "").isEmpty ? 0 : 1
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
        #expect(small.counts.open <= 2)
    }

    @Test(.timeLimit(.minutes(1))) func poolExhaustionFailsWithinTimeout() async throws {
        let tiny = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1, acquireTimeout: .milliseconds(200)))
        let locker = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 2))
        defer { tiny.close(); locker.close() }
        // The holder takes the pool's only connection and waits for a lock this test releases only
        // after the second query has failed: that failure cannot have come from the holder finishing.
        let holder: Task<Void, Error> = try await locker.transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(4343)")
            let holder = Task { _ = try await tiny.query("SELECT pg_advisory_xact_lock_shared(4343)") }
            while try await locker.query("""
                SELECT count(*)::int8 AS n FROM pg_stat_activity
                WHERE wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock_shared(4343)%'
                """).first!.decode("n", as: Int.self) < 1 {
                try await Task.sleep(for: .milliseconds(10))
            }
            let error = await #expect(throws: PostgresError.self) { try await tiny.query("SELECT 1") }
            #expect(error?.code == .poolTimeout, "the wait is bounded by acquireTimeout, not by the holder")
            return holder
        }
        try await holder.value
        // Once the connection is back, the pool serves again.
        #expect(try await tiny.query("SELECT 1 AS one").first!.decode("one", as: Int.self) == 1)
    }

    /// `statementTimeoutMs` ends a statement on the server (SQLSTATE 57014).
    @Test func aStatementOverItsTimeoutIsEndedByTheServer() async throws {
        let bounded = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1, statementTimeoutMs: 100))
        defer { bounded.close() }
        let error = await #expect(throws: PostgresError.self) { try await bounded.query("SELECT pg_sleep(30)") }
        #expect(error?.sqlState == "57014", "\(String(describing: error))")
        // The connection keeps serving.
        #expect(try await bounded.query("SELECT 1 AS one").first!.decode("one", as: Int.self) == 1)
    }

    /// A transaction's last statement can carry its COMMIT (`queryAndCommit`): one round trip for
    /// both, the change committed (another connection sees it) and no COMMIT of the pool's own
    /// after it. A last statement that fails rolls the whole transaction back, keeps its own error,
    /// and leaves the connection usable; a transaction after it commits as usual.
    @Test func aTransactionsLastStatementCanCarryItsCommit() async throws {
        try await pool.query("CREATE TABLE ledger (id int PRIMARY KEY, note text NOT NULL)")
        let own = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        defer { own.close() }
        _ = try await own.query("SELECT 1 AS one")
        func notes() async throws -> [String] {
            try await pool.query("SELECT note FROM ledger ORDER BY id").map { try $0.decode("note", as: String.self) }
        }
        let stats = own.statistics
        var before = stats.roundTripCount
        let (tenant, inserted) = try await own.withTenant("tenant-ledger") { c in
            let t = try await c.query("SELECT current_setting('app.tenant_id', true) AS t").first!.decode("t", as: String.self)
            let rows = try await c.queryAndCommit("INSERT INTO ledger SELECT n, current_setting('app.tenant_id', true) || n FROM generate_series(1, \(2)) AS n RETURNING id")
            return (t, try rows.map { try $0.decode("id", as: Int.self) }.sorted())
        }
        #expect(tenant == "tenant-ledger")
        #expect(inserted == [1, 2])
        #expect(stats.roundTripCount - before == 2, "the first statement (with BEGIN and set_config), then the insert with its COMMIT")
        #expect(try await notes() == ["tenant-ledger1", "tenant-ledger2"], "committed: another connection sees both rows")

        // The opening, the statement and COMMIT all in one round trip when it is the only statement.
        before = stats.roundTripCount
        _ = try await own.transaction { c in try await c.queryAndCommit("INSERT INTO ledger VALUES (3, 'three')") }
        #expect(stats.roundTripCount - before == 1)
        #expect(try await notes().last == "three")

        let failed = await #expect(throws: PostgresError.self) {
            try await own.transaction { c in
                try await c.query("INSERT INTO ledger VALUES (4, 'four')")
                return try await c.queryAndCommit("INSERT INTO ledger VALUES (1, 'again')")   // duplicate key
            }
        }
        #expect(failed?.isUniqueViolation == true, "the statement's own error: \(String(describing: failed))")
        #expect(try await notes() == ["tenant-ledger1", "tenant-ledger2", "three"], "nothing of the failed transaction stayed")
        // The connection goes on, and a transaction after it commits with a COMMIT of its own.
        try await own.transaction { c in _ = try await c.query("INSERT INTO ledger VALUES (5, 'five')") }
        #expect(try await notes().last == "five")
        #expect(try await own.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
    }

    /// libpq's pipeline mode: statements in one round trip, results in order; a statement that
    /// fails mid-pipeline throws its own error, the ones after it are skipped, a pipelined
    /// transaction is left for the caller to roll back (and outside one the pipeline is all or
    /// nothing), and the connection goes on working.
    @Test func pipelinesRunInOrderAndAFailureMidPipelineRollsBack() async throws {
        try await pool.query("CREATE TABLE pipe_probe (n int PRIMARY KEY)")
        try await pool.withConnection { c in
            func count() async throws -> Int { try await c.query("SELECT count(*)::int8 AS n FROM pipe_probe").first!.decode("n", as: Int.self) }
            let r = try await c.pipeline(["BEGIN", "INSERT INTO pipe_probe VALUES (1)", "INSERT INTO pipe_probe VALUES (\(2))",
                                          "SELECT count(*)::int8 AS n FROM pipe_probe", "COMMIT"])
            #expect(r.count == 5)
            #expect(r[2].affectedRows == 1)
            #expect(try r[3].first?.decode("n", as: Int.self) == 2)

            let e1 = await #expect(throws: PostgresError.self) {
                try await c.pipeline(["BEGIN", "INSERT INTO pipe_probe VALUES (3)", "INSERT INTO pipe_probe VALUES (1)", "INSERT INTO pipe_probe VALUES (4)"])
            }
            #expect(e1?.sqlState == "23505", "the failing statement's own error: \(String(describing: e1))")
            try await c.query("ROLLBACK")
            #expect(try await count() == 2, "nothing of the failed pipeline's transaction stayed")

            let e2 = await #expect(throws: PostgresError.self) {
                try await c.pipeline(["INSERT INTO pipe_probe VALUES (5)", "INSERT INTO pipe_probe VALUES (2)", "INSERT INTO pipe_probe VALUES (6)"])
            }
            #expect(e2?.sqlState == "23505")
            #expect(try await count() == 2, "outside a transaction block a pipeline is all or nothing")
            #expect(try await c.pipeline(["SELECT 1 AS one"])[0].first?.decode("one", as: Int.self) == 1)
        }
        // withTenant pipelines BEGIN and set_config: the setting is seen inside, gone after.
        let inside = try await pool.withTenant("11111111-2222-3333-4444-555555555555") { c in
            try await c.query("SELECT current_setting('app.tenant_id') AS t").first!.decode("t", as: String.self)
        }
        #expect(inside == "11111111-2222-3333-4444-555555555555")
    }

    /// Statements that several tasks send while the connection is busy go together in one
    /// pipeline, each with its own answer, as if run one after another: inside a transaction
    /// block a failing one gets its own error and those after it "current transaction is
    /// aborted"; outside one a failure touches nothing else. The connection is busy here on an
    /// advisory lock another connection holds, until all six wait.
    @Test func statementsSentWhileTheConnectionIsBusyShareOnePipelineInATransaction() async throws {
        for inTransaction in [true, false] {
            try await pool.withConnection { holder in
                try await pool.withConnection { c in
                    if inTransaction { try await c.query("BEGIN") }
                    try await holder.query("SELECT pg_advisory_lock(5151)")
                    let before = pool.statistics.pipelinedStatementCount
                    async let blocked = c.query("SELECT pg_advisory_lock(5151)")
                    // The connection is busy once the server has it waiting on the lock.
                    try await waitUntilOneWaits(onAdvisoryLock: 5151, watchedFrom: holder)
                    let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                        for i in 0..<6 {
                            group.addTask {
                                let sql: PostgresQuery = i == 3 ? "SELECT (1 / 0)::int8 AS n" : "SELECT \(i)::int8 AS n"
                                do { return (i, .success(try await c.query(sql).first!.decode("n", as: Int.self))) } catch { return (i, .failure(error)) }
                            }
                        }
                        for _ in 0..<1_200 where c.statementsWaiting < 6 { try? await Task.sleep(for: .milliseconds(10)) }
                        #expect(c.statementsWaiting == 6, "the six statements wait while the connection is busy")
                        try? await holder.query("SELECT pg_advisory_unlock(5151)")
                        var out: [Int: Result<Int, any Error>] = [:]
                        for await (i, r) in group { out[i] = r }
                        return out
                    }
                    _ = try await blocked
                    #expect(pool.statistics.pipelinedStatementCount - before == 6)
                    for (i, r) in outcomes.sorted(by: { $0.key < $1.key }) {
                        switch r {
                        case .success(let n): #expect(n == i)
                        case .failure(let e):
                            let state = (e as? PostgresError)?.sqlState
                            if i == 3 { #expect(state == "22012", "division by zero: \(e)") } else {
                                #expect(inTransaction && state == "25P02", "statement \(i): \(e)")
                            }
                        }
                    }
                    if case .success = outcomes[3] { Issue.record("the failing statement answered") }
                    if inTransaction { try await c.query("ROLLBACK") }
                    _ = try await c.query("SELECT pg_advisory_unlock_all()")
                    #expect(try await c.query("SELECT 7::int8 AS n").first?.decode("n", as: Int.self) == 7)
                }
            }
        }
    }

    /// A statement larger than the socket's buffers is sent in parts as the socket drains
    /// (non-blocking `PQflush`), and a large result read in parts as it arrives; several such
    /// statements in one pipeline each get their own answer.
    @Test func statementsAndResultsLargerThanTheSocketBuffersTravelWhole() async throws {
        let big = String(repeating: "0123456789abcdef", count: 512 * 1024)   // 8 MiB
        try await pool.withConnection { c in
            let n = try await c.query("SELECT length(\(big))::int8 AS n").first!
            #expect(try n.decode("n", as: Int.self) == big.utf8.count)
            let back = try await c.query("SELECT repeat('0123456789abcdef', 524288) AS s").first!.decode("s", as: String.self)
            #expect(back == big)
            try await c.query("BEGIN")
            let together = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<3 { group.addTask { try await c.query("SELECT length(\(big + String(i)))::int8 AS n").first!.decode("n", as: Int.self) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(together.sorted() == [big.utf8.count + 1, big.utf8.count + 1, big.utf8.count + 1])
            try await c.query("COMMIT")
        }
    }

    /// Polls until a session waits on `pg_advisory_lock(id)` (bounded: 1,200 polls).
    func waitUntilOneWaits(onAdvisoryLock id: Int, watchedFrom holder: PostgresConnection) async throws {
        for _ in 0..<1_200 {
            let n = try await holder.query("""
                SELECT count(*)::int8 AS n FROM pg_stat_activity
                WHERE wait_event_type = 'Lock' AND query LIKE \("%pg_advisory_lock(\(id))%")
                """).first!.decode("n", as: Int.self)
            if n == 1 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A statement whose task is cancelled while it waits for a busy connection is never sent.
    @Test(.timeLimit(.minutes(1))) func aStatementCancelledWhileWaitingForTheConnectionNeverRuns() async throws {
        try await pool.query("CREATE TABLE queue_probe (n int)")
        try await pool.withConnection { holder in
            try await pool.withConnection { c in
                try await c.query("BEGIN")
                try await holder.query("SELECT pg_advisory_lock(6161)")
                async let blocked = c.query("SELECT pg_advisory_lock(6161)")
                try await waitUntilOneWaits(onAdvisoryLock: 6161, watchedFrom: holder)
                let insert = Task { try await c.query("INSERT INTO queue_probe VALUES (1)") }
                for _ in 0..<1_200 where c.statementsWaiting < 1 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(c.statementsWaiting == 1)
                insert.cancel()
                let outcome = await insert.result
                if case .success = outcome { Issue.record("the cancelled statement ran") }
                #expect(c.statementsWaiting == 0)
                _ = try await holder.query("SELECT pg_advisory_unlock(6161)")
                _ = try await blocked
                #expect(try await c.query("SELECT count(*)::int8 AS n FROM queue_probe").first!.decode("n", as: Int.self) == 0)
                try await c.query("COMMIT")
                _ = try await c.query("SELECT pg_advisory_unlock_all()")
            }
        }
        #expect(try await pool.query("SELECT count(*)::int8 AS n FROM queue_probe").first!.decode("n", as: Int.self) == 0)
    }

    /// A gate the test opens by hand, counting what the connection tells it.
    final class HandGate: StatementGate, @unchecked Sendable {
        private let lock = NSLock()
        private var due: [@Sendable () -> Void] = []
        private(set) var began = 0, ended = 0
        func whenIdle(_ body: @escaping @Sendable () -> Void) { lock.withLock { due.append(body) } }
        func waitBegan() { lock.withLock { began += 1 } }
        func waitEnded() { lock.withLock { ended += 1 } }
        var counts: (began: Int, ended: Int) { lock.withLock { (began, ended) } }
        /// The request's work is idle: what waited for that runs.
        func open() { for body in lock.withLock({ () -> [@Sendable () -> Void] in defer { due = [] }; return due }) { body() } }
    }

    /// Held statements (`holdStatements`) wait for their gate, then go in one round trip, each
    /// with its own answer or error; a held statement that is cancelled never runs; every held
    /// statement's wait is ended once; without a gate, what is held goes.
    @Test(.timeLimit(.minutes(1))) func heldStatementsGoTogetherWhenTheGateOpens() async throws {
        let pool = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        defer { pool.close() }
        try await pool.withConnection { c in
            _ = try await c.query("SELECT 1 AS one")   // connected and set up
            let gate = HandGate()
            c.holdStatements(gate)
            let before = pool.statistics.roundTripCount
            let answers = (0..<3).map { i in
                Task { try await c.query(i == 1 ? "SELECT (1 / 0)::int8 AS n" : "SELECT \(i)::int8 AS n").first!.decode("n", as: Int.self) }
            }
            for _ in 0..<1_200 where c.statementsWaiting < 3 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(c.statementsWaiting == 3)
            #expect(pool.statistics.roundTripCount == before, "nothing is sent before the gate opens")
            gate.open()
            #expect(try await answers[0].value == 0)
            await #expect(throws: PostgresError.self) { try await answers[1].value }
            #expect(try await answers[2].value == 2)
            #expect(pool.statistics.roundTripCount - before == 1, "the three went in one round trip")
            #expect(gate.counts.began == 3 && gate.counts.ended == 3)

            // Cancelled while held: never sent, its wait ended.
            let cancelled = Task { try await c.query("SELECT 7::int8 AS n") }
            for _ in 0..<1_200 where c.statementsWaiting < 1 { try await Task.sleep(for: .milliseconds(10)) }
            cancelled.cancel()
            if case .success = await cancelled.result { Issue.record("the cancelled statement ran") }
            #expect(c.statementsWaiting == 0)
            #expect(gate.counts.began == 4 && gate.counts.ended == 4)
            gate.open()   // its turn to be sent finds nothing
            #expect(pool.statistics.roundTripCount - before == 1)

            // The gate taken away: what is held goes.
            let last = Task { try await c.query("SELECT 9::int8 AS n").first!.decode("n", as: Int.self) }
            for _ in 0..<1_200 where c.statementsWaiting < 1 { try await Task.sleep(for: .milliseconds(10)) }
            c.holdStatements(nil)
            #expect(try await last.value == 9)
            #expect(try await c.query("SELECT 10::int8 AS n").first!.decode("n", as: Int.self) == 10)
            #expect(gate.counts.began == 5 && gate.counts.ended == 5)
        }
    }

    /// A statement run again on a connection runs prepared (parsed and planned once); a schema
    /// change under a prepared statement re-prepares it; the number prepared stays bounded.
    @Test func statementsArePreparedOncePerConnectionAndFollowSchemaChanges() async throws {
        try await pool.query("CREATE TABLE plan_probe (a int)")
        try await pool.query("INSERT INTO plan_probe VALUES (1)")
        try await pool.withConnection { c in
            for i in 0..<3 { _ = try await c.query("SELECT \(i)::int8 AS n, 'prepared_probe' AS tag") }
            let prepared = try await c.query("""
                SELECT count(*)::int8 AS n FROM pg_prepared_statements WHERE statement LIKE '%prepared_probe%' AND statement NOT LIKE '%pg_prepared%'
                """)
            #expect(try prepared.first?.decode("n", as: Int.self) == 1, "one statement prepared, run three times")

            #expect(try await c.query("SELECT * FROM plan_probe").columns.count == 1)
            try await c.query("ALTER TABLE plan_probe ADD COLUMN b int DEFAULT 7")
            let after = try await c.query("SELECT * FROM plan_probe")
            #expect(after.columns.map(\.name) == ["a", "b"])
            #expect(try after.first?.decode("b", as: Int.self) == 7)

            for i in 0..<300 { _ = try await c.query(PostgresQuery(unsafeSQL: "SELECT \(i) AS distinct_\(i)")) }
            let total = try await c.query("SELECT count(*)::int8 AS n FROM pg_prepared_statements").first!.decode("n", as: Int.self)
            #expect(total <= 256, "prepared statements are bounded per connection: \(total)")
        }
    }

    /// A cancelled task cancels its statement on the server (PQcancel): the query ends with
    /// query_canceled at once instead of running to its end.
    @Test(.timeLimit(.minutes(1))) func cancellingTheTaskCancelsTheStatement() async throws {
        let watcher = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        defer { watcher.close() }
        let marker = "cancel_probe_\(UUID().uuidString.prefix(8).lowercased())"
        let sleeper = Task { try await pool.query(PostgresQuery(unsafeSQL: "SELECT pg_sleep(45) AS \(marker)")) }
        while try await watcher.query("SELECT count(*)::int8 AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE \("%" + marker + "%") AND query NOT LIKE '%pg_stat_activity%'")
            .first!.decode("n", as: Int.self) < 1 {
            try await Task.sleep(for: .milliseconds(10))
        }
        sleeper.cancel()
        let outcome = await sleeper.result
        guard case .failure(let error) = outcome else { Issue.record("the statement ran to its end"); return }
        #expect((error as? PostgresError)?.sqlState == "57014", "\(error)")
        #expect(try await pool.query("SELECT 1 AS one").first!.decode("one", as: Int.self) == 1)
    }

    /// A cancel sent for a statement that ends before the server gets the request never reaches
    /// the next user of the connection: the server cancels whatever the session runs when the
    /// request arrives, and the connection went back to the pool at once (probe 30A: another
    /// tenant's append failed with query_canceled under clients that went away). Each round
    /// cancels a short statement as it runs and runs a longer one on the same connection
    /// right after; none of those may be cancelled.
    @Test(.timeLimit(.minutes(3))) func aLateCancelNeverReachesTheNextStatement() async throws {
        let one = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 1, maxConnections: 1))
        defer { one.close() }
        var spoiled: [String] = []
        for round in 0..<40 {
            let short = Task { try await one.query("SELECT pg_sleep(0.001) AS s") }
            try await Task.sleep(for: .microseconds(200 + 50 * (round % 10)))
            short.cancel()
            _ = await short.result
            do {
                _ = try await one.query("SELECT pg_sleep(0.03) AS s")
            } catch {
                spoiled.append("round \(round): \(error)")
            }
        }
        #expect(spoiled.isEmpty, "\(spoiled)")
    }

    /// A transaction whose connection is lost while COMMIT is in flight is not reported as a
    /// plain failure (nor retried): its outcome is unknown, and the error says so.
    @Test func aCommitWhoseConnectionIsLostHasAnUnknownOutcome() async throws {
        let killer = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        defer { killer.close() }
        try await pool.query("CREATE TABLE IF NOT EXISTS commit_probe (n int)")
        let error = await #expect(throws: PostgresError.self) {
            try await pool.transaction { c in
                try await c.query("INSERT INTO commit_probe VALUES (1)")
                let pid = try await c.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int.self)
                // Another session ends this one between the last statement and COMMIT.
                try await killer.query("SELECT pg_terminate_backend(\(pid)::int)")
                while try await killer.query("SELECT count(*)::int8 AS n FROM pg_stat_activity WHERE pid = \(pid)").first!.decode("n", as: Int.self) > 0 {
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
        }
        #expect(error?.code == .commitOutcomeUnknown, "\(String(describing: error)) \(error?.serverMessage ?? "")")
    }

    @Test func sqlInjectionIsStoredAsPlainData() async throws {
        try await pool.query("CREATE TABLE notes (id serial PRIMARY KEY, body text)")
        let attacks = ["'); DROP TABLE notes; --", "1 OR 1=1", "$1", "\\'; SELECT pg_sleep(10); --", "\u{0}".isEmpty ? "" : "x\u{1}y"]
        for a in attacks { try await pool.query("INSERT INTO notes (body) VALUES (\(a))") }
        let rows = try await pool.query("SELECT body FROM notes ORDER BY id")
        #expect(try rows.map { try $0.decode("body", as: String.self) } == attacks)
        let none = try await pool.query("SELECT count(*)::int8 AS n FROM notes WHERE body = \("x' OR '1'='1")")
        #expect(try none.first!.decode("n", as: Int.self) == 0)
    }

    @Test(.timeLimit(.minutes(1))) func slowQueriesDoNotStallOtherTasks() async throws {
        let wide = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 50))
        let holder = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 2))
        defer { wide.close(); holder.close() }
        func threadCount() -> Int {
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            return status.split(separator: "\n").first { $0.hasPrefix("Threads:") }.flatMap { Int($0.dropFirst(8).trimmingCharacters(in: .whitespaces)) } ?? 0
        }
        let threadsBefore = threadCount()
        // A transaction holds an advisory lock; 50 queries then wait on the server for it.
        // Were libpq calls to block the cooperative pool (2 threads here), no other task could run
        // while they wait: the ticker below would never finish (and the time limit would fail it).
        let queries: Task<Void, Error> = try await holder.transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(4242)")
            let queries = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<50 { group.addTask { try await wide.query("SELECT pg_advisory_xact_lock_shared(4242)") } }
                    try await group.waitForAll()
                }
            }
            func waiting() async throws -> Int {
                try await holder.query("""
                    SELECT count(*)::int8 AS n FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock_shared(4242)%'
                    """).first!.decode("n", as: Int.self)
            }
            while try await waiting() < 50 { try await Task.sleep(for: .milliseconds(10)) }
            for _ in 0..<10 { try await Task.sleep(for: .milliseconds(10)) }   // an unrelated task runs to completion
            #expect(try await waiting() == 50, "the queries were still blocked while the ticker ran")
            // libpq runs without blocking: 50 statements waiting on the server hold no thread each.
            #expect(threadCount() < threadsBefore + 25, "threads: \(threadsBefore) before, \(threadCount()) while 50 statements wait")
            return queries
        }
        try await queries.value   // the lock is released with the transaction: all 50 complete
    }

    @Test func listenReceivesNotifications() async throws {
        let box = Mailbox<PostgresNotification>()
        let stream = pool.listen(["switchyard_test"])
        let reader = Task { for try await n in stream { await box.put(n) } }
        defer { reader.cancel() }
        var got: PostgresNotification?
        // Keep notifying until the listener has subscribed and one arrives.
        for _ in 0..<50 where got == nil {
            try await pool.notify("switchyard_test", payload: "position=42")
            got = await box.first(within: .milliseconds(100))
        }
        #expect(got?.channel == "switchyard_test")
        #expect(got?.payload == "position=42")
    }

    /// A listener belongs to its pool: closing the pool ends it (no thread left reconnecting),
    /// and a closed pool refuses new ones.
    @Test func closingThePoolEndsItsListeners() async throws {
        let own = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        var notifications = own.listen(["switchyard_close_test"], announceSubscriptions: true).makeAsyncIterator()
        #expect(try await notifications.next()?.payload == "subscribed")
        own.close()
        #expect(try await notifications.next() == nil, "the stream ended with the pool")
        await #expect(throws: PostgresError.self) {
            for try await _ in own.listen(["switchyard_close_test"]) {}
        }
    }
}
