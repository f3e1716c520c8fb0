import CoreMetrics
import CLibPQ
import CLibSSL
import Dispatch
import Foundation
import Synchronization
import Tracing

/// One libpq connection. Every blocking libpq call runs on the connection's own thread, in
/// order — never on a NIO event loop, Swift's cooperative pool, or libdispatch's shared worker
/// threads (which, with many connections blocked in libpq under load, could leave timers and
/// the cooperative pool without a thread).
///
/// A connection is used by one task at a time (the pool guarantees it).
public final class PostgresConnection: @unchecked Sendable {
    private var conn: OpaquePointer?
    /// `statement_timeout` set on every (re)connect, if any.
    let statementTimeoutMs: Int?
    /// libpq's cancel handle for the open connection (`PQcancel` may be called from any thread),
    /// and which statement runs now (a cancel is sent only while the statement asked for runs).
    private let cancelHandle = Mutex(CancelHandle())
    /// libpq's `PGcancel*` (thread-safe to use; owned and freed by this connection).
    private struct CancelHandle: @unchecked Sendable { var pointer: OpaquePointer? }
    private let running = Atomic<UInt64>(0)
    /// The statements of the pipeline that runs now (see `query`), for cancelling one of them.
    private let runningTogether = Mutex<[UInt64]>([])
    private let statementCounter = Atomic<UInt64>(0)
    /// Statements submitted while the connection's thread was busy, to run together.
    private let waiting = Mutex<[Waiting]>([])
    private struct Waiting: @unchecked Sendable {
        let query: PostgresQuery
        let id: UInt64
        let continuation: CheckedContinuation<PostgresRows, any Error>
    }
    private let cancelled = Atomic<UInt64>(0)
    private let queue: BlockingWorker
    /// This session's prepared statements, by statement text and parameter types (touched only on
    /// the connection's thread). A statement run again skips the server's parse and plan; past
    /// `preparedLimit` distinct statements, new ones run unprepared (no churn, no DEALLOCATE).
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
        self.queue = BlockingWorker(name: "switchyard.postgres.connection")
    }

    deinit {
        cancelHandle.withLock { h in if let p = h.pointer { PQfreeCancel(p) } }
        if let conn { PQfinish(conn) }
        queue.stop()
    }

    /// Opens a connection from a `postgres://` URL or a `key=value` string; an empty string
    /// uses libpq's environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
    /// `PGSSLMODE`...). TLS follows libpq's `sslmode`.
    public static func connect(_ conninfo: String, statistics: PostgresStatistics = PostgresStatistics(),
                               statementTimeoutMs: Int? = nil) async throws -> PostgresConnection {
        let c = PostgresConnection(conninfo: conninfo, statistics: statistics, statementTimeoutMs: statementTimeoutMs)
        try await c.run { try c.openBlocking() }
        return c
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            queue.async { cont.resume(with: Result { try body() }) }
        }
    }

    private func openBlocking() throws {
        if let conn { PQfinish(conn); self.conn = nil }
        prepared.removeAll()
        preparedOnServer = 0
        _ = openSSLKeepsStateAtExit
        guard let c = PQconnectdb(Self.withDefaults(conninfo)) else { throw PostgresError(.connectionFailed, "out of memory") }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(c)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(c)
            throw PostgresError(.connectionFailed, "could not connect to the database", serverMessage: message)
        }
        conn = c
        // Server notices (NOTICE, WARNING) are not errors; libpq would print them to stderr.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        let timeout = statementTimeoutMs.map { "; SET statement_timeout = \(max(0, $0))" } ?? ""
        let setup = PQexec(c, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET application_name = 'switchyard'" + timeout)
        defer { PQclear(setup) }
        guard PQresultStatus(setup) == PGRES_COMMAND_OK else {
            throw PostgresError(.connectionFailed, "session setup failed", serverMessage: String(cString: PQerrorMessage(c)))
        }
        let handle = CancelHandle(pointer: PQgetCancel(c))
        cancelHandle.withLock { h in
            if let p = h.pointer { PQfreeCancel(p) }
            h = handle
        }
    }

    /// Asks the server to cancel statement `id` if it still runs (from the cancelling task's
    /// handler; `PQcancel` opens a short connection of its own, off the caller's thread).
    private func cancel(statement id: UInt64) {
        DispatchQueue.global().async { [self] in
            cancelHandle.withLock { h in
                guard let p = h.pointer,
                      running.load(ordering: .acquiring) == id || runningTogether.withLock({ $0.contains(id) }) else { return }
                var message = [CChar](repeating: 0, count: 256)
                _ = PQcancel(p, &message, 256)
            }
        }
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

    /// Reopens the connection (after the server restarted or the socket broke).
    public func reconnect() async throws {
        try await run { try self.openBlocking() }
    }

    /// Runs one parameterised statement (never more than one; prepared on first use), in a
    /// client span named by its first keyword, with `db.system` and the statement's text (its
    /// values are bind parameters, never in the text).
    ///
    /// Statements that several tasks send while the connection is busy (the subgraph requests of
    /// one query sharing its read transaction) wait together and then go in one round trip
    /// (libpq's pipeline mode) when the connection is inside a transaction block; each gets its
    /// own answer or error. A statement skipped because an earlier one of its pipeline failed
    /// fails as it would have run alone after it: "current transaction is aborted" (25P02).
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withSpan(Self.spanName(query.sql), ofKind: .client) { span in
            if span.isRecording {
                span.attributes["db.system"] = "postgresql"
                span.attributes["db.statement"] = query.sql
            }
            let id = statementCounter.wrappingAdd(1, ordering: .relaxed).newValue
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresRows, any Error>) in
                    let first = waiting.withLock { w in
                        w.append(Waiting(query: query, id: id, continuation: continuation))
                        return w.count == 1
                    }
                    if first { queue.async { self.runWaiting() } }
                }
            } onCancel: {
                self.cancelled.store(id, ordering: .releasing)
                self.cancel(statement: id)
            }
        }
    }

    /// Statements submitted to `query` that wait for the connection's thread.
    public var statementsWaiting: Int { waiting.withLock { $0.count } }

    /// Runs the statements waiting now (on the connection's thread): one alone, several in one
    /// pipeline inside a transaction block, one after another outside one (where a pipeline would
    /// make them one implicit transaction).
    private func runWaiting() {
        let all = waiting.withLock { w in
            defer { w.removeAll() }
            return w
        }
        var batch: [Waiting] = []
        for w in all {
            // Cancelled while it waited for the connection's thread: never started.
            if cancelled.load(ordering: .acquiring) == w.id { w.continuation.resume(throwing: CancellationError()) } else { batch.append(w) }
        }
        let together = batch.count > 1 && conn.map { PQtransactionStatus($0) == PQTRANS_INTRANS } == true
        guard together else {
            for w in batch {
                running.store(w.id, ordering: .releasing)
                w.continuation.resume(with: Result { try queryBlocking(w.query) })
                running.store(0, ordering: .releasing)
            }
            return
        }
        runningTogether.withLock { $0 = batch.map(\.id) }
        statistics.countPipelined(batch.count)
        let results = pipelineResults(batch.map(\.query))
        runningTogether.withLock { $0 = [] }
        for (w, r) in zip(batch, results) { w.continuation.resume(with: r) }
    }

    /// Runs `body` on the connection's thread in a client span (`db.system`, the statement text),
    /// as one statement: a cancelled task cancels it on the server (PQcancel), so the work stops
    /// with the request instead of running to the end.
    private func statement<T: Sendable>(_ name: String, text: @autoclosure () -> String,
                                        _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withSpan(name, ofKind: .client) { span in
            if span.isRecording {
                span.attributes["db.system"] = "postgresql"
                span.attributes["db.statement"] = text()
            }
            let id = statementCounter.wrappingAdd(1, ordering: .relaxed).newValue
            return try await withTaskCancellationHandler {
                try await run {
                    // Cancelled while it waited for the connection's thread: never started.
                    if self.cancelled.load(ordering: .acquiring) == id { throw CancellationError() }
                    self.running.store(id, ordering: .releasing)
                    defer { self.running.store(0, ordering: .releasing) }
                    return try body()
                }
            } onCancel: {
                self.cancelled.store(id, ordering: .releasing)
                self.cancel(statement: id)
            }
        }
    }

    /// `SELECT`, `INSERT`, `BEGIN`, … (the statement's first word).
    static func spanName(_ sql: String) -> String {
        let word = sql.utf8.drop { $0 == 32 || $0 == 10 || $0 == 9 || $0 == 40 }.prefix { ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 }
        return word.isEmpty ? "SQL" : String(decoding: word, as: UTF8.self).uppercased()
    }

    /// Runs SQL text that may hold several statements and no parameters (migrations).
    public func simpleQuery(_ sql: String) async throws {
        try await run {
            guard let conn = self.conn else { throw PostgresError(.connectionClosed, "connection is closed") }
            self.statistics.count()
            let res = PQexec(conn, sql)
            defer { PQclear(res) }
            try self.check(res, conn)
        }
    }

    func queryBlocking(_ query: PostgresQuery, retryingInvalidatedPlan: Bool = true) throws -> PostgresRows {
        guard let conn else { throw PostgresError(.connectionClosed, "connection is closed") }
        statistics.count()
        let started = ContinuousClock.now
        let key = PreparedKey(query)
        let statement = try preparedName(key, conn)
        let res = Self.withParameters(query, types: key.types) { n, types, values, lengths, formats in
            if let statement { return PQexecPrepared(conn, statement.name, n, values, lengths, formats, statement.binary ? 1 : 0) }
            return PQexecParams(conn, query.sql, n, types, values, lengths, formats, 0)
        }
        let elapsed = started.duration(to: .now).components
        CoreMetrics.Timer(label: "switchyard_db_query_duration_seconds")
            .recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        do {
            try check(res, conn)
        } catch let e as PostgresError where e.sqlState == "0A000" && statement != nil {
            PQclear(res)
            // "cached plan must not change result type": the schema changed under a prepared
            // statement. Forget it; outside a transaction, run the statement again (re-prepared).
            prepared[statement!.key] = nil
            guard retryingInvalidatedPlan && PQtransactionStatus(conn) == PQTRANS_IDLE else { throw e }
            let deallocated = PQexec(conn, "DEALLOCATE " + statement!.name)
            if PQresultStatus(deallocated) == PGRES_COMMAND_OK { preparedOnServer -= 1 }
            PQclear(deallocated)
            return try queryBlocking(query, retryingInvalidatedPlan: false)
        } catch {
            PQclear(res)
            throw error
        }
        return decodeResult(res!)
    }

    /// The prepared statement for `query` on this session, preparing it now if there is room;
    /// nil when it runs unprepared. A statement the server cannot prepare throws what running it
    /// would have (a syntax error, an aborted transaction).
    private func preparedName(_ key: PreparedKey, _ conn: OpaquePointer) throws -> (key: PreparedKey, name: String, binary: Bool)? {
        if let p = prepared[key] { return (key, p.name, p.binary) }
        guard preparedOnServer < Self.preparedLimit else { return nil }
        preparedCount += 1
        let name = "switchyard_\(preparedCount)"
        let res = key.types.withUnsafeBufferPointer { PQprepare(conn, name, key.sql, Int32(key.types.count), $0.baseAddress) }
        defer { PQclear(res) }
        try check(res, conn)
        preparedOnServer += 1
        // Known as a text statement first, so a describe that fails (a lost connection) leaves
        // no prepared statement unaccounted for.
        prepared[key] = Prepared(name: name, binary: false)
        // The result's column types, once per session and statement: binary results when the
        // client reads every one of them in binary.
        let described = PQdescribePrepared(conn, name)
        defer { PQclear(described) }
        try check(described, conn)
        let binary = PQnfields(described) > 0
            && (0..<PQnfields(described)).allSatisfy { PostgresBinary.resultOIDs.contains(UInt32(PQftype(described, $0))) }
        prepared[key] = Prepared(name: name, binary: binary)
        return (key, name, binary)
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

    /// Runs `queries` in one round trip (libpq's pipeline mode): every statement is sent, then one
    /// sync, and the results come back in order. When a statement fails, the server skips the
    /// rest up to the sync and the first error is thrown; outside a transaction block the
    /// statements up to the sync are one implicit transaction, all or nothing. Inside one (a
    /// pipelined `BEGIN` included), a failure leaves it aborted for the caller to roll back.
    /// The connection stays usable either way, unless the server went away.
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresRows] {
        guard !queries.isEmpty else { return [] }
        return try await statement("PIPELINE", text: queries.map(\.sql).joined(separator: ";\n")) { try self.pipelineBlocking(queries) }
    }

    func pipelineBlocking(_ queries: [PostgresQuery]) throws -> [PostgresRows] {
        // The first failure in order is the statement's own; those after it were skipped.
        try pipelineResults(queries, preparing: false).map { try $0.get() }
    }

    /// Statements in one pipeline, each with its own outcome (see `query`). With `preparing`,
    /// statements not prepared yet are prepared first (one round trip each, once per session);
    /// without, they run unnamed unless already prepared. A connection lost on the way fails
    /// every statement with it.
    func pipelineResults(_ queries: [PostgresQuery], preparing: Bool = true) -> [Result<PostgresRows, any Error>] {
        guard let conn else { return queries.map { _ in .failure(PostgresError(.connectionClosed, "connection is closed")) } }
        func lost() -> PostgresError {
            PostgresError(.connectionClosed, "connection to the server was lost", serverMessage: String(cString: PQerrorMessage(conn)))
        }
        var results = [Result<PostgresRows, any Error>?](repeating: nil, count: queries.count)
        var statements: [Prepared?] = []
        let keys = queries.map(PreparedKey.init)
        for (i, key) in keys.enumerated() {
            guard preparing else { statements.append(prepared[key]); continue }
            do { statements.append(try preparedName(key, conn).map { Prepared(name: $0.name, binary: $0.binary) }) } catch {
                results[i] = .failure(error)
                statements.append(nil)
            }
        }
        let started = ContinuousClock.now
        guard PQenterPipelineMode(conn) == 1 else { return queries.map { _ in .failure(lost()) } }
        var sent: [Int] = []
        for (i, query) in queries.enumerated() where results[i] == nil {
            statistics.count()
            let ok = Self.withParameters(query, types: keys[i].types) { n, types, values, lengths, formats in
                if let p = statements[i] { return PQsendQueryPrepared(conn, p.name, n, values, lengths, formats, p.binary ? 1 : 0) }
                return PQsendQueryParams(conn, query.sql, n, types, values, lengths, formats, 0)
            }
            guard ok == 1 else { return queries.map { _ in .failure(lost()) } }
            sent.append(i)
        }
        guard PQpipelineSync(conn) == 1 else { return queries.map { _ in .failure(lost()) } }
        for i in sent {
            var outcome: Result<PostgresRows, any Error> = .success(.empty)
            while let res = PQgetResult(conn) {
                if PQresultStatus(res) == PGRES_PIPELINE_ABORTED {
                    PQclear(res)
                    outcome = .failure(PostgresError(.server, "skipped: an earlier statement of its pipeline failed", sqlState: "25P02",
                                                     serverMessage: "current transaction is aborted, commands ignored until end of transaction block"))
                    continue
                }
                do {
                    try check(res, conn)
                    outcome = .success(decodeResult(res))
                } catch {
                    PQclear(res)
                    if (error as? PostgresError)?.sqlState == "0A000" { prepared[keys[i]] = nil }
                    outcome = .failure(error)
                }
            }
            if PQstatus(conn) != CONNECTION_OK { return queries.map { _ in .failure(lost()) } }
            results[i] = outcome
        }
        guard let sync = PQgetResult(conn) else { return queries.map { _ in .failure(lost()) } }
        let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        PQclear(sync)
        guard synced, PQexitPipelineMode(conn) == 1 else { return queries.map { _ in .failure(lost()) } }
        let elapsed = started.duration(to: .now).components
        let timer = CoreMetrics.Timer(label: "switchyard_db_query_duration_seconds")
        for _ in sent { timer.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000) }
        return results.map { $0 ?? .failure(lost()) }
    }

    private func check(_ res: OpaquePointer?, _ conn: OpaquePointer) throws {
        guard let res else {
            throw PostgresError(.connectionClosed, "no result from server", serverMessage: String(cString: PQerrorMessage(conn)))
        }
        switch PQresultStatus(res) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return
        default:
            let message = String(cString: PQresultErrorMessage(res)).trimmingCharacters(in: .whitespacesAndNewlines)
            let sqlStatePtr = PQresultErrorField(res, Int32(UInt8(ascii: "C")))
            let sqlState = sqlStatePtr.map { String(cString: $0) }
            // The connection is gone when libpq says so, or when the server said it is ending
            // it (57P01–57P03: shutdown or termination) or the error is a connection exception (08…).
            let ending = sqlState.map { $0.hasPrefix("57P0") || $0.hasPrefix("08") } ?? false
            if PQstatus(conn) != CONNECTION_OK || ending {
                throw PostgresError(.connectionClosed, "connection to the server was lost", sqlState: sqlState, serverMessage: message)
            }
            throw PostgresError(.server, "the statement failed", sqlState: sqlState, serverMessage: message)
        }
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

    /// A cheap health check with no round trip: the connection is open, not inside a
    /// transaction, and its idle socket has no pending EOF or error (which is what a server
    /// restart leaves behind).
    func isHealthy() async -> Bool {
        (try? await run { self.isHealthyBlocking() }) ?? false
    }

    private func isHealthyBlocking() -> Bool {
        guard let conn, PQstatus(conn) == CONNECTION_OK else { return false }
        guard PQtransactionStatus(conn) == PQTRANS_IDLE else { return false }
        var pfd = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, 0)
        if ready < 0 { return false }
        // Pool connections never LISTEN, so an idle socket that is readable holds the
        // server's goodbye (a FATAL "terminating connection" before EOF after a restart),
        // which libpq reports only on the next read. Treat it as broken and reopen.
        return ready == 0
    }

    /// Whether the connection is idle outside a transaction (safe to hand to the next user).
    func isIdleOutsideTransaction() async -> Bool {
        (try? await run { self.conn.map { PQstatus($0) == CONNECTION_OK && PQtransactionStatus($0) == PQTRANS_IDLE } ?? false }) ?? false
    }

    public func close() {
        queue.async {
            if let conn = self.conn { PQfinish(conn); self.conn = nil }
        }
    }

    /// Quotes an identifier (channel or table name) for SQL text.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: LISTEN support (used by the listener's own dedicated connection)

    func listenBlocking(_ channels: [String]) throws {
        for channel in channels {
            _ = try queryBlocking(PostgresQuery(unsafeSQL: "LISTEN \(Self.quoteIdentifier(channel))"))
        }
    }

    /// Waits up to `timeoutMs` for notifications; returns those that arrived.
    func pollNotificationsBlocking(timeoutMs: Int32) throws -> [PostgresNotification] {
        guard let conn, PQstatus(conn) == CONNECTION_OK else { throw PostgresError(.connectionClosed, "connection is closed") }
        var pfd = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        _ = poll(&pfd, 1, timeoutMs)
        if PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK {
            throw PostgresError(.connectionClosed, "connection to the server was lost")
        }
        var out: [PostgresNotification] = []
        while let n = PQnotifies(conn) {
            out.append(PostgresNotification(channel: String(cString: n.pointee.relname),
                                            payload: String(cString: n.pointee.extra),
                                            pid: Int(n.pointee.be_pid)))
            PQfreemem(n)
        }
        return out
    }

    func reopenBlocking() throws { try openBlocking() }
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
    public init() {}
    func count() { statements.wrappingAdd(1, ordering: .relaxed) }
    func countPipelined(_ n: Int) { pipelined.wrappingAdd(n, ordering: .relaxed) }
    public var statementCount: Int { statements.load(ordering: .relaxed) }
    /// Statements of different callers that went together in one pipeline (see `PostgresConnection.query`).
    public var pipelinedStatementCount: Int { pipelined.load(ordering: .relaxed) }
}

/// A thread of its own that runs submitted jobs one after another (for blocking C calls).
final class BlockingWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false

    init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.stackSize = 512 << 10
        thread.start()
    }

    func async(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once the jobs already submitted have run.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
