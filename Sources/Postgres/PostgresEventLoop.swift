#if canImport(Glibc)
import Glibc
#endif
import CLibPQ
import Foundation
import Synchronization

/// Socket readiness for libpq's asynchronous API: one thread waits in `epoll_wait` for every
/// connection's socket and resumes the task that waits for it. libpq itself is only ever called
/// from the task that drives a connection (in non-blocking mode, so no call waits for the
/// network); this thread never calls libpq and never runs other work.
///
/// A wait is one-shot (`EPOLLONESHOT`): it is armed with the events asked for and disarmed when
/// they fire, so a socket is watched only while somebody waits for it.
final class PostgresEventLoop: @unchecked Sendable {
    static let shared = PostgresEventLoop()

    private let epoll: Int32
    private struct Waiter {
        let generation: UInt32
        let continuation: CheckedContinuation<Void, any Error>
    }
    /// Who waits for which socket; the generation tells a wait from an earlier one on the same fd.
    private let waiters = Mutex<[Int32: Waiter]>([:])
    private let generations = Atomic<UInt32>(0)

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: \(errno)")
        let thread = Thread { [self] in self.run() }
        thread.name = "switchyard.postgres.io"
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Waits until `fd` is readable (or writable too, with `writable`), or reports an error or
    /// hang-up (the caller's next libpq call tells which). With `cancellable`, a cancelled task
    /// stops waiting with `CancellationError`; otherwise the wait ends only when the socket is
    /// ready (a statement in flight is cancelled on the server, and its answer still read).
    func wait(_ fd: Int32, writable: Bool = false, cancellable: Bool = false) async throws {
        let generation = generations.wrappingAdd(1, ordering: .relaxed).newValue
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiters.withLock { $0[fd] = Waiter(generation: generation, continuation: continuation) }
                var event = epoll_event()
                event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
                event.data.u64 = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
                var armed = epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) == 0
                if !armed && errno == ENOENT { armed = epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 }
                if !armed {
                    let error = PostgresError(.connectionClosed, "connection to the server was lost",
                                              serverMessage: "epoll_ctl failed: \(String(cString: strerror(errno)))")
                    take(fd, generation)?.continuation.resume(throwing: error)
                } else if cancellable && Task.isCancelled {
                    take(fd, generation)?.continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            if cancellable { take(fd, generation)?.continuation.resume(throwing: CancellationError()) }
        }
    }

    /// Stops watching `fd` (before libpq closes it); a wait on it ends with a lost connection.
    func forget(_ fd: Int32) {
        guard fd >= 0 else { return }
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
        let waiter = waiters.withLock { $0.removeValue(forKey: fd) }
        waiter?.continuation.resume(throwing: PostgresError(.connectionClosed, "the connection was closed"))
    }

    private func take(_ fd: Int32, _ generation: UInt32) -> Waiter? {
        waiters.withLock { w in
            guard let waiter = w[fd], waiter.generation == generation else { return nil }
            w[fd] = nil
            return waiter
        }
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let n = events.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, Int32($0.count), -1) }
            guard n > 0 else { continue }  // EINTR
            for i in 0..<Int(n) {
                let data = events[i].data.u64
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
                let generation = UInt32(truncatingIfNeeded: data >> 32)
                let waiter = waiters.withLock { w -> Waiter? in
                    guard let waiter = w[fd], waiter.generation == generation else { return nil }
                    w[fd] = nil
                    return waiter
                }
                waiter?.continuation.resume()
            }
        }
    }
}
