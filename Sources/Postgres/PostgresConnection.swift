import CoreMetrics
import CLibPQ
import CLibSSL
import Dispatch
import Foundation
import IOReadiness
import Synchronization
import Tracing

/// One libpq connection, driven with libpq's asynchronous API: the task that sends a statement
/// (non-blocking: `PQsendQueryPrepared`, `PQpipelineSync`, `PQflush`) waits for the socket on
/// `ReadinessLoop`, then reads what arrived (`PQconsumeInput`, `PQisBusy`, `PQgetResult`). No
/// libpq call waits for the network, and no thread is blocked per connection.
///
/// One task at a time drives the connection (holds its turn). Statements that other tasks send
/// meanwhile (the subgraph requests of one query sharing its read transaction) wait for the turn
/// and then go together in one round trip (libpq's pipeline mode), each with a sync of its own:
/// each gets its own answer or error as if run one after another.
///
/// A connection is checked out of the pool by one request at a time (the pool guarantees it).
public final class PostgresConnection: @unchecked Sendable {
    /// libpq's connection and what this session prepared: touched only by the task that holds
    /// the turn (see `turn`), or while nobody holds it (the pool's checks between uses).
    private var conn: OpaquePointer?
    private var socket: Int32 = -1
    /// Set when the connection was lost on the way (it is reopened on the next checkout).
    private var broken = false
    /// Syncs sent by `sendUnanswered` whose results are not read yet: read (and dropped) ahead of
    /// the next exchange's own. Touched holding the turn, or while nobody holds it.
    private var unread = 0
    /// `statement_timeout` set on every (re)connect, if any.
    let statementTimeoutMs: Int?
    /// libpq's cancel handle for the open connection (`PQcancel` may be called from any thread).
    private let cancelHandle = Mutex(CancelHandle())
    /// libpq's `PGcancel*` (thread-safe to use; owned and freed by this connection).
    private struct CancelHandle: @unchecked Sendable { var pointer: OpaquePointer? }
    private let statementCounter = Atomic<UInt64>(0)
    private let cancelled = Atomic<UInt64>(0)
    private let loop = ReadinessLoop.shared

    private struct State {
        /// A task holds the turn to drive the connection.
        var driving = false
        /// Tasks waiting for the turn (statements, and exclusive users such as a pipeline).
        var waiting: [Waiting] = []
        /// Statements sent and not answered yet (a cancel is sent only for one of these).
        var running: [UInt64] = []
        /// `PQcancel` calls under way: until they have returned nobody gets the turn, so that a
        /// cancel meant for a statement that ended meanwhile cannot reach the next user's (the
        /// server cancels whatever the session runs when the request arrives).
        var cancelsInFlight = 0
        var closeWhenDone = false
        /// Statements that go ahead of the next statement sent, in its round trip (`sendWithNext`).
        var opening: [PostgresQuery] = []
        /// The transaction was committed by its last statement (`queryAndCommit`).
        var committed = false
        /// While set, statements are held until it says the request's work all waits.
        var gate: (any StatementGate)?
        /// Statements held for the gate (in order).
        var held: [Waiting] = []
        var readBudget: ReadBudget?
    }
    private struct Waiting: Sendable {
        /// nil: the task wants the connection to itself (a pipeline, a reconnect, …).
        let query: PostgresQuery?
        let id: UInt64
        let continuation: CheckedContinuation<Turn, any Error>
        /// The gate the statement was held for (told when it runs again).
        var gate: (any StatementGate)? = nil
    }
    private enum Turn: Sendable {
        case answered(PostgresRows)
        case drive
    }
    private let state = Mutex(State())

    /// This session's prepared statements, by statement text and parameter types. A statement
    /// run again skips the server's parse and plan; past `preparedLimit` distinct statements,
    /// new ones run unprepared (no churn, no DEALLOCATE).
    private var prepared: [PreparedKey: Prepared] = [:]
    /// A statement prepared on this session; `binary` when every column of its result is of a
    /// type the client reads in binary (`PostgresBinary`), so it runs with binary results.
    private struct Prepared {
        let name: String
        let binary: Bool
    }
    /// Statements prepared on the server (those forgotten after a schema change included, until
    /// they are deallocated), and a counter for their names.
    private var preparedOnServer = 0
    private var preparedCount = 0
    static let preparedLimit = 256
    private struct PreparedKey: Hashable {
        let sql: String
        let types: [Oid]
        init(_ query: PostgresQuery) {
            sql = query.sql
            types = query.binds.map { Oid($0.oid) }
        }
    }
    let conninfo: String
    let statistics: PostgresStatistics

    init(conninfo: String, statistics: PostgresStatistics, statementTimeoutMs: Int? = nil) {
        self.conninfo = conninfo
        self.statistics = statistics
        self.statementTimeoutMs = statementTimeoutMs
    }

    deinit {
        finish()
        cancelHandle.withLock { h in if let p = h.pointer { PQfreeCancel(p) } }
    }

    /// Opens a connection from a `postgres://` URL or a `key=value` string; an empty string
    /// uses libpq's environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
    /// `PGSSLMODE`...). TLS follows libpq's `sslmode`. A cancelled task stops connecting.
    public static func connect(_ conninfo: String, statistics: PostgresStatistics = PostgresStatistics(),
                               statementTimeoutMs: Int? = nil) async throws -> PostgresConnection {
        let c = PostgresConnection(conninfo: conninfo, statistics: statistics, statementTimeoutMs: statementTimeoutMs)
        try await c.exclusive(id: 0) { try await c.open() }
        return c
    }

    /// Reopens the connection (after the server restarted or the socket broke).
    public func reconnect() async throws {
        try await exclusive(id: 0) { try await self.open() }
    }

    // MARK: Turns

