import Foundation

/// Where the services that `scripts/services up` starts can be reached. The defaults are the
/// script's fixed ports, so `swift test` works after `scripts/services up` with no environment.
public enum TestEnvironment {
    static func env(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

    public static var pgPort: Int { Int(env("SWITCHYARD_PG_PORT") ?? "") ?? 54329 }
    public static var adminURL: String {
        env("SWITCHYARD_POSTGRES_ADMIN_URL") ?? "postgres://postgres:postgres@127.0.0.1:\(pgPort)/postgres"
    }
    public static var redisURL: String { env("SWITCHYARD_REDIS_URL") ?? "redis://127.0.0.1:63799" }

    /// The repository root (two levels above this file's folder).
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static func postgresURL(user: String, password: String, database: String) -> String {
        "postgres://\(user):\(password)@127.0.0.1:\(pgPort)/\(database)"
    }

    public static var postgresBin: String {
        if let b = env("SWITCHYARD_PG_BIN") { return b }
        let dirs = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        if let v = dirs.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last {
            return "/usr/lib/postgresql/\(v)/bin"
        }
        return "/usr/bin"
    }
}

/// Runs a program and returns its exit status and output.
///
/// `posix_spawn` + `waitpid` on a thread of its own: the cooperative pool is never blocked,
/// and a program that daemonizes (pg_ctl, redis-server --daemonize) is seen to exit even
/// though its child lives on holding the output file.
@discardableResult
public func runProcess(_ path: String, _ args: [String], environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
    let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-proc-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: outPath) }
    var env = ProcessInfo.processInfo.environment
    if let environment { env.merge(environment) { $1 } }
    let argv = [path] + args
    let envp = env.map { "\($0.key)=\($0.value)" }
    let status: Int32 = try await withCheckedThrowingContinuation { cont in
        let thread = Thread {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            var cEnv: [UnsafeMutablePointer<CChar>?] = envp.map { strdup($0) } + [nil]
            defer { cArgv.forEach { free($0) }; cEnv.forEach { free($0) } }
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, path, &actions, nil, &cArgv, &cEnv)
            guard rc == 0 else {
                cont.resume(throwing: TestSetupError(message: "could not start \(path): errno \(rc)"))
                return
            }
            var wstatus: Int32 = 0
            while waitpid(pid, &wstatus, 0) < 0 && errno == EINTR {}
            let exited = (wstatus & 0x7f) == 0
            cont.resume(returning: exited ? (wstatus >> 8) & 0xff : 128 + (wstatus & 0x7f))
        }
        thread.start()
    }
    let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    return (status, text)
}

/// A free port below the kernel's ephemeral range (32768–60999 by default), for a test's own server
/// that restarts on the same port: while it is down, an ephemeral port can be taken by any
/// process's outgoing connection, and the restart then fails to bind.
public func freeServerPort() -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 20_000..<32_000)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        close(fd)
        if bound == 0 { return port }
    }
    return freePort()
}

/// A free TCP port on 127.0.0.1 (bind to port 0 and read back what the kernel chose).
public func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}
