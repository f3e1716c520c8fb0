import Foundation
import GraphQLCore
import Synchronization

/// What one request yields: its status and headers, then its payloads in order — one for a
/// query or mutation, one per event for a subscription. The HTTP layer writes each payload as
/// it comes (as the body, or framed as Server-Sent Events or multipart parts); a stream is not
/// bound by the request timeout, only the work before its first payload is.
public struct Outcome: Sendable {
    public var status: Int
    /// Extra response headers (e.g. `Allow` with 405).
    public var headers: [(String, String)] = []
    public var payloads: Payloads
    /// What the operation was and how it ended (for metrics and the access log).
    public var report = OperationReport()
    /// How a stream ended (set for subscriptions).
    public var streamEnd: StreamEnd?

    /// One payload.
    public init(status: Int, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.headers = headers
        self.payloads = Payloads(one: body)
    }

    /// A stream of payloads (status 200).
    public init(stream: AsyncStream<[UInt8]>) {
        self.status = 200
        self.payloads = Payloads(stream: stream)
    }

    /// A request error (or any result) as the one payload.
    init(status: Int, _ result: ExecutionResult) {
        self.init(status: status, body: result.jsonBytes)
    }

    /// The payload of a one-payload outcome (nil for a stream).
    public var body: [UInt8]? { payloads.one }
}

/// The payloads of an outcome, in order: an `AsyncSequence` of serialised GraphQL responses.
public struct Payloads: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    /// The single payload, when there is exactly one (known without waiting).
    public let one: [UInt8]?
    let stream: AsyncStream<[UInt8]>?

    init(one: [UInt8]) {
        self.one = one
        self.stream = nil
    }

    init(stream: AsyncStream<[UInt8]>) {
        self.one = nil
        self.stream = stream
    }

    public var isStream: Bool { stream != nil }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var one: [UInt8]?
        var stream: AsyncStream<[UInt8]>.AsyncIterator?
        public mutating func next() async -> [UInt8]? {
            if let o = one { one = nil; return o }
            return await stream?.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(one: one, stream: stream?.makeAsyncIterator()) }
}

/// How a stream of payloads ended: whether its consumer fell behind (its bounded buffer
/// filled), so the transport closes it with a clear code.
public final class StreamEnd: Sendable {
    private let behind = Atomic<Bool>(false)
    public init() {}
    public var fellBehind: Bool { behind.load(ordering: .acquiring) }
    func markFellBehind() { behind.store(true, ordering: .releasing) }
}

/// Live subscriptions of one gateway: at most `maxPerTenant` per tenant (anonymous ones count
/// together), and how many run now.
public final class SubscriptionGate: Sendable {
    let maxPerTenant: Int?
    private let counts = Mutex<[String: Int]>([:])
    private let live = Atomic<Int>(0)
    public init(maxPerTenant: Int?) { self.maxPerTenant = maxPerTenant }

    /// Takes a place for the tenant, or nil when it has no place left.
    func enter(_ tenant: String?) -> Bool {
        counts.withLock { c in
            let key = tenant ?? ""
            if let max = maxPerTenant, c[key, default: 0] >= max { return false }
            c[key, default: 0] += 1
            return true
        }
    }

    func leave(_ tenant: String?) {
        counts.withLock { c in
            let key = tenant ?? ""
            c[key, default: 1] -= 1
            if c[key] == 0 { c[key] = nil }
        }
    }

    func started() { live.wrappingAdd(1, ordering: .relaxed) }
    func ended() { live.wrappingSubtract(1, ordering: .relaxed) }

    /// How to end each live stream (completed normally: clients see `complete`).
    private let finishers = Mutex<(draining: Bool, byID: [UUID: @Sendable () -> Void])>((false, [:]))

    /// Registers a live stream's finisher; false once draining (the stream is ended at once).
    func register(_ id: UUID, _ finish: @escaping @Sendable () -> Void) -> Bool {
        finishers.withLock { f in
            guard !f.draining else { return false }
            f.byID[id] = finish
            return true
        }
    }

    func unregister(_ id: UUID) { _ = finishers.withLock { $0.byID.removeValue(forKey: id) } }

    /// Shutting down: every live stream completes now, and new ones complete at once.
    func drain() {
        let all = finishers.withLock { f -> [@Sendable () -> Void] in
            f.draining = true
            defer { f.byID = [:] }
            return Array(f.byID.values)
        }
        all.forEach { $0() }
    }
    /// Subscriptions whose source stream is running now.
    public var liveCount: Int { live.load(ordering: .relaxed) }
}
