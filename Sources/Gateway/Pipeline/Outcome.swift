import Foundation
import GraphQLCore
import CoreMetrics
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
    /// The payloads are one incremental response (`@defer`: `hasNext` in each), not a
    /// subscription's results: multipart parts go unwrapped, as the `deferSpec` says.
    public var incremental = false
    /// An incremental response's later payloads as they go: the operation is counted and logged
    /// when its last one is out, with their errors (its first payload knows nothing of them).
    var incrementalRecord: IncrementalRecord?
    /// The GraphQL request was refused before execution (it does not parse, validate, select an
    /// operation, coerce its variables or keep within the limits): a client that asked for
    /// Server-Sent Events gets these errors as a `next` event of an accepted stream (GraphQL
    /// over SSE), others as the status says.
    public var refusedBeforeExecution = false

    /// One payload.
    public init(status: Int, body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.headers = headers
        self.payloads = Payloads(one: body)
    }

    /// A stream of payloads (status 200).
    init(stream: PayloadChannel) {
        self.status = 200
        self.payloads = Payloads(channel: stream)
    }

    /// A request error (or any result) as the one payload.
    init(status: Int, _ result: consuming ExecutionResult) {
        self.init(status: status, body: (consume result).serialized())
    }

    /// The payload of a one-payload outcome (nil for a stream).
    public var body: [UInt8]? { payloads.one }
}

/// The payloads of an outcome, in order: an `AsyncSequence` of serialised GraphQL responses.
public struct Payloads: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    /// The single payload, when there is exactly one (known without waiting).
    public let one: [UInt8]?
    let channel: PayloadChannel?
    /// Held by these payloads and every iterator over them: when the last is gone, the consumer
    /// has left, whether or not it read to the end or was cancelled (a transport that stops
    /// after a failed write, or that never starts) — the stream is ended and its subscription
    /// released then.
    let consumer: Consumer?

    init(one: [UInt8]) {
        self.one = one
        self.channel = nil
        self.consumer = nil
    }

    init(channel: PayloadChannel) {
        self.one = nil
        self.channel = channel
        self.consumer = Consumer(channel)
    }

    public var isStream: Bool { channel != nil }

    final class Consumer: Sendable {
        let channel: PayloadChannel
        init(_ channel: PayloadChannel) { self.channel = channel }
        deinit { channel.consumerLeft() }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var one: [UInt8]?
        let channel: PayloadChannel?
        let consumer: Consumer?
        public mutating func next() async -> [UInt8]? {
            if let o = one { one = nil; return o }
            return await channel?.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(one: one, channel: channel, consumer: consumer) }
}

/// The bounded queue between a subscription and the transport writing it to its client. The
/// producer waits for room (a burst does not end a subscriber that keeps reading); when there is
/// none within `grace`, the subscriber is too slow and `send` says so. The consumer leaving (its
/// task cancelled) or `finish` ends it; `onTermination` runs once either way.
final class PayloadChannel: Sendable {
    private struct State {
        var buffer: [[UInt8]] = []
        var finished = false
        var terminated = false
        var reader: CheckedContinuation<[UInt8]?, Never>?
        var writer: (id: Int, continuation: CheckedContinuation<Bool, Never>)?
        var nextWriter = 0
    }
    private let state = Mutex(State())
    let capacity: Int
    let grace: Duration
    private let termination = Mutex<(@Sendable () -> Void)?>(nil)

    init(capacity: Int, grace: Duration) {
        self.capacity = max(1, capacity)
        self.grace = grace
    }

    /// Runs once, when the stream ends for either side.
    func onTermination(_ body: @escaping @Sendable () -> Void) { termination.withLock { $0 = body } }

    enum SendResult { case sent, tooSlow, closed }

