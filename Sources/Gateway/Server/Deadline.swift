import Federation
import GraphQLCore
import Synchronization

/// Runs work against a deadline without waiting for work that ignores cancellation.
enum Deadline {
    /// A request's outcome within `request_timeout_ms` (nil: no limit): past it, 504
    /// `GATEWAY_TIMEOUT` at once and the work is cancelled (subgraph calls end with it). The
    /// deadline covers the outcome's head: a stream's later payloads are not bound by it.
    /// `traceID`: the request's, for `extensions.traceId` of the 504 (a client that asked for it).
    /// A mutation that has begun (`RequestDeadline.protect`) is not cut short: past the deadline
    /// it runs no further root field, and its outcome says which did not run.
    static func outcome(within ms: Int?, traceID: String? = nil, _ work: @escaping @Sendable () async -> Outcome) async -> Outcome {
        guard let ms else { return await work() }
        let deadline = RequestDeadline(milliseconds: ms)
        if let done = await RequestDeadline.$current.withValue(deadline, operation: { await race(milliseconds: ms, deadline: deadline, work) }) {
            return done
        }
        var result = ExecutionResult(data: nil, errors: [GraphQLError("The request took longer than \(ms) ms.", code: "GATEWAY_TIMEOUT")])
        if let traceID { result.extensions = ["traceId": .string(traceID)] }
        return Outcome(status: 504, result)
    }

    /// Who resumes the caller: the work or the deadline, whichever comes first.
    final class Race: Sendable {
        private struct State {
            var resumed = false
            var timedOut = false
            /// The caller was cancelled (its client left, the server stops): the work is too.
            var cancelled = false
            var worker: Task<Void, Never>?
        }
        private let state = Mutex(State())
        /// True for the work if it finished first.
        func workDone() -> Bool {
            state.withLock { s in
                defer { s.resumed = true; s.worker = nil }
                return !s.resumed
            }
        }
        /// The worker to cancel (nil if not started yet) when the deadline came first; nil, false otherwise.
        func deadlinePassed() -> (won: Bool, worker: Task<Void, Never>?) {
            state.withLock { s in
                guard !s.resumed else { return (false, nil) }
                s.resumed = true
                s.timedOut = true
                defer { s.worker = nil }
                return (true, s.worker)
            }
        }
        /// Records the worker; cancels it at once if the deadline already passed or the caller
        /// was cancelled.
        func started(_ worker: Task<Void, Never>) {
            let cancel = state.withLock { s in
                if !s.resumed { s.worker = worker }
                return s.timedOut || s.cancelled
            }
            if cancel { worker.cancel() }
        }
        /// The caller was cancelled: so is the work (which still answers the caller, promptly).
        func callerCancelled() {
            let worker = state.withLock { s in
                s.cancelled = true
                return s.worker
            }
            worker?.cancel()
        }
    }

    /// The work's result, or nil when `milliseconds` passed first (the work is then cancelled).
    /// Cancelling the caller cancels the work (it runs in a task of its own).
    /// With `deadline`, work that protected itself by then (a mutation under way) is left to end.
    static func race<T: Sendable>(milliseconds: Int, deadline: RequestDeadline? = nil, _ work: @escaping @Sendable () async -> T) async -> T? {
        let race = Race()
        return await withTaskCancellationHandler {
            await run(milliseconds: milliseconds, race, deadline, work)
        } onCancel: {
            race.callerCancelled()
        }
    }

    private static func run<T: Sendable>(milliseconds: Int, _ race: Race, _ deadline: RequestDeadline?,
                                         _ work: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let watch = DeadlineWatch.shared
            let entry = watch.add(after: .milliseconds(milliseconds)) {
                if let deadline, !deadline.expire() { return }   // a mutation under way ends its running field
                let (won, worker) = race.deadlinePassed()
                guard won else { return }
                worker?.cancel()
                continuation.resume(returning: nil)
            }
            race.started(Task {
                let value = await work()
                guard race.workDone() else { return }
                watch.remove(entry)
                continuation.resume(returning: value)
            })
        }
    }
}

/// Deadlines of requests in flight, watched by one task: it wakes every `tick` while any is
/// pending and runs those that passed (each request arming and cancelling a sleeping task of its
/// own cost about 2 % of a small request's CPU). A deadline fires up to one tick late.
final class DeadlineWatch: Sendable {
    static let shared = DeadlineWatch(tick: .milliseconds(10))

    private struct State {
        var pending: [UInt64: (at: ContinuousClock.Instant, fire: @Sendable () -> Void)] = [:]
        var nextID: UInt64 = 0
        var watching = false
    }
    private let state = Mutex(State())
    let tick: Duration

    init(tick: Duration) { self.tick = tick }

    /// Runs `fire` once `delay` has passed, unless `remove`d before.
    func add(after delay: Duration, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        let at = ContinuousClock.now + delay
        let (id, start) = state.withLock { s -> (UInt64, Bool) in
            s.nextID += 1
            s.pending[s.nextID] = (at, fire)
            defer { s.watching = true }
            return (s.nextID, !s.watching)
        }
        if start { Task.detached { await self.watch() } }
        return id
    }

    func remove(_ id: UInt64) {
        _ = state.withLock { $0.pending.removeValue(forKey: id) }
    }

    private func watch() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let (due, more) = state.withLock { s -> ([@Sendable () -> Void], Bool) in
                let passed = s.pending.filter { $0.value.at <= now }
                for id in passed.keys { s.pending[id] = nil }
                let due = passed.values.map(\.fire)
                if s.pending.isEmpty { s.watching = false }
                return (due, !s.pending.isEmpty)
            }
            for fire in due { fire() }
            if !more { return }
        }
    }
}
