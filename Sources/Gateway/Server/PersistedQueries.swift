import Crypto
import Foundation
import GraphQLCore
import Logging
import OrderedCollections
import Redis
import Synchronization

/// Automatic persisted queries (the `persistedQuery` extension with a sha256Hash) and trusted
/// documents (a manifest of allowed operations). Registered queries live in Redis when it is
/// configured (shared by every replica), else in a bounded in-memory store.
final class PersistedQueries: Sendable {
    let redis: RedisClient?
    let configuration: PersistedQueryConfiguration
    /// Hash → query text from the trusted documents manifest.
    let trusted: [String: String]
    /// Without Redis: 10,000 queries at most, 16 MiB of their text.
    private let memory = BoundedCache<String>(maxEntries: 10_000, maxBytes: 16 << 20)

    /// Without a trusted-documents manifest (nothing to read, so nothing can fail).
    init(configuration: PersistedQueryConfiguration, redis: RedisClient?) {
        self.configuration = configuration
        self.redis = redis
        self.trusted = [:]
    }

    init(configuration: PersistedQueryConfiguration, redis: RedisClient?, baseDirectory: String) throws {
        self.configuration = configuration
        self.redis = redis
        var trusted: [String: String] = [:]
        if let path = configuration.trustedDocuments {
            let full = path.hasPrefix("/") ? path : baseDirectory + "/" + path
            guard let data = FileManager.default.contents(atPath: full) else {
                throw ConfigurationError("persisted_queries.trusted_documents: cannot read \(path)")
            }
            guard case .object(let o)? = try? JSONReader.parse(Array(data)) else {
                throw ConfigurationError("persisted_queries.trusted_documents: \(path) is not a JSON object of hash → document")
            }
            for (hash, doc) in o {
                guard let text = doc.stringValue else { continue }
                guard Self.sha256(text) == hash.lowercased() else {
                    throw ConfigurationError("persisted_queries.trusted_documents: the document under \(hash) does not hash to it")
                }
                trusted[hash.lowercased()] = text
            }
        }
        self.trusted = trusted
    }

    static func sha256(_ text: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for b in SHA256.hash(data: Array(text.utf8)) {
            hex.append(digits[Int(b >> 4)])
            hex.append(digits[Int(b & 15)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    struct Failure: Error {
        let status: Int
        let error: GraphQLError
    }

    /// The query to run for a request: its own text, or the one its hash names.
    func resolve(_ request: GraphQLRequest) async throws(Failure) -> GraphQLRequest {
        var request = request
        // `"persistedQuery": null` is no persisted query.
        if request.extensions["persistedQuery"] == .null { request.extensions.removeValue(forKey: "persistedQuery") }
        // Apollo's protocol has one version, 1.
        if let persisted = request.extensions["persistedQuery"], persisted["version"]?.intValue != 1 {
            throw Failure(status: 400, error: GraphQLError("Unsupported persisted query version: only version 1 is.", code: "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"))
        }
        let hash = request.extensions["persistedQuery"]?["sha256Hash"]?.stringValue?.lowercased()
        if let query = request.query {
            // The text's hash matters only against a hash sent with it or a manifest.
            guard hash != nil || !trusted.isEmpty || configuration.onlyTrusted else { return request }
            let actual = Self.sha256(query)
            if let hash, hash != actual {
                throw Failure(status: 400, error: GraphQLError("provided sha does not match query", code: "PERSISTED_QUERY_HASH_MISMATCH"))
            }
            if configuration.onlyTrusted, trusted[actual] == nil {
                throw Failure(status: 403, error: GraphQLError("Only trusted documents are accepted; this one is not in the manifest.",
                                                               code: "PERSISTED_QUERY_NOT_IN_LIST"))
            }
            if hash != nil, configuration.automatic, trusted[actual] == nil { request.registers = actual }
            request.persisted = trusted[actual] != nil
            return request
        }
        guard let hash else { return request } // no query: the pipeline reports it
        if let known = trusted[hash] {
            request.query = known
            request.persisted = true
            return request
        }
        if configuration.onlyTrusted {
            throw Failure(status: 403, error: GraphQLError("Only trusted documents are accepted; this hash is not in the manifest.",
                                                           code: "PERSISTED_QUERY_NOT_IN_LIST"))
        }
        guard configuration.automatic else {
            throw Failure(status: 400, error: GraphQLError("PersistedQueryNotSupported", code: "PERSISTED_QUERY_NOT_SUPPORTED"))
        }
        guard let known = await load(hash) else {
            // Clients send the full query next (HTTP 200, as Apollo's protocol expects).
            throw Failure(status: 200, error: GraphQLError("PersistedQueryNotFound", code: "PERSISTED_QUERY_NOT_FOUND"))
        }
        request.query = known
        return request
    }

    private func key(_ hash: String) -> String { "apq:" + hash }
    static let storeWait: Duration = .milliseconds(250)
    /// While Redis is down every registration fails: one warning at most every 10 s.
    static let storeFailures = LogThrottle()
    static let logger = Logger(label: "switchyard.apq")
    /// The largest document registered (64 KiB); a larger one is run, not stored.
    static let maxStoredBytes = 64 << 10

    /// Stores a query the pipeline accepted (`GraphQLRequest.registers`). The answer waits for
    /// Redis at most `storeWait` (so that the client's next request, by hash alone, finds it),
    /// never for a Redis that hangs: the write goes on without it.
    func store(_ hash: String, _ query: String) async {
        // A document padded to a megabyte (comments and whitespace pass every limit) is answered
        // but not kept: what one request may put in Redis for a day stays small.
        guard query.utf8.count <= Self.maxStoredBytes else { return }
        if let redis {
            let key = key(hash), ttl = configuration.ttlSeconds
            let (stored, done) = AsyncStream<Void>.makeStream()
            Task {
                do {
                    _ = try await redis.set(key, value: query, expiration: .seconds(ttl))
                } catch {
                    Self.storeFailures.log(Self.logger, .warning, "a persisted query could not be stored; its hash misses until it is registered again",
                                           kind: "store", metadata: ["error": "\(error)"])
                }
                done.finish()
            }
            Task {
                try? await Task.sleep(for: Self.storeWait)
                done.finish()
            }
            for await _ in stored {}
        } else {
            memory.put(hash, query, bytes: query.utf8.count)
        }
    }

    private func load(_ hash: String) async -> String? {
        if let redis { return try? await redis.getString(key(hash)) }
        return memory.get(hash)
    }
}

public struct PersistedQueryConfiguration: Codable, Sendable, Equatable {
    /// Accept the automatic persisted queries protocol.
    public var automatic: Bool = true
    /// How long registered queries are kept (Redis), in seconds.
    public var ttlSeconds: Int = 86_400
    /// A JSON file `{ "<sha256>": "<document>" }` of trusted operations.
    public var trustedDocuments: String?
    /// Reject every document that is not in the trusted manifest.
    public var onlyTrusted: Bool = false

    public init() {}
    enum CodingKeys: String, CodingKey {
        case automatic, ttlSeconds = "ttl_seconds", trustedDocuments = "trusted_documents", onlyTrusted = "only_trusted"
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        automatic = try c.decodeIfPresent(Bool.self, forKey: .automatic) ?? true
        ttlSeconds = try c.decodeIfPresent(Int.self, forKey: .ttlSeconds) ?? 86_400
        trustedDocuments = try c.decodeIfPresent(String.self, forKey: .trustedDocuments)
        onlyTrusted = try c.decodeIfPresent(Bool.self, forKey: .onlyTrusted) ?? false
    }
}
