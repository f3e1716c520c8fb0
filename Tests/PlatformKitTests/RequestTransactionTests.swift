import Foundation
import PlatformKit
import Postgres
import Testing
import TestSupport

/// One read transaction per query across the platform subgraphs: a statement that fails in it
/// (which makes PostgreSQL abort the whole transaction) fails only its own subgraph request.
@Suite("The request's shared read transaction")
struct RequestTransactionTests {
    actor Latch {
        private var open = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        func release() { open = true; waiters.forEach { $0.resume() }; waiters = [] }
        func wait() async { if !open { await withCheckedContinuation { waiters.append($0) } } }
    }

    @Test func aFailingStatementFailsOnlyItsOwnSubgraphRequest() async throws {
        let db = try await TestDatabase.create("rtx")
        let pool = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 4))
        defer { pool.close() }
        do {
            let directory = TenantDirectory(pool: pool)
            func context() -> PlatformContext { PlatformContext(pool: pool, redis: nil, directory: directory, headers: []) }
            let failing = context(), concurrent = context(), later = context()
            let failed = Latch()
            let answers: [String] = await RequestTransaction.run {
                // A subgraph request that read in the shared transaction before the failure and
                // reads again after it: its second statement meets the aborted transaction, so
                // the whole subgraph request runs again on its own.
                async let second: String = concurrent.inOneReadTransaction {
                    guard (try? await concurrent.db { try await $0.query("SELECT 1 AS n") }) != nil else { return "first read failed" }
                    await failed.wait()
                    let n = try? await concurrent.db { try await $0.query("SELECT 42 AS n") }.first?.decode("n", as: Int.self)
                    return n.map(String.init) ?? "second read failed"
                }
                let first: String = await failing.inOneReadTransaction {
                    let r = try? await failing.db { try await $0.query("SELECT 1 / 0 AS n") }
                    await failed.release()
                    return r == nil ? "division by zero" : "no error"
                }
                // One that starts after the failure reads in a transaction of its own.
                let third: String = await later.inOneReadTransaction {
                    (try? await later.db { try await $0.query("SELECT 7 AS n") }.first?.decode("n", as: Int.self)).map(String.init) ?? "failed"
                }
                return [first, await second, third]
            }
            #expect(answers == ["division by zero", "42", "7"])
            // The connection went back to the pool clean.
            #expect(try await pool.query("SELECT 1 AS one").first!.decode("one", as: Int.self) == 1)
        }
        pool.close()
        await db.drop()
    }

    final class Attempts: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.withLock { n += 1; return n } }
    }

    /// A read whose connection dies under it (here: its backend terminated, as a server restart
    /// does) is run once more on a fresh connection — in the request's transaction or in one of
    /// its own — instead of failing the request.
    @Test func aReadWhoseConnectionDiesIsRunAgainOnAFreshOne() async throws {
        let db = try await TestDatabase.create("rtx")
        let pool = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 4))
        do {
            let directory = TenantDirectory(pool: pool)
            @Sendable func read(_ ctx: PlatformContext, _ attempts: Attempts) async -> String {
                if attempts.next() == 1 {
                    _ = try? await ctx.db { try await $0.query("SELECT pg_terminate_backend(pg_backend_pid())") }
                }
                return (try? await ctx.db { try await $0.query("SELECT 42 AS n") }.first?.decode("n", as: Int.self)).map(String.init) ?? "failed"
            }
            let alone = PlatformContext(pool: pool, redis: nil, directory: directory, headers: []), aloneAttempts = Attempts()
            #expect(await alone.inOneReadTransaction { await read(alone, aloneAttempts) } == "42")
            let shared = PlatformContext(pool: pool, redis: nil, directory: directory, headers: []), sharedAttempts = Attempts()
            let answer = await RequestTransaction.run { await shared.inOneReadTransaction { await read(shared, sharedAttempts) } }
            #expect(answer == "42")
            #expect(try await pool.query("SELECT 1 AS one").first!.decode("one", as: Int.self) == 1)
        }
        pool.close()
        await db.drop()
    }
}
