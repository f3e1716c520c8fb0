import Foundation
import Testing
import TestSupport

/// The `switchyard` commands as a user runs them, outside the repository.
@Suite("Command line")
struct CommandLineTests {
    /// `db migrate` run from another folder finds `Schema/postgres` as the modules find their
    /// schemas (`SWITCHYARD_SCHEMA_DIR`), and says where it looked when it cannot.
    @Test func dbMigrateFindsItsMigrationsOutsideTheRepository() async throws {
        let db = try await TestDatabase.create("cli")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("gateway.yaml").path
        try "listen: \"127.0.0.1:4000\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/switchyard").path
        let database = ["SWITCHYARD_POSTGRES_URL": db.appURL, "SWITCHYARD_POSTGRES_OWNER_URL": db.ownerURL]
        do {
            let lost = try await runProcess("/usr/bin/env", ["-C", folder.path, binary, "db", "migrate", "--config", config],
                                            environment: database.merging(["SWITCHYARD_SCHEMA_DIR": ""]) { $1 })
            #expect(lost.status != 0)
            #expect(lost.output.contains("no migrations folder at \(folder.path)/Schema/postgres") && lost.output.contains("--migrations"), "\(lost.output)")
            #expect(!lost.output.contains("NSCocoaErrorDomain"), "\(lost.output)")
            // The arguments were fine: no usage text under the error.
            #expect(!lost.output.lowercased().contains("usage:"), "\(lost.output)")
            let found = try await runProcess("/usr/bin/env", ["-C", folder.path, binary, "db", "migrate", "--config", config],
                                             environment: database.merging(["SWITCHYARD_SCHEMA_DIR": TestEnvironment.repositoryRoot.appendingPathComponent("Schema").path]) { $1 })
            #expect(found.status == 0 && found.output.contains("migrations: applied 0001"), "\(found.output)")
        } catch {
            await db.drop()
            throw error
        }
        await db.drop()
    }
}
