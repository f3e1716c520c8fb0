import Foundation
import Synchronization

/// A process a test starts and stops. Its output is read on a thread of its own (never on the
/// cooperative pool, where a blocking read would stall every other task) and kept line by line.
/// The pipe's read end belongs to that thread alone, which closes it once, at the end of output.
public final class ChildProcess: Sendable {
    private struct State {
        var lines: [String] = []
        var ended = false
        var waiters: [(match: @Sendable (String) -> Bool, resume: @Sendable (String?) -> Void)] = []
    }

    private final class Shared: Sendable { let state = Mutex(State()) }

    public let pid: pid_t
    /// The exit status once reaped (waitpid is called once per child).
    private let exit = Mutex<Int32?>(nil)
    private let shared = Shared()

    /// - Parameters:
    ///   - environment: the child's whole environment (default: the test process's).
    ///   - outputIsStderr: read the child's standard error (else its standard output, with its
    ///     standard error going to the test process's).
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, outputIsStderr: Bool = false) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TestSetupError(message: "pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        do {
            pid = try Spawn.start(executable, arguments, environment: environment ?? ProcessInfo.processInfo.environment,
                                  stdout: outputIsStderr ? .devNull : .descriptor(writeEnd),
                                  stderr: outputIsStderr ? .descriptor(writeEnd) : .inherit)
        } catch {
            close(readEnd)
            close(writeEnd)
            throw error
        }
        close(writeEnd)
        let shared = self.shared
        let thread = Thread {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending.append(contentsOf: buffer[0..<n])
                while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<nl], as: UTF8.self)
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
            close(readEnd)
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

    /// SIGTERM, then waits for it to end and returns its exit status.
    public func terminateAndWait() -> Int32 {
        end(signal: SIGTERM)
    }

    /// Sends `signal` without waiting (a process still running).
    public func send(signal: Int32) {
        exit.withLock { status in if status == nil { kill(pid, signal) } }
    }

    /// SIGKILL, then wait for it to end.
    public func stop() {
        _ = end(signal: SIGKILL)
    }

    private func end(signal: Int32) -> Int32 {
        exit.withLock { status in
            if let status { return status }
            kill(pid, signal)
            let s = Spawn.wait(pid)
            status = s
            return s
        }
    }
}
