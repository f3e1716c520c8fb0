import Federation
import Foundation
import Gateway
import GraphQLCore
import Redis
import Testing
import TestSupport

/// Memory is bounded by bytes, not only entries (issue 13, #11): the document, plan and
/// in-memory persisted-query caches, and the local Redis.
@Suite("Cache bounds")
struct CacheBoundsTests {
    @Test func aCacheKeepsItsByteBoundWhateverItIsFilledWith() {
        let cache = BoundedCache<String>(maxEntries: 1_000, maxBytes: 8 << 20)
        let megabyte = String(repeating: "x", count: 1 << 20)
        for i in 0..<100 { cache.put("doc-\(i)", megabyte, bytes: megabyte.utf8.count) }
        #expect(cache.bytes <= 8 << 20)
        #expect(cache.count == 7, "seven 1 MiB entries (and their keys) fit in 8 MiB")
        #expect(cache.get("doc-99") != nil && cache.get("doc-0") == nil, "the newest stay")
        // Used entries stay; the least recently used leave first.
        _ = cache.get("doc-93")
        cache.put("doc-100", megabyte, bytes: megabyte.utf8.count)
        #expect(cache.get("doc-93") != nil && cache.get("doc-94") == nil)
        // One value over the whole bound is not kept (and pushes nothing out).
        cache.put("huge", String(repeating: "y", count: 9 << 20), bytes: 9 << 20)
        #expect(cache.get("huge") == nil && cache.count == 7)
        // Small entries are bounded by count.
        let small = BoundedCache<Int>(maxEntries: 10, maxBytes: 1 << 20)
        for i in 0..<50 { small.put("k\(i)", i, bytes: 8) }
        #expect(small.count == 10 && small.get("k49") == 49)
    }

    /// Progressive overrides roll their labels per request, and plans are cached per roll of the
    /// labels that can change the operation's plan only (probe 55A: with all 12 labels of a graph
    /// in the cache key, 294 of 300 requests touching none of their fields were planned again).
    @Test func plansAreCachedPerRollOfTheLabelsTheOperationTouches() throws {
        let link = #"extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])"#
        let n = 12
        let a = "\(link) type Query { t: T } type T @key(fields: \"id\") { id: ID! name: String " + (0..<n).map { "f\($0): Int" }.joined(separator: " ") + " }"
        let b = "\(link) type T @key(fields: \"id\") { id: ID! " + (0..<n).map { "f\($0): Int @override(from: \"a\", label: \"percent(50)\")" }.joined(separator: " ") + " }"
        let supergraph = try Supergraph(sdl: try Composer.compose([try SubgraphSchema(name: "a", url: "http://a", sdl: a), try SubgraphSchema(name: "b", url: "http://b", sdl: b)]))
        let executor = FederatedExecutor(supergraph: supergraph, transports: [:])
        func plan(_ text: String) throws { let source = Source(text); _ = try executor.plan(ExecutionRequest(document: try Parser.parse(source), source: source)) }
        for _ in 0..<30 { try plan("{ t { id name } }") }
        #expect(executor.plansMade == 1)
        for _ in 0..<30 { try plan("{ t { f3 } }") }
        #expect(executor.plansMade <= 3, "f3's label on or off: \(executor.plansMade)")
    }

    /// Gets and puts in any order keep exactly the entries a plain least-recently-used list
    /// keeps (checked against one, step by step), with both bounds holding.
    @Test func aCacheEvictsExactlyTheLeastRecentlyUsed() {
        var generator = SystemRandomNumberGenerator()
        let cache = BoundedCache<Int>(maxEntries: 20, maxBytes: 400)
        var model: [(key: String, value: Int, bytes: Int)] = []   // oldest first
        for step in 0..<20_000 {
            let key = "k\(Int.random(in: 0..<40, using: &generator))"
            if Bool.random(using: &generator) {
                let got = cache.get(key)
                if let i = model.firstIndex(where: { $0.key == key }) {
                    let e = model.remove(at: i)
                    model.append(e)
                    #expect(got == e.value, "step \(step)")
                } else {
                    #expect(got == nil, "step \(step)")
                }
            } else {
                let bytes = Int.random(in: 0..<40, using: &generator)
                cache.put(key, step, bytes: bytes)
                model.removeAll { $0.key == key }
                model.append((key, step, bytes + key.utf8.count))
                while model.count > 20 || model.reduce(0, { $0 + $1.bytes }) > 400 { model.removeFirst() }
            }
            #expect(cache.count == model.count && cache.bytes == model.reduce(0, { $0 + $1.bytes }), "step \(step)")
        }
    }

    /// A plan is counted with the client's document it mirrors (its shaping program, the
    /// document with hoisted literals), not only its fetches: 1,000 plans of 18 KB documents
    /// (`me { name }` 1,500 times, one tiny fetch each) were all kept, holding 650 MB within a
    /// 32 MiB budget.
    @Test func plansOfLargeDocumentsAreCountedByTheirDocuments() throws {
        let supergraph = try Supergraph(sdl: try benchFile("supergraph.graphql"))
        let executor = FederatedExecutor(supergraph: supergraph, transports: try benchInProcessTransports())
        let body = Array(repeating: "me { name }", count: 1_500).joined(separator: " ")
        let document = try Parser.parse("query Q { \(body) }")
        #expect(document.estimatedBytes > 500_000, "\(document.estimatedBytes)")
        for i in 0..<100 {
            let text = "query Q\(i) { \(body) }"
            let source = Source(text)
            _ = try executor.plan(ExecutionRequest(document: try Parser.parse(source), source: source))
        }
        let use = executor.planCacheUse
        #expect(use.entries < 100 && use.bytes <= 32 << 20, "\(use)")
    }

    /// The Redis that `scripts/services` starts evicts least recently used keys at 256 MB instead
    /// of growing until the machine runs out.
    @Test func theLocalRedisHasAMemoryBound() async throws {
        let redis = RedisClient(configuration: try .init(url: TestEnvironment.redisURL, connections: 1))
        let maxmemory = try await redis.send(["CONFIG", "GET", "maxmemory"]).array?.last?.string
        let policy = try await redis.send(["CONFIG", "GET", "maxmemory-policy"]).array?.last?.string
        #expect(Int(maxmemory ?? "0") == 256 << 20, "\(String(describing: maxmemory))")
        #expect(policy == "allkeys-lru")
    }
}
