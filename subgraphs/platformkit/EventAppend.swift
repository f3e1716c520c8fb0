import Foundation
import Postgres

/// One append to a stream of the event store, its events checked and ready to write.
public struct EventAppend: Sendable {
    public let stream: String
    public let expectedVersion: Int
    public let ids: [UUID]
    public let types: [String]
    public let data: [String]
    public let metadata: [String]
    /// "" for none.
    public let causationIDs: [String]
    public let correlationIDs: [String]

    public init(stream: String, expectedVersion: Int, ids: [UUID], types: [String], data: [String], metadata: [String],
                causationIDs: [String], correlationIDs: [String]) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.ids = ids
        self.types = types
        self.data = data
        self.metadata = metadata
        self.causationIDs = causationIDs
        self.correlationIDs = correlationIDs
    }

    public var count: Int { ids.count }

    /// The indices of `batch` by stream name (byte order). A batch written in this order takes
    /// its places in the unique key on (tenant, stream, version) in the same order as any other
    /// batch in flight that shares streams with it, so neither can wait for the other while
    /// holding what the other waits for (a deadlock).
    static func inStreamOrder(_ batch: [EventAppend]) -> [Int] {
        batch.indices.sorted { batch[$0].stream.utf8.lexicographicallyPrecedes(batch[$1].stream.utf8) }
    }

    /// What an append found and wrote.
    public struct Outcome: Sendable {
        /// The stream's version before the statement: the expected one, or the append wrote nothing.
        public let streamVersion: Int
        /// How many events it wrote (all or none), and their first and last positions.
        public let written: Int
        public let firstPosition: Int?
        public let lastPosition: Int?
    }

    /// Writes `appends` (distinct streams, one tenant's) in one statement: each stream's
    /// version is checked against what its append expects, the appends that match are inserted
    /// (each one's events in version order), and each append's outcome comes back at its index.
    /// The append lock is taken by the insert (the `events_serialize` trigger). Rows go in by
    /// index, so callers order a batch by stream name (`inStreamOrder`).
    static func statement(_ appends: [EventAppend], tenant: UUID) -> PostgresQuery {
        var index: [Int] = [], streams: [String] = [], expected: [Int] = []
        var of: [Int] = [], ids: [UUID] = [], versions: [Int] = [], types: [String] = [], data: [String] = []
        var metadata: [String] = [], causes: [String] = [], correlations: [String] = []
        let total = appends.reduce(0) { $0 + $1.count }
        of.reserveCapacity(total); ids.reserveCapacity(total); versions.reserveCapacity(total)
        for (k, a) in appends.enumerated() {
            index.append(k); streams.append(a.stream); expected.append(a.expectedVersion)
            for i in 0..<a.count {
                of.append(k); versions.append(a.expectedVersion + i + 1)
            }
            ids += a.ids; types += a.types; data += a.data; metadata += a.metadata
            causes += a.causationIDs; correlations += a.correlationIDs
        }
        return """
            WITH heads AS (
                SELECT r.k, r.s, r.e, (SELECT coalesce(max(stream_version), 0)::int8 FROM events WHERE tenant_id = \(tenant) AND stream_id = r.s) AS version
                FROM unnest(\(index)::int8[], \(streams)::text[], \(expected)::int8[]) AS r(k, s, e)),
            added AS (
                INSERT INTO events (tenant_id, event_id, stream_id, stream_version, type, data, metadata, causation_id, correlation_id)
                SELECT \(tenant), x.i, h.s, x.v, x.t, x.d::jsonb, x.m::jsonb, nullif(x.ca, '')::uuid, nullif(x.co, '')::uuid
                FROM unnest(\(of)::int8[], \(ids)::uuid[], \(versions)::int8[], \(types)::text[], \(data)::text[], \(metadata)::text[],
                            \(causes)::text[], \(correlations)::text[]) AS x(k, i, v, t, d, m, ca, co)
                JOIN heads h ON h.k = x.k
                WHERE h.version = h.e
                ORDER BY x.k, x.v
                RETURNING stream_id, global_position)
            SELECT h.k, h.version, count(a.global_position)::int8 AS written,
                   min(a.global_position) AS first_position, max(a.global_position) AS last_position
            FROM heads h LEFT JOIN added a ON a.stream_id = h.s
            GROUP BY h.k, h.version
            """
    }
}
