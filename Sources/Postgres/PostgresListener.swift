import Foundation
import Synchronization

extension PostgresPool {
    /// Notifications on `channels`, from a dedicated connection outside the pool that
    /// reconnects and re-subscribes after the server restarts. Ending the iteration or closing
    /// the pool stops it at once (its task is cancelled, a connection attempt under way
    /// included). With `announceSubscriptions`, a notification with an empty channel
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
            let stopTask = Mutex<Task<Void, Never>?>(nil)
            let stop: @Sendable () -> Void = {
                stopped.store(true, ordering: .releasing)
                stopTask.withLock { $0?.cancel() }
                continuation.finish()
            }
            guard let id = addListener(stop) else {
                continuation.finish(throwing: PostgresError(.poolClosed, "the pool is closed"))
                return
            }
            continuation.onTermination = { [weak self] _ in
                stopped.store(true, ordering: .releasing)
                stopTask.withLock { $0?.cancel() }
                self?.removeListener(id)
            }
            let task = Task {
                var backoff = Duration.milliseconds(50)
                while !Task.isCancelled && !stopped.load(ordering: .acquiring) {
                    var connection: PostgresConnection?
                    do {
                        let c = try await PostgresConnection.connect(url, statistics: statistics)
                        connection = c
                        for channel in channels { try await c.query(PostgresQuery(unsafeSQL: "LISTEN \(PostgresConnection.quoteIdentifier(channel))")) }
                        backoff = .milliseconds(50)
                        if announceSubscriptions { continuation.yield(PostgresNotification(channel: "", payload: "subscribed", pid: 0)) }
                        while true {
                            for n in try await c.notifications() { continuation.yield(n) }
                        }
                    } catch {
                        connection?.close()
                        if Task.isCancelled { break }
                        try? await Task.sleep(for: backoff)
                        backoff = min(backoff * 2, .seconds(2))
                    }
                }
                continuation.finish()
            }
            stopTask.withLock { $0 = task }
            if stopped.load(ordering: .acquiring) { task.cancel() }
        }
    }
}
