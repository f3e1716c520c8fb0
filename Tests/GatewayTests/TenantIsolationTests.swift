import Foundation
import Gateway
import GraphQLCore
import JWTKit
import Postgres
import Testing
import TestSupport

/// Tenant isolation beyond row-level security itself (issue 13: #1, #3).
@Suite("Tenant isolation")
struct TenantIsolationTests {
    /// The gateway refuses a database role that row-level security does not bind.
    @Test func serveRefusesTheOwnerRoleAndAcceptsTheApplicationRole() async throws {
        try await withPlatform { fixture, _, _ in
            let owner = PostgresPool(configuration: .init(url: fixture.db.ownerURL, minConnections: 0, maxConnections: 1))
            defer { owner.close() }
            await #expect(throws: ConfigurationError.self) { try await GatewayServer.checkDatabaseRole(owner) }
            let app = PostgresPool(configuration: .init(url: fixture.db.appURL, minConnections: 0, maxConnections: 1))
            defer { app.close() }
            try await GatewayServer.checkDatabaseRole(app)
            // `switchyard serve` connected as the owner stops with the reason.
            let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
            var env = ProcessInfo.processInfo.environment
            env["SWITCHYARD_LISTEN"] = "127.0.0.1:0"
            env["SWITCHYARD_POSTGRES_URL"] = fixture.db.ownerURL
            env["SWITCHYARD_REDIS_URL"] = fixture.redis.url
            let child = try ChildProcess(binary, ["serve", "--config", TestEnvironment.repositoryRoot.appendingPathComponent("gateway.yaml").path],
                                         environment: env, outputIsStderr: true)
            defer { child.stop() }
            let line = try await child.firstLine { $0.contains("row-level security") || $0.contains("listening") ? $0 : nil }
            #expect(line.contains("owns the tables"), "\(line)")
            #expect(child.terminateAndWait() != 0)
        }
    }

    /// A platform subgraph served alone applies the gateway's rules: the development header only
    /// when enabled, and with authentication a token's tenant — never the client's X-Tenant.
    @Test func aSubgraphServedAloneNeverTrustsTheClientsTenantHeader() async throws {
        try await withPlatform { fixture, _, _ in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("alone-\(UUID())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let clients = GatewayServer.clients(fixture.config)
            let module = try #require(try SubgraphModules.all()["tenants"])
            let service = try module.service(ModuleDependencies(postgres: clients.postgres, redis: clients.redis))
            var closed = fixture.config
            closed.tenancy.developmentHeader = false
            try await withGateway(closed, executor: service) { client in
                let r = try await client.query("{ currentTenant { slug } }", headers: [("x-tenant", "acme")])
                #expect(r.json?["data"]?["currentTenant"] == .null, "\(r.text)")
            }
            let secret = "a-subgraph-alone-secret-of-enough-length-42"
            try secret.write(to: dir.appendingPathComponent("k"), atomically: true, encoding: .utf8)
            var authed = closed
            var jwt = AuthConfiguration.JWT()
            jwt.hs256SecretFile = dir.appendingPathComponent("k").path
            authed.auth.jwt = jwt
            authed.tenancy.developmentHeader = true
            let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            let token = try await keys.sign(TestClaims(exp: .init(value: Date().addingTimeInterval(300)), tenant: "acme"))
            try await withGateway(authed, executor: service) { client in
                let r = try await client.query("{ currentTenant { slug } }", headers: [("authorization", "Bearer \(token)"), ("x-tenant", "globex")])
                #expect(r.text == #"{"data":{"currentTenant":{"slug":"acme"}}}"#, "the token's tenant wins")
                let anonymous = try await client.query("{ currentTenant { slug } }", headers: [("x-tenant", "globex")])
                #expect(anonymous.json?["data"]?["currentTenant"] == .null, "with auth configured the header names no tenant")
            }
        }
    }
}
