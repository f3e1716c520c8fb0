import Foundation

/// Where Redis is and how to reach it:
/// `redis[s]://[[user]:password@]host[:port][/db][?sslmode=…&sslrootcert=…&sslcert=…&sslkey=…]`.
///
/// `rediss://` connects over TLS. Its options take libpq's names, so that both URLs of a
/// configuration read alike: `sslmode` is `verify-full` (the default: the certificate chains to a
/// trusted root and names the host), `verify-ca` (chains to a trusted root) or `require`
/// (encrypted, not verified); `sslrootcert` is the PEM file of trusted roots (default: the
/// system's); `sslcert`/`sslkey` a client certificate and key for servers that ask for one.
/// A user and password are sent with `AUTH user password` (Redis 6 ACLs); a password alone with
/// `AUTH password`. Both are percent-decoded.
public struct RedisAddress: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var database: Int
    /// TLS settings; nil for a plain `redis://` connection.
    public var tls: TLS?

    public struct TLS: Sendable, Equatable {
        public enum Verification: String, Sendable {
            case full = "verify-full", ca = "verify-ca", none = "require"
        }
        public var verification: Verification = .full
        public var rootCertificateFile: String?
        public var certificateFile: String?
        public var keyFile: String?
        public init(verification: Verification = .full, rootCertificateFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
            self.verification = verification
            self.rootCertificateFile = rootCertificateFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public init(host: String = "127.0.0.1", port: Int = 6379, user: String? = nil, password: String? = nil, database: Int = 0, tls: TLS? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    public init(url: String) throws {
        let secure: Bool
        var rest: Substring
        if url.hasPrefix("redis://") { secure = false; rest = url.dropFirst("redis://".count) }
        else if url.hasPrefix("rediss://") { secure = true; rest = url.dropFirst("rediss://".count) }
        else { throw RedisError(.invalidURL, "a Redis URL starts with redis:// (or rediss:// for TLS)") }

        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") { query = rest[rest.index(after: q)...]; rest = rest[..<q] }
        var user: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let auth = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = auth.firstIndex(of: ":") {
                let u = try Self.decode(auth[..<colon])
                user = u.isEmpty ? nil : u
                password = try Self.decode(auth[auth.index(after: colon)...])
            } else if !auth.isEmpty {
                password = try Self.decode(auth) // `redis://secret@host`: a password, as redis-cli reads it
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty {
                guard let n = Int(db), n >= 0 else { throw RedisError(.invalidURL, "the database in a Redis URL is a number") }
                database = n
            }
            rest = rest[..<slash]
        }
        var host = String(rest), port = 6379
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") { // [::1]:6379
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw RedisError(.invalidURL, "the port in a Redis URL is a number") }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else { throw RedisError(.invalidURL, "the port in a Redis URL is a number") }
            port = p
        }
        if host.isEmpty { host = "127.0.0.1" }

        var tls: TLS? = secure ? TLS() : nil
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]), value = try Self.decode(parts.count > 1 ? parts[1] : "")
            guard secure else { throw RedisError(.invalidURL, "'\(key)' needs a rediss:// URL (TLS)") }
            switch key {
            case "sslmode":
                guard let v = TLS.Verification(rawValue: value) else {
                    throw RedisError(.invalidURL, "sslmode in a Redis URL is verify-full, verify-ca or require, not '\(value)'")
                }
                tls?.verification = v
            case "sslrootcert": tls?.rootCertificateFile = value
            case "sslcert": tls?.certificateFile = value
            case "sslkey": tls?.keyFile = value
            default: throw RedisError(.invalidURL, "unknown Redis URL option '\(key)' (sslmode, sslrootcert, sslcert, sslkey)")
            }
        }
        if let t = tls, (t.certificateFile == nil) != (t.keyFile == nil) {
            throw RedisError(.invalidURL, "sslcert and sslkey go together in a Redis URL")
        }
        self.init(host: host, port: port, user: user, password: password, database: database, tls: tls)
    }

    private static func decode(_ s: Substring) throws -> String {
        guard let d = String(s).removingPercentEncoding else { throw RedisError(.invalidURL, "a Redis URL has a malformed %-escape") }
        return d
    }
}
