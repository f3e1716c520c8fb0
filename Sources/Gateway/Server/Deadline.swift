import GraphQLCore
import Synchronization

/// Runs work against a deadline without waiting for work that ignores cancellation.
enum Deadline {
    /// A request's outcome within `request_timeout_ms` (nil: no limit): past it, 504
    /// `GATEWAY_TIMEOUT` at once and the work is cancelled (subgraph calls end with it). The
    /// deadline covers the outcome's head: a stream's later payloads are not bound by it.
    static func outcome(within ms: Int?, _ work: @escaping @Sendable () async -> Outcome) async -> Outcome {
        guard let ms else { return await work() }
        return await race(milliseconds: ms, work) ?? Outcome(status: 504, ExecutionResult(data: nil, errors: [
            GraphQLError("The request took longer than \(ms) ms.", code: "GATEWAY_TIMEOUT")]))
    }

    /// Who resumes the caller: the work or the timer, whichever comes first.
    final class Race: Sendable {
        let state = Mutex<(resumed: Bool, timer: Task<Void, Never>?)>((false, nil))
        /// True for the first caller only.
        func claim() -> (won: Bool, timer: Task<Void, Never>?) {
            state.withLock { s in
                defer { s.resumed = true }
                return (!s.resumed, s.timer)
            }
        }
        /// Records the timer; false when the work already finished (the timer is then not needed).
        func setTimer(_ t: Task<Void, Never>) -> Bool {
            state.withLock { s in
                s.timer = t
                return !s.resumed
            }
        }
    }

    /// The work's result, or nil when `milliseconds` passed first (the work is then cancelled).
    static func race<T: Sendable>(milliseconds: Int, _ work: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let race = Race()
            let worker = Task {
                let value = await work()
                let (won, timer) = race.claim()
                timer?.cancel()
                if won { continuation.resume(returning: value) }
            }
            let timer = Task {
                do { try await Task.sleep(for: .milliseconds(milliseconds)) } catch { return }
                if race.claim().won {
                    worker.cancel()
                    continuation.resume(returning: nil)
                }
            }
            if !race.setTimer(timer) { timer.cancel() }
        }
    }
}
