import Foundation

/// A PostgreSQL cluster of a test's own, on a free port, for tests that restart the server
/// (restarting the shared one would break tests running in parallel).
public final class PrivatePostgres: @unchecked Sendable {
    public let port: Int
    public let directory: String
    private var dataDir: String { directory + "/data" }
    private var isRoot: Bool { getuid() == 0 }
    /// The running server's pid, known to `SpawnedChildren` (killed if the test process crashes).
    private var postmaster: pid_t?

    public var url: String { "postgres://postgres:postgres@127.0.0.1:\(port)/postgres" }

    public convenience init() async throws { try await self.init(tls: nil) }

    /// With `tls`, the server takes TCP connections over TLS only (`hostssl`; a plain one is refused).
    public init(tls: TestCertificates?) async throws {
        port = freeServerPort()
        directory = TestEnvironment.repositoryRoot.path + "/.local/test-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "postgres\n".write(toFile: directory + "/pw", atomically: true, encoding: .utf8)
        if let tls {
            // The server reads its key only when it alone may (0600, its own user).
            try FileManager.default.copyItem(atPath: tls.certificateFile, toPath: directory + "/server.pem")
            try FileManager.default.copyItem(atPath: tls.keyFile, toPath: directory + "/server.key")
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/server.key")
        }
        if isRoot { try await runProcess("/bin/chown", ["-R", "postgres", directory]) }
        try await asPostgres("initdb", ["-D", dataDir, "-U", "postgres", "--pwfile=\(directory)/pw", "--auth-host=scram-sha-256", "--auth-local=trust"])
        var conf = "\nlisten_addresses = '127.0.0.1'\nport = \(port)\nunix_socket_directories = '\(directory)'\nfsync = off\n"
        if tls != nil {
            conf += "ssl = on\nssl_cert_file = '\(directory)/server.pem'\nssl_key_file = '\(directory)/server.key'\n"
            try "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n"
                .write(toFile: dataDir + "/pg_hba.conf", atomically: false, encoding: .utf8)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDir + "/postgresql.conf"))
        handle.seekToEndOfFile()
        handle.write(Data(conf.utf8))
        try handle.close()
        try await start()
    }

    private func asPostgres(_ tool: String, _ args: [String]) async throws {
        let bin = TestEnvironment.postgresBin + "/" + tool
        let r = isRoot ? try await runProcess("/usr/sbin/runuser", ["-u", "postgres", "--", bin] + args)
                       : try await runProcess(bin, args)
        guard r.status == 0 else { throw TestSetupError(message: "\(tool) failed: \(r.output)") }
    }

    /// Starts the server; a start that fails (under the whole suite a start can lose its port or
    /// time out on 2 busy cores) is tried again, and the server's log says why if none works.
    public func start() async throws {
        var failure: Error?
        for _ in 0..<3 {
            do {
                try await asPostgres("pg_ctl", ["-D", dataDir, "-l", directory + "/log", "-w", "-t", "120", "start"])
                postmaster = SpawnedChildren.pid(inFile: dataDir + "/postmaster.pid")
                if let postmaster { SpawnedChildren.add(postmaster) }
                return
            } catch {
                failure = error
                try? await asPostgres("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"])
            }
        }
        let log = (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? ""
        throw TestSetupError(message: "\(failure.map { "\($0)" } ?? "pg_ctl start failed"); server log: \(log.suffix(600))")
    }
    public func stop() async throws {
        try await asPostgres("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"])
        if let postmaster { SpawnedChildren.remove(postmaster) }
        postmaster = nil
    }
    public func restart() async throws {
        try await stop()
        try await start()
    }

    public func destroy() async {
        try? await stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A Redis server of a test's own, on a free port.
public final class PrivateRedis: @unchecked Sendable {
    public private(set) var port: Int
    public let directory: String
    public let tls: TestCertificates?
    /// The user redis-cli (and `url`) authenticates as, when users are set.
    public let user: (name: String, password: String)?
    /// The running server's pid, known to `SpawnedChildren` (killed if the test process crashes).
    private var serverPid: pid_t?
    public var url: String {
        let auth = user.map { "\($0.name):\($0.password)@" } ?? ""
        guard let tls else { return "redis://\(auth)127.0.0.1:\(port)" }
        return "rediss://\(auth)127.0.0.1:\(port)?sslrootcert=\(tls.caFile)"
    }

    public convenience init() async throws { try await self.init(tls: nil, user: nil) }

    /// With `tls`, the server listens for TLS only (client certificates optional); with `user`,
    /// the default user is off and only that user (all commands and keys) may connect.
    public init(tls: TestCertificates?, user: (name: String, password: String)?) async throws {
        self.tls = tls
        self.user = user
        port = freeServerPort()
        directory = TestEnvironment.repositoryRoot.path + "/.local/test-redis-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The free port can be taken before redis binds it (any process's outgoing connection
        // may get it): then it starts again on another.
        for _ in 0..<4 {
            do {
                try await start()
                return
            } catch let e as TestSetupError where e.message.contains("Address already in use") {
                try? FileManager.default.removeItem(atPath: directory + "/redis.log")
                port = freeServerPort()
            }
        }
        try await start()
    }

    /// Stops the server's process (SIGSTOP): connections stay open, nothing is answered — a
    /// server that hangs — until `resume`.
    public func pause() { if let serverPid { kill(serverPid, SIGSTOP) } }

    /// Lets a paused server go on (SIGCONT).
    public func resume() { if let serverPid { kill(serverPid, SIGCONT) } }

    /// redis-cli's options to reach this server.
    public var cliArguments: [String] {
        var args = ["-p", String(port)]
        if let tls { args += ["--tls", "--cacert", tls.caFile] }
        if let user { args += ["--user", user.name, "--pass", user.password, "--no-auth-warning"] }
        return args
    }

    public func start() async throws {
        var conf = """
        bind 127.0.0.1
        dir \(directory)
        daemonize yes
        pidfile \(directory)/redis.pid
        logfile \(directory)/redis.log
        save ""
        appendonly no
        enable-debug-command local

        """
        if let tls {
            conf += "port 0\ntls-port \(port)\ntls-cert-file \(tls.certificateFile)\ntls-key-file \(tls.keyFile)\n"
                + "tls-ca-cert-file \(tls.caFile)\ntls-auth-clients optional\n"
        } else {
            conf += "port \(port)\n"
        }
        if let user { conf += "user default off\nuser \(user.name) on >\(user.password) ~* &* +@all\n" }
        try conf.write(toFile: directory + "/redis.conf", atomically: true, encoding: .utf8)
        let r = try await runProcess("/usr/bin/env", ["redis-server", directory + "/redis.conf"])
        guard r.status == 0 else { throw TestSetupError(message: "redis-server failed: \(r.output)") }
        // Generous: under the whole suite on 2 cores, process start-up can take seconds.
        let deadline = ContinuousClock.now + .seconds(30) // a bound against hangs, not a speed check
        while ContinuousClock.now < deadline {
            // Known as soon as its pid file is written (before it answers), so that a test
            // process crashing meanwhile still stops it.
            if serverPid == nil, let pid = SpawnedChildren.pid(inFile: directory + "/redis.pid") {
                serverPid = pid
                SpawnedChildren.add(pid)
            }
            if (try? await runProcess("/usr/bin/env", ["redis-cli"] + cliArguments + ["ping"]))?.output.contains("PONG") == true {
                if serverPid == nil, let pid = SpawnedChildren.pid(inFile: directory + "/redis.pid") {
                    serverPid = pid
                    SpawnedChildren.add(pid)
                }
                return
            }
            if ((try? String(contentsOfFile: directory + "/redis.log", encoding: .utf8)) ?? "").contains("aborting") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = (try? String(contentsOfFile: directory + "/redis.log", encoding: .utf8)) ?? ""
        if let serverPid {
            kill(serverPid, SIGKILL)
            SpawnedChildren.remove(serverPid)
            self.serverPid = nil
        }
        throw TestSetupError(message: "redis-server did not answer on port \(port): \(log.suffix(400))")
    }

    public func stop() async throws {
        _ = try await runProcess("/usr/bin/env", ["redis-cli"] + cliArguments + ["shutdown", "nosave"])
        for _ in 0..<100 {
            if (try? await runProcess("/usr/bin/env", ["redis-cli"] + cliArguments + ["ping"]))?.output.contains("PONG") != true {
                if let serverPid { SpawnedChildren.remove(serverPid) }
                serverPid = nil
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    public func destroy() async {
        try? await stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A server a test starts for itself and destroys afterwards.
public protocol PrivateServer: Sendable {
    init() async throws
    func destroy() async
}

extension PrivatePostgres: PrivateServer {}
extension PrivateRedis: PrivateServer {}

/// Runs `body` with a private server of its own, destroyed afterwards whatever happens.
public func withPrivate<S: PrivateServer, T: Sendable>(_ type: S.Type, _ body: (S) async throws -> T) async throws -> T {
    let server = try await S()
    do {
        let r = try await body(server)
        await server.destroy()
        return r
    } catch {
        await server.destroy()
        throw error
    }
}

public func withPrivatePostgres<T: Sendable>(_ body: (PrivatePostgres) async throws -> T) async throws -> T {
    try await withPrivate(PrivatePostgres.self, body)
}

public func withPrivateRedis<T: Sendable>(_ body: (PrivateRedis) async throws -> T) async throws -> T {
    try await withPrivate(PrivateRedis.self, body)
}
