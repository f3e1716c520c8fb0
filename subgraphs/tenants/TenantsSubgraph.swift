import Foundation
import GraphQLCore
import PlatformKit
import Postgres
import SubgraphKit

/// The tenants subgraph: tenants with slug, name, plan and quotas.
public enum TenantsSubgraph {
    final class Tenant: Sendable {
        let id: UUID, slug: String, name: String, plan: String
        let maxAgents: Int, requestsPerMinute: Int, maxQueryCost: Int, createdAt: Date

        init(_ row: PostgresRow) throws {
            id = try row.decode("id")
            slug = try row.decode("slug")
            name = try row.decode("name")
            plan = try row.decode("plan")
            maxAgents = try row.decode("max_agents")
            requestsPerMinute = try row.decode("requests_per_minute")
            maxQueryCost = try row.decode("max_query_cost")
            createdAt = try row.decode("created_at")
        }
    }

    static let columns = "id, slug, name, plan, max_agents, requests_per_minute, max_query_cost, created_at"

    public static func make(sdl: String) throws -> Subgraph<PlatformContext> {
        let s = try Subgraph<PlatformContext>(name: "tenants", sdl: sdl)
        s.observer = { $0.observer }
        let quotas = ObjectResolvers<PlatformContext, Tenant>("Quotas")
            .field("maxAgents") { t, _, _, _ in .leaf(.int(t.maxAgents)) }
            .field("requestsPerMinute") { t, _, _, _ in .leaf(.int(t.requestsPerMinute)) }
            .field("maxQueryCost") { t, _, _, _ in .leaf(.int(t.maxQueryCost)) }
        let tenant = ObjectResolvers<PlatformContext, Tenant>("Tenant")
            .field("id") { t, _, _, _ in .leaf(.string(PostgresUUID.text(t.id))) }
            .field("slug") { t, _, _, _ in .leaf(.string(t.slug)) }
            .field("name") { t, _, _, _ in .leaf(.string(t.name)) }
            .field("plan") { t, _, _, _ in .leaf(.string(t.plan.uppercased())) }
            .field("quotas") { t, _, _, _ in .object(t, quotas) }
            .field("createdAt") { t, _, _, _ in .leaf(.string(t.createdAt.iso8601)) }
        s.query
            .asyncField("tenant") { _, a, ctx, _ in
                let slug = a.string("slug") ?? ""
                let rows = try await ctx.db { try await $0.query("SELECT \(unsafeRaw: columns) FROM tenants WHERE slug = \(slug)") }
                return try rows.first.map { .object(try Tenant($0), tenant) } ?? .null
            }
            .asyncField("currentTenant") { _, _, ctx, _ in
                guard let id = try await ctx.tenantID() else { return .null }
                let rows = try await ctx.db { try await $0.query("SELECT \(unsafeRaw: columns) FROM tenants WHERE id = \(id)") }
                return try rows.first.map { .object(try Tenant($0), tenant) } ?? .null
            }
        // All representations in one statement; rows of other tenants are invisible (RLS).
        s.entity("Tenant") { reps, ctx in
            let ids = reps.compactMap { $0["id"]?.stringValue.flatMap(PostgresUUID.parse) }
            let rows = try await ctx.db { try await $0.query("SELECT \(unsafeRaw: columns) FROM tenants WHERE id = ANY(\(ids))") }
            var byID: [String: Tenant] = [:]
            for r in rows { let t = try Tenant(r); byID[PostgresUUID.text(t.id)] = t }
            return reps.map { r in byID[(r["id"]?.stringValue ?? "").lowercased()].map { .object($0, tenant) } ?? .null }
        }
        return s
    }
}

/// This module, as the gateway finds it (see `PlatformSubgraph`).
public let platformSubgraph = PlatformSubgraph(name: "tenants") { sdl, _ in try TenantsSubgraph.make(sdl: sdl) }
