import AsyncHTTPClient
import Foundation
import GraphQLCore
import JWTKit
import Logging
import NIOCore
import Synchronization

/// `auth:` in gateway.yaml.
///
/// ```yaml
/// auth:
///   required: false                       # refuse requests without a valid token (401)
///   jwt:
///     hs256_secret_file: secrets/hs256.key
///     public_keys: [keys/rs256.pem, keys/es256.pem]
///     jwks_file: keys/jwks.json
///     jwks_url: https://issuer.example/.well-known/jwks.json   # fetched at start, then refreshed
///     jwks_refresh_seconds: 300           # on this schedule,
///     jwks_min_refetch_seconds: 10        # and on a token's unknown kid, at most this often
///     issuer: "https://issuer.example"
///     audience: switchyard
///     tenant_claim: tenant                # the tenant slug
///     scopes_claim: scope                 # a space-separated string or an array
///     policies_claim: policies            # the @policy names the token satisfies (string or array)
///     require_exp: true                   # tokens without `exp` are refused
///     leeway_seconds: 30                  # clock skew allowed on `exp` and `nbf`
/// ```
///
/// Every key is kept under its own `kid` (a PEM file's name without its extension, `hs256` for
/// the secret, a JWKS key's own `kid`): a token naming a `kid` is checked with that key, one
/// without is tried with each.
public struct AuthConfiguration: Codable, Sendable, Equatable {
    public struct JWT: Codable, Sendable, Equatable {
        public var hs256SecretFile: String?
        public var publicKeys: [String] = []
        public var jwksFile: String?
        /// A remote JWKS (HTTPS in production), refreshed every `jwksRefreshSeconds` and when a
        /// token names a `kid` no key has (at most once per `jwksMinRefetchSeconds`).
        public var jwksURL: String?
        public var jwksRefreshSeconds: Int = 300
        public var jwksMinRefetchSeconds: Int = 10
        public var issuer: String?
        public var audience: String?
        public var tenantClaim: String = "tenant"
        public var scopesClaim: String = "scope"
        /// The claim listing the `@policy` policies a token satisfies (a space-separated string
        /// or an array); a field under `@policy` is denied to a token without the claim.
        public var policiesClaim: String = "policies"
        /// Refuse tokens without an `exp` claim (default on).
        public var requireExp: Bool = true
        /// Clock skew allowed when checking `exp` and `nbf`, in seconds.
        public var leewaySeconds: Int = 30

        public init() {}
        enum CodingKeys: String, CodingKey {
            case hs256SecretFile = "hs256_secret_file", publicKeys = "public_keys", jwksFile = "jwks_file", issuer, audience
            case jwksURL = "jwks_url", jwksRefreshSeconds = "jwks_refresh_seconds", jwksMinRefetchSeconds = "jwks_min_refetch_seconds"
            case tenantClaim = "tenant_claim", scopesClaim = "scopes_claim", policiesClaim = "policies_claim", requireExp = "require_exp", leewaySeconds = "leeway_seconds"
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            hs256SecretFile = try c.decodeIfPresent(String.self, forKey: .hs256SecretFile)
            publicKeys = try c.decodeIfPresent([String].self, forKey: .publicKeys) ?? []
            jwksFile = try c.decodeIfPresent(String.self, forKey: .jwksFile)
            jwksURL = try c.decodeIfPresent(String.self, forKey: .jwksURL)
            jwksRefreshSeconds = try c.decodeIfPresent(Int.self, forKey: .jwksRefreshSeconds) ?? 300
            jwksMinRefetchSeconds = try c.decodeIfPresent(Int.self, forKey: .jwksMinRefetchSeconds) ?? 10
            issuer = try c.decodeIfPresent(String.self, forKey: .issuer)
            audience = try c.decodeIfPresent(String.self, forKey: .audience)
            tenantClaim = try c.decodeIfPresent(String.self, forKey: .tenantClaim) ?? "tenant"
            scopesClaim = try c.decodeIfPresent(String.self, forKey: .scopesClaim) ?? "scope"
            policiesClaim = try c.decodeIfPresent(String.self, forKey: .policiesClaim) ?? "policies"
            requireExp = try c.decodeIfPresent(Bool.self, forKey: .requireExp) ?? true
            leewaySeconds = try c.decodeIfPresent(Int.self, forKey: .leewaySeconds) ?? 30
        }
    }
    public var required: Bool = false
    public var jwt: JWT?
    public init() {}

