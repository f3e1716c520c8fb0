import ArgumentParser
import Foundation
import Gateway
import Logging
import Postgres

@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "A GraphQL federation gateway.",
        subcommands: [Serve.self, Check.self, DB.self]
    )
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Path to gateway.yaml.")
    var config: String = "gateway.yaml"

    func load() throws -> GatewayConfiguration {
        do { return try GatewayConfiguration.load(path: config) } catch {
            throw ValidationError("\(error)")
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the gateway over HTTP.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return h
        }
        let config = try options.load()
        let server = try await GatewayServer(configuration: config)
        try await server.run { port in
            FileHandle.standardError.write(Data("switchyard listening on http://\(config.listenAddress!.host):\(port)/graphql\n".utf8))
        }
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate the configuration.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        print("configuration ok: \(config.subgraphs.count) subgraph(s), listening on \(config.listen)")
    }
}

struct DB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "The in-package subgraphs' PostgreSQL schema and demo data.",
        subcommands: [Migrate.self, Seed.self])

    static func ownerPool(_ config: GatewayConfiguration) throws -> PostgresPool {
        guard let pg = config.postgres, let url = pg.ownerURL ?? (pg.url.isEmpty ? nil : pg.url) else {
            throw ValidationError("postgres.owner_url (or SWITCHYARD_POSTGRES_OWNER_URL) is not configured")
        }
        return PostgresPool(configuration: .init(url: url, minConnections: 0, maxConnections: 2))
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply Schema/postgres migrations in order.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Folder of NNNN_name.sql files.") var migrations: String = "Schema/postgres"

        func run() async throws {
            let config = try options.load()
            let pool = try DB.ownerPool(config)
            defer { pool.close() }
            let migrator = Migrator(pool: pool, directory: URL(fileURLWithPath: migrations),
                                    applicationRole: config.postgres?.applicationRole ?? "switchyard_app")
            let applied = try await migrator.migrate()
            print(applied.isEmpty ? "migrations: up to date" : "migrations: applied \(applied.joined(separator: ", "))")
        }
    }

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load the demo data (idempotent).")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let config = try options.load()
            let pool = try DB.ownerPool(config)
            defer { pool.close() }
            let s = try await DemoData(pool: pool).seed()
            if s.tenants == 0 { print("seed: already seeded") }
            else { print("seed: \(s.tenants) tenants, \(s.agents) agents, \(s.tasks) tasks, \(s.events) events, \(s.dataProducts) data products") }
        }
    }
}
