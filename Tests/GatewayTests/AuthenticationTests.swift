import Foundation
import Gateway
import GraphQLCore
import AsyncHTTPClient
import Crypto
import JWTKit
import NIOCore
import Testing
import TestSupport

struct TestClaims: JWTPayload {
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    var tenant: String?
    var scope: String?
    var policies: [String]?
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

struct NoExpiryClaims: JWTPayload {
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    var tenant: String?
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

@Suite("Authentication")
struct AuthenticationTests {
    let secret = "a-test-secret-of-enough-length-0123456789"

    func config(_ dir: URL, required: Bool = false, publicKey: String? = nil) throws -> GatewayConfiguration {
        try secret.write(to: dir.appendingPathComponent("hs256.key"), atomically: true, encoding: .utf8)
        var c = GatewayConfiguration()
        c.baseDirectory = dir.path
        c.tenancy.developmentHeader = true
        var jwt = AuthConfiguration.JWT()
        jwt.hs256SecretFile = "hs256.key"
        jwt.issuer = "https://issuer.test"
        jwt.audience = "switchyard"
        if let publicKey {
            try publicKey.write(to: dir.appendingPathComponent("es256.pem"), atomically: true, encoding: .utf8)
            jwt.publicKeys = ["es256.pem"]
        }
        c.auth.jwt = jwt
        c.auth.required = required
        return c
    }

    /// A configuration whose only keys are this JWKS, written as `jwks.json` in `dir`.
    func jwksFileConfig(_ dir: URL, _ jwks: String) throws -> GatewayConfiguration {
        try jwks.write(to: dir.appendingPathComponent("jwks.json"), atomically: true, encoding: .utf8)
        var c = GatewayConfiguration()
        c.baseDirectory = dir.path
        var jwt = AuthConfiguration.JWT()
        jwt.jwksFile = "jwks.json"
        c.auth.jwt = jwt
        return c
    }

    func token(_ keys: JWTKeyCollection, expiresIn: TimeInterval = 300, iss: String = "https://issuer.test", aud: String = "switchyard",
               tenant: String? = "acme", scope: String = "read write") async throws -> String {
        try await keys.sign(TestClaims(exp: .init(value: Date().addingTimeInterval(expiresIn)), nbf: nil, iss: .init(value: iss),
                                       aud: .init(value: [aud]), tenant: tenant, scope: scope))
    }

    func withDir<T: Sendable>(_ body: (URL) async throws -> T) async throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try await body(dir)
    }

    /// GraphQL over SSE, single connection mode, with authentication required: the reservation is
    /// made with the client's token; the stream is opened with the reservation's token alone, as a
    /// browser's `EventSource` does (it sends no Authorization header).
    @Test(.timeLimit(.minutes(1))) func aReservedStreamOpensWithItsTokenAlone() async throws {
        try await withDir { dir in
            let signing = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            try await withGateway(try config(dir, required: true), executor: try echoExecutor()) { client in
                let anonymous = try await client.send(.PUT, "/graphql/stream")
                #expect(anonymous.status == 401)
                let reserved = try await client.send(.PUT, "/graphql/stream", headers: [("authorization", "Bearer \(try await token(signing))")])
                #expect(reserved.status == 201)
                let streamToken = reserved.text
                var request = HTTPClientRequest(url: client.base + "/graphql/stream?token=" + streamToken)
                request.headers.add(name: "accept", value: "text/event-stream")
                let opened = try await client.http.execute(request, timeout: .seconds(20))
                #expect(opened.status.code == 200)
                #expect(opened.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
                var unknown = HTTPClientRequest(url: client.base + "/graphql/stream?token=not-a-reservation")
                unknown.headers.add(name: "accept", value: "text/event-stream")
                #expect(try await client.http.execute(unknown, timeout: .seconds(20)).status.code == 404)
            }
        }
    }

    /// With a token required, `/metrics` on the public listener takes one too, with the scope
    /// `metrics.scope` (`metrics:read`): its series name tenants, their operations and event
    /// types, and every tenant's users hold valid tokens (probe 54C: any tenant read the others'
    /// event types). `scope: null` takes any valid token. Without `auth.required` it stays open.
    @Test func metricsOnThePublicListenerTakeATokenWhenOneIsRequired() async throws {
        try await withDir { dir in
            let signing = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            try await withGateway(try config(dir, required: true), executor: try echoExecutor()) { client in
                let anonymous = try await client.send(.GET, "/metrics")
                #expect(anonymous.status == 401 && anonymous.headers.first(name: "www-authenticate") == "Bearer")
                #expect(!anonymous.text.contains("switchyard_"))
                #expect(try await client.send(.GET, "/metrics", headers: [("authorization", "Bearer not-a-token")]).status == 401)
                let tenantUser = try await client.send(.GET, "/metrics", headers: [("authorization", "Bearer \(try await token(signing))")])
                #expect(tenantUser.status == 403 && !tenantUser.text.contains("switchyard_"), "\(tenantUser.text.prefix(300))")
                #expect(tenantUser.headers.first(name: "www-authenticate") == #"Bearer error="insufficient_scope", scope="metrics:read""#)
                let scoped = try await client.send(.GET, "/metrics", headers: [("authorization", "Bearer \(try await token(signing, scope: "read metrics:read"))")])
                #expect(scoped.status == 200 && scoped.text.contains("switchyard_"), "\(scoped.text.prefix(300))")
            }
            var anyToken = try config(dir, required: true)
            anyToken.metrics.scope = nil
            try await withGateway(anyToken, executor: try echoExecutor()) { client in
                let signed = try await client.send(.GET, "/metrics", headers: [("authorization", "Bearer \(try await token(signing))")])
                #expect(signed.status == 200 && signed.text.contains("switchyard_"), "\(signed.text.prefix(300))")
            }
            try await withGateway(try config(dir, required: false), executor: try echoExecutor()) { client in
                let open = try await client.send(.GET, "/metrics")
                #expect(open.status == 200)
            }
        }
    }

