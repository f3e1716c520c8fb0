import Crypto
import Foundation
import Gateway
import GraphQLCore
import Testing
import TestSupport

func sha256(_ s: String) -> String {
    SHA256.hash(data: Array(s.utf8)).map { String(format: "%02x", $0) }.joined()
}

@Suite("Persisted queries")
struct PersistedQueryTests {
    let query = "{ hello(name: \"apq\") }"

    func body(_ hash: String, query: String? = nil) -> String {
        let ext = #""extensions":{"persistedQuery":{"version":1,"sha256Hash":"\#(hash)"}}"#
        if let query { return #"{"query":\#(JSON.string(query).text),\#(ext)}"# }
        return "{\(ext)}"
    }

    @Test func automaticPersistedQueriesRoundTripThroughRedisSharedByTwoGateways() async throws {
        try await withPrivateRedis { redis in
            var config = GatewayConfiguration()
            config.redis = RedisSettings()
            config.redis?.url = redis.url
            let hash = sha256(query)
            try await withGateway(config, executor: try echoExecutor()) { first in
                let miss = try await first.post(body(hash))
                #expect(miss.status == 200)
                #expect(miss.json?["errors"]?[0]?["extensions"]?["code"] == "PERSISTED_QUERY_NOT_FOUND")
                let register = try await first.post(body(hash, query: query))
                #expect(register.text == #"{"data":{"hello":"hello apq"}}"#)
                try await withGateway(config, executor: try echoExecutor()) { second in
                    let hit = try await second.post(body(hash))
                    #expect(hit.text == #"{"data":{"hello":"hello apq"}}"#, "the other replica finds it in Redis")
                    let get = try await second.get([("extensions", #"{"persistedQuery":{"version":1,"sha256Hash":"\#(hash)"}}"#)])
                    #expect(get.text == #"{"data":{"hello":"hello apq"}}"#)
                }
            }
        }
    }

    @Test func aHashThatDoesNotMatchItsQueryIsRefused() async throws {
        try await withGateway(executor: try echoExecutor()) { client in
            let r = try await client.post(body(sha256("{ other }"), query: query))
            #expect(r.status == 400)
            #expect(r.json?["errors"]?[0]?["extensions"]?["code"] == "PERSISTED_QUERY_HASH_MISMATCH")
            // Nothing was registered under the wrong hash.
            let miss = try await client.post(body(sha256("{ other }")))
            #expect(miss.json?["errors"]?[0]?["extensions"]?["code"] == "PERSISTED_QUERY_NOT_FOUND")
            // A miss is never cached (a CDN in front of GET would keep answering it).
            #expect(miss.headers.first(name: "cache-control") == "private, no-cache, must-revalidate")
            // `"persistedQuery": null` is no persisted query.
            let none = try await client.post(#"{"query":\#(JSON.string(query).text),"extensions":{"persistedQuery":null}}"#)
            #expect(none.text == #"{"data":{"hello":"hello apq"}}"#, "\(none.text)")
        }
    }

    /// A document is registered once it is known valid: one the gateway refuses (a parse or
    /// validation error, a limit) is not stored — refused documents cannot fill the store.
    @Test func aRefusedDocumentIsNotRegistered() async throws {
        var config = GatewayConfiguration()
        config.limits.maxDepth = 2
        try await withGateway(config, executor: try echoExecutor()) { client in
            for refused in ["{ hello(", "{ nope }", "{ a: hello b: hello { x { y } } }"] {
                let hash = sha256(refused)
                let r = try await client.post(body(hash, query: refused))
                #expect(r.status >= 400, "\(refused): \(r.text)")
                let miss = try await client.post(body(hash))
                #expect(miss.json?["errors"]?[0]?["extensions"]?["code"] == "PERSISTED_QUERY_NOT_FOUND", "\(refused) was stored")
            }
            let hash = sha256(query)
            #expect(try await client.post(body(hash, query: query)).text == #"{"data":{"hello":"hello apq"}}"#)
            #expect(try await client.post(body(hash)).text == #"{"data":{"hello":"hello apq"}}"#)
            // A valid document padded past 64 KiB (comments pass every limit) is answered, not kept.
            let padded = query + "\n#" + String(repeating: "p", count: 70_000)
            let paddedHash = sha256(padded)
            #expect(try await client.post(body(paddedHash, query: padded)).text == #"{"data":{"hello":"hello apq"}}"#)
            let notKept = try await client.post(body(paddedHash))
            #expect(notKept.json?["errors"]?[0]?["extensions"]?["code"] == "PERSISTED_QUERY_NOT_FOUND")
        }
    }

    @Test func onlyTrustedDocuments() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trusted-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let trusted = "{ hello }"
        try #"{"\#(sha256(trusted))": \#(JSON.string(trusted).text)}"#.write(to: dir.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        var config = GatewayConfiguration()
        config.baseDirectory = dir.path
        config.persistedQueries.trustedDocuments = "manifest.json"
        config.persistedQueries.onlyTrusted = true
        try await withGateway(config, executor: try echoExecutor()) { client in
            let byHash = try await client.post(body(sha256(trusted)))
            #expect(byHash.text == #"{"data":{"hello":"hello world"}}"#)
            let byText = try await client.query(trusted)
            #expect(byText.status == 200)
            let other = try await client.query("{ count(n: 1) }")
            #expect(other.status == 403)
            #expect(other.json?["errors"]?[0]?["extensions"]?["code"] == "PERSISTED_QUERY_NOT_IN_LIST")
            // A hash alone that the manifest does not have: the same refusal.
            let unknownHash = try await client.post(body(sha256("{ count(n: 2) }")))
            #expect(unknownHash.status == 403)
            #expect(unknownHash.json?["errors"]?[0]?["extensions"]?["code"] == "PERSISTED_QUERY_NOT_IN_LIST")
            // Apollo's protocol has one version.
            let v2 = try await client.post(#"{"extensions":{"persistedQuery":{"version":2,"sha256Hash":"\#(sha256(trusted))"}}}"#)
            #expect(v2.status == 400)
            #expect(v2.json?["errors"]?[0]?["extensions"]?["code"] == "PERSISTED_QUERY_VERSION_NOT_SUPPORTED")
        }
    }
}
