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

/// Runs a program and returns its exit status and output (standard output and error together).
///
/// Started by `Spawn` and waited for on a thread of its own: the cooperative pool is never
/// blocked, and a program that daemonizes (pg_ctl, redis-server --daemonize) is seen to exit even
/// though its child lives on holding the output file.
@discardableResult
public func runProcess(_ path: String, _ args: [String], environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
    let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-proc-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: outPath) }
    let env = Spawn.environment(environment)
    let status: Int32 = try await withCheckedThrowingContinuation { cont in
        let thread = Thread {
            do {
                let pid = try Spawn.start(path, args, environment: env, stdout: .file(outPath), stderr: .standardOutput)
                cont.resume(returning: Spawn.wait(pid))
            } catch {
                cont.resume(throwing: error)
            }
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

/// A port nothing listens on for as long as the returned socket is open (bound, never
/// listening: a connection to it is refused). A port from `freePort()` can be taken by a server
/// of a test running at the same time; this one cannot. Close the socket when done.
public func closedPort() -> (port: Int, socket: Int32) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return (Int(UInt16(bigEndian: addr.sin_port)), fd)
}

/// A port on 127.0.0.1 that takes connections and never answers: listening, never accepting
/// (the kernel completes the handshake into the backlog). Close the socket when done.
public func silentPort() -> (port: Int, socket: Int32) {
    let (port, fd) = closedPort()
    _ = listen(fd, 16)
    return (port, fd)
}

/// A free TCP port on 127.0.0.1 (bound to port 0, what the kernel chose read back, released).
public func freePort() -> Int {
    let (port, fd) = closedPort()
    close(fd)
    return port
}
