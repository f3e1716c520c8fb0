import ArgumentParser
import Foundation
import Gateway
import Logging
import Federation
import GraphQLCore
import Postgres
import SwitchyardAllocator

@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "A GraphQL federation gateway.",
        subcommands: [Serve.self, Compose.self, Plan.self, Check.self, SubgraphCommand.self, DB.self]
    )
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Path to gateway.yaml.")
    var config: String = "gateway.yaml"

    func load() throws -> GatewayConfiguration {
        do { return try GatewayConfiguration.load(path: config) } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// Keys of the file the gateway does not read (`GatewayConfiguration.unknownKeys`).
    func unknownKeys() -> [String] {
        (try? String(contentsOfFile: config, encoding: .utf8)).map(GatewayConfiguration.unknownKeys(yaml:)) ?? []
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the gateway over HTTP.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        // A parent may have blocked these (test runners do); the graceful shutdown needs them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        let config = try options.load()
        // LOG_LEVEL and LOG_FORMAT (env) win over logging.level and logging.format (gateway.yaml).
        let environment = ProcessInfo.processInfo.environment
        // A value the file would refuse is refused from the environment too.
        if let v = environment["LOG_LEVEL"], LoggingConfiguration.level(v) == nil {
            throw CommandFailure("invalid LOG_LEVEL '\(v)': trace, debug, info, notice, warning, error or critical")
        }
        if let v = environment["LOG_FORMAT"], v != "json", v != "text" {
            throw CommandFailure("invalid LOG_FORMAT '\(v)': text or json")
        }
        let level = (environment["LOG_LEVEL"] ?? config.logging.level).flatMap(LoggingConfiguration.level) ?? .info
        let json = (environment["LOG_FORMAT"] ?? config.logging.format) == "json"
        bootstrapLogging(level: level, json: json, traced: config.tracing.enabled)
        let tracing = try GatewayTracing.bootstrap(config.tracing, logger: Logger(label: "switchyard.tracing"))
        let allocator = String(cString: switchyard_allocator())
        Logger(label: "switchyard").info("starting", metadata: ["allocator": "\(allocator.isEmpty ? "the C library's malloc" : allocator)"])
        for key in options.unknownKeys() {
            Logger(label: "switchyard").warning("unknown configuration key ignored", metadata: ["key": "\(key)", "file": "\(options.config)"])
        }
        for warning in config.warnings() { Logger(label: "switchyard").warning("\(warning)") }
        let server = try await GatewayServer.fromConfiguration(config, reloadFrom: options.config)
        try await server.run(services: [tracing].compactMap { $0 }) { port in
            announce("switchyard listening on \(server.scheme)://\(config.listenAddress!.host):\(port)/graphql", json: json)
            // Start-up's code is done: its pages stop counting against the process (what serving
            // runs faults back in). SWITCHYARD_KEEP_STARTUP_PAGES=1 keeps them (for a debugger).
            if environment["SWITCHYARD_KEEP_STARTUP_PAGES"] != "1" { _ = switchyard_release_startup_pages() }
        }
    }
}

/// The line that says where the server listens, on standard error whatever the log level: as
/// the log's lines are (one JSON object with `logging.format: json`).
func announce(_ text: String, json: Bool) {
    guard json else { return FileHandle.standardError.write(Data((text + "\n").utf8)) }
    let line = JSON.object(["time": .string(ISO8601DateFormatter().string(from: Date())), "level": .string("notice"),
                            "label": .string("switchyard"), "message": .string(text)])
    FileHandle.standardError.write(Data(line.bytes + [UInt8(ascii: "\n")]))
}

/// swift-log to standard error, as text or JSON lines; with tracing on, each line carries the
/// current `trace_id` and `span_id`.
func bootstrapLogging(level: Logger.Level, json: Bool, traced: Bool) {
    // Text lines carry local time: without TZ, glibc checks /etc/localtime (a stat) on every
    // line; with it set to that file, once. (An access log line per request.)
    if getenv("TZ") == nil { setenv("TZ", ":/etc/localtime", 0) }
    let provider = traced ? GatewayTracing.loggingMetadata : nil
    LoggingSystem.bootstrap({ label, provider in
        LineLogHandler(label: label, format: json ? .json : .text, level: level, metadataProvider: provider)
    }, metadataProvider: provider)
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate the configuration and the composition.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        for key in options.unknownKeys() {
            FileHandle.standardError.write(Data("warning: \(options.config): unknown key '\(key)' is ignored\n".utf8))
        }
        for warning in config.warnings() {
            FileHandle.standardError.write(Data("warning: \(options.config): \(warning)\n".utf8))
        }
        // What `serve` would refuse too: the token keys' and TLS files, the subgraphs' URLs.
        do {
            try await Authenticator.check(config)
            try TLSFiles.check(config)
        } catch { throw CommandFailure("\(error)") }
        let supergraph = try SchemaLoader.supergraph(try await composed(config), config)
        try SchemaLoader.check(supergraph, config)
        for warning in SchemaLoader.warnings(supergraph, config) {
            FileHandle.standardError.write(Data("warning: \(options.config): \(warning)\n".utf8))
        }
        print("configuration ok: \(supergraph.graphs.count) subgraph(s) (\(supergraph.graphs.map(\.name).joined(separator: ", "))), "
              + "\(supergraph.apiSchema.types.count) types in the API schema, listening on \(config.listen)")
    }
}

/// The supergraph SDL of a configuration, or composition errors as a validation failure (exit code 1).
func composed(_ config: GatewayConfiguration) async throws -> String {
    do {
        return try await SchemaLoader.supergraphSDL(config, modules: try SubgraphModules.all(configDirectory: config.baseDirectory))
    } catch let e as CompositionErrors {
        FileHandle.standardError.write(Data("composition failed:\n\(e.description)\n".utf8))
        throw ExitCode(1)
    }
}

struct Compose: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the supergraph SDL (Apollo join-spec format).")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        let sdl = try await composed(config)
        // A `supergraph:` file is printed only when it is one (as `check` and `serve` read it).
        _ = try SchemaLoader.supergraph(sdl, config)
        print(sdl, terminator: "")
    }
}

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the query plan of an operation.")
    @OptionGroup var options: ConfigOption
    @Option(help: "File with the GraphQL operation.") var query: String
    @Option(help: "Operation name, when the file has several.") var operation: String?

    func run() async throws {
        let config = try options.load()
        let supergraph = try SchemaLoader.supergraph(try await composed(config), config)
        let text: String
        do { text = try String(contentsOfFile: query, encoding: .utf8) } catch { throw CommandFailure("cannot read \(query)") }
        let source = Source(text)
        let document = try Parser.parse(source)
        let errors = Validator.validate(schema: supergraph.apiSchema, document: document, source: source)
        guard errors.isEmpty else {
            for e in errors { FileHandle.standardError.write(Data("\(e.message) \(e.locations.map(\.description).joined(separator: ", "))\n".utf8)) }
            throw ExitCode(1)
        }
        print(try QueryPlanner(supergraph: supergraph).plan(document, operationName: operation).text, terminator: "")
    }
}

