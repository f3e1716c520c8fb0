import Foundation
import GraphQLCore
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// GraphQL over SSE, single connection mode (graphql-sse's protocol): one event stream carries
/// the results of every operation a client runs, for browsers limited to a few connections per
/// host over HTTP/1.
///
/// On `/graphql/stream` (where distinct connections mode is served as on `/graphql` too):
/// - `PUT` reserves a stream: 201 with a one-time token (text) in the body.
/// - `GET` with the token (the
///   `X-GraphQL-Event-Stream-Token` header, or `?token=` as an `EventSource` sends it, no other
///   credential: the token is the reservation's) opens it:
///   404 for a token not reserved, 409 when its stream is open already (one connection per
///   reservation, ever). The reservation ends with the connection.
/// - `POST` with the token header and `extensions.operationId` runs an operation (with the
///   reservation alone too: its results wait for the stream to connect):
///   202, and its results go through the stream as `event: next` with `{"id", "payload"}`, then
///   `event: complete` with `{"id"}`. A request refused before execution is answered as GraphQL
///   over HTTP says (its status, the errors in the body); an unknown stream is 404, an
///   `operationId` running already 409.
/// - `DELETE ?operationId=` with the token stops one operation (200).
///
/// Reservations are made and used by one identity: the tenant of the reservation is the tenant
/// of every request that uses its token. At most 10,000 are held, at most 1,000 by one holder (a
/// tenant, or a client address without one: no one drains the rest); one not connected within a
/// minute (by default) lapses. Results waiting for a stream to open are bounded: once a reservation not opened
/// holds 1 MiB of them (or all such reservations 64 MiB), operations posted to it are refused
/// (429) before they run, until the stream opens and takes them.
final class SSEReservations: Sendable {
    static let tokenHeader = HTTPField.Name("X-GraphQL-Event-Stream-Token")!
    static let maxReservations = 10_000
    static let maxPerHolder = 1_000
    static let maxOperations = 100
    /// How long a reservation not connected lasts (`subscriptions.stream_reservation_lapse_ms`).
    let lapse: Duration

    init(lapse: Duration = .seconds(60)) {
        self.lapse = lapse
    }
    /// Bytes of results a reservation not opened yet may hold before its operations are refused,
    /// and all such reservations together.
    static let heldBeforeOpenPerStream = 1 << 20
    static let heldBeforeOpenInAll = 64 << 20

    private struct Reservation {
        /// Its tenant, compared byte for byte (as every tenant lookup is: slugs that differ only
        /// in Unicode normalization are two tenants).
        let tenant: ExactText?
        /// Who holds it: its tenant, or the client address of a request without one.
        let holder: ExactText
        let made: ContinuousClock.Instant
        /// The stream's events: operations run with the reservation alone (graphql-sse), their
        /// events wait for the connection (within the room below).
        let stream: AsyncStream<[UInt8]>
        var events: AsyncStream<[UInt8]>.Continuation?
        /// Room for events between the operations and the stream's writer.
        var room: EventRoom?
        var opened = false
        var operations: [String: Task<Void, Never>] = [:]
        /// Operation ids taken by requests still being run (before their results stream).
        var claimed: Set<String> = []
        /// Claimed ids stopped (DELETE) while their request ran: their results are not sent.
        var stoppedEarly: Set<String> = []
        /// Bytes of the events its operations made that its client has not been written yet.
        var held = 0
    }
    private let reservations = Mutex<[String: Reservation]>([:])
    /// Bytes held by reservations not opened yet (`Reservation.held` of each).
    private let heldBeforeOpen = Atomic<Int>(0)

