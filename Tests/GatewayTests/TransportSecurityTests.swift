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

/// A subgraph whose certificate the system's roots do not vouch for is refused, and the error
/// says why (it said only "could not be reached").
@Suite("Subgraph TLS")
struct SubgraphTLSTests {
    @Test(.timeLimit(.minutes(1))) func anUntrustedSubgraphCertificateIsSaid() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        let script = """
            import http.server, json, ssl, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get("content-length", "0")))
                    body = json.dumps({"data": {"hello": "tls"}}).encode()
                    self.send_response(200); self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
                def log_message(self, *a): pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1], sys.argv[2])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        let subgraph = try ChildProcess("/usr/bin/env", ["python3", "-c", script, certs.certificateFile, certs.keyFile])
        defer { subgraph.stop() }
        let port = try await subgraph.firstLine { Int($0) }
        let sdl = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString).graphql")
        try #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"]) type Query { hello: String }"#
            .write(to: sdl, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: sdl) }
        var config = GatewayConfiguration()
        config.subgraphs = [SubgraphConfiguration(name: "secure", url: "https://127.0.0.1:\(port)/graphql", schema: sdl.path)]
        try await withConfiguredGateway(config) { client, _ in
            let r = try await client.query("{ hello }")
            #expect(r.json?["data"]?.text == #"{"hello":null}"#, "\(r.text)")
            #expect(r.json?["errors"]?[0]?["message"]?.stringValue == #"Subgraph "secure" could not be reached: its TLS certificate is not trusted (CERTIFICATE_VERIFY_FAILED)."#, "\(r.text)")
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "SUBREQUEST_HTTP_ERROR")
        }
    }
}
