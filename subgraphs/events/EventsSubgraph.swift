import Foundation
import GraphQLCore
import OrderedCollections
import PlatformKit
import Postgres
import SubgraphKit

/// The events subgraph: the event store (append with optimistic concurrency, reading by
/// stream, position, type and time, snapshots) and `Agent.history`.
public enum EventsSubgraph {
    /// An event row, read column by column as its fields are asked for (a history that asks for
    /// `type` and `version` never decodes the payloads).
    final class Event: Sendable {
        let row: PostgresRow
        init(_ r: PostgresRow) { row = r }
        var id: UUID { get throws { try row.decode("event_id") } }
        var position: Int { get throws { try row.decode("global_position") } }
        var streamID: String { get throws { try row.decode("stream_id") } }
        var version: Int { get throws { try row.decode("stream_version") } }
        var type: String { get throws { try row.decode("type") } }
        var data: String { get throws { try row.decode("data") } }
        var metadata: String { get throws { try row.decode("metadata") } }
        var causation: UUID? { get throws { try row.decode("causation_id") } }
        var correlation: UUID? { get throws { try row.decode("correlation_id") } }
        var occurredAt: Date { get throws { try row.decode("occurred_at") } }
    }
    struct AgentRef: Sendable { let id: String }

    /// Bounds of one append and of one snapshot.
    public static let maxEventsPerAppend = 1_000
    public static let maxPayloadBytes = 65_536
    public static let maxSnapshotBytes = 1_048_576

    static let columns = "event_id, global_position, stream_id, stream_version, type, data::text AS data, metadata::text AS metadata, causation_id, correlation_id, occurred_at"
    /// The columns without the payloads: their text is most of an event row's cost to the server
    /// (jsonb written out as text), read only when `data` or `metadata` is asked for.
    static let columnsWithoutPayloads = "event_id, global_position, stream_id, stream_version, type, causation_id, correlation_id, occurred_at"
    static let payloadFields: Set<String> = ["data", "metadata"]

