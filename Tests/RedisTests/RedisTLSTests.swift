import CLibSSL
import Foundation
import Redis
import Testing
import TestSupport

/// `rediss://` against a Redis server of the test's own that listens for TLS only, with
/// certificates the test made and the default user off (only an ACL user may connect).
@Suite("Redis over TLS with an ACL user")
struct RedisTLSTests {
    func withTLSRedis(_ body: (TestCertificates, PrivateRedis) async throws -> Void) async throws {
        try await withTestCertificates { certs in
            let server = try await PrivateRedis(tls: certs, user: ("gateway", "s3cr:t/pw"))
            do { try await body(certs, server) } catch {
                await server.destroy()
                throw error
            }
            await server.destroy()
        }
    }

    @Test func commandsPubSubAndLargeValuesTravelOverTLSAsTheACLUser() async throws {
        try await withTLSRedis { certs, server in
            // The password has characters a URL must escape.
            let url = "rediss://gateway:s3cr%3At%2Fpw@127.0.0.1:\(server.port)?sslrootcert=\(certs.caFile)"
            // (30 s: a 1 MB value over TLS on a loaded machine's suite took longer than 2 s.)
            let redis = RedisClient(configuration: try .init(url: url, connections: 2, commandTimeout: .seconds(30)))
            #expect(try await redis.send(["ACL", "WHOAMI"]).string == "gateway")
            let big = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) } // many TLS records each way
            try await redis.set("big", value: big)
            #expect(try await redis.get("big") == big)
            let info = try await redis.send(["CLIENT", "INFO"]).string ?? ""
            #expect(info.contains("user=gateway"))

            let box = Mailbox<String>()
            let reader = Task { for try await m in redis.subscribe(["tls-chan"]) { await box.put(m.string) } }
            defer { reader.cancel() }
            var got: String?
            for _ in 0..<50 where got == nil {
                _ = try await redis.publish("tls-chan", message: "over tls")
                got = await box.first(within: .milliseconds(50))
            }
            #expect(got == "over tls")

            // A client certificate is sent when given (the server accepts it, optional there),
            // and verify-full checks a DNS name as well as an IP address.
            let withCert = "rediss://gateway:s3cr%3At%2Fpw@localhost:\(server.port)?sslrootcert=\(certs.caFile)&sslcert=\(certs.certificateFile)&sslkey=\(certs.keyFile)"
            #expect(try await RedisClient(configuration: try .init(url: withCert, connections: 1, commandTimeout: .seconds(30))).ping())
        }
    }

    /// (Handshakes get 30 s: under a loaded machine's suite, 2 s ran out before the refusal.)
    @Test func anUntrustedCertificateAWrongPasswordAndPlainTextAreRefusedClearly() async throws {
        try await withTLSRedis { certs, server in
            let untrusted = RedisClient(configuration: try .init(url: "rediss://gateway:s3cr%3At%2Fpw@127.0.0.1:\(server.port)?sslrootcert=\(certs.otherCAFile)", connections: 1, commandTimeout: .seconds(30)))
            let e1 = await #expect(throws: RedisError.self) { try await untrusted.ping() }
            #expect(e1?.code == .connectionFailed)
            #expect(e1?.message.contains("certificate verify failed") == true, "\(String(describing: e1))")

            // `require` encrypts without verifying: the same untrusted server is accepted.
            let unverified = RedisClient(configuration: try .init(url: "rediss://gateway:s3cr%3At%2Fpw@127.0.0.1:\(server.port)?sslmode=require", connections: 1, commandTimeout: .seconds(30)))
            #expect(try await unverified.ping())

            let wrongPassword = RedisClient(configuration: try .init(url: "rediss://gateway:nope@127.0.0.1:\(server.port)?sslrootcert=\(certs.caFile)", connections: 1, commandTimeout: .seconds(30)))
            let e2 = await #expect(throws: RedisError.self) { try await wrongPassword.ping() }
            #expect(e2?.message.contains("AUTH failed") == true, "\(String(describing: e2))")

            let noUser = RedisClient(configuration: try .init(url: "rediss://127.0.0.1:\(server.port)?sslrootcert=\(certs.caFile)", connections: 1, commandTimeout: .seconds(30)))
            let e3 = await #expect(throws: RedisError.self) { try await noUser.ping() }
            #expect(e3?.code == .server) // NOAUTH: the default user is off

            let plain = RedisClient(configuration: try .init(url: "redis://gateway:s3cr%3At%2Fpw@127.0.0.1:\(server.port)", connections: 1, commandTimeout: .seconds(5)))
            await #expect(throws: RedisError.self) { try await plain.ping() }
        }
    }

    /// OpenSSL's error queue is per thread, and `SSL_get_error` reads any entry there as the
    /// current call's failure. An entry something else left on the thread (a refused handshake
    /// of another connection, libpq's) failed a sound connection's read: "TLS read failed:
    /// certificate verify failed". Here every step runs on one thread, which gets such an entry
    /// before each read.
    @Test func anErrorOpenSSLQueuedElsewhereOnTheThreadFailsNoRead() async throws {
        try await withTLSRedis { certs, server in
            let executor = OneThreadExecutor()
            defer { executor.stop() }
            try await withTaskExecutorPreference(executor) {
                let redis = RedisClient(configuration: try .init(url: server.url, connections: 1))
                let value = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) } // many TLS records: reads wait part-way
                _ = try await redis.set("big", value: value)
                // The client reopens a broken connection and retries once: the connection's id
                // shows that none broke.
                let id = try await redis.send(["CLIENT", "ID"]).integer
                for _ in 0..<3 {
                    #expect(leaveAnOpenSSLErrorOnThisThread())
                    #expect(try await redis.get("big") == value)
                    #expect(try await redis.send(["CLIENT", "ID"]).integer == id)
                }
            }
        }
    }

    @Test func urlsAreReadStrictly() throws {
        let a = try RedisAddress(url: "rediss://u:p%40ss@[::1]:6390/2?sslmode=verify-ca&sslrootcert=/ca.pem")
        #expect(a.host == "::1" && a.port == 6390 && a.user == "u" && a.password == "p@ss" && a.database == 2)
        #expect(a.tls == RedisAddress.TLS(verification: .ca, rootCertificateFile: "/ca.pem"))
        let b = try RedisAddress(url: "redis://:pw@localhost")
        #expect(b.user == nil && b.password == "pw" && b.tls == nil && b.port == 6379)
        #expect(throws: RedisError.self) { try RedisAddress(url: "redis://h?sslrootcert=/ca.pem") }
        #expect(throws: RedisError.self) { try RedisAddress(url: "rediss://h?sslmode=prefer") }
        #expect(throws: RedisError.self) { try RedisAddress(url: "rediss://h?sslcert=/c.pem") }
        #expect(throws: RedisError.self) { try RedisAddress(url: "rediss://h?colour=blue") }
        #expect(throws: RedisError.self) { try RedisAddress(url: "http://h") }
    }
}

/// Makes OpenSSL queue an error of its TLS library on the calling thread (a cipher list that
/// names no cipher) and leaves it there; true when the queue holds one.
private func leaveAnOpenSSLErrorOnThisThread() -> Bool {
    guard let ctx = SSL_CTX_new(TLS_client_method()) else { return false }
    defer { SSL_CTX_free(ctx) }
    _ = SSL_CTX_set_cipher_list(ctx, "NO-SUCH-CIPHER")
    return ERR_peek_error() != 0
}

/// A task executor with one thread of its own: what runs under its preference runs there.
private final class OneThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init() {
        Thread.detachNewThread { [self] in run() }
    }

    func enqueue(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
