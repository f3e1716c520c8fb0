import NIOSSL

/// The TLS settings of the configuration read from their PEM files: the listener's (`tls`) and
/// each remote subgraph's (`subgraphs[].tls`). Read when the configuration is loaded (at start,
/// at each reload and by `check`): a file that is missing or not PEM stops it there, naming the key.
public enum TLSFiles {
    static func chain(_ path: String, key: String) throws -> [NIOSSLCertificate] {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(path) } catch {
            throw ConfigurationError("\(key): \(path) is not a PEM certificate file (\(error))")
        }
        guard !chain.isEmpty else { throw ConfigurationError("\(key): \(path) holds no certificate") }
        return chain
    }

    static func privateKey(_ path: String, key: String) throws -> NIOSSLPrivateKey {
        do { return try NIOSSLPrivateKey(file: path, format: .pem) } catch {
            throw ConfigurationError("\(key): \(path) is not a PEM private key (\(error))")
        }
    }

    /// The listener's TLS: the certificate chain and key, TLS 1.2 or later.
    static func server(_ settings: ServerTLSConfiguration, _ configuration: GatewayConfiguration) throws -> TLSConfiguration {
        let chain = try chain(configuration.resolvePath(settings.certificateFile), key: "tls.certificate_file")
        let key = try privateKey(configuration.resolvePath(settings.keyFile), key: "tls.key_file")
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        return tls
    }

    /// A remote subgraph's client TLS: the system's defaults (its roots, the host name checked),
    /// with `ca_file`'s authorities instead of the roots and `certificate_file`/`key_file` as the
    /// client certificate; nil when the subgraph has no `tls`.
    static func subgraph(_ subgraph: SubgraphConfiguration, _ configuration: GatewayConfiguration) throws -> TLSConfiguration? {
        guard let settings = subgraph.tls else { return nil }
        let at = "subgraphs[\(subgraph.name)].tls"
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = settings.caFile {
            tls.trustRoots = .certificates(try chain(configuration.resolvePath(ca), key: at + ".ca_file"))
        }
        if let certificate = settings.certificateFile, let key = settings.keyFile {
            tls.certificateChain = try chain(configuration.resolvePath(certificate), key: at + ".certificate_file").map { .certificate($0) }
            tls.privateKey = .privateKey(try privateKey(configuration.resolvePath(key), key: at + ".key_file"))
        }
        return tls
    }

    /// What `serve` would refuse of the configuration's TLS files (for `check`).
    public static func check(_ configuration: GatewayConfiguration) throws {
        if let settings = configuration.tls { _ = try server(settings, configuration) }
        _ = try subgraphs(configuration)
    }

    /// Every subgraph's TLS that the configuration names, by subgraph.
    static func subgraphs(_ configuration: GatewayConfiguration) throws -> [String: TLSConfiguration] {
        var all: [String: TLSConfiguration] = [:]
        for s in configuration.subgraphs { all[s.name] = try subgraph(s, configuration) }
        return all
    }
}