    /// Waits for the turn to drive the connection, or (for a statement) for its answer from the
    /// task that drove it together with its own.
    private func turn(_ query: PostgresQuery?, id: UInt64) async throws -> Turn {
        let free = state.withLock { s in
            guard !s.driving, s.cancelsInFlight == 0 else { return false }
            s.driving = true
            return true
        }
        if free { return .drive }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
            let queued = state.withLock { s in
                guard s.driving || s.cancelsInFlight > 0 else { s.driving = true; return false }
                s.waiting.append(Waiting(query: query, id: id, continuation: continuation))
                return true
            }
            if !queued { continuation.resume(returning: .drive) }
        }
    }

    /// Holds `query` until the gate finds the request's work idle, then hands it the turn (the
    /// first held statement drives, the others go with it) or queues them behind the driver.
    private func heldTurn(_ query: PostgresQuery, id: UInt64, gate: any StatementGate) async throws -> Turn {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
            let first = state.withLock { s in
                s.held.append(Waiting(query: query, id: id, continuation: continuation, gate: gate))
                return s.held.count == 1
            }
            if first { gate.whenIdle { [weak self] in self?.sendHeld() } }
            gate.waitBegan()
        }
    }

    /// Sends the held statements: in one round trip, by the first of them if the connection is
    /// free, else behind the task that drives it.
    private func sendHeld() {
        let next = state.withLock { s -> Waiting? in
            guard !s.held.isEmpty else { return nil }
            s.waiting.append(contentsOf: s.held)
            s.held = []
            guard !s.driving, s.cancelsInFlight == 0 else { return nil }
            s.driving = true
            return s.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .drive)
    }

    /// While `gate` is set, each statement waits until the gate says the request's work is idle
    /// (`StatementGate`), and the statements held by then go together in one round trip: the
    /// parallel fetches of one plan level send theirs at once instead of one after another.
    /// nil sends what is held and stops holding.
    /// While set, every statement's result is charged to it: the one that takes it past its
    /// limit fails (`readLimitExceeded`), and so does every later one.
    public var readBudget: ReadBudget? {
        get { state.withLock { $0.readBudget } }
        set { state.withLock { $0.readBudget = newValue } }
    }

    public func holdStatements(_ gate: (any StatementGate)?) {
        state.withLock { $0.gate = gate }
        if gate == nil { sendHeld() }
    }

    /// Hands the turn to the task that waited longest, or leaves the connection idle (closing
    /// it first if that was asked for meanwhile).
    private func endTurn() {
        while true {
            let (next, close) = state.withLock { s -> (Waiting?, Bool) in
                if s.closeWhenDone {
                    s.closeWhenDone = false
                    return (nil, true)
                }
                // A cancel under way hands the turn on when it has been delivered.
                if !s.waiting.isEmpty, s.cancelsInFlight == 0 { return (s.waiting.removeFirst(), false) }
                s.driving = false
                return (nil, false)
            }
            if close {
                finish()
                continue
            }
            next?.continuation.resume(returning: .drive)
            return
        }
    }

    /// Runs `body` holding the turn, alone.
    private func exclusive<T>(id: UInt64, _ body: () async throws -> T) async throws -> T {
        _ = try await turn(nil, id: id)
        defer { endTurn() }
        if id != 0 && cancelled.load(ordering: .acquiring) == id { throw CancellationError() }
        return try await body()
    }

    /// Asks the server to cancel statement `id` if it runs; one still waiting for the turn never
    /// runs. `PQcancel` opens a short connection of its own, off the caller's thread.
    private func cancel(statement id: UInt64) {
        cancelled.store(id, ordering: .releasing)
        let waiting = state.withLock { s -> Waiting? in
            if let i = s.waiting.firstIndex(where: { $0.id == id }) { return s.waiting.remove(at: i) }
            if let i = s.held.firstIndex(where: { $0.id == id }) { return s.held.remove(at: i) }
            return nil
        }
        if let waiting {
            waiting.gate?.waitEnded()
            waiting.continuation.resume(throwing: CancellationError())
            return
        }
        // Running (or about to): the turn is held back from the next user until `PQcancel` has
        // returned — by then the server has the request, and a session that finished the
        // statement meanwhile ignores it while it waits for a command; a later user's statement
        // is not sent before that.
        state.withLock { $0.cancelsInFlight += 1 }
        DispatchQueue.global().async { [self] in
            cancelHandle.withLock { h in
                guard let p = h.pointer, state.withLock({ $0.running.contains(id) }) else { return }
                var message = [CChar](repeating: 0, count: 256)
                _ = PQcancel(p, &message, 256)
            }
            cancelDelivered()
        }
    }

    /// A `PQcancel` call returned: with none left and nobody driving, the turn goes to the task
    /// that waited longest.
    private func cancelDelivered() {
        let next = state.withLock { s -> Waiting? in
            s.cancelsInFlight -= 1
            guard s.cancelsInFlight == 0, !s.driving, !s.waiting.isEmpty else { return nil }
            s.driving = true
            return s.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .drive)
    }

    /// Asks the server to stop the statement it runs for this connection now (`PQcancel`, which
    /// opens a short connection of its own: off this task's thread), and waits for the request to
    /// be delivered. Called holding the turn, so that it reaches no later user's statement.
    private func cancelRunning() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [self] in
                cancelHandle.withLock { h in
                    guard let p = h.pointer else { return }
                    var message = [CChar](repeating: 0, count: 256)
                    _ = PQcancel(p, &message, 256)
                }
                done.resume()
            }
        }
    }

    // MARK: Opening and closing

    /// Connects without blocking (`PQconnectStart`, `PQconnectPoll` on socket readiness), then
    /// sets the session up. Holding the turn.
    private func open() async throws {
        finish()
        prepared.removeAll()
        preparedOnServer = 0
        broken = false
        _ = openSSLKeepsStateAtExit
        guard let c = PQconnectStart(Self.withDefaults(conninfo)) else { throw PostgresError(.connectionFailed, "out of memory") }
        func failed(_ c: OpaquePointer) -> PostgresError {
            let message = String(cString: PQerrorMessage(c)).trimmingCharacters(in: .whitespacesAndNewlines)
            return PostgresError(.connectionFailed, "could not connect to the database", serverMessage: message)
        }
        guard PQstatus(c) != CONNECTION_BAD else {
            let error = failed(c)
            PQfinish(c)
            throw error
        }
        // libpq: start as if PQconnectPoll had asked to write.
        var polling = PGRES_POLLING_WRITING
        while polling != PGRES_POLLING_OK {
            guard polling != PGRES_POLLING_FAILED else {
                let error = failed(c)
                PQfinish(c)
                throw error
            }
            do {
                try await loop.wait(PQsocket(c), writable: polling == PGRES_POLLING_WRITING, cancellable: true)
            } catch {
                PQfinish(c)
                if error is CancellationError { throw error }
                throw PostgresError(.connectionFailed, "could not connect to the database", serverMessage: "\(error)")
            }
            polling = PQconnectPoll(c)
        }
        conn = c
        socket = PQsocket(c)
        PQsetnonblocking(c, 1)
        // Server notices (NOTICE, WARNING) are not errors; libpq would print them to stderr.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        let timeout = statementTimeoutMs.map { "; SET statement_timeout = \(max(0, $0))" } ?? ""
        do {
            try await simpleExchange(c, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET application_name = 'switchyard'" + timeout)
        } catch {
            finish()
            throw PostgresError(.connectionFailed, "session setup failed", serverMessage: (error as? PostgresError)?.serverMessage)
        }
        let handle = CancelHandle(pointer: PQgetCancel(c))
        cancelHandle.withLock { h in
            if let p = h.pointer { PQfreeCancel(p) }
            h = handle
        }
    }

    /// Closes libpq's connection (its socket unwatched first).
    private func finish() {
        guard let c = conn else { return }
        loop.forget(socket)
        PQfinish(c)
        conn = nil
        socket = -1
        unread = 0
    }

    /// Closes the connection now, or when the task that drives it is done.
    public func close() {
        let now = state.withLock { s in
            guard !s.driving else { s.closeWhenDone = true; return false }
            s.driving = true
            return true
        }
        guard now else { return }
        finish()
        endTurn()
    }

    /// `gssencmode=disable` unless the connection string chooses: libpq otherwise probes for
    /// Kerberos encryption on every TCP connect (a round trip, and libkrb5 state that can abort
    /// a process exiting while a connect is in flight).
    static func withDefaults(_ conninfo: String) -> String {
        if conninfo.contains("gssencmode") { return conninfo }
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
            return conninfo + (conninfo.contains("?") ? "&" : "?") + "gssencmode=disable"
        }
        return conninfo + " gssencmode=disable"
    }

    // MARK: Statements

    /// Runs one parameterised statement (never more than one; prepared on first use), in a
    /// client span named by its first keyword, with `db.system` and the statement's text (its
    /// values are bind parameters, never in the text).
    ///
    /// Statements that several tasks send while the connection is busy (or that its gate held,
    /// `holdStatements`) wait together and then go in one round trip, and each gets its own
    /// answer or error: outside a transaction block each has a sync of its own and is its own
    /// implicit transaction; inside one they share a sync, and a statement after a failed one
    /// fails as it would have run alone after it: "current transaction is aborted" (25P02). A
    /// cancelled task cancels its statement on the server (PQcancel), or, if it was still
    /// waiting for the connection, never sends it.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        if query.holdsNUL { throw PostgresError.nulInText }
        return try await driverSpan(Self.spanName(query.sql)) { span in
            if span.isRecording {
                span.attributes["db.system"] = "postgresql"
                span.attributes["db.statement"] = query.sql
            }
            let id = statementCounter.wrappingAdd(1, ordering: .relaxed).newValue
            return try await withTaskCancellationHandler {
                let gate = state.withLock { $0.gate }
                let turn = if let gate { try await heldTurn(query, id: id, gate: gate) } else { try await turn(query, id: id) }
                switch turn {
                case .answered(let rows):
                    return rows
                case .drive:
                    defer { endTurn() }
                    let others = state.withLock { s -> [Waiting] in
                        let statements = s.waiting.filter { $0.query != nil }
                        if !statements.isEmpty { s.waiting.removeAll { $0.query != nil } }
                        return statements
                    }
                    let mine = cancelled.load(ordering: .acquiring) != id
                    let queries = (mine ? [query] : []) + others.map { $0.query! }
                    let results = await runStatements(queries, ids: (mine ? [id] : []) + others.map(\.id))
                    // Every held statement counts as running work again before any of them runs.
                    gate?.waitEnded()
                    for w in others { w.gate?.waitEnded() }
                    for (w, r) in zip(others, results.dropFirst(mine ? 1 : 0)) {
                        w.continuation.resume(with: r.map { .answered($0) })
                    }
                    guard mine else { throw CancellationError() }
                    return try results[0].get()
                }
            } onCancel: {
                self.cancel(statement: id)
            }
        }
    }

    /// Statements submitted to `query` that wait for the connection.
    public var statementsWaiting: Int { state.withLock { s in s.held.count + s.waiting.count { $0.query != nil } } }

    /// Sends `queries` ahead of the next statement, in its round trip and under its sync: a
    /// transaction's `BEGIN` and settings cost no round trip of their own. A failure among them
    /// is the next statement's failure (and the statements of that round trip after it are
    /// skipped: 25P02). If no statement follows, nothing is sent (`dropUnsent`).
    public func sendWithNext(_ queries: [PostgresQuery]) {
        state.withLock { $0.opening += queries }
    }

    /// Forgets statements of `sendWithNext` not sent yet; true when there were some (so the
    /// transaction they would have opened never began).
    @discardableResult
    public func dropUnsent() -> Bool {
        state.withLock { s in
            defer { s.opening = [] }
            return !s.opening.isEmpty
        }
    }

    /// A transaction's last statement, sent with its `COMMIT` in one round trip: the server
    /// commits as soon as the statement has run, without waiting for the caller to read the
    /// answer and send `COMMIT` — so a lock the statement takes (the event store's append lock)
    /// is held for the server's time only, not for a turn of the caller's task on a busy machine.
    /// For the body of `PostgresPool.transaction` or `withTenant` (it then sends no `COMMIT` of
    /// its own); nothing may follow it in the body. A statement that fails leaves the
    /// transaction aborted (the pool rolls it back) and throws its error; a connection lost on
    /// the way throws `commitOutcomeUnknown`. Prepared and run as `query` runs statements.
    public func queryAndCommit(_ query: PostgresQuery) async throws -> PostgresRows {
        if query.holdsNUL { throw PostgresError.nulInText }
        return try await driverSpan(Self.spanName(query.sql)) { span in
            if span.isRecording {
                span.attributes["db.system"] = "postgresql"
                span.attributes["db.statement"] = query.sql + ";\nCOMMIT"
            }
            let id = statementCounter.wrappingAdd(1, ordering: .relaxed).newValue
            return try await withTaskCancellationHandler {
                try await exclusive(id: id) {
                    // No second run after a schema change: the statement may have committed by then.
                    let results = await runStatements([query, "COMMIT"], ids: [id, id], retrying: true, oneSync: true)
                    switch results[0] {
                    case .failure(let e as PostgresError) where e.code == .connectionClosed:
                        throw PostgresError.commitOutcomeUnknown(e)   // lost with the statement and its COMMIT on the way
                    case .failure(let e):
                        throw e            // the statement failed: its COMMIT was skipped
                    case .success(let rows):
                        if case .failure(let e as PostgresError) = results[1], e.code == .connectionClosed { throw PostgresError.commitOutcomeUnknown(e) }
                        _ = try results[1].get()
                        state.withLock { $0.committed = true }
                        return rows
                    }
                }
            } onCancel: {
                self.cancel(statement: id)
            }
        }
    }

    /// Whether `queryAndCommit` ended the transaction (and forgets it).
    public func takeCommitted() -> Bool {
        state.withLock { s in
            defer { s.committed = false }
            return s.committed
        }
    }

    /// Sends `query` (with a sync of its own) and returns once it is on its way, without waiting
    /// for its answer: the answer is read, and dropped, ahead of the next exchange's own. For a
    /// read-only transaction's `COMMIT`, whose outcome changes nothing: the connection can go back
    /// to the pool at once, and its next statement goes out behind the commit in order.
    public func sendUnanswered(_ query: PostgresQuery) async throws {
        try await exclusive(id: 0) {
            guard let conn, !broken else { throw PostgresError(.connectionClosed, "connection is closed") }
            if !takeOpening().isEmpty { return }   // the transaction never began: nothing to end
            statistics.count()
            let sent = PQenterPipelineMode(conn) == 1
                && Self.withParameters(query, types: PreparedKey(query).types) { n, types, values, lengths, formats in
                    PQsendQueryParams(conn, query.sql, n, types, values, lengths, formats, 0)
                } == 1
                && PQpipelineSync(conn) == 1
            guard sent else { throw lost(conn) }
            unread += 1
            while true {
                let flushed = PQflush(conn)
                guard flushed >= 0 else { throw lost(conn) }
                if flushed == 0 { return }
                do { try await loop.wait(socket, writable: true) } catch { throw lost(conn) }
                guard PQconsumeInput(conn) == 1 else { throw lost(conn) }
            }
        }
    }

    /// Reads what is there of the answers `sendUnanswered` left, without waiting; true when every
    /// one is read (the connection then leaves pipeline mode), false when some have not arrived.
    private func readUnreadArrived(_ conn: OpaquePointer) -> Bool {
        guard unread > 0 else { return true }
        guard PQconsumeInput(conn) == 1 else { _ = lost(conn); return false }
        guard dropUnread(conn) else { return false }
        _ = PQexitPipelineMode(conn)
        return true
    }

    /// Drops the answers `sendUnanswered` left that libpq has read; true when none is left.
    private func dropUnread(_ conn: OpaquePointer) -> Bool {
        var ends = 0
        while unread > 0, PQisBusy(conn) == 0 {
            guard let res = PQgetResult(conn) else {
                // The end of a statement's results; twice in a row: nothing is pending at all.
                ends += 1
                if ends > 1 { unread = 0 }
                continue
            }
            ends = 0
            if PQresultStatus(res) == PGRES_PIPELINE_SYNC { unread -= 1 }
            PQclear(res)
        }
        return unread == 0
    }

    /// Takes the statements of `sendWithNext` (holding the turn).
    private func takeOpening() -> [PostgresQuery] {
        state.withLock { s in
            defer { s.opening = [] }
            return s.opening
        }
    }

    /// `SELECT`, `INSERT`, `BEGIN`, … (the statement's first word).
    static func spanName(_ sql: String) -> String {
        let word = sql.utf8.drop { $0 == 32 || $0 == 10 || $0 == 9 || $0 == 40 }.prefix { ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 }
        return word.isEmpty ? "SQL" : String(decoding: word, as: UTF8.self).uppercased()
    }

    /// Runs SQL text that may hold several statements and no parameters (migrations).
    public func simpleQuery(_ sql: String) async throws {
        try await exclusive(id: 0) {
            guard let conn, !broken else { throw PostgresError(.connectionClosed, "connection is closed") }
            let opening = takeOpening()
            if !opening.isEmpty {
                for outcome in await exchange(conn, opening.map { .execute($0, PreparedKey($0).types, prepared: nil, binary: false) } + [.sync]) {
                    if case .failed(let error) = outcome { throw error }
                    if case .skipped = outcome { throw Self.skipped }
                }
            }
            statistics.count()
            try await simpleExchange(conn, sql)
        }
    }

    /// Runs `queries` in one round trip (libpq's pipeline mode): every statement is sent, then one
    /// sync, and the results come back in order. When a statement fails, the server skips the
    /// rest up to the sync and the first error is thrown; outside a transaction block the
    /// statements up to the sync are one implicit transaction, all or nothing. Inside one (a
    /// pipelined `BEGIN` included), a failure leaves it aborted for the caller to roll back.
    /// The connection stays usable either way, unless the server went away.
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresRows] {
        guard !queries.isEmpty else { return [] }
        return try await driverSpan("PIPELINE") { span in
            if span.isRecording {
                span.attributes["db.system"] = "postgresql"
                span.attributes["db.statement"] = queries.map(\.sql).joined(separator: ";\n")
            }
            let id = statementCounter.wrappingAdd(1, ordering: .relaxed).newValue
            return try await withTaskCancellationHandler {
                try await exclusive(id: id) {
                    guard let conn, !broken else { throw PostgresError(.connectionClosed, "connection is closed") }
                    let opening = takeOpening()
                    var steps: [Step] = []
                    for query in opening + queries {
                        statistics.count()
                        let key = PreparedKey(query)
                        let p = prepared[key]
                        steps.append(.execute(query, key.types, prepared: p?.name, binary: p?.binary ?? false))
                    }
                    steps.append(.sync)
                    state.withLock { $0.running = [id] }
                    let started = ContinuousClock.now
                    let outcomes = await exchange(conn, steps)
                    state.withLock { $0.running = [] }
                    record(started, times: queries.count)
                    // The first failure in order is the statement's own; those after it were skipped.
                    return try outcomes.dropLast().enumerated().compactMap { i, outcome -> PostgresRows? in
                        if i < opening.count {
                            if case .failed(let error) = outcome { throw error }
                            return nil
                        }
                        switch outcome {
                        case .rows(let rows): return rows
                        case .failed(let error): throw error
                        case .skipped: throw Self.skipped
                        case .done, .described: return .empty
                        }
                    }
                }
            } onCancel: {
                self.cancel(statement: id)
            }
        }
    }

    /// Runs statements of one or more tasks in one round trip, each with a sync of its own (so
    /// each gets its own outcome). One not prepared yet is prepared in the same round trip
    /// (Parse, Describe, then Execute with text results; binary from its next run on).
    private func runStatements(_ queries: [PostgresQuery], ids: [UInt64], retrying: Bool = false,
                               deallocating: [String] = [], oneSync forced: Bool = false) async -> [Result<PostgresRows, any Error>] {
        guard !queries.isEmpty else { return [] }
        guard let conn, !broken else { return queries.map { _ in .failure(PostgresError(.connectionClosed, "connection is closed")) } }
        if queries.count > 1 { statistics.countPipelined(queries.count) }
        var steps: [Step] = []
        for name in deallocating {
            steps.append(.execute(PostgresQuery(unsafeSQL: "DEALLOCATE " + name), [], prepared: nil, binary: false))
            steps.append(.sync)
        }
        let first = steps.count
        // Statements sent ahead (a transaction's BEGIN): they and every statement of this round
        // trip share one sync, so that if one fails the rest are skipped — none may run outside
        // the transaction the opening would have begun.
        let opening = takeOpening()
        var groups: [Range<Int>] = []
        var keys: [PreparedKey] = []
        var preparing: Set<PreparedKey> = []
        /// Appends a statement's steps (prepared on its first run); its key.
        func append(_ query: PostgresQuery) -> PreparedKey {
            statistics.count()
            let key = PreparedKey(query)
            if let p = prepared[key] {
                steps.append(.execute(query, key.types, prepared: p.name, binary: p.binary))
            } else if preparedOnServer + preparing.count < Self.preparedLimit, preparing.insert(key).inserted {
                preparedCount += 1
                let name = "switchyard_\(preparedCount)"
                steps.append(.prepare(name, key))
                steps.append(.describe(name))
                steps.append(.execute(query, key.types, prepared: name, binary: false))
            } else {
                // Unprepared (the limit is reached, or another statement of this round trip
                // prepares the same text: it must not depend on that one's outcome).
                steps.append(.execute(query, key.types, prepared: nil, binary: false))
            }
            return key
        }
        var openingKeys: [PreparedKey] = []
        for query in opening { openingKeys.append(append(query)) }
        let openingSteps = steps.count
        // Inside a transaction block the statements share one sync too: a failure aborts the
        // transaction, so those after it would fail anyway (25P02, as their skip reads), and one
        // sync is one write to the socket (libpq flushes at every sync) and one answer to read.
        let oneSync = forced || !opening.isEmpty || [PQTRANS_INTRANS, PQTRANS_INERROR].contains(PQtransactionStatus(conn))
        for (i, query) in queries.enumerated() {
            let start = i == 0 ? first : steps.count
            keys.append(append(query))
            if !oneSync || i == queries.count - 1 { steps.append(.sync) }
            groups.append(start..<steps.count)
        }
        state.withLock { $0.running = ids }
        let started = ContinuousClock.now
        let outcomes = await exchange(conn, steps)
        state.withLock { $0.running = [] }
        record(started, times: queries.count)
        for (step, outcome) in zip(steps[..<first], outcomes) {
            if case .execute = step, case .rows = outcome { preparedOnServer -= 1 }
        }
        var results: [Result<PostgresRows, any Error>] = []
        var replan: [(index: Int, name: String)] = []
        /// Records what a Parse or Describe of this round trip did for `key`; false for other steps.
        func notePreparation(_ step: Step, _ outcome: Outcome, _ key: PreparedKey, _ name: inout String?) -> Bool {
            switch (step, outcome) {
            case (.prepare(let n, _), .done):
                preparedOnServer += 1
                name = n
                prepared[key] = Prepared(name: n, binary: false)
            case (.describe, .described(let binary)):
                if let name { prepared[key] = Prepared(name: name, binary: binary) }
            default:
                return false
            }
            return true
        }
        // The opening's statements prepared as any other; their failure is the first statement's.
        var openingName: String?
        var openingFailure: (any Error)?
        var k = 0
        for s in first..<openingSteps where !notePreparation(steps[s], outcomes[s], openingKeys[k], &openingName) {
            switch (steps[s], outcomes[s]) {
            case (.execute, let outcome):
                if openingFailure == nil {
                    if case .failed(let error) = outcome { openingFailure = error }
                    if case .skipped = outcome { openingFailure = Self.skipped }
                }
                openingName = nil
                k += 1
            default:
                break
            }
        }
        for (i, group) in groups.enumerated() {
            var result: Result<PostgresRows, any Error>? = i == 0 ? openingFailure.map { .failure($0) } : nil
            var preparedName: String?
            for s in group where s >= openingSteps && !notePreparation(steps[s], outcomes[s], keys[i], &preparedName) {
                switch (steps[s], outcomes[s]) {
                case (.execute, .rows(let rows)):
                    if result == nil { result = .success(rows) }
                case (.execute(_, _, let name?, _), .failed(let error as PostgresError)) where error.sqlState == "0A000":
                    // "cached plan must not change result type": the schema changed under a
                    // prepared statement. Forget it; outside a transaction, run it again.
                    prepared[keys[i]] = nil
                    if result == nil { result = .failure(error) }
                    replan.append((i, name))
                case (_, .failed(let error)):
                    if result == nil { result = .failure(error) }
                case (_, .skipped):
                    if result == nil { result = .failure(Self.skipped) }
                default:
                    break
                }
            }
            results.append(result ?? .failure(PostgresError(.connectionClosed, "no result from server")))
        }
        if !retrying, !replan.isEmpty, let conn = self.conn, !broken, PQtransactionStatus(conn) == PQTRANS_IDLE {
            let again = await runStatements(replan.map { queries[$0.index] }, ids: replan.map { ids[$0.index] }, retrying: true,
                                            deallocating: replan.map(\.name))
            for (r, outcome) in zip(replan, again) { results[r.index] = outcome }
        }
        return results
    }

    private static let skipped = PostgresError(.server, "skipped: an earlier statement of its pipeline failed", sqlState: "25P02",
                                               serverMessage: "current transaction is aborted, commands ignored until end of transaction block")

    private func record(_ started: ContinuousClock.Instant, times: Int) {
        let elapsed = started.duration(to: .now).components
        for _ in 0..<times { statistics.queryDuration.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000) }
    }

    // MARK: Exchanges with the server

    /// One thing sent in a pipeline.
    private enum Step {
        case prepare(String, PreparedKey)
        case describe(String)
        case execute(PostgresQuery, [Oid], prepared: String?, binary: Bool)
        case sync
    }
    /// What became of it.
    private enum Outcome {
        case done
        case rows(PostgresRows)
        case described(binary: Bool)
        case failed(any Error)
        /// An earlier step before the same sync failed, so the server skipped this one.
        case skipped
    }

    /// Sends `steps` in one pipeline and reads their outcomes as they arrive, waiting for the
    /// socket in between. A connection lost on the way fails every step not answered yet.
    private func exchange(_ conn: OpaquePointer, _ steps: [Step]) async -> [Outcome] {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(steps.count)
        func lost() -> [Outcome] {
            outcomes + Array(repeating: .failed(self.lost(conn)), count: steps.count - outcomes.count)
        }
        guard PQenterPipelineMode(conn) == 1 else { return lost() }
        statistics.countRoundTrip()
        for step in steps {
            let sent: Int32
            switch step {
            case .prepare(let name, let key):
                sent = key.types.withUnsafeBufferPointer { PQsendPrepare(conn, name, key.sql, Int32(key.types.count), $0.baseAddress) }
            case .describe(let name):
                sent = PQsendDescribePrepared(conn, name)
            case .execute(let query, let types, let name, let binary):
                sent = Self.withParameters(query, types: types) { n, types, values, lengths, formats in
                    if let name { return PQsendQueryPrepared(conn, name, n, values, lengths, formats, binary ? 1 : 0) }
                    return PQsendQueryParams(conn, query.sql, n, types, values, lengths, formats, 0)
                }
            case .sync:
                sent = PQpipelineSync(conn)
            }
            guard sent == 1 else { return lost() }
        }
        var current: Outcome?
        var flushing = true
        /// Set when a result took the read budget past its limit and the rest was cancelled.
        var overBudget: PostgresError?
        while true {
            if flushing {
                let flushed = PQflush(conn)
                guard flushed >= 0 else { return lost() }
                flushing = flushed == 1
            }
            // The answers left by `sendUnanswered` come first: dropped. Then every result that
            // has arrived.
            while dropUnread(conn), outcomes.count < steps.count, PQisBusy(conn) == 0 {
                let res = PQgetResult(conn)
                if case .sync = steps[outcomes.count] {
                    guard let res, PQresultStatus(res) == PGRES_PIPELINE_SYNC else {
                        if let res { PQclear(res) }
                        return lost()
                    }
                    PQclear(res)
                    outcomes.append(.done)
                    continue
                }
                guard let res else {
                    // The end of this step's results.
                    outcomes.append(current ?? .done)
                    current = nil
                    continue
                }
                var outcome = self.outcome(res, conn, steps[outcomes.count])
                if let over = overBudget {
                    // Cancelled or skipped for the budget: said as what it is.
                    switch outcome {
                    case .failed, .skipped: outcome = .failed(over)
                    default: break
                    }
                } else if case .failed(let e as PostgresError) = outcome, e.code == .readLimitExceeded, outcomes.count + 2 < steps.count {
                    // Over the read budget: what the round trip still runs would be read for
                    // nothing (the statements of a transaction share one sync: cancelled, the
                    // rest are skipped up to it).
                    overBudget = e
                    await cancelRunning()
                }
                if case .failed = current {} else { current = outcome }
            }
            if outcomes.count == steps.count { break }
            guard PQstatus(conn) == CONNECTION_OK else { return lost() }
            do { try await loop.wait(socket, writable: flushing) } catch { return lost() }
            guard PQconsumeInput(conn) == 1 else { return lost() }
        }
        guard PQexitPipelineMode(conn) == 1 else { return lost() }
        return outcomes
    }

    /// A step's result, which it takes (and frees unless rows keep it).
    private func outcome(_ res: OpaquePointer, _ conn: OpaquePointer, _ step: Step) -> Outcome {
        switch PQresultStatus(res) {
        case PGRES_PIPELINE_ABORTED:
            PQclear(res)
            return .skipped
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            switch step {
            case .execute:
                if let budget = state.withLock({ $0.readBudget }), !budget.spend(Int(PQresultMemorySize(res))) {
                    PQclear(res)
                    return .failed(PostgresError(.readLimitExceeded, "\(budget.limit) bytes"))
                }
                return .rows(decodeResult(res))
            case .describe:
                // Binary results when the client reads every column of the result in binary.
                let binary = PQnfields(res) > 0
                    && (0..<PQnfields(res)).allSatisfy { PostgresBinary.resultOIDs.contains(UInt32(PQftype(res, $0))) }
                PQclear(res)
                return .described(binary: binary)
            case .prepare, .sync:
                PQclear(res)
                return .done
            }
        default:
            let error = failure(res, conn)
            PQclear(res)
            return .failed(error)
        }
    }

    /// Sends SQL text with the simple protocol (several statements, no parameters) and reads
    /// to its end; the first failure is thrown.
    private func simpleExchange(_ conn: OpaquePointer, _ sql: String) async throws {
        func lost() -> PostgresError { self.lost(conn) }
        while !readUnreadArrived(conn) {
            guard !broken, PQstatus(conn) == CONNECTION_OK else { throw lost() }
            do { try await loop.wait(socket, writable: false) } catch { throw lost() }
        }
        guard PQsendQuery(conn, sql) == 1 else { throw lost() }
        statistics.countRoundTrip()
        var flushing = true
        var firstFailure: PostgresError?
        while true {
            if flushing {
                let flushed = PQflush(conn)
                guard flushed >= 0 else { throw lost() }
                flushing = flushed == 1
            }
            while PQisBusy(conn) == 0 {
                guard let res = PQgetResult(conn) else {
                    if let firstFailure { throw firstFailure }
                    return
                }
                switch PQresultStatus(res) {
                case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE: break
                default: if firstFailure == nil { firstFailure = failure(res, conn) }
                }
                PQclear(res)
            }
            guard PQstatus(conn) == CONNECTION_OK else { throw firstFailure ?? lost() }
            do { try await loop.wait(socket, writable: flushing) } catch { throw lost() }
            guard PQconsumeInput(conn) == 1 else { throw lost() }
        }
    }

    /// Calls `body` with the statement's parameter count, types, values, lengths and formats
    /// (the values copied into one buffer that lives for the call).
    private static func withParameters<T>(_ query: PostgresQuery, types: [Oid],
                                          _ body: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?,
                                                   UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> T) -> T {
        let binds = query.binds
        var total = 0
        for bind in binds { total += bind.bytes?.count ?? 0 }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 1)
        defer { buffer.deallocate() }
        var values = [UnsafePointer<CChar>?](repeating: nil, count: binds.count)
        var lengths = [Int32](repeating: 0, count: binds.count)
        var formats = [Int32](repeating: 0, count: binds.count)
        var at = 0
        for (i, bind) in binds.enumerated() {
            guard let bytes = bind.bytes else { continue }
            let slot = UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + bytes.count)])
            slot.copyBytes(from: bytes)
            values[i] = UnsafePointer(buffer.baseAddress!.advanced(by: at).assumingMemoryBound(to: CChar.self))
            lengths[i] = Int32(bytes.count)
            formats[i] = bind.isBinary ? 1 : 0
            at += bytes.count
        }
        return types.withUnsafeBufferPointer { typesPtr in
            values.withUnsafeBufferPointer { valuesPtr in
                lengths.withUnsafeBufferPointer { lengthsPtr in
                    formats.withUnsafeBufferPointer { formatsPtr in
                        body(Int32(types.count), typesPtr.baseAddress, valuesPtr.baseAddress, lengthsPtr.baseAddress, formatsPtr.baseAddress)
                    }
                }
            }
        }
    }

    /// Marks the connection lost (it is reopened on its next checkout) and says so, with libpq's reason.
    private func lost(_ conn: OpaquePointer) -> PostgresError {
        broken = true
        return PostgresError(.connectionClosed, "connection to the server was lost",
                             serverMessage: String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The error a failed result stands for: the connection's loss when libpq says it is gone or
    /// the server said it is ending it (57P01–57P03: shutdown or termination) or the error is a
    /// connection exception (08…); the statement's own failure otherwise.
    private func failure(_ res: OpaquePointer, _ conn: OpaquePointer) -> PostgresError {
        let message = String(cString: PQresultErrorMessage(res)).trimmingCharacters(in: .whitespacesAndNewlines)
        let sqlState = PQresultErrorField(res, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let ending = sqlState.map { $0.hasPrefix("57P0") || $0.hasPrefix("08") } ?? false
        if PQstatus(conn) != CONNECTION_OK || ending {
            broken = true
            return PostgresError(.connectionClosed, "connection to the server was lost", sqlState: sqlState, serverMessage: message)
        }
        return PostgresError(.server, "the statement failed", sqlState: sqlState, serverMessage: message)
    }

    /// The rows of `res`, which they now own (it is freed with the last of them).
    private func decodeResult(_ res: OpaquePointer) -> PostgresRows {
        let nFields = PQnfields(res)
        var columns: [PostgresColumn] = []
        columns.reserveCapacity(Int(nFields))
        for f in 0..<nFields {
            columns.append(PostgresColumn(name: String(cString: PQfname(res, f)), oid: UInt32(PQftype(res, f)), isBinary: PQfformat(res, f) == 1))
        }
        let cmdTuples = PQcmdTuples(res)
        let affected = cmdTuples.map { PostgresBinary.parseInt(UnsafeRawBufferPointer(start: $0, count: strlen($0))) ?? 0 } ?? 0
        return PostgresRows(columns: columns, result: PostgresResult(res), count: Int(PQntuples(res)), affectedRows: affected)
    }

    // MARK: Checks between uses (no task holds the turn)

    /// A cheap health check with no round trip: the connection is open, not inside a
    /// transaction, and its idle socket has no pending EOF or error (which is what a server
    /// restart leaves behind).
    func isHealthy() -> Bool {
        guard let conn, !broken, PQstatus(conn) == CONNECTION_OK else { return false }
        // A commit sent unanswered and not answered yet: its answer is read with the next
        // statement (a connection lost meanwhile fails that statement, and a read is retried).
        guard readUnreadArrived(conn) else { return !broken && PQstatus(conn) == CONNECTION_OK }
        guard PQtransactionStatus(conn) == PQTRANS_IDLE else { return false }
        var pfd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, 0)
        if ready < 0 { return false }
        // Pool connections never LISTEN, so an idle socket that is readable holds the
        // server's goodbye (a FATAL "terminating connection" before EOF after a restart),
        // which libpq reports only on the next read. Treat it as broken and reopen.
        return ready == 0
    }

    /// Whether the connection is idle outside a transaction (safe to hand to the next user).
    func isIdleOutsideTransaction() -> Bool {
        guard let conn, !broken, PQstatus(conn) == CONNECTION_OK else { return false }
        // Unread answers are a transaction's end, sent (`sendUnanswered`).
        return unread > 0 || PQtransactionStatus(conn) == PQTRANS_IDLE
    }

    /// Quotes an identifier (channel or table name) for SQL text.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: Notifications (the listener's own connection)

    /// Waits for notifications (on channels this session LISTENs to) and returns those that
    /// arrived; a cancelled task stops waiting.
    func notifications() async throws -> [PostgresNotification] {
        try await exclusive(id: 0) {
            while true {
                guard let conn, !broken, PQstatus(conn) == CONNECTION_OK else { throw PostgresError(.connectionClosed, "connection is closed") }
                var out: [PostgresNotification] = []
                while let n = PQnotifies(conn) {
                    out.append(PostgresNotification(channel: String(cString: n.pointee.relname),
                                                    payload: String(cString: n.pointee.extra),
                                                    pid: Int(n.pointee.be_pid)))
                    PQfreemem(n)
                }
                if !out.isEmpty { return out }
                do { try await loop.wait(socket, cancellable: true) } catch let e as ReadinessLoop.Failure {
                    throw PostgresError(.connectionClosed, "the connection was closed", serverMessage: "\(e)")
                }
                guard PQconsumeInput(conn) == 1, PQstatus(conn) == CONNECTION_OK else { throw lost(conn) }
            }
        }
    }
}

/// What holds a connection's statements until the work of the request that sends them all waits
/// (`PostgresConnection.holdStatements`): then every statement of that moment goes in one round trip.
public protocol StatementGate: AnyObject, Sendable {
    /// Calls `body` once no work of the request runs (at once if none does).
    func whenIdle(_ body: @escaping @Sendable () -> Void)
    /// A statement waits for its answer: its task no longer counts as running work.
    func waitBegan()
    /// A held statement's task is about to run again (it counts as running work).
    func waitEnded()
}

/// libpq initialises OpenSSL on its first connection; OpenSSL would then free its state at exit
/// under a thread still connecting (see `switchyard_openssl_keep_state_at_exit`). Once per process.
let openSSLKeepsStateAtExit: Void = switchyard_openssl_keep_state_at_exit()

public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    public let pid: Int
}

