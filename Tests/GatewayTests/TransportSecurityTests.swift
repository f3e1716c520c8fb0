import AsyncHTTPClient
import Foundation
import Gateway
import GraphQLCore
import NIOSSL
import Postgres
import Testing
import TestSupport

/// TLS on every connection the gateway has: it serves HTTPS, reaches PostgreSQL with
/// `sslmode=verify-full` and Redis over `rediss://` as an ACL user — all three servers of the
/// test's own, taking TLS connections only, with certificates the test made.
@Suite("Transport security")
struct TransportSecurityTests {
    @Test(.timeLimit(.minutes(4))) func theGatewayServesHTTPSAndReachesPostgresAndRedisOverVerifiedTLS() async throws {
        try await withTestCertificates { certs in
            let pg = try await PrivatePostgres(tls: certs)
            let redis: PrivateRedis
            do { redis = try await PrivateRedis(tls: certs, user: ("gateway", "redis-pw")) } catch {
                await pg.destroy()
                throw error
            }
            do { try await serveOverTLS(certs, pg, redis) } catch {
                await redis.destroy()
                await pg.destroy()
                throw error
            }
            await redis.destroy()
            await pg.destroy()
        }
    }

    func serveOverTLS(_ certs: TestCertificates, _ pg: PrivatePostgres, _ redis: PrivateRedis) async throws {
        let admin = "postgres://postgres:postgres@127.0.0.1:\(pg.port)/postgres?sslmode=require"
        try await psql(admin, "CREATE ROLE switchyard_owner LOGIN CREATEDB PASSWORD 'owner'")
        try await psql(admin, "CREATE ROLE switchyard_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'app'")
        try await psql(admin, "CREATE DATABASE switchyard OWNER switchyard_owner")
        let verified = "sslmode=verify-full&sslrootcert=\(certs.caFile)"
        let ownerURL = "postgres://switchyard_owner:owner@127.0.0.1:\(pg.port)/switchyard?\(verified)"
        let appURL = "postgres://switchyard_app:app@127.0.0.1:\(pg.port)/switchyard?\(verified)"

        // Our libpq client over verify-full: migrate and seed through it.
        let owner = PostgresPool(configuration: .init(url: ownerURL, minConnections: 0, maxConnections: 2))
        defer { owner.close() }
        try await Migrator(pool: owner, directory: TestEnvironment.repositoryRoot.appendingPathComponent("Schema/postgres"),
                           applicationRole: "switchyard_app").migrate()
        try await DemoData(pool: owner).seed()
        let sslOwn = try await owner.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        #expect(try sslOwn.first?.decode("ssl", as: Bool.self) == true)
        // A root the server's certificate does not chain to is refused, with libpq's reason.
        let wrongRoot = PostgresPool(configuration: .init(url: "postgres://switchyard_app:app@127.0.0.1:\(pg.port)/switchyard?sslmode=verify-full&sslrootcert=\(certs.otherCAFile)",
                                                          minConnections: 0, maxConnections: 1))
        defer { wrongRoot.close() }
        let refused = await #expect(throws: PostgresError.self) { try await wrongRoot.query("SELECT 1") }
        #expect(refused?.code == .connectionFailed)
        #expect(refused?.serverMessage?.contains("certificate verify failed") == true, "\(String(describing: refused?.serverMessage))")

        let config = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString).yaml").path
        try """
        listen: "127.0.0.1:0"
        tls: { certificate_file: "\(certs.certificateFile)", key_file: "\(certs.keyFile)" }
        subgraphs:
          - { name: tenants, module: tenants }
          - { name: agents, module: agents }
          - { name: events, module: events }
          - { name: projections, module: projections }
          - { name: dataproducts, module: dataproducts }
        tenancy: { development_header: true }
        rate_limits: { enabled: true }
        postgres: { url: "\(appURL)", owner_url: "\(ownerURL)" }
        redis: { url: "\(redis.url)" }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }

        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
        var env = ProcessInfo.processInfo.environment
        env["LOG_LEVEL"] = "error"
        env["SWITCHYARD_SCHEMA_DIR"] = TestEnvironment.repositoryRoot.appendingPathComponent("Schema").path
        for k in ["SWITCHYARD_POSTGRES_URL", "SWITCHYARD_POSTGRES_OWNER_URL", "SWITCHYARD_REDIS_URL", "SWITCHYARD_LISTEN"] { env[k] = nil }
        let child = try ChildProcess(binary, ["serve", "--config", config], environment: env, outputIsStderr: true)
        defer { child.stop() }
        let port: Int = try await child.firstLine { line in
            guard let r = line.range(of: "listening on https://127.0.0.1:") else { return nil }
            return Int(line[r.upperBound...].prefix { $0.isNumber })
        }

        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .file(certs.caFile)
        let https = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: trusting))
        var untrusting = TLSConfiguration.makeClientConfiguration()
        untrusting.trustRoots = .file(certs.otherCAFile)
        let stranger = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: untrusting))
        do {
            try await checkGateway(GatewayClient(base: "https://127.0.0.1:\(port)", http: https),
                                   stranger: GatewayClient(base: "https://127.0.0.1:\(port)", http: stranger),
                                   plain: GatewayClient(base: "http://127.0.0.1:\(port)"), admin: admin, redis: redis)
        } catch {
            try? await https.shutdown()
            try? await stranger.shutdown()
            throw error
        }
        try await https.shutdown()
        try await stranger.shutdown()
    }

    func checkGateway(_ gateway: GatewayClient, stranger: GatewayClient, plain: GatewayClient, admin: String, redis: PrivateRedis) async throws {
        var ready = false
        for _ in 0..<600 where !ready {
            ready = (try? await gateway.send(.GET, "/ready"))?.status == 200
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(ready)
        let r = try await gateway.query(#"{ tenant(slug: "acme") { name agents(first: 3) { name stats { tasksCompleted } } dataProducts(first: 2) { name } } }"#,
                                        headers: [("x-tenant", "acme")])
        #expect(r.status == 200, "\(r.text)")
        #expect(r.json?["errors"] == nil, "\(r.text)")
        #expect(r.json?["data"]?["tenant"]?["agents"]?.arrayValue?.count == 3, "\(r.text)")
        #expect(try await gateway.get([("query", "{ __typename }")]).status == 200)

        // The database sees only TLS connections from the gateway's role; Redis only the ACL user.
        let ssl = try await psql(admin, """
            SELECT count(*) FILTER (WHERE s.ssl) || ',' || count(*) FILTER (WHERE NOT s.ssl)
            FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = 'switchyard_app'
            """).split(separator: ",").compactMap { Int($0) }
        #expect(ssl.count == 2 && ssl[0] > 0 && ssl[1] == 0, "TLS, plain connections of the gateway: \(ssl)")
        let clients = try await runProcess("/usr/bin/env", ["redis-cli"] + redis.cliArguments + ["CLIENT", "LIST"]).output
        #expect(clients.split(separator: "\n").filter { $0.contains("user=gateway") }.count >= 2, "\(clients)") // the gateway's and ours

        // A client that does not trust the certificate, and one speaking plain HTTP, get nothing.
        await #expect(throws: (any Error).self) { try await stranger.query("{ __typename }") }
        let plainAnswer = try? await plain.query("{ __typename }")
        #expect(plainAnswer == nil || plainAnswer?.json?["data"] == nil)
    }
}

/// `https://` subgraphs: one whose certificate the system's roots do not vouch for is refused,
/// and the error says why; `subgraphs[].tls` trusts a private CA for it and presents a client
/// certificate to one that asks for it, over HTTP and over WSS (subscriptions) alike.
@Suite("Subgraph TLS")
struct SubgraphTLSTests {
    /// The subgraph of Tests/Fixtures/python-subgraph/misbehaving_ws_subgraph.py (`foreignid`:
    /// its subscription sends two events of its own) over TLS with the test CA's certificate,
    /// asking for a client certificate of the same CA when `clientCA`.
    func withTLSSubgraph(_ certs: TestCertificates, clientCA: Bool, _ body: (Int) async throws -> Void) async throws {
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/python-subgraph/misbehaving_ws_subgraph.py").path
        let subgraph = try ChildProcess("/usr/bin/env", ["python3", script, "foreignid", certs.certificateFile, certs.keyFile] + (clientCA ? [certs.caFile] : []))
        defer { subgraph.stop() }
        try await body(try await subgraph.firstLine { Int($0) })
    }

    func gateway(_ port: Int, tls: SubgraphTLSConfiguration?, schema: String? = nil, _ body: (GatewayClient) async throws -> Void) async throws {
        var config = GatewayConfiguration()
        config.subgraphs = [SubgraphConfiguration(name: "secure", url: "https://127.0.0.1:\(port)/graphql", schema: schema, tls: tls)]
        try await withConfiguredGateway(config) { client, _ in try await body(client) }
    }

    @Test(.timeLimit(.minutes(1))) func anUntrustedSubgraphCertificateIsSaid() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        let sdl = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString).graphql")
        try #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"]) type Query { hello: String }"#
            .write(to: sdl, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: sdl) }
        try await withTLSSubgraph(certs, clientCA: false) { port in
            // The system's roots, and a CA that is not the one that issued the certificate.
            for tls in [nil, SubgraphTLSConfiguration(caFile: certs.otherCAFile)] {
                try await gateway(port, tls: tls, schema: sdl.path) { client in
                    let r = try await client.query("{ hello }")
                    #expect(r.json?["data"]?.text == #"{"hello":null}"#, "\(r.text)")
                    #expect(r.json?["errors"]?[0]?["message"]?.stringValue == #"Subgraph "secure" could not be reached: its TLS certificate is not trusted (CERTIFICATE_VERIFY_FAILED)."#, "\(r.text)")
                    #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "SUBREQUEST_HTTP_ERROR")
                }
            }
        }
    }

    /// The schema is fetched (`_service { sdl }`), queries answered and a subscription's events
    /// streamed over TLS verified against `ca_file`, with the client certificate the subgraph
    /// asks for; without the certificate the handshake fails and the error says so.
    @Test(.timeLimit(.minutes(1))) func aPrivateCAAndAClientCertificateReachTheSubgraph() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        try await withTLSSubgraph(certs, clientCA: true) { port in
            let mutual = SubgraphTLSConfiguration(caFile: certs.caFile, certificateFile: certs.certificateFile, keyFile: certs.keyFile)
            try await gateway(port, tls: mutual) { client in
                let r = try await client.query("{ hello }")
                #expect(r.text == #"{"data":{"hello":"hello"}}"#)
                let s = try await client.post(#"{"query":"subscription { ticks { id n } }"}"#, accept: "text/event-stream")
                #expect(s.text == "event: next\ndata: {\"data\":{\"ticks\":{\"id\":\"1\",\"n\":1}}}\n\n"
                        + "event: next\ndata: {\"data\":{\"ticks\":{\"id\":\"2\",\"n\":2}}}\n\nevent: complete\ndata:\n\n", "\(s.text)")
            }
            // The CA alone: the subgraph refuses the connection without a client certificate.
            let sdl = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString).graphql")
            try #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"]) type Query { hello: String }"#
                .write(to: sdl, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: sdl) }
            try await gateway(port, tls: SubgraphTLSConfiguration(caFile: certs.caFile), schema: sdl.path) { client in
                let r = try await client.query("{ hello }")
                #expect(r.json?["data"]?.text == #"{"hello":null}"#, "\(r.text)")
                #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "SUBREQUEST_HTTP_ERROR", "\(r.text)")
            }
        }
    }

    /// `subgraphs[].tls` is checked when the configuration is read: only for an `https://` URL,
    /// a certificate with its key, files that are PEM (named by their key).
    @Test func subgraphTLSSettingsAreChecked() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        func refusal(_ yaml: String) -> String? {
            do {
                let config = try GatewayConfiguration.parse(yaml: yaml)
                try config.validate()
                try TLSFiles.check(config)
                return nil
            } catch { return "\(error)" }
        }
        #expect(refusal("subgraphs: [{ name: a, url: \"http://127.0.0.1:1/graphql\", tls: { ca_file: \(certs.caFile) } }]")?
            .contains("tls is for a subgraph reached at an https:// url") == true)
        #expect(refusal("subgraphs: [{ name: a, url: \"https://127.0.0.1:1/graphql\", tls: { certificate_file: \(certs.certificateFile) } }]")?
            .contains("tls.certificate_file and tls.key_file go together") == true)
        #expect(refusal("subgraphs: [{ name: a, url: \"https://127.0.0.1:1/graphql\", tls: { ca_file: \(certs.keyFile) } }]")?
            .contains("subgraphs[a].tls.ca_file: \(certs.keyFile) is not a PEM certificate file") == true)
        #expect(refusal("subgraphs: [{ name: a, url: \"https://127.0.0.1:1/graphql\", tls: { ca_file: /nonexistent/ca.pem } }]")?
            .contains("subgraphs[a].tls.ca_file") == true)
        #expect(refusal("subgraphs: [{ name: a, url: \"https://127.0.0.1:1/graphql\", tls: { ca_file: \(certs.caFile), certificate_file: \(certs.certificateFile), key_file: \(certs.keyFile) } }]") == nil)
    }
}
