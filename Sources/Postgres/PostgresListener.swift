import Dispatch
import Foundation
import Synchronization

extension PostgresPool {
    /// Notifications on `channels`, from a dedicated connection outside the pool that
    /// reconnects and re-subscribes after the server restarts. Ending the iteration or closing
    /// the pool stops it (its thread ends within about 100 ms, or when a connection attempt
    /// under way gives up). With `announceSubscriptions`, a notification with an empty channel
    /// follows every (re)subscription, so a cache can reload whatever changed while it was not
    /// listening.
    ///
    /// ```swift
    /// for try await n in pool.listen(["events_appended"]) { print(n.payload) }
    /// ```
    public func listen(_ channels: [String], announceSubscriptions: Bool = false) -> AsyncThrowingStream<PostgresNotification, Error> {
        let url = configuration.url
        let statistics = self.statistics
        return AsyncThrowingStream { continuation in
            let stopped = Atomic(false)
            let stop: @Sendable () -> Void = {
                stopped.store(true, ordering: .releasing)
                continuation.finish()
            }
            guard let id = addListener(stop) else {
                continuation.finish(throwing: PostgresError(.poolClosed, "the pool is closed"))
                return
            }
            continuation.onTermination = { [weak self] _ in
                stopped.store(true, ordering: .releasing)
                self?.removeListener(id)
            }
            let thread = Thread {
                var connection: PostgresConnection?
                var backoffMs = 50
                while !stopped.load(ordering: .acquiring) {
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
                        connection?.close()
                        connection = nil
                        // Back off in short steps so that a stop is heard.
                        var waited = 0
                        while waited < backoffMs, !stopped.load(ordering: .acquiring) {
                            usleep(UInt32(min(100, backoffMs - waited)) * 1000)
                            waited += 100
                        }
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
