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
            let redis = RedisClient(configuration: try .init(url: url, connections: 2))
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
            #expect(try await RedisClient(configuration: try .init(url: withCert, connections: 1)).ping())
        }
    }

    @Test func anUntrustedCertificateAWrongPasswordAndPlainTextAreRefusedClearly() async throws {
        try await withTLSRedis { certs, server in
            let untrusted = RedisClient(configuration: try .init(url: "rediss://gateway:s3cr%3At%2Fpw@127.0.0.1:\(server.port)?sslrootcert=\(certs.otherCAFile)", connections: 1))
            let e1 = await #expect(throws: RedisError.self) { try await untrusted.ping() }
            #expect(e1?.code == .connectionFailed)
            #expect(e1?.message.contains("certificate verify failed") == true, "\(String(describing: e1))")

            // `require` encrypts without verifying: the same untrusted server is accepted.
            let unverified = RedisClient(configuration: try .init(url: "rediss://gateway:s3cr%3At%2Fpw@127.0.0.1:\(server.port)?sslmode=require", connections: 1))
            #expect(try await unverified.ping())

            let wrongPassword = RedisClient(configuration: try .init(url: "rediss://gateway:nope@127.0.0.1:\(server.port)?sslrootcert=\(certs.caFile)", connections: 1))
            let e2 = await #expect(throws: RedisError.self) { try await wrongPassword.ping() }
            #expect(e2?.message.contains("AUTH failed") == true, "\(String(describing: e2))")

            let noUser = RedisClient(configuration: try .init(url: "rediss://127.0.0.1:\(server.port)?sslrootcert=\(certs.caFile)", connections: 1))
            let e3 = await #expect(throws: RedisError.self) { try await noUser.ping() }
            #expect(e3?.code == .server) // NOAUTH: the default user is off

            let plain = RedisClient(configuration: try .init(url: "redis://gateway:s3cr%3At%2Fpw@127.0.0.1:\(server.port)", connections: 1, commandTimeout: .seconds(5)))
            await #expect(throws: RedisError.self) { try await plain.ping() }
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