    /// Settings under which no token could ever be accepted are refused (probe 56C: `required`
    /// without keys answered every request 401, a token or not, without a word at start).
    func validate() throws {
        if required && jwt == nil {
            throw ConfigurationError("auth.required needs auth.jwt with the keys tokens are verified with (hs256_secret_file, public_keys, jwks_file or jwks_url): without them no request could be let in")
        }
        guard let jwt else { return }
        if jwt.hs256SecretFile == nil && jwt.publicKeys.isEmpty && jwt.jwksFile == nil && jwt.jwksURL == nil {
            throw ConfigurationError("auth.jwt needs at least one of hs256_secret_file, public_keys, jwks_file or jwks_url: without a key no token can be verified")
        }
        for (key, value) in [("jwks_refresh_seconds", jwt.jwksRefreshSeconds), ("jwks_min_refetch_seconds", jwt.jwksMinRefetchSeconds)] where value < 1 {
            throw ConfigurationError("auth.jwt.\(key) must be 1 or more, got \(value)")
        }
        guard jwt.leewaySeconds >= 0 else { throw ConfigurationError("auth.jwt.leeway_seconds must be 0 or more, got \(jwt.leewaySeconds)") }
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
        jwt = try c.decodeIfPresent(JWT.self, forKey: .jwt)
    }
    enum CodingKeys: String, CodingKey { case required, jwt }
}

/// The claims the gateway reads; signature, `exp` and `nbf` are checked by jwt-kit and here.
struct GatewayClaims: JWTPayload {
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    var other: [String: ClaimValue]

    enum ClaimValue: Codable, Sendable {
        case string(String)
        case strings([String])
        case other
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([String].self) { self = .strings(a) }
            else { self = .other }
        }
        func encode(to encoder: Encoder) throws {}
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        exp = try c.decodeIfPresent(ExpirationClaim.self, forKey: Key(stringValue: "exp"))
        nbf = try c.decodeIfPresent(NotBeforeClaim.self, forKey: Key(stringValue: "nbf"))
        iss = try c.decodeIfPresent(IssuerClaim.self, forKey: Key(stringValue: "iss"))
        aud = try c.decodeIfPresent(AudienceClaim.self, forKey: Key(stringValue: "aud"))
        var other: [String: ClaimValue] = [:]
        for k in c.allKeys where !["exp", "nbf", "iss", "aud"].contains(k.stringValue) {
            other[k.stringValue] = try? c.decode(ClaimValue.self, forKey: k)
        }
        self.other = other
    }

    func encode(to encoder: Encoder) throws {}

    /// `exp` and `nbf` are checked by the authenticator, with its leeway.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Verifies bearer tokens and yields the request's tenant and scopes.
public final class Authenticator: Sendable {
    /// An HS256 secret's bytes. A secret shorter than the hash (RFC 7518 asks for 32 bytes, but
    /// other gateways take shorter ones) is padded with zero bytes to 32: HMAC pads every key
    /// shorter than its block with zeros, so the signatures are the same.
    static func hmacSecret(_ text: String) -> [UInt8] {
        var bytes = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        if bytes.count < 32 { bytes += [UInt8](repeating: 0, count: 32 - bytes.count) }
        return bytes
    }