    public static func make(sdl: String) throws -> Subgraph<PlatformContext> {
        let s = try Subgraph<PlatformContext>(name: "events", sdl: sdl)
        s.observer = { $0.observer }
        let event = ObjectResolvers<PlatformContext, Event>("Event")
            .field("id") { e, _, _, _ in .leaf(.string(PostgresUUID.text(try e.id))) }
            .field("position") { e, _, _, _ in .leaf(.int(try e.position)) }
            .field("streamId") { e, _, _, _ in .leaf(.string(try e.streamID)) }
            .field("version") { e, _, _, _ in .leaf(.int(try e.version)) }
            .field("type") { e, _, _, _ in .leaf(.string(try e.type)) }
            .field("data") { e, _, _, _ in .leaf(.string(try e.data)) }
            .field("metadata") { e, _, _, _ in .leaf(.string(try e.metadata)) }
            .field("causationId") { e, _, _, _ in try e.causation.map { .leaf(.string(PostgresUUID.text($0))) } ?? .null }
            .field("correlationId") { e, _, _, _ in try e.correlation.map { .leaf(.string(PostgresUUID.text($0))) } ?? .null }
            .field("occurredAt") { e, _, _, _ in .leaf(.string(try e.occurredAt.iso8601)) }
        let stream = ObjectResolvers<PlatformContext, (String, Int, [Event])>("EventStream")
            .field("streamId") { s, _, _, _ in .leaf(.string(s.0)) }
            .field("version") { s, _, _, _ in .leaf(.int(s.1)) }
            .field("events") { s, _, _, _ in .list(s.2.map { .object($0, event) }) }
        let page = ObjectResolvers<PlatformContext, ([Event], Int, Bool)>("EventPage")
            .field("events") { p, _, _, _ in .list(p.0.map { .object($0, event) }) }
            .field("endCursor") { p, _, _, _ in .leaf(.int(p.1)) }
            .field("hasMore") { p, _, _, _ in .leaf(.bool(p.2)) }
        let snapshot = ObjectResolvers<PlatformContext, (String, Int, String, Date)>("Snapshot")
            .field("streamId") { s, _, _, _ in .leaf(.string(s.0)) }
            .field("version") { s, _, _, _ in .leaf(.int(s.1)) }
            .field("state") { s, _, _, _ in .leaf(.string(s.2)) }
            .field("createdAt") { s, _, _, _ in .leaf(.string(s.3.iso8601)) }
        let append = ObjectResolvers<PlatformContext, OrderedDictionary<String, JSON>>("AppendResult")
            .fallback { o, field, _, _, _ in .leaf(o[field] ?? .null) }
        let agent = ObjectResolvers<PlatformContext, AgentRef>("Agent")
            .field("id") { a, _, _, _ in .leaf(.string(a.id)) }
            .batchField("history") { agents, args, ctx, info in
                let last = try args.count("last", 10, limit: 1_000)
                let payloads = info.selects(anyOf: payloadFields)
                // The last N events of every agent of this level, in one statement: per stream,
                // N rows read backwards from the (tenant, stream, version) index — never the
                // whole stream, however long it has grown. Put in order here, not by the server
                // (a sort of every row was a fifth of the statement's time).
                var streams: [String] = []
                var streamOf: [String: Int] = [:]   // an agent's id (lower case) → its stream's index
                var index: [Int] = []                // each agent's stream index
                for a in agents {
                    let id = a.id.lowercased()
                    if let i = streamOf[id] { index.append(i); continue }
                    streamOf[id] = streams.count
                    index.append(streams.count)
                    streams.append("agent-\(id)")
                }
                // Each row names its stream by its place in the list (no stream id read back).
                // The list goes through a sub-select, `unnest((SELECT $1))`: for `unnest($1)` of
                // an array parameter PostgreSQL estimates as many rows as the array has when it
                // plans for the values given and 10 when it plans for any, so a list of fewer
                // than 10 looks cheaper planned anew, and PostgreSQL planned this statement again
                // on every execution (so did a one-tenant usage read: a quarter of
                // TenantOverview's database time). Behind the sub-select both estimates are the
                // same and the prepared statement keeps its generic plan.
                let rows = try await ctx.db {
                    try await $0.query("""
                        SELECT s.i, \(unsafeRaw: payloads ? columns : columnsWithoutPayloads)
                        FROM unnest((SELECT \(streams)::text[])) WITH ORDINALITY AS s(sid, i)
                        CROSS JOIN LATERAL (SELECT * FROM events e WHERE e.stream_id = s.sid
                                            ORDER BY e.stream_version DESC LIMIT \(last)) x
                        """)
                }
                var byStream = [[(version: Int, event: Event)]](repeating: [], count: streams.count)
                for r in rows {
                    let e = Event(r)
                    let i = try r.decode("i", as: Int.self) - 1
                    guard byStream.indices.contains(i) else { continue }
                    byStream[i].append((try e.version, e))
                }
                for i in byStream.indices { byStream[i].sort { $0.version < $1.version } }
                return index.map { i in .list(byStream[i].map { .object($0.event, event) }) }
            }

        s.query
            .asyncField("stream") { _, a, ctx, info in
                let id = a.string("streamId") ?? "", from = a.int("fromVersion") ?? 1, first = try a.count("first", 100, limit: 1_000)
                let payloads = info.selects(anyOf: payloadFields, depth: 2)   // stream { events { data } }
                let (rows, version) = try await ctx.db { c in
                    let rows = try await c.query("""
                        SELECT \(unsafeRaw: payloads ? columns : columnsWithoutPayloads) FROM events WHERE stream_id = \(id) AND stream_version >= \(from)
                        ORDER BY stream_version LIMIT \(first)
                        """)
                    let v = try await c.query("SELECT coalesce(max(stream_version), 0)::int8 AS v FROM events WHERE stream_id = \(id)").first!.decode("v", as: Int.self)
                    return (rows, v)
                }
                if version == 0 { return .null }
                return .object((id, version, rows.map(Event.init)), stream)
            }
            .asyncField("events") { _, a, ctx, info in
                let after = a.int("after") ?? 0, first = try a.count("first", 100, limit: 1_000)
                let payloads = info.selects(anyOf: payloadFields, depth: 2)   // events { events { data } }
                let type = a.string("type")   // "" filters too: no event has that type
                let since = a.string("since").flatMap(\.iso8601Date), until = a.string("until").flatMap(\.iso8601Date)
                if a.string("since") != nil && since == nil || a.string("until") != nil && until == nil {
                    throw GraphQLError("since and until are ISO 8601 times.", code: "BAD_USER_INPUT")
                }
                // Up to the store's horizon: appends run side by side, and an append in flight
                // may hold a position below one already committed (a page ending past it would
                // make the next page skip it).
                let rows = try await ctx.ownReadCommitted { c in
                    let horizon = try await EventFeed.horizon(c, after: after)
                    if horizon <= after { return PostgresRows.empty }
                    return try await c.query("""
                        SELECT \(unsafeRaw: payloads ? columns : columnsWithoutPayloads) FROM events
                        WHERE global_position > \(after) AND global_position <= \(horizon) AND (\(type)::text IS NULL OR type = \(type))
                          AND (\(since)::timestamptz IS NULL OR occurred_at >= \(since)) AND (\(until)::timestamptz IS NULL OR occurred_at < \(until))
                        ORDER BY global_position LIMIT \(first + 1)
                        """)
                }
                let events = rows.map(Event.init)
                let pageEvents = Array(events.prefix(first))
                return .object((pageEvents, try pageEvents.last?.position ?? after, events.count > first), page)
            }
            .asyncField("latestSnapshot") { _, a, ctx, _ in
                let id = a.string("streamId") ?? ""
                let row = try await ctx.db {
                    try await $0.query("SELECT stream_id, stream_version, state::text AS state, created_at FROM snapshots WHERE stream_id = \(id) ORDER BY stream_version DESC LIMIT 1").first
                }
                guard let row else { return .null }
                return .object((try row.decode("stream_id"), try row.decode("stream_version"), try row.decode("state"), try row.decode("created_at")), snapshot)
            }

        s.mutation!
            .asyncField("appendEvents") { _, a, ctx, _ in
                guard let tenant = try await ctx.tenantID() else { throw GraphQLError("This operation needs a tenant.", code: "UNAUTHENTICATED") }
                let id = a.string("streamId") ?? "", expected = a.int("expectedVersion") ?? 0
                let items = a.list("events") ?? []
                guard !id.allSatisfy(\.isWhitespace), !items.isEmpty else {
                    throw GraphQLError("streamId (not blank) and at least one event are required.", code: "BAD_USER_INPUT")
                }
                guard items.count <= maxEventsPerAppend else {
                    throw GraphQLError("An append may hold at most \(maxEventsPerAppend) events; this one has \(items.count).", code: "BAD_USER_INPUT",
                                       extensions: ["maxEvents": .int(maxEventsPerAppend)])
                }
                guard id.utf8.count <= 200 else { throw GraphQLError("streamId may be at most 200 bytes.", code: "BAD_USER_INPUT") }
                // The agents subgraph's streams hold the transitions it writes (what the read
                // models and the task subscriptions follow): nobody else appends to them.
                guard !PlatformStreams.isReserved(id) else {
                    throw GraphQLError("Streams named agent-… and task-… are written by the agents subgraph only.", code: "BAD_USER_INPUT")
                }
                let ids = TimeOrderedUUID.make(items.count)
                var types: [String] = [], data: [String] = [], meta: [String] = []
                var causes: [String] = [], correlations: [String] = []
                for (i, item) in items.enumerated() {
                    let o = item.objectValue ?? [:]
                    for key in ["data", "metadata"] {
                        try JSONPayload.check(o[key]?.stringValue ?? "{}", "events[\(i)].\(key)", maxBytes: maxPayloadBytes)
                    }
                    for key in ["causationId", "correlationId"] {
                        if let text = o[key]?.stringValue, PostgresUUID.parse(text) == nil {
                            throw GraphQLError("events[\(i)].\(key) must be a UUID.", code: "BAD_USER_INPUT")
                        }
                    }
                    let type = o["type"]?.stringValue ?? ""
                    guard !type.allSatisfy(\.isWhitespace), type.utf8.count <= 200 else {
                        throw GraphQLError("events[\(i)].type must be 1 to 200 bytes, not blank.", code: "BAD_USER_INPUT")
                    }
                    types.append(type)
                    data.append(o["data"]?.stringValue ?? "{}"); meta.append(o["metadata"]?.stringValue ?? "{}")
                    causes.append(o["causationId"]?.stringValue ?? ""); correlations.append(o["correlationId"]?.stringValue ?? "")
                }
                do {
                    // One round trip: the version check, the insert and the commit (with other
                    // appends of the tenant that waited for their turn with this one). The append
                    // lock (taken by the insert) is held for the server's time only, and a stream
                    // not at the expected version inserts nothing and says where it is.
                    let written = try await ctx.append(EventAppend(stream: id, expectedVersion: expected, ids: ids, types: types, data: data,
                                                                   metadata: meta, causationIDs: causes, correlationIDs: correlations),
                                                       tenant: tenant)
                    guard written.streamVersion == expected, written.written == items.count else {
                        throw GraphQLError("Stream \(id) is at version \(written.streamVersion), not \(expected).", code: "CONFLICT",
                                           extensions: ["currentVersion": .int(written.streamVersion)])
                    }
                    PlatformMetrics.eventsAppended(tenant: ctx.tenantSlug, types: types)
                    return .object(["streamId": .string(id), "fromVersion": .int(expected + 1), "toVersion": .int(expected + items.count),
                                    "firstPosition": .int(written.firstPosition ?? 0), "lastPosition": .int(written.lastPosition ?? 0)], append)
                } catch let e as PostgresError where e.isUniqueViolation {
                    // Another append won the race for the same version: nothing of ours was written.
                    // Where the stream is now, as the ordinary stale-version conflict says.
                    let current = try? await ctx.db {
                        try await $0.query("SELECT coalesce(max(stream_version), 0)::int8 AS v FROM events WHERE stream_id = \(id)").first?.decode("v", as: Int.self)
                    }
                    throw GraphQLError("Stream \(id) was appended to concurrently; expected version \(expected) is stale.", code: "CONFLICT",
                                       extensions: (current ?? nil).map { ["currentVersion": .int($0)] })
                }
            }
            .asyncField("saveSnapshot") { _, a, ctx, _ in
                guard let tenant = try await ctx.tenantID() else { throw GraphQLError("This operation needs a tenant.", code: "UNAUTHENTICATED") }
                let id = a.string("streamId") ?? "", version = a.int("version") ?? 0, state = a.string("state") ?? "{}"
                try JSONPayload.check(state, "state", maxBytes: maxSnapshotBytes)
                let row = try await ctx.db { c in
                    // A snapshot is of a version the stream has.
                    guard try await c.query("SELECT 1 FROM events WHERE stream_id = \(id) AND stream_version = \(version)").first != nil else {
                        throw GraphQLError("Stream \(id) has no version \(version).", code: "BAD_USER_INPUT")
                    }
                    return try await c.query("""
                        INSERT INTO snapshots (tenant_id, stream_id, stream_version, state) VALUES (\(tenant), \(id), \(version), \(state)::jsonb)
                        ON CONFLICT (tenant_id, stream_id, stream_version) DO UPDATE SET state = excluded.state, created_at = now()
                        RETURNING stream_id, stream_version, state::text AS state, created_at
                        """).first!
                }
                return .object((try row.decode("stream_id"), try row.decode("stream_version"), try row.decode("state"), try row.decode("created_at")), snapshot)
            }
        s.entity("Agent") { reps, _ in reps.map { r in r["id"]?.stringValue.map { .object(AgentRef(id: $0), agent) } ?? .null } }
        s.entity("Event") { reps, ctx in
            let ids = reps.compactMap { $0["id"]?.stringValue.flatMap(PostgresUUID.parse) }
            let rows = try await ctx.db { try await $0.query("SELECT \(unsafeRaw: columns) FROM events WHERE event_id = ANY(\(ids))") }
            var byID: [String: Event] = [:]
            for r in rows { let e = Event(r); byID[PostgresUUID.text(try e.id)] = e }
            return reps.map { r in r["id"]?.stringValue.flatMap { byID[$0.lowercased()] }.map { .object($0, event) } ?? .null }
        }
        // The tenant's new events, read under its own tenant scope by the process's event feed.
        s.subscription?.asyncField("events") { _, a, ctx, _ in
            guard let tenant = try await ctx.tenantID() else { throw GraphQLError("This subscription needs a tenant.", code: "UNAUTHENTICATED") }
            // Compared by bytes, as the store compares them (`COLLATE "C"`): `String ==` takes
            // canonically equivalent text (`é` and `e` + U+0301) as equal.
            let streamID = a.string("streamId").map { Array($0.utf8) }
            let types = a.list("types").map { $0.compactMap { $0.stringValue.map { Array($0.utf8) } } }
            let feed = try await EventFeed.of(ctx.pool).subscribe(tenant: tenant) { e in
                (streamID == nil || e.streamID.utf8.elementsEqual(streamID!)) && (types == nil || types!.contains { $0.elementsEqual(e.type.utf8) })
            }
            // Pulled: the feed's bounded buffer is the only one between it and the subscriber.
            return .stream(PullStream.map(feed) { e in Output.object(Event(e.row), event) })
        }
        return s
    }
}

/// This module, as the gateway finds it (see `PlatformSubgraph`).
public let platformSubgraph = PlatformSubgraph(name: "events") { sdl, _ in try EventsSubgraph.make(sdl: sdl) }
