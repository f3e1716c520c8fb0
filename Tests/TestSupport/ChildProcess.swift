import Foundation

/// A process a test starts and stops. Its output is read on a thread of its own (never on the
/// cooperative pool, where a blocking read would stall every other task), and it is stopped with
/// SIGKILL: children spawned from the test process inherit a signal mask in which SIGTERM is
/// blocked, so `terminate()` would leave them running after the tests.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    public let output = Pipe()

    /// - Parameter outputIsStderr: read the child's standard error (else its standard output).
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, outputIsStderr: Bool = false) throws {
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
    }

    /// The first line of output `match` accepts; the rest of the output is drained so the child
    /// never blocks on a full pipe. Fails when the output ends first.
    public func firstLine<T: Sendable>(_ match: @escaping @Sendable (String) -> T?) async throws -> T {
        let handle = output.fileHandleForReading
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let thread = Thread {
                var pending = ""
                var seen = ""
                var done = false
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    if done { continue }
                    pending += String(decoding: chunk, as: UTF8.self)
                    while !done, let nl = pending.firstIndex(of: "\n") {
                        let line = String(pending[..<nl])
                        pending.removeSubrange(...nl)
                        seen += line + "\n"
                        if let value = match(line) {
                            done = true
                            continuation.resume(returning: value)
                        }
                    }
                }
                if !done { continuation.resume(throwing: TestSetupError(message: "the process ended first: \(seen.suffix(500))")) }
            }
            thread.start()
        }
    }

    /// SIGKILL, then wait for it to end.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