    /// Queues a payload, waiting up to `grace` for room.
    func send(_ payload: [UInt8]) async -> SendResult {
        enum Step { case done(SendResult, CheckedContinuation<[UInt8]?, Never>?), wait }
        let step = state.withLock { s -> Step in
            if s.finished || s.terminated { return .done(.closed, nil) }
            if let reader = s.reader {
                s.reader = nil
                return .done(.sent, reader)
            }
            if s.buffer.count < capacity {
                s.buffer.append(payload)
                return .done(.sent, nil)
            }
            return .wait
        }
        switch step {
        case .done(let result, let reader):
            reader?.resume(returning: payload)
            return result
        case .wait:
            let id = state.withLock { s -> Int in s.nextWriter += 1; return s.nextWriter }
            let room: Bool = await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { s -> Bool in
                    if s.terminated || s.finished || s.buffer.count < capacity { return true }
                    s.writer = (id, continuation)
                    return false
                }
                if resumeNow { continuation.resume(returning: true) }
                let grace = self.grace
                Task { [weak self] in
                    try? await Task.sleep(for: grace)
                    let waiting = self?.state.withLock { s -> CheckedContinuation<Bool, Never>? in
                        guard let w = s.writer, w.id == id else { return nil }
                        s.writer = nil
                        return w.continuation
                    }
                    waiting?.resume(returning: false)
                }
            }
            if state.withLock({ $0.finished || $0.terminated }) { return .closed }
            guard room else { return .tooSlow }
            return await send(payload)
        }
    }

    /// A last payload whatever the room (the too-slow notice), unless the consumer is gone.
    func forceLast(_ payload: [UInt8]) { push(payload) }

    /// Queues a payload whatever the room, unless the consumer is gone (a producer that has its
    /// few payloads at hand: an incremental response).
    func push(_ payload: [UInt8]) {
        let reader = state.withLock { s -> CheckedContinuation<[UInt8]?, Never>? in
            guard !s.terminated, !s.finished else { return nil }
            if let r = s.reader { s.reader = nil; return r }
            s.buffer.append(payload)
            return nil
        }
        reader?.resume(returning: payload)
    }

    /// The producer is done: the consumer gets what is queued, then the end.
    func finish() { finish(unlessFinished: nil) }

    /// Ends the stream for a reason of the gateway's with a last payload saying why, in one step:
    /// nothing the producer sends meanwhile goes after it. Nothing when it ended already.
    func finish(last payload: [UInt8]) {
        let (reader, writer) = state.withLock { s -> (CheckedContinuation<[UInt8]?, Never>?, CheckedContinuation<Bool, Never>?) in
            guard !s.terminated, !s.finished else { return (nil, nil) }
            s.finished = true
            defer { s.reader = nil; s.writer = nil }
            if s.reader == nil { s.buffer.append(payload) }
            return (s.reader, s.writer?.continuation)
        }
        writer?.resume(returning: false)
        reader?.resume(returning: payload)
    }

    /// Finishes the channel for a reason of the gateway's (`mark` says which, in the same step),
    /// unless its source finished it first: a stream whose source ended just before the
    /// gateway's shutdown still ends as completed.
    func finishIfOpen(_ mark: @escaping () -> Void) { finish(unlessFinished: mark) }

    private func finish(unlessFinished mark: (() -> Void)?) {
        let (reader, writer) = state.withLock { s -> (CheckedContinuation<[UInt8]?, Never>?, CheckedContinuation<Bool, Never>?) in
            if let mark {
                guard !s.finished else { return (nil, nil) }
                mark()
            }
            s.finished = true
            defer { s.reader = nil; s.writer = nil }
            return (s.buffer.isEmpty ? s.reader : nil, s.writer?.continuation)
        }
        writer?.resume(returning: false)
        if let reader {
            reader.resume(returning: nil)
            terminate()
        }
    }

    func next() async -> [UInt8]? {
        await withTaskCancellationHandler {
            enum Step { case value([UInt8]?), wait }
            let (step, writer) = state.withLock { s -> (Step, CheckedContinuation<Bool, Never>?) in
                if !s.buffer.isEmpty {
                    let first = s.buffer.removeFirst()
                    let w = s.writer?.continuation
                    s.writer = nil
                    return (.value(first), w)
                }
                if s.finished || s.terminated { return (.value(nil), nil) }
                return (.wait, nil)
            }
            writer?.resume(returning: true)
            switch step {
            case .value(let v):
                if v == nil { terminate() }
                return v
            case .wait:
                return await withCheckedContinuation { continuation in
                    let now = state.withLock { s -> [UInt8]?? in
                        if !s.buffer.isEmpty { return .some(s.buffer.removeFirst()) }
                        if s.finished || s.terminated { return .some(nil) }
                        s.reader = continuation
                        return .none
                    }
                    if let now { continuation.resume(returning: now) }
                }
            }
        } onCancel: {
            terminate()
        }
    }

    /// Nothing reads the payloads any more (see `Payloads.consumer`).
    func consumerLeft() { terminate() }

    /// The consumer left (or the stream ended): wakes both sides and runs `onTermination` once.
    private func terminate() {
        let (reader, writer, first) = state.withLock { s -> (CheckedContinuation<[UInt8]?, Never>?, CheckedContinuation<Bool, Never>?, Bool) in
            let first = !s.terminated
            s.terminated = true
            defer { s.reader = nil; s.writer = nil; s.buffer = [] }
            return (s.reader, s.writer?.continuation, first)
        }
        reader?.resume(returning: nil)
        writer?.resume(returning: false)
        if first, let body = termination.withLock({ b -> (@Sendable () -> Void)? in defer { b = nil }; return b }) { body() }
    }
}

/// How a stream of payloads ended: whether its consumer fell behind (its bounded buffer
/// filled), so the transport closes it with a clear code; or whether the gateway is going away
/// (shutting down), so the transport ends it without saying it completed — its client
/// subscribes again, to the next gateway.
public final class StreamEnd: Sendable {
    private let behind = Atomic<Bool>(false)
    private let away = Atomic<Bool>(false)
    private let callback = Mutex<(@Sendable () -> Void)?>(nil)
    public init() {}
    public var fellBehind: Bool { behind.load(ordering: .acquiring) }
    /// The stream was ended by the gateway's shutdown, not by its source.
    public var goingAway: Bool { away.load(ordering: .acquiring) }
    func markGoingAway() { away.store(true, ordering: .releasing) }
    /// Runs when the consumer is found too slow (the transport closes its connection).
    /// (At once when it fell behind already.)
    public func onFellBehind(_ body: @escaping @Sendable () -> Void) {
        let now = callback.withLock { c -> Bool in
            if behind.load(ordering: .acquiring) { return true }
            c = body
            return false
        }
        if now { body() }
    }
    func markFellBehind() {
        callback.withLock { b in
            behind.store(true, ordering: .releasing)
            defer { b = nil }
            return b
        }?()
    }
}

