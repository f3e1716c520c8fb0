import DataLoader
import Foundation
import GraphQLCore
import OrderedCollections
import PlatformKit
import Postgres
import Redis
import SubgraphKit
import Synchronization

/// The data products subgraph: the data-mesh registry with full-text search and facets on
/// PostgreSQL, results and lookups cached in Redis and invalidated on refresh.
public enum DataProductsSubgraph {
    final class Product: Sendable {
        let id: UUID, tenantID: UUID, name: String, domain: String, description: String, quality: String
        let tags: [String], schema: String, refreshedAt: Date
        init(_ r: PostgresRow) throws {
            id = try r.decode("id"); tenantID = try r.decode("tenant_id"); name = try r.decode("name"); domain = try r.decode("domain")
            description = try r.decode("description"); quality = try r.decode("quality_level"); tags = try r.decode("tags")
            schema = try r.decode("schema"); refreshedAt = try r.decode("refreshed_at")
        }
        init(json: JSON) throws {
            func s(_ k: String) throws -> String {
                guard let v = json[k]?.stringValue else { throw GraphQLError("corrupt cache entry") }
                return v
            }
            guard let id = PostgresUUID.parse(try s("id")), let tid = PostgresUUID.parse(try s("tenantID")), let at = try s("refreshedAt").iso8601Date else {
                throw GraphQLError("corrupt cache entry")
            }
            self.id = id; tenantID = tid; name = try s("name"); domain = try s("domain"); description = try s("description")
            quality = try s("quality"); tags = json["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []; schema = try s("schema"); refreshedAt = at
        }
        var json: JSON {
            ["id": .string(PostgresUUID.text(id)), "tenantID": .string(PostgresUUID.text(tenantID)), "name": .string(name), "domain": .string(domain),
             "description": .string(description), "quality": .string(quality), "tags": .array(tags.map { .string($0) }),
             "schema": .string(schema), "refreshedAt": .string(refreshedAt.iso8601)]
        }
    }
    struct Search: Sendable { let total: Int, results: [Product], domains: [(String, Int)], qualities: [(String, Int)] }
    struct TenantRef: Sendable { let id: String }

    static let columns = "id, tenant_id, name, domain, description, quality_level, tags, schema::text AS schema, refreshed_at"
    /// How long cached lookups and searches live.
    public static let cacheTTLSeconds = 300

    /// Products read from Redis's cache, decoded once per cache key and bytes (a product is read
    /// by every TenantOverview: parsing its JSON each time cost about 1.5 % of the gateway's CPU).
    /// Redis stays the truth: an entry is used only while Redis answers the same bytes. Cleared
    /// when full (tenants × products is small; a miss costs one parse).
    static let decoded = Mutex<[String: (bytes: [UInt8], product: Product)]>([:])
    static let decodedLimit = 2_048

    /// A cache entry read from the database is written only if it is not older than the newest
    /// refresh of each product it holds: every refresh records its product's new `refreshed_at`
    /// (its "floor", before the refresh commits), and a look-up whose read saw an older one — a
    /// read that began before the refresh committed, or one on a request's snapshot taken before
    /// it (in-process subgraphs of one request read one snapshot, the look-up maybe two plan
    /// levels later) — writes nothing back. A generation read beside the look-up could not tell
    /// the second: the snapshot is older than the look-up.
    static let setUnlessRefreshed = RedisScript("""
        local floor = redis.call('GET', KEYS[2])
        if floor and tonumber(floor) > tonumber(ARGV[3]) then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        return 1
        """)

    /// A search's entry, written as `setUnlessRefreshed` writes one (each product it shows checked
    /// against its floor: `KEYS[2+n...]`, the products' `refreshed_at` in `ARGV[3...]`), and
    /// recorded in the index of each product it shows (`KEYS[2...1+n]`) in the same step: written
    /// apart, a refresh could read an index between the entry's write and its record, and leave
    /// the entry stale for its life.
    static let setSearchUnlessRefreshed = RedisScript("""
        local n = (#KEYS - 1) / 2
        for i = 1, n do
          local floor = redis.call('GET', KEYS[1 + n + i])
          if floor and tonumber(floor) > tonumber(ARGV[2 + i]) then return 0 end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        for i = 1, n do
          redis.call('SADD', KEYS[1 + i], KEYS[1])
          redis.call('EXPIRE', KEYS[1 + i], ARGV[2])
        end
        return 1
        """)

