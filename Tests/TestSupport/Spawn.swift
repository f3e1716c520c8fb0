import Foundation
import Synchronization

/// Starting the programs a test needs, with one owner per file descriptor.
///
/// Foundation's `Process` + `Pipe` can close a descriptor twice when many processes start at
/// once (swiftlang/swift#57827); the number may by then belong to a socket NIO just opened, which
/// crashed a test run ("unacceptable errno 9 Bad file descriptor in getsockname"). So children
/// start with `posix_spawn`: the child gets /dev/null or a file or our pipe as 0, 1, 2 and nothing
/// else (every other descriptor is closed in it, so a daemon never holds the test run's pipes),
/// default signal dispositions and an empty signal mask (the test process blocks SIGTERM, which
/// a child would otherwise inherit and ignore). Every child a test starts is known to
/// `SpawnedChildren`, which kills them if the test process crashes.
enum Spawn {
    enum Output {
        case devNull
        case inherit
        case file(String)
        case descriptor(Int32)
        /// Standard error only: where standard output goes.
        case standardOutput
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc ≥ 2.34 has it; Swift's Glibc module does not import it.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// Starts `path` with `arguments`; returns its pid.
    static func start(_ path: String, _ arguments: [String], environment: [String: String], stdout: Output, stderr: Output) throws -> pid_t {
        SpawnedChildren.installCrashHandlers()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        func direct(_ output: Output, to fd: Int32) {
            switch output {
            case .devNull: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .inherit: break
            case .file(let file): posix_spawn_file_actions_addopen(&actions, fd, file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .descriptor(let d): posix_spawn_file_actions_adddup2(&actions, d, fd)
            case .standardOutput: posix_spawn_file_actions_adddup2(&actions, 1, fd)
            }
        }
        direct(stdout, to: 1)
        direct(stderr, to: 2)
        if let addCloseFrom { _ = addCloseFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = [path] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = envp.map { strdup($0) } + [nil]
        defer { cArgv.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, &cArgv, &cEnv)
        guard rc == 0 else { throw TestSetupError(message: "could not start \(path): \(String(cString: strerror(rc)))") }
        SpawnedChildren.add(pid)
        return pid
    }

    /// Waits for `pid` to end (blocking the calling thread) and returns its exit status
    /// (128 + the signal's number when a signal ended it).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        SpawnedChildren.remove(pid)
        let exited = (status & 0x7f) == 0
        return exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// The environment of the test process with `overrides` added.
    static func environment(_ overrides: [String: String]?) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        if let overrides { env.merge(overrides) { $1 } }
        return env
    }
}

/// The processes the tests started and have not seen end: killed (SIGKILL) if the test process
/// crashes, so that no server outlives a failed run or keeps `swift test` waiting on its output.
/// Includes daemons the tests start indirectly (a private PostgreSQL's postmaster, a private
/// Redis), registered by pid once they run.
public enum SpawnedChildren {
    private static let capacity = 1024
    /// Read by the signal handler without a lock (a crash-time best effort); written under `lock`.
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<pid_t> = {
        let p = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()
    private static let lock = Mutex(())
    nonisolated(unsafe) private static let previous: UnsafeMutablePointer<sigaction> = {
        let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 32)
        p.initialize(repeating: sigaction(), count: 32)
        return p
    }()
    private static let crashSignals: [Int32] = [SIGSEGV, SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGTRAP]

    public static func add(_ pid: pid_t) {
        guard pid > 0 else { return }
        lock.withLock { _ in
            for i in 0..<capacity where slots[i] == 0 { slots[i] = pid; return }
        }
    }

    public static func remove(_ pid: pid_t) {
        lock.withLock { _ in
            for i in 0..<capacity where slots[i] == pid { slots[i] = 0 }
        }
    }

    /// The pid on the first line of a daemon's pid file (PostgreSQL's postmaster.pid, redis.pid).
    public static func pid(inFile path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = pid_t(first.trimmingCharacters(in: .whitespaces)) else { return nil }
        return pid
    }

    private static let installed: Void = {
        _ = slots
        _ = previous
        for s in crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                for i in 0..<SpawnedChildren.capacity {
                    let pid = SpawnedChildren.slots[i]
                    if pid > 0 { kill(pid, SIGKILL) }
                }
                // The handler that was there (the Swift runtime's backtracer, or the default)
                // takes the signal again when the faulting instruction runs again or is raised.
                sigaction(signal, SpawnedChildren.previous.advanced(by: Int(signal)), nil)
                if signal == SIGABRT || signal == SIGTRAP { raise(signal) }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(s, &action, previous.advanced(by: Int(s)))
        }
    }()

    static func installCrashHandlers() { _ = installed }
}
