import Foundation

/// A database of its own for one test (or suite), created on the shared local server by the
/// superuser and owned by `switchyard_owner`; `drop()` removes it.
public struct TestDatabase: Sendable {
    public let name: String
    public var ownerURL: String { TestEnvironment.postgresURL(user: "switchyard_owner", password: "owner", database: name) }
    public var appURL: String { TestEnvironment.postgresURL(user: "switchyard_app", password: "app", database: name) }
    public var adminURL: String { TestEnvironment.postgresURL(user: "postgres", password: "postgres", database: name) }

    public static func create(_ prefix: String = "t") async throws -> TestDatabase {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try await psql(TestEnvironment.adminURL, "CREATE DATABASE \(name) OWNER switchyard_owner")
        return TestDatabase(name: name)
    }

    public func drop() async {
        _ = try? await psql(TestEnvironment.adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

/// Runs SQL through `psql` (test set-up only).
@discardableResult
public func psql(_ url: String, _ sql: String) async throws -> String {
    let r = try await runProcess("/usr/bin/env", ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", url, "-c", sql])
    guard r.status == 0 else { throw TestSetupError(message: "psql failed: \(r.output)") }
    return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
