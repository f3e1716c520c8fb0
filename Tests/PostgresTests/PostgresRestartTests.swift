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
}