    /// A refresh's floor (`KEYS[1]`): raised to `ARGV[1]`, never lowered, kept `ARGV[2]` seconds.
    static let raiseFloor = RedisScript("""
        local floor = redis.call('GET', KEYS[1])
        if (not floor) or tonumber(floor) <= tonumber(ARGV[1]) then
          redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        end
        return 1
        """)

    /// A product's floor outlives every request that could still write an older read of it back
    /// (requests end within their timeout, far below this).
    static let floorTTLSeconds = 2 * cacheTTLSeconds

    /// `refreshed_at` as the floors compare it: microseconds since 1970 (PostgreSQL's precision).
    static func floorValue(_ date: Date) -> String { String(Int64((date.timeIntervalSince1970 * 1_000_000).rounded())) }

    static func floorKey(_ ctx: PlatformContext, _ id: UUID) async throws -> String { try await ctx.cacheKey("dp", "floor", PostgresUUID.text(id)) }

    /// The most a search text may hold: PostgreSQL's text search parses and matches each term
    /// (a phrase's words by position), so a long text is the client's way to hold a database
    /// core for seconds for a request costed 1 — or to overflow its parser's stack (an internal
    /// error). A search is a few words.
    static let maxSearchBytes = 1_024, maxSearchTerms = 32

    static func searchText(_ text: String) throws {
        try PlatformInput.bounded(text, "query", maxBytes: maxSearchBytes)
        // Words as PostgreSQL's parser finds them: runs of letters and digits (punctuation and
        // any Unicode space separate them, `a1,a2` is two); and each `-`, websearch syntax's NOT,
        // which nests (33 of them, and no word, overflowed the query's stack: probe 55E).
        var terms = 0, inWord = false
        for scalar in text.unicodeScalars {
            let isWordPart = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if isWordPart && !inWord { terms += 1 }
            if scalar == "-" { terms += 1 }
            inWord = isWordPart
        }
        guard terms <= maxSearchTerms else {
            throw GraphQLError("query has \(terms) terms; at most \(maxSearchTerms) are accepted.", code: "BAD_USER_INPUT",
                               extensions: ["maxTerms": .int(maxSearchTerms)])
        }
    }

    static func cacheUnlessRefreshed(_ redis: RedisClient, _ key: String, _ product: Product, floorKey: String) async {
        _ = try? await redis.run(setUnlessRefreshed, keys: [key, floorKey],
                                 args: [RedisArgument(product.json.bytes), RedisArgument(String(cacheTTLSeconds)), RedisArgument(floorValue(product.refreshedAt))])
    }

    static func fetch(_ ctx: PlatformContext, _ ids: [UUID]) async throws -> [UUID: Product] {
        var found: [UUID: Product] = [:]
        var missing = ids
        var cacheable = false
        if let redis = ctx.redis, !ids.isEmpty {
            let prefix = try await ctx.cacheKeyPrefix() + "dp:product:"
            let keys = ids.map { prefix + PostgresUUID.text($0) }
            if let cached = try? await redis.mget(keys), cached.count == keys.count {
                cacheable = true
                // What was decoded before from the same bytes is reused (a refreshed product has other bytes).
                var known = decoded.withLock { d in keys.map { d[$0] } }
                var fresh: [(String, [UInt8], Product)] = []
                for (i, (id, bytes)) in zip(ids, cached).enumerated() {
                    guard let bytes else { continue }
                    if let k = known[i], k.bytes == bytes { found[id] = k.product; continue }
                    if let json = try? JSONReader.parse(bytes), let p = try? Product(json: json) {
                        found[id] = p
                        fresh.append((keys[i], bytes, p))
                    }
                }
                known.removeAll()
                if !fresh.isEmpty {
                    decoded.withLock { d in
                        if d.count + fresh.count > decodedLimit { d.removeAll(keepingCapacity: true) }
                        for (key, bytes, p) in fresh { d[key] = (bytes, p) }
                    }
                }
                missing = ids.filter { found[$0] == nil }
            }
            PlatformMetrics.dataProductCache(hits: ids.count - missing.count, misses: missing.count)
        }
        guard !missing.isEmpty else { return found }
        let rows = try await ctx.db { try await $0.query("SELECT \(unsafeRaw: columns) FROM data_products WHERE id = ANY(\(missing))") }
        for r in rows {
            let p = try Product(r)
            found[p.id] = p
            if let redis = ctx.redis, cacheable {
                let key = try await ctx.cacheKey("dp", "product", PostgresUUID.text(p.id))
                await cacheUnlessRefreshed(redis, key, p, floorKey: try await floorKey(ctx, p.id))
            }
        }
        return found
    }