    /// A new reservation's token; nil when too many are held, in all or by its holder.
    func reserve(tenant: String?, client: String?) -> String? {
        let holder = ExactText(tenant.map { "tenant:" + $0 } ?? "client:" + (client ?? ""))
        let now = ContinuousClock.now
        return reservations.withLock { r in
            // A reservation never connected lapses, with the operations it ran.
            for (token, lapsed) in r where !lapsed.opened && now - lapsed.made >= lapse {
                heldBeforeOpen.subtract(lapsed.held, ordering: .relaxed)
                lapsed.room?.close()
                lapsed.operations.values.forEach { $0.cancel() }
                r[token] = nil
            }
            guard r.count < Self.maxReservations, r.values.lazy.filter({ $0.holder == holder }).count < Self.maxPerHolder else { return nil }
            let token = UUID().uuidString.lowercased() + UUID().uuidString.lowercased()
            let (stream, events) = AsyncStream<[UInt8]>.makeStream()
            r[token] = Reservation(tenant: tenant.map(ExactText.init), holder: holder, made: now, stream: stream, events: events, room: EventRoom(capacity: Self.eventsInFlight))
            // It lapses on its own (not only when someone reserves next): the operations posted
            // to a stream never opened stop then, and give their subscriptions' places back.
            Task { [weak self, lapse] in
                try? await Task.sleep(for: lapse)
                self?.lapseIfNotOpened(token)
            }
            return token
        }
    }

    /// Ends the reservation if its stream was never opened.
    private func lapseIfNotOpened(_ token: String) {
        let lapsed = reservations.withLock { r -> Reservation? in
            guard let reservation = r[token], !reservation.opened else { return nil }
            heldBeforeOpen.subtract(reservation.held, ordering: .relaxed)
            return r.removeValue(forKey: token)
        }
        lapsed?.room?.close()
        lapsed?.operations.values.forEach { $0.cancel() }
    }

    enum Opening { case opened(AsyncStream<[UInt8]>, EventRoom), notFound, alreadyOpen }

    /// The reservation's event stream, opened once. The token is the credential (graphql-sse: a
    /// browser's `EventSource` sends no headers): whoever reserved it opens it.
    func open(_ token: String) -> Opening {
        reservations.withLock { r in
            guard var reservation = r[token] else { return .notFound }
            guard !reservation.opened, let room = reservation.room else { return .alreadyOpen }
            // Lapsed, and not swept yet: as good as gone.
            guard ContinuousClock.now - reservation.made < lapse else { return .notFound }
            reservation.opened = true
            heldBeforeOpen.subtract(reservation.held, ordering: .relaxed)
            r[token] = reservation
            return .opened(reservation.stream, room)
        }
    }

    /// The stream's connection ended: its operations stop and the reservation ends.
    func close(_ token: String) {
        let removed = reservations.withLock { r in
            let removed = r.removeValue(forKey: token)
            if let removed, !removed.opened { heldBeforeOpen.subtract(removed.held, ordering: .relaxed) }
            return removed
        }
        removed?.room?.close()
        for task in removed?.operations.values.map({ $0 }) ?? [] { task.cancel() }
    }

    /// Events written to a stream's client and not yet taken: operations wait for room beyond
    /// this (their subscriptions' bounded channels then find a client that reads too slowly).
    static let eventsInFlight = 16

    enum Start { case started, notFound, conflict, tooMany, resultsWaiting, shuttingDown }

    /// Takes operation id `id` of the stream for a request about to run (before anything runs:
    /// an id in use, a full stream or an unknown one refuses the request, not its results).
    func claim(_ token: String, tenant: String?, id: String) -> Start {
        reservations.withLock { r in
            if isDraining { return .shuttingDown }
            guard var reservation = r[token], reservation.tenant == tenant.map(ExactText.init), reservation.events != nil else { return .notFound }
            guard reservation.operations[id] == nil, !reservation.claimed.contains(id) else { return .conflict }
            guard reservation.operations.count + reservation.claimed.count < Self.maxOperations else { return .tooMany }
            guard reservation.opened || (reservation.held < Self.heldBeforeOpenPerStream
                                         && heldBeforeOpen.load(ordering: .relaxed) < Self.heldBeforeOpenInAll) else { return .resultsWaiting }
            reservation.claimed.insert(id)
            r[token] = reservation
            return .started
        }
    }

    /// The claimed id's request ended without results to stream.
    func release(_ token: String, id: String) {
        reservations.withLock { r in
            r[token]?.claimed.remove(id)
            r[token]?.stoppedEarly.remove(id)
        }
    }

