import Synchronization

/// Where writes to the event store wait their turn: in the gateway, not on a database
/// connection.
///
/// Every insert into `events` takes the event store's append lock, in shared mode (appends run
/// side by side; a reader that follows positions takes it exclusively for a moment to find the
/// horizon below which every position is final). A write that waited in the database on a
/// pooled connection kept that connection for the whole wait, so under an append load every
/// connection of the pool sat waiting and reads (a projection's position, a TenantOverview)
/// queued behind the appends for a connection. Writes now wait here first: at most `width` hold
/// a connection at a time, the others wait without one, in the order they came, and a waiter
/// whose request is cancelled leaves the line.
///
/// One line per database (the gateway keeps one beside each platform pool).
public final class AppendLine: Sendable {
    private struct State {
        var free: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var head = 0
        var nextID: UInt64 = 0
    }
    private let state: Mutex<State>

    public init(width: Int) { state = Mutex(State(free: max(1, width))) }

    /// Runs `body` once it is this call's turn; the turn passes on when `body` returns or throws.
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await enter()
        do {
            let result = try await body()
            leave()
            return result
        } catch {
            leave()
            throw error
        }
    }

    /// Writes waiting for their turn now (for tests and metrics).
    public var waiting: Int { state.withLock { $0.waiters.count - $0.head } }

    private func enter() async throws {
        let id: UInt64? = state.withLock { s in
            if s.free > 0 { s.free -= 1; return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                // Cancelled before it could wait: the handler below found nothing to remove.
                let cancelled = state.withLock { s -> Bool in
                    if Task.isCancelled { return true }
                    s.waiters.append((id, c))
                    return false
                }
                if cancelled { c.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let removed = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.waiters[s.head...].firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            removed?.resume(throwing: CancellationError())
        }
    }

    private func leave() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            guard s.head < s.waiters.count else { s.free += 1; return nil }
            let c = s.waiters[s.head].continuation
            s.head += 1
            // Drop the served part of the line once it is most of the array.
            if s.head > 32, s.head * 2 > s.waiters.count { s.waiters.removeFirst(s.head); s.head = 0 }
            return c
        }
        next?.resume()
    }
}
