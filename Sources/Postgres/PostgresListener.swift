import Dispatch
import Foundation
import Synchronization

extension PostgresPool {
    /// Notifications on `channels`, from a dedicated connection outside the pool that
    /// reconnects and re-subscribes after the server restarts. Ending the iteration stops it.
    /// With `announceSubscriptions`, a notification with an empty channel follows every
    /// (re)subscription, so a cache can reload whatever changed while it was not listening.
    ///
    /// ```swift
    /// for try await n in pool.listen(["events_appended"]) { print(n.payload) }
    /// ```
    public func listen(_ channels: [String], announceSubscriptions: Bool = false) -> AsyncThrowingStream<PostgresNotification, Error> {
        let url = configuration.url
        let statistics = self.statistics
        return AsyncThrowingStream { continuation in
            let stopped = Mutex(false)
            continuation.onTermination = { _ in stopped.withLock { $0 = true } }
            let thread = Thread {
                var connection: PostgresConnection?
                var backoffMs: UInt32 = 50
                while !stopped.withLock({ $0 }) {
                    do {
                        if connection == nil {
                            connection = try PostgresConnection.connectBlocking(url, statistics: statistics)
                            try connection!.listenBlocking(channels)
                            backoffMs = 50
                            if announceSubscriptions { continuation.yield(PostgresNotification(channel: "", payload: "subscribed", pid: 0)) }
                        }
                        for n in try connection!.pollNotificationsBlocking(timeoutMs: 100) {
                            continuation.yield(n)
                        }
                    } catch {
                        connection = nil
                        usleep(backoffMs * 1000)
                        backoffMs = min(backoffMs * 2, 2000)
                    }
                }
                connection?.close()
                continuation.finish()
            }
            thread.name = "switchyard.postgres.listen"
            thread.start()
        }
    }
}

extension PostgresConnection {
    /// Blocking connect for code that already runs on a thread of its own (the listener).
    static func connectBlocking(_ conninfo: String, statistics: PostgresStatistics) throws -> PostgresConnection {
        let c = PostgresConnection(conninfo: conninfo, statistics: statistics)
        try c.reopenBlocking()
        return c
    }
}