    public static func make(sdl: String) throws -> Subgraph<PlatformContext> {
        let s = try Subgraph<PlatformContext>(name: "dataproducts", sdl: sdl)
        s.observer = { $0.observer }
        let product = ObjectResolvers<PlatformContext, Product>("DataProduct")
        let facet = ObjectResolvers<PlatformContext, (String, Int)>("FacetCount")
            .field("value") { f, _, _, _ in .leaf(.string(f.0)) }
            .field("count") { f, _, _, _ in .leaf(.int(f.1)) }
        let facets = ObjectResolvers<PlatformContext, Search>("SearchFacets")
            .field("domains") { s, _, _, _ in .list(s.domains.map { .object($0, facet) }) }
            .field("qualityLevels") { s, _, _, _ in .list(s.qualities.map { .object($0, facet) }) }
        let search = ObjectResolvers<PlatformContext, Search>("DataProductSearch")
            .field("total") { s, _, _, _ in .leaf(.int(s.total)) }
            .field("results") { s, _, _, _ in .list(s.results.map { .object($0, product) }) }
            .field("facets") { s, _, _, _ in .object(s, facets) }

        @Sendable func linked(_ products: [Product], _ ctx: PlatformContext, upstream: Bool) async throws -> [Output] {
            // Lineage of every product of this level in one statement, then the products they
            // link to (Redis's cache first) in one more.
            var ids: [UUID] = []
            var seen: Set<UUID> = []
            for p in products where seen.insert(p.id).inserted { ids.append(p.id) }
            let rows = try await ctx.db {
                // At most 100 links per product (the schema's @listSize).
                try await $0.query(upstream
                    ? """
                      SELECT p.k, l.v FROM unnest((SELECT \(ids)::uuid[])) AS p(k)
                      CROSS JOIN LATERAL (SELECT upstream_id AS v FROM data_product_lineage WHERE downstream_id = p.k
                                          ORDER BY upstream_id LIMIT 100) l
                      """
                    : """
                      SELECT p.k, l.v FROM unnest((SELECT \(ids)::uuid[])) AS p(k)
                      CROSS JOIN LATERAL (SELECT downstream_id AS v FROM data_product_lineage WHERE upstream_id = p.k
                                          ORDER BY downstream_id LIMIT 100) l
                      """)
            }
            var links: [UUID: [UUID]] = [:]
            var targets: [UUID] = []
            var wanted: Set<UUID> = []
            for r in rows {
                let v: UUID = try r.decode("v")
                links[try r.decode("k"), default: []].append(v)
                if wanted.insert(v).inserted { targets.append(v) }
            }
            let found = try await fetch(ctx, targets)
            return products.map { p in .list((links[p.id] ?? []).compactMap { found[$0] }.map { .object($0, product) }) }
        }

        product
            .field("id") { p, _, _, _ in .leaf(.string(PostgresUUID.text(p.id))) }
            .field("name") { p, _, _, _ in .leaf(.string(p.name)) }
            .field("domain") { p, _, _, _ in .leaf(.string(p.domain)) }
            .field("description") { p, _, _, _ in .leaf(.string(p.description)) }
            .field("qualityLevel") { p, _, _, _ in .leaf(.string(p.quality)) }
            .field("tags") { p, _, _, _ in .list(p.tags.map { .leaf(.string($0)) }) }
            .field("schema") { p, _, _, _ in .leaf(.string(p.schema)) }
            .field("refreshedAt") { p, _, _, _ in .leaf(.string(p.refreshedAt.iso8601)) }
            .batchField("lineage") { p, _, ctx, _ in try await linked(p, ctx, upstream: true) }
            .batchField("downstream") { p, _, ctx, _ in try await linked(p, ctx, upstream: false) }
        let tenant = ObjectResolvers<PlatformContext, TenantRef>("Tenant")
            .field("id") { t, _, _, _ in .leaf(.string(t.id)) }
            .asyncField("dataProducts") { t, a, ctx, _ in
                let first = try a.count("first", 10, limit: 500)
                let loader: DataLoader<UUID, [Product]> = ctx.loader("tenantProducts:\(first)") { (ids: [UUID]) in
                    let rows = try await ctx.db {
                        try await $0.query("""
                            SELECT x.* FROM unnest((SELECT \(ids)::uuid[])) AS t(tid)
                            CROSS JOIN LATERAL (SELECT \(unsafeRaw: columns) FROM data_products
                                                WHERE tenant_id = t.tid ORDER BY name, id LIMIT \(first)) x
                            """)
                    }
                    var out: [UUID: [Product]] = [:]
                    for r in rows { let p = try Product(r); out[p.tenantID, default: []].append(p) }
                    return out
                }
                guard let id = PostgresUUID.parse(t.id) else { return .list([]) }
                return .list((try await loader.load(id) ?? []).map { .object($0, product) })
            }

        s.query
            .asyncField("dataProduct") { _, a, ctx, _ in
                guard let id = a.string("id").flatMap(PostgresUUID.parse) else { return .null }
                return try await fetch(ctx, [id])[id].map { .object($0, product) } ?? .null
            }
            .asyncField("searchDataProducts") { _, a, ctx, _ in
                let text = a.string("query") ?? "", domain = a.string("domain") ?? "", quality = a.string("qualityLevel") ?? ""
                try searchText(text)
                let first = try a.count("first", 10, limit: 100), offset = try a.count("offset", 0, limit: Int.max)
                let cacheKey = try await ctx.cacheKey("dp", "search", JSON.array([.string(text), .string(domain), .string(quality), .int(first), .int(offset)]).text)
                var cacheable = false
                if let redis = ctx.redis, let answer = try? await redis.mget([cacheKey]), answer.count == 1 {
                    if let bytes = answer[0], let json = try? JSONReader.parse(bytes), let cached = try? decodeSearch(json) {
                        PlatformMetrics.dataProductCache(hits: 1, misses: 0)
                        return .object(cached, search)
                    }
                    cacheable = true
                }
                if ctx.redis != nil { PlatformMetrics.dataProductCache(hits: 0, misses: 1) }
                let (rows, total, facetRows) = try await ctx.db { c in
                    let rows = try await c.query("""
                        SELECT \(unsafeRaw: columns), count(*) OVER ()::int8 AS total FROM data_products
                        WHERE search @@ websearch_to_tsquery('english', \(text)) AND (\(domain) = '' OR domain = \(domain))
                          AND (\(quality) = '' OR quality_level = \(quality))
                        ORDER BY ts_rank(search, websearch_to_tsquery('english', \(text))) DESC, name, id
                        LIMIT \(first) OFFSET \(offset)
                        """)
                    // The total comes with the page's rows; a page with none (`first: 0`, an offset
                    // past the end) counts on its own.
                    var total = try rows.first?.decode("total", as: Int.self) ?? 0
                    if rows.isEmpty, first == 0 || offset > 0 {
                        total = try await c.query("""
                            SELECT count(*)::int8 AS total FROM data_products
                            WHERE search @@ websearch_to_tsquery('english', \(text)) AND (\(domain) = '' OR domain = \(domain))
                              AND (\(quality) = '' OR quality_level = \(quality))
                            """).first?.decode("total", as: Int.self) ?? 0
                    }
                    return (rows, total, try await c.query("""
                        SELECT 'domain' AS facet, domain AS value, count(*)::int8 AS n FROM data_products
                        WHERE search @@ websearch_to_tsquery('english', \(text)) AND (\(quality) = '' OR quality_level = \(quality))
                        GROUP BY domain
                        UNION ALL
                        SELECT 'quality', quality_level, count(*)::int8 FROM data_products
                        WHERE search @@ websearch_to_tsquery('english', \(text)) AND (\(domain) = '' OR domain = \(domain))
                        GROUP BY quality_level
                        ORDER BY 1, 3 DESC, 2
                        """))
                }
                let results = try rows.map(Product.init)
                var domains: [(String, Int)] = [], qualities: [(String, Int)] = []
                for r in facetRows {
                    let pair = (try r.decode("value", as: String.self), try r.decode("n", as: Int.self))
                    if try r.decode("facet", as: String.self) == "domain" { domains.append(pair) } else { qualities.append(pair) }
                }
                let found = Search(total: total, results: results, domains: domains, qualities: qualities)
                if let redis = ctx.redis, cacheable {
                    // Remember which searches show each product, so a refresh removes exactly those.
                    var indexes: [String] = [], floors: [String] = []
                    for p in results {
                        indexes.append(try await ctx.cacheKey("dp", "searches-of", PostgresUUID.text(p.id)))
                        floors.append(try await floorKey(ctx, p.id))
                    }
                    _ = try? await redis.run(setSearchUnlessRefreshed, keys: [cacheKey] + indexes + floors,
                                             args: [RedisArgument(encodeSearch(found).bytes), RedisArgument(String(cacheTTLSeconds))]
                                                + results.map { RedisArgument(floorValue($0.refreshedAt)) })
                }
                return .object(found, search)
            }
        s.mutation!.asyncField("refreshDataProduct") { _, a, ctx, _ in
            guard let id = a.string("id").flatMap(PostgresUUID.parse) else { throw GraphQLError("id is not a valid id.", code: "BAD_USER_INPUT") }
            // Without a tenant nothing is visible to update: said so, as every platform mutation
            // does (NOT_FOUND named a product that exists).
            guard try await ctx.tenantID() != nil else { throw GraphQLError("This operation needs a tenant.", code: "UNAUTHENTICATED") }
            let row = try await ctx.db {
                try await $0.query("UPDATE data_products SET refreshed_at = clock_timestamp() WHERE id = \(id) RETURNING \(unsafeRaw: columns)").first
            }
            guard let row else { throw GraphQLError("No data product with id \(PostgresUUID.text(id)).", code: "NOT_FOUND") }
            if let redis = ctx.redis {
                do {
                    // First the floor (a look-up whose read is older than this refresh writes nothing
                    // back, even one that reads before the refresh commits), then what is cached.
                    let refreshed = try Product(row)
                    _ = try await redis.run(raiseFloor, keys: [try await floorKey(ctx, id)],
                                            args: [RedisArgument(floorValue(refreshed.refreshedAt)), RedisArgument(String(floorTTLSeconds))])
                    let productKey = try await ctx.cacheKey("dp", "product", PostgresUUID.text(id))
                    let index = try await ctx.cacheKey("dp", "searches-of", PostgresUUID.text(id))
                    let searches = (try await redis.send(["SMEMBERS", RedisArgument(index)]).array ?? []).compactMap(\.string)
                    try await redis.del([productKey, index] + searches)
                } catch {
                    // The refresh is committed: say so, rather than a failure the client would retry.
                    throw GraphQLError("Data product \(PostgresUUID.text(id)) was refreshed, but its cached copies could not be removed "
                                       + "(the cache is unavailable); they expire within \(cacheTTLSeconds) s.", code: "CACHE_INVALIDATION_FAILED")
                }
            }
            return .object(try Product(row), product)
        }
        s.entity("DataProduct") { reps, ctx in
            let found = try await fetch(ctx, reps.compactMap { $0["id"]?.stringValue.flatMap(PostgresUUID.parse) })
            return reps.map { r in r["id"]?.stringValue.flatMap(PostgresUUID.parse).flatMap { found[$0] }.map { .object($0, product) } ?? .null }
        }
        s.entity("Tenant") { reps, _ in reps.map { r in r["id"]?.stringValue.map { .object(TenantRef(id: $0), tenant) } ?? .null } }
        return s
    }

    static func encodeSearch(_ s: Search) -> JSON {
        ["total": .int(s.total), "results": .array(s.results.map(\.json)),
         "domains": .array(s.domains.map { [.string($0.0), .int($0.1)] }), "qualities": .array(s.qualities.map { [.string($0.0), .int($0.1)] })]
    }

    static func decodeSearch(_ j: JSON) throws -> Search {
        func pairs(_ k: String) -> [(String, Int)] {
            (j[k]?.arrayValue ?? []).compactMap { p in p[0]?.stringValue.flatMap { s in p[1]?.intValue.map { (s, $0) } } }
        }
        return Search(total: j["total"]?.intValue ?? 0, results: try (j["results"]?.arrayValue ?? []).map(Product.init(json:)),
                      domains: pairs("domains"), qualities: pairs("qualities"))
    }
}

/// This module, as the gateway finds it (see `PlatformSubgraph`).
public let platformSubgraph = PlatformSubgraph(name: "dataproducts") { sdl, _ in try DataProductsSubgraph.make(sdl: sdl) }
