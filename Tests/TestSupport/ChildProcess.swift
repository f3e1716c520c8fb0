import Foundation
import Synchronization

/// A process a test starts and stops. Its output is read on a thread of its own (never on the
/// cooperative pool, where a blocking read would stall every other task) and kept line by line,
/// and it is stopped with SIGKILL: children spawned from the test process inherit a signal mask
/// in which SIGTERM is blocked, so `terminate()` would leave them running after the tests.
public final class ChildProcess: Sendable {
    private struct State {
        var lines: [String] = []
        var ended = false
        var waiters: [(match: @Sendable (String) -> Bool, resume: @Sendable (String?) -> Void)] = []
    }

    private final class Shared: Sendable { let state = Mutex(State()) }

    private let process: Process
    private let shared = Shared()

    /// - Parameter outputIsStderr: read the child's standard error (else its standard output).
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, outputIsStderr: Bool = false) throws {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if outputIsStderr {
            process.standardError = output
            process.standardOutput = FileHandle.nullDevice
        } else {
            process.standardOutput = output
            process.standardError = FileHandle.standardError
        }
        try process.run()
        self.process = process
        let handle = output.fileHandleForReading
        let shared = self.shared
        let thread = Thread {
            var pending = ""
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending += String(decoding: chunk, as: UTF8.self)
                while let nl = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<nl])
                    pending.removeSubrange(...nl)
                    let ready = shared.state.withLock { s -> [@Sendable (String?) -> Void] in
                        s.lines.append(line)
                        var out: [@Sendable (String?) -> Void] = []
                        s.waiters.removeAll { w in
                            if w.match(line) { out.append(w.resume); return true }
                            return false
                        }
                        return out
                    }
                    for r in ready { r(line) }
                }
            }
            let waiting = shared.state.withLock { s -> [@Sendable (String?) -> Void] in
                s.ended = true
                defer { s.waiters.removeAll() }
                return s.waiters.map(\.resume)
            }
            for r in waiting { r(nil) }
        }
        thread.start()
    }

    /// The first line of output (since the start) that `match` accepts, waiting for it if need be;
    /// fails when the output ends first.
    public func firstLine<T: Sendable>(_ match: @escaping @Sendable (String) -> T?) async throws -> T {
        let line: String? = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let now: String?? = shared.state.withLock { s in
                if let l = s.lines.first(where: { match($0) != nil }) { return .some(l) }
                if s.ended { return .some(nil) }
                s.waiters.append((match: { match($0) != nil }, resume: { continuation.resume(returning: $0) }))
                return .none
            }
            if let now { continuation.resume(returning: now) }
        }
        guard let line, let value = match(line) else {
            let seen = shared.state.withLock { $0.lines.suffix(20).joined(separator: "\n") }
            throw TestSetupError(message: "the process's output ended first: \(seen)")
        }
        return value
    }

    /// Every line printed so far.
    public var lines: [String] { shared.state.withLock { $0.lines } }

    /// Waits (up to `attempts` × 50 ms) until `count` printed lines pass `match`; returns them.
    public func lines(_ count: Int, matching match: @escaping @Sendable (String) -> Bool, attempts: Int = 600) async throws -> [String] {
        for _ in 0..<attempts {
            let found = lines.filter(match)
            if found.count >= count { return Array(found.prefix(count)) }
            if shared.state.withLock({ $0.ended }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return lines.filter(match)
    }

    /// SIGTERM (for a child that unblocks it itself, as `switchyard serve` does), then waits
    /// for it to end and returns its exit status.
    public func terminateAndWait() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILL, then wait for it to end.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