/// Live subscriptions of one gateway: at most `maxPerTenant` per tenant (anonymous ones count
/// together), and how many run now.
public final class SubscriptionGate: Sendable {
    let maxPerTenant: Int?
    /// By tenant slug, compared byte for byte (as the tenants' table compares them).
    private let counts = Mutex<[ExactText: Int]>([:])
    private let live = Atomic<Int>(0)
    public init(maxPerTenant: Int?) { self.maxPerTenant = maxPerTenant }

    /// Takes a place for the tenant, or nil when it has no place left.
    func enter(_ tenant: String?) -> Bool {
        counts.withLock { c in
            let key = ExactText(tenant ?? "")
            if let max = maxPerTenant, c[key, default: 0] >= max { return false }
            c[key, default: 0] += 1
            return true
        }
    }

    func leave(_ tenant: String?) {
        counts.withLock { c in
            let key = ExactText(tenant ?? "")
            c[key, default: 1] -= 1
            if c[key] == 0 { c[key] = nil }
        }
    }

    func started() { live.wrappingAdd(1, ordering: .relaxed) }
    func ended() { live.wrappingSubtract(1, ordering: .relaxed) }

    /// A subscriber fell its buffer behind for longer than its grace and was ended
    /// (`SUBSCRIBER_TOO_SLOW`): counted here and in `switchyard_subscriptions_too_slow_total`.
    func fellBehind() {
        tooSlow.wrappingAdd(1, ordering: .relaxed)
        Counter(label: "switchyard_subscriptions_too_slow_total").increment()
    }
    private let tooSlow = Atomic<Int>(0)

    /// A too-slow subscriber's connection was dropped, its last payload not taken within
    /// `slow_close_timeout_ms`: counted here and in `switchyard_subscriptions_dropped_total`.
    func droppedTooSlow() {
        dropped.wrappingAdd(1, ordering: .relaxed)
        Counter(label: "switchyard_subscriptions_dropped_total").increment()
    }
    private let dropped = Atomic<Int>(0)
    /// Too-slow subscribers whose connections were dropped since the gateway started.
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }
    /// Subscribers ended for being too slow since the gateway started.
    public var tooSlowCount: Int { tooSlow.load(ordering: .relaxed) }

    /// How to end each live stream (as going away: `StreamEnd.goingAway`).
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

    /// Shutting down: every live stream ends now (going away), and new ones end at once.
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

/// What an incremental response's later payloads said (whether any carried errors, and the
/// first error's code) and when its last one went; `whenDone` runs once, at that end (at once
/// if it came already).
final class IncrementalRecord: Sendable {
    private struct State {
        var hadErrors = false
        var code: String?
        var done = false
        var onDone: (@Sendable (_ hadErrors: Bool, _ code: String?) -> Void)?
    }
    private let state = Mutex(State())

    /// A later payload (`{"incremental":[…],"hasNext":…}`, or `{"errors":…}` for one that failed whole).
    func saw(_ payload: [UInt8]) {
        // Most payloads carry no error: only one whose bytes name errors is read.
        guard payload.count >= 9, contains(payload, Array(#""errors":"#.utf8)), case .object(let o)? = try? JSONReader.parse(payload) else { return }
        var errors: [JSON] = o["errors"]?.arrayValue ?? []
        for part in o["incremental"]?.arrayValue ?? [] { errors += part["errors"]?.arrayValue ?? [] }
        guard let first = errors.first else { return }
        state.withLock { s in
            s.hadErrors = true
            if s.code == nil { s.code = first["extensions"]?["code"]?.stringValue }
        }
    }

    private func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        return bytes.withUnsafeBufferPointer { b in
            (0...(b.count - needle.count)).contains { i in b[i] == needle[0] && needle.indices.allSatisfy { b[i + $0] == needle[$0] } }
        }
    }

    func finish() {
        let call = state.withLock { s -> (@Sendable (Bool, String?) -> Void, Bool, String?)? in
            guard !s.done else { return nil }
            s.done = true
            defer { s.onDone = nil }
            return s.onDone.map { ($0, s.hadErrors, s.code) }
        }
        if let (f, hadErrors, code) = call { f(hadErrors, code) }
    }

    func whenDone(_ f: @escaping @Sendable (_ hadErrors: Bool, _ code: String?) -> Void) {
        let now = state.withLock { s -> (Bool, String?)? in
            if s.done { return (s.hadErrors, s.code) }
            s.onDone = f
            return nil
        }
        if let (hadErrors, code) = now { f(hadErrors, code) }
    }
}