struct SubgraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "subgraph", abstract: "Serve one in-package subgraph alone over HTTP.")
    @OptionGroup var options: ConfigOption
    @ArgumentParser.Argument(help: "Module name (tenants, agents, events, projections, dataproducts, bench_accounts, ...).") var name: String
    @Option(help: "host:port to listen on.") var listen: String = "127.0.0.1:4101"

    func run() async throws {
        // A file that is there (or named) is read as `serve` reads it: its errors stop the
        // command; only without one do the defaults serve (a module that needs no database).
        var config: GatewayConfiguration
        if options.config != "gateway.yaml" || FileManager.default.fileExists(atPath: options.config) {
            config = try options.load()
        } else {
            // (The environment's PostgreSQL and Redis all the same: SWITCHYARD_POSTGRES_URL, …)
            config = GatewayConfiguration()
            config.applyEnvironment(ProcessInfo.processInfo.environment)
        }
        config.listen = listen
        // Requests are the gateway's to count: each client request reaches a subgraph as several
        // fetches, which would take the tenant's quota several times in the shared Redis window.
        config.rateLimits.enabled = false
        guard let module = try SubgraphModules.all(configDirectory: config.baseDirectory)[name] else {
            throw CommandFailure(SubgraphModules.missingSchema(name, configDirectory: config.baseDirectory) ?? "unknown subgraph module '\(name)'")
        }
        let clients = GatewayServer.clients(config)
        if let postgres = clients.postgres {
            do { try await GatewayServer.checkDatabaseRole(postgres) } catch { throw CommandFailure("\(error)") }
        }
        let service = try module.service(ModuleDependencies(postgres: clients.postgres, redis: clients.redis))
        let server = try await GatewayServer(configuration: config, executor: service)
        let host = config.listenAddress?.host ?? "127.0.0.1", name = self.name
        let tracing = try GatewayTracing.bootstrap(config.tracing, logger: Logger(label: "switchyard.tracing"))
        try await server.run(services: [tracing].compactMap { $0 }) { port in
            FileHandle.standardError.write(Data("subgraph \(name) listening on \(server.scheme)://\(host):\(port)/graphql\n".utf8))
        }
    }
}

