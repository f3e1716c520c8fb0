import AsyncHTTPClient
import Federation
import Foundation
import NIOSSL
import GraphQLCore
import NIOCore

/// Builds the supergraph and the transports a configuration describes.
public enum SchemaLoader {
    public struct Loaded: Sendable {
        public let supergraph: Supergraph
        public let transports: [String: any SubgraphTransport]
    }

    /// The supergraph SDL: the configured file, or a composition of the configured subgraphs.
    public static func supergraphSDL(_ config: GatewayConfiguration, modules: [String: SubgraphModule]) async throws -> String {
        if let path = config.supergraph {
            do { return try String(contentsOfFile: config.resolvePath(path), encoding: .utf8) } catch {
                throw ConfigurationError("cannot read supergraph file \(path)")
            }
        }
        guard !config.subgraphs.isEmpty else { throw ConfigurationError("configure a supergraph file or at least one subgraph") }
        var schemas: [SubgraphSchema] = []
        for s in config.subgraphs {
            let sdl: String
            if let module = s.module {
                guard let m = modules[module] else {
                    if let why = SubgraphModules.missingSchema(module, configDirectory: config.baseDirectory) { throw ConfigurationError("subgraph '\(s.name)': \(why)") }
                    // (Built-in modules whose schema was not found are modules all the same.)
                    let unfound = discoveredSubgraphs.map { $0.name }.filter { modules[$0] == nil }.sorted()
                    throw ConfigurationError("unknown module '\(module)' for subgraph '\(s.name)'; known: \((modules.keys.sorted() + unfound).joined(separator: ", "))"
                        + (unfound.isEmpty ? "" : " (\(unfound.joined(separator: ", ")): built in, but their schemas were not found; set SWITCHYARD_SCHEMA_DIR to the repository's Schema/ folder)"))
                }
                sdl = m.sdl
            } else if let file = s.schema {
                do { sdl = try String(contentsOfFile: config.resolvePath(file), encoding: .utf8) } catch {
                    throw ConfigurationError("cannot read schema file \(file) of subgraph '\(s.name)'")
                }
            } else {
                // Fetching a schema at start is not a request: it gets at least 30 s, whatever the request timeout.
                // With the headers every request to it carries (`headers.insert`: a service token).
                sdl = try await fetchSDL(name: s.name, url: s.url!, timeoutMs: max(s.timeoutMs ?? 30_000, 30_000),
                                         headers: config.headers.headers(for: s.name, from: [], tenant: nil),
                                         tls: try TLSFiles.subgraph(s, config))
            }
            schemas.append(try SubgraphSchema(name: s.name, url: s.url ?? "in-process:\(s.module!)", sdl: sdl))
        }
        return try Composer.compose(schemas)
    }

    /// `{ _service { sdl } }` from a running subgraph.
    static func fetchSDL(name: String, url: String, timeoutMs: Int, headers: [(String, String)] = [],
                         tls: TLSConfiguration? = nil) async throws -> String {
        let transport = HTTPTransport(name: name, url: url, timeoutMs: timeoutMs, tls: tls)
        let response = try await transport.fetch(SubgraphRequest(query: "{ _service { sdl } }", variables: [:], headers: headers))
        guard let sdl = response.data?.rootJSON["_service"]?["sdl"]?.stringValue else {
            // What it said instead (a 401 for a missing token, say).
            let said = response.errors.first?["message"]?.stringValue.map { ": \($0)" } ?? ""
            throw ConfigurationError("subgraph '\(name)' at \(url) did not answer { _service { sdl } }\(said)")
        }
        return sdl
    }

    /// The supergraph of `sdl` as `config` has it served; a syntax error says where, in which
    /// file (a supergraph is hundreds of lines).
    public static func supergraph(_ sdl: String, _ config: GatewayConfiguration) throws -> Supergraph {
        do {
            return try Supergraph(sdl: sdl, introspection: config.introspection, deferSupport: config.deferSupport)
        } catch let e as GraphQLError {
            let at = e.locations.first.map { ":\($0.line):\($0.column)" } ?? ""
            throw ConfigurationError("\(config.supergraph.map { "supergraph file \($0)" } ?? "composed supergraph")\(at): \(e.message)")
        }
    }

    public static func load(_ config: GatewayConfiguration, modules: [String: SubgraphModule], dependencies: ModuleDependencies) async throws -> Loaded {
        let sdl = try await supergraphSDL(config, modules: modules)
        let supergraph = try Self.supergraph(sdl, config)
        var transports: [String: any SubgraphTransport] = [:]
        let tls = try TLSFiles.subgraphs(config)
        for graph in supergraph.graphs {
            let configured = config.subgraphs.first { $0.name == graph.name }
            if let module = configured?.module {
                guard let m = modules[module] else { throw ConfigurationError("unknown module '\(module)'") }
                transports[graph.name] = try m.transport(dependencies)
            } else {
                let url = try remoteURL(graph.name, graph.url, config)
                transports[graph.name] = HTTPTransport(name: graph.name, url: url, timeoutMs: configured?.timeoutMs ?? 10_000,
                                                        pingIntervalMs: config.subscriptions.keepAliveMs, tls: tls[graph.name])
            }
        }
        return Loaded(supergraph: supergraph, transports: transports)
    }

    /// The URL a remote subgraph is reached at (gateway.yaml's, else the supergraph's); a
    /// configuration error when it is not an http(s) URL (Apollo's test supergraphs say `none`).
    public static func remoteURL(_ name: String, _ supergraphURL: String, _ config: GatewayConfiguration) throws -> String {
        let url = config.subgraphs.first { $0.name == name }?.url ?? supergraphURL
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ConfigurationError("subgraph '\(name)' has no usable URL ('\(url)'); configure it in gateway.yaml")
        }
        return url
    }

    /// What a configuration with a `supergraph:` file says that the file does not match: a
    /// `subgraphs` entry naming no graph of it is used for nothing (an entry that names one sets
    /// that graph's URL, module or timeout).
    public static func warnings(_ supergraph: Supergraph, _ config: GatewayConfiguration) -> [String] {
        guard config.supergraph != nil else { return [] }
        let names = Set(supergraph.graphs.map(\.name))
        return config.subgraphs.map(\.name).filter { !names.contains($0) }.map {
            "subgraphs: '\($0)' names no subgraph of the supergraph file (\(supergraph.graphs.map(\.name).joined(separator: ", "))); the entry is used for nothing"
        }
    }

    /// What `load` would refuse in a configuration beside its composition: remote subgraphs
    /// without a usable URL.
    public static func check(_ supergraph: Supergraph, _ config: GatewayConfiguration) throws {
        for graph in supergraph.graphs where config.subgraphs.first(where: { $0.name == graph.name })?.module == nil {
            _ = try remoteURL(graph.name, graph.url, config)
        }
    }
}
