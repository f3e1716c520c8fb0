import Foundation
import Postgres
import Testing
import TestSupport

/// Restarts a private cluster, so the shared server other tests use is never disturbed.
@Suite("PostgreSQL reconnect")
struct PostgresRestartTests {
    @Test func poolReconnectsAfterServerRestart() async throws {
        try await withPrivatePostgres { server in
        let pool = PostgresPool(configuration: .init(url: server.url, minConnections: 2, maxConnections: 2))
        defer { pool.close() }
        try await pool.warm()
        #expect(try await pool.query("SELECT 1 AS one").first!.decode("one", as: Int.self) == 1)
        try await server.restart()
        // Every pooled connection went stale; the checkout health check reopens them.
        for _ in 0..<4 {
            #expect(try await pool.query("SELECT 2 AS two").first!.decode("two", as: Int.self) == 2)
        }
        let box = Mailbox<String>()
        let listener = pool.listen(["after_restart"])
        let reader = Task { for try await n in listener { await box.put(n.payload) } }
        defer { reader.cancel() }
        try await server.restart()
        var payload: String?
        for _ in 0..<60 where payload == nil {
            try await pool.notify("after_restart", payload: "hello")
            payload = await box.first(within: .milliseconds(100))
        }
        #expect(payload == "hello", "the listener re-subscribed after the restart")
        }
    }

    /// A server restart while a pipeline runs: the pipeline fails as a lost connection (nothing
    /// hangs), and the pool's next statement runs on a fresh connection.
    @Test(.timeLimit(.minutes(2))) func aRestartMidPipelineFailsItAndThePoolGoesOn() async throws {
        try await withPrivatePostgres { server in
        let pool = PostgresPool(configuration: .init(url: server.url, minConnections: 1, maxConnections: 1))
        defer { pool.close() }
        let running = Task {
            try await pool.withConnection { c in
                try await c.pipeline(["BEGIN", "SELECT pg_sleep(30)", "SELECT 1 AS one", "COMMIT"])
            }
        }
        let watcher = PostgresPool(configuration: .init(url: server.url, minConnections: 0, maxConnections: 1))
        while try await watcher.query("SELECT count(*)::int8 AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'")
            .first!.decode("n", as: Int.self) < 1 {
            try await Task.sleep(for: .milliseconds(10))
        }
        watcher.close()
        try await server.restart()
        let outcome = await running.result
        guard case .failure(let error) = outcome else { Issue.record("the pipeline outlived its server"); return }
        #expect((error as? PostgresError)?.code == .connectionClosed, "\(error)")
        #expect(try await pool.query("SELECT 2 AS two").first!.decode("two", as: Int.self) == 2)
        }
    }
}