    /// The keys in use, one collection per algorithm: the configured ones and the remote JWKS's,
    /// swapped whole on a refresh (a key the JWKS no longer has stops verifying). A JWK that names
    /// no `alg` is in the collection of each algorithm its type allows, pinned to it there: a
    /// verifier made for one algorithm is never used for another (jwt-kit keeps the first signer
    /// it makes for such a key, so one token naming another algorithm would otherwise lock every
    /// later one of that key out).
    private let current: Mutex<(keys: [String: JWTKeyCollection], kids: Set<String>)>
    func keys(for alg: String) -> JWTKeyCollection? { current.withLock { $0.keys[alg] } }
    /// The algorithms each key may be used with, by `kid` (the configured keys' and the JWKS's):
    /// a token's header must name one of its key's (RFC 8725 §3.1), and a `kid` no key has is
    /// refused.
    private let algorithms: Mutex<[String: Set<String>]>
    /// The configured keys' algorithms (kept through every JWKS refresh).
    private let configuredAlgorithms: [String: Set<String>]

    /// The algorithms a JWK may be used with: its `alg` when it says, else its type's (an EC
    /// key's curve names one).
    /// A key meant for encryption (`use` other than `sig`), or whose `key_ops` leave out
    /// `verify`, verifies nothing (RFC 7517 §4.2, §4.3).
    static func algorithms(ofKey key: JSON) -> [String] {
        if let use = key["use"]?.stringValue, use != "sig" { return [] }
        if let ops = key["key_ops"]?.arrayValue, !ops.contains(where: { $0.stringValue == "verify" }) { return [] }
        if let alg = key["alg"]?.stringValue { return [alg] }
        switch key["kty"]?.stringValue {
        case "RSA": return ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
        case "EC":
            switch key["crv"]?.stringValue {
            case "P-256": return ["ES256"]
            case "P-384": return ["ES384"]
            case "P-521": return ["ES512"]
            default: return []
            }
        // A symmetric key (`oct`) is no key a JWKS gives here (the HS256 secret is
        // `hs256_secret_file`): a remote JWKS's is passed over, a `jwks_file`'s refused at start.
        case "oct": return []
        case "OKP": return ["EdDSA"]
        default: return []
        }
    }

