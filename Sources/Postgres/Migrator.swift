import Foundation

/// Applies `NNNN_name.sql` files from a folder in order, each in its own transaction, and
/// records them in `schema_migrations`. An advisory lock makes concurrent runs wait for each
/// other. Afterwards the application role gets DML rights on the tables (it owns none of them,
/// so row-level security applies to it).
///
/// ```swift
/// let applied = try await Migrator(pool: ownerPool, directory: URL(fileURLWithPath: "Schema/postgres"),
///                                  applicationRole: "switchyard_app").migrate()
/// ```
public struct Migrator: Sendable {
    public let pool: PostgresPool
    public let directory: URL
    public let applicationRole: String?
    /// Put before each version in `schema_migrations` (a subgraph module's own migrations use
    /// `"<module>/"`, so that its 0001 is not the platform's 0001).
    public let versionPrefix: String

    public init(pool: PostgresPool, directory: URL, applicationRole: String? = nil, versionPrefix: String = "") {
        self.pool = pool
        self.directory = directory
        self.applicationRole = applicationRole
        self.versionPrefix = versionPrefix
    }

    public struct Migration: Sendable, Equatable {
        public let version: String
        public let name: String
        public let url: URL
    }

    /// The migration files in the folder, ordered by version.
    public func migrations() throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        return try files.filter { $0.pathExtension == "sql" }.map { url in
            let base = url.deletingPathExtension().lastPathComponent
            guard let underscore = base.firstIndex(of: "_"), base[..<underscore].allSatisfy(\.isNumber), !base[..<underscore].isEmpty else {
                throw PostgresError(.server, "migration file \(url.lastPathComponent) is not named NNNN_name.sql")
            }
            return Migration(version: versionPrefix + String(base[..<underscore]), name: String(base[base.index(after: underscore)...]), url: url)
        }.sorted { $0.version < $1.version }
    }

    /// Applies what is missing; returns the versions applied now.
    @discardableResult
    public func migrate() async throws -> [String] {
        let all = try migrations()
        return try await pool.withConnection { c in
            try await c.query("SELECT pg_advisory_lock(7242001)")
            do {
                try await c.query("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                      version text PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """)
                let done = Set(try await c.query("SELECT version FROM schema_migrations").map { try $0.decode("version", as: String.self) })
                var applied: [String] = []
                for m in all where !done.contains(m.version) {
                    let sql = try String(contentsOf: m.url, encoding: .utf8)
                    try await c.query("BEGIN")
                    do {
                        try await c.simpleQuery(sql)
                        try await c.query("INSERT INTO schema_migrations (version, name) VALUES (\(m.version), \(m.name))")
                        try await c.query("COMMIT")
                    } catch {
                        _ = try? await c.query("ROLLBACK")
                        throw MigrationError(version: m.version, name: m.name, underlying: error)
                    }
                    applied.append(m.version)
                }
                if let role = applicationRole {
                    guard role.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) != nil else {
                        throw PostgresError(.server, "application role name must match [a-z_][a-z0-9_]*")
                    }
                    // Grant on what the owner owns (not on objects extensions installed).
                    try await c.simpleQuery("""
                        GRANT USAGE ON SCHEMA public TO \(role);
                        DO $grant$ DECLARE r record; BEGIN
                          FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
                                   JOIN pg_namespace n ON n.oid = c.relnamespace
                                   WHERE n.nspname = 'public' AND c.relowner = current_user::regrole
                                     AND c.relkind IN ('r', 'v', 'S', 'p') LOOP
                            IF r.relkind = 'S' THEN
                              EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO \(role)', r.name);
                            ELSE
                              EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO \(role)', r.name);
                            END IF;
                          END LOOP;
                          FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                                   WHERE n.nspname = 'public' AND p.proowner = current_user::regrole LOOP
                            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO \(role)', r.name);
                          END LOOP;
                        END $grant$;
                        """)
                }
                try await c.query("SELECT pg_advisory_unlock(7242001)")
                return applied
            } catch {
                _ = try? await c.query("SELECT pg_advisory_unlock(7242001)")
                throw error
            }
        }
    }
}

/// A migration failed; nothing of it was applied.
public struct MigrationError: Error, CustomStringConvertible {
    public let version: String
    public let name: String
    public let underlying: Error
    public var description: String {
        let detail = (underlying as? PostgresError)?.serverMessage ?? "\(underlying)"
        return "migration \(version)_\(name) failed and was rolled back: \(detail)"
    }
}
