import Foundation
import Postgres
import Testing
import TestSupport

@Suite("Migrations")
struct MigratorTests {
    @Test func appliesInOrderOnceAndAppRoleIsSubjectToRowLevelSecurity() async throws {
        let db = try await TestDatabase.create("mig")
        let owner = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 2))
        defer { owner.close() }
        let migrator = Migrator(pool: owner, directory: TestEnvironment.repositoryRoot.appendingPathComponent("Schema/postgres"),
                                applicationRole: "switchyard_app")
        let first = try await migrator.migrate()
        #expect(first == (try migrator.migrations().map(\.version)))
        #expect(first.first == "0001")
        #expect(try await migrator.migrate().isEmpty, "a second run applies nothing")

        let app = PostgresPool(configuration: .init(url: db.appURL, minConnections: 0, maxConnections: 2))
        defer { app.close() }
        // The app role owns no table.
        let owned = try await app.query("SELECT count(*)::int8 AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
        #expect(try owned.first!.decode("n", as: Int.self) == 0)
        // Writes need the tenant; rows of another tenant are invisible.
        let a = UUID(), b = UUID()
        for (id, slug) in [(a, "a"), (b, "b")] {
            try await app.withTenant(id.uuidString) { c in
                try await c.query("INSERT INTO tenants (id, slug, name) VALUES (\(id), \(slug), \(slug))")
            }
        }
        let seenByA = try await app.withTenant(a.uuidString) { c in try await c.query("SELECT slug FROM tenants") }
        #expect(try seenByA.map { try $0.decode("slug", as: String.self) } == ["a"])
        let seenWithoutTenant = try await app.query("SELECT slug FROM tenants")
        #expect(seenWithoutTenant.isEmpty)
        await #expect(throws: PostgresError.self, "inserting a row for another tenant violates the policy") {
            try await app.withTenant(a.uuidString) { c in
                try await c.query("INSERT INTO tenants (id, slug, name) VALUES (\(UUID()), 'c', 'c')")
            }
        }
        // Slug resolution works before a tenant is set.
        let resolved = try await app.query("SELECT tenant_id_for_slug('b') AS id").first!.decode("id", as: UUID?.self)
        #expect(resolved == b)
        await db.drop()
    }

    @Test func aFailingMigrationIsRolledBack() async throws {
        let db = try await TestDatabase.create("mig")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mig-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "CREATE TABLE ok_table (id int);".write(to: dir.appendingPathComponent("0001_ok.sql"), atomically: false, encoding: .utf8)
        try "CREATE TABLE half (id int); SELECT 1/0;".write(to: dir.appendingPathComponent("0002_bad.sql"), atomically: false, encoding: .utf8)
        let owner = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        defer { owner.close() }
        let error = await #expect(throws: MigrationError.self) { try await Migrator(pool: owner, directory: dir).migrate() }
        #expect(error?.version == "0002")
        let tables = try await owner.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        #expect(try tables.map { try $0.decode("tablename", as: String.self) } == ["ok_table", "schema_migrations"])
        await db.drop()
    }

    @Test func aModulesOwnMigrationsAreVersionedApart() async throws {
        let db = try await TestDatabase.create("mig")
        let platform = FileManager.default.temporaryDirectory.appendingPathComponent("mig-\(UUID())")
        let module = FileManager.default.temporaryDirectory.appendingPathComponent("mig-\(UUID())")
        defer { for d in [platform, module] { try? FileManager.default.removeItem(at: d) } }
        for d in [platform, module] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try "CREATE TABLE platform_t (id int);".write(to: platform.appendingPathComponent("0001_platform.sql"), atomically: false, encoding: .utf8)
        try "CREATE TABLE greetings_t (id int);".write(to: module.appendingPathComponent("0001_greetings.sql"), atomically: false, encoding: .utf8)
        let owner = PostgresPool(configuration: .init(url: db.ownerURL, minConnections: 0, maxConnections: 1))
        defer { owner.close() }
        #expect(try await Migrator(pool: owner, directory: platform).migrate() == ["0001"])
        // The module's 0001 is not the platform's 0001.
        #expect(try await Migrator(pool: owner, directory: module, versionPrefix: "greetings/").migrate() == ["greetings/0001"])
        #expect(try await Migrator(pool: owner, directory: module, versionPrefix: "greetings/").migrate() == [])
        let tables = try await owner.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        #expect(try tables.map { try $0.decode("tablename", as: String.self) } == ["greetings_t", "platform_t", "schema_migrations"])
        await db.drop()
    }
}
