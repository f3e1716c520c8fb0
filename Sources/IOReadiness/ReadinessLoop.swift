import CEpoll
import Foundation
import Synchronization

/// Socket readiness for the database drivers (libpq's asynchronous API, Redis): one thread waits
/// in `epoll_wait` for every connection's socket and resumes the task that waits for it. The
/// drivers read and write only from the task that drives a connection (non-blocking, so no call
/// waits for the network); this thread never touches a connection and never runs other work.
///
/// A wait is one-shot (`EPOLLONESHOT`): it is armed with the events asked for and disarmed when
/// they fire, so a socket is watched only while somebody waits for it. A wait may have a
/// deadline: while any has, the thread also wakes every `tick` to end those that are past it.
public final class ReadinessLoop: @unchecked Sendable {
    public static let shared = ReadinessLoop()

    /// How a wait ended without the socket being ready.
    public enum Failure: Error, Sendable, Equatable {
        /// `forget` was called for the socket (its connection is being closed).
        case closed
        /// The deadline passed first.
        case timedOut
        /// The socket could not be watched (`epoll_ctl` failed; the message says why).
        case failed(String)
    }

    private let epoll: Int32
    /// Wakes the thread when the first wait with a deadline arrives (it then starts ticking).
    private let wake: Int32
    private struct Waiter {
        let generation: UInt32
        let deadline: ContinuousClock.Instant?
        let continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        /// Who waits for which socket; the generation tells a wait from an earlier one on the same fd.
        var waiters: [Int32: Waiter] = [:]
        /// Waits with a deadline among them (the thread ticks while there are any).
        var timed = 0
        var ticking = false
    }
    private let state = Mutex(State())
    private let generations = Atomic<UInt32>(0)
    /// How often deadlines are checked while some wait has one.
    static let tick: Int32 = 20   // ms

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: \(errno)")
        wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(wake >= 0, "eventfd failed: \(errno)")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = UInt64(UInt32(bitPattern: wake))   // generation 0: never a wait's
        precondition(epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event) == 0, "epoll_ctl failed: \(errno)")
        let thread = Thread { [self] in self.run() }
        thread.name = "switchyard.io"
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Waits until `fd` is readable (or writable too, with `writable`), or reports an error or
    /// hang-up (the caller's next read or write tells which). With `cancellable`, a cancelled
    /// task stops waiting with `CancellationError`; otherwise the wait ends only when the socket
    /// is ready, the deadline passes (`Failure.timedOut`) or the socket is forgotten.
    public func wait(_ fd: Int32, writable: Bool = false, cancellable: Bool = false, deadline: ContinuousClock.Instant? = nil) async throws {
        var next = generations.wrappingAdd(1, ordering: .relaxed).newValue
        if next == 0 { next = generations.wrappingAdd(1, ordering: .relaxed).newValue }   // 0 is the wake-up's
        let generation = next
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let startTicking = state.withLock { s -> Bool in
                    s.waiters[fd] = Waiter(generation: generation, deadline: deadline, continuation: continuation)
                    guard deadline != nil else { return false }
                    s.timed += 1
                    guard !s.ticking else { return false }
                    s.ticking = true
                    return true
                }
                if startTicking {
                    var one: UInt64 = 1
                    _ = Glibc.write(wake, &one, 8)
                }
                var event = epoll_event()
                event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
                event.data.u64 = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
                var armed = epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) == 0
                if !armed && errno == ENOENT { armed = epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 }
                if !armed {
                    let reason = "epoll_ctl failed: \(String(cString: strerror(errno)))"
                    take(fd, generation)?.continuation.resume(throwing: Failure.failed(reason))
                } else if cancellable && Task.isCancelled {
                    take(fd, generation)?.continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            if cancellable { take(fd, generation)?.continuation.resume(throwing: CancellationError()) }
        }
    }

    /// Stops watching `fd` (before it is closed); a wait on it ends with `Failure.closed`.
    public func forget(_ fd: Int32) {
        guard fd >= 0 else { return }
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
        take(fd, nil)?.continuation.resume(throwing: Failure.closed)
    }

    /// Removes the wait on `fd` (of `generation`, or whichever there is).
    private func take(_ fd: Int32, _ generation: UInt32?) -> Waiter? {
        state.withLock { s in
            guard let waiter = s.waiters[fd], generation == nil || waiter.generation == generation else { return nil }
            s.waiters[fd] = nil
            if waiter.deadline != nil { s.timed -= 1 }
            return waiter
        }
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        var ticking = false
        while true {
            let n = events.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, Int32($0.count), ticking ? Self.tick : -1) }
            for i in 0..<max(0, Int(n)) {
                let data = events[i].data.u64
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
                let generation = UInt32(truncatingIfNeeded: data >> 32)
                if generation == 0 {
                    var count: UInt64 = 0
                    _ = Glibc.read(wake, &count, 8)
                    continue
                }
                take(fd, generation)?.continuation.resume()
            }
            ticking = expireDeadlines()
        }
    }

    /// Ends the waits past their deadline; whether any wait with a deadline is left.
    private func expireDeadlines() -> Bool {
        let (expired, left) = state.withLock { s -> ([Waiter], Bool) in
            guard s.timed > 0 else {
                s.ticking = false
                return ([], false)
            }
            let now = ContinuousClock.now
            var expired: [Waiter] = []
            for (fd, waiter) in s.waiters {
                if let d = waiter.deadline, d <= now {
                    expired.append(waiter)
                    s.waiters[fd] = nil
                    s.timed -= 1
                }
            }
            if s.timed == 0 { s.ticking = false }
            return (expired, s.timed > 0)
        }
        for waiter in expired { waiter.continuation.resume(throwing: Failure.timedOut) }
        return left
    }
}
