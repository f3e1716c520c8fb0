import Foundation

/// A certificate authority and a server certificate signed by it, made by the test with the
/// `openssl` command (valid two days, for 127.0.0.1 and localhost; the server certificate also
/// serves as a client certificate), and a second authority that signed nothing here — a client
/// that trusts only it must refuse the server.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }
    public var certificateFile: String { directory + "/server.pem" }
    public var keyFile: String { directory + "/server.key" }
    public var otherCAFile: String { directory + "/other-ca.pem" }

    public static func make() async throws -> TestCertificates {
        let dir = TestEnvironment.repositoryRoot.path + "/.local/test-certs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func openssl(_ args: [String]) async throws {
            let r = try await runProcess("/usr/bin/env", ["openssl"] + args)
            guard r.status == 0 else { throw TestSetupError(message: "openssl \(args.first ?? "") failed: \(r.output)") }
        }
        for ca in ["ca", "other-ca"] {
            try await openssl(["req", "-x509"] + ec + ["-keyout", "\(dir)/\(ca).key", "-out", "\(dir)/\(ca).pem", "-days", "2",
                               "-subj", "/CN=Switchyard test \(ca)",
                               "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        }
        try await openssl(["req"] + ec + ["-keyout", "\(dir)/server.key", "-out", "\(dir)/server.csr", "-subj", "/CN=127.0.0.1"])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n"
            .write(toFile: "\(dir)/server.ext", atomically: true, encoding: .utf8)
        try await openssl(["x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.pem", "-CAkey", "\(dir)/ca.key",
                           "-CAcreateserial", "-out", "\(dir)/server.pem", "-days", "2", "-extfile", "\(dir)/server.ext"])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(dir)/server.key")
        return TestCertificates(directory: dir)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body` with fresh certificates, removed afterwards whatever happens.
public func withTestCertificates<T: Sendable>(_ body: (TestCertificates) async throws -> T) async throws -> T {
    let certs = try await TestCertificates.make()
    do {
        let r = try await body(certs)
        certs.remove()
        return r
    } catch {
        certs.remove()
        throw error
    }
}