struct DB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "The in-package subgraphs' PostgreSQL schema and demo data.",
        subcommands: [Migrate.self, Seed.self])

    static func ownerPool(_ config: GatewayConfiguration) throws -> PostgresPool {
        guard let pg = config.postgres, let url = pg.ownerURL ?? (pg.url.isEmpty ? nil : pg.url) else {
            throw CommandFailure("postgres.owner_url (or SWITCHYARD_POSTGRES_OWNER_URL) is not configured")
        }
        return PostgresPool(configuration: .init(url: url, minConnections: 0, maxConnections: 2))
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply Schema/postgres migrations in order, then each subgraph module's own (subgraphs/NAME/migrations).")
        @OptionGroup var options: ConfigOption
        @Option(help: "Folder of NNNN_name.sql files (default: Schema/postgres, found as the modules' schemas are: SWITCHYARD_SCHEMA_DIR, beside the configuration file, or under the working directory).")
        var migrations: String?

        func run() async throws {
            let config = try options.load()
            let folder = migrations ?? SubgraphModules.migrationsDirectory(configDirectory: config.baseDirectory)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandFailure("no migrations folder at \(folder): run from the repository, set SWITCHYARD_SCHEMA_DIR to its Schema folder, or pass --migrations FOLDER")
            }
            let pool = try DB.ownerPool(config)
            defer { pool.close() }
            let migrator = Migrator(pool: pool, directory: URL(fileURLWithPath: folder),
                                    applicationRole: config.postgres?.applicationRole ?? "switchyard_app")
            var applied = try await migrator.migrate()
            for (module, folder) in SubgraphModules.migrationFolders(configDirectory: config.baseDirectory) {
                applied += try await Migrator(pool: pool, directory: URL(fileURLWithPath: folder),
                                              applicationRole: config.postgres?.applicationRole ?? "switchyard_app",
                                              versionPrefix: module + "/").migrate()
            }
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
            let s: DemoData.Summary
            do { s = try await DemoData(pool: pool).seed() } catch let e as PostgresError where e.sqlState == "42P01" {
                // (Said as "the statement failed", with no word of why.)
                throw CommandFailure("the database has no platform tables (\(e.serverMessage ?? "undefined table")): run `switchyard db migrate` first")
            }
            if s.tenants == 0 { print("seed: already seeded") }
            else { print("seed: \(s.tenants) tenants, \(s.agents) agents, \(s.tasks) tasks, \(s.events) events, \(s.dataProducts) data products") }
        }
    }
}

/// Why a command cannot go on (a configuration, a file, a database): printed as `Error: …` without
/// the usage text ArgumentParser adds to a `ValidationError` — the arguments were fine.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