    /// A WebSocket admitted with a token starts no operation once that token has expired (closed
    /// with 4403: the client reconnects with a fresh one); with a valid token it runs.
    @Test(.timeLimit(.minutes(1))) func aWebSocketsExpiredTokenStartsNothingMore() async throws {
        try await withDir { dir in
            let signing = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            var c = try config(dir, required: true)
            c.auth.jwt?.leewaySeconds = 0
            try await withGateway(c, executor: try echoExecutor()) { client in
                let url = client.base.replacingOccurrences(of: "http://", with: "ws://") + "/graphql"
                let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/websocket-clients/ws_query.py").path
                func run(_ token: String, wait: String) async throws -> String {
                    let ws = try ChildProcess("/usr/bin/env", ["python3", script, url, "{ tenant }", #"{"authorization":"Bearer \#(token)"}"#, wait])
                    defer { ws.stop() }
                    return try await ws.firstLine { $0 == "done" || $0.hasPrefix("error") || $0.hasPrefix("closed") ? $0 : nil }
                }
                let fresh = try await run(try await token(signing), wait: "0")
                #expect(fresh == "done")
                // Valid when the connection is made, expired (no leeway) when the operation comes.
                let expired = try await run(try await token(signing, expiresIn: 1), wait: "2")
                #expect(expired == "closed: 4403")
            }
        }
    }

    /// A subscription started with a token ends when the token expires, with a last payload
    /// whose error is UNAUTHENTICATED: over SSE an `event: next` then `complete`, over a WebSocket
    /// an `error` message (probe 54C: events went on for as long as the client held the
    /// connection, past a revoked key or a tenant let go).
    @Test(.timeLimit(.minutes(1))) func aSubscriptionEndsWhenItsTokenExpires() async throws {
        try await withDir { dir in
            let signing = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            var c = try config(dir, required: true)
            c.auth.jwt?.leewaySeconds = 0
            let graph = try TickGraph()
            try await withGateway(c, executor: graph.executor) { client in
                let short = try await token(signing, expiresIn: 8)
                let url = client.base.replacingOccurrences(of: "http://", with: "ws://") + "/graphql"
                let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/websocket-clients/ws_query.py").path
                let ws = try ChildProcess("/usr/bin/env", ["python3", script, url, "subscription { forever { n } }", #"{"authorization":"Bearer \#(short)"}"#])
                defer { ws.stop() }
                var request = HTTPClientRequest(url: client.base + "/graphql")
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.headers.add(name: "accept", value: "text/event-stream")
                request.headers.add(name: "authorization", value: "Bearer \(short)")
                request.body = .bytes(ByteBuffer(string: #"{"query":"subscription { forever { n } }"}"#))
                let sse = try await client.http.execute(request, timeout: .seconds(50))
                #expect(sse.status.code == 200)
                var reader = StreamReader(chunks: sse.body.makeAsyncIterator())
                var events: [String] = []
                while let event = try await reader.next(upTo: "\n\n") { if !event.hasPrefix(":") { events.append(event) } }
                #expect(events.count == 2 && events[0].hasPrefix("event: next\ndata: {\"errors\":[") && events[0].contains("UNAUTHENTICATED")
                        && events[0].contains("has expired") && events[1].hasPrefix("event: complete"), "\(events)")
                let ended = try await ws.firstLine { $0.hasPrefix("error") || $0.hasPrefix("closed") || $0 == "done" ? $0 : nil }
                #expect(ended.hasPrefix("error: [") && ended.contains("UNAUTHENTICATED") && ended.contains("has expired"), "\(ended)")
                // A token that expires in 300 million years (a signed `exp` of 1e16 s): its
                // subscription runs (converting that to milliseconds trapped, review of session 54).
                let far = try await signing.sign(TestClaims(exp: .init(value: Date(timeIntervalSince1970: 1e16)), nbf: nil, iss: .init(value: "https://issuer.test"),
                                                           aud: .init(value: ["switchyard"]), tenant: "acme", scope: "read"))
                request.headers.replaceOrAdd(name: "authorization", value: "Bearer \(far)")
                request.body = .bytes(ByteBuffer(string: #"{"query":"subscription { ticks(count: 1) { n } }"}"#))
                let ticking = try await client.http.execute(request, timeout: .seconds(50))
                #expect(ticking.status.code == 200)
                graph.release.yield()
                var ticks = StreamReader(chunks: ticking.body.makeAsyncIterator())
                var first: String?
                while let event = try await ticks.next(upTo: "\n\n") { if event.hasPrefix("event: next") { first = event; break } }
                #expect(first == #"event: next\#ndata: {"data":{"ticks":{"n":1}}}"#, "\(first ?? "none")")
            }
        }
    }

    @Test func verifiedTokensSetTheTenantAndBadOnesAreRefused() async throws {
        try await withDir { dir in
            let signing = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            let forged = await JWTKeyCollection().add(hmac: HMACKey(from: "another-secret-of-enough-length-9876543210"), digestAlgorithm: .sha256)
            try await withGateway(try config(dir), executor: try echoExecutor()) { client in
                let ok = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await token(signing))"), ("x-tenant", "globex")])
                #expect(ok.text == #"{"data":{"tenant":"acme"}}"#, "the token's tenant wins over the development header")
                for (bad, reason) in [(try await token(signing, expiresIn: -60), "expired"), (try await token(forged), "signature"),
                                      (try await token(signing, iss: "https://evil.test"), "issuer"),
                                      (try await token(signing, aud: "someone-else"), "audience"), ("not.a.jwt", "garbage")] {
                    let r = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(bad)")])
                    #expect(r.status == 401, "\(reason)")
                    #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "UNAUTHENTICATED", "\(reason)")
                    #expect(r.headers.first(name: "www-authenticate") == "Bearer")
                }
                // A header that starts as a bearer token and is not one (RFC 6750 §2.1) is refused, not
                // taken as no credentials; another scheme is not a token.
                let good = try await token(signing)
                for malformed in ["Bearer", "Bearer ", "Bearer\(good)", "Bearer a b", "bearer  \(good)"] {
                    let r = try await client.query("{ tenant }", headers: [("authorization", malformed)])
                    #expect(r.status == 401 && r.json?["errors"]?[0]?["extensions"]?["code"] == "UNAUTHENTICATED", "\(malformed.prefix(12)): \(r.text)")
                }
                let basic = try await client.query("{ tenant }", headers: [("authorization", "Basic dXNlcjpwYXNz")])
                #expect(basic.text == #"{"data":{"tenant":null}}"#)
                let expired = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await token(signing, expiresIn: -60))")])
                #expect(expired.json?["errors"]?[0]?["message"] == "Invalid token: expired.")
                // With auth configured the development header never names the tenant: not without a
                // token, and not when the token has no tenant claim.
                let anonymous = try await client.query("{ tenant }", headers: [("x-tenant", "globex")])
                #expect(anonymous.text == #"{"data":{"tenant":null}}"#)
                let noClaim = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await token(signing, tenant: nil))"),
                                                                           ("x-tenant", "globex")])
                #expect(noClaim.text == #"{"data":{"tenant":null}}"#)
            }
        }
    }

    /// The token's header is checked before its signature (RFC 7515 §4.1.11, RFC 8725 §3.1):
    /// a `crit` extension (none is implemented), no `alg`, an `alg` that is not its key's, and a
    /// `kid` no key has are refused, even with a signature the secret verifies.
    @Test func tokenHeadersAreChecked() async throws {
        try await withDir { dir in
            let claims = #"{"exp":\#(Int(Date().timeIntervalSince1970) + 300),"iss":"https://issuer.test","aud":"switchyard","tenant":"acme"}"#
            func signed(_ header: String) -> String {
                let input = b64(Array(header.utf8)) + "." + b64(Array(claims.utf8))
                let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: Array(secret.utf8)))
                return input + "." + b64(Array(mac))
            }
            try await withGateway(try config(dir), executor: try echoExecutor()) { client in
                let good = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(signed(#"{"alg":"HS256","typ":"JWT"}"#))")])
                #expect(good.text == #"{"data":{"tenant":"acme"}}"#, "\(good.text)")
                let named = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(signed(#"{"alg":"HS256","kid":"hs256"}"#))")])
                #expect(named.text == #"{"data":{"tenant":"acme"}}"#, "\(named.text)")
                for (header, reason) in [(#"{"alg":"HS256","crit":["x-unknown"],"x-unknown":1}"#, "critical header parameters"),
                                         (#"{"typ":"JWT"}"#, "names no algorithm"), (#"{"alg":"hs256"}"#, "algorithm is not its key's"),
                                         (#"{"alg":"RS256"}"#, "algorithm is not its key's"), (#"{"alg":"HS256","kid":"nobody"}"#, "no key has its kid")] {
                    let r = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(signed(header))")])
                    #expect(r.status == 401, "\(header): \(r.text)")
                    #expect(r.json?["errors"]?[0]?["message"]?.stringValue?.contains(reason) == true, "\(header): \(r.text)")
                }
            }
        }
    }

    /// A header or claims set naming a member twice is refused (RFC 7519 §4 lets a parser refuse
    /// it or take the last; the signature library took the first `exp` or `tenant`, any other
    /// reader of the forwarded token the last — probe 54C): signed correctly, still 401.
    @Test func tokensNamingAClaimTwiceAreRefused() async throws {
        try await withDir { dir in
            let now = Int(Date().timeIntervalSince1970)
            func signed(_ header: String, _ claims: String) -> String {
                let input = b64(Array(header.utf8)) + "." + b64(Array(claims.utf8))
                let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: Array(secret.utf8)))
                return input + "." + b64(Array(mac))
            }
            let hs = #"{"alg":"HS256","typ":"JWT"}"#
            let base = #""iss":"https://issuer.test","aud":"switchyard""#
            try await withGateway(try config(dir), executor: try echoExecutor()) { client in
                let once = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(signed(hs, #"{"exp":\#(now + 300),\#(base),"tenant":"acme"}"#))")])
                #expect(once.text == #"{"data":{"tenant":"acme"}}"#, "\(once.text)")
                for (header, claims) in [(hs, #"{"exp":\#(now + 300),\#(base),"exp":\#(now - 3600),"tenant":"acme"}"#),
                                         (hs, #"{"exp":\#(now + 300),\#(base),"tenant":"globex","tenant":"acme"}"#),
                                         (#"{"alg":"HS256","alg":"none"}"#, #"{"exp":\#(now + 300),\#(base),"tenant":"acme"}"#)] {
                    let r = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(signed(header, claims))")])
                    #expect(r.status == 401, "\(claims): \(r.text)")
                    #expect(r.json?["errors"]?[0]?["message"]?.stringValue?.contains("is given twice") == true, "\(r.text)")
                }
                // A tenant claim holding a NUL names no tenant: refused as such, not sent to the database.
                let nul = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(signed(hs, #"{"exp":\#(now + 300),\#(base),"tenant":"acme\u0000"}"#))")])
                #expect(nul.status == 401 && nul.text.contains("NUL"), "\(nul.text)")
            }
        }
    }

    /// A short HS256 secret (13 bytes, as some issuers use) starts the gateway and verifies
    /// tokens signed with it (HMAC pads short keys with zeros, so padding to 32 bytes is exact).
    @Test func aShortHS256SecretVerifiesTokensSignedWithIt() async throws {
        try await withDir { dir in
            var c = try config(dir)
            try "my-secret-key\n".write(to: dir.appendingPathComponent("short.key"), atomically: true, encoding: .utf8)
            c.auth.jwt?.hs256SecretFile = "short.key"
            c.auth.jwt?.issuer = nil
            c.auth.jwt?.audience = nil
            // Signed by hand with swift-crypto's HMAC and the 13-byte key itself.
            let exp = Int(Date().addingTimeInterval(300).timeIntervalSince1970)
            let signingInput = b64(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + b64(Array(#"{"exp":\#(exp),"tenant":"acme"}"#.utf8))
            let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: Array("my-secret-key".utf8)))
            let token = signingInput + "." + b64(Array(mac))
            try await withGateway(c, executor: try echoExecutor()) { client in
                let ok = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(token)")])
                #expect(ok.text == #"{"data":{"tenant":"acme"}}"#)
                // One character of the signature changed where it carries six bits of the MAC (the
                // last one carries padding bits too: changing only those can leave the MAC as it was).
                let signature = token[token.index(after: token.lastIndex(of: ".")!)...]
                let changed = (signature.first == "A" ? "B" : "A") + signature.dropFirst()
                let tampered = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(signingInput).\(changed)")])
                #expect(tampered.status == 401)
            }
        }
    }

    @Test func expiryIsRequiredWithALeewayAndSeveralKeysWorkAtOnce() async throws {
        try await withDir { dir in
            let first = ES256PrivateKey(), second = ES256PrivateKey()
            try first.publicKey.pemRepresentation.write(to: dir.appendingPathComponent("first.pem"), atomically: true, encoding: .utf8)
            try second.publicKey.pemRepresentation.write(to: dir.appendingPathComponent("second.pem"), atomically: true, encoding: .utf8)
            var c = try config(dir)
            c.auth.jwt?.publicKeys = ["first.pem", "second.pem"]
            try await withGateway(c, executor: try echoExecutor()) { client in
                // Each configured key verifies its tokens (before, the last key replaced the others).
                for key in [first, second] {
                    let signing = await JWTKeyCollection().add(ecdsa: key)
                    let r = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await token(signing))")])
                    #expect(r.text == #"{"data":{"tenant":"acme"}}"#)
                }
                // A token naming its key's kid.
                let named = await JWTKeyCollection().add(ecdsa: second, kid: "second")
                let byKid = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await token(named))")])
                #expect(byKid.text == #"{"data":{"tenant":"acme"}}"#)
                // The kid decides the key: first's signature under second's name is refused.
                let wrong = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await signed(first, kid: "second"))")])
                #expect(wrong.status == 401)
                let right = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await signed(second, kid: "second"))")])
                #expect(right.status == 200, "\(right.text)")
                // So does the HS256 secret.
                let hmac = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
                let hs = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await token(hmac))")])
                #expect(hs.text == #"{"data":{"tenant":"acme"}}"#)
                // Expired 10 s ago: within the default 30 s leeway.
                let skewed = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await token(hmac, expiresIn: -10))")])
                #expect(skewed.status == 200)
                // No exp at all: refused by default.
                let forever = try await hmac.sign(NoExpiryClaims(iss: .init(value: "https://issuer.test"), aud: .init(value: ["switchyard"]), tenant: "acme"))
                let r = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(forever)")])
                #expect(r.status == 401)
                #expect(r.json?["errors"]?[0]?["message"] == "Invalid token: no expiry.")
            }
        }
    }

    /// A fresh 2048-bit RSA private key (openssl), as a PEM file in `dir` and as jwt-kit's key.
    func rsaKey(in dir: URL) async throws -> (pemPath: String, key: JWTKit.Insecure.RSA.PrivateKey) {
        let pemPath = dir.appendingPathComponent("rsa.pem").path
        let made = try await runProcess("/usr/bin/env", ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pemPath])
        #expect(made.status == 0)
        return (pemPath, try JWTKit.Insecure.RSA.PrivateKey(pem: try String(contentsOfFile: pemPath, encoding: .utf8)))
    }

    /// base64url without padding (JWS, JWK).
    func b64(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A JWKS key meant for encryption (`use: enc`), or whose `key_ops` leave out `verify`,
    /// verifies no token (RFC 7517 §4.2, §4.3; probe 41A: a token it signed was accepted).
    @Test func aJWKForEncryptionVerifiesNothing() async throws {
        try await withDir { dir in
            let (pemPath, privateKey) = try await rsaKey(in: dir)
            let (n, e) = try privateKey.publicKey.getKeyPrimitives()
            let key = #""kty":"RSA","n":"\#(b64(n))","e":"\#(b64(e))""#
            let c = try jwksFileConfig(dir, #"{"keys":[{\#(key),"use":"enc","kid":"enc"},{\#(key),"key_ops":["encrypt"],"kid":"ops"},{\#(key),"use":"sig","kid":"sig"}]}"#)
            let claims = TestClaims(exp: .init(value: Date().addingTimeInterval(300)), nbf: nil, iss: nil, aud: nil, tenant: "acme", scope: nil)
            // A PEM file named like a JWKS key's kid: refused at start, not one of the two unused.
            let publicPEM = try await runProcess("/usr/bin/env", ["openssl", "pkey", "-in", pemPath, "-pubout", "-out", dir.appendingPathComponent("sig.pem").path])
            #expect(publicPEM.status == 0)
            var clash = c
            clash.auth.jwt?.publicKeys = ["sig.pem"]
            await #expect(throws: ConfigurationError.self) { _ = try await GatewayServer(configuration: clash, executor: try echoExecutor()) }
            // A symmetric key in the JWKS file: refused at start, saying which file and key (the
            // JWT library's own decoding error named neither).
            try #"{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"shared"}]}"#.write(to: dir.appendingPathComponent("oct.json"), atomically: true, encoding: .utf8)
            var oct = c
            oct.auth.jwt?.jwksFile = "oct.json"
            do {
                try await Authenticator.check(oct)
                Issue.record("a JWKS file with an oct key was taken")
            } catch let e as ConfigurationError {
                #expect("\(e)".contains("oct.json") && "\(e)".contains("\"shared\""), "\(e)")
            }
            try await withGateway(c, executor: try echoExecutor()) { client in
                for kid in ["enc", "ops", "sig"] {
                    let signing = await JWTKeyCollection().add(rsa: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
                    let r = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await signing.sign(claims, kid: JWKIdentifier(string: kid)))")])
                    #expect(r.status == (kid == "sig" ? 200 : 401), "\(kid): \(r.text)")
                }
            }
        }
    }

    /// A JWKS key that names no `alg` (RFC 7517 makes it optional; many providers leave it out):
    /// a token naming another of its type's algorithms, signed or not, cannot pin the key to that
    /// algorithm — valid RS256 tokens of the key keep verifying after it (jwt-kit kept the first
    /// verifier it made for such a key, so one anonymous request locked every user out).
    @Test func aJWKWithoutAlgCannotBePinnedToAnotherAlgorithm() async throws {
        try await withDir { dir in
            let (pemPath, privateKey) = try await rsaKey(in: dir)
            let (n, e) = try privateKey.publicKey.getKeyPrimitives()
            let c = try jwksFileConfig(dir, #"{"keys":[{"kty":"RSA","use":"sig","kid":"idp","n":"\#(b64(n))","e":"\#(b64(e))"}]}"#)
            let signing = await JWTKeyCollection().add(rsa: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: "idp"))
            func claimsFor() -> TestClaims {
                TestClaims(exp: .init(value: Date().addingTimeInterval(300)), nbf: nil, iss: .init(value: "https://issuer.test"),
                           aud: .init(value: ["switchyard"]), tenant: "acme", scope: nil)
            }
            let valid = try await signing.sign(claimsFor(), kid: JWKIdentifier(string: "idp"))
            let claims = valid.split(separator: ".")[1]
            try await withGateway(c, executor: try echoExecutor()) { client in
                // Forged headers naming the key with each other RSA algorithm, and a bad signature.
                for alg in ["PS512", "RS384", "PS256"] {
                    let forged = b64(Array(#"{"alg":"\#(alg)","kid":"idp","typ":"JWT"}"#.utf8)) + "." + claims + "." + b64([UInt8](repeating: 7, count: 256))
                    let r = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(forged)")])
                    #expect(r.status == 401, "\(alg): \(r.text)")
                    let ok = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(valid)")])
                    #expect(ok.text == #"{"data":{"tenant":"acme"}}"#, "after a forged \(alg) token: \(ok.text)")
                }
                // A token the key signed with PS256 verifies too (the key allows its type's algorithms).
                let pss = await JWTKeyCollection().add(pss: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: "idp"))
                let r = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await pss.sign(claimsFor(), kid: JWKIdentifier(string: "idp")))")])
                #expect(r.text == #"{"data":{"tenant":"acme"}}"#, "\(r.text)")
                #expect(try await client.query("{ tenant }", headers: [("authorization", "Bearer \(valid)")]).status == 200)
            }
        }
    }

    /// A token whose header names its key (`kid`), as identity providers sign them.
    func signed(_ key: ES256PrivateKey, kid: String) async throws -> String {
        let keys = await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(TestClaims(exp: .init(value: Date().addingTimeInterval(300)), nbf: nil, iss: .init(value: "https://issuer.test"),
                                              aud: .init(value: ["switchyard"]), tenant: "acme", scope: nil), kid: JWKIdentifier(string: kid))
    }

    /// A remote JWKS: read at start, read again when a token names a kid it did not have (the
    /// provider rotated its keys), and a removed key stops verifying; made-up kids cannot make the
    /// gateway fetch more often than `jwks_min_refetch_seconds` (#14).
    @Test(.timeLimit(.minutes(1))) func aRemoteJWKSIsFetchedAndFollowsKeyRotation() async throws {
        try await withDir { dir in
            let jwksFile = dir.appendingPathComponent("jwks.json")
            func publish(_ keys: [(ES256PrivateKey, String)]) throws {
                let entries = keys.map { key, kid in
                    let p = key.publicKey.parameters!
                    return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(p.x)","y":"\#(p.y)"}"#
                }
                try #"{"keys":[\#(entries.joined(separator: ","))]}"#.write(to: jwksFile, atomically: true, encoding: .utf8)
            }
            let first = ES256PrivateKey(), second = ES256PrivateKey()
            try publish([(first, "k1")])
            let server = try ChildProcess("/usr/bin/env", ["python3", TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/jwks/serve_jwks.py").path, jwksFile.path])
            defer { server.stop() }
            let port = try await server.firstLine { Int($0) }
            let provider = GatewayClient(base: "http://127.0.0.1:\(port)")
            func fetches() async throws -> Int { try await provider.send(.GET, "/count").json?["n"]?.intValue ?? -1 }
            var c = remoteJWKSConfig(port: port)
            try await withGateway(c, executor: try echoExecutor()) { client in
                func ask(_ key: ES256PrivateKey, kid: String) async throws -> GatewayResponse {
                    try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await signed(key, kid: kid))")])
                }
                #expect(try await ask(first, kid: "k1").text == #"{"data":{"tenant":"acme"}}"#)
                #expect(try await fetches() == 1)
                // The provider rotates: k2 in, k1 out. A k2 token makes the gateway read the JWKS again.
                try publish([(second, "k2")])
                #expect(try await ask(second, kid: "k2").text == #"{"data":{"tenant":"acme"}}"#)
                #expect(try await fetches() == 2)
                #expect(try await ask(first, kid: "k1").status == 401, "a removed key no longer verifies")
                // After that refusal, the next rotation is still followed: a k3 token reads the JWKS again.
                let third = ES256PrivateKey()
                try publish([(second, "k2"), (third, "k3")])
                #expect(try await ask(third, kid: "k3").text == #"{"data":{"tenant":"acme"}}"#)
                // A token naming a kid is checked with that key only: k2's signature under k3's name is refused.
                #expect(try await ask(second, kid: "k3").status == 401)
                #expect(try await ask(second, kid: "k2").status == 200)
                // A WebSocket admitted with a k3 token: once k3 leaves the JWKS (read again for a
                // k4 token), the connection's token is verified again for its next operation —
                // 4403, as an HTTP request with it gets 401 (probe 54C: it ran on).
                let url = client.base.replacingOccurrences(of: "http://", with: "ws://") + "/graphql"
                let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/websocket-clients/ws_query.py").path
                let go = dir.appendingPathComponent("go").path
                let ws = try ChildProcess("/usr/bin/env", ["python3", script, url, "{ tenant }",
                                                           #"{"authorization":"Bearer \#(try await signed(third, kid: "k3"))"}"#, go])
                defer { ws.stop() }
                #expect(try await ws.firstLine { $0 == "acked" || $0.hasPrefix("error") || $0.hasPrefix("closed") ? $0 : nil } == "acked")
                let fourth = ES256PrivateKey()
                try publish([(second, "k2"), (fourth, "k4")])
                #expect(try await ask(fourth, kid: "k4").status == 200)
                #expect(try await ask(third, kid: "k3").status == 401)
                #expect(FileManager.default.createFile(atPath: go, contents: Data()))
                #expect(try await ws.firstLine { $0.hasPrefix("error") || $0.hasPrefix("closed") || $0 == "done" ? $0 : nil } == "closed: 4403")
            }
            // With the default bound, made-up kids do not make the gateway fetch again and again.
            c.auth.jwt?.jwksMinRefetchSeconds = 3_600
            try await withGateway(c, executor: try echoExecutor()) { client in
                let before = try await fetches()   // the start's fetch
                for i in 0..<5 {
                    let r = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await signed(ES256PrivateKey(), kid: "made-up-\(i)"))")])
                    #expect(r.status == 401)
                }
                #expect(try await fetches() == before)
                let ok = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await signed(second, kid: "k2"))")])
                #expect(ok.text == #"{"data":{"tenant":"acme"}}"#)
            }
        }
    }

    /// Tokens required, checked with the keys of a JWKS served on `port` (read again at once for a kid it lacks).
    func remoteJWKSConfig(port: Int) -> GatewayConfiguration {
        var c = GatewayConfiguration()
        var jwt = AuthConfiguration.JWT()
        jwt.jwksURL = "http://127.0.0.1:\(port)/jwks.json"
        jwt.jwksMinRefetchSeconds = 0
        jwt.issuer = "https://issuer.test"
        jwt.audience = "switchyard"
        c.auth.jwt = jwt
        c.auth.required = true
        return c
    }

    /// A JWKS URL that has not been read yet leaves the gateway not ready (every token of its keys
    /// would be refused); a body that is not a key set (`{"keys":5}`, HTML) keeps the keys in use,
    /// as an error status does — it had replaced them with none (probe 54C).
    @Test(.timeLimit(.minutes(1))) func aJWKSThatIsNotOneKeepsTheKeysInUse() async throws {
        try await withDir { dir in
            let jwksFile = dir.appendingPathComponent("jwks.json")
            let key = ES256PrivateKey()
            let p = key.publicKey.parameters!
            let valid = #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"k1","x":"\#(p.x)","y":"\#(p.y)"}]}"#
            try "<html>down for maintenance</html>".write(to: jwksFile, atomically: true, encoding: .utf8)
            let server = try ChildProcess("/usr/bin/env", ["python3", TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/jwks/serve_jwks.py").path, jwksFile.path])
            defer { server.stop() }
            let port = try await server.firstLine { Int($0) }
            let c = remoteJWKSConfig(port: port)
            try await withGateway(c, executor: try echoExecutor()) { client in
                func ask(kid: String) async throws -> GatewayResponse {
                    try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await signed(key, kid: kid))")])
                }
                let notYet = try await client.send(.GET, "/ready")
                #expect(notYet.status == 503 && notYet.text == #"{"ready":false,"waiting":["jwks"]}"#, "no key read yet: \(notYet.text)")
                try valid.write(to: jwksFile, atomically: true, encoding: .utf8)
                #expect(try await ask(kid: "k1").text == #"{"data":{"tenant":"acme"}}"#)
                #expect(try await client.send(.GET, "/ready").status == 200)
                for broken in [#"{"keys":5}"#, "<html>down for maintenance</html>", "[]"] {
                    try broken.write(to: jwksFile, atomically: true, encoding: .utf8)
                    #expect(try await ask(kid: "made-up").status == 401)   // read again: not a key set
                    #expect(try await ask(kid: "k1").text == #"{"data":{"tenant":"acme"}}"#, "\(broken)")
                }
                // A key set with no keys is one: honoured (every key revoked).
                try #"{"keys":[]}"#.write(to: jwksFile, atomically: true, encoding: .utf8)
                #expect(try await ask(kid: "made-up").status == 401)
                #expect(try await ask(kid: "k1").status == 401)
            }
        }
    }

    /// A remote JWKS key under a configured key's kid does not take its place: the PEM file
    /// `es256.pem` (kid `es256`) verifies its tokens, and a token of the remote key that says it
    /// is `es256` is refused (the remote key was added last and replaced the pinned one).
    @Test(.timeLimit(.minutes(1))) func aRemoteKeyCannotTakeAConfiguredKeysKid() async throws {
        try await withDir { dir in
            let pinned = ES256PrivateKey(), intruder = ES256PrivateKey(), remote = ES256PrivateKey()
            let jwksFile = dir.appendingPathComponent("jwks.json")
            let entries = [(intruder, "es256"), (remote, "r1")].map { key, kid in
                let p = key.publicKey.parameters!
                return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(p.x)","y":"\#(p.y)"}"#
            }
            try #"{"keys":[\#(entries.joined(separator: ","))]}"#.write(to: jwksFile, atomically: true, encoding: .utf8)
            let server = try ChildProcess("/usr/bin/env", ["python3", TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/jwks/serve_jwks.py").path, jwksFile.path])
            defer { server.stop() }
            let port = try await server.firstLine { Int($0) }
            var c = try config(dir, required: true, publicKey: pinned.publicKey.pemRepresentation)
            c.auth.jwt?.jwksURL = "http://127.0.0.1:\(port)/jwks.json"
            try await withGateway(c, executor: try echoExecutor()) { client in
                func ask(_ key: ES256PrivateKey, kid: String) async throws -> Int {
                    try await client.query("{ tenant }", headers: [("authorization", "Bearer \(try await signed(key, kid: kid))")]).status
                }
                let statuses = [try await ask(pinned, kid: "es256"), try await ask(intruder, kid: "es256"), try await ask(remote, kid: "r1")]
                // The pinned key verifies, the intruder under its kid does not, the remote JWKS's other keys do.
                #expect(statuses == [200, 401, 200])
            }
        }
    }

    @Test func es256PublicKeysAndRequiredTokens() async throws {
        try await withDir { dir in
            let key = ES256PrivateKey()
            let signing = await JWTKeyCollection().add(ecdsa: key)
            try await withGateway(try config(dir, required: true, publicKey: key.publicKey.pemRepresentation), executor: try echoExecutor()) { client in
                let valid = try await token(signing, tenant: "initech")
                let ok = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(valid)")])
                #expect(ok.text == #"{"data":{"tenant":"initech"}}"#)
                // Its signature padded (`==`: the 64-byte ES256 signature is 86 base64url
                // characters) is another token than the one signed (RFC 7515 §2): refused.
                let padded = try await client.query("{ tenant }", headers: [("authorization", "Bearer \(valid)==")])
                #expect(padded.status == 401, "\(padded.text)")
                let missing = try await client.query("{ tenant }", headers: [("x-tenant", "acme")])
                #expect(missing.status == 401)
                #expect(missing.json?["errors"]?[0]?["message"] == "A bearer token is required.")
            }
        }
    }
}

@Suite("Field authorization")
struct FieldAuthorizationTests {
    func shop() throws -> Subgraph<RequestContext> {
        let s = try Subgraph<RequestContext>(name: "shop", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes", "@policy"])
            type Query { hello: String account: Account @authenticated items: [Item!]! }
            type Account { name: String limit: Int @policy(policies: [["finance", "reader"], ["owner"]]) }
            type Item @key(fields: "id") { id: ID! price: Int @requiresScopes(scopes: [["read:price"], ["admin"]]) }
            type Mutation { reset: Boolean @authenticated }
            """)
        let account = ObjectResolvers<RequestContext, String>("Account").field("name") { n, _, _, _ in .leaf(.string(n)) }
            .field("limit") { _, _, _, _ in .leaf(.int(500)) }
        let item = ObjectResolvers<RequestContext, Int>("Item")
            .field("id") { i, _, _, _ in .leaf(.string(String(i))) }
            .field("price") { i, _, _, _ in .leaf(.int(i * 10)) }
        s.query
            .field("hello") { _, _, _, _ in .leaf("hi") }
            .field("account") { _, _, _, _ in .object("Ada", account) }
            .field("items") { _, _, _, _ in .list([1, 2].map { .object($0, item) }) }
        s.mutation!.field("reset") { _, _, _, _ in .leaf(true) }
        s.entity("Item") { reps, _ in reps.map { r in r["id"]?.stringValue.flatMap { Int($0) }.map { .object($0, item) } ?? .null } }
        return s
    }

    /// A union member's fragment the request may not see, the whole selection of its field: each
    /// object answers `{}` (probe 41A: the `__typename` the gateway planned in its place was in
    /// the answer), and the fragment's fields are not fetched.
    @Test func aRefusedUnionFragmentLeavesEmptyObjects() async throws {
        let s = try Subgraph<RequestContext>(name: "vault", sdl: """
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@authenticated"])
            type Query { search: [SearchResult!]! }
            union SearchResult = Item | Vault
            type Item { id: ID! }
            type Vault @authenticated { id: ID! }
            """)
        let item = ObjectResolvers<RequestContext, String>("Item").field("id") { i, _, _, _ in .leaf(.string(i)) }
        let vault = ObjectResolvers<RequestContext, String>("Vault").field("id") { i, _, _, _ in .leaf(.string(i)) }
        s.query.field("search") { _, _, _, _ in .list([.object("i1", item), .object("v1", vault)]) }
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "vault", url: "x", sdl: s.sdl)]))
        let executor = FederatedExecutor(supergraph: supergraph, transports: ["vault": InProcessTransport(subgraph: s) { _ in RequestContext() }])
        try await withGateway(GatewayConfiguration(), executor: executor) { client in
            let r = try await client.query("{ search { ... on Vault { id } } }")
            #expect(r.json?["data"]?.text == #"{"search":[{},{}]}"#, "\(r.text)")
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "UNAUTHORIZED_FIELD_OR_TYPE", "\(r.text)")
            let beside = try await client.query("{ search { ... on Item { id } ... on Vault { id } } }")
            #expect(beside.json?["data"]?.text == #"{"search":[{"id":"i1"},{}]}"#, "\(beside.text)")
        }
    }

    /// A subgraph served alone (`switchyard subgraph`) answers what authorization removed as the
    /// gateway does: null in place with its error — a mutation whose only field was removed too
    /// (it answered `{"__typename": "Mutation"}`).
    @Test func aSubgraphServedAloneAnswersRemovedFieldsNull() async throws {
        let s = try shop()
        try await withGateway(GatewayConfiguration(), executor: LocalExecutor(executable: s.executable) { _ in RequestContext() }) { client in
            let anonymous = try await client.query("{ hello account { name } items { id price } }")
            #expect(anonymous.json?["data"]?.text == #"{"hello":"hi","account":null,"items":[{"id":"1","price":null},{"id":"2","price":null}]}"#)
            #expect(anonymous.json?["errors"]?.arrayValue?.map { $0["path"] } == [["account"], ["items", "price"]])
            let mutation = try await client.query("mutation { reset }")
            #expect(mutation.json?["data"]?.text == #"{"reset":null}"#, "\(mutation.text)")
            #expect(mutation.json?["errors"]?[0]?["extensions"]?["code"] == "UNAUTHORIZED_FIELD_OR_TYPE")
            let aliased = try await client.query("mutation { a: reset b: __typename }")
            #expect(aliased.json?["data"]?.text == #"{"a":null,"b":"Mutation"}"#, "\(aliased.text)")
        }
    }

    /// `_entities` answers a representation that carries none of its type's keys (missing, or
    /// null) with an error at its index, not a silent null; the others are resolved.
    @Test func entitiesRefuseARepresentationWithoutItsKey() async throws {
        let s = try shop()
        try await withGateway(GatewayConfiguration(), executor: LocalExecutor(executable: s.executable) { _ in RequestContext() }) { client in
            let q = "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Item { id } } }"
            let r = try await client.query(q, variables: #"{"r":[{"__typename":"Item","id":"1"},{"__typename":"Item"},{"__typename":"Item","id":null},{"__typename":"Item","id":"2"}]}"#)
            #expect(r.json?["data"]?.text == #"{"_entities":[{"id":"1"},null,null,{"id":"2"}]}"#, "\(r.text)")
            #expect(r.json?["errors"]?.arrayValue?.map { $0["path"] } == [["_entities", 1], ["_entities", 2]], "\(r.text)")
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "BAD_USER_INPUT")
            // A key of the wrong JSON shape (an object, a list) names no entity either: an error, not null.
            let shapes = try await client.query(q, variables: #"{"r":[{"__typename":"Item","id":{"a":1}},{"__typename":"Item","id":["1"]},{"__typename":"Item","id":"1"}]}"#)
            #expect(shapes.json?["data"]?.text == #"{"_entities":[null,null,{"id":"1"}]}"#, "\(shapes.text)")
            #expect(shapes.json?["errors"]?.arrayValue?.map { $0["path"] } == [["_entities", 0], ["_entities", 1]], "\(shapes.text)")
        }
    }

    /// A gateway over `executor` verifying HS256 tokens; the body gets a signer of tokens with a
    /// scope and policies.
    func withSignedGateway(_ executor: FederatedExecutor,
                           _ body: (GatewayClient, @escaping (String, [String]?) async throws -> String) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("authz-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = "a-test-secret-of-enough-length-0123456789"
        try secret.write(to: dir.appendingPathComponent("k"), atomically: true, encoding: .utf8)
        var config = GatewayConfiguration()
        config.baseDirectory = dir.path
        var jwt = AuthConfiguration.JWT()
        jwt.hs256SecretFile = "k"
        config.auth.jwt = jwt
        let signing = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        try await withGateway(config, executor: executor) { client in
            try await body(client) { scope, policies in
                try await signing.sign(TestClaims(exp: .init(value: Date().addingTimeInterval(300)), scope: scope, policies: policies))
            }
        }
    }

    /// Scope lists written flat (`["a"]`, as GraphQL coerces it: `[["a"]]`): two subgraphs'
    /// requirements on one field both apply, and one subgraph's `["c", "d"]` is `c` or `d`
    /// (probe 56A: the merge of `["a"]` and `["b"]` was `[[]]`, a requirement every request met).
    @Test func flatScopeListsAreCoercedAndMerged() async throws {
        let head = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@shareable", "@requiresScopes"])"#
        let one = try Subgraph<RequestContext>(name: "one", sdl: head + #" type Query { both: String @shareable @requiresScopes(scopes: ["a"]) either: String @requiresScopes(scopes: ["c", "d"]) }"#)
        one.query.field("both") { _, _, _, _ in .leaf("both") }.field("either") { _, _, _, _ in .leaf("either") }
        let two = try Subgraph<RequestContext>(name: "two", sdl: head + #" type Query { both: String @shareable @requiresScopes(scopes: ["b"]) }"#)
        two.query.field("both") { _, _, _, _ in .leaf("both") }
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "one", url: "x", sdl: one.sdl), try SubgraphSchema(name: "two", url: "y", sdl: two.sdl)]))
        let executor = FederatedExecutor(supergraph: supergraph, transports: [
            "one": InProcessTransport(subgraph: one) { _ in RequestContext() }, "two": InProcessTransport(subgraph: two) { _ in RequestContext() },
        ])
        try await withSignedGateway(executor) { client, token in
            for (scope, both, either) in [(nil, false, false), ("a", false, false), ("b", false, false), ("a b", true, false), ("d", false, true), ("c", false, true)] as [(String?, Bool, Bool)] {
                var headers: [(String, String)] = []
                if let scope { headers = [("authorization", "Bearer \(try await token(scope, nil))")] }
                let r = try await client.query("{ both either }", headers: headers)
                #expect(r.json?["data"]?["both"]?.text == (both ? #""both""# : "null"), "\(scope ?? "-"): \(r.text)")
                #expect(r.json?["data"]?["either"]?.text == (either ? #""either""# : "null"), "\(scope ?? "-"): \(r.text)")
            }
        }
    }

    @Test func unauthorizedFieldsAreRemovedWithErrorsAndTheRestIsServed() async throws {
        let s = try shop()
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "shop", url: "x", sdl: s.sdl)]))
        let executor = FederatedExecutor(supergraph: supergraph, transports: ["shop": InProcessTransport(subgraph: s) { _ in RequestContext() }])
        try await withSignedGateway(executor) { client, signed in
            func token(_ scope: String, policies: [String]? = nil) async throws -> String { try await signed(scope, policies) }
            let q = "{ hello account { name } items { id price } }"
            let anonymous = try await client.query(q)
            #expect(anonymous.status == 200)
            // Unauthorized fields answer null (no null propagation), each with an error.
            #expect(anonymous.json?["data"]?.text == #"{"hello":"hi","account":null,"items":[{"id":"1","price":null},{"id":"2","price":null}]}"#)
            #expect(anonymous.json?["errors"]?.arrayValue?.map { $0["path"] } == [["account"], ["items", "price"]])
            #expect(anonymous.json?["errors"]?[0]?["extensions"]?["code"] == "UNAUTHORIZED_FIELD_OR_TYPE")
            // A refused field reached twice through one fragment is one error (probe 41A: two alike).
            let twice = try await client.query("{ items { id ... on Item { ...P } ...P } } fragment P on Item { price }")
            #expect(twice.json?["errors"]?.arrayValue?.count == 1, "\(twice.text)")
            let noScope = try await client.query(q, headers: [("authorization", "Bearer \(try await token("read:other"))")])
            #expect(noScope.json?["data"]?.text == #"{"hello":"hi","account":{"name":"Ada"},"items":[{"id":"1","price":null},{"id":"2","price":null}]}"#)
            #expect(noScope.json?["errors"]?.arrayValue?.count == 1)
            let scoped = try await client.query(q, headers: [("authorization", "Bearer \(try await token("admin"))")])
            #expect(scoped.text == #"{"data":{"hello":"hi","account":{"name":"Ada"},"items":[{"id":"1","price":10},{"id":"2","price":20}]}}"#)
            // @policy: satisfied by the token's `policies` claim, one inner list held whole.
            let p = "{ account { name limit } }"
            for (policies, allowed) in [(nil, false), (["finance"], false), (["finance", "reader"], true), (["owner"], true)] as [([String]?, Bool)] {
                let r = try await client.query(p, headers: [("authorization", "Bearer \(try await token("read:other", policies: policies))")])
                if allowed {
                    #expect(r.text == #"{"data":{"account":{"name":"Ada","limit":500}}}"#, "\(policies ?? [])")
                } else {
                    #expect(r.json?["data"]?.text == #"{"account":{"name":"Ada","limit":null}}"#, "\(policies ?? [])")
                    #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "UNAUTHORIZED_FIELD_OR_TYPE")
                }
            }
            // One policy named "finance reader" is not the two above: the document allowed whole
            // for those (cached by their credentials) is walked again for it (probe 41A: the
            // credentials were one joined string, and this token got the field).
            let joined = try await client.query(p, headers: [("authorization", "Bearer \(try await token("read:other", policies: ["finance reader"]))")])
            #expect(joined.json?["data"]?.text == #"{"account":{"name":"Ada","limit":null}}"#, "\(joined.text)")
            // One credential per request: a second Authorization header (which would travel to
            // the subgraphs unverified beside the verified one) is refused.
            let two = try await client.query(q, headers: [("authorization", "Basic eDp5"), ("authorization", "Bearer \(try await token("admin"))")])
            #expect(two.status == 401 && two.json?["errors"]?[0]?["extensions"]?["code"] == "UNAUTHENTICATED", "\(two.text)")
        }
    }
}

import Federation
import SubgraphKit