    /// The algorithms of a JWKS's keys, by `kid`.
    static func algorithms(jwks text: String) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for key in (try? JSONReader.parse(text))?["keys"]?.arrayValue ?? [] {
            // A key without a `kid` (tried for tokens without one) is kept under "".
            let algs = algorithms(ofKey: key)
            if !algs.isEmpty { out[key["kid"]?.stringValue ?? "", default: []].formUnion(algs) }
        }
        return out
    }

    /// The JWKS's keys usable with `alg`, each naming it (nil when none is).
    static func jwks(_ text: String, pinnedTo alg: String) -> String? {
        var kept: [JSON] = []
        for key in (try? JSONReader.parse(text))?["keys"]?.arrayValue ?? [] where algorithms(ofKey: key).contains(alg) {
            guard case .object(var members) = key else { continue }
            members["alg"] = .string(alg)
            kept.append(.object(members))
        }
        return kept.isEmpty ? nil : JSON.object(["keys": .array(kept)]).text
    }

    /// A collection per algorithm of the configured keys and the JWKS documents' keys.
    static func collections(_ algorithms: [String: Set<String>], jwks documents: [String],
                            configured: @Sendable (JWTKeyCollection, String) async throws -> Void) async throws -> [String: JWTKeyCollection] {
        var out: [String: JWTKeyCollection] = [:]
        for alg in algorithms.values.reduce(into: Set<String>(), { $0.formUnion($1) }) {
            let keys = JWTKeyCollection()
            try await configured(keys, alg)
            for document in documents {
                if let pinned = jwks(document, pinnedTo: alg) { try await keys.add(jwksJSON: pinned) }
            }
            out[alg] = keys
        }
        return out
    }
    let settings: AuthConfiguration.JWT
    /// The configured keys of an algorithm, read once: added to every collection built.
    private let configured: @Sendable (JWTKeyCollection, String) async throws -> Void
    /// The configured JWKS file's text.
    private let jwksFile: String?
    private struct Remote {
        var fetchedAt: ContinuousClock.Instant?
        var refresher: Task<Void, Never>?
        /// A fetch of `jwks_url` has succeeded since the start.
        var loaded = false
    }

    /// Whether the keys tokens are checked with are loaded: with `jwks_url`, once it was read
    /// (until then every token signed with a remote key is refused: `/ready` says not ready).
    var keysLoaded: Bool { settings.jwksURL == nil || remote.withLock { $0.loaded } }
    private let remote = Mutex(Remote())

    init(_ settings: AuthConfiguration.JWT, baseDirectory: String) async throws {
        self.settings = settings
        func read(_ path: String) throws -> String {
            let full = path.hasPrefix("/") ? path : baseDirectory + "/" + path
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else { throw ConfigurationError("auth.jwt: cannot read \(path)") }
            return text
        }
        let secret = try settings.hs256SecretFile.map { Self.hmacSecret(try read($0)) }
        var publicKeys: [(JWKIdentifier, String)] = []
        for path in settings.publicKeys {
            let pem = try read(path)
            guard (try? Insecure.RSA.PublicKey(pem: pem)) != nil || (try? ES256PublicKey(pem: pem)) != nil else {
                throw ConfigurationError("auth.jwt: \(path) is neither an RSA nor a P-256 public key in PEM")
            }
            // Each key under its own kid (the file's name), so that several keys work at once.
            publicKeys.append((JWKIdentifier(string: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent), pem))
        }
        let jwksFile = try settings.jwksFile.map(read)
        if let path = settings.jwksFile, let text = jwksFile {
            for key in (try? JSONReader.parse(text))?["keys"]?.arrayValue ?? [] where key["kty"]?.stringValue == "oct" {
                throw ConfigurationError("auth.jwt: \(path) has a symmetric (\"oct\") key\(key["kid"]?.stringValue.map { " \"\($0)\"" } ?? ""): a JWKS file holds public keys; give an HS256 secret as hs256_secret_file")
            }
        }
        let keysToAdd = publicKeys
        var configuredAlgorithms: [String: Set<String>] = jwksFile.map(Self.algorithms(jwks:)) ?? [:]
        // Each key under a `kid` of its own: two keys named alike (a PEM file `rs.pem` and a JWKS
        // key `"kid": "rs"`) would verify as one of them, the other silently unused.
        var named = Set(configuredAlgorithms.keys)
        for kid in (secret != nil ? ["hs256"] : []) + publicKeys.map(\.0.string) where !named.insert(kid).inserted {
            throw ConfigurationError("auth.jwt: two keys have the kid \"\(kid)\" (a PEM file's name, `hs256` for the secret, a JWKS key's kid): rename one")
        }
        if secret != nil { configuredAlgorithms["hs256"] = ["HS256"] }
        for (kid, pem) in publicKeys { configuredAlgorithms[kid.string] = (try? Insecure.RSA.PublicKey(pem: pem)) != nil ? ["RS256"] : ["ES256"] }
        self.configuredAlgorithms = configuredAlgorithms
        algorithms = Mutex(configuredAlgorithms)
        let configured: @Sendable (JWTKeyCollection, String) async throws -> Void = { keys, alg in
            if let secret, alg == "HS256" { await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: "hs256")) }
            for (kid, pem) in keysToAdd {
                if let rsa = try? Insecure.RSA.PublicKey(pem: pem) {
                    if alg == "RS256" { await keys.add(rsa: rsa, digestAlgorithm: .sha256, kid: kid) }
                } else if let ec = try? ES256PublicKey(pem: pem) {
                    if alg == "ES256" { await keys.add(ecdsa: ec, kid: kid) }
                }
            }
        }
        self.configured = configured
        self.jwksFile = jwksFile
        let collections: [String: JWTKeyCollection]
        do {
            collections = try await Self.collections(configuredAlgorithms, jwks: jwksFile.map { [$0] } ?? [], configured: configured)
        } catch {
            // A key the JWT library cannot read: say which file (its own error names none).
            throw ConfigurationError("auth.jwt: \(settings.jwksFile.map { "\($0): " } ?? "")a key cannot be read: \(error)")
        }
        current = Mutex((collections, []))
        if settings.jwksURL != nil {
            await refreshRemoteKeys()
            startRefreshing()
        }
    }

    deinit { remote.withLock { $0.refresher?.cancel() } }

    /// What `serve` would refuse in `auth.jwt` — key files that cannot be read or hold no key —
    /// without fetching `jwks_url` (for `switchyard check`).
    public static func check(_ configuration: GatewayConfiguration) async throws {
        guard var jwt = configuration.auth.jwt else { return }
        jwt.jwksURL = nil
        _ = try await Authenticator(jwt, baseDirectory: configuration.baseDirectory)
    }

    /// Fetches the remote JWKS and swaps in a collection of the configured keys and its keys.
    /// A failure keeps the keys in use (and is logged); it is retried on the schedule.
    func refreshRemoteKeys() async {
        guard let url = settings.jwksURL else { return }
        remote.withLock { $0.fetchedAt = .now }
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "accept", value: "application/json")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            guard response.status == .ok else { throw ConfigurationError("status \(response.status.code)") }
            let body = try await response.body.collect(upTo: 1 << 20)
            var text = String(buffer: body)
            // A body that is not a JWKS (an object with a `keys` array: RFC 7517 §5) keeps the keys
            // in use, as an error status does — not read as a set of no keys, which refused every
            // token (probe 54C: `{"keys":5}` from a broken provider).
            guard case .object(let set)? = try? JSONReader.parse(text), let entries = set["keys"]?.arrayValue,
                  entries.allSatisfy({ $0.objectValue != nil }) else {
                throw ConfigurationError("the body is not a JSON Web Key Set (an object with a \"keys\" array of objects)")
            }
            // A remote key under a configured key's kid (a PEM file's name, `hs256`, a `jwks_file`
            // key's) would take that key's place — the collection keeps one key per kid, the
            // last added —: left out, and said (at start, two configured keys alike are refused).
            if case .object(var jwks)? = try? JSONReader.parse(text), let list = jwks["keys"]?.arrayValue {
                func clashes(_ key: JSON) -> Bool { key["kid"]?.stringValue.map { configuredAlgorithms[$0] != nil } ?? false }
                let clashing = list.filter(clashes).compactMap { $0["kid"]?.stringValue }
                if !clashing.isEmpty {
                    Logger(label: "switchyard.auth").warning("the remote JWKS has keys under the kids of configured keys; they are not used",
                                                             metadata: ["url": "\(url)", "kids": "\(clashing.joined(separator: ", "))"])
                    jwks["keys"] = .array(list.filter { !clashes($0) })
                    text = JSON.object(jwks).text
                }
            }
            let kids = Set((try? JSONReader.parse(text))?["keys"]?.arrayValue?.compactMap { $0["kid"]?.stringValue } ?? [])
            let merged = configuredAlgorithms.merging(Self.algorithms(jwks: text)) { a, _ in a }
            let keys = try await Self.collections(merged, jwks: (jwksFile.map { [$0] } ?? []) + [text], configured: configured)
            algorithms.withLock { $0 = merged }
            current.withLock { $0 = (keys, kids) }
            remote.withLock { $0.loaded = true }
        } catch {
            Logger(label: "switchyard.auth").warning("the remote JWKS could not be read; the keys in use stay", metadata: ["url": "\(url)", "error": "\(error)"])
        }
    }

    private func startRefreshing() {
        let seconds = max(1, settings.jwksRefreshSeconds)
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                // Until a first read succeeds (the gateway is not ready meanwhile), every 5 s at most.
                let loaded = self?.keysLoaded ?? true
                try? await Task.sleep(for: .seconds(loaded ? seconds : min(seconds, 5)))
                guard let self, !Task.isCancelled else { return }
                await self.refreshRemoteKeys()
            }
        }
        remote.withLock { $0.refresher = task }
    }

    /// A token names a key no one has: the JWKS may have rotated. Refetch unless that was done
    /// within `jwksMinRefetchSeconds` (an attacker's made-up kids cannot make us fetch in a loop).
    private func refetchForUnknownKey() async -> Bool {
        guard settings.jwksURL != nil else { return false }
        let due = remote.withLock { r -> Bool in
            if let at = r.fetchedAt, at.duration(to: .now) < .seconds(settings.jwksMinRefetchSeconds) { return false }
            r.fetchedAt = .now
            return true
        }
        guard due else { return false }
        await refreshRemoteKeys()
        return true
    }

    struct Identity: Sendable {
        let tenant: String?
        let scopes: [String]
        let policies: [String]
        /// When the token stops being valid (its `exp` with the leeway), if it says.
        var expires: Date? = nil
    }

    /// The identity of a verified token; throws a GraphQL error (UNAUTHENTICATED) otherwise.
    func identity(_ token: String) async throws -> Identity {
        // JWS compact serialization: three parts of base64url without padding (RFC 7515 §2, §7.1)
        // — a padded or otherwise re-encoded signature is another token than the one signed.
        let isBase64URL = token.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
        }
        guard isBase64URL, token.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2 else {
            throw GraphQLError("Invalid token: not three parts of unpadded base64url.", code: "UNAUTHENTICATED")
        }
        // A header or claims set naming a member twice is refused (RFC 7519 §4, RFC 7515 §5.2):
        // the signature library reads the first of two `exp` or `tenant`, other readers of the
        // forwarded token the last (probe 54C).
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        for part in parts.prefix(2) {
            guard let bytes = Self.base64URLDecoded(part) else {
                throw GraphQLError("Invalid token: a part is not base64url.", code: "UNAUTHENTICATED")
            }
            do {
                guard case .object = try JSONReader.parseRefusingDuplicateNames(bytes, maxDepth: 64) else {
                    throw GraphQLError("Invalid token: its header and claims are JSON objects.", code: "UNAUTHENTICATED")
                }
            } catch let e as GraphQLError {
                throw e
            } catch {
                throw GraphQLError("Invalid token: its header or claims are not a JSON object naming each member once (\(error)).", code: "UNAUTHENTICATED")
            }
        }
        let claims: GatewayClaims
        // A token naming a `kid` is checked with that key only; one without is tried against every key.
        let header = Self.header(of: token)
        let kid = header?["kid"]?.stringValue
        // The header first (RFC 7515 §4.1.11, RFC 8725 §3.1): no critical extension we do not
        // implement (we implement none), an algorithm its key is for, a `kid` some key has.
        if header?["crit"] != nil { throw GraphQLError("Invalid token: it names critical header parameters this gateway does not implement.", code: "UNAUTHENTICATED") }
        guard let alg = header?["alg"]?.stringValue else { throw GraphQLError("Invalid token: its header names no algorithm.", code: "UNAUTHENTICATED") }
        if let kid, algorithms.withLock({ $0[kid] }) == nil, settings.jwksURL != nil { _ = await refetchForUnknownKey() }
        let allowed = algorithms.withLock { a in kid.map { a[$0] ?? [] } ?? a.values.reduce(into: Set<String>()) { $0.formUnion($1) } }
        guard !allowed.isEmpty else { throw GraphQLError("Invalid token: no key has its kid.", code: "UNAUTHENTICATED") }
        guard allowed.contains(alg) else { throw GraphQLError("Invalid token: its algorithm is not its key's.", code: "UNAUTHENTICATED") }
        do {
            do {
                guard let keys = keys(for: alg) else { throw GraphQLError("Invalid token: its algorithm is not its key's.", code: "UNAUTHENTICATED") }
                claims = try await keys.verify(token, as: GatewayClaims.self, iteratingKeys: kid == nil)
            } catch {
                // A kid the remote JWKS did not have (or none, and no key verified it): the
                // provider may have rotated its keys since they were read. Whatever the error
                // (a key of another kind tried on the way may fail with its own), the refetch
                // is decided by the kid alone.
                guard settings.jwksURL != nil, !current.withLock({ keys in kid.map { keys.kids.contains($0) } ?? false }),
                      await refetchForUnknownKey(), let keys = keys(for: alg) else { throw error }
                claims = try await keys.verify(token, as: GatewayClaims.self, iteratingKeys: kid == nil)
            }
        } catch let e as GraphQLError {
            throw e
        } catch let e as JWTError {
            throw GraphQLError("Invalid token: \(Self.reason(e)).", code: "UNAUTHENTICATED")
        } catch {
            throw GraphQLError("Invalid token.", code: "UNAUTHENTICATED")
        }
        let now = Date(), leeway = TimeInterval(settings.leewaySeconds)
        if let exp = claims.exp {
            if exp.value < now.addingTimeInterval(-leeway) { throw GraphQLError("Invalid token: expired.", code: "UNAUTHENTICATED") }
        } else if settings.requireExp {
            throw GraphQLError("Invalid token: no expiry.", code: "UNAUTHENTICATED")
        }
        if let nbf = claims.nbf, nbf.value > now.addingTimeInterval(leeway) {
            throw GraphQLError("Invalid token: not valid yet.", code: "UNAUTHENTICATED")
        }
        if let issuer = settings.issuer, claims.iss?.value != issuer {
            throw GraphQLError("Invalid token: wrong issuer.", code: "UNAUTHENTICATED")
        }
        if let audience = settings.audience {
            do { try claims.aud?.verifyIntendedAudience(includes: audience) } catch {
                throw GraphQLError("Invalid token: wrong audience.", code: "UNAUTHENTICATED")
            }
            if claims.aud == nil { throw GraphQLError("Invalid token: no audience.", code: "UNAUTHENTICATED") }
        }
        var tenant: String?
        if case .string(let t)? = claims.other[settings.tenantClaim] { tenant = t }
        // No tenant's slug holds a NUL (PostgreSQL text cannot): such a claim names none, and
        // reached the database as an error of its own (probe 54C).
        if tenant?.utf8.contains(0) == true {
            throw GraphQLError("Invalid token: its tenant claim holds a NUL character.", code: "UNAUTHENTICATED")
        }
        func names(_ claim: String) -> [String] {
            switch claims.other[claim] {
            case .string(let s)?: return s.split(separator: " ").map(String.init)
            case .strings(let a)?: return a
            default: return []
            }
        }
        return Identity(tenant: tenant, scopes: names(settings.scopesClaim), policies: names(settings.policiesClaim),
                        expires: claims.exp.map { $0.value.addingTimeInterval(leeway) })
    }

    /// A part of a JWS in base64url without padding, decoded.
    static func base64URLDecoded(_ part: Substring) -> [UInt8]? {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { Array($0) }
    }

    /// A token's header, if it is a JSON object.
    static func header(of token: String) -> JSON? {
        guard let header = token.split(separator: ".", maxSplits: 1).first, let bytes = base64URLDecoded(header),
              let json = try? JSONReader.parse(bytes), json.objectValue != nil else { return nil }
        return json
    }

    static func reason(_ e: JWTError) -> String {
        let text = "\(e)".lowercased()
        if text.contains("expir") { return "expired" }
        if text.contains("notbefore") || text.contains("not before") || text.contains("nbf") { return "not valid yet" }
        if text.contains("signature") { return "bad signature" }
        return "not verifiable"
    }
}