/// Counts statements sent to the server (tests assert that batching keeps it flat).
public final class PostgresStatistics: Sendable {
    private let statements = Atomic<Int>(0)
    private let pipelined = Atomic<Int>(0)
    private let roundTrips = Atomic<Int>(0)
    /// `switchyard_db_query_duration_seconds`, made once per pool (making a metric asks the
    /// metrics factory under a lock): the metrics system must be bootstrapped before the pool is made.
    let queryDuration = CoreMetrics.Timer(label: "switchyard_db_query_duration_seconds")
    public init() {}
    func count() { statements.wrappingAdd(1, ordering: .relaxed) }
    func countPipelined(_ n: Int) { pipelined.wrappingAdd(n, ordering: .relaxed) }
    func countRoundTrip() { roundTrips.wrappingAdd(1, ordering: .relaxed) }
    /// Exchanges with the server: what was sent together, then waited for together.
    public var roundTripCount: Int { roundTrips.load(ordering: .relaxed) }
    public var statementCount: Int { statements.load(ordering: .relaxed) }
    /// Statements of different callers that went together in one pipeline (see `PostgresConnection.query`).
    public var pipelinedStatementCount: Int { pipelined.load(ordering: .relaxed) }
}

/// How many bytes of results a set of statements (one request's) may read in all: each result is
/// charged as libpq holds it in memory, after it arrived whole.
public final class ReadBudget: Sendable {
    public let limit: Int
    private let used = Atomic<Int>(0)

    public init(limit: Int) { self.limit = limit }

    /// Charges `bytes`; false when the total is now past the limit (or was already).
    func spend(_ bytes: Int) -> Bool {
        used.add(bytes, ordering: .relaxed).newValue <= limit
    }
}
