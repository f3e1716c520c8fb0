import CoreMetrics
import Synchronization

/// What the platform's subgraphs count, through swift-metrics (the gateway bootstraps it with
/// Prometheus and exports `GET /metrics`; without a bootstrap these are no-ops).
///
/// Label values stay bounded: tenants are slugs that resolved to a tenant of the tenants table,
/// event types are the first `maxEventTypes` distinct ones seen, at most 50 from one tenant (later
/// ones count as `other`),
/// and `metrics.tenant_label: false` drops the tenant label everywhere.
public enum PlatformMetrics {
    /// Whether series carry a `tenant` label (set once by the gateway from its configuration).
    public static let tenantLabels = Atomic<Bool>(true)
    public static let maxEventTypes = 200
    /// The tenant slug of the request being executed (set around each in-process request).
    @TaskLocal public static var requestTenant: String?
    /// Event types are a tenant's own strings: each tenant adds at most 50 of the 200.
    private static let eventTypes = BoundedLabelValues(limit: maxEventTypes, perOwner: 50, other: "other")

    /// The tenant dimension of a series (none when tenant labels are off).
    public static func tenant(_ slug: String?) -> [(String, String)] {
        tenantLabels.load(ordering: .relaxed) ? [("tenant", slug ?? "none")] : []
    }

    /// `switchyard_events_appended_total{tenant, type}`.
    public static func eventsAppended(tenant slug: String?, types: [String]) {
        var counts: [String: Int] = [:]
        for t in types { counts[t, default: 0] += 1 }
        for (type, n) in counts {
            let label = eventTypes.label(type, owner: slug ?? "")
            Counter(label: "switchyard_events_appended_total", dimensions: tenant(slug) + [("type", label)]).increment(by: n)
        }
    }

    /// `switchyard_tasks_total{state}`: tasks entering a state.
    public static func taskEntered(_ state: String) {
        Counter(label: "switchyard_tasks_total", dimensions: [("state", state)]).increment()
    }

    /// `switchyard_dataproduct_cache_hits_total` / `_misses_total`.
    public static func dataProductCache(hits: Int, misses: Int) {
        if hits > 0 { Counter(label: "switchyard_dataproduct_cache_hits_total").increment(by: hits) }
        if misses > 0 { Counter(label: "switchyard_dataproduct_cache_misses_total").increment(by: misses) }
    }

    /// `switchyard_projection_position{projection}` and `switchyard_projection_lag_events{projection}`.
    public static func projection(_ name: String, position: Int, head: Int) {
        Gauge(label: "switchyard_projection_position", dimensions: [("projection", name)]).record(position)
        Gauge(label: "switchyard_projection_lag_events", dimensions: [("projection", name)]).record(max(0, head - position))
    }
}

/// Label values that come from outside (clients, tenants, subgraphs): the first `limit` distinct
/// ones are labels of their own, each owner (a tenant; "" for none) adding at most `perOwner` of
/// them; any other value is `other` — the series a process keeps stay bounded, and one owner's new
/// values cannot use up everyone's. A value one owner added is a label for every owner.
public final class BoundedLabelValues: Sendable {
    private struct State {
        var seen: Set<String> = []
        var added: [String: Int] = [:]
    }
    private let state = Mutex(State())
    public let limit: Int
    public let perOwner: Int
    public let other: String

    public init(limit: Int, perOwner: Int, other: String) {
        self.limit = limit
        self.perOwner = perOwner
        self.other = other
    }

    public func label(_ value: String, owner: String = "") -> String {
        state.withLock { s in
            if s.seen.contains(value) { return value }
            guard s.seen.count < limit, s.added[owner, default: 0] < perOwner else { return other }
            s.seen.insert(value)
            s.added[owner, default: 0] += 1
            return value
        }
    }
}