    /// Streams the results of claimed operation `id` (then `complete`); false when the stream
    /// went meanwhile.
    /// A stream the gateway's shutdown ended (`end.goingAway`) sends no `complete`: the stream
    /// itself ends (`drain`) and graphql-sse's client subscribes again.
    func start(_ token: String, id: String, _ payloads: Payloads, end: StreamEnd?) -> Bool {
        reservations.withLock { r in
            guard var reservation = r[token], reservation.claimed.remove(id) != nil,
                  let events = reservation.events, let room = reservation.room else { return false }
            let idJSON = JSON.string(id).text
            let stopped = reservation.stoppedEarly.remove(id) != nil
            let operation = Task { [weak self] in
                // An event is counted as held from when it is made until it is written.
                // (An operation stopped still sends its `complete`.)
                func hand(_ event: [UInt8], stopped: Bool = Task.isCancelled) async -> Bool {
                    self?.hold(token, event.count)
                    guard !stopped, await room.take() else {
                        self?.hold(token, -event.count)
                        return false
                    }
                    events.yield(event)
                    return true
                }
                for await payload in payloads {
                    guard await hand(Array(#"event: next\#ndata: {"id":\#(idJSON),"payload":"#.utf8) + payload + Array("}\n\n".utf8)) else { break }
                }
                // The id stays taken until its `complete` is written to the client (the writer
                // ends it then): results waiting for the stream to open still use it, and the
                // same id sent again meanwhile would mix two operations' events.
                if end?.goingAway == true {
                    self?.finished(token, id)
                } else if await !hand(Array(#"event: complete\#ndata: {"id":\#(idJSON)}\#n\#n"#.utf8), stopped: false) {
                    self?.finished(token, id)
                }
            }
            if stopped { operation.cancel() }
            reservation.operations[id] = operation
            r[token] = reservation
            return true
        }
    }

    /// `bytes` more (or, negative, fewer) held for the stream's client.
    func hold(_ token: String, _ bytes: Int) {
        reservations.withLock { r in
            guard r[token] != nil else { return }
            r[token]!.held += bytes
            if !r[token]!.opened { heldBeforeOpen.add(bytes, ordering: .relaxed) }
        }
    }

    /// The id a `complete` event ends (nil for other events).
    static func completedID(_ event: [UInt8]) -> String? {
        let prefix = Array("event: complete\ndata: ".utf8)
        guard event.count > prefix.count + 2, event.starts(with: prefix),
              let data = try? JSONReader.parse(Array(event[prefix.count..<(event.count - 2)])) else { return nil }
        return data["id"]?.stringValue
    }

    /// Operation `id` of the stream is over: its `complete` was written (or cannot be any more).
    func finished(_ token: String, _ id: String) {
        _ = reservations.withLock { $0[token]?.operations.removeValue(forKey: id) }
    }

    /// Stops operation `id` of the stream; false when it has none by that id.
    /// Whether a reservation of `tenant` holds `token` (what a stop is sent to).
    func holds(_ token: String, tenant: String?) -> Bool {
        reservations.withLock { $0[token].map { $0.tenant == tenant.map(ExactText.init) } ?? false }
    }

    /// Stops operation `id` of the stream `token` names; false when there is no such operation.
    /// One whose request still runs is stopped as its results come (none is sent).
    @discardableResult
    func stop(_ token: String, tenant: String?, id: String) -> Bool {
        let (task, claimed) = reservations.withLock { r -> (Task<Void, Never>?, Bool) in
            guard r[token]?.tenant == tenant.map(ExactText.init) else { return (nil, false) }
            if r[token]?.claimed.contains(id) == true {
                r[token]!.stoppedEarly.insert(id)
                return (nil, true)
            }
            return (r[token]?.operations[id], false)
        }
        task?.cancel()
        return task != nil || claimed
    }

    /// Shutting down: no reservation, stream or operation begins any more (503), and each stream
    /// ends once its operations have — the requests still running under it first (a mutation's
    /// result goes through the stream), then what they stream (the subscriptions end as going
    /// away, with no `complete`; queries and mutations send their results). Streams drain side by
    /// side; a reservation never opened gives up its operations' events (no one would take them).
    func drain() async {
        let (tokens, unopened) = reservations.withLock { r -> ([String], [EventRoom]) in
            draining.store(true, ordering: .releasing)
            return (Array(r.keys), r.values.filter { !$0.opened }.compactMap(\.room))
        }
        unopened.forEach { $0.close() }
        await withTaskGroup(of: Void.self) { group in
            for token in tokens { group.addTask { await self.drain(token) } }
        }
    }

    /// (Cancelled — `shutdown_timeout_ms` is over —, the stream ends at once with its operations:
    /// waiting on operations whose events no client takes kept the process from exiting, probe 54A.)
    private func drain(_ token: String) async {
        await withTaskCancellationHandler {
            var awaited = Set<String>()
            while !Task.isCancelled {
                let (running, operations) = reservations.withLock { r -> (Bool, [(String, Task<Void, Never>)]) in
                    guard let reservation = r[token] else { return (false, []) }
                    return (!reservation.claimed.isEmpty, reservation.operations.filter { !awaited.contains($0.key) }.map { ($0.key, $0.value) })
                }
                if !running && operations.isEmpty { break }
                for (id, operation) in operations {
                    await operation.value
                    awaited.insert(id)
                }
                if running { try? await Task.sleep(for: .milliseconds(10)) }
            }
            // What the operations handed over is still written (a finished stream gives what it holds first).
            reservations.withLock { $0[token]?.events?.finish() }
        } onCancel: {
            self.close(token)
        }
    }

    /// Set by `drain`: reservations, streams and operations are refused (the gateway stops).
    private let draining = Atomic<Bool>(false)
    var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// The token a request carries (the header, else `?token=`).
    static func token(_ request: Request) -> String? {
        request.headers[tokenHeader] ?? request.uri.queryParameters["token"].map(String.init)
    }
}

extension GraphQLHTTPHandler {
    /// `PUT /graphql`: a reservation (201 and its token).
    func reserve(_ request: Request, client: String?) async -> Response {
        let start = ContinuousClock.now
        guard runtime.isLoaded else { return ResponseWriting.notLoaded }
        let accepted = ResponseWriting.Accepted(best: .graphQLResponse)
        do throws(Admission.Refusal) {
            let (context, _) = try await admission.admit(request, accepted, client: client)
            guard !runtime.sseReservations.isDraining else {
                return ResponseWriting.shuttingDown
            }
            guard let token = runtime.sseReservations.reserve(tenant: context.tenant, client: client) else {
                return ResponseWriting.plain(503, "Too many event stream reservations; try again later.")
            }
            return Response(status: .created, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: token)))
        } catch {
            runtime.refused(error, since: start)
            return error.response(for: request.headers, tracing: runtime.configuration.tracing)
        }
    }

    /// `GET /graphql` with a reservation's token: its event stream, open until the client leaves.
    func openStream(_ request: Request, token: String, client: String?, channel: (any Channel)? = nil) async -> Response {
        // No admission here: the reservation's (its PUT was admitted, and the token, 244 random
        // bits, is its credential), so an `EventSource` without an Authorization header opens it.
        let events: AsyncStream<[UInt8]>, room: EventRoom
        guard !runtime.sseReservations.isDraining else {
            return ResponseWriting.shuttingDown
        }
        switch runtime.sseReservations.open(token) {
        case .notFound: return ResponseWriting.plain(404, "Stream not found: reserve one with PUT first.")
        case .alreadyOpen: return ResponseWriting.plain(409, "Stream already open.")
        case .opened(let stream, let r): (events, room) = (stream, r)
        }
        let reservations = runtime.sseReservations
        let keepAlive = Duration.milliseconds(Int64(runtime.configuration.subscriptions.keepAliveMs))
        // The reservation ends with the connection — also when the body never runs: a client that
        // resets the connection before the response's head is written left it open for good,
        // and a second GET was 409 with no connection behind it (probe 54A: one client held
        // every reservation). The lease ends it when the body is dropped unrun.
        let lease = StreamLease(reservations, token)
        let settings = runtime.configuration.subscriptions, gate = runtime.subscriptions
        return Response(status: .ok, headers: [.contentType: ResponseWriting.eventStreamType, .cacheControl: "no-cache"],
                        body: ResponseBody { writer in
            defer { lease.end() }
            // A write that does not complete for `slow_consumer_grace_ms + slow_close_timeout_ms`
            // (its client takes nothing — or so little that a large result stays queued that long)
            // drops the connection, as a WebSocket's is: the operations waiting to hand it their
            // results would hold them all.
            let progress = WriteProgress()
            let watchdog = Task {
                let limit = Duration.milliseconds(settings.slowConsumerGraceMs + settings.slowCloseTimeoutMs)
                while !Task.isCancelled {
                    try? await Task.sleep(for: max(.milliseconds(50), limit / 4))
                    guard progress.stalled(for: limit) else { continue }
                    if channel?.isActive == true { gate.droppedTooSlow() }
                    channel?.close(promise: nil)
                    lease.end()
                    return
                }
            }
            defer { watchdog.cancel() }
            // Events and keep-alive ticks (nil) in one sequence, an event at a time: a client
            // that left is noticed at the next write even when no operation runs.
            let paced = PacedItems(events, keepAlive: keepAlive)
            defer { paced.cancel() }
            // A client that leaves ends the stream when it does (`StreamInputWatch`), not at the
            // write after next.
            if let channel {
                StreamInputWatch.whenClientLeaves(channel, id: ObjectIdentifier(paced)) { paced.cancel() }
            }
            defer { if let channel { StreamInputWatch.stopWatching(channel, id: ObjectIdentifier(paced)) } }
            // The stream is open for the client at once (its `EventSource` fires `open`).
            try await progress.writing { try await writer.write(ByteBuffer(string: ":\n\n")) }
            for await item in paced.items {
                guard let event = item else {
                    try await progress.writing { try await writer.write(ByteBuffer(string: ":\n\n")) }
                    continue
                }
                try await progress.writing { try await writer.write(ByteBuffer(bytes: event)) }
                paced.written()
                reservations.hold(token, -event.count)
                room.give()
                if let id = SSEReservations.completedID(event) { reservations.finished(token, id) }
            }
            try await writer.finish(nil)
        })
    }

    /// `POST /graphql` with a reservation's token: the operation runs, its results go through
    /// the stream (202); a request refused before execution is answered here.
    func postToStream(_ request: Request, token: String, client: String?) async -> Response {
        let start = ContinuousClock.now
        guard runtime.isLoaded else { return ResponseWriting.notLoaded }
        // Answers here are one GraphQL response (the results go through the stream).
        var accepted = ResponseWriting.negotiate(request.headers[.accept]) ?? ResponseWriting.Accepted(best: .graphQLResponse)
        if accepted.best == .eventStream || accepted.best == .multipart { accepted = ResponseWriting.Accepted(best: accepted.single ?? .graphQLResponse) }
        accepted.stream = nil
        accepted.incremental = nil
        do throws(Admission.Refusal) {
            try csrf.check(request.headers, accepted)
            let (context, profile) = try await admission.admit(request, accepted, client: client)
            guard case .one(let graphQLRequest) = try await decode(request, context, profile, accepted) else {
                return ResponseWriting.error(400, "A batch cannot run through an event stream.", "BAD_REQUEST", accepted)
            }
            guard let id = graphQLRequest.extensions["operationId"]?.stringValue, !id.isEmpty, id.utf8.count <= 256 else {
                return ResponseWriting.error(400, "An operation sent to an event stream needs extensions.operationId (1 to 256 bytes).", "BAD_REQUEST", accepted)
            }
            let reservations = runtime.sseReservations
            // The id is taken before the operation runs: a request refused here runs nothing (a
            // mutation under an id in use has no effect, a subscription opens nothing).
            switch reservations.claim(token, tenant: context.tenant, id: id) {
            case .started: break
            case .notFound: return ResponseWriting.plain(404, "Stream not found.")
            case .conflict: return ResponseWriting.plain(409, "An operation with id \(id) is running on this stream.")
            case .tooMany: return ResponseWriting.plain(429, "At most \(SSEReservations.maxOperations) operations run on one stream.")
            case .shuttingDown: return ResponseWriting.shuttingDown
            case .resultsWaiting:
                return ResponseWriting.plain(429, "Results waiting for this stream to open fill its room: open it (GET) before sending more operations.")
            }
            var streaming = context
            streaming.acceptsStream = true
            streaming.acceptsIncremental = true
            let outcome = await runtime.run(profile.pipeline, graphQLRequest, .post, streaming, timeoutMs: profile.limits.requestTimeoutMs)
            guard outcome.status == 200, !outcome.refusedBeforeExecution else {
                reservations.release(token, id: id)
                return ResponseWriting.response(outcome, accepted)
            }
            guard reservations.start(token, id: id, outcome.payloads, end: outcome.streamEnd) else { return ResponseWriting.plain(404, "Stream not found.") }
            return Response(status: .accepted)
        } catch {
            runtime.refused(error, since: start)
            return error.response(for: request.headers, tracing: runtime.configuration.tracing)
        }
    }

    /// `DELETE /graphql?operationId=` with a reservation's token: that operation stops.
    func stopOnStream(_ request: Request, client: String?) async -> Response {
        guard let token = SSEReservations.token(request) else { return ResponseWriting.plain(404, "Stream not found.") }
        do throws(Admission.Refusal) {
            let (context, _) = try await admission.admit(request, ResponseWriting.Accepted(best: .graphQLResponse), client: client)
            // A token with no stream (never reserved, another tenant's, or its stream gone) is
            // 404 as for POST and GET; an operation the stream does not have (done already) 200.
            guard runtime.sseReservations.holds(token, tenant: context.tenant) else { return ResponseWriting.plain(404, "Stream not found.") }
            guard let id = request.uri.queryParameters["operationId"].map(String.init), !id.isEmpty else {
                return ResponseWriting.plain(400, "operationId is required.")
            }
            runtime.sseReservations.stop(token, tenant: context.tenant, id: id)
            return Response(status: .ok)
        } catch {
            return error.response(for: request.headers, tracing: runtime.configuration.tracing)
        }
    }
}

/// A single-connection stream's hold on its reservation: ended once, by the stream's end or by
/// the response body being dropped without running (its connection gone before the head).
final class StreamLease: Sendable {
    private let reservations: SSEReservations
    private let token: String
    private let ended = Atomic<Bool>(false)
    init(_ reservations: SSEReservations, _ token: String) {
        self.reservations = reservations
        self.token = token
    }
    func end() {
        guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
        reservations.close(token)
    }
    deinit { end() }
}

/// Whether a stream's write has been waiting on its client for too long.
final class WriteProgress: Sendable {
    private let since = Mutex<ContinuousClock.Instant?>(nil)
    func writing<T>(_ body: () async throws -> T) async rethrows -> T {
        since.withLock { $0 = .now }
        defer { since.withLock { $0 = nil } }
        return try await body()
    }
    func stalled(for limit: Duration) -> Bool {
        since.withLock { s in s.map { ContinuousClock.now - $0 >= limit } ?? false }
    }
}

/// Room for a few events between producers and a consumer: a producer takes room before it hands
/// an event over, the consumer gives it back once the event is taken. Closed with the stream
/// (`take` then says false at once). A single-connection SSE stream's operations and its writer; a
/// remote subscription's socket reader and its plan (`HTTPTransport.subscribe`).
final class EventRoom: Sendable {
    private struct State {
        var free: Int
        var closed = false
        var waiting: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID = 0
    }
    private let state: Mutex<State>

    init(capacity: Int) { state = Mutex(State(free: capacity)) }

    /// Waits for room; false when the stream is closed (or the waiting task cancelled).
    func take() async -> Bool {
        let id = state.withLock { s -> Int? in
            if s.closed { return -1 }
            if s.free > 0 { s.free -= 1; return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return true }
        if id < 0 { return false }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { s -> Bool? in
                    if s.closed || Task.isCancelled { return false }
                    if s.free > 0 { s.free -= 1; return true }
                    s.waiting.append((id, continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
                guard let i = s.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiting.remove(at: i).continuation
            }
            waiter?.resume(returning: false)
        }
    }

    /// An event was written: its room goes to the next waiting operation.
    func give() {
        let next = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            if !s.waiting.isEmpty { return s.waiting.removeFirst().continuation }
            s.free += 1
            return nil
        }
        next?.resume(returning: true)
    }

    func close() {
        let waiting = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            s.closed = true
            defer { s.waiting = [] }
            return s.waiting.map(\.continuation)
        }
        for w in waiting { w.resume(returning: false) }
    }
}
